"""The two engines on the same work, and the vectorized engine's cost per run-week at every size.

Run: ``.venv/bin/python benchmarks/bench_engines.py [--quick]``. Both engines
are imported and warmed (one run each) before anything is timed, and the
Mesa / vectorized ratio is measured in this one process. The engine pins
BLAS to one thread itself. Wall-clock and CPU seconds are both reported:
on a shared machine the CPU time is the steadier figure. Figures go to the
``engines`` section of ``benchmarks/results.json``; README quotes them.

Measured, not asserted: no test fails on a slow machine.
"""

from __future__ import annotations

import argparse
import resource
import time

from common import best_time, save

from cohesion.engines import simulate
from cohesion.engines.vectorized import simulate_ensembles
from cohesion.scenarios import load_scenario
from cohesion.world import build_world


#: Timings repeated (the least counts) for the small sizes, where one reading is noisy.
REPEATS = {100: 10, 1000: 3}


def world_for(scenario: str, weeks: int | None = None):
    spec, digest = load_scenario(scenario)
    return build_world(spec, digest, [], horizon=weeks)


def timed(func, repeat: int = 1) -> tuple[float, float]:
    """Least wall and least CPU seconds (this process) over ``repeat`` calls."""
    walls, cpus = [], []
    for _ in range(repeat):
        cpu = time.process_time()
        walls.append(best_time(func))
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def per_run_week(seconds: float, runs: int, weeks: int) -> float:
    return seconds / (runs * weeks) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes (a minute or two)")
    parser.add_argument("--scenario", default="invasion", help="scenario to time (default: invasion, 52 weeks)")
    args = parser.parse_args()

    world = world_for(args.scenario)
    weeks = world.horizon
    simulate(world, 1, seed=1, engine="mesa")  # warm-up: imports Mesa, fills caches
    simulate(world, 5, seed=1, engine="vectorized")
    figures: dict = {"scenario": args.scenario, "weeks": weeks}

    mesa_runs = 3 if args.quick else 10
    vec_runs = 1000
    mesa_wall, mesa_cpu = timed(lambda: simulate(world, mesa_runs, seed=1, engine="mesa"), 2)
    vec_wall, vec_cpu = timed(lambda: simulate(world, vec_runs, seed=1, engine="vectorized"), 3)
    ratio_wall = (mesa_wall / mesa_runs) / (vec_wall / vec_runs)
    ratio_cpu = (mesa_cpu / mesa_runs) / (vec_cpu / vec_runs)
    figures["engines"] = {
        "mesa": {"runs": mesa_runs, "seconds": mesa_wall, "cpu_seconds": mesa_cpu},
        "vectorized": {"runs": vec_runs, "seconds": vec_wall, "cpu_seconds": vec_cpu},
        "ratio_per_run_wall": ratio_wall,
        "ratio_per_run_cpu": ratio_cpu,
    }
    print(f"{args.scenario}, {weeks} weeks, both engines warmed, one process")
    print(f"  mesa        {mesa_runs:>6} runs  {mesa_wall:8.3f} s wall  {mesa_cpu:8.3f} s CPU")
    print(f"  vectorized  {vec_runs:>6} runs  {vec_wall:8.3f} s wall  {vec_cpu:8.3f} s CPU")
    print(f"  mesa / vectorized per run: {ratio_wall:.0f}x (wall), {ratio_cpu:.0f}x (CPU)")

    sizes = [100, 1000, 10_000] if args.quick else [100, 1000, 10_000, 100_000]
    scaling = []
    print("vectorized, one process: cost per run-week")
    for runs in sizes:
        wall, cpu = timed(lambda: simulate(world, runs, seed=2), REPEATS.get(runs, 1))
        row = {"runs": runs, "seconds": wall, "cpu_seconds": cpu,
               "microseconds_per_run_week": per_run_week(wall, runs, weeks),
               "cpu_microseconds_per_run_week": per_run_week(cpu, runs, weeks)}
        scaling.append(row)
        print(f"  {runs:>7} runs  {wall:8.2f} s wall  {row['microseconds_per_run_week']:6.2f} us/run-week"
              f"  (CPU {row['cpu_microseconds_per_run_week']:6.2f})")
    for key in ("microseconds_per_run_week", "cpu_microseconds_per_run_week"):
        values = [row[key] for row in scaling]
        spread = max(values) / min(values) - 1
        figures[f"spread_{key}"] = spread
        print(f"  largest / smallest {key.replace('_', ' ')}: +{spread:.0%} (target: within 20 %)")
    figures["scaling_runs"] = scaling

    pooled = []
    print("vectorized, two worker processes (chunks of runs; same numbers as one process; pool start-up included)")
    for runs in sizes[1:]:
        wall = best_time(lambda: simulate_ensembles([world], runs, seed=2, workers=2))
        pooled.append({"runs": runs, "seconds": wall, "microseconds_per_run_week": per_run_week(wall, runs, weeks)})
        print(f"  {runs:>7} runs  {wall:8.2f} s wall  {per_run_week(wall, runs, weeks):6.2f} us/run-week")
    figures["scaling_runs_two_workers"] = pooled

    horizon = []
    print("vectorized, one process, 1,000 runs: cost with the horizon")
    for weeks_h in (13, 26, 52, 104, 208):
        w = world_for(args.scenario, weeks_h)
        wall, cpu = timed(lambda: simulate(w, 1000, seed=3), 2)
        horizon.append({"weeks": weeks_h, "seconds": wall, "cpu_seconds": cpu,
                        "microseconds_per_run_week": per_run_week(wall, 1000, weeks_h)})
        print(f"  {weeks_h:>4} weeks  {wall:8.3f} s wall  {per_run_week(wall, 1000, weeks_h):6.2f} us/run-week")
    figures["scaling_weeks"] = horizon
    figures["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of this process: {figures['peak_rss_mib']:.0f} MiB")
    save("engines", figures)


if __name__ == "__main__":
    main()
