"""Developer tool: regenerate the map geometry shipped in ``assets/``.

The report draws its map from ``assets/countries_110m.geojson`` so that it
works offline. That file is cut from Natural Earth's 1:110m admin-0 countries
(public domain), as shipped in the geopandas 0.14 wheel
(``geopandas/datasets/naturalearth_lowres``; geopandas 1.0 dropped it).
Reading the shapefile needs ``pyshp``, which the package itself does not use::

    pip download geopandas==0.14.4 pyshp --no-deps -d /tmp/ne
    unzip /tmp/ne/geopandas-0.14.4-py3-none-any.whl 'geopandas/datasets/*' -d /tmp/ne
    PYTHONPATH=/tmp/ne/pyshp-3.1.6-py3-none-any.whl python -m cohesion.report.build_geometry \
        /tmp/ne/geopandas/datasets/naturalearth_lowres/naturalearth_lowres.shp

Kept: every ring of a country that lies in one of the two map panels (Europe
and North America), coordinates rounded to 0.01 degree. NATO members are
flagged by ``iso3``; the others are drawn as grey context.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from cohesion.report.geometry import ASSET, PANELS

#: Natural Earth leaves iso_a3 empty (-99) for a few countries; geopandas' own fix-up uses ADM0_A3.
ISO3_FIXES = {"France": "FRA", "Norway": "NOR", "Kosovo": "XKX", "N. Cyprus": "CYN", "Somaliland": "SOL"}


def _ring_area(ring: list[tuple[float, float]]) -> float:
    """Signed shoelace area; negative for clockwise rings (shapefile outer rings)."""
    return 0.5 * sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]))


def _in_panel(ring: list[tuple[float, float]], member: bool) -> bool:
    """A member's ring counts where its mean point lies in a panel (drops Hawaii, French
    Guiana); a context country's ring wherever it reaches into a panel."""
    lon, lat = np.array(ring).T
    if member:
        return any(panel.contains(lon.mean(), lat.mean()) for panel in PANELS.values())
    return any(panel.overlaps(lon, lat) for panel in PANELS.values())


def _rounded(ring: list[tuple[float, float]]) -> list[list[float]]:
    out: list[list[float]] = []
    for x, y in ring:
        point = [round(x, 2), round(y, 2)]
        if not out or point != out[-1]:
            out.append(point)
    return out


def build(shapefile_path: Path, members: set[str]) -> dict:
    """The GeoJSON feature collection of the countries in the map panels."""
    import shapefile  # pyshp: only needed to regenerate the asset

    features = []
    for item in shapefile.Reader(str(shapefile_path)).iterShapeRecords():
        record = item.record.as_dict()
        iso3 = ISO3_FIXES.get(record["name"], record["iso_a3"])
        points, parts = item.shape.points, list(item.shape.parts) + [len(item.shape.points)]
        rings = [[tuple(p) for p in points[a:b]] for a, b in zip(parts, parts[1:])]
        # Outer rings only (holes do not occur among the countries drawn), inside a panel.
        rings = [r for r in rings if _ring_area(r) < 0 and _in_panel(r, iso3 in members)]
        if not rings:
            continue
        largest = max(rings, key=lambda r: -_ring_area(r))
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "iso3": iso3,
                    "name": record["name"],
                    "nato": iso3 in members,
                    "label_lon": round(sum(p[0] for p in largest) / len(largest), 2),
                    "label_lat": round(sum(p[1] for p in largest) / len(largest), 2),
                },
                "geometry": {"type": "MultiPolygon", "coordinates": [[_rounded(r)] for r in rings]},
            }
        )
    missing = members - {f["properties"]["iso3"] for f in features}
    if missing:
        raise SystemExit(f"members without geometry: {sorted(missing)}")
    return {
        "type": "FeatureCollection",
        "source": "Natural Earth 1:110m admin-0 countries (public domain), via geopandas 0.14 naturalearth_lowres",
        "features": sorted(features, key=lambda f: f["properties"]["iso3"]),
    }


def main(argv: list[str]) -> None:
    """Write the asset from the shapefile named on the command line."""
    from cohesion.inputs import load_members

    members = set(load_members().codes)
    collection = build(Path(argv[0]), members)
    ASSET.write_text(json.dumps(collection, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {ASSET} ({len(collection['features'])} countries)")


if __name__ == "__main__":
    main(sys.argv[1:])
