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
from cohesion.report import build_report, write_report
from cohesion.report import build as report_build
from cohesion.report import experiment_figures as ef
from cohesion.report import figures as rf
from cohesion.report.data import load_results
from cohesion.report.geometry import PANELS, load_countries, project
from cohesion.report.layout import issue_label, week_iso
from cohesion.report.member_map import member_map
from cohesion.report.palette import member_colours, scale_colours, scenario_colours

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
    saved = saved[saved["metric"] == "consensus"]
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


def test_timeline_marks_every_event_week_on_the_line_and_the_time_axis(run_dir, results):
    fig = rf.cohesion_timeline(results)
    events = pd.read_csv(run_dir / "events.csv")
    for scenario in SCENARIOS:
        weeks = sorted(set(events.loc[events["scenario"] == scenario, "week"]))
        assert weeks, "the shipped scenarios have events inside eight weeks"
        on_line = one(fig, scenario=scenario, role="events")
        assert on_line.meta["weeks"] == weeks
        assert list(on_line.x) == [week_iso(w) for w in weeks]
        mean = one(fig, scenario=scenario, role="mean")
        by_date = dict(zip(mean.x, mean.y))
        assert list(on_line.y) == [by_date[week_iso(w)] for w in weeks]
        strip = one(fig, scenario=scenario, role="event_strip")
        assert list(strip.x) == list(on_line.x) and set(strip.y) == {scenario}
        notes = events.loc[events["scenario"] == scenario, "note"]
        assert all(any(note in text for text in on_line.hovertext) for note in notes)


def test_comparison_shows_every_horizon_score_with_its_interval(run_dir, results):
    fig = rf.scenario_comparison(results)
    summary = pd.read_csv(run_dir / "summary.csv").set_index("scenario")
    for _, mean, low, high, _ in rf.COMPARISON_PANELS:
        for scenario in SCENARIOS:
            point = one(fig, scenario=scenario, role="horizon", column=mean)
            assert point.x[0] == pytest.approx(summary.loc[scenario, mean])
            assert point.error_x.array[0] == pytest.approx(summary.loc[scenario, high] - summary.loc[scenario, mean])
            assert point.error_x.arrayminus[0] == pytest.approx(summary.loc[scenario, mean] - summary.loc[scenario, low])
    week0 = one(fig, role="week0")
    assert dict(zip(week0.y, week0.x)) == pytest.approx(summary["consensus_week0"].to_dict())


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
    assert len(fig.layout.updatemenus[0].buttons) == len(SCENARIOS)
    assert [t.visible for t in fig.data] == [True, False]


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
        layout = button_for(fig, scenario)["args"][1]
        assert layout["yaxis.ticktext"] == list(table["country"])
        assert list(dots.marker.color) == [member_colours(list(members.loc[scenario].index))[c] for c in codes]


def test_why_chart_splits_each_stance_into_its_saved_parts(run_dir, results):
    fig = rf.attribution_chart(results)
    members = pd.read_csv(run_dir / "members.csv").set_index(["scenario", "member"])
    for scenario in SCENARIOS:
        codes = one(fig, scenario=scenario, role="stance", view="absolute").meta["members"]
        table = members.loc[scenario].loc[codes]
        stance = table[[f"stance_{k}" for k in ISSUES]].mean(axis=1).to_numpy()
        total = np.zeros(len(codes))
        gap = np.zeros(len(codes))
        for component in COMPONENTS:
            bars = one(fig, scenario=scenario, role="component", component=component, view="absolute")
            np.testing.assert_allclose(bars.x, table[f"attr_{component}"])
            total += np.array(bars.x)
            gap += np.array(one(fig, scenario=scenario, role="component", component=component, view="relative").x)
        np.testing.assert_allclose(total, stance, atol=1e-9)  # the parts add up to the stance
        np.testing.assert_allclose(gap, stance - stance.mean(), atol=1e-9)
        np.testing.assert_allclose(one(fig, scenario=scenario, role="stance", view="absolute").x, stance)
    germany = one(fig, scenario="baseline", role="component", component="energy", view="relative")
    norway = germany.meta["members"].index("NOR")
    assert germany.x[germany.meta["members"].index("DEU")] < germany.x[norway]  # gas dependence pulls Germany away


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


def test_blocker_chart_is_the_saved_block_share_by_week(run_dir, results):
    fig = rf.blocker_timeline(results)
    frame = pd.read_parquet(run_dir / "member_timeseries.parquet")
    peak = frame.groupby(["member", "issue"])["block_share"].max()
    expected = {p for p in peak.index if peak[p] >= rf.BLOCKER_CHART_MIN_SHARE}
    assert expected, "some member blocks something in the shipped baseline"
    for scenario in SCENARIOS:
        heat = one(fig, scenario=scenario, role="block_share")
        pairs = [tuple(p) for p in heat.meta["pairs"]]
        assert set(pairs) == expected
        table = frame[frame["scenario"] == scenario].set_index(["member", "issue", "week"])["block_share"]
        z = np.array(heat.z)
        for r, (member, issue) in enumerate(pairs):
            np.testing.assert_allclose(z[r], [table[(member, issue, w)] for w in range(STEPS + 1)])
        assert list(heat.x) == [week_iso(w) for w in range(STEPS + 1)]
    names = results.country_names
    for member in {m for m, _ in expected}:  # rows are labelled with country names, not codes
        assert any(label.startswith(names[member]) for label in fig.data[0].y), member


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
        update, indices = button_for(fig, scenario)["args"]
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
    for section in ("timeline", "comparison", "stances", "alignment", "why", "why-issues", "blockers", "map", "provenance", "positions"):
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
    heat = one(fig, scenario="baseline", x="energy_weight", y="DEU.energy_weight")
    assert heat.type == "heatmap" and heat.meta["grid"]
    assert list(heat.x) == [0.5, 0.75, 1.0] and list(heat.y) == [0.1, 0.2]
    expected = [[10 * a + 100 * b + 0.5 for a in (0.5, 0.75, 1.0)] for b in (0.1, 0.2)]
    np.testing.assert_allclose(heat.z, expected)
    assert len(fig.layout.updatemenus[0].buttons) == 2
    assert button_for(fig, "energy weight × energy weight (DEU) · invasion")["args"][1]["yaxis.title.text"] == "energy weight (DEU)"


def test_scattered_design_is_drawn_as_points_and_one_parameter_as_a_line():
    rng = np.random.default_rng(0)
    points = pd.DataFrame({"point": range(20), "replicate": 0, "seed": 1, "scenario": "baseline",
                           "energy_weight": rng.uniform(0, 1, 20), "threat_weight": rng.uniform(0, 1, 20), "peer_weight": rng.uniform(0, 1, 20)})
    points["consensus"] = 50 + 10 * points["energy_weight"]
    fig = ef.sweep_surfaces(type("R", (), {"points": points})())
    dots = one(fig, x="energy_weight", y="threat_weight")
    assert dots.type == "scatter" and not dots.meta["grid"]
    np.testing.assert_allclose(dots.marker.color, points["consensus"])
    assert len(fig.layout.updatemenus[0].buttons) == 3  # three pairs of parameters
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
    mixed = experiment_folder(tmp_path / "mixed", calibration=CALIBRATION, format="cohesion-results/2")
    with pytest.raises(InputError, match="kind 'experiment' must have format 'cohesion-experiment/2'"):
        build_report(mixed)
