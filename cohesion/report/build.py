"""Putting a report together: which sections a run or an experiment gets, and writing the file."""

from __future__ import annotations

import os
import secrets
from html import escape
from pathlib import Path

import pandas as pd

from cohesion.constants import ISSUES
from cohesion.errors import InputError
from cohesion.report import experiment_figures, figures
from cohesion.report.data import ExperimentResults, RunResults, load_results
from cohesion.report.layout import issue_label
from cohesion.report.member_map import member_map
from cohesion.report.page import Raw, Section, cell_html, render, swatch, table
from cohesion.report.palette import scenario_colours

TEXT = {
    "glance": "Each scenario at its horizon: the consensus score (how much of the U.S.-UK proposal the alliance can adopt by "
    "consensus; mean over runs, with the 5th-95th percentile range), the members "
    "that block an issue in at least half of the runs, and the most and least aligned members.",
    "timeline": "The consensus score (0-100) week by week: the line is the mean over runs, the shaded band the 5th-95th percentile "
    "range. Diamonds mark the scenario's scheduled events, on its line and on the strip below; hover for what happens. "
    "Click a scenario in the legend to hide it, double-click to show it alone.",
    "comparison": "The scenarios side by side at the horizon. Consensus: how much of the leaders' proposal passes when every "
    "member must accept the decision (100 = every proposal undiluted, 0 = no decision on any issue). Cohesion: agreement "
    "among the allies themselves (100 = all hold the same stance). Beside them: mean alignment with the proposal, the "
    "Hix-Noury-Roland agreement index, the EU-unanimity outcome on sanctions and energy, and the number of members that "
    "block the proposal somewhere. Bars are 90% intervals over runs; open circles consensus at week 0; arrows say which way "
    "is more cohesive.",
    "stances": "Each member's mean stance on each issue at the horizon (1 = the U.S.-UK line, 0 = its opposite). "
    "✕ marks an issue the member blocks in at least half of the runs. Members are ordered by alignment, averaged over scenarios.",
    "alignment": "Alignment of each member with the U.S.-UK proposal at the horizon (1 minus the mean absolute gap to the "
    "proposal over the issues), most aligned on top, with the 90% interval over runs. Grey ticks show week 0.",
    "why": "Why each member stands where it does. Every stance is an exact sum of parts: a common baseline, the pulls of "
    "energy dependence, threat perception and trust in U.S.-UK leadership, the influence of peers, the anchor to the member's "
    "27 January position (the article's where it speaks, the member's week-0 target elsewhere), and scenario shocks (averaged here over the six issues). Left: the parts, adding up to the stance "
    "(black diamond). Right: each part minus its alliance average, so the bars add up to the member's gap to the average "
    "member; a long bar to the left is what pulls that member away from the others.",
    "why_issues": "The same split issue by issue: each cell is one part of a member's stance on one issue minus the alliance "
    "average of that part (red: pulls the member below the average member, towards opposing the U.S.-UK line; blue: above).",
    "blockers": "Who would veto what, and when: the share of runs in which the U.S.-UK proposal on an issue lies outside a "
    "member's acceptance window, week by week. Member-issue pairs that block in at least 20% of runs in some week of some "
    "scenario are listed, the members that block most on top.",
    "map": "The members coloured by their alignment with the U.S.-UK proposal at the horizon (same colour range for every "
    "scenario). Grey countries are not NATO members. Outlines: Natural Earth 1:110m, shipped with the package.",
    "sweep": "Two varied parameters against the mean consensus score, averaged over replicates and over every other varied "
    "parameter. A grid design is shown as a heat map, any other design as its points.",
    "sensitivity": "How much of the variation of an outcome each parameter explains: Sobol first-order (S1) and total (ST) "
    "indices, or Morris mean absolute elementary effects (μ*) with their spread (σ). Bars carry their confidence intervals.",
    "calibration": "Observed stances (the positions reported in the article) against the stances the calibrated model gives, "
    "one point per position. Points on the diagonal are fitted exactly.",
}


def default_output(results_dir: Path) -> Path:
    """``reports/<results-folder-name>.html`` under the current directory."""
    return Path("reports") / f"{Path(results_dir).resolve().name}.html"


def _glance(results: RunResults) -> str:
    colours = scenario_colours(results.scenarios)
    names = results.country_names

    def countries(codes: object) -> str:
        return ", ".join(names.get(c, c) for c in str(codes).split(";") if c) if isinstance(codes, str) and codes else "none"

    rows = [
        (
            Raw(swatch(colours[r.scenario]) + cell_html(r.scenario)),
            r.title,
            f"{r.consensus_week0:.1f}",
            Raw(f"<b>{r.consensus_mean:.1f}</b> <span class='muted'>({r.consensus_p05:.1f}–{r.consensus_p95:.1f})</span>"),
            f"{r.consensus_blockers:.1f}",
            countries(r.blocking_members),
            countries(getattr(r, "least_aligned", "")),
        )
        for r in results.summary.itertuples(index=False)
    ]
    return table(["scenario", "what happens", "consensus week 0", "consensus at horizon (90%)", "blocking members (mean)",
                  "blocking in most runs", "least aligned"], rows)


def _scenario_provenance(results: RunResults) -> str:
    specs = results.manifest.get("scenarios") or []
    colours = scenario_colours(results.scenarios)
    rows = [
        (Raw(swatch(colours.get(s.get("name"), "#999")) + cell_html(s.get("name"))), s.get("title"), s.get("weeks"),
         s.get("threat_level0"), Raw(f"<code class='hash'>{cell_html(s.get('sha256'))}</code>"),
         s.get("description"), s.get("article_basis"))
        for s in specs
    ]
    html = "<h3>Scenarios</h3>" + table(["scenario", "title", "weeks", "threat level at week 0", "sha256", "description", "basis in the article"], rows)
    params = pd.DataFrame({s.get("name"): s.get("parameters", {}) for s in specs})
    if not params.empty:
        same = params.nunique(axis=1, dropna=False) <= 1
        if same.all():
            html += "<h3>Parameters (the same in every scenario)</h3>" + table(["parameter", "value"], params.iloc[:, :1].itertuples())
        else:
            cells = [[name, *(Raw(f"<b>{cell_html(v)}</b>") if not same[name] else v for v in values)]
                     for name, values in params.iterrows()]
            html += "<h3>Parameters (bold: differs between scenarios)</h3>" + table(["parameter", *params.columns], cells)
    return html


def _provenance(meta: dict, folder: Path, skip: tuple[str, ...] = ()) -> str:
    """The manifest as tables: scalars and short lists in one, each nested entry in its own."""
    rows: list[tuple[str, object]] = [("results folder", str(folder))]
    parts = []
    for key, value in meta.items():
        if key in skip:
            continue
        title = key.replace("_", " ").capitalize()
        if key == "data_files" and isinstance(value, dict):
            parts.append("<h3>Input data files (SHA-256)</h3>"
                         + table(["file", "sha256"], [(k, Raw(f"<code>{cell_html(v)}</code>")) for k, v in value.items()]))
        elif isinstance(value, dict):
            parts.append(f"<h3>{escape(title)}</h3>" + table(["name", "value"], value.items()))
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            columns = list(dict.fromkeys(k for v in value for k in v))
            parts.append(f"<h3>{escape(title)}</h3>" + table(columns, [[v.get(c) for c in columns] for v in value]))
        elif isinstance(value, str) and "\n" in value:
            parts.append(f"<h3>{escape(title)}</h3><pre>{cell_html(value)}</pre>")
        else:
            rows.append((key, value))
    return table(["entry", "value"], rows) + "".join(parts)


def _positions(positions: pd.DataFrame | None) -> str:
    if positions is None:
        return '<p class="note">positions.csv is not in these results.</p>'
    columns = [c for c in ("id", "actor", "role", "speaks_for", "issue", "stance", "use", "date", "quote") if c in positions.columns]
    frame = positions[columns].copy()
    frame["issue"] = [issue_label(k) if k in ISSUES else k for k in frame["issue"]]
    return table([c.replace("_", " ") for c in columns], frame.itertuples(index=False))


def run_sections(results: RunResults) -> list[Section]:
    """The sections of a run's report."""
    n_positions = 0 if results.positions is None else len(results.positions)
    return [
        Section("glance", "At a glance", TEXT["glance"], html=_glance(results)),
        Section("timeline", "Cohesion over time", TEXT["timeline"], [figures.cohesion_timeline(results)]),
        Section("comparison", "Scenarios compared at the horizon", TEXT["comparison"], [figures.scenario_comparison(results)]),
        Section("stances", "Stances by member and issue", TEXT["stances"], [figures.stance_heatmap(results)]),
        Section("alignment", "Alignment ranking", TEXT["alignment"], [figures.alignment_ranking(results)]),
        Section("why", "Why members stand where they do", TEXT["why"], [figures.attribution_chart(results)]),
        Section("why-issues", "Why, issue by issue", TEXT["why_issues"], [figures.attribution_by_issue(results)]),
        Section("blockers", "Consensus blockers over time", TEXT["blockers"], [figures.blocker_timeline(results)]),
        Section("map", "Map of alignment", TEXT["map"], [member_map(results)]),
        Section("provenance", "Provenance", "Where these numbers come from: the manifest of the results folder.",
                html=_provenance(results.manifest, results.folder, skip=("scenarios",)) + _scenario_provenance(results)),
        Section("positions", "The article's positions used",
                f"The {n_positions} positions taken from the news analysis of 27 January 2022, as saved with the results.",
                html=_positions(results.positions)),
    ]


def experiment_sections(results: ExperimentResults) -> list[Section]:
    """The sections of an experiment's report: only those whose tables exist."""
    sections = []
    if results.points is not None:
        sections.append(Section("sweep", "Sweep surfaces", TEXT["sweep"], [experiment_figures.sweep_surfaces(results)]))
    if results.sensitivity is not None and not results.sensitivity.empty:
        methods = sorted(set(results.sensitivity["method"]))
        sections.append(Section("sensitivity", "Sensitivity", TEXT["sensitivity"],
                                [experiment_figures.sensitivity_chart(results.sensitivity, m) for m in methods]))
    if results.calibration is not None or results.parameters is not None:
        figs = [] if results.calibration is None else [experiment_figures.calibration_chart(results)]
        html = "" if results.parameters is None else "<h3>Fitted parameters (parameters.csv)</h3>" + table(
            results.parameters.columns, results.parameters.itertuples(index=False))
        if results.calibration_params is not None:
            html += f"<h3>Calibrated parameter file</h3><pre>{cell_html(results.calibration_params)}</pre>"
        sections.append(Section("calibration", "Calibration fit", TEXT["calibration"], figs, html))
    sections.append(Section("provenance", "Provenance", "Where these numbers come from: the manifest of the results folder.",
                            html=_provenance(results.manifest, results.folder)))
    if results.positions is not None:
        sections.append(Section("positions", "The article's positions used", "", html=_positions(results.positions)))
    return sections


def build_report(results_dir: Path) -> str:
    """The report of a results folder as one self-contained HTML page."""
    results = load_results(Path(results_dir))
    meta = results.manifest
    name = Path(results_dir).resolve().name
    if isinstance(results, RunResults):
        summary = results.summary
        runs = ", ".join(str(v) for v in sorted(set(summary["runs"])))
        weeks = ", ".join(str(v) for v in sorted(set(summary["weeks"])))
        subtitle = (f"Run results <code>{cell_html(name)}</code>: {len(summary)} scenario{'s' if len(summary) != 1 else ''}, "
                    f"{runs} Monte Carlo runs each, {weeks} weeks.")
        sections = run_sections(results)
        from cohesion.report.trust import DEFAULT_FOLDER, trust_section

        sections.append(trust_section(Path(results_dir).resolve().parent / DEFAULT_FOLDER))
    else:
        what = meta.get("name") or meta.get("analysis") or "experiment"
        subtitle = f"Experiment results <code>{cell_html(name)}</code> ({cell_html(what)})."
        if meta.get("status") not in (None, "complete"):
            subtitle += f" <b>Status: {cell_html(meta['status'])}</b>: the experiment has not finished; tables may be missing."
        sections = experiment_sections(results)
    facts = [(label, str(meta[key])[:12]) for label, key in (("version", "cohesion_version"), ("seed", "seed"), ("engine", "engine"),
                                                            ("commit", "git_commit")) if meta.get(key) not in (None, "")]
    return render("NATO cohesion under stress: results report", subtitle, facts, sections)


def write_report(results_dir: Path, out: Path | None = None) -> Path:
    """Write the HTML report of a results folder, atomically; return its path.

    Args:
        results_dir: A run or experiment results folder.
        out: The HTML file (default ``reports/<results-folder-name>.html``).

    Raises:
        InputError: The folder is not readable results, or ``out`` is a folder.
    """
    out = Path(out) if out is not None else default_output(results_dir)
    if out.is_dir():
        raise InputError(f"output path is a folder: {out}")
    page = build_report(results_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    # A hidden sibling, so os.replace stays on one file system; open(..., "x") keeps the usual permissions.
    tmp = out.parent / f".{out.name}.{os.getpid()}-{secrets.token_hex(4)}.partial"
    try:
        with open(tmp, "x", encoding="utf-8") as stream:
            stream.write(page)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out
