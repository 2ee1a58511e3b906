"""Validation: recovery on the real design, permutation tests, back-tests, bad files, determinism."""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from cohesion.experiments.calibration import CalibrationSpec, StanceModel, calibrate, target_observations
from cohesion.runner import RunRequest, prepare
from cohesion.validation import crossval, permutation
from cohesion.validation.backtest import backtest, driver_values, load_episode, modelled_measure
from cohesion.validation.findings import Finding, headline_scores, measure_findings, third
from cohesion.validation.suite import ValidationSizes, read_validation, run_validation
from tests.test_experiments import run_cli

REPO = Path(__file__).resolve().parents[1]
TRUE = {"energy_weight": 1.6, "threat_weight": 0.5, "leadership_weight": 1.1, "baseline_stance": 0.5}
TINY = ["--shuffles", "3", "--runs", "3", "--bootstrap", "20", "--profile-points", "2", "--parameter-draws", "2", "--sobol-samples", "2"]


# --- recovery on the real design -----------------------------------------------------------------


def test_calibration_recovers_parameters_from_the_real_noisy_design():
    """The coded member-issue cells (the real design), each with coding noise of sd 0.05: the fit finds the truth."""
    spec = CalibrationSpec(starts=2)
    obs = target_observations(spec)
    assert len(obs.observed) >= 17 and len(set(zip(obs.members, obs.issues))) == len(obs.observed)
    stances = StanceModel(spec).stances(np.array(list(TRUE.values())))
    clean = stances[obs.member_index, obs.issue_index]
    covered = 0
    for seed in range(4):
        noisy = np.clip(clean + np.random.default_rng(seed).normal(0.0, 0.05, len(clean)), 0, 1)
        result = calibrate(spec, dataclasses.replace(obs, observed=noisy))
        table = result.identifiability.set_index("parameter")
        for name, value in TRUE.items():
            assert result.estimates[name] == pytest.approx(value, abs=0.25), (seed, name)
            covered += table.loc[name, "ci_low"] <= value <= table.loc[name, "ci_high"]
    assert covered >= 13  # of 16 intervals (nominal 95 %)


# --- cross-validation ---------------------------------------------------------------------------


def test_folds_partition_the_observations():
    obs = target_observations(CalibrationSpec())
    for scheme in crossval.SCHEMES:
        held = np.concatenate(crossval.folds(obs, scheme))
        assert sorted(held) == list(range(len(obs.observed)))
    members = crossval.folds(obs, "leave-one-member-out")
    assert len(members) == len(set(obs.members))
    assert all(len(set(np.array(obs.members)[f])) == 1 for f in members)


def test_baselines_by_hand():
    """Constant = training mean; leader dummy = the training mean of the held-out row's group."""
    obs = target_observations(CalibrationSpec())
    predictors = crossval.baselines(obs)
    test = np.array([obs.members.index("USA")])
    train = np.setdiff1d(np.arange(len(obs.observed)), test)
    assert predictors["constant"](train, test)[0] == pytest.approx(obs.observed[train].mean())
    leaders = np.isin(np.array(obs.members), ("USA", "GBR"))
    assert predictors["leader-dummy"](train, test)[0] == pytest.approx(obs.observed[train][leaders[train]].mean())
    # With every row in training, OLS residuals are orthogonal to the intercept.
    everything = np.arange(len(obs.observed))
    fitted = predictors["regression-all-drivers"](everything, everything)
    assert np.mean(fitted - obs.observed) == pytest.approx(0.0, abs=1e-12)


def test_scores_by_hand():
    s = crossval.scores(np.array([0.0, 0.5, 1.0]), np.array([0.1, 0.4, 1.0]))
    assert s["mse"] == pytest.approx((0.01 + 0.01 + 0.0) / 3)
    assert s["mae"] == pytest.approx(0.2 / 3)
    assert s["spearman"] == pytest.approx(1.0)


def test_model_gap_is_to_the_best_simple_baseline_not_to_its_own_equilibrium():
    y = np.array([0.0, 0.25, 0.5, 0.75, 1.0, 0.5])
    model = y + np.array([0.05, -0.05, 0.05, -0.05, 0.05, -0.05])
    n = len(y)
    obs = crossval.Observations(tuple(map(str, range(n))), ("DEU",) * n, ("sanctions",) * n, y, np.zeros(n, int),
                                np.zeros(n, int), np.ones(n))
    predictions = {"model-fj": model, "equilibrium": model.copy(), "constant": np.full(6, 0.5), "leader-dummy": y + 0.2}
    cv = crossval.CrossValidation("leave-one-position-out", obs, predictions, {})
    assert cv.baselines == ["constant", "leader-dummy"]
    table = cv.table(50, np.random.Generator(np.random.PCG64(1)))
    gap = table[table["measure"].str.startswith("mse_gap_to_")]
    assert list(gap["measure"]) == ["mse_gap_to_leader-dummy"]  # 0.04 < the constant's 0.104; not the equilibrium's 0.0025
    assert gap["value"].iloc[0] == pytest.approx(0.0025 - 0.04)
    assert "equilibrium" in set(table["item"])  # still reported beside the model


# --- findings and permutation tests -------------------------------------------------------------


def test_thirds_split_thirty_members_ten_by_ten():
    assert [sum(third(r, 30) == t for r in range(30)) for t in range(3)] == [10, 10, 10]


def _toy_measure(data: np.ndarray):
    """Findings of a toy model: 'member 1 ranks first' (data-driven) and 'the total is positive' (structural)."""

    def measure(order: np.ndarray) -> list[Finding]:
        values = data[order]
        top = values[1] - np.delete(values, 1).max()
        return [Finding("rank:1", "rank", "member 1 ranks first", float(top)), Finding("total", "order", "sum > 0", float(values.sum()))]

    return measure


def test_permutation_test_tells_data_driven_from_structural_on_synthetic_data():
    data = np.array([1.0, 9.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0])
    leaders = np.zeros(len(data), dtype=bool)
    table = permutation.permutation_test(_toy_measure(data), leaders, 99, np.random.default_rng(0)).set_index("finding")
    assert table.loc["total", "status"] == "structural" and table.loc["total", "share_holds"] == 1.0
    assert table.loc["rank:1", "status"] == "data-driven"
    assert table.loc["rank:1", "share_holds"] == pytest.approx(1 / 8, abs=0.08)  # chance of staying first
    assert table.loc["rank:1", "p_value"] == pytest.approx((1 + 99 * table.loc["rank:1", "share_holds"]) / 100)


def test_leaders_keep_their_place_in_every_permutation():
    leaders = np.array([True, False, False, True, False])
    rng = np.random.default_rng(3)
    for _ in range(20):
        order = permutation.ally_permutation(leaders, rng)
        assert order[0] == 0 and order[3] == 3 and sorted(order) == list(range(5))


def test_identity_shuffle_rebuilds_the_same_world_and_a_swap_moves_drivers_and_positions():
    world = prepare(RunRequest(scenarios=["baseline"], runs=2))[0]
    same = permutation.with_member_data(world, np.arange(world.members.n))
    np.testing.assert_allclose(same.initial_stance, world.initial_stance)
    np.testing.assert_allclose(same.calm_target(), world.calm_target())
    order = np.arange(world.members.n)
    deu, hrv = world.members.index("DEU"), world.members.index("HRV")
    order[[deu, hrv]] = order[[hrv, deu]]
    swapped = permutation.with_member_data(world, order)
    assert swapped.drivers.energy_dependence[deu] == world.drivers.energy_dependence[hrv]
    assert swapped.drivers.threat_perception[hrv] == world.drivers.threat_perception[deu]
    # Croatia's coded positions now speak for Germany, and the other way round
    np.testing.assert_array_equal(swapped.from_article[deu], world.from_article[hrv])
    coded = world.from_article[hrv]
    np.testing.assert_allclose(swapped.initial_stance[deu][coded], world.initial_stance[hrv][coded])


def _model_findings(layers: list[dict]) -> pd.DataFrame:
    worlds = prepare(RunRequest(scenarios=["baseline", "invasion"], runs=4, seed=5, param_layers=layers))
    measure = permutation.ScenarioFindings(worlds, runs=4, seed=5)
    return permutation.permutation_test(measure, worlds[0].leaders, 12, np.random.default_rng(1)).set_index("finding")


def test_model_where_drivers_matter_makes_member_findings_data_driven():
    table = _model_findings([])
    ranks = table[table["kind"] == "rank"]
    assert (ranks["status"] == "data-driven").mean() > 0.5
    for score in headline_scores():
        assert table.loc[f"order:{score}:invasion>baseline", "status"] == "structural"


def test_model_where_member_data_do_not_matter_reports_structural(monkeypatch):
    """With zero driver weights (and, where the model has them, no salience from the drivers in
    influence or acceptance windows) and no coded member positions, every member's target is the
    same: shuffling changes nothing."""
    from cohesion import world as world_module
    from cohesion.inputs import load_positions
    from cohesion.params import SPECS_BY_NAME

    context = tuple(p for p in load_positions() if p.use != "member_stance")
    monkeypatch.setattr(world_module, "load_positions", lambda: context)
    monkeypatch.setattr(permutation, "load_positions", lambda: context)

    layer = {"energy_weight": 0.0, "threat_weight": 0.0, "leadership_weight": 0.0}
    layer.update({name: 0.0 for name in ("influence_salience_exponent", "acceptance_salience_tightening") if name in SPECS_BY_NAME})
    table = _model_findings([layer])
    assert (table["status"] == "structural").all()
    assert (table["share_holds"] == 1.0).all()


def test_claimed_findings_remeasured_on_the_same_results_keep_their_margins():
    results = [r for r in _run(["baseline", "invasion"])]
    found = measure_findings(results)
    again = measure_findings(results, [f for f in found if f.holds])
    assert [f.margin for f in again] == [f.margin for f in found if f.holds]


def _run(names: list[str]):
    from cohesion.runner import run

    return run(RunRequest(scenarios=names, runs=4, seed=2))


# --- back-tests ---------------------------------------------------------------------------------


def write_outcomes(path: Path, values: dict[str, float]) -> Path:
    pd.DataFrame({"member": list(values), "outcome": list(values.values())}).to_csv(path, index=False)
    return path


def test_backtest_recovers_a_known_correlation_on_a_synthetic_episode(tmp_path):
    """Outcome = the model's own measure: Spearman 1; outcome = minus energy dependence: energy's is -1."""
    episode, _ = load_episode(str(write_outcomes(tmp_path / "a.csv", {"DEU": 1, "FRA": 2, "POL": 3})))
    model = modelled_measure(episode, runs=5, seed=1)
    result = backtest(
        load_episode(str(write_outcomes(tmp_path / "m.csv", {c: 10 * v for c, v in model.items()})))[0], runs=5, seed=1
    )
    table = result.table(50, np.random.default_rng(0)).set_index("predictor")
    assert table.loc["model", "spearman"] == pytest.approx(1.0)
    assert table.loc["model", "kendall"] == pytest.approx(1.0)
    energy = driver_values()["energy_dependence"]
    result = backtest(load_episode(str(write_outcomes(tmp_path / "e.csv", {c: -v for c, v in energy.items()})))[0], runs=5, seed=1)
    table = result.table(50, np.random.default_rng(0)).set_index("predictor")
    assert table.loc["energy_dependence", "spearman"] == pytest.approx(-1.0)
    assert table.loc["model", "spearman_low"] <= table.loc["model", "spearman"] <= table.loc["model", "spearman_high"]


def test_mispredicted_members_are_the_largest_rank_errors(tmp_path):
    episode, _ = load_episode(str(write_outcomes(tmp_path / "o.csv", {"USA": 3, "DEU": 2, "HRV": 1, "POL": 0})))
    result = backtest(episode, runs=3, seed=1)
    frame = result.mispredicted(count=4)
    assert list(frame["rank_error"].abs()) == sorted(frame["rank_error"].abs(), reverse=True)
    assert set(frame["member"]) == {"USA", "DEU", "HRV", "POL"}


def test_vrbetice_episode_marks_unproven_zeros_as_judged():
    episode, _ = load_episode("vrbetice-2021")
    values = {o.member: (o.value, o.status) for o in episode.observations}
    assert values["SVK"] == (3, "sourced") and values["ROU"] == (1, "sourced")
    assert all(status == "judged" for value, status in values.values() if value == 0)
    assert "CZE" in episode.exclude and "CZE" not in values


def test_skripal_episode_loads_with_a_source_for_every_value():
    episode, _ = load_episode("skripal-2018")
    assert "MKD" not in episode.members  # joined NATO in 2020
    assert len(episode.members) == 29 and "GBR" in episode.exclude
    assert {o.member for o in episode.observations} == set(episode.members) - {"GBR"}
    assert all(o.source.startswith("http") for o in episode.observations)
    assert {o.member: o.value for o in episode.observations}["USA"] == 60
    assert "proxy" in episode.drivers_note


def test_backtest_command_prints_correlations(capsys):
    assert run_cli(["backtest", "skripal-2018", "--runs", "5", "--bootstrap", "50"]) == 0
    out = capsys.readouterr().out
    assert "Spearman" in out and "Most mispredicted" in out and "driver: leadership_trust" in out


EPISODE = yaml.safe_load((REPO / "episodes" / "skripal-2018.yaml").read_text(encoding="utf-8"))


def _episode_with(tmp_path: Path, change) -> Path:  # type: ignore[no-untyped-def]
    data = json.loads(json.dumps(EPISODE, default=str))
    change(data)
    path = tmp_path / "episode.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


BAD_CSV = {
    "unknown member": ("member,outcome\nDEU,1\nXXX,2\nFRA,3\n", "unknown member 'XXX'"),
    "duplicate member": ("member,outcome\nDEU,1\nDEU,2\nFRA,3\n", "duplicate observation for member DEU"),
    "non-numeric": ("member,outcome\nDEU,1\nPOL,many\nFRA,3\n", "'many' is not a number"),
    "missing column": ("member,value\nDEU,1\nPOL,2\nFRA,3\n", "missing column 'outcome'"),
}


@pytest.mark.parametrize("case", sorted(BAD_CSV))
def test_bad_outcome_files_are_one_error_line(case, tmp_path, capsys):
    text, message = BAD_CSV[case]
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    assert run_cli(["backtest", str(path), "--runs", "2"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and message in err[0]


BAD_EPISODES = {
    "unknown member": (lambda d: d["members"].append("SWE"), "unknown member 'SWE'"),
    "duplicate member": (lambda d: d["observations"].append(dict(d["observations"][0])), "duplicate observation for member USA"),
    "non-numeric": (lambda d: d["observations"][0].update(value="sixty"), "value"),
    "missing field": (lambda d: d.pop("outcome"), "outcome"),
    "date after the episode": (lambda d: d["observations"][0].update(date="2018-04-20"), "after the episode"),
    "episode after the model's date": (lambda d: d.update(date="2022-03-01", window_end="2022-03-05"), "no hindsight"),
}


@pytest.mark.parametrize("case", sorted(BAD_EPISODES))
def test_bad_episode_files_are_one_error_line(case, tmp_path, capsys):
    change, message = BAD_EPISODES[case]
    assert run_cli(["backtest", str(_episode_with(tmp_path, change)), "--runs", "2"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and message in err[0], err


def test_unknown_episode_name_lists_the_shipped_ones(capsys):
    assert run_cli(["backtest", "crimea-2014"]) == 2
    assert "skripal-2018" in capsys.readouterr().err


# --- cohesion validate end to end ---------------------------------------------------------------


def test_validate_command_writes_its_folder_and_is_reproducible(tmp_path, capsys):
    out = tmp_path / "validation"
    assert run_cli(["validate", "--out", str(out), "--quiet", "--report", *TINY]) == 0
    printed = capsys.readouterr().out
    assert "Cross-validation" in printed and "Headline findings" in printed and "profile" in printed.lower()
    meta, table, findings = read_validation(out)
    assert meta["seed"] == 20220127 and meta["sizes"]["shuffles"] == 3
    assert set(table["section"]) >= {"leave-one-member-out", "leave-one-position-out", "profile", "permutation", "parameter-draws"}
    assert table["interval"].notna().all()  # every row says what kind of interval it is
    assert set(findings["status"]) <= {"structural", "data-driven"}
    assert (out / "trust.html").is_file() and "How much to trust this" in (out / "trust.html").read_text(encoding="utf-8")
    # Same seed, same numbers (the library call, same sizes).
    again = run_validation(20220127, ValidationSizes(3, 3, 20, 2, 2, 2))
    pd.testing.assert_frame_equal(pd.read_csv(io.StringIO(again.table.to_csv(index=False))), table)


def test_validate_refuses_bad_sizes_and_foreign_folders(tmp_path, capsys):
    assert run_cli(["validate", "--sobol-samples", "3", "--out", str(tmp_path / "v")]) == 2
    assert "power of 2" in capsys.readouterr().err
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me", encoding="utf-8")
    assert run_cli(["validate", "--out", str(foreign), *TINY]) == 2
    assert "not a cohesion results folder" in capsys.readouterr().err
    assert (foreign / "notes.txt").read_text(encoding="utf-8") == "keep me"


# --- cohesion run --uncertainty -----------------------------------------------------------------


def test_run_with_parameter_uncertainty_is_wider_reproducible_and_says_so(tmp_path, capsys):
    out = tmp_path / "run"
    argv = ["run", "baseline", "--runs", "12", "--steps", "8", "--quiet", "--out", str(out)]
    assert run_cli([*argv, "--uncertainty", "parameters"]) == 0
    assert "calibrated parameters drawn per run" in " ".join(capsys.readouterr().out.split())
    drawn = pd.read_parquet(out / "timeseries.parquet")
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["uncertainty"] == "parameters"
    assert run_cli([*argv, "--uncertainty", "parameters"]) == 0
    pd.testing.assert_frame_equal(pd.read_parquet(out / "timeseries.parquet"), drawn)
    assert run_cli(argv) == 0
    assert "noise, stochastic events and the members' measured drivers drawn per run" in " ".join(capsys.readouterr().out.split())
    fixed = pd.read_parquet(out / "timeseries.parquet")
    week0 = lambda f: f[f["week"] == 0][headline_scores()[-1]]  # noqa: E731
    assert week0(fixed).std() < 1e-9 < 1e-3 < week0(drawn).std()  # drawn weights move the initial stances


@pytest.mark.parametrize("kind", ["parameters", "all"])
def test_a_variant_keeps_its_override_under_parameter_uncertainty(kind):
    """``--set SCENARIO:name=value`` with ``--uncertainty``: the variant runs with its override, not the plain layers."""
    from cohesion.runner import run

    request = RunRequest(scenarios=["baseline"], runs=2, steps=4, uncertainty=kind,
                         variants=[("baseline", {"threat_weight": 2.9}, "threat_weight=2.9")])
    plain, variant = run(request)
    assert variant.world.scenario.name == "baseline [threat_weight=2.9]"
    assert np.abs(variant.horizon_stance - plain.horizon_stance).max() > 0.01


def test_uncertainty_all_keeps_each_runs_driver_draw_common_to_all_scenarios(monkeypatch):
    """Run ``r`` of every scenario takes posterior draw ``d_r`` (World.run_drivers), also with parameters drawn per run."""
    import cohesion.engines
    from cohesion.validation.uncertainty import simulate_parameter_uncertainty
    from tests.conftest import make_world

    used = {}
    simulate = cohesion.engines.simulate

    def spy(world, runs, seed, engine="vectorized", progress=None):
        used.setdefault(world.scenario.name, []).append(world.run_drivers(seed, 0, 1).energy_dependence[0])
        return simulate(world, runs, seed, engine=engine, progress=progress)

    monkeypatch.setattr(cohesion.engines, "simulate", spy)
    worlds = [make_world(name, horizon=12) for name in ("baseline", "invasion")]
    for world in worlds:
        simulate_parameter_uncertainty(world, [], 3, 20220127, "all")
    expected = worlds[0].run_drivers(20220127, 0, 3).energy_dependence
    assert np.unique(expected, axis=0).shape[0] == 3  # three different draws
    for name in ("baseline", "invasion"):
        assert np.array_equal(np.array(used[name]), expected), name


@pytest.mark.parametrize("kind,drawn", [("noise", True), ("parameters", False), ("all", True)])
def test_manifest_says_whether_the_runs_drew_their_drivers(tmp_path, kind, drawn):
    """``--uncertainty parameters`` runs on the point drivers: the manifest must not claim driver draws."""
    from cohesion.runner import run

    run(RunRequest(scenarios=["baseline"], runs=2, steps=4, uncertainty=kind), out=tmp_path / "run")
    assert json.loads((tmp_path / "run" / "manifest.json").read_text(encoding="utf-8"))["driver_uncertainty"] is drawn


def test_unknown_uncertainty_kind_is_one_error_line(capsys):
    assert run_cli(["run", "baseline", "--uncertainty", "everything", "--runs", "2"]) == 2
    assert capsys.readouterr().err.strip().startswith("error: --uncertainty must be noise, parameters or all")


# --- the report's trust section -----------------------------------------------------------------


def test_run_report_has_a_trust_section_that_says_how_to_fill_it(tmp_path):
    from cohesion.report.build import build_report

    results = tmp_path / "results" / "latest"
    assert run_cli(["run", "baseline", "--runs", "2", "--steps", "4", "--quiet", "--out", str(results)]) == 0
    page = build_report(results)
    assert '<section id="trust"><h2>How much to trust this</h2>' in page
    assert "cohesion validate" in page and "No validation results" in page


@pytest.mark.parametrize("damage", [
    {"validation.csv": ""},  # empty: pandas' EmptyDataError
    {"validation.csv": 'section,item\n"x,y\n'},  # cut inside a quoted field: ParserError
    {"findings.csv": "finding,status\nx,structural\n"},  # columns missing: KeyError in the section
    {"findings.csv": None},  # no file
])
def test_run_report_with_a_damaged_validation_folder_beside_it_is_one_error_line(tmp_path, capsys, damage):
    from cohesion.validation.suite import COLUMNS, VALIDATION_FORMAT

    findings_columns = ["finding", "kind", "statement", "margin", "share_holds", "p_value", "status",
                        "share_holds_parameters", "share_flipped", "flip_rule"]

    results = tmp_path / "results" / "latest"
    assert run_cli(["run", "baseline", "--runs", "2", "--steps", "4", "--quiet", "--out", str(results)]) == 0
    validation = tmp_path / "results" / "validation"
    validation.mkdir()
    (validation / "manifest.json").write_text(json.dumps({"format": VALIDATION_FORMAT}), encoding="utf-8")
    files = {"validation.csv": ",".join(COLUMNS) + "\n", "findings.csv": ",".join(findings_columns) + "\n", **damage}
    for name, text in files.items():
        if text is not None:
            (validation / name).write_text(text, encoding="utf-8")
    capsys.readouterr()
    out = tmp_path / "r.html"
    assert run_cli(["report", str(results), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and "validation" in err[0], err
    assert not out.exists()


def test_profile_of_a_single_fitted_parameter_has_nothing_to_refit():
    """With one fitted parameter the profile is the loss along its grid (there was a clash error instead)."""
    from cohesion.experiments.calibration import FittedParameter
    from cohesion.validation.uncertainty import profile_likelihoods

    spec = CalibrationSpec(parameters=[FittedParameter(name="baseline_stance")], starts=1, replicates=2)
    profiles, summary = profile_likelihoods(spec, points=3)
    assert list(summary["parameter"]) == ["baseline_stance"] and len(profiles) >= 3
    assert np.isfinite(profiles["log_likelihood"]).all() and profiles["drop"].min() == 0.0
    model = StanceModel(spec)
    obs = target_observations(spec)
    for row in profiles.itertuples():
        errors = model.stances(np.array([row.value]))[obs.member_index, obs.issue_index] - obs.observed
        assert row.log_likelihood == pytest.approx(-0.5 * len(errors) * np.log(np.mean(errors**2)))


def test_parameter_draws_are_truncated_not_clipped():
    """Draws stay inside the profile interval without piling on its ends (review F17), on both sides."""
    from cohesion.validation.uncertainty import parameter_draws

    summary = pd.DataFrame([{"parameter": "energy_weight", "estimate": 0.6, "ci_low": 0.0, "ci_high": 1.2}])
    values = np.array([d["energy_weight"] for d in parameter_draws(summary, 4000, np.random.default_rng(1))])
    assert values.min() > 0.0 and values.max() < 1.2
    assert np.mean((values == 0.0) | (values == 1.2)) == 0.0
    assert 0.45 < np.mean(values < 0.6) < 0.55  # the two halves keep their weight
