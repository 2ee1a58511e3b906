"""The HTML report: figure builders against real saved results, experiment figures against
hand-made tables, bad input, atomic writing and the command line."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from plotly.offline import get_plotlyjs

from cohesion.cli import main
from cohesion.constants import COMPONENTS, ISSUES
from cohesion.errors import InputError
from cohesion.results import RESULTS_FORMAT
from cohesion.report import build_report, write_report
from cohesion.report import build as report_build
from cohesion.report import experiment_figures as ef
from cohesion.report import figures as rf
from cohesion.report.data import load_results
from cohesion.report.findings import findings_text, key_findings
from cohesion.report.geometry import PANELS, load_countries, project
from cohesion.report.layout import figure_data, issue_label, show, visible, week_iso
from cohesion.report.member_map import member_map, tile_map
from cohesion.report.palette import member_colours, scale_colours, scenario_colours
from cohesion.report.scores import headline

SCENARIOS = ("baseline", "invasion")
STEPS = 8


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    """A real saved run: two scenarios, five runs, eight weeks."""
    out = tmp_path_factory.mktemp("report") / "tiny-run"
    main(["run", *SCENARIOS, "--runs", "5", "--steps", str(STEPS), "--seed", "11", "--quiet", "--out", str(out)])
    return out


@pytest.fixture(scope="module")
def results(run_dir):
    return load_results(run_dir)


@pytest.fixture(scope="module")
def head(results):
    """The first headline score of the results (whichever scores the model records)."""
    return headline(results.scores)[0]


def traces(fig: go.Figure, **meta) -> list:
    """The traces whose ``meta`` holds every given key-value pair."""
    return [t for t in fig.data if isinstance(t.meta, dict) and all(t.meta.get(k) == v for k, v in meta.items())]


def one(fig: go.Figure, **meta):
    found = traces(fig, **meta)
    assert len(found) == 1, (meta, len(found))
    return found[0]


def button_for(fig: go.Figure, label: str) -> dict:
    menu = fig.layout.updatemenus[0]
    return next(b for b in menu.buttons if b.label == label).to_plotly_json()


# --- run figures -----------------------------------------------------------------------------


def test_timeline_lines_are_the_saved_means_with_their_bands(run_dir, results):
    fig = rf.cohesion_timeline(results)
    saved = pd.read_parquet(run_dir / "timeseries_summary.parquet")
    saved = saved[saved["metric"] == headline(results.scores)[0].metric]
    for scenario in SCENARIOS:
        part = saved[saved["scenario"] == scenario].sort_values("week")
        assert len(part) == STEPS + 1
        line = one(fig, scenario=scenario, role="mean")
        np.testing.assert_allclose(line.y, part["mean"])
        assert list(line.x) == [week_iso(w) for w in range(STEPS + 1)]
        np.testing.assert_allclose(one(fig, scenario=scenario, role="p05").y, part["p05"])
        np.testing.assert_allclose(one(fig, scenario=scenario, role="p95").y, part["p95"])
        assert one(fig, scenario=scenario, role="p05").fill == "tonexty"
        assert line.line.color == scenario_colours(list(SCENARIOS))[scenario]
    assert week_iso(0) == "2022-01-27" and week_iso(4) == "2022-02-24"


def test_timeline_marks_every_event_week_on_the_line_and_as_labelled_vertical_lines(run_dir, results):
    fig = rf.cohesion_timeline(results)
    events = pd.read_csv(run_dir / "events.csv")
    for scenario in SCENARIOS:
        weeks = sorted(set(events.loc[events["scenario"] == scenario, "week"]))
        assert weeks, "the shipped scenarios have events inside eight weeks"
        on_line = one(fig, scenario=scenario, role="events")
        assert on_line.meta["weeks"] == weeks and on_line.meta["show"] == {"scenario": scenario, "mode": "values"}
        assert list(on_line.x) == [week_iso(w) for w in weeks]
        mean = one(fig, scenario=scenario, role="mean")
        by_date = dict(zip(mean.x, mean.y))
        assert list(on_line.y) == [by_date[week_iso(w)] for w in weeks]
        notes = events.loc[events["scenario"] == scenario, "note"]
        assert all(any(note in text for text in on_line.hovertext) for note in notes)
        view = fig.layout.meta["views"][scenario]  # the page's selector draws the scenario's events as lines with labels
        assert [s["x0"] for s in view["shapes"]] == [week_iso(w) for w in weeks]
        assert [a["text"].split(":")[0] for a in view["annotations"]] == [f"wk {w}" for w in weeks]
    show(fig, scenario="invasion")
    assert [t.meta["scenario"] for t in traces(fig, role="events") if t.visible] == ["invasion"]
    assert [s.x0 for s in fig.layout.shapes] == [s["x0"] for s in fig.layout.meta["views"]["invasion"]["shapes"]]


def test_timeline_is_zoomed_to_where_things_move_and_labels_each_line_at_its_end(results):
    weeks = np.arange(STEPS + 1)
    moving = pd.DataFrame({"scenario": np.repeat(["a", "b"], len(weeks)), "week": np.tile(weeks, 2),
                           "mean": np.concatenate([10.0 * weeks, 50 - 5.0 * weeks])})
    assert rf._zoom_weeks(moving, []) == (0, STEPS)  # everything still moves
    flat = moving.assign(mean=np.concatenate([10.0 * np.minimum(weeks, 3), 50 - 5.0 * np.minimum(weeks, 3)]))
    assert rf._zoom_weeks(flat, []) == (0, 3 + rf.TIMELINE_PAD_WEEKS)  # nothing moves after week 3
    assert rf._zoom_weeks(flat, [7]) == (0, STEPS)  # but an event is always in view
    fig = rf.cohesion_timeline(results)
    labels = visible(fig, role="end_label")
    assert sorted(t.meta["scenario"] for t in labels) == sorted(SCENARIOS)
    assert all(t.x[0] == fig.layout.xaxis.range[1] and t.cliponaxis is False for t in labels)
    placed = rf._spread_labels({"a": 1.0, "b": 1.01, "c": 5.0}, gap=0.5)
    assert placed["b"] - placed["a"] >= 0.5 - 1e-12 and placed["c"] - placed["b"] >= 0.5 - 1e-12


def test_timeline_shows_the_change_from_the_reference_on_request(run_dir, results, head):
    fig = rf.cohesion_timeline(results)
    assert fig.layout.meta["state"]["mode"] == "values" and not visible(fig, role="change")
    show(fig, mode="change")
    saved = pd.read_parquet(run_dir / "timeseries_summary.parquet")
    saved = saved[saved["metric"] == head.metric].pivot(index="week", columns="scenario", values="mean")
    line = one(fig, scenario="invasion", role="change")
    np.testing.assert_allclose(line.y, saved["invasion"] - saved["baseline"])
    np.testing.assert_allclose(one(fig, scenario="baseline", role="change").y, 0.0)
    assert {t.meta["role"] for t in visible(fig, scenario="invasion")} == {"change", "end_label"}
    assert fig.layout.yaxis.title.text.endswith("change from baseline")
    low, high = fig.layout.yaxis.range
    assert low <= 0 <= high and high >= float((saved["invasion"] - saved["baseline"]).max())
    data = figure_data(fig)
    np.testing.assert_allclose(data[data["scenario"] == "invasion"].sort_values("week")["change_from_reference"], line.y)


def test_comparison_shows_every_score_the_results_hold_with_its_interval(run_dir, results, head):
    fig = rf.scenario_comparison(results)
    summary = pd.read_csv(run_dir / "summary.csv").set_index("scenario")
    saved = set(pd.read_parquet(run_dir / "timeseries_summary.parquet")["metric"])
    assert {s.metric for s in results.scores} == saved  # the scores come from the tables, not from a list in the report
    for score in results.scores:
        for scenario in SCENARIOS:
            point = one(fig, scenario=scenario, role="horizon", column=score.mean)
            assert point.x[0] == pytest.approx(summary.loc[scenario, score.mean])
            assert point.error_x.array[0] == pytest.approx(summary.loc[scenario, score.high] - summary.loc[scenario, score.mean])
            assert point.error_x.arrayminus[0] == pytest.approx(summary.loc[scenario, score.mean] - summary.loc[scenario, score.low])
    week0 = one(fig, role="week0", score=head.metric)
    assert dict(zip(week0.y, week0.x)) == pytest.approx(summary[head.week0].to_dict())
    assert not visible(fig, role="change")  # values first; the page's button shows the changes from the reference
    show(fig, mode="change")
    change = one(fig, role="change", score=head.metric)
    expected = summary[head.mean] - summary.loc["baseline", head.mean]
    assert dict(zip(change.y, change.x)) == pytest.approx(expected.to_dict()) and change.visible


def test_stance_heatmap_is_members_csv_with_country_names_and_blocks_marked(run_dir, results):
    fig = rf.stance_heatmap(results)
    members = pd.read_csv(run_dir / "members.csv", keep_default_na=False)
    for scenario in SCENARIOS:
        heat = one(fig, scenario=scenario, role="stance")
        table = members[members["scenario"] == scenario].set_index("member").loc[heat.meta["members"]]
        np.testing.assert_allclose(np.array(heat.z), table[[f"stance_{k}" for k in ISSUES]].to_numpy())
        assert list(heat.y) == list(table["country"])
        blocked = {(m, k) for m, bs in table["blocks"].items() for k in bs.split(";") if k}
        marked = {(m, ISSUES[j]) for m, row in zip(table.index, heat.text) for j, cell in enumerate(row) if "✕" in cell}
        assert marked == blocked
    assert not fig.layout.updatemenus  # the page's one selector picks the scenario
    assert [t.visible for t in fig.data] == [True, False]
    assert [t.visible for t in show(fig, scenario="invasion").data] == [False, True]


def test_alignment_ranking_is_sorted_with_intervals_and_labelled(run_dir, results):
    fig = rf.alignment_ranking(results)
    members = pd.read_csv(run_dir / "members.csv").set_index(["scenario", "member"])
    for scenario in SCENARIOS:
        dots = one(fig, scenario=scenario, role="alignment")
        codes = dots.meta["members"]
        table = members.loc[scenario].loc[codes]
        assert list(dots.x) == sorted(dots.x, reverse=True)
        np.testing.assert_allclose(dots.x, table["alignment"])
        np.testing.assert_allclose(np.array(dots.x) + np.array(dots.error_x.array), table["alignment_p95"])
        np.testing.assert_allclose(np.array(dots.x) - np.array(dots.error_x.arrayminus), table["alignment_p05"])
        assert fig.layout.meta["views"][scenario]["yaxis.ticktext"] == list(table["country"])
        assert fig.layout.meta["narrow_views"][scenario]["yaxis.ticktext"] == codes  # ISO3 codes on a phone
        assert list(dots.marker.color) == [member_colours(list(members.loc[scenario].index))[c] for c in codes]


def test_why_chart_is_relative_to_the_alliance_average_by_default_and_adds_up(run_dir, results):
    fig = rf.attribution_chart(results)
    members = pd.read_csv(run_dir / "members.csv").set_index(["scenario", "member"])
    assert fig.layout.meta["state"]["mode"] == "relative"
    assert {t.meta["view"] for t in visible(fig, role="component")} == {"relative"}
    for scenario in SCENARIOS:
        codes = one(fig, scenario=scenario, role="stance", view="parts").meta["members"]
        table = members.loc[scenario].loc[codes]
        stance = table[[f"stance_{k}" for k in ISSUES]].mean(axis=1).to_numpy()
        total = np.zeros(len(codes))
        gap = np.zeros(len(codes))
        for component in COMPONENTS:
            bars = one(fig, scenario=scenario, role="component", component=component, view="parts")
            np.testing.assert_allclose(bars.x, table[f"attr_{component}"])
            total += np.array(bars.x)
            gap += np.array(one(fig, scenario=scenario, role="component", component=component, view="relative").x)
        np.testing.assert_allclose(total, stance, atol=1e-9)  # the parts add up to the stance
        np.testing.assert_allclose(gap, stance - stance.mean(), atol=1e-9)
        np.testing.assert_allclose(one(fig, scenario=scenario, role="stance", view="parts").x, stance)
    germany = one(fig, scenario="baseline", role="component", component="energy", view="relative")
    norway = germany.meta["members"].index("NOR")
    assert germany.x[germany.meta["members"].index("DEU")] < germany.x[norway]  # gas dependence pulls Germany away
    show(fig, mode="parts", scenario="invasion")
    assert {(t.meta["view"], t.meta["scenario"]) for t in visible(fig, role="component")} == {("parts", "invasion")}


def test_why_by_issue_is_attribution_minus_the_alliance_average(run_dir, results):
    fig = rf.attribution_by_issue(results)
    attribution = pd.read_parquet(run_dir / "attribution.parquet")
    for scenario in SCENARIOS:
        for issue in ISSUES:
            heat = one(fig, scenario=scenario, role="gap", issue=issue)
            table = (attribution[(attribution["scenario"] == scenario) & (attribution["issue"] == issue)]
                     .pivot(index="member", columns="component", values="value").loc[heat.meta["members"], list(COMPONENTS)])
            np.testing.assert_allclose(np.array(heat.z), (table - table.mean()).to_numpy(), atol=1e-12)
            assert list(heat.x) == list(COMPONENTS)


def test_blocker_matrix_is_member_by_issue_share_at_the_horizon_with_first_week(run_dir, results):
    fig = rf.blocker_matrix(results)
    frame = pd.read_parquet(run_dir / "member_timeseries.parquet")
    horizon = frame[frame["week"] == STEPS].set_index(["scenario", "member", "issue"])["block_share"]
    for scenario in SCENARIOS:
        heat = one(fig, scenario=scenario, role="block_share")
        assert heat.meta["issues"] == list(ISSUES)
        z = np.array(heat.z)
        for r, member in enumerate(heat.meta["members"]):
            np.testing.assert_allclose(z[r], [horizon[(scenario, member, k)] for k in ISSUES])
            for k, issue in enumerate(ISSUES):
                weeks = frame[(frame["scenario"] == scenario) & (frame["member"] == member) & (frame["issue"] == issue)
                              & (frame["block_share"] >= 0.5)]["week"]
                assert ("wk " in heat.text[r][k]) == (not weeks.empty and z[r][k] > 0)
                if not weeks.empty and z[r][k] > 0:
                    assert heat.text[r][k].endswith(f"wk {weeks.min()}")
    listed = set(one(fig, scenario="baseline", role="block_share").meta["members"])
    strong = {m for (s, m, k), v in horizon.items() if v >= rf.BLOCKER_CHART_MIN_SHARE}
    assert strong and strong <= listed and len(listed) < 30  # one screen: only members that block
    names = results.country_names
    assert set(fig.data[0].y) == {names[m] for m in listed}


@pytest.mark.parametrize("builder", ["cohesion_timeline", "scenario_comparison", "stance_heatmap", "alignment_ranking",
                                     "attribution_chart", "attribution_by_issue", "blocker_matrix", "member_map", "tile_map"])
def test_each_figure_offers_exactly_the_data_it_draws(results, builder):
    fig = (getattr(rf, builder, None) or {"member_map": member_map, "tile_map": tile_map}[builder])(results)
    data = figure_data(fig)
    drawn = [t for t in fig.data if isinstance(t.meta, dict) and t.meta.get("role") in
             {"mean", "horizon", "stance", "alignment", "component", "gap", "block_share", "member", "tiles"}]
    assert drawn and not data.empty
    for trace in drawn:
        m = trace.meta
        rows = data[data["scenario"] == m["scenario"]] if "scenario" in data and "scenario" in m else data
        if m["role"] == "mean":
            np.testing.assert_allclose(trace.y, rows.sort_values("week")["mean"])
        elif m["role"] == "horizon":
            assert trace.x[0] == pytest.approx(rows[rows["score"] == trace.meta["score"]]["mean"].iloc[0])
        elif m["role"] == "alignment":
            np.testing.assert_allclose(trace.x, rows.set_index("member").loc[m["members"], "alignment"])
        elif m["role"] == "component":
            np.testing.assert_allclose(trace.x, rows[rows["component"] == m["component"]].set_index("member")
                                       .loc[m["members"], "relative" if m["view"] == "relative" else "part"])
        elif m["role"] == "block_share":
            table = rows.pivot(index="member", columns="issue", values="share_at_horizon").reindex(m["members"])[list(ISSUES)]
            np.testing.assert_allclose(np.array(trace.z), table.fillna(0.0).to_numpy())
        elif m["role"] == "gap":
            part = rows[rows["issue"] == m["issue"]].pivot(index="member", columns="component", values="relative")
            np.testing.assert_allclose(np.array(trace.z), part.loc[m["members"], list(COMPONENTS)].to_numpy())
        elif m["role"] == "stance" and "issue" in rows:
            table = rows.pivot(index="member", columns="issue", values="stance").loc[m["members"], list(ISSUES)]
            np.testing.assert_allclose(np.array(trace.z), table.to_numpy())
        elif m["role"] == "tiles":
            np.testing.assert_allclose(trace.marker.color, rows.set_index("member").loc[m["members"], "alignment"])
        elif m["role"] == "member":
            assert m["member"] in set(data["member"])


def test_map_draws_all_30_members_offline_coloured_by_alignment(run_dir, results):
    fig = member_map(results)
    members = pd.read_csv(run_dir / "members.csv").set_index(["scenario", "member"])
    drawn = traces(fig, role="member")
    codes = [t.meta["member"] for t in drawn]
    assert len(drawn) == 30 and sorted(codes) == sorted(members.loc["baseline"].index)
    assert {type(t).__name__ for t in fig.data} == {"Scatter"}  # no geo or tile map: nothing to fetch
    low, high = members["alignment"].min(), members["alignment"].max()
    assert [t.fillcolor for t in drawn] == scale_colours(list(members.loc["baseline"].loc[codes, "alignment"]), low, high)
    for scenario in SCENARIOS:
        update, indices = fig.layout.meta["restyle"][scenario]
        assert [fig.data[i].meta["member"] for i in indices] == codes
        assert update["fillcolor"] == scale_colours(list(members.loc[scenario].loc[codes, "alignment"]), low, high)
        assert all(f"alignment {members.loc[(scenario, c), 'alignment']:.3f}" in text for c, text in zip(codes, update["text"]))
    assert sum(len(t.text) for t in traces(fig, role="labels")) == 30


def test_shipped_geometry_has_every_member_and_projects_around_its_centre():
    countries = {c.iso3: c for c in load_countries()}
    members = pd.read_csv(Path(__file__).resolve().parents[1] / "cohesion" / "data" / "members.csv")
    assert {c for c, country in countries.items() if country.nato} == set(members["iso3"])
    assert countries["USA"].panel() == "north_america" and countries["DEU"].panel() == "europe"
    assert all(PANELS[c.panel()].contains(lon, lat) for c in countries.values() if c.nato for lon, lat in [c.label])
    x, y = project(np.array([12.0, 12.0]), np.array([54.0, 60.0]), PANELS["europe"].centre)
    assert x[0] == pytest.approx(0) and y[0] == pytest.approx(0) and y[1] > 0


def test_palette_is_fixed_and_distinct():
    shipped = scenario_colours(["baseline", "invasion", "gas-cutoff"])
    assert shipped == scenario_colours(["gas-cutoff", "invasion", "baseline"])
    assert len(set(scenario_colours(["baseline", "x-new", "y-new"]).values())) == 3
    assert len(set(member_colours([f"C{i:02d}" for i in range(30)]).values())) == 30


# --- the page -------------------------------------------------------------------------------


def test_report_page_is_self_contained(run_dir, tmp_path):
    out = write_report(run_dir, tmp_path / "out" / "r.html")
    page = out.read_text(encoding="utf-8")
    assert out.parent.is_dir() and page.startswith("<!DOCTYPE html>")
    assert get_plotlyjs() in page  # the library itself is inline
    ours = page.replace(get_plotlyjs(), "")
    assert not re.search(r"<script[^>]+src=", ours) and "<link" not in ours and "@import" not in ours
    assert "http://" not in ours and "https://" not in ours
    assert page.index('id="findings"') < page.index('class="toc"')  # key findings first, above the contents
    assert page.count('<select id="scenario"') == 1  # one scenario selector for the whole page
    for section in (*(f"timeline-{score.metric}".replace("_", "-") for score in headline(load_results(run_dir).scores)), "comparison", "stances", "alignment", "why", "why-issues", "blockers", "map", "provenance", "positions"):
        assert f'id="{section}"' in page and f'href="#{section}"' in page
    assert "27 January 2022" in page
    meta = json.loads((run_dir / "manifest.json").read_text())
    for spec in meta["scenarios"]:
        assert spec["sha256"] in page
    assert str(meta["seed"]) in page
    positions = pd.read_csv(run_dir / "positions.csv")
    assert all(pid in page for pid in positions["id"])


def test_default_output_is_reports_folder_named_after_the_results(run_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write_report(run_dir)
    assert path == Path("reports") / "tiny-run.html" and (tmp_path / "reports" / "tiny-run.html").is_file()


def test_a_failed_write_leaves_the_old_report_and_no_partial_file(run_dir, tmp_path, monkeypatch):
    out = tmp_path / "r.html"
    out.write_text("old report")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(report_build.os, "replace", broken_replace)
    with pytest.raises(OSError):
        write_report(run_dir, out)
    assert out.read_text() == "old report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html"]


# --- bad input ------------------------------------------------------------------------------


@pytest.fixture
def broken_copy(run_dir, tmp_path):
    """A copy of the run's folder to damage."""
    return Path(shutil.copytree(run_dir, tmp_path / "copy"))


def test_missing_folder_and_manifest_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="results folder not found"):
        build_report(tmp_path / "nothing")
    with pytest.raises(InputError, match="no manifest.json"):
        build_report(tmp_path)


def test_older_format_is_rejected_with_the_format_named(broken_copy):
    meta = json.loads((broken_copy / "manifest.json").read_text())
    (broken_copy / "manifest.json").write_text(json.dumps({**meta, "format": "cohesion-results/0"}))
    with pytest.raises(InputError, match=r"results format 'cohesion-results/0' is not supported.*older cohesion.*rerun it"):
        build_report(broken_copy)


def test_corrupt_manifest_and_unknown_kind_are_rejected(broken_copy):
    meta = json.loads((broken_copy / "manifest.json").read_text())
    (broken_copy / "manifest.json").write_text(json.dumps({**meta, "kind": "sweep"}))
    with pytest.raises(InputError, match="kind 'sweep'"):
        build_report(broken_copy)
    (broken_copy / "manifest.json").write_text("{not json")
    with pytest.raises(InputError, match="corrupt manifest"):
        build_report(broken_copy)


@pytest.mark.parametrize("name", ["summary.csv", "members.csv", "timeseries_summary.parquet"])
def test_missing_required_table_names_the_file(broken_copy, tmp_path, name):
    (broken_copy / name).unlink()
    out = tmp_path / "r.html"
    with pytest.raises(InputError, match=f"required table {re.escape(name)} is missing"):
        write_report(broken_copy, out)
    assert not out.exists()


def test_table_without_a_needed_column_or_unreadable_is_rejected(run_dir, broken_copy):
    members = pd.read_csv(broken_copy / "members.csv").drop(columns=["stance_sanctions"])
    members.to_csv(broken_copy / "members.csv", index=False)
    with pytest.raises(InputError, match="members.csv: missing column.*stance_sanctions"):
        build_report(broken_copy)
    shutil.copyfile(run_dir / "members.csv", broken_copy / "members.csv")
    (broken_copy / "timeseries_summary.parquet").write_bytes(b"not parquet")
    with pytest.raises(InputError, match="timeseries_summary.parquet: cannot read"):
        load_results(broken_copy)


def test_optional_tables_may_be_missing(broken_copy):
    for name in ("attribution.parquet", "member_timeseries.parquet", "events.csv", "positions.csv"):
        (broken_copy / name).unlink()
    page = build_report(broken_copy)
    assert "attribution.parquet is not in these results" in page and "positions.csv is not in these results" in page


# --- command line ---------------------------------------------------------------------------


def test_cli_writes_the_report(run_dir, tmp_path, capsys):
    out = tmp_path / "cli.html"
    main(["report", str(run_dir), "--out", str(out)])
    assert out.is_file() and f"report written to {out}" in capsys.readouterr().out


def test_cli_bad_input_is_one_error_line_and_exit_2(tmp_path):
    done = subprocess.run([sys.executable, "-m", "cohesion", "report", str(tmp_path / "missing")], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"error: results folder not found: {tmp_path / 'missing'}"]
    assert not (tmp_path / "reports").exists()


def test_cli_missing_table_exit_2(broken_copy, capsys):
    (broken_copy / "summary.csv").unlink()
    with pytest.raises(SystemExit) as exit_info:
        main(["report", str(broken_copy)])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and "summary.csv" in err[0]


def test_run_with_report_flag_writes_the_default_report(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    main(["run", "baseline", "--runs", "2", "--steps", "3", "--quiet", "--out", "results/quick", "--report"])
    assert (tmp_path / "reports" / "quick.html").is_file()


# --- experiments (hand-made tables in the agreed format) --------------------------------------


def experiment_folder(folder: Path, points: pd.DataFrame | None = None, sensitivity: pd.DataFrame | None = None,
                      calibration: pd.DataFrame | None = None, **manifest) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    meta = {"format": "cohesion-experiment/2", "kind": "experiment", "cohesion_version": "0.1.0", "seed": 3,
            "scenarios": ["baseline", "invasion"], "parameters": [{"name": "energy_weight", "low": 0.5, "high": 1.0}], **manifest}
    (folder / "manifest.json").write_text(json.dumps(meta))
    if points is not None:
        points.to_parquet(folder / "points.parquet", index=False)
    if sensitivity is not None:
        sensitivity.to_csv(folder / "sensitivity.csv", index=False)
    if calibration is not None:
        calibration.to_csv(folder / "calibration.csv", index=False)
    return folder


def grid_points() -> pd.DataFrame:
    """A 3 x 2 grid over two parameters, two replicates, two scenarios; cohesion = 10 a + 100 b + replicate."""
    rows = []
    point = 0
    for scenario in ("baseline", "invasion"):
        for a in (0.5, 0.75, 1.0):
            for b in (0.1, 0.2):
                for replicate in (0, 1):
                    rows.append({"point": point, "replicate": replicate, "seed": 100 + replicate, "scenario": scenario,
                                 "energy_weight": a, "DEU.energy_weight": b, "consensus": 10 * a + 100 * b + replicate,
                                 "cohesion": 50.0, "alignment": 0.7, "alignment_DEU": 0.6})
                point += 1
    return pd.DataFrame(rows)


def test_grid_sweep_is_a_heatmap_of_mean_cohesion():
    points = grid_points()
    assert ef.varied_parameters(points) == ["energy_weight", "DEU.energy_weight"]
    fig = ef.sweep_surfaces(type("R", (), {"points": points})())
    heat = one(fig, scenario="baseline", x="energy_weight", y="DEU.energy_weight", outcome="consensus", grid=True)
    assert heat.type == "heatmap" and heat.meta["grid"]
    assert list(heat.x) == [0.5, 0.75, 1.0] and list(heat.y) == [0.1, 0.2]
    expected = [[10 * a + 100 * b + 0.5 for a in (0.5, 0.75, 1.0)] for b in (0.1, 0.2)]
    np.testing.assert_allclose(heat.z, expected)
    outcomes = ef.declared_outcomes(points)
    assert outcomes[0] == "consensus" and len(outcomes) > 1  # every recorded outcome gets its surfaces
    assert {t.meta["outcome"] for t in traces(fig, grid=True)} == set(outcomes)
    assert len(fig.layout.updatemenus[0].buttons) == 2 * len(outcomes)
    label = "consensus: energy weight × energy weight (DEU) · invasion"
    assert button_for(fig, label)["args"][1]["yaxis.title.text"] == "energy weight (DEU)"
    star = one(fig, role="default", outcome="consensus", scenario="baseline")  # the defaults are marked
    assert (star.x[0], star.y[0]) == (ef.default_value("energy_weight"), ef.default_value("DEU.energy_weight"))


def test_scattered_design_is_drawn_as_points_and_one_parameter_as_a_line():
    rng = np.random.default_rng(0)
    points = pd.DataFrame({"point": range(20), "replicate": 0, "seed": 1, "scenario": "baseline",
                           "energy_weight": rng.uniform(0, 1, 20), "threat_weight": rng.uniform(0, 1, 20), "peer_weight": rng.uniform(0, 1, 20)})
    points["consensus"] = 50 + 10 * points["energy_weight"]
    fig = ef.sweep_surfaces(type("R", (), {"points": points})())
    dots = one(fig, x="energy_weight", y="threat_weight", grid=False)
    assert dots.type == "scatter" and not dots.meta["grid"]
    np.testing.assert_allclose(dots.marker.color, points["consensus"])
    assert len(fig.layout.updatemenus[0].buttons) == 3  # three pairs of parameters, one outcome
    line = ef.sweep_surfaces(type("R", (), {"points": grid_points().drop(columns=["DEU.energy_weight"])})())
    mean = one(line, scenario="baseline", role="mean")
    assert list(mean.x) == [0.5, 0.75, 1.0]
    # every (a, replicate) appears for b = 0.1 and 0.2: mean = 10 a + 15 + 0.5
    np.testing.assert_allclose(mean.y, [10 * a + 15.5 for a in (0.5, 0.75, 1.0)])


SENSITIVITY = pd.DataFrame([
    {"scenario": "baseline", "outcome": "cohesion_index", "parameter": "energy_weight", "method": "sobol", "S1": 0.2, "S1_conf": 0.05, "ST": 0.3, "ST_conf": 0.06},
    {"scenario": "baseline", "outcome": "cohesion_index", "parameter": "threat_weight", "method": "sobol", "S1": 0.5, "S1_conf": 0.04, "ST": 0.6, "ST_conf": 0.05},
    {"scenario": "baseline", "outcome": "spread", "parameter": "energy_weight", "method": "sobol", "S1": 0.7, "S1_conf": 0.1, "ST": 0.8, "ST_conf": 0.1},
    {"scenario": "baseline", "outcome": "spread", "parameter": "threat_weight", "method": "sobol", "S1": 0.1, "S1_conf": 0.1, "ST": 0.2, "ST_conf": 0.1},
    {"scenario": "baseline", "outcome": "cohesion_index", "parameter": "energy_weight", "method": "morris", "mu_star": 4.0, "mu_star_conf": 0.5, "sigma": 1.0},
    {"scenario": "baseline", "outcome": "cohesion_index", "parameter": "threat_weight", "method": "morris", "mu_star": 2.0, "mu_star_conf": 0.4, "sigma": 3.0},
], columns=["scenario", "outcome", "parameter", "method", "S1", "S1_conf", "ST", "ST_conf", "mu_star", "mu_star_conf", "sigma"])


def test_sobol_chart_shows_indices_with_intervals_largest_first():
    fig = ef.sensitivity_chart(SENSITIVITY, "sobol")
    st = one(fig, outcome="cohesion_index", column="ST")
    assert list(st.y) == ["threat weight", "energy weight"]  # ordered by ST of cohesion_index
    assert list(st.x) == [0.6, 0.3] and list(st.error_x.array) == [0.05, 0.06]
    assert list(one(fig, outcome="cohesion_index", column="S1").x) == [0.5, 0.2]
    assert list(one(fig, outcome="spread", column="ST").x) == [0.2, 0.8]  # same parameter order for every outcome
    assert [b.label for b in fig.layout.updatemenus[0].buttons] == ["cohesion index · baseline", "spread · baseline"]


def test_morris_chart_shows_mu_star_and_sigma():
    fig = ef.sensitivity_chart(SENSITIVITY, "morris")
    mu = one(fig, column="mu_star")
    assert list(mu.y) == ["energy weight", "threat weight"] and list(mu.x) == [4.0, 2.0] and list(mu.error_x.array) == [0.5, 0.4]
    assert list(one(fig, column="sigma").x) == [1.0, 3.0]
    assert not traces(fig, column="ST") and not fig.layout.updatemenus  # one outcome: no dropdown


CALIBRATION = pd.DataFrame({
    "position_id": ["deu-a", "deu-b", "usa-a", "pol-a"], "member": ["DEU", "DEU", "USA", "POL"],
    "issue": ["arms_to_ukraine", "sanctions", "deterrence", "deterrence"],
    "observed": [0.1, 0.4, 0.95, 0.9], "modelled": [0.2, 0.35, 0.9, 0.9],
})


def test_calibration_chart_plots_observed_against_modelled_per_member():
    results = type("R", (), {"calibration": CALIBRATION.assign(error=CALIBRATION.modelled - CALIBRATION.observed),
                             "country_names": {"DEU": "Germany", "USA": "United States", "POL": "Poland"}})()
    fig = ef.calibration_chart(results)
    germany = one(fig, role="positions", member="DEU")
    assert germany.name == "Germany" and list(germany.x) == [0.1, 0.4] and list(germany.y) == [0.2, 0.35]
    assert issue_label("arms_to_ukraine") in germany.customdata[0][1]
    rmse = np.sqrt(np.mean((CALIBRATION.modelled - CALIBRATION.observed) ** 2))
    assert f"RMSE {rmse:.3f}" in fig.layout.title.text and "4 positions" in fig.layout.title.text
    assert list(one(fig, role="diagonal").x) == [0, 1]


def test_experiment_report_shows_what_exists(tmp_path):
    full = experiment_folder(tmp_path / "full", grid_points(), SENSITIVITY, CALIBRATION, name="weights")
    (full / "calibration_params.yaml").write_text("energy_weight: 0.8\n")
    page = build_report(full)
    for section in ("sweep", "sensitivity", "calibration", "provenance"):
        assert f'id="{section}"' in page
    assert "energy_weight: 0.8" in page and "Experiment results" in page and "(weights)" in page
    only = experiment_folder(tmp_path / "only", calibration=CALIBRATION, status="running")
    page = build_report(only)
    assert 'id="calibration"' in page and 'id="sweep"' not in page and 'id="sensitivity"' not in page
    assert "has not finished" in page


def test_empty_or_malformed_experiment_folder_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="none of points.parquet"):
        build_report(experiment_folder(tmp_path / "empty"))
    bad = experiment_folder(tmp_path / "bad", calibration=CALIBRATION.drop(columns=["modelled"]))
    with pytest.raises(InputError, match="calibration.csv: missing column.*modelled"):
        build_report(bad)
    mixed = experiment_folder(tmp_path / "mixed", calibration=CALIBRATION, format=RESULTS_FORMAT)
    with pytest.raises(InputError, match="kind 'experiment' must have format 'cohesion-experiment/2'"):
        build_report(mixed)


# --- key findings, plotly.js in a directory -------------------------------------------------


def test_key_findings_numbers_come_from_the_saved_tables(run_dir, results, head):
    summary = pd.read_csv(run_dir / "summary.csv").set_index("scenario")
    members = pd.read_csv(run_dir / "members.csv").set_index(["scenario", "member"])
    found = key_findings(results)
    text = " ".join(f.text for f in found)
    base = summary.loc["baseline"]
    assert (f"In baseline, {head.label.lower()} goes from {base[head.week0]:.1f} at week 0 to {base[head.mean]:.1f} "
            f"at week {STEPS} (90% interval {base[head.low]:.1f}-{base[head.high]:.1f}).") in text
    change = summary.loc["invasion", head.mean] - base[head.mean]
    assert f"invasion {change:+.1f} (to {summary.loc['invasion', head.mean]:.1f})" in text
    least = members.loc["baseline"]["alignment"].idxmin()
    row = members.loc[("baseline", least)]
    assert f"{row['country']} is the least aligned in baseline (alignment {row['alignment']:.2f}" in text
    parts = members.loc["baseline"][[f"attr_{c}" for c in COMPONENTS]]
    gap = (parts - parts.mean()).loc[least].sort_values()
    assert f"{gap.index[0].removeprefix('attr_')} ({gap.iloc[0]:+.2f})" in text
    blockers = [results.country_names[c] for c in base["blocking_members"].split(";")]
    assert all(name in text for name in blockers)
    # every number printed is a table value as rounded: none is made up
    allowed = {f"{v:.1f}" for v in summary.select_dtypes("number").to_numpy().ravel()}
    allowed |= {f"{v:+.1f}" for score in headline(results.scores) for v in summary[score.mean] - base[score.mean]}
    allowed |= {f"{v:.2f}" for v in members.select_dtypes("number").to_numpy().ravel()}
    allowed |= {f"{v:+.2f}" for v in (parts - parts.mean()).to_numpy().ravel()} | {str(STEPS), "0", "90"}
    numbers = re.findall(r"[+-]?\d+(?:\.\d+)?", text)
    assert numbers and all(n in allowed or n.lstrip("+-") in allowed for n in numbers), [n for n in numbers if n not in allowed]
    assert all(f.source.split(",")[0].split(":")[0] in ("summary.csv", "members.csv") for f in found)


def test_findings_follow_the_reference_scenario(results):
    text = findings_text(results, reference="invasion")
    assert text.startswith("In invasion,") and "from invasion: baseline" in text


def test_plotlyjs_directory_writes_one_shared_bundle_beside_the_reports(run_dir, tmp_path):
    first = write_report(run_dir, tmp_path / "a.html", plotlyjs="directory")
    write_report(run_dir, tmp_path / "b.html", plotlyjs="directory")
    bundle = tmp_path / "plotly.min.js"
    assert bundle.read_text(encoding="utf-8") == get_plotlyjs()
    page = first.read_text(encoding="utf-8")
    assert '<script type="text/javascript" src="plotly.min.js"></script>' in page and get_plotlyjs() not in page
    assert first.stat().st_size < 2_000_000 < (write_report(run_dir, tmp_path / "c.html")).stat().st_size
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.html", "b.html", "c.html", "plotly.min.js"]  # nothing left behind


def test_report_cli_rejects_an_unknown_plotlyjs_mode(run_dir, tmp_path, cli):
    done = subprocess.run([*cli, "report", str(run_dir), "--out", str(tmp_path / "r.html"), "--plotlyjs", "cdn"],
                          capture_output=True, text=True)
    assert done.returncode == 2 and done.stderr.startswith("error: ") and len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "r.html").exists()


def test_run_prints_the_same_key_findings_as_the_report(tmp_path, cli):
    out = tmp_path / "r"
    done = subprocess.run([*cli, "run", "baseline", "invasion", "--runs", "3", "--steps", "8", "--quiet", "--out", str(out)],
                          capture_output=True, text=True, check=True)
    assert f"Key findings: {findings_text(load_results(out))}" in " ".join(done.stdout.split())


def test_sensitivity_is_sorted_explained_and_warns_about_wide_intervals(tmp_path):
    ordered = ef.sorted_sensitivity(SENSITIVITY)
    first = ordered[(ordered["outcome"] == "cohesion_index") & (ordered["method"] == "sobol")]["parameter"].tolist()
    assert first == ["threat_weight", "energy_weight"]  # largest ST first
    assert ef.wide_intervals(SENSITIVITY) is None
    noisy = SENSITIVITY[SENSITIVITY["method"] == "sobol"].assign(S1_conf=0.9)
    warning = ef.wide_intervals(noisy)
    assert warning.startswith(f"warning: {len(noisy)} of {2 * len(noisy)} indices") and "--samples" in warning
    from cohesion.cli.experiments import sensitivity_table
    from rich.console import Console

    console = Console(width=200, record=True)
    console.print(sensitivity_table(noisy))
    text = console.export_text()
    assert "ST - S1 is the interaction part" in text and "too few samples" in text
    assert text.index("threat_weight") < text.index("energy_weight")


def test_a_score_timeline_spans_at_least_ten_points():
    """A flat line is drawn flat: the axis is widened about its middle, and kept inside 0-100."""
    from cohesion.report.figures import MIN_TIMELINE_SPAN, _at_least_span

    assert MIN_TIMELINE_SPAN == 10.0
    assert _at_least_span(13.0, 14.7, 10.0) == pytest.approx((8.85, 18.85))
    assert _at_least_span(0.0, 1.0, 10.0) == (0.0, 10.0)
    assert _at_least_span(99.0, 100.0, 10.0) == (90.0, 100.0)
    assert _at_least_span(10.0, 40.0, 10.0) == (10.0, 40.0)


def test_why_text_names_the_held_position_part_the_figures_show():
    # Every component of the attribution figure is described; "position" (the held part of the 27 January
    # stance, docs/model.md 4.2) is not the anchor, which the text also calls the member's 27 January position.
    assert "position" in COMPONENTS
    assert "(position)" in report_build.TEXT["why"] and "holds" in report_build.TEXT["why"]


def test_calibration_text_does_not_say_the_targets_are_the_articles_alone():
    from cohesion.experiments.calibration import CalibrationSpec, target_observations
    from cohesion.inputs import load_positions

    fitted = target_observations(CalibrationSpec())
    sources = {p.source_id for p in load_positions() if p.use == "member_stance" and p.id in set(";".join(fitted.ids).split(";"))}
    assert len(sources) > 1  # the default targets come from more than the article
    assert "positions reported in the article" not in report_build.TEXT["calibration"]
