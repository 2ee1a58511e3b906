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


def _identical_ally_drivers(real: Drivers | None = None) -> Drivers:
    """Every ally (all but the U.S. and UK) gets the allies' mean of each driver (``real``: the legacy ones when None)."""
    members = load_members()
    real = structural_drivers(members) if real is None else real
    allies = ~np.isin(np.array(members.codes), ("USA", "GBR"))

    def same(values):
        out = values.copy()
        out[allies] = values[allies].mean()
        return out

    return Drivers(same(real.energy_dependence), same(real.threat_perception), same(real.leadership_trust))


@pytest.mark.parametrize("scenario", ["baseline", "invasion"])
def test_consensus_depends_on_the_members_drivers(scenario):
    """With identical drivers for every ally the consensus score moves outside the interval of the change.

    Both worlds use point drivers (no per-run posterior draws), so only the drivers' differences
    between members are taken away, and run ``r`` of both shares its noise and event draws: the
    run-by-run difference is the drivers' doing, and its 90 % interval must exclude zero. (Under
    the invasion the two unpaired 90 % intervals overlap by about a point: the invasion's own
    uncertainty, common to both worlds, spans them; docs/model.md 1.1.)
    """
    world = make_world(scenario)
    point = build_world(world.scenario, world.scenario_hash, driver_uncertainty=False)
    same = build_world(world.scenario, world.scenario_hash, drivers=_identical_ally_drivers(world.drivers))
    real = simulate(point, RUNS, seed=2).metric("consensus")[:, -1]
    identical = simulate(same, RUNS, seed=2).metric("consensus")[:, -1]
    low, high = np.quantile(identical - real, [0.05, 0.95])
    assert low > 0 or high < 0, (scenario, low, high)


#: Legacy drivers with the legacy weights (docs/model.md section 7).
LEGACY = ({"driver_source": "legacy"}, [{"energy_weight": 1.16, "threat_weight": 0.79, "leadership_weight": 1.67,
                                         "baseline_stance": 0.548}])


def _drift(options, layers, extra):
    """Largest distance of the baseline's mean consensus and cohesion from their week-0 values (index points)."""
    spec_world = make_world("baseline")
    world = build_world(spec_world.scenario, spec_world.scenario_hash, [*layers, *extra], **options)
    result = simulate(world, 30, seed=4)
    return {name: np.abs(result.metric(name).mean(axis=0) - result.metric(name)[:, 0].mean()).max()
            for name in ("consensus", "cohesion")}


@pytest.mark.parametrize("options, layers", [({"driver_uncertainty": False}, []), ({}, []), LEGACY],
                         ids=["measured-point", "measured-draws", "legacy"])
def test_no_drift_from_averaging_alone(options, layers):
    """With peer_weight 0 the baseline's consensus and cohesion stay near their week-0 values.

    Week 0 has no spread over runs (initial stances are the coded positions and the point
    drivers' targets), so 'within the week-0 interval' is read as within two index points.
    The held positions make the initial stances the week-0 fixed point with peers too
    (docs/model.md, section 8); without them (``position_persistence`` 0) members relax to
    what their drivers and peers predict and the baseline moves, which shows the check can fail.
    """
    for extra in ([{"peer_weight": 0.0}], []):
        assert max(_drift(options, layers, extra).values()) < 2.0, extra
    relaxing = _drift(options, layers, [{"position_persistence": 0.0}])
    assert max(relaxing.values()) > 5.0, relaxing


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


@pytest.mark.parametrize("persistence", [0.0, 0.5, 1.0])
def test_fj_equilibrium_equals_a_2000_week_simulation(persistence):
    spec = ScenarioSpec(name="still", title="t", description="t", article_basis="t",
                        params={"noise_sd": 0.0, "position_persistence": persistence})
    world = build_world(spec, "x", horizon=2000, driver_uncertainty=False)  # the equilibrium of the point drivers
    result = simulate(world, 1, seed=1)
    mp = world.member_params
    expected = fj_equilibrium(
        world.peer_weights, world.calm_target(), world.initial_stance, world.eu_line0,
        world.params.eu_weight * world.members.eu_member, mp["peer_weight"], mp["anchor_weight"],
    )
    assert np.abs(result.horizon_stance[0] - expected).max() < 1e-9
    moved = np.abs(world.initial_stance - expected).max()
    if persistence == 1.0:  # the held 27 January stances are the fixed point
        assert moved < 1e-9
    else:  # members relax from them
        assert moved > 0.05


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
