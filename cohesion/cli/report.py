"""``cohesion report``: turn a saved results folder into one self-contained HTML file."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from cohesion.cli import app


@app.command()
def report(
    results_dirs: list[Path] = typer.Argument(..., help="A results folder written by 'cohesion run' or an experiment; "
                                              "several run folders make one report."),
    reference: Optional[str] = typer.Option(None, "--reference", help="Scenario the others are compared with "
                                            "(default: baseline, else the first)."),
    out: Optional[Path] = typer.Option(None, "--out", help="HTML file to write (default: reports/<results-folder-name>.html)."),
    plotlyjs: str = typer.Option("inline", "--plotlyjs", help="inline (plotly.js inside the page) or directory "
                                 "(one shared plotly.min.js beside the reports; smaller pages, still offline)."),
) -> None:
    """Write an HTML report of saved results that opens offline (never re-runs the model).

    Example: cohesion report results/latest results/high-energy --reference baseline
    """
    from cohesion.report import write_report

    path = write_report(results_dirs if len(results_dirs) > 1 else results_dirs[0], out, plotlyjs=plotlyjs, reference=reference)
    print(f"report written to {path}")
