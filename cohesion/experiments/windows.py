"""Fit the acceptance windows to the alliance decisions on record by 27 January 2022 (docs/model.md 5.1).

The consensus rule (``cohesion.core.metrics.decisions``) finds a decision on an
issue when the members' acceptance windows overlap. At week 0 the stances are
fixed (coded positions and the point drivers' targets), so whether there is a
decision on issue ``k`` depends on ``acceptance_tolerance`` alone, given the
tightening: the windows ``x_ik +- tol a_ik``, ``a_ik = 1 - tight sal_ik``,
overlap exactly when ``x_ik - x_jk <= tol (a_ik + a_jk)`` for every pair, that
is when ``tol`` reaches the threshold

    t*_k = max_{i,j} (x_ik - x_jk) / (a_ik + a_jk).

``cohesion/data/decisions.csv`` records, per issue, whether the allies had
reached a common decision by 27 January 2022 (``yes``, ``no`` or ``unclear``,
each with its source). The tolerances that reproduce every clear record form
the interval ``[max_{yes} t*_k, min_{no} t*_k)``; the fit is its midpoint. When
the interval is empty, the tolerance that reproduces the most records is
reported with the issues it gets wrong.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from cohesion.constants import ISSUES
from cohesion.core.metrics import acceptance_window
from cohesion.errors import InputError
from cohesion.indicators import STATUSES
from cohesion.inputs import ARTICLE_DATE, data_path
from cohesion.world import World

DECISIONS_FILE = "decisions.csv"
COLUMNS = ("issue", "decided", "date", "source_id", "quote", "rationale", "status")
RECORDS = {"yes": True, "no": False, "unclear": None}


@dataclass(frozen=True)
class RecordedDecision:
    """Whether the allies had a common decision on an issue by 27 January 2022, and the evidence."""

    issue: str
    decided: bool | None  # None: the record is unclear, and the issue is left out of the fit
    date: str
    source_id: str
    quote: str
    rationale: str
    status: str


def load_decisions(path: str | Path | None = None) -> tuple[RecordedDecision, ...]:
    """Read the recorded decisions (the shipped ``decisions.csv`` by default), one per issue in issue order.

    Raises:
        InputError: one line naming the first problem: a missing column, an
            unknown or repeated issue, a missing issue, a record other than
            yes/no/unclear, a date after 27 January 2022, a source not in
            ``sources.csv``, a status other than those of ``indicators.csv``, or
            a row with too few fields.
    """
    path = data_path(DECISIONS_FILE) if path is None else Path(path)
    with data_path("sources.csv").open(encoding="utf-8", newline="") as handle:
        sources = {row["source_id"] for row in csv.DictReader(handle)}
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise InputError(f"cannot read decisions file {path}: {exc.strerror}") from None
    found: dict[str, RecordedDecision] = {}
    with handle:
        reader = csv.DictReader(handle)
        absent = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if absent:
            raise InputError(f"{path.name}: missing column(s) {', '.join(absent)}")
        for line, row in enumerate(reader, start=2):
            where = f"{path.name} line {line}"
            if None in row.values() or None in row:
                raise InputError(f"{where}: {len([v for v in row.values() if v is not None])} fields where the header has "
                                 f"{len(reader.fieldnames or [])} (a truncated or damaged file?)")
            issue = row["issue"].strip()
            if issue not in ISSUES or issue in found:
                raise InputError(f"{where}: issue {issue!r} is unknown or given twice (known: {', '.join(ISSUES)})")
            record = row["decided"].strip().lower()
            if record not in RECORDS:
                raise InputError(f"{where}: decided must be yes, no or unclear, not {row['decided']!r}")
            try:
                when = date.fromisoformat(row["date"].strip())
            except ValueError:
                raise InputError(f"{where}: date {row['date']!r} is not an ISO date") from None
            if when > date.fromisoformat(ARTICLE_DATE):
                raise InputError(f"{where}: date {when.isoformat()} is after {ARTICLE_DATE} (no hindsight)")
            if row["source_id"] not in sources:
                raise InputError(f"{where}: source {row['source_id']!r} is not in sources.csv")
            if row["status"] not in STATUSES:
                raise InputError(f"{where}: unknown status {row['status']!r} (one of {', '.join(STATUSES)})")
            found[issue] = RecordedDecision(issue, RECORDS[record], when.isoformat(), row["source_id"], row["quote"],
                                            row["rationale"], row["status"])
    missing = [k for k in ISSUES if k not in found]
    if missing:
        raise InputError(f"{path.name}: no record for {', '.join(missing)}")
    return tuple(found[k] for k in ISSUES)


def decision_thresholds(stance: np.ndarray, salience: np.ndarray, tightening: float) -> np.ndarray:
    """The smallest tolerance at which every member's window overlaps on each issue, ``t*_k``, (K,).

    Args:
        stance: (N, K) stances.
        salience: (N, K) salience of each issue to each member.
        tightening: ``acceptance_salience_tightening``.

    Returns:
        ``max_{i,j} (x_ik - x_jk) / (a_ik + a_jk)`` with ``a = 1 - tightening * salience``;
        infinite where two members with closed windows disagree.
    """
    reach = acceptance_window(salience, 1.0, tightening)  # a_ik: the window per unit of tolerance
    gap = stance[:, None, :] - stance[None, :, :]  # (i, j, K): x_i - x_j
    width = reach[:, None, :] + reach[None, :, :]
    ratio = np.where(gap <= 0.0, 0.0, np.divide(gap, width, out=np.full(gap.shape, np.inf), where=width > 0.0))
    return ratio.max(axis=(0, 1))


@dataclass(frozen=True)
class ToleranceFit:
    """The acceptance tolerances that reproduce the recorded decisions at week 0."""

    thresholds: np.ndarray  # (K,) t*_k
    recorded: tuple[bool | None, ...]  # per issue
    low: float  # the interval [low, high) of tolerances that reproduce every clear record
    high: float
    value: float  # the fit: the interval's midpoint, or the best tolerance when it is empty
    wrong: tuple[str, ...]  # issues whose record the fit does not reproduce

    @property
    def consistent(self) -> bool:
        """Whether some tolerance reproduces every clear record."""
        return self.low < self.high


def fit_tolerance(thresholds: np.ndarray, recorded: tuple[bool | None, ...], bounds: tuple[float, float] = (0.0, 1.0)) -> ToleranceFit:
    """The tolerances in ``bounds`` under which the week-0 decisions match the clear records.

    Args:
        thresholds: (K,) ``t*_k`` from ``decision_thresholds``.
        recorded: Per issue, True (a decision on record), False (none) or None (unclear: ignored).
        bounds: The parameter's range.
    """
    yes = [t for t, r in zip(thresholds, recorded) if r is True]
    no = [t for t, r in zip(thresholds, recorded) if r is False]
    low = max([bounds[0], *yes])
    high = min([bounds[1], *no]) if no else bounds[1]
    if low < high:
        value = (low + high) / 2.0
    else:  # no tolerance fits every record: take the one that gets most right (the smallest among equals)
        candidates = sorted({bounds[0], *(t for t in thresholds if bounds[0] <= t <= bounds[1])})
        value = min(candidates, key=lambda tol: (_wrong_count(thresholds, recorded, tol), tol))
    wrong = tuple(k for k, t, r in zip(ISSUES, thresholds, recorded) if r is not None and (value >= t) != r)
    return ToleranceFit(thresholds, tuple(recorded), float(low), float(high), float(value), wrong)


def _wrong_count(thresholds: np.ndarray, recorded: tuple[bool | None, ...], tolerance: float) -> int:
    return sum(1 for t, r in zip(thresholds, recorded) if r is not None and (tolerance >= t) != r)


def fit_world_windows(world: World, records: tuple[RecordedDecision, ...] | None = None) -> ToleranceFit:
    """Fit ``acceptance_tolerance`` to the recorded decisions at the world's week-0 stances."""
    records = load_decisions() if records is None else records
    thresholds = decision_thresholds(world.initial_stance, world.salience, world.params.acceptance_salience_tightening)
    return fit_tolerance(thresholds, tuple(r.decided for r in records))
