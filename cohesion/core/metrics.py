"""Cohesion scores: pure functions of stances (docs/model.md, "Cohesion scores").

Every function takes stances of shape (..., N, K) (members, issues) and works
over any leading axes (runs, weeks). Members count equally: NATO decides by
consensus of equals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: The largest population standard deviation of values in [0, 1].
MAX_STD = 0.5


@dataclass(frozen=True)
class Thresholds:
    """Stance thresholds and index weights used by the scores."""

    block_threshold: float
    vote_yes_threshold: float
    vote_no_threshold: float
    weights: tuple[float, float, float, float, float]  # spread, alignment, feasibility, agreement, polarization


def us_uk_line(stance: np.ndarray, leaders: np.ndarray) -> np.ndarray:
    """The U.S.-UK line per issue: the leaders' mean stance, shape (..., K)."""
    return stance[..., leaders, :].mean(axis=-2)


def member_alignment(stance: np.ndarray, leaders: np.ndarray) -> np.ndarray:
    """Alignment of each member with the U.S.-UK line: ``1 - mean_k |x_ik - line_k|``, (..., N)."""
    line = us_uk_line(stance, leaders)
    return 1.0 - np.abs(stance - line[..., None, :]).mean(axis=-1)


def spread_score(stance: np.ndarray) -> np.ndarray:
    """``1 - mean_k std_i(x_ik) / 0.5``: 1 when all members agree, 0 at maximal spread."""
    return 1.0 - stance.std(axis=-2).mean(axis=-1) / MAX_STD


def blocking(stance: np.ndarray, block_threshold: float) -> np.ndarray:
    """Which members would block a consensus decision at the U.S.-UK line, (..., N, K) bool."""
    return stance < block_threshold


def consensus_feasibility(blocks: np.ndarray) -> np.ndarray:
    """Share of issues on which no member blocks."""
    return (~blocks.any(axis=-2)).mean(axis=-1)


def consensus_blockers(blocks: np.ndarray) -> np.ndarray:
    """Number of members that block at least one issue."""
    return blocks.any(axis=-1).sum(axis=-1)


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


def bipolarization(stance: np.ndarray, issue_major: np.ndarray | None = None) -> np.ndarray:
    """Bloc polarization per issue, averaged over issues, in [0, 1].

    Members are split into the two blocs that minimise the within-bloc sum of
    squares (optimal 1-D two-means, found exactly over sorted stances); the
    score is ``4 n1 n2 / N^2 * |mean2 - mean1|``: 1 for two equal blocs at 0
    and 1, 0 when all agree. ``issue_major`` may pass the stances already
    transposed to (..., K, N).
    """
    x = np.sort(np.swapaxes(stance, -1, -2) if issue_major is None else issue_major, axis=-1)  # (..., K, N)
    n = x.shape[-1]
    left_n = np.arange(1, n, dtype=float)  # split after sorted position s: bloc sizes n1 = 1..N-1
    csum = np.cumsum(x, axis=-1)
    mean = csum[..., -1:] / n
    # With D = S1 - n1 * mean (S1 the sum of the lower bloc), the between-bloc sum of squares is
    # N D^2 / (n1 n2), so the best split maximises D^2 / (n1 n2); and |mean2 - mean1| = N |D| / (n1 n2),
    # so the score 4 n1 n2 / N^2 |mean2 - mean1| equals 4 |D| / N.
    deviation = csum[..., :-1] - left_n * mean
    objective = deviation * deviation
    objective *= 1.0 / (left_n * (n - left_n))
    best = np.argmax(objective, axis=-1)[..., None]
    score = (4.0 / n) * np.abs(np.take_along_axis(deviation, best, axis=-1)[..., 0])
    return score.mean(axis=-1)


def score_details(
    stance: np.ndarray, leaders: np.ndarray, thresholds: Thresholds
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """The scores plus the member alignment (..., N) and blocking (..., N, K) behind them.

    Computes the same formulas as the single-score functions above, on one
    issue-major copy of the stances (members on the last, contiguous axis),
    which is what makes recording every week of large ensembles cheap.
    """
    xt = np.ascontiguousarray(np.swapaxes(stance, -1, -2))  # (..., K, N)
    n = xt.shape[-1]
    line = np.take(xt, np.flatnonzero(leaders), axis=-1).mean(axis=-1)  # (..., K)
    gaps = xt - line[..., None]
    np.abs(gaps, out=gaps)
    alignment_members = 1.0 - gaps.mean(axis=-2)  # (..., N)
    spread = 1.0 - xt.std(axis=-1).mean(axis=-1) / MAX_STD
    blocks_t = xt < thresholds.block_threshold  # (..., K, N)
    feasibility = (np.count_nonzero(blocks_t, axis=-1) == 0).mean(axis=-1)
    blockers = np.count_nonzero(blocks_t.any(axis=-2), axis=-1).astype(float)
    yes = np.count_nonzero(xt >= thresholds.vote_yes_threshold, axis=-1)
    no = np.count_nonzero(xt < thresholds.vote_no_threshold, axis=-1)
    top = np.maximum(np.maximum(yes, no), n - yes - no)
    agreement = ((top - 0.5 * (n - top)) / n).mean(axis=-1)
    polarization = bipolarization(stance, issue_major=xt)
    w = thresholds.weights
    index = 100.0 * (
        w[0] * spread + w[1] * alignment_members.mean(axis=-1) + w[2] * feasibility + w[3] * agreement
        + w[4] * (1.0 - polarization)
    )
    scores = {
        "cohesion_index": index,
        "spread": spread,
        "alignment": alignment_members.mean(axis=-1),
        "consensus_feasibility": feasibility,
        "agreement_index": agreement,
        "polarization": polarization,
        "consensus_blockers": blockers,
    }
    return scores, alignment_members, np.swapaxes(blocks_t, -1, -2)


def cohesion_scores(stance: np.ndarray, leaders: np.ndarray, thresholds: Thresholds) -> dict[str, np.ndarray]:
    """The cohesion index (0-100) and its components for stances (..., N, K).

    ``index = 100 (w_s spread + w_a alignment + w_f feasibility + w_g agreement
    + w_p (1 - polarization))``.
    """
    return score_details(stance, leaders, thresholds)[0]
