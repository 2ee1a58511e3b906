"""Scores: pure functions of stances and the leaders' proposal (docs/model.md, "Scores").

Every function takes stances of shape (..., N, K) (members, issues) and works
over any leading axes (runs, weeks); the proposal is (..., K). Members count
equally: NATO decides by consensus of equals.

Two scores mean one thing each:

- **Consensus** (0-100): how much of the leaders' proposal the alliance can
  adopt under the consensus rule, across issues;
- **Cohesion** (0-100): agreement among the allies themselves (low dispersion
  of stances), whatever the proposal.

Alignment with the proposal is a per-member measure; the Agreement Index and
the blockers are reported beside the scores.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: The largest population standard deviation of values in [0, 1].
MAX_STD = 0.5


@dataclass(frozen=True)
class ScoringRule:
    """What the scores need beyond the stances: acceptance windows, the EU, vote thresholds."""

    window: np.ndarray  # (..., N, K) half-width of each member's acceptance window
    eu_member: np.ndarray  # (N,) bool
    eu_issues: np.ndarray  # (K,) bool: issues decided by the EU by unanimity
    vote_yes_threshold: float
    vote_no_threshold: float


def acceptance_window(salience: np.ndarray, tolerance: float | np.ndarray, tightening: float | np.ndarray) -> np.ndarray:
    """Half-width of each member's acceptance window: ``w_ik = tol (1 - tight sal_ik)``.

    A member accepts a decision ``y`` on issue ``k`` when ``|y - x_ik| <= w_ik``:
    the more an issue matters to it, the less it will concede.

    Args:
        salience: (N, K) issue salience.
        tolerance, tightening: Scalars, or (R,) one per run, giving (R, N, K) windows.
    """
    return np.asarray(tolerance)[..., None, None] * (1.0 - np.asarray(tightening)[..., None, None] * salience)


def member_alignment(stance: np.ndarray, proposal: np.ndarray) -> np.ndarray:
    """Alignment of each member with the leaders' proposal: ``1 - mean_k |x_ik - p_k|``, (..., N)."""
    return 1.0 - np.abs(stance - proposal[..., None, :]).mean(axis=-1)


def cohesion_score(stance: np.ndarray) -> np.ndarray:
    """``100 (1 - mean_k std_i(x_ik) / 0.5)``: 100 when all members agree, 0 at maximal dispersion."""
    return 100.0 * (1.0 - stance.std(axis=-2).mean(axis=-1) / MAX_STD)


def decisions(stance: np.ndarray, proposal: np.ndarray, window: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The alliance decision per issue under the consensus rule.

    Every member accepts the points of ``[x_ik - w_ik, x_ik + w_ik]``; the
    positions all accept are ``[lo_k, hi_k] = [max_i (x_ik - w_ik), min_i (x_ik + w_ik)]``
    (within [0, 1]). The decision is the point of that interval closest to the
    proposal, ``clip(p_k, lo_k, hi_k)``: the proposal itself if everyone accepts
    it, else the most ambitious position everyone accepts. There is no
    decision where the windows do not overlap (``lo_k > hi_k``).

    Returns:
        The decision (..., K) (NaN where there is none) and whether there is one (..., K) bool.
    """
    low = np.maximum((stance - window).max(axis=-2), 0.0)
    high = np.minimum((stance + window).min(axis=-2), 1.0)
    decided = low <= high
    decision = np.where(decided, np.clip(proposal, low, np.maximum(low, high)), np.nan)
    return decision, decided


def adoption(stance: np.ndarray, proposal: np.ndarray, window: np.ndarray) -> np.ndarray:
    """How much of the proposal is adopted per issue, in [0, 1], (..., K).

    ``c_k = 1 - |d_k - p_k|`` where there is a decision ``d_k``, 0 where there
    is none: 1 when the proposal passes undiluted.
    """
    decision, decided = decisions(stance, proposal, window)
    return np.where(decided, 1.0 - np.abs(np.nan_to_num(decision) - proposal), 0.0)


def consensus_score(stance: np.ndarray, proposal: np.ndarray, window: np.ndarray) -> np.ndarray:
    """``100 mean_k c_k``: 100 when every proposal passes undiluted, 0 with no decision on any issue."""
    return 100.0 * adoption(stance, proposal, window).mean(axis=-1)


def dilution_needed(stance: np.ndarray, proposal: np.ndarray, window: np.ndarray) -> np.ndarray:
    """How far the proposal must move to win each member: ``max(0, |x_ik - p_k| - w_ik)``, (..., N, K).

    A member blocks the proposal on an issue where this is positive.
    """
    return np.maximum(np.abs(stance - proposal[..., None, :]) - window, 0.0)


def vote_counts(stance: np.ndarray, yes: float, no: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Yes / no / abstain counts per issue: yes if ``x >= yes``, no if ``x < no``, else abstain."""
    yes_votes = (stance >= yes).sum(axis=-2)
    no_votes = (stance < no).sum(axis=-2)
    abstain = stance.shape[-2] - yes_votes - no_votes
    return yes_votes, no_votes, abstain


def agreement_index(stance: np.ndarray, yes: float, no: float) -> np.ndarray:
    """Hix, Noury and Roland (2005) Agreement Index, averaged over issues.

    ``AI = (max(Y, N, A) - (Y + N + A - max(Y, N, A)) / 2) / (Y + N + A)``
    per issue: 1 when all vote alike, 0 when the three options split evenly.
    """
    counts = np.stack(vote_counts(stance, yes, no), axis=-1).astype(float)
    total = counts.sum(axis=-1)
    top = counts.max(axis=-1)
    return ((top - 0.5 * (total - top)) / total).mean(axis=-1)


def score_details(
    stance: np.ndarray, proposal: np.ndarray, rule: ScoringRule
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """The scores plus the member alignment (..., N) and the dilution needed (..., N, K) behind them.

    Computes the same formulas as the single-score functions above, on one
    issue-major copy of the stances (members on the last, contiguous axis),
    which is what makes recording every week of large ensembles cheap.
    """
    xt = np.ascontiguousarray(np.swapaxes(stance, -1, -2))  # (..., K, N)
    window = np.swapaxes(rule.window, -1, -2)  # (..., K, N)
    n = xt.shape[-1]
    gaps = np.abs(xt - proposal[..., None])
    alignment_members = 1.0 - gaps.mean(axis=-2)
    gaps -= window
    dilution = np.maximum(gaps, 0.0, out=gaps)  # (..., K, N)
    low = np.maximum((xt - window).max(axis=-1), 0.0)
    high = np.minimum((xt + window).min(axis=-1), 1.0)
    adopted = np.where(low <= high, 1.0 - np.abs(np.clip(proposal, low, np.maximum(low, high)) - proposal), 0.0)
    eu_issues = np.flatnonzero(rule.eu_issues)
    eu_members = np.flatnonzero(rule.eu_member)
    eu_x = xt[..., eu_issues, :][..., eu_members]
    eu_w = np.broadcast_to(window, xt.shape)[..., eu_issues, :][..., eu_members]
    eu_low = np.maximum((eu_x - eu_w).max(axis=-1), 0.0)
    eu_high = np.minimum((eu_x + eu_w).min(axis=-1), 1.0)
    eu_p = proposal[..., eu_issues]
    eu_adopted = np.where(eu_low <= eu_high, 1.0 - np.abs(np.clip(eu_p, eu_low, np.maximum(eu_low, eu_high)) - eu_p), 0.0)
    yes = np.count_nonzero(xt >= rule.vote_yes_threshold, axis=-1)
    no = np.count_nonzero(xt < rule.vote_no_threshold, axis=-1)
    top = np.maximum(np.maximum(yes, no), n - yes - no)
    scores = {
        "consensus": 100.0 * adopted.mean(axis=-1),
        "cohesion": 100.0 * (1.0 - xt.std(axis=-1).mean(axis=-1) / MAX_STD),
        "alignment": alignment_members.mean(axis=-1),
        "agreement_index": ((top - 0.5 * (n - top)) / n).mean(axis=-1),
        "eu_consensus": 100.0 * eu_adopted.mean(axis=-1),
        "consensus_blockers": np.count_nonzero((dilution > 0).any(axis=-2), axis=-1).astype(float),
    }
    return scores, alignment_members, np.swapaxes(dilution, -1, -2)


def scores(stance: np.ndarray, proposal: np.ndarray, rule: ScoringRule) -> dict[str, np.ndarray]:
    """Every score for stances (..., N, K) and the proposal (..., K), from the single-score functions."""
    eu_stance = stance[..., rule.eu_member, :][..., rule.eu_issues]
    eu_window = np.broadcast_to(rule.window, stance.shape)[..., rule.eu_member, :][..., rule.eu_issues]
    return {
        "consensus": consensus_score(stance, proposal, rule.window),
        "cohesion": cohesion_score(stance),
        "alignment": member_alignment(stance, proposal).mean(axis=-1),
        "agreement_index": agreement_index(stance, rule.vote_yes_threshold, rule.vote_no_threshold),
        "eu_consensus": consensus_score(eu_stance, proposal[..., rule.eu_issues], eu_window),
        "consensus_blockers": np.count_nonzero(
            (dilution_needed(stance, proposal, rule.window) > 0).any(axis=-1), axis=-1
        ).astype(float),
    }
