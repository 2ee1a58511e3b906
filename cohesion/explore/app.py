"""The explorer's web page (Dash): controls on the left, the report's figures on the right.

A thin layer: every number comes from :mod:`cohesion.explore.session` (library
calls), every figure from the report's builders (:mod:`cohesion.report`),
shown for the analyst's version of the scenario with the page's own view rule
(:func:`cohesion.report.layout.show`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cohesion.constants import COMPONENTS
from cohesion.errors import InputError
from cohesion.explore.session import SLIDER_PARAMS, Settings, run_settings, save_settings
from cohesion.params import SPECS_BY_NAME
from cohesion.report import figures
from cohesion.report.layout import show
from cohesion.report.member_map import member_map
from cohesion.report.scores import headline
from cohesion.scenarios import load_scenario, shipped_scenarios

#: Members and per-member parameters offered in the per-member control.
MEMBER_PARAMS = tuple(spec.name for spec in SLIDER_PARAMS if spec.per_member)
SLIDER_STEPS = 100


def _slider_step(low: float, high: float) -> float:
    return float(f"{(high - low) / SLIDER_STEPS:.2g}")


def _events_controls(scenario: str) -> list:
    """A magnitude and a week slider for each of the scenario's events."""
    from dash import dcc, html

    spec, _ = load_scenario(scenario)
    rows = []
    for i, event in enumerate(spec.events):
        span = max(1.0, abs(event.magnitude) * 2)
        rows.append(html.Div([
            html.Div(f"{event.note or event.type} ({event.type}, {event.target if isinstance(event.target, str) else ', '.join(event.target)})",
                     className="label"),
            html.Div("magnitude", className="sub"),
            dcc.Slider(id={"type": "event-magnitude", "index": i}, min=-span, max=span, step=span / 50, value=event.magnitude,
                       marks=None, tooltip={"always_visible": False, "placement": "bottom"}, updatemode="mouseup"),
            html.Div("week", className="sub"),
            dcc.Slider(id={"type": "event-week", "index": i}, min=1, max=spec.weeks, step=1, value=event.week, marks=None,
                       tooltip={"always_visible": False, "placement": "bottom"}, updatemode="mouseup"),
        ], className="event"))
    return rows or [html.P("This scenario has no events.", className="muted")]


def build_app(scenario: str = "baseline", runs: int = 100, seed: int = 20220127, save_dir: Path = Path(".")):  # type: ignore[no-untyped-def]
    """The Dash app, with ``scenario`` loaded first."""
    from dash import ALL, Dash, Input, Output, State, dcc, html, no_update

    load_scenario(scenario)  # a bad scenario is an error before the server starts
    app = Dash(__name__, title="cohesion explorer", update_title=None)
    options = [{"label": name, "value": name} for name in shipped_scenarios()]
    if scenario not in shipped_scenarios():
        options.append({"label": scenario, "value": scenario})
    params = [
        html.Div([
            html.Div(f"{spec.name.replace('_', ' ')}", className="label", title=spec.meaning),
            dcc.Slider(id={"type": "param", "name": spec.name}, min=spec.low, max=spec.high, step=_slider_step(spec.low, spec.high),
                       value=spec.default, marks={spec.default: "default"}, updatemode="mouseup",
                       tooltip={"always_visible": True, "placement": "bottom"}),
        ], className="param")
        for spec in SLIDER_PARAMS
    ]
    member_control = html.Div([
        html.Div("one member (optional)", className="label"),
        dcc.Dropdown(id="member", options=_member_codes(), placeholder="member", clearable=True),
        dcc.Dropdown(id="member-param", options=list(MEMBER_PARAMS), value=MEMBER_PARAMS[0], clearable=False),
        dcc.Slider(id="member-value", min=0, max=3, step=0.03, value=None, marks=None, updatemode="mouseup",
                   tooltip={"always_visible": True, "placement": "bottom"}),
    ], className="param")
    app.layout = html.Div([
        html.Div([
            html.H1("cohesion explorer"),
            html.Div("scenario", className="label"),
            dcc.Dropdown(id="scenario", options=options, value=scenario, clearable=False),
            dcc.Input(id="scenario-file", type="text", placeholder="or a scenario file path, then Enter", debounce=True,
                      style={"width": "100%"}),
            html.H2("Decision parameters"), *params, member_control,
            html.H2("Events"), html.Div(id="events", children=_events_controls(scenario)),
            html.H2("Keep"),
            dcc.Input(id="save-path", type="text", value=str(save_dir / "explore-params.yaml"), style={"width": "100%"}),
            html.Button("Save settings (YAML)", id="save", n_clicks=0),
            dcc.Input(id="export-path", type="text", value=str(save_dir / "results" / "explore"), style={"width": "100%"}),
            html.Button("Export results folder", id="export", n_clicks=0),
            html.Div(id="saved", className="note"),
        ], className="controls"),
        html.Div([
            html.Div(id="headline", className="headline"),
            html.Div(id="error", className="error"),
            dcc.Loading(dcc.Graph(id="timeline", config={"displaylogo": False}), type="dot", delay_show=400),
            html.Div([dcc.Graph(id="ranking", config={"displaylogo": False}),
                      dcc.Graph(id="blockers", config={"displaylogo": False})], className="pair"),
            html.Div([dcc.Graph(id="map", config={"displaylogo": False}),
                      html.Div([html.Div("why does this member stand where it does?", className="label"),
                                dcc.Dropdown(id="why-member", options=_member_codes(), value="DEU", clearable=False),
                                html.Div(id="why")])], className="pair"),
        ], className="figures"),
        dcc.Store(id="settings"),
    ], className="page")
    app.index_string = app.index_string.replace("</head>", f"<style>{CSS}</style></head>")
    @app.callback(Output("events", "children"), Output("scenario", "options"), Output("scenario", "value"),
                  Input("scenario", "value"), Input("scenario-file", "value"), State("scenario", "options"),
                  prevent_initial_call=True)
    def pick_scenario(name: str, path: str | None, current: list) -> tuple:  # type: ignore[no-untyped-def]
        from dash import ctx

        chosen = path if ctx.triggered_id == "scenario-file" and path else name
        try:
            load_scenario(chosen)
        except InputError:
            return no_update, no_update, no_update
        if chosen not in [o["value"] for o in current]:
            current = [*current, {"label": Path(chosen).name, "value": chosen}]
        return _events_controls(chosen), current, chosen

    @app.callback(
        Output("headline", "children"), Output("error", "children"), Output("timeline", "figure"), Output("ranking", "figure"),
        Output("blockers", "figure"), Output("map", "figure"), Output("why", "children"), Output("settings", "data"),
        Input("scenario", "value"), Input({"type": "param", "name": ALL}, "value"), Input("member", "value"),
        Input("member-param", "value"), Input("member-value", "value"),
        Input({"type": "event-magnitude", "index": ALL}, "value"), Input({"type": "event-week", "index": ALL}, "value"),
        Input("why-member", "value"),
    )
    def update(name, values, member, member_param, member_value, magnitudes, weeks, why_member):  # type: ignore[no-untyped-def]
        settings = _settings(name, values, member, member_param, member_value, magnitudes, weeks, runs, seed)
        try:
            session = run_settings(settings)
        except InputError as exc:
            return no_update, f"error: {exc}", no_update, no_update, no_update, no_update, no_update, no_update
        results = session.results()
        label = session.label
        shown = [show(build(results), scenario=label) for build in
                 (figures.score_timeline, figures.alignment_ranking, figures.blocker_matrix, member_map)]
        return (_headline(results, label), "", *shown, _why(results, label, why_member), _settings_data(settings))

    @app.callback(Output("member-value", "min"), Output("member-value", "max"), Output("member-value", "step"),
                  Output("member-value", "value"), Input("member-param", "value"), Input("member", "value"))
    def member_range(name: str, member: str | None) -> tuple:  # type: ignore[no-untyped-def]
        spec = SPECS_BY_NAME[name]
        return spec.low, spec.high, _slider_step(spec.low, spec.high), None

    @app.callback(Output("saved", "children"), Input("save", "n_clicks"), Input("export", "n_clicks"),
                  State("save-path", "value"), State("export-path", "value"), State("settings", "data"), prevent_initial_call=True)
    def keep(_save: int, _export: int, save_path: str, export_path: str, shown: dict | None) -> str:
        from dash import ctx

        if not shown:
            return "nothing to save yet"
        # The settings of the figures on screen (kept by the page), not of whichever update finished last on the server.
        settings = _settings_from_data(shown)
        try:
            session = run_settings(settings)
            if ctx.triggered_id == "save":
                written = save_settings(session.settings, Path(save_path), overwrite=True)
                how = f"cohesion run {written[1] if len(written) > 1 else session.settings.scenario} --params {written[0]}"
                return f"saved {', '.join(str(p) for p in written)}; reproduce with: {how} --runs {runs} --seed {seed}"
            return f"results written to {session.export(Path(export_path))}"
        except (InputError, OSError) as exc:
            return f"error: {exc}"

    return app


def _member_codes() -> list[str]:
    from cohesion.inputs import load_members

    return sorted(load_members().codes)


def _settings(name, values, member, member_param, member_value, magnitudes, weeks, runs, seed) -> Settings:  # type: ignore[no-untyped-def]
    """The controls' values as settings (only values away from their defaults, so saved files stay short)."""
    changed = tuple((spec.name, float(v)) for spec, v in zip(SLIDER_PARAMS, values) if v is not None and abs(v - spec.default) > 1e-12)
    members = ((member, member_param, float(member_value)),) if member and member_param and member_value is not None else ()
    spec, _ = load_scenario(name)
    events = None
    if magnitudes and weeks and len(magnitudes) == len(spec.events):
        pairs = tuple((int(w), float(m)) for w, m in zip(weeks, magnitudes))
        if pairs != tuple((e.week, e.magnitude) for e in spec.events):
            events = pairs
    return Settings(name, changed, members, events, runs, seed)


def _settings_data(settings: Settings) -> dict[str, Any]:
    """Settings as JSON for the page's store (what the figures on screen were drawn from)."""
    return {"scenario": settings.scenario, "params": settings.params, "member_params": settings.member_params,
            "events": settings.events, "runs": settings.runs, "seed": settings.seed}


def _settings_from_data(data: dict[str, Any]) -> Settings:
    """The inverse of :func:`_settings_data`."""
    events = None if data["events"] is None else tuple((int(w), float(m)) for w, m in data["events"])
    return Settings(data["scenario"], tuple((str(k), float(v)) for k, v in data["params"]),
                    tuple((str(c), str(k), float(v)) for c, k, v in data["member_params"]), events, int(data["runs"]), int(data["seed"]))


def _headline(results, label: str) -> list:  # type: ignore[no-untyped-def]
    """The headline scores of the analyst's version beside the shipped scenario (ids for tests)."""
    from dash import html

    summary = results.summary.set_index("scenario")
    reference = results.reference
    items = []
    for score in headline(results.scores):
        yours, base = summary.loc[label], summary.loc[reference]
        items.append(html.Div([
            html.Span(f"{score.label} at week {int(yours['weeks'])}: "),
            html.B(f"{yours[score.mean]:{score.fmt}}", id=f"value-{score.metric}"),
            html.Span(f" (90%: {yours[score.low]:{score.fmt}}–{yours[score.high]:{score.fmt}}); as shipped "
                      f"{base[score.mean]:{score.fmt}}, change {yours[score.mean] - base[score.mean]:+{score.fmt}}"),
        ]))
    items.append(html.Div(f"blocking in most runs: {str(summary.loc[label, 'blocking_members']).replace(';', ' ') or 'none'}"))
    return items


def _why(results, label: str, member: str):  # type: ignore[no-untyped-def]
    """A member's stance split into its parts, beside the alliance average (the report's attribution table)."""
    from dash import html

    data = figures.attribution_data(results)
    rows = data[(data["scenario"] == label) & (data["member"] == member)].set_index("component").reindex(list(COMPONENTS))
    head = html.Tr([html.Th(h) for h in ("part", "value", "alliance average", "difference")])
    body = [html.Tr([html.Td(c), html.Td(f"{r.part:+.3f}"), html.Td(f"{r.alliance_average:+.3f}"), html.Td(f"{r.relative:+.3f}")])
            for c, r in rows.iterrows()]
    return html.Table([html.Thead(head), html.Tbody(body)], id="why-table")


CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1f2328; }
.page { display: flex; flex-wrap: wrap; }
.controls { flex: 0 0 320px; padding: 12px 16px; background: #f5f6f8; border-right: 1px solid #e3e6ea; max-height: 100vh; overflow-y: auto;
            box-sizing: border-box; }
.controls h1 { font-size: 20px; margin: 0 0 10px; } .controls h2 { font-size: 15px; margin: 16px 0 4px; }
.figures { flex: 1 1 600px; min-width: 0; padding: 8px 16px; }
.label { font-size: 13px; font-weight: 600; margin-top: 6px; } .sub { font-size: 11px; color: #666; }
.param { margin-bottom: 22px; }
.event { border-top: 1px solid #e3e6ea; padding-top: 4px; }
.headline { font-size: 16px; padding: 8px 0; } .error { color: #b00020; } .note { font-size: 12px; color: #444; margin-top: 6px; }
.pair { display: flex; flex-wrap: wrap; } .pair > * { flex: 1 1 420px; min-width: 0; }
button { margin: 4px 0 8px; } table { border-collapse: collapse; font-size: 13px; } td, th { padding: 3px 8px; border-bottom: 1px solid #eee; }
"""

__all__ = ["build_app"]
