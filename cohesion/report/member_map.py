"""The members on a map, coloured by alignment, drawn from shipped outlines (works offline).

Two panels on plain axes, each in its own equal-area projection: North America
and Europe. Each member is one filled trace; the scenario dropdown restyles
the fill colours and hover texts, so the outlines are stored once.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from cohesion.report.data import RunResults
from cohesion.report.geometry import PANELS, Country, load_countries, project, projected_path
from cohesion.report.layout import Choices, attach_data, colourbar, narrow, set_meta, styled
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


@lru_cache(maxsize=1)
def _outlines() -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], dict[str, tuple[np.ndarray, np.ndarray]]]:
    """Projected outlines, computed once: the non-members of each panel as one path, and each member's path."""
    countries = load_countries()

    def path(rings: list, key: str) -> tuple[np.ndarray, np.ndarray]:
        x, y = projected_path(rings, PANELS[key].centre)
        return np.array(x, dtype=float), np.array(y, dtype=float)  # None becomes NaN: a gap, as before

    context = {key: path([ring for c in countries if not c.nato for ring in c.rings], key) for key in PANEL_DOMAINS}
    members = {c.iso3: path(list(c.rings), c.panel()) for c in countries if c.nato}
    return context, members


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
    context, outlines = _outlines()
    for key, (xa, ya) in axes.items():
        xs, ys = context[key]
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
        x, y = outlines[country.iso3]
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
        marker={"color": [low], "coloraxis": "coloraxis"},
    )
    # The page's scenario selector recolours the outlines (stored once) with the chosen scenario's fills.
    set_meta(fig, restyle={s: [{"fillcolor": f, "text": t}, member_traces] for s, (f, t) in styles.items()},
             state={"scenario": results.scenarios[0]}, tab="Map")
    attach_data(fig, map_data(results))
    narrow(fig, margin={"l": 4, "r": 4, "t": 10, "b": 80})
    for i, (key, (xa, ya)) in enumerate(axes.items()):
        xr, yr = _axis_ranges(countries, key)
        suffix = str(i + 1) if i else ""
        fig.update_layout({
            f"xaxis{suffix}": {"domain": list(PANEL_DOMAINS[key]), "range": xr, "visible": False, "anchor": ya},
            f"yaxis{suffix}": {"range": yr, "visible": False, "scaleanchor": xa, "scaleratio": 1, "anchor": xa},
        })
        fig.add_annotation(text=PANELS[key].title, x=sum(PANEL_DOMAINS[key]) / 2, y=0.0, xref="paper", yref="paper",
                           yanchor="top", showarrow=False, font={"size": 12, "color": "#555"})
    return styled(fig, 600, plot_bgcolor=SEA, showlegend=False, margin={"l": 10, "r": 10, "t": 20, "b": 80},
                  coloraxis=_alignment_axis(low, high))


def _alignment_axis(low: float, high: float) -> dict:
    """The shared sequential colour axis of alignment (same range for every scenario)."""
    return {"colorscale": ALIGNMENT_SCALE, "cmin": low, "cmax": high, "colorbar": colourbar("alignment with the U.S.-UK line at the horizon")}


def map_data(results: RunResults) -> pd.DataFrame:
    """What the map and the tile grid draw: each member's alignment at the horizon with its interval and rank."""
    columns = ["scenario", "member", "country", "alignment", "alignment_p05", "alignment_p95", "alignment_rank"]
    return results.members[columns].sort_values(["scenario", "member"], kind="stable")


#: Tile grid: (column, row) of each member, roughly where it lies (west left, north on top), one equal tile each.
TILES: dict[str, tuple[int, int]] = {
    "CAN": (0, 0), "USA": (0, 1), "ISL": (2, 0), "NOR": (5, 0),
    "GBR": (3, 1), "DNK": (5, 1), "EST": (7, 1),
    "BEL": (3, 2), "NLD": (4, 2), "DEU": (5, 2), "POL": (6, 2), "LVA": (7, 2),
    "FRA": (3, 3), "LUX": (4, 3), "CZE": (5, 3), "SVK": (6, 3), "LTU": (7, 3),
    "PRT": (2, 4), "ESP": (3, 4), "ITA": (4, 4), "SVN": (5, 4), "HUN": (6, 4), "ROU": (7, 4),
    "HRV": (5, 5), "MNE": (6, 5), "BGR": (7, 5),
    "ALB": (5, 6), "MKD": (6, 6), "GRC": (7, 6), "TUR": (8, 6),
}


def tile_map(results: RunResults) -> go.Figure:
    """The members as equal tiles coloured by alignment, so small members (Luxembourg, Montenegro) are as visible as large."""
    data = map_data(results)
    names = results.country_names
    low, high = float(data["alignment"].min()), float(data["alignment"].max())
    choices = Choices("Scenario")
    fig = go.Figure()
    for scenario in results.scenarios:
        rows = data[(data["scenario"] == scenario) & data["member"].isin(list(TILES))].set_index("member")
        choices.start(fig, scenario)
        fig.add_scatter(
            x=[TILES[c][0] for c in rows.index], y=[TILES[c][1] for c in rows.index], mode="markers+text", text=list(rows.index),
            textfont={"size": 11, "color": ["white" if v < (low + high) / 2 else "black" for v in rows["alignment"]]},
            marker={"symbol": "square", "size": 34, "color": rows["alignment"], "coloraxis": "coloraxis",
                    "line": {"color": "white", "width": 1}},
            hovertext=_hover(names, rows), hoverinfo="text", showlegend=False,
            meta={"scenario": scenario, "role": "tiles", "members": list(rows.index)},
        )
    fig.update_xaxes(visible=False, range=[-0.6, 8.6])
    fig.update_yaxes(visible=False, range=[6.6, -0.6], scaleanchor="x", scaleratio=1)
    attach_data(fig, data)
    narrow(fig, margin={"l": 4, "r": 4, "t": 10, "b": 70})
    set_meta(fig, tab="Tile grid")
    return styled(choices.finish(fig), 460, margin={"l": 10, "r": 10, "t": 10, "b": 70}, coloraxis=_alignment_axis(low, high))
