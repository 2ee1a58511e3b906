"""A plan: an experiment resolved into a design matrix, seeds and chunks of work.

Everything that can be wrong with an experiment is found here, before a
folder is created or a run starts: every design point is validated as a
parameter set in every scenario, and every scenario is built once at the
requested horizon.

Seeds depend only on (experiment seed, scenario, point), never on execution
order, chunking or worker count: ``SeedSequence(seed, spawn_key=(scenario,
point))`` gives the point's seed, and replicate ``r`` is run ``r`` of it.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pandas as pd
import yaml

from cohesion.errors import InputError
from cohesion.experiments.design import Factor, design_points, sample
from cohesion.experiments.evaluators import Evaluator, FunctionEvaluator, ModelEvaluator
from cohesion.experiments.schema import Design, ExperimentFile, resize_design
from cohesion.inputs import load_members
from cohesion.limits import check_experiment_size
from cohesion.params import build_parameters
from cohesion.scenarios import expand_scenario_names, load_scenario
from cohesion.seeding import scenario_key
from cohesion.world import build_world

#: Identifier columns of points.parquet besides the parameters and outcomes.
POINT_ID_COLUMNS = ("point", "replicate", "seed", "scenario")
#: A design is cut into about this many chunks per scenario (one part file each).
CHUNKS_PER_SCENARIO = 64


def design_seed(seed: int, scenario: str) -> int:
    """The seed of every design point of one scenario (63 bits, fits an int64 column).

    All points share it (common random numbers): replicate ``r`` of every point draws the same
    noise and events, so the differences between points are the parameters' alone and a
    sensitivity index does not book run-to-run noise as an effect (a parameter that cannot act
    gets an index of exactly 0).
    """
    sequence = np.random.SeedSequence(entropy=seed, spawn_key=(scenario_key(scenario),))
    return int(sequence.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


@dataclass(frozen=True)
class Chunk:
    """Consecutive design points ``first .. stop - 1`` of one scenario."""

    scenario: str
    first: int
    stop: int

    @property
    def size(self) -> int:
        """Number of design points."""
        return self.stop - self.first


@dataclass(frozen=True)
class ChunkTask:
    """What a worker needs to evaluate one chunk (small and picklable)."""

    scenario: str
    first: int
    names: tuple[str, ...]
    rows: np.ndarray  # (points, factors)
    seeds: tuple[int, ...]


@dataclass(frozen=True)
class Plan:
    """A checked experiment, ready to execute.

    Attributes:
        name: Experiment name.
        text: The experiment as written (file text or generated YAML); its
            SHA-256 identifies the experiment when resuming.
        design: The design (after any size override).
        factors: Varied inputs, in column order.
        matrix: Design points (points, factors).
        scenarios: Scenario names, in the experiment's order.
        seed: Experiment seed.
        evaluator: What runs at each point.
        provenance: Further manifest fields (scenario hashes, fixed values, horizon).
    """

    name: str
    text: str
    design: Design
    factors: tuple[Factor, ...]
    matrix: np.ndarray
    scenarios: tuple[str, ...]
    seed: int
    evaluator: Evaluator
    provenance: dict[str, Any] = field(default_factory=dict)

    @property
    def sha256(self) -> str:
        """SHA-256 of the experiment text."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def names(self) -> tuple[str, ...]:
        """Factor names (the parameter columns of points.parquet)."""
        return tuple(f.name for f in self.factors)

    @property
    def outcomes(self) -> tuple[str, ...]:
        """Outcome names (the outcome columns of points.parquet)."""
        return self.evaluator.outcomes

    @property
    def replicates(self) -> int:
        """Replicates per design point."""
        return self.evaluator.replicates

    @property
    def n_points(self) -> int:
        """Design points per scenario."""
        return self.matrix.shape[0]

    @property
    def chunk_points(self) -> int:
        """Design points per chunk: fixed by the design size, not by the executor."""
        return max(1, math.ceil(self.n_points / CHUNKS_PER_SCENARIO))

    def chunks(self) -> list[Chunk]:
        """Every chunk of the experiment, scenario by scenario."""
        step = self.chunk_points
        return [
            Chunk(scenario, first, min(first + step, self.n_points))
            for scenario in self.scenarios
            for first in range(0, self.n_points, step)
        ]

    def task(self, chunk: Chunk) -> ChunkTask:
        """The worker's view of a chunk: its rows of the design and their seeds."""
        return ChunkTask(
            scenario=chunk.scenario,
            first=chunk.first,
            names=self.names,
            rows=self.matrix[chunk.first : chunk.stop],
            seeds=(design_seed(self.seed, chunk.scenario),) * chunk.size,
        )


def evaluate_chunk(evaluator: Evaluator, task: ChunkTask) -> pd.DataFrame:
    """Evaluate every point of a chunk: one row per point and replicate."""
    reps = evaluator.replicates
    n = len(task.seeds)
    outcomes = evaluator.evaluate_points(task.scenario, task.names, task.rows, task.seeds)
    columns: dict[str, Any] = {
        "point": np.repeat(np.arange(task.first, task.first + n, dtype=np.int64), reps),
        "replicate": np.tile(np.arange(reps, dtype=np.int64), n),
        "seed": np.repeat(np.array(task.seeds, dtype=np.int64), reps),
        "scenario": [task.scenario] * (n * reps),
    }
    for j, name in enumerate(task.names):
        columns[name] = np.repeat(task.rows[:, j].astype(float), reps)
    for name in evaluator.outcomes:
        columns[name] = np.asarray(outcomes[name], dtype=float)
    return pd.DataFrame(columns)


def _check_points(
    experiment: ExperimentFile, matrix: np.ndarray, names: tuple[str, ...], scenario_params: list[dict[str, Any]]
) -> None:
    codes = load_members().codes
    fixed = experiment.spec.fixed
    for params in {repr(p): p for p in scenario_params}.values():
        for point, row in enumerate(matrix):
            values = dict(zip(names, map(float, row)))
            try:
                build_parameters([params, fixed, values], codes)
            except InputError as exc:
                shown = ", ".join(f"{k}={v:.4g}" for k, v in values.items())
                reason = str(exc).split("Value error, ")[-1]
                raise InputError(f"design point {point} ({shown}) is not a valid parameter set: {reason}") from None


def plan_experiment(experiment: ExperimentFile, samples: int | None = None, workers: int = 1) -> Plan:
    """Resolve a checked experiment into a plan of the model.

    Args:
        experiment: A loaded, checked experiment file.
        samples: Override of the design size (grid points per axis, LHS or
            Sobol samples, Morris trajectories); None keeps the file's.
        workers: Processes that will each simulate one point at a time (for the memory estimate).

    Raises:
        InputError: When a design point is not a valid parameter set (e.g.
            peer_weight + anchor_weight > 1) or a scenario's events fall
            beyond the horizon.
    """
    try:
        return _plan(experiment, samples, workers)
    except InputError as exc:
        label = experiment.path.name if experiment.path is not None else experiment.spec.name
        raise InputError(f"invalid experiment {label}: {exc}") from None


def function_plan(
    name: str, function: Callable[[np.ndarray], np.ndarray], factors: tuple[Factor, ...], design: Design, seed: int
) -> Plan:
    """A plan that evaluates a plain function (e.g. a test function with known indices).

    The function goes through the same sampling, execution, storage and
    analysis as the model; its one "scenario" is called ``function``.
    """
    text = yaml.safe_dump(
        {
            "name": name,
            "function": f"{function.__module__}.{function.__qualname__}",
            "parameters": [{"name": f.name, "low": f.low, "high": f.high} for f in factors],
            "design": design.model_dump(),
            "seed": seed,
        },
        sort_keys=False,
    )
    evaluator = FunctionEvaluator(function, tuple(f.name for f in factors))
    return Plan(name, text, design, factors, sample(design, factors, seed), ("function",), seed, evaluator)


def _plan(experiment: ExperimentFile, samples: int | None, workers: int) -> Plan:
    spec = experiment.spec
    design = spec.design if samples is None else resize_design(spec.design, samples, len(spec.parameters))
    factors = tuple(
        Factor(p.name, p.low, p.high, None if p.values is None else tuple(p.values)) for p in spec.parameters
    )
    loaded = {}
    for name in expand_scenario_names(spec.scenarios):
        scenario, digest = load_scenario(name)
        if scenario.name in loaded:
            raise InputError(f"scenario {scenario.name!r} is listed twice")
        loaded[scenario.name] = (scenario, digest)
    weeks = max(spec.steps or s.weeks for s, _ in loaded.values())
    columns = len(POINT_ID_COLUMNS) + len(factors) + len(spec.outcomes)
    check_experiment_size(design_points(design, factors), len(loaded), spec.replicates, columns, weeks, workers)
    matrix = sample(design, factors, spec.seed)
    names = tuple(f.name for f in factors)
    _check_points(experiment, matrix, names, [s.params for s, _ in loaded.values()])
    worlds = [
        build_world(s, d, [spec.fixed, dict(zip(names, matrix[0]))], horizon=spec.steps, driver_source=spec.drivers)
        for s, d in loaded.values()
    ]
    evaluator = ModelEvaluator(
        loaded, spec.fixed, spec.steps, spec.replicates, tuple(spec.outcomes),
        drivers=spec.drivers, driver_uncertainty=spec.driver_uncertainty,
    )
    provenance = {
        "description": spec.description,
        "steps": spec.steps,
        "fixed": spec.fixed,
        "scenario_files": [{"name": w.scenario.name, "sha256": w.scenario_hash, "weeks": w.horizon} for w in worlds],
    }
    return Plan(spec.name, experiment.text, design, factors, matrix, tuple(loaded), spec.seed, evaluator, provenance)
