"""The report's colours stay apart for readers with red-green colour blindness.

Every pair of colours drawn together (all scenarios on the timeline, all parts
of a stance in the attribution chart) is simulated for full deuteranopia and
protanopia (Machado et al. 2009, via colorspacious) and must stay at least
``MIN_DISTANCE`` apart in CAM02-UCS (about the gap between two clearly
different named colours; Okabe-Ito's own closest pair is about 14).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from cohesion.constants import COMPONENTS
from cohesion.report.palette import COMPONENT_COLOURS, SCENARIO_COLOURS, scenario_colours

colorspacious = pytest.importorskip("colorspacious")

MIN_DISTANCE = 12.0
VISION = {
    "normal": None,
    "deuteranopia": {"name": "sRGB1+CVD", "cvd_type": "deuteranomaly", "severity": 100},
    "protanopia": {"name": "sRGB1+CVD", "cvd_type": "protanomaly", "severity": 100},
}


def seen(colour: str, vision: str) -> np.ndarray:
    """A ``#rrggbb`` colour as a reader with ``vision`` sees it, in CAM02-UCS."""
    rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255
    if VISION[vision] is not None:
        rgb = np.clip(colorspacious.cspace_convert(rgb, VISION[vision], "sRGB1"), 0, 1)
    return colorspacious.cspace_convert(rgb, "sRGB1", "CAM02-UCS")


def closest_pair(colours: dict[str, str], vision: str) -> tuple[float, str, str]:
    return min((float(np.linalg.norm(seen(a, vision) - seen(b, vision))), na, nb)
               for (na, a), (nb, b) in itertools.combinations(colours.items(), 2))


@pytest.mark.parametrize("vision", list(VISION))
def test_every_scenario_pair_stays_apart(vision):
    distance, a, b = closest_pair(SCENARIO_COLOURS, vision)
    assert distance >= MIN_DISTANCE, f"{a} and {b} are {distance:.1f} apart for {vision}"


@pytest.mark.parametrize("vision", list(VISION))
def test_every_attribution_part_pair_stays_apart(vision):
    assert set(COMPONENT_COLOURS) == set(COMPONENTS)
    distance, a, b = closest_pair(COMPONENT_COLOURS, vision)
    assert distance >= MIN_DISTANCE, f"{a} and {b} are {distance:.1f} apart for {vision}"


@pytest.mark.parametrize("vision", list(VISION))
def test_user_scenarios_take_free_safe_colours(vision):
    colours = scenario_colours(["baseline", "invasion", "my-scenario", "other"])
    assert len(set(colours.values())) == 4
    assert closest_pair(colours, vision)[0] >= MIN_DISTANCE


def test_the_old_palette_would_fail():
    """The check bites: the previous attribution colours merged threat, peers and shocks for deuteranopes."""
    old = {"threat": "#e15759", "peers": "#59a14f", "shocks": "#9c755f"}
    assert closest_pair(old, "deuteranopia")[0] < MIN_DISTANCE
