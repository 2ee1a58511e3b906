"""One seed, one tree of named random streams.

``SeedSequence(seed)`` is the root; each scenario, each run and each named
stream gets its own child by spawn key ``(scenario, run, stream)``. A run's
numbers therefore depend only on (seed, scenario name, run index), not on
which other scenarios or runs are computed, on the engine, or on the executor.
The measurement model (``cohesion measure``) has its own branch of the
tree, keyed by family and chain. No global ``np.random`` state and no ``random`` module is used anywhere.
"""

from __future__ import annotations

import zlib

import numpy as np

#: Named streams of a run. New streams take new numbers, so adding one never shifts another's draws.
STREAMS: dict[str, int] = {"noise": 0, "events": 1, "mesa": 2, "drivers": 3, "parameters": 4}


def scenario_key(name: str) -> int:
    """Stable integer key of a scenario name (CRC-32).

    Overrides in a scenario's label (``baseline [energy_weight=0.5]``) are not
    part of the key: a variant draws the same random numbers as its plain
    scenario, so the two compare run by run (common random numbers).
    """
    return zlib.crc32(name.split(" [", 1)[0].encode("utf-8"))


def stream(seed: int, scenario: str, run: int, name: str) -> np.random.Generator:
    """The generator of one named stream of one run."""
    sequence = np.random.SeedSequence(entropy=seed, spawn_key=(scenario_key(scenario), run, STREAMS[name]))
    return np.random.Generator(np.random.PCG64(sequence))


def measurement_stream(seed: int, family: str, chain: int) -> np.random.Generator:
    """The generator of one Gibbs chain of one driver family in ``cohesion measure``."""
    key = (scenario_key("measurement"), scenario_key(family), chain)
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy=seed, spawn_key=key)))
