"""The county 通报 (bulletin) for a period: fires, brigades, hazards and meeting assignments of every
township, side by side, as of the period's last day.

Each figure comes from the selector that owns it (firebrigade, inspections, meetings), scoped to
the user, then lined up per township of the county. A fixed number of queries whatever the size of
the county or the length of the period.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce

from core.dashboard import current_campaign
from core.scoping import ALL, visible_county_id, visible_township_ids
from firebrigade import selectors as brigade_selectors
from firebrigade.models import Brigade, FireIncident
from firebrigade.selectors import BrigadeGap, TownshipBrigadeGap
from inspections import selectors as inspection_selectors
from inspections.models import Campaign
from inspections.services import local_date
from meetings import selectors as meeting_selectors
from meetings.models import Assignment
from townships.models import County, Township

ISSUER = "消防安全检查指导服务中心"  # the county's, named after it: 民权县消防安全检查指导服务中心
# A fire is named in the text when someone was hurt or killed, or the loss reached this (yuan).
NOTABLE_LOSS = Decimal(100_000)
EARLIEST = dt.date(2000, 1, 1)  # no records before; keeps "a year before" a valid date
MONEY = DecimalField(max_digits=16, decimal_places=2)
TEN_THOUSAND = Decimal(10_000)
KIND_ORDER = {Township.Kind.SUBDISTRICT: 0, Township.Kind.TOWN: 1, Township.Kind.TOWNSHIP: 2}


def _ratio(part, whole) -> float | None:
    return round(float(part) * 100 / float(whole), 1) if whole else None


def year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


# --- which county, which period ----------------------------------------------------------------


@dataclass(frozen=True)
class BulletinScope:
    """The county a bulletin is about and its default period (the current campaign, up to `on`)."""

    county: County | None
    campaign: Campaign | None
    default_start: dt.date
    default_end: dt.date
    counties: list[County]


def bulletin_scope(*, user, on: dt.date, county_id: int | None = None) -> BulletinScope:
    """The counties `user` may see; the one asked for (`county_id`, None when not visible), else
    the user's own county, else that of the current campaign, else the first. Default period: the
    current campaign of that county from its first day to min(its last day, `on`); with no campaign,
    the winter-spring season (from 1 November) running on `on`."""
    township_ids = visible_township_ids(user)
    counties_qs = County.objects.order_by("name")
    if township_ids is not ALL:
        counties_qs = counties_qs.filter(townships__in=township_ids).distinct()
    counties = list(counties_qs)
    by_id = {c.pk: c for c in counties}
    campaign = current_campaign(on=on)
    if county_id is not None:
        county = by_id.get(county_id)
    else:
        county = (
            by_id.get(visible_county_id(user))
            or (by_id.get(campaign.county_id) if campaign else None)
            or (counties[0] if counties else None)
        )
    if county is not None and campaign is not None and campaign.county_id != county.pk:
        # current_campaign looks at every county; take this county's by the same rule.
        campaign = (
            Campaign.objects.filter(county=county, starts_on__lte=on, ends_on__gte=on)
            .order_by("kind", "-starts_on")
            .first()
        ) or Campaign.objects.filter(county=county, starts_on__lte=on).order_by("-starts_on").first()
    if campaign is not None:
        start, end = campaign.starts_on, min(campaign.ends_on, on)
    else:
        start, end = dt.date(on.year if on.month >= 11 else on.year - 1, 11, 1), on
    return BulletinScope(
        county=county, campaign=campaign, default_start=start, default_end=end, counties=counties
    )


# --- the bulletin --------------------------------------------------------------------------------


def wan(yuan: Decimal) -> Decimal:
    """Yuan in 万元, two decimals, as 通报 write money."""
    return (yuan / TEN_THOUSAND).quantize(Decimal("0.01"))


@dataclass
class FireFigures:
    count: int = 0
    deaths: int = 0
    injuries: int = 0
    loss: Decimal = Decimal(0)  # yuan

    @property
    def loss_wan(self) -> Decimal:
        return wan(self.loss)

    def add(self, other: "FireFigures") -> None:
        self.count += other.count
        self.deaths += other.deaths
        self.injuries += other.injuries
        self.loss += other.loss


@dataclass(frozen=True)
class Change:
    """This period against the same period a year before, in words."""

    this: int
    last: int

    @property
    def diff(self) -> int:
        return abs(self.this - self.last)

    @property
    def direction(self) -> str:
        if self.this > self.last:
            return "上升"
        return "下降" if self.this < self.last else "持平"

    @property
    def percent(self) -> float | None:
        return _ratio(self.diff, self.last)


@dataclass
class FireRow:
    label: str
    this: FireFigures = field(default_factory=FireFigures)
    last: FireFigures = field(default_factory=FireFigures)

    @property
    def change(self) -> Change:
        return Change(self.this.count, self.last.count)

    @property
    def delta(self) -> int:
        return self.this.count - self.last.count


@dataclass
class BrigadeLine:
    """One of the township's own brigades, with its equipment gaps in words."""

    gap: BrigadeGap
    equipment_gap: int  # items missing, all types together
    equipment_gap_text: str  # e.g. 水罐消防车缺1辆、正压式空气呼吸器缺4具


@dataclass(frozen=True)
class OverdueItem:
    """An assignment open past its deadline at the end of the period."""

    assignment: Assignment
    label: str  # 第3项, or 2021-11-17会议第3项 when several meetings are concerned
    days: int  # past the deadline, at the end of the period


@dataclass(frozen=True)
class DirectiveRef:
    """A directive named by the overdue list: what 第N项 was."""

    label: str
    meeting: str
    category: str
    text: str


@dataclass
class TownshipRow:
    township: Township
    brigade: TownshipBrigadeGap
    fires: FireRow
    brigade_lines: list[BrigadeLine] = field(default_factory=list)
    hazards_found: int = 0
    hazards_rectified: int = 0
    hazards_open: int = 0
    hazards_overdue: int = 0
    hazards_major: int = 0
    hazards_major_open: int = 0
    rectification_rate: float | None = None
    assignments: int = 0
    assignments_closed: int = 0
    assignments_overdue: int = 0
    assignment_rate: float | None = None
    overdue_items: list[OverdueItem] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.township.name


@dataclass
class BrigadeSummary:
    townships: int = 0
    by_status: list[tuple[str, int]] = field(default_factory=list)  # (label, brigades), every status
    without_own: int = 0  # townships with no brigade of their own
    covered_by_shared: int = 0  # of those, served by another township's brigade
    active_staff: int = 0
    min_staff: int = 0
    staff_gap: int = 0
    vehicles: int = 0
    vehicle_gap: int = 0
    equipment_gap: int = 0  # items, all types together
    short_staffed: list[str] = field(default_factory=list)  # township names


@dataclass
class Totals:
    hazards_found: int = 0
    hazards_rectified: int = 0
    hazards_open: int = 0
    hazards_overdue: int = 0
    hazards_major: int = 0
    hazards_major_open: int = 0
    rectification_rate: float | None = None
    assignments: int = 0
    assignments_closed: int = 0
    assignments_overdue: int = 0
    assignment_rate: float | None = None


@dataclass
class Bulletin:
    county: County
    start: dt.date
    end: dt.date
    last_start: dt.date
    last_end: dt.date
    on: dt.date
    rows: list[TownshipRow] = field(default_factory=list)
    fires: FireRow = field(default_factory=lambda: FireRow("全县"))
    fires_by_cause: list[FireRow] = field(default_factory=list)
    notable_fires: list[FireIncident] = field(default_factory=list)
    brigades: BrigadeSummary = field(default_factory=BrigadeSummary)
    totals: Totals = field(default_factory=Totals)
    overdue_assignments: list[Assignment] = field(default_factory=list)
    overdue_directives: list[DirectiveRef] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"{self.county.name}冬春火灾防控工作通报"

    @property
    def issuer(self) -> str:
        return f"{self.county.name}{ISSUER}"

    @property
    def overdue_meetings(self) -> list[str]:
        return sorted({d.meeting for d in self.overdue_directives})

    @property
    def several_overdue_meetings(self) -> bool:
        return len(self.overdue_meetings) > 1

    @property
    def causes_this_period(self) -> list[FireRow]:
        return [c for c in self.fires_by_cause if c.this.count]

    @property
    def overdue_townships(self) -> list[str]:
        """Townships with hazards past their deadline, most first."""
        rows = sorted((r for r in self.rows if r.hazards_overdue), key=lambda r: -r.hazards_overdue)
        return [r.name for r in rows]


def _fire_sums(period: Q, prefix: str) -> dict:
    return {
        f"{prefix}_count": Count("id", filter=period),
        f"{prefix}_deaths": Coalesce(Sum("deaths", filter=period), 0),
        f"{prefix}_injuries": Coalesce(Sum("injuries", filter=period), 0),
        f"{prefix}_loss": Coalesce(Sum("direct_loss", filter=period), Value(Decimal(0)), output_field=MONEY),
    }


def _fire_figures(item: dict, prefix: str) -> FireFigures:
    return FireFigures(
        count=item[f"{prefix}_count"],
        deaths=item[f"{prefix}_deaths"],
        injuries=item[f"{prefix}_injuries"],
        loss=item[f"{prefix}_loss"],
    )


def county_bulletin(*, user, county: County, start: dt.date, end: dt.date, on: dt.date) -> Bulletin:
    """Everything the 通报 says about `county` for `start`..`end` (both inclusive; `end` ≤ `on`), each
    township of the county the user may see on its own row:

    - fires in the period and in the same dates a year before (count, deaths, injuries, direct
      loss), per township and per cause; fires with casualties or a loss ≥ NOTABLE_LOSS named;
    - each township's brigades against the standard of their class (as they stand on `on`: the
      firebrigade app keeps no dated staffing history), and the brigades of others serving it;
    - hazards discovered in the period: found, rectified (verified) by `end`, still open, overdue
      at `end`, major, and the rectification rate;
    - assignments of meetings held by `end`, as of `end`: total, closed, overdue (named).
    Twelve-odd queries, whatever the number of townships, records or days.
    """
    bulletin = Bulletin(
        county=county, start=start, end=end, last_start=year_before(start), last_end=year_before(end), on=on
    )
    county_townships = Township.objects.filter(county=county).values("pk")
    gaps = brigade_selectors.township_brigade_gaps(user=user, township_ids=county_townships)
    # Official lists run 街道办, then 镇, then 乡, each in the order they were entered.
    gaps.sort(key=lambda gap: (KIND_ORDER.get(gap.township.kind, len(KIND_ORDER)), gap.township.pk))
    rows = {
        gap.township.pk: TownshipRow(township=gap.township, brigade=gap, fires=FireRow(gap.township.name))
        for gap in gaps
    }
    bulletin.rows = list(rows.values())
    _add_fires(bulletin, rows, user=user)
    _add_brigades(bulletin)
    _add_hazards(bulletin, rows, user=user)
    _add_assignments(bulletin, rows, user=user)
    return bulletin


def _add_fires(bulletin: Bulletin, rows: dict[int, TownshipRow], *, user) -> None:
    this = Q(occurred_at__date__gte=bulletin.start, occurred_at__date__lte=bulletin.end)
    last = Q(occurred_at__date__gte=bulletin.last_start, occurred_at__date__lte=bulletin.last_end)
    incidents = brigade_selectors.incident_list(user=user).filter(township__county=bulletin.county)
    sums = {**_fire_sums(this, "this"), **_fire_sums(last, "last")}
    for item in incidents.filter(this | last).order_by().values("township_id").annotate(**sums):
        row = rows.get(item["township_id"])
        if row is not None:
            row.fires.this, row.fires.last = _fire_figures(item, "this"), _fire_figures(item, "last")
    for row in rows.values():
        bulletin.fires.this.add(row.fires.this)
        bulletin.fires.last.add(row.fires.last)

    labels = dict(FireIncident.Cause.choices)
    causes = {}
    for item in incidents.filter(this | last).order_by().values("cause").annotate(**sums):
        causes[item["cause"]] = FireRow(
            str(labels.get(item["cause"], item["cause"])),
            this=_fire_figures(item, "this"),
            last=_fire_figures(item, "last"),
        )
    order = list(labels)  # the model's order of causes, for equal counts
    bulletin.fires_by_cause = [
        causes[c]
        for c in sorted(causes, key=lambda c: (-causes[c].this.count, -causes[c].last.count, order.index(c)))
    ]
    notable = Q(deaths__gt=0) | Q(injuries__gt=0) | Q(direct_loss__gte=NOTABLE_LOSS)
    bulletin.notable_fires = list(incidents.filter(this & notable).order_by("occurred_at", "id"))
    for fire in bulletin.notable_fires:
        fire.loss_wan = wan(fire.direct_loss)


def _add_brigades(bulletin: Bulletin) -> None:
    summary = bulletin.brigades
    summary.townships = len(bulletin.rows)
    counted = dict.fromkeys(Brigade.Status.values, 0)
    for row in bulletin.rows:
        gap = row.brigade
        if not gap.brigades:
            summary.without_own += 1
            summary.covered_by_shared += bool(gap.shared_brigades)
        for b in gap.brigades:
            missing = [e for e in b.equipment if e.gap]
            row.brigade_lines.append(
                BrigadeLine(
                    gap=b,
                    equipment_gap=sum(e.gap for e in missing),
                    equipment_gap_text="、".join(
                        f"{e.equipment_type.name}缺{e.gap}{e.equipment_type.unit}" for e in missing
                    ),
                )
            )
            counted[b.status] += 1
            summary.active_staff += b.active_staff
            summary.min_staff += b.min_staff or 0
            summary.staff_gap += b.staff_gap or 0
            summary.vehicles += b.vehicles
            summary.vehicle_gap += b.vehicle_gap or 0
            summary.equipment_gap += row.brigade_lines[-1].equipment_gap
        if any(b.staff_gap for b in gap.brigades):
            summary.short_staffed.append(row.name)
    labels = dict(Brigade.Status.choices)
    # Most advanced first, as the text reads: 已验收、已建成、建设中、规划中.
    summary.by_status = [(str(labels[s]), counted[s]) for s in reversed(Brigade.Status.values)]


def _add_hazards(bulletin: Bulletin, rows: dict[int, TownshipRow], *, user) -> None:
    # hazard_stats counts the hazards discovered "within the campaign's dates" in its county: an
    # unsaved Campaign carries the bulletin's period, so the one definition of found / rectified /
    # overdue as of a date applies here too.
    period = Campaign(county=bulletin.county, starts_on=bulletin.start, ends_on=bulletin.end, name="通报期间")
    totals = bulletin.totals
    for t in inspection_selectors.hazard_stats(user=user, campaign=period, on=bulletin.end):
        row = rows.get(t.pk)
        if row is None:
            continue
        row.hazards_found, row.hazards_rectified, row.hazards_open = t.found, t.rectified, t.open
        row.hazards_overdue, row.hazards_major, row.hazards_major_open = t.overdue, t.major, t.major_open
        row.rectification_rate = _ratio(t.rectified, t.found)
        totals.hazards_found += t.found
        totals.hazards_rectified += t.rectified
        totals.hazards_open += t.open
        totals.hazards_overdue += t.overdue
        totals.hazards_major += t.major
        totals.hazards_major_open += t.major_open
    totals.rectification_rate = _ratio(totals.hazards_rectified, totals.hazards_found)


def _add_assignments(bulletin: Bulletin, rows: dict[int, TownshipRow], *, user) -> None:
    end = bulletin.end
    assignments = meeting_selectors.assignment_list(user=user, filters={"on": end}).filter(
        township__county=bulletin.county, directive__meeting__held_at__date__lte=end
    )
    closed = Q(status=Assignment.Status.CLOSED, closed_on__lte=end)  # closed as of `end`
    counts = (
        assignments.order_by()
        .values("township_id")
        .annotate(
            total=Count("id"),
            closed=Count("id", filter=closed),
            overdue=Count("id", filter=Q(is_overdue=True)),
        )
    )
    totals = bulletin.totals
    for item in counts:
        row = rows.get(item["township_id"])
        if row is None:
            continue
        row.assignments, row.assignments_closed = item["total"], item["closed"]
        row.assignments_overdue = item["overdue"]
        row.assignment_rate = _ratio(item["closed"], item["total"])
        totals.assignments += item["total"]
        totals.assignments_closed += item["closed"]
        totals.assignments_overdue += item["overdue"]
    totals.assignment_rate = _ratio(totals.assignments_closed, totals.assignments)
    overdue = list(assignments.filter(is_overdue=True))
    bulletin.overdue_assignments = overdue
    several_meetings = len({a.directive.meeting_id for a in overdue}) > 1
    directives = {}
    for a in overdue:
        directive = a.directive
        label = f"第{directive.number}项"
        if several_meetings:
            label = f"{local_date(directive.meeting.held_at):%Y-%m-%d}会议{label}"
        directives.setdefault(
            (directive.meeting.held_at, directive.meeting_id, directive.number),
            DirectiveRef(
                label=label,
                meeting=directive.meeting.title,
                category=str(directive.get_category_display()),
                text=directive.text,
            ),
        )
        rows[a.township_id].overdue_items.append(
            OverdueItem(assignment=a, label=label, days=(end - a.deadline).days)
        )
    bulletin.overdue_directives = [directives[key] for key in sorted(directives)]
