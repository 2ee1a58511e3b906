"""Model parameters: one table of specs is the single source of truth.

Every parameter has a default, an allowed range, a unit and a meaning
(``cohesion params`` prints this table). Parameter sets are validated by a
strict pydantic model built from the table: unknown names, non-numbers and
out-of-range values are errors. Some parameters may be overridden per member.

Precedence when a run is set up: defaults < scenario ``params`` < ``--params``
file < ``--set`` values.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import yaml
from pydantic import ConfigDict, Field, ValidationError, create_model, model_validator

from cohesion.errors import InputError, validation_message
from cohesion.yamlfiles import read_yaml


@dataclass(frozen=True)
class ParamSpec:
    """Declaration of one parameter."""

    name: str
    default: float
    low: float
    high: float
    unit: str
    meaning: str
    per_member: bool = False
    group: str = "decision"


PARAM_SPECS: tuple[ParamSpec, ...] = (
    # --- decision weights (docs/model.md, "Submodel: target stance") ---
    # energy_weight, threat_weight, leadership_weight and baseline_stance: the joint least-squares
    # fit of 'cohesion calibrate' (measured drivers, point values; issue #10's capability- and
    # salience-weighted influence, CINC capability and held positions) to the 104 coded member x
    # issue cells of positions.csv (MSE 0.0824), rounded; energy_weight's interval reaches 0
    # (docs/model.md section 7).
    ParamSpec("energy_weight", 0.58, 0.0, 3.0, "stance / unit dependence",
              "How strongly energy dependence on Russia pulls the target stance away from the U.S.-UK line", True),
    ParamSpec("threat_weight", 0.41, 0.0, 3.0, "stance / unit threat",
              "How strongly perceived threat from Russia pulls the target stance towards the U.S.-UK line", True),
    ParamSpec("leadership_weight", 0.30, 0.0, 3.0, "stance / unit trust",
              "How strongly trust in U.S.-UK leadership pulls the target stance towards their line", True),
    ParamSpec("peer_weight", 0.3, 0.0, 1.0, "share",
              "Share of the weekly pull that comes from peers (neighbours, groups, EU); peer_weight + anchor_weight <= 1", True),
    ParamSpec("anchor_weight", 0.35, 0.0, 1.0, "share",
              "Share of the weekly pull back to the member's initial (27 Jan 2022) stance", True),
    ParamSpec("adjustment_rate", 0.15, 0.0, 1.0, "1 / week",
              "Fraction of the gap to the desired stance closed each week", True),
    ParamSpec("baseline_stance", 0.717, 0.0, 1.0, "stance",
              "Target stance of a member with the alliance-average drivers"),
    # A judgement (docs/model.md, "Submodel: target stance"): a position stated on the record is kept
    # until something changes; 0 gives round 2's first model, where members relax to their drivers.
    ParamSpec("position_persistence", 1.0, 0.0, 1.0, "share",
              "Share of what its drivers and peers leave unexplained of a member's 27 January stance that it holds (1: no drift)"),
    # --- peers (docs/model.md, "Submodel: peer influence") ---
    ParamSpec("eu_weight", 0.3, 0.0, 1.0, "share",
              "Share of an EU member's peer pull that comes from the EU institutions' line", group="peers"),
    ParamSpec("distance_scale_km", 1000.0, 100.0, 10000.0, "km",
              "Distance over which a neighbour's influence falls by a factor e", group="peers"),
    ParamSpec("eu_peer_bonus", 0.5, 0.0, 5.0, "weight",
              "Extra peer weight between two EU members", group="peers"),
    ParamSpec("group_peer_bonus", 0.5, 0.0, 5.0, "weight per shared group",
              "Extra peer weight per regional group two members share (B9, Baltic, NB8, ...)", group="peers"),
    # --- environment response (docs/model.md, "Submodel: perception") ---
    ParamSpec("threat_escalation_gain", 0.6, 0.0, 2.0, "threat / unit threat level",
              "How much a change in Russia's threat level moves every member's threat perception", group="environment"),
    ParamSpec("gas_salience_gain", 1.0, 0.0, 3.0, "1 / unit cut",
              "How much a Russian gas cut magnifies a member's energy dependence", group="environment"),
    ParamSpec("noise_sd", 0.01, 0.0, 0.2, "stance / week",
              "Standard deviation of weekly idiosyncratic stance noise", group="environment"),
    # --- influence and dynamics (docs/model.md, "Peer influence", "Stance update") ---
    ParamSpec("influence_capability_exponent", 1.0, 0.0, 3.0, "exponent",
              "Exponent gamma on a member's capability in its pull on others (0: capability plays no part)", group="peers"),
    ParamSpec("influence_salience_exponent", 1.0, 0.0, 3.0, "exponent",
              "Exponent on the salience of an issue to a member in its pull on others (0: salience plays no part)", group="peers"),
    ParamSpec("confidence_bound", 1.0, 0.0, 1.0, "stance",
              "Bounded confidence: peers further than this on an issue exert no pull (1: every peer pulls, Friedkin-Johnsen)", group="peers"),
    ParamSpec("repulsion_bound", 1.0, 0.0, 1.0, "stance",
              "Bounded confidence: peers further than this on an issue repel (1: no repulsion)", group="peers"),
    ParamSpec("repulsion_strength", 0.0, 0.0, 1.0, "share",
              "Weight of repulsion relative to attraction for peers beyond the repulsion bound", group="peers"),
    # --- the consensus rule (docs/model.md, "Consensus") ---
    # Fitted: the midpoint (0.605, rounded) of the tolerances 0.558-0.652 under which the week-0 windows
    # reproduce the decisions on record by 27 Jan 2022 (data/decisions.csv; 'cohesion calibrate --windows',
    # docs/model.md 5.1); the tightening stays a judgement, and the interval moves with it.
    ParamSpec("acceptance_tolerance", 0.61, 0.0, 1.0, "stance",
              "Half-width of a member's acceptance window around its stance on an issue it finds not at all salient",
              group="scoring"),
    ParamSpec("acceptance_salience_tightening", 0.5, 0.0, 1.0, "share",
              "Share by which full salience narrows the acceptance window", group="scoring"),
    ParamSpec("vote_yes_threshold", 0.6, 0.0, 1.0, "stance",
              "Stance at or above which a member counts as 'yes' for the Agreement Index", group="scoring"),
    ParamSpec("vote_no_threshold", 0.4, 0.0, 1.0, "stance",
              "Stance below which a member counts as 'no' for the Agreement Index (between: abstain)", group="scoring"),
)

SPECS_BY_NAME: dict[str, ParamSpec] = {spec.name: spec for spec in PARAM_SPECS}
MEMBER_PARAM_NAMES: tuple[str, ...] = tuple(s.name for s in PARAM_SPECS if s.per_member)
#: The ``confidence_bound`` that ``--dynamics bounded`` sets unless a value is given (a judgement:
#: peers more than a third of the scale away on an issue no longer persuade).
BOUNDED_CONFIDENCE_DEFAULT = 0.3
DYNAMICS = ("fj", "bounded")


def _field(spec: ParamSpec, optional: bool) -> tuple[Any, Any]:
    default = None if optional else spec.default
    kind = float | None if optional else float
    return (kind, Field(default=default, ge=spec.low, le=spec.high, description=spec.meaning))


#: Strict types: true or "1.5" is not a number.
_STRICT = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)

MemberOverrides = create_model(  # type: ignore[call-overload]
    "MemberOverrides",
    __config__=_STRICT,
    **{s.name: _field(s, optional=True) for s in PARAM_SPECS if s.per_member},
)

_GlobalParams = create_model(  # type: ignore[call-overload]
    "_GlobalParams",
    __config__=_STRICT,
    **{s.name: _field(s, optional=False) for s in PARAM_SPECS},
)


class Parameters(_GlobalParams):  # type: ignore[misc,valid-type]
    """A complete, validated parameter set: global values plus per-member overrides."""

    members: dict[str, MemberOverrides] = Field(default_factory=dict)  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _check_consistency(self) -> "Parameters":
        if self.repulsion_bound < self.confidence_bound:
            raise ValueError("repulsion_bound must not be below confidence_bound")
        if self.vote_no_threshold > self.vote_yes_threshold:
            raise ValueError("vote_no_threshold must not exceed vote_yes_threshold")
        for code, over in {"all members": None, **self.members}.items():
            peer = self.peer_weight if over is None or over.peer_weight is None else over.peer_weight
            anchor = self.anchor_weight if over is None or over.anchor_weight is None else over.anchor_weight
            if peer + anchor > 1.0 + 1e-12:
                raise ValueError(f"peer_weight + anchor_weight must be <= 1 ({code}: {peer + anchor:g})")
        return self

    @property
    def dynamics(self) -> str:
        """``fj`` when every peer pulls (Friedkin-Johnsen), ``bounded`` otherwise."""
        return "fj" if self.confidence_bound >= 1.0 and self.repulsion_strength == 0.0 else "bounded"

    def member_array(self, name: str, codes: tuple[str, ...]) -> np.ndarray:
        """Value of a per-member parameter for each member code, overrides applied."""
        base = getattr(self, name)
        values = []
        for code in codes:
            over = self.members.get(code)
            value = None if over is None else getattr(over, name)
            values.append(base if value is None else value)
        return np.asarray(values, dtype=float)

    def flat(self) -> dict[str, float]:
        """All values as ``name`` / ``ISO3.name`` keys (for manifests and design tables)."""
        out = {spec.name: float(getattr(self, spec.name)) for spec in PARAM_SPECS}
        for code in sorted(self.members):
            for name, value in self.members[code].model_dump(exclude_none=True).items():
                out[f"{code}.{name}"] = float(value)
        return out


def _nest(flat: Mapping[str, Any], member_codes: tuple[str, ...]) -> dict[str, Any]:
    """Turn ``{'DEU.energy_weight': 1}`` into ``{'members': {'DEU': {...}}}``."""
    nested: dict[str, Any] = {}
    for key, value in flat.items():
        if not isinstance(key, str):
            raise InputError(f"parameter names must be text, got {key!r}")
        if "." in key:
            code, name = key.split(".", 1)
            code = code.upper()  # member codes in any case: deu.energy_weight is DEU's
            if code not in member_codes:
                raise InputError(f"unknown member code {code!r} in parameter {key!r} (valid: {' '.join(sorted(member_codes))})")
            if name not in MEMBER_PARAM_NAMES:
                raise InputError(f"parameter {name!r} cannot be set per member")
            nested.setdefault("members", {}).setdefault(code, {})[name] = value
        else:
            nested[key] = value
    return nested


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if key == "members":
            members = {code: dict(v) for code, v in merged.get("members", {}).items()}
            if not isinstance(value, Mapping):
                raise InputError("'members' must map member codes to parameter values")
            for code, values in value.items():
                if not isinstance(values, Mapping):
                    raise InputError(f"members.{code} must map parameter names to values")
                members.setdefault(code, {}).update(values)
            merged["members"] = members
        else:
            merged[key] = value
    return merged


def build_parameters(
    layers: list[Mapping[str, Any]], member_codes: tuple[str, ...]
) -> Parameters:
    """Merge sparse layers of parameter values over the defaults and validate.

    Args:
        layers: Mappings in increasing precedence; each may hold global names,
            ``ISO3.name`` keys, or a ``members`` mapping.
        member_codes: Valid ISO3 codes for per-member overrides.

    Raises:
        InputError: On unknown names, unknown members or invalid values.
    """
    merged: dict[str, Any] = {}
    for layer in layers:
        if not isinstance(layer, Mapping):
            raise InputError("parameters must be a mapping of names to values")
        flat_part = {k: v for k, v in layer.items() if k != "members"}
        nested = _nest(flat_part, member_codes)
        if "members" in layer:
            given = layer["members"]
            if isinstance(given, Mapping):
                for code, values in given.items():
                    both = set(nested.get("members", {}).get(code, {})) & set(values if isinstance(values, Mapping) else {})
                    if both:
                        name = sorted(both)[0]
                        raise InputError(f"{code}.{name} is set twice in one parameter layer (as {code}.{name} and under members)")
            nested = _merge(nested, {"members": given})
        merged = _merge(merged, nested)
    merged["members"] = {str(code).upper(): values for code, values in (merged.get("members") or {}).items()}
    for code in merged["members"]:
        if code not in member_codes:
            raise InputError(f"unknown member code {code!r} in parameters (valid: {' '.join(sorted(member_codes))})")
    try:
        return Parameters(**merged)
    except ValidationError as exc:
        raise InputError(f"invalid parameter {validation_message(exc, unknown='unknown parameter')}") from None
    except TypeError as exc:  # e.g. a non-string key
        raise InputError(f"invalid parameters: {exc}") from None


def parse_set_option(items: list[str]) -> dict[str, float]:
    """Parse repeated ``--set name=value`` options into a flat mapping."""
    out: dict[str, float] = {}
    for item in items:
        if "=" not in item:
            raise InputError(f"--set expects name=value, got {item!r}")
        name, raw = (part.strip() for part in item.split("=", 1))
        try:
            value = float(raw)
        except ValueError:
            raise InputError(f"--set {name}: {raw!r} is not a number") from None
        if not np.isfinite(value):
            raise InputError(f"--set {name}: value must be finite")
        out[name] = value
    return out


def load_params_file(path: str | Path) -> dict[str, Any]:
    """Read a YAML parameter file (global values and a ``members`` mapping)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"parameter file not found: {path}")
    data = read_yaml(path)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(f"{path}: a parameter file must be a mapping")
    return data


def write_params_file(params: Parameters, path: str | Path, header: str = "") -> None:
    """Write a parameter file that ``cohesion run --params`` accepts."""
    body: dict[str, Any] = {spec.name: float(getattr(params, spec.name)) for spec in PARAM_SPECS}
    members = {code: over.model_dump(exclude_none=True) for code, over in sorted(params.members.items())}
    members = {code: values for code, values in members.items() if values}
    if members:
        body["members"] = members
    text = yaml.safe_dump(body, sort_keys=False)
    if header:
        text = "".join(f"# {line}\n" for line in header.splitlines()) + text
    Path(path).write_text(text, encoding="utf-8")
