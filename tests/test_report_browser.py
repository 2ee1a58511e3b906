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


def open_offline(browser, path: Path, width: int = 1280, height: int = 900):
    """Open a report with every non-file request aborted; return the page and what it tried and logged."""
    page = browser.new_page(viewport={"width": width, "height": height}, accept_downloads=True)
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


def wait_ready(page) -> None:
    """Wait until the page script has applied every figure's view."""
    page.wait_for_function("document.body.dataset.ready === '1'", timeout=30_000)


PLOT_WIDTHS = """Array.from(document.querySelectorAll('.plotly-graph-div')).filter(d => d.offsetParent !== null)
  .map(d => [d.id, d._fullLayout._size.w])"""


def test_run_report_renders_offline(browser, run_report):
    page, attempts, errors = open_offline(browser, run_report)
    ids = assert_every_figure_rendered(page)
    wait_ready(page)
    assert set(ids) >= {f"fig-{s}" for s in ("comparison", "stances", "alignment", "why", "why-issues", "blockers", "map", "map-1")}
    timeline = next(i for i in ids if i.startswith("fig-timeline-"))  # one per headline score
    # the map draws 30 filled member outlines
    assert page.evaluate("document.getElementById('fig-map').data.filter(t => t.meta && t.meta.role === 'member').length") == 30
    # one selector switches every figure: the heat map, the ranking's labels, the map's colours
    fills = page.evaluate("document.getElementById('fig-map').data.filter(t => t.meta && t.meta.role === 'member').map(t => t.fillcolor)")
    page.select_option("#scenario", "invasion")
    page.wait_for_function("document.getElementById('fig-stances').data[1].visible === true")
    assert page.evaluate("document.getElementById('fig-stances').data.map(t => t.visible)") == [False, True]
    assert page.evaluate("document.getElementById('fig-blockers').data.map(t => t.visible)") == [False, True]
    page.wait_for_function("""f => JSON.stringify(document.getElementById('fig-map').data.filter(t => t.meta && t.meta.role === 'member')
        .map(t => t.fillcolor)) !== f""", arg=json.dumps(fills))
    # the attribution opens relative to the alliance average; its button shows the parts
    shown = "document.getElementById('fig-why').data.filter(t => t.visible !== false && t.meta.role === 'component').map(t => t.meta.view + ':' + t.meta.scenario)"
    assert set(page.evaluate(shown)) == {"relative:invasion"}
    page.locator("#wrap-fig-why .toggle button", has_text="Parts of the stance").click()
    page.wait_for_function(f"new Set({shown}).has('parts:invasion')")
    assert set(page.evaluate(shown)) == {"parts:invasion"}
    # the timeline's button shows the change from the reference, with its own axis
    page.locator(f"#wrap-{timeline} .toggle button", has_text="Change from baseline").click()
    page.wait_for_function(f"document.getElementById('{timeline}').layout.yaxis.title.text.endsWith('change from baseline')")
    roles = page.evaluate(f"[...new Set(document.getElementById('{timeline}').data.filter(t => t.visible !== false).map(t => t.meta.role))]")
    assert set(roles) == {"change", "end_label"}
    # "download data (CSV)" gives the selected scenario's rows of exactly the table the figure carries
    with page.expect_download() as info:
        page.locator("#wrap-fig-alignment a.csv").click()
    downloaded = pd.read_csv(info.value.path())
    members = pd.read_csv(run_report.parent / "run" / "members.csv")
    expected = members[members["scenario"] == "invasion"].sort_values("alignment_rank")
    assert list(downloaded["member"]) == list(expected["member"])
    assert downloaded["alignment"].to_numpy() == pytest.approx(expected["alignment"].to_numpy())
    # the tile grid replaces the map on request
    page.locator("#map .switch button", has_text="Tile grid").click()
    assert page.is_visible("#fig-map-1") and not page.is_visible("#fig-map")
    assert attempts == [] and errors == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
    assert (ARTIFACTS / "report.png").stat().st_size > 10_000
    page.close()


@pytest.mark.parametrize("width,height", [(390, 844), (1440, 900)])
def test_run_report_fits_phone_and_desktop(browser, run_report, width, height):
    """Nothing overflows horizontally and every plot area is at least 300 px wide (a 390 px phone and a desktop)."""
    page, attempts, errors = open_offline(browser, run_report, width, height)
    assert_every_figure_rendered(page)
    wait_ready(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for switch in (None, "Tile grid"):
        if switch:
            page.locator("#map .switch button", has_text=switch).click()
            page.wait_for_timeout(300)
        widths = dict(page.evaluate(PLOT_WIDTHS))
        assert len(widths) >= 8 and all(w >= 300 for w in widths.values()), widths
    narrow = page.evaluate("document.getElementById('fig-alignment').layout.yaxis.ticktext")
    assert (narrow[0] in ("USA", "GBR")) == (width < 700)  # ISO3 codes on a phone, country names on a desktop
    assert attempts == [] and errors == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"report-{width}.png"), full_page=False)
    page.close()


def test_experiment_report_renders_offline(browser, experiment_report):
    page, attempts, errors = open_offline(browser, experiment_report)
    ids = assert_every_figure_rendered(page)
    assert set(ids) == {"fig-sweep", "fig-sensitivity", "fig-calibration"}
    assert attempts == [] and errors == []
    page.close()
