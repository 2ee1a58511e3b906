"""Mesa agents: one ``MemberAgent`` per NATO member.

The agent holds its own drivers, parameters, stance and attribution
components; each week it perceives the environment, decides its next stance
from its peers' current stances, and commits (simultaneous activation). All
arithmetic is delegated to ``cohesion.core.rule`` on the agent's own slice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from cohesion.core import rule
from cohesion.core.drivers import Drivers
from cohesion.engines.mesa_shell._mesa import mesa
from cohesion.core.environment import Environment
from cohesion.world import held_offset

if TYPE_CHECKING:  # pragma: no cover
    from cohesion.engines.mesa_shell.model import AllianceModel


class MemberAgent(mesa.Agent):
    """A NATO member weighing energy dependence, threat, U.S.-UK leadership and its peers."""

    def __init__(self, model: "AllianceModel", index: int):
        super().__init__(model)
        world = model.world
        members = world.members
        self.index = index
        self.code = members.codes[index]
        self.country = members.names[index]
        self.eu_member = bool(members.eu_member[index])
        row = slice(index, index + 1)
        self.energy_dependence = model.drivers.energy_dependence[0, row]
        self.threat_perception = model.drivers.threat_perception[0, row]
        self.leadership_trust = model.drivers.leadership_trust[0, row]
        self.params = {name: values[row] for name, values in world.member_params.items()}
        self.peer_row = world.peer_weights[..., row, :]  # (K, 1, N)
        self.anchor = world.initial_stance[row]
        self.stance = world.initial_stance[row][None].copy()  # (1, 1, K)
        self.tracked = np.zeros((len(rule.TRACKED), 1, self.anchor.shape[-1]))
        self.tracked[rule.TRACKED.index(rule.ANCHOR)] = self.stance
        own_drivers = Drivers(self.energy_dependence[None], self.threat_perception[None], self.leadership_trust[None])
        calm_eu_share = np.array([[world.params.eu_weight * float(self.eu_member)]])
        self.offset = held_offset(
            world, own_drivers, self.params, world.params.baseline_stance, world.params.position_persistence,
            self.peer_row, world.initial_stance[None], self.stance, world.eu_line0[None], calm_eu_share,
        )  # (1, 1, K): what this member's drivers and peers leave unexplained of its initial stance
        self.perceived: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._staged: tuple[np.ndarray, np.ndarray] | None = None

    def perceive(self, env: Environment) -> None:
        """Effective energy dependence, threat perception and trust under this week's environment."""
        world = self.model.world
        row = slice(self.index, self.index + 1)
        self.perceived = rule.perceive(
            self.energy_dependence[None],
            self.threat_perception[None],
            self.leadership_trust[None],
            env.gas_cut[:, row],
            env.threat_level - world.scenario.threat_level,
            env.hybrid_pressure[:, row],
            env.leadership_credibility[:, row],
            world.params.gas_salience_gain,
            world.params.threat_escalation_gain,
        )

    def decide(self, env: Environment, alliance_stance: np.ndarray, noise: np.ndarray) -> None:
        """Stage next week's stance from this week's stances of all members (not yet committed)."""
        world = self.model.world
        row = slice(self.index, self.index + 1)
        energy, threat, trust = self.perceived
        terms = rule.driver_terms(
            energy, threat, trust, world.references,
            self.params["energy_weight"], self.params["threat_weight"], self.params["leadership_weight"],
        )
        driven = rule.target_stance(terms, world.sensitivity, world.params.baseline_stance)
        target = rule.held_target(driven, self.offset)
        eu_share = env.eu_weight[:, None] * float(self.eu_member)
        peer = rule.peer_mean(self.peer_row, alliance_stance, env.eu_line, eu_share, self.stance, **world.bounds)
        shock = env.stance_shock if np.isscalar(env.stance_shock) else env.stance_shock[:, row]
        mp = self.params
        self._staged = (
            rule.update_attribution(
                self.tracked, rule.target_parts(terms, driven, target, world.sensitivity), peer[0], self.anchor,
                mp["adjustment_rate"], mp["peer_weight"], mp["anchor_weight"],
            ),
            rule.update_stance(
                self.stance, target, peer, self.anchor,
                mp["adjustment_rate"], mp["peer_weight"], mp["anchor_weight"], shock, noise[:, row],
            ),
        )

    def commit(self) -> None:
        """Adopt the staged stance."""
        self.tracked, self.stance = self._staged
        self._staged = None
