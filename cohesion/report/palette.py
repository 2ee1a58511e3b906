"""Colours of the report: one place, so a scenario, member or component looks the same in every figure.

Scenarios and members get fixed colours by name, so two reports of different
scenario sets still agree; names the palette does not know take the next
free colour of a qualitative cycle in a stable order.
"""

from __future__ import annotations

from plotly.colors import qualitative, sample_colorscale

#: The shipped scenarios; the baseline is dark grey, the others distinct hues (ColorBrewer Dark2 and friends).
SCENARIO_COLOURS: dict[str, str] = {
    "baseline": "#3d3d3d",
    "de-escalation": "#1b9e77",
    "european-autonomy": "#7570b3",
    "gas-cutoff": "#d95f02",
    "hybrid-campaign": "#e7298a",
    "intel-discredited": "#a6761d",
    "invasion": "#c0392b",
    "limited-incursion": "#d4a106",
    "sanctions-on-putin": "#1f78b4",
}
_FALLBACK = qualitative.D3 + qualitative.Set2

#: Additive parts of a stance (cohesion.constants.COMPONENTS).
COMPONENT_COLOURS: dict[str, str] = {
    "baseline": "#b0b0b0",
    "energy": "#f28e2b",
    "threat": "#e15759",
    "leadership": "#4e79a7",
    "peers": "#59a14f",
    "anchor": "#b07aa1",
    "shocks": "#9c755f",
}

#: 30 distinguishable colours, given to member codes in alphabetical order.
_MEMBER_CYCLE = qualitative.Dark24 + qualitative.Light24

#: Stance: 0 (against the U.S.-UK line) red, 0.5 neutral, 1 (the line) blue.
STANCE_SCALE = [[0.0, "#b2182b"], [0.25, "#ef8a62"], [0.5, "#f7f7f7"], [0.75, "#67a9cf"], [1.0, "#2166ac"]]
#: Alignment with the U.S.-UK line: low red through yellow to high blue.
ALIGNMENT_SCALE = "RdYlBu"
#: Share of runs in which a member blocks: white (never) to dark red (always).
BLOCK_SCALE = [[0.0, "#ffffff"], [0.05, "#fde0d2"], [0.5, "#ef6548"], [1.0, "#7f0000"]]
#: Consensus score on sweep surfaces.
COHESION_SCALE = "Viridis"

NON_MEMBER_FILL = "#e4e4e4"
NON_MEMBER_LINE = "#ffffff"
SEA = "#eef4f8"
INTERVAL_OPACITY = 0.14


def scenario_colours(names: list[str]) -> dict[str, str]:
    """A colour for each scenario: fixed for shipped names, a stable cycle for the rest."""
    extra = iter(c for c in _FALLBACK if c not in SCENARIO_COLOURS.values())
    return {name: SCENARIO_COLOURS[name] if name in SCENARIO_COLOURS else next(extra) for name in names}


def member_colours(codes: list[str]) -> dict[str, str]:
    """A colour for each member code, by alphabetical order of the codes."""
    return {code: _MEMBER_CYCLE[i % len(_MEMBER_CYCLE)] for i, code in enumerate(sorted(set(codes)))}


def with_alpha(colour: str, alpha: float) -> str:
    """``#rrggbb`` or ``rgb(r, g, b)`` as an ``rgba`` string."""
    if colour.startswith("#"):
        r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    else:
        r, g, b = (int(float(v)) for v in colour[colour.index("(") + 1 : colour.index(")")].split(",")[:3])
    return f"rgba({r}, {g}, {b}, {alpha})"


def scale_colours(values: list[float], low: float, high: float, scale: str | list = ALIGNMENT_SCALE) -> list[str]:
    """The colours of ``values`` on ``scale`` stretched over ``[low, high]``."""
    span = high - low
    t = [0.5 if span <= 0 else min(max((v - low) / span, 0.0), 1.0) for v in values]
    return sample_colorscale(scale, t)
