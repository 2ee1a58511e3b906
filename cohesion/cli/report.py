"""``cohesion report``: turn a saved results folder into one self-contained HTML file."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from cohesion.cli import app

#: What every report carries in its head (an existing file with it may be replaced without --overwrite).
REPORT_MARKER = '<meta name="generator" content="cohesion report">'


def write_report_file(results_dir: Path | list[Path], out: Path | None, overwrite: bool, plotlyjs: str = "inline",
                      reference: str | None = None) -> Path:
    """Write the report of ``results_dir`` (one folder or several run folders), checking and locking the output file first.

    An existing file is replaced only when it is a cohesion report or
    ``overwrite`` is set (``cohesion.outputs.claimed_file``).
    """
    from cohesion.outputs import claimed_file
    from cohesion.report import write_report
    from cohesion.report.build import default_output

    with claimed_file(out if out is not None else default_output(results_dir), overwrite, REPORT_MARKER, "report") as path:
        return write_report(results_dir, path, plotlyjs=plotlyjs, reference=reference)


@app.command()
def report(
    results_dirs: list[Path] = typer.Argument(..., help="A results folder written by 'cohesion run' or an experiment; "
                                              "several run folders make one report."),
    reference: Optional[str] = typer.Option(None, "--reference", help="Scenario the others are compared with "
                                            "(default: baseline, else the first)."),
    out: Optional[Path] = typer.Option(None, "--out", help="HTML file to write (default: reports/<results-folder-name>.html)."),
    plotlyjs: str = typer.Option("inline", "--plotlyjs", help="inline (plotly.js inside the page) or directory "
                                 "(one shared plotly.min.js beside the reports; smaller pages, still offline)."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing --out file that is not a cohesion report."),
) -> None:
    """Write an HTML report of saved results that opens offline (never re-runs the model).

    Several folders make one comparison report, e.g. after 'cohesion run all' and
    'cohesion run baseline --set energy_weight=1.2 --out results/high-energy':

    Example: cohesion report results/latest results/high-energy --reference baseline
    """
    folders = results_dirs if len(results_dirs) > 1 else results_dirs[0]
    path = write_report_file(folders, out, overwrite, plotlyjs=plotlyjs, reference=reference)
    print(f"report written to {path}")
