"""Agreement between two codings of the seed article (Krippendorff's alpha, interval level).

Coding A is the article's rows of ``cohesion/data/positions.csv`` (``source_id`` of the
article, ``use == member_stance``), reduced to one stance per member x issue cell with
the weights of ``cohesion.position_weights`` recomputed over the article's rows alone.
Coding B is a file in the format of docs/codebook.md (``member,issue,stance,quote``
and an optional ``note``), one row per coded cell.

The level is **interval**: the codebook's five values are equally spaced and the model
treats stances as numbers (means, squared errors). A cell coded by one coder only is
not pairable and does not enter alpha; it is counted apart (coverage agreement).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from cohesion.constants import ISSUES
from cohesion.errors import InputError
from cohesion.inputs import Position, article_text, load_members, load_positions, normalize_whitespace, stance_table

#: source_id of the seed article in positions.csv and sources.csv.
ARTICLE_SOURCE = "article-2022-01-27"
#: The codebook's scale (docs/codebook.md, section 2).
CODEBOOK_VALUES = (0.0, 0.25, 0.5, 0.75, 1.0)
CODING_COLUMNS = ("member", "issue", "stance", "quote")


@dataclass(frozen=True)
class Coding:
    """One coder's stances: array (members, issues), NaN where not coded, and the quotes."""

    stances: np.ndarray
    quotes: dict[tuple[str, str], str]


def read_coding(path: Path | str, codes: tuple[str, ...] | None = None) -> Coding:
    """Read a coding in the codebook's CSV format and check every row.

    Raises:
        InputError: On a missing file or column, an unknown member or issue, a stance off the
            codebook's scale, or a member x issue cell coded twice.
    """
    source = Path(path)
    if not source.is_file():
        raise InputError(f"coding file not found: {source}")
    codes = codes if codes is not None else load_members().codes
    try:
        reader = csv.DictReader(io.StringIO(source.read_text(encoding="utf-8-sig"), newline=""))
    except UnicodeDecodeError:
        raise InputError(f"{source}: not UTF-8 text") from None
    missing = set(CODING_COLUMNS) - set(reader.fieldnames or [])
    if missing:
        raise InputError(f"{source.name}: missing columns {', '.join(sorted(missing))}")
    stances = np.full((len(codes), len(ISSUES)), np.nan)
    quotes = {}
    for line, row in enumerate(reader, start=2):
        where = f"{source.name} line {line}"
        member, issue = row["member"].strip(), row["issue"].strip()
        if member not in codes:
            raise InputError(f"{where}: unknown member code {member!r}")
        if issue not in ISSUES:
            raise InputError(f"{where}: unknown issue {issue!r}")
        try:
            stance = float(row["stance"])
        except ValueError:
            raise InputError(f"{where}: stance {row['stance']!r} is not a number") from None
        if not any(np.isclose(stance, v) for v in CODEBOOK_VALUES):
            raise InputError(f"{where}: stance {stance} is not one of {', '.join(f'{v:g}' for v in CODEBOOK_VALUES)}")
        i, k = codes.index(member), ISSUES.index(issue)
        if not np.isnan(stances[i, k]):
            raise InputError(f"{where}: {member} {issue} is coded twice")
        stances[i, k] = stance
        quotes[member, issue] = row["quote"]
    return Coding(stances, quotes)


def article_coding(
    positions: tuple[Position, ...] | None = None, codes: tuple[str, ...] | None = None, groups: bool = True
) -> Coding:
    """Coding A: the article's member-stance rows of positions.csv, one stance per cell.

    Weights are recomputed over the article's rows alone, so rows from other sources
    do not shift the article's coding.

    Args:
        positions: The positions (the shipped table when None).
        codes: Member codes (the shipped members when None).
        groups: False to leave out the group codings (cells then rest on a member's own passages).
    """
    from cohesion.position_weights import weigh_positions

    positions = positions if positions is not None else load_positions()
    codes = codes if codes is not None else load_members().codes
    rows = weigh_positions(
        tuple(
            p
            for p in positions
            if p.source_id == ARTICLE_SOURCE and p.use == "member_stance" and (groups or p.speaker_class != "group")
        )
    )
    quotes: dict[tuple[str, str], str] = {}
    for pos in sorted(rows, key=lambda p: -p.weight):
        quotes.setdefault((pos.speaks_for, pos.issue), pos.quote)
    return Coding(stance_table(rows, codes), quotes)


def _alpha(first: np.ndarray, second: np.ndarray) -> float:
    """Interval alpha over the cells both coders coded; NaN where it is undefined."""
    import krippendorff

    both = ~np.isnan(first) & ~np.isnan(second)
    if both.sum() < 2:
        return float("nan")
    data = np.vstack([first[both], second[both]])
    if np.unique(data).size < 2:
        return float("nan")  # no variation: expected disagreement is 0 and alpha is 0/0
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="interval"))


def agreement_table(first: Coding, second: Coding, cells: np.ndarray | None = None) -> pd.DataFrame:
    """Per issue and overall: cells each coder coded, pairable cells, alpha, mean absolute difference.

    Args:
        first: Coding A.
        second: Coding B.
        cells: Boolean (members, issues) mask of the cells to compare; all cells when None.
    """
    keep = np.ones(first.stances.shape, dtype=bool) if cells is None else cells
    first_kept, second_kept = np.where(keep, first.stances, np.nan), np.where(keep, second.stances, np.nan)
    rows = []
    for label, columns in [*((issue, [k]) for k, issue in enumerate(ISSUES)), ("all issues", list(range(len(ISSUES))))]:
        a, b = first_kept[:, columns].ravel(), second_kept[:, columns].ravel()
        both = ~np.isnan(a) & ~np.isnan(b)
        rows.append(
            {
                "issue": label,
                "cells_a": int((~np.isnan(a)).sum()),
                "cells_b": int((~np.isnan(b)).sum()),
                "pairable": int(both.sum()),
                "alpha_interval": _alpha(a, b),
                "mean_abs_difference": float(np.abs(a[both] - b[both]).mean()) if both.any() else float("nan"),
            }
        )
    return pd.DataFrame(rows)


def nearest_codebook_value(stances: np.ndarray) -> np.ndarray:
    """Each stance rounded to the nearest codebook value (NaN stays NaN; ties go to the lower value)."""
    scale = np.array(CODEBOOK_VALUES)
    flat = np.asarray(stances, dtype=float).ravel()
    rounded = np.full_like(flat, np.nan)
    known = ~np.isnan(flat)
    rounded[known] = scale[np.abs(flat[known, None] - scale[None, :]).argmin(axis=1)]
    return rounded.reshape(np.shape(stances))


def disagreements(first: Coding, second: Coding, codes: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Cells to adjudicate: coded by one coder only, or on different codebook values.

    Coding A's weighted means are rounded to the nearest codebook value first, so a cell
    disagrees when the two coders would have written different values in the codebook's format.
    """
    codes = codes if codes is not None else load_members().codes
    first_rounded, second_rounded = nearest_codebook_value(first.stances), nearest_codebook_value(second.stances)
    rows = []
    for i, member in enumerate(codes):
        for k, issue in enumerate(ISSUES):
            a, b = first_rounded[i, k], second_rounded[i, k]
            if np.isnan(a) and np.isnan(b):
                continue
            if np.isnan(a) or np.isnan(b) or a != b:
                rows.append(
                    {
                        "member": member,
                        "issue": issue,
                        "stance_a": first.stances[i, k],
                        "stance_b": second.stances[i, k],
                        "quote_a": first.quotes.get((member, issue), ""),
                        "quote_b": second.quotes.get((member, issue), ""),
                    }
                )
    return pd.DataFrame(rows, columns=["member", "issue", "stance_a", "stance_b", "quote_a", "quote_b"])


def write_coding(coding: Coding, path: Path | str, codes: tuple[str, ...] | None = None) -> None:
    """Write a coding in the codebook's format, stances rounded to the nearest codebook value."""
    codes = codes if codes is not None else load_members().codes
    rounded = nearest_codebook_value(coding.stances)
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CODING_COLUMNS)
        for i, k in np.argwhere(~np.isnan(coding.stances)):
            writer.writerow([codes[i], ISSUES[k], f"{rounded[i, k]:g}", coding.quotes.get((codes[i], ISSUES[k]), "")])


def markdown_table(frame: pd.DataFrame, digits: int = 3) -> str:
    """A Markdown table of ``frame`` (floats to ``digits`` decimals, NaN as "n/a"), for docs/positions.md."""

    def cell(value: object) -> str:
        if isinstance(value, float):
            return "n/a" if np.isnan(value) else f"{value:.{digits}f}"
        return str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines)


def quotes_not_in_article(coding: Coding) -> list[tuple[str, str]]:
    """Cells whose quote is not verbatim in the article (whitespace collapsed)."""
    article = normalize_whitespace(article_text())
    return [cell for cell, quote in coding.quotes.items() if normalize_whitespace(quote) not in article]
