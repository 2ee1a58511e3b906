"""Running scenarios: validate everything first, then simulate, then write.

This is the library entry point behind ``cohesion run``; the command line only
parses options and prints.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Mapping

from cohesion.engines import ENGINES, simulate
from cohesion.ensemble import EnsembleResult
from cohesion.errors import InputError
from cohesion.limits import check_run_size, check_seed, check_steps
from cohesion.outputs import claimed_output
from cohesion.results import write_results
from cohesion.scenarios import expand_scenario_names, load_scenario
from cohesion.world import World, build_world


@dataclass
class RunRequest:
    """What to run: scenarios, replicates, horizon, seed, parameter layers, engine, drivers."""

    scenarios: list[str]
    runs: int = 200
    steps: int | None = None
    seed: int = 20220127
    param_layers: list[Mapping[str, Any]] = field(default_factory=list)
    engine: str | None = None  # None: vectorized for more than one run, else mesa
    #: What the overrides in ``param_layers`` are called in scenario labels, e.g. ``energy_weight=0.5``.
    overrides: str = ""
    #: Extra runs of a scenario with their own overrides, side by side with the plain one: (scenario, layer, label text).
    variants: list[tuple[str, Mapping[str, Any], str]] = field(default_factory=list)
    uncertainty: str = "noise"  # noise, parameters or all (cohesion.validation.uncertainty.UNCERTAINTY_KINDS)
    workers: int | None = None  # None: every core when the vectorized engine has more than one chunk of runs
    drivers: str = "measured"  # or "legacy" (the hand-weighted proxies)
    driver_uncertainty: bool = True  # each run draws its drivers from the measured posterior

    def resolved_engine(self) -> str:
        """The engine to use: explicit, or vectorized whenever more than one run is asked for."""
        if self.engine is None:
            return "vectorized" if self.runs > 1 else "mesa"
        if self.engine not in ENGINES:
            raise InputError(f"unknown engine {self.engine!r} (known: {', '.join(ENGINES)})")
        return self.engine

    def resolved_workers(self, scenarios: int) -> int:
        """Processes that simulate chunks of runs: explicit, or every core when there is more than one chunk."""
        if self.workers is not None:
            if self.workers < 1:
                raise InputError(f"--workers must be at least 1, got {self.workers}")
            if self.workers > 1 and self.resolved_engine() != "vectorized":
                raise InputError("--workers applies to the vectorized engine only")
            return self.workers
        if self.resolved_engine() != "vectorized":
            return 1
        from cohesion.engines.vectorized import CHUNK_RUNS
        from cohesion.parallel import available_cores

        return available_cores() if scenarios * self.runs > CHUNK_RUNS else 1


def prepare(request: RunRequest) -> list[World]:
    """Load, merge and validate every scenario before anything runs."""
    if request.runs < 1:
        raise InputError(f"--runs must be a positive number of replicates, got {request.runs}")
    check_steps(request.steps)
    check_seed(request.seed)
    request.resolved_engine()
    if request.uncertainty not in ("noise", "parameters", "all"):
        raise InputError(f"--uncertainty must be noise, parameters or all, got {request.uncertainty!r}")
    request.resolved_workers(1)
    worlds = []
    for argument, layers, overrides in _requested(request):
        spec, digest = load_scenario(argument)
        world = build_world(
            spec, digest, layers, horizon=request.steps,
            driver_source=request.drivers, driver_uncertainty=request.driver_uncertainty,
        )
        worlds.append((argument, world, overrides))
    labelled = _labelled(worlds)
    check_run_size(request.runs, [w.horizon for w in labelled])
    return labelled


def _requested(request: RunRequest) -> list[tuple[str, list[Mapping[str, Any]], str]]:
    """(scenario argument, parameter layers, override text) of each world ``prepare`` builds, in its order.

    The plain scenarios come first, then the variants, each with its own layer after the request's.
    """
    plain = [(name, list(request.param_layers), request.overrides) for name in expand_scenario_names(request.scenarios)]
    return plain + [
        (name, [*request.param_layers, layer], ", ".join(t for t in (request.overrides, text) if t))
        for name, layer, text in request.variants
    ]


def _labelled(worlds: list[tuple[str, World, str]]) -> list[World]:
    """Worlds whose scenario names are unique labels.

    A scenario read from a file keeps its ``name:`` unless another scenario
    has it, then it is called by its file stem; overrides are appended in
    brackets (``baseline [energy_weight=0.5]``).
    """
    counts = Counter(world.scenario.name for _, world, _ in worlds)
    labelled = []
    for argument, world, overrides in worlds:
        name = world.scenario.name
        if counts[name] > 1 and Path(argument).suffix in (".yaml", ".yml"):
            name = Path(argument).stem
        label = f"{name} [{overrides}]" if overrides else name
        labelled.append(replace(world, scenario=world.scenario.model_copy(update={"name": label})) if label != world.scenario.name
                        else world)
    names = [w.scenario.name for w in labelled]
    if len(set(names)) != len(names):
        twice = sorted(n for n, c in Counter(names).items() if c > 1)
        raise InputError(f"two scenarios would share the label {twice[0]!r}; give one file a different name or stem")
    return labelled


def override_text(values: Mapping[str, Any], params_file: Path | None = None) -> str:
    """Overrides as they appear in scenario labels: ``params=calibrated.yaml, energy_weight=0.5``."""
    parts = [f"params={Path(params_file).name}"] if params_file is not None else []
    parts += [f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in values.items()]
    return ", ".join(parts)


def run(
    request: RunRequest,
    out: Path | None = None,
    progress: Callable[[int], None] | None = None,
    timeseries: str = "auto",
    worlds: list[World] | None = None,
) -> list[EnsembleResult]:
    """Validate, simulate every scenario, and write the results folder if ``out`` is given.

    ``worlds`` may pass the result of ``prepare(request)`` when the caller already has it (the same
    worlds in the same order: runs with parameter uncertainty rebuild each from its request layers).
    """
    worlds = prepare(request) if worlds is None else worlds
    engine = request.resolved_engine()
    workers = request.resolved_workers(len(worlds))

    def simulate_all() -> list[EnsembleResult]:
        if request.uncertainty != "noise":
            from cohesion.validation.uncertainty import simulate_parameter_uncertainty

            # each world is rebuilt per run with drawn parameters below its own layers (a variant's override included)
            layers = [layers for _, layers, _ in _requested(request)]
            return [
                simulate_parameter_uncertainty(
                    world, world_layers, request.runs, request.seed, request.uncertainty, engine, progress
                )
                for world, world_layers in zip(worlds, layers, strict=True)
            ]
        if workers > 1:
            from cohesion.engines.vectorized import simulate_ensembles

            return simulate_ensembles(worlds, request.runs, request.seed, progress, workers)
        return [simulate(world, request.runs, request.seed, engine, progress=progress) for world in worlds]

    if out is None:
        return simulate_all()
    with claimed_output(Path(out), "run") as target:  # checked and locked before the first run
        results = simulate_all()
        settings = {
            "seed": request.seed,
            "runs": request.runs,
            "steps": request.steps,
            "engine": engine,
            "drivers": request.drivers,
            # --uncertainty parameters simulates every run on the point drivers
            "driver_uncertainty": any(w.driver_draws is not None for w in worlds) and request.uncertainty != "parameters",
            "scenario_arguments": request.scenarios,
            "uncertainty": request.uncertainty,
        }
        write_results(results, target, settings, timeseries=timeseries)
    return results
