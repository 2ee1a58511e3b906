"""What every report figure shares: the look, views picked by the page, week dates and labels.

A run report has one scenario selector for the whole page. Figures do not
carry their own scenario dropdowns; instead each trace that belongs to one
view says so in ``meta["show"]`` (e.g. ``{"scenario": "invasion", "mode":
"relative"}``) and the layout's ``meta`` holds what the page script needs:

- ``views``: per scenario, layout changes (e.g. the ranking's tick labels);
- ``toggles`` and ``toggle_views``: a figure's own view buttons (e.g. ``mode``:
  values or change from the reference) and the layout changes of each choice;
- ``narrow`` (and ``narrow_views``): layout changes for screens narrower than
  :data:`NARROW_WIDTH` pixels, so the plot area keeps its width on a phone;
- ``data``: exactly the table the figure draws, for its "download data (CSV)" link.

:func:`show` applies the same visibility rule in Python (tests, the explorer).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from cohesion.constants import ISSUE_LABELS
from cohesion.inputs import ARTICLE_DATE

#: Week 0 of every run is the day of the article.
START = date.fromisoformat(ARTICLE_DATE)
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"


def week_iso(week: int) -> str:
    """The calendar date of a model week as ``YYYY-MM-DD`` (the time axes' values)."""
    return (START + timedelta(weeks=int(week))).isoformat()


def week_date(week: int) -> str:
    """The calendar date of a model week, e.g. ``24 Feb 2022`` for week 4."""
    return (START + timedelta(weeks=int(week))).strftime("%d %b %Y").lstrip("0")


def issue_label(issue: str) -> str:
    """The readable name of an issue (the code itself when unknown)."""
    return ISSUE_LABELS.get(issue, issue.replace("_", " "))


def wrapped(label: str, width: int = 16) -> str:
    """A label broken into lines of about ``width`` characters with ``<br>``."""
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def parameter_label(name: str) -> str:
    """``DEU.energy_weight`` as ``energy weight (DEU)``."""
    member, _, param = name.rpartition(".")
    label = param.replace("_", " ")
    return f"{label} ({member})" if member else label


#: Axis look, applied where a figure has not chosen otherwise.
AXIS_DEFAULTS = {"showgrid": True, "gridcolor": "#ececec", "zeroline": False, "linecolor": "#999", "ticks": "outside"}


def styled(fig: go.Figure, height: int, **layout: Any) -> go.Figure:
    """Apply the report's look (system fonts, white ground, light grid) without undoing a figure's own axis choices."""
    defaults: dict[str, Any] = {
        "height": height,
        "autosize": True,
        "font": {"family": FONT, "size": 13, "color": "#222"},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "margin": {"l": 70, "r": 30, "t": 60, "b": 55},
        "hoverlabel": {"font": {"family": FONT, "size": 12}},
        "legend": {"bgcolor": "rgba(255,255,255,0.85)"},
    }
    fig.update_layout({**defaults, **layout})
    def defaults(axis: Any) -> None:
        axis.update({k: v for k, v in AXIS_DEFAULTS.items() if axis[k] is None})

    fig.for_each_xaxis(defaults)
    fig.for_each_yaxis(defaults)
    return fig


#: Below this page width (CSS pixels) figures switch to their ``narrow`` layout.
NARROW_WIDTH = 700
#: Margins of every figure on a narrow screen: the plot area keeps at least 300 px of a 390 px phone.
NARROW_MARGIN = {"l": 40, "r": 8, "t": 40, "b": 40}


def meta(fig: go.Figure) -> dict[str, Any]:
    """The figure's layout ``meta`` as a dict (created when missing)."""
    if not isinstance(fig.layout.meta, dict):
        fig.layout.meta = {}
    return fig.layout.meta


def set_meta(fig: go.Figure, **entries: Any) -> go.Figure:
    """Merge ``entries`` into the layout's ``meta``."""
    fig.layout.meta = {**meta(fig), **entries}
    return fig


#: Significant digits of the numbers in an attached table (more than any figure shows).
DATA_DIGITS = 8


def attach_data(fig: go.Figure, data: pd.DataFrame, by_scenario: bool = True) -> go.Figure:
    """Attach the table the figure draws (its CSV download); ``by_scenario``: the page offers the selected scenario's rows.

    Stored by column: numbers rounded to :data:`DATA_DIGITS` significant
    digits, text as its distinct values and one index per row (compact for
    long tables such as the issue-by-issue attribution).
    """
    frame = data.reset_index(drop=True)
    columns = []
    for name in frame.columns:
        values = frame[name]
        if pd.api.types.is_float_dtype(values):
            columns.append([None if pd.isna(v) else float(f"{v:.{DATA_DIGITS}g}") for v in values])
        elif pd.api.types.is_bool_dtype(values) or pd.api.types.is_integer_dtype(values):
            columns.append([None if pd.isna(v) else (bool(v) if pd.api.types.is_bool_dtype(values) else int(v)) for v in values])
        else:
            codes, levels = pd.factorize(values.astype(object).where(values.notna(), None), use_na_sentinel=True)
            columns.append({"levels": [str(v) for v in levels], "codes": codes.tolist()})
    return set_meta(fig, data={"columns": [str(c) for c in frame.columns], "values": columns, "rows": len(frame),
                               "filter": "scenario" if by_scenario and "scenario" in frame.columns else None})


def decode_column(column: list | dict) -> list:
    """One stored column as a list of values (text columns decoded from their distinct values)."""
    if isinstance(column, dict):
        return [None if code < 0 else column["levels"][code] for code in column["codes"]]
    return list(column)


def figure_data(fig: go.Figure) -> pd.DataFrame:
    """The table attached by :func:`attach_data`."""
    data = meta(fig)["data"]
    return pd.DataFrame({name: decode_column(column) for name, column in zip(data["columns"], data["values"])},
                        index=range(data["rows"]))


#: Colour bars sit under the plot (container coordinates): they take height, never the plot's width.
COLOURBAR_BELOW = {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0.5, "xanchor": "center",
                   "len": 0.8, "thickness": 10, "title": {"side": "top"}}


def colourbar(title: str, **extra: Any) -> dict[str, Any]:
    """A colour bar under the plot with ``title``."""
    return {**COLOURBAR_BELOW, **extra, "title": {"side": "top", "text": title}}


def narrow(fig: go.Figure, legend: bool = False, **layout: Any) -> go.Figure:
    """Declare the figure's phone layout: small margins, plus a horizontal legend below the plot."""
    changes: dict[str, Any] = {"margin": NARROW_MARGIN, **layout}
    if legend:
        changes.update({"legend.orientation": "h", "legend.x": 0, "legend.xanchor": "left", "legend.y": -0.08, "legend.yanchor": "top"})
    return set_meta(fig, narrow=changes)


def show(fig: go.Figure, **state: str) -> go.Figure:
    """Show the view ``state`` (e.g. ``scenario="invasion"``), as the page's controls do in the browser.

    The figure remembers its view in ``meta["state"]``; ``state`` updates it. A
    trace is visible when every entry of its ``meta["show"]`` matches the view
    (a key the view does not set matches anything). The scenario's layout
    changes (``meta["views"]``) are applied.
    """
    current = {**(meta(fig).get("state") or {}), **state}
    set_meta(fig, state=current)
    for trace in fig.data:
        wanted = trace.meta.get("show") if isinstance(trace.meta, dict) else None
        if wanted:
            trace.visible = all(current.get(k, v) == v for k, v in wanted.items())
    views = meta(fig).get("views") or {}
    changes = dict(views.get(current.get("scenario"), {}))
    for key, layouts in (meta(fig).get("toggle_views") or {}).items():
        changes.update(layouts.get(current.get(key), {}))
    for key, value in changes.items():
        fig.layout[key] = value  # replaces lists (shapes, annotations) whole, as Plotly.relayout does
    return fig


def visible(fig: go.Figure, **wanted: Any) -> list:
    """The visible traces whose ``meta`` holds every given key-value pair."""
    return [t for t in fig.data if t.visible is not False and isinstance(t.meta, dict)
            and all(t.meta.get(k) == v for k, v in wanted.items())]


@dataclass
class Choices:
    """Groups of traces of which one is shown at a time.

    Call :meth:`start` before adding each option's traces; traces added before
    the first option stay visible under every option. With ``key`` set (the
    default, ``"scenario"``), the page's selector picks the option (traces get
    ``meta["show"]``); with ``key=None`` the figure gets its own dropdown.
    """

    label: str
    #: Pixels between the top of the plot area and the dropdown (more when titles sit there).
    lift: int = 28
    key: str | None = "scenario"
    options: list[tuple[str, int, dict[str, Any]]] = field(default_factory=list)

    def start(self, fig: go.Figure, name: str, layout: dict[str, Any] | None = None) -> None:
        """Begin the option ``name`` (with its own layout changes): traces added from now on belong to it."""
        self.options.append((name, len(fig.data), layout or {}))

    def spans(self, fig: go.Figure) -> dict[str, range]:
        """The trace indices of each option."""
        bounds = [first for _, first, _ in self.options] + [len(fig.data)]
        return {name: range(bounds[i], bounds[i + 1]) for i, (name, _, _) in enumerate(self.options)}

    def finish(self, fig: go.Figure) -> go.Figure:
        """Show the first option and add the dropdown (when there is a choice)."""
        if not self.options:
            return fig
        spans = self.spans(fig)
        if self.key is not None:
            for name, span in spans.items():
                for i in span:
                    trace_meta = fig.data[i].meta if isinstance(fig.data[i].meta, dict) else {}
                    fig.data[i].meta = {**trace_meta, "show": {**trace_meta.get("show", {}), self.key: name}}
            set_meta(fig, views={name: layout for name, _, layout in self.options if layout})
            return show(fig, **{self.key: self.options[0][0]})
        shared = range(self.options[0][1])
        buttons = [
            {
                "label": name,
                "method": "update",
                "args": [{"visible": [i in spans[name] or i in shared for i in range(len(fig.data))]}, layout],
            }
            for name, _, layout in self.options
        ]
        for trace, shown in zip(fig.data, buttons[0]["args"][0]["visible"]):
            trace.visible = shown
        fig.update_layout(buttons[0]["args"][1])
        if len(buttons) > 1:
            add_dropdown(fig, self.label, buttons, self.lift)
        return fig


def add_dropdown(fig: go.Figure, label: str, buttons: list[dict[str, Any]], lift: int = 28) -> None:
    """A dropdown ``lift`` pixels above the plot's top-left corner, with its label to the left."""
    fig.update_layout(
        updatemenus=[
            {
                "buttons": buttons,
                "direction": "down",
                "x": 0.0,
                "xanchor": "left",
                "y": 1.0,
                "yanchor": "bottom",
                "pad": {"b": lift, "l": 0},
                "bgcolor": "white",
                "bordercolor": "#bbb",
                "font": {"size": 12},
                "showactive": True,
            }
        ],
    )
    fig.add_annotation(
        text=f"{label}:", x=0.0, y=1.0, xref="paper", yref="paper", xanchor="right", yanchor="bottom",
        yshift=lift + 6, xshift=-6, showarrow=False, font={"size": 12, "color": "#555"},
    )


def empty_figure(message: str, height: int = 160) -> go.Figure:
    """A figure that says why there is nothing to plot."""
    fig = go.Figure()
    fig.add_annotation(text=message, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False, font={"size": 14, "color": "#666"})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return styled(fig, height)
