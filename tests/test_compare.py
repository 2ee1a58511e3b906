"""Comparing runs: scenario labels, scoped overrides, ``cohesion compare`` and multi-folder reports, end to end."""

from __future__ import annotations

import subprocess

import numpy as np
import pandas as pd
import pytest

from cohesion.cli import main
from cohesion.params import SPECS_BY_NAME
from cohesion.report.compare import combine, compare, open_run
from cohesion.report.scores import headline

RUN = ["--runs", "6", "--steps", "8", "--seed", "3", "--quiet"]


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """A plain run of baseline and invasion, and baseline again with a lower energy weight."""
    root = tmp_path_factory.mktemp("compare")
    main(["run", "baseline", "invasion", *RUN, "--out", str(root / "plain")])
    main(["run", "baseline", *RUN, "--set", "energy_weight=0.5", "--out", str(root / "low-energy")])
    return root / "plain", root / "low-energy"


def test_overrides_appear_in_the_scenario_label_everywhere(folders):
    _, low = folders
    assert list(pd.read_csv(low / "summary.csv")["scenario"]) == ["baseline [energy_weight=0.5]"]
    assert set(pd.read_csv(low / "members.csv")["scenario"]) == {"baseline [energy_weight=0.5]"}


def test_scoped_set_runs_the_variant_beside_the_plain_scenario_with_the_same_random_numbers(tmp_path, cli):
    out = tmp_path / "side"
    done = subprocess.run([*cli, "run", "baseline", *RUN, "--set", "baseline:energy_weight=0.5", "--set",
                           "baseline:DEU.energy_weight=1.15", "--out", str(out)], capture_output=True, text=True, check=True)
    summary = pd.read_csv(out / "summary.csv").set_index("scenario")
    assert list(summary.index) == ["baseline", "baseline [energy_weight=0.5]", "baseline [DEU.energy_weight=1.15]"]
    assert "baseline [energy_weight=0.5]" in " ".join(done.stdout.split())  # printed as text, not eaten as rich markup
    # setting a parameter to its default changes nothing: the variant shares the plain scenario's random numbers
    same = tmp_path / "same"
    default = SPECS_BY_NAME["energy_weight"].default
    main(["run", "baseline", *RUN, "--set", f"baseline:energy_weight={default}", "--out", str(same)])
    rows = pd.read_csv(same / "summary.csv").set_index("scenario")
    numbers = rows.select_dtypes("number")
    np.testing.assert_allclose(numbers.loc["baseline"], numbers.loc[f"baseline [energy_weight={default:g}]"])


def test_a_file_scenario_that_repeats_a_name_is_labelled_by_its_stem(tmp_path, cli):
    copy = tmp_path / "my-baseline.yaml"
    copy.write_text((__import__("cohesion.scenarios", fromlist=["x"]).resolve_scenario_path("baseline")).read_text())
    out = tmp_path / "r"
    subprocess.run([*cli, "run", "baseline", str(copy), *RUN, "--out", str(out)], capture_output=True, text=True, check=True)
    assert list(pd.read_csv(out / "summary.csv")["scenario"]) == ["baseline", "my-baseline"]


def test_compare_gives_changes_with_paired_intervals_and_blocking_changes(folders):
    plain, low = folders
    results, per_run = combine([open_run(plain), open_run(low)])
    assert results.scenarios == ["baseline", "invasion", "baseline [energy_weight=0.5]"]
    comparison = compare(results, per_run)
    summary = results.summary.set_index("scenario")
    head = headline(results.scores)[0]
    row = comparison.scores.set_index(["scenario", "score"]).loc[("invasion", head.metric)]
    assert row["change"] == pytest.approx(summary.loc["invasion", head.mean] - summary.loc["baseline", head.mean])
    runs = pd.concat([pd.read_parquet(plain / "timeseries.parquet")])
    last = runs[runs["week"] == 8].set_index(["scenario", "run"])[head.metric]
    diff = (last.loc["invasion"] - last.loc["baseline"]).to_numpy()
    assert row["change_p05"] == pytest.approx(np.quantile(diff, 0.05)) and row["change_p95"] == pytest.approx(np.quantile(diff, 0.95))
    members = comparison.members[comparison.members["scenario"] == "invasion"].set_index("member")
    saved = pd.read_csv(plain / "members.csv").set_index(["scenario", "member"])["alignment"]
    assert members.loc["DEU", "change"] == pytest.approx(saved[("invasion", "DEU")] - saved[("baseline", "DEU")])
    assert list(members["change"].abs()) == sorted(members["change"].abs(), reverse=True)
    pairs = lambda s: {tuple(p.split(":")) for p in str(summary.loc[s, "blocked_issues"]).split(";") if ":" in p}  # noqa: E731
    stops = comparison.blocking[(comparison.blocking["scenario"] == "invasion") & (comparison.blocking["change"] == "stops")]
    assert {(r.member, r.issue) for r in stops.itertuples()} == pairs("baseline") - pairs("invasion")


def test_compare_cli_prints_and_writes_a_report_and_takes_scenario_names(folders, tmp_path, cli):
    plain, low = folders
    out = tmp_path / "cmp.html"
    done = subprocess.run([*cli, "compare", str(plain), str(low), "--out", str(out)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    text = " ".join(done.stdout.split())
    assert "Change from baseline" in text and "invasion" in text and "starts blocking" in text
    page = out.read_text(encoding="utf-8")
    assert 'id="changes"' in page and "baseline [energy_weight=0.5]" in page
    fresh = subprocess.run([*cli, "compare", "baseline", "gas-cutoff", "--runs", "4", "--steps", "8", "--reference", "gas-cutoff",
                            "--out", str(tmp_path / "fresh.html")], capture_output=True, text=True)
    assert fresh.returncode == 0, fresh.stderr
    assert "Change from gas-cutoff" in " ".join(fresh.stdout.split())


def test_report_over_several_folders_and_bad_reference(folders, tmp_path, cli):
    plain, low = folders
    out = tmp_path / "both.html"
    subprocess.run([*cli, "report", str(plain), str(low), "--reference", "invasion", "--out", str(out)], check=True, capture_output=True)
    page = out.read_text(encoding="utf-8")
    assert "Changes from invasion" in page and '<option value="invasion">' in page
    assert page.index('<option value="invasion">') < page.index('<option value="baseline">')  # the reference is selected first
    bad = subprocess.run([*cli, "compare", str(plain), "--reference", "nope", "--out", str(tmp_path / "bad.html")],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.startswith("error: ") and len(bad.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "bad.html").exists()


def test_compare_with_one_scenario_is_one_error_line(folders, tmp_path, cli):
    _, low = folders  # a folder with one scenario, baseline [energy_weight=0.5]
    for args in ([str(low)], ["baseline", "--runs", "2", "--steps", "4"]):
        done = subprocess.run([*cli, "compare", *args, "--out", str(tmp_path / "one.html")], capture_output=True, text=True)
        assert done.returncode == 2 and done.stderr.startswith("error: ") and len(done.stderr.strip().splitlines()) == 1
        assert "nothing to compare" in done.stderr
        assert not (tmp_path / "one.html").exists()
