"""``cohesion run``: simulate scenarios and write a results folder."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from cohesion.cli import app
from cohesion.errors import InputError


def summary_table(results, uncertainty: str = "noise") -> Table:  # type: ignore[no-untyped-def]
    """A rich table of the horizon summary of each scenario; the title says what the intervals cover."""
    from rich.markup import escape

    from cohesion.results import summary_row
    from cohesion.validation.uncertainty import UNCERTAINTY_KINDS

    covers = UNCERTAINTY_KINDS[uncertainty]
    if uncertainty != "parameters" and any(result.world.driver_draws is not None for result in results):
        # driver draws widen the intervals too (--no-driver-uncertainty turns them off)
        covers = {
            "noise": "noise, stochastic events and the members' measured drivers drawn per run (parameters fixed)",
            "all": "noise, stochastic events, calibrated parameters and the members' measured drivers drawn per run",
        }[uncertainty]
    table = Table(
        title=f"Consensus and cohesion at the horizon (0-100; week 0 -> horizon mean, 90% interval over runs: {covers})"
    )
    for column in ("scenario", "consensus", "90% interval", "cohesion", "90% interval", "blockers", "most aligned", "least aligned"):
        table.add_column(column, justify="left" if column in ("scenario", "most aligned", "least aligned") else "right")
    for result in results:
        row = summary_row(result)
        table.add_row(
            escape(row["scenario"]),  # labels such as "baseline [energy_weight=0.5]" are text, not rich markup
            f"{row['consensus_week0']:.1f} -> {row['consensus_mean']:.1f}",
            f"{row['consensus_p05']:.1f}-{row['consensus_p95']:.1f}",
            f"{row['cohesion_week0']:.1f} -> {row['cohesion_mean']:.1f}",
            f"{row['cohesion_p05']:.1f}-{row['cohesion_p95']:.1f}",
            f"{row['consensus_blockers']:.1f}",
            row["most_aligned"].replace(";", " "),
            row["least_aligned"].replace(";", " "),
        )
    return table


def dynamics_layer(dynamics: str) -> dict[str, float]:
    """The parameter layer ``--dynamics`` stands for; ``--params`` and ``--set`` still override it."""
    from cohesion.params import BOUNDED_CONFIDENCE_DEFAULT, DYNAMICS

    if dynamics not in DYNAMICS:
        raise InputError(f"--dynamics must be {' or '.join(DYNAMICS)}, got {dynamics!r}")
    if dynamics == "fj":
        return {"confidence_bound": 1.0, "repulsion_bound": 1.0, "repulsion_strength": 0.0}
    return {"confidence_bound": BOUNDED_CONFIDENCE_DEFAULT}


@app.command()
def run(
    scenarios: list[str] = typer.Argument(..., help="Scenario names, paths to scenario files, or 'all'."),
    runs: int = typer.Option(200, "--runs", help="Monte Carlo replicates per scenario."),
    steps: Optional[int] = typer.Option(None, "--steps", help="Weeks to simulate (default: each scenario's own horizon); must reach every event of the scenarios."),
    seed: int = typer.Option(20220127, "--seed", help="Root seed; the same seed gives the same files."),
    set_values: list[str] = typer.Option([], "--set", help="Override a parameter: name=value or ISO3.name=value (repeatable); "
                                         "SCENARIO:name=value also runs SCENARIO with that override beside the plain one."),
    params: Optional[Path] = typer.Option(None, "--params", help="YAML parameter file (global values and 'members' overrides)."),
    engine: Optional[str] = typer.Option(None, "--engine", help="vectorized (default for more than one run) or mesa."),
    dynamics: Optional[str] = typer.Option(
        None, "--dynamics",
        help="fj (Friedkin-Johnsen: every peer pulls) or bounded (bounded confidence: confidence_bound 0.3 unless set).",
    ),
    drivers: str = typer.Option("measured", "--drivers", help="measured (from indicators.csv) or legacy (hand-weighted proxies)."),
    driver_uncertainty: bool = typer.Option(
        True, "--driver-uncertainty/--no-driver-uncertainty",
        help="Each run draws its members' measured drivers from their posterior (off: point values).",
    ),
    out: Path = typer.Option(Path("results/latest"), "--out", help="Results folder (replaced when the run completes)."),
    timeseries: str = typer.Option("auto", "--timeseries", help="full, summary, or auto (full up to 1,000 runs)."),
    report: bool = typer.Option(False, "--report", help="Also write the HTML report of these results."),
    uncertainty: str = typer.Option(
        "noise", "--uncertainty",
        help="What the intervals cover: noise (runs at fixed parameters), parameters (calibrated weights drawn per run, no weekly noise) or all.",
    ),
    workers: Optional[int] = typer.Option(
        None, "--workers", help="Processes simulating chunks of runs (default: every core for more than one chunk)."
    ),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar."),
) -> None:
    """Run scenarios and write summary.csv, members.csv, timeseries and manifest.json.

    Example: cohesion run baseline invasion --runs 500 --set baseline:energy_weight=0.5 --report
    """
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from cohesion.params import load_params_file, parse_set_option
    from cohesion.runner import RunRequest, prepare
    from cohesion.runner import run as run_scenarios

    if timeseries not in ("auto", "full", "summary"):
        raise InputError(f"--timeseries must be auto, full or summary, got {timeseries!r}")
    from cohesion.runner import override_text

    layers = []
    if params is not None:
        layers.append(load_params_file(params))
    if dynamics is not None:
        layers.insert(0, dynamics_layer(dynamics))
    scoped = [item for item in set_values if ":" in item.split("=", 1)[0]]
    plain = parse_set_option([item for item in set_values if item not in scoped])
    if plain:
        layers.append(plain)
    variants = []
    for item in scoped:
        scenario, setting = item.split(":", 1)
        layer = parse_set_option([setting])
        variants.append((scenario.strip(), layer, override_text(layer)))
    request = RunRequest(scenarios=scenarios, runs=runs, steps=steps, seed=seed, param_layers=layers, engine=engine,
                         uncertainty=uncertainty, workers=workers, overrides=override_text(plain, params), variants=variants,
                         drivers=drivers, driver_uncertainty=driver_uncertainty)
    worlds = prepare(request)  # every input checked before the progress bar starts
    if report:  # the report's file too, before any run
        from cohesion.cli.report import REPORT_MARKER
        from cohesion.outputs import check_output_file
        from cohesion.report.build import default_output

        check_output_file(default_output(out), False, REPORT_MARKER, "report")
    total = len(worlds) * runs
    console = Console(stderr=True)
    with Progress(
        TextColumn("[bold]simulating[/bold] {task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("runs"),
        TimeRemainingColumn(),
        console=console, disable=quiet, transient=True,
    ) as bar:
        names = [escape(world.scenario.name) for world in worlds]
        task = bar.add_task(names[0], total=total)

        def advance(n: int) -> None:
            """Move the bar and name the scenario being simulated (scenarios run one after another, ``runs`` each)."""
            bar.advance(task, n)
            done = int(bar.tasks[0].completed)
            bar.update(task, description=names[min(done // runs, len(names) - 1)])

        results = run_scenarios(request, out=out, progress=advance, timeseries=timeseries, worlds=worlds)
    Console(width=max(Console().width, 120)).print(summary_table(results, uncertainty))
    from cohesion.report.data import load_results
    from cohesion.report.findings import findings_text

    print(f"\nKey findings: {findings_text(load_results(out))}\n")
    print(f"results written to {out}")
    if report:
        from cohesion.cli.report import write_report_file

        path = write_report_file(out, None, overwrite=False)
        print(f"report written to {path}")
