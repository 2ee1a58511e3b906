"""Runs per chunk of the vectorized engine, and what one BLAS thread is worth.

Run: ``.venv/bin/python benchmarks/bench_chunks.py [--runs 10000]``. Times
the same ensemble with every chunk size in one process, with BLAS pinned to
one thread (as the engine does) and, for the shipped chunk size, with BLAS
left to its own thread count; prints wall and CPU seconds and writes the
figures to the ``chunks`` section of ``benchmarks/results.json``. The
engine's ``CHUNK_RUNS`` is the fastest size measured here.
"""

from __future__ import annotations

import argparse
import contextlib
import time

from common import best_time, save

from cohesion.engines import vectorized
from cohesion.engines.vectorized import simulate_vectorized
from cohesion.scenarios import load_scenario
from cohesion.world import build_world

SIZES = (100, 250, 500, 1000, 2000, 3418)


def timed(world, runs: int, repeat: int = 2) -> tuple[float, float]:
    """Least wall and least CPU seconds of ``repeat`` ensembles."""
    walls, cpus = [], []
    for _ in range(repeat):
        cpu = time.process_time()
        walls.append(best_time(lambda: simulate_vectorized(world, runs, seed=5)))
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--scenario", default="invasion")
    args = parser.parse_args()
    spec, digest = load_scenario(args.scenario)
    world = build_world(spec, digest, [])
    simulate_vectorized(world, 50, seed=1)  # warm-up
    shipped = vectorized.CHUNK_RUNS
    rows = []
    print(f"{args.runs} runs of {args.scenario}, {world.horizon} weeks, one process")
    for size in SIZES:
        vectorized.CHUNK_RUNS = size
        wall, cpu = timed(world, args.runs)
        us = wall / (args.runs * world.horizon) * 1e6
        rows.append({"chunk_runs": size, "seconds": wall, "cpu_seconds": cpu, "microseconds_per_run_week": us})
        print(f"  chunk {size:>5} runs  {wall:7.2f} s wall  {cpu:7.2f} s CPU  {us:6.2f} us per run-week")
    vectorized.CHUNK_RUNS = shipped
    pinned = vectorized.one_blas_thread
    vectorized.one_blas_thread = contextlib.nullcontext  # BLAS as the process found it
    wall, cpu = timed(world, args.runs)
    vectorized.one_blas_thread = pinned
    print(f"  chunk {shipped:>5} runs, BLAS unpinned: {wall:7.2f} s wall  {cpu:7.2f} s CPU")
    best = min(rows, key=lambda r: r["cpu_seconds"])  # CPU time: the steadier figure on a shared machine
    print(f"cheapest chunk in CPU time: {best['chunk_runs']} runs (shipped CHUNK_RUNS = {shipped})")
    save("chunks", {
        "scenario": args.scenario, "weeks": world.horizon, "runs": args.runs, "sizes": rows,
        "shipped_chunk_runs": shipped, "fastest_chunk_runs": best["chunk_runs"],
        "blas_unpinned": {"chunk_runs": shipped, "seconds": wall, "cpu_seconds": cpu},
    })


if __name__ == "__main__":
    main()
