"""Parameter uncertainty of the calibrated weights: profile likelihoods and parameter draws.

The likelihood treats each coded stance as the modelled stance plus Gaussian
error of unknown variance, so the log-likelihood at its best variance is
``-n/2 log(SSR / n)``. A parameter's profile fixes it on a grid and refits
the others; its 95 % interval is where twice the drop from the optimum stays
below the chi-square(1) quantile 3.84 (read off the grid, linearly
interpolated; an interval that reaches a grid end is open on that side).

``cohesion run --uncertainty parameters|all`` draws each run's calibrated
weights from these profiles (``simulate_parameter_uncertainty``), so its
intervals carry parameter uncertainty; ``noise`` (the default) keeps them
fixed.
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd

from cohesion.ensemble import EnsembleResult
from cohesion.errors import InputError
from cohesion.experiments.calibration import CalibrationSpec, StanceModel, calibrate, target_observations
from cohesion.experiments.schema import check_range
from cohesion.world import World, build_world

#: chi-square(1) quantile of a two-sided 95 % likelihood-ratio interval.
CHI2_95 = 3.841458820694124


def log_likelihood(ssr: float, n: int) -> float:
    """Gaussian log-likelihood at the best error variance, up to a constant."""
    return -0.5 * n * np.log(max(ssr, 1e-300) / n)


def _crossing(grid: np.ndarray, drop: np.ndarray, best: int, step: int) -> float:
    """Where ``drop`` first exceeds the cut walking from ``best`` in direction ``step`` (NaN: never)."""
    i = best
    while 0 <= i + step < len(grid):
        j = i + step
        if drop[j] > CHI2_95:
            t = (CHI2_95 - drop[i]) / (drop[j] - drop[i])
            return float(grid[i] + t * (grid[j] - grid[i]))
        i = j
    return float("nan")


def profile_likelihoods(
    spec: CalibrationSpec | None = None, points: int = 9, progress: Callable[[int], None] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Profile every fitted parameter of ``spec`` on ``points`` grid values over its range.

    Returns:
        The profiles (parameter, value, log-likelihood, drop) and one summary
        row per parameter (estimate, interval, whether it is open).
    """
    spec = spec or CalibrationSpec(starts=1)
    obs = target_observations(spec)
    n = len(obs.observed)
    best_fit = calibrate(spec, obs, identify=False)
    best_ll = log_likelihood(best_fit.loss * n, n)
    rows, summary = [], []
    for param in spec.parameters:
        low, high = check_range(param.name, param.low, param.high)
        grid = np.unique(np.append(np.linspace(low, high, points), best_fit.estimates[param.name]))
        others = [p for p in spec.parameters if p.name != param.name]
        lls = []
        for value in grid:
            if value == best_fit.estimates[param.name]:
                lls.append(best_ll)
            elif not others:  # the only fitted parameter: nothing to refit, the profile is the loss itself
                errors = StanceModel(spec).stances(np.array([value]))[obs.member_index, obs.issue_index] - obs.observed
                lls.append(log_likelihood(float(errors @ errors), n))
            else:
                fixed_spec = spec.model_copy(update={"parameters": others, "fixed": {**spec.fixed, param.name: float(value)}})
                fit = calibrate(fixed_spec, obs, start=best_fit.estimates, identify=False)
                lls.append(log_likelihood(fit.loss * n, n))
            if progress is not None:
                progress(1)
        ll = np.array(lls)
        drop = 2 * (ll.max() - ll)
        top = int(np.argmax(ll))
        for value, v_ll, v_drop in zip(grid, ll, drop):
            rows.append({"parameter": param.name, "value": float(value), "log_likelihood": float(v_ll), "drop": float(v_drop)})
        lower, upper = _crossing(grid, drop, top, -1), _crossing(grid, drop, top, +1)
        summary.append(
            {
                "parameter": param.name,
                "estimate": best_fit.estimates[param.name],
                "ci_low": low if np.isnan(lower) else lower,
                "ci_high": high if np.isnan(upper) else upper,
                "open_low": bool(np.isnan(lower)),
                "open_high": bool(np.isnan(upper)),
            }
        )
    return pd.DataFrame(rows), pd.DataFrame(summary)


def parameter_draws(summary: pd.DataFrame, draws: int, rng: np.random.Generator) -> list[dict[str, float]]:
    """Parameter sets drawn from the profile intervals.

    Each parameter is drawn on its own from a normal centred on its estimate,
    with the profile's 95 % half-widths (left and right) as 1.96 standard
    deviations, truncated to the interval's ends; correlations are ignored,
    which widens nothing and narrows nothing the profiles did not show.
    """
    out = []
    for _ in range(draws):
        values = {}
        for row in summary.itertuples(index=False):
            # truncation by rejection: a z beyond the 95 % half-width on its side is drawn again
            # (clipping would pile 5 % of the draws on the interval's ends)
            z = rng.standard_normal()
            while abs(z) > 1.959963984540054:
                z = rng.standard_normal()
            half = (row.estimate - row.ci_low) if z < 0 else (row.ci_high - row.estimate)
            values[row.parameter] = float(row.estimate + z * half / 1.959963984540054)
        out.append(values)
    return out


#: What the intervals of ``cohesion run`` cover (``--uncertainty``).
UNCERTAINTY_KINDS: dict[str, str] = {
    "noise": "noise and stochastic events only (parameters fixed)",
    "parameters": "calibrated parameters drawn per run from their profile likelihoods, no weekly noise",
    "all": "noise, stochastic events and calibrated parameters drawn per run",
}


@lru_cache(maxsize=1)
def calibrated_profiles(points: int = 9) -> pd.DataFrame:
    """Profile-likelihood summary of the shipped calibration (computed once per process)."""
    return profile_likelihoods(CalibrationSpec(starts=1), points)[1]


def run_seed(seed: int, scenario: str, run: int) -> int:
    """The seed of one run simulated on its own, from the run's ``parameters`` stream."""
    from cohesion.seeding import stream

    return int(stream(seed, scenario, run, "parameters").integers(0, 2**63 - 1))


def merge_runs(parts: list[EnsembleResult]) -> EnsembleResult:
    """One ensemble from single-run ensembles: per-run arrays stacked, run means averaged."""
    first = parts[0]
    merged = {}
    for f in dataclasses.fields(first):
        value = getattr(first, f.name)
        if not isinstance(value, np.ndarray):
            merged[f.name] = value
        elif value.shape[:1] == (first.runs,):
            merged[f.name] = np.concatenate([getattr(p, f.name) for p in parts])
        else:
            merged[f.name] = np.mean([getattr(p, f.name) for p in parts], axis=0)
    return type(first)(**merged)


def simulate_parameter_uncertainty(
    world: World,
    layers: list[Mapping[str, Any]],
    runs: int,
    seed: int,
    kind: str,
    engine: str = "vectorized",
    progress: Callable[[int], None] | None = None,
) -> EnsembleResult:
    """``runs`` runs of ``world``'s scenario, each with calibrated parameters of its own.

    Run ``r`` draws its parameters from its own ``parameters`` stream (below the
    caller's parameter layers, so ``--set`` and ``--params`` still win), and is
    simulated alone with a seed from that stream. ``kind`` ``parameters`` sets
    ``noise_sd`` to 0 and uses the point drivers; ``all`` keeps the noise and, with
    driver uncertainty, gives run ``r`` the posterior draw of run ``r`` of every scenario.
    """
    from cohesion.engines import simulate
    from cohesion.seeding import stream

    if kind not in ("parameters", "all"):
        raise InputError(f"--uncertainty must be one of {', '.join(UNCERTAINTY_KINDS)}, got {kind!r}")
    summary = calibrated_profiles()
    name = world.scenario.name
    quiet = [{"noise_sd": 0.0}] if kind == "parameters" else []
    parts = []
    for r in range(runs):
        draw = parameter_draws(summary, 1, stream(seed, name, r, "parameters"))[0]
        world_r = build_world(
            world.scenario, world.scenario_hash, [draw, *layers, *quiet], horizon=world.horizon,
            driver_source=world.driver_source, driver_uncertainty=False,
        )
        if kind == "all" and world.driver_draws is not None:
            # run r's posterior draw under the root seed, as in every other scenario (World.run_drivers), not one
            # picked by this run's own seed, which depends on the scenario
            world_r = dataclasses.replace(world_r, driver_draws=world.run_drivers(seed, r, 1))
        parts.append(simulate(world_r, 1, run_seed(seed, name, r), engine=engine))
        if progress is not None:
            progress(1)
    merged = merge_runs(parts)
    return dataclasses.replace(merged, world=world, seed=seed)
