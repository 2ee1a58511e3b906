"""The shipped indicators file and its validator (cohesion/indicators.py)."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

from cohesion.errors import InputError
from cohesion.indicators import COLUMNS, FAMILIES, STATUSES, UNIT_RANGES, load_indicators
from cohesion.inputs import data_path, load_members

CUTOFF = "2022-01-27"


@pytest.fixture(scope="module")
def indicators():
    return load_indicators()


def test_every_date_is_on_or_before_the_article(indicators):
    assert (indicators["refers_to"] <= CUTOFF).all()
    assert (indicators["published"] <= CUTOFF).all()
    for column in ("refers_to", "published"):
        assert indicators[column].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all(), column


def test_every_row_has_source_and_status(indicators):
    assert indicators["source"].str.strip().str.len().gt(10).all()
    assert indicators["status"].isin(STATUSES).all()
    assert indicators["family"].isin(FAMILIES).all()
    missing = indicators["status"] == "missing"
    assert indicators.loc[missing, "value"].isna().all()
    assert indicators.loc[~missing, "value"].notna().all()


def test_values_lie_in_their_unit_range(indicators):
    for unit, (low, high) in UNIT_RANGES.items():
        values = indicators.loc[indicators["unit"] == unit, "value"].dropna()
        assert values.between(low, high).all(), unit
    binary = indicators.loc[indicators["unit"] == "0/1", "value"].dropna()
    assert set(binary) <= {0.0, 1.0}


def test_all_30_members_for_each_indicator(indicators):
    codes = set(load_members().codes)
    for name, rows in indicators.groupby("indicator"):
        assert set(rows["member"]) == codes and len(rows) == 30, name
        assert rows["family"].nunique() == 1 and rows["unit"].nunique() == 1, name


def test_each_family_has_enough_indicators_with_data(indicators):
    with_data = indicators[indicators["status"] != "missing"]
    per_family = with_data.groupby("family")["indicator"].nunique()
    for family, needed in {"threat": 3, "trust": 3, "energy": 3, "government": 1, "capability": 3}.items():
        assert per_family[family] >= needed, family


def test_hand_checked_values(indicators):
    value = indicators.set_index(["member", "indicator"])["value"]
    assert value["POL", "land_border_russia_belarus"] == 1 and value["HUN", "land_border_russia_belarus"] == 0
    assert value["EST", "soviet_annexation"] == 1 and value["POL", "soviet_annexation"] == 0
    assert value["USA", "efp_framework_nation"] == 1 and value["FRA", "efp_framework_nation"] == 0
    assert value["POL", "hosts_us_rotational_forces_2021"] == 1
    assert value["CAN", "five_eyes_member"] == 1
    assert value["HUN", "vver_share_of_electricity_2020"] == 46 and value["DEU", "vver_share_of_electricity_2020"] == 0
    # Germany's cabinet: SPD 206 x 2.7647, Greens 118 x 2.1765, FDP 92 x 2.2353 (CHES 2019), over 416 seats.
    expected = (206 * 2.7647059 + 118 * 2.1764705 + 92 * 2.2352941) / 416
    assert value["DEU", "cabinet_russian_interference_salience"] == pytest.approx(expected, abs=1e-4)
    # Lithuania: 2020 exports 3.834 + imports 2.570 bn EUR to/from Russia over GDP 2020 (World Bank, US$ / 1.1422).
    assert value["LTU", "trade_russia_pct_gdp_2020"] == pytest.approx(12.84, abs=0.01)
    assert math.isnan(value["USA", "cabinet_russian_interference_salience"])


# ---------------------------------------------------------------- bad files

def _rows() -> list[dict[str, str]]:
    with data_path("indicators.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _write(path: Path, rows: list[dict[str, str]], columns=COLUMNS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def _first_valued_row(rows):
    return next(i for i, row in enumerate(rows) if row["status"] != "missing")


def _change(column, value):
    def edit(rows):
        rows[_first_valued_row(rows)][column] = value
        return rows
    return edit


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_change("member", "RUS"), "unknown member 'RUS'"),
        (_change("refers_to", "2022-02-24"), "refers_to 2022-02-24 is after 2022-01-27"),
        (_change("refers_to", "2022-02"), "refers_to 2022-02 is after 2022-01-27"),
        (_change("refers_to", "2022"), "refers_to 2022 is after 2022-01-27"),
        (_change("published", "2022-03-31"), "published 2022-03-31 is after 2022-01-27"),
        (_change("published", "March 2021"), "published must be an ISO date"),
        (_change("published", "2021-00"), "published must be an ISO date"),  # no month 0 (was read as 2020-12-31)
        (_change("refers_to", "2020-13"), "refers_to must be an ISO date"),  # no month 13 (was read as 2021-01-31)
        (_change("value", "about 5"), "value 'about 5' is not a finite number"),
        (_change("value", "nan"), "value 'nan' is not a finite number"),
        (_change("value", "inf"), "value 'inf' is not a finite number"),
        (_change("family", "economy"), "unknown family 'economy'"),
        (_change("status", "guessed"), "unknown status 'guessed'"),
        (_change("unit", "furlongs"), "unknown unit 'furlongs'"),
        (_change("source", " "), "empty source"),
        (lambda rows: rows + [dict(rows[0])], "duplicate ALB x gdp_2020_usd"),
    ],
)
def test_bad_files_raise_one_line(tmp_path, edit, message):
    path = _write(tmp_path / "indicators.csv", edit(_rows()))
    with pytest.raises(InputError) as caught:
        load_indicators(path)
    text = str(caught.value)
    assert message in text
    assert "\n" not in text


def test_a_year_or_month_counts_as_its_last_day(tmp_path):
    rows = _rows()
    rows[0]["refers_to"], rows[1]["published"] = "2021", "2021-12"
    assert len(load_indicators(_write(tmp_path / "indicators.csv", rows))) == len(rows)


def test_missing_column_is_named(tmp_path):
    path = _write(tmp_path / "indicators.csv", _rows(), columns=[c for c in COLUMNS if c != "published"])
    with pytest.raises(InputError, match=r"missing column\(s\) published$"):
        load_indicators(path)


def test_out_of_range_value_is_refused(tmp_path):
    rows = _rows()
    row = next(r for r in rows if r["unit"] == "fraction" and r["status"] != "missing")
    row["value"] = "1.5"
    with pytest.raises(InputError, match="outside 0..1"):
        load_indicators(_write(tmp_path / "indicators.csv", rows))


def test_missing_status_with_a_value_is_refused(tmp_path):
    rows = _rows()
    next(r for r in rows if r["status"] == "missing")["value"] = "3"
    with pytest.raises(InputError, match="status missing but value"):
        load_indicators(_write(tmp_path / "indicators.csv", rows))


def test_unreadable_path_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="cannot read indicators file"):
        load_indicators(tmp_path / "absent.csv")


def test_every_indicator_is_documented(indicators):
    docs = (Path(__file__).resolve().parents[1] / "docs" / "data.md").read_text(encoding="utf-8")
    definitions = docs[docs.index("## The indicators"):docs.index("## Coverage and status per indicator")]
    for name in indicators["indicator"].unique():
        assert f"| `{name}` |" in definitions, name
