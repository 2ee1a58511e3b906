"""Results: tidy tables from ensembles, written atomically with a manifest.

A results folder holds (docs/results.md lists every column):

- ``summary.csv``: one row per scenario at the horizon;
- ``members.csv``: one row per scenario and member;
- ``attribution.parquet``: scenario x member x issue x component at the horizon;
- ``timeseries.parquet``: scenario x run x week scores (kept in full when
  ``timeseries='full'``), and ``timeseries_summary.parquet``: scenario x week x
  metric mean and quantiles over runs (always);
- ``member_timeseries.parquet``: scenario x week x member x issue mean stance,
  blocking share and member alignment;
- ``events.csv``, ``positions.csv`` (the article's positions used), ``manifest.json``.

Files are written to a temporary sibling folder and moved into place only when
complete, so a failed run leaves no half-written results; ``cohesion.outputs``
checks and locks the output first. The manifest lists every file.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pandas as pd

from cohesion import __version__
from cohesion.constants import COMPONENTS, EU_ISSUES, ISSUES, RUN_METRICS
from cohesion.ensemble import EnsembleResult
from cohesion.errors import InputError
from cohesion.inputs import data_path
from cohesion.outputs import claimed_output, new_staging_folder

#: Version 2: consensus and cohesion scores against the leaders' proposal (round 2, issue #10).
RESULTS_FORMAT = "cohesion-results/3"
EXPERIMENT_FORMAT = "cohesion-experiment/2"
#: Runs per scenario up to which the per-run weekly series is kept when timeseries="auto".
AUTO_FULL_RUNS = 1000
QUANTILES = (0.05, 0.5, 0.95)
#: A member counts as a blocker of an issue when it blocks in at least this share of runs.
BLOCKER_MAJORITY = 0.5


def _q(values: np.ndarray, q: float, axis: int = 0) -> np.ndarray:
    return np.quantile(values, q, axis=axis)


def blocker_list(result: EnsembleResult, week: int | None = None) -> list[tuple[str, str]]:
    """(member, issue) pairs blocked in at least half of the runs at ``week`` (horizon by default)."""
    share = result.blocker_share[result.world.horizon if week is None else week]
    codes = result.world.members.codes
    return [(codes[i], ISSUES[k]) for i, k in zip(*np.nonzero(share >= BLOCKER_MAJORITY))]


def summary_row(result: EnsembleResult) -> dict[str, Any]:
    """The horizon summary of one scenario: text columns first, numbers after them.

    A number is last, so a file cut short anywhere in a row leaves a number
    missing, which readers check.
    """
    world = result.world
    codes = world.members.codes
    blockers = blocker_list(result)
    alignment = result.horizon_alignment().mean(axis=0)
    order = np.argsort(-alignment, kind="stable")
    row: dict[str, Any] = {
        "scenario": world.scenario.name,
        "title": world.scenario.title,
        "blocking_members": ";".join(sorted({m for m, _ in blockers})),
        "blocked_issues": ";".join(f"{m}:{k}" for m, k in blockers),
        "most_aligned": ";".join(codes[i] for i in order[:5]),
        "least_aligned": ";".join(codes[i] for i in order[::-1][:5]),
        "runs": result.runs,
        "weeks": world.horizon,
    }
    for name in RUN_METRICS:
        values = result.metric(name)
        stem = name if name == "consensus_blockers" else f"{name}_mean"
        row[f"{name}_week0"] = float(values[:, 0].mean())
        row[stem] = float(values[:, -1].mean())
        for q in QUANTILES:
            row[f"{name}_p{int(q * 100):02d}"] = float(_q(values[:, -1], q))
    for k, adopted in zip(ISSUES, result.horizon_adoption().T):
        row[f"adopted_{k}"] = float(adopted.mean())
    eu_adopted = result.horizon_adoption(world.members.eu_member)
    for k, issue in enumerate(ISSUES):
        if issue in EU_ISSUES:
            row[f"eu_adopted_{issue}"] = float(eu_adopted[:, k].mean())
    return row


def member_rows(result: EnsembleResult) -> list[dict[str, Any]]:
    """One row per member of one scenario at the horizon."""
    world = result.world
    members = world.members
    alignment = result.horizon_alignment()
    mean_alignment = alignment.mean(axis=0)
    rank = np.empty(members.n, dtype=int)
    rank[np.argsort(-mean_alignment, kind="stable")] = np.arange(1, members.n + 1)
    stance = result.horizon_stance.mean(axis=0)
    attribution = result.component_mean.mean(axis=-1)  # (C, N): mean over issues
    share = result.blocker_share[-1]
    rows = []
    for i, code in enumerate(members.codes):
        row: dict[str, Any] = {
            "scenario": world.scenario.name,
            "member": code,
            "country": members.names[i],
            "alignment": float(mean_alignment[i]),
            "alignment_p05": float(_q(alignment[:, i], 0.05)),
            "alignment_p95": float(_q(alignment[:, i], 0.95)),
            "alignment_rank": int(rank[i]),
            "alignment_week0": float(result.alignment_mean[0, i]),
        }
        for k, issue in enumerate(ISSUES):
            row[f"stance_{issue}"] = float(stance[i, k])
        for c, component in enumerate(COMPONENTS):
            row[f"attr_{component}"] = float(attribution[c, i])
        row["blocks"] = ";".join(ISSUES[k] for k in range(len(ISSUES)) if share[i, k] >= BLOCKER_MAJORITY)
        for k, issue in enumerate(ISSUES):
            row[f"dilution_{issue}"] = float(result.dilution_mean[-1, i, k])
        row["energy_dependence"] = float(world.drivers.energy_dependence[i])
        row["threat_perception"] = float(world.drivers.threat_perception[i])
        row["leadership_trust"] = float(world.drivers.leadership_trust[i])
        row["eu_member"] = bool(members.eu_member[i])
        rows.append(row)
    return rows


def _long_frame(scenario: str, axes: dict[str, np.ndarray], values: dict[str, np.ndarray]) -> pd.DataFrame:
    """A long table with one row per cell of arrays shaped by ``axes`` (labels per axis, in order)."""
    grid = np.meshgrid(*(np.arange(len(labels)) for labels in axes.values()), indexing="ij")
    columns: dict[str, object] = {"scenario": scenario}
    columns.update({name: np.asarray(labels)[index.ravel()] for (name, labels), index in zip(axes.items(), grid)})
    columns.update({name: array.ravel() for name, array in values.items()})
    return pd.DataFrame(columns)


def attribution_frame(result: EnsembleResult) -> pd.DataFrame:
    """Mean horizon components per member, issue and component (long format)."""
    axes = {"component": np.array(COMPONENTS), "member": np.array(result.world.members.codes), "issue": np.array(ISSUES)}
    frame = _long_frame(result.world.scenario.name, axes, {"value": result.component_mean})
    return frame[["scenario", "member", "issue", "component", "value"]]


def timeseries_frame(result: EnsembleResult) -> pd.DataFrame:
    """Scores per run and week (long in runs and weeks, wide in metrics)."""
    r, t, _ = result.run_metrics.shape
    frame = pd.DataFrame(result.run_metrics.reshape(r * t, -1), columns=list(RUN_METRICS))
    frame.insert(0, "week", np.tile(np.arange(t), r))
    frame.insert(0, "run", np.repeat(np.arange(r), t))
    frame.insert(0, "scenario", result.world.scenario.name)
    return frame


def timeseries_summary_frame(result: EnsembleResult) -> pd.DataFrame:
    """Mean and quantiles over runs of each score per week."""
    parts = []
    weeks = np.arange(result.run_metrics.shape[1])
    for m, name in enumerate(RUN_METRICS):
        values = result.run_metrics[:, :, m]
        part = pd.DataFrame({"scenario": result.world.scenario.name, "week": weeks, "metric": name, "mean": values.mean(axis=0)})
        for q in QUANTILES:
            part[f"p{int(q * 100):02d}"] = _q(values, q)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def member_timeseries_frame(result: EnsembleResult) -> pd.DataFrame:
    """Mean stance, blocking share and alignment per week, member and issue."""
    weeks = np.arange(result.stance_mean.shape[0])
    axes = {"week": weeks, "member": np.array(result.world.members.codes), "issue": np.array(ISSUES)}
    values = {
        "stance_mean": result.stance_mean,
        "block_share": result.blocker_share,
        "dilution_mean": result.dilution_mean,
        "alignment_mean": np.broadcast_to(result.alignment_mean[..., None], result.stance_mean.shape),
    }
    return _long_frame(result.world.scenario.name, axes, values)


def event_rows(result: EnsembleResult) -> list[dict[str, Any]]:
    """The scenario's events, for markers on time axes."""
    spec = result.world.scenario
    return [
        {
            "scenario": spec.name,
            "week": ev.week,
            "type": ev.type,
            "target": ev.target if isinstance(ev.target, str) else ";".join(ev.target),
            "issue": "" if ev.issue is None else (ev.issue if isinstance(ev.issue, str) else ";".join(ev.issue)),
            "magnitude": ev.magnitude,
            "mode": ev.mode,
            "duration": ev.duration if ev.duration is not None else "",
            "probability": ev.probability,
            "magnitude_sd": ev.magnitude_sd,
            "note": ev.note,
        }
        for ev in spec.events
    ]


def git_commit(root: Path | None = None) -> str | None:
    """The git commit of the package source, when it is a checkout; ``-dirty`` appended when the source differs from it.

    Args:
        root: The checkout (default: the one this package is in); its ``cohesion`` folder is the source.
    """
    root = Path(__file__).resolve().parents[1] if root is None else Path(root)
    if not (root / "pyproject.toml").is_file():  # an installed wheel: any enclosing repository is not ours
        return None
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5)
        # tracked files of the package only: results and other outputs beside it are not source
        edited = subprocess.run(["git", "-C", str(root), "diff", "--quiet", "HEAD", "--", "cohesion"], capture_output=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    commit = out.stdout.strip() if out.returncode == 0 else ""
    if not commit:
        return None
    return f"{commit}-dirty" if edited.returncode == 1 else commit


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


#: The shipped data files every run reads; their hashes go into every manifest.
DATA_FILES = ("members.csv", "positions.csv", "issue_sensitivity.csv", "article.txt", "indicators.csv", "drivers.parquet")


def data_file_hashes() -> dict[str, str]:
    """SHA-256 of the shipped data files the model read."""
    return {name: file_sha256(data_path(name)) for name in DATA_FILES}


def manifest(results: list[EnsembleResult], settings: dict[str, Any]) -> dict[str, Any]:
    """Provenance of a results folder: version, commit, seed, parameters, scenario hashes."""
    return {
        "format": RESULTS_FORMAT,
        "kind": "run",
        "cohesion_version": __version__,
        "git_commit": git_commit(),
        **settings,
        "data_files": data_file_hashes(),
        "scenarios": [
            {
                "name": r.world.scenario.name,
                "title": r.world.scenario.title,
                "description": r.world.scenario.description,
                "article_basis": r.world.scenario.article_basis,
                "sha256": r.world.scenario_hash,
                "weeks": r.world.horizon,
                "threat_level0": r.world.scenario.threat_level,
                "parameters": r.world.params.flat(),
            }
            for r in results
        ],
    }


def list_files_in_manifest(folder: Path) -> None:
    """Add the sorted names of a staged folder's entries to its manifest.json as ``files``."""
    path = folder / "manifest.json"
    if not path.is_file():
        return
    meta = json.loads(path.read_text(encoding="utf-8"))
    meta["files"] = sorted(p.name for p in folder.iterdir())
    path.write_text(json.dumps(meta, indent=2, sort_keys=False) + "\n", encoding="utf-8")


@contextmanager
def atomic_directory(target: Path, kind: str, analysis: str | None = None) -> Iterator[Path]:
    """Yield a staging folder that replaces ``target`` only if the block succeeds.

    ``target`` is checked and locked first (``cohesion.outputs.claimed_output``;
    the lock is re-entrant, so a command may already hold it). A symbolic link
    at ``target`` is written through: its target folder is replaced. The
    manifest the block writes gets the list of files (``files``), so that the
    folder can later be told apart from one a user added files to.
    """
    with claimed_output(Path(target), kind, analysis) as real:
        try:
            staging = new_staging_folder(real)
        except OSError as exc:
            raise InputError(f"cannot write results to {target}: {exc.strerror or exc}") from None
        try:
            yield staging
            list_files_in_manifest(staging)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        backup = None
        if real.exists():
            backup = real.parent / f".{real.name}.old-{os.getpid()}"
            os.replace(real, backup)
        os.replace(staging, real)
        if backup is not None:
            shutil.rmtree(backup, ignore_errors=True)


def write_results(results: list[EnsembleResult], out: Path, settings: dict[str, Any], timeseries: str = "auto") -> Path:
    """Write every table and the manifest of a run into ``out`` (atomically).

    Args:
        results: One ensemble per scenario.
        out: Results folder (replaced if it exists).
        settings: Run settings for the manifest (seed, runs, steps, engine, ...).
        timeseries: ``full`` keeps every run's weekly scores, ``summary``
            only the weekly quantiles, ``auto`` full up to 1,000 runs.
    """
    keep_full = timeseries == "full" or (timeseries == "auto" and max(r.runs for r in results) <= AUTO_FULL_RUNS)
    with atomic_directory(Path(out), "run") as staging:
        pd.DataFrame([summary_row(r) for r in results]).to_csv(staging / "summary.csv", index=False)
        pd.DataFrame([row for r in results for row in member_rows(r)]).to_csv(staging / "members.csv", index=False)
        pd.concat([attribution_frame(r) for r in results], ignore_index=True).to_parquet(staging / "attribution.parquet", index=False)
        pd.concat([timeseries_summary_frame(r) for r in results], ignore_index=True).to_parquet(
            staging / "timeseries_summary.parquet", index=False
        )
        if keep_full:
            pd.concat([timeseries_frame(r) for r in results], ignore_index=True).to_parquet(staging / "timeseries.parquet", index=False)
        pd.concat([member_timeseries_frame(r) for r in results], ignore_index=True).to_parquet(
            staging / "member_timeseries.parquet", index=False
        )
        events = [row for r in results for row in event_rows(r)]
        pd.DataFrame(events, columns=["scenario", "week", "type", "target", "issue", "magnitude", "mode", "duration", "probability", "magnitude_sd", "note"]).to_csv(
            staging / "events.csv", index=False
        )
        shutil.copyfile(data_path("positions.csv"), staging / "positions.csv")
        meta = manifest(results, {**settings, "timeseries": "full" if keep_full else "summary"})
        (staging / "manifest.json").write_text(json.dumps(meta, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return Path(out)


REQUIRED_RUN_FILES = ("manifest.json", "summary.csv", "members.csv", "timeseries_summary.parquet")


def read_manifest(folder: Path) -> dict[str, Any]:
    """Read and check a results folder's manifest (any kind)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"results folder not found: {folder}")
    path = folder / "manifest.json"
    if not path.is_file():
        raise InputError(f"{folder} is not a cohesion results folder (no manifest.json)")
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: corrupt manifest ({exc.msg})") from None
    fmt = meta.get("format") if isinstance(meta, dict) else None
    if fmt is None or not str(fmt).startswith("cohesion-"):
        raise InputError(f"{path}: not a cohesion manifest")
    if fmt not in (RESULTS_FORMAT, EXPERIMENT_FORMAT):
        raise InputError(
            f"{folder}: results format {fmt!r} is not supported by this version (expected {RESULTS_FORMAT} or "
            f"{EXPERIMENT_FORMAT}); a folder written by an older cohesion holds other scores: rerun it"
        )
    return meta
