"""``cohesion validate`` and ``cohesion backtest``: how far to trust the model's findings."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer
from rich.console import Console
from rich.table import Table

from cohesion.cli import app

if TYPE_CHECKING:
    import pandas as pd

    from cohesion.validation.backtest import Backtest


def _num(value: float, digits: int = 3) -> str:
    return "-" if value != value else f"{value:.{digits}f}"


def crossval_table(table: "pd.DataFrame") -> Table:
    """Held-out error of the model and every baseline under both fold schemes."""
    from cohesion.validation.crossval import SCHEMES

    out = Table(title="Cross-validation on the coded positions (held-out MSE and Spearman, bootstrap 95% intervals)")
    out.add_column("predictor")
    for scheme in SCHEMES:
        out.add_column(f"{scheme} MSE", justify="right")
        out.add_column("Spearman", justify="right")
    cv = table[table["section"].isin(SCHEMES)]
    for item in dict.fromkeys(cv["item"]):
        cells = []
        for scheme in SCHEMES:
            rows = cv[(cv["section"] == scheme) & (cv["item"] == item)].set_index("measure")
            for metric in ("mse", "spearman"):
                r = rows.loc[metric]
                cells.append(f"{_num(r.value)} [{_num(r.ci_low)}, {_num(r.ci_high)}]")
        out.add_row(item, *cells)
    for scheme in SCHEMES:
        for r in cv[(cv["section"] == scheme) & cv["measure"].str.startswith("mse_gap_to_")].itertuples():
            best = r.measure.removeprefix("mse_gap_to_")
            verdict = "model better" if r.ci_high < 0 else ("baseline better" if r.ci_low > 0 else "no clear difference")
            out.caption = (out.caption or "") + (
                f"{scheme}: {r.item} MSE minus best baseline ({best}) = {r.value:+.4f} "
                f"[{r.ci_low:+.4f}, {r.ci_high:+.4f}]: {verdict}.\n"
            )
    return out


def findings_table(findings: "pd.DataFrame", reference: str) -> Table:
    """Each headline finding with its validation status (order pairs with the reference scenario only)."""
    out = Table(
        title="Headline findings: driver shuffles (structural/data-driven, p), parameter draws, global sensitivity"
    )
    for column in ("finding", "margin", "holds in shuffles", "status (p)", "holds in param. draws", "flips at Sobol pts", "where it flips"):
        numeric = column in ("margin", "holds in shuffles", "holds in param. draws", "flips at Sobol pts")
        out.add_column(column, justify="right" if numeric else "left", no_wrap=not numeric)
    for r in findings.itertuples(index=False):
        if r.kind == "order" and reference not in r.finding:
            continue
        status = r.status if r.status == "structural" else f"{r.status} ({r.p_value:.3f})"
        flips = "-" if r.share_flipped != r.share_flipped else f"{r.share_flipped:.0%}"
        rule = r.flip_rule if isinstance(r.flip_rule, str) else "-"
        out.add_row(r.finding, f"{r.margin:.2f}", f"{r.share_holds:.0%}", status, f"{r.share_holds_parameters:.0%}", flips, rule or "-")
    return out


def profile_table(table: "pd.DataFrame") -> Table:
    """The calibrated weights with their profile-likelihood intervals and leave-one-member-out range."""
    out = Table(title="Calibrated parameters: profile-likelihood 95% intervals; range when refitted without each member")
    for column in ("parameter", "estimate", "profile 95%", "refit range (LOMO)", "note"):
        out.add_column(column)
    folds = table[table["section"] == "fold-estimates"].set_index("item")
    for r in table[table["section"] == "profile"].itertuples(index=False):
        fold = folds.loc[r.item] if r.item in folds.index else None
        fold = fold.iloc[0] if fold is not None and getattr(fold, "ndim", 1) == 2 else fold
        span = "-" if fold is None else f"{fold.ci_low:.3f}-{fold.ci_high:.3f}"
        out.add_row(r.item, f"{r.value:.3f}", f"{r.ci_low:.3f}-{r.ci_high:.3f}", span, r.detail if isinstance(r.detail, str) else "")
    return out


def print_validation(table: "pd.DataFrame", findings: "pd.DataFrame") -> None:
    """Print the three validation tables (from a fresh result or a saved folder)."""
    from cohesion.validation.findings import REFERENCE_SCENARIO

    console = Console(width=max(150, Console().width))
    console.print(crossval_table(table))
    console.print(profile_table(table))
    console.print(findings_table(findings, REFERENCE_SCENARIO))


@app.command()
def validate(
    out: Path = typer.Option(Path("results/validation"), "--out", help="Folder for validation.csv, findings.csv, manifest.json (replaced)."),
    seed: int = typer.Option(20220127, "--seed", help="Root seed of every stream; the same seed gives the same files."),
    shuffles: int = typer.Option(200, "--shuffles", help="Driver permutations for the permutation tests."),
    runs: int = typer.Option(20, "--runs", help="Runs per scenario in each shuffle and parameter draw."),
    bootstrap: int = typer.Option(1000, "--bootstrap", help="Bootstrap resamples for every interval."),
    profile_points: int = typer.Option(13, "--profile-points", help="Grid points per profiled parameter."),
    parameter_draws: int = typer.Option(50, "--parameter-draws", help="Parameter sets drawn from the profiles."),
    sobol_samples: int = typer.Option(16, "--sobol-samples", help="Saltelli N of the findings-sensitivity experiment (a power of 2)."),
    report: bool = typer.Option(False, "--report", help="Also write trust.html, the 'How much to trust this' section, into --out."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar."),
) -> None:
    """Cross-validate against baselines, test findings by driver shuffles, profile parameters, map where findings flip.

    Example: cohesion validate --out results/validation --report
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from cohesion.limits import check_seed
    from cohesion.outputs import claimed_output
    from cohesion.validation.suite import ValidationSizes, run_validation, write_validation

    sizes = ValidationSizes(shuffles, runs, bootstrap, profile_points, parameter_draws, sobol_samples)
    sizes.check()
    check_seed(seed)
    started = time.perf_counter()
    with claimed_output(out, "validation") as target, Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=Console(stderr=True), disable=quiet, transient=True,
    ) as bar:  # fmt: skip
        tasks: dict[str, int] = {}

        def advance(stage: str, n: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=None)
            bar.advance(tasks[stage], n)

        result = run_validation(seed, sizes, progress=advance)
        write_validation(result, target, report=report)
    print_validation(result.table, result.findings)
    print(f"validation written to {out} in {time.perf_counter() - started:.0f} s")
    if report:
        print(f"report written to {out / 'trust.html'}")


def backtest_table(result: "Backtest", table: "pd.DataFrame") -> Table:
    """Rank correlations of the model and each driver with the outcome."""
    episode = result.episode
    out = Table(
        title=f"{episode.title}: rank correlation with {episode.outcome.name} "
        f"({len(result.members)} members; bootstrap 95% intervals over members)"
    )
    for column in ("predictor", "Spearman", "95% interval", "Kendall", "95% interval"):
        out.add_column(column, justify="left" if column == "predictor" else "right")
    for r in table.itertuples(index=False):
        label = f"model ({episode.measure} in {episode.scenario}, week {episode.weeks})" if r.predictor == "model" else f"driver: {r.predictor}"
        out.add_row(
            label, _num(r.spearman), f"{_num(r.spearman_low)} to {_num(r.spearman_high)}",
            _num(r.kendall), f"{_num(r.kendall_low)} to {_num(r.kendall_high)}",
        )  # fmt: skip
    return out


def mispredicted_table(frame: "pd.DataFrame") -> Table:
    """The members the model ranks furthest from their observed rank."""
    out = Table(title="Most mispredicted members (rank 1 = highest; error = modelled rank - observed rank)")
    for column in ("member", "observed", "modelled", "observed rank", "modelled rank", "rank error"):
        out.add_column(column, justify="left" if column == "member" else "right")
    for r in frame.itertuples(index=False):
        out.add_row(r.member, f"{r.observed:g}", f"{r.modelled:.3f}", f"{r.observed_rank:g}", f"{r.modelled_rank:g}", f"{r.rank_error:+g}")
    return out


@app.command()
def backtest(
    episode: str = typer.Argument(..., help="A shipped episode (e.g. skripal-2018), an episode YAML, or a CSV with member,outcome columns."),
    scenario: str = typer.Option("baseline", "--scenario", help="Scenario standing for the shock (CSV outcome files only)."),
    measure: str = typer.Option("alignment", "--measure", help="alignment or stance:<issue> (CSV outcome files only)."),
    weeks: int = typer.Option(4, "--weeks", help="Week at which the measure is read (CSV outcome files only)."),
    runs: int = typer.Option(100, "--runs", help="Monte Carlo runs of the scenario."),
    seed: int = typer.Option(20220127, "--seed", help="Seed of the runs and the bootstrap."),
    bootstrap: int = typer.Option(2000, "--bootstrap", help="Bootstrap resamples over members."),
) -> None:
    """Rank-correlate the model's member measure (and each driver) with an observed outcome before 2022.

    Example: cohesion backtest skripal-2018
    """
    import numpy as np

    from cohesion.errors import InputError
    from cohesion.limits import check_seed
    from cohesion.validation.backtest import backtest as run_backtest
    from cohesion.validation.backtest import load_episode

    if runs < 1 or bootstrap < 1 or weeks < 1:
        raise InputError("--runs, --bootstrap and --weeks must be at least 1")
    check_seed(seed)
    loaded, _ = load_episode(episode, scenario, measure, weeks)
    result = run_backtest(loaded, runs, seed)
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(1,))))
    console = Console(width=max(130, Console().width))
    console.print(backtest_table(result, result.table(bootstrap, rng)))
    console.print(mispredicted_table(result.mispredicted()))
    if loaded.drivers_note:
        print(f"note: {loaded.drivers_note}")
