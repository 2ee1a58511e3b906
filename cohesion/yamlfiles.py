"""Reading YAML input files strictly: one error line for malformed text or a repeated key.

PyYAML lets the last of two equal keys win silently; a scenario, experiment,
parameter or calibration file with a key written twice is almost always a
mistake, so it is an error here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from cohesion.errors import InputError


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses a mapping with a repeated key."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:  # type: ignore[override]
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)  # type: ignore[no-untyped-call]
            try:
                repeated = key in seen
            except TypeError:  # an unhashable key: the base class reports it
                break
            if repeated:
                line = key_node.start_mark.line + 1
                raise yaml.constructor.ConstructorError(None, None, f"key {key!r} appears twice (line {line})")
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def parse_yaml(text: str, path: Path | str) -> Any:
    """Parse YAML text read from ``path``.

    Raises:
        InputError: Malformed YAML or a repeated key, naming the file.
    """
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None)
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        reason = f"{problem}{where}" if problem else str(exc).splitlines()[0]
        raise InputError(f"malformed YAML in {path}: {reason}") from None


def read_yaml(path: Path | str) -> Any:
    """Read and parse a UTF-8 YAML file (see :func:`parse_yaml`).

    Raises:
        InputError: Not UTF-8, malformed, or a repeated key.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    return parse_yaml(text, path)
