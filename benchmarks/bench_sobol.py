"""A 10-parameter Sobol study at N = 1024 through ``cohesion sensitivity``, against the per-point path.

Run: ``.venv/bin/python benchmarks/bench_sobol.py [--samples 1024]``. Times
the real command (default workers: every core) end to end, imports and
worker start-up included; then runs the same plan with every design point
simulated on its own (the path before batching) and compares the outcomes
and the Sobol indices. Figures go to the ``sobol`` section of
``benchmarks/results.json``; README quotes them.
"""

from __future__ import annotations

import argparse
import dataclasses
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from common import save

from cohesion.experiments.execution import ExecutorConfig
from cohesion.experiments.plan import plan_experiment
from cohesion.experiments.sensitivity import DECISION_RANGES, analyze, sensitivity_experiment
from cohesion.experiments.store import run_plan
from cohesion.parallel import available_cores

#: The six decision parameters plus four more: the intercept, the EU's pull and the two gains.
EXTRA = {
    "baseline_stance": (0.45, 0.65),
    "eu_weight": (0.0, 1.0),
    "gas_salience_gain": (0.0, 3.0),
    "threat_escalation_gain": (0.0, 2.0),
}
SCENARIO, STEPS, REPLICATES, SEED = "invasion", 26, 2, 20220127


def cpu_seconds() -> float:
    """CPU seconds of this process and of every finished child (workers included)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1024, help="Saltelli N (a power of 2)")
    parser.add_argument("--skip-reference", action="store_true",
                        help="time the command only (figures in the sobol_command_only section)")
    args = parser.parse_args()
    ranges = {**DECISION_RANGES, **EXTRA}
    options = [arg for name, (low, high) in ranges.items() for arg in ("--param", f"{name}={low}:{high}")]
    work = Path(tempfile.mkdtemp(prefix="bench-sobol-"))
    try:
        command = [str(Path(sys.executable).with_name("cohesion")), "sensitivity", SCENARIO,
                   "--samples", str(args.samples), "--steps", str(STEPS), "--replicates", str(REPLICATES),
                   "--seed", str(SEED), "--quiet", "--out", str(work / "batched"), *options]
        start, cpu = time.perf_counter(), cpu_seconds()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu
        points = args.samples * (len(ranges) + 2)
        runs = points * REPLICATES
        print(f"Sobol, {len(ranges)} parameters, N = {args.samples}: {points:,} points, {runs:,} runs of "
              f"{STEPS} weeks ({SCENARIO})")
        print(f"  cohesion sensitivity ({available_cores()} cores, batched): {seconds:7.1f} s wall (target: under 30 s),"
              f" {cpu:6.1f} s CPU in all its processes")
        figures = {"scenario": SCENARIO, "steps": STEPS, "parameters": list(ranges), "samples": args.samples,
                   "points": points, "runs": runs, "workers": available_cores(), "command_seconds": seconds,
                   "command_cpu_seconds": cpu}
        if not args.skip_reference:
            plan = plan_experiment(sensitivity_experiment(SCENARIO, "sobol", args.samples, (), SEED, REPLICATES,
                                                          STEPS, ranges))
            reference_plan = dataclasses.replace(plan, evaluator=dataclasses.replace(plan.evaluator, batched=False))
            start, cpu = time.perf_counter(), cpu_seconds()
            reference = run_plan(reference_plan, work / "per-point", ExecutorConfig("local", available_cores()))
            reference_seconds, reference_cpu = time.perf_counter() - start, cpu_seconds() - cpu
            batched = pd.read_parquet(work / "batched" / "points.parquet").sort_values(["point", "replicate"])
            reference = reference.sort_values(["point", "replicate"])
            outcome_diff = max(float(np.abs(batched[score].to_numpy() - reference[score].to_numpy()).max())
                               for score in ("consensus", "cohesion"))
            ours = pd.read_csv(work / "batched" / "sensitivity.csv")
            theirs = analyze(reference_plan, reference)
            numeric = ["S1", "S1_conf", "ST", "ST_conf"]
            index_diff = float(np.abs(ours[numeric].to_numpy() - theirs[numeric].to_numpy()).max())
            print(f"  per-point path ({available_cores()} workers, library, no import time): "
                  f"{reference_seconds:7.1f} s wall, {reference_cpu:6.1f} s CPU")
            print(f"  largest difference: outcomes {outcome_diff:.1e}, indices {index_diff:.1e}")
            figures.update({"per_point_seconds": reference_seconds, "per_point_cpu_seconds": reference_cpu,
                            "max_outcome_difference": outcome_diff,
                            "max_index_difference": index_diff})
        save("sobol_command_only" if args.skip_reference else "sobol", figures)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
