"""``cohesion explain``: why a member stands where it does, from saved results."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cohesion.cli import app
from cohesion.errors import InputError


@app.command()
def explain(
    member: str = typer.Argument(..., help="ISO3 code of the member, e.g. DEU (any case)."),
    results: Path = typer.Option(Path("results/latest"), "--results", help="Results folder of 'cohesion run'."),
    scenario: Optional[str] = typer.Option(
        None, "--scenario", help="Scenario in that folder (default: baseline if present, else the first)."
    ),
) -> None:
    """Split a member's horizon stance on each issue into energy, threat, leadership, peer and other parts.

    Reads the attribution that 'cohesion run' saved (results/latest by default), so run first.

    Example: cohesion explain deu --scenario invasion
    """
    import pandas as pd

    from cohesion.constants import COMPONENTS, ISSUES
    from cohesion.results import read_manifest

    read_manifest(results)
    path = results / "attribution.parquet"
    if not path.is_file():
        raise InputError(f"{results} has no attribution.parquet (not a 'cohesion run' results folder?)")
    try:
        frame = pd.read_parquet(path, columns=["scenario", "member", "issue", "component", "value"])
    except Exception as exc:  # pyarrow raises several types for a damaged or foreign file
        raise InputError(f"cannot read {path}: {type(exc).__name__}") from None
    if frame.empty:
        raise InputError(f"{path} holds no rows (a damaged results folder? run 'cohesion run' again)")
    names = list(dict.fromkeys(frame["scenario"]))
    wanted = scenario or "baseline"
    # A label such as "baseline [energy_weight=0.5]" is found by its scenario name when it is the only one.
    matches = [n for n in names if n == wanted] or [n for n in names if n.split(" [", 1)[0] == wanted]
    if scenario is None and len(matches) != 1:
        matches = names[:1]
    if len(matches) != 1:
        raise InputError(f"scenario {wanted!r} is not in {results} (has: {', '.join(sorted(set(frame['scenario'])))})")
    scenario = matches[0]
    codes = sorted(set(frame["member"]))
    member = member.upper()
    if member not in codes:
        raise InputError(f"unknown member code {member!r} (valid: {' '.join(codes)})")
    rows = frame[(frame["scenario"] == scenario) & (frame["member"] == member)]
    wide = rows.pivot(index="issue", columns="component", values="value").reindex(index=list(ISSUES), columns=list(COMPONENTS))
    table = Table(title=f"{member} in {escape(scenario)}: stance at the horizon and what makes it (mean over runs)")
    table.add_column("issue")
    table.add_column("stance", justify="right")
    for component in COMPONENTS:
        table.add_column(component, justify="right")
    for issue, values in wide.iterrows():
        table.add_row(issue, f"{values.sum():.2f}", *(f"{v:+.2f}" for v in values))
    Console(width=max(Console().width, 110)).print(table)
    print("1 = the U.S.-UK line. Parts add up to the stance; see docs/model.md section 4.5.")
