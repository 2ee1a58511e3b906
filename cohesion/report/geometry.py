"""Country outlines for the offline map: the shipped GeoJSON and its projection.

The map is drawn as filled scatter traces on plain axes, so it needs no map
tiles, no topojson from a CDN and no map library: the outlines travel inside
the report. ``assets/countries_110m.geojson`` is Natural Earth 1:110m
(``build_geometry`` regenerates it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

ASSET = Path(__file__).parent / "assets" / "countries_110m.geojson"


@dataclass(frozen=True)
class Panel:
    """One map panel: the area it shows and the centre of its projection."""

    title: str
    box: tuple[float, float, float, float]  # lon_min, lon_max, lat_min, lat_max
    centre: tuple[float, float]  # lon, lat

    def contains(self, lon: float, lat: float) -> bool:
        """Whether a point lies in the panel's box."""
        return self.box[0] <= lon <= self.box[1] and self.box[2] <= lat <= self.box[3]

    def overlaps(self, lon: np.ndarray, lat: np.ndarray) -> bool:
        """Whether the bounding box of a ring overlaps the panel's box."""
        return bool(lon.min() <= self.box[1] and lon.max() >= self.box[0] and lat.min() <= self.box[3] and lat.max() >= self.box[2])


#: Europe with Turkey, and North America (Hawaii, French Guiana and Svalbard fall outside both).
PANELS: dict[str, Panel] = {
    "north_america": Panel("North America", (-170.0, -50.0, 23.0, 84.0), (-100.0, 52.0)),
    "europe": Panel("Europe", (-30.0, 60.0, 28.0, 74.0), (12.0, 54.0)),
}


@dataclass(frozen=True)
class Country:
    """A country's outline: rings of (lon, lat) and where its label goes."""

    iso3: str
    name: str
    nato: bool
    rings: tuple[np.ndarray, ...]
    label: tuple[float, float]

    def panel(self) -> str:
        """The panel that holds the country's label point."""
        return next((key for key, p in PANELS.items() if p.contains(*self.label)), "europe")


@lru_cache(maxsize=1)
def load_countries() -> tuple[Country, ...]:
    """The countries in the shipped GeoJSON, sorted by ISO3 code."""
    collection = json.loads(ASSET.read_text(encoding="utf-8"))
    countries = []
    for feature in collection["features"]:
        props = feature["properties"]
        rings = tuple(np.asarray(polygon[0], dtype=float) for polygon in feature["geometry"]["coordinates"])
        countries.append(Country(props["iso3"], props["name"], bool(props["nato"]), rings, (props["label_lon"], props["label_lat"])))
    return tuple(countries)


def project(lon: np.ndarray, lat: np.ndarray, centre: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """Lambert azimuthal equal-area projection around ``centre`` (unit sphere)."""
    lam, phi = np.radians(lon), np.radians(lat)
    lam0, phi0 = np.radians(centre[0]), np.radians(centre[1])
    k = np.sqrt(2.0 / (1.0 + np.sin(phi0) * np.sin(phi) + np.cos(phi0) * np.cos(phi) * np.cos(lam - lam0)))
    x = k * np.cos(phi) * np.sin(lam - lam0)
    y = k * (np.cos(phi0) * np.sin(phi) - np.sin(phi0) * np.cos(phi) * np.cos(lam - lam0))
    return x, y


def projected_path(rings: list[np.ndarray], centre: tuple[float, float]) -> tuple[list[float | None], list[float | None]]:
    """Projected rings joined into one path with ``None`` gaps (one filled shape per ring)."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for ring in rings:
        x, y = project(ring[:, 0], ring[:, 1], centre)
        xs += [round(float(v), 5) for v in x] + [None]
        ys += [round(float(v), 5) for v in y] + [None]
    return xs[:-1], ys[:-1]
