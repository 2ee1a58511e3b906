"""The Mesa model: the alliance of 30 ``MemberAgent``s in Russia's environment.

A thin shell over the pure core: the model owns the week counter, the
environment (scenario events) and the run's random streams; agents do the
rest through ``cohesion.core.rule``. Week 0 is the initial state; each
``step()`` computes the next week.
"""

from __future__ import annotations

import numpy as np

from cohesion.constants import ISSUES
from cohesion.core import rule
from cohesion.core.environment import Realization, draw_realization, environment_at
from cohesion.engines.mesa_shell._mesa import mesa
from cohesion.engines.mesa_shell.agents import MemberAgent
from cohesion.seeding import stream
from cohesion.world import World


class AllianceModel(mesa.Model):
    """One run of one scenario."""

    def __init__(self, world: World, seed: int, run: int = 0):
        name = world.scenario.name
        super().__init__(rng=stream(seed, name, run, "mesa"))
        self.world = world
        self.week = 0
        self.proposal = world.proposal0[None].copy()  # (1, K): the leaders' proposal this week
        self._noise_rng = stream(seed, name, run, "noise")
        occurs, magnitude = draw_realization(world.events, stream(seed, name, run, "events"))
        self.realization = Realization(occurs[None], magnitude[None])
        self.members = [MemberAgent(self, i) for i in range(world.members.n)]

    def stance_matrix(self) -> np.ndarray:
        """Stances of all members in member order, (1, N, K)."""
        return np.concatenate([agent.stance for agent in self.members], axis=1)

    def components(self) -> np.ndarray:
        """Attribution components of all members, (C, N, K); they sum to the stances."""
        tracked = np.concatenate([agent.tracked for agent in self.members], axis=1)
        return rule.full_components(tracked, self.stance_matrix()[0])

    def step(self) -> None:
        """Advance one week: environment, perception, simultaneous decisions."""
        world = self.world
        self.week += 1
        env = environment_at(
            self.week, 1, world.scenario.threat_level, world.eu_line0, world.params.eu_weight,
            world.members.n, world.events, self.realization, world.proposal0,
        )
        self.proposal = env.proposal
        noise = self._noise_rng.standard_normal((1, world.members.n, len(ISSUES)), dtype=np.float32) * world.params.noise_sd
        alliance = self.stance_matrix()
        self.agents.do("perceive", env)
        self.agents.do("decide", env, alliance, noise)
        self.agents.do("commit")
