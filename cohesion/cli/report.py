"""``cohesion report``: turn a saved results folder into one self-contained HTML file."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from cohesion.cli import app

#: What every report carries in its head (an existing file with it may be replaced without --overwrite).
REPORT_MARKER = '<meta name="generator" content="cohesion report">'


def write_report_file(results_dir: Path, out: Path | None, overwrite: bool) -> Path:
    """Write the report of ``results_dir``, checking and locking the output file first.

    An existing file is replaced only when it is a cohesion report or
    ``overwrite`` is set (``cohesion.outputs.claimed_file``).
    """
    from cohesion.outputs import claimed_file
    from cohesion.report import write_report
    from cohesion.report.build import default_output

    with claimed_file(out if out is not None else default_output(results_dir), overwrite, REPORT_MARKER, "report") as path:
        return write_report(results_dir, path)


@app.command()
def report(
    results_dir: Path = typer.Argument(..., help="A results folder written by 'cohesion run' or an experiment."),
    out: Optional[Path] = typer.Option(None, "--out", help="HTML file to write (default: reports/<results-folder-name>.html)."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing --out file that is not a cohesion report."),
) -> None:
    """Write an HTML report of saved results that opens offline (never re-runs the model)."""
    path = write_report_file(results_dir, out, overwrite)
    print(f"report written to {path}")
