"""Leave-one-member-out cross-validation of the calibration."""

from __future__ import annotations

import numpy as np
import pytest

from cohesion.experiments.calibration import calibration_spec, target_observations
from cohesion.experiments.crossval import crossval_summary, leave_one_member_out

SMALL = calibration_spec({"starts": 1, "replicates": 2, "steps": 2})


@pytest.fixture(scope="module")
def folds():
    return leave_one_member_out("legacy", SMALL)


def test_every_observation_is_predicted_once_by_a_fit_without_its_member(folds):
    observations = target_observations(SMALL)
    assert sorted(folds["position_id"]) == sorted(observations.ids)
    np.testing.assert_allclose(folds["error"], folds["predicted"] - folds["observed"])
    fitted = folds.groupby("held_out")["energy_weight"].nunique()
    assert (fitted == 1).all(), "one fit per held-out member"
    assert folds.groupby("held_out")["energy_weight"].first().nunique() > 1, "each fold refits"
    assert ((folds["predicted"] >= 0) & (folds["predicted"] <= 1)).all()


def test_the_reference_is_the_other_members_mean_on_the_issue(folds):
    row = folds[(folds["held_out"] == "DNK") & (folds["issue"] == "deterrence")].iloc[0]
    others = folds[(folds["issue"] == "deterrence") & (folds["held_out"] != "DNK")]["observed"]
    assert row["baseline_predicted"] == pytest.approx(others.mean())


def test_summary_by_hand(folds):
    summary = crossval_summary(folds).iloc[0]
    assert summary["rmse"] == pytest.approx(np.sqrt(np.mean(folds["error"] ** 2)))
    assert summary["observations"] == len(folds) and summary["members"] == folds["held_out"].nunique()
