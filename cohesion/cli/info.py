"""Commands that show inputs: scenarios, positions, parameters, members."""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.table import Table

from cohesion.cli import app
from cohesion.errors import InputError


def readable(value: object) -> str:
    """A table cell: numbers without exponents (thousands grouped, at most three decimals), missing as a dash."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "–" if value is None else str(value)
    if value != value:  # NaN
        return "–"
    if abs(value) >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _emit(frame, fmt: str, title: str) -> None:  # type: ignore[no-untyped-def]
    if fmt == "csv":
        frame.to_csv(sys.stdout, index=False)
        return
    if fmt != "table":
        raise InputError(f"--format must be table or csv, got {fmt!r}")
    cells = [[readable(v) for v in row] for row in frame.itertuples(index=False)]
    table = Table(title=title, show_lines=False)
    for i, column in enumerate(frame.columns):
        header = str(column).replace("_", " ")
        longest = max([len(word) for word in header.split()] + [len(row[i]) for row in cells] + [1])
        numeric = frame[column].dtype.kind in "if"
        # Headers wrap between words only; cells never wrap (the console is made wide enough).
        table.add_column(header, min_width=min(longest, 60), justify="right" if numeric else "left", overflow="fold")
    for row in cells:
        table.add_row(*row)
    width = Console(width=10_000).measure(table).maximum
    Console(width=max(min(width, 400), Console().width)).print(table)


@app.command()
def scenarios() -> None:
    """List the shipped scenarios with a one-line description.

    Example: cohesion scenarios
    """
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
    """Print the coded positions (the 27 January 2022 article and other statements up to that day), with quotes, weights and sources.

    Example: cohesion positions --member deu --format csv
    """
    import pandas as pd

    from cohesion.inputs import load_positions

    frame = pd.DataFrame([p.__dict__ for p in load_positions()])
    member = member.upper()  # codes in any case, as everywhere else
    if member:
        if member not in set(frame["speaks_for"]):
            raise InputError(f"no position speaks for {member!r}")
        frame = frame[frame["speaks_for"] == member]
    _emit(frame, fmt, "Positions up to 27 January 2022 (the article and other sources; docs/positions.md)")


@app.command()
def params(fmt: str = typer.Option("table", "--format", help="table or csv")) -> None:
    """Print every parameter with its default, range, unit and meaning.

    Example: cohesion params --format csv > params.csv
    """
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
def members(
    fmt: str = typer.Option("table", "--format", help="table or csv"),
    drivers: str = typer.Option("measured", "--drivers", help="measured (from indicators.csv) or legacy (hand-weighted proxies)."),
    member: str = typer.Option("", "--member", help="Only this ISO3 code (any case)."),
) -> None:
    """Print each member's drivers with their 90% interval and the indicators (with status) behind them.

    Example: cohesion members --member deu
    """
    from cohesion.inputs import load_members

    known = load_members()
    member = member.upper()
    if member and member not in known.codes:
        raise InputError(f"unknown member code {member!r} (valid: {' '.join(sorted(known.codes))})")
    if drivers == "legacy":
        from cohesion.core.drivers import driver_table

        frame = driver_table(known)
        title = "Member drivers: legacy hand-weighted proxies (docs/data.md for sources)"
    elif drivers == "measured":
        from cohesion.indicators import load_indicators
        from cohesion.measurement.store import load_measurement
        from cohesion.measurement.tables import member_driver_table

        frame = member_driver_table(load_measurement(), load_indicators(), dict(zip(known.codes, known.names)))
        if fmt == "table":
            interval = [f"{a:.2f}-{b:.2f}" for a, b in zip(frame["p05"], frame["p95"])]
            frame = frame.drop(columns=["p05", "p95"]).assign(score=frame["score"].round(2))
            frame.insert(4, "90% interval", interval)
        title = "Measured drivers: posterior mean, 90% interval, indicators (status) - docs/model.md 3.2"
    else:
        raise InputError(f"--drivers must be measured or legacy, got {drivers!r}")
    if member:
        frame = frame[frame["member"] == member]
    _emit(frame, fmt, title)
