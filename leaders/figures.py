"""The county's figures per township for a period, in one place.

The dashboard's ranking, the township page's header, the 通报 and the API's township figures all
call `township_figures`; each figure comes from the one selector of the app that owns it (brigade
gaps and funding from firebrigade, plan progress and hazard counts from inspections, assignments from
meetings), and each of those holds the one definition of what it counts. So two pages that show the
same figure for the same township and period show the same number.

A period is a campaign's dates (or, for the 通报, any dates of one county), seen as of `as_of`: the
period's last day, or today while it is still running. A past campaign is thus shown as it stood
when it ended, the same on every page and in its 通报.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy

from core.clock import local_today
from core.expressions import compiled_column
from core.scoping import user_role
from core.text import choice_labels
from firebrigade import selectors as brigade_selectors
from firebrigade.models import Brigade
from firebrigade.selectors import FireFigures, TownshipBrigadeGap
from inspections import selectors as inspection_selectors
from inspections.models import Campaign
from meetings import selectors as meeting_selectors
from townships.models import Township

STATUS_ORDER = list(Brigade.Status.values)
TOTAL_LABEL = gettext_lazy("全县")


def year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def ratio(part, whole) -> float | None:
    """part * 100 / whole, one decimal; None when whole is 0 (the figure does not apply)."""
    return round(float(part) * 100 / float(whole), 1) if whole else None


@dataclass(frozen=True)
class Period:
    """Days `start`..`end` of county `county_id` (both inclusive), seen as of `as_of` (≤ `end`)."""

    county_id: int
    start: dt.date
    end: dt.date
    as_of: dt.date
    campaign: Campaign | None = None

    @property
    def last_start(self) -> dt.date:
        return year_before(self.start)

    @property
    def last_end(self) -> dt.date:
        """The same dates a year before, up to the day the period is seen as of."""
        return year_before(self.as_of)

    @property
    def funding_year(self) -> int:
        return self.start.year


def campaign_period(campaign: Campaign, *, today: dt.date) -> Period:
    """A campaign's period: its dates, as of today while it runs, as of its last day once over."""
    return Period(
        county_id=campaign.county_id,
        start=campaign.starts_on,
        end=campaign.ends_on,
        as_of=min(campaign.ends_on, today),
        campaign=campaign,
    )


@dataclass
class TownshipFigures:
    """One township's figures for a period. Brigades are as they stand today (the brigades app keeps
    no dated staffing history); everything else is as of the period's `as_of`."""

    township_id: int
    name: str
    kind: str
    county_id: int
    brigade_gap: TownshipBrigadeGap | None = field(default=None, repr=False)
    brigade_status: str = ""  # the most advanced of its own brigades; "" when it has none
    brigade_status_label: str = ""
    shared_brigade: str = ""  # other townships' brigades that also serve it
    active_staff: int = 0
    min_staff: int = 0
    staff_gap: int = 0
    vehicles: int = 0
    vehicle_gap: int = 0
    equipment_gap: int = 0
    allocated: Decimal = Decimal(0)
    disbursed: Decimal = Decimal(0)
    funding_ratio: float | None = None
    planned: int = 0
    inspected: int = 0
    plan_percent: float | None = None
    hazards_found: int = 0
    hazards_rectified: int = 0
    hazards_open: int = 0
    hazards_overdue: int = 0
    hazards_major: int = 0
    hazards_major_open: int = 0
    hazards_carried_open: int = 0  # found before the period, still open as of its as_of
    rectification_rate: float | None = None
    fires: FireFigures = field(default_factory=FireFigures)
    fires_last_year: FireFigures = field(default_factory=FireFigures)  # the same dates a year before
    assignments: int = 0
    assignments_closed: int = 0
    assignments_overdue: int = 0
    assignment_rate: float | None = None
    # Its own brigades' activity in the month of the period's as_of (firebrigade.selectors.MonthActivity).
    activity_month: dt.date | None = None
    drills: int = 0
    trainings: int = 0
    call_outs: int = 0
    publicity: int = 0
    score: float = 0.0
    rank: int = 0
    tied: bool = False  # another township has the same score (并列)

    @property
    def incidents(self) -> int | None:
        return self.fires.count if self.fires is not None else None

    @property
    def incidents_last_season(self) -> int | None:
        return self.fires_last_year.count if self.fires_last_year is not None else None


# The figures a county total sums (rates are recomputed from the sums, never averaged).
SUMMED = [
    "active_staff", "min_staff", "staff_gap", "vehicles", "vehicle_gap", "equipment_gap", "allocated",
    "disbursed", "planned", "inspected", "hazards_found", "hazards_rectified", "hazards_open",
    "hazards_overdue", "hazards_major", "hazards_major_open", "hazards_carried_open", "assignments",
    "assignments_closed", "assignments_overdue", "drills", "trainings", "call_outs", "publicity",
]  # fmt: skip


# The parts of a township's figures beside its brigades, each with the figures it fills in. A page
# asks for the parts it shows; the figures of a part not asked for are None (not computed), never 0.
PARTS = {
    "equipment": ("equipment_gap",),
    "funding": ("allocated", "disbursed", "funding_ratio"),
    "plans": ("planned", "inspected", "plan_percent"),
    "hazards": (
        "hazards_found", "hazards_rectified", "hazards_open", "hazards_overdue", "hazards_major",
        "hazards_major_open", "hazards_carried_open", "rectification_rate",
    ),
    "fires": ("fires", "fires_last_year"),
    "assignments": ("assignments", "assignments_closed", "assignments_overdue", "assignment_rate"),
    "activity": ("drills", "trainings", "call_outs", "publicity"),
}  # fmt: skip


def township_figures(
    *,
    user,
    period: Period,
    township_ids=None,
    parts: frozenset[str] | set[str] = frozenset(PARTS),
) -> list[TownshipFigures]:
    """Per township of the period's county that `user` may see (and among `township_ids`): its
    brigades against the standard, and of `parts` (default all): the equipment gap, the funding of
    the period's first year, plan progress (of the period's campaign), hazards found in the period
    and their state with those carried over, fires in the period and the same dates a year before,
    the assignments the period answers for, and its own brigades' drills, trainings, call-outs and
    publicity in the month of the period's as_of (firebrigade.selectors.with_month_activity, read with
    the brigades). By county and name; a fixed number of queries
    whatever the size of the county: funding, plans, kept hazard figures and assignments are read
    with the townships, each app's figures a column of the township's row. Each row's
    `brigade_gap.township` is the township (with its county)."""
    columns, count_hazards = _figure_columns(user=user, period=period, parts=parts)
    activity_month = period.as_of if "activity" in parts else None
    gaps = brigade_selectors.township_brigade_gaps(
        user=user,
        township_ids=township_ids,
        county_id=period.county_id,
        equipment="equipment" in parts,
        columns=columns,
        activity_month=activity_month,
    )
    rows: dict[int, TownshipFigures] = {}
    kinds = choice_labels(Township, "kind")
    for gap in gaps:
        township = gap.township
        if township.county_id != period.county_id:
            continue
        row = TownshipFigures(
            township_id=township.pk,
            name=township.name,
            kind=kinds.get(township.kind, township.kind),
            county_id=township.county_id,
            brigade_gap=gap,
        )
        own = sorted(gap.brigades, key=lambda b: STATUS_ORDER.index(b.status), reverse=True)
        if own:
            row.brigade_status, row.brigade_status_label = own[0].status, own[0].status_label
        row.shared_brigade = "、".join(b.name for b in gap.shared_brigades)
        for b in gap.brigades:
            row.active_staff += b.active_staff
            row.min_staff += b.min_staff or 0
            row.staff_gap += b.staff_gap or 0
            row.vehicles += b.vehicles
            row.vehicle_gap += b.vehicle_gap or 0
            row.equipment_gap += sum(e.gap for e in b.equipment)
            if b.activity is not None:
                for name in brigade_selectors.ACTIVITY_FIELDS:
                    setattr(row, name, getattr(row, name) + getattr(b.activity, name))
        if activity_month is not None:
            row.activity_month = brigade_selectors.month_bounds(activity_month)[0]
        rows[row.township_id] = row
    if not rows:
        return []
    for part in set(PARTS) - set(parts):
        for row in rows.values():
            for name in PARTS[part]:
                setattr(row, name, None)

    for row in rows.values():
        _set_columns(row, row.brigade_gap.columns, parts=parts, columns=columns)
    if count_hazards:
        hazards = inspection_selectors.hazard_figures(
            user=user, township_ids=list(rows), campaign=period.campaign, **_within(period)
        )
        for township_id, h in hazards.items():
            _set_hazards(rows[township_id], h)
    if "fires" in parts:
        _add_fires(rows, user=user, period=period)
    return list(rows.values())


def _within(period: Period) -> dict:
    """What the domain selectors count for a period: found or given within these days, as of that day."""
    return {"on": period.as_of, "county_id": period.county_id, "start": period.start, "end": period.end}


def _figure_columns(*, user, period: Period, parts) -> tuple[dict, bool]:
    """The columns of a township's row for the funding, plans, kept hazard figures and assignments of
    `parts` (each from the app that owns the figure), and whether the hazards must be counted
    instead (a period the kept figures cannot say).

    Built once per role (the user matters only as that: who may read funding and assignments),
    period, parts and day, and kept for the process: building them took longer than the query.
    They are only read (a query they go into copies them)."""
    key = (user_role(user), period, frozenset(parts), local_today())
    built = _built_columns.get(key)
    if built is None:
        if len(_built_columns) >= 256:  # a day's periods and roles fit; older days go
            _built_columns.clear()
        built = _built_columns[key] = _build_columns(user=user, period=period, parts=parts)
    return built


_built_columns: dict[tuple, tuple[dict, bool]] = {}


def _build_columns(*, user, period: Period, parts) -> tuple[dict, bool]:
    columns = {}
    if "funding" in parts:
        columns["funding"] = brigade_selectors.funding_column(user=user, year=period.funding_year)
    if "plans" in parts and period.campaign is not None:
        columns["plans"] = inspection_selectors.plan_totals_column(campaign=period.campaign)
    count_hazards = "hazards" in parts
    if count_hazards:
        hazards = inspection_selectors.hazard_figures_column(
            campaign=period.campaign, on=period.as_of, start=period.start, end=period.end
        )
        if hazards is not None:
            columns["hazards"], count_hazards = hazards, False
    if "assignments" in parts:
        # The rows are of the period's county already: not narrowed to it again.
        columns["assignments"] = meeting_selectors.assignment_figures_column(
            user=user, on=period.as_of, start=period.start, end=period.end
        )
    # Compiled too: the row they go into is read as it is (township_brigade_gaps).
    return {name: compiled_column(column, model=Township) for name, column in columns.items()}, count_hazards


def _set_columns(r: TownshipFigures, figures: dict, *, parts, columns: dict) -> None:
    if "funding" in parts:
        funding = figures.get("funding")
        if funding:
            r.allocated, r.disbursed = Decimal(funding["allocated"]), Decimal(funding["disbursed"])
        r.funding_ratio = ratio(r.disbursed, r.allocated)
    if "plans" in parts:
        plans = figures.get("plans") or {}
        r.planned, r.inspected = plans.get("planned", 0), plans.get("inspected", 0)
        r.plan_percent = ratio(r.inspected, r.planned)
    if "hazards" in columns:
        _set_hazards(r, figures.get("hazards"))
    if "assignments" in parts:
        item = figures.get("assignments")
        if item:
            r.assignments, r.assignments_closed = item["total"], item["closed"]
            r.assignments_overdue = item["overdue"]
            r.assignment_rate = ratio(item["closed"], item["total"])


def _set_hazards(r: TownshipFigures, h: dict | None) -> None:
    if not h:
        return
    r.hazards_found, r.hazards_rectified, r.hazards_open = h["found"], h["rectified"], h["open"]
    r.hazards_overdue, r.hazards_major, r.hazards_major_open = h["overdue"], h["major"], h["major_open"]
    r.hazards_carried_open = h["carried_open"]
    r.rectification_rate = ratio(h["rectified"], h["found"])


def _add_fires(rows: dict[int, TownshipFigures], *, user, period: Period) -> None:
    fires = brigade_selectors.fire_figures(
        user=user,
        county_id=period.county_id,
        periods={"this": (period.start, period.as_of), "last": (period.last_start, period.last_end)},
    )
    for township_id, sums in fires.items():
        if township_id in rows:
            rows[township_id].fires, rows[township_id].fires_last_year = sums["this"], sums["last"]


def county_total(rows: list[TownshipFigures]) -> TownshipFigures:
    """The rows summed (rates from the sums), for the totals line of a table."""
    total = TownshipFigures(township_id=0, name=str(TOTAL_LABEL), kind="", county_id=0)
    for name in SUMMED:
        setattr(total, name, sum((getattr(r, name) for r in rows), type(getattr(total, name))()))
    for r in rows:
        total.fires.add(r.fires)
        total.fires_last_year.add(r.fires_last_year)
    total.funding_ratio = ratio(total.disbursed, total.allocated)
    total.plan_percent = ratio(total.inspected, total.planned)
    total.rectification_rate = ratio(total.hazards_rectified, total.hazards_found)
    total.assignment_rate = ratio(total.assignments_closed, total.assignments)
    return total
