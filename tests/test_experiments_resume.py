"""Killing an experiment process midway and resuming it through the real entry point."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from cohesion.experiments.plan import plan_experiment
from cohesion.experiments.schema import load_experiment
from cohesion.experiments.store import run_plan

EXPERIMENT = {
    "name": "resume-me",
    "description": "8 x 5 grid over one year, one part file per point",
    "scenarios": ["baseline"],
    "parameters": [
        {"name": "energy_weight", "low": 0.0, "high": 3.0},
        {"name": "leadership_weight", "values": [0.0, 0.7, 1.4, 2.1, 2.8]},
    ],
    "design": {"type": "grid", "points": 8},
    "replicates": 10,
    "seed": 11,
}
POINTS = 40


def start(cli: list[str], path: Path, out: Path, *extra: str) -> subprocess.Popen:
    command = [*cli, "experiment", str(path), "--out", str(out), "--quiet", *extra]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def parts(out: Path) -> list[Path]:
    return sorted((out / "parts").glob("part-*.parquet")) if (out / "parts").is_dir() else []


def interrupt_after(process: subprocess.Popen, out: Path, count: int, sig: int) -> str:
    """Send ``sig`` once ``count`` part files exist; return the process's stderr."""
    deadline = time.monotonic() + 60
    while len(parts(out)) < count:
        assert process.poll() is None, f"finished before {count} parts existed: {process.communicate()}"
        assert time.monotonic() < deadline, "no progress"
        time.sleep(0.01)
    os.kill(process.pid, sig)
    return process.communicate(timeout=30)[1]


@pytest.mark.slow
def test_killed_and_interrupted_experiment_resumes_to_the_uninterrupted_result(tmp_path, cli):
    """SIGKILL, then resume; SIGINT (Ctrl-C), then resume to the end; through the installed entry point."""
    path = tmp_path / "resume.yaml"
    path.write_text(yaml.safe_dump(EXPERIMENT), encoding="utf-8")
    out = tmp_path / "out"

    first = start(cli, path, out)
    interrupt_after(first, out, 4, signal.SIGKILL)
    assert first.returncode == -signal.SIGKILL
    assert not (out / "points.parquet").exists()
    saved = {p.name: pd.read_parquet(p) for p in parts(out)}
    stamps = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in parts(out)}
    assert 4 <= len(saved) < POINTS

    second = start(cli, path, out, "--resume")
    err = interrupt_after(second, out, len(saved) + 4, signal.SIGINT).strip().splitlines()
    assert second.returncode == 2
    assert len(err) == 1 and err[0].startswith("error: interrupted") and "--resume" in err[0]
    done = parts(out)
    assert len(done) < POINTS
    for part in saved:  # written once, never rewritten or recomputed
        path_now = out / "parts" / part
        assert (path_now.stat().st_ino, path_now.stat().st_mtime_ns) == stamps[part]
        pd.testing.assert_frame_equal(pd.read_parquet(path_now), saved[part], check_exact=True)

    third = start(cli, path, out, "--resume")
    _, err_third = third.communicate(timeout=120)
    assert third.returncode == 0, err_third
    final = pd.read_parquet(out / "points.parquet")
    assert len(final) == POINTS * 10
    assert not final.duplicated(["scenario", "point", "replicate"]).any()
    assert sorted(final["point"].unique()) == list(range(POINTS))
    assert not (out / "parts").exists()

    reference = run_plan(plan_experiment(load_experiment(path)), tmp_path / "uninterrupted")
    pd.testing.assert_frame_equal(final, reference, check_exact=True)
    for name, frame in saved.items():
        first_point = int(name.rsplit("-", 1)[1].split(".")[0])
        rows = final[final.point == first_point].reset_index(drop=True)
        pd.testing.assert_frame_equal(rows, frame.reset_index(drop=True), check_exact=True)
