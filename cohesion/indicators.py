"""The indicators behind the drivers: one row per member and indicator (long format).

``cohesion/data/indicators.csv`` has the columns ``member, indicator, family,
value, unit, refers_to, published, source, status``. ``family`` says which
latent driver an indicator measures (fixed a priori, docs/model.md "Input
data"); ``status`` is sourced, imputed, judged, unverified or missing (a
missing row has an empty value). Nothing may describe or be published after
27 January 2022. This module only reads and checks the file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from pathlib import Path

import pandas as pd

from cohesion.errors import InputError
from cohesion.inputs import data_path, load_members

COLUMNS: tuple[str, ...] = ("member", "indicator", "family", "value", "unit", "refers_to", "published", "source", "status")
#: Latent drivers the indicators measure; the first three enter the decision rule.
FAMILIES: tuple[str, ...] = ("energy", "threat", "trust", "government", "capability")
STATUSES: tuple[str, ...] = ("sourced", "imputed", "judged", "unverified", "missing")
#: The model's information date: nothing describing or published after it is an input.
CUTOFF = dt.date(2022, 1, 27)


def indicators_path() -> Path:
    """The shipped indicators file."""
    return data_path("indicators.csv")


def indicators_sha256(path: Path | str | None = None) -> str:
    """SHA-256 of an indicators file (the shipped one by default)."""
    return hashlib.sha256(Path(path or indicators_path()).read_bytes()).hexdigest()


def _period_end(text: str) -> dt.date | None:
    """Last day of a ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` period; None if not a date."""
    parts = text.split("-")
    try:
        if len(parts) == 1 and len(parts[0]) == 4:
            return dt.date(int(parts[0]), 12, 31)
        if len(parts) == 2:
            year, month = int(parts[0]), int(parts[1])
            following = dt.date(year + month // 12, month % 12 + 1, 1)
            return following - dt.timedelta(days=1)
        if len(parts) == 3:
            return dt.date.fromisoformat(text)
    except ValueError:
        return None
    return None


def _check_date(value: str, column: str, where: str) -> None:
    if not value:
        return
    end = _period_end(value)
    if end is None:
        raise InputError(f"{where}: {column} {value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    if end > CUTOFF:
        raise InputError(f"{where}: {column} {value} is after 27 January 2022 (no hindsight)")


def load_indicators(path: Path | str | None = None) -> pd.DataFrame:
    """Read and check an indicators file (the shipped one by default).

    Returns:
        One row per member and indicator with the columns of ``COLUMNS``;
        ``value`` is float (NaN where missing).

    Raises:
        InputError: On a missing file or column, an unknown member, family or
            status, a non-numeric value, a date after 27 January 2022, a
            duplicate row, or an indicator filed under two families.
    """
    source = indicators_path() if path is None else Path(path)
    if not source.is_file():
        raise InputError(f"indicators file not found: {source}")
    try:
        text = source.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{source}: not UTF-8 text") from None
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"{source.name}: not a readable CSV ({' '.join(str(exc).split())})") from None
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(f"{source.name}: missing columns {', '.join(missing)}")
    frame = frame[list(COLUMNS)].apply(lambda column: column.str.strip())
    codes = set(load_members().codes)
    values = []
    for line, row in enumerate(frame.itertuples(index=False), start=2):
        where = f"{source.name} line {line}"
        if row.member not in codes:
            raise InputError(f"{where}: unknown member code {row.member!r}")
        if not row.indicator:
            raise InputError(f"{where}: empty indicator name")
        if row.family not in FAMILIES:
            raise InputError(f"{where}: unknown family {row.family!r} (known: {', '.join(FAMILIES)})")
        if row.status not in STATUSES:
            raise InputError(f"{where}: unknown status {row.status!r} (known: {', '.join(STATUSES)})")
        if (row.status == "missing") != (row.value == ""):
            raise InputError(f"{where}: a value must be empty exactly when its status is missing")
        try:
            value = float(row.value) if row.value else float("nan")
        except ValueError:
            raise InputError(f"{where}: value {row.value!r} is not a number") from None
        if row.value and not pd.notna(value) or value in (float("inf"), float("-inf")):
            raise InputError(f"{where}: value {row.value!r} is not a finite number")
        _check_date(row.refers_to, "refers_to", where)
        _check_date(row.published, "published", where)
        values.append(value)
    frame["value"] = pd.Series(values, index=frame.index, dtype=float)
    duplicated = frame.duplicated(["member", "indicator"])
    if duplicated.any():
        first = frame[duplicated].iloc[0]
        raise InputError(f"{source.name}: {first.member}.{first.indicator} appears twice")
    families = frame.groupby("indicator")["family"].nunique()
    if (families > 1).any():
        raise InputError(f"{source.name}: indicator {families[families > 1].index[0]!r} is filed under two families")
    return frame.reset_index(drop=True)
