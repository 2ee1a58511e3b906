"""Opening a saved results folder for the report: the manifest and its tables.

The report reads only what a run or an experiment saved; it never runs the
model. Each table is checked for the columns the figures use, so a folder
that is missing a table, or holds one of another shape, fails with one clear
:class:`~cohesion.errors.InputError` before any figure is built.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from cohesion.constants import COMPONENTS, EU_ISSUES, ISSUES, RUN_METRICS
from cohesion.errors import InputError
from cohesion.results import EXPERIMENT_FORMAT, REQUIRED_RUN_FILES, RESULTS_FORMAT, read_manifest

#: Columns each run table must have (one entry per file the report reads).
RUN_COLUMNS: dict[str, tuple[str, ...]] = {
    "summary.csv": (
        "scenario", "title", "runs", "weeks", *(f"{m}_week0" for m in RUN_METRICS),
        *(f"{m}_mean" for m in RUN_METRICS[:-1]), *(f"{m}_{q}" for m in RUN_METRICS for q in ("p05", "p95")),
        "consensus_blockers", *(f"adopted_{k}" for k in ISSUES), *(f"eu_adopted_{k}" for k in EU_ISSUES),
        "blocking_members",
    ),
    "members.csv": (
        "scenario", "member", "country", "alignment", "alignment_p05", "alignment_p95", "alignment_rank",
        "alignment_week0", *(f"stance_{k}" for k in ISSUES), *(f"attr_{c}" for c in COMPONENTS), "blocks",
    ),
    "timeseries_summary.parquet": ("scenario", "week", "metric", "mean", "p05", "p95"),
    "attribution.parquet": ("scenario", "member", "issue", "component", "value"),
    "member_timeseries.parquet": ("scenario", "week", "member", "issue", "block_share"),
    "events.csv": ("scenario", "week", "type", "target", "magnitude", "probability", "note"),
    "positions.csv": ("id", "actor", "speaks_for", "issue", "stance", "use", "date", "quote"),
}

#: Identifier columns of points.parquet; every other non-outcome column is a varied parameter.
POINT_ID_COLUMNS = ("point", "replicate", "seed", "scenario")
EXPERIMENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "points.parquet": ("point", "replicate", "consensus"),
    "sensitivity.csv": ("outcome", "parameter", "method"),
    "calibration.csv": ("position_id", "member", "issue", "observed", "modelled"),
    "parameters.csv": ("parameter", "estimate"),
    "positions.csv": RUN_COLUMNS["positions.csv"],
}
#: The calibrated parameter file, under the agreed name or the one ``cohesion calibrate`` writes.
PARAMS_FILES = ("calibration_params.yaml", "params.yaml")


def read_table(folder: Path, name: str, columns: tuple[str, ...], required: bool) -> pd.DataFrame | None:
    """Read one CSV or Parquet table of a results folder and check its columns.

    Args:
        folder: The results folder.
        name: File name; ``.parquet`` files are read as Parquet, others as CSV.
        columns: Columns the report needs.
        required: Raise when the file is missing (otherwise return None).

    Raises:
        InputError: The file is required and missing, unreadable, or lacks a column.
    """
    path = Path(folder) / name
    if not path.is_file():
        if required:
            raise InputError(f"{folder}: required table {name} is missing")
        return None
    try:
        frame = pd.read_parquet(path) if name.endswith(".parquet") else pd.read_csv(path, keep_default_na=False, na_values=[""])
    except Exception as exc:  # noqa: BLE001 - any reader failure is a corrupt input file
        raise InputError(f"{path}: cannot read table ({type(exc).__name__}: {exc})") from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)}")
    if name in NUMERIC_CHECKED:
        check_whole_table(frame, path, [c for c in columns if c not in TEXT_COLUMNS])
    return frame


#: Run tables whose numbers are checked row by row (the CSVs a person might edit or a copy might cut short).
NUMERIC_CHECKED = ("summary.csv", "members.csv")
#: Columns of those tables that hold text (may be empty).
TEXT_COLUMNS = frozenset({"scenario", "title", "member", "country", "blocking_members", "blocks"})


def check_whole_table(frame: pd.DataFrame, path: Path, numeric: list[str]) -> None:
    """Refuse a table with no rows, or a number column holding text, blanks or NaN (a truncated file?).

    Raises:
        InputError: Naming the file, the column and the first bad row.
    """
    if frame.empty:
        raise InputError(f"{path}: the table has a header but no rows")
    for column in numeric:
        values = pd.to_numeric(frame[column], errors="coerce").astype(float)
        bad = ~values.map(math.isfinite)
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0])
            raise InputError(
                f"{path}: column {column} holds {frame[column].iloc[row]!r} on data row {row + 1}, not a number "
                "(a truncated or edited file?)"
            )


@dataclass
class RunResults:
    """The tables of a run's results folder (``kind: run``)."""

    folder: Path
    manifest: dict[str, Any]
    summary: pd.DataFrame
    members: pd.DataFrame
    timeseries_summary: pd.DataFrame
    attribution: pd.DataFrame | None = None
    member_timeseries: pd.DataFrame | None = None
    events: pd.DataFrame | None = None
    positions: pd.DataFrame | None = None

    kind = "run"

    @property
    def scenarios(self) -> list[str]:
        """Scenario names in the order of summary.csv."""
        return list(self.summary["scenario"])

    @property
    def country_names(self) -> dict[str, str]:
        """ISO3 code to country name, from members.csv."""
        return dict(zip(self.members["member"], self.members["country"]))

    def scenario_titles(self) -> dict[str, str]:
        """Scenario name to its one-line title."""
        return dict(zip(self.summary["scenario"], self.summary["title"]))


@dataclass
class ExperimentResults:
    """The tables of an experiment's results folder (``kind: experiment``); each is optional."""

    folder: Path
    manifest: dict[str, Any]
    points: pd.DataFrame | None = None
    sensitivity: pd.DataFrame | None = None
    calibration: pd.DataFrame | None = None
    parameters: pd.DataFrame | None = None
    calibration_params: str | None = None
    positions: pd.DataFrame | None = None
    country_names: dict[str, str] = field(default_factory=dict)

    kind = "experiment"


def _check_kind(folder: Path, meta: dict[str, Any]) -> str:
    kind = meta.get("kind")
    fmt = meta.get("format")
    expected = {"run": RESULTS_FORMAT, "experiment": EXPERIMENT_FORMAT}
    if kind not in expected:
        raise InputError(f"{folder}: manifest kind {kind!r} is not one the report knows (run or experiment)")
    if fmt != expected[kind]:
        raise InputError(f"{folder}: a manifest of kind {kind!r} must have format {expected[kind]!r}, found {fmt!r}")
    return kind


def _shipped_country_names() -> dict[str, str]:
    """Member names from the shipped member data, for experiment tables that carry only codes."""
    from cohesion.inputs import load_members

    members = load_members()
    return dict(zip(members.codes, members.names))


def _check_run_consistency(folder: Path, meta: dict[str, Any], tables: dict[str, pd.DataFrame | None]) -> None:
    """The manifest's scenario list has the written shape and every summary scenario has its members."""
    listed = meta.get("scenarios")
    if listed is not None and not (
        isinstance(listed, list) and all(isinstance(s, dict) and isinstance(s.get("name"), str) for s in listed)
    ):
        raise InputError(f"{folder}/manifest.json: 'scenarios' must be a list of scenario entries with a name")
    summary, members = tables["summary.csv"], tables["members.csv"]
    assert summary is not None and members is not None  # required tables
    lacking = sorted(set(summary["scenario"]) - set(members["scenario"]))
    if lacking:
        raise InputError(f"{folder}/members.csv has no rows for scenario(s) {', '.join(map(str, lacking))} of summary.csv")


def load_results(folder: Path) -> RunResults | ExperimentResults:
    """Open a run or experiment results folder for the report.

    Raises:
        InputError: No folder, no or corrupt or older-format manifest, an
            unknown kind, a missing required table, or a table without the
            columns the report needs.
    """
    folder = Path(folder)
    meta = read_manifest(folder)
    if _check_kind(folder, meta) == "run":
        tables = {
            name: read_table(folder, name, columns, required=name in REQUIRED_RUN_FILES)
            for name, columns in RUN_COLUMNS.items()
        }
        _check_run_consistency(folder, meta, tables)
        return RunResults(
            folder=folder,
            manifest=meta,
            **{name.split(".")[0]: frame for name, frame in tables.items()},
        )
    tables = {name: read_table(folder, name, columns, required=False) for name, columns in EXPERIMENT_COLUMNS.items()}
    params = next(((folder / n).read_text(encoding="utf-8") for n in PARAMS_FILES if (folder / n).is_file()), None)
    if all(frame is None for frame in tables.values()) and params is None:
        names = ", ".join((*EXPERIMENT_COLUMNS, *PARAMS_FILES))
        raise InputError(f"{folder}: experiment results hold none of {names}")
    return ExperimentResults(
        folder=folder,
        manifest=meta,
        calibration_params=params,
        country_names=_shipped_country_names(),
        **{name.split(".")[0]: frame for name, frame in tables.items()},
    )
