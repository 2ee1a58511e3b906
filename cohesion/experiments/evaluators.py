"""What is evaluated at a design point: the model, or any plain function.

An evaluator is a picklable callable ``(scenario, values, seed) -> {outcome:
array of one value per replicate}`` that can also evaluate a whole chunk of
points at once (``evaluate_points``). The experiment machinery (design,
execution, storage, sensitivity) only ever calls these, so a test function
with known Sobol indices goes through exactly the same path as the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Protocol, Sequence

import numpy as np

from cohesion.constants import RUN_METRICS
from cohesion.core.metrics import member_alignment, score_details
from cohesion.engines import simulate
from cohesion.experiments.schema import ALIGNMENT_PREFIX
from cohesion.inputs import load_members, load_positions
from cohesion.scenarios import ScenarioSpec
from cohesion.world import World, build_world


class Evaluator(Protocol):
    """Outcomes of design points: one value per replicate for each outcome."""

    outcomes: tuple[str, ...]
    replicates: int

    def __call__(self, scenario: str, values: Mapping[str, float], seed: int) -> dict[str, np.ndarray]: ...

    def evaluate_points(
        self, scenario: str, names: tuple[str, ...], rows: np.ndarray, seeds: Sequence[int]
    ) -> dict[str, np.ndarray]:
        """Outcomes of the points ``rows`` (points, factors): (points * replicates,) each, point by point."""
        ...


def one_by_one(
    evaluator: Evaluator, scenario: str, names: tuple[str, ...], rows: np.ndarray, seeds: Sequence[int]
) -> dict[str, np.ndarray]:
    """``evaluate_points`` by calling the evaluator once per point (the reference path)."""
    results = [evaluator(scenario, dict(zip(names, map(float, row))), seed) for row, seed in zip(rows, seeds)]
    return {name: np.concatenate([np.asarray(r[name], dtype=float) for r in results]) for name in evaluator.outcomes}


@dataclass(frozen=True)
class ModelEvaluator:
    """Simulate a scenario at design points with the vectorized engine.

    Replicate ``r`` of a point is run ``r`` of ``simulate(world, replicates,
    seed)``; outcomes are read at the horizon (week ``steps``). A chunk of
    points runs as one ensemble (``simulate_points``), each run with its own
    parameters and seed, which gives the numbers of the points run one by one.

    Attributes:
        scenarios: Scenario name -> (validated spec, SHA-256 of its file).
        fixed: Parameter layer applied before the point's values.
        steps: Horizon in weeks (None: the scenario's own).
        replicates: Runs per point.
        outcomes: Scores (``RUN_METRICS``) and ``alignment_<ISO3>`` names.
        batched: Run a chunk of points as one ensemble (False: one by one).
    """

    scenarios: Mapping[str, tuple[ScenarioSpec, str]]
    fixed: Mapping[str, Any]
    steps: int | None
    replicates: int
    outcomes: tuple[str, ...]
    batched: bool = True

    def world(self, scenario: str, values: Mapping[str, float]) -> World:
        """The world of one design point."""
        spec, digest = self.scenarios[scenario]
        return build_world(
            spec, digest, [self.fixed, dict(values)], horizon=self.steps,
            members=load_members(), positions=load_positions(),
        )

    def __call__(self, scenario: str, values: Mapping[str, float], seed: int) -> dict[str, np.ndarray]:
        world = self.world(scenario, values)
        result = simulate(world, self.replicates, seed, engine="vectorized")
        scores = {name: result.metric(name)[:, -1] for name in RUN_METRICS}
        return self._read(world, scores, result.horizon_stance, result.horizon_proposal)

    def evaluate_points(
        self, scenario: str, names: tuple[str, ...], rows: np.ndarray, seeds: Sequence[int]
    ) -> dict[str, np.ndarray]:
        """Outcomes of a chunk of points, simulated as one ensemble (or one by one if not ``batched``)."""
        if not self.batched:
            return one_by_one(self, scenario, names, rows, seeds)
        from cohesion.engines.vectorized import simulate_points

        worlds = [self.world(scenario, dict(zip(names, map(float, row)))) for row in rows]
        if any(w.bounds != worlds[0].bounds for w in worlds):  # the dynamics differ between points
            return one_by_one(self, scenario, names, rows, seeds)
        stances, proposals = simulate_points(worlds, seeds, self.replicates)  # (points, replicates, N, K), (..., K)
        # Score every point with its own acceptance windows and vote thresholds, all points that share them in one call.
        groups: dict[Any, list[int]] = {}
        for p, world in enumerate(worlds):
            q = world.params
            key = (q.acceptance_tolerance, q.acceptance_salience_tightening, q.vote_yes_threshold, q.vote_no_threshold)
            groups.setdefault(key, []).append(p)
        scores = {name: np.empty(stances.shape[:2]) for name in RUN_METRICS}
        for points in groups.values():
            group_scores = score_details(stances[points], proposals[points], worlds[points[0]].scoring)[0]
            for name in RUN_METRICS:
                scores[name][points] = group_scores[name]
        flat = stances.reshape((-1,) + stances.shape[2:])
        flat_proposals = proposals.reshape((-1,) + proposals.shape[2:])
        return self._read(worlds[0], {name: v.reshape(-1) for name, v in scores.items()}, flat, flat_proposals)

    def _read(
        self, world: World, scores: Mapping[str, np.ndarray], horizon_stance: np.ndarray, horizon_proposal: np.ndarray
    ) -> dict[str, np.ndarray]:
        """The outcomes from horizon scores (runs,), stances (runs, N, K) and proposals (runs, K)."""
        wants_alignment = any(o.startswith(ALIGNMENT_PREFIX) for o in self.outcomes)
        alignment = member_alignment(horizon_stance, horizon_proposal) if wants_alignment else None
        out = {}
        for name in self.outcomes:
            if name in RUN_METRICS:
                out[name] = scores[name]
            else:
                out[name] = alignment[:, world.members.index(name[len(ALIGNMENT_PREFIX) :])]  # type: ignore[index]
        return out


@dataclass(frozen=True)
class FunctionEvaluator:
    """A deterministic function of the factors, e.g. ``SALib.test_functions.Ishigami.evaluate``.

    Attributes:
        function: Takes a (rows, factors) array and returns (rows,) values;
            must be importable by name (it is pickled to workers).
        names: Factor names in the function's column order.
        outcomes: One outcome name.
    """

    function: Callable[[np.ndarray], np.ndarray]
    names: tuple[str, ...]
    outcomes: tuple[str, ...] = ("y",)
    replicates: int = 1

    def __call__(self, scenario: str, values: Mapping[str, float], seed: int) -> dict[str, np.ndarray]:
        row = np.array([[values[name] for name in self.names]])
        return {self.outcomes[0]: np.asarray(self.function(row), dtype=float).reshape(1)}

    def evaluate_points(
        self, scenario: str, names: tuple[str, ...], rows: np.ndarray, seeds: Sequence[int]
    ) -> dict[str, np.ndarray]:
        """The function on every row at once, columns reordered to its own order."""
        matrix = np.asarray(rows, dtype=float)[:, [names.index(name) for name in self.names]]
        return {self.outcomes[0]: np.asarray(self.function(matrix), dtype=float).reshape(len(matrix))}
