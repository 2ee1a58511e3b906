"""The scenario and experiment files that ship with cohesion.

The top-level ``scenarios/`` and ``experiments/`` folders of the source are
the originals. A wheel carries copies in ``cohesion/_shipped/<kind>/`` (the
build step in ``setup.py`` makes them), found here through
``importlib.resources``; a source checkout or an editable install, which has
no copies, reads the top-level folders beside the package.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from cohesion.errors import InputError

#: The kinds of shipped YAML files, each a top-level folder of the source.
SHIPPED_KINDS = ("scenarios", "experiments", "episodes")


def shipped_dir(kind: str) -> Path:
    """Folder of the shipped ``scenarios`` or ``experiments`` files.

    Raises:
        InputError: Neither the installed copies nor a source checkout's folder exist.
    """
    if kind not in SHIPPED_KINDS:
        raise ValueError(f"unknown kind of shipped files {kind!r}")
    packaged = resources.files("cohesion") / "_shipped" / kind
    if packaged.is_dir():
        return Path(str(packaged))
    source = Path(__file__).resolve().parents[1] / kind
    if source.is_dir():
        return source
    raise InputError(f"this installation has no shipped {kind} (looked in {packaged} and {source}); reinstall cohesion")


def yaml_names(folder: Path) -> list[str]:
    """Names (file stems) of the ``*.yaml`` files of a folder, sorted."""
    return sorted(p.stem for p in folder.glob("*.yaml") if p.is_file())


def experiment_path(given: Path) -> Path:
    """An experiment file as given, or the shipped experiment of that name.

    ``scenario-comparison`` finds ``experiments/scenario-comparison.yaml`` of
    the installed package when no such file exists where the user is; a path
    to an existing file always wins.
    """
    given = Path(given)
    if given.exists() or given.suffix or len(given.parts) != 1:
        return given
    shipped = shipped_dir("experiments") / f"{given.name}.yaml"
    return shipped if shipped.is_file() else given
