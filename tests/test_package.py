"""Importing the package has no side effects; Mesa's batchrunner is never imported."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

CHECK = """
import multiprocessing, sys
import cohesion, cohesion.cli, cohesion.runner, cohesion.engines, cohesion.engines.mesa_shell
import cohesion.report, cohesion.experiments
from cohesion.cli import _register
_register()
assert multiprocessing.get_start_method(allow_none=True) is None, multiprocessing.get_start_method()
from cohesion.engines import simulate
from cohesion.runner import RunRequest, prepare
world = prepare(RunRequest(scenarios=["baseline"], runs=1, steps=4))[0]
simulate(world, 1, 1, engine="mesa")
assert multiprocessing.get_start_method(allow_none=True) is None
"""


def test_import_prints_nothing_and_changes_no_global_state(tmp_path):
    done = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert list(tmp_path.iterdir()) == [], "importing or simulating wrote files"


def test_no_global_random_state_in_the_package():
    from pathlib import Path

    import re

    package = Path(__file__).resolve().parents[1] / "cohesion"
    batchrunner = [str(p) for p in package.rglob("*.py") if re.search(r"mesa\.batchrunner|batch_run", p.read_text())
                   and p.name != "_mesa.py"]
    assert batchrunner == [], "cohesion must not use Mesa's batchrunner"
    pattern = re.compile(r"(^|[^.\w])np\.random\.(seed|rand|randn|randint|random|choice|normal|uniform|shuffle|permutation)\(|^import random$|^from random import")
    offenders = [f"{path}:{n}" for path in package.rglob("*.py")
                 for n, line in enumerate(path.read_text().splitlines(), 1) if pattern.search(line)]
    assert offenders == []


HEAVY = ("pandas", "pyarrow", "plotly", "mesa", "dask", "distributed", "scipy", "SALib")
HELP_IMPORTS = """
import sys

import pytest
from cohesion.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(sorted({name.split('.')[0] for name in sys.modules}))
"""


@pytest.mark.parametrize("args", [["--help"], ["run", "--help"], ["experiment", "--help"], ["scenarios"]])
def test_help_and_listing_import_nothing_heavy(args):
    done = subprocess.run([sys.executable, "-c", HELP_IMPORTS, *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    loaded = set(ast.literal_eval(done.stdout.strip().splitlines()[-1]))
    heavy = set(HEAVY) | ({"numpy"} if args[-1] == "--help" else set())  # help needs no arrays at all
    assert loaded.isdisjoint(heavy), sorted(loaded & heavy)
