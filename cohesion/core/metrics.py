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


def bipolarization(stance: np.ndarray) -> np.ndarray:
    """Bloc polarization per issue, averaged over issues, in [0, 1].

    Members are split into the two blocs that minimise the within-bloc sum of
    squares (optimal 1-D two-means, found exactly over sorted stances); the
    score is ``4 n1 n2 / N^2 * |mean2 - mean1|``: 1 for two equal blocs at 0
    and 1, 0 when all agree.
    """
    x = np.sort(stance, axis=-2)
    n = x.shape[-2]
    left_n = np.arange(1, n, dtype=float)[:, None]  # split after position s: (N-1, 1)
    right_n = n - left_n
    csum = np.cumsum(x, axis=-2)
    total = csum[..., -1:, :]
    left_sum = csum[..., :-1, :]
    right_sum = total - left_sum
    left_mean = left_sum / left_n
    right_mean = right_sum / right_n
    # Within-bloc SS = sum x^2 - n1 m1^2 - n2 m2^2; the first term is the same for every split.
    between = left_n * left_mean**2 + right_n * right_mean**2
    best = np.argmax(between, axis=-2)[..., None, :]
    gap = np.take_along_axis(right_mean - left_mean, best, axis=-2)[..., 0, :]
    n1 = np.take_along_axis(np.broadcast_to(left_n, between.shape), best, axis=-2)[..., 0, :]
    score = 4.0 * n1 * (n - n1) / n**2 * np.abs(gap)
    return score.mean(axis=-1)


def cohesion_scores(stance: np.ndarray, leaders: np.ndarray, thresholds: Thresholds) -> dict[str, np.ndarray]:
    """The cohesion index (0-100) and its components for stances (..., N, K).

    ``index = 100 (w_s spread + w_a alignment + w_f feasibility + w_g agreement
    + w_p (1 - polarization))``.
    """
    blocks = blocking(stance, thresholds.block_threshold)
    spread = spread_score(stance)
    alignment = member_alignment(stance, leaders).mean(axis=-1)
    feasibility = consensus_feasibility(blocks)
    agreement = agreement_index(stance, thresholds.vote_yes_threshold, thresholds.vote_no_threshold)
    polarization = bipolarization(stance)
    w = thresholds.weights
    index = 100.0 * (
        w[0] * spread + w[1] * alignment + w[2] * feasibility + w[3] * agreement + w[4] * (1.0 - polarization)
    )
    return {
        "cohesion_index": index,
        "spread": spread,
        "alignment": alignment,
        "consensus_feasibility": feasibility,
        "agreement_index": agreement,
        "polarization": polarization,
        "consensus_blockers": consensus_blockers(blocks).astype(float),
    }
