"""Reads of the townships app, scoped to what the user may see (core.scoping). Fixed query counts."""

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet

from core.models import Role
from core.scoping import ALL, scope_queryset, user_role, visible_county_id, visible_township_ids
from townships.models import Grid, GridMember, PoliceStation, Premises, Township


def township_list(*, user, filters: dict[str, Any] | None = None) -> QuerySet[Township]:
    """Townships the user may see, with grid and premises counts.

    filters: county (id), kind.
    """
    filters = filters or {}
    qs = Township.objects.select_related("county").annotate(
        grid_count=Count("grids", distinct=True),
        premises_count=Count("premises", distinct=True),
        high_risk_premises_count=Count(
            "premises", filter=Q(premises__risk_level=Premises.RiskLevel.HIGH), distinct=True
        ),
    )
    if filters.get("county"):
        qs = qs.filter(county=filters["county"])
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    return scope_queryset(qs, user=user, township_field="pk").order_by("county__name", "name")


def premises_list(*, user, filters: dict[str, Any] | None = None) -> QuerySet[Premises]:
    """Premises the user may see.

    filters: township, grid (ids or instances), risk_level, category, due_before (a date: next
    inspection due on or before it; never-inspected premises, with no due date, are not included —
    use premises_due_for_inspection for those).
    """
    filters = filters or {}
    qs = Premises.objects.select_related("township", "grid", "police_station")
    if filters.get("township"):
        qs = qs.filter(township=filters["township"])
    if filters.get("grid"):
        qs = qs.filter(grid=filters["grid"])
    if filters.get("risk_level"):
        qs = qs.filter(risk_level=filters["risk_level"])
    if filters.get("category"):
        qs = qs.filter(category=filters["category"])
    if filters.get("due_before"):
        qs = qs.filter(next_inspection_due__lte=filters["due_before"])
    return scope_queryset(qs, user=user, township_field="township", premises_field="pk")


def premises_due_for_inspection(*, user, on: dt.date) -> QuerySet[Premises]:
    """Premises whose next inspection is due on or before `on`, or that were never inspected.

    Most overdue first, never-inspected ones at the very top.
    """
    qs = premises_list(user=user).filter(Q(next_inspection_due__lte=on) | Q(next_inspection_due__isnull=True))
    return qs.order_by(F("next_inspection_due").asc(nulls_first=True), "township__name", "name")


def grid_list(*, user, filters: dict[str, Any] | None = None) -> QuerySet[Grid]:
    """Grids of the townships the user may see (a premises' responsible person: none), with their
    members prefetched (chiefs first), active_member_count and premises_count. Two queries.

    filters: township (id or instance).
    """
    filters = filters or {}
    members = GridMember.objects.order_by("role", "name")
    qs = (
        Grid.objects.select_related("township")
        .prefetch_related(Prefetch("members", queryset=members))
        .annotate(
            active_member_count=Count("members", filter=Q(members__active=True), distinct=True),
            premises_count=Count("premises", distinct=True),
        )
    )
    if filters.get("township"):
        qs = qs.filter(township=filters["township"])
    return scope_queryset(qs, user=user, township_field="township").order_by("township__name", "name")


def police_station_list(*, user, filters: dict[str, Any] | None = None) -> QuerySet[PoliceStation]:
    """Police stations covering at least one township the user may see; a county official also sees
    the stations of their county that cover none yet. The townships each covers are prefetched.

    A premises' responsible person sees the stations covering their premises' township.
    filters: county, township (a station covering it).
    """
    filters = filters or {}
    covered = PoliceStation.townships.through.objects.filter(policestation=OuterRef("pk"))
    qs = PoliceStation.objects.select_related("county").prefetch_related(
        Prefetch("townships", queryset=Township.objects.order_by("name"))
    )
    township_ids = visible_township_ids(user)
    if township_ids is not ALL:
        visible = Q(Exists(covered.filter(township_id__in=township_ids)))
        county_id = visible_county_id(user)
        if user_role(user) == Role.COUNTY_OFFICIAL and county_id is not None:
            visible |= Q(county_id=county_id)
        qs = qs.filter(visible)
    if filters.get("county"):
        qs = qs.filter(county=filters["county"])
    if filters.get("township"):
        qs = qs.filter(Exists(covered.filter(township=filters["township"])))
    return qs.order_by("name")


# --- pages: choices for filters and forms, the township lead's and the police station's home ----


def township_choices(*, user) -> QuerySet[Township]:
    """Townships the user may see, by name, for a filter or a form select. One query."""
    return scope_queryset(Township.objects.all(), user=user, township_field="pk").order_by("name")


def grid_choices(*, user) -> QuerySet[Grid]:
    """Grids of the townships the user may see (with their township, which names them). One query."""
    grids = Grid.objects.select_related("township")
    return scope_queryset(grids, user=user, township_field="township").order_by("township__name", "name")


def township_home(*, user, township_id: int, on: dt.date):
    """The township page and the township lead's home: header figures and the to-do list as of
    `on`, or None when the user may not see the township. A fixed number of queries (nine with a
    current campaign) whatever the size of the township.

    Figures: the most advanced own brigade's status, active staff against the standards' minimum,
    plan progress in the county's current campaign, hazards not yet verified / overdue, assignments
    not closed due within 7 days / overdue. To-do: plans with premises not yet inspected (by due
    date), hazards whose deadline is within 3 days or past, assignments not closed due within 7
    days or past, equipment (not scrapped) whose next maintenance is within 7 days or past.
    """
    from firebrigade import selectors as brigade_selectors
    from firebrigade.models import Brigade, EquipmentItem
    from inspections import selectors as inspection_selectors
    from inspections.models import Hazard
    from meetings import selectors as meeting_selectors
    from meetings.models import Assignment

    # The township (scoped, with its county) comes with its brigades.
    gaps = brigade_selectors.township_brigade_gaps(user=user, township_ids=[township_id], equipment=False)
    if not gaps:
        return None
    (gap,) = gaps
    township = gap.township
    week = on + dt.timedelta(days=7)
    home = TownshipHome(township=township, on=on)
    home.brigades = gap.brigades
    home.shared_brigades = gap.shared_brigades
    order = list(Brigade.Status.values)
    if home.brigades:
        best = max(home.brigades, key=lambda b: order.index(b.status))
        home.brigade_status_label = best.status_label
    home.active_staff = sum(b.active_staff for b in home.brigades)
    home.min_staff = sum(b.min_staff or 0 for b in home.brigades)
    home.staff_gap = sum(b.staff_gap or 0 for b in home.brigades)

    home.campaign = inspection_selectors.campaign_current(county_id=township.county_id, on=on)
    if home.campaign is not None:
        # Each list loads only the columns the page shows: whole related rows took longer to build
        # than the queries to run.
        plans = list(
            inspection_selectors.plan_progress(user=user, campaign=home.campaign)
            .filter(township_id=township.pk)
            .select_related(None)
            .select_related("police_station")
            .only("township_id", "title", "due_on", "police_station__name")
            .order_by("due_on", "title")
        )
        home.planned = sum(p.planned_count for p in plans)
        home.inspected = sum(p.inspected_count for p in plans)
        pending = [p for p in plans if p.inspected_count < p.planned_count]
        home.plans_due = inspection_selectors.plan_attach_pending_premises(plans=pending)

    figures = inspection_selectors.township_hazard_figures(township_id=township.pk, on=on)
    home.hazards_open, home.hazards_overdue = figures["open"], figures["overdue"]
    home.hazards_major_open = figures["major_open"]
    home.hazards_near = list(
        inspection_selectors.hazard_due_list(user=user, on=on, filters={"township": township.pk})
        .select_related(None)
        .select_related("premises")
        .only(
            "township_id",
            "severity",
            "description",
            "deadline",
            "status",
            "responsible_person",
            "premises__name",
        )[:TODO_LIMIT]
    )
    home.assignments = list(
        meeting_selectors.assignment_list(user=user, filters={"township": township.pk, "on": on})
        .exclude(status=Assignment.Status.CLOSED)
        .filter(deadline__lte=week)
        .select_related(None)
        .select_related("directive__meeting")
        .only(
            "township_id",
            "deadline",
            "status",
            "progress_percent",
            "responsible_person",
            "directive__text",
            "directive__meeting__title",
        )[:TODO_LIMIT]
    )
    home.equipment_due = list(
        EquipmentItem.objects.filter(brigade__township_id=township.pk, next_maintenance_on__lte=week)
        .exclude(condition=EquipmentItem.Condition.SCRAPPED)
        .select_related("brigade", "equipment_type")
        .only(
            "quantity", "next_maintenance_on", "brigade__township_id", "brigade__name", "equipment_type__name"
        )
        .order_by("next_maintenance_on", "id")[:TODO_LIMIT]
    )
    _set_labels(home.hazards_near, "status", Hazard.Status.choices)
    _set_labels(home.hazards_near, "severity", Hazard.Severity.choices)
    _set_labels(home.assignments, "status", Assignment.Status.choices)
    return home


TODO_LIMIT = 50  # rows per to-do group on the page; the lists behind the links show them all


def _set_labels(rows: list, field: str, choices) -> None:
    """Set `<field>_label` on each row, what get_<field>_display gives, translating each label once
    rather than once a row."""
    labels = {value: str(label) for value, label in choices}
    for row in rows:
        value = getattr(row, field)
        setattr(row, f"{field}_label", labels.get(value, value))


class TownshipHome:
    """What `township_home` returns (a plain class: the figures are filled in step by step). The
    to-do rows carry only the columns the page shows (any other loads on access, a query each) and
    the labels of their choices (`status_label`, the hazards' `severity_label`)."""

    def __init__(self, *, township: Township, on: dt.date):
        self.township = township
        self.on = on
        self.campaign = None
        self.brigades: list = []
        self.shared_brigades: list = []
        self.brigade_status_label = ""
        self.active_staff = self.min_staff = self.staff_gap = 0
        self.planned = self.inspected = 0
        self.hazards_open = self.hazards_overdue = self.hazards_major_open = 0
        self.plans_due: list = []
        self.hazards_near: list = []
        self.assignments: list = []
        self.equipment_due: list = []

    @property
    def plan_percent(self) -> float | None:
        return round(self.inspected * 100 / self.planned, 1) if self.planned else None

    @property
    def assignments_overdue(self) -> int:
        return sum(1 for a in self.assignments if a.is_overdue)

    @property
    def todo_count(self) -> int:
        return len(self.plans_due) + len(self.hazards_near) + len(self.assignments) + len(self.equipment_due)


class PoliceHome:
    """What `police_home` returns. As on the township page, the rows carry only the columns shown
    and the labels of their choices (`risk_level_label`, the hazards' `status_label`)."""

    def __init__(self, *, station: PoliceStation, on: dt.date):
        self.station = station
        self.on = on
        self.campaign = None
        self.premises_due: list = []
        self.plans_due: list = []
        self.recent_inspections: list = []
        self.open_hazards: list = []


def police_home(*, user, on: dt.date) -> PoliceHome | None:
    """A police station user's home as of `on`: the premises of its area (the townships it covers,
    premises naming this station or none) whose inspection is due within 7 days or that were never
    inspected; its plans in the current campaign with premises not yet inspected; its 20 latest
    inspections; the hazards found by its inspections not yet verified. None for other users.
    A fixed number of queries."""
    from inspections import selectors as inspection_selectors
    from inspections.models import Hazard

    if user_role(user) != Role.POLICE_STATION:
        return None
    station = PoliceStation.objects.select_related("county").get(pk=user.profile.police_station_id)
    home = PoliceHome(station=station, on=on)
    home.premises_due = list(
        premises_due_for_inspection(user=user, on=on + dt.timedelta(days=7))
        .filter(Q(police_station=station) | Q(police_station__isnull=True))
        .select_related(None)
        .select_related("township")
        .only("township__name", "name", "risk_level", "next_inspection_due", "police_station_id")[:TODO_LIMIT]
    )
    home.campaign = inspection_selectors.campaign_current(county_id=station.county_id, on=on)
    if home.campaign is not None:
        plans = (
            inspection_selectors.plan_progress(user=user, campaign=home.campaign)
            .filter(police_station=station, inspected_count__lt=F("planned_count"))
            .select_related(None)
            .select_related("township")
            .only("township__name", "police_station_id", "title", "due_on")
            .order_by("due_on", "title")
        )
        home.plans_due = inspection_selectors.plan_attach_pending_premises(plans=list(plans))
    home.recent_inspections = list(
        inspection_selectors.inspection_list(user=user, filters={"police_station": station.pk})
        .select_related(None)
        .select_related("premises")
        .only("township_id", "police_station_id", "kind", "inspected_on", "inspectors", "premises__name")
        .order_by("-inspected_on", "-id")[:20]
    )
    home.open_hazards = list(
        inspection_selectors.hazard_list(user=user)
        .filter(inspection__police_station=station)
        .exclude(status=Hazard.Status.VERIFIED)
        .select_related(None)
        .select_related("premises")
        .only("township_id", "description", "deadline", "status", "premises__name")
        .order_by("deadline", "id")[:TODO_LIMIT]
    )
    _set_labels(home.premises_due, "risk_level", Premises.RiskLevel.choices)
    _set_labels(home.open_hazards, "status", Hazard.Status.choices)
    return home


def police_station_choices(*, user) -> QuerySet[PoliceStation]:
    """Police stations covering a township the user may see (the guidance center: all), by name.
    One query."""
    stations = scope_queryset(PoliceStation.objects.all(), user=user, township_field="townships")
    return stations.distinct().order_by("name")
