"""Build step: copy the top-level scenarios/ and experiments/ YAML files into the wheel.

The top-level folders stay the one source; a built package carries copies in
``cohesion/_shipped/<kind>/``, read through importlib.resources
(``cohesion/shipped.py``). Editable installs need no copies: they read the
source folders directly.
"""

from pathlib import Path
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED_KINDS = ("scenarios", "experiments", "episodes")


class BuildPyWithShippedFiles(build_py):
    """``build_py`` that also copies the shipped YAML files into the built package."""

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for kind in SHIPPED_KINDS:
            files = sorted((ROOT / kind).glob("*.yaml"))
            if not files:
                raise SystemExit(f"no {kind}/*.yaml to ship: build from a complete source tree")
            target = Path(self.build_lib) / "cohesion" / "_shipped" / kind
            target.mkdir(parents=True, exist_ok=True)
            for path in files:
                shutil.copyfile(path, target / path.name)


setup(cmdclass={"build_py": BuildPyWithShippedFiles})
