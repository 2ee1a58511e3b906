"""Recording an ensemble: what both engines hand over after simulating.

The recorder keeps what the outputs need and no more: per run and week the
scalar scores; per run the horizon stances; over runs the sums of member
alignment, stances, blocking, dilution needed and attribution components. The full weekly
stance history of every run is not kept, so 100,000 runs fit in memory.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cohesion.constants import COMPONENTS, ISSUES, RUN_METRICS
from cohesion.core.rule import full_components
from cohesion.core.metrics import adoption, member_alignment, score_details
from cohesion.world import World


@dataclass
class EnsembleResult:
    """The recorded outcome of ``runs`` runs of one world."""

    world: World
    seed: int
    engine: str
    run_metrics: np.ndarray  # (R, T+1, M) in RUN_METRICS order
    horizon_stance: np.ndarray  # (R, N, K)
    horizon_proposal: np.ndarray  # (R, K) the leaders' proposal at the horizon
    component_mean: np.ndarray  # (C, N, K) mean over runs at the horizon
    blocker_share: np.ndarray  # (T+1, N, K) share of runs in which member blocks the proposal on issue
    dilution_mean: np.ndarray  # (T+1, N, K) mean over runs of the dilution needed to win the member
    alignment_mean: np.ndarray  # (T+1, N) mean over runs
    stance_mean: np.ndarray  # (T+1, N, K) mean over runs

    @property
    def runs(self) -> int:
        """Number of runs."""
        return self.run_metrics.shape[0]

    def metric(self, name: str) -> np.ndarray:
        """One scalar score over runs and weeks, (R, T+1)."""
        return self.run_metrics[:, :, RUN_METRICS.index(name)]

    def horizon_alignment(self) -> np.ndarray:
        """Member alignment with the proposal per run at the horizon, (R, N)."""
        return member_alignment(self.horizon_stance, self.horizon_proposal)

    def horizon_adoption(self, members: np.ndarray | None = None) -> np.ndarray:
        """Share of the proposal adopted per run and issue at the horizon, (R, K).

        ``members`` (N,) bool restricts the decision to those members (e.g. the EU's).
        """
        stance, window = self.horizon_stance, self.world.acceptance_window
        if members is not None:
            stance, window = stance[:, members], window[..., members, :]
        return adoption(stance, self.horizon_proposal, window)


class Recorder:
    """Accumulates what the outputs need as an engine steps through weeks."""

    def __init__(self, world: World, runs: int):
        n, k, t = world.members.n, len(ISSUES), world.horizon
        self.world = world
        self.scoring = world.scoring
        self.runs = runs
        self.run_metrics = np.empty((runs, t + 1, len(RUN_METRICS)))
        self.horizon_stance = np.empty((runs, n, k))
        self.horizon_proposal = np.empty((runs, k))
        self.dilution_sum = np.zeros((t + 1, n, k))
        self.tracked_sum = np.zeros((len(COMPONENTS) - 1, n, k))
        self.blocker_count = np.zeros((t + 1, n, k))
        self.alignment_sum = np.zeros((t + 1, n))
        self.stance_sum = np.zeros((t + 1, n, k))

    def record(self, runs: slice, week: int, stance: np.ndarray, proposal: np.ndarray) -> None:
        """Record the stances (r, N, K) and the proposal (r, K) of the runs in ``runs`` at ``week``."""
        scores, alignment, dilution = score_details(stance, proposal, self.scoring)
        for m, name in enumerate(RUN_METRICS):
            self.run_metrics[runs, week, m] = scores[name]
        self.blocker_count[week] += (dilution > 0).sum(axis=0)
        self.dilution_sum[week] += dilution.sum(axis=0)
        self.alignment_sum[week] += alignment.sum(axis=0)
        self.stance_sum[week] += stance.sum(axis=0)

    def finish(self, runs: slice, stance: np.ndarray, proposal: np.ndarray, tracked_sum: np.ndarray) -> None:
        """Record the horizon stances (r, N, K) and proposal (r, K) of the runs in ``runs`` and the
        sum over them of the tracked attribution components (6, N, K)."""
        self.horizon_stance[runs] = stance
        self.horizon_proposal[runs] = proposal
        self.tracked_sum += tracked_sum

    def add(self, runs: slice, part: "Recorder") -> None:
        """Take over the record of ``part``, a recorder of the runs in ``runs`` alone.

        Sums are added part by part, so adding the parts in one order gives
        the same numbers however many processes recorded them.
        """
        self.run_metrics[runs] = part.run_metrics
        self.horizon_stance[runs] = part.horizon_stance
        self.horizon_proposal[runs] = part.horizon_proposal
        self.tracked_sum += part.tracked_sum
        self.blocker_count += part.blocker_count
        self.dilution_sum += part.dilution_sum
        self.alignment_sum += part.alignment_sum
        self.stance_sum += part.stance_sum

    def result(self, seed: int, engine: str) -> EnsembleResult:
        """The finished record."""
        return EnsembleResult(
            world=self.world,
            seed=seed,
            engine=engine,
            run_metrics=self.run_metrics,
            horizon_stance=self.horizon_stance,
            horizon_proposal=self.horizon_proposal,
            component_mean=full_components(self.tracked_sum / self.runs, self.horizon_stance.mean(axis=0)),
            blocker_share=self.blocker_count / self.runs,
            dilution_mean=self.dilution_sum / self.runs,
            alignment_mean=self.alignment_sum / self.runs,
            stance_mean=self.stance_sum / self.runs,
        )
