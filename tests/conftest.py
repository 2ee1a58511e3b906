"""Shared fixtures: worlds built from the shipped data and scenarios."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from cohesion.scenarios import load_scenario
from cohesion.world import build_world

REPO = Path(__file__).resolve().parents[1]


def cohesion_executable() -> list[str]:
    """The installed ``cohesion`` console script (falls back to ``python -m cohesion``)."""
    script = Path(sys.executable).parent / "cohesion"
    if script.exists():
        return [str(script)]
    found = shutil.which("cohesion")
    return [found] if found else [sys.executable, "-m", "cohesion"]


@pytest.fixture(scope="session")
def cli() -> list[str]:
    """Command prefix of the real entry point."""
    return cohesion_executable()


def make_world(name: str = "baseline", layers=None, horizon=None):
    """A world for a shipped scenario (or a path)."""
    spec, digest = load_scenario(name)
    return build_world(spec, digest, layers or [], horizon=horizon)


@pytest.fixture(scope="session")
def baseline_world():
    """The shipped baseline scenario with default parameters."""
    return make_world("baseline")


@pytest.fixture
def clean_env(monkeypatch):
    """No scenario-folder override leaking between tests."""
    monkeypatch.delenv("COHESION_SCENARIO_DIR", raising=False)
    return os.environ
