"""Engines that advance a ``World``: the Mesa shell and the vectorized ensemble engine.

Both call the pure functions of ``cohesion.core.rule`` and draw from the same
named streams (``cohesion.seeding``), so they give the same numbers.
"""

from __future__ import annotations

from typing import Callable

from cohesion.ensemble import EnsembleResult
from cohesion.errors import InputError
from cohesion.world import World

ENGINES = ("vectorized", "mesa")


def simulate(world: World, runs: int, seed: int, engine: str = "vectorized", progress: Callable[[int], None] | None = None) -> EnsembleResult:
    """Simulate ``runs`` replicates of ``world`` with the chosen engine.

    Args:
        world: The resolved set-up.
        runs: Monte Carlo replicates (>= 1).
        seed: Root seed.
        engine: ``vectorized`` or ``mesa``.
        progress: Called with the number of runs finished since the last call.
    """
    if runs < 1:
        raise InputError("runs must be at least 1")
    if engine == "vectorized":
        from cohesion.engines.vectorized import simulate_vectorized

        return simulate_vectorized(world, runs, seed, progress=progress)
    if engine == "mesa":
        from cohesion.engines.mesa_shell import simulate_mesa

        return simulate_mesa(world, runs, seed, progress=progress)
    raise InputError(f"unknown engine {engine!r} (known: {', '.join(ENGINES)})")
