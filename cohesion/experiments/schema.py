"""Experiment files: one strict schema, checked in full before anything runs.

An experiment file is YAML validated by ``ExperimentSpec`` (unknown keys are
errors), then checked against the model: parameter names and ranges against
the parameter table, scenarios by loading them, outcomes against the scores
the model records. docs/experiments.md describes every key.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cohesion.constants import RUN_METRICS
from cohesion.errors import InputError, validation_message
from cohesion.inputs import load_members
from cohesion.limits import check_steps
from cohesion.params import (
    MEMBER_PARAM_NAMES,
    SPECS_BY_NAME,
    ParamSpec,
    build_parameters,
)
from cohesion.scenarios import expand_scenario_names, load_scenario
from cohesion.yamlfiles import parse_yaml

#: Unknown keys and values of the wrong type (true or "2" for a number) are errors.
_STRICT = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)

#: Prefix of the per-member alignment outcomes (``alignment_DEU``).
ALIGNMENT_PREFIX = "alignment_"


class VariedParameter(BaseModel):
    """One parameter the design varies: a range (``low``/``high``) or grid ``values``."""

    model_config = _STRICT
    name: str = Field(description="A global parameter or ISO3.name for a per-member one")
    low: float | None = None
    high: float | None = None
    values: list[float] | None = None


class GridDesign(BaseModel):
    """Full factorial grid: ``points`` evenly spaced levels per ranged parameter."""

    model_config = _STRICT
    type: Literal["grid"]
    points: int = Field(default=5, ge=2, description="Levels per ranged parameter (values lists keep their own)")


class LhsDesign(BaseModel):
    """Latin hypercube sample of ``samples`` points (scipy.stats.qmc)."""

    model_config = _STRICT
    type: Literal["lhs"]
    samples: int = Field(ge=2)


class SobolDesign(BaseModel):
    """Saltelli sample for Sobol indices: N (D + 2) points, N (2D + 2) with second order."""

    model_config = _STRICT
    type: Literal["sobol"]
    samples: int = Field(ge=2, description="N, a power of 2")
    second_order: bool = False


class MorrisDesign(BaseModel):
    """Morris elementary-effects trajectories: ``trajectories`` (D + 1) points."""

    model_config = _STRICT
    type: Literal["morris"]
    trajectories: int = Field(ge=2)
    levels: int = Field(default=4, ge=2, description="Grid levels per parameter (even)")


Design = Annotated[Union[GridDesign, LhsDesign, SobolDesign, MorrisDesign], Field(discriminator="type")]
#: The field of each design that sets its size (what ``--samples`` overrides).
SIZE_FIELD = {"grid": "points", "lhs": "samples", "sobol": "samples", "morris": "trajectories"}


class ExperimentSpec(BaseModel):
    """An experiment: scenarios x design points x replicates, and what to record."""

    model_config = _STRICT
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    description: str
    scenarios: list[str] = Field(min_length=1, description="Scenario names, paths, or 'all'")
    parameters: list[VariedParameter] = Field(default_factory=list)
    design: Design = Field(default_factory=lambda: GridDesign(type="grid"))
    replicates: int = Field(default=1, ge=1)
    steps: int | None = Field(default=None, description="Horizon in weeks; each scenario's own when omitted")
    outcomes: list[str] = Field(default_factory=lambda: list(RUN_METRICS), min_length=1)
    fixed: dict[str, Any] = Field(
        default_factory=dict, description="Parameter values held fixed (like a --params file)"
    )
    seed: int = Field(default=20220127, ge=0)
    drivers: Literal["measured", "legacy"] = Field(default="measured", description="Structural drivers (docs/model.md 3.2)")
    driver_uncertainty: bool = Field(
        default=False,
        description="Draw each replicate's drivers from the measured posterior (replicate r of every point takes the "
        "same draw); off by default, so that an index measures the parameters at the point drivers",
    )


@dataclass(frozen=True)
class ExperimentFile:
    """A checked experiment with the text it was read from."""

    spec: ExperimentSpec
    text: str
    path: Path | None

    @property
    def sha256(self) -> str:
        """SHA-256 of the experiment's text."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def read_yaml_mapping(path: Path, what: str) -> tuple[dict[str, Any], str]:
    """Read a YAML file that must hold a mapping; returns the mapping and the text."""
    if not path.is_file():
        raise InputError(f"{what} not found: {path}")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    data = parse_yaml(text, path)
    if not isinstance(data, dict):
        raise InputError(f"{path}: {what} must be a mapping")
    return data, text


def canonical_name(name: str) -> str:
    """A parameter name with its member code upper-cased (``deu.energy_weight`` is ``DEU.energy_weight``)."""
    code, dot, base = name.rpartition(".")
    return f"{code.upper()}{dot}{base}"


def fixed_parameter_names(fixed: dict[str, Any]) -> set[str]:
    """Canonical names of the values a ``fixed`` layer sets: flat keys and ``members`` entries alike."""
    members = fixed.get("members") or {}
    return {canonical_name(k) for k in fixed if k != "members"} | {
        canonical_name(f"{code}.{name}") for code, values in members.items() for name in values
    }


def parameter_spec(name: str) -> ParamSpec:
    """The spec of a global name or of ``ISO3.name`` (a per-member parameter; the code in any case)."""
    code, _, base = canonical_name(name).rpartition(".")
    spec = SPECS_BY_NAME.get(base)
    if spec is None:
        raise InputError(f"unknown parameter {base!r} (see 'cohesion params')")
    if code:
        if code not in load_members().codes:
            raise InputError(f"unknown member code {code!r} in parameter {name!r}")
        if base not in MEMBER_PARAM_NAMES:
            raise InputError(
                f"parameter {base!r} cannot be set per member (per-member: {', '.join(MEMBER_PARAM_NAMES)})"
            )
    return spec


def check_range(name: str, low: float | None, high: float | None) -> tuple[float, float]:
    """Bounds of a parameter: given ones checked against its spec, else the spec's own."""
    spec = parameter_spec(name)
    low = spec.low if low is None else low
    high = spec.high if high is None else high
    if not low < high:
        raise InputError(f"parameter {name}: empty range, low ({low:g}) must be below high ({high:g})")
    if low < spec.low or high > spec.high:
        raise InputError(
            f"parameter {name}: range [{low:g}, {high:g}] outside the allowed [{spec.low:g}, {spec.high:g}]"
        )
    return low, high


def _check_parameter(param: VariedParameter, design: str) -> None:
    spec = parameter_spec(param.name)
    where = f"parameter {param.name}"
    if param.values is not None:
        if param.low is not None or param.high is not None:
            raise InputError(f"{where}: give either low/high or values, not both")
        if design != "grid":
            raise InputError(f"{where}: a {design} design samples a range; give low and high, not values")
        if not param.values:
            raise InputError(f"{where}: values must not be empty")
        if len(set(param.values)) != len(param.values):
            raise InputError(f"{where}: values repeat")
        for value in param.values:
            if not spec.low <= value <= spec.high:
                raise InputError(f"{where}: value {value:g} outside the allowed [{spec.low:g}, {spec.high:g}]")
        return
    if param.low is None or param.high is None:
        raise InputError(f"{where}: give low and high (or values, for a grid)")
    check_range(param.name, param.low, param.high)


def check_outcomes(outcomes: list[str]) -> None:
    """Outcomes must be recorded scores or ``alignment_<ISO3>`` of a member."""
    codes = load_members().codes
    for name in outcomes:
        member = name[len(ALIGNMENT_PREFIX) :] if name.startswith(ALIGNMENT_PREFIX) else None
        if name not in RUN_METRICS and member not in codes:
            raise InputError(f"unknown outcome {name!r} (known: {', '.join(RUN_METRICS)}, alignment_<ISO3>)")
    if len(set(outcomes)) != len(outcomes):
        raise InputError("outcomes repeat")


def check_design(design: Design, n_parameters: int) -> None:
    """Rules a design's own schema cannot express: Sobol N a power of 2, even Morris levels."""
    if design.type != "grid" and not n_parameters:
        raise InputError(f"a {design.type} design needs at least one parameter to vary")
    if isinstance(design, SobolDesign) and design.samples & (design.samples - 1):
        raise InputError(f"design.samples must be a power of 2 for a Sobol design, got {design.samples}")
    if isinstance(design, MorrisDesign) and design.levels % 2:
        raise InputError(f"design.levels must be even for a Morris design, got {design.levels}")


def resize_design(design: Design, size: int, n_parameters: int) -> Design:
    """The same design with another size (grid points, samples or trajectories)."""
    try:
        resized = type(design)(**{**design.model_dump(), SIZE_FIELD[design.type]: size})
    except ValidationError as exc:
        raise InputError(f"--samples {size}: {validation_message(exc)}") from None
    check_design(resized, n_parameters)
    return resized


def check_experiment(spec: ExperimentSpec) -> None:
    """Check an experiment against the model: parameters, scenarios, outcomes, fixed values."""
    check_steps(spec.steps, "steps")
    design = spec.design.type
    names = [canonical_name(p.name) for p in spec.parameters]
    if len(set(names)) != len(names):
        raise InputError("a parameter is listed twice")
    for param in spec.parameters:
        _check_parameter(param, design)
    check_design(spec.design, len(spec.parameters))
    check_outcomes(spec.outcomes)
    codes = load_members().codes
    build_parameters([spec.fixed], codes)
    clash = sorted(fixed_parameter_names(spec.fixed) & set(names))
    if clash:
        raise InputError(f"parameter {clash[0]} is both varied and fixed")
    for name in expand_scenario_names(spec.scenarios):
        load_scenario(name)


def parse_experiment(data: dict[str, Any], text: str, path: Path | None = None) -> ExperimentFile:
    """Validate an experiment mapping (schema, then model checks)."""
    label = path.name if path is not None else str(data.get("name", "experiment"))
    try:
        spec = ExperimentSpec(**data)
    except ValidationError as exc:
        hint = " (a calibration file? run it with 'cohesion calibrate --config')" if "scenario" in data else ""
        raise InputError(f"invalid experiment {label}: {validation_message(exc)}{hint}") from None
    try:
        check_experiment(spec)
    except InputError as exc:
        raise InputError(f"invalid experiment {label}: {exc}") from None
    return ExperimentFile(spec, text, path)


def load_experiment(path: str | Path) -> ExperimentFile:
    """Read and check an experiment file."""
    path = Path(path)
    data, text = read_yaml_mapping(path, "experiment file")
    return parse_experiment(data, text, path)
