"""Calibration: fit agent parameters so the model reproduces observed stances.

What is compared (docs/experiments.md, "Calibration"):

- observed: the ``member_stance`` rows of a positions table (the shipped
  one by default), one observation per member x issue cell: the weighted
  mean of the cell's rows (weights as in ``positions.csv``, one government,
  one vote; docs/positions.md), so a member quoted three times counts once;
- modelled: that member's mean stance on that issue over weeks 1..``steps``
  and over ``replicates`` runs, in a world whose initial stances are NOT
  taken from the observations: the world is built with the article's other
  rows only (EU line, environment), so every member starts from its
  driver-based week-0 target; with ``position_persistence`` 1 it holds it
  against its peers and only events move it (with 0, peers and anchor too).
  Comparing the article to week-0 stances of the ordinary world would be
  circular, since those are set from the article.

The loss is the mean squared error over cells (equivalently, each row's
error counts with its weight once its cell is aggregated); ``scipy.optimize.
least_squares`` minimises it within the parameters' bounds from several
starts. The random streams use one fixed seed for every evaluation, so the
loss is a deterministic function of the parameters. Identifiability is read
from the Jacobian at the optimum: singular values, linearised standard
errors and correlations.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Callable, Literal, Mapping

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cohesion.constants import ISSUES
from cohesion.engines import simulate
from cohesion.errors import InputError, validation_message
from cohesion.experiments.schema import canonical_name, check_range, fixed_parameter_names, read_yaml_mapping
from cohesion.inputs import Position, load_members, load_positions, read_positions, stance_table
from cohesion.limits import check_steps
from cohesion.params import (
    SPECS_BY_NAME,
    Parameters,
    build_parameters,
    write_params_file,
)
from cohesion.scenarios import load_scenario
from cohesion.world import World, build_world

_STRICT = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)
#: Text every parameter file written by calibration carries (an existing file with it may be replaced).
PARAMS_MARKER = "'cohesion calibrate'"
#: Finite-difference step in unit coordinates (a thousandth of each parameter's range).
DIFF_STEP = 1e-3
#: z of a two-sided 95% interval.
Z95 = 1.959963984540054
#: A parameter counts as identified when its 95% interval spans less than this share of its allowed range.
IDENTIFIED_SHARE = 0.5
#: Singular values below this share of the largest mark directions the data do not pin down.
WEAK_DIRECTION = 0.01


class FittedParameter(BaseModel):
    """A parameter to fit, with optional bounds (default: its allowed range)."""

    model_config = _STRICT
    name: str
    low: float | None = None
    high: float | None = None


class CalibrationSpec(BaseModel):
    """A calibration: what to fit, against which observations, in which world."""

    model_config = _STRICT
    name: str = Field(default="calibration", pattern=r"^[a-z0-9][a-z0-9_-]*$")
    description: str = "Fit the decision parameters to the stances reported in the article of 27 January 2022"
    scenario: str = "baseline"
    target: str | None = Field(default=None, description="Positions CSV; None for the article's positions")
    steps: int = Field(default=4, ge=1, description="The modelled stance is the mean over weeks 1..steps")
    replicates: int = Field(default=10, ge=1)
    seed: int = Field(default=20220127, ge=0)
    parameters: list[FittedParameter] = Field(
        default_factory=lambda: [
            FittedParameter(name=name)
            for name in ("energy_weight", "threat_weight", "leadership_weight", "baseline_stance")
        ],
        min_length=1,
    )
    fixed: dict[str, Any] = Field(default_factory=dict)
    starts: int = Field(default=4, ge=1, description="Optimizer starts: the defaults, then Latin hypercube points")
    drivers: Literal["measured", "legacy"] = Field(default="measured", description="Structural drivers (docs/model.md 3.2)")
    driver_uncertainty: bool = Field(
        default=False, description="Draw each run's drivers from the measured posterior (off: point drivers, a smoother loss)"
    )


def calibration_spec(data: dict[str, Any]) -> CalibrationSpec:
    """Validate a calibration mapping."""
    try:
        spec = CalibrationSpec(**data)
    except ValidationError as exc:
        hint = " (an experiment file? run it with 'cohesion experiment')" if "scenarios" in data else ""
        raise InputError(f"invalid calibration: {validation_message(exc)}{hint}") from None
    check_steps(spec.steps)
    return spec


def load_calibration(path: str | Path) -> dict[str, Any]:
    """Read a calibration file as a mapping (validated once CLI overrides are merged)."""
    data, _ = read_yaml_mapping(Path(path), "calibration file")
    return data


@dataclass(frozen=True)
class Observations:
    """Observed stances: one per member x issue cell with ``member_stance`` rows, weighted by row."""

    ids: tuple[str, ...]
    members: tuple[str, ...]
    issues: tuple[str, ...]
    observed: np.ndarray
    member_index: np.ndarray
    issue_index: np.ndarray
    rows: np.ndarray

    @classmethod
    def from_positions(cls, positions: tuple[Position, ...], codes: tuple[str, ...]) -> "Observations":
        """Member-stance rows of members in ``codes``, aggregated to cells by weight (``stance_table``).

        Cells are in member order, then issue order; ``ids`` joins a cell's row ids with ``;``.
        """
        rows = [p for p in positions if p.use == "member_stance" and p.speaks_for in codes]
        table = stance_table(tuple(rows), codes)
        cells = np.argwhere(~np.isnan(table))
        if not len(cells):
            raise InputError("the target positions hold no member_stance rows with weight to fit")
        ids = {(i, k): [p.id for p in rows if p.speaks_for == codes[i] and p.issue == ISSUES[k]] for i, k in map(tuple, cells)}
        return cls(
            ids=tuple(";".join(ids[i, k]) for i, k in map(tuple, cells)),
            members=tuple(codes[i] for i in cells[:, 0]),
            issues=tuple(ISSUES[k] for k in cells[:, 1]),
            observed=table[cells[:, 0], cells[:, 1]],
            member_index=cells[:, 0],
            issue_index=cells[:, 1],
            rows=np.array([len(ids[i, k]) for i, k in map(tuple, cells)]),
        )

    def subset(self, rows: np.ndarray) -> "Observations":
        """The observations at positions ``rows`` (e.g. a cross-validation fold)."""
        rows = np.asarray(rows)
        picked = {
            f.name: (tuple(np.asarray(value, dtype=object)[rows]) if isinstance(value, tuple) else value[rows])
            for f in fields(self)
            for value in [getattr(self, f.name)]
        }
        return type(self)(**picked)


class StanceModel:
    """The modelled stances as a function of the fitted parameters."""

    def __init__(self, spec: CalibrationSpec):
        self.spec = spec
        self.scenario, self.scenario_hash = load_scenario(spec.scenario)
        # The article's other rows (EU line, environment) still set the scene.
        self.context = tuple(p for p in load_positions() if p.use != "member_stance")
        self.names = tuple(p.name for p in spec.parameters)

    def parameters(self, values: np.ndarray) -> Parameters:
        """The full parameter set at fitted ``values``."""
        return build_parameters(
            [self.scenario.params, self.spec.fixed, dict(zip(self.names, map(float, values)))], load_members().codes
        )

    def world(self, values: np.ndarray) -> World:
        """The world the stances are modelled in, at fitted ``values``.

        It runs at least to the scenario's last event, so short windows work in any
        scenario; events after week ``steps`` cannot change weeks 1..steps.
        """
        layers = [self.spec.fixed, dict(zip(self.names, map(float, values)))]
        horizon = max([self.spec.steps, *(event.week for event in self.scenario.events)])
        return build_world(
            self.scenario, self.scenario_hash, layers, horizon=horizon, positions=self.context,
            driver_source=self.spec.drivers, driver_uncertainty=self.spec.driver_uncertainty,
        )

    def stances(self, values: np.ndarray) -> np.ndarray:
        """Mean stance (members, issues) over weeks 1..steps and over runs."""
        result = simulate(self.world(values), self.spec.replicates, self.spec.seed, engine="vectorized")
        return result.stance_mean[1 : self.spec.steps + 1].mean(axis=0)


@dataclass
class CalibrationResult:
    """A finished fit."""

    spec: CalibrationSpec
    observations: Observations
    modelled: np.ndarray
    estimates: dict[str, float]
    params: Parameters
    identifiability: pd.DataFrame
    singular_values: np.ndarray
    start_losses: list[float]
    evaluations: int
    scenario_hash: str

    @property
    def errors(self) -> np.ndarray:
        """Modelled minus observed, per observation."""
        return self.modelled - self.observations.observed

    @property
    def loss(self) -> float:
        """Mean squared error over observations."""
        return float(np.mean(self.errors**2))

    def table(self) -> pd.DataFrame:
        """calibration.csv: one row per observation (member x issue cell)."""
        obs = self.observations
        return pd.DataFrame(
            {
                "position_id": obs.ids,
                "member": obs.members,
                "issue": obs.issues,
                "observed": obs.observed,
                "modelled": self.modelled,
                "error": self.errors,
                "rows": obs.rows,
            }
        )


def _bounds(spec: CalibrationSpec) -> tuple[np.ndarray, np.ndarray]:
    names = [canonical_name(p.name) for p in spec.parameters]
    if len(set(names)) != len(names):
        raise InputError("a fitted parameter is listed twice")
    build_parameters([spec.fixed], load_members().codes)  # a malformed fixed layer is one clear error first
    clash = sorted(set(names) & fixed_parameter_names(spec.fixed))
    if clash:
        raise InputError(f"parameter {clash[0]} is both fitted and fixed")
    bounds = np.array([check_range(p.name, p.low, p.high) for p in spec.parameters])
    high = dict(zip(names, bounds[:, 1]))
    shares = [high.get(n, spec.fixed.get(n, SPECS_BY_NAME[n].default)) for n in ("peer_weight", "anchor_weight")]
    if "peer_weight" in high or "anchor_weight" in high:
        if sum(shares) > 1.0:
            raise InputError("the upper bounds of peer_weight and anchor_weight must sum to at most 1")
    return bounds[:, 0], bounds[:, 1]


def _starts(
    spec: CalibrationSpec, low: np.ndarray, high: np.ndarray, start: Mapping[str, float] | None = None
) -> np.ndarray:
    """Start points in unit coordinates: ``start`` or the defaults (clipped into the box), then a Latin hypercube."""
    from scipy.stats import qmc

    given = start or {}
    defaults = np.array(
        [given.get(p.name, SPECS_BY_NAME[p.name.rpartition(".")[2]].default) for p in spec.parameters]
    )
    first = np.clip((defaults - low) / (high - low), 0.0, 1.0)
    if spec.starts == 1:
        return first[None, :]
    others = qmc.LatinHypercube(d=len(low), seed=np.random.default_rng(spec.seed)).random(spec.starts - 1)
    return np.vstack([first, others])


def identifiability(
    jac: np.ndarray,
    residuals: np.ndarray,
    names: tuple[str, ...],
    estimates: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Linearised identifiability at the optimum, from the Jacobian in unit coordinates.

    The residual variance ``s^2 = SSR / (n - p)`` and ``cov = s^2 (J'J)^+``
    give standard errors; the singular values of ``J`` show which directions
    of parameter space the observations constrain. A parameter is identified
    when its 95% interval spans less than half its allowed range (the
    parameter's, not the fitted box ``low``-``high``, which may be narrower) and it
    loads little on any weak direction (singular value below 1% of the
    largest).

    Returns:
        One row per parameter, and the singular values (largest first).
    """
    n, p = jac.shape
    _, s, vt = np.linalg.svd(jac, full_matrices=False)
    s2 = float(residuals @ residuals) / max(n - p, 1)
    weak = s < WEAK_DIRECTION * max(s.max(), 1e-300)
    effective = s > 0
    cov = s2 * (vt[effective].T / s[effective] ** 2) @ vt[effective]
    se_unit = np.sqrt(np.diag(cov))
    se_unit[(np.abs(vt[~effective]) > 1e-12).any(axis=0)] = np.inf  # moves nothing: unbounded by the data
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = cov / np.outer(se_unit, se_unit)
    width = high - low
    rows = []
    for j, name in enumerate(names):
        loads_weak = bool((np.abs(vt[weak, j]) > 0.3).any()) if weak.any() else False
        allowed = SPECS_BY_NAME[name.rpartition(".")[2]]
        identified = bool(2 * Z95 * se_unit[j] * width[j] < IDENTIFIED_SHARE * (allowed.high - allowed.low) and not loads_weak)
        notes = []
        if not np.any(jac[:, j]):
            notes.append("no effect on the observations")
        elif loads_weak:
            partners = [
                names[k]
                for k in range(p)
                if k != j and any(abs(vt[w, k]) > 0.3 and abs(vt[w, j]) > 0.3 for w in np.nonzero(weak)[0])
            ]
            notes.append("weak direction" + (f" with {', '.join(partners)}" if partners else ""))
        partners = [names[k] for k in range(p) if k != j and np.isfinite(corr[j, k]) and abs(corr[j, k]) > 0.9]
        if partners:
            notes.append(f"|correlation| > 0.9 with {', '.join(partners)}")
        if not identified and not notes and not loads_weak:
            notes.append("95% interval wider than half the range")
        if np.isclose(estimates[j], low[j]) or np.isclose(estimates[j], high[j]):
            notes.append("at a bound")
        se = se_unit[j] * width[j]
        rows.append(
            {
                "parameter": name,
                "estimate": float(estimates[j]),
                "low": float(low[j]),
                "high": float(high[j]),
                "se": float(se),
                "ci_low": float(max(low[j], estimates[j] - Z95 * se)),
                "ci_high": float(min(high[j], estimates[j] + Z95 * se)),
                "identified": identified,
                "note": "; ".join(notes),
            }
        )
    return pd.DataFrame(rows), s


def _jacobian(residuals: Callable[[np.ndarray], np.ndarray], unit: np.ndarray, at: np.ndarray) -> np.ndarray:
    """One-sided differences in unit coordinates, each step pointing into the box."""
    columns = []
    for j in range(len(unit)):
        step = DIFF_STEP if unit[j] + DIFF_STEP <= 1.0 else -DIFF_STEP
        moved = unit.copy()
        moved[j] += step
        columns.append((residuals(moved) - at) / step)
    return np.column_stack(columns)


def target_observations(spec: CalibrationSpec, exclude: tuple[str, ...] = ()) -> Observations:
    """The observations ``spec`` fits: its target's member-stance rows, without members in ``exclude``."""
    codes = load_members().codes
    positions = load_positions() if spec.target is None else read_positions(spec.target, codes)
    return Observations.from_positions(tuple(p for p in positions if p.speaks_for not in exclude), codes)


def calibrate(
    spec: CalibrationSpec,
    observations: Observations | None = None,
    start: Mapping[str, float] | None = None,
    identify: bool = True,
    model: StanceModel | None = None,
) -> CalibrationResult:
    """Fit the parameters of ``spec`` to its observations (see the module docstring).

    Args:
        spec: What to fit, in which world.
        observations: Fit these instead of the spec's target (e.g. one
            cross-validation fold's training rows).
        start: First start point (default: the parameters' defaults), e.g. the
            full-data fit when refitting folds.
        identify: Compute the identifiability table (a further Jacobian); a
            cross-validation refit does not need it.
        model: What maps parameters to modelled stances (default: ``StanceModel(spec)``).
    """
    from scipy.optimize import least_squares

    low, high = _bounds(spec)
    obs = target_observations(spec) if observations is None else observations
    fitted = len(spec.parameters)
    if len(obs.ids) <= fitted:
        raise InputError(
            f"the target holds {len(obs.ids)} member_stance observation(s) for {fitted} fitted parameter(s): "
            "a fit needs more observations than parameters (with fewer, none is identified); "
            "give more observations or fit fewer parameters"
        )
    model = model if model is not None else StanceModel(spec)
    model.parameters(low + 0.5 * (high - low))  # the box must hold valid parameter sets
    evaluations = 0

    def residuals(unit: np.ndarray) -> np.ndarray:
        nonlocal evaluations
        evaluations += 1
        stances = model.stances(low + unit * (high - low))
        return stances[obs.member_index, obs.issue_index] - obs.observed

    starts = _starts(spec, low, high, start)
    fits = [least_squares(residuals, x0, bounds=(0.0, 1.0), diff_step=DIFF_STEP) for x0 in starts]
    best = min(fits, key=lambda fit: fit.cost)
    estimates = low + best.x * (high - low)
    table, singular = pd.DataFrame(), np.array([])
    if identify:
        # least_squares zeroes the columns of parameters at a bound; identifiability needs the full Jacobian.
        jac = _jacobian(residuals, best.x, best.fun)
        table, singular = identifiability(jac, best.fun, model.names, estimates, low, high)
    return CalibrationResult(
        spec=spec,
        observations=obs,
        modelled=best.fun + obs.observed,
        estimates=dict(zip(model.names, map(float, estimates))),
        params=model.parameters(estimates),
        identifiability=table,
        singular_values=singular,
        start_losses=[float(2 * fit.cost / len(obs.observed)) for fit in fits],
        evaluations=evaluations,
        scenario_hash=model.scenario_hash,
    )


def write_calibration(result: CalibrationResult, out_dir: Path | str, params_file: Path | str | None = None) -> Path:
    """Write calibration.csv, parameters.csv, params.yaml and manifest.json into ``out_dir`` (atomically).

    Args:
        result: A finished fit.
        out_dir: Results folder (replaced when complete).
        params_file: A further copy of the parameter file, if wanted elsewhere.
    """
    from cohesion.experiments.store import (
        data_file_hashes,
        provenance_header,
        write_json,
    )
    from cohesion.results import atomic_directory

    spec = result.spec
    header = (
        f"Calibrated by {PARAMS_MARKER} against {spec.target or 'the article of 27 January 2022'}\n"
        f"fitted: {', '.join(result.estimates)}; loss (MSE) {result.loss:.5f}"
    )
    config = yaml.safe_dump(spec.model_dump(), sort_keys=False)
    target = Path(spec.target) if spec.target else None
    with atomic_directory(Path(out_dir), "experiment", "calibration") as staging:
        result.table().to_csv(staging / "calibration.csv", index=False)
        result.identifiability.to_csv(staging / "parameters.csv", index=False)
        write_params_file(result.params, staging / "params.yaml", header=header)
        meta = {
            **provenance_header(),
            "analysis": "calibration",
            "name": spec.name,
            "experiment": config,
            "experiment_sha256": hashlib.sha256(config.encode("utf-8")).hexdigest(),
            "seed": spec.seed,
            "scenario": {"name": spec.scenario, "sha256": result.scenario_hash},
            "target": {
                "path": spec.target,
                "sha256": None if target is None else hashlib.sha256(target.read_bytes()).hexdigest(),
            },
            "modelled": f"mean stance over weeks 1-{spec.steps} and {spec.replicates} runs, initial stances from the drivers",
            "loss": "mean squared error (modelled - observed) over observations (member x issue cells, rows weighted)",
            "loss_value": result.loss,
            "rmse": result.loss**0.5,
            "observations": len(result.observations.ids),
            "estimates": result.estimates,
            "singular_values": [float(v) for v in result.singular_values],
            "start_losses": result.start_losses,
            "evaluations": result.evaluations,
            "data_files": data_file_hashes(),
            "files": ["manifest.json", "calibration.csv", "parameters.csv", "params.yaml"],
        }
        write_json(meta, staging / "manifest.json")
    if params_file is not None:
        params_file = Path(params_file)
        staged = params_file.parent / f".{params_file.name}.tmp-{os.getpid()}"
        try:
            write_params_file(result.params, staged, header=header)
            os.replace(staged, params_file)
        finally:
            staged.unlink(missing_ok=True)
    return Path(out_dir)
