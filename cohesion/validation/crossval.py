"""Cross-validation on the coded positions: the model against simple baselines on the same folds.

Observations are the member-stance rows of the positions table (as in
calibration). Two fold schemes:

- ``leave-one-member-out``: every row of one member is held out at once;
- ``leave-one-position-out``: one row at a time.

In each fold every predictor is fitted on the other rows and predicts the
held-out ones. The model variants are refitted with the calibration's own
least-squares fit (``cohesion.experiments.calibration.calibrate``) and predict
the modelled stance at the fold's estimates. Baselines: a constant (the
training mean), a leader dummy (separate means for the U.S.-UK leaders and the
allies), an ordinary least-squares regression of the stance on all drivers,
and one such regression per single driver. Where the model has a closed-form
equilibrium, that equilibrium, fitted the same way as the model, is reported
beside it (it is the model's own prediction, not a baseline). MSE, MAE and Spearman's rank
correlation are computed on the pooled held-out predictions, with percentile
bootstrap intervals over observations (paired across predictors). The
model's added value is its MSE gap to the best baseline (negative = the model
predicts better), with its own paired bootstrap interval.
"""

from __future__ import annotations

import dataclasses
import importlib.util
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from cohesion.constants import LEADERS
from cohesion.experiments.calibration import CalibrationSpec, Observations, StanceModel, calibrate, target_observations
from cohesion.inputs import load_members
from cohesion.scenarios import load_scenario
from cohesion.world import build_world

SCHEMES = ("leave-one-member-out", "leave-one-position-out")
METRICS = ("mse", "mae", "spearman")
#: Two-sided level of every bootstrap interval.
CONFIDENCE = 0.95
MODEL_PREFIX = "model"
#: The model's own closed-form equilibrium: reported beside the model, never its baseline.
EQUILIBRIUM = "equilibrium"


def model_variants() -> dict[str, dict[str, object]]:
    """The model variants to validate: name -> parameter layer fixed during the fit.

    One variant per dynamics the model offers (``cohesion.params.DYNAMICS``, with
    the layer each stands for), else the one model.
    """
    from cohesion import params

    dynamics = getattr(params, "DYNAMICS", None)
    if not dynamics:
        return {MODEL_PREFIX: {}}
    bound = getattr(params, "BOUNDED_CONFIDENCE_DEFAULT", None)
    layers = {
        "fj": {"confidence_bound": 1.0, "repulsion_bound": 1.0, "repulsion_strength": 0.0},
        "bounded": {"confidence_bound": bound} if bound is not None else {},
    }
    return {f"{MODEL_PREFIX}-{name}": layers.get(name, {}) for name in dynamics}


def driver_matrix(codes: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Each driver of each member (N,), from the world the model builds (whatever its drivers source)."""
    scenario, digest = load_scenario("baseline")
    world = build_world(scenario, digest)
    index = [world.members.codes.index(code) for code in codes]
    return {f.name: np.asarray(getattr(world.drivers, f.name))[index] for f in dataclasses.fields(world.drivers)}


def folds(obs: Observations, scheme: str) -> list[np.ndarray]:
    """Held-out row indices of each fold."""
    if scheme == "leave-one-member-out":
        return [np.flatnonzero(np.array(obs.members) == code) for code in dict.fromkeys(obs.members)]
    if scheme == "leave-one-position-out":
        return [np.array([i]) for i in range(len(obs.observed))]
    raise ValueError(f"unknown fold scheme {scheme!r}")


Predictor = Callable[[np.ndarray, np.ndarray], np.ndarray]


def _ols(features: np.ndarray, y: np.ndarray, train: np.ndarray, test: np.ndarray) -> np.ndarray:
    design = np.column_stack([np.ones(len(features)), features])
    coef, *_ = np.linalg.lstsq(design[train], y[train], rcond=None)
    return design[test] @ coef


def baselines(obs: Observations) -> dict[str, Predictor]:
    """Baseline predictors: ``(train rows, test rows) -> predictions``."""
    y = obs.observed
    drivers = driver_matrix(tuple(obs.members))
    leader = np.isin(np.array(obs.members), LEADERS).astype(float)

    def constant(train: np.ndarray, test: np.ndarray) -> np.ndarray:
        return np.full(len(test), y[train].mean())

    def leader_dummy(train: np.ndarray, test: np.ndarray) -> np.ndarray:
        groups = {g: y[train][leader[train] == g] for g in (0.0, 1.0)}
        fallback = y[train].mean()
        return np.array([groups[g].mean() if len(groups[g]) else fallback for g in leader[test]])

    out: dict[str, Predictor] = {"constant": constant, "leader-dummy": leader_dummy}
    every = np.column_stack(list(drivers.values()))
    out["regression-all-drivers"] = lambda train, test: _ols(every, y, train, test)
    for name, values in drivers.items():
        out[f"regression-{name}"] = lambda train, test, v=values: _ols(v[:, None], y, train, test)
    return out


def equilibrium_available() -> bool:
    """Whether the model offers a closed-form equilibrium (``cohesion.core.equilibrium``)."""
    return importlib.util.find_spec("cohesion.core.equilibrium") is not None


class EquilibriumModel(StanceModel):
    """The model's closed-form Friedkin-Johnsen equilibrium under the week-0 environment, as the modelled stances."""

    def stances(self, values: np.ndarray) -> np.ndarray:
        """Equilibrium stances (members, issues) at fitted ``values``."""
        from cohesion.core.equilibrium import fj_equilibrium

        world = self.world(values)
        mp = world.member_params
        return fj_equilibrium(
            world.peer_weights, world.calm_target(), world.initial_stance, world.eu_line0,
            world.params.eu_weight * world.members.eu_member, mp["peer_weight"], mp["anchor_weight"],
        )  # fmt: skip


def model_predictor(
    obs: Observations,
    spec: CalibrationSpec,
    fixed: dict[str, object],
    estimates: list[dict[str, float]],
    model_type: type[StanceModel] = StanceModel,
) -> Predictor:
    """A stance model refitted on each fold's training rows; fold estimates are appended to ``estimates``.

    Each fold's fit starts from the fit to all rows (one start), which the
    fold's optimum is near; the full fit itself starts from the defaults.
    """
    spec = spec.model_copy(update={"fixed": {**spec.fixed, **fixed}})
    model = model_type(spec)
    full = calibrate(spec, obs, identify=False, model=model).estimates

    def predict(train: np.ndarray, test: np.ndarray) -> np.ndarray:
        fit = calibrate(spec, obs.subset(train), start=full, identify=False, model=model)
        estimates.append(fit.estimates)
        stances = model.stances(np.array([fit.estimates[n] for n in model.names]))
        return stances[obs.member_index[test], obs.issue_index[test]]

    return predict


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman's rank correlation (NaN when either side is constant)."""
    from scipy.stats import spearmanr

    if np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan")
    return float(spearmanr(a, b).statistic)


def scores(observed: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    """MSE, MAE and Spearman of predictions."""
    error = predicted - observed
    return {"mse": float(np.mean(error**2)), "mae": float(np.mean(np.abs(error))), "spearman": spearman(observed, predicted)}


@dataclass
class CrossValidation:
    """Held-out predictions of every predictor under one fold scheme."""

    scheme: str
    observations: Observations
    predictions: dict[str, np.ndarray]
    estimates: dict[str, list[dict[str, float]]]

    @property
    def models(self) -> list[str]:
        """Names of the model variants."""
        return [name for name in self.predictions if name.startswith(MODEL_PREFIX)]

    @property
    def baselines(self) -> list[str]:
        """Names of the baselines (not the model's own equilibrium: a gap to it says what the dynamics add,
        not what the model adds over a simple predictor)."""
        return [name for name in self.predictions if not name.startswith(MODEL_PREFIX) and name != EQUILIBRIUM]

    def table(self, bootstrap: int, rng: np.random.Generator) -> pd.DataFrame:
        """One row per predictor and metric, plus each model's MSE gap to the best baseline.

        Columns: ``section, item, measure, value, ci_low, ci_high``.
        """
        y = self.observations.observed
        n = len(y)
        draws = rng.integers(0, n, size=(bootstrap, n))
        tail = (1 - CONFIDENCE) / 2
        rows = []
        boot: dict[str, np.ndarray] = {}
        for name, pred in self.predictions.items():
            point = scores(y, pred)
            sampled = np.array([[scores(y[d], pred[d])[m] for m in METRICS] for d in draws])
            boot[name] = sampled[:, 0]
            for j, metric in enumerate(METRICS):
                low, high = np.nanquantile(sampled[:, j], [tail, 1 - tail]) if np.isfinite(sampled[:, j]).any() else (np.nan, np.nan)
                rows.append({"section": self.scheme, "item": name, "measure": metric, "value": point[metric], "ci_low": low, "ci_high": high})
        best = min(self.baselines, key=lambda b: scores(y, self.predictions[b])["mse"])
        for model in self.models:
            gap = scores(y, self.predictions[model])["mse"] - scores(y, self.predictions[best])["mse"]
            low, high = np.quantile(boot[model] - boot[best], [tail, 1 - tail])
            rows.append(
                {"section": self.scheme, "item": model, "measure": f"mse_gap_to_{best}", "value": gap, "ci_low": low, "ci_high": high}
            )
        return pd.DataFrame(rows)


def cross_validate(
    scheme: str,
    spec: CalibrationSpec | None = None,
    observations: Observations | None = None,
    progress: Callable[[int], None] | None = None,
) -> CrossValidation:
    """Held-out predictions of every model variant and baseline under ``scheme``.

    Args:
        scheme: One of ``SCHEMES``.
        spec: The calibration set-up the model is refitted with (defaults:
            the shipped calibration, one start from the defaults per fold).
        observations: The rows to cross-validate (default: the spec's target).
        progress: Called with 1 after each fold.
    """
    spec = spec or CalibrationSpec(starts=1)
    obs = observations if observations is not None else target_observations(spec)
    predictors: dict[str, Predictor] = {}
    estimates: dict[str, list[dict[str, float]]] = {}
    for name, fixed in model_variants().items():
        estimates[name] = []
        predictors[name] = model_predictor(obs, spec, fixed, estimates[name])
    predictors.update(baselines(obs))
    if equilibrium_available():
        estimates[EQUILIBRIUM] = []
        predictors[EQUILIBRIUM] = model_predictor(obs, spec, {}, estimates[EQUILIBRIUM], EquilibriumModel)
    predictions = {name: np.full(len(obs.observed), np.nan) for name in predictors}
    everything = np.arange(len(obs.observed))
    for test in folds(obs, scheme):
        train = np.setdiff1d(everything, test)
        for name, predict in predictors.items():
            predictions[name][test] = predict(train, test)
        if progress is not None:
            progress(1)
    return CrossValidation(scheme, obs, predictions, estimates)
