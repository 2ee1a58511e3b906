"""The report page: header, contents, one section per figure with a short text, provenance.

Everything the page needs is inside the one HTML file: plotly.js inline, the
figures' data inline, system fonts only. Nothing is fetched when it opens.
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
from cohesion.report.layout import START

PLOT_CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}


@dataclass
class Section:
    """One part of the page: a heading, a short explanation, figures and/or HTML."""

    id: str
    title: str
    text: str = ""
    figures: list[go.Figure] = field(default_factory=list)
    html: str = ""


def table(headers: Iterable[str], rows: Iterable[Iterable[Any]]) -> str:
    """An HTML table in a scrolling frame; cells are escaped unless they are :class:`Raw`."""
    head = "".join(f"<th>{escape(str(h))}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell_html(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


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
    """A figure as a div and the script that draws it (plotly.js comes once, in the page head)."""
    height = fig.layout.height or 500
    return pio.to_html(fig, full_html=False, include_plotlyjs=False, div_id=div_id, config=PLOT_CONFIG,
                       default_width="100%", default_height=f"{height}px", validate=False)


CSS = """
:root { --ink:#1f2328; --muted:#5f6770; --line:#e3e6ea; --accent:#1d3557; --ground:#f5f6f8; }
* { box-sizing: border-box; }
body { margin:0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color:var(--ink); background:var(--ground); line-height:1.5; font-size:15px; }
header { background:var(--accent); color:white; padding:28px 0 22px; }
header .inner, main { max-width:1180px; margin:0 auto; padding:0 24px; }
header h1 { margin:0 0 6px; font-size:26px; font-weight:650; letter-spacing:-0.01em; }
header p { margin:4px 0; color:#dbe4f0; max-width:900px; }
header code { font-size:14px; color:white; }
header .facts { display:flex; flex-wrap:wrap; gap:8px 22px; margin-top:14px; font-size:14px; }
header .facts span b { color:white; font-weight:600; }
header .facts span { color:#c6d3e6; }
main { padding-top:22px; padding-bottom:60px; }
nav.toc, section { background:white; border:1px solid var(--line); border-radius:8px; padding:18px 22px; margin-bottom:22px; }
nav.toc h2 { margin:0 0 8px; font-size:16px; }
nav.toc ol { margin:0; padding-left:20px; columns:2; column-gap:40px; }
nav.toc a { color:var(--accent); text-decoration:none; }
nav.toc a:hover { text-decoration:underline; }
section h2 { margin:0 0 6px; font-size:20px; }
section h3 { margin:18px 0 6px; font-size:15px; }
section p.lead { margin:0 0 12px; color:var(--muted); max-width:920px; }
.figure { margin:8px 0 4px; }
.table-wrap { overflow-x:auto; max-height:560px; overflow-y:auto; border:1px solid var(--line); border-radius:6px; margin:8px 0 14px; }
table { border-collapse:collapse; width:100%; font-size:13px; }
th, td { text-align:left; padding:5px 9px; border-bottom:1px solid var(--line); vertical-align:top; }
th { background:#f0f2f5; position:sticky; top:0; font-weight:600; }
td:first-child { white-space:nowrap; }
code.hash { word-break:break-all; font-size:11px; display:inline-block; max-width:150px; }
tr:hover td { background:#fafbfc; }
.muted { color:var(--muted); }
.swatch { display:inline-block; width:11px; height:11px; border-radius:2px; margin-right:6px; vertical-align:-1px; }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size:12px; }
pre { background:#f6f8fa; padding:10px 12px; border-radius:6px; overflow:auto; max-height:420px; }
.note { background:#fff8e6; border:1px solid #f1dca4; padding:8px 12px; border-radius:6px; color:#6b5200; }
footer { color:var(--muted); font-size:13px; text-align:center; padding:10px 0 30px; }
"""


def render(title: str, subtitle: str, facts: list[tuple[str, str]], sections: list[Section]) -> str:
    """The complete, self-contained HTML page."""
    toc = "".join(f'<li><a href="#{s.id}">{escape(s.title)}</a></li>' for s in sections)
    fact_html = "".join(f"<span>{escape(k)} <b>{escape(v)}</b></span>" for k, v in facts)
    body = []
    for section in sections:
        figures = "".join(
            f'<div class="figure">{figure_html(fig, f"fig-{section.id}" + (f"-{i}" if i else ""))}</div>'
            for i, fig in enumerate(section.figures)
        )
        lead = f'<p class="lead">{section.text}</p>' if section.text else ""
        body.append(f'<section id="{section.id}"><h2>{escape(section.title)}</h2>{lead}{figures}{section.html}</section>')
    start = START.strftime("%d %B %Y").lstrip("0")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="cohesion report">
<title>{escape(title)}</title>
<style>{CSS}</style>
<script type="text/javascript">{get_plotlyjs()}</script>
</head>
<body>
<header><div class="inner">
<h1>{escape(title)}</h1>
<p>{subtitle}</p>
<p>The model's world starts on <b>{start}</b> (week 0), the day of the news analysis
&ldquo;{escape(ARTICLE_TITLE)}&rdquo;. On every issue a stance of 1 is the U.S.-UK line and 0 its opposite.</p>
<div class="facts">{fact_html}</div>
</div></header>
<main>
<nav class="toc"><h2>Contents</h2><ol>{toc}</ol></nav>
{''.join(body)}
</main>
<footer>Written by <code>cohesion report</code> from saved results only; this file needs no network.</footer>
</body>
</html>
"""
