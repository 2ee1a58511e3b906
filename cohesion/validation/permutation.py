"""Permutation tests: which findings come from the data, which from the model's structure.

Each shuffle gives every ally the drivers and coded positions of another ally
(one permutation of the allies, applied to all three drivers and every coded
issue together; the leaders keep theirs), rebuilds what depends on them
(initial stances, held targets, the EU line), and reruns every
scenario with the same seed (common random numbers). A finding's *share* is
the fraction of shuffles in which its statement still holds.

- **structural**: it holds in at least ``SURVIVAL`` of the shuffles, so it
  comes from the scenarios and the model's structure, not from who the
  members are (the data cannot break it, nor support it);
- **data-driven**: shuffling the data breaks it. Its p-value
  ``(1 + #holds) / (1 + shuffles)`` is the chance that it would hold with
  the drivers dealt at random; a small p means the real data single it out.
"""

from __future__ import annotations

import dataclasses
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from cohesion.core.drivers import Drivers
from cohesion.engines import simulate
from cohesion.ensemble import EnsembleResult
from cohesion.inputs import Position, load_positions
from cohesion.validation.findings import Finding, measure_findings
from cohesion.world import World, build_world

#: A finding that holds in at least this share of shuffles survives shuffling: structural.
SURVIVAL = 0.95
STRUCTURAL, DATA_DRIVEN = "structural", "data-driven"


def with_member_data(world: World, order: np.ndarray) -> World:
    """The same world with member ``i`` given the drivers and coded positions of member ``order[i]``.

    The world is rebuilt through ``build_world``, so everything derived from
    drivers and positions follows (initial stances, the held part of each
    target, the EU line). The positions move with the drivers because a
    member's coded 27 January stance is held (``position_persistence``):
    shuffling the drivers alone would leave every coded cell where it was. The
    reference levels are alliance means, which a permutation does not change.
    """
    drivers = permute_drivers(world.drivers, order)
    positions = permute_positions(load_positions(), world.members.codes, order)
    layer = [world.params.flat()]
    return build_world(world.scenario, world.scenario_hash, layer, world.horizon, world.members, positions, drivers)


def permute_positions(positions: tuple[Position, ...], codes: tuple[str, ...], order: np.ndarray) -> tuple[Position, ...]:
    """Member ``i`` speaks every member-level position of member ``order[i]``; other rows stay as they are."""
    speaker = {codes[int(source)]: codes[target] for target, source in enumerate(order)}
    return tuple(
        dataclasses.replace(p, speaks_for=speaker[p.speaks_for]) if p.speaks_for in speaker else p for p in positions
    )


def permute_drivers(drivers: Drivers, order: np.ndarray) -> Drivers:
    """Member ``i`` takes the drivers of member ``order[i]``."""
    return Drivers(*(getattr(drivers, f.name)[order] for f in dataclasses.fields(Drivers)))


def ally_permutation(leaders: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random permutation of the allies; the leaders stay in place."""
    order = np.arange(len(leaders))
    allies = np.flatnonzero(~leaders)
    order[allies] = rng.permutation(allies)
    return order


def label(share_holds: float) -> str:
    """``structural`` when the finding survives shuffling (share >= SURVIVAL), else ``data-driven``."""
    return STRUCTURAL if share_holds >= SURVIVAL else DATA_DRIVEN


def permutation_table(claimed: Sequence[Finding], holds: np.ndarray) -> pd.DataFrame:
    """One row per finding: share of shuffles in which it holds, p-value, label.

    Args:
        claimed: The findings on the real data.
        holds: (shuffles, findings) booleans.
    """
    shuffles = holds.shape[0]
    count = holds.sum(axis=0)
    p_values = (1 + count) / (1 + shuffles)
    return pd.DataFrame(
        {
            "finding": [f.id for f in claimed],
            "kind": [f.kind for f in claimed],
            "statement": [f.statement for f in claimed],
            "margin": [f.margin for f in claimed],
            "share_holds": count / shuffles,
            "p_value": p_values,
            "status": [label(share) for share in count / shuffles],
        }
    )


def permutation_test(
    measure: Callable[[np.ndarray], Sequence[Finding]],
    leaders: np.ndarray,
    shuffles: int,
    rng: np.random.Generator,
    progress: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """Measure findings on the real order and on ``shuffles`` ally permutations.

    Args:
        measure: Findings for a member order (``np.arange(n)`` is the real
            data); it must state the same findings in the same order for every
            order it is given.
        leaders: (N,) bool, members that keep their data.
        shuffles: Number of permutations.
        rng: The permutation stream.
        progress: Called with 1 after each shuffle.
    """
    claimed = [f for f in measure(np.arange(len(leaders))) if f.holds]
    holds = np.zeros((shuffles, len(claimed)), dtype=bool)
    for s in range(shuffles):
        found = measure(ally_permutation(leaders, rng))
        by_id = {f.id: f for f in found}
        holds[s] = [by_id[f.id].holds for f in claimed]
        if progress is not None:
            progress(1)
    return permutation_table(claimed, holds)


class ScenarioFindings:
    """The headline findings of every scenario as a function of the member order of the drivers."""

    def __init__(self, worlds: list[World], runs: int, seed: int):
        self.worlds = worlds
        self.runs = runs
        self.seed = seed
        self.claimed: list[Finding] | None = None

    def results(self, order: np.ndarray) -> list[EnsembleResult]:
        """Every scenario simulated with the drivers in ``order``."""
        shuffled = [with_member_data(w, order) for w in self.worlds]
        return [simulate(w, self.runs, self.seed, engine="vectorized") for w in shuffled]

    def __call__(self, order: np.ndarray) -> list[Finding]:
        results = self.results(order)
        if self.claimed is None:  # the first call is the real data: it states the findings
            self.claimed = measure_findings(results)
            return self.claimed
        return measure_findings(results, [f for f in self.claimed if f.holds])
