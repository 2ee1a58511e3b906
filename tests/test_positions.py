"""Positions coded per government: weights, group coding, sources, coverage and inter-coder agreement."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from collections import defaultdict
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cohesion.constants import ISSUES
from cohesion.errors import InputError
from cohesion.inputs import WEIGHTED_USES, data_path, load_members, load_positions, read_positions, stance_table
from cohesion.position_weights import GOVERNMENT_SHARE, class_shares, weigh_positions
from cohesion.positions_agreement import (
    ARTICLE_SOURCE,
    Coding,
    agreement_table,
    article_coding,
    disagreements,
    read_coding,
    write_coding,
)

REPO = Path(__file__).resolve().parents[1]
CUTOFF = "2022-01-27"
#: Coverage reported in docs/positions.md: member x issue cells with any member_stance row,
#: and cells with a member's own statement or action (not only a group statement).
CELLS_CODED = 104
CELLS_OWN_EVIDENCE = 41  # 42 before the audit removed Liimets' unverifiable row (docs/positions_audit.md)


def cells(positions, use="member_stance"):
    grouped = defaultdict(list)
    for pos in positions:
        if pos.use == use:
            grouped[pos.speaks_for, pos.issue].append(pos)
    return grouped


def test_weights_sum_to_one_in_every_cell_the_model_reads():
    positions = load_positions()
    sums = defaultdict(float)
    for pos in positions:
        if pos.use in WEIGHTED_USES:
            sums[pos.speaks_for, pos.issue, pos.use] += pos.weight
        else:
            assert pos.weight == 0.0, pos.id
        assert pos.weight_rationale.strip(), pos.id
    assert sums and all(total == pytest.approx(1.0, abs=1e-5) for total in sums.values())


def test_shipped_weights_follow_the_rule():
    """Rerun scripts/weigh_positions.py after editing positions.csv."""
    shipped = load_positions()
    for pos, expected in zip(shipped, weigh_positions(shipped)):
        assert pos.weight == pytest.approx(expected.weight, abs=1e-6), pos.id
        assert pos.weight_rationale == expected.weight_rationale, pos.id


def test_class_shares_by_hand():
    assert class_shares({"government"}) == {"government": 1.0}
    assert class_shares({"government", "head_of_state", "group"}) == pytest.approx(
        {"government": GOVERNMENT_SHARE, "head_of_state": (1 - GOVERNMENT_SHARE) / 2, "group": (1 - GOVERNMENT_SHARE) / 2}
    )
    assert class_shares({"head_of_state", "group"}) == {"head_of_state": 0.5, "group": 0.5}


def test_milanovic_does_not_outweigh_the_croatian_government():
    cell = cells(load_positions())["HRV", "diplomatic_line"]
    president = [p for p in cell if p.speaker_class == "head_of_state"]
    government = [p for p in cell if p.speaker_class == "government"]
    assert len(president) >= 3 and government
    assert sum(p.weight for p in government) > 0.5 > sum(p.weight for p in president)
    assert max(p.weight for p in president) < min(p.weight for p in government)


def test_group_statements_are_coded_member_by_member():
    members = load_members()
    eu = {code for code, is_eu in zip(members.codes, members.eu_member) if is_eu}
    group_rows = [p for p in load_positions() if p.id.endswith("-group-eu-not-follow-suit")]
    assert {p.speaks_for for p in group_rows} == eu and len(group_rows) == 21
    for pos in group_rows:
        assert pos.speaker_class == "group" and pos.group and pos.source_id == ARTICLE_SOURCE
        assert (pos.issue, pos.stance, pos.use) == ("diplomatic_line", 0.25, "member_stance")
    for pos in load_positions():
        assert (pos.speaker_class == "group") == bool(pos.group) or pos.use != "member_stance", pos.id


@pytest.mark.parametrize(
    ("suffix", "issue", "eu_only"),
    [("-group-fac-massive-consequences", "sanctions", True), ("-group-nrc-open-door", "open_door", False)],
)
def test_group_statements_from_other_sources_cover_their_whole_group(suffix, issue, eu_only):
    members = load_members()
    group = {code for code, is_eu in zip(members.codes, members.eu_member) if is_eu or not eu_only}
    rows = [p for p in load_positions() if p.id.endswith(suffix)]
    assert {p.speaks_for for p in rows} == group and len(rows) == len(group)
    assert all(p.issue == issue and p.speaker_class == "group" and p.group for p in rows)
    assert len({(p.stance, p.quote, p.source_id, p.date) for p in rows}) == 1


def test_every_position_is_dated_on_or_before_the_article():
    for pos in load_positions():
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", pos.date), pos.id
        assert pos.date <= CUTOFF, pos.id


def test_every_source_id_resolves_and_sources_predate_the_cutoff():
    with data_path("sources.csv").open(encoding="utf-8", newline="") as handle:
        sources = {row["source_id"]: row for row in csv.DictReader(handle)}
    assert ARTICLE_SOURCE in sources
    for source_id, row in sources.items():
        assert row["date"] <= CUTOFF and row["publisher"] and row["title"] and row["type"], source_id
        assert row["url"].startswith(("https://", "http://")) or source_id == ARTICLE_SOURCE, source_id
    used = {p.source_id for p in load_positions()}
    assert used <= set(sources) and set(sources) <= used


def test_quotes_from_other_sources_are_short_verbatim_excerpts():
    """At most one sentence: no quote of another source runs past one sentence end."""
    for pos in load_positions():
        if pos.source_id == ARTICLE_SOURCE:
            continue
        assert pos.quote.strip() and len(pos.quote) <= 320, pos.id
        assert len(re.findall(r"[.!?][”\"]?\s+[A-Z“\"]", pos.quote.strip())) == 0, pos.id


def test_coverage_is_at_least_the_reported_count():
    positions = load_positions()
    codes = load_members().codes
    coded = ~np.isnan(stance_table(positions, codes))
    own = ~np.isnan(stance_table(tuple(p for p in positions if p.speaker_class != "group"), codes))
    assert coded.size == 180
    assert coded.sum() >= CELLS_CODED and own.sum() >= CELLS_OWN_EVIDENCE


def test_a_table_without_the_new_columns_still_loads_with_equal_weights(tmp_path):
    legacy = tmp_path / "legacy.csv"
    legacy.write_text(
        "id,actor,role,speaks_for,issue,stance,use,date,rationale,quote\n"
        "a,x,x,DEU,sanctions,0.2,member_stance,2022-01-20,x,x\n"
        "b,x,x,DEU,sanctions,0.6,member_stance,2022-01-20,x,x\n"
        "c,x,x,RUS,sanctions,0.0,context,2022-01-20,x,x\n",
        encoding="utf-8",
    )
    rows = read_positions(legacy)
    assert [p.weight for p in rows] == [0.5, 0.5, 0.0]
    assert stance_table(rows, ("DEU",))[0, ISSUES.index("sanctions")] == pytest.approx(0.4)


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [("weight", "1.5", "weight 1.5 outside"), ("weight", "heavy", "not a number"),
     ("speaker_class", "king", "unknown speaker_class")],
)
def test_bad_weight_columns_are_input_errors(tmp_path, column, value, message):
    bad = tmp_path / "bad.csv"
    row = {"weight": "1", "speaker_class": "government", column: value}
    bad.write_text(
        "id,actor,role,speaks_for,issue,stance,use,date,rationale,quote,weight,speaker_class\n"
        f"a,x,x,DEU,sanctions,0.2,member_stance,2022-01-20,x,x,{row['weight']},{row['speaker_class']}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=message):
        read_positions(bad)


def test_positions_command_prints_the_new_columns(cli):
    done = subprocess.run([*cli, "positions", "--format", "csv", "--member", "HRV"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(StringIO(done.stdout))
    assert {"weight", "weight_rationale", "speaker_class", "group", "source_id"} <= set(table.columns)
    assert set(table["speaks_for"]) == {"HRV"} and "head_of_state" in set(table["speaker_class"])


# Inter-coder agreement ------------------------------------------------------------------

CODES = ("AAA", "BBB", "CCC")


def coding(values: dict[tuple[str, str], float]) -> Coding:
    stances = np.full((len(CODES), len(ISSUES)), np.nan)
    for (member, issue), value in values.items():
        stances[CODES.index(member), ISSUES.index(issue)] = value
    return Coding(stances, {cell: "quote" for cell in values})


def test_alpha_is_one_on_perfect_agreement():
    values = {("AAA", "deterrence"): 0.0, ("BBB", "deterrence"): 0.5, ("CCC", "deterrence"): 1.0}
    table = agreement_table(coding(values), coding(values)).set_index("issue")
    assert table.loc["deterrence", "alpha_interval"] == pytest.approx(1.0)
    assert table.loc["all issues", "alpha_interval"] == pytest.approx(1.0)
    assert np.isnan(table.loc["sanctions", "alpha_interval"]) and table.loc["sanctions", "pairable"] == 0


def test_alpha_by_hand():
    """Interval alpha, two coders. A = (0, 0.5, 1), B = (0, 1, 1): D_o = 0.5/6, D_e = 14.5/30, alpha = 24/29.

    A = (0, 1), B = (1, 0): D_o = 1, D_e = 2/3, alpha = -0.5. A cell only one coder coded is not pairable.
    """
    first = coding({("AAA", "sanctions"): 0.0, ("BBB", "sanctions"): 0.5, ("CCC", "sanctions"): 1.0,
                    ("AAA", "open_door"): 0.0, ("BBB", "open_door"): 1.0})
    second = coding({("AAA", "sanctions"): 0.0, ("BBB", "sanctions"): 1.0, ("CCC", "sanctions"): 1.0,
                     ("AAA", "open_door"): 1.0, ("BBB", "open_door"): 0.0, ("CCC", "open_door"): 0.25})
    table = agreement_table(first, second).set_index("issue")
    assert table.loc["sanctions", "alpha_interval"] == pytest.approx(24 / 29)
    assert table.loc["open_door", "alpha_interval"] == pytest.approx(-0.5)
    assert table.loc["open_door", ["cells_a", "cells_b", "pairable"]].tolist() == [2, 3, 2]
    flagged = disagreements(first, second, CODES)
    assert set(zip(flagged["member"], flagged["issue"])) == {
        ("BBB", "sanctions"), ("AAA", "open_door"), ("BBB", "open_door"), ("CCC", "open_door")}


def test_coding_a_is_the_article_alone_and_round_trips(tmp_path):
    codes = load_members().codes
    first = article_coding()
    dnk = first.stances[codes.index("DNK"), ISSUES.index("deterrence")]
    assert dnk == pytest.approx(0.95)  # the article's row only; the NATO release does not enter coding A
    assert np.isnan(first.stances[codes.index("NLD"), ISSUES.index("deterrence")])
    path = tmp_path / "coding_a.csv"
    write_coding(first, path)
    again = read_coding(path)
    assert np.array_equal(np.isnan(again.stances), np.isnan(first.stances))
    assert np.nanmax(np.abs(again.stances - first.stances)) <= 0.125 + 1e-9
    table = agreement_table(first, again).set_index("issue")
    assert table.loc["all issues", "alpha_interval"] > 0.9


@pytest.mark.parametrize(
    ("line", "message"),
    [("ZZZ,sanctions,1,q", "unknown member code"), ("DEU,tariffs,1,q", "unknown issue"),
     ("DEU,sanctions,0.3,q", "not one of"), ("DEU,sanctions,high,q", "not a number")],
)
def test_bad_coding_files_end_in_one_error_line(tmp_path, line, message):
    bad = tmp_path / "coding_b.csv"
    bad.write_text("member,issue,stance,quote\n" + line + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_coding(bad)
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "positions_agreement.py"), str(bad)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("error: ") and len(done.stderr.strip().splitlines()) == 1


def test_a_cell_coded_twice_is_an_error(tmp_path):
    bad = tmp_path / "coding_b.csv"
    bad.write_text("member,issue,stance,quote\nDEU,sanctions,1,q\nDEU,sanctions,0,q\n", encoding="utf-8")
    with pytest.raises(InputError, match="coded twice"):
        read_coding(bad)


def test_nearest_codebook_value_by_hand():
    from cohesion.positions_agreement import nearest_codebook_value

    rounded = nearest_codebook_value(np.array([0.4, 0.125, 0.63, np.nan, 0.05]))
    np.testing.assert_array_equal(rounded[[0, 1, 2, 4]], [0.5, 0.0, 0.75, 0.0])
    assert np.isnan(rounded[3])


def test_a_cell_mask_restricts_the_comparison():
    first = coding({("AAA", "sanctions"): 0.0, ("BBB", "sanctions"): 1.0, ("CCC", "sanctions"): 0.5})
    second = coding({("AAA", "sanctions"): 0.0, ("BBB", "sanctions"): 1.0, ("CCC", "sanctions"): 0.0})
    mask = np.zeros(first.stances.shape, dtype=bool)
    mask[:2, ISSUES.index("sanctions")] = True
    table = agreement_table(first, second, mask).set_index("issue")
    assert table.loc["sanctions", "pairable"] == 2 and table.loc["sanctions", "alpha_interval"] == pytest.approx(1.0)
    assert agreement_table(first, second).set_index("issue").loc["sanctions", "alpha_interval"] < 1.0


def test_the_shipped_second_coding_loads_and_quotes_the_article():
    from cohesion.positions_agreement import quotes_not_in_article

    path = data_path("coding_b.csv")
    if not path.is_file():
        pytest.skip("the second coding is not shipped yet")
    second = read_coding(path)
    assert (~np.isnan(second.stances)).sum() >= 1
    assert quotes_not_in_article(second) == []
