"""Benchmark the two engines on the same work and the vectorized engine's scaling.

Run: ``.venv/bin/python benchmarks/bench_engines.py [--quick]``. It pins BLAS to
one thread (the targets are per core), prints a table, and writes the figures
to ``benchmarks/results.json``. README quotes what it measured here.

Measured, not asserted: no test fails on a slow machine.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from cohesion.engines import simulate  # noqa: E402
from cohesion.scenarios import load_scenario  # noqa: E402
from cohesion.world import build_world  # noqa: E402


def world_for(scenario: str, weeks: int | None = None):
    spec, digest = load_scenario(scenario)
    return build_world(spec, digest, [], horizon=weeks)


def best_time(func, repeat: int) -> float:
    """Fastest of ``repeat`` wall-clock timings (seconds)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes (a minute or so)")
    parser.add_argument("--scenario", default="invasion", help="scenario to time (default: invasion, 52 weeks)")
    parser.add_argument("--out", default=str(Path(__file__).with_name("results.json")))
    args = parser.parse_args()

    world = world_for(args.scenario)
    weeks = world.horizon
    simulate(world, 5, seed=1)  # warm-up (imports, caches)
    report: dict = {
        "machine": {"python": sys.version.split()[0], "numpy": np.__version__, "processor": platform.processor() or platform.machine(),
                     "cpu_count": os.cpu_count(), "blas_threads": os.environ["OPENBLAS_NUM_THREADS"]},
        "scenario": args.scenario,
        "weeks": weeks,
    }

    mesa_runs = 3 if args.quick else 10
    mesa_time = best_time(lambda: simulate(world, mesa_runs, seed=1, engine="mesa"), 1)
    vec_runs = 1000
    vec_time = best_time(lambda: simulate(world, vec_runs, seed=1, engine="vectorized"), 3)
    mesa_rate = mesa_runs / mesa_time
    vec_rate = vec_runs / vec_time
    report["engines"] = {
        "mesa": {"runs": mesa_runs, "seconds": mesa_time, "runs_per_second": mesa_rate},
        "vectorized": {"runs": vec_runs, "seconds": vec_time, "runs_per_second": vec_rate},
        "speedup": vec_rate / mesa_rate,
    }
    print(f"{args.scenario}, {weeks} weeks, one BLAS thread")
    print(f"  mesa        {mesa_runs:>7} runs  {mesa_time:8.3f} s  {mesa_rate:10.1f} runs/s")
    print(f"  vectorized  {vec_runs:>7} runs  {vec_time:8.3f} s  {vec_rate:10.1f} runs/s")
    print(f"  speed-up    {vec_rate / mesa_rate:.0f}x")

    sizes = [100, 1000, 10000] if args.quick else [100, 1000, 10000, 100000]
    scaling = []
    print("vectorized scaling with runs (52 weeks):")
    for runs in sizes:
        seconds = best_time(lambda: simulate(world, runs, seed=2), 1 if runs >= 10000 else 3)
        scaling.append({"runs": runs, "seconds": seconds, "runs_per_second": runs / seconds,
                        "microseconds_per_run_week": seconds / (runs * weeks) * 1e6})
        print(f"  {runs:>7} runs  {seconds:8.3f} s  {runs / seconds:10.1f} runs/s  {seconds / (runs * weeks) * 1e6:6.2f} us per run-week")
    report["scaling_runs"] = scaling

    horizon = []
    print("vectorized scaling with the horizon (1,000 runs):")
    for weeks_h in (13, 26, 52, 104, 208):
        w = world_for(args.scenario, weeks_h)
        seconds = best_time(lambda: simulate(w, 1000, seed=3), 2)
        horizon.append({"weeks": weeks_h, "seconds": seconds, "microseconds_per_run_week": seconds / (1000 * weeks_h) * 1e6})
        print(f"  {weeks_h:>4} weeks  {seconds:8.3f} s  {seconds / (1000 * weeks_h) * 1e6:6.2f} us per run-week")
    report["scaling_weeks"] = horizon
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report["peak_rss_mib"] = peak
    print(f"peak resident memory of this process: {peak:.0f} MiB")
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(f"figures written to {args.out}")


if __name__ == "__main__":
    main()
