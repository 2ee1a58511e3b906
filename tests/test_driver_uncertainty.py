"""Measurement uncertainty flows into runs; the flags switch it off or back to the legacy proxies."""

from __future__ import annotations

import json
import subprocess

import numpy as np
import pandas as pd
import pytest

from cohesion.core.drivers import structural_drivers
from cohesion.engines import simulate
from cohesion.errors import InputError
from cohesion.inputs import load_members
from cohesion.measurement.store import measured_drivers
from cohesion.scenarios import ScenarioSpec, load_scenario
from cohesion.world import build_world


def _world(name="baseline", **kwargs):
    spec, digest = load_scenario(name)
    return build_world(spec, digest, [], horizon=8, **kwargs)


def test_each_run_takes_one_posterior_draw_shared_by_all_scenarios():
    codes = load_members().codes
    point, draws = measured_drivers(codes)
    baseline, invasion = _world("baseline"), _world("invasion")
    runs = baseline.run_drivers(seed=3, first=0, count=6)
    for r in range(6):
        row = np.nonzero((draws.energy_dependence == runs.energy_dependence[r]).all(axis=1))[0]
        assert len(row) >= 1, "a run's drivers are one stored draw"
        np.testing.assert_array_equal(draws.threat_perception[row[0]], runs.threat_perception[r])
    np.testing.assert_array_equal(runs.leadership_trust, invasion.run_drivers(3, 0, 6).leadership_trust)
    # a chunk starting later gives the same runs (a run's drivers depend only on seed and run index)
    np.testing.assert_array_equal(baseline.run_drivers(3, 4, 2).energy_dependence, runs.energy_dependence[4:])
    assert len({tuple(r) for r in runs.energy_dependence}) > 1


def test_without_uncertainty_every_run_takes_the_point_drivers():
    world = _world(driver_uncertainty=False)
    point, _ = measured_drivers(load_members().codes)
    runs = world.run_drivers(seed=3, first=0, count=4)
    np.testing.assert_array_equal(runs.threat_perception, np.broadcast_to(point.threat_perception, (4, 30)))
    np.testing.assert_array_equal(world.drivers.energy_dependence, point.energy_dependence)


def test_driver_draws_move_responses_to_events_not_the_held_state():
    """Members hold their 27 January stances whatever their drawn drivers; the draws change how they respond.

    Without noise, the runs of a world with driver draws and of one with the point drivers share
    their event draws (same seed), so any difference between them is the drivers'.
    """
    quiet = [{"noise_sd": 0.0}]
    still = ScenarioSpec(name="still", title="t", description="t", article_basis="t")
    held = simulate(build_world(still, "x", quiet, horizon=8), 6, seed=11)
    np.testing.assert_allclose(held.horizon_stance, np.broadcast_to(held.world.initial_stance, held.horizon_stance.shape),
                               atol=1e-12)
    spec, digest = load_scenario("invasion")
    drawn = simulate(build_world(spec, digest, quiet, horizon=20), 6, seed=11).horizon_stance
    point = simulate(build_world(spec, digest, quiet, horizon=20, driver_uncertainty=False), 6, seed=11).horizon_stance
    assert np.abs(drawn - point).max() > 0.01
    assert len({round(float(v), 9) for v in (drawn - point).mean(axis=(1, 2))}) > 1  # each run its own draw


def test_legacy_drivers_are_the_hand_weighted_proxies():
    world = _world(driver_source="legacy")
    legacy = structural_drivers(load_members())
    np.testing.assert_array_equal(world.drivers.energy_dependence, legacy.energy_dependence)
    assert world.driver_draws is None
    with pytest.raises(InputError, match="unknown driver source 'guessed'"):
        _world(driver_source="guessed")


@pytest.mark.parametrize("engine", ["vectorized", "mesa"])
def test_engines_agree_with_and_without_driver_uncertainty(engine):
    for uncertainty in (True, False):
        world = _world("invasion", driver_uncertainty=uncertainty)
        a = simulate(world, 3, seed=5, engine="vectorized")
        b = simulate(world, 3, seed=5, engine=engine)
        assert np.abs(a.run_metrics - b.run_metrics).max() <= 1e-9
        assert np.abs(a.component_mean - b.component_mean).max() <= 1e-9


def test_run_flags_end_to_end(cli, tmp_path):
    outs = {}
    for flags in ([], ["--no-driver-uncertainty"], ["--drivers", "legacy"]):
        out = tmp_path / ("-".join(flags) or "default")
        done = subprocess.run([*cli, "run", "baseline", "--runs", "4", "--steps", "3", "--quiet", "--out", str(out), *flags],
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        outs[tuple(flags)] = (json.loads((out / "manifest.json").read_text()), pd.read_csv(out / "summary.csv"))
    assert outs[()][0]["driver_uncertainty"] is True and outs[()][0]["drivers"] == "measured"
    assert outs[("--no-driver-uncertainty",)][0]["driver_uncertainty"] is False
    assert outs[("--drivers", "legacy")][0]["drivers"] == "legacy"
    assert outs[()][1]["cohesion_mean"][0] != outs[("--no-driver-uncertainty",)][1]["cohesion_mean"][0]
    bad = subprocess.run([*cli, "run", "baseline", "--runs", "2", "--drivers", "guessed", "--out", str(tmp_path / "x")],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.startswith("error: unknown driver source") and not (tmp_path / "x").exists()


def test_members_shows_intervals_and_indicators(cli):
    done = subprocess.run([*cli, "members", "--format", "csv"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    from io import StringIO

    frame = pd.read_csv(StringIO(done.stdout))
    assert len(frame) == 30 * frame["driver"].nunique() and {"energy_dependence", "threat_perception",
                                                              "leadership_trust"} <= set(frame["driver"])
    assert ((frame["p05"] <= frame["score"]) & (frame["score"] <= frame["p95"])).all()
    germany = frame[(frame["member"] == "DEU") & (frame["driver"] == "energy_dependence")].iloc[0]
    assert "gas_russia_share_2020=0.589 (" in germany["indicators"]
    table = subprocess.run([*cli, "members", "--member", "HRV"], capture_output=True, text=True)
    assert table.returncode == 0 and "90% interval" in table.stdout and "Croatia" in table.stdout
    legacy = subprocess.run([*cli, "members", "--drivers", "legacy", "--format", "csv"], capture_output=True, text=True)
    assert legacy.returncode == 0 and "gas_exposure" in legacy.stdout
    bad = subprocess.run([*cli, "members", "--member", "XYZ"], capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.startswith("error: unknown member code 'XYZ' (valid: ALB ")
    assert len(bad.stderr.splitlines()) == 1
    lower = subprocess.run([*cli, "members", "--member", "hrv", "--format", "csv"], capture_output=True, text=True)
    assert lower.returncode == 0 and set(pd.read_csv(StringIO(lower.stdout))["member"]) == {"HRV"}
