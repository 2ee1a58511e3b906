"""Loading the shipped inputs: the article, the member data and the article's positions.

All three are data files in ``cohesion/data`` (sources in docs/data.md and
docs/positions.md); this module only reads and checks them.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from cohesion.constants import ISSUES, NON_MEMBER_ACTORS
from cohesion.errors import InputError

ARTICLE_TITLE = "NATO alliance showing signs of fraying; U.S.-UK lead on Russia questioned by European partners"
ARTICLE_DATE = "2022-01-27"


def data_path(name: str) -> Path:
    """Path of a file shipped in ``cohesion/data``."""
    return Path(str(resources.files("cohesion") / "data" / name))


def article_text() -> str:
    """The seed news analysis of 27 January 2022, as shipped."""
    return data_path("article.txt").read_text(encoding="utf-8")


def normalize_whitespace(text: str) -> str:
    """Collapse every run of whitespace to one space (line wraps are layout, not text)."""
    return re.sub(r"\s+", " ", text).strip()


def _bool(value: str, column: str, code: str) -> bool:
    value = value.strip().lower()
    if value not in ("true", "false"):
        raise InputError(f"members.csv: {code}.{column} must be true or false, got {value!r}")
    return value == "true"


def _float_or_nan(value: str) -> float:
    value = value.strip()
    return float(value) if value else float("nan")


@dataclass(frozen=True)
class Members:
    """Structural facts of the 30 members, as arrays in a fixed member order."""

    codes: tuple[str, ...]
    names: tuple[str, ...]
    eu_member: np.ndarray
    nato_join_year: np.ndarray
    land_border: np.ndarray
    capital_lat: np.ndarray
    capital_lon: np.ndarray
    dist_moscow_km: np.ndarray
    gdp_usd: np.ndarray
    population: np.ndarray
    gas_russia_share: np.ndarray
    gas_status: tuple[str, ...]
    gas_share_of_energy: np.ndarray
    gas_share_of_energy_status: tuple[str, ...]
    oil_russia_share: np.ndarray
    oil_status: tuple[str, ...]
    defence_pct_gdp: np.ndarray
    defence_status: tuple[str, ...]
    iraq_2003_combat: np.ndarray
    iraq_2003_2004_troops: np.ndarray
    us_troops: np.ndarray
    us_troops_status: tuple[str, ...]
    energy_projects: tuple[tuple[str, ...], ...]
    strategic_deals: tuple[tuple[str, ...], ...]
    groups: tuple[tuple[str, ...], ...]

    @property
    def n(self) -> int:
        """Number of members."""
        return len(self.codes)

    def index(self, code: str) -> int:
        """Position of a member code in the member order."""
        try:
            return self.codes.index(code)
        except ValueError:
            raise InputError(f"unknown member code {code!r}") from None

    def reordered(self, order: list[int] | np.ndarray) -> "Members":
        """The same members in another order (used to test order-invariance)."""
        order = list(order)
        fields = {}
        for name, value in self.__dict__.items():
            if isinstance(value, np.ndarray):
                fields[name] = value[order]
            else:
                fields[name] = tuple(value[i] for i in order)
        return Members(**fields)

    def name_of(self, code: str) -> str:
        """Country name of a member code."""
        return self.names[self.index(code)]

    @property
    def all_groups(self) -> tuple[str, ...]:
        """Every regional group named in the data."""
        return tuple(sorted({g for gs in self.groups for g in gs}))


def _split_list(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(";") if part.strip())


@lru_cache(maxsize=1)
def load_members() -> Members:
    """Read ``cohesion/data/members.csv`` (one row per member, sorted by ISO3)."""
    with data_path("members.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if len(rows) != 30:
        raise InputError(f"members.csv must hold the 30 members of January 2022, found {len(rows)}")
    codes = tuple(r["iso3"] for r in rows)

    def floats(column: str) -> np.ndarray:
        return np.array([_float_or_nan(r[column]) for r in rows])

    def bools(column: str) -> np.ndarray:
        return np.array([_bool(r[column], column, r["iso3"]) for r in rows])

    return Members(
        codes=codes,
        names=tuple(r["country"] for r in rows),
        eu_member=bools("eu_member"),
        nato_join_year=floats("nato_join_year").astype(int),
        land_border=bools("land_border_russia_belarus"),
        capital_lat=floats("capital_lat"),
        capital_lon=floats("capital_lon"),
        dist_moscow_km=floats("dist_capital_moscow_km"),
        gdp_usd=floats("gdp_2021_usd"),
        population=floats("population_2021"),
        gas_russia_share=floats("gas_russia_share"),
        gas_status=tuple(r["gas_russia_share_status"] for r in rows),
        gas_share_of_energy=floats("gas_share_of_energy_2020"),
        gas_share_of_energy_status=tuple(r["gas_share_of_energy_status"] for r in rows),
        oil_russia_share=floats("oil_russia_share"),
        oil_status=tuple(r["oil_russia_share_status"] for r in rows),
        defence_pct_gdp=floats("defence_pct_gdp_2021e"),
        defence_status=tuple(r["defence_status"] for r in rows),
        iraq_2003_combat=bools("iraq_2003_combat"),
        iraq_2003_2004_troops=bools("iraq_2003_2004_troops"),
        us_troops=floats("us_troops_2021"),
        us_troops_status=tuple(r["us_troops_status"] for r in rows),
        energy_projects=tuple(_split_list(r["russia_energy_projects"]) for r in rows),
        strategic_deals=tuple(_split_list(r["russia_strategic_deals"]) for r in rows),
        groups=tuple(_split_list(r["groups"]) for r in rows),
    )


@dataclass(frozen=True)
class Position:
    """One reported position: the article's, or another public statement of 27 January 2022 or before.

    The last five fields were added after the first release; a table without
    them still loads (see ``read_positions``).
    """

    id: str
    actor: str
    role: str
    speaks_for: str
    issue: str
    stance: float
    use: str
    date: str
    rationale: str
    quote: str
    #: Share of this row in its ``speaks_for`` x ``issue`` cell (the cell's weights sum to 1; docs/positions.md).
    weight: float = float("nan")
    weight_rationale: str = ""
    #: Who speaks: ``government``, ``head_of_state`` (without the decision), ``group``, ``institution`` or ``other``.
    speaker_class: str = ""
    #: The group coded member by member (e.g. ``EU members``); empty for a member's own statement.
    group: str = ""
    #: Key into ``cohesion/data/sources.csv``.
    source_id: str = ""


POSITION_USES = ("member_stance", "eu_stance", "environment", "context")
#: Columns every positions table must have; the others (``POSITION_OPTIONAL``) have defaults.
POSITION_REQUIRED = ("id", "actor", "role", "speaks_for", "issue", "stance", "use", "date", "rationale", "quote")
POSITION_OPTIONAL = ("weight", "weight_rationale", "speaker_class", "group", "source_id")
SPEAKER_CLASSES = ("government", "head_of_state", "group", "institution", "other")
#: Uses whose rows feed the model, so their weights sum to 1 per cell.
WEIGHTED_USES = ("member_stance", "eu_stance")


def read_positions(path: Path | str | None = None, member_codes: tuple[str, ...] | None = None) -> tuple[Position, ...]:
    """Read a positions table (the shipped one by default) and check every row.

    A table without the ``weight`` column (or with it empty) gets equal weights
    within each ``speaks_for`` x ``issue`` cell of the uses the model reads.

    Args:
        path: A CSV with the columns of ``cohesion/data/positions.csv``; None
            for the shipped positions.
        member_codes: Valid member codes (defaults to the shipped members).

    Raises:
        InputError: On a missing file, a missing column or an invalid row.
    """
    source = data_path("positions.csv") if path is None else Path(path)
    if not source.is_file():
        raise InputError(f"positions file not found: {source}")
    codes = member_codes if member_codes is not None else load_members().codes
    valid_actors = set(codes) | set(NON_MEMBER_ACTORS)
    try:
        text = source.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{source}: not UTF-8 text") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = set(POSITION_REQUIRED) - set(reader.fieldnames or [])
    if missing:
        raise InputError(f"{source.name}: missing columns {', '.join(sorted(missing))}")
    positions = []
    for row in reader:
        where = f"{source.name} line {reader.line_num}"
        if None in row or any(value is None for value in row.values()):
            given = sum(v is not None for k, v in row.items() if k is not None) + len(row.get(None) or ())
            header = len(reader.fieldnames or [])
            raise InputError(f"{where}: {given} fields where the header has {header} (a truncated or damaged file?)")
        if row["speaks_for"] not in valid_actors:
            raise InputError(f"{where}: unknown member code {row['speaks_for']!r}")
        if row["issue"] not in ISSUES:
            raise InputError(f"{where}: unknown issue {row['issue']!r}")
        if row["use"] not in POSITION_USES:
            raise InputError(f"{where}: unknown use {row['use']!r}")
        stance = _unit_number(row["stance"], "stance", where)
        weight = _unit_number(row.get("weight") or "nan", "weight", where)
        speaker = (row.get("speaker_class") or "").strip()
        if speaker and speaker not in SPEAKER_CLASSES:
            raise InputError(f"{where}: unknown speaker_class {speaker!r}")
        fields = {k: row[k] for k in POSITION_REQUIRED}
        optional = {k: (row.get(k) or "").strip() for k in POSITION_OPTIONAL if k != "weight"}
        positions.append(Position(**{**fields, **optional, "stance": stance, "weight": weight}))
    ids = [p.id for p in positions]
    if len(set(ids)) != len(ids):
        raise InputError(f"{source.name}: position ids must be unique")
    return _default_weights(tuple(positions))


def _unit_number(value: str, column: str, where: str) -> float:
    """A number in [0, 1]; NaN passes (a missing weight)."""
    try:
        number = float(value)
    except ValueError:
        raise InputError(f"{where}: {column} {value!r} is not a number") from None
    if not np.isnan(number) and not 0.0 <= number <= 1.0:
        raise InputError(f"{where}: {column} {number} outside [0, 1]")
    if column == "stance" and np.isnan(number):
        raise InputError(f"{where}: stance is not a number")
    return number


def _default_weights(positions: tuple[Position, ...]) -> tuple[Position, ...]:
    """Fill missing weights: equal shares within a weighted cell, 0 for rows the model does not read."""
    cells = Counter((p.speaks_for, p.issue, p.use) for p in positions if np.isnan(p.weight))
    filled = []
    for pos in positions:
        if np.isnan(pos.weight):
            share = 1.0 / cells[pos.speaks_for, pos.issue, pos.use] if pos.use in WEIGHTED_USES else 0.0
            pos = replace(pos, weight=share, weight_rationale=pos.weight_rationale or "equal share (no weight given)")
        filled.append(pos)
    return tuple(filled)


@lru_cache(maxsize=1)
def load_positions() -> tuple[Position, ...]:
    """The positions extracted from the article (cached)."""
    return read_positions()


def stance_table(positions: tuple[Position, ...], codes: tuple[str, ...], use: str = "member_stance") -> np.ndarray:
    """Weighted mean stance per member and issue over positions of one use; NaN where none.

    Each row counts with its ``weight`` (one government, one vote: docs/positions.md);
    a cell whose weights sum to 0 is NaN.

    Returns:
        Array (members, issues).
    """
    total = np.zeros((len(codes), len(ISSUES)))
    weight = np.zeros_like(total)
    index = {code: i for i, code in enumerate(codes)}
    for pos in positions:
        if pos.use != use or pos.speaks_for not in index:
            continue
        i, k = index[pos.speaks_for], ISSUES.index(pos.issue)
        total[i, k] += pos.weight * pos.stance
        weight[i, k] += pos.weight
    with np.errstate(invalid="ignore"):
        return np.where(weight > 0, total / np.where(weight > 0, weight, 1.0), np.nan)


def eu_stance(positions: tuple[Position, ...]) -> np.ndarray:
    """Weighted mean stance of the EU institutions per issue; NaN where the positions are silent."""
    table = stance_table(positions, ("EU",), use="eu_stance")
    return table[0]
