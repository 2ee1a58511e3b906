"""``cohesion report``: turn a saved results folder into one self-contained HTML file."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from cohesion.cli import app


@app.command()
def report(
    results_dir: Path = typer.Argument(..., help="A results folder written by 'cohesion run' or an experiment."),
    out: Optional[Path] = typer.Option(None, "--out", help="HTML file to write (default: reports/<results-folder-name>.html)."),
    plotlyjs: str = typer.Option("inline", "--plotlyjs", help="inline (plotly.js inside the page) or directory "
                                 "(one shared plotly.min.js beside the reports; smaller pages, still offline)."),
) -> None:
    """Write an HTML report of saved results that opens offline (never re-runs the model).

    Example: cohesion report results/latest --plotlyjs directory
    """
    from cohesion.report import write_report

    path = write_report(results_dir, out, plotlyjs=plotlyjs)
    print(f"report written to {path}")
