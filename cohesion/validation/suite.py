"""``cohesion validate`` as a library call: every test, one seed, one table.

``run_validation`` runs, in order: cross-validation under both fold schemes,
profile likelihoods of the calibrated weights, the headline findings under
parameter draws from those profiles, driver-permutation tests, and the
global sensitivity of the findings. ``write_validation`` writes
``validation.csv`` (one tidy table, every row saying what its interval is)
and ``manifest.json`` atomically.

Every random draw comes from a named child of ``SeedSequence(seed)``
(``STREAMS``), so one seed gives the same numbers whatever runs before.
"""

from __future__ import annotations

import json
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from cohesion import __version__
from cohesion.engines import simulate
from cohesion.errors import InputError
from cohesion.experiments.calibration import CalibrationSpec
from cohesion.results import atomic_directory, data_file_hashes, git_commit
from cohesion.runner import RunRequest, prepare
from cohesion.validation import crossval, findings_sensitivity, permutation, uncertainty
from cohesion.validation.findings import Finding, headline_scores, measure_findings

VALIDATION_FORMAT = "cohesion-validation/1"
#: Named random streams of a validation (spawn keys under the root seed).
STREAMS = ("bootstrap", "permutation", "parameters")
#: Runs averaged per evaluation in the fold refits and profiles.
FIT_REPLICATES = 4
COLUMNS = ["section", "item", "measure", "value", "ci_low", "ci_high", "interval", "p_value", "status", "detail"]


def validation_stream(seed: int, name: str) -> np.random.Generator:
    """The generator of one named stream of a validation."""
    key = (zlib.crc32(b"validate"), STREAMS.index(name))
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy=seed, spawn_key=key)))


@dataclass(frozen=True)
class ValidationSizes:
    """How much work each part does (the defaults keep ``cohesion validate`` under 10 minutes on 2 cores)."""

    shuffles: int = 200
    runs: int = 20
    bootstrap: int = 1000
    profile_points: int = 13
    parameter_draws: int = 50
    sobol_samples: int = 16

    def check(self) -> None:
        """Reject sizes that cannot work."""
        for name, value in vars(self).items():
            if value < 1:
                raise InputError(f"--{name.replace('_', '-')} must be at least 1, got {value}")
        if self.sobol_samples & (self.sobol_samples - 1) or self.sobol_samples < 2:
            raise InputError(f"--sobol-samples must be a power of 2 (at least 2), got {self.sobol_samples}")


@dataclass
class ValidationResult:
    """Everything ``cohesion validate`` measured."""

    seed: int
    sizes: ValidationSizes
    table: pd.DataFrame
    findings: pd.DataFrame
    seconds: float
    notes: dict[str, Any] = field(default_factory=dict)


def _rows(section: str, frame: pd.DataFrame, **fixed: Any) -> list[dict[str, Any]]:
    return [{"section": section, **fixed, **row} for row in frame.to_dict("records")]


def findings_under_draws(
    worlds_for: Callable[[dict[str, float]], list], draws: list[dict[str, float]], claimed: list[Finding], runs: int, seed: int,
    progress: Callable[[int], None] | None = None,
) -> np.ndarray:
    """Share of parameter draws in which each claimed finding holds."""
    holds = np.zeros((len(draws), len(claimed)), dtype=bool)
    for d, values in enumerate(draws):
        results = [simulate(w, runs, seed, engine="vectorized") for w in worlds_for(values)]
        holds[d] = [f.holds for f in measure_findings(results, claimed)]
        if progress is not None:
            progress(1)
    return holds.mean(axis=0)


def run_validation(
    seed: int = 20220127,
    sizes: ValidationSizes | None = None,
    progress: Callable[[str, int], None] | None = None,
    sensitivity_file: Path | None = None,
) -> ValidationResult:
    """Run every validation (see the module docstring).

    Args:
        seed: Root seed of every stream and of the simulations.
        sizes: Work per part.
        progress: Called with (stage, units done) as work finishes.
        sensitivity_file: The findings-sensitivity experiment (the shipped one by default).
    """
    sizes = sizes or ValidationSizes()
    sizes.check()
    started = time.perf_counter()

    def tick(stage: str) -> Callable[[int], None] | None:
        return None if progress is None else (lambda n: progress(stage, n))

    # Fold refits and profiles average 4 runs per evaluation (calibration's default is 10): with
    # weekly noise of sd 0.01 the 4-week mean stance moves by about 0.001, and the fits run 2.5x faster.
    spec = CalibrationSpec(starts=1, seed=seed, replicates=FIT_REPLICATES)
    plan = findings_sensitivity.load_plan(sensitivity_file, samples=sizes.sobol_samples)
    request = RunRequest(scenarios=["all"], runs=sizes.runs, seed=seed)
    worlds = prepare(request)
    rows: list[dict[str, Any]] = []

    # 1. Cross-validation against baselines, paired bootstrap over observations.
    boot = validation_stream(seed, "bootstrap")
    fold_estimates = {}
    for scheme in crossval.SCHEMES:
        cv = crossval.cross_validate(scheme, spec, progress=tick("cross-validation"))
        table = cv.table(sizes.bootstrap, boot)
        rows += _rows(scheme, table, interval=f"bootstrap {crossval.CONFIDENCE:.0%} over held-out observations")
        fold_estimates[scheme] = cv.estimates
    for model, estimates in fold_estimates["leave-one-member-out"].items():
        frame = pd.DataFrame(estimates)
        for name in frame.columns:
            rows.append({
                "section": "fold-estimates", "item": name, "measure": f"{model} refitted without each member",
                "value": float(frame[name].median()), "ci_low": float(frame[name].min()), "ci_high": float(frame[name].max()),
                "interval": "median, min-max over leave-one-member-out folds",
            })  # fmt: skip

    # 2. Parameter uncertainty: profile likelihoods, then findings under parameter draws.
    profiles, summary = uncertainty.profile_likelihoods(spec, sizes.profile_points, tick("profile likelihoods"))
    for row in summary.itertuples(index=False):
        opened = [side for side, is_open in (("low", row.open_low), ("high", row.open_high)) if is_open]
        rows.append({
            "section": "profile", "item": row.parameter, "measure": "estimate", "value": row.estimate,
            "ci_low": row.ci_low, "ci_high": row.ci_high, "interval": "profile likelihood 95%",
            "detail": f"open at the range's {' and '.join(opened)} end" if opened else "",
        })  # fmt: skip
    draws = uncertainty.parameter_draws(summary, sizes.parameter_draws, validation_stream(seed, "parameters"))

    def worlds_for(values: dict[str, float]) -> list:
        return prepare(RunRequest(scenarios=["all"], runs=sizes.runs, seed=seed, param_layers=[values]))

    # 3. Permutation tests (the first measurement states the findings on the real data).
    scenario_findings = permutation.ScenarioFindings(worlds, sizes.runs, seed)
    perm = permutation.permutation_test(
        scenario_findings, worlds[0].leaders, sizes.shuffles, validation_stream(seed, "permutation"), tick("permutations")
    )
    claimed = [f for f in scenario_findings.claimed or [] if f.holds]
    share_draws = findings_under_draws(worlds_for, draws, claimed, sizes.runs, seed, tick("parameter draws"))

    # 4. Global sensitivity of the findings.
    points = findings_sensitivity.run_points(plan, tick("findings sensitivity"))
    margins = findings_sensitivity.finding_margins(plan, points, claimed)
    sens = findings_sensitivity.sensitivity_table(plan, margins).set_index("finding")

    findings = perm.assign(share_holds_parameters=share_draws).set_index("finding")
    findings = findings.join(sens, how="left").reset_index()
    for row in findings.itertuples(index=False):
        rows.append({
            "section": "permutation", "item": row.finding, "measure": "share of driver shuffles in which it holds",
            "value": row.share_holds, "interval": f"{sizes.shuffles} shuffles of drivers across allies",
            "p_value": row.p_value, "status": row.status, "detail": row.statement,
        })  # fmt: skip
        rows.append({
            "section": "parameter-draws", "item": row.finding, "measure": "share of parameter draws in which it holds",
            "value": row.share_holds_parameters, "interval": f"{sizes.parameter_draws} draws from the profile likelihoods",
        })  # fmt: skip
        if not pd.isna(row.share_flipped):
            rows.append({
                "section": "findings-sensitivity", "item": row.finding, "measure": "share of design points where it flips",
                "value": row.share_flipped, "ci_low": row.margin_min, "ci_high": row.margin_max,
                "interval": f"min-max margin over {plan.n_points} Sobol points", "status": row.flip_rule,
                "detail": row.top_parameters,
            })  # fmt: skip
    table = pd.DataFrame(rows, columns=COLUMNS)
    notes = {
        "headline_scores": list(headline_scores()),
        "model_variants": list(crossval.model_variants()),
        "profiles": profiles.to_dict("records"),
        "sensitivity_experiment": plan.name,
        "sensitivity_experiment_sha256": plan.sha256,
        "sensitivity_points": plan.n_points,
    }
    return ValidationResult(seed, sizes, table, findings, time.perf_counter() - started, notes)


def write_validation(result: ValidationResult, out: Path, report: bool = False) -> Path:
    """Write validation.csv, findings.csv, manifest.json (and with ``report`` trust.html) into ``out``, atomically."""
    with atomic_directory(Path(out), "validation") as staging:
        result.table.to_csv(staging / "validation.csv", index=False)
        result.findings.to_csv(staging / "findings.csv", index=False)
        meta = {
            "format": VALIDATION_FORMAT,
            "kind": "validation",
            "cohesion_version": __version__,
            "git_commit": git_commit(),
            "seed": result.seed,
            "sizes": vars(result.sizes),
            "streams": list(STREAMS),
            "seconds": round(result.seconds, 1),
            "data_files": data_file_hashes(),
            "intervals": "each row of validation.csv names its interval in the 'interval' column",
            **result.notes,
        }
        (staging / "manifest.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        if report:
            from cohesion.report.trust import write_trust_page

            write_trust_page(staging)
    return Path(out)


def read_validation(folder: Path) -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame]:
    """Read a validation folder: manifest, validation.csv, findings.csv."""
    folder = Path(folder)
    try:
        meta = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise InputError(f"{folder} is not a validation folder (no readable manifest.json)") from None
    if not isinstance(meta, dict) or meta.get("format") != VALIDATION_FORMAT:
        raise InputError(f"{folder} is not a validation folder (format {meta.get('format') if isinstance(meta, dict) else None!r})")
    return meta, _read_table(folder / "validation.csv", COLUMNS), _read_table(folder / "findings.csv", FINDINGS_COLUMNS)


#: The columns of findings.csv that the validation tables and the trust section read.
FINDINGS_COLUMNS = ["finding", "kind", "statement", "margin", "share_holds", "p_value", "status",
                    "share_holds_parameters", "share_flipped", "flip_rule"]


def _read_table(path: Path, columns: list[str]) -> pd.DataFrame:
    """One table of a validation folder; a missing, damaged or foreign file is one error line."""
    try:
        frame = pd.read_csv(path)
    except (OSError, ValueError) as exc:  # pandas' parser and empty-file errors are ValueErrors
        raise InputError(f"cannot read {path} ({type(exc).__name__}); run 'cohesion validate' again") from None
    absent = [c for c in columns if c not in frame.columns]
    if absent:
        raise InputError(f"{path} lacks column(s) {', '.join(absent)}; run 'cohesion validate' again")
    return frame
