"""The members on a map, coloured by alignment, drawn from shipped outlines (works offline).

Two panels on plain axes, each in its own equal-area projection: North America
and Europe. Each member is one filled trace; the scenario dropdown restyles
the fill colours and hover texts, so the outlines are stored once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from cohesion.report.data import RunResults
from cohesion.report.geometry import PANELS, Country, load_countries, project, projected_path
from cohesion.report.layout import add_dropdown, styled
from cohesion.report.palette import ALIGNMENT_SCALE, NON_MEMBER_FILL, NON_MEMBER_LINE, SEA, scale_colours

#: Panel order left to right and the share of the width each takes.
PANEL_DOMAINS = {"north_america": (0.0, 0.3), "europe": (0.32, 0.92)}


def _axis_ranges(countries: tuple[Country, ...], key: str) -> tuple[list[float], list[float]]:
    """The projected extent of the panel's members, with a margin."""
    centre = PANELS[key].centre
    xs, ys = [], []
    for country in countries:
        if country.nato and country.panel() == key:
            for ring in country.rings:
                x, y = project(ring[:, 0], ring[:, 1], centre)
                xs.append(x)
                ys.append(y)
    x, y = np.concatenate(xs), np.concatenate(ys)
    pad = 0.04 * max(x.max() - x.min(), y.max() - y.min())
    return [float(x.min() - pad), float(x.max() + pad)], [float(y.min() - pad), float(y.max() + pad)]


def _hover(names: dict[str, str], rows: pd.DataFrame) -> list[str]:
    return [
        f"<b>{names[code]}</b> ({code})<br>alignment {r.alignment:.3f} (90%: {r.alignment_p05:.3f}–{r.alignment_p95:.3f})"
        f"<br>rank {int(r.alignment_rank)}"
        for code, r in zip(rows.index, rows.itertuples())
    ]


def member_map(results: RunResults) -> go.Figure:
    """Members filled by their alignment with the U.S.-UK proposal at the horizon; a dropdown picks the scenario."""
    countries = load_countries()
    names = results.country_names
    low, high = float(results.members["alignment"].min()), float(results.members["alignment"].max())
    fig = go.Figure()
    axes = {key: (f"x{i + 1}" if i else "x", f"y{i + 1}" if i else "y") for i, key in enumerate(PANEL_DOMAINS)}
    for key, (xa, ya) in axes.items():
        xs: list[float | None] = []
        ys: list[float | None] = []
        for country in countries:
            if not country.nato:
                x, y = projected_path(list(country.rings), PANELS[key].centre)
                xs += x + [None]
                ys += y + [None]
        fig.add_scatter(x=xs, y=ys, mode="lines", fill="toself", fillcolor=NON_MEMBER_FILL, line={"color": NON_MEMBER_LINE, "width": 0.6},
                        hoverinfo="skip", showlegend=False, xaxis=xa, yaxis=ya, meta={"role": "context", "panel": key})
    drawn = [c for c in countries if c.nato and c.iso3 in names]
    codes = [c.iso3 for c in drawn]
    by_scenario = {s: results.members[results.members["scenario"] == s].set_index("member").reindex(codes) for s in results.scenarios}
    styles = {s: (scale_colours(list(rows["alignment"]), low, high), _hover(names, rows)) for s, rows in by_scenario.items()}
    fills, texts = styles[results.scenarios[0]]
    member_traces = []
    for country, fill, text in zip(drawn, fills, texts):
        key = country.panel()
        x, y = projected_path(list(country.rings), PANELS[key].centre)
        member_traces.append(len(fig.data))
        fig.add_scatter(
            x=x, y=y, mode="lines", fill="toself", fillcolor=fill, hoveron="fills", line={"color": "white", "width": 0.8},
            text=text, hoverinfo="text", name=names[country.iso3], showlegend=False, xaxis=axes[key][0], yaxis=axes[key][1],
            meta={"role": "member", "member": country.iso3},
        )
    for key, (xa, ya) in axes.items():
        inside = [c for c in drawn if c.panel() == key]
        lx, ly = project(np.array([c.label[0] for c in inside]), np.array([c.label[1] for c in inside]), PANELS[key].centre)
        fig.add_scatter(x=lx, y=ly, mode="text", text=[c.iso3 for c in inside], textfont={"size": 9, "color": "#1a1a1a"},
                        hoverinfo="skip", showlegend=False, xaxis=xa, yaxis=ya, meta={"role": "labels", "panel": key})
    fig.add_scatter(
        x=[None], y=[None], mode="markers", showlegend=False, hoverinfo="skip", meta={"role": "colourbar"},
        marker={"colorscale": ALIGNMENT_SCALE, "cmin": low, "cmax": high, "color": [low], "showscale": True,
                "colorbar": {"title": {"text": "alignment"}, "x": 0.94, "len": 0.8}},
    )
    if len(styles) > 1:
        buttons = [{"label": s, "method": "restyle", "args": [{"fillcolor": f, "text": t}, member_traces]} for s, (f, t) in styles.items()]
        add_dropdown(fig, "Scenario", buttons)
    for i, (key, (xa, ya)) in enumerate(axes.items()):
        xr, yr = _axis_ranges(countries, key)
        suffix = str(i + 1) if i else ""
        fig.update_layout({
            f"xaxis{suffix}": {"domain": list(PANEL_DOMAINS[key]), "range": xr, "visible": False, "anchor": ya},
            f"yaxis{suffix}": {"range": yr, "visible": False, "scaleanchor": xa, "scaleratio": 1, "anchor": xa},
        })
        fig.add_annotation(text=PANELS[key].title, x=sum(PANEL_DOMAINS[key]) / 2, y=0.0, xref="paper", yref="paper",
                           yanchor="top", showarrow=False, font={"size": 12, "color": "#555"})
    return styled(fig, 600, plot_bgcolor=SEA, showlegend=False, margin={"l": 90, "r": 10, "t": 70, "b": 30})
