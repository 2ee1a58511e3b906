"""Limits checked before any work: the longest horizon, and memory for the sizes asked for.

One upper bound on steps applies to every command and file (``run --steps``,
a scenario's ``weeks``, an experiment's ``steps``, ``sensitivity --steps``,
``calibrate --steps``), with one message. Sizes that cannot fit in memory are
refused up front with the estimate, instead of failing after minutes.
"""

from __future__ import annotations

import os

from cohesion.constants import COMPONENTS, ISSUES, RUN_METRICS
from cohesion.errors import InputError

#: Longest horizon any run may have (ten years of weeks).
MAX_WEEKS = 520
#: Members of the alliance in January 2022 (the size of every member axis).
MEMBERS = 30
#: Working memory of one simulation chunk besides what is kept (pre-drawn noise and
#: temporaries; cohesion.engines.vectorized bounds the noise at about 128 MB).
CHUNK_WORKING_BYTES = 512 * 2**20
#: Share of the available memory a command may plan to use.
MEMORY_SHARE = 0.8


def check_steps(steps: int | None, option: str = "--steps") -> None:
    """Refuse a horizon outside 1..MAX_WEEKS (None: each scenario's own horizon)."""
    if steps is not None and not 1 <= steps <= MAX_WEEKS:
        raise InputError(f"{option} must be between 1 and {MAX_WEEKS} weeks, got {steps}")


def check_seed(seed: int) -> None:
    """Refuse a seed ``numpy.random.SeedSequence`` cannot take (a negative one)."""
    if seed < 0:
        raise InputError(f"--seed must be a non-negative integer, got {seed}")


def available_memory() -> int | None:
    """Bytes of memory available to a new allocation (None when unknown)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def human_bytes(count: float) -> str:
    """A byte count in B, KB, MB, GB, TB or PB."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(count) < 1024:
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    return f"{count:,.1f} PB"


def check_memory(needed: float, what: str, advice: str) -> None:
    """Refuse work whose estimated memory exceeds what this machine has available.

    Args:
        needed: Estimated bytes.
        what: What is being sized, e.g. ``--runs 100000000 over 9 scenarios of 52 weeks``.
        advice: What the user can do instead.

    Raises:
        InputError: With the estimate and the available memory.
    """
    available = available_memory()
    if available is not None and needed > MEMORY_SHARE * available:
        raise InputError(
            f"{what} needs about {human_bytes(needed)} of memory, more than the {human_bytes(available)} "
            f"available; {advice}"
        )


def ensemble_bytes(runs: int, weeks: int) -> int:
    """Memory kept by one scenario's ensemble of ``runs`` runs over ``weeks`` weeks.

    Per run the weekly scores (weeks + 1 rows of RUN_METRICS) and the horizon
    stances (members x issues) are kept (cohesion.ensemble); writing the
    tables copies each once more.
    """
    per_run = (weeks + 1) * len(RUN_METRICS) * 8 + MEMBERS * len(ISSUES) * 8
    per_week = (len(COMPONENTS) + 3) * MEMBERS * len(ISSUES) * 8
    return 2 * runs * per_run + (weeks + 1) * per_week


def check_run_size(runs: int, weeks: list[int]) -> None:
    """Refuse a run whose ensembles (one per scenario, all kept until written) cannot fit in memory."""
    needed = sum(ensemble_bytes(runs, w) for w in weeks) + CHUNK_WORKING_BYTES
    check_memory(
        needed,
        f"--runs {runs:,} over {len(weeks)} scenario(s) of up to {max(weeks)} weeks",
        "use fewer runs (the quantiles settle long before 100,000)",
    )


def check_experiment_size(points: int, scenarios: int, replicates: int, columns: int, weeks: int, workers: int) -> None:
    """Refuse an experiment whose design, point table or per-point ensembles cannot fit in memory.

    Args:
        points: Design points per scenario.
        scenarios: Scenarios.
        replicates: Runs per point.
        columns: Columns of points.parquet (identifiers, parameters, outcomes).
        weeks: Longest horizon.
        workers: Processes that each hold one point's ensemble.
    """
    rows = points * scenarios * replicates
    table = 3 * rows * columns * 8  # parts read, concatenated and sorted at consolidation
    design = points * max(columns, 1) * 8
    ensemble = workers * (ensemble_bytes(replicates, weeks) + CHUNK_WORKING_BYTES)
    check_memory(
        table + design + ensemble,
        f"{points:,} design points x {scenarios} scenario(s) x {replicates:,} replicates ({rows:,} rows)",
        "use a smaller design, fewer replicates or fewer scenarios",
    )
