"""What every report figure shares: the look, the scenario dropdown, week dates and labels."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

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


@dataclass
class Choices:
    """Groups of traces of which one is shown at a time, picked from a dropdown.

    Call :meth:`start` before adding each option's traces; traces added before
    the first option stay visible under every option.
    """

    label: str
    #: Pixels between the top of the plot area and the dropdown (more when titles sit there).
    lift: int = 28
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
