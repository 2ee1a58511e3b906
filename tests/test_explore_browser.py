"""``cohesion explore`` for real: the server in a subprocess, driven in Debian's Chromium.

Move a slider, see the figures and the headline change, save the settings, and
check that ``cohesion run --params`` with the saved file gives the number the
page shows. The screenshot (test-artifacts/explorer.png) is the one in README.
"""

from __future__ import annotations

import re
import socket
import subprocess
import time

import pandas as pd
import pytest

from cohesion.report.scores import run_scores

from tests.test_report_browser import ARTIFACTS, CHROMIUM_ARGS, _browser_or_skip

pytestmark = pytest.mark.browser
RUNS = 40


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(cli, tmp_path_factory):
    """The explorer on a free local port; stopped (by its own process id) after the tests."""
    _browser_or_skip()
    folder = tmp_path_factory.mktemp("explore")
    port = free_port()
    process = subprocess.Popen([*cli, "explore", "--port", str(port), "--runs", str(RUNS), "--save-dir", str(folder)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        first = process.stdout.readline()
        assert first.strip() == f"cohesion explorer: http://127.0.0.1:{port}/ (Ctrl-C to stop)"
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.3)
        yield f"http://127.0.0.1:{port}/", folder
    finally:
        process.terminate()
        process.wait(timeout=20)


def settled(page, selector: str, quiet_seconds: float = 3.0) -> str:
    """The text of ``selector`` once no update is pending and it has not changed for ``quiet_seconds``."""
    last, since = None, time.time()
    while time.time() - since < quiet_seconds:
        text = page.locator(selector).inner_text()
        busy = page.evaluate("document.querySelector('[data-dash-is-loading]') !== null")
        if text != last or busy:
            last, since = text, time.time()
        page.wait_for_timeout(250)
    return last


def test_explorer_follows_a_slider_and_saves_settings_that_cohesion_run_reproduces(server, cli, tmp_path):
    url, folder = server
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_browser_or_skip(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(url)
        value = page.locator("[id^=value-]").first
        value.wait_for(timeout=60_000)
        metric = value.get_attribute("id").removeprefix("value-")
        before = value.inner_text()
        line = """() => { const gd = document.querySelector('#timeline .js-plotly-plot');
                          const t = gd.data.find(t => t.meta && t.meta.role === 'mean' && t.name.endsWith('[your settings]'));
                          return JSON.stringify(t.y); }"""
        page.wait_for_function(f"({line})() !== undefined", timeout=60_000)
        curve = page.evaluate(line)
        handle = page.locator('[id=\'{"name":"energy_weight","type":"param"}\'] [role=slider]')
        handle.focus()
        for _ in range(15):
            handle.press("ArrowLeft")  # lower the weight of energy dependence
        page.wait_for_function(f"document.getElementById('value-{metric}').innerText !== {before!r}", timeout=60_000)
        page.wait_for_function(f"({line})() !== {curve!r}", timeout=60_000)  # the figure changed with the number
        shown = settled(page, f"#value-{metric}")
        page.locator("#save").click()
        page.wait_for_function("document.getElementById('saved').innerText.startsWith('saved')", timeout=30_000)
        note = page.locator("#saved").inner_text()
        page.locator("#export").click()
        page.wait_for_function("document.getElementById('saved').innerText.startsWith('results written')", timeout=60_000)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "explorer.png"), full_page=False)
        assert errors == []
        browser.close()
    exported = folder / "results" / "explore"
    summary = pd.read_csv(exported / "summary.csv")  # the exported folder holds what was shown
    assert (exported / "manifest.json").is_file() and list(summary["scenario"]) == ["baseline", "baseline [your settings]"]
    saved = folder / "explore-params.yaml"
    assert str(saved) in note and "energy_weight" in saved.read_text()
    out = tmp_path / "again"
    subprocess.run([*cli, "run", "baseline", "--params", str(saved), "--runs", str(RUNS), "--quiet", "--out", str(out)],
                   check=True, capture_output=True)
    summary = pd.read_csv(out / "summary.csv")
    assert summary["scenario"].iloc[0] == "baseline [params=explore-params.yaml]"
    column = next(s.mean for s in run_scores(summary, pd.read_parquet(out / "timeseries_summary.parquet")) if s.metric == metric)
    digits = len(shown.split(".")[1]) if "." in shown else 0
    assert f"{summary[column].iloc[0]:.{digits}f}" == shown
    assert re.fullmatch(r"-?\d+(\.\d+)?", shown)
