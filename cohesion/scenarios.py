"""Scenario files: one strict schema, dated typed events, name or path lookup.

A scenario is YAML validated by ``ScenarioSpec`` (unknown keys are errors).
Week 0 is the initial state of 27 January 2022; an event dated week ``w``
changes the environment from the transition into week ``w`` on, so the state
of every week before ``w`` is untouched. Weeks must lie in 1..horizon.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cohesion.constants import ISSUES, LEADERS
from cohesion.core.environment import EVENT_TYPES, CompiledEvent
from cohesion.errors import InputError, validation_message
from cohesion.inputs import Members
from cohesion.limits import MAX_WEEKS
from cohesion.shipped import shipped_dir, yaml_names
from cohesion.yamlfiles import parse_yaml

#: Unknown keys are errors; so are values of the wrong type (true for a week, "1.5" for a number).
_STRICT = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)

#: Which target and value range each event type admits: (targets, shift range, set range or None, takes issue).
EVENT_RULES: dict[str, tuple[str, tuple[float, float], tuple[float, float] | None, bool]] = {
    "threat_level": ("RUS", (-1.0, 1.0), (0.0, 1.0), False),
    "gas_supply": ("members", (0.0, 1.0), None, False),
    "hybrid_attack": ("members", (0.0, 1.0), None, False),
    "leadership_credibility": ("members", (-1.0, 1.0), None, False),
    "eu_line": ("EU", (-1.0, 1.0), (0.0, 1.0), True),
    "eu_weight": ("EU", (-1.0, 1.0), None, False),
    "stance_shock": ("members", (-1.0, 1.0), None, True),
    "proposal": ("leaders", (-1.0, 1.0), (0.0, 1.0), True),
}


class EventSpec(BaseModel):
    """One dated event of a scenario."""

    model_config = _STRICT
    week: int = Field(ge=1, description="Week the event takes effect (1 = first week after 27 Jan 2022)")
    type: Literal[tuple(EVENT_TYPES)]  # type: ignore[valid-type]
    target: str | list[str] = "all"
    magnitude: float
    issue: str | list[str] | None = None
    mode: Literal["shift", "set"] = "shift"
    duration: int | None = Field(default=None, ge=1, description="Weeks the effect lasts; none = to the horizon")
    probability: float = Field(default=1.0, ge=0.0, le=1.0)
    magnitude_sd: float = Field(default=0.0, ge=0.0, le=1.0, description="Standard deviation of the magnitude over runs")
    magnitude_basis: str = Field(default="", description="Why the magnitude and its spread are what they are (the record before 27 Jan 2022)")
    note: str = ""


class ScenarioSpec(BaseModel):
    """A scenario: metadata, horizon, initial environment, parameter overrides, events."""

    model_config = _STRICT
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    title: str
    description: str
    article_basis: str = Field(description="What in the 27 Jan 2022 article this scenario starts from")
    weeks: int = Field(default=52, ge=1, le=MAX_WEEKS)
    threat_level: float = Field(default=0.5, ge=0.0, le=1.0, description="Russia's threat level at week 0")
    params: dict[str, Any] = Field(default_factory=dict)
    events: list[EventSpec] = Field(default_factory=list)


def scenarios_dir() -> Path:
    """Folder of the shipped scenarios (``COHESION_SCENARIO_DIR`` overrides)."""
    override = os.environ.get("COHESION_SCENARIO_DIR")
    return Path(override) if override else shipped_dir("scenarios")


def shipped_scenarios() -> list[str]:
    """Names of the shipped scenarios, baseline first.

    Raises:
        InputError: The scenario folder holds no scenario file (never an empty list).
    """
    folder = scenarios_dir()
    names = yaml_names(folder)
    if not names:
        source = "COHESION_SCENARIO_DIR" if os.environ.get("COHESION_SCENARIO_DIR") else "the installed package"
        raise InputError(f"no scenario files (*.yaml) in {folder} (from {source})")
    return sorted(names, key=lambda n: (n != "baseline", n))


def resolve_scenario_path(name_or_path: str) -> Path:
    """Path of a shipped scenario name or of a user's scenario file."""
    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml") or os.sep in name_or_path:
        if not candidate.is_file():
            raise InputError(f"scenario file not found: {name_or_path}")
        return candidate
    path = scenarios_dir() / f"{name_or_path}.yaml"
    if not path.is_file():
        known = ", ".join(shipped_scenarios())
        raise InputError(f"unknown scenario {name_or_path!r} (known: {known}; or give a path to a .yaml file)")
    return path


def load_scenario(name_or_path: str) -> tuple[ScenarioSpec, str]:
    """Read and validate a scenario; returns the spec and the SHA-256 of the file."""
    path = resolve_scenario_path(name_or_path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    data = parse_yaml(text, path)
    if not isinstance(data, dict):
        raise InputError(f"{path}: a scenario must be a mapping")
    try:
        spec = ScenarioSpec(**data)
    except ValidationError as exc:
        raise InputError(f"invalid scenario {path.name}: {validation_message(exc)}") from None
    return spec, hashlib.sha256(raw).hexdigest()


def expand_scenario_names(names: list[str]) -> list[str]:
    """Expand ``all`` to every shipped scenario, keeping order.

    Raises:
        InputError: No scenario, or one scenario named twice (also through ``all``).
    """
    out: list[str] = []
    for name in names:
        for item in shipped_scenarios() if name == "all" else [name]:
            if item in out:
                also = " (it is part of 'all')" if "all" in names else ""
                raise InputError(f"scenario {item!r} is listed twice{also}")
            out.append(item)
    if not out:
        raise InputError("no scenario given")
    return out


def member_mask(target: str | list[str], members: Members, where: str) -> np.ndarray:
    """Resolve a member target (codes, groups, or all/allies/eu_members/non_eu) to a mask."""
    items = [target] if isinstance(target, str) else list(target)
    if not items:
        raise InputError(f"{where}: empty target")
    codes = np.array(members.codes)
    mask = np.zeros(members.n, dtype=bool)
    for item in items:
        if item == "all":
            mask |= True
        elif item == "allies":
            mask |= ~np.isin(codes, LEADERS)
        elif item == "eu_members":
            mask |= members.eu_member
        elif item == "non_eu":
            mask |= ~members.eu_member
        elif item in members.codes:
            mask |= codes == item
        elif item in members.all_groups:
            mask |= np.array([item in gs for gs in members.groups])
        else:
            raise InputError(f"{where}: unknown member code or group {item!r}")
    return mask


def issue_mask(issue: str | list[str] | None, where: str) -> np.ndarray:
    """Resolve an issue (or list; None for all) to a mask over ISSUES."""
    if issue is None:
        return np.ones(len(ISSUES), dtype=bool)
    items = [issue] if isinstance(issue, str) else list(issue)
    if not items:
        raise InputError(f"{where}: empty issue list (leave 'issue' out for all issues)")
    for item in items:
        if item not in ISSUES:
            raise InputError(f"{where}: unknown issue {item!r} (known: {', '.join(ISSUES)})")
    return np.isin(np.array(ISSUES), items)


def compile_events(spec: ScenarioSpec, members: Members, horizon: int) -> tuple[CompiledEvent, ...]:
    """Check every event against the type rules and the horizon; resolve targets."""
    compiled = []
    for j, ev in enumerate(spec.events):
        where = f"scenario {spec.name}, event {j + 1} ({ev.type}, week {ev.week})"
        if ev.week > horizon:
            raise InputError(f"{where}: week {ev.week} is beyond the horizon of {horizon} weeks")
        targets, shift_range, set_range, takes_issue = EVENT_RULES[ev.type]
        if ev.mode == "set" and set_range is None:
            raise InputError(f"{where}: mode 'set' is not allowed for this type")
        low, high = set_range if ev.mode == "set" else shift_range
        if not low <= ev.magnitude <= high:
            raise InputError(f"{where}: magnitude {ev.magnitude} outside [{low}, {high}]")
        if ev.issue is not None and not takes_issue:
            raise InputError(f"{where}: this event type takes no issue")
        if ev.type == "stance_shock" and ev.duration is not None:
            raise InputError(f"{where}: a stance shock happens once and takes no duration")
        if targets == "members":
            members_hit = member_mask(ev.target, members, where)
        else:
            if ev.target not in (targets, "all"):
                raise InputError(f"{where}: target must be {targets}")
            members_hit = np.zeros(members.n, dtype=bool)
        duration = 1 if ev.type == "stance_shock" else ev.duration
        end = horizon + 1 if duration is None else min(horizon + 1, ev.week + duration)
        compiled.append(
            CompiledEvent(
                kind=ev.type,
                start=ev.week,
                end=end,
                members=members_hit,
                issues=issue_mask(ev.issue, where),
                mode=ev.mode,
                magnitude=ev.magnitude,
                magnitude_sd=ev.magnitude_sd,
                probability=ev.probability,
            )
        )
    return tuple(compiled)
