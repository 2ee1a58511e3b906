"""What the explorer runs: settings in, in-memory results out (library calls only, no model code).

A :class:`Settings` is a scenario plus the analyst's changes: decision
parameters, per-member parameters, and each event's week and magnitude. It
turns into a parameter layer and a scenario spec that ``build_world`` checks
like any other input, is simulated with the vectorized engine, and comes back
as the same tables a results folder holds (:class:`~cohesion.report.data.RunResults`),
so the report's figure builders draw it. The scenario as shipped is simulated
once and kept, so every change costs one ensemble.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from cohesion.engines import simulate
from cohesion.ensemble import EnsembleResult
from cohesion.errors import InputError
from cohesion.params import PARAM_SPECS
from cohesion.report.data import RunResults
from cohesion.results import (
    attribution_frame,
    event_rows,
    member_rows,
    member_timeseries_frame,
    summary_row,
    timeseries_summary_frame,
    write_results,
)
from cohesion.scenarios import ScenarioSpec, load_scenario
from cohesion.world import build_world

#: Parameters with a slider: the decision weights.
SLIDER_PARAMS = tuple(spec for spec in PARAM_SPECS if spec.group == "decision")
#: Runs per update: enough for stable means, fast enough to follow a slider.
EXPLORE_RUNS = 100
DEFAULT_SEED = 20220127
#: The label suffix of the analyst's version of the scenario (its random numbers are the shipped scenario's).
YOURS = "your settings"


@dataclass(frozen=True)
class Settings:
    """A scenario and the analyst's changes to it."""

    scenario: str
    params: tuple[tuple[str, float], ...] = ()
    member_params: tuple[tuple[str, str, float], ...] = ()  # (ISO3, parameter, value)
    events: tuple[tuple[int, float], ...] | None = None  # (week, magnitude) per event; None = as shipped
    runs: int = EXPLORE_RUNS
    seed: int = DEFAULT_SEED

    def layer(self) -> dict[str, Any]:
        """The parameter layer (the content of a ``--params`` file)."""
        layer: dict[str, Any] = dict(self.params)
        members: dict[str, dict[str, float]] = {}
        for code, name, value in self.member_params:
            members.setdefault(code, {})[name] = value
        if members:
            layer["members"] = members
        return layer


def scenario_spec(settings: Settings) -> tuple[ScenarioSpec, str]:
    """The scenario with the analyst's event weeks and magnitudes, checked by the scenario schema."""
    spec, digest = load_scenario(settings.scenario)
    if settings.events is None:
        return spec, digest
    if len(settings.events) != len(spec.events):
        raise InputError(f"{len(settings.events)} event settings for {len(spec.events)} events of {spec.name}")
    data = spec.model_dump()
    for event, (week, magnitude) in zip(data["events"], settings.events):
        event.update(week=int(week), magnitude=float(magnitude))
    changed = ScenarioSpec(**data)
    return changed, hashlib.sha256(scenario_yaml(changed).encode("utf-8")).hexdigest()


def scenario_yaml(spec: ScenarioSpec) -> str:
    """A scenario as the YAML that scenario loading accepts."""
    return yaml.safe_dump(spec.model_dump(exclude_defaults=True), sort_keys=False, allow_unicode=True)


def _ensemble(spec: ScenarioSpec, digest: str, layer: dict[str, Any], runs: int, seed: int, label: str | None) -> EnsembleResult:
    world = build_world(spec, digest, [layer] if layer else [])
    if label is not None:
        world = _relabel(world, label)
    return simulate(world, runs, seed, "vectorized")


def _relabel(world, label: str):  # type: ignore[no-untyped-def]
    from dataclasses import replace

    return replace(world, scenario=world.scenario.model_copy(update={"name": label}))


@lru_cache(maxsize=16)
def _shipped(scenario: str, runs: int, seed: int) -> EnsembleResult:
    spec, digest = load_scenario(scenario)
    return _ensemble(spec, digest, {}, runs, seed, None)


@dataclass
class Session:
    """The last simulated settings: the shipped scenario and the analyst's version, as ensembles and as tables."""

    settings: Settings
    ensembles: list[EnsembleResult] = field(default_factory=list)

    @property
    def label(self) -> str:
        """The scenario label of the analyst's version."""
        return self.ensembles[-1].world.scenario.name

    def results(self) -> RunResults:
        """The ensembles as the tables of a results folder (in memory)."""
        return results_of(self.ensembles, self.settings)

    def export(self, out: Path) -> Path:
        """Write the results folder of the current settings (refuses to replace anything that is not cohesion results)."""
        settings = {"seed": self.settings.seed, "runs": self.settings.runs, "steps": None, "engine": "vectorized",
                    "scenario_arguments": [self.settings.scenario], "explorer_settings": self.settings.layer()}
        return write_results(self.ensembles, Path(out), settings, timeseries="full")


def run_settings(settings: Settings) -> Session:
    """Simulate the analyst's settings beside the scenario as shipped."""
    spec, digest = scenario_spec(settings)
    layer = settings.layer()
    shipped = _shipped(settings.scenario, settings.runs, settings.seed)
    yours = _ensemble(spec, digest, layer, settings.runs, settings.seed, f"{spec.name} [{YOURS}]")
    return Session(settings, [shipped, yours])


def results_of(ensembles: list[EnsembleResult], settings: Settings) -> RunResults:
    """In-memory tables of ensembles, as a results folder would hold them."""
    events = [row for r in ensembles for row in event_rows(r)]
    return RunResults(
        folder=Path("explorer"),
        manifest={"kind": "run", "seed": settings.seed, "runs": settings.runs, "engine": "vectorized",
                  "reference": ensembles[0].world.scenario.name},
        summary=pd.DataFrame([summary_row(r) for r in ensembles]),
        members=pd.DataFrame([row for r in ensembles for row in member_rows(r)]),
        timeseries_summary=pd.concat([timeseries_summary_frame(r) for r in ensembles], ignore_index=True),
        attribution=pd.concat([attribution_frame(r) for r in ensembles], ignore_index=True),
        member_timeseries=pd.concat([member_timeseries_frame(r) for r in ensembles], ignore_index=True),
        events=pd.DataFrame(events) if events else None,
    )


def save_settings(settings: Settings, path: Path, overwrite: bool = False) -> list[Path]:
    """Save the settings as a parameter file (``cohesion run SCENARIO --params PATH``) and, when events were
    changed, the changed scenario beside it (``<stem>-scenario.yaml``). Returns the files written.

    Raises:
        InputError: A file exists and ``overwrite`` is false.
    """
    path = Path(path)
    files = {path: yaml.safe_dump(settings.layer() or {}, sort_keys=False)}
    if settings.events is not None:
        spec, _ = scenario_spec(settings)
        files[path.with_name(f"{path.stem}-scenario.yaml")] = scenario_yaml(spec)
    existing = [p for p in files if p.exists()]
    if existing and not overwrite:
        raise InputError(f"{existing[0]} exists; choose another name or overwrite")
    path.parent.mkdir(parents=True, exist_ok=True)
    for target, text in files.items():
        tmp = target.with_name(f".{target.name}.partial")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)
    return list(files)
