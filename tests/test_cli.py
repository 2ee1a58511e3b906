"""The command line end to end, through the installed entry point."""

from __future__ import annotations

import json
import subprocess

import pandas as pd
import pytest

from cohesion.constants import ISSUES

SUMMARY_COLUMNS = {"scenario", "consensus_mean", "consensus_p05", "consensus_p95", "cohesion_mean", "cohesion_p05",
                   "cohesion_p95", "consensus_blockers", "adopted_sanctions", "eu_adopted_sanctions"}


def call(cli, *args, cwd=None):
    return subprocess.run([*cli, *args], capture_output=True, text=True, cwd=cwd, timeout=300)


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory, cli):
    base = tmp_path_factory.mktemp("cli")
    outs = {}
    for label, seed in (("a", "5"), ("b", "5"), ("c", "6")):
        out = base / label
        done = call(cli, "run", "baseline", "invasion", "--runs", "12", "--steps", "10", "--seed", seed,
                    "--set", "DEU.energy_weight=1.5", "--out", str(out), "--quiet")
        assert done.returncode == 0, done.stderr
        outs[label] = (out, done)
    return outs


def test_run_writes_every_table(two_runs):
    out, done = two_runs["a"]
    assert "baseline" in done.stdout and "invasion" in done.stdout
    summary = pd.read_csv(out / "summary.csv")
    assert SUMMARY_COLUMNS <= set(summary.columns)
    # the override is part of each scenario's label (#12)
    assert list(summary["scenario"]) == ["baseline [DEU.energy_weight=1.5]", "invasion [DEU.energy_weight=1.5]"]
    members = pd.read_csv(out / "members.csv")
    assert len(members) == 60 and members["member"].nunique() == 30
    for column in ("alignment", "alignment_p05", "alignment_p95", *(f"stance_{i}" for i in ISSUES),
                   "attr_energy", "attr_threat", "attr_leadership", "attr_peers"):
        assert column in members.columns
    assert (members["alignment_p05"] <= members["alignment"] + 1e-12).all()
    assert (members["alignment"] <= members["alignment_p95"] + 1e-12).all()
    series = pd.read_parquet(out / "timeseries.parquet")
    assert len(series) == 2 * 12 * 11  # scenarios x runs x (weeks + week 0)
    assert {"scenario", "run", "week", "consensus", "cohesion", "alignment", "agreement_index", "eu_consensus",
            "consensus_blockers"} <= set(series.columns)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 5 and manifest["runs"] == 12 and manifest["steps"] == 10
    assert manifest["cohesion_version"]
    assert {s["name"] for s in manifest["scenarios"]} == {"baseline [DEU.energy_weight=1.5]", "invasion [DEU.energy_weight=1.5]"}
    params = manifest["scenarios"][0]["parameters"]
    assert params["DEU.energy_weight"] == 1.5 and "threat_weight" in params
    assert all(len(s["sha256"]) == 64 for s in manifest["scenarios"])


def test_same_seed_gives_identical_files_and_another_seed_does_not(two_runs):
    a, b, c = (two_runs[k][0] for k in "abc")
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert (a / "summary.csv").read_bytes() != (c / "summary.csv").read_bytes()


def test_user_scenario_file_by_path(tmp_path, cli):
    scenario = tmp_path / "my-scenario.yaml"
    scenario.write_text(
        "name: my-scenario\ntitle: Mine\ndescription: d\narticle_basis: a\nweeks: 6\n"
        "events:\n  - {week: 2, type: gas_supply, target: DEU, magnitude: 1.0}\n"
    )
    out = tmp_path / "out"
    done = call(cli, "run", str(scenario), "--runs", "3", "--out", str(out), "--quiet")
    assert done.returncode == 0, done.stderr
    assert pd.read_csv(out / "summary.csv")["scenario"].tolist() == ["my-scenario"]


def test_params_file(tmp_path, cli):
    params = tmp_path / "p.yaml"
    params.write_text("threat_weight: 1.4\nmembers:\n  HRV:\n    anchor_weight: 0.5\n")
    out = tmp_path / "out"
    done = call(cli, "run", "baseline", "--runs", "2", "--steps", "5", "--params", str(params), "--out", str(out), "--quiet")
    assert done.returncode == 0, done.stderr
    values = json.loads((out / "manifest.json").read_text())["scenarios"][0]["parameters"]
    assert values["threat_weight"] == 1.4 and values["HRV.anchor_weight"] == 0.5


BAD = [
    (["run", "nope"], "unknown scenario"),
    (["run", "baseline", "--runs", "-3"], "--runs"),
    (["run", "baseline", "--runs", "abc"], "--runs"),
    (["run", "baseline", "--set", "energy_weight=abc"], "not a number"),
    (["run", "baseline", "--set", "energy_weight=9"], "less than or equal to 3"),
    (["run", "baseline", "--set", "no_such_param=1"], "unknown parameter"),
    (["run", "baseline", "--set", "XYZ.energy_weight=1"], "unknown member code"),
    (["run", "baseline", "--engine", "warp"], "unknown engine"),
    (["run", "baseline", "--steps", "0"], "--steps"),
    (["run", "baseline", "--params", "missing.yaml"], "parameter file not found"),
    (["positions", "--format", "xml"], "--format"),
    (["run", "baseline", "--dynamics", "voter"], "--dynamics must be fj or bounded"),
    (["run", "baseline", "--set", "confidence_bound=0.5", "--set", "repulsion_bound=0.2"], "repulsion_bound must not be below"),
]


@pytest.mark.parametrize("args,message", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_gives_one_error_line_and_exit_2(args, message, tmp_path, cli):
    out = tmp_path / "out"
    full = [*args, "--out", str(out)] if args[0] == "run" else args
    done = call(cli, *full, cwd=tmp_path)
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert message in lines[0]
    assert "Traceback" not in done.stderr
    assert not out.exists()
    assert not any(p.name.startswith(".out") for p in tmp_path.iterdir()), "partial results left behind"


def test_bad_yaml_files_give_one_error_line(tmp_path, cli):
    bad_params = tmp_path / "bad.yaml"
    bad_params.write_text("energy_weight: [1,\n")
    bad_scenario = tmp_path / "bad-scenario.yaml"
    bad_scenario.write_text("name: x\ntitle: t\ndescription: d\narticle_basis: a\nextra: 1\n")
    for args in (["run", "baseline", "--params", str(bad_params)], ["run", str(bad_scenario)]):
        done = call(cli, *args, "--out", str(tmp_path / "o"))
        assert done.returncode == 2 and done.stderr.startswith("error: ") and len(done.stderr.splitlines()) == 1


def test_a_failed_run_leaves_existing_results_untouched(tmp_path, cli):
    out = tmp_path / "results"
    assert call(cli, "run", "baseline", "--runs", "2", "--steps", "5", "--out", str(out), "--quiet").returncode == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    done = call(cli, "run", "baseline", "--set", "energy_weight=-1", "--out", str(out))
    assert done.returncode == 2
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_info_commands(cli):
    listing = call(cli, "scenarios")
    assert listing.returncode == 0 and "intel-discredited" in listing.stdout
    positions = call(cli, "positions", "--format", "csv")
    assert positions.returncode == 0
    from io import StringIO

    table = pd.read_csv(StringIO(positions.stdout))
    assert len(table) >= 15 and {"actor", "speaks_for", "issue", "stance", "quote"} <= set(table.columns)
    params = call(cli, "params", "--format", "csv")
    frame = pd.read_csv(StringIO(params.stdout))
    assert {"name", "default", "min", "max", "unit", "meaning"} <= set(frame.columns)
    assert "energy_weight" in set(frame["name"])
    assert call(cli, "members").returncode == 0


def test_every_command_has_help_text(cli):
    from cohesion.cli import _register, app

    _register()
    import typer

    group = typer.main.get_command(app)
    assert group.commands, "no commands registered"
    for name, command in group.commands.items():
        assert (command.help or "").strip(), f"{name} has no help text"
        done = call(cli, name, "--help")
        assert done.returncode == 0 and "Usage" in done.stdout, name


def test_python_dash_m_works():
    import sys

    done = subprocess.run([sys.executable, "-m", "cohesion", "scenarios"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "baseline" in done.stdout


def test_explain_reads_saved_attribution(two_runs, cli):
    out, _ = two_runs["a"]
    done = call(cli, "explain", "deu", "--results", str(out), "--scenario", "invasion")  # the label's scenario name, any case
    assert done.returncode == 0, done.stderr
    label = "invasion [DEU.energy_weight=1.5]"
    assert label in " ".join(done.stdout.split())
    attribution = pd.read_parquet(out / "attribution.parquet")
    germany = attribution[(attribution.scenario == label) & (attribution.member == "DEU")]
    stance = germany[germany.issue == "sanctions"]["value"].sum()
    assert f"{stance:.2f}" in done.stdout
    members = pd.read_csv(out / "members.csv")
    row = members[(members.scenario == label) & (members.member == "DEU")].iloc[0]
    assert stance == pytest.approx(row["stance_sanctions"], abs=1e-9)
    bad = call(cli, "explain", "DEU", "--results", str(out), "--scenario", "nope")
    assert bad.returncode == 2 and bad.stderr.startswith("error: scenario 'nope'")


def test_run_never_replaces_a_folder_it_did_not_write(tmp_path, cli):
    mine = tmp_path / "thesis"
    mine.mkdir()
    (mine / "thesis.docx").write_text("precious")
    done = call(cli, "run", "baseline", "--runs", "2", "--out", str(mine), "--quiet")
    assert done.returncode == 2 and "not a cohesion results folder" in done.stderr
    assert (mine / "thesis.docx").read_text() == "precious"
    # nor the current folder, nor results of another kind
    assert call(cli, "run", "baseline", "--runs", "2", "--out", ".", cwd=tmp_path).returncode == 2
    assert (mine / "thesis.docx").exists()


@pytest.mark.parametrize(
    "setup,args,message",
    [
        (None, ["run", "baseline", "--out", "/proc/cohesion-results"], "cannot"),
        ("file", ["run", "baseline", "--out", "{tmp}/afile/sub"], "is not a folder"),
        ("params-int-key", ["run", "baseline", "--params", "{tmp}/p.yaml"], "parameter names must be text"),
        ("params-latin1", ["run", "baseline", "--params", "{tmp}/p.yaml"], "not UTF-8"),
        ("params-twice", ["run", "baseline", "--params", "{tmp}/p.yaml"], "set twice"),
        (None, ["run", "baseline", "--steps", "600"], "--steps"),
        ("empty-issue", ["run", "{tmp}/s.yaml"], "empty issue list"),
        (None, ["report", "{tmp}/nothing-here"], "not found"),
        (None, ["explain", "DEU", "--results", "{tmp}/nothing-here"], "not found"),
        ("round-1-results", ["report", "{tmp}/old"], "results format 'cohesion-results/1' is not supported"),
    ],
)
def test_more_bad_input(setup, args, message, tmp_path, cli):
    if setup == "file":
        (tmp_path / "afile").write_text("x")
    elif setup == "params-int-key":
        (tmp_path / "p.yaml").write_text("1: 2\n")
    elif setup == "params-latin1":
        (tmp_path / "p.yaml").write_bytes("energy_weight: 1 # caf\xe9\n".encode("latin-1"))
    elif setup == "params-twice":
        (tmp_path / "p.yaml").write_text("DEU.energy_weight: 2\nmembers:\n  DEU:\n    energy_weight: 0.1\n")
    elif setup == "round-1-results":
        (tmp_path / "old").mkdir()
        (tmp_path / "old" / "manifest.json").write_text('{"format": "cohesion-results/1", "kind": "run"}')
    elif setup == "empty-issue":
        (tmp_path / "s.yaml").write_text(
            "name: s\ntitle: t\ndescription: d\narticle_basis: a\n"
            "events:\n  - {week: 2, type: stance_shock, target: DEU, issue: [], magnitude: 0.1}\n"
        )
    full = [a.replace("{tmp}", str(tmp_path)) for a in args]
    done = call(cli, *full, cwd=tmp_path)
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], done.stderr
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".") or p.name in ("results", "reports")]


def test_explain_picks_the_only_scenario_and_rejects_a_damaged_table(tmp_path, cli):
    scenario = tmp_path / "mine.yaml"
    scenario.write_text("name: mine\ntitle: t\ndescription: d\narticle_basis: a\nweeks: 5\n")
    out = tmp_path / "out"
    assert call(cli, "run", str(scenario), "--runs", "2", "--out", str(out), "--quiet").returncode == 0
    done = call(cli, "explain", "HRV", "--results", str(out))
    assert done.returncode == 0 and "HRV in mine" in done.stdout
    (out / "attribution.parquet").write_bytes(b"not parquet")
    bad = call(cli, "explain", "HRV", "--results", str(out))
    assert bad.returncode == 2 and bad.stderr.startswith("error: cannot read")


def test_dynamics_option_sets_the_confidence_bound_and_set_overrides_it(tmp_path, cli):
    for label, extra, bound in (("bounded", [], 0.3), ("override", ["--set", "confidence_bound=0.2"], 0.2), ("fj", [], 1.0)):
        out = tmp_path / label
        dynamics = "fj" if label == "fj" else "bounded"
        done = call(cli, "run", "baseline", "--runs", "2", "--steps", "3", "--dynamics", dynamics, *extra, "--out", str(out), "--quiet")
        assert done.returncode == 0, done.stderr
        manifest = json.loads((out / "manifest.json").read_text())
        assert manifest["scenarios"][0]["parameters"]["confidence_bound"] == bound


def test_manifest_commit_says_when_the_package_source_differs_from_it(tmp_path):
    """A results folder names the commit of the code that made it: uncommitted edits to the package mark it dirty."""
    from cohesion.results import git_commit

    def git(*args):
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True)

    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    (tmp_path / "cohesion").mkdir()
    (tmp_path / "cohesion" / "rule.py").write_text("A = 1\n", encoding="utf-8")
    git("init", "-q")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "x")
    head = subprocess.run(["git", "-C", str(tmp_path), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    (tmp_path / "results").mkdir()  # outputs beside the package are not source
    (tmp_path / "results" / "summary.csv").write_text("a\n", encoding="utf-8")
    assert git_commit(tmp_path) == head
    (tmp_path / "cohesion" / "rule.py").write_text("A = 2\n", encoding="utf-8")
    assert git_commit(tmp_path) == f"{head}-dirty"
