"""``cohesion explore``: the live explorer, served on this machine only."""

from __future__ import annotations

from pathlib import Path

import typer

from cohesion.cli import app


@app.command()
def explore(
    scenario: str = typer.Option("baseline", "--scenario", help="Scenario to start with: a shipped name or a file."),
    port: int = typer.Option(8050, "--port", help="Port on 127.0.0.1."),
    runs: int = typer.Option(100, "--runs", help="Monte Carlo runs per update."),
    seed: int = typer.Option(20220127, "--seed", help="Root seed (the same as cohesion run's default)."),
    save_dir: Path = typer.Option(Path("."), "--save-dir", help="Where the Save and Export buttons write by default."),
) -> None:
    """Serve a local explorer: sliders for every decision parameter and each event, figures that follow.

    It listens on 127.0.0.1 only, prints its address and opens nothing by itself.

    Example: cohesion explore --scenario invasion --port 8060
    """
    from cohesion.errors import InputError
    from cohesion.explore.app import build_app
    from cohesion.limits import check_seed

    if not 1 <= port <= 65535:
        raise InputError(f"--port must be between 1 and 65535, got {port}")
    if runs < 2:
        raise InputError(f"--runs must be at least 2, got {runs}")
    check_seed(seed)
    application = build_app(scenario, runs=runs, seed=seed, save_dir=save_dir)
    print(f"cohesion explorer: http://127.0.0.1:{port}/ (Ctrl-C to stop)", flush=True)
    application.run(host="127.0.0.1", port=port, debug=False)
