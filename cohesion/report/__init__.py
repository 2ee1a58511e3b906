"""The HTML report: one self-contained page from a saved results folder.

The report reads only what a run or an experiment saved (never re-running the
model) and writes a single HTML file that opens without a network: plotly.js,
the figures' data and the map outlines are all inside it.

Modules: ``data`` opens a folder and ``scores`` says which scores it holds;
``figures``, ``member_map`` and ``experiment_figures`` build plotly figures
from its tables; ``findings`` writes the key findings; ``compare`` joins
folders and measures changes from a reference; ``palette`` and ``layout`` give
the figures one look and their views; ``page`` and ``build`` assemble and
write the page.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["build_report", "write_report"]


def build_report(results_dir: Path, plotlyjs: str = "inline") -> str:
    """The report of ``results_dir`` as an HTML string (see :func:`cohesion.report.build.build_report`)."""
    from cohesion.report.build import build_report as build

    return build(results_dir, plotlyjs=plotlyjs)


def write_report(results_dir: Path | list[Path], out: Path | None = None, plotlyjs: str = "inline",
                 reference: str | None = None) -> Path:
    """Write the report of ``results_dir`` (one folder, or several run folders as one) to ``out``, atomically.

    ``out`` defaults to ``reports/<folder>.html``; ``plotlyjs="directory"`` writes one shared
    ``plotly.min.js`` beside the report instead of inlining it; ``reference`` is the scenario
    the others are compared with.
    """
    from cohesion.report.build import write_report as write

    return write(results_dir, out, plotlyjs=plotlyjs, reference=reference)
