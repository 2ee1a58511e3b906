"""Everything a simulation needs, resolved once from data, parameters and a scenario.

``build_world`` merges and validates the parameter layers, compiles the
scenario's events against the members and horizon, computes the structural
drivers, the peer matrix and the initial stances. Both engines take a
``World``; nothing here imports Mesa.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from cohesion.constants import EU_ISSUES, ISSUES, LEADERS
from cohesion.core import rule
from cohesion.core.drivers import Drivers, structural_drivers
from cohesion.core.environment import CompiledEvent
from cohesion.core.metrics import ScoringRule, acceptance_window
from cohesion.core.peers import capability, capital_distances_km, issue_salience, peer_matrix, shared_groups
from cohesion.errors import InputError
from cohesion.inputs import Members, Position, data_path, eu_stance, load_members, load_positions, stance_table
from cohesion.params import MEMBER_PARAM_NAMES, Parameters, build_parameters
from cohesion.scenarios import ScenarioSpec, compile_events


def load_sensitivity() -> np.ndarray:
    """Issue sensitivities (3, K) to energy, threat and leadership (judged; data/issue_sensitivity.csv)."""
    with data_path("issue_sensitivity.csv").open(encoding="utf-8", newline="") as handle:
        rows = {r["issue"]: r for r in csv.DictReader(handle)}
    if set(rows) != set(ISSUES):
        raise InputError("issue_sensitivity.csv must list every issue exactly once")
    return np.array([[float(rows[k][driver]) for k in ISSUES] for driver in ("energy", "threat", "leadership")])


@dataclass(frozen=True)
class World:
    """A resolved, validated simulation set-up for one scenario and parameter set."""

    scenario: ScenarioSpec
    scenario_hash: str
    members: Members
    params: Parameters
    horizon: int
    drivers: Drivers
    references: np.ndarray  # (3,)
    sensitivity: np.ndarray  # (3, K)
    peer_weights: np.ndarray  # (K, N, N) per issue
    capability: np.ndarray  # (N,) shares of alliance capability
    salience: np.ndarray  # (N, K) how much each issue matters to each member
    acceptance_window: np.ndarray  # (N, K) half-width of each member's acceptance window
    proposal0: np.ndarray  # (K,) the leaders' proposal before any event
    leaders: np.ndarray  # (N,) bool
    initial_stance: np.ndarray  # (N, K)
    from_article: np.ndarray  # (N, K) bool: initial stance taken from the article
    eu_line0: np.ndarray  # (K,)
    events: tuple[CompiledEvent, ...]
    member_params: dict[str, np.ndarray] = field(default_factory=dict)  # name -> (N,)

    @property
    def scoring(self) -> ScoringRule:
        """Acceptance windows, EU membership and vote thresholds for the scores."""
        return ScoringRule(
            window=self.acceptance_window,
            eu_member=self.members.eu_member,
            eu_issues=np.isin(np.array(ISSUES), EU_ISSUES),
            vote_yes_threshold=self.params.vote_yes_threshold,
            vote_no_threshold=self.params.vote_no_threshold,
        )

    @property
    def bounds(self) -> dict[str, float]:
        """The bounded-confidence parameters, as ``rule.peer_mean`` takes them."""
        p = self.params
        return {
            "confidence_bound": p.confidence_bound,
            "repulsion_bound": p.repulsion_bound,
            "repulsion_strength": p.repulsion_strength,
        }


def initial_stances(
    drivers: Drivers,
    references: np.ndarray,
    sensitivity: np.ndarray,
    params: Parameters,
    codes: tuple[str, ...],
    positions: tuple[Position, ...],
) -> tuple[np.ndarray, np.ndarray]:
    """Initial stances: the article's where it speaks, the week-0 target elsewhere."""
    terms = rule.driver_terms(
        drivers.energy_dependence,
        drivers.threat_perception,
        drivers.leadership_trust,
        references,
        params.member_array("energy_weight", codes),
        params.member_array("threat_weight", codes),
        params.member_array("leadership_weight", codes),
    )
    target = rule.target_stance(terms, sensitivity, params.baseline_stance)
    article = stance_table(positions, codes)
    from_article = ~np.isnan(article)
    return np.where(from_article, article, target), from_article


def build_world(
    scenario: ScenarioSpec,
    scenario_hash: str,
    param_layers: list[Mapping[str, Any]] | None = None,
    horizon: int | None = None,
    members: Members | None = None,
    positions: tuple[Position, ...] | None = None,
    drivers: Drivers | None = None,
) -> World:
    """Resolve a scenario and parameter layers into a ``World``.

    Args:
        scenario: The validated scenario.
        scenario_hash: SHA-256 of the scenario file (for provenance).
        param_layers: Sparse parameter mappings applied after the scenario's
            own ``params`` (e.g. a ``--params`` file, then ``--set`` values).
        horizon: Weeks to simulate; the scenario's ``weeks`` when None.
        members: Member data (the shipped data when None).
        positions: The article's positions (the shipped table when None).
        drivers: Structural drivers (computed from ``members`` when None), e.g. to
            test what the member data contribute.
    """
    members = members if members is not None else load_members()
    positions = positions if positions is not None else load_positions()
    horizon = scenario.weeks if horizon is None else horizon
    if horizon < 1:
        raise InputError("the horizon must be at least 1 week")
    params = build_parameters([scenario.params, *(param_layers or [])], members.codes)
    drivers = structural_drivers(members) if drivers is None else drivers
    references = np.array(
        [drivers.energy_dependence.mean(), drivers.threat_perception.mean(), drivers.leadership_trust.mean()]
    )
    sensitivity = load_sensitivity()
    salience = issue_salience(
        np.stack([drivers.energy_dependence, drivers.threat_perception, drivers.leadership_trust], axis=-1), sensitivity
    )
    capabilities = capability(members)
    peers = peer_matrix(
        capital_distances_km(members.capital_lat, members.capital_lon),
        members.eu_member,
        shared_groups(members),
        params.distance_scale_km,
        params.eu_peer_bonus,
        params.group_peer_bonus,
        capabilities,
        salience,
        params.influence_capability_exponent,
        params.influence_salience_exponent,
    )
    x0, from_article = initial_stances(drivers, references, sensitivity, params, members.codes, positions)
    eu_article = eu_stance(positions)
    eu_members_mean = x0[members.eu_member].mean(axis=0)
    eu_line0 = np.where(np.isnan(eu_article), eu_members_mean, eu_article)
    return World(
        scenario=scenario,
        scenario_hash=scenario_hash,
        members=members,
        params=params,
        horizon=horizon,
        drivers=drivers,
        references=references,
        sensitivity=sensitivity,
        peer_weights=peers,
        capability=capabilities,
        salience=salience,
        acceptance_window=acceptance_window(salience, params.acceptance_tolerance, params.acceptance_salience_tightening),
        proposal0=np.ones(len(ISSUES)),
        leaders=np.isin(np.array(members.codes), LEADERS),
        initial_stance=x0,
        from_article=from_article,
        eu_line0=eu_line0,
        events=compile_events(scenario, members, horizon),
        member_params={name: params.member_array(name, members.codes) for name in MEMBER_PARAM_NAMES},
    )
