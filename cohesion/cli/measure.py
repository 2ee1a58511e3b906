"""``cohesion measure``: fit the measurement model and store the drivers' posterior draws."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from cohesion.cli import app


def _table(frame, title: str) -> Table:  # type: ignore[no-untyped-def]
    table = Table(title=title)
    for column in frame.columns:
        table.add_column(str(column), overflow="fold")
    for row in frame.itertuples(index=False):
        table.add_row(*[f"{v:.3f}" if isinstance(v, float) else str(v) for v in row])
    return table


@app.command()
def measure(
    draws: int = typer.Option(200, "--draws", help="Posterior draws kept per driver (pooled over 4 chains)."),
    seed: int = typer.Option(20220127, "--seed", help="Root seed of the Gibbs chains; the same seed gives the same files."),
    out: Optional[Path] = typer.Option(
        None, "--out", help="Folder for drivers.parquet and drivers.json (default: the package's data folder)."
    ),
    indicators_file: Optional[Path] = typer.Option(
        None, "--indicators", help="An indicators CSV in the format of cohesion/data/indicators.csv (default: that file)."
    ),
) -> None:
    """Estimate each driver from its indicators (one Bayesian factor model per family) and store the draws.

    Example: cohesion measure --draws 200
    """
    from cohesion.indicators import load_indicators
    from cohesion.inputs import load_members
    from cohesion.measurement.model import measure as fit
    from cohesion.measurement.store import indicators_sha256, measurement_folder, write_measurement
    from cohesion.measurement.tables import family_table, loading_table

    measurement_folder(out)  # before the fit: fail fast on a bad destination
    indicators = load_indicators(indicators_file)  # checks the file first: one error line if bad
    digest = indicators_sha256(indicators_file)
    measurement = fit(indicators, load_members().codes, seed=seed, draws=draws, indicators_sha256=digest)
    paths = write_measurement(measurement, out)
    console = Console(width=max(Console().width, 120))
    families = family_table(measurement)
    console.print(_table(
        families[["family", "driver", "indicators", "anchor"]].assign(
            **{"variance explained (90%)": [f"{r.variance_share:.2f} ({r.variance_share_p05:.2f}-{r.variance_share_p95:.2f})"
                                            for r in families.itertuples()],
               "largest R-hat": families["rhat_max"], "excluded": families["excluded"]}
        ),
        "Drivers measured: share of the indicators' variance each factor explains",
    ))
    loadings = loading_table(measurement)
    console.print(_table(
        loadings[["family", "indicator", "anchor", "observed"]].assign(
            **{"loading (90%)": [f"{r.loading:+.2f} ({r.loading_p05:+.2f} to {r.loading_p95:+.2f})" for r in loadings.itertuples()],
               "uniqueness": loadings["uniqueness"]}
        ),
        "Standardised loadings (correlation of indicator and factor)",
    ))
    print(f"drivers written to {paths[0]} and {paths[1]}")
