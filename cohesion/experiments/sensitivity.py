"""Global sensitivity analysis of a finished Sobol or Morris design, with SALib.

The outcome analysed at a design point is the mean over its replicates, so
run-to-run noise is averaged before the indices are estimated. Sobol indices
come from ``SALib.analyze.sobol.analyze`` (first-order ``S1`` and total ``ST``
with bootstrap confidence intervals), Morris statistics from
``SALib.analyze.morris.analyze`` (``mu_star`` with its interval, ``sigma``);
no estimator is written here.
"""

from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
import yaml

from cohesion.errors import InputError
from cohesion.experiments.design import salib_problem
from cohesion.experiments.plan import Plan
from cohesion.experiments.schema import (
    ALIGNMENT_PREFIX,
    ExperimentFile,
    parse_experiment,
)
from cohesion.inputs import load_members
from cohesion.params import SPECS_BY_NAME
from cohesion.scenarios import load_scenario

SENSITIVITY_COLUMNS = [
    "scenario",
    "outcome",
    "parameter",
    "method",
    "S1",
    "S1_conf",
    "ST",
    "ST_conf",
    "mu_star",
    "mu_star_conf",
    "sigma",
]
CONF_LEVEL = 0.95
METHODS = ("sobol", "morris")

#: Ranges of the decision parameters studied by ``cohesion sensitivity`` (and
#: experiments/sobol-decision.yaml). The weights span their whole allowed
#: range; peer and anchor shares stop at 0.45 and 0.5 so that every point
#: keeps peer_weight + anchor_weight <= 1; the weekly adjustment rate spans
#: 0.05 (a gap closes in months) to 0.5 (in about two weeks).
DECISION_RANGES: dict[str, tuple[float, float]] = {
    "energy_weight": (0.0, 3.0),
    "threat_weight": (0.0, 3.0),
    "leadership_weight": (0.0, 3.0),
    "peer_weight": (0.0, 0.45),
    "anchor_weight": (0.0, 0.5),
    "adjustment_rate": (0.05, 0.5),
}


def parse_param_options(items: Sequence[str]) -> dict[str, tuple[float, float]]:
    """Ranges from ``--param NAME[=LOW:HIGH]`` options; no option: the six decision parameters.

    ``NAME`` may be any parameter or ``ISO3.name``; without a range it spans
    ``DECISION_RANGES`` for a decision parameter, else the parameter's whole
    allowed range (``cohesion params``).

    Raises:
        InputError: On an unknown name, a malformed or empty range, or a name given twice.
    """
    if not items:
        return dict(DECISION_RANGES)
    ranges: dict[str, tuple[float, float]] = {}
    for item in items:
        name, _, bounds = (part.strip() for part in item.partition("="))
        base = name.split(".", 1)[-1]
        if base not in SPECS_BY_NAME:
            raise InputError(f"--param {name}: unknown parameter (see 'cohesion params')")
        if name in ranges:
            raise InputError(f"--param {name} is given twice")
        if not bounds:
            spec = SPECS_BY_NAME[base]
            ranges[name] = DECISION_RANGES.get(base, (spec.low, spec.high))
            continue
        low_text, colon, high_text = bounds.partition(":")
        try:
            low, high = float(low_text), float(high_text)
        except ValueError:
            low = high = math.nan
        if not colon or not (math.isfinite(low) and math.isfinite(high)):
            raise InputError(f"--param {name}: expected NAME=LOW:HIGH with two numbers, got {item!r}")
        if low >= high:
            raise InputError(f"--param {name}: empty range {low:g}:{high:g} (LOW must be below HIGH)")
        ranges[name] = (low, high)
    return ranges


def _indices(plan: Plan, problem: dict[str, Any], y: np.ndarray) -> list[dict[str, float]]:
    design = plan.design
    names = problem["names"]
    if design.type == "sobol":
        if np.ptp(y) == 0.0:  # no variance to decompose: the indices are undefined
            return [{"parameter": name} for name in names]
        from SALib.analyze import sobol

        res = sobol.analyze(problem, y, calc_second_order=design.second_order, conf_level=CONF_LEVEL, seed=plan.seed)
        keys = ("S1", "S1_conf", "ST", "ST_conf")
    else:
        from SALib.analyze import morris

        res = morris.analyze(problem, plan.matrix, y, conf_level=CONF_LEVEL, num_levels=design.levels, seed=plan.seed)
        keys = ("mu_star", "mu_star_conf", "sigma")
    return [{"parameter": name, **{key: float(res[key][j]) for key in keys}} for j, name in enumerate(names)]


def analyze(plan: Plan, points: pd.DataFrame) -> pd.DataFrame:
    """Sensitivity indices of every outcome in every scenario (sensitivity.csv).

    Args:
        plan: A plan with a Sobol or Morris design.
        points: Its points table (one row per point and replicate).
    """
    if plan.design.type not in METHODS:
        raise InputError(f"sensitivity needs a sobol or morris design, not {plan.design.type}")
    problem = salib_problem(plan.factors)
    rows = []
    for scenario in plan.scenarios:
        means = points[points["scenario"] == scenario].groupby("point")[list(plan.outcomes)].mean().sort_index()
        for outcome in plan.outcomes:
            for row in _indices(plan, problem, means[outcome].to_numpy()):
                rows.append({"scenario": scenario, "outcome": outcome, "method": plan.design.type, **row})
    return pd.DataFrame(rows, columns=SENSITIVITY_COLUMNS)


def sensitivity_experiment(
    scenario: str,
    method: str = "sobol",
    samples: int = 64,
    members: tuple[str, ...] = (),
    seed: int = 20220127,
    replicates: int = 2,
    steps: int | None = None,
    ranges: Mapping[str, tuple[float, float]] | None = None,
) -> ExperimentFile:
    """The experiment behind ``cohesion sensitivity``.

    Args:
        scenario: Scenario name or path.
        method: ``sobol`` (``samples`` is Saltelli's N) or ``morris``
            (``samples`` trajectories, 4 levels).
        members: Members whose alignment is analysed besides the cohesion index.
        seed, replicates, steps: As in an experiment file.
        ranges: Parameter name -> (low, high) to vary (``parse_param_options``);
            None: the decision parameters over ``DECISION_RANGES``.
    """
    if method not in METHODS:
        raise InputError(f"--method must be sobol or morris, got {method!r}")
    codes = load_members().codes
    for code in members:
        if code not in codes:
            raise InputError(f"unknown member code {code!r} in --members")
    spec, _ = load_scenario(scenario)
    design = {"type": "sobol", "samples": samples} if method == "sobol" else {"type": "morris", "trajectories": samples}
    data = {
        "name": f"sensitivity-{spec.name}",
        "description": f"{method.capitalize()} sensitivity of cohesion to {', '.join(ranges or DECISION_RANGES)} in scenario {spec.name}",
        "scenarios": [scenario],
        "parameters": [
            {"name": name, "low": low, "high": high} for name, (low, high) in (ranges or DECISION_RANGES).items()
        ],
        "design": design,
        "replicates": replicates,
        "steps": steps,
        "outcomes": ["consensus", "cohesion", *(f"{ALIGNMENT_PREFIX}{code}" for code in members)],
        "seed": seed,
    }
    return parse_experiment(data, yaml.safe_dump(data, sort_keys=False))
