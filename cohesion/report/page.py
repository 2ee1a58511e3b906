"""The report page: header, key findings, one scenario selector, one section per figure, provenance.

Everything the page needs is inside the one HTML file: plotly.js inline (or,
with ``plotlyjs="directory"``, one shared ``plotly.min.js`` beside the
reports), the figures' data inline, system fonts only. Nothing is fetched from
a network. A small script (:data:`SCRIPT`) applies the figures' views (see
:mod:`cohesion.report.layout`): the page's scenario, per-figure view buttons,
phone layouts below :data:`~cohesion.report.layout.NARROW_WIDTH` pixels, and
each figure's "download data (CSV)".
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html import escape
from typing import Any, Iterable

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

from cohesion.inputs import ARTICLE_TITLE
from cohesion.report.layout import NARROW_WIDTH, START

#: How plotly.js reaches the page: inside it, or as a shared file beside it.
PLOTLYJS_MODES = ("inline", "directory")
PLOTLYJS_FILE = "plotly.min.js"

PLOT_CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}


@dataclass
class Section:
    """One part of the page: a heading, a short explanation, figures and/or HTML."""

    id: str
    title: str
    text: str = ""
    figures: list[go.Figure] = field(default_factory=list)
    html: str = ""
    #: The figures are alternatives (e.g. map or tile grid): buttons show one at a time.
    switch: bool = False


def table(headers: Iterable[str], rows: Iterable[Iterable[Any]], cards: bool = False) -> str:
    """An HTML table in a scrolling frame; cells are escaped unless they are :class:`Raw`.

    With ``cards``, the table is shown whole (no inner scroll box) and, on a
    narrow screen, each row becomes a card of labelled lines.
    """
    headers = [str(h) for h in headers]
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f'<td data-label="{escape(h)}">{cell_html(c)}</td>' for h, c in zip(headers, row)) + "</tr>"
                   for row in rows)
    kind = "table-wrap cards" if cards else "table-wrap"
    return f'<div class="{kind}"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


class Raw(str):
    """A table cell that is already HTML."""


def cell_html(value: Any) -> str:
    """A value as escaped table-cell HTML (numbers rounded, lists joined, missing as a dash)."""
    if isinstance(value, Raw):
        return value
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return '<span class="muted">–</span>'
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (list, tuple)):
        return escape(", ".join(str(v) for v in value))
    if isinstance(value, dict):
        return f"<code>{escape(json.dumps(value, sort_keys=True))}</code>"
    return escape(str(value))


def swatch(colour: str) -> str:
    """A small coloured square."""
    return f'<span class="swatch" style="background:{escape(colour)}"></span>'


def figure_html(fig: go.Figure, div_id: str) -> str:
    """A figure as an empty div and its JSON; the page script (:data:`SCRIPT`) draws it with its view already applied."""
    height = fig.layout.height or 500
    spec = json.dumps(_rounded(json.loads(pio.to_json(fig, validate=False, remove_uids=True))),
                      separators=(",", ":"), ensure_ascii=False).replace("</", "<\\/")
    return (f'<div id="{div_id}" class="plotly-graph-div" style="height:{height}px; width:100%;"></div>'
            f'<script type="application/json" id="json-{div_id}">{spec}</script>')


#: Significant digits of the numbers a page carries (more than hover texts and axes show; the CSV tables keep 8).
PAGE_DIGITS = 6


def _rounded(value: Any) -> Any:
    """``value`` with every float rounded to :data:`PAGE_DIGITS` significant digits (a smaller page)."""
    if isinstance(value, float):
        return float(f"{value:.{PAGE_DIGITS}g}")
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: (v if k == "data" and isinstance(v, dict) and "values" in v else _rounded(v)) for k, v in value.items()}
    return value


def _figure_block(fig: go.Figure, div_id: str, hidden: bool = False) -> str:
    """A figure with its view buttons (``meta["toggles"]``) and its "download data (CSV)" link."""
    meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else {}
    buttons = ""
    for key, options in (meta.get("toggles") or {}).items():
        current = (meta.get("state") or {}).get(key)
        buttons += '<div class="toggle" role="group">' + "".join(
            f'<button type="button" data-fig="{div_id}" data-key="{escape(key)}" data-value="{escape(value)}"'
            f' class="{"active" if value == current else ""}">{escape(label)}</button>'
            for value, label in options.items()) + "</div>"
    link = (f'<a class="csv" href="#" data-fig="{div_id}" download="{div_id.removeprefix("fig-")}.csv">download data (CSV)</a>'
            if meta.get("data") is not None else "")
    style = ' style="display:none"' if hidden else ""
    return f'<div class="figure" id="wrap-{div_id}"{style}>{buttons}{figure_html(fig, div_id)}{link}</div>'


CSS = """
:root { --ink:#1f2328; --muted:#5f6770; --line:#e3e6ea; --accent:#1d3557; --ground:#f5f6f8; }
* { box-sizing: border-box; }
body { margin:0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color:var(--ink); background:var(--ground); line-height:1.5; font-size:15px; overflow-wrap:anywhere; }
header { background:var(--accent); color:white; padding:24px 0 18px; }
header .inner, main, .controls .inner { max-width:1180px; margin:0 auto; padding:0 24px; }
header h1 { margin:0 0 6px; font-size:26px; font-weight:650; letter-spacing:-0.01em; }
header p { margin:4px 0; color:#dbe4f0; max-width:900px; }
header code { font-size:14px; color:white; }
header .facts { display:flex; flex-wrap:wrap; gap:8px 22px; margin-top:14px; font-size:14px; }
header .facts span b { color:white; font-weight:600; }
header .facts span { color:#c6d3e6; }
.controls { position:sticky; top:0; z-index:10; background:white; border-bottom:1px solid var(--line); padding:8px 0; }
.controls label { font-weight:600; margin-right:8px; }
.controls select { font-size:15px; padding:4px 8px; max-width:100%; }
main { padding-top:18px; padding-bottom:60px; }
nav.toc, section { background:white; border:1px solid var(--line); border-radius:8px; padding:18px 22px; margin-bottom:22px; }
section.findings { border-left:5px solid var(--accent); }
section.findings p { margin:0; font-size:16px; max-width:960px; }
.src { color:var(--muted); font-size:11px; border-bottom:1px dotted var(--muted); cursor:help; white-space:nowrap; }
nav.toc h2 { margin:0 0 8px; font-size:16px; }
nav.toc ol { margin:0; padding-left:20px; columns:2; column-gap:40px; }
nav.toc a { color:var(--accent); text-decoration:none; }
nav.toc a:hover { text-decoration:underline; }
section h2 { margin:0 0 6px; font-size:20px; }
section h3 { margin:18px 0 6px; font-size:15px; }
section p.lead { margin:0 0 12px; color:var(--muted); max-width:920px; }
.figure { margin:8px 0 4px; }
.toggle { display:inline-flex; flex-wrap:wrap; gap:0; margin:4px 0 6px; }
.toggle button { font:inherit; font-size:13px; padding:4px 10px; border:1px solid #aab; background:white; cursor:pointer; }
.toggle button:first-child { border-radius:5px 0 0 5px; } .toggle button:last-child { border-radius:0 5px 5px 0; }
.toggle button.active { background:var(--accent); color:white; border-color:var(--accent); }
a.csv { font-size:13px; color:var(--accent); }
.table-wrap { overflow-x:auto; max-height:560px; overflow-y:auto; border:1px solid var(--line); border-radius:6px; margin:8px 0 14px; }
.table-wrap.cards { max-height:none; overflow-y:visible; }
table { border-collapse:collapse; width:100%; font-size:13px; }
th, td { text-align:left; padding:5px 9px; border-bottom:1px solid var(--line); vertical-align:top; }
th { background:#f0f2f5; position:sticky; top:0; font-weight:600; }
td:first-child { white-space:nowrap; }
code.hash { word-break:break-all; font-size:11px; display:inline-block; max-width:150px; }
tr:hover td { background:#fafbfc; }
.muted { color:var(--muted); }
.swatch { display:inline-block; width:11px; height:11px; border-radius:2px; margin-right:6px; vertical-align:-1px; }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size:12px; }
pre { background:#f6f8fa; padding:10px 12px; border-radius:6px; overflow:auto; max-height:420px; white-space:pre-wrap; }
.note { background:#fff8e6; border:1px solid #f1dca4; padding:8px 12px; border-radius:6px; color:#6b5200; }
footer { color:var(--muted); font-size:13px; text-align:center; padding:10px 0 30px; }
@media (max-width: __NARROW__px) {
  header .inner, main, .controls .inner { padding:0 6px; }
  header h1 { font-size:21px; }
  nav.toc, section { padding:12px 8px; border-radius:6px; }
  nav.toc ol { columns:1; }
  .table-wrap.cards table, .table-wrap.cards tbody, .table-wrap.cards tr, .table-wrap.cards td { display:block; width:100%; }
  .table-wrap.cards thead { display:none; }
  .table-wrap.cards tr { border-bottom:2px solid var(--line); padding:6px 0; }
  .table-wrap.cards td { border:none; padding:2px 8px; white-space:normal; }
  .table-wrap.cards td::before { content: attr(data-label) ": "; color:var(--muted); font-size:12px; }
}
""".replace("__NARROW__", str(NARROW_WIDTH))

#: Applies the figures' views (see cohesion.report.layout), view buttons, phone layouts and CSV downloads.
SCRIPT = r"""
(function () {
  const NARROW = __NARROW__;
  const CONFIG = __CONFIG__;
  const page = {scenario: null};
  const divs = () => Array.from(document.querySelectorAll('.plotly-graph-div'));
  const isNarrow = () => window.innerWidth < NARROW;
  const parts = path => path.replace(/\[(\d+)\]/g, '.$1').split('.');
  const get = (obj, path) => parts(path).reduce((o, k) => (o == null ? undefined : o[k]), obj);
  function set(obj, path, value) {
    const keys = parts(path);
    let o = obj;
    keys.slice(0, -1).forEach((k, i) => { if (o[k] == null) o[k] = /^\d+$/.test(keys[i + 1]) ? [] : {}; o = o[k]; });
    o[keys[keys.length - 1]] = value;
  }
  const copy = v => (v === undefined ? null : JSON.parse(JSON.stringify(v)));
  // What a figure should show now: which traces, which layout changes (scenario view, phone layout).
  function view(gd, data, layout) {
    const m = layout.meta || {};
    if (!gd._state) {
      gd._state = Object.assign({}, m.state || {});
      gd._wide = {};  // the desktop values of every key the phone layout changes, to restore them
      Object.keys(m.narrow || {}).forEach(k => { gd._wide[k] = copy(get(layout, k)); });
    }
    const state = Object.assign({}, gd._state, page.scenario ? {scenario: page.scenario} : {});
    const narrow = isNarrow();
    const hidden = new Set(narrow ? (m.narrow_hide || []) : []);
    const visible = data.map((t, i) => {
      const want = t.meta && t.meta.show;
      if (hidden.has(i)) return false;
      if (want) return Object.keys(want).every(k => state[k] === undefined || state[k] === want[k]);
      if ((m.narrow_hide || []).includes(i)) return true;
      return t.visible === undefined ? true : t.visible;
    });
    const changes = {};
    const scenarioView = (m.views || {})[state.scenario] || {};
    const toggled = Object.keys(m.toggle_views || {}).map(k => (m.toggle_views[k] || {})[state[k]] || {});
    if (narrow) Object.assign(changes, scenarioView, ...toggled, m.narrow || {}, (m.narrow_views || {})[state.scenario] || {});
    else Object.assign(changes, gd._wide, scenarioView, ...toggled);
    return {visible: visible, layout: changes, restyle: (m.restyle || {})[state.scenario]};
  }
  function fit(gd) { gd.style.height = gd._fullLayout.height + 'px'; }
  function draw(gd) {  // first drawing: the view goes into the figure before Plotly lays it out once
    const spec = JSON.parse(document.getElementById('json-' + gd.id).textContent);
    const v = view(gd, spec.data, spec.layout);
    spec.data.forEach((t, i) => { t.visible = v.visible[i]; });
    Object.keys(v.layout).forEach(k => set(spec.layout, k, v.layout[k]));
    if (v.restyle) v.restyle[1].forEach(i => Object.keys(v.restyle[0]).forEach(k => { spec.data[i][k] = v.restyle[0][k][v.restyle[1].indexOf(i)]; }));
    return Plotly.newPlot(gd, spec.data, spec.layout, CONFIG).then(() => { gd._drawn = true; fit(gd); });
  }
  function apply(gd) {
    if (!gd._drawn) return Promise.resolve();
    const v = view(gd, gd.data, gd.layout);
    const done = Plotly.update(gd, {visible: v.visible}, v.layout).then(() => fit(gd));
    return v.restyle ? done.then(() => Plotly.restyle(gd, v.restyle[0], v.restyle[1])) : done;
  }
  function safely(f, gd) {  // one figure's failure must not stop the others
    try { return Promise.resolve(f(gd)).catch(e => console.error(gd.id + ': ' + e)); }
    catch (e) { console.error(gd.id + ': ' + e); return Promise.resolve(); }
  }
  function applyAll() { return Promise.all(divs().map(gd => safely(apply, gd))); }
  async function drawAll() {  // top to bottom, yielding between figures so the first screen shows at once
    const all = divs();
    for (let i = 0; i < all.length; i++) {
      await safely(draw, all[i]);
      if (i === 0) document.body.dataset.first = '1';
      await new Promise(r => setTimeout(r, 0));
    }
  }
  function csvCell(v) {
    if (v === null || v === undefined) return '';
    const s = String(v);
    return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  function csvOf(gd) {
    const d = (gd.layout.meta || {}).data;
    const cols = d.values.map(c => (Array.isArray(c) ? c : c.codes.map(k => (k < 0 ? null : c.levels[k]))));
    const f = d.filter ? d.columns.indexOf(d.filter) : -1;
    const lines = [d.columns.map(csvCell).join(',')];
    for (let r = 0; r < d.rows; r++) {
      if (f >= 0 && page.scenario && cols[f][r] !== page.scenario) continue;
      lines.push(cols.map(c => csvCell(c[r])).join(','));
    }
    return lines.join('\n') + '\n';
  }
  window.cohesionReport = {csvOf: id => csvOf(document.getElementById(id)), applyAll: applyAll, page: page};
  function init() {
    const select = document.getElementById('scenario');
    if (select) {
      page.scenario = select.value;
      select.addEventListener('change', () => { page.scenario = select.value; applyAll(); });
    }
    document.querySelectorAll('.toggle:not(.switch) button').forEach(b => b.addEventListener('click', () => {
      const gd = document.getElementById(b.dataset.fig);
      gd._state[b.dataset.key] = b.dataset.value;
      b.parentNode.querySelectorAll('button').forEach(o => o.classList.toggle('active', o === b));
      safely(apply, gd);
    }));
    document.querySelectorAll('.switch button').forEach(b => b.addEventListener('click', () => {
      const section = document.getElementById(b.dataset.section);
      section.querySelectorAll('.figure').forEach((f, i) => { f.style.display = String(i) === b.dataset.index ? '' : 'none'; });
      b.parentNode.querySelectorAll('button').forEach(o => o.classList.toggle('active', o === b));
      section.querySelectorAll('.figure').forEach(f => { if (f.style.display === '') { const gd = f.querySelector('.plotly-graph-div'); if (gd && gd._drawn) Plotly.Plots.resize(gd); } });
    }));
    document.querySelectorAll('a.csv').forEach(a => a.addEventListener('click', () => {
      const url = URL.createObjectURL(new Blob([csvOf(document.getElementById(a.dataset.fig))], {type: 'text/csv'}));
      a.href = url;
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    }));
    let wasNarrow = isNarrow();
    window.addEventListener('resize', () => { if (isNarrow() !== wasNarrow) { wasNarrow = isNarrow(); applyAll(); } });
    drawAll().then(() => { document.body.dataset.ready = '1'; });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init); else init();
})();
""".replace("__NARROW__", str(NARROW_WIDTH)).replace("__CONFIG__", json.dumps(PLOT_CONFIG))


def _section_html(section: Section) -> str:
    ids = [f"fig-{section.id}" + (f"-{i}" if i else "") for i in range(len(section.figures))]
    switch = ""
    if section.switch and len(section.figures) > 1:
        tabs = [(fig.layout.meta or {}).get("tab", f"view {i + 1}") if isinstance(fig.layout.meta, dict) else f"view {i + 1}"
                for i, fig in enumerate(section.figures)]
        switch = '<div class="toggle switch" role="group">' + "".join(
            f'<button type="button" data-section="{section.id}" data-index="{i}" class="{"active" if i == 0 else ""}">{escape(t)}</button>'
            for i, t in enumerate(tabs)) + "</div>"
    figures = "".join(_figure_block(fig, div_id, hidden=section.switch and i > 0)
                      for i, (fig, div_id) in enumerate(zip(section.figures, ids)))
    lead = f'<p class="lead">{section.text}</p>' if section.text else ""
    css = ' class="findings"' if section.id == "findings" else ""
    return f'<section id="{section.id}"{css}><h2>{escape(section.title)}</h2>{lead}{switch}{figures}{section.html}</section>'


def render(title: str, subtitle: str, facts: list[tuple[str, str]], sections: list[Section],
           scenarios: list[str] | None = None, plotlyjs: str = "inline") -> str:
    """The complete HTML page.

    Args:
        title: Page title.
        subtitle: HTML line under the title.
        facts: (label, value) pairs shown in the header.
        sections: The page's sections, in order.
        scenarios: Choices of the page's scenario selector (none: no selector).
        plotlyjs: ``inline`` (inside the page) or ``directory`` (``plotly.min.js`` beside it).
    """
    if plotlyjs not in PLOTLYJS_MODES:
        raise ValueError(f"plotlyjs must be one of {PLOTLYJS_MODES}, got {plotlyjs!r}")
    # Key findings come first, above the contents: the page should read in five seconds.
    lead = [s for s in sections if s.id == "findings"]
    sections = [s for s in sections if s.id != "findings"]
    toc = "".join(f'<li><a href="#{s.id}">{escape(s.title)}</a></li>' for s in sections)
    fact_html = "".join(f"<span>{escape(k)} <b>{escape(v)}</b></span>" for k, v in facts)
    body = "".join(_section_html(section) for section in sections)
    first = "".join(_section_html(section) for section in lead)
    start = START.strftime("%d %B %Y").lstrip("0")
    controls = ""
    if scenarios and len(scenarios) > 1:
        options = "".join(f'<option value="{escape(s)}">{escape(s)}</option>' for s in scenarios)
        controls = (f'<div class="controls"><div class="inner"><label for="scenario">Scenario</label>'
                    f'<select id="scenario">{options}</select> <span class="muted">sets every figure below</span></div></div>')
    script = (f'<script type="text/javascript">{get_plotlyjs()}</script>' if plotlyjs == "inline"
              else f'<script type="text/javascript" src="{PLOTLYJS_FILE}"></script>')
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="cohesion report">
<title>{escape(title)}</title>
<style>{CSS}</style>
{script}
</head>
<body>
<header><div class="inner">
<h1>{escape(title)}</h1>
<p>{subtitle}</p>
<p>The model's world starts on <b>{start}</b> (week 0), the day of the news analysis
&ldquo;{escape(ARTICLE_TITLE)}&rdquo;. On every issue a stance of 1 is the U.S.-UK line and 0 its opposite.</p>
<div class="facts">{fact_html}</div>
</div></header>
{controls}
<main>
{first}
<nav class="toc"><h2>Contents</h2><ol>{toc}</ol></nav>
{body}
</main>
<footer>Written by <code>cohesion report</code> from saved results only; this file needs no network.</footer>
<script type="text/javascript">{SCRIPT}</script>
</body>
</html>
"""
