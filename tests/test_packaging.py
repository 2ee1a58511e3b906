"""A wheel installed into a fresh venv works from any folder, without the source.

The wheel is built from a copy of the source (so the checkout gains no build/
folder) and installed without dependencies into a throwaway venv; the
dependencies come from the test environment through a ``.pth`` line, so
nothing is downloaded and the test runs offline. The package itself is the
wheel's copy, never the checkout's (checked by ``cohesion.__file__``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from cohesion.shipped import shipped_dir, yaml_names

REPO = Path(__file__).resolve().parents[1]
SOURCE_ITEMS = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "LICENSE", "cohesion", "scenarios", "experiments", "episodes")


def _pip(*args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "pip", *args], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


@pytest.fixture(scope="module")
def wheel_env(tmp_path_factory):
    """(wheel path, cohesion script of a fresh venv holding only that wheel)."""
    base = tmp_path_factory.mktemp("wheel")
    source = base / "source"
    source.mkdir()
    for item in SOURCE_ITEMS:
        origin = REPO / item
        if origin.is_dir():
            shutil.copytree(origin, source / item, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(origin, source / item)
    _pip("wheel", "--no-deps", "-q", "-w", str(base / "dist"), str(source))
    (wheel,) = (base / "dist").glob("cohesion-*.whl")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    _pip("--python", str(python), "install", "-q", "--no-deps", str(wheel))
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    # The dependencies only: a path in a .pth file is added to sys.path, but the
    # .pth files inside it (the test venv's editable cohesion) are not processed.
    Path(purelib, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return wheel, venv / "bin" / "cohesion"


def listed_names(meta: dict) -> list[str]:
    return [s["name"] for s in meta["scenarios"]]


def _run(script: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("COHESION_SCENARIO_DIR", "PYTHONPATH")}
    return subprocess.run([str(script), *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=600)


@pytest.mark.slow
def test_the_wheel_ships_every_scenario_and_experiment(wheel_env):
    wheel, _ = wheel_env
    names = set(zipfile.ZipFile(wheel).namelist())
    for kind in ("scenarios", "experiments", "episodes"):
        expected = {f"cohesion/_shipped/{kind}/{name}.yaml" for name in yaml_names(REPO / kind)}
        assert expected and expected <= names, sorted(expected - names)


@pytest.mark.slow
def test_installed_wheel_runs_every_scenario_outside_the_checkout(wheel_env, tmp_path):
    _, script = wheel_env
    where = _run(script.parent / "python", "-c", "import cohesion; print(cohesion.__file__)", cwd=tmp_path)
    assert str(script.parents[1]) in where.stdout, where.stdout + where.stderr
    listed = _run(script, "scenarios", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    for name in yaml_names(REPO / "scenarios"):
        assert name in listed.stdout
    done = _run(script, "run", "all", "--runs", "3", "--quiet", "--out", "res", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    meta = json.loads((tmp_path / "res" / "manifest.json").read_text())
    assert listed_names(meta) == ["baseline", *sorted(set(yaml_names(REPO / "scenarios")) - {"baseline"})]
    assert meta["git_commit"] is None  # an installed wheel is no checkout
    ran = _run(script, "experiment", "scenario-comparison", "--out", "exp", "--quiet", cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr  # the shipped experiment, found by name
    assert json.loads((tmp_path / "exp" / "manifest.json").read_text())["scenarios"] == listed_names(meta)


def test_scenario_dir_override_and_empty_folder(tmp_path, monkeypatch, cli):
    monkeypatch.setenv("COHESION_SCENARIO_DIR", str(tmp_path))
    done = subprocess.run([*cli, "scenarios"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stderr.startswith("error: no scenario files") and "Traceback" not in done.stderr
    shutil.copy(REPO / "scenarios" / "invasion.yaml", tmp_path / "invasion.yaml")
    done = subprocess.run([*cli, "scenarios"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "invasion" in done.stdout and "baseline" not in done.stdout


def test_source_checkout_reads_the_top_level_folders():
    assert shipped_dir("scenarios") == REPO / "scenarios"
    assert shipped_dir("experiments") == REPO / "experiments"
