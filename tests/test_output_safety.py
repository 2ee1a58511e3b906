"""Output safety through the real entry point: Ctrl-C, a second writer, leftovers, links, umask, pool crashes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cohesion.experiments.pool import run_in_pool
from cohesion.outputs import lock_file


def start(cli: list[str], *args: str, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([*cli, *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(condition, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.mark.slow
@pytest.mark.parametrize(
    "args,out",
    [
        (("run", "all", "--runs", "5000", "--out", "res"), "res"),
        (("calibrate", "--out-dir", "cal"), "cal"),
    ],
    ids=["run", "calibrate"],
)
def test_ctrl_c_ends_in_one_error_line_and_exit_2_with_nothing_written(cli, tmp_path, args, out):
    process = start(cli, *args, cwd=tmp_path)
    wait_for(lambda: lock_file(tmp_path / out).exists())  # past validation, into the work
    time.sleep(0.5)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 2, stderr
    assert [line for line in stderr.splitlines() if line.strip()] == ["error: interrupted"]
    assert not (tmp_path / out).exists() and leftovers(tmp_path) == []


@pytest.mark.slow
def test_a_second_writer_is_refused_while_the_first_runs(cli, tmp_path):
    first = start(cli, "run", "all", "--runs", "5000", "--out", "res", "--quiet", cwd=tmp_path)
    wait_for(lambda: lock_file(tmp_path / "res").exists())
    second = subprocess.run([*cli, "run", "baseline", "--runs", "2", "--out", "res"], cwd=tmp_path, capture_output=True, text=True)
    assert second.returncode == 2
    assert f"another cohesion process (pid {first.pid})" in second.stderr
    first.send_signal(signal.SIGINT)
    first.communicate(timeout=60)
    assert first.returncode == 2 and leftovers(tmp_path) == []


def test_stale_staging_and_dead_locks_of_the_same_output_are_cleaned(cli, tmp_path):
    for name in (".res.partial-123-abcd", ".res.old-77", ".other.partial-1-ab"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "summary.csv").write_text("half")
    (tmp_path / ".res.cohesion-lock").write_text("999999999\n" + os.uname().nodename + "\n")  # no such process
    done = subprocess.run([*cli, "run", "baseline", "--runs", "2", "--steps", "3", "--out", "res", "--quiet"],
                          cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert leftovers(tmp_path) == [".other.partial-1-ab"]  # another output's folder is not ours to clean
    meta = json.loads((tmp_path / "res" / "manifest.json").read_text())
    assert sorted(meta["files"]) == sorted(p.name for p in (tmp_path / "res").iterdir())


@pytest.mark.parametrize("umask,mode", [(0o022, 0o755), (0o077, 0o700), (0o002, 0o775)])
def test_results_folders_honour_the_umask(cli, tmp_path, umask, mode):
    experiment = tmp_path / "x.yaml"
    experiment.write_text("name: x\ndescription: d\nscenarios: [baseline]\nsteps: 3\n")
    for args, out in (
        (["run", "baseline", "--runs", "2", "--steps", "3", "--out", "res", "--quiet"], "res"),
        (["experiment", str(experiment), "--out", "exp", "--quiet"], "exp"),
    ):
        done = subprocess.run([*cli, *args], cwd=tmp_path, capture_output=True, text=True, preexec_fn=lambda: os.umask(umask))
        assert done.returncode == 0, done.stderr
        assert (tmp_path / out).stat().st_mode & 0o777 == mode, out


def test_an_output_link_is_written_through(cli, tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    for _ in range(2):  # the second run replaces the first through the link
        done = subprocess.run([*cli, "run", "baseline", "--runs", "2", "--steps", "3", "--out", "link", "--quiet"],
                              cwd=tmp_path, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    assert (tmp_path / "link").is_symlink() and (tmp_path / "real" / "manifest.json").is_file()
    assert leftovers(tmp_path) == []


def test_a_report_replaces_its_own_file_but_no_other(cli, tmp_path):
    run = subprocess.run([*cli, "run", "baseline", "--runs", "2", "--steps", "3", "--out", "res", "--quiet", "--report"],
                         cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    again = subprocess.run([*cli, "report", "res"], cwd=tmp_path, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr  # its own earlier report: replaced without --overwrite
    (tmp_path / "mine.html").write_text("<p>mine</p>")
    refused = subprocess.run([*cli, "report", "res", "--out", "mine.html"], cwd=tmp_path, capture_output=True, text=True)
    assert refused.returncode == 2 and (tmp_path / "mine.html").read_text() == "<p>mine</p>"
    forced = subprocess.run([*cli, "report", "res", "--out", "mine.html", "--overwrite"], cwd=tmp_path, capture_output=True, text=True)
    assert forced.returncode == 0 and "cohesion report" in (tmp_path / "mine.html").read_text()


def die_once(marker: str, value: int) -> int:
    """A task whose first attempt loses its worker (the process dies), as an OOM kill would."""
    path = Path(marker)
    if value == 1 and not path.exists():
        path.write_text("died")
        os._exit(9)
    return value * 10


def record_pid_and_sleep(folder: str, value: int) -> int:
    Path(folder, str(os.getpid())).write_text("")
    time.sleep(120)
    return value


def test_a_lost_worker_is_retried_with_the_same_results(tmp_path):
    tasks = [(value, (str(tmp_path / "died"), value)) for value in range(4)]
    results = dict(run_in_pool(die_once, tasks, workers=2))
    assert (tmp_path / "died").exists()
    assert results == {value: value * 10 for value in range(4)}


PARENT = """
import sys
from tests.test_output_safety import record_pid_and_sleep
from cohesion.experiments.pool import run_in_pool
list(run_in_pool(record_pid_and_sleep, [(v, (sys.argv[1], v)) for v in range(2)], workers=2))
"""


@pytest.mark.slow
def test_workers_die_with_their_parent(tmp_path):
    parent = subprocess.Popen([sys.executable, "-c", PARENT, str(tmp_path)], cwd=Path(__file__).resolve().parents[1],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(lambda: len(list(tmp_path.iterdir())) == 2)
    workers = [int(p.name) for p in tmp_path.iterdir()]
    parent.kill()
    parent.wait()

    def gone(pid: int) -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"

    wait_for(lambda: all(gone(pid) for pid in workers), seconds=10)


@pytest.mark.slow
def test_an_unreachable_scheduler_leaves_no_experiment_folder(cli, tmp_path):
    experiment = tmp_path / "x.yaml"
    experiment.write_text("name: x\ndescription: d\nscenarios: [baseline]\nsteps: 3\n")
    done = subprocess.run(
        [*cli, "experiment", str(experiment), "--executor", "dask", "--scheduler", "tcp://127.0.0.1:1", "--out", "exp", "--quiet"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 2 and done.stderr.startswith("error: cannot start or reach the Dask scheduler")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.yaml"]
