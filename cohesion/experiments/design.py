"""Factors and samplers: from a design declaration to a matrix of points.

A ``Factor`` is a named range (or list of grid values); it knows nothing of
the model, so the same samplers serve the model and test functions. Every
sampler takes the experiment seed explicitly; none touches global state.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from cohesion.experiments.schema import (
    Design,
    GridDesign,
    LhsDesign,
    MorrisDesign,
    SobolDesign,
)


@dataclass(frozen=True)
class Factor:
    """One varied input: a name and either a range or explicit grid values."""

    name: str
    low: float | None = None
    high: float | None = None
    values: tuple[float, ...] | None = None

    def levels(self, points: int) -> np.ndarray:
        """Grid levels: the explicit values, else ``points`` evenly spaced over the range."""
        if self.values is not None:
            return np.asarray(self.values, dtype=float)
        return np.linspace(self.low, self.high, points)


def salib_problem(factors: tuple[Factor, ...]) -> dict[str, Any]:
    """The SALib problem definition of ranged factors."""
    return {
        "num_vars": len(factors),
        "names": [f.name for f in factors],
        "bounds": [[f.low, f.high] for f in factors],
    }


def design_points(design: Design, factors: tuple[Factor, ...]) -> int:
    """Rows :func:`sample` will return, computed without sampling (to size the work first)."""
    d = len(factors)
    if isinstance(design, GridDesign):
        return math.prod(len(f.values) if f.values is not None else design.points for f in factors)
    if isinstance(design, LhsDesign):
        return design.samples
    if isinstance(design, SobolDesign):
        return design.samples * (2 * d + 2 if design.second_order else d + 2)
    return design.trajectories * (d + 1)


def sample(design: Design, factors: tuple[Factor, ...], seed: int) -> np.ndarray:
    """The design matrix (points, factors); one row (no columns) when nothing varies.

    Grid rows vary the last factor fastest. Sobol uses SALib's Saltelli
    sampler (scrambled, seeded), Morris SALib's trajectories, LHS SciPy's
    ``qmc.LatinHypercube``.
    """
    if isinstance(design, GridDesign):
        grids = [f.levels(design.points) for f in factors]
        rows = list(itertools.product(*grids))
        return np.array(rows, dtype=float).reshape(len(rows), len(factors))
    if isinstance(design, LhsDesign):
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=len(factors), seed=np.random.default_rng(seed)).random(design.samples)
        return qmc.scale(unit, [f.low for f in factors], [f.high for f in factors])
    problem = salib_problem(factors)
    if isinstance(design, SobolDesign):
        from SALib.sample import sobol

        return sobol.sample(problem, design.samples, calc_second_order=design.second_order, seed=seed)
    if isinstance(design, MorrisDesign):
        from SALib.sample import morris

        return morris.sample(problem, design.trajectories, num_levels=design.levels, seed=seed)
    raise TypeError(f"unknown design {design!r}")  # pragma: no cover - the schema admits no other
