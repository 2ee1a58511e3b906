"""The vectorized ensemble engine: all runs of a chunk advance at once as arrays.

Per week there is no Python loop over runs or members: one call of each core
function on (runs, members, issues) arrays. Random numbers come from each
run's own streams, drawn once per chunk before the first step (the same
values, in the same order, that the Mesa shell draws week by week).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from cohesion.constants import ISSUES
from cohesion.core import rule
from cohesion.core.environment import Realization, draw_realization, environment_at
from cohesion.ensemble import EnsembleResult, Recorder
from cohesion.seeding import stream
from cohesion.world import World

#: Upper bound on the noise drawn ahead for one chunk (float32 values), about 128 MB.
NOISE_BUDGET = 32_000_000


def chunk_size(world: World, runs: int) -> int:
    """Runs per chunk so that the pre-drawn noise stays within the budget."""
    per_run = max(1, world.horizon * world.members.n * len(ISSUES))
    return max(1, min(runs, NOISE_BUDGET // per_run))


def draw_chunk(world: World, seed: int, first: int, count: int) -> tuple[np.ndarray, Realization]:
    """Each run's noise (count, T, N, K) and event realization, from its own streams."""
    name = world.scenario.name
    shape = (world.horizon, world.members.n, len(ISSUES))
    noise = np.empty((count,) + shape, dtype=np.float32)
    occurs = np.empty((count, len(world.events)), dtype=bool)
    magnitude = np.empty((count, len(world.events)))
    for i in range(count):  # set-up per run, outside the weekly loop
        noise[i] = stream(seed, name, first + i, "noise").standard_normal(shape, dtype=np.float32)
        occurs[i], magnitude[i] = draw_realization(world.events, stream(seed, name, first + i, "events"))
    return noise, Realization(occurs, magnitude)


def simulate_vectorized(world: World, runs: int, seed: int, progress: Callable[[int], None] | None = None) -> EnsembleResult:
    """Simulate ``runs`` replicates of ``world`` in chunks of whole-array steps."""
    recorder = Recorder(world, runs)
    size = chunk_size(world, runs)
    for first in range(0, runs, size):
        count = min(size, runs - first)
        _simulate_chunk(world, seed, first, count, recorder)
        if progress is not None:
            progress(count)
    return recorder.result(seed, "vectorized")


def _simulate_chunk(world: World, seed: int, first: int, count: int, recorder: Recorder) -> None:
    params = world.params
    mp = world.member_params
    d = world.run_drivers(seed, first, count)  # (count, N) each: this chunk's runs' drivers
    noise, realization = draw_chunk(world, seed, first, count)
    noise *= params.noise_sd
    rows = slice(first, first + count)
    n, k = world.members.n, len(ISSUES)
    stance = np.broadcast_to(world.initial_stance, (count, n, k)).copy()
    # Attribution is linear with member-level rates: track it on the mean over this chunk's runs.
    tracked = np.zeros((len(rule.TRACKED), n, k))
    tracked[rule.ANCHOR] = world.initial_stance
    recorder.record(rows, 0, stance)
    eu_member = world.members.eu_member.astype(float)
    for week in range(1, world.horizon + 1):
        env = environment_at(
            week, count, world.scenario.threat_level, world.eu_line0, params.eu_weight, n, world.events, realization
        )
        energy, threat, trust = rule.perceive(
            d.energy_dependence,
            d.threat_perception,
            d.leadership_trust,
            env.gas_cut,
            env.threat_level - world.scenario.threat_level,
            env.hybrid_pressure,
            env.leadership_credibility,
            params.gas_salience_gain,
            params.threat_escalation_gain,
        )
        terms = rule.driver_terms(
            energy, threat, trust, world.references, mp["energy_weight"], mp["threat_weight"], mp["leadership_weight"]
        )
        target = rule.target_stance(terms, world.sensitivity, params.baseline_stance)
        peer = rule.peer_mean(world.peer_weights, stance, env.eu_line, env.eu_weight[:, None] * eu_member)
        tracked = rule.update_attribution(
            tracked, rule.target_parts(terms, target, world.sensitivity), peer.mean(axis=0), world.initial_stance,
            mp["adjustment_rate"], mp["peer_weight"], mp["anchor_weight"],
        )
        stance = rule.update_stance(
            stance, target, peer, world.initial_stance,
            mp["adjustment_rate"], mp["peer_weight"], mp["anchor_weight"],
            env.stance_shock, noise[:, week - 1],
        )
        recorder.record(rows, week, stance)
    recorder.finish(rows, stance, tracked * count)
