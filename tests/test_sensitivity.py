"""Sobol and Morris analyses through the experiment machinery: a known test function, then the model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml
from SALib.test_functions import Ishigami

from cohesion.experiments.design import Factor
from cohesion.experiments.plan import function_plan, plan_experiment
from cohesion.experiments.schema import SobolDesign, load_experiment
from cohesion.experiments.sensitivity import DECISION_RANGES
from cohesion.experiments.store import run_plan
from tests.test_experiments import run_cli

# Ishigami (a = 7, b = 0.1), analytic indices: Saltelli et al. (2008), Global Sensitivity Analysis, sect. 4.
ISHIGAMI_S1 = np.array([0.3139, 0.4424, 0.0])
ISHIGAMI_ST = np.array([0.5576, 0.4424, 0.2437])


def test_ishigami_indices_through_the_experiment_machinery(tmp_path):
    factors = tuple(Factor(f"x{i}", -np.pi, np.pi) for i in (1, 2, 3))
    plan = function_plan("ishigami", Ishigami.evaluate, factors, SobolDesign(type="sobol", samples=1024), seed=3)
    points = run_plan(plan, tmp_path / "ishigami")
    assert len(points) == 1024 * 5
    np.testing.assert_allclose(points["y"], Ishigami.evaluate(plan.matrix), rtol=0, atol=0)
    sens = pd.read_csv(tmp_path / "ishigami" / "sensitivity.csv")
    agreed = "scenario outcome parameter method S1 S1_conf ST ST_conf mu_star mu_star_conf sigma"
    assert list(sens.columns) == agreed.split()
    assert sens["parameter"].tolist() == ["x1", "x2", "x3"] and (sens["method"] == "sobol").all()
    np.testing.assert_allclose(sens["S1"], ISHIGAMI_S1, atol=0.05)
    np.testing.assert_allclose(sens["ST"], ISHIGAMI_ST, atol=0.05)
    # The bootstrap intervals are honest: the analytic value lies within 2 half-widths.
    assert (np.abs(sens["S1"] - ISHIGAMI_S1) <= 2 * sens["S1_conf"]).all()
    assert (np.abs(sens["ST"] - ISHIGAMI_ST) <= 2 * sens["ST_conf"]).all()
    assert sens[["mu_star", "mu_star_conf", "sigma"]].isna().all().all()


@pytest.mark.slow
def test_model_sobol_indices_sum_sensibly(tmp_path, capsys):
    out = tmp_path / "sens"
    options = "--samples 64 --steps 8 --replicates 2 --members DEU,HRV --quiet --workers 2"
    argv = ["sensitivity", "baseline", *options.split(), "--out", str(out)]
    assert run_cli(argv) == 0
    printed = capsys.readouterr().out
    assert "Sobol indices" in printed and "alignment_HRV" in printed
    points = pd.read_parquet(out / "points.parquet")
    assert len(points) == 64 * (6 + 2) * 2
    sens = pd.read_csv(out / "sensitivity.csv")
    assert set(sens["outcome"]) == {"consensus", "cohesion", "alignment_DEU", "alignment_HRV"}
    assert set(sens["parameter"]) == set(DECISION_RANGES)
    for outcome, rows in sens.groupby("outcome"):
        # First-order effects cannot explain more than all the variance (within their intervals) ...
        assert rows["S1"].sum() <= 1.0 + np.sqrt((rows["S1_conf"] ** 2).sum()), outcome
        # ... and a total effect includes the first-order one.
        assert (rows["ST"] >= rows["S1"] - rows["S1_conf"] - rows["ST_conf"]).all(), outcome
        assert (rows["ST"] > -rows["ST_conf"]).all(), outcome
    # Germany's alignment hinging on its energy dependence (the article's Nord Stream story) held with
    # the legacy drivers; with the measured ones it fails (docs/model.md 1.1): see the next test.


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="fails with the measured drivers: Germany's measured energy dependence is near "
                   "the alliance mean, so energy_weight is not what moves its alignment most; docs/model.md 1.1")
def test_germany_alignment_hinges_on_energy_weight(tmp_path):
    out = tmp_path / "sens"
    options = "--samples 64 --steps 8 --replicates 2 --members DEU --quiet --workers 1"
    assert run_cli(["sensitivity", "baseline", *options.split(), "--out", str(out)]) == 0
    sens = pd.read_csv(out / "sensitivity.csv")
    deu = sens[sens.outcome == "alignment_DEU"].set_index("parameter")
    assert deu.loc["energy_weight", "ST"] - deu.loc["energy_weight", "ST_conf"] > 0.1
    # and it is the parameter Germany's alignment hinges on most (the article's Nord Stream story)
    assert deu["ST"].idxmax() == "energy_weight", deu["ST"].to_dict()


def test_morris_separates_a_parameter_without_effect(tmp_path):
    """acceptance_tolerance only scores stances: it moves the blocker count but never alignment."""
    calm = {
        "name": "calm",
        "title": "Nothing happens",
        "description": "No events",
        "article_basis": "test",
        "weeks": 8,
    }
    (tmp_path / "calm.yaml").write_text(yaml.safe_dump(calm), encoding="utf-8")
    experiment = {
        "name": "morris-check",
        "description": "Morris on a deterministic scenario",
        "scenarios": [str(tmp_path / "calm.yaml")],
        "parameters": [
            {"name": "energy_weight", "low": 0.0, "high": 3.0},
            {"name": "acceptance_tolerance", "low": 0.1, "high": 0.5},
        ],
        "design": {"type": "morris", "trajectories": 6, "levels": 4},
        "outcomes": ["alignment", "consensus_blockers"],
        "fixed": {"noise_sd": 0.0},
        "seed": 5,
    }
    path = tmp_path / "morris.yaml"
    path.write_text(yaml.safe_dump(experiment), encoding="utf-8")
    plan = plan_experiment(load_experiment(path))
    run_plan(plan, tmp_path / "out")
    sens = pd.read_csv(tmp_path / "out" / "sensitivity.csv").set_index(["outcome", "parameter"])
    assert (sens["method"] == "morris").all() and sens["S1"].isna().all()
    assert sens.loc[("alignment", "acceptance_tolerance"), "mu_star"] == 0.0
    assert sens.loc[("alignment", "energy_weight"), "mu_star"] > 0.01
    assert sens.loc[("consensus_blockers", "acceptance_tolerance"), "mu_star"] > 0.5
