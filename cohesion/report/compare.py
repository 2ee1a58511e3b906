"""Comparing saved runs: several results folders as one, and the changes from a reference scenario.

``combine`` joins run results folders into one :class:`RunResults` (a scenario
name that occurs in two folders is labelled by the parameters that set it
apart, e.g. ``baseline [energy_weight=0.5]``, or by its folder). ``compare``
then computes, against the reference scenario, the change in every score
(with a 90% interval of the paired per-run differences when both runs share
seed and run count and saved their per-run series), each member's change in
alignment, and who starts or stops blocking. Everything is read from the saved
tables; nothing is simulated here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cohesion.errors import InputError
from cohesion.params import SPECS_BY_NAME
from cohesion.report.data import RunResults, load_results

#: The quantiles of the paired differences reported as the change's interval.
INTERVAL = (0.05, 0.95)


@dataclass
class Source:
    """One results folder in a comparison, with its per-run scores when saved."""

    results: RunResults
    per_run: pd.DataFrame | None


def open_run(folder: Path) -> Source:
    """A run results folder (``kind: run``) with its per-run series (``timeseries.parquet``) when present."""
    results = load_results(Path(folder))
    if not isinstance(results, RunResults):
        raise InputError(f"{folder}: holds experiment results; compare and multi-folder reports take run results")
    path = Path(folder) / "timeseries.parquet"
    per_run = None
    if path.is_file():
        try:
            per_run = pd.read_parquet(path)
        except Exception as exc:  # noqa: BLE001 - any reader failure is a corrupt input file
            raise InputError(f"{path}: cannot read table ({type(exc).__name__}: {exc})") from None
    return Source(results, per_run)


def _parameters(results: RunResults) -> dict[str, dict[str, Any]]:
    """Scenario name to its flat parameter values, from the manifest."""
    out = {}
    for spec in results.manifest.get("scenarios") or []:
        values = spec.get("parameters") or {}
        out[spec.get("name")] = dict(values) if not isinstance(values, dict) else values
    return out


def _labels(sources: list[Source]) -> list[dict[str, str]]:
    """Per source, scenario name to its label in the combined results (unique over all sources)."""
    seen: dict[str, list[int]] = {}
    for i, source in enumerate(sources):
        for name in source.results.scenarios:
            seen.setdefault(name, []).append(i)
    labels: list[dict[str, str]] = [{} for _ in sources]
    for name, owners in seen.items():
        if len(owners) == 1:
            labels[owners[0]][name] = name
            continue
        params = [_parameters(sources[i].results).get(name, {}) for i in owners]
        keys = sorted({k for p in params for k in p if len({repr(q.get(k)) for q in params}) > 1})
        for i, p in zip(owners, params):
            # Name what was changed: the differing values away from their defaults (all differing values if none is).
            changed = [k for k in keys if k in SPECS_BY_NAME and p.get(k) != SPECS_BY_NAME[k].default] or keys
            differs = ", ".join(f"{k}={p.get(k)}" for k in changed if not (k in SPECS_BY_NAME and p.get(k) == SPECS_BY_NAME[k].default))
            labels[i][name] = f"{name} [{differs}]" if differs else name
        chosen = [labels[i][name] for i in owners]
        if len(set(chosen)) < len(chosen):  # the same parameters: tell them apart by folder, then by number
            for n, i in enumerate(owners, start=1):
                labels[i][name] = f"{chosen[n - 1]} ({sources[i].results.folder.name})"
            if len({labels[i][name] for i in owners}) < len(owners):
                for n, i in enumerate(owners, start=1):
                    labels[i][name] += f" #{n}"
    return labels


def _relabel(frame: pd.DataFrame | None, labels: dict[str, str]) -> pd.DataFrame | None:
    if frame is None:
        return None
    frame = frame.copy()
    frame["scenario"] = frame["scenario"].map(lambda s: labels.get(s, s))
    return frame


def combine(sources: list[Source]) -> tuple[RunResults, pd.DataFrame | None]:
    """The sources as one run's results (scenarios relabelled where names repeat) and their per-run scores."""
    if not sources:
        raise InputError("nothing to compare")
    labels = _labels(sources)
    tables: dict[str, list[pd.DataFrame]] = {}
    for source, names in zip(sources, labels):
        for table in ("summary", "members", "timeseries_summary", "attribution", "member_timeseries", "events", "positions"):
            frame = getattr(source.results, table)
            if frame is not None:
                tables.setdefault(table, []).append(frame if table == "positions" else _relabel(frame, names))
    first = sources[0].results
    manifest = {**first.manifest, "combined_from": [str(s.results.folder) for s in sources],
                "scenarios": [{**spec, "name": names.get(spec.get("name"), spec.get("name"))}
                              for source, names in zip(sources, labels) for spec in source.results.manifest.get("scenarios") or []]}
    merged = {k: pd.concat(v, ignore_index=True) for k, v in tables.items()}
    if "positions" in merged:
        merged["positions"] = tables["positions"][0]
    combined = RunResults(folder=first.folder, manifest=manifest, **merged)
    per_run = None
    if all(s.per_run is not None for s in sources):
        keys = [(s.results.manifest.get("seed"), s.results.manifest.get("runs")) for s in sources]
        if len(set(keys)) == 1:
            per_run = pd.concat([_relabel(s.per_run, names) for s, names in zip(sources, labels)], ignore_index=True)
    return combined, per_run


@dataclass
class Comparison:
    """Changes of every scenario from the reference."""

    reference: str
    scores: pd.DataFrame  # scenario, score, label, reference, value, p05, p95, change, change_p05, change_p95, paired
    members: pd.DataFrame  # scenario, member, country, reference, alignment, p05, p95, change
    blocking: pd.DataFrame  # scenario, member, issue, change ("starts" or "stops")


def _pairs(text: object) -> set[tuple[str, str]]:
    return {tuple(p.split(":", 1)) for p in str(text).split(";") if ":" in p} if isinstance(text, str) else set()


def compare(results: RunResults, per_run: pd.DataFrame | None, reference: str | None = None) -> Comparison:
    """Every scenario against ``reference`` (default: baseline, else the first scenario)."""
    reference = reference or results.reference
    if reference not in results.scenarios:
        raise InputError(f"reference {reference!r} is not among the scenarios ({', '.join(results.scenarios)})")
    summary = results.summary.set_index("scenario")
    others = [s for s in results.scenarios if s != reference]
    if not others:
        raise InputError(f"nothing to compare: {reference!r} is the only scenario (give two or more scenarios or results folders)")
    rows = []
    for score in results.scores:
        for scenario in others:
            value, ref = float(summary.loc[scenario, score.mean]), float(summary.loc[reference, score.mean])
            row = {"scenario": scenario, "score": score.metric, "label": score.label, "reference": ref, "value": value,
                   "p05": float(summary.loc[scenario, score.low]), "p95": float(summary.loc[scenario, score.high]),
                   "change": value - ref, "change_p05": np.nan, "change_p95": np.nan, "paired": False}
            if per_run is not None and score.metric in per_run.columns:
                last = per_run[per_run["week"] == per_run.groupby("scenario")["week"].transform("max")]
                a = last[last["scenario"] == scenario].set_index("run")[score.metric]
                b = last[last["scenario"] == reference].set_index("run")[score.metric]
                if len(a) == len(b) and a.index.equals(b.index):
                    diff = (a - b).to_numpy(dtype=float)
                    row.update(change_p05=float(np.quantile(diff, INTERVAL[0])), change_p95=float(np.quantile(diff, INTERVAL[1])),
                               paired=True)
            rows.append(row)
    members = results.members.set_index(["scenario", "member"])
    member_rows = []
    for scenario in others:
        ref = members.loc[reference]
        part = members.loc[scenario]
        for code in part.index:
            member_rows.append({"scenario": scenario, "member": code, "country": part.loc[code, "country"],
                                "reference": float(ref.loc[code, "alignment"]), "alignment": float(part.loc[code, "alignment"]),
                                "p05": float(part.loc[code, "alignment_p05"]), "p95": float(part.loc[code, "alignment_p95"]),
                                "reference_p05": float(ref.loc[code, "alignment_p05"]),
                                "reference_p95": float(ref.loc[code, "alignment_p95"]),
                                "change": float(part.loc[code, "alignment"] - ref.loc[code, "alignment"])})
    blocking = []
    if "blocked_issues" in summary.columns:
        before = _pairs(summary.loc[reference, "blocked_issues"])
        for scenario in others:
            after = _pairs(summary.loc[scenario, "blocked_issues"])
            blocking += [{"scenario": scenario, "member": m, "issue": k, "change": "starts"} for m, k in sorted(after - before)]
            blocking += [{"scenario": scenario, "member": m, "issue": k, "change": "stops"} for m, k in sorted(before - after)]
    member_frame = pd.DataFrame(member_rows)
    if not member_frame.empty:
        member_frame = member_frame.sort_values(["scenario", "change"], key=lambda c: c.abs() if c.name == "change" else c.map(others.index),
                                                ascending=[True, False], kind="stable")
    return Comparison(reference, pd.DataFrame(rows), member_frame,
                      pd.DataFrame(blocking, columns=["scenario", "member", "issue", "change"]))
