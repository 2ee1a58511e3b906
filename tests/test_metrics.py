"""Hand-computed cases for every cohesion score."""

from __future__ import annotations

import numpy as np
import pytest

from cohesion.core.metrics import (
    Thresholds,
    agreement_index,
    bipolarization,
    blocking,
    cohesion_scores,
    consensus_blockers,
    consensus_feasibility,
    member_alignment,
    score_details,
    spread_score,
    us_uk_line,
)

LEADERS = np.array([True, True, False, False])
# 4 members (two leaders first) x 2 issues
STANCE = np.array(
    [
        [1.0, 0.8],
        [0.8, 0.8],
        [0.5, 0.2],
        [0.1, 0.6],
    ]
)
THRESHOLDS = Thresholds(0.3, 0.6, 0.4, (0.2, 0.3, 0.2, 0.15, 0.15))


def test_line_is_leaders_mean():
    assert us_uk_line(STANCE, LEADERS) == pytest.approx([0.9, 0.8])


def test_member_alignment_by_hand():
    # |x - line| per issue, mean over issues, 1 - that
    expected = [1 - (0.1 + 0.0) / 2, 1 - (0.1 + 0.0) / 2, 1 - (0.4 + 0.6) / 2, 1 - (0.8 + 0.2) / 2]
    assert member_alignment(STANCE, LEADERS) == pytest.approx(expected)


def test_spread_by_hand():
    std0 = np.std([1.0, 0.8, 0.5, 0.1])
    std1 = np.std([0.8, 0.8, 0.2, 0.6])
    assert spread_score(STANCE) == pytest.approx(1 - (std0 + std1) / 2 / 0.5)
    assert spread_score(np.full((5, 3), 0.7)) == pytest.approx(1.0)
    assert spread_score(np.array([[0.0], [1.0]])) == pytest.approx(0.0)


def test_blocking_and_feasibility_by_hand():
    blocks = blocking(STANCE, 0.3)
    assert blocks.tolist() == [[False, False], [False, False], [False, True], [True, False]]
    assert consensus_feasibility(blocks) == pytest.approx(0.0)  # both issues have a blocker
    assert consensus_blockers(blocks) == 2
    assert consensus_feasibility(blocking(STANCE, 0.15)) == pytest.approx(0.5)


def test_agreement_index_by_hand():
    # issue 0: yes (>=0.6): 1.0, 0.8 -> Y=2; no (<0.4): 0.1 -> N=1; abstain: 0.5 -> A=1
    # AI = (2 - 0.5 * (4 - 2)) / 4 = 0.25
    # issue 1: yes: 0.8, 0.8, 0.6 -> Y=3; no: 0.2 -> N=1; AI = (3 - 0.5) / 4 = 0.625
    assert agreement_index(STANCE, 0.6, 0.4) == pytest.approx((0.25 + 0.625) / 2)
    # unanimity gives 1, an even three-way split gives 0
    assert agreement_index(np.full((6, 1), 0.9), 0.6, 0.4) == pytest.approx(1.0)
    three_way = np.array([[0.9], [0.9], [0.5], [0.5], [0.1], [0.1]])
    assert agreement_index(three_way, 0.6, 0.4) == pytest.approx(0.0)


def test_bipolarization_by_hand():
    assert bipolarization(np.array([[0.0], [0.0], [1.0], [1.0]])) == pytest.approx(1.0)
    assert bipolarization(np.full((4, 1), 0.3)) == pytest.approx(0.0)
    # best split {0.2, 0.5} | {0.9, 1.0}: 4 * 2 * 2 / 16 * (0.95 - 0.35)
    assert bipolarization(np.array([[0.2], [0.5], [0.9], [1.0]])) == pytest.approx(0.6)
    # a lone outlier: split {0,0,0} | {1}: 4 * 3 * 1 / 16 * 1 = 0.75
    assert bipolarization(np.array([[0.0], [0.0], [0.0], [1.0]])) == pytest.approx(0.75)


def test_cohesion_index_combines_components_by_hand():
    scores = cohesion_scores(STANCE, LEADERS, THRESHOLDS)
    spread = spread_score(STANCE)
    alignment = member_alignment(STANCE, LEADERS).mean()
    polar = (bipolarization(STANCE[:, :1]) + bipolarization(STANCE[:, 1:])) / 2
    expected = 100 * (0.2 * spread + 0.3 * alignment + 0.2 * 0.0 + 0.15 * 0.4375 + 0.15 * (1 - polar))
    assert scores["cohesion_index"] == pytest.approx(expected)
    assert scores["consensus_blockers"] == 2


def test_perfect_unity_scores_100():
    stance = np.full((30, 6), 1.0)
    leaders = np.zeros(30, dtype=bool)
    leaders[:2] = True
    assert cohesion_scores(stance, leaders, THRESHOLDS)["cohesion_index"] == pytest.approx(100.0)


def test_batched_equals_one_by_one():
    rng = np.random.default_rng(3)
    stance = rng.random((5, 7, 4, 3))  # runs x weeks x members x issues
    leaders = np.array([True, False, True, False])
    batched = cohesion_scores(stance, leaders, THRESHOLDS)
    for r in range(5):
        for t in range(7):
            single = cohesion_scores(stance[r, t], leaders, THRESHOLDS)
            for name, value in single.items():
                assert batched[name][r, t] == pytest.approx(value, abs=1e-12)


def test_recorded_scores_are_the_hand_checked_ones():
    """score_details (what the engines record) equals the single-score functions, component by component."""
    scores, alignment, blocks = score_details(STANCE, LEADERS, THRESHOLDS)
    assert scores["spread"] == pytest.approx(spread_score(STANCE), abs=1e-15)
    assert scores["alignment"] == pytest.approx(member_alignment(STANCE, LEADERS).mean(), abs=1e-15)
    assert scores["consensus_feasibility"] == pytest.approx(0.0)
    assert scores["agreement_index"] == pytest.approx((0.25 + 0.625) / 2)
    assert scores["polarization"] == pytest.approx(bipolarization(STANCE), abs=1e-15)
    assert scores["consensus_blockers"] == 2
    assert alignment == pytest.approx(member_alignment(STANCE, LEADERS))
    assert blocks.tolist() == blocking(STANCE, 0.3).tolist()


def test_recorded_scores_match_single_functions_on_random_ensembles():
    rng = np.random.default_rng(11)
    stance = rng.random((200, 30, 6))
    stance[:20] = 0.42  # no spread at all: the variance must not go negative or lose precision
    leaders = np.zeros(30, dtype=bool)
    leaders[[3, 17]] = True
    scores, alignment, blocks = score_details(stance, leaders, THRESHOLDS)
    np.testing.assert_allclose(scores["spread"], spread_score(stance), atol=1e-12)
    np.testing.assert_allclose(scores["agreement_index"], agreement_index(stance, 0.6, 0.4), atol=1e-12)
    np.testing.assert_allclose(scores["consensus_feasibility"], consensus_feasibility(blocking(stance, 0.3)), atol=0)
    np.testing.assert_allclose(scores["consensus_blockers"], consensus_blockers(blocking(stance, 0.3)), atol=0)
    np.testing.assert_allclose(scores["polarization"], bipolarization(stance), atol=1e-12)
    np.testing.assert_allclose(alignment, member_alignment(stance, leaders), atol=1e-12)
    np.testing.assert_allclose(scores["cohesion_index"], cohesion_scores(stance, leaders, THRESHOLDS)["cohesion_index"], atol=0)
    assert np.all(scores["spread"][:20] == 1.0)
