"""The county map (地图): townships drawn from the boundaries the guidance center uploaded, the premises
coloured by risk, the hazards still open on them, the brigades with their coverage, and the premises
no built brigade reaches within the county's coverage radius.

Who sees what is each app's selector's (scoped as every page); whether a premises is covered is
reckoned against every covering brigade of the county (firebrigade.selectors.covering_brigades), so
that a township lead and the county read the same answer for the same premises.
"""

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from core import geo
from firebrigade import selectors as brigade_selectors
from firebrigade.models import Brigade
from inspections import selectors as inspection_selectors
from townships import selectors as township_selectors
from townships.models import County, Premises

RISK_ORDER = [Premises.RiskLevel.HIGH, Premises.RiskLevel.MEDIUM, Premises.RiskLevel.LOW]


@dataclass
class MapPremises:
    id: int
    name: str
    township: str
    risk_level: str
    place: geo.Point
    hazards: inspection_selectors.PremisesHazards | None
    # The nearest covering brigade and its distance; None when the county has none.
    nearest_km: float | None = None
    nearest_brigade: str | None = None

    @property
    def risk_label(self) -> str:
        return Premises.RiskLevel(self.risk_level).label


@dataclass
class MapBrigade:
    id: int
    name: str
    township: str
    status: str
    place: geo.Point
    covers: bool

    @property
    def status_label(self) -> str:
        return Brigade.Status(self.status).label


@dataclass
class CountyMap:
    county: County
    on: dt.date
    coverage_km: Decimal
    boundaries: dict
    without_boundary: list[str]
    premises: list[MapPremises] = field(default_factory=list)
    brigades: list[MapBrigade] = field(default_factory=list)
    beyond_cover: list[MapPremises] = field(default_factory=list)
    premises_total: int = 0

    @property
    def coverage_label(self) -> str:
        """The radius as a county writes it: 5, 2.5 (not 5.0)."""
        return f"{self.coverage_km.normalize():f}"

    @property
    def unlocated(self) -> int:
        return self.premises_total - len(self.premises)

    def chart(self) -> dict:
        """What static/js/map.js draws: compact rows, the labels in the page's language."""
        risk_index = {level: i for i, level in enumerate(RISK_ORDER)}
        covering = [b for b in self.brigades if b.covers]
        frame = geo.bounds(
            ring for f in self.boundaries["features"] for ring in geo.outer_rings(f["geometry"])
        )
        # East-west degrees shrink with the latitude: drawn so, a coverage circle is round.
        aspect = 1.0 if frame is None else round(math.cos(math.radians((frame[1] + frame[3]) / 2)), 4)
        return {
            "aspect": aspect,
            "labels": {
                "risk": [str(level.label) for level in RISK_ORDER],
                "open": _("有未销号隐患"),
                "overdue": _("有逾期隐患"),
                "major": _("有重大隐患"),
                "brigades": _("专职消防队"),
                "coverage": _("覆盖范围（%(km)s 公里）") % {"km": self.coverage_label},
                "hazards": _("未销号隐患"),
                "overdue_count": _("逾期"),
                "major_count": _("重大"),
                "nearest": _("最近的已建成队伍"),
                "km": _("公里"),
                "none": _("无"),
            },
            "boundaries": self.boundaries,
            # [longitude, latitude, name, township, risk index, open, overdue, major, nearest km, brigade]
            "premises": [
                [
                    p.place.longitude,
                    p.place.latitude,
                    p.name,
                    p.township,
                    risk_index[p.risk_level],
                    p.hazards.open if p.hazards else 0,
                    p.hazards.overdue if p.hazards else 0,
                    p.hazards.major if p.hazards else 0,
                    None if p.nearest_km is None else round(p.nearest_km, 1),
                    p.nearest_brigade,
                ]
                for p in self.premises
            ],
            # [longitude, latitude, name, township, status label, covers]
            "brigades": [
                [b.place.longitude, b.place.latitude, b.name, b.township, b.status_label, b.covers]
                for b in self.brigades
            ],
            "circles": [geo.circle(b.place, float(self.coverage_km)) for b in covering],
        }


def _extent(points: list[geo.Point]) -> dict | None:
    """A frame around the points, for a county whose boundaries are not uploaded yet."""
    if not points:
        return None
    west, south, east, north = geo.bounds([[[p.longitude, p.latitude] for p in points]])
    pad = max(east - west, north - south, 0.02) * 0.1
    west, south, east, north = west - pad, south - pad, east + pad, north + pad
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {
        "type": "Feature",
        "properties": {"name": ""},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def county_map(*, user, county: County, on: dt.date) -> CountyMap:
    """The map of `county` as `user` may see it, as of `on`. A fixed number of queries."""
    townships = list(township_selectors.county_townships(user=user, county=county))
    township_ids = [t.pk for t in townships]
    features = [
        {"type": "Feature", "properties": {"name": t.name}, "geometry": t.boundary}
        for t in townships
        if t.boundary
    ]
    result = CountyMap(
        county=county,
        on=on,
        coverage_km=Decimal(str(county.brigade_coverage_km)),
        boundaries={"type": "FeatureCollection", "features": features},
        without_boundary=[t.name for t in townships if not t.boundary],
    )
    result.premises_total = (
        township_selectors.premises_list(user=user).filter(township_id__in=township_ids).count()
    )
    hazards = inspection_selectors.open_hazards_by_premises(user=user, on=on, township_ids=township_ids)
    cover = brigade_selectors.covering_brigades(county_id=county.pk)
    visible_brigades = brigade_selectors.brigade_list(user=user).filter(
        township_id__in=township_ids, latitude__isnull=False
    )
    visible_ids = set()
    for b in visible_brigades:
        visible_ids.add(b.pk)
        result.brigades.append(
            MapBrigade(
                id=b.pk,
                name=b.name,
                township=b.township.name,
                status=b.status,
                place=geo.Point(float(b.longitude), float(b.latitude)),
                covers=b.status in brigade_selectors.COVERING_STATUSES,
            )
        )
    limit = float(county.brigade_coverage_km)
    for p in township_selectors.located_premises(user=user, township_ids=township_ids):
        place = geo.Point(float(p.longitude), float(p.latitude))
        point = MapPremises(
            id=p.pk,
            name=p.name,
            township=p.township.name,
            risk_level=p.risk_level,
            place=place,
            hazards=hazards.get(p.pk),
        )
        nearest = brigade_selectors.nearest_covering(place, cover)
        if nearest is not None:
            distance, brigade = nearest
            point.nearest_km = distance
            # Another township's brigade is counted, but named only to those who may see it.
            point.nearest_brigade = brigade.name if brigade.id in visible_ids else _("其他乡镇的队伍")
        result.premises.append(point)
        if nearest is None or nearest[0] > limit:
            result.beyond_cover.append(point)
    result.beyond_cover.sort(key=lambda p: (-(p.nearest_km or float("inf")), p.township, p.name))
    if not features:
        frame = _extent([p.place for p in result.premises] + [b.place for b in result.brigades])
        if frame is not None:
            result.boundaries["features"].append(frame)
    return result


def county_choice(*, counties, county_id: int | None) -> County | None:
    """The county the map shows: the one asked for among `counties` (those the user may see:
    townships.selectors.county_list), else the first."""
    if county_id is not None:
        return counties.filter(pk=county_id).first()
    return counties.first()
