"""Hand-computed cases for every score and the consensus rule."""

from __future__ import annotations

import numpy as np
import pytest

from cohesion.core.metrics import (
    ScoringRule,
    acceptance_window,
    adoption,
    agreement_index,
    cohesion_score,
    consensus_score,
    decisions,
    dilution_needed,
    member_alignment,
    score_details,
    scores,
)

# 4 members x 2 issues
STANCE = np.array(
    [
        [1.0, 0.8],
        [0.8, 0.8],
        [0.5, 0.2],
        [0.1, 0.6],
    ]
)
PROPOSAL = np.array([1.0, 0.9])
WINDOW = np.full((4, 2), 0.3)
EU = np.array([False, True, True, False])
RULE = ScoringRule(WINDOW, EU, np.array([False, True]), 0.6, 0.4)


def test_alignment_is_measured_against_the_proposal_not_the_leaders():
    # |x - p| per issue, mean over issues, 1 - that; no member is privileged
    expected = [1 - (0.0 + 0.1) / 2, 1 - (0.2 + 0.1) / 2, 1 - (0.5 + 0.7) / 2, 1 - (0.9 + 0.3) / 2]
    assert member_alignment(STANCE, PROPOSAL) == pytest.approx(expected)
    # a member at the proposal is perfectly aligned even if the first members (say the leaders) are not
    assert member_alignment(np.array([[0.2], [0.7]]), np.array([0.7])) == pytest.approx([0.5, 1.0])


def test_cohesion_by_hand():
    std0 = np.std([1.0, 0.8, 0.5, 0.1])
    std1 = np.std([0.8, 0.8, 0.2, 0.6])
    assert cohesion_score(STANCE) == pytest.approx(100 * (1 - (std0 + std1) / 2 / 0.5))
    assert cohesion_score(np.full((5, 3), 0.7)) == pytest.approx(100.0)
    assert cohesion_score(np.array([[0.0], [1.0]])) == pytest.approx(0.0)


def test_acceptance_window_narrows_with_salience():
    salience = np.array([[0.0, 1.0], [0.5, 0.2]])
    np.testing.assert_allclose(acceptance_window(salience, 0.4, 0.5), [[0.4, 0.2], [0.3, 0.36]])


@pytest.mark.parametrize("runs", [2, 30])  # 30 runs of 30 members must not be read as one tolerance per member
def test_acceptance_window_with_one_tolerance_per_run(runs):
    salience = np.random.default_rng(0).random((30, 6))
    tolerance = np.linspace(0.1, 0.9, runs)
    windows = acceptance_window(salience, tolerance, np.full(runs, 0.5))
    assert windows.shape == (runs, 30, 6)
    for r in (0, runs - 1):
        np.testing.assert_allclose(windows[r], acceptance_window(salience, float(tolerance[r]), 0.5))


def test_consensus_rule_by_hand():
    # issue 0: windows [0.7,1.3] [0.5,1.1] [0.2,0.8] [-0.2,0.4]: lo 0.7 > hi 0.4, no decision
    # issue 1: windows [0.5,1.1] [0.5,1.1] [-0.1,0.5] [0.3,0.9]: [0.5, 0.5]; decision 0.5 (proposal 0.9 diluted)
    decision, decided = decisions(STANCE, PROPOSAL, WINDOW)
    assert decided.tolist() == [False, True]
    assert np.isnan(decision[0]) and decision[1] == pytest.approx(0.5)
    assert adoption(STANCE, PROPOSAL, WINDOW) == pytest.approx([0.0, 0.6])
    assert consensus_score(STANCE, PROPOSAL, WINDOW) == pytest.approx(100 * 0.6 / 2)
    # everyone within reach of the proposal: it passes undiluted
    close = np.array([[0.9], [0.8], [0.75]])
    assert consensus_score(close, np.array([1.0]), np.full((3, 1), 0.3)) == pytest.approx(100.0)


def test_blockers_and_dilution_needed_by_hand():
    dilution = dilution_needed(STANCE, PROPOSAL, WINDOW)
    np.testing.assert_allclose(dilution, [[0.0, 0.0], [0.0, 0.0], [0.2, 0.4], [0.6, 0.0]], atol=1e-12)
    found, _, recorded = score_details(STANCE, PROPOSAL, RULE)
    assert found["consensus_blockers"] == 2
    np.testing.assert_allclose(recorded, dilution)


def test_eu_unanimity_counts_only_eu_members_on_eu_issues():
    # EU members 1 and 2 on issue 1: windows [0.5,1.1] and [-0.1,0.5]: decision 0.5, adoption 0.6
    assert scores(STANCE, PROPOSAL, RULE)["eu_consensus"] == pytest.approx(60.0)


def test_agreement_index_by_hand():
    # issue 0: yes (>=0.6): 1.0, 0.8 -> Y=2; no (<0.4): 0.1 -> N=1; abstain: 0.5 -> A=1
    # AI = (2 - 0.5 * (4 - 2)) / 4 = 0.25
    # issue 1: yes: 0.8, 0.8, 0.6 -> Y=3; no: 0.2 -> N=1; AI = (3 - 0.5) / 4 = 0.625
    assert agreement_index(STANCE, 0.6, 0.4) == pytest.approx((0.25 + 0.625) / 2)
    assert agreement_index(np.full((6, 1), 0.9), 0.6, 0.4) == pytest.approx(1.0)
    three_way = np.array([[0.9], [0.9], [0.5], [0.5], [0.1], [0.1]])
    assert agreement_index(three_way, 0.6, 0.4) == pytest.approx(0.0)


def test_perfect_unity_at_the_proposal_scores_100():
    stance = np.full((30, 6), 1.0)
    rule = ScoringRule(np.full((30, 6), 0.2), np.ones(30, bool), np.ones(6, bool), 0.6, 0.4)
    found = scores(stance, np.ones(6), rule)
    assert found["consensus"] == pytest.approx(100.0) and found["cohesion"] == pytest.approx(100.0)
    assert found["eu_consensus"] == pytest.approx(100.0) and found["consensus_blockers"] == 0


def test_batched_equals_one_by_one():
    rng = np.random.default_rng(3)
    stance = rng.random((5, 7, 4, 2))  # runs x weeks x members x issues
    proposal = rng.random((5, 7, 2))
    batched = scores(stance, proposal, RULE)
    for r in range(5):
        for t in range(7):
            single = scores(stance[r, t], proposal[r, t], RULE)
            for name, value in single.items():
                assert batched[name][r, t] == pytest.approx(value, abs=1e-12)


def test_recorded_scores_match_single_functions_on_random_ensembles():
    """score_details (what the engines record) computes the same numbers as the single-score functions."""
    rng = np.random.default_rng(11)
    stance = rng.random((200, 30, 6))
    stance[:20] = 0.42  # no spread at all: the variance must not go negative or lose precision
    proposal = np.clip(1.0 - 0.3 * rng.random((200, 6)), 0, 1)
    window = rng.uniform(0.1, 0.6, (30, 6))
    rule = ScoringRule(window, rng.random(30) < 0.7, np.array([False, False, True, False, False, True]), 0.6, 0.4)
    found, alignment, dilution = score_details(stance, proposal, rule)
    expected = scores(stance, proposal, rule)
    for name, value in expected.items():
        np.testing.assert_allclose(found[name], value, atol=1e-12, err_msg=name)
    np.testing.assert_allclose(alignment, member_alignment(stance, proposal), atol=1e-12)
    np.testing.assert_allclose(dilution, dilution_needed(stance, proposal, window), atol=1e-12)
    assert np.all(found["cohesion"][:20] == 100.0)
    assert 0 < (found["consensus"] > 0).mean() < 1  # the case has issues decided and issues not
