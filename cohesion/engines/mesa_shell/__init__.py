"""The Mesa engine: one ``AllianceModel`` per run, for inspection and extension."""

from __future__ import annotations

from typing import Callable

from cohesion.ensemble import EnsembleResult, Recorder
from cohesion.engines.mesa_shell.model import AllianceModel
from cohesion.world import World


def simulate_mesa(world: World, runs: int, seed: int, progress: Callable[[int], None] | None = None) -> EnsembleResult:
    """Simulate ``runs`` replicates, one Mesa model after another."""
    recorder = Recorder(world, runs)
    for run in range(runs):
        model = AllianceModel(world, seed, run)
        rows = slice(run, run + 1)
        recorder.record(rows, 0, model.stance_matrix(), model.proposal)
        for week in range(1, world.horizon + 1):
            model.step()
            recorder.record(rows, week, model.stance_matrix(), model.proposal)
        recorder.finish(rows, model.stance_matrix(), model.proposal, model.components()[:-1])
        if progress is not None:
            progress(1)
    return recorder.result(seed, "mesa")
