"""``cohesion experiment``, ``sensitivity`` and ``calibrate``: designs, indices and fits."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer
from rich.console import Console
from rich.table import Table

from cohesion.cli import app
from cohesion.errors import InputError
from cohesion.limits import check_steps
from cohesion.shipped import experiment_path

if TYPE_CHECKING:
    import pandas as pd

    from cohesion.experiments.execution import ExecutorConfig
    from cohesion.experiments.plan import Plan

EXECUTOR_HELP = "local (in process, or a process pool with --workers > 1) or dask."
WORKERS_HELP = "Worker processes (local pool or Dask LocalCluster)."


def _progress_columns(replicates: int) -> list:  # type: ignore[type-arg]
    from rich.progress import BarColumn, MofNCompleteColumn, ProgressColumn, TextColumn, TimeRemainingColumn
    from rich.text import Text

    class RunRate(ProgressColumn):
        """Model runs per second: points per second times replicates."""

        def render(self, task):  # type: ignore[no-untyped-def]
            speed = task.finished_speed or task.speed
            return Text("-- runs/s" if speed is None else f"{speed * replicates:,.1f} runs/s")

    return [
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("points"),
        RunRate(),
        TimeRemainingColumn(),
    ]


def execute_plan(
    plan: "Plan", out: Path, config: "ExecutorConfig", resume: bool, overwrite: bool, quiet: bool
) -> "pd.DataFrame":
    """Run a plan into ``out`` with a progress bar; Ctrl-C leaves a resumable folder.

    The folder is checked and locked before the first point runs
    (``cohesion.experiments.store.experiment_folder``).
    """
    from rich.progress import Progress

    from cohesion.experiments.store import experiment_folder

    config.check()
    total = len(plan.scenarios) * plan.n_points
    with experiment_folder(plan, out, resume=resume, overwrite=overwrite) as run, Progress(
        *_progress_columns(plan.replicates), console=Console(stderr=True), disable=quiet, transient=True
    ) as bar:
        task = bar.add_task(plan.name, total=total, completed=run.done_points)
        try:
            run.execute(config, progress=lambda n: bar.advance(task, n))
        except KeyboardInterrupt:
            if run.done_points == 0:
                raise InputError("interrupted before any point was saved") from None
            raise InputError(
                f"interrupted with {run.done_points} of {total} points saved in {out}; continue with --resume"
            ) from None
        return run.finish()


def _console() -> Console:
    """A console wide enough for the result tables even when output is piped."""
    return Console(width=max(140, Console().width))


def _fmt(value: float, conf: float | None = None) -> str:
    if value != value:  # NaN
        return "-"
    return f"{value:.3f}" if conf is None or conf != conf else f"{value:.3f} ± {conf:.3f}"


def sensitivity_table(frame: "pd.DataFrame") -> Table:
    """A rich table of sensitivity.csv."""
    sobol = frame["method"].iloc[0] == "sobol"
    title = "Sobol indices (95% intervals)" if sobol else "Morris elementary effects (95% interval of mu*)"
    table = Table(title=title)
    heads = ("S1", "ST") if sobol else ("mu*", "sigma")
    for column in ("scenario", "outcome", "parameter", *heads):
        table.add_column(column, justify="right" if column in heads else "left")
    from cohesion.report.experiment_figures import SENSITIVITY_EXPLAINED, sorted_sensitivity, wide_intervals

    table.caption = SENSITIVITY_EXPLAINED["sobol" if sobol else "morris"] + (
        f"\n{wide_intervals(frame)}" if wide_intervals(frame) else "")
    for row in sorted_sensitivity(frame).itertuples(index=False):
        cells = (
            (_fmt(row.S1, row.S1_conf), _fmt(row.ST, row.ST_conf))
            if sobol
            else (_fmt(row.mu_star, row.mu_star_conf), _fmt(row.sigma))
        )
        table.add_row(row.scenario, row.outcome, row.parameter, *cells)
    return table


def outcome_table(plan: "Plan", frame: "pd.DataFrame") -> Table:
    """Mean of every outcome per scenario over all points and replicates."""
    table = Table(title=f"{plan.name}: outcome means over {plan.n_points} points x {plan.replicates} replicates")
    table.add_column("scenario")
    for name in plan.outcomes:
        table.add_column(name, justify="right")
    means = frame.groupby("scenario", sort=False)[list(plan.outcomes)].mean()
    for scenario in plan.scenarios:
        table.add_row(scenario, *(f"{means.loc[scenario, name]:.3f}" for name in plan.outcomes))
    return table


@app.command()
def experiment(
    file: Path = typer.Argument(
        ..., help="Experiment file (YAML, see docs/experiments.md) or the name of a shipped one, e.g. scenario-comparison."
    ),
    out: Optional[Path] = typer.Option(None, "--out", help="Results folder (default results/experiments/<name>)."),
    resume: bool = typer.Option(
        False, "--resume", help="Continue an interrupted experiment in --out, running only what is missing."
    ),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing experiment folder at --out."),
    executor: str = typer.Option("local", "--executor", help=EXECUTOR_HELP),
    workers: int = typer.Option(1, "--workers", help=WORKERS_HELP),
    scheduler: Optional[str] = typer.Option(
        None, "--scheduler", help="Address of a running Dask scheduler (with --executor dask)."
    ),
    samples: Optional[int] = typer.Option(
        None,
        "--samples",
        help="Override the design size: grid points per axis, lhs/sobol samples, morris trajectories.",
    ),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar."),
) -> None:
    """Run an experiment file; stream points.parquet (and sensitivity.csv) to a folder.

    Example: cohesion experiment energy-vs-threat --out results/energy-vs-threat
    """
    import pandas as pd

    from cohesion.experiments.execution import ExecutorConfig
    from cohesion.experiments.plan import plan_experiment
    from cohesion.experiments.schema import load_experiment

    config = ExecutorConfig(executor, workers, scheduler)
    config.check()
    plan = plan_experiment(load_experiment(experiment_path(file)), samples=samples, workers=workers)
    out = out if out is not None else Path("results/experiments") / plan.name
    frame = execute_plan(plan, out, config, resume, overwrite, quiet)
    console = _console()
    if plan.design.type in ("sobol", "morris"):
        console.print(sensitivity_table(pd.read_csv(out / "sensitivity.csv")))
    else:
        console.print(outcome_table(plan, frame))
    print(f"{len(frame)} rows written to {out / 'points.parquet'}")


@app.command()
def sensitivity(
    scenario: str = typer.Argument(..., help="Scenario name or path."),
    method: str = typer.Option("sobol", "--method", help="sobol (Saltelli sample) or morris."),
    samples: int = typer.Option(
        64, "--samples", help="Sobol: N, a power of 2 (N x 8 points); Morris: trajectories (x 7 points)."
    ),
    members: str = typer.Option(
        "", "--members", help="Comma-separated ISO3 codes whose alignment is analysed too, e.g. DEU,HRV."
    ),
    out: Optional[Path] = typer.Option(None, "--out", help="Results folder (default results/sensitivity/<scenario>)."),
    resume: bool = typer.Option(False, "--resume", help="Continue an interrupted analysis in --out."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing analysis folder at --out."),
    seed: int = typer.Option(20220127, "--seed", help="Experiment seed."),
    replicates: int = typer.Option(2, "--replicates", help="Runs per design point (outcomes are averaged over them)."),
    steps: Optional[int] = typer.Option(None, "--steps", help="Horizon in weeks (default: the scenario's)."),
    param: list[str] = typer.Option(
        [],
        "--param",
        help="Parameter to vary, NAME or NAME=LOW:HIGH (repeatable; default: the six decision parameters).",
    ),
    executor: str = typer.Option("local", "--executor", help=EXECUTOR_HELP),
    workers: Optional[int] = typer.Option(
        None, "--workers", help=f"{WORKERS_HELP} Default: every core this process may use."
    ),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar."),
) -> None:
    """Sobol indices or Morris effects of parameters on cohesion and member alignment.

    Example: cohesion sensitivity baseline --method morris
    """
    import pandas as pd

    from cohesion.experiments.execution import ExecutorConfig, available_cores
    from cohesion.experiments.plan import plan_experiment
    from cohesion.experiments.sensitivity import parse_param_options, sensitivity_experiment

    config = ExecutorConfig(executor, available_cores() if workers is None else workers)
    config.check()
    check_steps(steps)
    codes = tuple(code.strip() for code in members.split(",") if code.strip())
    ranges = parse_param_options(param)
    plan = plan_experiment(
        sensitivity_experiment(scenario, method, samples, codes, seed, replicates, steps, ranges),
        workers=config.workers,
    )
    out = out if out is not None else Path("results/sensitivity") / plan.scenarios[0]
    execute_plan(plan, out, config, resume=resume, overwrite=overwrite, quiet=quiet)
    _console().print(sensitivity_table(pd.read_csv(out / "sensitivity.csv")))
    print(f"sensitivity.csv and points.parquet written to {out}")


def calibration_tables(result) -> list[Table]:  # type: ignore[no-untyped-def]
    """Rich tables of a fit: errors per observation, then estimates and identifiability."""
    errors = Table(title=f"Fit per observation (loss = MSE {result.loss:.4f}, RMSE {result.loss**0.5:.3f})")
    for column in ("position", "member", "issue", "observed", "modelled", "error"):
        errors.add_column(column, justify="right" if column in ("observed", "modelled", "error") else "left")
    for row in result.table().itertuples(index=False):
        errors.add_row(
            row.position_id, row.member, row.issue, f"{row.observed:.2f}", f"{row.modelled:.3f}", f"{row.error:+.3f}"
        )
    params = Table(title="Fitted parameters (linearised 95% intervals; identified = interval under half the range)")
    for column in ("parameter", "estimate", "95% interval", "range", "identified", "note"):
        params.add_column(column)
    for row in result.identifiability.itertuples(index=False):
        params.add_row(
            row.parameter,
            f"{row.estimate:.3f}",
            f"{row.ci_low:.3f} - {row.ci_high:.3f}",
            f"{row.low:g} - {row.high:g}",
            "yes" if row.identified else "no",
            row.note,
        )
    return [errors, params]


@app.command()
def calibrate(
    config: Optional[Path] = typer.Option(
        None, "--config", help="Calibration file, or the shipped one's name 'calibration'; built-in defaults otherwise."
    ),
    target: Optional[Path] = typer.Option(
        None, "--target", help="Positions CSV whose member_stance rows are fitted (default: the article's)."
    ),
    out: Optional[Path] = typer.Option(
        None, "--out", help="Also write the fitted parameter file here (always in --out-dir as params.yaml)."
    ),
    overwrite: bool = typer.Option(
        False, "--overwrite", help="Replace an existing --out file that cohesion did not write."
    ),
    out_dir: Optional[Path] = typer.Option(
        None,
        "--out-dir",
        help="Folder for calibration.csv, parameters.csv, params.yaml, manifest.json (replaced); "
        "default results/calibration, or results/crossval with --cv.",
    ),
    scenario: Optional[str] = typer.Option(
        None, "--scenario", help="Scenario the stances are modelled in (default baseline)."
    ),
    steps: Optional[int] = typer.Option(None, "--steps", help="Modelled stance = mean over weeks 1..N (default 4)."),
    seed: Optional[int] = typer.Option(None, "--seed", help="Seed of the runs (one fixed seed for every evaluation)."),
    replicates: Optional[int] = typer.Option(None, "--replicates", help="Runs averaged per evaluation (default 10)."),
    starts: Optional[int] = typer.Option(None, "--starts", help="Optimizer starts (default 4)."),
    drivers: Optional[str] = typer.Option(None, "--drivers", help="measured (default) or legacy structural drivers."),
    cv: Optional[str] = typer.Option(
        None, "--cv", help="'member': leave-one-member-out error for measured and legacy drivers, instead of one fit."
    ),
    windows: bool = typer.Option(
        False, "--windows", help="Fit acceptance_tolerance to the decisions on record (data/decisions.csv) "
        "at the week-0 stances instead; prints the fit, writes nothing."
    ),
) -> None:
    """Fit parameters to observed stances with scipy's least_squares; report fit and identifiability.

    Example: cohesion calibrate --out-dir results/calibration --out calibrated.yaml
    """
    from cohesion.experiments import calibration as fit
    from cohesion.outputs import claimed_file, claimed_output

    if windows:
        _windows(drivers)
        return
    data = fit.load_calibration(experiment_path(config)) if config is not None else {}
    given = {
        "target": None if target is None else str(target),
        "scenario": scenario,
        "steps": steps,
        "seed": seed,
        "replicates": replicates,
        "starts": starts,
        "drivers": drivers,
    }
    spec = fit.calibration_spec({**data, **{k: v for k, v in given.items() if v is not None}})
    if cv is not None:
        _crossval(spec, cv, out_dir or Path("results/crossval"), drivers)
        return
    out_dir = out_dir or Path("results/calibration")
    if out is not None and Path(out).resolve() == Path(out_dir).resolve():
        raise InputError(f"--out is the parameter file and --out-dir the results folder: they cannot both be {out}")
    # every output is checked and locked before the fit: never replace other folders or a user's file
    with claimed_output(out_dir, "experiment", "calibration") as folder, (
        claimed_file(out, overwrite, fit.PARAMS_MARKER, "parameter file") if out is not None else nullcontext(None)
    ) as params_file:
        result = fit.calibrate(spec)
        fit.write_calibration(result, folder, params_file)
    console = _console()
    for table in calibration_tables(result):
        console.print(table)
    print(f"calibration written to {out_dir}" + (f"; parameter file {out}" if out is not None else ""))


def _windows(drivers: Optional[str]) -> None:
    """Print the acceptance tolerances that reproduce the decisions on record at week 0."""
    from cohesion.constants import ISSUES
    from cohesion.experiments.windows import fit_world_windows, load_decisions
    from cohesion.scenarios import load_scenario
    from cohesion.world import build_world

    scenario, digest = load_scenario("baseline")
    world = build_world(scenario, digest, driver_source=drivers or "measured")
    records = load_decisions()
    result = fit_world_windows(world, records)
    table = Table(title="Acceptance windows against the decisions on record by 27 January 2022 (week-0 stances)")
    for column in ("issue", "on record", "decision from tolerance", "at the fit", "at the current default"):
        table.add_column(column)
    default = world.params.acceptance_tolerance
    for issue, record, threshold in zip(ISSUES, records, result.thresholds):
        recorded = {True: "decision", False: "none", None: "unclear (not fitted)"}[record.decided]
        table.add_row(issue, recorded, f">= {threshold:.3f}", "decision" if result.value >= threshold else "none",
                      "decision" if default >= threshold else "none")
    _console().print(table)
    tightening = world.params.acceptance_salience_tightening
    if result.consistent:
        print(f"acceptance_tolerance {result.value:.3f}: every clear record holds for {result.low:.3f} <= tolerance "
              f"< {result.high:.3f} (acceptance_salience_tightening {tightening:g}; default now {default:g})")
    else:
        print(f"no tolerance reproduces every record; {result.value:.3f} gets wrong: {', '.join(result.wrong)} "
              f"(acceptance_salience_tightening {tightening:g}; default now {default:g})")


def _crossval(spec, cv: str, out_dir: Path, drivers: Optional[str]) -> None:  # type: ignore[no-untyped-def]
    """Leave-one-member-out cross-validation of the calibration, for one or both driver sets."""
    import pandas as pd

    from cohesion.experiments.crossval import crossval_summary, leave_one_member_out, write_crossval
    from cohesion.outputs import claimed_output

    if cv != "member":
        raise InputError(f"--cv must be 'member', got {cv!r}")
    console = _console()
    with claimed_output(out_dir, "experiment", "crossval"):  # checked and locked before the fits
        tables = []
        for source in [drivers] if drivers else ["measured", "legacy"]:
            tables.append(
                leave_one_member_out(source, spec, progress=lambda m, s=source: console.log(f"{s}: holding out {m}"))
            )
        table = pd.concat(tables, ignore_index=True)
        write_crossval(table, spec, out_dir)
    summary = Table(title="Leave-one-member-out error on the coded positions (refit without the member)")
    for column in ("drivers", "observations", "members", "RMSE", "MAE", "RMSE of per-issue mean"):
        summary.add_column(column)
    for row in crossval_summary(table).itertuples(index=False):
        summary.add_row(
            row.drivers, str(row.observations), str(row.members), f"{row.rmse:.4f}", f"{row.mae:.4f}",
            f"{row.baseline_rmse:.4f}",
        )
    console.print(summary)
    print(f"cross-validation written to {out_dir}")
