"""Properties: bounds, order-invariance, determinism, and events never change the past."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cohesion.constants import RUN_METRICS
from cohesion.core.metrics import Thresholds, cohesion_scores, member_alignment
from cohesion.engines import simulate
from cohesion.inputs import load_members
from cohesion.scenarios import EventSpec, ScenarioSpec
from cohesion.world import build_world

stances = arrays(np.float64, st.tuples(st.integers(3, 12), st.integers(1, 6)), elements=st.floats(0, 1))
THRESHOLDS = Thresholds(0.3, 0.6, 0.4, (0.2, 0.3, 0.2, 0.15, 0.15))


@settings(max_examples=200, deadline=None)
@given(stances)
def test_scores_within_bounds(stance):
    leaders = np.zeros(stance.shape[0], dtype=bool)
    leaders[:2] = True
    scores = cohesion_scores(stance, leaders, THRESHOLDS)
    assert 0.0 <= scores["cohesion_index"] <= 100.0 + 1e-9
    for name in ("spread", "alignment", "consensus_feasibility", "agreement_index", "polarization"):
        assert -1e-12 <= scores[name] <= 1.0 + 1e-12, name
    assert 0 <= scores["consensus_blockers"] <= stance.shape[0]
    alignment = member_alignment(stance, leaders)
    assert np.all((alignment >= -1e-12) & (alignment <= 1 + 1e-12))


@settings(max_examples=200, deadline=None)
@given(stances, st.randoms(use_true_random=False))
def test_scores_ignore_member_order(stance, random):
    leaders = np.zeros(stance.shape[0], dtype=bool)
    leaders[:2] = True
    order = list(range(stance.shape[0]))
    random.shuffle(order)
    before = cohesion_scores(stance, leaders, THRESHOLDS)
    after = cohesion_scores(stance[order], leaders[order], THRESHOLDS)
    for name in before:
        assert after[name] == pytest.approx(before[name], abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(stances, st.floats(0.01, 0.3))
def test_moving_a_laggard_towards_the_line_never_lowers_its_alignment(stance, step):
    leaders = np.zeros(stance.shape[0], dtype=bool)
    leaders[:2] = True
    line = stance[leaders].mean(axis=0)
    moved = stance.copy()
    moved[-1] = stance[-1] + np.clip(line - stance[-1], -step, step)
    assert member_alignment(moved, leaders)[-1] >= member_alignment(stance, leaders)[-1] - 1e-12


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
    assert not np.allclose(a.stance_mean[t], b.stance_mean[t]), "the event had no effect in its own week"


def test_metric_order_matches_constants(baseline_world):
    result = simulate(baseline_world, 2, seed=1)
    assert result.run_metrics.shape[-1] == len(RUN_METRICS)
    index = result.metric("cohesion_index")
    assert np.all((index >= 0) & (index <= 100))
