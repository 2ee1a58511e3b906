"""Experiment files, design execution, determinism across executors, shipped files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from cohesion.cli import main
from cohesion.engines import simulate
from cohesion.experiments import plan as plan_module
from cohesion.experiments.execution import ExecutorConfig
from cohesion.experiments.plan import design_seed, plan_experiment
from cohesion.experiments.schema import load_experiment
from cohesion.experiments.sensitivity import DECISION_RANGES
from cohesion.experiments.store import run_plan
from cohesion.scenarios import load_scenario
from cohesion.world import build_world

REPO = Path(__file__).resolve().parents[1]
SHIPPED = sorted(p for p in (REPO / "experiments").glob("*.yaml") if p.name != "calibration.yaml")

SMALL = {
    "name": "small",
    "description": "Two scenarios, a ranged and a listed parameter, short horizon",
    "scenarios": ["baseline", "gas-cutoff"],
    "parameters": [
        {"name": "energy_weight", "low": 0.0, "high": 3.0},
        {"name": "DEU.threat_weight", "values": [0.5, 1.5]},
    ],
    "design": {"type": "grid", "points": 3},
    "replicates": 3,
    "steps": 6,
    "outcomes": ["consensus", "consensus_blockers", "alignment_DEU"],
    "fixed": {"noise_sd": 0.02},
    "seed": 7,
}


def write_experiment(folder: Path, data: dict, name: str = "exp.yaml") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def run_cli(argv: list[str]) -> int:
    """Run the real command line in process; return its exit code."""
    try:
        main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


# --- bad files: one error line, exit 2, no folder -------------------------------------------

BAD_CASES = {
    "unknown parameter": (
        {"parameters": [{"name": "energy_wait", "low": 0, "high": 1}]},
        "unknown parameter 'energy_wait'",
    ),
    "empty range": ({"parameters": [{"name": "energy_weight", "low": 1.0, "high": 1.0}]}, "empty range"),
    "range outside spec": (
        {"parameters": [{"name": "energy_weight", "low": 0.0, "high": 4.0}]},
        "outside the allowed [0, 3]",
    ),
    "zero replicates": ({"replicates": 0}, "replicates"),
    "unknown key": ({"repetitions": 3}, "repetitions: unknown key"),
    "unknown outcome": ({"outcomes": ["alignment_XXX"]}, "unknown outcome 'alignment_XXX'"),
    "unknown scenario": ({"scenarios": ["nowhere"]}, "unknown scenario 'nowhere'"),
    "not per member": ({"parameters": [{"name": "DEU.noise_sd", "low": 0.0, "high": 0.1}]}, "cannot be set per member"),
    "sobol not power of 2": (
        {"design": {"type": "sobol", "samples": 10}, "parameters": [{"name": "energy_weight", "low": 0, "high": 1}]},
        "power of 2",
    ),
    "values in a sampled design": (
        {"design": {"type": "lhs", "samples": 4}, "parameters": [{"name": "energy_weight", "values": [0, 1]}]},
        "give low and high",
    ),
    "constraint violated by a point": (
        {
            "design": {"type": "lhs", "samples": 8},
            "parameters": [
                {"name": "peer_weight", "low": 0, "high": 1},
                {"name": "anchor_weight", "low": 0, "high": 1},
            ],
        },
        "peer_weight + anchor_weight must be <= 1",
    ),
    "varied and fixed": ({"fixed": {"energy_weight": 1.0}}, "both varied and fixed"),
    # member codes in any case name the same parameter (as in --set and parameter files)
    "varied and fixed in another case": ({"fixed": {"deu.threat_weight": 1.0}}, "both varied and fixed"),
    "varied twice in another case": (
        {"parameters": [{"name": "DEU.threat_weight", "low": 0, "high": 1}, {"name": "deu.threat_weight", "low": 0, "high": 1}]},
        "listed twice",
    ),
    "event beyond horizon": ({"steps": 1}, "beyond the horizon"),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_experiment_file_is_one_error_line_and_creates_nothing(case, tmp_path, capsys):
    change, message = BAD_CASES[case]
    path = write_experiment(tmp_path, {**SMALL, **change})
    out = tmp_path / "out"
    assert run_cli(["experiment", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ")
    assert message in err[0]
    assert not out.exists()


def test_a_member_parameter_may_be_varied_with_its_code_in_any_case(tmp_path):
    lower = {**SMALL, "parameters": [SMALL["parameters"][0], {"name": "deu.threat_weight", "values": [0.5, 1.5]}]}
    plan = plan_experiment(load_experiment(write_experiment(tmp_path, lower)))
    reference = plan_experiment(load_experiment(write_experiment(tmp_path, SMALL, "upper.yaml")))
    task = plan.task(plan.chunks()[0])
    row = plan.matrix[plan.matrix[:, 1] == 1.5][0]
    assert plan.evaluator.world("baseline", dict(zip(plan.names, row))).params.members["DEU"].threat_weight == 1.5
    found = plan.evaluator.evaluate_points("baseline", plan.names, task.rows, task.seeds)
    expected = reference.evaluator.evaluate_points("baseline", reference.names, task.rows, task.seeds)
    assert all(np.array_equal(found[name], expected[name]) for name in plan.outcomes)


def test_malformed_yaml_and_missing_file_are_errors(tmp_path, capsys):
    path = tmp_path / "broken.yaml"
    path.write_text("name: [unclosed\n", encoding="utf-8")
    assert run_cli(["experiment", str(path), "--out", str(tmp_path / "o")]) == 2
    assert run_cli(["experiment", str(tmp_path / "absent.yaml"), "--out", str(tmp_path / "o")]) == 2
    errors = capsys.readouterr().err.strip().splitlines()
    assert errors[0].startswith("error: malformed YAML") and errors[1].startswith("error: experiment file not found")
    assert not (tmp_path / "o").exists()


# --- what a point evaluates ------------------------------------------------------------------


def test_points_table_matches_direct_simulation(tmp_path):
    plan = plan_experiment(load_experiment(write_experiment(tmp_path, SMALL)))
    frame = run_plan(plan, tmp_path / "out")
    assert list(frame.columns) == [
        "point",
        "replicate",
        "seed",
        "scenario",
        "energy_weight",
        "DEU.threat_weight",
        "consensus",
        "consensus_blockers",
        "alignment_DEU",
    ]
    assert len(frame) == 2 * 6 * 3
    assert not frame.duplicated(["scenario", "point", "replicate"]).any()
    assert frame.equals(frame.sort_values(["scenario", "point", "replicate"]).reset_index(drop=True))
    # Grid order: the last parameter varies fastest.
    first = frame[(frame.scenario == "gas-cutoff") & (frame.replicate == 0)].sort_values("point")
    assert first["energy_weight"].tolist() == [0.0, 0.0, 1.5, 1.5, 3.0, 3.0]
    assert first["DEU.threat_weight"].tolist() == [0.5, 1.5] * 3
    # Point 3 of gas-cutoff, by hand: one simulate call gives all its replicates.
    spec, digest = load_scenario("gas-cutoff")
    world = build_world(spec, digest, [{"noise_sd": 0.02}, {"energy_weight": 1.5, "DEU.threat_weight": 1.5}], horizon=6,
                        driver_uncertainty=False)  # as experiments run by default
    seed = design_seed(7, "gas-cutoff")
    result = simulate(world, 3, seed, engine="vectorized")
    rows = frame[(frame.scenario == "gas-cutoff") & (frame.point == 3)]
    assert (rows["seed"] == seed).all()
    np.testing.assert_array_equal(rows["consensus"], result.metric("consensus")[:, -1])
    np.testing.assert_array_equal(rows["consensus_blockers"], result.metric("consensus_blockers")[:, -1])
    np.testing.assert_array_equal(rows["alignment_DEU"], result.horizon_alignment()[:, world.members.index("DEU")])


def test_seeds_are_distinct_and_do_not_depend_on_chunking_or_other_scenarios(tmp_path, monkeypatch):
    seeds = {design_seed(1, s) for s in ("baseline", "gas-cutoff", "invasion")}
    assert len(seeds) == 3 and all(0 <= s < 2**63 for s in seeds)
    assert design_seed(1, "baseline") != design_seed(2, "baseline")
    both = run_plan(plan_experiment(load_experiment(write_experiment(tmp_path, SMALL))), tmp_path / "both")
    monkeypatch.setattr(plan_module, "CHUNKS_PER_SCENARIO", 2)  # 3 points per part file instead of 1
    alone_file = write_experiment(tmp_path, {**SMALL, "scenarios": ["gas-cutoff"]}, "alone.yaml")
    alone_plan = plan_experiment(load_experiment(alone_file))
    assert alone_plan.chunk_points == 3
    alone = run_plan(alone_plan, tmp_path / "alone")
    expected = both[both.scenario == "gas-cutoff"].reset_index(drop=True)
    pd.testing.assert_frame_equal(alone, expected, check_exact=True)


# --- executors --------------------------------------------------------------------------------


@pytest.mark.slow
def test_results_identical_for_local_pool_and_dask(tmp_path):
    data = {
        **SMALL,
        "parameters": [
            {"name": "energy_weight", "low": 0.0, "high": 3.0},
            {"name": "peer_weight", "low": 0.0, "high": 0.6},
        ],
        "design": {"type": "sobol", "samples": 4},
        "replicates": 2,
    }
    plan = plan_experiment(load_experiment(write_experiment(tmp_path, data)))
    configs = {
        "local1": ExecutorConfig("local", 1),
        "local2": ExecutorConfig("local", 2),
        "dask2": ExecutorConfig("dask", 2),
    }
    frames = {name: run_plan(plan, tmp_path / name, config) for name, config in configs.items()}
    for name in ("local2", "dask2"):
        pd.testing.assert_frame_equal(frames[name], frames["local1"], check_exact=True)
        pd.testing.assert_frame_equal(
            pd.read_parquet(tmp_path / name / "points.parquet"), frames["local1"], check_exact=True
        )
        assert (tmp_path / name / "sensitivity.csv").read_bytes() == (
            tmp_path / "local1" / "sensitivity.csv"
        ).read_bytes()
        assert (tmp_path / name / "manifest.json").read_text() == (tmp_path / "local1" / "manifest.json").read_text()
    assert len(frames["local1"]) == 2 * 4 * (2 + 2) * 2
    # A running scheduler given by address (--scheduler) gives the same table.
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        remote = run_plan(plan, tmp_path / "remote", ExecutorConfig("dask", scheduler=cluster.scheduler_address))
    pd.testing.assert_frame_equal(remote, frames["local1"], check_exact=True)


# --- folder handling --------------------------------------------------------------------------


def test_manifest_and_folder_contract(tmp_path, capsys):
    path = write_experiment(tmp_path, SMALL)
    out = tmp_path / "out"
    assert run_cli(["experiment", str(path), "--out", str(out), "--quiet"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "points.parquet"]
    meta = json.loads((out / "manifest.json").read_text())
    assert meta["format"] == "cohesion-experiment/2" and meta["kind"] == "experiment" and meta["status"] == "complete"
    assert meta["experiment"] == path.read_text() and meta["seed"] == 7 and meta["rows"] == 36
    assert meta["design"] == {"type": "grid", "points": 3}
    assert "executor" not in json.dumps(meta)
    # An existing folder is not silently replaced; resuming a finished one does nothing.
    assert run_cli(["experiment", str(path), "--out", str(out)]) == 2
    assert "--resume" in capsys.readouterr().err
    assert run_cli(["experiment", str(path), "--out", str(out), "--resume", "--quiet"]) == 0
    # Resuming with another experiment file is refused.
    other = write_experiment(tmp_path, {**SMALL, "seed": 8}, "other.yaml")
    assert run_cli(["experiment", str(other), "--out", str(out), "--resume"]) == 2
    assert "different experiment" in capsys.readouterr().err
    # --overwrite replaces only a cohesion results folder.
    stranger = tmp_path / "stranger"
    stranger.mkdir()
    (stranger / "notes.txt").write_text("mine")
    assert run_cli(["experiment", str(path), "--out", str(stranger), "--overwrite"]) == 2
    assert (stranger / "notes.txt").exists()


def test_every_command_has_help():
    from typer.main import get_command

    from cohesion.cli import _register, app

    _register()
    commands = get_command(app).commands  # type: ignore[attr-defined]
    for name in ("experiment", "sensitivity", "calibrate"):
        assert commands[name].help and all(p.help for p in commands[name].params if p.param_type_name == "option")


# --- shipped files ----------------------------------------------------------------------------


def test_sobol_decision_ranges_are_those_of_the_sensitivity_command():
    spec = load_experiment(REPO / "experiments" / "sobol-decision.yaml").spec
    assert {p.name: (p.low, p.high) for p in spec.parameters} == DECISION_RANGES
    assert max(h for n, (_, h) in DECISION_RANGES.items() if n in ("peer_weight", "anchor_weight")) * 2 <= 1.0


def test_scenario_comparison_runs_in_full(tmp_path):
    out = tmp_path / "cmp"
    assert (
        run_cli(
            [
                "experiment",
                str(REPO / "experiments" / "scenario-comparison.yaml"),
                "--out",
                str(out),
                "--quiet",
                "--workers",
                "2",
            ]
        )
        == 0
    )
    frame = pd.read_parquet(out / "points.parquet")
    from cohesion.scenarios import shipped_scenarios

    assert sorted(frame["scenario"].unique()) == sorted(shipped_scenarios())
    assert (frame["point"] == 0).all() and len(frame) == 200 * len(shipped_scenarios())
    means = frame.groupby("scenario")["cohesion"].mean()
    assert means.between(0, 100).all() and means.nunique() == len(means)
    # An invasion rallies the alliance behind the U.S.-UK line more than the baseline does.
    assert means["invasion"] > means["baseline"]


@pytest.mark.parametrize("path", [p for p in SHIPPED if p.name != "scenario-comparison.yaml"], ids=lambda p: p.stem)
def test_shipped_experiment_runs_shrunk(path, tmp_path):
    """Runs the file with --samples 4 (grid: 4 levels per axis; Sobol: N = 4), all else as shipped."""
    out = tmp_path / path.stem
    assert run_cli(["experiment", str(path), "--out", str(out), "--quiet", "--samples", "4"]) == 0
    experiment = load_experiment(path).spec
    frame = pd.read_parquet(out / "points.parquet")
    n_params = len(experiment.parameters)
    points = 4**n_params if experiment.design.type == "grid" else 4 * (n_params + 2)
    scenarios = plan_experiment(load_experiment(path)).scenarios  # 'all' expands
    assert len(frame) == points * experiment.replicates * len(scenarios)
    assert frame[experiment.outcomes].notna().all().all()
    for param in experiment.parameters:
        assert frame[param.name].between(param.low, param.high).all()
    if experiment.design.type == "sobol":
        sens = pd.read_csv(out / "sensitivity.csv")
        assert len(sens) == n_params * len(experiment.outcomes) * len(scenarios)


def test_shipped_experiments_load_at_full_size():
    for path in SHIPPED:
        plan = plan_experiment(load_experiment(path))
        assert plan.n_points * plan.replicates * len(plan.scenarios) <= 2000, path.name


def test_a_parameter_that_cannot_act_gets_zero_sobol_indices(tmp_path):
    """Common random numbers: points differ by their parameters only (review finding F18)."""
    out = tmp_path / "inert"
    argv = ["sensitivity", "baseline", "--param", "vote_yes_threshold=0.6:1", "--param", "threat_weight=0.2:1.0",
            "--samples", "16", "--steps", "6", "--replicates", "2", "--quiet", "--workers", "1", "--out", str(out)]
    assert run_cli(argv) == 0
    sens = pd.read_csv(out / "sensitivity.csv")
    inert = sens[(sens.parameter == "vote_yes_threshold") & sens.outcome.isin(["consensus", "cohesion"])]
    assert len(inert) == 2
    np.testing.assert_allclose(inert[["S1", "ST"]].to_numpy(), 0.0, atol=1e-12)
    active = sens[(sens.parameter == "threat_weight") & (sens.outcome == "cohesion")]
    assert float(active["ST"].iloc[0]) > 0.5
