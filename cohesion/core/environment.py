"""Russia as the environment: the weekly state that scenario events change.

A scenario's events are compiled (``cohesion.scenarios``) into
``CompiledEvent`` records with member and issue masks; each run draws whether
a stochastic event happens and its magnitude once, before the first step,
from its own ``events`` stream. ``environment_at`` then gives the environment
of any week as arrays over runs, with no loop over runs or members.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Event types and what they change (docs/model.md, "Scenarios and events").
EVENT_TYPES: dict[str, str] = {
    "threat_level": "Russia's threat level r (set or shift); moves every member's threat perception",
    "gas_supply": "Share of Russian gas cut for the targets (0-1); magnifies their energy dependence",
    "hybrid_attack": "Cyber attacks and disinformation against the targets; adds to their threat perception",
    "leadership_credibility": "Shift of the targets' credibility multiplier on trust in U.S.-UK leadership",
    "eu_line": "The EU institutions' stance on the given issues (set or shift)",
    "eu_weight": "Shift of the EU institutions' share in EU members' peer pull",
    "stance_shock": "One-off shift of the targets' stances on the given issues in that week",
    "proposal": "The U.S.-UK proposal on the given issues (set or shift; 1 = their line of 27 Jan 2022)",
}


@dataclass(frozen=True)
class CompiledEvent:
    """One scenario event resolved against the members and issues."""

    kind: str
    start: int
    end: int  # first week no longer affected (horizon + 1 when permanent)
    members: np.ndarray  # (N,) bool
    issues: np.ndarray  # (K,) bool
    mode: str  # "shift" or "set"
    magnitude: float
    magnitude_sd: float
    probability: float


@dataclass(frozen=True)
class Realization:
    """Per-run draws of the events: whether each happens and with what magnitude, (R, n_events)."""

    occurs: np.ndarray
    magnitude: np.ndarray


def draw_realization(events: tuple[CompiledEvent, ...], rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Draw one run's event outcomes from its events stream.

    Two numbers are drawn per event, in scenario order, whether or not the
    event is stochastic, so adding an event never shifts another's draws.
    """
    draws_u = np.empty(len(events))
    draws_z = np.empty(len(events))
    for j in range(len(events)):
        draws_u[j] = rng.random()
        draws_z[j] = rng.standard_normal()
    occurs = np.array([u < ev.probability for u, ev in zip(draws_u, events)], dtype=bool)
    magnitude = np.array([ev.magnitude + ev.magnitude_sd * z for z, ev in zip(draws_z, events)])
    return occurs, magnitude


@dataclass
class Environment:
    """The environment of one week, over R runs."""

    threat_level: np.ndarray  # (R,)
    gas_cut: np.ndarray  # (R, N)
    hybrid_pressure: np.ndarray  # (R, N)
    leadership_credibility: np.ndarray  # (R, N)
    eu_line: np.ndarray  # (R, K)
    eu_weight: np.ndarray  # (R,)
    stance_shock: np.ndarray | float  # (R, N, K) or 0.0
    proposal: np.ndarray  # (R, K)


def environment_at(
    week: int,
    runs: int,
    threat_level0: float,
    eu_line0: np.ndarray,
    eu_weight0: float | np.ndarray,
    n_members: int,
    events: tuple[CompiledEvent, ...],
    realization: Realization,
    proposal0: np.ndarray | None = None,
) -> Environment:
    """The environment in ``week`` for every run, events applied in scenario order.

    ``proposal0`` is the leaders' proposal before any event (their line, 1 on every issue, when None).
    """
    n_issues = eu_line0.shape[-1]
    proposal0 = np.ones(n_issues) if proposal0 is None else proposal0
    env = Environment(
        threat_level=np.full(runs, float(threat_level0)),
        gas_cut=np.zeros((runs, n_members)),
        hybrid_pressure=np.zeros((runs, n_members)),
        leadership_credibility=np.ones((runs, n_members)),
        eu_line=np.broadcast_to(eu_line0, (runs, n_issues)).copy(),
        eu_weight=np.broadcast_to(np.asarray(eu_weight0, dtype=float), (runs,)).copy(),
        stance_shock=0.0,
        proposal=np.broadcast_to(proposal0, (runs, n_issues)).copy(),
    )
    for j, ev in enumerate(events):
        if not ev.start <= week < ev.end:
            continue
        on = realization.occurs[:, j]
        value = realization.magnitude[:, j]
        if ev.kind == "threat_level":
            env.threat_level = np.where(on, value, env.threat_level) if ev.mode == "set" else env.threat_level + on * value
        elif ev.kind == "gas_supply":
            env.gas_cut = env.gas_cut + (on * value)[:, None] * ev.members
        elif ev.kind == "hybrid_attack":
            env.hybrid_pressure = env.hybrid_pressure + (on * value)[:, None] * ev.members
        elif ev.kind == "leadership_credibility":
            env.leadership_credibility = env.leadership_credibility + (on * value)[:, None] * ev.members
        elif ev.kind in ("eu_line", "proposal"):
            mask = on[:, None] & ev.issues[None, :]
            line = env.eu_line if ev.kind == "eu_line" else env.proposal
            line = np.where(mask, value[:, None], line) if ev.mode == "set" else line + mask * value[:, None]
            if ev.kind == "eu_line":
                env.eu_line = line
            else:
                env.proposal = line
        elif ev.kind == "eu_weight":
            env.eu_weight = env.eu_weight + on * value
        elif ev.kind == "stance_shock":
            env.stance_shock = env.stance_shock + (on * value)[:, None, None] * (ev.members[:, None] & ev.issues[None, :])
        else:  # pragma: no cover - the scenario schema admits only registered types
            raise ValueError(f"unknown event type {ev.kind}")
    env.threat_level = np.clip(env.threat_level, 0.0, 1.0)
    env.gas_cut = np.clip(env.gas_cut, 0.0, 1.0)
    env.hybrid_pressure = np.clip(env.hybrid_pressure, 0.0, 1.0)
    env.leadership_credibility = np.clip(env.leadership_credibility, 0.0, 2.0)
    env.eu_line = np.clip(env.eu_line, 0.0, 1.0)
    env.eu_weight = np.clip(env.eu_weight, 0.0, 1.0)
    env.proposal = np.clip(env.proposal, 0.0, 1.0)
    return env
