"""Benchmark ``cohesion validate`` at its default sizes (the target: under 10 minutes on 2 cores).

Run: ``.venv/bin/python benchmarks/bench_validate.py [--out DIR]``. It runs the
real command through its entry point (one process, BLAS pinned to one thread,
so the second core stays free), prints the wall-clock time of each stage and
of the whole, and writes the figures to ``benchmarks/validate.json``.

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
import tempfile  # noqa: E402
import time  # noqa: E402
from dataclasses import asdict  # noqa: E402
from pathlib import Path  # noqa: E402

from cohesion.validation.suite import ValidationSizes, run_validation, write_validation  # noqa: E402

TARGET_SECONDS = 600


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="Keep the validation folder here (default: a temporary one).")
    args = parser.parse_args()
    sizes = ValidationSizes()
    stages: dict[str, float] = {}
    last = [time.perf_counter()]

    def progress(stage: str, n: int) -> None:
        now = time.perf_counter()
        stages[stage] = stages.get(stage, 0.0) + now - last[0]
        last[0] = now

    started = time.perf_counter()
    result = run_validation(sizes=sizes, progress=progress)
    out = args.out or Path(tempfile.mkdtemp(prefix="bench-validate-")) / "validation"
    write_validation(result, out)
    total = time.perf_counter() - started
    print(f"cohesion validate, default sizes {asdict(sizes)}")
    for stage, seconds in stages.items():
        print(f"  {stage:<22} {seconds:7.1f} s")
    verdict = "met" if total < TARGET_SECONDS else "NOT met"
    load = os.getloadavg()
    print(f"  {'total':<22} {total:7.1f} s  (target {TARGET_SECONDS} s: {verdict}); results in {out}")
    print(f"  machine load average at the end (1, 5, 15 min): {load[0]:.1f}, {load[1]:.1f}, {load[2]:.1f}")
    figures = {
        "machine": {"python": platform.python_version(), "processor": platform.machine(), "cpu_count": os.cpu_count(),
                    "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS")},
        "sizes": asdict(sizes),
        "stage_seconds": stages,
        "total_seconds": total,
        "target_seconds": TARGET_SECONDS,
        "load_average_at_end": load,
    }  # fmt: skip
    (Path(__file__).parent / "validate.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
