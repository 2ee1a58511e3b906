"""Properties: bounds, order-invariance, determinism, and events never change the past."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cohesion.constants import RUN_METRICS
from cohesion.core.metrics import ScoringRule, member_alignment, scores
from cohesion.engines import simulate
from cohesion.inputs import load_members
from cohesion.scenarios import EventSpec, ScenarioSpec
from cohesion.world import build_world

stances = arrays(np.float64, st.tuples(st.integers(3, 12), st.integers(1, 6)), elements=st.floats(0, 1))


def _rule(n: int, k: int, width: float = 0.3) -> ScoringRule:
    return ScoringRule(np.full((n, k), width), np.arange(n) % 2 == 0, np.arange(k) == 0, 0.6, 0.4)


@settings(max_examples=200, deadline=None)
@given(stances, st.floats(0, 1), st.floats(0, 0.6))
def test_scores_within_bounds(stance, proposal_level, width):
    n, k = stance.shape
    proposal = np.full(k, proposal_level)
    found = scores(stance, proposal, _rule(n, k, width))
    for name in ("consensus", "cohesion", "eu_consensus"):
        assert -1e-9 <= found[name] <= 100.0 + 1e-9, name
    for name in ("alignment", "agreement_index"):
        assert -1e-12 <= found[name] <= 1.0 + 1e-12, name
    assert 0 <= found["consensus_blockers"] <= n
    alignment = member_alignment(stance, proposal)
    assert np.all((alignment >= -1e-12) & (alignment <= 1 + 1e-12))
    # with no blocker the proposal passes undiluted on every issue; any dilution has a blocker behind it
    if found["consensus_blockers"] == 0:
        assert found["consensus"] == pytest.approx(100.0, abs=1e-9)
    if found["consensus"] < 100.0 - 1e-9:
        assert found["consensus_blockers"] > 0


@settings(max_examples=200, deadline=None)
@given(stances, st.randoms(use_true_random=False))
def test_scores_ignore_member_order(stance, random):
    n, k = stance.shape
    order = list(range(n))
    random.shuffle(order)
    rule = _rule(n, k)
    before = scores(stance, np.ones(k), rule)
    shuffled = ScoringRule(rule.window[order], rule.eu_member[order], rule.eu_issues, 0.6, 0.4)
    after = scores(stance[order], np.ones(k), shuffled)
    for name in before:
        assert after[name] == pytest.approx(before[name], abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(stances, st.floats(0.01, 0.3))
def test_moving_a_laggard_towards_the_proposal_never_lowers_its_alignment_or_the_consensus(stance, step):
    n, k = stance.shape
    proposal = np.ones(k)
    moved = stance.copy()
    moved[-1] = stance[-1] + np.clip(proposal - stance[-1], -step, step)
    assert member_alignment(moved, proposal)[-1] >= member_alignment(stance, proposal)[-1] - 1e-12
    rule = _rule(n, k)
    # moving the member furthest from the proposal towards it can only widen what everyone accepts
    lowest = np.argmin(stance, axis=0)
    raised = stance.copy()
    raised[lowest, np.arange(k)] = np.minimum(1.0, stance[lowest, np.arange(k)] + step)
    assert scores(raised, proposal, rule)["consensus"] >= scores(stance, proposal, rule)["consensus"] - 1e-9


def _deterministic_scenario(events=()) -> ScenarioSpec:
    return ScenarioSpec(
        name="property-test", title="t", description="t", article_basis="t", weeks=12, params={"noise_sd": 0.0},
        events=list(events),
    )


@settings(max_examples=8, deadline=None)
@given(st.permutations(list(range(30))))
def test_model_is_invariant_to_member_order(order):
    """With no noise, reordering the members permutes member results and leaves scores unchanged."""
    members = load_members()
    shuffled = members.reordered(order)
    events = [EventSpec(week=3, type="gas_supply", target="eu_members", magnitude=0.5),
              EventSpec(week=5, type="stance_shock", target="DEU", issue="sanctions", magnitude=0.2)]
    spec = _deterministic_scenario(events)
    a = simulate(build_world(spec, "x", members=members), 2, seed=5)
    b = simulate(build_world(spec, "x", members=shuffled), 2, seed=5)
    np.testing.assert_allclose(a.run_metrics, b.run_metrics, atol=1e-12)
    np.testing.assert_allclose(a.horizon_stance[:, order], b.horizon_stance, atol=1e-12)
    np.testing.assert_allclose(a.component_mean[:, order], b.component_mean, atol=1e-12)


def test_same_seed_same_numbers_different_seed_different(baseline_world):
    a = simulate(baseline_world, 20, seed=11)
    b = simulate(baseline_world, 20, seed=11)
    c = simulate(baseline_world, 20, seed=12)
    assert np.array_equal(a.run_metrics, b.run_metrics)
    assert np.array_equal(a.horizon_stance, b.horizon_stance)
    assert not np.array_equal(a.run_metrics, c.run_metrics)


def test_runs_do_not_depend_on_ensemble_size(baseline_world):
    """Run r of an ensemble is the same whether 5 or 40 runs are simulated."""
    small = simulate(baseline_world, 5, seed=3)
    large = simulate(baseline_world, 40, seed=3)
    np.testing.assert_array_equal(small.run_metrics, large.run_metrics[:5])


EVENT_CASES = [
    EventSpec(week=6, type="threat_level", target="RUS", magnitude=0.3, magnitude_sd=0.1, probability=0.7),
    EventSpec(week=6, type="gas_supply", target="all", magnitude=0.8),
    EventSpec(week=6, type="hybrid_attack", target="Baltic", magnitude=0.3),
    EventSpec(week=6, type="leadership_credibility", target="allies", magnitude=-0.5),
    EventSpec(week=6, type="eu_line", target="EU", issue="sanctions", magnitude=0.9, mode="set"),
    EventSpec(week=6, type="eu_weight", target="EU", magnitude=0.5),
    EventSpec(week=6, type="stance_shock", target="HRV", issue="open_door", magnitude=0.5),
    EventSpec(week=6, type="proposal", target="leaders", issue="open_door", magnitude=-0.3),
]


@pytest.mark.parametrize("event", EVENT_CASES, ids=lambda e: e.type)
def test_event_at_week_t_leaves_everything_before_t_unchanged(event):
    base = ScenarioSpec(name="base", title="t", description="t", article_basis="t", weeks=15,
                        events=[EventSpec(week=2, type="threat_level", target="RUS", magnitude=0.1, probability=0.5)])
    changed = base.model_copy(update={"events": [*base.events, event]})
    a = simulate(build_world(base, "a"), 10, seed=9)
    b = simulate(build_world(changed, "b"), 10, seed=9)
    t = event.week
    np.testing.assert_array_equal(a.run_metrics[:, :t], b.run_metrics[:, :t])
    np.testing.assert_array_equal(a.stance_mean[:t], b.stance_mean[:t])
    np.testing.assert_array_equal(a.blocker_share[:t], b.blocker_share[:t])
    if event.type == "proposal":  # the proposal changes what is scored, not the stances of its week
        assert not np.allclose(a.run_metrics[:, t], b.run_metrics[:, t]), "the event had no effect in its own week"
    else:
        assert not np.allclose(a.stance_mean[t], b.stance_mean[t]), "the event had no effect in its own week"


def test_metric_order_matches_constants(baseline_world):
    result = simulate(baseline_world, 2, seed=1)
    assert result.run_metrics.shape[-1] == len(RUN_METRICS)
    for name in ("consensus", "cohesion"):
        index = result.metric(name)
        assert np.all((index >= 0) & (index <= 100))
