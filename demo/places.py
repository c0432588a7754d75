"""The demo county on the map: schematic township boundaries (not the real ones: a lattice of
quadrilaterals around 民权县's place, uploaded through the same service as the guidance center's
file) and places for the demo premises and brigade stations inside their townships.

Idempotent: boundaries are uploaded while no township of the county has one; a premises or a
brigade is placed only while it has no place, so what a user corrected stays corrected.
"""

import json
import random

from core import geo
from firebrigade import services as brigade_services
from firebrigade.models import Brigade
from townships import services as township_services
from townships.models import County, Premises, Township

# The lattice: 5 columns by 4 rows of about 9 × 11 km, west-south corner near 民权县.
WEST, SOUTH = 114.95, 34.45
COLUMNS, ROWS = 5, 4
STEP_LON, STEP_LAT = 0.1, 0.1


def _vertex(col: int, row: int) -> tuple[float, float]:
    """A lattice point, inner ones moved a little (the same for every cell that shares it)."""
    lon, lat = WEST + col * STEP_LON, SOUTH + row * STEP_LAT
    if 0 < col < COLUMNS and 0 < row < ROWS:
        rng = random.Random(f"vertex-{col}-{row}")  # noqa: S311 - a drawing, not security
        lon += rng.uniform(-0.02, 0.02)
        lat += rng.uniform(-0.02, 0.02)
    return round(lon, 6), round(lat, 6)


def _cells(count: int) -> list[list[tuple[int, int]]]:
    """The lattice cells (col, row) of `count` townships, top row first; the last township takes
    what is left of the bottom row."""
    cells = [(col, row) for row in reversed(range(ROWS)) for col in range(COLUMNS)]
    groups = [[cell] for cell in cells[: count - 1]]
    groups.append(cells[count - 1 :])
    return groups


def _ring(group: list[tuple[int, int]]) -> list[list[float]]:
    """The outline of cells side by side in one row, through every lattice point on it."""
    cols = sorted(col for col, _row in group)
    row = group[0][1]
    south = [_vertex(c, row) for c in range(cols[0], cols[-1] + 2)]
    north = [_vertex(c, row + 1) for c in range(cols[-1] + 1, cols[0] - 1, -1)]
    ring = [list(p) for p in south + north]
    return [*ring, ring[0]]


def _inside(ring: list[list[float]], u: float, v: float) -> tuple[float, float]:
    """A point of a quadrilateral-ish outline by its share `u` west→east and `v` south→north."""
    half = (len(ring) - 1) // 2
    south, north = ring[:half], ring[half : 2 * half][::-1]
    i = min(int(u * (half - 1)), half - 2)
    t = u * (half - 1) - i
    s = [south[i][k] + (south[i + 1][k] - south[i][k]) * t for k in (0, 1)]
    n = [north[i][k] + (north[i + 1][k] - north[i][k]) * t for k in (0, 1)]
    return s[0] + (n[0] - s[0]) * v, s[1] + (n[1] - s[1]) * v


def schematic_boundaries(names: list[str]) -> dict:
    """A FeatureCollection with one schematic area per township name, in lattice order."""
    features = []
    for name, group in zip(names, _cells(len(names)), strict=True):
        features.append(
            {
                "type": "Feature",
                "properties": {"name": name},
                "geometry": {"type": "Polygon", "coordinates": [_ring(group)]},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def load(county: County, townships: dict[str, Township]) -> int:
    """Boundaries (once), then a place for every demo premises and brigade without one."""
    placed = 0
    collection = schematic_boundaries(list(townships))
    if not Township.objects.filter(county=county, boundary__isnull=False).exists():
        township_services.township_boundaries_upload(
            county=county, content=json.dumps(collection, ensure_ascii=False).encode()
        )
        placed += len(collection["features"])
    rings = {f["properties"]["name"]: f["geometry"]["coordinates"][0] for f in collection["features"]}
    for premises in Premises.objects.filter(
        township__county=county, is_demo=True, latitude__isnull=True
    ).select_related("township"):
        rng = random.Random(f"premises-{premises.name}")  # noqa: S311 - demo data, not security
        lon, lat = _inside(rings[premises.township.name], rng.uniform(0.08, 0.92), rng.uniform(0.08, 0.92))
        township_services.premises_update(
            premises=premises, data={"latitude": geo.degrees(lat), "longitude": geo.degrees(lon)}
        )
        placed += 1
    for brigade in Brigade.objects.filter(
        township__county=county, is_demo=True, latitude__isnull=True
    ).select_related("township"):
        rng = random.Random(f"brigade-{brigade.name}")  # noqa: S311 - demo data, not security
        lon, lat = _inside(rings[brigade.township.name], rng.uniform(0.4, 0.6), rng.uniform(0.4, 0.6))
        brigade_services.brigade_update(
            brigade=brigade, data={"latitude": geo.degrees(lat), "longitude": geo.degrees(lon)}
        )
        placed += 1
    return placed
