"""Global sensitivity of the headline findings, and the parameter regions where they flip.

``experiments/findings-sensitivity.yaml`` is an ordinary experiment (a Sobol
design run by the experiment machinery). Its outcomes per design point are
turned into each finding's margin: scenario A minus scenario B on the
headline score for an ordering, and for a member's third of the alignment
ranking in the reference scenario, how many ranks inside the third's edges it
stays (``cohesion.validation.findings``). Blocking is not an experiment
outcome, so blocker findings are not covered here.

For each finding: the share of design points where it flips (margin <= 0),
Sobol indices of its margin (SALib, through ``experiments.sensitivity``'s
conventions), and a plain rule for where it flips: the single threshold on one
parameter (``name > t`` or ``name < t``) whose region best matches the
flipped points (highest F1 score), with its precision and coverage.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import yaml

from cohesion.errors import InputError
from cohesion.experiments.design import salib_problem
from cohesion.experiments.plan import Plan, evaluate_chunk, plan_experiment
from cohesion.experiments.schema import ALIGNMENT_PREFIX, parse_experiment, read_yaml_mapping
from cohesion.inputs import load_members
from cohesion.validation.findings import REFERENCE_SCENARIO, THIRDS, Finding, headline_scores, order_subject, third

#: The shipped experiment behind this analysis (a file of ``cohesion.shipped.shipped_dir("experiments")``).
EXPERIMENT_NAME = "findings-sensitivity"
#: Candidate thresholds per parameter: these quantiles of its sampled values.
RULE_QUANTILES = np.linspace(0.05, 0.95, 19)


def load_plan(path: Path | None = None, samples: int | None = None) -> Plan:
    """The findings-sensitivity experiment as a plan (``samples``: Saltelli's N).

    Its outcomes become the headline scores plus every member's alignment (the
    rank findings need the whole ranking), whatever the file lists.
    """
    from cohesion.shipped import shipped_dir

    path = path or shipped_dir("experiments") / f"{EXPERIMENT_NAME}.yaml"
    data, _ = read_yaml_mapping(path, "experiment file")
    codes = load_members().codes
    data["outcomes"] = [*headline_scores(), *(f"{ALIGNMENT_PREFIX}{code}" for code in codes)]
    return plan_experiment(parse_experiment(data, yaml.safe_dump(data, sort_keys=False), path), samples=samples)


def run_points(plan: Plan, progress: Callable[[int], None] | None = None) -> pd.DataFrame:
    """Evaluate every chunk of the plan in this process (no folder is written)."""
    frames = []
    for chunk in plan.chunks():
        frames.append(evaluate_chunk(plan.evaluator, plan.task(chunk)))
        if progress is not None:
            progress(chunk.size)
    return pd.concat(frames, ignore_index=True)


def finding_margins(plan: Plan, points: pd.DataFrame, claimed: list[Finding]) -> pd.DataFrame:
    """Each claimed finding's margin at each design point, (points, findings)."""
    missing = [score for score in headline_scores() if score not in plan.outcomes]
    if missing:
        raise InputError(f"the findings-sensitivity experiment must record {missing[0]!r}")
    means = points.groupby(["scenario", "point"])[list(plan.outcomes)].mean()
    margins = {}
    for finding in claimed:
        subject = finding.id.partition(":")[2]
        if finding.kind == "order":
            score, high, low = order_subject(finding.id)
            if high in plan.scenarios and low in plan.scenarios:
                margins[finding.id] = means.loc[high][score].to_numpy() - means.loc[low][score].to_numpy()
        elif finding.kind == "rank" and REFERENCE_SCENARIO in plan.scenarios:
            columns = [c for c in plan.outcomes if c.startswith(ALIGNMENT_PREFIX)]
            if f"{ALIGNMENT_PREFIX}{subject}" not in columns:
                continue
            alignment = means.loc[REFERENCE_SCENARIO][columns].to_numpy()
            ranks = (-alignment).argsort(axis=1, kind="stable").argsort(axis=1)
            n = len(columns)
            edges = [r for r in range(n) if third(r, n) == THIRDS.index(finding.claim)]
            rank = ranks[:, columns.index(f"{ALIGNMENT_PREFIX}{subject}")]
            margins[finding.id] = np.minimum(rank - edges[0], edges[-1] - rank) + 1.0
    return pd.DataFrame(margins)


def flip_rule(matrix: np.ndarray, names: tuple[str, ...], flipped: np.ndarray) -> dict[str, object]:
    """The one-parameter threshold region that best matches the flipped points (highest F1)."""
    best: dict[str, object] = {"rule": "", "precision": np.nan, "coverage": np.nan, "f1": 0.0}
    if not flipped.any() or flipped.all():
        return best
    for j, name in enumerate(names):
        for t in np.unique(np.quantile(matrix[:, j], RULE_QUANTILES)):
            for sign, region in ((">", matrix[:, j] > t), ("<", matrix[:, j] < t)):
                hits = (region & flipped).sum()
                if not hits:
                    continue
                precision, coverage = hits / region.sum(), hits / flipped.sum()
                f1 = 2 * precision * coverage / (precision + coverage)
                if f1 > best["f1"]:  # type: ignore[operator]
                    best = {"rule": f"{name} {sign} {t:.3g}", "precision": precision, "coverage": coverage, "f1": f1}
    return best


def sensitivity_table(plan: Plan, margins: pd.DataFrame) -> pd.DataFrame:
    """One row per finding: share flipped, top Sobol parameters, flip rule."""
    from SALib.analyze import sobol

    problem = salib_problem(plan.factors)
    rows = []
    for finding in margins.columns:
        y = margins[finding].to_numpy()
        flipped = y <= 0
        rule = flip_rule(plan.matrix, plan.names, flipped)
        top = ""
        if np.ptp(y) > 0:
            with warnings.catch_warnings():  # rank margins repeat values; SALib warns, the indices stay valid
                warnings.simplefilter("ignore", UserWarning)
                indices = sobol.analyze(problem, y, calc_second_order=False, seed=plan.seed)
            order = np.argsort(-indices["ST"])[:2]
            top = "; ".join(f"{plan.names[j]} ST={indices['ST'][j]:.2f}" for j in order)
        rows.append(
            {
                "finding": finding,
                "share_flipped": float(flipped.mean()),
                "margin_min": float(y.min()),
                "margin_max": float(y.max()),
                "top_parameters": top,
                "flip_rule": rule["rule"],
                "rule_precision": rule["precision"],
                "rule_coverage": rule["coverage"],
            }
        )
    return pd.DataFrame(rows)
