"""Places on the county map: coordinates, distances, township boundaries (GeoJSON).

Coordinates are WGS-84 degrees as a phone reports them (longitude, latitude). Distances are
great-circle (haversine) kilometres: within a county the error against the ellipsoid is well under
1 %, which is far below a phone fix's own error. No map tiles and no outside service: the county map
is drawn from the township boundaries the guidance center uploads.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

EARTH_RADIUS_KM = 6371.0088

LATITUDE_VALIDATORS = [MinValueValidator(Decimal(-90)), MaxValueValidator(Decimal(90))]
LONGITUDE_VALIDATORS = [MinValueValidator(Decimal(-180)), MaxValueValidator(Decimal(180))]


def latitude_field(**kwargs) -> models.DecimalField:
    return models.DecimalField(
        _("纬度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=LATITUDE_VALIDATORS,
        **kwargs,
    )


def longitude_field(**kwargs) -> models.DecimalField:
    return models.DecimalField(
        _("经度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=LONGITUDE_VALIDATORS,
        **kwargs,
    )


BOTH_OR_NEITHER = _("经度和纬度须同时填写。")


def location_constraints(prefix: str) -> list[models.CheckConstraint]:
    """A place has both coordinates or neither, each in range (the ranges are also the fields'
    validators, so a form names the field)."""
    return [
        models.CheckConstraint(
            condition=Q(latitude__isnull=True, longitude__isnull=True)
            | Q(latitude__isnull=False, longitude__isnull=False),
            name=f"{prefix}_location_both_or_neither",
            violation_error_message=BOTH_OR_NEITHER,
        ),
        models.CheckConstraint(
            condition=Q(latitude__isnull=True) | (Q(latitude__gte=-90) & Q(latitude__lte=90)),
            name=f"{prefix}_latitude_range",
        ),
        models.CheckConstraint(
            condition=Q(longitude__isnull=True) | (Q(longitude__gte=-180) & Q(longitude__lte=180)),
            name=f"{prefix}_longitude_range",
        ),
    ]


def is_location_constraint(constraint) -> bool:
    return constraint.name.endswith(("_location_both_or_neither", "_latitude_range", "_longitude_range"))


def location_check(instance, constraint) -> None:
    """What one of location_constraints checks, without a query (Django checks a CheckConstraint
    with one): for validating many rows at once. Raises the constraint's ValidationError."""
    lat, lon = instance.latitude, instance.longitude
    if constraint.name.endswith("_location_both_or_neither"):
        broken = (lat is None) != (lon is None)
    elif constraint.name.endswith("_latitude_range"):
        broken = lat is not None and not -90 <= lat <= 90
    else:
        broken = lon is not None and not -180 <= lon <= 180
    if broken:
        raise ValidationError(constraint.get_violation_error_message(), code=constraint.violation_error_code)


class LocationError(ValueError):
    """A coordinate pair that is not a place: `message` says why, in the reader's language."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Point:
    longitude: float
    latitude: float


def point(longitude, latitude) -> Point:
    """A Point from two numbers (or numeric strings), refused with a clear reason if either is
    missing, not a number or out of range. Both missing is not a point: the caller decides."""
    if longitude in (None, "") or latitude in (None, ""):
        raise LocationError(_("经度和纬度须同时填写。"))
    try:
        lon, lat = float(longitude), float(latitude)
    except (TypeError, ValueError) as exc:
        raise LocationError(_("经纬度须为数字。")) from exc
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise LocationError(_("经纬度须为数字。"))
    if not -180 <= lon <= 180:
        raise LocationError(_("经度须在 -180 到 180 之间。"))
    if not -90 <= lat <= 90:
        raise LocationError(_("纬度须在 -90 到 90 之间。"))
    return Point(lon, lat)


def degrees(value: float) -> Decimal:
    """A coordinate as the location fields store it (six decimals: about 0.1 m)."""
    return Decimal(str(round(value, 6)))


def distance_km(a: Point, b: Point) -> float:
    """Great-circle distance between two points, in kilometres."""
    lat1, lat2 = math.radians(a.latitude), math.radians(b.latitude)
    dlat = lat2 - lat1
    dlon = math.radians(b.longitude - a.longitude)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def nearest(origin: Point, candidates: Iterable[tuple[Point, object]]) -> tuple[float, object] | None:
    """(distance in km, tag) of the candidate nearest to `origin`; None when there is none."""
    best = None
    for place, tag in candidates:
        d = distance_km(origin, place)
        if best is None or d < best[0]:
            best = (d, tag)
    return best


def circle(centre: Point, radius_km: float, steps: int = 64) -> list[list[float]]:
    """A closed ring of [longitude, latitude] approximating the circle of `radius_km` around
    `centre`, for drawing a coverage area."""
    ring = []
    lat = math.radians(centre.latitude)
    lon = math.radians(centre.longitude)
    d = radius_km / EARTH_RADIUS_KM
    for i in range(steps + 1):
        bearing = 2 * math.pi * i / steps
        lat2 = math.asin(math.sin(lat) * math.cos(d) + math.cos(lat) * math.sin(d) * math.cos(bearing))
        lon2 = lon + math.atan2(
            math.sin(bearing) * math.sin(d) * math.cos(lat), math.cos(d) - math.sin(lat) * math.sin(lat2)
        )
        ring.append([round(math.degrees(lon2), 6), round(math.degrees(lat2), 6)])
    return ring


# --- boundaries ---------------------------------------------------------------------------------

# A county's townships need far fewer; more is a file that was not meant for this.
MAX_RING_POINTS = 20_000
AREA_KINDS = ("Polygon", "MultiPolygon")


def _ring_problem(ring) -> str | None:
    if not isinstance(ring, list) or len(ring) < 4:
        return _("边界环至少需要 4 个坐标点（首尾相同）。")
    if len(ring) > MAX_RING_POINTS:
        return _("边界环的坐标点超过 %(count)d 个。") % {"count": MAX_RING_POINTS}
    for position in ring:
        if not isinstance(position, list) or len(position) < 2:
            return _("坐标点须为 [经度, 纬度]。")
        lon, lat = position[0], position[1]
        if isinstance(lon, bool) or isinstance(lat, bool) or not isinstance(lon, int | float):
            return _("坐标点须为 [经度, 纬度]。")
        if not isinstance(lat, int | float):
            return _("坐标点须为 [经度, 纬度]。")
        try:
            point(lon, lat)
        except LocationError as exc:
            return str(exc.message)
    if ring[0][:2] != ring[-1][:2]:
        return _("边界环须闭合（首尾坐标相同）。")
    return None


def geometry_problem(geometry) -> str | None:
    """Why `geometry` is not a township's area (a GeoJSON Polygon or MultiPolygon), or None."""
    if not isinstance(geometry, dict):
        return _("缺少边界（geometry）。")
    kind = geometry.get("type")
    if kind not in AREA_KINDS:
        return _("边界类型须为 Polygon 或 MultiPolygon，而不是“%(kind)s”。") % {"kind": kind}
    coordinates = geometry.get("coordinates")
    polygons = [coordinates] if kind == "Polygon" else coordinates
    if not isinstance(polygons, list) or not polygons:
        return _("边界没有坐标。")
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            return _("边界没有坐标。")
        for ring in polygon:
            problem = _ring_problem(ring)
            if problem:
                return problem
    return None


def bounds(rings: Iterable[Sequence[Sequence[float]]]) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of all positions in `rings`; None when there are none."""
    lons, lats = [], []
    for ring in rings:
        for position in ring:
            lons.append(position[0])
            lats.append(position[1])
    if not lons:
        return None
    return min(lons), min(lats), max(lons), max(lats)


def outer_rings(geometry: dict) -> list:
    """The outer ring of every polygon of a valid area geometry."""
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"][0]]
    return [polygon[0] for polygon in geometry["coordinates"]]
