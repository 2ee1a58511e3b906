"""The vectorized ensemble engine: all runs of a chunk advance at once as arrays.

Per week there is no Python loop over runs or members: one call of each core
function on (runs, members, issues) arrays. Random numbers come from each
run's own streams, drawn once per chunk before the first step (the same
values, in the same order, that the Mesa shell draws week by week).

Everything a parameter set changes in the weekly step is gathered in
``RunInputs``: for one world it keeps the world's shapes, for a batch of
design points (``simulate_points``) it carries a leading run axis, so one
chunk can hold runs of many parameter sets. BLAS runs on one thread while
an engine simulates (``one_blas_thread``): the small matrix products gain
nothing from a second thread, which only competes with other work.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Callable, Iterable, Iterator, Sequence

import numpy as np

from cohesion.constants import ISSUES
from cohesion.core import rule
from cohesion.core.drivers import Drivers
from cohesion.core.environment import Realization, draw_realization, environment_at
from cohesion.ensemble import EnsembleResult, Recorder
from cohesion.seeding import stream
from cohesion.world import World, held_offset

#: Upper bound on the noise drawn ahead for one chunk (float32 values), about 128 MB.
NOISE_BUDGET = 32_000_000
#: Runs per chunk, from benchmarks/bench_chunks.py: 500 to 3,418 runs cost within a few per cent
#: of each other in CPU time per run (250 about 15 % more, 100 about 30 %); 500 leaves chunks to
#: share between worker processes.
CHUNK_RUNS = 500


def chunk_size(world: World, runs: int) -> int:
    """Runs per chunk: ``CHUNK_RUNS``, fewer if the pre-drawn noise would exceed its budget."""
    per_run = max(1, world.horizon * world.members.n * len(ISSUES))
    return max(1, min(runs, CHUNK_RUNS, NOISE_BUDGET // per_run))


def run_chunks(world: World, runs: int) -> list[tuple[int, int]]:
    """(first run, number of runs) of each chunk; they depend on the world and ``runs`` only."""
    size = chunk_size(world, runs)
    return [(first, min(size, runs - first)) for first in range(0, runs, size)]


@lru_cache(maxsize=1)
def _blas_controller():  # type: ignore[no-untyped-def]
    # Finding the loaded BLAS libraries takes milliseconds; numpy's (the one the engine calls) is
    # loaded by now, so look once.
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Limit BLAS to one thread inside the block only (threadpoolctl); the previous limits return after."""
    with _blas_controller().limit(limits=1, user_api="blas"):
        yield


@dataclass(frozen=True)
class RunInputs:
    """What a parameter set sets in the weekly step, broadcastable over the runs of a chunk.

    From one world (``of_world``) the fields keep the world's shapes: scalars,
    (N,) member parameters, (N, N) peer weights, (N, K) initial stances, (K,)
    EU line. From a batch (``stack``) each has a leading run axis: (R, 1, 1, 1)
    noise scale, (R, 1, 1) baseline stance and position persistence, (R,) EU
    weight, (R, 1) gains, (R, N) member parameters, (R, N, N) peer weights (or
    the shared (N, N) when every point has the same), (R, N, K) initial
    stances, (R, K) EU line.
    """

    noise_sd: float | np.ndarray
    baseline_stance: float | np.ndarray
    position_persistence: float | np.ndarray
    eu_weight: float | np.ndarray
    gas_salience_gain: float | np.ndarray
    threat_escalation_gain: float | np.ndarray
    member_params: dict[str, np.ndarray]
    peer_weights: np.ndarray
    initial_stance: np.ndarray
    eu_line0: np.ndarray
    bounds: dict[str, float]  # bounded-confidence parameters, shared by every run of a chunk

    @classmethod
    def of_world(cls, world: World) -> "RunInputs":
        """The inputs of every run of one world."""
        p = world.params
        return cls(
            p.noise_sd, p.baseline_stance, p.position_persistence, p.eu_weight, p.gas_salience_gain, p.threat_escalation_gain,
            world.member_params, world.peer_weights, world.initial_stance, world.eu_line0, world.bounds,
        )

    @classmethod
    def stack(cls, worlds: Sequence[World], replicates: int) -> "RunInputs":
        """Inputs of ``replicates`` consecutive runs per world, worlds in order."""

        def per_run(values: Sequence[object]) -> np.ndarray:
            return np.repeat(np.asarray(values, dtype=float), replicates, axis=0)

        params = [w.params for w in worlds]
        if any(w.bounds != worlds[0].bounds for w in worlds):
            raise ValueError("a batch of points must share the bounded-confidence parameters")
        first = worlds[0].peer_weights
        shared_peers = all(np.array_equal(w.peer_weights, first) for w in worlds)
        return cls(
            # float32 like the noise it scales, as the one-world path multiplies it
            noise_sd=per_run([p.noise_sd for p in params]).astype(np.float32)[:, None, None, None],
            baseline_stance=per_run([p.baseline_stance for p in params])[:, None, None],
            position_persistence=per_run([p.position_persistence for p in params])[:, None, None],
            eu_weight=per_run([p.eu_weight for p in params]),
            gas_salience_gain=per_run([p.gas_salience_gain for p in params])[:, None],
            threat_escalation_gain=per_run([p.threat_escalation_gain for p in params])[:, None],
            member_params={name: per_run([w.member_params[name] for w in worlds]) for name in worlds[0].member_params},
            peer_weights=first if shared_peers else per_run([w.peer_weights for w in worlds]),
            initial_stance=per_run([w.initial_stance for w in worlds]),
            eu_line0=per_run([w.eu_line0 for w in worlds]),
            bounds=worlds[0].bounds,
        )


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


def simulate_vectorized(
    world: World, runs: int, seed: int, progress: Callable[[int], None] | None = None
) -> EnsembleResult:
    """Simulate ``runs`` replicates of ``world`` in chunks of whole-array steps (see ``simulate_ensembles``)."""
    return simulate_ensembles([world], runs, seed, progress)[0]


def simulate_ensembles(
    worlds: Sequence[World],
    runs: int,
    seed: int,
    progress: Callable[[int], None] | None = None,
    workers: int = 1,
) -> list[EnsembleResult]:
    """Simulate ``runs`` replicates of each world, chunk by chunk.

    Chunks are recorded apart (``record_chunk``), in this process or in
    ``workers`` processes (``cohesion.experiments.pool.run_in_pool``: every
    chunk of every world at once), and added to their world's record in run
    order. Each run draws from its own streams and the chunks do not depend
    on the workers, so the numbers are the same for any number of workers.
    """
    tasks = [((index, first), (world, seed, first, count))
             for index, world in enumerate(worlds) for first, count in run_chunks(world, runs)]
    if workers > 1:
        from cohesion.experiments.pool import run_in_pool

        finished: Iterable[tuple[tuple[int, int], Recorder]] = run_in_pool(record_chunk, tasks, workers)
    else:
        finished = ((key, record_chunk(*args)) for key, args in tasks)
    recorders = [Recorder(world, runs) for world in worlds]
    next_run = [0] * len(worlds)
    waiting: dict[tuple[int, int], Recorder] = {}
    for key, part in finished:
        waiting[key] = part
        index = key[0]
        while (index, next_run[index]) in waiting:  # add in run order, whatever order chunks finish in
            first = next_run[index]
            part = waiting.pop((index, first))
            recorders[index].add(slice(first, first + part.runs), part)
            next_run[index] = first + part.runs
            if progress is not None:
                progress(part.runs)
    return [recorder.result(seed, "vectorized") for recorder in recorders]


def record_chunk(world: World, seed: int, first: int, count: int) -> Recorder:
    """The record of runs ``first .. first + count - 1`` of ``world``, simulated on one BLAS thread."""
    recorder = Recorder(world, count)
    with one_blas_thread():
        noise, realization = draw_chunk(world, seed, first, count)
        _advance(world, RunInputs.of_world(world), world.run_drivers(seed, first, count), noise, realization, recorder)
    return recorder


def simulate_points(
    worlds: Sequence[World], seeds: Sequence[int], replicates: int
) -> tuple[np.ndarray, np.ndarray]:
    """Horizon stances and proposals of many design points of one scenario, simulated as one ensemble.

    Point ``p`` is the world ``worlds[p]`` (its own parameter set) run
    ``replicates`` times with root seed ``seeds[p]``; its run ``r`` draws from
    the streams of run ``r`` of that seed, so each point gets the numbers
    ``simulate_vectorized(worlds[p], replicates, seeds[p])`` gives it. Points
    are packed into chunks of about ``CHUNK_RUNS`` runs.

    Args:
        worlds: One world per point, all of one scenario at one horizon.
        seeds: One root seed per point.
        replicates: Runs per point.

    Returns:
        Final stances (points, replicates, N, K) and the leaders' final proposals (points, replicates, K).
    """
    if len(worlds) != len(seeds):
        raise ValueError("one seed per world is needed")
    if not worlds:
        raise ValueError("no design points to simulate")
    head = worlds[0]
    for world in worlds[1:]:
        if (world.scenario.name, world.scenario_hash, world.horizon) != (head.scenario.name, head.scenario_hash, head.horizon):
            raise ValueError("a batch of points must share one scenario and horizon")
        if not np.array_equal(world.references, head.references):  # every point is stepped with head's
            raise ValueError("a batch of points must share the drivers' reference levels")
    n, k = head.members.n, len(ISSUES)
    out = np.empty((len(worlds), replicates, n, k))
    proposals = np.empty((len(worlds), replicates, k))
    size = chunk_size(head, 10**12)
    if replicates > size:  # one point's replicates alone exceed a chunk: run each point in chunks of runs
        with one_blas_thread():
            for p, world in enumerate(worlds):
                for first, count in run_chunks(world, replicates):
                    noise, realization = draw_chunk(world, seeds[p], first, count)
                    drivers = world.run_drivers(seeds[p], first, count)
                    rows = slice(first, first + count)
                    out[p, rows], proposals[p, rows] = _advance(head, RunInputs.stack([world], count), drivers, noise,
                                                                realization)
        return out, proposals
    per_chunk = max(1, size // replicates)
    with one_blas_thread():
        for first in range(0, len(worlds), per_chunk):
            stop = min(first + per_chunk, len(worlds))
            draws = [draw_chunk(worlds[p], seeds[p], 0, replicates) for p in range(first, stop)]
            noise = np.concatenate([noise for noise, _ in draws])
            realization = Realization(
                np.concatenate([r.occurs for _, r in draws]), np.concatenate([r.magnitude for _, r in draws])
            )
            inputs = RunInputs.stack(worlds[first:stop], replicates)
            blocks = [worlds[p].run_drivers(seeds[p], 0, replicates) for p in range(first, stop)]
            drivers = Drivers(*(np.concatenate([getattr(b, f.name) for b in blocks]) for f in fields(Drivers)))
            stance, proposal = _advance(head, inputs, drivers, noise, realization)
            out[first:stop] = stance.reshape(stop - first, replicates, n, k)
            proposals[first:stop] = proposal.reshape(stop - first, replicates, k)
    return out, proposals


def _advance(
    world: World,
    inputs: RunInputs,
    drivers: Drivers,
    noise: np.ndarray,
    realization: Realization,
    recorder: Recorder | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Step every run of a chunk to the horizon; return the final stances (runs, N, K) and proposals (runs, K).

    ``drivers`` holds each run's structural drivers, (runs, N) each
    (``World.run_drivers``: posterior draws or the point drivers).

    With a ``recorder`` of the chunk's runs (one world: ``inputs`` from
    ``RunInputs.of_world``) each week's stances and the attribution are
    recorded; without one (a batch of design points) only the final stances
    are kept.
    """
    count = noise.shape[0]
    rows = slice(0, count)
    noise *= inputs.noise_sd
    d = drivers
    mp = inputs.member_params
    n, k = world.members.n, len(ISSUES)
    stance = np.broadcast_to(inputs.initial_stance, (count, n, k)).copy()
    eu_member = world.members.eu_member.astype(float)
    # What each run's own drivers and peers leave unexplained of the initial stances, held in the target.
    calm_eu_share = np.broadcast_to(np.asarray(inputs.eu_weight, dtype=float), (count,))[:, None] * eu_member
    calm_eu_line = np.broadcast_to(inputs.eu_line0, (count, k))
    offset = held_offset(world, d, mp, inputs.baseline_stance, inputs.position_persistence, inputs.peer_weights, stance,
                         stance, calm_eu_line, calm_eu_share)
    proposal = np.broadcast_to(world.proposal0, (count, k))
    if recorder is not None:
        # Attribution is linear with member-level rates: track it on the mean over this chunk's runs.
        tracked = np.zeros((len(rule.TRACKED), n, k))
        tracked[rule.ANCHOR] = world.initial_stance
        recorder.record(rows, 0, stance, proposal)
    for week in range(1, world.horizon + 1):
        env = environment_at(
            week, count, world.scenario.threat_level, inputs.eu_line0, inputs.eu_weight, n, world.events, realization,
            world.proposal0,
        )
        energy, threat, trust = rule.perceive(
            d.energy_dependence,
            d.threat_perception,
            d.leadership_trust,
            env.gas_cut,
            env.threat_level - world.scenario.threat_level,
            env.hybrid_pressure,
            env.leadership_credibility,
            inputs.gas_salience_gain,
            inputs.threat_escalation_gain,
        )
        terms = rule.driver_terms(
            energy, threat, trust, world.references, mp["energy_weight"], mp["threat_weight"], mp["leadership_weight"]
        )
        driven = rule.target_stance(terms, world.sensitivity, inputs.baseline_stance)
        target = rule.held_target(driven, offset)
        peer = rule.peer_mean(
            inputs.peer_weights, stance, env.eu_line, env.eu_weight[:, None] * eu_member, stance, **inputs.bounds
        )
        if recorder is not None:
            tracked = rule.update_attribution(
                tracked, rule.target_parts(terms, driven, target, world.sensitivity), peer.mean(axis=0), world.initial_stance,
                mp["adjustment_rate"], mp["peer_weight"], mp["anchor_weight"],
            )
        stance = rule.update_stance(
            stance, target, peer, inputs.initial_stance,
            mp["adjustment_rate"], mp["peer_weight"], mp["anchor_weight"],
            env.stance_shock, noise[:, week - 1],
        )
        proposal = env.proposal
        if recorder is not None:
            recorder.record(rows, week, stance, proposal)
    if recorder is not None:
        recorder.finish(rows, stance, proposal, tracked * count)
    return stance, proposal
