"""The scores a results folder holds, read from its tables (one place for names, labels and columns).

Reports, findings and comparisons never hard-code which scores exist: they ask
:func:`run_scores` which metrics ``timeseries_summary.parquet`` records and
which columns of ``summary.csv`` hold their horizon mean and 90% interval. A
model that adds or renames a score needs only a label here (unknown names get
a readable one from their code).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

#: Scores shown first (timeline, key findings), in this order, when the results hold them.
HEADLINE_METRICS: tuple[str, ...] = ("consensus", "cohesion", "cohesion_index")

#: Readable names of known scores.
LABELS: dict[str, str] = {
    "consensus": "Consensus",
    "cohesion": "Cohesion",
    "cohesion_index": "Cohesion index",
    "spread": "Spread score",
    "alignment": "Alignment with the proposal",
    "consensus_feasibility": "Consensus feasibility",
    "agreement_index": "Agreement index",
    "polarization": "Polarization",
    "consensus_blockers": "Blocking members",
    "eu_consensus": "EU unanimity (EU issues)",
}
#: Scores for which less is more cohesive.
LOWER_IS_BETTER: frozenset[str] = frozenset({"polarization", "consensus_blockers"})
#: Scores on a 0-100 scale (one decimal); others print with more digits.
PERCENT_SCALE: frozenset[str] = frozenset({"consensus", "cohesion", "cohesion_index", "eu_consensus"})


@dataclass(frozen=True)
class Score:
    """One score and where summary.csv keeps it."""

    metric: str
    label: str
    mean: str
    low: str
    high: str
    week0: str | None
    lower_is_better: bool
    fmt: str

    @property
    def arrow(self) -> str:
        """Which way is more cohesive: ``↑`` or ``↓``."""
        return "↓" if self.lower_is_better else "↑"


def label(metric: str) -> str:
    """The readable name of a score."""
    return LABELS.get(metric, metric.replace("_", " ").capitalize())


def _columns(metric: str, columns: set[str], metrics: set[str]) -> tuple[str, str, str, str | None] | None:
    """summary.csv's (mean, p05, p95, week-0) columns of ``metric``, or None when it has none."""
    # Format cohesion-results/1 saved the index as cohesion_mean/_p05/_p95/_week0 and blockers without _mean.
    stem = "cohesion" if metric == "cohesion_index" and "cohesion" not in metrics else metric
    for mean in (f"{metric}_mean", f"{stem}_mean", metric):
        low, high = f"{metric}_p05", f"{metric}_p95"
        if low not in columns:
            low, high = f"{stem}_p05", f"{stem}_p95"
        if mean in columns and low in columns and high in columns:
            week0 = next((c for c in (f"{metric}_week0", f"{stem}_week0") if c in columns), None)
            return mean, low, high, week0
    return None


def run_scores(summary: pd.DataFrame, timeseries_summary: pd.DataFrame) -> list[Score]:
    """The scores of a run's results: headline scores first, then the others in the order recorded."""
    recorded = list(dict.fromkeys(timeseries_summary["metric"]))
    order = [m for m in HEADLINE_METRICS if m in recorded] + [m for m in recorded if m not in HEADLINE_METRICS]
    scores = []
    for metric in order:
        found = _columns(metric, set(summary.columns), set(recorded))
        if found is not None:
            mean, low, high, week0 = found
            scores.append(Score(metric, label(metric), mean, low, high, week0, metric in LOWER_IS_BETTER,
                                ".1f" if metric in PERCENT_SCALE or metric == "consensus_blockers" else ".3f"))
    return scores


def headline(scores: list[Score]) -> list[Score]:
    """The headline scores among ``scores`` (at least the first score)."""
    found = [s for s in scores if s.metric in HEADLINE_METRICS]
    return found or scores[:1]
