"""The county 通报 (bulletin) for a period: fires, brigades, hazards and meeting assignments of every
township, side by side, as of the period's last day.

Every township's figures are leaders.figures.township_figures' — the same function as the dashboard,
the township page and the API — for the period; this module adds what only the 通报 writes: fires by
cause and the notable ones, brigade gaps in words, the overdue assignments named. A fixed number of
queries whatever the size of the county or the length of the period.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from core.clock import chinese_date, local_date
from core.scoping import ALL, visible_county_id, visible_township_ids
from firebrigade import selectors as brigade_selectors
from firebrigade.models import Brigade, FireIncident
from firebrigade.selectors import BrigadeGap, FireFigures, TownshipBrigadeGap
from inspections import selectors as inspection_selectors
from inspections.models import Campaign
from leaders.figures import Period, TownshipFigures, county_total, ratio, township_figures, year_before
from meetings import selectors as meeting_selectors
from meetings.models import Assignment
from townships.models import County, Township

ISSUER = "消防安全检查指导服务中心"  # the county's, named after it: 民权县消防安全检查指导服务中心
# A fire is named in the text when someone was hurt or killed, or the loss reached this (yuan).
NOTABLE_LOSS = Decimal(100_000)
EARLIEST = dt.date(2000, 1, 1)  # no records before; keeps "a year before" a valid date
KIND_ORDER = {Township.Kind.SUBDISTRICT: 0, Township.Kind.TOWN: 1, Township.Kind.TOWNSHIP: 2}


# --- which county, which period ----------------------------------------------------------------


@dataclass(frozen=True)
class BulletinScope:
    """The county a bulletin is about and its default period (the current campaign, up to `on`)."""

    county: County | None
    campaign: Campaign | None
    default_start: dt.date
    default_end: dt.date
    counties: list[County]


def bulletin_scope(
    *, user, on: dt.date, county_id: int | None = None, campaign_id: int | None = None
) -> BulletinScope:
    """The counties `user` may see; the one asked for (`county_id`, None when not visible), else the
    one of the campaign asked for, else the user's own county, else that of the user's current
    campaign, else the first. Default period: the campaign asked for (`campaign_id`, None when not
    visible: `campaign` is then None too) or the county's current campaign
    (inspections.selectors.campaign_current), from its first day to min(its last day, `on`); with
    no campaign, the winter-spring season (from 1 November) running on `on`."""
    township_ids = visible_township_ids(user)
    counties_qs = County.objects.order_by("name")
    if township_ids is not ALL:
        counties_qs = counties_qs.filter(townships__in=township_ids).distinct()
    counties = list(counties_qs)
    by_id = {c.pk: c for c in counties}
    asked = None
    if campaign_id is not None:
        asked = inspection_selectors.campaign_list(user=user).filter(pk=campaign_id).first()
    if county_id is not None:
        county = by_id.get(county_id)
    elif asked is not None:
        county = by_id.get(asked.county_id)
    else:
        current = inspection_selectors.campaign_current(on=on, user=user)
        county = (
            by_id.get(visible_county_id(user))
            or (by_id.get(current.county_id) if current else None)
            or (counties[0] if counties else None)
        )
    if campaign_id is not None:
        campaign = (
            asked if asked is not None and county is not None and asked.county_id == county.pk else None
        )
    else:
        campaign = inspection_selectors.campaign_current(on=on, county_id=county.pk) if county else None
    if campaign is not None:
        start, end = campaign.starts_on, min(campaign.ends_on, on)
    else:
        start, end = dt.date(on.year if on.month >= 11 else on.year - 1, 11, 1), on
    return BulletinScope(
        county=county, campaign=campaign, default_start=start, default_end=end, counties=counties
    )


# --- the bulletin --------------------------------------------------------------------------------


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
        return ratio(self.diff, self.last)


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
    """One township's line: its figures (leaders.figures), read as the row's own attributes
    (`row.hazards_found`), plus what only the 通报 writes."""

    township: Township
    figures: TownshipFigures
    fires: FireRow
    brigade_lines: list[BrigadeLine] = field(default_factory=list)
    overdue_items: list[OverdueItem] = field(default_factory=list)

    def __getattr__(self, name: str):
        # Only for names the row does not have itself: hazards_found, assignments_overdue, ...
        return getattr(self.__dict__["figures"], name)

    @property
    def brigade(self) -> TownshipBrigadeGap:
        return self.figures.brigade_gap

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

    @property
    def brigades(self) -> int:
        """Brigades of every status together: the total the 通报 states before its breakdown."""
        return sum(n for _, n in self.by_status)


# How many townships the 通报 names in a "most" list before ties with the last one named.
NAMED_MOST = 5


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
    totals: TownshipFigures | None = None
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
        """The townships the 通报 names for hazards past their deadline, each with its count: the
        NAMED_MOST with the most, and every township tied with the last of them (naming a township
        is serious: a tie is never split), most first, then in the table's order."""
        rows = sorted((r for r in self.rows if r.hazards_overdue), key=lambda r: -r.hazards_overdue)
        if len(rows) > NAMED_MOST:
            least_named = rows[NAMED_MOST - 1].hazards_overdue
            rows = [r for r in rows if r.hazards_overdue >= least_named]
        return [f"{r.name}（{r.hazards_overdue}处）" for r in rows]


def county_bulletin(
    *, user, county: County, start: dt.date, end: dt.date, on: dt.date, campaign: Campaign | None = None
) -> Bulletin:
    """Everything the 通报 says about `county` for `start`..`end` (both inclusive; `end` ≤ `on`), each
    township of the county the user may see on its own row, with its figures as of `end`
    (leaders.figures.township_figures):

    - fires in the period and in the same dates a year before (count, deaths, injuries, direct
      loss), per township and per cause; fires with casualties or a loss ≥ NOTABLE_LOSS named;
    - each township's brigades against the standard of their class (as they stand on `on`: the
      firebrigade app keeps no dated staffing history), and the brigades of others serving it;
    - hazards discovered in the period: found, rectified by `end`, still open, overdue at `end`,
      major, the rectification rate;
    - the assignments the period answers for, as of `end`: total, closed, overdue (named).
    When the period is `campaign`'s (from its first day to its last, or to `on`), the figures are
    the campaign's, as the dashboard shows them.
    A fixed number of queries, whatever the number of townships, records or days.
    """
    bulletin = Bulletin(
        county=county, start=start, end=end, last_start=year_before(start), last_end=year_before(end), on=on
    )
    if campaign is not None and (start, end) == (campaign.starts_on, min(campaign.ends_on, on)):
        # The campaign's own period (the default): its figures as the dashboard reads them.
        period = Period(county_id=county.pk, start=start, end=campaign.ends_on, as_of=end, campaign=campaign)
    else:
        period = Period(county_id=county.pk, start=start, end=end, as_of=end)
    figures = township_figures(user=user, period=period)
    # Official lists run 街道办, then 镇, then 乡, each in the order they were entered.
    figures.sort(key=lambda f: (KIND_ORDER.get(f.brigade_gap.township.kind, len(KIND_ORDER)), f.township_id))
    rows = {
        f.township_id: TownshipRow(
            township=f.brigade_gap.township,
            figures=f,
            fires=FireRow(f.name, this=f.fires, last=f.fires_last_year),
        )
        for f in figures
    }
    bulletin.rows = list(rows.values())
    bulletin.totals = county_total(figures)
    bulletin.fires.this, bulletin.fires.last = bulletin.totals.fires, bulletin.totals.fires_last_year
    _add_fires(bulletin, user=user)
    _add_brigades(bulletin)
    _add_overdue_assignments(bulletin, rows, user=user)
    return bulletin


def _add_fires(bulletin: Bulletin, *, user) -> None:
    labels = dict(FireIncident.Cause.choices)
    periods = {"this": (bulletin.start, bulletin.end), "last": (bulletin.last_start, bulletin.last_end)}
    by_cause = brigade_selectors.fire_figures(
        user=user, county_id=bulletin.county.pk, periods=periods, by="cause"
    )
    causes = {
        cause: FireRow(str(labels.get(cause, cause)), this=sums["this"], last=sums["last"])
        for cause, sums in by_cause.items()
    }
    order = list(labels)  # the model's order of causes, for equal counts
    bulletin.fires_by_cause = [
        causes[c]
        for c in sorted(causes, key=lambda c: (-causes[c].this.count, -causes[c].last.count, order.index(c)))
    ]
    notable = Q(deaths__gt=0) | Q(injuries__gt=0) | Q(direct_loss__gte=NOTABLE_LOSS)
    incidents = brigade_selectors.incident_list(
        user=user, filters={"date_from": bulletin.start, "date_to": bulletin.end}
    )
    bulletin.notable_fires = list(
        incidents.filter(notable, township__county=bulletin.county).order_by("occurred_at", "id")
    )


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
        if any(b.staff_gap for b in gap.brigades):
            summary.short_staffed.append(row.name)
    totals = bulletin.totals
    summary.active_staff, summary.min_staff, summary.staff_gap = (
        totals.active_staff,
        totals.min_staff,
        totals.staff_gap,
    )
    summary.vehicles, summary.vehicle_gap = totals.vehicles, totals.vehicle_gap
    summary.equipment_gap = totals.equipment_gap
    labels = dict(Brigade.Status.choices)
    # Most advanced first, as the text reads: 已验收、已建成、建设中、规划中.
    summary.by_status = [(str(labels[s]), counted[s]) for s in reversed(Brigade.Status.values)]


def _add_overdue_assignments(bulletin: Bulletin, rows: dict[int, TownshipRow], *, user) -> None:
    """Name the period's assignments overdue at its end (those its rows count as overdue)."""
    end = bulletin.end
    overdue = list(
        meeting_selectors.assignments_of_period(
            user=user, on=end, county_id=bulletin.county.pk, start=bulletin.start, end=end
        )
        .filter(is_overdue=True, township_id__in=list(rows))
        .order_by("deadline", "township__name", "directive__number", "id")
    )
    bulletin.overdue_assignments = overdue
    several_meetings = len({a.directive.meeting_id for a in overdue}) > 1
    directives = {}
    for a in overdue:
        directive = a.directive
        label = f"第{directive.number}项"
        if several_meetings:
            label = f"{chinese_date(local_date(directive.meeting.held_at))}会议{label}"
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
