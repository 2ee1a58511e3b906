"""One seed, one tree of named random streams.

``SeedSequence(seed)`` is the root; each scenario, each run and each named
stream gets its own child by spawn key ``(scenario, run, stream)``. A run's
numbers therefore depend only on (seed, scenario name, run index), not on
which other scenarios or runs are computed, on the engine, or on the executor.
No global ``np.random`` state and no ``random`` module is used anywhere.
"""

from __future__ import annotations

import zlib

import numpy as np

#: Named streams of a run.
STREAMS: dict[str, int] = {"noise": 0, "events": 1, "mesa": 2, "parameters": 3}


def scenario_key(name: str) -> int:
    """Stable integer key of a scenario name (CRC-32)."""
    return zlib.crc32(name.encode("utf-8"))


def stream(seed: int, scenario: str, run: int, name: str) -> np.random.Generator:
    """The generator of one named stream of one run."""
    sequence = np.random.SeedSequence(entropy=seed, spawn_key=(scenario_key(scenario), run, STREAMS[name]))
    return np.random.Generator(np.random.PCG64(sequence))
