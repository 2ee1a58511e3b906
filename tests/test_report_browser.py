"""The HTML report in a real headless Chromium with the network cut off.

Debian's ``/usr/bin/chromium`` driven by Playwright (no downloaded browser).
Without Chromium the tests skip, unless ``COHESION_REQUIRE_BROWSER=1`` (CI),
where they fail.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from cohesion.cli import main
from cohesion.report import write_report

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


def _browser_or_skip() -> str:
    """The Chromium executable, or skip (fail when the environment requires a browser)."""
    required = os.environ.get("COHESION_REQUIRE_BROWSER") == "1"
    executable = str(CHROMIUM) if CHROMIUM.exists() else shutil.which("chromium")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        executable = None
    if executable is None:
        message = "Debian's chromium (and the playwright package) are needed for the browser tests"
        if required:
            pytest.fail(f"{message}, and COHESION_REQUIRE_BROWSER=1")
        pytest.skip(message)
    return executable


@pytest.fixture(scope="module")
def browser():
    executable = _browser_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def run_report(tmp_path_factory) -> Path:
    """The report of a real two-scenario run."""
    folder = tmp_path_factory.mktemp("browser")
    out = folder / "run"
    main(["run", "baseline", "invasion", "--runs", "4", "--steps", "8", "--seed", "5", "--quiet", "--out", str(out)])
    return write_report(out, folder / "run.html")


@pytest.fixture(scope="module")
def experiment_report(tmp_path_factory) -> Path:
    """The report of a hand-made experiment folder with every optional table."""
    folder = tmp_path_factory.mktemp("browser-experiment") / "exp"
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({"format": "cohesion-experiment/2", "kind": "experiment", "seed": 1}))
    pd.DataFrame([
        {"point": i * 3 + j, "replicate": r, "seed": r, "scenario": "baseline", "energy_weight": a, "threat_weight": b,
         "consensus": 40 + 10 * b - 5 * a + r}
        for i, a in enumerate((0.5, 1.0, 1.5)) for j, b in enumerate((0.0, 1.0, 2.0)) for r in (0, 1)
    ]).to_parquet(folder / "points.parquet")
    pd.DataFrame([{"outcome": "cohesion_index", "parameter": p, "method": "sobol", "S1": s, "S1_conf": 0.05, "ST": s + 0.1, "ST_conf": 0.05}
                  for p, s in (("energy_weight", 0.3), ("threat_weight", 0.5))]).to_csv(folder / "sensitivity.csv", index=False)
    pd.DataFrame({"position_id": ["a", "b"], "member": ["DEU", "USA"], "issue": ["sanctions", "deterrence"],
                  "observed": [0.2, 0.95], "modelled": [0.3, 0.9], "error": [0.1, -0.05]}).to_csv(folder / "calibration.csv", index=False)
    return write_report(folder, folder.parent / "exp.html")


def open_offline(browser, path: Path):
    """Open a report with every non-file request aborted; return the page and what it tried and logged."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    attempts: list[str] = []
    errors: list[str] = []

    def route(r):
        url = r.request.url
        if url.startswith(("file://", "data:", "blob:", "about:")):
            r.continue_()
        else:
            attempts.append(url)
            r.abort()

    page.route("**/*", route)
    page.on("request", lambda request: attempts.append(request.url) if request.url.startswith(("http:", "https:")) else None)
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(path.as_uri(), wait_until="load")
    return page, attempts, errors


def assert_every_figure_rendered(page) -> list[str]:
    """Every plot div holds a drawn SVG; return their ids."""
    ids = page.eval_on_selector_all(".plotly-graph-div", "divs => divs.map(d => d.id)")
    assert ids
    for div_id in ids:
        page.wait_for_function(
            "id => { const svg = document.getElementById(id).querySelector('.main-svg'); return svg && svg.childElementCount > 0; }",
            arg=div_id, timeout=20_000,
        )
    return ids


def test_run_report_renders_offline(browser, run_report):
    page, attempts, errors = open_offline(browser, run_report)
    ids = assert_every_figure_rendered(page)
    assert set(ids) >= {f"fig-{s}" for s in ("timeline", "comparison", "stances", "alignment", "why", "why-issues", "blockers", "map")}
    # the map draws 30 filled member outlines
    assert page.evaluate("document.getElementById('fig-map').data.filter(t => t.meta && t.meta.role === 'member').length") == 30
    # the scenario dropdown switches the heat map
    page.locator("#fig-stances .updatemenu-header-group").click()
    page.locator("#fig-stances .updatemenu-item-text", has_text="invasion").click()
    assert page.evaluate("document.getElementById('fig-stances').data.map(t => t.visible)") == [False, True]
    assert attempts == [] and errors == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
    assert (ARTIFACTS / "report.png").stat().st_size > 10_000
    page.close()


def test_experiment_report_renders_offline(browser, experiment_report):
    page, attempts, errors = open_offline(browser, experiment_report)
    ids = assert_every_figure_rendered(page)
    assert set(ids) == {"fig-sweep", "fig-sensitivity", "fig-calibration"}
    assert attempts == [] and errors == []
    page.close()
