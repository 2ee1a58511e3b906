"""What is evaluated at a design point: the model, or any plain function.

An evaluator is a picklable callable ``(scenario, values, seed) -> {outcome:
array of one value per replicate}``. The experiment machinery (design,
execution, storage, sensitivity) only ever calls this, so a test function
with known Sobol indices goes through exactly the same path as the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Protocol

import numpy as np

from cohesion.constants import RUN_METRICS
from cohesion.engines import simulate
from cohesion.experiments.schema import ALIGNMENT_PREFIX
from cohesion.scenarios import ScenarioSpec
from cohesion.world import build_world


class Evaluator(Protocol):
    """Outcomes of one design point: one value per replicate for each outcome."""

    outcomes: tuple[str, ...]
    replicates: int

    def __call__(self, scenario: str, values: Mapping[str, float], seed: int) -> dict[str, np.ndarray]: ...


@dataclass(frozen=True)
class ModelEvaluator:
    """Simulate a scenario at a design point with the vectorized engine.

    Replicate ``r`` of a point is run ``r`` of ``simulate(world, replicates,
    seed)``; outcomes are read at the horizon (week ``steps``).

    Attributes:
        scenarios: Scenario name -> (validated spec, SHA-256 of its file).
        fixed: Parameter layer applied before the point's values.
        steps: Horizon in weeks (None: the scenario's own).
        replicates: Runs per point.
        outcomes: Scores (``RUN_METRICS``) and ``alignment_<ISO3>`` names.
        drivers: ``measured`` or ``legacy`` structural drivers.
        driver_uncertainty: Whether each replicate draws its measured drivers.
    """

    scenarios: Mapping[str, tuple[ScenarioSpec, str]]
    fixed: Mapping[str, Any]
    steps: int | None
    replicates: int
    outcomes: tuple[str, ...]
    drivers: str = "measured"
    driver_uncertainty: bool = False

    def __call__(self, scenario: str, values: Mapping[str, float], seed: int) -> dict[str, np.ndarray]:
        spec, digest = self.scenarios[scenario]
        world = build_world(
            spec, digest, [self.fixed, dict(values)], horizon=self.steps,
            drivers=self.drivers, driver_uncertainty=self.driver_uncertainty,
        )
        result = simulate(world, self.replicates, seed, engine="vectorized")
        alignment = result.horizon_alignment() if any(o.startswith(ALIGNMENT_PREFIX) for o in self.outcomes) else None
        out = {}
        for name in self.outcomes:
            if name in RUN_METRICS:
                out[name] = result.metric(name)[:, -1]
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
