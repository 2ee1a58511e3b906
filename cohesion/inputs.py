"""Loading the shipped inputs: the article, the member data and the article's positions.

All three are data files in ``cohesion/data`` (sources in docs/data.md and
docs/positions.md); this module only reads and checks them.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
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
    """One position the article reports."""

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


POSITION_USES = ("member_stance", "eu_stance", "environment", "context")


def read_positions(path: Path | str | None = None, member_codes: tuple[str, ...] | None = None) -> tuple[Position, ...]:
    """Read a positions table (the shipped one by default) and check every row.

    Args:
        path: A CSV with the columns of ``cohesion/data/positions.csv``; None
            for the positions extracted from the article.
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
    required = {f for f in Position.__dataclass_fields__}
    missing = required - set(reader.fieldnames or [])
    if missing:
        raise InputError(f"{source.name}: missing columns {', '.join(sorted(missing))}")
    positions = []
    for row in reader:
        where = f"{source.name} line {reader.line_num}"
        if None in row or any(row[name] is None for name in required):
            given = sum(v is not None for k, v in row.items() if k is not None) + len(row.get(None) or ())
            header = len(reader.fieldnames or [])
            raise InputError(f"{where}: {given} fields where the header has {header} (a truncated or damaged file?)")
        if row["speaks_for"] not in valid_actors:
            raise InputError(f"{where}: unknown member code {row['speaks_for']!r}")
        if row["issue"] not in ISSUES:
            raise InputError(f"{where}: unknown issue {row['issue']!r}")
        if row["use"] not in POSITION_USES:
            raise InputError(f"{where}: unknown use {row['use']!r}")
        try:
            stance = float(row["stance"])
        except ValueError:
            raise InputError(f"{where}: stance {row['stance']!r} is not a number") from None
        if not 0.0 <= stance <= 1.0:
            raise InputError(f"{where}: stance {stance} outside [0, 1]")
        positions.append(Position(**{**{k: row[k] for k in required}, "stance": stance}))
    ids = [p.id for p in positions]
    if len(set(ids)) != len(ids):
        raise InputError(f"{source.name}: position ids must be unique")
    return tuple(positions)


@lru_cache(maxsize=1)
def load_positions() -> tuple[Position, ...]:
    """The positions extracted from the article (cached)."""
    return read_positions()


def stance_table(positions: tuple[Position, ...], codes: tuple[str, ...], use: str = "member_stance") -> np.ndarray:
    """Mean stance per member and issue over positions of one use; NaN where none.

    Returns:
        Array (members, issues).
    """
    total = np.zeros((len(codes), len(ISSUES)))
    count = np.zeros_like(total)
    index = {code: i for i, code in enumerate(codes)}
    for pos in positions:
        if pos.use != use or pos.speaks_for not in index:
            continue
        i, k = index[pos.speaks_for], ISSUES.index(pos.issue)
        total[i, k] += pos.stance
        count[i, k] += 1
    with np.errstate(invalid="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def eu_stance(positions: tuple[Position, ...]) -> np.ndarray:
    """Mean stance of the EU institutions per issue; NaN where the article is silent."""
    table = stance_table(positions, ("EU",), use="eu_stance")
    return table[0]
