"""Figures of an experiment's results: sweep surfaces, sensitivity indices, calibration fit.

They read the experiment folder's tables (``points.parquet``,
``sensitivity.csv``, ``calibration.csv``; docs/report.md gives their columns)
and return plotly Figures.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from cohesion.constants import RUN_METRICS
from cohesion.report.data import POINT_ID_COLUMNS, ExperimentResults
from cohesion.report.layout import Choices, empty_figure, issue_label, parameter_label, styled
from cohesion.report.palette import COHESION_SCALE, INTERVAL_OPACITY, member_colours, scenario_colours, with_alpha

#: At most this many parameter pairs get a surface (the first in the table's column order).
MAX_PAIRS = 6
#: A design counts as a grid when each parameter takes at most this many values and every pair of values occurs.
MAX_GRID_LEVELS = 40
OUTCOME = "consensus"


def varied_parameters(points: pd.DataFrame) -> list[str]:
    """The design's parameters: numeric columns that are neither identifiers nor outcomes, and that vary."""
    outcomes = set(RUN_METRICS)
    return [
        c for c in points.columns
        if c not in POINT_ID_COLUMNS and c not in outcomes and not c.startswith("alignment_")
        and pd.api.types.is_numeric_dtype(points[c]) and points[c].nunique() > 1
    ]


def _by_scenario(points: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    if "scenario" not in points.columns:
        return [("all points", points)]
    return [(str(name), part) for name, part in points.groupby("scenario", sort=False)]


def _one_parameter(points: pd.DataFrame, parameter: str) -> go.Figure:
    """Cohesion against a single varied parameter: mean over replicates with the 5th-95th percentile band."""
    fig = go.Figure()
    groups = _by_scenario(points)
    colours = scenario_colours([name for name, _ in groups])
    for name, part in groups:
        stats = part.groupby(parameter)[OUTCOME].agg(mean="mean", p05=lambda v: v.quantile(0.05), p95=lambda v: v.quantile(0.95))
        x = list(stats.index)
        fig.add_scatter(x=x, y=stats["p95"], mode="lines", line={"width": 0}, hoverinfo="skip", showlegend=False, legendgroup=name)
        fig.add_scatter(x=x, y=stats["p05"], mode="lines", line={"width": 0}, fill="tonexty", hoverinfo="skip", showlegend=False,
                        fillcolor=with_alpha(colours[name], INTERVAL_OPACITY), legendgroup=name)
        fig.add_scatter(x=x, y=stats["mean"], mode="lines+markers", name=name, legendgroup=name, line={"color": colours[name]},
                        hovertemplate=f"{parameter_label(parameter)} %{{x:.3g}}: cohesion %{{y:.1f}}<extra>{name}</extra>",
                        meta={"scenario": name, "role": "mean", "parameter": parameter})
    fig.update_xaxes(title_text=parameter_label(parameter))
    fig.update_yaxes(title_text="Consensus (mean over replicates)")
    return styled(fig, 460)


def surface_table(points: pd.DataFrame, x: str, y: str) -> tuple[pd.DataFrame, bool]:
    """Mean cohesion per value pair of ``x`` and ``y`` and whether the design is a full grid on them.

    For a grid the frame is the ``y`` by ``x`` pivot; otherwise it holds one
    row per design point with its ``x``, ``y`` and mean cohesion.
    """
    means = points.groupby([x, y])[OUTCOME].mean()
    nx, ny = points[x].nunique(), points[y].nunique()
    if nx <= MAX_GRID_LEVELS and ny <= MAX_GRID_LEVELS and len(means) == nx * ny:
        return means.unstack(x).sort_index().sort_index(axis=1), True
    key = "point" if "point" in points.columns else [x, y]
    return points.groupby(key).agg({x: "first", y: "first", OUTCOME: "mean"}).reset_index(drop=True), False


def sweep_surfaces(results: ExperimentResults) -> go.Figure:
    """Pairs of varied parameters against the mean consensus score; a dropdown picks the pair and scenario."""
    points = results.points
    if points is None or OUTCOME not in points.columns:
        return empty_figure(f"points.parquet holds no {OUTCOME}")
    parameters = varied_parameters(points)
    if not parameters:
        return empty_figure("No parameter varies across the design points")
    if len(parameters) == 1:
        return _one_parameter(points, parameters[0])
    low, high = float(points[OUTCOME].min()), float(points[OUTCOME].max())
    colour_axis = {"colorscale": COHESION_SCALE, "cmin": low, "cmax": high}
    groups = _by_scenario(points)
    choices = Choices("Surface")
    fig = go.Figure()
    for x, y in list(combinations(parameters, 2))[:MAX_PAIRS]:
        for name, part in groups:
            label = f"{parameter_label(x)} × {parameter_label(y)}" + ("" if len(groups) == 1 else f" · {name}")
            titles = {"xaxis.title.text": parameter_label(x), "yaxis.title.text": parameter_label(y)}
            choices.start(fig, label, titles)
            frame, grid = surface_table(part, x, y)
            meta = {"scenario": name, "x": x, "y": y, "grid": grid}
            hover = f"{parameter_label(x)} %{{x:.3g}}<br>{parameter_label(y)} %{{y:.3g}}<br>cohesion %{{z:.1f}}<extra></extra>"
            if grid:
                fig.add_heatmap(z=frame.to_numpy(), x=list(frame.columns), y=list(frame.index), zmin=low, zmax=high,
                                colorscale=COHESION_SCALE, colorbar={"title": {"text": "cohesion"}}, hovertemplate=hover, meta=meta)
            else:
                fig.add_scatter(x=frame[x], y=frame[y], mode="markers", meta=meta,
                                marker={**colour_axis, "color": frame[OUTCOME], "size": 9, "showscale": True,
                                        "colorbar": {"title": {"text": "cohesion"}}, "line": {"color": "white", "width": 0.5}},
                                hovertemplate=hover.replace("%{z", "%{marker.color"))
    return styled(choices.finish(fig), 520, margin={"l": 90, "r": 30, "t": 80, "b": 60})


def _has(frame: pd.DataFrame, column: str) -> bool:
    return column in frame.columns and frame[column].notna().any()


def sensitivity_chart(sensitivity: pd.DataFrame, method: str) -> go.Figure:
    """Sensitivity indices of one method, one outcome (and scenario) at a time, parameters largest first.

    Variance-based methods (S1/ST columns filled) show first-order and total
    indices; screening methods (mu_star filled) show mu* and sigma. The
    parameter order is that of the first option (consensus when present).
    """
    rows = sensitivity[sensitivity["method"] == method].copy()
    if "scenario" not in rows.columns:
        rows["scenario"] = ""
    rows["scenario"] = rows["scenario"].fillna("").astype(str)
    variance_based = _has(rows, "ST") or _has(rows, "S1")
    key = "ST" if _has(rows, "ST") else "S1" if variance_based else "mu_star"
    options = sorted({(o, sc) for o, sc in zip(rows["outcome"], rows["scenario"])}, key=lambda o: (o[0] != OUTCOME, o))
    first = rows[(rows["outcome"] == options[0][0]) & (rows["scenario"] == options[0][1])].set_index("parameter")[key]
    order = list(first.sort_values(ascending=False, kind="stable").index)
    order += [p for p in dict.fromkeys(rows["parameter"]) if p not in order]
    labels = [parameter_label(p) for p in order]
    series = (("S1", "first order S1", "#4e79a7"), ("ST", "total ST", "#f28e2b")) if variance_based else (("mu_star", "μ*", "#4e79a7"),)
    choices = Choices("Outcome")
    fig = go.Figure()
    for outcome, scenario in options:
        part = rows[(rows["outcome"] == outcome) & (rows["scenario"] == scenario)].set_index("parameter").reindex(order)
        name_of = outcome.replace("_", " ") + (f" · {scenario}" if scenario else "")
        choices.start(fig, name_of)
        meta = {"outcome": outcome, "scenario": scenario, "parameters": order}
        for column, name, colour in series:
            if not _has(part, column):
                continue
            conf = part[f"{column}_conf"] if f"{column}_conf" in part.columns else pd.Series(np.nan, index=part.index)
            fig.add_bar(x=part[column], y=labels, orientation="h", name=name, marker={"color": colour},
                        error_x={"type": "data", "array": conf.fillna(0).tolist(), "color": "#333", "thickness": 1.2},
                        hovertemplate=f"%{{y}}<br>{name} %{{x:.3f}} ± %{{error_x.array:.3f}}<extra>{name_of}</extra>",
                        meta={**meta, "column": column})
        if not variance_based and _has(part, "sigma"):
            fig.add_scatter(x=part["sigma"], y=labels, mode="markers", name="σ", marker={"symbol": "diamond", "size": 9, "color": "#e15759"},
                            hovertemplate=f"%{{y}}<br>σ %{{x:.3f}}<extra>{name_of}</extra>", meta={**meta, "column": "sigma"})
    fig.update_yaxes(autorange="reversed", type="category", categoryorder="array", categoryarray=labels)
    fig.update_xaxes(title_text="index" if variance_based else "elementary effect", rangemode="tozero")
    title = f"{method.capitalize()}: " + ("first-order and total indices" if variance_based else "μ* and σ")
    return styled(choices.finish(fig), 170 + 28 * len(order), barmode="group", title={"text": title, "x": 0.5, "font": {"size": 14}},
                  legend={"orientation": "h", "x": 1.0, "xanchor": "right", "y": 1.0, "yanchor": "bottom"},
                  margin={"l": 190, "r": 30, "t": 90, "b": 50})


def calibration_chart(results: ExperimentResults) -> go.Figure:
    """Observed against modelled stance per position of the article, coloured by member, with the fit's error."""
    frame = results.calibration
    if frame is None or frame.empty:
        return empty_figure("calibration.csv holds no positions")
    names = results.country_names
    colours = member_colours(list(frame["member"]))
    fig = go.Figure()
    fig.add_scatter(x=[0, 1], y=[0, 1], mode="lines", line={"color": "#aaa", "dash": "dash"}, hoverinfo="skip", showlegend=False,
                    meta={"role": "diagonal"})
    for member, part in sorted(frame.groupby("member"), key=lambda item: names.get(item[0], item[0])):
        fig.add_scatter(
            x=part["observed"], y=part["modelled"], mode="markers", name=names.get(member, member),
            marker={"size": 10, "color": colours[member], "line": {"color": "white", "width": 1}},
            customdata=np.column_stack([part["position_id"], [issue_label(k) for k in part["issue"]], part["modelled"] - part["observed"]]),
            hovertemplate=(f"<b>{names.get(member, member)}</b>: %{{customdata[0]}}<br>%{{customdata[1]}}<br>"
                           "observed %{x:.2f}, modelled %{y:.2f} (error %{customdata[2]:+.3f})<extra></extra>"),
            meta={"role": "positions", "member": member},
        )
    error = frame["modelled"] - frame["observed"]
    fit = f"{len(frame)} positions · RMSE {np.sqrt((error ** 2).mean()):.3f} · mean absolute error {error.abs().mean():.3f}"
    fig.update_xaxes(title_text="observed stance (article)", range=[-0.03, 1.03], constrain="domain")
    fig.update_yaxes(title_text="modelled stance", range=[-0.03, 1.03], scaleanchor="x", scaleratio=1, constrain="domain")
    return styled(fig, 560, title={"text": fit, "x": 0.5, "font": {"size": 13}}, legend={"title": {"text": "member"}, "font": {"size": 11}})
