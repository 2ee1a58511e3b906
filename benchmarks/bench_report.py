"""Measure the HTML report: file size, render time in Chromium, and the layout on a phone and a desktop.

Runs every shipped scenario (``--runs`` Monte Carlo runs, default 200, as the
README's worked example), writes the report with plotly.js inline and in a
directory, opens it in Debian's headless Chromium (Playwright) and prints:

- file sizes (inline page, directory page, the shared plotly.min.js);
- render time: from navigation until the first figure has drawn, and until
  every figure has drawn with its view applied (median of ``--repeat`` loads);
- page height and, per viewport (390x844 phone, 1440x900 desktop), the widest
  horizontal overflow and the narrowest plot area;
- one update of ``cohesion explore`` (100 runs, tables, the four figures it redraws).

Usage: ``python benchmarks/bench_report.py [--runs 200] [--repeat 3] [--results DIR]``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
VIEWPORTS = ((390, 844), (1440, 900))
PLOT_WIDTHS = """Array.from(document.querySelectorAll('.plotly-graph-div')).filter(d => d.offsetParent !== null)
  .map(d => d._fullLayout._size.w)"""


def measure(path: Path, width: int, height: int, browser) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Load the page once at ``width`` x ``height``; time it and measure its layout."""
    page = browser.new_page(viewport={"width": width, "height": height})
    start = time.perf_counter()
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_function("document.body.dataset.first === '1'", timeout=120_000, polling=20)
    first = time.perf_counter() - start
    page.wait_for_function("document.body.dataset.ready === '1'", timeout=120_000, polling=20)
    seconds = time.perf_counter() - start
    result = {
        "first": first,
        "seconds": seconds,
        "page_height": page.evaluate("document.documentElement.scrollHeight"),
        "overflow": page.evaluate("document.documentElement.scrollWidth") - width,
        "narrowest_plot": min(page.evaluate(PLOT_WIDTHS)),
        "figures": len(page.evaluate(PLOT_WIDTHS)),
    }
    page.close()
    return result


def explorer_update(repeat: int) -> list[float]:
    """Seconds for one explorer update: 100 runs of the changed baseline, its tables and the four figures it shows."""
    from cohesion.explore.session import Settings, run_settings
    from cohesion.report import figures
    from cohesion.report.layout import show
    from cohesion.report.member_map import member_map

    times = []
    for i in range(repeat + 1):  # the first update also simulates the shipped scenario once; not counted
        start = time.perf_counter()
        session = run_settings(Settings("baseline", params=(("energy_weight", 0.5 + 0.05 * i),)))
        results = session.results()
        for build in (figures.score_timeline, figures.alignment_ranking, figures.blocker_matrix, member_map):
            show(build(results), scenario=session.label).to_json()
        times.append(time.perf_counter() - start)
    return times[1:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--results", type=Path, help="an existing results folder (default: run every shipped scenario)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from cohesion.report import write_report

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        results = args.results
        if results is None:
            results = folder / "all"
            subprocess.run([sys.executable, "-m", "cohesion", "run", "all", "--runs", str(args.runs), "--quiet", "--out", str(results)],
                           check=True, capture_output=True)
        start = time.perf_counter()
        inline = write_report(results, folder / "inline" / "report.html")
        build_seconds = time.perf_counter() - start
        directory = write_report(results, folder / "directory" / "report.html", plotlyjs="directory")
        print(f"results: {results} ({'every shipped scenario, ' + str(args.runs) + ' runs' if args.results is None else 'given'})")
        print(f"build (python): {build_seconds:.2f} s")
        print(f"size, plotly.js inline: {inline.stat().st_size / 1e6:.2f} MB")
        print(f"size, plotly.js in a directory: {directory.stat().st_size / 1e6:.2f} MB "
              f"+ shared plotly.min.js {(directory.parent / 'plotly.min.js').stat().st_size / 1e6:.2f} MB")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
            for width, height in VIEWPORTS:
                loads = [measure(inline, width, height, browser) for _ in range(args.repeat)]
                last = loads[-1]
                each = ", ".join(f"{load['seconds']:.2f}" for load in loads)
                print(f"{width}x{height}: first figure {statistics.median(load['first'] for load in loads):.2f} s, "
                      f"every figure {statistics.median(load['seconds'] for load in loads):.2f} s "
                      f"(median of {args.repeat}; {each}), "
                      f"page height {last['page_height']} px, horizontal overflow {last['overflow']} px, "
                      f"narrowest plot area {last['narrowest_plot']:.0f} px of {last['figures']} figures")
            browser.close()
    updates = explorer_update(args.repeat)
    print(f"explorer update (100 runs, tables, 4 figures): median {statistics.median(updates):.2f} s "
          f"({', '.join(f'{t:.2f}' for t in updates)})")


if __name__ == "__main__":
    main()
