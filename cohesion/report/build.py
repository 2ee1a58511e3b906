"""Putting a report together: which sections a run or an experiment gets, and writing the file."""

from __future__ import annotations

import os
import secrets
from html import escape
from pathlib import Path

import pandas as pd
from plotly.offline import get_plotlyjs

from cohesion.constants import ISSUES
from cohesion.errors import InputError
from cohesion.report import experiment_figures, figures
from cohesion.report.data import ExperimentResults, RunResults, load_results
from cohesion.report.layout import issue_label
from cohesion.report.compare import Comparison, combine, compare, open_run
from cohesion.report.findings import key_findings
from cohesion.report.member_map import member_map, tile_map
from cohesion.report.page import PLOTLYJS_FILE, PLOTLYJS_MODES, Raw, Section, cell_html, render, swatch, table
from cohesion.report.scores import headline
from cohesion.report.palette import scenario_colours

TEXT = {
    "glance": "Each scenario at its horizon: the headline scores from week 0 to the horizon (mean over runs, with the "
    "5th-95th percentile range), the members that block an issue in at least half of the runs, and the least aligned members.",
    "timeline": "Week by week: the line is the mean over runs, the shaded band the 5th-95th percentile range; each line is "
    "labelled at its end. The time axis is zoomed to where the scores still move (double-click the plot for every week). "
    "Dotted lines mark the selected scenario's events; hover the diamonds for what happens.",
    "comparison": "The scenarios side by side at the horizon, one panel per score the results hold. Consensus: how much of "
    "the leaders' proposal passes when every member must accept the decision (100 = every proposal undiluted, 0 = no "
    "decision on any issue). Cohesion: agreement among the allies themselves (100 = all hold the same stance). Bars are 90% "
    "intervals over runs; open circles are week 0; arrows say which way is more cohesive.",
    "stances": "Each member's mean stance on each issue at the horizon (1 = the U.S.-UK line, 0 = its opposite). "
    "✕ marks an issue the member blocks in at least half of the runs. Members are ordered by alignment, averaged over scenarios.",
    "alignment": "Alignment of each member with the U.S.-UK proposal at the horizon (1 minus the mean absolute gap to the "
    "proposal over the issues), most aligned on top, with the 90% interval over runs. Grey ticks show week 0.",
    "why": "Why each member stands where it does. Every stance is an exact sum of parts: a common baseline, the pulls of "
    "energy dependence, threat perception and trust in U.S.-UK leadership, the part of its 27 January stance that the "
    "member holds against what its drivers and peers alone predict (position), the influence of peers, the anchor to "
    "the member's 27 January position, and scenario shocks (averaged here over the six issues). Shown first relative to the alliance "
    "average: each part minus its mean over members, so the bars add up to the member's gap to the average member (◇); a "
    "long bar to the left is what pulls that member away from the others. 'Parts of the stance' shows the parts themselves.",
    "why_issues": "The same split issue by issue: each cell is one part of a member's stance on one issue minus the alliance "
    "average of that part (red: pulls the member below the average member, towards opposing the U.S.-UK line; blue: above).",
    "blockers": "Who would veto what: each cell is the share of runs in which the U.S.-UK proposal on the issue lies outside "
    "the member's acceptance window at the horizon; 'wk N' is the first week in which at least half of the runs block. Listed: "
    "members that block some issue in at least 20% of runs at the horizon of some scenario, those that block most on top.",
    "map": "The members coloured by their alignment with the U.S.-UK proposal at the horizon, on one sequential scale for "
    "every scenario (darker: less aligned). Grey countries are not NATO members. The tile grid gives every member the same "
    "area, so Luxembourg counts as much as Canada. Outlines: Natural Earth 1:110m, shipped with the package.",
    "sweep": "Two varied parameters against the mean of each recorded outcome, averaged over replicates and over every other varied "
    "parameter. A grid design is shown as a heat map, any other design as its points.",
    "sensitivity": "How much of the variation of an outcome each parameter explains: Sobol first-order (S1) and total (ST) "
    "indices, or Morris mean absolute elementary effects (μ*) with their spread (σ). Bars carry their confidence intervals.",
    "calibration": "Observed stances (the coded positions the calibration fits: by default every member-issue cell of "
    "positions.csv, from the article and other statements up to 27 January 2022) against the stances the calibrated "
    "model gives, one point per observation. Points on the diagonal are fitted exactly.",
}


def default_output(results_dir: Path | list[Path]) -> Path:
    """``reports/<results-folder-name>.html`` under the current directory (names joined by ``+`` for several folders)."""
    folders = results_dir if isinstance(results_dir, list) else [results_dir]
    return Path("reports") / f"{'+'.join(Path(f).resolve().name for f in folders)}.html"


def _glance(results: RunResults) -> str:
    colours = scenario_colours(results.scenarios)
    names = results.country_names
    scores = headline(results.scores)

    def countries(codes: object) -> str:
        return ", ".join(names.get(c, c) for c in str(codes).split(";") if c) if isinstance(codes, str) and codes else "none"

    def value(r: dict, score) -> Raw:  # type: ignore[no-untyped-def]
        start = f"{r[score.week0]:{score.fmt}} → " if score.week0 else ""
        return Raw(f"{start}<b>{r[score.mean]:{score.fmt}}</b> <span class='muted'>({r[score.low]:{score.fmt}}–{r[score.high]:{score.fmt}})</span>")

    rows = [
        (
            Raw(swatch(colours[r["scenario"]]) + cell_html(r["scenario"])),
            *(value(r, score) for score in scores),
            countries(r["blocking_members"]),
            countries(r.get("least_aligned", "")),
            r["title"],
        )
        for r in results.summary.to_dict("records")
    ]
    return table(["scenario", *(f"{s.label}: week 0 → horizon (90%)" for s in scores), "blocking in most runs", "least aligned",
                  "what happens"], rows, cards=True)


def _findings(results: RunResults) -> str:
    """The key findings, each sentence with a hover note naming its table and columns."""
    return "<p>" + " ".join(f'{escape(f.text)} <span class="src" title="{escape(f.source)}">[{escape(f.source.split(",")[0].split(":")[0])}]</span>'
                            for f in key_findings(results)) + "</p>"


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
    timelines = [Section(f"timeline-{score.metric}".replace("_", "-"), f"{score.label} over time", TEXT["timeline"],
                         [figures.score_timeline(results, score.metric)]) for score in headline(results.scores)]
    return [
        Section("findings", "Key findings", f"Generated from the saved tables; {results.reference} is the reference. "
                "Hover a [table] tag for the columns.", html=_findings(results)),
        Section("glance", "At a glance", TEXT["glance"], html=_glance(results)),
        *timelines,
        Section("comparison", "Scenarios compared at the horizon", TEXT["comparison"], [figures.scenario_comparison(results)]),
        Section("blockers", "Who blocks what", TEXT["blockers"], [figures.blocker_matrix(results)]),
        Section("why", "Why members stand where they do", TEXT["why"], [figures.attribution_chart(results)]),
        Section("alignment", "Alignment ranking", TEXT["alignment"], [figures.alignment_ranking(results)]),
        Section("map", "Map of alignment", TEXT["map"], [member_map(results), tile_map(results)], switch=True),
        Section("stances", "Stances by member and issue", TEXT["stances"], [figures.stance_heatmap(results)]),
        Section("why-issues", "Why, issue by issue", TEXT["why_issues"], [figures.attribution_by_issue(results)]),
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
        notes = " ".join(experiment_figures.SENSITIVITY_EXPLAINED.get(m, "") for m in methods)
        warning = experiment_figures.wide_intervals(results.sensitivity)
        sections.append(Section("sensitivity", "Sensitivity", TEXT["sensitivity"] + " " + escape(notes),
                                [experiment_figures.sensitivity_chart(results.sensitivity, m) for m in methods],
                                f'<p class="note">{escape(warning)}</p>' if warning else ""))
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


def _run_page(results: RunResults, name: str, plotlyjs: str, extra: list[Section] | None = None,
              trust_folder: Path | None = None) -> str:
    """The page of a run's results (``extra`` sections go after the key findings; the validation results of
    ``trust_folder``, if given, make the "How much to trust this" section)."""
    summary = results.summary
    runs = ", ".join(str(v) for v in sorted(set(summary["runs"])))
    weeks = ", ".join(str(v) for v in sorted(set(summary["weeks"])))
    subtitle = (f"Run results <code>{cell_html(name)}</code>: {len(summary)} scenario{'s' if len(summary) != 1 else ''}, "
                f"{runs} Monte Carlo runs each, {weeks} weeks.")
    sections = run_sections(results)
    sections[1:1] = extra or []
    if trust_folder is not None:
        from cohesion.report.trust import trust_section

        sections.append(trust_section(trust_folder))
    order = [results.reference] + [s for s in results.scenarios if s != results.reference]
    return render(TITLE, subtitle, _facts(results.manifest), sections, scenarios=order, plotlyjs=plotlyjs)


TITLE = "NATO cohesion under stress: results report"


def _facts(meta: dict) -> list[tuple[str, str]]:
    return [(label, str(meta[key])[:12]) for label, key in (("version", "cohesion_version"), ("seed", "seed"), ("engine", "engine"),
                                                            ("commit", "git_commit")) if meta.get(key) not in (None, "")]


def build_report(results_dir: Path, plotlyjs: str = "inline") -> str:
    """The report of a results folder as one HTML page (``plotlyjs``: ``inline`` or ``directory``, see :func:`write_report`)."""
    results = load_results(Path(results_dir))
    meta = results.manifest
    name = Path(results_dir).resolve().name
    if isinstance(results, RunResults):
        from cohesion.report.trust import DEFAULT_FOLDER

        return _run_page(results, name, plotlyjs, trust_folder=Path(results_dir).resolve().parent / DEFAULT_FOLDER)
    what = meta.get("name") or meta.get("analysis") or "experiment"
    subtitle = f"Experiment results <code>{cell_html(name)}</code> ({cell_html(what)})."
    if meta.get("status") not in (None, "complete"):
        subtitle += f" <b>Status: {cell_html(meta['status'])}</b>: the experiment has not finished; tables may be missing."
    return render(TITLE, subtitle, _facts(meta), experiment_sections(results), plotlyjs=plotlyjs)


def comparison_section(comparison: Comparison) -> Section:
    """The changes from the reference as tables (the same numbers ``cohesion compare`` prints)."""
    def interval(low: float, high: float, fmt: str) -> str:
        return "–" if pd.isna(low) else f"{low:{fmt}} to {high:{fmt}}"

    scores = comparison.scores
    html = "<h3>Scores at the horizon</h3>" + table(
        ["scenario", "score", f"{comparison.reference}", "value (90%)", "change", "change, 90% of run-by-run differences"],
        [(r.scenario, r.label, f"{r.reference:.3g}", f"{r.value:.3g} ({r.p05:.3g}–{r.p95:.3g})", f"{r.change:+.3g}",
          interval(r.change_p05, r.change_p95, "+.3g")) for r in scores.itertuples()], cards=True)
    members = comparison.members
    if not members.empty:
        top = members.groupby("scenario", sort=False).head(COMPARE_MEMBERS)
        html += f"<h3>Alignment: the {COMPARE_MEMBERS} largest changes per scenario</h3>" + table(
            ["scenario", "member", comparison.reference, "alignment (90%)", "change"],
            [(r.scenario, r.country, f"{r.reference:.3f}", f"{r.alignment:.3f} ({r.p05:.3f}–{r.p95:.3f})", f"{r.change:+.3f}")
             for r in top.itertuples()], cards=True)
    blocking = comparison.blocking
    html += "<h3>Who starts or stops blocking (in most runs, at the horizon)</h3>" + (
        table(["scenario", "member", "issue", "change"], [(r.scenario, r.member, issue_label(r.issue), r.change)
                                                          for r in blocking.itertuples()], cards=True)
        if not blocking.empty else '<p class="muted">Nobody starts or stops blocking.</p>')
    return Section("changes", f"Changes from {comparison.reference}",
                   "Each scenario against the reference at the horizon. Score changes carry the 90% interval of the "
                   "run-by-run differences when both runs share seed and number of runs (otherwise a dash).", html=html)


#: Members listed per scenario in the comparison's alignment table.
COMPARE_MEMBERS = 8


def build_combined_report(folders: list[Path], reference: str | None = None, plotlyjs: str = "inline") -> str:
    """One report over several run results folders, with the changes from ``reference``."""
    results, per_run = combine([open_run(Path(f)) for f in folders])
    if reference is not None:
        results.manifest["reference"] = reference
    comparison = compare(results, per_run, reference)
    results.manifest["reference"] = comparison.reference
    name = " + ".join(Path(f).resolve().name for f in folders)
    return _run_page(results, name, plotlyjs, extra=[comparison_section(comparison)] if len(results.scenarios) > 1 else [])


def _write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a hidden sibling and ``os.replace``: never a partial file."""
    # A hidden sibling, so os.replace stays on one file system; open(..., "x") keeps the usual permissions.
    tmp = path.parent / f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.partial"
    try:
        with open(tmp, "x", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_report(results_dir: Path | list[Path], out: Path | None = None, plotlyjs: str = "inline",
                 reference: str | None = None) -> Path:
    """Write the HTML report of a results folder (or of several run folders as one), atomically; return its path.

    Args:
        results_dir: A run or experiment results folder, or a list of run results folders.
        out: The HTML file (default ``reports/<results-folder-name>.html``).
        plotlyjs: ``inline`` puts plotly.js inside the page (one file that opens anywhere);
            ``directory`` writes one shared ``plotly.min.js`` beside the reports (smaller pages, still offline).
        reference: The scenario others are compared with (default: baseline, else the first).

    Raises:
        InputError: The folder is not readable results, or ``out`` is a folder.
    """
    folders = [Path(f) for f in results_dir] if isinstance(results_dir, (list, tuple)) else [Path(results_dir)]
    out = Path(out) if out is not None else default_output(folders)
    if out.is_dir():
        raise InputError(f"output path is a folder: {out}")
    if plotlyjs not in PLOTLYJS_MODES:
        raise InputError(f"--plotlyjs must be one of {', '.join(PLOTLYJS_MODES)}, got {plotlyjs!r}")
    if len(folders) == 1 and reference is None:
        page = build_report(folders[0], plotlyjs=plotlyjs)
    else:
        page = build_combined_report(folders, reference, plotlyjs=plotlyjs)
    out.parent.mkdir(parents=True, exist_ok=True)
    if plotlyjs == "directory":
        script = out.parent / PLOTLYJS_FILE
        bundle = get_plotlyjs()
        if not script.is_file() or script.read_text(encoding="utf-8") != bundle:
            _write_atomically(script, bundle)
    _write_atomically(out, page)
    return out
