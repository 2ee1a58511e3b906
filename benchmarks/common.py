"""Shared pieces of the benchmark scripts: timing, machine description, results.json sections."""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

RESULTS = Path(__file__).with_name("results.json")


def best_time(func: Callable[[], object], repeat: int = 1) -> float:
    """Fastest of ``repeat`` wall-clock timings (seconds)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def machine() -> dict[str, Any]:
    """What the figures were measured on, with the load at the time (the machine may be shared)."""
    return {
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
        "measured": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def save(section: str, figures: dict[str, Any], path: Path = RESULTS) -> None:
    """Write one script's figures under ``section`` of results.json, keeping the other sections."""
    report = json.loads(path.read_text()) if path.exists() else {}
    if not isinstance(report, dict) or "machine" in report:  # the one-section layout of earlier versions
        report = {}
    report[section] = {"machine": machine(), **figures}
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"figures written to {path} [{section}]")
