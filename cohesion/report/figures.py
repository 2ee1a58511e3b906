"""Figures of a run's results: each a function of the saved tables that returns a plotly Figure.

Every trace carries ``meta`` (``{"scenario": ..., "role": ...}`` and more) so
that tests and readers can find it without relying on its position.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from cohesion.constants import COMPONENTS, ISSUES
from cohesion.report.data import RunResults
from cohesion.report.layout import Choices, empty_figure, issue_label, styled, week_date, week_iso, wrapped
from cohesion.report.palette import (
    BLOCK_SCALE,
    COMPONENT_COLOURS,
    INTERVAL_OPACITY,
    STANCE_SCALE,
    member_colours,
    scenario_colours,
    with_alpha,
)

#: Horizon scores shown side by side: (panel title, mean column, low column, high column, number format).
COMPARISON_PANELS: tuple[tuple[str, str, str, str, str], ...] = (
    ("Consensus ↑", "consensus_mean", "consensus_p05", "consensus_p95", ".1f"),
    ("Cohesion ↑", "cohesion_mean", "cohesion_p05", "cohesion_p95", ".1f"),
    ("Alignment with<br>the proposal ↑", "alignment_mean", "alignment_p05", "alignment_p95", ".3f"),
    ("Agreement<br>index ↑", "agreement_index_mean", "agreement_index_p05", "agreement_index_p95", ".3f"),
    ("EU unanimity<br>(EU issues) ↑", "eu_consensus_mean", "eu_consensus_p05", "eu_consensus_p95", ".1f"),
    ("Blocking<br>members ↓", "consensus_blockers", "consensus_blockers_p05", "consensus_blockers_p95", ".1f"),
)
#: A member-issue pair appears on the blocker chart once it blocks in this share of runs in some week.
BLOCKER_CHART_MIN_SHARE = 0.2


def _interval(mean: pd.Series, low: pd.Series, high: pd.Series) -> dict:
    """Asymmetric error bars from a mean and its 5th and 95th percentiles."""
    return {
        "type": "data",
        "symmetric": False,
        "array": (high - mean).clip(lower=0).tolist(),
        "arrayminus": (mean - low).clip(lower=0).tolist(),
        "thickness": 1.4,
        "width": 3,
    }


def _member_order(results: RunResults) -> list[str]:
    """Member codes from most to least aligned, averaged over scenarios (a stable order for every figure)."""
    return list(results.members.groupby("member", sort=True)["alignment"].mean().sort_values(ascending=False, kind="stable").index)


def _event_texts(results: RunResults, scenario: str) -> dict[int, str]:
    """Hover text of a scenario's events, one entry per week."""
    if results.events is None:
        return {}
    texts: dict[int, list[str]] = {}
    for ev in results.events[results.events["scenario"] == scenario].sort_values("week", kind="stable").itertuples():
        chance = "" if float(ev.probability) >= 1 else f", in {float(ev.probability):.0%} of runs"
        texts.setdefault(int(ev.week), []).append(f"{ev.note}<br><i>{ev.type} {ev.target} {float(ev.magnitude):+g}{chance}</i>")
    return {week: "<br>".join(items) for week, items in texts.items()}


def cohesion_timeline(results: RunResults) -> go.Figure:
    """The consensus score per scenario over time: mean line, 90% band over runs, events marked.

    The top panel holds the lines (with each event marked on its scenario's
    line); the strip below marks every scenario's events on the time axis.
    """
    frame = results.timeseries_summary[results.timeseries_summary["metric"] == "consensus"]
    colours = scenario_colours(results.scenarios)
    titles = results.scenario_titles()
    strip = 20 * len(results.scenarios) + 20
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[440, strip], vertical_spacing=0.03)
    for scenario in results.scenarios:
        part = frame[frame["scenario"] == scenario].sort_values("week")
        if part.empty:
            continue
        colour = colours[scenario]
        dates = [week_iso(w) for w in part["week"]]

        def tag(role: str, **extra: object) -> dict:
            """Legend group (so a legend click hides line, band and events together) and meta of a trace."""
            return {"legendgroup": scenario, "meta": {"scenario": scenario, "role": role, **extra}}

        band = {"mode": "lines", "line": {"width": 0}, "hoverinfo": "skip", "showlegend": False, "row": 1, "col": 1}
        fig.add_scatter(x=dates, y=part["p95"], **band, **tag("p95"))
        fig.add_scatter(x=dates, y=part["p05"], fill="tonexty", fillcolor=with_alpha(colour, INTERVAL_OPACITY), **band, **tag("p05"))
        fig.add_scatter(
            x=dates, y=part["mean"], mode="lines", name=scenario, line={"color": colour, "width": 2.2},
            customdata=np.column_stack([part["week"], part["p05"], part["p95"]]),
            hovertemplate=f"<b>{scenario}</b>: %{{y:.1f}} (90%: %{{customdata[1]:.1f}}–%{{customdata[2]:.1f}}), week %{{customdata[0]}}<extra></extra>",
            row=1, col=1, **tag("mean", title=titles.get(scenario, "")),
        )
        events = _event_texts(results, scenario)
        by_week = part.set_index("week")["mean"]
        weeks = [w for w in sorted(events) if w in by_week.index]
        if not weeks:
            continue
        marks = {
            "x": [week_iso(w) for w in weeks], "mode": "markers", "hoverinfo": "text", "showlegend": False,
            "hovertext": [f"<b>{scenario}</b>, week {w} ({week_date(w)})<br>{events[w]}" for w in weeks],
            "marker": {"symbol": "diamond", "size": 10, "color": colour, "line": {"color": "white", "width": 1}},
        }
        fig.add_scatter(y=[by_week[w] for w in weeks], **marks, row=1, col=1, **tag("events", weeks=weeks))
        fig.add_scatter(y=[scenario] * len(weeks), **marks, row=2, col=1, **tag("event_strip", weeks=weeks))
    fig.update_yaxes(title_text="Consensus (0–100)", row=1, col=1)
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=results.scenarios[::-1], tickfont={"size": 10},
                     range=[-0.6, len(results.scenarios) - 0.4], showgrid=True, title_text="events", row=2, col=1)
    fig.update_xaxes(type="date", tickformat="%b %Y", row=2, col=1, title_text="Date (week 0 = 27 January 2022)")
    return styled(fig, 440 + strip + 110, hovermode="closest", legend={"orientation": "v", "x": 1.01, "y": 1.0, "title": {"text": "scenario"}},
                  margin={"l": 70, "r": 170, "t": 30, "b": 55})


def scenario_comparison(results: RunResults) -> go.Figure:
    """The scenarios at the horizon: consensus, cohesion and the measures beside them, with 90% intervals over runs."""
    summary = results.summary.sort_values("consensus_mean", kind="stable")
    colours = scenario_colours(results.scenarios)
    fig = make_subplots(rows=1, cols=len(COMPARISON_PANELS), shared_yaxes=True, horizontal_spacing=0.018,
                        column_widths=[1.8] + [1.0] * (len(COMPARISON_PANELS) - 1),
                        subplot_titles=[p[0] for p in COMPARISON_PANELS])
    for col, (title, mean, low, high, fmt) in enumerate(COMPARISON_PANELS, start=1):
        if col == 1:
            fig.add_scatter(x=summary["consensus_week0"], y=summary["scenario"], mode="markers", name="week 0",
                            marker={"symbol": "circle-open", "size": 9, "color": "#888"},
                            hovertemplate="%{y}: week 0 consensus %{x:.1f}<extra></extra>", meta={"role": "week0"},
                            row=1, col=col)
        for row in summary.itertuples(index=False):
            r = row._asdict()
            scenario = r["scenario"]
            fig.add_scatter(
                x=[r[mean]], y=[scenario], mode="markers", showlegend=False, marker={"size": 10, "color": colours[scenario]},
                error_x={**_interval(pd.Series([r[mean]]), pd.Series([r[low]]), pd.Series([r[high]])), "color": colours[scenario]},
                hovertemplate=f"<b>{scenario}</b><br>{title.replace('<br>', ' ').rstrip(' ↑↓')}: %{{x:{fmt}}} (90%: {r[low]:{fmt}}–{r[high]:{fmt}})<extra></extra>",
                meta={"scenario": scenario, "role": "horizon", "column": mean}, row=1, col=col,
            )
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=list(summary["scenario"]))
    fig.update_xaxes(nticks=4, tickfont={"size": 10})
    fig.update_annotations(font={"size": 12})
    return styled(fig, 110 + 34 * len(summary), showlegend=False, margin={"l": 140, "r": 20, "t": 70, "b": 40})


def stance_heatmap(results: RunResults) -> go.Figure:
    """Each member's mean stance on each issue at the horizon; ✕ marks an issue it blocks in most runs."""
    order = _member_order(results)
    names = results.country_names
    labels = [wrapped(issue_label(k), 14) for k in ISSUES]
    choices = Choices("Scenario", lift=66)
    fig = go.Figure()
    for scenario in results.scenarios:
        part = results.members[results.members["scenario"] == scenario].set_index("member").reindex(order)
        z = part[[f"stance_{k}" for k in ISSUES]].to_numpy(dtype=float)
        blocks = [set(str(b).split(";")) if isinstance(b, str) else set() for b in part["blocks"]]
        text = [[f"{v:.2f}{' ✕' if k in blocked else ''}" for v, k in zip(row, ISSUES)] for row, blocked in zip(z, blocks)]
        choices.start(fig, scenario)
        fig.add_heatmap(
            z=z, x=labels, y=[names[m] for m in order], text=text, texttemplate="%{text}", textfont={"size": 10},
            colorscale=STANCE_SCALE, zmin=0, zmax=1, xgap=1, ygap=1,
            colorbar={"title": {"text": "stance<br>(1 = U.S.-UK<br>line)"}, "tickvals": [0, 0.25, 0.5, 0.75, 1]},
            customdata=[[issue_label(k) for k in ISSUES]] * len(order),
            hovertemplate=f"<b>%{{y}}</b>, {scenario}<br>%{{customdata}}: stance %{{z:.3f}}<extra></extra>",
            meta={"scenario": scenario, "role": "stance", "members": order},
        )
    fig.update_yaxes(autorange="reversed", showgrid=False)
    fig.update_xaxes(side="top", showgrid=False, ticks="")
    return styled(choices.finish(fig), 900, margin={"l": 130, "r": 30, "t": 150, "b": 20})


def _ranked_ticks(axis: str, codes: list[str], names: dict[str, str]) -> dict:
    """Layout changes that label the positions 0..n-1 of ``axis`` with the countries of ``codes``."""
    return {f"{axis}.tickvals": list(range(len(codes))), f"{axis}.ticktext": [names[c] for c in codes]}


def alignment_ranking(results: RunResults) -> go.Figure:
    """Members ranked by alignment with the U.S.-UK proposal at the horizon, with 90% intervals; week 0 for reference."""
    names = results.country_names
    colours = member_colours(list(results.members["member"]))
    choices = Choices("Scenario")
    fig = go.Figure()
    for scenario in results.scenarios:
        part = results.members[results.members["scenario"] == scenario].sort_values("alignment", ascending=False, kind="stable")
        codes = list(part["member"])
        y = list(range(len(codes)))
        choices.start(fig, scenario, _ranked_ticks("yaxis", codes, names))
        fig.add_scatter(x=part["alignment_week0"], y=y, mode="markers", name="week 0",
                        marker={"symbol": "line-ns-open", "size": 12, "color": "#999", "line": {"width": 2}},
                        hovertext=[f"{names[c]}: week 0 alignment {v:.3f}" for c, v in zip(codes, part["alignment_week0"])],
                        hoverinfo="text", meta={"scenario": scenario, "role": "week0", "members": codes})
        fig.add_scatter(
            x=part["alignment"], y=y, mode="markers", name="at the horizon (90% interval)",
            marker={"size": 10, "color": [colours[c] for c in codes], "line": {"color": "white", "width": 1}},
            error_x={**_interval(part["alignment"], part["alignment_p05"], part["alignment_p95"]), "color": "#555"},
            customdata=np.column_stack([[names[c] for c in codes], part["alignment_p05"], part["alignment_p95"], part["alignment_rank"]]),
            hovertemplate=(f"<b>%{{customdata[0]}}</b>, {scenario}<br>alignment %{{x:.3f}} "
                           "(90%: %{customdata[1]:.3f}–%{customdata[2]:.3f})<br>rank %{customdata[3]}<extra></extra>"),
            meta={"scenario": scenario, "role": "alignment", "members": codes},
        )
    fig.update_yaxes(autorange="reversed", showgrid=True, tickfont={"size": 11})
    fig.update_xaxes(title_text="Alignment with the U.S.-UK proposal (1 = at the proposal on every issue)")
    return styled(choices.finish(fig), 780, legend={"orientation": "h", "x": 1.0, "xanchor": "right", "y": 1.0, "yanchor": "bottom"},
                  margin={"l": 130, "r": 30, "t": 80, "b": 55})


def member_parts(results: RunResults, scenario: str) -> tuple[pd.DataFrame, pd.Series]:
    """A scenario's stance parts per member, averaged over issues (members.csv ``attr_*``), and the mean stance.

    Rows are member codes from the highest mean stance to the lowest.
    """
    members = results.members[results.members["scenario"] == scenario].set_index("member")
    stance = members[[f"stance_{k}" for k in ISSUES]].mean(axis=1).sort_values(ascending=False, kind="stable")
    parts = members.loc[stance.index, [f"attr_{c}" for c in COMPONENTS]].set_axis(list(COMPONENTS), axis=1)
    return parts, stance


def attribution_chart(results: RunResults) -> go.Figure:
    """Why each member stands where it does: its stance (mean over issues) split into additive parts.

    Left, the parts themselves (they add up to the stance, the black
    diamond); right, each part minus its alliance average, so the bars add up
    to how far the member sits above or below the average member.
    """
    names = results.country_names
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.03,
                        subplot_titles=["Parts of the stance (sum = stance)", "Relative to the alliance average (sum = gap)"])
    choices = Choices("Scenario", lift=36)
    for scenario in results.scenarios:
        parts, stance = member_parts(results, scenario)
        codes = list(parts.index)
        y = list(range(len(codes)))
        views = {"absolute": (parts, stance), "relative": (parts - parts.mean(), stance - stance.mean())}
        choices.start(fig, scenario, _ranked_ticks("yaxis", codes, names))
        for col, (view, (table, total)) in enumerate(views.items(), start=1):
            for component in COMPONENTS:
                fig.add_bar(
                    x=table[component], y=y, orientation="h", name=component, legendgroup=component,
                    marker={"color": COMPONENT_COLOURS[component], "line": {"width": 0}},
                    showlegend=col == 1 and scenario == results.scenarios[0],
                    customdata=np.column_stack([[names[c] for c in codes], parts[component], parts[component] - table[component]]),
                    hovertemplate=(f"<b>%{{customdata[0]}}</b>, {scenario}<br>{component}: %{{customdata[1]:+.3f}} "
                                   "(alliance average %{customdata[2]:+.3f})<extra></extra>"),
                    meta={"scenario": scenario, "role": "component", "component": component, "view": view, "members": codes},
                    row=1, col=col,
                )
            label = "stance" if view == "absolute" else "gap to the average stance"
            fig.add_scatter(
                x=total, y=y, mode="markers", name="stance", legendgroup="stance",
                showlegend=col == 1 and scenario == results.scenarios[0],
                marker={"symbol": "diamond", "size": 8, "color": "black", "line": {"color": "white", "width": 1}},
                customdata=[names[c] for c in codes],
                hovertemplate=f"<b>%{{customdata}}</b>, {scenario}<br>{label} %{{x:+.3f}}<extra></extra>",
                meta={"scenario": scenario, "role": "stance", "view": view, "members": codes}, row=1, col=col,
            )
    fig.update_yaxes(autorange="reversed", showgrid=False, ticks="", tickfont={"size": 11})
    fig.update_xaxes(zeroline=True, zerolinecolor="#777", zerolinewidth=1)
    fig.update_annotations(font={"size": 13})
    return styled(choices.finish(fig), 820, barmode="relative", bargap=0.28,
                  legend={"orientation": "h", "x": 1.0, "xanchor": "right", "y": 1.045, "yanchor": "bottom"},
                  margin={"l": 130, "r": 20, "t": 110, "b": 40})


def attribution_by_issue(results: RunResults) -> go.Figure:
    """Each part of each member's stance on each issue minus its alliance average (attribution.parquet).

    One heat map per issue (columns: the parts), members in the order of the
    stance heat map; a dropdown picks the scenario.
    """
    if results.attribution is None:
        return empty_figure("attribution.parquet is not in these results")
    order = _member_order(results)
    names = results.country_names
    fig = make_subplots(rows=1, cols=len(ISSUES), shared_yaxes=True, horizontal_spacing=0.008,
                        subplot_titles=[wrapped(issue_label(k), 14) for k in ISSUES])
    choices = Choices("Scenario", lift=50)
    tables = {
        (scenario, issue): part.pivot(index="member", columns="component", values="value").reindex(index=order, columns=list(COMPONENTS))
        for (scenario, issue), part in results.attribution.groupby(["scenario", "issue"], sort=False)
    }
    limit = max(float((t - t.mean()).abs().max().max()) for t in tables.values()) or 1.0
    for scenario in results.scenarios:
        choices.start(fig, scenario)
        for col, issue in enumerate(ISSUES, start=1):
            table = tables.get((scenario, issue))
            if table is None:
                continue
            fig.add_heatmap(
                z=(table - table.mean()).to_numpy(), x=list(COMPONENTS), y=[names.get(m, m) for m in order], coloraxis="coloraxis",
                xgap=1, ygap=1, customdata=np.dstack([table.to_numpy(), np.broadcast_to(table.mean().to_numpy(), table.shape)]),
                hovertemplate=(f"<b>%{{y}}</b>, {scenario}<br>{issue_label(issue)}, %{{x}}: %{{customdata[0]:+.3f}}"
                               "<br>alliance average %{customdata[1]:+.3f}, gap %{z:+.3f}<extra></extra>"),
                meta={"scenario": scenario, "role": "gap", "issue": issue, "members": order}, row=1, col=col,
            )
    fig.update_yaxes(autorange="reversed", showgrid=False, ticks="", tickfont={"size": 11})
    fig.update_xaxes(showgrid=False, ticks="", tickangle=-90, tickfont={"size": 10})
    fig.update_annotations(font={"size": 12})
    return styled(choices.finish(fig), 930, coloraxis={"colorscale": "RdBu", "cmin": -limit, "cmax": limit,
                                                      "colorbar": {"title": {"text": "part minus<br>alliance<br>average"}}},
                  margin={"l": 130, "r": 20, "t": 130, "b": 80})


def blocker_timeline(results: RunResults) -> go.Figure:
    """Who would veto what, and when: the share of runs in which each member blocks each issue, by week."""
    if results.member_timeseries is None:
        return empty_figure("member_timeseries.parquet is not in these results")
    frame = results.member_timeseries
    peak = frame.groupby(["member", "issue"])["block_share"].max()
    pairs = [p for p in peak.index if peak[p] >= BLOCKER_CHART_MIN_SHARE]
    if not pairs:
        return empty_figure("No member blocks any issue in any week of any scenario")
    names = results.country_names
    # Members that block most (over all weeks and scenarios) first; issues in their fixed order.
    total = frame.groupby("member")["block_share"].sum()
    pairs.sort(key=lambda p: (-total[p[0]], p[0], ISSUES.index(p[1]) if p[1] in ISSUES else len(ISSUES)))
    rows = pd.MultiIndex.from_tuples(pairs, names=["member", "issue"])
    labels = [f"{names.get(m, m)} · {issue_label(k)}" for m, k in pairs]
    choices = Choices("Scenario")
    fig = go.Figure()
    for scenario in results.scenarios:
        part = frame[frame["scenario"] == scenario]
        table = part.pivot_table(index=["member", "issue"], columns="week", values="block_share").reindex(rows).fillna(0.0)
        weeks = list(table.columns)
        choices.start(fig, scenario)
        fig.add_heatmap(
            z=table.to_numpy(), x=[week_iso(w) for w in weeks], y=labels, zmin=0, zmax=1, colorscale=BLOCK_SCALE, ygap=1,
            customdata=np.tile(np.array(weeks), (len(labels), 1)),
            colorbar={"title": {"text": "share of runs"}, "tickformat": ".0%"},
            hovertemplate=f"<b>%{{y}}</b>, {scenario}<br>week %{{customdata}} (%{{x|%d %b %Y}}): blocks in %{{z:.0%}} of runs<extra></extra>",
            meta={"scenario": scenario, "role": "block_share", "pairs": [list(p) for p in pairs], "weeks": weeks},
        )
    fig.update_yaxes(autorange="reversed", showgrid=False, ticks="", tickfont={"size": 11})
    fig.update_xaxes(type="date", tickformat="%b %Y", showgrid=False, title_text="Date (week 0 = 27 January 2022)")
    return styled(choices.finish(fig), 150 + 22 * len(pairs), margin={"l": 230, "r": 30, "t": 80, "b": 55})
