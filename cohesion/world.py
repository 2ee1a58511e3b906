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
from cohesion.seeding import stream


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
    driver_source: str = "measured"
    driver_draws: Drivers | None = None  # (D, N) posterior draws; None: every run uses ``drivers``

    def run_drivers(self, seed: int, first: int, count: int) -> Drivers:
        """The structural drivers of runs ``first .. first + count - 1``, each (count, N).

        With driver uncertainty, run ``r`` takes posterior draw ``d_r``, one integer
        from its ``drivers`` stream (the same draw for all members and drivers, so
        the joint posterior is kept). That stream is shared by all scenarios
        (``DRIVER_STREAM_SCOPE``): run ``r`` of every scenario sees the same
        drivers, so scenarios compare run by run under common measurement error.
        Without driver uncertainty every run takes the point drivers.
        """
        n = self.members.n
        if self.driver_draws is None:
            return Drivers(*(np.broadcast_to(v, (count, n)) for v in self.drivers.__dict__.values()))
        available = self.driver_draws.energy_dependence.shape[0]
        chosen = [int(stream(seed, DRIVER_STREAM_SCOPE, first + i, "drivers").integers(available)) for i in range(count)]
        return Drivers(*(v[chosen] for v in self.driver_draws.__dict__.values()))

    def calm_target(self) -> np.ndarray:
        """The targets members pursue in the week-0 environment with the point drivers, (N, K).

        The driver target plus the held part of the initial stances (``rule.position_offset``);
        with ``position_persistence`` 1 the initial stances are the fixed point it implies.
        """
        mp, p = self.member_params, self.params
        x0 = self.initial_stance[None]
        eu_share = (p.eu_weight * self.members.eu_member.astype(float))[None]
        offset = held_offset(self, self.drivers, mp, p.baseline_stance, p.position_persistence, self.peer_weights, x0, x0,
                             self.eu_line0[None], eu_share)[0]
        return rule.held_target(driver_target(self.drivers, self.references, self.sensitivity, mp, p.baseline_stance), offset)

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


def driver_target(
    drivers: Drivers,
    references: np.ndarray,
    sensitivity: np.ndarray,
    member_params: Mapping[str, np.ndarray],
    baseline_stance: float | np.ndarray,
) -> np.ndarray:
    """What the drivers alone make members aim at under the week-0 environment, ``x*(0)``, (..., N, K).

    Args:
        drivers: Structural drivers, (N,) each or (R, N) for a run axis.
        references: (3,) alliance reference levels of the drivers.
        sensitivity: (3, K) issue sensitivities.
        member_params: Member parameters by name, (N,) or (R, N).
        baseline_stance: ``b``, a scalar or (R, 1, 1).
    """
    terms = rule.driver_terms(
        drivers.energy_dependence,
        drivers.threat_perception,
        drivers.leadership_trust,
        references,
        member_params["energy_weight"],
        member_params["threat_weight"],
        member_params["leadership_weight"],
    )
    return rule.target_stance(terms, sensitivity, baseline_stance)


def held_offset(
    world: World,
    drivers: Drivers,
    member_params: Mapping[str, np.ndarray],
    baseline_stance: float | np.ndarray,
    persistence: float | np.ndarray,
    peer_weights: np.ndarray,
    alliance_stance: np.ndarray,
    own_stance: np.ndarray,
    eu_line: np.ndarray,
    eu_share: np.ndarray,
) -> np.ndarray:
    """The held part ``u`` of the initial stances of the pulled members (``rule.position_offset``).

    One composition for both engines and ``World.calm_target``: the members'
    driver targets and their peers' pull in the week-0 environment, with the
    initial stances both as the alliance's (``alliance_stance``, (R, N, K)) and
    as the pulled members' own (``own_stance``, (R, N', K)); ``peer_weights``,
    ``eu_share`` (R, N') and the member parameters are those of the pulled
    members, ``drivers`` theirs too.
    """
    peer = rule.peer_mean(peer_weights, alliance_stance, eu_line, eu_share, own_stance, **world.bounds)
    driven = driver_target(drivers, world.references, world.sensitivity, member_params, baseline_stance)
    return rule.position_offset(
        own_stance, driven, peer, member_params["peer_weight"], member_params["anchor_weight"], persistence
    )


def initial_stances(
    drivers: Drivers,
    references: np.ndarray,
    sensitivity: np.ndarray,
    params: Parameters,
    codes: tuple[str, ...],
    positions: tuple[Position, ...],
) -> tuple[np.ndarray, np.ndarray]:
    """Initial stances: the coded positions where they speak, the week-0 target elsewhere."""
    weights = {name: params.member_array(name, codes) for name in ("energy_weight", "threat_weight", "leadership_weight")}
    target = driver_target(drivers, references, sensitivity, weights, params.baseline_stance)
    article = stance_table(positions, codes)
    from_article = ~np.isnan(article)
    return np.where(from_article, article, target), from_article


#: The scope of the ``drivers`` stream in place of a scenario name: one draw per run for all scenarios.
DRIVER_STREAM_SCOPE = "all-scenarios"
#: Where the structural drivers come from (``--drivers``).
DRIVER_SOURCES = ("measured", "legacy")


def driver_values(source: str, members: Members) -> tuple[Drivers, Drivers | None]:
    """Point drivers (N,) and, for measured drivers, their posterior draws (D, N)."""
    if source == "legacy":
        return structural_drivers(members), None
    if source == "measured":
        from cohesion.measurement.store import measured_drivers

        return measured_drivers(members.codes)
    raise InputError(f"unknown driver source {source!r} (known: {', '.join(DRIVER_SOURCES)})")


def build_world(
    scenario: ScenarioSpec,
    scenario_hash: str,
    param_layers: list[Mapping[str, Any]] | None = None,
    horizon: int | None = None,
    members: Members | None = None,
    positions: tuple[Position, ...] | None = None,
    drivers: Drivers | None = None,
    driver_source: str = "measured",
    driver_uncertainty: bool = True,
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
        drivers: Point drivers overriding ``driver_source`` (every run uses them,
            without draws), e.g. to test what the member data contribute.
        driver_source: ``measured`` (latent scores from indicators.csv, docs/model.md 3.2)
            or ``legacy`` (the hand-weighted proxies of ``cohesion.core.drivers``).
        driver_uncertainty: Whether each run draws its drivers from the measured
            posterior (ignored for ``legacy``, which has no distribution).
    """
    members = members if members is not None else load_members()
    positions = positions if positions is not None else load_positions()
    horizon = scenario.weeks if horizon is None else horizon
    if horizon < 1:
        raise InputError("the horizon must be at least 1 week")
    params = build_parameters([scenario.params, *(param_layers or [])], members.codes)
    point, draws = driver_values(driver_source, members) if drivers is None else (drivers, None)
    references = np.array(
        [point.energy_dependence.mean(), point.threat_perception.mean(), point.leadership_trust.mean()]
    )
    sensitivity = load_sensitivity()
    salience = issue_salience(
        np.stack([point.energy_dependence, point.threat_perception, point.leadership_trust], axis=-1), sensitivity
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
    x0, from_article = initial_stances(point, references, sensitivity, params, members.codes, positions)
    eu_article = eu_stance(positions)
    eu_members_mean = x0[members.eu_member].mean(axis=0)
    eu_line0 = np.where(np.isnan(eu_article), eu_members_mean, eu_article)
    return World(
        scenario=scenario,
        scenario_hash=scenario_hash,
        members=members,
        params=params,
        horizon=horizon,
        drivers=point,
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
        driver_source=driver_source if drivers is None else "given",
        driver_draws=draws if driver_uncertainty else None,
    )
