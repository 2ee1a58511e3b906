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
from cohesion.report.scores import headline
from cohesion.results import BLOCKER_MAJORITY
from cohesion.report.layout import (
    NARROW_MARGIN,
    Choices,
    attach_data,
    colourbar,
    empty_figure,
    issue_label,
    narrow,
    set_meta,
    show,
    styled,
    week_date,
    week_iso,
    wrapped,
)
from cohesion.report.palette import (
    BLOCK_SCALE,
    COMPONENT_COLOURS,
    INTERVAL_OPACITY,
    STANCE_SCALE,
    member_colours,
    scenario_colours,
    with_alpha,
)

#: A member-issue pair appears on the blocker matrix once it blocks in this share of runs at the horizon of some scenario.
BLOCKER_CHART_MIN_SHARE = 0.2
#: The timeline's x axis ends this many weeks after the last week in which any scenario's mean still moves.
TIMELINE_PAD_WEEKS = 2
#: A week "moves" when some scenario's mean changes by more than this share of the whole range of means.
MOVING_SHARE = 0.01
#: Vertical room each end-of-line label needs, as a share of the y range shown.
LABEL_GAP = 0.05
#: Characters of an event's note shown on its marker (the full note is in the hover text).
EVENT_LABEL_CHARS = 26


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


def _zoom_weeks(frame: pd.DataFrame, event_weeks: list[int]) -> tuple[int, int]:
    """First and last week worth showing: up to shortly after the last week any scenario still moves (and every event)."""
    wide = frame.pivot_table(index="week", columns="scenario", values="mean").sort_index()
    span = float(np.nanmax(wide.to_numpy()) - np.nanmin(wide.to_numpy())) or 1.0
    moving = wide.diff().abs().max(axis=1) > MOVING_SHARE * span
    last = int(moving[moving].index.max()) if moving.any() else int(wide.index.max())
    last = max([last, *event_weeks])
    return int(wide.index.min()), min(int(wide.index.max()), last + TIMELINE_PAD_WEEKS)


def _spread_labels(values: dict[str, float], gap: float) -> dict[str, float]:
    """Label heights near ``values`` that keep at least ``gap`` between neighbours (one pass up, centred)."""
    order = sorted(values, key=values.get)
    placed: dict[str, float] = {}
    for name in order:
        placed[name] = values[name] if not placed else max(values[name], placed[order[len(placed) - 1]] + gap)
    shift = (sum(placed.values()) - sum(values.values())) / max(len(values), 1)
    return {name: y - shift for name, y in placed.items()}


def _event_marks(results: RunResults, scenario: str) -> tuple[list[dict], list[dict]]:
    """Vertical dotted lines and rotated labels of a scenario's events (layout shapes and annotations)."""
    if results.events is None:
        return [], []
    shapes, labels = [], []
    events = results.events[results.events["scenario"] == scenario]
    for week, group in events.groupby("week", sort=True):
        notes = [str(n) for n in group["note"]]
        text = notes[0] if len(notes[0]) <= EVENT_LABEL_CHARS else notes[0][: EVENT_LABEL_CHARS - 1] + "…"
        text += f" (+{len(notes) - 1})" if len(notes) > 1 else ""
        x = week_iso(int(week))
        shapes.append({"type": "line", "x0": x, "x1": x, "xref": "x", "y0": 0, "y1": 1, "yref": "paper",
                       "line": {"color": "#666", "width": 1, "dash": "dot"}, "name": f"event-{scenario}-{week}"})
        labels.append({"x": x, "y": 1, "xref": "x", "yref": "paper", "text": f"wk {int(week)}: {text}", "textangle": -90,
                       "xanchor": "right", "yanchor": "top", "showarrow": False, "font": {"size": 10, "color": "#444"},
                       "bgcolor": "rgba(255,255,255,0.75)", "name": f"event-{scenario}-{week}"})
    return shapes, labels


def timeline_data(results: RunResults, metric: str) -> pd.DataFrame:
    """What the timeline of ``metric`` draws: mean and 90% band per scenario and week."""
    frame = results.timeseries_summary[results.timeseries_summary["metric"] == metric]
    frame = frame[frame["scenario"].isin(results.scenarios)]
    return frame[["scenario", "week", "metric", "mean", "p05", "p95"]].sort_values(["scenario", "week"], kind="stable")


def score_timeline(results: RunResults, metric: str | None = None) -> go.Figure:
    """A score per scenario over time: mean line labelled at its end, 90% band over runs, events as marked lines.

    The x axis is zoomed to where the means still move (double-click shows
    every week); the selected scenario's events are dotted vertical lines
    with labels, and diamonds on its line carry the full notes.
    """
    score = next(s for s in results.scores if s.metric == (metric or headline(results.scores)[0].metric))
    data = timeline_data(results, score.metric)
    colours = scenario_colours(results.scenarios)
    titles = results.scenario_titles()
    event_weeks = [] if results.events is None else [int(w) for w in results.events["week"]]
    first, last = _zoom_weeks(data, event_weeks)
    shown = data[(data["week"] >= first) & (data["week"] <= last)]
    low, high = _at_least_span(float(shown["p05"].min()), float(shown["p95"].max()), MIN_TIMELINE_SPAN)
    pad = 0.06 * ((high - low) or 1.0)
    ends = {}
    fig = go.Figure()
    for scenario in results.scenarios:
        part = data[data["scenario"] == scenario]
        if part.empty:
            continue
        colour = colours[scenario]
        dates = [week_iso(w) for w in part["week"]]

        def tag(role: str, **extra: object) -> dict:
            """Legend group (so a legend click hides line, band and events together) and meta of a trace."""
            return {"legendgroup": scenario, "meta": {"scenario": scenario, "role": role, **extra}}

        band = {"mode": "lines", "line": {"width": 0}, "hoverinfo": "skip", "showlegend": False}
        fig.add_scatter(x=dates, y=part["p95"], **band, **tag("p95"))
        fig.add_scatter(x=dates, y=part["p05"], fill="tonexty", fillcolor=with_alpha(colour, INTERVAL_OPACITY), **band, **tag("p05"))
        fig.add_scatter(
            x=dates, y=part["mean"], mode="lines", name=scenario, line={"color": colour, "width": 2.2},
            customdata=np.column_stack([part["week"], part["p05"], part["p95"]]),
            hovertemplate=f"<b>{scenario}</b>: %{{y:{score.fmt}}} (90%: %{{customdata[1]:{score.fmt}}}–%{{customdata[2]:{score.fmt}}}), "
                          "week %{customdata[0]}<extra></extra>",
            **tag("mean", title=titles.get(scenario, "")),
        )
        ends[scenario] = float(part.set_index("week")["mean"].get(last, part["mean"].iloc[-1]))
        events = _event_texts(results, scenario)
        by_week = part.set_index("week")["mean"]
        weeks = [w for w in sorted(events) if w in by_week.index]
        if weeks:
            fig.add_scatter(
                x=[week_iso(w) for w in weeks], y=[by_week[w] for w in weeks], mode="markers", hoverinfo="text", showlegend=False,
                hovertext=[f"<b>{scenario}</b>, week {w} ({week_date(w)})<br>{events[w]}" for w in weeks],
                marker={"symbol": "diamond", "size": 10, "color": colour, "line": {"color": "white", "width": 1}},
                **tag("events", weeks=weeks, show={"scenario": scenario}),
            )
    labels = _end_labels(fig, ends, LABEL_GAP * (high - low + 2 * pad), week_iso(last), colours)
    reference = results.reference
    change_range = None
    if len(results.scenarios) > 1:
        # The same lines as changes from the reference, week by week (a button of the page shows them).
        for trace in fig.data:
            trace.meta = {**trace.meta, "show": {**trace.meta.get("show", {}), "mode": "values"}}
        base = data[data["scenario"] == reference].set_index("week")["mean"]
        data = data.assign(change_from_reference=data["mean"].to_numpy() - base.reindex(data["week"]).to_numpy())
        changes = {}
        for scenario in results.scenarios:
            part = data[data["scenario"] == scenario]
            fig.add_scatter(x=[week_iso(w) for w in part["week"]], y=part["change_from_reference"], mode="lines", name=scenario,
                            line={"color": colours[scenario], "width": 2.2}, legendgroup=scenario,
                            hovertemplate=f"<b>{scenario}</b>: %{{y:+{score.fmt}}} from {reference}<extra></extra>",
                            meta={"scenario": scenario, "role": "change", "show": {"mode": "change"}})
            changes[scenario] = float(part.set_index("week")["change_from_reference"].get(last, 0.0))
        shown_change = data[(data["week"] >= first) & (data["week"] <= last)]["change_from_reference"]
        c_low, c_high = float(min(shown_change.min(), 0.0)), float(max(shown_change.max(), 0.0))
        c_pad = 0.06 * ((c_high - c_low) or 1.0)
        change_range = [c_low - c_pad, c_high + c_pad]
        labels += _end_labels(fig, changes, LABEL_GAP * (change_range[1] - change_range[0]), week_iso(last), colours,
                              show={"mode": "change"})
    views = {}
    for scenario in results.scenarios:
        shapes, notes = _event_marks(results, scenario)
        views[scenario] = {"shapes": shapes, "annotations": notes}
    fig.update_yaxes(title_text=f"{score.label} {score.arrow}", range=[low - pad, high + pad])
    fig.update_xaxes(type="date", tickformat="%b %Y", range=[week_iso(first), week_iso(last)],
                     title_text="Date (week 0 = 27 January 2022)")
    set_meta(fig, views=views)
    if change_range is not None:
        set_meta(fig, toggles={"mode": {"values": "Values", "change": f"Change from {reference}"}}, state={"mode": "values"},
                 toggle_views={"mode": {
                     "values": {"yaxis.range": [low - pad, high + pad], "yaxis.title.text": f"{score.label} {score.arrow}"},
                     "change": {"yaxis.range": change_range, "yaxis.title.text": f"{score.label}: change from {reference}"}}})
    show(fig, scenario=results.scenarios[0])
    attach_data(fig, data, by_scenario=False)
    narrow(fig, legend=True, showlegend=True, **{"xaxis.nticks": 4, "xaxis.tickformat": "%b %y", "xaxis.title.text": "",
                                                  "yaxis.title.standoff": 2})
    set_meta(fig, narrow_hide=labels)
    return styled(fig, 480, hovermode="closest", showlegend=False, margin={"l": 70, "r": 150, "t": 20, "b": 55})


#: Narrowest range of index points a score timeline shows: a flat line is drawn flat, not as a
#: zoom into noise of a tenth of a point (whose decimal ticks would also crowd a phone's plot).
MIN_TIMELINE_SPAN = 10.0


def _at_least_span(low: float, high: float, span: float, bounds: tuple[float, float] = (0.0, 100.0)) -> tuple[float, float]:
    """``[low, high]`` widened about its middle to at least ``span``, kept inside ``bounds`` where it fits."""
    if high - low >= span:
        return low, high
    middle = (low + high) / 2.0
    low, high = middle - span / 2.0, middle + span / 2.0
    if low < bounds[0]:
        low, high = bounds[0], bounds[0] + span
    elif high > bounds[1]:
        low, high = bounds[1] - span, bounds[1]
    return low, high


def _end_labels(fig: go.Figure, ends: dict[str, float], gap: float, x: str, colours: dict[str, str],
                show: dict | None = None) -> list[int]:
    """Label each line at its end (text traces just right of the plot, spread apart); return their trace indices."""
    indices = []
    for scenario, y in _spread_labels(ends, gap).items():
        indices.append(len(fig.data))
        fig.add_scatter(x=[x], y=[y], mode="text", text=[f" {scenario}"], textposition="middle right",
                        textfont={"color": colours[scenario], "size": 11}, cliponaxis=False, showlegend=False, hoverinfo="skip",
                        meta={"scenario": scenario, "role": "end_label", **({"show": show} if show else {})})
    return indices


def cohesion_timeline(results: RunResults) -> go.Figure:
    """The timeline of the first headline score."""
    return score_timeline(results)


def comparison_data(results: RunResults) -> pd.DataFrame:
    """What the comparison draws: each score's horizon mean and 90% interval per scenario (and week 0 where saved)."""
    rows = []
    for score in results.scores:
        for r in results.summary.to_dict("records"):
            rows.append({"scenario": r["scenario"], "score": score.metric, "mean": r[score.mean], "p05": r[score.low],
                         "p95": r[score.high], "week0": r[score.week0] if score.week0 else None})
    return pd.DataFrame(rows)


def scenario_comparison(results: RunResults) -> go.Figure:
    """The scenarios at the horizon: every score the results hold, with 90% intervals over runs."""
    scores = results.scores
    data = comparison_data(results)
    first = scores[0]
    order = list(results.summary.sort_values(first.mean, kind="stable")["scenario"])
    colours = scenario_colours(results.scenarios)
    fig = make_subplots(rows=1, cols=len(scores), shared_yaxes=True, horizontal_spacing=0.018,
                        column_widths=[1.8] + [1.0] * (len(scores) - 1),
                        subplot_titles=[f"{wrapped(s.label, 14)} {s.arrow}" for s in scores])
    for col, score in enumerate(scores, start=1):
        part = data[data["score"] == score.metric].set_index("scenario").loc[order]
        if score.week0:
            fig.add_scatter(x=part["week0"], y=order, mode="markers", name="week 0",
                            marker={"symbol": "circle-open", "size": 9, "color": "#888"},
                            hovertemplate=f"%{{y}}: week 0 {score.label.lower()} %{{x:{score.fmt}}}<extra></extra>",
                            meta={"role": "week0", "score": score.metric}, row=1, col=col)
        for scenario, r in part.iterrows():
            fig.add_scatter(
                x=[r["mean"]], y=[scenario], mode="markers", showlegend=False, marker={"size": 10, "color": colours[scenario]},
                error_x={**_interval(pd.Series([r["mean"]]), pd.Series([r["p05"]]), pd.Series([r["p95"]])), "color": colours[scenario]},
                hovertemplate=f"<b>{scenario}</b><br>{score.label}: %{{x:{score.fmt}}} (90%: {r['p05']:{score.fmt}}–{r['p95']:{score.fmt}})<extra></extra>",
                meta={"scenario": scenario, "role": "horizon", "column": score.mean, "score": score.metric}, row=1, col=col,
            )
    reference = results.reference
    if len(order) > 1:
        # Each score as the change from the reference (a button of the page shows them).
        for trace in fig.data:
            trace.meta = {**trace.meta, "show": {"mode": "values"}}
        base = data[data["scenario"] == reference].set_index("score")["mean"]
        data = data.assign(change_from_reference=data["mean"].to_numpy() - base.reindex(data["score"]).to_numpy())
        for col, score in enumerate(scores, start=1):
            part = data[data["score"] == score.metric].set_index("scenario").loc[order]
            fig.add_scatter(x=part["change_from_reference"], y=order, mode="markers", showlegend=False,
                            marker={"size": 10, "color": [colours[s] for s in order]},
                            hovertemplate=f"<b>%{{y}}</b><br>{score.label}: %{{x:+{score.fmt}}} from {reference}<extra></extra>",
                            meta={"role": "change", "score": score.metric, "show": {"mode": "change"}}, row=1, col=col)
        set_meta(fig, toggles={"mode": {"values": "Values", "change": f"Change from {reference}"}}, state={"mode": "values"})
        show(fig, mode="values")
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=order)
    fig.update_xaxes(nticks=4, tickfont={"size": 10})
    fig.update_annotations(font={"size": 12})
    attach_data(fig, data, by_scenario=False)
    narrow(fig, **_stacked_panels(len(scores), len(order)))
    return styled(fig, 110 + 34 * len(order), showlegend=False, margin={"l": 140, "r": 20, "t": 70, "b": 40})


def _stacked_panels(panels: int, rows: int) -> dict:
    """Phone layout of side-by-side panels sharing a category y axis: stacked, each full width, labels inside."""
    panel, title = 22 * rows + 36, 26
    height = panels * (panel + title) + 40
    changes: dict = {"height": height, "margin": {**NARROW_MARGIN, "l": 8, "t": 10, "b": 30}}
    for i in range(panels):
        suffix = str(i + 1) if i else ""
        top = 1 - i * (panel + title) / (height - 40)
        bottom = top - panel / (height - 40)
        changes.update({f"xaxis{suffix}.domain": [0, 1], f"yaxis{suffix}.domain": [max(bottom, 0), top - title / (height - 40)],
                        f"yaxis{suffix}.showticklabels": True, f"yaxis{suffix}.ticklabelposition": "inside",
                        f"yaxis{suffix}.tickfont.size": 9, f"annotations[{i}].x": 0.5, f"annotations[{i}].y": top - 4 / (height - 40),
                        f"annotations[{i}].yanchor": "top"})
    return changes


def _code_ticks(axis: str, labels: list[str], codes: list[str]) -> dict:
    """Phone layout of a category axis of country names: their ISO3 codes instead."""
    return {f"{axis}.tickmode": "array", f"{axis}.tickvals": labels, f"{axis}.ticktext": codes, f"{axis}.tickfont.size": 9}


def stance_data(results: RunResults) -> pd.DataFrame:
    """What the stance heat map draws: mean stance at the horizon per scenario, member and issue, and whether it blocks."""
    rows = []
    for r in results.members.to_dict("records"):
        blocked = set(str(r["blocks"]).split(";")) if isinstance(r["blocks"], str) else set()
        rows += [{"scenario": r["scenario"], "member": r["member"], "issue": k, "stance": r[f"stance_{k}"], "blocks": k in blocked}
                 for k in ISSUES]
    return pd.DataFrame(rows)


def stance_heatmap(results: RunResults) -> go.Figure:
    """Each member's mean stance on each issue at the horizon; ✕ marks an issue it blocks in most runs."""
    order = _member_order(results)
    names = results.country_names
    labels = [wrapped(issue_label(k), 14) for k in ISSUES]
    data = stance_data(results)
    choices = Choices("Scenario")
    fig = go.Figure()
    for scenario in results.scenarios:
        part = data[data["scenario"] == scenario]
        z = part.pivot(index="member", columns="issue", values="stance").reindex(index=order, columns=list(ISSUES)).to_numpy(dtype=float)
        blocks = part.pivot(index="member", columns="issue", values="blocks").reindex(index=order, columns=list(ISSUES)).to_numpy()
        text = [[f"{v:.2f}{' ✕' if b else ''}" for v, b in zip(row, brow)] for row, brow in zip(z, blocks)]
        choices.start(fig, scenario)
        fig.add_heatmap(
            z=z, x=labels, y=[names[m] for m in order], text=text, texttemplate="%{text}", textfont={"size": 10},
            coloraxis="coloraxis", xgap=1, ygap=1,
            customdata=[[issue_label(k) for k in ISSUES]] * len(order),
            hovertemplate=f"<b>%{{y}}</b>, {scenario}<br>%{{customdata}}: stance %{{z:.3f}}<extra></extra>",
            meta={"scenario": scenario, "role": "stance", "members": order},
        )
    fig.update_yaxes(autorange="reversed", showgrid=False)
    fig.update_xaxes(side="top", showgrid=False, ticks="")
    attach_data(fig, data)
    narrow(fig, **_code_ticks("yaxis", [names[m] for m in order], order), **{"xaxis.tickfont.size": 8},
           margin={**NARROW_MARGIN, "t": 90, "b": 70})
    return styled(choices.finish(fig), 900, margin={"l": 130, "r": 30, "t": 90, "b": 70},
                  coloraxis={"colorscale": STANCE_SCALE, "cmin": 0, "cmax": 1,
                             "colorbar": colourbar("stance (1 = the U.S.-UK line)", tickvals=[0, 0.25, 0.5, 0.75, 1])})


def _ranked_ticks(axis: str, codes: list[str], names: dict[str, str]) -> dict:
    """Layout changes that label the positions 0..n-1 of ``axis`` with the countries of ``codes``."""
    return {f"{axis}.tickvals": list(range(len(codes))), f"{axis}.ticktext": [names[c] for c in codes]}


def ranking_data(results: RunResults) -> pd.DataFrame:
    """What the alignment ranking draws."""
    columns = ["scenario", "member", "country", "alignment", "alignment_p05", "alignment_p95", "alignment_rank", "alignment_week0"]
    return results.members[columns].sort_values(["scenario", "alignment_rank"], kind="stable")


def alignment_ranking(results: RunResults) -> go.Figure:
    """Members ranked by alignment with the U.S.-UK proposal at the horizon, with 90% intervals; week 0 for reference."""
    names = results.country_names
    colours = member_colours(list(results.members["member"]))
    data = ranking_data(results)
    choices = Choices("Scenario")
    fig = go.Figure()
    narrow_views = {}
    for scenario in results.scenarios:
        part = data[data["scenario"] == scenario].sort_values("alignment", ascending=False, kind="stable")
        codes = list(part["member"])
        y = list(range(len(codes)))
        choices.start(fig, scenario, _ranked_ticks("yaxis", codes, names))
        narrow_views[scenario] = _ranked_ticks("yaxis", codes, {c: c for c in codes})
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
    fig.update_xaxes(title_text="Alignment with the U.S.-UK line (1 = identical stances)")
    attach_data(fig, data)
    narrow(fig, legend=True, **{"yaxis.tickfont.size": 9})
    set_meta(fig, narrow_views=narrow_views)
    return styled(choices.finish(fig), 780, legend={"orientation": "h", "x": 1.0, "xanchor": "right", "y": 1.0, "yanchor": "bottom"},
                  margin={"l": 130, "r": 30, "t": 40, "b": 55})


def member_parts(results: RunResults, scenario: str) -> tuple[pd.DataFrame, pd.Series]:
    """A scenario's stance parts per member, averaged over issues (members.csv ``attr_*``), and the mean stance.

    Rows are member codes from the highest mean stance to the lowest.
    """
    members = results.members[results.members["scenario"] == scenario].set_index("member")
    stance = members[[f"stance_{k}" for k in ISSUES]].mean(axis=1).sort_values(ascending=False, kind="stable")
    parts = members.loc[stance.index, [f"attr_{c}" for c in COMPONENTS]].set_axis(list(COMPONENTS), axis=1)
    return parts, stance


#: The attribution chart's two views; the first is shown first.
ATTRIBUTION_VIEWS = {"relative": "Relative to the alliance average", "parts": "Parts of the stance"}


def attribution_data(results: RunResults) -> pd.DataFrame:
    """What the attribution chart draws: each part per scenario and member, its alliance average and the difference."""
    frames = []
    for scenario in results.scenarios:
        parts, stance = member_parts(results, scenario)
        long = parts.rename_axis("member").reset_index().melt(id_vars="member", var_name="component", value_name="part")
        long["alliance_average"] = long["component"].map(parts.mean())
        long["relative"] = long["part"] - long["alliance_average"]
        long.insert(0, "scenario", scenario)
        frames.append(long)
    return pd.concat(frames, ignore_index=True)


def attribution_chart(results: RunResults) -> go.Figure:
    """Why each member stands where it does: its stance (mean over issues) split into additive parts.

    Shown first relative to the alliance average (each part minus its mean
    over members, so the bars add up to how far the member sits from the
    average member); the other view shows the parts themselves, adding up to
    the stance (the diamond). The page's buttons switch views (``mode``).
    """
    names = results.country_names
    data = attribution_data(results)
    fig = go.Figure()
    choices = Choices("Scenario")
    narrow_views = {}
    for scenario in results.scenarios:
        parts, stance = member_parts(results, scenario)
        codes = list(parts.index)
        y = list(range(len(codes)))
        choices.start(fig, scenario, _ranked_ticks("yaxis", codes, names))
        narrow_views[scenario] = _ranked_ticks("yaxis", codes, {c: c for c in codes})
        views = {"relative": (parts - parts.mean(), stance - stance.mean()), "parts": (parts, stance)}
        for view, (table, total) in views.items():
            for component in COMPONENTS:
                fig.add_bar(
                    x=table[component], y=y, orientation="h", name=component, legendgroup=component,
                    marker={"color": COMPONENT_COLOURS[component], "line": {"width": 0}},
                    showlegend=view == "relative" and scenario == results.scenarios[0],
                    customdata=np.column_stack([[names[c] for c in codes], parts[component], parts[component] - table[component]]),
                    hovertemplate=(f"<b>%{{customdata[0]}}</b>, {scenario}<br>{component}: %{{customdata[1]:+.3f}} "
                                   "(alliance average %{customdata[2]:+.3f})<extra></extra>"),
                    meta={"scenario": scenario, "role": "component", "component": component, "view": view, "members": codes,
                          "show": {"mode": view}},
                )
            label = "stance" if view == "parts" else "gap to the average stance"
            fig.add_scatter(
                x=total, y=y, mode="markers", name=label, showlegend=False,
                marker={"symbol": "diamond", "size": 8, "color": "white", "line": {"color": "black", "width": 1.5}},
                customdata=[names[c] for c in codes],
                hovertemplate=f"<b>%{{customdata}}</b>, {scenario}<br>{label} %{{x:+.3f}}<extra></extra>",
                meta={"scenario": scenario, "role": "stance", "view": view, "members": codes, "show": {"mode": view}},
            )
    fig.update_yaxes(autorange="reversed", showgrid=False, ticks="", tickfont={"size": 11})
    fig.update_xaxes(zeroline=True, zerolinecolor="#777", zerolinewidth=1, title_text="stance (mean over issues); ◇ = sum of the parts")
    attach_data(fig, data)
    narrow(fig, legend=True, **{"yaxis.tickfont.size": 9})
    set_meta(fig, narrow_views=narrow_views, toggles={"mode": ATTRIBUTION_VIEWS}, state={"mode": "relative"})
    return styled(choices.finish(fig), 820, barmode="relative", bargap=0.28,
                  legend={"orientation": "h", "x": 1.0, "xanchor": "right", "y": 1.0, "yanchor": "bottom"},
                  margin={"l": 130, "r": 20, "t": 40, "b": 50})


def attribution_by_issue_data(results: RunResults) -> pd.DataFrame:
    """What the issue-by-issue attribution draws: each part, its alliance average and the difference."""
    frame = results.attribution.copy()
    frame["alliance_average"] = frame.groupby(["scenario", "issue", "component"])["value"].transform("mean")
    frame["relative"] = frame["value"] - frame["alliance_average"]
    return frame[frame["scenario"].isin(results.scenarios)].rename(columns={"value": "part"})


def attribution_by_issue(results: RunResults) -> go.Figure:
    """Each part of each member's stance on each issue minus its alliance average (attribution.parquet).

    One heat map per issue (columns: the parts), members in the order of the
    stance heat map; the page's selector picks the scenario.
    """
    if results.attribution is None:
        return empty_figure("attribution.parquet is not in these results")
    order = _member_order(results)
    names = results.country_names
    data = attribution_by_issue_data(results)
    fig = make_subplots(rows=1, cols=len(ISSUES), shared_yaxes=True, horizontal_spacing=0.008,
                        subplot_titles=[wrapped(issue_label(k), 14) for k in ISSUES])
    choices = Choices("Scenario")
    limit = float(data["relative"].abs().max()) or 1.0
    for scenario in results.scenarios:
        choices.start(fig, scenario)
        for col, issue in enumerate(ISSUES, start=1):
            part = data[(data["scenario"] == scenario) & (data["issue"] == issue)]
            if part.empty:
                continue
            def wide(column: str) -> pd.DataFrame:
                return part.pivot(index="member", columns="component", values=column).reindex(index=order, columns=list(COMPONENTS))
            fig.add_heatmap(
                z=wide("relative").to_numpy(), x=list(COMPONENTS), y=[names.get(m, m) for m in order], coloraxis="coloraxis",
                xgap=1, ygap=1,  # hover gives the gap only: the parts themselves are in the CSV (a smaller page)
                hovertemplate=(f"<b>%{{y}}</b>, {scenario}<br>{issue_label(issue)}, %{{x}}: %{{z:+.3f}} "
                               "from the alliance average<extra></extra>"),
                meta={"scenario": scenario, "role": "gap", "issue": issue, "members": order}, row=1, col=col,
            )
    fig.update_yaxes(autorange="reversed", showgrid=False, ticks="", tickfont={"size": 11})
    fig.update_xaxes(showgrid=False, ticks="", tickangle=-90, tickfont={"size": 10})
    fig.update_annotations(font={"size": 12})
    attach_data(fig, data)
    narrow(fig, **_code_ticks("yaxis", [names.get(m, m) for m in order], order), margin={**NARROW_MARGIN, "t": 70, "b": 120})
    return styled(choices.finish(fig), 930, coloraxis={"colorscale": "RdBu", "cmin": -limit, "cmax": limit,
                                                      "colorbar": colourbar("part minus its alliance average")},
                  margin={"l": 130, "r": 20, "t": 80, "b": 130})


def blocker_data(results: RunResults) -> pd.DataFrame:
    """What the blocker matrix draws: per scenario, member and issue, the share of runs blocking at the horizon and the
    first week in which at least half of the runs block (empty when never), for the members that block some issue in at
    least ``BLOCKER_CHART_MIN_SHARE`` of the runs at the horizon of some scenario."""
    frame = results.member_timeseries[results.member_timeseries["scenario"].isin(results.scenarios)]
    horizon = frame[frame["week"] == frame.groupby("scenario")["week"].transform("max")]
    share = horizon.set_index(["scenario", "member", "issue"])["block_share"].rename("share_at_horizon")
    majority = frame[frame["block_share"] >= BLOCKER_MAJORITY]
    first = majority.groupby(["scenario", "member", "issue"])["week"].min().rename("first_majority_week")
    table = pd.concat([share, first], axis=1).reset_index()
    table = table[table.groupby("member")["share_at_horizon"].transform("max") >= BLOCKER_CHART_MIN_SHARE]
    table["first_majority_week"] = table["first_majority_week"].astype("Int64")
    return table


def blocker_matrix(results: RunResults) -> go.Figure:
    """Who would veto what: member x issue, the share of runs blocking at the horizon, and the first week most runs block.

    Rows are the members that block some issue in at least
    ``BLOCKER_CHART_MIN_SHARE`` of the runs at the horizon of some scenario,
    the members that block most first. A cell reads "64% wk 3": 64% of runs
    block at the horizon, and most runs have blocked since week 3.
    """
    if results.member_timeseries is None:
        return empty_figure("member_timeseries.parquet is not in these results")
    data = blocker_data(results)
    if data.empty:
        return attach_data(empty_figure("No member blocks any issue in any scenario"), data)
    names = results.country_names
    total = data.groupby("member")["share_at_horizon"].sum().sort_values(ascending=False, kind="stable")
    order = list(total.index)
    labels = [wrapped(issue_label(k), 14) for k in ISSUES]
    choices = Choices("Scenario")
    fig = go.Figure()
    for scenario in results.scenarios:
        part = data[data["scenario"] == scenario]
        z = part.pivot(index="member", columns="issue", values="share_at_horizon").reindex(index=order, columns=list(ISSUES)).fillna(0.0)
        first = part.pivot(index="member", columns="issue", values="first_majority_week").reindex(index=order, columns=list(ISSUES))
        text = [[(f"{v:.0%}" + (f"<br>wk {int(w)}" if pd.notna(w) else "")) if v > 0 else ""
                 for v, w in zip(zrow, wrow)] for zrow, wrow in zip(z.to_numpy(), first.to_numpy(dtype=object))]
        choices.start(fig, scenario)
        fig.add_heatmap(
            z=z.to_numpy(), x=labels, y=[names.get(m, m) for m in order], zmin=0, zmax=1, coloraxis="coloraxis", xgap=1, ygap=1,
            text=text, texttemplate="%{text}", textfont={"size": 10},
            hovertemplate=f"<b>%{{y}}</b>, {scenario}<br>%{{x}}: blocks in %{{z:.0%}} of runs at the horizon<extra></extra>",
            meta={"scenario": scenario, "role": "block_share", "members": order, "issues": list(ISSUES)},
        )
    fig.update_yaxes(autorange="reversed", showgrid=False, ticks="", tickfont={"size": 11})
    fig.update_xaxes(side="top", showgrid=False, ticks="")
    attach_data(fig, data)
    narrow(fig, **_code_ticks("yaxis", [names.get(m, m) for m in order], order), **{"xaxis.tickfont.size": 8},
           margin={**NARROW_MARGIN, "t": 80, "b": 70})
    return styled(choices.finish(fig), 140 + 30 * len(order), margin={"l": 130, "r": 30, "t": 80, "b": 70},
                  coloraxis={"colorscale": BLOCK_SCALE, "cmin": 0, "cmax": 1,
                             "colorbar": colourbar("share of runs blocking at the horizon", tickformat=".0%")})
