"""``cohesion compare``: the change from a reference in every score, member and blocker, printed and as a report."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Optional

import typer

from cohesion.cli import app


def _is_results(argument: str) -> bool:
    return (Path(argument) / "manifest.json").is_file()


@app.command()
def compare(
    runs_or_scenarios: list[str] = typer.Argument(..., help="Results folders, or scenario names or files to run now."),
    reference: Optional[str] = typer.Option(None, "--reference", help="Scenario to compare with (default: baseline, else the first)."),
    out: Path = typer.Option(Path("reports/compare.html"), "--out", help="The comparison report (HTML)."),
    runs: int = typer.Option(200, "--runs", help="Monte Carlo runs for scenarios run now."),
    steps: Optional[int] = typer.Option(None, "--steps", help="Weeks for scenarios run now (default: each scenario's horizon)."),
    seed: int = typer.Option(20220127, "--seed", help="Root seed for scenarios run now."),
    members: int = typer.Option(8, "--members", help="Members listed per scenario, largest change in alignment first."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing --out file that is not a cohesion report."),
) -> None:
    """Compare runs: the change from the reference in each score and member's alignment, with 90% intervals, and who
    starts or stops blocking; writes a comparison report.

    Example: cohesion compare baseline invasion gas-cutoff --runs 100
    """
    from rich.console import Console

    from cohesion.cli.report import REPORT_MARKER, write_report_file
    from cohesion.errors import InputError
    from cohesion.outputs import check_output_file
    from cohesion.report.compare import combine, compare as compare_runs, open_run
    from cohesion.runner import RunRequest, run

    if members < 0:  # pandas would read a negative count as "all but the last n"
        raise InputError(f"--members must be 0 or more, got {members}")
    check_output_file(out, overwrite, REPORT_MARKER, "report")  # before any simulation
    folders = [Path(a) for a in runs_or_scenarios if _is_results(a)]
    names = [a for a in runs_or_scenarios if not _is_results(a)]
    with tempfile.TemporaryDirectory(prefix="cohesion-compare-") as tmp:
        if names:
            fresh = Path(tmp) / "run"
            run(RunRequest(scenarios=names, runs=runs, steps=steps, seed=seed), out=fresh)
            folders.append(fresh)
        results, per_run = combine([open_run(f) for f in folders])
        comparison = compare_runs(results, per_run, reference)
        console = Console(width=max(Console().width, 110))
        for table in comparison_tables(comparison, members):
            console.print(table)
        path = write_report_file(folders, out, overwrite, reference=comparison.reference)
    print(f"report written to {path}")


def comparison_tables(comparison, members: int) -> list:  # type: ignore[no-untyped-def]
    """Rich tables of a comparison: scores, members' alignment, blockers."""
    from rich.markup import escape
    from rich.table import Table

    ref = escape(comparison.reference)
    scores = Table(title=f"Change from {ref} at the horizon (90% interval of run-by-run differences)")
    for column in ("scenario", "score", ref, "value (90%)", "change", "change 90%"):
        scores.add_column(column, justify="left" if column in ("scenario", "score") else "right")
    for r in comparison.scores.itertuples():
        fmt = ".1f" if abs(r.reference) >= 2 or abs(r.value) >= 2 else ".3f"
        spread = "-" if r.change_p05 != r.change_p05 else f"{r.change_p05:+{fmt}} to {r.change_p95:+{fmt}}"
        scores.add_row(escape(r.scenario), r.label, f"{r.reference:{fmt}}", f"{r.value:{fmt}} ({r.p05:{fmt}}-{r.p95:{fmt}})",
                       f"{r.change:+{fmt}}", spread)
    tables = [scores]
    if not comparison.members.empty:
        aligned = Table(title=f"Alignment with the U.S.-UK proposal: the {members} largest changes from {ref} per scenario (90% interval over runs)")
        for column in ("scenario", "member", f"{ref} (90%)", "value (90%)", "change"):
            aligned.add_column(column, justify="left" if column in ("scenario", "member") else "right")
        for r in comparison.members.groupby("scenario", sort=False).head(members).itertuples():
            aligned.add_row(escape(r.scenario), f"{r.country} ({r.member})", f"{r.reference:.3f} ({r.reference_p05:.3f}-{r.reference_p95:.3f})",
                            f"{r.alignment:.3f} ({r.p05:.3f}-{r.p95:.3f})", f"{r.change:+.3f}")
        tables.append(aligned)
    blocking = Table(title=f"Who starts or stops blocking, compared with {ref} (blocks in most runs at the horizon)")
    for column in ("scenario", "starts blocking", "stops blocking"):
        blocking.add_column(column)
    for scenario in dict.fromkeys(comparison.scores["scenario"]):
        rows = comparison.blocking[comparison.blocking["scenario"] == scenario]
        cells = ["; ".join(f"{issue}: {' '.join(group['member'])}" for issue, group in rows[rows["change"] == c].groupby("issue", sort=False))
                 or "-" for c in ("starts", "stops")]
        blocking.add_row(escape(scenario), *cells)
    tables.append(blocking)
    return tables
