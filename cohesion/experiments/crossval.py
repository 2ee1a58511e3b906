"""Leave-one-member-out error of the calibrated model on the coded positions.

For each member with coded positions, the calibration (``calibrate``) is refit
on every other member's positions, and the refitted model predicts the
held-out member's stances. Every member starts from its driver-based week-0
target (the calibration world never takes initial stances from the
observations), so nothing of the held-out member's coding enters its
prediction. The error of each held-out observation is ``predicted - observed``.

A reference any model must beat sits next to it: ``baseline_predicted`` is
the mean of the other members' observations on the same issue (their overall
mean where no other member is coded on that issue).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from cohesion.experiments.calibration import CalibrationSpec, StanceModel, calibrate, calibration_spec, target_observations


def leave_one_member_out(
    drivers: str = "measured",
    spec: CalibrationSpec | None = None,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Held-out predictions, one row per observation (member x issue cell) of the target positions.

    Args:
        drivers: ``measured`` or ``legacy`` structural drivers.
        spec: The calibration to refit (the built-in default when None).
        progress: Called with each held-out member code before its fit.

    Returns:
        Columns ``drivers, held_out, position_id, issue, observed, predicted,
        error, baseline_predicted, baseline_error`` and the refitted estimates
        (one column per fitted parameter).
    """
    spec = (spec or calibration_spec({})).model_copy(update={"drivers": drivers})
    observations = target_observations(spec)
    model = StanceModel(spec)
    rows = []
    for member in sorted(set(observations.members)):
        if progress is not None:
            progress(member)
        fit = calibrate(spec, target_observations(spec, (member,)))
        stances = model.stances(np.array([fit.estimates[name] for name in model.names]))
        held = np.array(observations.members) == member
        for j in np.nonzero(held)[0]:
            predicted = float(stances[observations.member_index[j], observations.issue_index[j]])
            same_issue = ~held & (observations.issue_index == observations.issue_index[j])
            baseline = float(observations.observed[same_issue if same_issue.any() else ~held].mean())
            rows.append(
                {
                    "drivers": drivers,
                    "held_out": member,
                    "position_id": observations.ids[j],
                    "issue": observations.issues[j],
                    "observed": float(observations.observed[j]),
                    "predicted": predicted,
                    "error": predicted - float(observations.observed[j]),
                    "baseline_predicted": baseline,
                    "baseline_error": baseline - float(observations.observed[j]),
                    **fit.estimates,
                }
            )
    return pd.DataFrame(rows)


def crossval_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Held-out RMSE and MAE per driver set, with the number of observations and members.

    ``baseline_rmse`` is the RMSE of the per-issue mean of the other members' observations.
    """
    grouped = table.groupby("drivers", sort=False)
    rmse = lambda e: float(np.sqrt(np.mean(e**2)))  # noqa: E731
    return pd.DataFrame(
        {
            "drivers": list(grouped.groups),
            "observations": grouped.size().to_numpy(),
            "members": grouped["held_out"].nunique().to_numpy(),
            "rmse": grouped["error"].apply(rmse).to_numpy(),
            "mae": grouped["error"].apply(lambda e: float(np.mean(np.abs(e)))).to_numpy(),
            "baseline_rmse": grouped["baseline_error"].apply(rmse).to_numpy(),
        }
    )


def write_crossval(table: pd.DataFrame, spec: CalibrationSpec, out_dir: Path | str) -> Path:
    """Write crossval.csv, crossval_summary.csv and manifest.json into ``out_dir`` (atomically)."""
    import yaml

    from cohesion.experiments.store import data_file_hashes, provenance_header, write_json
    from cohesion.results import atomic_directory

    with atomic_directory(Path(out_dir), "experiment", "crossval") as staging:
        table.to_csv(staging / "crossval.csv", index=False)
        summary = crossval_summary(table)
        summary.to_csv(staging / "crossval_summary.csv", index=False)
        write_json(
            {
                **provenance_header(),
                "analysis": "crossval",
                "folds": "leave one member out",
                "calibration": yaml.safe_dump(spec.model_dump(), sort_keys=False),
                "summary": summary.to_dict(orient="records"),
                "data_files": data_file_hashes(),
                "files": ["manifest.json", "crossval.csv", "crossval_summary.csv"],
            },
            staging / "manifest.json",
        )
    return Path(out_dir)
