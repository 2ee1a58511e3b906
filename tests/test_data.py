"""The shipped inputs: the article, the member data and the positions taken from the article."""

from __future__ import annotations

import csv
from collections import Counter

import numpy as np

from cohesion.constants import ISSUES
from cohesion.inputs import article_text, data_path, load_members, load_positions, normalize_whitespace

ARTICLE_SOURCE = "article-2022-01-27"

NATO_2022 = {
    "ALB", "BEL", "BGR", "CAN", "HRV", "CZE", "DNK", "EST", "FRA", "DEU", "GRC", "HUN", "ISL", "ITA", "LVA",
    "LTU", "LUX", "MNE", "NLD", "MKD", "NOR", "POL", "PRT", "ROU", "SVK", "SVN", "ESP", "TUR", "GBR", "USA",
}


def test_article_is_the_seed():
    text = article_text()
    assert "NATO ALLIANCE SHOWING SIGNS OF FRAYING" in text
    assert "January 27, 2022" in text


def test_every_quote_appears_verbatim_in_the_article():
    """Rows taken from the article (its source_id); other sources do not ship with the project."""
    article = normalize_whitespace(article_text())
    from_article = [p for p in load_positions() if p.source_id == ARTICLE_SOURCE]
    assert len(from_article) >= 51
    for position in from_article:
        assert normalize_whitespace(position.quote) in article, position.id


def test_positions_cover_the_article():
    positions = load_positions()
    assert len(positions) >= 15
    actors = " ".join(p.actor for p in positions)
    for name in ("State Department", "Blinken", "Borrell", "Schoenbach", "Macron", "Milanović", "Plenković",
                 "Kuleba", "Peskov", "Biden", "Harmash"):
        assert name in actors, name
    speakers = {p.speaks_for for p in positions}
    for code in ("USA", "GBR", "DNK", "DEU", "EST", "FRA", "HRV", "EU", "RUS", "UKR"):
        assert code in speakers, code
    assert all(p.date <= "2022-01-27" for p in positions), "nothing after the article's date"
    assert all(p.rationale.strip() and p.quote.strip() for p in positions)
    assert {p.issue for p in positions} <= set(ISSUES)


def test_member_data_has_all_30_members_with_sources():
    members = load_members()
    assert set(members.codes) == NATO_2022 and len(members.codes) == 30
    with data_path("members.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    statuses = {"sourced", "imputed", "judged", "missing", "unverified"}
    for row in rows:
        for value_column, status_column, source_column in (
            ("gas_russia_share", "gas_russia_share_status", "gas_russia_share_source"),
            ("gas_share_of_energy_2020", "gas_share_of_energy_status", "gas_share_of_energy_source"),
            ("oil_russia_share", "oil_russia_share_status", "oil_russia_share_source"),
            ("defence_pct_gdp_2021e", "defence_status", "defence_source"),
            ("us_troops_2021", "us_troops_status", "us_troops_source"),
        ):
            status = row[status_column]
            assert status in statuses, (row["iso3"], status_column, status)
            assert row[source_column].strip(), (row["iso3"], source_column)
            # no silent gaps: a missing value says so, a present value is not 'missing'
            assert (row[value_column].strip() == "") == (status == "missing"), (row["iso3"], value_column)
        assert row["iraq_source"].strip() and row["russia_ties_source"].strip()


def test_member_values_in_range():
    members = load_members()
    for name in ("gas_russia_share", "oil_russia_share", "gas_share_of_energy"):
        values = getattr(members, name)
        values = values[~np.isnan(values)]
        assert np.all((values >= 0) & (values <= 1)), name
    assert np.all(members.dist_moscow_km > 0)
    assert Counter(members.eu_member)[True] == 21
    assert set(members.codes[i] for i in np.nonzero(members.land_border)[0]) == {"EST", "LVA", "LTU", "POL", "NOR"}
