"""The answers come from the members, not from the script (issue #10's 'done when')."""

from __future__ import annotations

import numpy as np
import pytest

from cohesion.core import rule
from cohesion.core.drivers import Drivers, structural_drivers
from cohesion.core.equilibrium import fj_equilibrium
from cohesion.core.peers import us_share_of_peer_pull
from cohesion.engines import simulate
from cohesion.inputs import load_members
from cohesion.scenarios import ScenarioSpec
from cohesion.world import build_world
from tests.conftest import make_world

RUNS = 60


def _horizon(result, metric):
    values = result.metric(metric)[:, -1]
    return values.mean(), np.quantile(values, [0.05, 0.95])


def _identical_ally_drivers() -> Drivers:
    """Every ally (all but the U.S. and UK) gets the allies' mean of each driver."""
    members = load_members()
    real = structural_drivers(members)
    allies = ~np.isin(np.array(members.codes), ("USA", "GBR"))

    def same(values):
        out = values.copy()
        out[allies] = values[allies].mean()
        return out

    return Drivers(same(real.energy_dependence), same(real.threat_perception), same(real.leadership_trust))


@pytest.mark.parametrize("scenario", ["baseline", "invasion"])
def test_consensus_depends_on_the_members_drivers(scenario):
    """With identical drivers for every ally the consensus score moves outside both intervals."""
    world = make_world(scenario)
    real_mean, real_ci = _horizon(simulate(world, RUNS, seed=2), "consensus")
    same = build_world(world.scenario, world.scenario_hash, drivers=_identical_ally_drivers())
    same_mean, same_ci = _horizon(simulate(same, RUNS, seed=2), "consensus")
    assert same_ci[0] > real_ci[1] or same_ci[1] < real_ci[0], (scenario, real_mean, real_ci, same_mean, same_ci)


def test_no_drift_from_averaging_alone():
    """With peer_weight 0 the baseline's consensus and cohesion stay near their week-0 values; with peers they drift.

    Week 0 has no spread over runs yet (no per-run driver draws), so 'within the week-0 interval'
    is read as within two index points. What remains at peer_weight 0 is members relaxing from the
    coded 27 January positions towards their own targets (docs/model.md, section 8).
    """
    alone = simulate(make_world("baseline", [{"peer_weight": 0.0}]), 30, seed=4)
    for name in ("consensus", "cohesion"):
        values = alone.metric(name)
        assert np.abs(values.mean(axis=0) - values[:, 0].mean()).max() < 2.0, name
    averaging = simulate(make_world("baseline"), 30, seed=4)
    for name in ("consensus", "cohesion"):
        values = averaging.metric(name)
        assert values[:, -1].mean() - values[:, 0].mean() > 5.0, name


def test_alignment_is_against_the_proposal_which_the_leaders_do_not_set():
    """Moving the leaders' stances leaves everyone else's alignment unchanged; moving the proposal does not."""
    world = make_world("baseline", [{"noise_sd": 0.0}], horizon=4)
    result = simulate(world, 1, seed=1)
    stance = result.horizon_stance.copy()
    allies = ~world.leaders
    pushed = stance.copy()
    pushed[:, world.leaders] = 0.0
    from cohesion.core.metrics import member_alignment

    before = member_alignment(stance, result.horizon_proposal)[:, allies]
    np.testing.assert_allclose(member_alignment(pushed, result.horizon_proposal)[:, allies], before)
    np.testing.assert_allclose(result.horizon_alignment(), member_alignment(stance, np.ones((1, 6))))
    diluted = member_alignment(stance, np.full((1, 6), 0.6))[:, allies]
    assert not np.allclose(diluted, before)


def test_capability_raises_the_us_share_of_peer_pull():
    world = make_world("baseline")
    uniform = make_world("baseline", [{"influence_capability_exponent": 0.0, "influence_salience_exponent": 0.0}])
    codes = world.members.codes
    assert us_share_of_peer_pull(world.peer_weights, codes) > 2 * us_share_of_peer_pull(uniform.peer_weights, codes)
    # exponents 0 recover one matrix for all issues
    np.testing.assert_allclose(uniform.peer_weights, np.broadcast_to(uniform.peer_weights[0], uniform.peer_weights.shape))


def _two_camps(confidence_bound: float, weeks: int = 400) -> np.ndarray:
    """Six members pulled only by their peers (equal ties), starting in two camps."""
    n = 6
    peers = np.broadcast_to((1.0 - np.eye(n)) / (n - 1), (1, n, n))
    stance = np.array([0.10, 0.15, 0.20, 0.80, 0.85, 0.90]).reshape(1, n, 1)
    ones = np.ones(n)
    for _ in range(weeks):
        peer = rule.peer_mean(peers, stance, np.zeros((1, 1)), np.zeros((1, n)), stance, confidence_bound)
        stance = rule.update_stance(stance, stance, peer, stance[0], 0.5 * ones, ones, 0.0 * ones, 0.0, 0.0)
    return stance[0, :, 0]


def test_bounded_confidence_keeps_two_stable_clusters():
    split = _two_camps(confidence_bound=0.3)
    np.testing.assert_allclose(split[:3], 0.15, atol=1e-9)
    np.testing.assert_allclose(split[3:], 0.85, atol=1e-9)
    np.testing.assert_allclose(_two_camps(confidence_bound=0.3, weeks=800), split, atol=1e-12)  # stable
    # Friedkin-Johnsen (every peer pulls) merges the camps
    np.testing.assert_allclose(_two_camps(confidence_bound=1.0), 0.5, atol=1e-9)


def test_fj_equilibrium_equals_a_2000_week_simulation():
    spec = ScenarioSpec(name="still", title="t", description="t", article_basis="t", params={"noise_sd": 0.0})
    world = build_world(spec, "x", horizon=2000)
    result = simulate(world, 1, seed=1)
    d, mp = world.drivers, world.member_params
    terms = rule.driver_terms(
        d.energy_dependence, d.threat_perception, d.leadership_trust, world.references,
        mp["energy_weight"], mp["threat_weight"], mp["leadership_weight"],
    )
    target = rule.target_stance(terms, world.sensitivity, world.params.baseline_stance)
    expected = fj_equilibrium(
        world.peer_weights, target, world.initial_stance, world.eu_line0,
        world.params.eu_weight * world.members.eu_member, mp["peer_weight"], mp["anchor_weight"],
    )
    assert np.abs(result.horizon_stance[0] - expected).max() < 1e-9
    # and the stances have really moved from where they started
    assert np.abs(world.initial_stance - expected).max() > 0.05


def test_peer_matrix_takes_a_run_axis_of_parameters():
    """Per-run parameters (R,) give (R, K, N, N): each run's slice is the scalar call's matrix."""
    from cohesion.core.peers import capital_distances_km, peer_matrix, shared_groups

    world = make_world("baseline")
    members = world.members
    base = (capital_distances_km(members.capital_lat, members.capital_lon), members.eu_member, shared_groups(members))
    rho, gamma = np.array([800.0, 1500.0]), np.array([0.0, 2.0])
    batched = peer_matrix(*base, rho, 0.5, 0.5, world.capability, world.salience, gamma, 1.0)
    assert batched.shape == (2, 6, 30, 30)
    for run in range(2):
        single = peer_matrix(*base, rho[run], 0.5, 0.5, world.capability, world.salience, gamma[run], 1.0)
        np.testing.assert_allclose(batched[run], single, atol=1e-15)
    np.testing.assert_allclose(batched.sum(axis=-1), 1.0, atol=1e-12)


def test_bounded_confidence_with_every_peer_in_bound_is_friedkin_johnsen():
    """The bounded-confidence pull with eps = 1 (no repulsion can act) equals the F-J matrix product."""
    world = make_world("baseline")
    rng = np.random.default_rng(5)
    stance = rng.random((4, 30, 6))
    eu_line, eu_share = rng.random((4, 6)), rng.random((4, 30)) * world.members.eu_member
    fj = rule.peer_mean(world.peer_weights, stance, eu_line, eu_share, stance)
    # repulsion_strength > 0 takes the bounded path; nothing lies beyond a bound of 1, so nothing repels
    bounded = rule.peer_mean(world.peer_weights, stance, eu_line, eu_share, stance, 1.0, 1.0, 0.5)
    np.testing.assert_allclose(bounded, fj, atol=1e-12)
    narrow = rule.peer_mean(world.peer_weights, stance, eu_line, eu_share, stance, 0.2)
    assert np.abs(narrow - fj).max() > 0.05
