"""The pre-invasion indicators behind the drivers: reading and checking ``indicators.csv``.

The file is long: one row per member x indicator, with the indicator's family,
its value, unit, the date it describes (``refers_to``), the date it was
published, a source and a status. Every indicator is documented in
docs/data.md. Nothing dated after the seed article (27 January 2022) may enter.
"""

from __future__ import annotations

import csv
import math
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from cohesion.errors import InputError
from cohesion.inputs import data_path, load_members

COLUMNS = ("member", "indicator", "family", "value", "unit", "refers_to", "published", "source", "status")
FAMILIES = ("threat", "trust", "government", "energy", "capability")
STATUSES = ("sourced", "imputed", "judged", "unverified", "missing")
# The model's information date: the seed article's date (cohesion.inputs.ARTICLE_DATE).
CUTOFF = date(2022, 1, 27)

# Allowed range of a value for each unit (inclusive). A unit not listed here is an error,
# so every new unit has to say what its values may be.
UNIT_RANGES: dict[str, tuple[float, float]] = {
    "0/1": (0.0, 1.0),
    "fraction": (0.0, 1.0),
    "percent": (0.0, 100.0),
    "percent of GDP": (0.0, 100.0),
    "km": (0.0, 20_000.0),
    "USD": (0.0, math.inf),
    "persons": (0.0, math.inf),
    "count": (0.0, math.inf),
    "expert scale 0-10": (0.0, 10.0),
    "expert scale 1-7": (1.0, 7.0),
}


def indicators_path() -> Path:
    """The shipped indicators file."""
    return data_path("indicators.csv")


def _period_end(text: str) -> date:
    """Last day of a ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` period (ValueError otherwise)."""
    parts = text.split("-")
    if len(parts) == 1 and len(parts[0]) == 4:
        return date(int(parts[0]), 12, 31)
    if len(parts) == 2 and len(parts[0]) == 4 and len(parts[1]) == 2:
        year, month = int(parts[0]), int(parts[1])
        date(year, month, 1)  # ValueError for a month outside 1..12
        return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return date.fromisoformat(text)


def _iso_date(text: str, column: str, where: str) -> date:
    """A date column's value; a year or month counts as its last day (the shipped file uses full dates)."""
    try:
        value = _period_end(text.strip())
    except ValueError:
        raise InputError(f"{where}: {column} must be an ISO date YYYY-MM-DD (or YYYY, YYYY-MM), got {text!r}") from None
    if value > CUTOFF:
        raise InputError(f"{where}: {column} {text.strip()} is after {CUTOFF.isoformat()} (no hindsight)")
    return value


def _check_row(row: dict[str, str], line: int, members: frozenset[str]) -> float:
    """Check one row; return its value (NaN when missing)."""
    where = f"indicators.csv line {line}"
    for column in COLUMNS:
        if row[column] is None:
            raise InputError(f"{where}: too few fields (no {column})")
    if row["member"] not in members:
        raise InputError(f"{where}: unknown member {row['member']!r}")
    if not row["indicator"].strip():
        raise InputError(f"{where}: empty indicator name")
    if row["family"] not in FAMILIES:
        raise InputError(f"{where}: unknown family {row['family']!r} (one of {', '.join(FAMILIES)})")
    if row["status"] not in STATUSES:
        raise InputError(f"{where}: unknown status {row['status']!r} (one of {', '.join(STATUSES)})")
    if not row["source"].strip():
        raise InputError(f"{where}: empty source")
    if row["unit"] not in UNIT_RANGES:
        raise InputError(f"{where}: unknown unit {row['unit']!r}")
    _iso_date(row["refers_to"], "refers_to", where)
    _iso_date(row["published"], "published", where)
    text = row["value"].strip()
    if row["status"] == "missing":
        if text:
            raise InputError(f"{where}: status missing but value {text!r} given")
        return math.nan
    if not text:
        raise InputError(f"{where}: empty value needs status missing, got {row['status']!r}")
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise InputError(f"{where}: value {text!r} is not a finite number")
    low, high = UNIT_RANGES[row["unit"]]
    if not (low <= value <= high):
        raise InputError(f"{where}: value {value:g} outside {low:g}..{high:g} for unit {row['unit']!r}")
    return value


def load_indicators(path: str | Path | None = None) -> pd.DataFrame:
    """Read and check an indicators file (default: the shipped ``cohesion/data/indicators.csv``).

    Args:
        path: file to read; None reads the shipped file.

    Returns:
        One row per member x indicator with the columns of ``COLUMNS``; ``value`` is a float
        (NaN where the status is ``missing``), the dates stay ISO strings.

    Raises:
        InputError: one line naming the first problem: a missing column, an unknown member,
            family, status or unit, a date after 27 January 2022, a non-numeric or
            out-of-range value, or a member x indicator pair given twice.
    """
    path = indicators_path() if path is None else Path(path)
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise InputError(f"cannot read indicators file {path}: {exc.strerror}") from None
    with handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        absent = [column for column in COLUMNS if column not in header]
        if absent:
            raise InputError(f"{path.name}: missing column(s) {', '.join(absent)}")
        members = frozenset(load_members().codes)
        records, values, seen = [], [], set()
        kinds: dict[str, tuple[str, str]] = {}
        for line, row in enumerate(reader, start=2):
            values.append(_check_row(row, line, members))
            key = (row["member"], row["indicator"])
            if key in seen:
                raise InputError(f"indicators.csv line {line}: duplicate {key[0]} x {key[1]}")
            seen.add(key)
            kind = (row["family"], row["unit"])
            if kinds.setdefault(row["indicator"], kind) != kind:
                raise InputError(
                    f"indicators.csv line {line}: {row['indicator']} has family/unit {kind}, "
                    f"earlier rows {kinds[row['indicator']]}"
                )
            records.append({column: row[column] for column in COLUMNS})
    frame = pd.DataFrame.from_records(records, columns=list(COLUMNS))
    frame["value"] = pd.Series(values, dtype=float)
    return frame
