"""What each role finds on its home page: the township page (the township lead's home, with its
to-do list), the police station's home and the premises responsible person's home. Each reads the
domain apps' selectors, scoped to the user; a fixed number of queries whatever the data's size."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import F, Max, OuterRef, Q, Subquery
from django.utils.text import Truncator

from core.clock import local_today
from core.compiled import CompiledQuery
from core.models import Role
from core.scoping import scope_queryset, user_grid_member_id, user_role, visible_premises_ids
from core.templatetags.display import day
from core.text import choice_labels
from firebrigade import selectors as brigade_selectors
from firebrigade.models import EquipmentItem
from inspections import selectors as inspection_selectors
from inspections.models import Campaign, Hazard, Inspection, InspectionPlan
from leaders.figures import Period, TownshipFigures, campaign_period, township_figures
from meetings import selectors as meeting_selectors
from meetings.models import Assignment
from townships import selectors as township_selectors
from townships.models import GridMember, PoliceStation, Premises, Township

HOME_PARTS = frozenset({"plans", "hazards", "assignments", "activity"})


def township_home(*, user, township_id: int, on: dt.date, campaign_id: int | None = None):
    """The township page and the township lead's home as of `on`: the header figures of a campaign
    (`campaign_id`, else the county's current one) and the to-do list, or None when the user may
    not see the township (or the campaign asked for is not one of its county's). A fixed number of
    queries whatever the size of the township.

    Figures: leaders.figures.township_figures for the campaign's period, the same function as the
    dashboard's row, the 通报 and the API. To-do (whatever the campaign): plans of the current
    campaign with premises not yet inspected (by due date), hazards whose deadline is within 3 days
    or past, assignments not closed due within 7 days or past, equipment (not scrapped) whose next
    maintenance is within 7 days or past.
    """
    # The township's county's campaigns, to choose from; the current one is picked among them by the
    # one rule. Read before the township: its row comes with its figures (leaders.figures).
    campaigns = _CAMPAIGNS.rows(user=user, township_id=township_id)
    current_campaign = inspection_selectors.campaign_pick_current(campaigns, on=on)
    campaign = current_campaign
    if campaign_id is not None:
        campaign = next((c for c in campaigns if c.pk == campaign_id), None)
        if campaign is None:
            return None
    if campaign is not None:
        period = campaign_period(campaign, today=on)
    else:  # no campaign yet: today alone, and what earlier days left open
        county_id = (
            township_selectors.township_choices(user=user)
            .filter(pk=township_id)
            .values_list("county_id", flat=True)
            .first()
        )
        if county_id is None:
            return None
        period = Period(county_id=county_id, start=on, end=on, as_of=on)
    # The parts the page shows (not equipment, funding, fires: the dashboard's and the 通报's). None
    # when the user may not see the township.
    figures = township_figures(user=user, period=period, township_ids=[township_id], parts=HOME_PARTS)
    if not figures:
        return None
    (township_row,) = figures
    township = township_row.brigade_gap.township
    week = on + dt.timedelta(days=7)
    home = TownshipHome(township=township, on=on)
    home.campaigns, home.current_campaign, home.campaign = campaigns, current_campaign, campaign
    home.figures = township_row
    home.as_of = period.as_of

    if home.current_campaign is not None:
        plans = _PLANS_DUE.rows(user=user, campaign_id=home.current_campaign.pk, township_id=township.pk)
        home.plans_due = inspection_selectors.plan_attach_pending_premises(plans=plans)
    due_by = inspection_selectors.hazard_due_by(on)
    home.hazards_near = _HAZARDS_NEAR.rows(user=user, on=on, due_by=due_by, township_id=township.pk)
    home.assignments = _ASSIGNMENTS_DUE.rows(user=user, on=on, week=week, township_id=township.pk)
    home.equipment_due = _EQUIPMENT_DUE.rows(week=week, township_id=township.pk)
    # One row more than shown tells whether the page links to the whole list.
    for name in ("hazards_near", "assignments", "equipment_due"):
        rows = getattr(home, name)
        if len(rows) > TODO_LIMIT:
            home.more.add(name)
            setattr(home, name, rows[:TODO_LIMIT])
    # The month's grid patrols (the dashboard's and the ranking's figures, of this township).
    home.patrols = inspection_selectors.patrol_figures(user=user, on=on, township_ids=[township.pk])
    home.patrol_total = home.patrols.township(township.pk)
    _set_labels(home.hazards_near, Hazard, "status")
    _set_labels(home.hazards_near, Hazard, "severity")
    _set_labels(home.assignments, Assignment, "status")
    # What the template would work out per row, once here (the to-do is most of the page's rows).
    days: dict[dt.date, str] = {}  # deadlines repeat: each written once
    for hazard in home.hazards_near:
        hazard.title = f"{hazard.premises.name}：{Truncator(hazard.description).chars(40)}"
        if hazard.deadline not in days:
            days[hazard.deadline] = day(hazard.deadline)
        hazard.deadline_text = days[hazard.deadline]
    return home


# Rows per to-do group on the page (a phone on a poor line); a group with more links to its list.
TODO_LIMIT = 20


# The to-do lists' queries, compiled once per scope (core.compiled): their inputs only go into the
# query. Each loads only the columns the page shows: whole related rows took longer to build than
# the queries to run.


def _campaigns(*, user, township_id: int):
    return inspection_selectors.campaign_list(user=user).filter(county__townships=township_id)


def _plans_due(*, user, campaign_id: int, township_id: int):
    return (
        inspection_selectors.plan_progress(user=user, campaign=campaign_id)
        .filter(township_id=township_id, inspected_count__lt=F("planned_count"))
        .select_related(None)
        .select_related("police_station")
        .only("township_id", "title", "due_on", "planned_count", "inspected_count", "police_station__name")
        .order_by("due_on", "title")
    )


def _hazards_near(*, user, on: dt.date, due_by: dt.date, township_id: int):
    # The township is already checked against the user's scope: narrowed directly, not re-validated
    # through the list's filter form.
    return (
        inspection_selectors.hazard_due_list(user=user, on=on, due_by=due_by)
        .filter(township_id=township_id)
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
        )[: TODO_LIMIT + 1]
    )


def _assignments_due(*, user, on: dt.date, week: dt.date, township_id: int):
    return (
        meeting_selectors.assignment_list(user=user, filters={"on": on})
        .filter(township_id=township_id)
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
        )[: TODO_LIMIT + 1]
    )


def _equipment_due(*, week: dt.date, township_id: int):
    return (
        EquipmentItem.objects.filter(brigade__township_id=township_id, next_maintenance_on__lte=week)
        .exclude(condition=EquipmentItem.Condition.SCRAPPED)
        .select_related("brigade", "equipment_type")
        .only(
            "quantity", "next_maintenance_on", "brigade__township_id", "brigade__name", "equipment_type__name"
        )
        .order_by("next_maintenance_on", "id")[: TODO_LIMIT + 1]
    )


_CAMPAIGNS = CompiledQuery(Campaign, _campaigns)
_PLANS_DUE = CompiledQuery(InspectionPlan, _plans_due)
_HAZARDS_NEAR = CompiledQuery(Hazard, _hazards_near)
_ASSIGNMENTS_DUE = CompiledQuery(Assignment, _assignments_due)
_EQUIPMENT_DUE = CompiledQuery(EquipmentItem, _equipment_due)


def _set_labels(rows: list, model, field: str) -> None:
    """Set `<field>_label` on each row, what get_<field>_display gives, translating each label once
    rather than once a row (core.text.choice_labels)."""
    labels = choice_labels(model, field)
    for row in rows:
        value = getattr(row, field)
        setattr(row, f"{field}_label", labels.get(value, value))


class TownshipHome:
    """What `township_home` returns (a plain class: the figures are filled in step by step). The
    to-do rows carry only the columns the page shows (any other loads on access, a query each) and
    the labels of their choices (`status_label`, the hazards' `severity_label`); the hazards also
    their `title` (premises: description, cut at 40 characters) and `deadline_text` (`day`)."""

    def __init__(self, *, township: Township, on: dt.date):
        self.township = township
        self.on = on
        self.as_of = on
        self.campaign = None  # the campaign the figures are of
        self.current_campaign = None  # the county's current one: the to-do's plans are of it
        self.campaigns: list = []  # the county's, to choose from
        self.more: set[str] = set()  # the to-do groups cut at TODO_LIMIT
        self.figures: TownshipFigures | None = None
        self.plans_due: list = []
        self.hazards_near: list = []
        self.assignments: list = []
        self.equipment_due: list = []
        self.patrols = None  # inspections.selectors.PatrolFigures of the month
        self.patrol_total = None  # and its tally of the township

    @property
    def brigades(self) -> list:
        return self.figures.brigade_gap.brigades

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
    if user_role(user) != Role.POLICE_STATION:
        return None
    station = PoliceStation.objects.select_related("county").get(pk=user.profile.police_station_id)
    home = PoliceHome(station=station, on=on)
    home.premises_due = list(
        township_selectors.premises_due_for_inspection(user=user, on=on + dt.timedelta(days=7))
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
            .only(
                "township__name", "police_station_id", "title", "due_on", "planned_count", "inspected_count"
            )
            .order_by("due_on", "title")
        )
        home.plans_due = inspection_selectors.plan_attach_pending_premises(plans=list(plans))
    home.recent_inspections = list(
        inspection_selectors.inspection_list(user=user)
        .filter(police_station=station)
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
    _set_labels(home.premises_due, Premises, "risk_level")
    _set_labels(home.open_hazards, Hazard, "status")
    return home


@dataclass
class ResponsibleHome:
    """The landing page of a premises' responsible person (单位自查)."""

    premises: object
    on: dt.date
    open_hazards: list = field(default_factory=list)
    inspections: list = field(default_factory=list)

    @property
    def overdue_hazards(self) -> list:
        return [h for h in self.open_hazards if h.is_overdue]


def responsible_home(*, user, on: dt.date | None = None) -> ResponsibleHome | None:
    """For a premises' responsible person: their premises, its hazards not yet verified (soonest
    deadline first) and its latest 20 inspections. None when the user answers for no premises.
    Three queries."""
    premises_ids = visible_premises_ids(user)
    if not premises_ids:  # ALL (not a responsible person) or nothing
        return None
    premises = (
        scope_queryset(Premises.objects.all(), user=user, township_field="township", premises_field="pk")
        .select_related("township", "grid", "police_station")
        .first()
    )
    if premises is None:
        return None
    hazards = list(
        inspection_selectors.hazard_list(user=user)
        .filter(premises=premises)
        .exclude(status=Hazard.Status.VERIFIED)
        .order_by("deadline", "id")
    )
    inspections = list(
        inspection_selectors.inspection_list(user=user)
        .filter(premises=premises)
        .order_by("-inspected_on", "-id")[:20]
    )
    return ResponsibleHome(
        premises=premises, on=on or local_today(), open_hazards=hazards, inspections=inspections
    )


# -- 一店一码: what scanning a code opens ------------------------------------------------------------


@dataclass
class Scan:
    """What a scanned token opens for a user. `state`: "unknown" (no code carries it), "revoked"
    (作废: refused whoever asks, naming nothing), "refused" (a code in force, of a record the user
    may not see) or "premises" / "equipment" (the card, with what it shows)."""

    state: str
    premises: Premises | None = None
    item: EquipmentItem | None = None
    last_inspection: object = None
    open_hazards: list = field(default_factory=list)
    last_check: object = None


def scan(*, user, token: str) -> Scan:
    """Resolve a scanned `token`: a premises code first, else an equipment code. The card is shown
    to whoever may see the record by the usual scope (townships.selectors.premises_list,
    firebrigade.selectors.equipment_item_list); reading it writes nothing."""
    premises_code = township_selectors.premises_code_by_token(token=token)
    if premises_code is not None:
        if not premises_code.in_force:
            return Scan("revoked")
        premises = (
            township_selectors.premises_list(user=user)
            .filter(pk=premises_code.premises_id)
            .select_related("responsible_user")
            .first()
        )
        if premises is None:
            return Scan("refused")
        hazards = list(
            inspection_selectors.hazard_list(user=user)
            .filter(premises=premises)
            .exclude(status=Hazard.Status.VERIFIED)
            .order_by("deadline", "id")
        )
        last = (
            inspection_selectors.inspection_list(user=user)
            .filter(premises=premises)
            .order_by("-inspected_on", "-id")
        )
        return Scan("premises", premises=premises, last_inspection=last.first(), open_hazards=hazards)
    equipment_code = brigade_selectors.equipment_code_by_token(token=token)
    if equipment_code is None:
        return Scan("unknown")
    if not equipment_code.in_force:
        return Scan("revoked")
    item = brigade_selectors.equipment_item_list(user=user).filter(pk=equipment_code.item_id).first()
    if item is None:
        return Scan("refused")
    return Scan("equipment", item=item, last_check=brigade_selectors.equipment_last_check(item=item))


@dataclass
class GridMemberHome:
    member: GridMember
    on: dt.date
    premises: list = field(default_factory=list)
    patrols: list = field(default_factory=list)
    open_hazards: list = field(default_factory=list)
    figures: object = None
    mine: object = None
    grid: object = None

    @property
    def unpatrolled(self) -> list:
        return [p for p in self.premises if p.patrolled_this_month is None]


def grid_member_home(*, user, on: dt.date) -> GridMemberHome | None:
    """For a grid member: their grid's premises (each with the day of its last patrol this month,
    not yet patrolled first), their own patrols of the month, the grid's hazards not yet verified and
    the month's patrol figures of their grid and of themselves (inspections.selectors.patrol_figures,
    the township page's and the dashboard's). None for a user who is no grid member. A fixed number
    of queries."""
    member_id = user_grid_member_id(user)
    if member_id is None:
        return None
    member = GridMember.objects.select_related("grid", "grid__township").get(pk=member_id)
    start, _end = inspection_selectors.month_bounds(on)
    last_patrol = (
        Inspection.objects.filter(
            premises=OuterRef("pk"), kind=Inspection.Kind.PATROL, inspected_on__range=(start, on)
        )
        .order_by()
        .values("premises")
        .annotate(last=Max("inspected_on"))
        .values("last")
    )
    home = GridMemberHome(member=member, on=on)
    home.premises = list(
        township_selectors.premises_list(user=user)
        .annotate(patrolled_this_month=Subquery(last_patrol))
        .order_by(F("patrolled_this_month").asc(nulls_first=True), "name", "id")
    )
    home.patrols = list(
        inspection_selectors.patrol_list(user=user)
        .filter(inspected_on__range=(start, on))
        .order_by("-inspected_on", "-id")[:50]
    )
    home.open_hazards = list(
        inspection_selectors.hazard_list(user=user)
        .exclude(status=Hazard.Status.VERIFIED)
        .order_by("deadline", "id")
    )
    home.figures = inspection_selectors.patrol_figures(
        user=user, on=on, township_ids=[member.grid.township_id]
    )
    home.grid = next((g for g in home.figures.grids if g.grid_id == member.grid_id), None)
    home.mine = next((m for m in home.figures.members if m.user_id == user.pk), None)
    return home
