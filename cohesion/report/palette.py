"""Colours of the report: one place, so a scenario, member or component looks the same in every figure.

Scenarios and members get fixed colours by name, so two reports of different
scenario sets still agree; names the palette does not know take the next
free colour of a qualitative cycle in a stable order.
"""

from __future__ import annotations

import itertools

from plotly.colors import qualitative, sample_colorscale

#: The Okabe-Ito colour-blind-safe palette (Okabe & Ito 2008, "Color Universal Design"), by name.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
#: A ninth colour for nine scenarios: the navy that is farthest (CAM02-UCS, also under simulated
#: deuteranopia and protanopia) from all eight Okabe-Ito colours (tests/test_report_palette.py).
NAVY = "#002060"

#: The shipped scenarios: Okabe-Ito plus navy, so every pair stays apart for red-green colour blindness.
SCENARIO_COLOURS: dict[str, str] = {
    "baseline": OKABE_ITO["black"],
    "invasion": OKABE_ITO["vermillion"],
    "limited-incursion": OKABE_ITO["orange"],
    "gas-cutoff": OKABE_ITO["yellow"],
    "de-escalation": OKABE_ITO["bluish_green"],
    "intel-discredited": OKABE_ITO["reddish_purple"],
    "hybrid-campaign": OKABE_ITO["sky_blue"],
    "european-autonomy": OKABE_ITO["blue"],
    "sanctions-on-putin": NAVY,
}
#: Colours for other scenario names, in this order (repeating beyond nine scenarios).
_FALLBACK = list(SCENARIO_COLOURS.values())

#: Additive parts of a stance (cohesion.constants.COMPONENTS): Okabe-Ito without yellow (too light for bars), plus navy.
COMPONENT_COLOURS: dict[str, str] = {
    "baseline": OKABE_ITO["black"],
    "energy": OKABE_ITO["orange"],
    "threat": OKABE_ITO["vermillion"],
    "leadership": OKABE_ITO["blue"],
    "position": NAVY,
    "peers": OKABE_ITO["bluish_green"],
    "anchor": OKABE_ITO["reddish_purple"],
    "shocks": OKABE_ITO["sky_blue"],
}

#: 30 distinguishable colours, given to member codes in alphabetical order.
_MEMBER_CYCLE = qualitative.Dark24 + qualitative.Light24

#: Stance: 0 (against the U.S.-UK line) red, 0.5 neutral, 1 (the line) blue.
STANCE_SCALE = [[0.0, "#b2182b"], [0.25, "#ef8a62"], [0.5, "#f7f7f7"], [0.75, "#67a9cf"], [1.0, "#2166ac"]]
#: Alignment with the U.S.-UK line: sequential (one direction, more is more), colour-blind safe.
ALIGNMENT_SCALE = "Cividis"
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
    taken = {SCENARIO_COLOURS[n] for n in names if n in SCENARIO_COLOURS}
    free = [c for c in _FALLBACK if c not in taken] or _FALLBACK
    extra = (free[i % len(free)] for i in itertools.count())
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
