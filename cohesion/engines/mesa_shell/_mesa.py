"""Import Mesa without its import-time side effect.

Mesa 3.x's package ``__init__`` imports ``mesa.batchrunner``, which calls
``multiprocessing.set_start_method("spawn", force=True)`` for the whole
process. cohesion never uses the batchrunner (and Mesa 4 drops it); this module
imports Mesa once and restores whatever start method was in force before, so
that using the Mesa engine changes no global state.
"""

from __future__ import annotations

import multiprocessing

_context = multiprocessing.get_start_method(allow_none=True)
import mesa  # noqa: E402

if multiprocessing.get_start_method(allow_none=True) != _context:
    multiprocessing.set_start_method(_context, force=True)

Agent = mesa.Agent
Model = mesa.Model

__all__ = ["Agent", "Model", "mesa"]
