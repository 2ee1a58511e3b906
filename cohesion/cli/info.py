"""Commands that show inputs: scenarios, positions, parameters, members."""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.table import Table

from cohesion.cli import app
from cohesion.errors import InputError


def _emit(frame, fmt: str, title: str) -> None:  # type: ignore[no-untyped-def]
    if fmt == "csv":
        frame.to_csv(sys.stdout, index=False)
        return
    if fmt != "table":
        raise InputError(f"--format must be table or csv, got {fmt!r}")
    table = Table(title=title, show_lines=False)
    for column in frame.columns:
        table.add_column(str(column), overflow="fold")
    for row in frame.itertuples(index=False):
        table.add_row(*[f"{v:.3g}" if isinstance(v, float) else str(v) for v in row])
    Console(width=max(160, Console().width)).print(table)


@app.command()
def scenarios() -> None:
    """List the shipped scenarios with a one-line description."""
    from cohesion.scenarios import load_scenario, shipped_scenarios

    table = Table(title="Shipped scenarios")
    table.add_column("name")
    table.add_column("weeks", justify="right")
    table.add_column("what happens")
    for name in shipped_scenarios():
        spec, _ = load_scenario(name)
        table.add_row(name, str(spec.weeks), spec.title)
    Console().print(table)


@app.command()
def positions(
    fmt: str = typer.Option("table", "--format", help="table or csv"),
    member: str = typer.Option("", "--member", help="Only positions speaking for this ISO3 code (or EU/RUS/UKR)."),
) -> None:
    """Print the coded positions (the 27 January 2022 article and other statements up to that day), with quotes, weights and sources."""
    import pandas as pd

    from cohesion.inputs import load_positions

    frame = pd.DataFrame([p.__dict__ for p in load_positions()])
    if member:
        if member not in set(frame["speaks_for"]):
            raise InputError(f"no position speaks for {member!r}")
        frame = frame[frame["speaks_for"] == member]
    _emit(frame, fmt, "Positions up to 27 January 2022 (the article and other sources; docs/positions.md)")


@app.command()
def params(fmt: str = typer.Option("table", "--format", help="table or csv")) -> None:
    """Print every parameter with its default, range, unit and meaning."""
    import pandas as pd

    from cohesion.params import PARAM_SPECS

    frame = pd.DataFrame(
        [
            {"name": s.name, "group": s.group, "default": s.default, "min": s.low, "max": s.high, "unit": s.unit,
             "per_member": "yes" if s.per_member else "no", "meaning": s.meaning}
            for s in PARAM_SPECS
        ]
    )
    _emit(frame, fmt, "Parameters")


@app.command()
def members(fmt: str = typer.Option("table", "--format", help="table or csv")) -> None:
    """Print each member's drivers (energy, threat, leadership) and the inputs behind them."""
    from cohesion.core.drivers import driver_table
    from cohesion.inputs import load_members

    _emit(driver_table(load_members()), fmt, "Member drivers (docs/data.md for sources)")
