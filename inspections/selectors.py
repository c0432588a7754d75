"""Reads of the campaign: plan progress, hazard statistics, lists and the trace-back of a premises.

Every list is scoped through `core.scoping`; every figure is a database aggregate, and every
function runs a fixed number of queries whatever the number of rows.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import router
from django.db.models import (
    BooleanField,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    IntegerField,
    JSONField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Cast, Coalesce, JSONObject, Lag, NullIf, Round
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.clock import local_date, local_today
from core.compiled import CompiledQuery, fetch_prepared
from core.filters import apply_filterset
from core.models import Role, UserProfile
from core.scoping import (
    ALL,
    scope_queryset,
    user_grid_member_id,
    user_role,
    visible_county_id,
    visible_townships,
)
from core.templatetags.display import day
from inspections.definitions import (
    VERIFIED,
    checklist_item_applies,
    checklist_items_applying,
    hazard_open_q,
    hazard_overdue_q,
    hazard_rectified_q,
    hazard_verified_late_q,
)
from inspections.filters import (
    AccountabilityFilter,
    CampaignFilter,
    ChecklistItemFilter,
    HazardFilter,
    InspectionFilter,
    InspectionPlanFilter,
)
from inspections.models import (
    Accountability,
    Campaign,
    ChecklistItem,
    HandoverAction,
    Hazard,
    HazardDeadlineTally,
    HazardHandover,
    HazardSupervision,
    HazardTally,
    Inspection,
    InspectionPlan,
    Rectification,
    Reinspection,
)
from townships.models import Grid, GridMember, Premises, Township


def _percent(part: str, whole: str):
    """part * 100 / whole, one decimal, NULL when whole is 0 — computed by the database."""
    return Round(
        Cast(F(part) * 100, DecimalField(max_digits=12, decimal_places=2)) / NullIf(F(whole), 0),
        1,
        output_field=DecimalField(max_digits=6, decimal_places=1),
    )


def _campaign(value) -> Campaign | None:
    if value is None or value == "":
        return None
    if isinstance(value, Campaign):
        return value
    return Campaign.objects.get(pk=value)


# --- plan progress -------------------------------------------------------------------------


def _with_progress(plans: QuerySet[InspectionPlan]) -> QuerySet[InspectionPlan]:
    """Each plan with its `planned_count` (premises in the plan) and `inspected_count` (distinct
    premises with an inspection under it), both kept by the services (inspections.tallies), and
    `percent` (NULL for an empty plan)."""
    return plans.select_related("township", "police_station", "campaign").annotate(
        percent=_percent("inspected_count", "planned_count")
    )


def plan_progress(*, user, campaign) -> QuerySet[InspectionPlan]:
    """The plans of `campaign` the user may see with their progress (_with_progress). One query."""
    plans = scope_queryset(
        InspectionPlan.objects.filter(campaign=campaign), user=user, township_field="township"
    )
    return _with_progress(plans).order_by("township__name", "due_on", "title")


def plan_totals_column(*, campaign) -> Subquery:
    """For a township query (OuterRef("pk")): the planned and inspected counts of its plans of
    `campaign` summed (plan_progress's, kept by the services), as JSON {"planned", "inspected"};
    NULL without a plan. A column, so that a page reads a township's figures in one row."""
    plans = (
        InspectionPlan.objects.filter(campaign=campaign, township_id=OuterRef("pk"))
        .order_by()
        .values("township_id")
        .annotate(figures=JSONObject(planned=Sum("planned_count"), inspected=Sum("inspected_count")))
        .values("figures")
    )
    return Subquery(plans, output_field=JSONField())


# --- what the county counts: rectified / open / overdue are defined in inspections.definitions
# (the other apps read them from here); verified late and the flags of a listed hazard: -------------


# Verified after its deadline (not on time); False (not NULL) while not verified yet.
VERIFIED_LATE = Coalesce(
    ExpressionWrapper(hazard_verified_late_q(), output_field=BooleanField()),
    Value(False),
    output_field=BooleanField(),
)


def hazard_flags(queryset: QuerySet[Hazard], *, on: dt.date) -> QuerySet[Hazard]:
    """Annotate `is_overdue` (as of `on`) and `verified_late` on each hazard."""
    return queryset.annotate(
        is_overdue=ExpressionWrapper(hazard_overdue_q(on), output_field=BooleanField()),
        verified_late=VERIFIED_LATE,
    )


# --- hazard statistics ---------------------------------------------------------------------


def hazard_stats(
    *,
    user,
    on: dt.date | None = None,
    campaign=None,
    county_id: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    township_ids=None,
) -> QuerySet[Township]:
    """Per township the user may see (of `county_id` and among `township_ids` when given), the hazards
    discovered from `start` to `end` (a campaign gives its county and dates) as of date `on`
    (default today), counted by the database:

    - found: discovered within the period and on or before `on`;
    - rectified: of those, rectified as of `on` (hazard_rectified_q);
    - open: found − rectified; overdue: open with a deadline before `on` (hazard_overdue_q);
    - major: found with severity major; major_open: major and open;
    - rate: rectified * 100 / found, one decimal (NULL when nothing was found).
    One query.
    """
    on = on or local_today()
    campaign = _campaign(campaign)
    if campaign is not None:
        county_id, start, end = campaign.county_id, campaign.starts_on, campaign.ends_on
    townships = scope_queryset(Township.objects.all(), user=user, township_field="id")
    if county_id is not None:
        townships = townships.filter(county_id=county_id)
    if township_ids is not None:
        townships = townships.filter(pk__in=township_ids)
    window = Q(hazards__discovered_on__lte=min(end, on) if end else on)
    if start is not None:
        window &= Q(hazards__discovered_on__gte=start)
    # The window goes into the JOIN, so only the period's hazards are read (from the covering index).
    townships = townships.annotate(found_hazards=FilteredRelation("hazards", condition=window))
    major = Q(found_hazards__severity=Hazard.Severity.MAJOR)
    return (
        townships.annotate(
            found=Count("found_hazards"),
            rectified=Count("found_hazards", filter=hazard_rectified_q(on, "found_hazards__")),
            open=Count("found_hazards", filter=hazard_open_q(on, "found_hazards__")),
            overdue=Count("found_hazards", filter=hazard_overdue_q(on, "found_hazards__")),
            major=Count("found_hazards", filter=major),
            major_open=Count("found_hazards", filter=hazard_open_q(on, "found_hazards__") & major),
        )
        .annotate(rate=_percent("rectified", "found"))
        .order_by("county__name", "name")
    )


def hazard_carried_open(*, user, before: dt.date, on: dt.date, county_id=None, township_ids=None) -> dict:
    """Per township id: hazards discovered before `before` (an earlier period) still open as of `on`,
    the work a period inherits. Townships with none are absent. One query."""
    hazards = scope_queryset(Hazard.objects.all(), user=user, township_field="township")
    if county_id is not None:
        hazards = hazards.filter(township__county_id=county_id)
    if township_ids is not None:
        hazards = hazards.filter(township_id__in=township_ids)
    rows = (
        hazards.filter(hazard_open_q(on), discovered_on__lt=before)
        .order_by()
        .values("township_id")
        .annotate(n=Count("id"))
    )
    return {row["township_id"]: row["n"] for row in rows}


def campaign_hazard_figures(*, user, campaign: Campaign, on: dt.date, township_ids=None) -> dict | None:
    """Per township id the user may see (among `township_ids`), the hazard figures of `campaign` as
    of `on`, read from the figures the services keep (inspections.tallies) — the numbers hazard_stats
    and hazard_carried_open count from the hazards themselves: found, rectified, open, overdue,
    major, major_open, carried_open. Townships with none are absent. None when the kept figures
    cannot say (as of a day before today while the campaign still ran then): count instead.
    One query, whatever the number of hazards."""
    column = campaign_hazard_column(campaign=campaign, on=on)
    if column is None:
        return None
    townships = scope_queryset(
        Township.objects.filter(county_id=campaign.county_id), user=user, township_field="pk"
    )
    if township_ids is not None:
        townships = townships.filter(pk__in=township_ids)
    rows = townships.annotate(figures=column).values_list("pk", "figures")
    return {pk: figures for pk, figures in rows if figures is not None}


def campaign_hazard_column(*, campaign: Campaign, on: dt.date) -> Subquery | None:
    """For a township query (OuterRef("pk")): campaign_hazard_figures' figures of the township as
    JSON (NULL without any), or None when the kept figures cannot say (count instead)."""
    as_of = min(on, campaign.ends_on)
    if as_of < campaign.ends_on and as_of < local_today():
        return None
    if as_of < campaign.ends_on:
        # Running: overdue by today, the open hazards of the deadlines before it summed (a deadline
        # row exists only for found hazards, so only beside a tally row).
        late = (
            HazardDeadlineTally.objects.filter(
                campaign=campaign, township_id=OuterRef("township_id"), deadline__lt=as_of
            )
            .order_by()
            .values("township_id")
            .annotate(n=Sum("open"))
            .values("n")
        )
        overdue = Coalesce(Subquery(late, output_field=IntegerField()), 0)
    else:
        overdue = F("overdue_at_end")
    tally = HazardTally.objects.filter(campaign=campaign, township_id=OuterRef("pk")).values(
        figures=JSONObject(
            found="found",
            rectified="rectified",
            open=F("found") - F("rectified"),
            overdue=overdue,
            major="major",
            major_open=F("major") - F("major_rectified"),
            carried_open="carried_open",
        )
    )
    return Subquery(tally, output_field=JSONField())


def hazard_figures_column(*, on: dt.date, start: dt.date, end: dt.date, campaign=None) -> Subquery | None:
    """hazard_figures as a column of a township query (campaign_hazard_column) when it reads the kept
    figures; None when it counts (a period other than the campaign's, or a day they cannot say)."""
    if campaign is not None and (start, end) == (campaign.starts_on, campaign.ends_on):
        return campaign_hazard_column(campaign=campaign, on=on)
    return None


HAZARD_FIGURES = ("found", "rectified", "open", "overdue", "major", "major_open", "carried_open")


def hazard_figures(
    *, user, on: dt.date, county_id: int, start: dt.date, end: dt.date, campaign=None, township_ids=None
) -> dict[int, dict]:
    """Per township id the user may see (of the county, among `township_ids`): the hazards found from
    `start` to `end` as of `on` — found, rectified, open, overdue, major, major_open — and those
    found earlier still open (carried_open). Read from the kept figures when the period is
    `campaign`'s (campaign_hazard_figures), else counted from the hazards (hazard_stats,
    hazard_carried_open): the same numbers, which `manage.py rebuild_figures --check` confirms."""
    if campaign is not None and (start, end) == (campaign.starts_on, campaign.ends_on):
        kept = campaign_hazard_figures(user=user, campaign=campaign, on=on, township_ids=township_ids)
        if kept is not None:
            return kept
    counted = {}
    within = {"on": on, "county_id": county_id, "start": start, "end": end, "township_ids": township_ids}
    for t in hazard_stats(user=user, **within):
        counted[t.pk] = {name: getattr(t, name, 0) for name in HAZARD_FIGURES}
    carried = hazard_carried_open(
        user=user, before=start, on=on, county_id=county_id, township_ids=township_ids
    )
    for township_id, n in carried.items():
        counted.setdefault(township_id, dict.fromkeys(HAZARD_FIGURES, 0))["carried_open"] = n
    return counted


# --- lists ---------------------------------------------------------------------------------


def visible_hazards(user) -> QuerySet[Hazard]:
    """Hazards `user` may read: those of the townships (and premises) in its scope; for the fire
    rescue authority, of its county, those ever handed over to it and every major hazard (the
    hazards it answers for: access.FIRE_RESCUE_READS)."""
    if user_role(user) == Role.FIRE_RESCUE:
        handed_over = HazardHandover.objects.filter(hazard=OuterRef("pk"))
        return Hazard.objects.filter(township__county_id=visible_county_id(user)).filter(
            Q(severity=Hazard.Severity.MAJOR) | Exists(handed_over)
        )
    return scope_queryset(
        Hazard.objects.all(), user=user, township_field="township", premises_field="premises"
    )


def hazard_file_readable(user, pk: int) -> bool:
    """May `user` read a file of hazard `pk` (its photos)? As it may read the hazard."""
    return visible_hazards(user).filter(pk=pk).exists()


def rectification_file_readable(user, pk: int) -> bool:
    return visible_hazards(user).filter(rectifications=pk).exists()


def handover_file_readable(user, pk: int) -> bool:
    return visible_hazards(user).filter(handovers=pk).exists()


def hazard_list(*, user, filters=None, decorated: bool = True, on: dt.date | None = None) -> QuerySet[Hazard]:
    """Hazards the user may see, each annotated with `is_overdue` (as of `on`, default today) and
    `verified_late`, narrowed by `filters` in the language of inspections.filters.HazardFilter:
    township, grid, premises, inspection, campaign (discovered within the campaign's dates, in its
    county), status (one or a list), severity, rectified / open / overdue (as of `on` too),
    discovered_on_after / _before, deadline_after / _before. An invalid value: ValidationError
    (`filters` validated already, core.filters.filter_values: applied as they are).
    `decorated=False`: which hazards only, without the flags and joined rows (a list that reads
    its rows by id: inspections.api.hazard_rows_as_of)."""
    today = on or local_today()
    qs = apply_filterset(HazardFilter, visible_hazards(user), filters, user=user, on=today)
    if not decorated:
        return qs
    return hazard_flags(
        qs.select_related("premises", "premises__grid", "township", "inspection", "checklist_item"), on=today
    )


def inspection_list(*, user, filters=None) -> QuerySet[Inspection]:
    """Inspections the user may see, each with `hazard_count` and `open_hazard_count`, narrowed by
    `filters` (inspections.filters.InspectionFilter): township, grid, premises, plan, campaign
    (inspected within its dates, in its county), kind, police_station, inspected_on_after / _before."""
    qs = scope_queryset(
        Inspection.objects.all(), user=user, township_field="township", premises_field="premises"
    )
    if user_grid_member_id(user) is not None:
        # A grid member reads their own patrols, not the inspections of others in their grid.
        qs = qs.filter(recorded_by=user)
    qs = apply_filterset(InspectionFilter, qs, filters, user=user)
    # Counted per row by subqueries: a join grouped over every inspection in scope cost ~200 ms on a
    # county's data before the page's LIMIT applied.
    hazards = Hazard.objects.filter(inspection=OuterRef("pk")).order_by().values("inspection")
    return qs.select_related("premises", "township", "plan", "police_station", "recorded_by").annotate(
        hazard_count=_count(hazards),
        open_hazard_count=_count(hazards.exclude(status=VERIFIED)),
    )


def _count(rows: QuerySet) -> Coalesce:
    """How many of `rows` (a queryset grouped by the outer row's key with .values()), 0 for none."""
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0)


# --- trace-back (责任倒查) -----------------------------------------------------------------


def hazard_trace_queryset(queryset: QuerySet[Hazard], *, on: dt.date | None = None) -> QuerySet[Hazard]:
    """Decorate a hazard queryset for trace-back pages, in a fixed number of queries (3): who found
    it (inspection and its recorder), its rectifications (with who submitted them) and
    re-inspections (with who recorded them), and as of `on` (default today) whether it is
    `is_overdue` and whether it was `verified_late` (verified after its deadline)."""
    on = on or local_today()
    queryset = queryset.select_related(
        "inspection",
        "inspection__recorded_by",
        "inspection__police_station",
        "checklist_item",
        "premises",
    ).prefetch_related(
        Prefetch(
            "rectifications",
            queryset=Rectification.objects.select_related("submitted_by").order_by("rectified_on", "id"),
        ),
        Prefetch(
            "reinspections",
            queryset=Reinspection.objects.select_related("recorded_by", "rectification").order_by(
                "inspected_on", "id"
            ),
        ),
    )
    return hazard_flags(queryset, on=on)


@dataclass
class TraceEvent:
    """One line of a trace-back timeline; `title` in the language active when it was made, its dates
    written as the pages write them (core/templatetags/display.py)."""

    date: dt.date
    # inspection / hazard / started / deadline_extended / rectification / reinspection / handover /
    # handover_action / handover_closed / handover_returned / supervised / supervision_lifted /
    # accountability
    kind: str
    title: str
    people: str = ""  # the named inspectors / rectifier
    user: object = None  # the account that recorded it
    obj: object = None
    hazard: Hazard | None = None


@dataclass
class PremisesTrace:
    premises: object
    on: dt.date
    inspections: list = field(default_factory=list)
    hazards: list = field(default_factory=list)
    accountabilities: list = field(default_factory=list)
    events: list[TraceEvent] = field(default_factory=list)

    @property
    def overdue_hazards(self) -> list:
        return [h for h in self.hazards if h.is_overdue]

    @property
    def late_hazards(self) -> list:
        return [h for h in self.hazards if h.verified_late]


def _history_events(hazard: Hazard, records: list) -> list[TraceEvent]:
    """Steps that leave no row of their own, read from the hazard's history: who started the
    rectification, who extended the deadline and why. `records` are the history rows annotated by
    premises_trace with the `previous_status` / `previous_deadline` of the row before them."""
    events = []
    for record in records:
        when = local_date(record.history_date)
        if record.previous_status == Hazard.Status.OPEN and record.status == Hazard.Status.RECTIFYING:
            events.append(
                TraceEvent(
                    when, "started", _("开始整改"), user=record.history_user, obj=record, hazard=hazard
                )
            )
        if record.previous_deadline is not None and record.deadline != record.previous_deadline:
            reason = record.history_change_reason or ""
            events.append(
                TraceEvent(
                    when,
                    "deadline_extended",
                    _("整改期限由 %(old)s 调整为 %(new)s")
                    % {"old": day(record.previous_deadline), "new": day(record.deadline)}
                    + (_("（%(text)s）") % {"text": reason} if reason else ""),
                    user=record.history_user,
                    obj=record,
                    hazard=hazard,
                )
            )
    return events


def _handover_events(handovers, actions, hazards_by_id: dict, users: dict) -> list[TraceEvent]:
    """A hand-over to the fire rescue authority, each of its actions and how it ended."""
    events = []
    kinds = dict(HandoverAction.Kind.choices)
    by_id = {handover.pk: handover for handover in handovers}
    for handover in handovers:
        hazard = hazards_by_id.get(handover.hazard_id)
        events.append(
            TraceEvent(
                handover.handed_over_on,
                "handover",
                _("移交消防救援机构：%(reason)s") % {"reason": handover.reason},
                user=users.get(handover.handed_over_by_id),
                obj=handover,
                hazard=hazard,
            )
        )
        if handover.status == HazardHandover.Status.CLOSED:
            title = _("消防救援机构办结：%(outcome)s") % {"outcome": handover.outcome}
        elif handover.status == HazardHandover.Status.RETURNED:
            title = _("消防救援机构退回乡镇：%(reason)s") % {"reason": handover.outcome}
        else:
            continue
        events.append(
            TraceEvent(
                handover.ended_on,
                f"handover_{handover.status}",
                title,
                user=users.get(handover.ended_by_id),
                obj=handover,
                hazard=hazard,
            )
        )
    for action in actions:
        handover = by_id.get(action.handover_id)
        note = _("（%(text)s）") % {"text": action.note} if action.note else ""
        events.append(
            TraceEvent(
                action.taken_on,
                "handover_action",
                _("消防救援机构：%(kind)s") % {"kind": kinds.get(action.kind, action.kind)} + note,
                user=users.get(action.recorded_by_id),
                obj=action,
                hazard=hazards_by_id.get(handover.hazard_id) if handover else None,
            )
        )
    return events


def _supervision_events(supervisions, hazards_by_id: dict, users: dict) -> list[TraceEvent]:
    """A major hazard listed for supervision (挂牌督办) and lifted (摘牌)."""
    events = []
    for supervision in supervisions:
        hazard = hazards_by_id.get(supervision.hazard_id)
        events.append(
            TraceEvent(
                supervision.listed_on,
                "supervised",
                _("挂牌督办：责任领导 %(leader)s，督办期限 %(deadline)s")
                % {"leader": supervision.leader, "deadline": day(supervision.deadline)},
                people=supervision.leader,
                user=users.get(supervision.listed_by_id),
                obj=supervision,
                hazard=hazard,
            )
        )
        if supervision.lifted_on is not None:
            events.append(
                TraceEvent(
                    supervision.lifted_on,
                    "supervision_lifted",
                    _("摘牌：%(reason)s") % {"reason": supervision.lift_reason},
                    user=users.get(supervision.lifted_by_id),
                    obj=supervision,
                    hazard=hazard,
                )
            )
    return events


def _by_hazard(rows) -> dict[int, list]:
    grouped: dict[int, list] = {}
    for row in rows:
        grouped.setdefault(row.hazard_id, []).append(row)
    return grouped


def premises_trace(*, premises, on: dt.date | None = None) -> PremisesTrace:
    """Everything that happened to `premises`, for 责任倒查: every inspection (inspectors,
    recorded_by, `trace_hazards` found), every hazard (deadline, status, overdue or verified late as
    of `on`, `trace_rectifications` and `trace_reinspections` with who, deadline extensions and the
    start of rectification from the history), every accountability decision, and one timeline
    ordered by date. Seven queries whatever the number of records (six when no account recorded
    any of it), three more for hand-overs, their actions and 挂牌督办. The caller checks that the
    user may see the premises.

    A long history has thousands of rows, so each table is read once and the rows are tied together
    here (prefetch_related would clone a queryset per hazard, select_related re-create the same
    inspection and user on every row): `hazard.inspection`, `.premises`, `.recorded_by` /
    `.submitted_by` are set without a query; `hazard.rectifications.all()` would query again."""
    on = on or local_today()
    inspections = list(Inspection.objects.filter(premises=premises).order_by("inspected_on", "id"))
    hazards = list(
        hazard_flags(Hazard.objects.filter(premises=premises), on=on).order_by("discovered_on", "id")
    )
    rectifications = list(
        Rectification.objects.filter(hazard__premises=premises).order_by("hazard_id", "rectified_on", "id")
    )
    reinspections = list(
        Reinspection.objects.filter(hazard__premises=premises).order_by("hazard_id", "inspected_on", "id")
    )
    # Only the history rows where a step happened, each with the row before it (same hazard).
    step = {"partition_by": [F("id")], "order_by": [F("history_date").asc(), F("history_id").asc()]}
    history = (
        Hazard.history.filter(premises_id=premises.pk)
        .annotate(
            previous_status=Window(Lag("status"), **step), previous_deadline=Window(Lag("deadline"), **step)
        )
        .filter(
            Q(previous_status=Hazard.Status.OPEN, status=Hazard.Status.RECTIFYING)
            | Q(previous_deadline__lt=F("deadline"))
            | Q(previous_deadline__gt=F("deadline"))
        )
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    history_by_hazard: dict[int, list] = {}
    for record in history:
        history_by_hazard.setdefault(record.id, []).append(record)
    accountabilities = list(
        Accountability.objects.filter(Q(premises=premises) | Q(hazard__premises=premises))
        .select_related("incident", "hazard")
        .order_by("decided_on", "id")
    )
    handovers = list(
        HazardHandover.objects.filter(hazard__premises=premises).order_by("handed_over_on", "id")
    )
    handover_actions = list(
        HandoverAction.objects.filter(handover__hazard__premises=premises).order_by("taken_on", "id")
    )
    supervisions = list(
        HazardSupervision.objects.filter(hazard__premises=premises).order_by("listed_on", "id")
    )
    user_ids = {i.recorded_by_id for i in inspections}
    user_ids.update(r.submitted_by_id for r in rectifications)
    user_ids.update(r.recorded_by_id for r in reinspections)
    user_ids.update(h.handed_over_by_id for h in handovers)
    user_ids.update(h.ended_by_id for h in handovers)
    user_ids.update(a.recorded_by_id for a in handover_actions)
    user_ids.update(s.listed_by_id for s in supervisions)
    user_ids.update(s.lifted_by_id for s in supervisions)
    user_ids.discard(None)
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=user_ids)}  # no query when empty

    # What select_related does, with objects already loaded: field.set_cached_value.
    set_recorded_by = Inspection._meta.get_field("recorded_by").set_cached_value
    for inspection in inspections:
        set_recorded_by(inspection, users.get(inspection.recorded_by_id))
    inspections_by_id = {inspection.pk: inspection for inspection in inspections}
    set_submitted_by = Rectification._meta.get_field("submitted_by").set_cached_value
    for rectification in rectifications:
        set_submitted_by(rectification, users.get(rectification.submitted_by_id))
    rectifications_by_id = {rectification.pk: rectification for rectification in rectifications}
    set_reinspection_by = Reinspection._meta.get_field("recorded_by").set_cached_value
    set_rectification = Reinspection._meta.get_field("rectification").set_cached_value
    for reinspection in reinspections:
        set_reinspection_by(reinspection, users.get(reinspection.recorded_by_id))
        if reinspection.rectification_id in rectifications_by_id:
            set_rectification(reinspection, rectifications_by_id[reinspection.rectification_id])
    rectifications_by_hazard = _by_hazard(rectifications)
    reinspections_by_hazard = _by_hazard(reinspections)

    set_inspection = Hazard._meta.get_field("inspection").set_cached_value
    set_premises = Hazard._meta.get_field("premises").set_cached_value
    set_rectification_hazard = Rectification._meta.get_field("hazard").set_cached_value
    set_reinspection_hazard = Reinspection._meta.get_field("hazard").set_cached_value
    hazards_by_inspection: dict[int, list] = {}
    for hazard in hazards:
        hazards_by_inspection.setdefault(hazard.inspection_id, []).append(hazard)
        if hazard.inspection_id in inspections_by_id:  # else loaded on access
            set_inspection(hazard, inspections_by_id[hazard.inspection_id])
        set_premises(hazard, premises)
        hazard.trace_rectifications = rectifications_by_hazard.get(hazard.pk, [])
        for rectification in hazard.trace_rectifications:
            set_rectification_hazard(rectification, hazard)
        hazard.trace_reinspections = reinspections_by_hazard.get(hazard.pk, [])
        for reinspection in hazard.trace_reinspections:
            set_reinspection_hazard(reinspection, hazard)

    kinds = {value: str(label) for value, label in Inspection.Kind.choices}
    severities = {value: str(label) for value, label in Hazard.Severity.choices}
    events: list[TraceEvent] = []
    for inspection in inspections:
        inspection.trace_hazards = hazards_by_inspection.get(inspection.pk, [])
        events.append(
            TraceEvent(
                inspection.inspected_on,
                "inspection",
                ngettext(
                    "%(kind)s，发现隐患 %(n)s 处",
                    "%(kind)s，发现隐患 %(n)s 处",
                    len(inspection.trace_hazards),
                )
                % {"kind": kinds.get(inspection.kind, inspection.kind), "n": len(inspection.trace_hazards)},
                people=inspection.inspectors,
                user=inspection.recorded_by,
                obj=inspection,
            )
        )
    for hazard in hazards:
        events.append(
            TraceEvent(
                hazard.discovered_on,
                "hazard",
                _("发现%(severity)s：%(description)s（整改期限 %(deadline)s，责任人 %(person)s）")
                % {
                    "severity": severities.get(hazard.severity, hazard.severity),
                    "description": hazard.description,
                    "deadline": day(hazard.deadline),
                    "person": hazard.responsible_person,
                },
                people=hazard.inspection.inspectors,
                user=hazard.inspection.recorded_by,
                obj=hazard,
                hazard=hazard,
            )
        )
        events.extend(_history_events(hazard, history_by_hazard.get(hazard.pk, [])))
        for rectification in hazard.trace_rectifications:
            events.append(
                TraceEvent(
                    rectification.rectified_on,
                    "rectification",
                    _("整改完成：%(measures)s") % {"measures": rectification.measures},
                    people=rectification.rectified_by,
                    user=rectification.submitted_by,
                    obj=rectification,
                    hazard=hazard,
                )
            )
        for reinspection in hazard.trace_reinspections:
            if reinspection.passed:
                verdict = _("复查合格，销号")
            else:
                verdict = _("复查不合格：%(note)s") % {"note": reinspection.note}
            events.append(
                TraceEvent(
                    reinspection.inspected_on,
                    "reinspection",
                    verdict,
                    people=reinspection.inspectors,
                    user=reinspection.recorded_by,
                    obj=reinspection,
                    hazard=hazard,
                )
            )
    hazards_by_id = {hazard.pk: hazard for hazard in hazards}
    events.extend(_handover_events(handovers, handover_actions, hazards_by_id, users))
    events.extend(_supervision_events(supervisions, hazards_by_id, users))
    for accountability in accountabilities:
        events.append(
            TraceEvent(
                accountability.decided_on,
                "accountability",
                _("责任追究：%(person)s（%(unit)s）%(sanction)s")
                % {
                    "person": accountability.person,
                    "unit": accountability.unit,
                    "sanction": accountability.sanction,
                },
                people=accountability.decided_by,
                obj=accountability,
                hazard=accountability.hazard,
            )
        )
    order = {
        "inspection": 0,
        "hazard": 1,
        "started": 2,
        "deadline_extended": 3,
        "rectification": 4,
        "reinspection": 5,
        "supervised": 6,
        "handover": 6,
        "handover_action": 7,
        "handover_closed": 8,
        "handover_returned": 8,
        "supervision_lifted": 8,
    }
    events.sort(key=lambda e: (e.date, order.get(e.kind, 9)))
    return PremisesTrace(
        premises=premises,
        on=on,
        inspections=inspections,
        hazards=hazards,
        accountabilities=accountabilities,
        events=events,
    )


def incident_trace(*, incident) -> PremisesTrace | None:
    """The trace-back of the premises where a fire broke out, with overdue judged as of the day of
    the fire. None when the fire is not tied to a premises."""
    if incident.premises_id is None:
        return None
    return premises_trace(premises=incident.premises, on=local_date(incident.occurred_at))


# --- API lists (added for inspections.api) -------------------------------------------------


def campaign_list(*, user, filters=None) -> QuerySet[Campaign]:
    """Campaigns of the counties `user` works in, newest first: everything for the guidance center,
    a county official's own county, and for everybody else the counties of their townships.
    Filters (inspections.filters.CampaignFilter): county, kind, active_on."""
    qs = Campaign.objects.select_related("county")
    # A county official's county is on the profile: their townships are not read to find it.
    county_id = visible_county_id(user) if user_role(user) == Role.COUNTY_OFFICIAL else None
    if county_id is not None:
        qs = qs.filter(county_id=county_id)
    else:
        township_ids = visible_townships(user)  # a subquery where it is one: no query here
        if township_ids is not ALL:
            qs = qs.filter(county_id__in=Township.objects.filter(pk__in=township_ids).values("county_id"))
    qs = apply_filterset(CampaignFilter, qs, filters, user=user)
    return qs.order_by("-starts_on", "id")


def inspection_plan_list(*, user, filters=None) -> QuerySet[InspectionPlan]:
    """Plans the user may see (by the plan's township; a premises responsible person sees none),
    each with its progress (`planned_count`, `inspected_count`, `percent`, as plan_progress) and its
    premises prefetched. Filters (inspections.filters.InspectionPlanFilter): campaign, township,
    police_station, premises, due_on_after / _before. Two queries whatever the number of plans."""
    qs = scope_queryset(InspectionPlan.objects.all(), user=user, township_field="township")
    qs = apply_filterset(InspectionPlanFilter, qs, filters, user=user)
    return (
        _with_progress(qs)
        .prefetch_related(Prefetch("premises", queryset=Premises.objects.only("id", "name", "township_id")))
        .order_by("-campaign__starts_on", "township__name", "due_on", "id")
    )


def checklist_item_list(*, user, filters=None) -> QuerySet[ChecklistItem]:
    """The county-wide checklist: every role with a role reads it, a user without one sees nothing.
    Filters (inspections.filters.ChecklistItemFilter): category, is_active."""
    if user_role(user) is None:
        return ChecklistItem.objects.none()
    qs = apply_filterset(ChecklistItemFilter, ChecklistItem.objects.all(), filters, user=user)
    return qs.order_by("order", "code")


def accountability_list(*, user, filters=None) -> QuerySet[Accountability]:
    """责任追究 decisions the user may see, by township (a premises responsible person: those naming
    their premises), newest first. Filters (inspections.filters.AccountabilityFilter): township,
    premises, hazard, incident, assignment, decided_on_after / _before."""
    qs = scope_queryset(
        Accountability.objects.all(), user=user, township_field="township", premises_field="premises"
    )
    qs = apply_filterset(AccountabilityFilter, qs, filters, user=user)
    return qs.select_related("township", "premises", "hazard", "incident", "assignment").order_by(
        "-decided_on", "-id"
    )


__all__ = [
    "PremisesTrace",
    "TraceEvent",
    "accountability_list",
    "campaign_list",
    "checklist_item_list",
    "hazard_list",
    "hazard_stats",
    "hazard_trace_queryset",
    "incident_trace",
    "inspection_list",
    "inspection_plan_list",
    "plan_progress",
    "plan_totals_column",
    "premises_trace",
]


# --- pages: the township lead's to-do, the police station's and the responsible person's home ---


def campaign_pick_current(campaigns: Iterable[Campaign], *, on: dt.date) -> Campaign | None:
    """The one rule for which campaign is current on `on`, used by every page, the 通报, the API and
    the reminders: of `campaigns` (one county's), one running on `on` — the winter-spring season
    before a special campaign (专项整治) inside it, the later-starting of two that touch — else the
    latest that has started. None before any has started. No query."""

    def precedence(campaign: Campaign) -> tuple:
        running = campaign.ends_on >= on
        season = campaign.kind == Campaign.Kind.WINTER_SPRING
        return (running and season, running, campaign.starts_on, campaign.pk)

    return max((c for c in campaigns if c.starts_on <= on), key=precedence, default=None)


def campaign_current(*, on: dt.date, county_id: int | None = None, user=None) -> Campaign | None:
    """campaign_pick_current among the campaigns of `county_id` (or those `user` works with, or
    all) that have started by `on`. One query."""
    campaigns = campaign_list(user=user) if user is not None else Campaign.objects.all()
    if county_id is not None:
        campaigns = campaigns.filter(county_id=county_id)
    return campaign_pick_current(campaigns.filter(starts_on__lte=on), on=on)


def campaign_asked_or_current(
    *, user, campaign_id: int | None, on: dt.date, campaigns: list[Campaign] | None = None
) -> Campaign | None:
    """The campaign a leaders' page or API is asked for (`campaign_id`, one of the user's counties';
    Campaign.DoesNotExist when it is not), else the current one (campaign_current). One query, none
    when given `campaigns`: every campaign of campaign_list(user=user), as a page listing them has."""
    if campaigns is None:
        if campaign_id is not None:
            return campaign_list(user=user).get(pk=campaign_id)
        return campaign_current(on=on, user=user)
    if campaign_id is not None:
        for campaign in campaigns:
            if campaign.pk == campaign_id:
                return campaign
        raise Campaign.DoesNotExist
    return campaign_pick_current(campaigns, on=on)


def plan_attach_pending_premises(*, plans: list[InspectionPlan], limit: int = 10) -> list[InspectionPlan]:
    """Set on each plan `pending_premises` (the first `limit`, by name, of the premises it lists that
    have no inspection under the plan yet; only their id and name are loaded) and `pending_count`
    (how many there are). One query for all the plans (none when `plans` is empty): a window
    numbers each plan's rows in the database, so a plan early in a campaign does not load its
    hundreds of premises to show ten."""
    by_plan: dict[int, list] = {plan.pk: [] for plan in plans}
    counts: dict[int, int] = dict.fromkeys(by_plan, 0)
    if by_plan:
        # Written as SQL: the ORM's window-then-filter wrapping took longer to compile than to run.
        # Read from the database the router picks, prepared on the connection (planned once).
        using = router.db_for_read(Premises)
        rows = fetch_prepared(
            _PENDING_SQL.format(plans=", ".join(["%s"] * len(by_plan))), [*by_plan, limit], using=using
        )
        for premises_id, name, plan_id, pending_total in rows:
            by_plan[plan_id].append(Premises.from_db(using, ["id", "name"], (premises_id, name)))
            counts[plan_id] = pending_total
    for plan in plans:
        plan.pending_premises = by_plan[plan.pk]
        plan.pending_count = counts[plan.pk]
    return plans


# Per plan: its premises without an inspection under it, numbered by name, and how many there are
# (table names from our models, values bound).
_THROUGH, _PREMISES, _INSPECTION = (
    InspectionPlan.premises.through._meta.db_table,
    Premises._meta.db_table,
    Inspection._meta.db_table,
)
_PENDING_SQL = f"""
SELECT id, name, plan_id, pending_total FROM (
  SELECT p.id, p.name, pp.inspectionplan_id AS plan_id,
    ROW_NUMBER() OVER (PARTITION BY pp.inspectionplan_id ORDER BY p.name, pp.premises_id) AS place,
    COUNT(*) OVER (PARTITION BY pp.inspectionplan_id) AS pending_total
  FROM {_THROUGH} pp JOIN {_PREMISES} p ON p.id = pp.premises_id
  WHERE pp.inspectionplan_id IN ({{plans}}) AND NOT EXISTS (
    SELECT 1 FROM {_INSPECTION} i WHERE i.plan_id = pp.inspectionplan_id AND i.premises_id = pp.premises_id
  )
) pending WHERE place <= %s ORDER BY plan_id, place
"""  # noqa: S608


def plan_choices(*, user, premises=None, on: dt.date | None = None) -> QuerySet[InspectionPlan]:
    """Plans an inspection may be recorded under: those the user may see that list `premises`
    (any campaign), or without a premises those of the campaigns running on `on` (default today).
    Latest campaign first, then by due date."""
    qs = scope_queryset(
        InspectionPlan.objects.select_related("campaign", "township", "police_station"),
        user=user,
        township_field="township",
    )
    if premises is not None:
        qs = qs.filter(premises=premises)
    else:
        on = on or local_today()
        qs = qs.filter(campaign__starts_on__lte=on, campaign__ends_on__gte=on)
    return qs.order_by("-campaign__starts_on", "due_on", "title")


def checklist_items_active() -> QuerySet:
    """Every active checklist item in its order, whatever premises category it applies to."""
    return ChecklistItem.objects.filter(is_active=True).order_by("order", "code")


def checklist_items_for(*, premises=None, category: str | None = None) -> QuerySet[ChecklistItem]:
    """The checklist an inspection or self-inspection of `premises` (or of a premises of `category`)
    fills in: the active items of its category and the common ones, in their order. The inspection
    and self-inspection forms, the API and the services all ask this. Neither given: no item."""
    if premises is not None:
        category = premises.category
    if category is None:
        return ChecklistItem.objects.none()
    return checklist_items_applying(checklist_items_active(), category).order_by("order", "code")


HAZARD_DUE_WITHIN_DAYS = 3


def hazard_due_by(on: dt.date, within_days: int = HAZARD_DUE_WITHIN_DAYS) -> dt.date:
    """The last deadline that makes a hazard due (临期) on `on`: within `within_days` days."""
    return on + dt.timedelta(days=within_days)


def hazard_due_list(
    *,
    user,
    on: dt.date | None = None,
    within_days: int = HAZARD_DUE_WITHIN_DAYS,
    filters: dict | None = None,
    due_by: dt.date | None = None,
) -> QuerySet[Hazard]:
    """Hazards the user may see (hazard_list `filters` apply) not yet verified whose deadline has
    passed or falls within `within_days` days of `on` (default today), soonest deadline first.
    `due_by`: hazard_due_by(on, within_days), given by a caller that compiles the query once
    (core.compiled: it takes the dates as they are)."""
    on = on or local_today()
    return (
        hazard_list(user=user, filters=filters, on=on)
        .exclude(status=VERIFIED)
        .filter(deadline__lte=due_by or hazard_due_by(on, within_days))
        .order_by("deadline", "id")
    )


def hazard_detail_queryset(*, user) -> QuerySet[Hazard]:
    """Hazards the user may see, decorated for the hazard page: who found it, its rectifications
    and re-inspections (prefetched), `is_overdue` and `verified_late`. Three queries for one row."""
    return (
        hazard_trace_queryset(visible_hazards(user))
        .select_related("township", "premises__grid", "premises__police_station")
        .prefetch_related(
            Prefetch(
                "handovers",
                queryset=HazardHandover.objects.select_related("handed_over_by", "ended_by").order_by(
                    "handed_over_on", "id"
                ),
            ),
            Prefetch("handovers__actions", queryset=HandoverAction.objects.order_by("taken_on", "id")),
            Prefetch("supervisions", queryset=HazardSupervision.objects.order_by("listed_on", "id")),
        )
    )


def _choice_filter(filters, name: str, choices) -> str | None:
    """The value of `filters[name]` when given: one of `choices`, else a ValidationError naming it."""
    value = (filters or {}).get(name) or None
    if value is not None and value not in choices:
        raise ValidationError({name: [_("无效的选项：%(value)s") % {"value": value}]})
    return value


def handover_list(*, user, filters=None) -> QuerySet[HazardHandover]:
    """Hand-overs of the hazards `user` may read (the fire rescue authority: every one of its county),
    newest first, narrowed by `filters`: status (handed_over / closed / returned); with their
    hazard, premises, township and actions."""
    qs = HazardHandover.objects.filter(hazard__in=visible_hazards(user).values("pk"))
    status = _choice_filter(filters, "status", HazardHandover.Status.values)
    if status:
        qs = qs.filter(status=status)
    return (
        qs.select_related("hazard__premises", "hazard__township")
        .prefetch_related(Prefetch("actions", queryset=HandoverAction.objects.order_by("taken_on", "id")))
        .order_by("-handed_over_on", "-id")
    )


def supervision_list(*, user, filters=None, on: dt.date | None = None) -> QuerySet[HazardSupervision]:
    """挂牌督办 of the hazards `user` may read, soonest deadline first, narrowed by `filters`: listed
    ("true": listed on `on`, "false": not, i.e. lifted by then or listed later). `on` is today unless
    given (the 通报 reads the listings as of its last day). Each with `is_overdue`: listed on `on`,
    its deadline passed and its hazard not verified by then."""
    on = on or local_today()
    qs = HazardSupervision.objects.filter(hazard__in=visible_hazards(user).values("pk"))
    listed_q = Q(listed_on__lte=on) & (Q(lifted_on__isnull=True) | Q(lifted_on__gt=on))
    listed = _choice_filter(filters, "listed", ("true", "false"))
    if listed is not None:
        qs = qs.filter(listed_q if listed == "true" else ~listed_q)
    not_verified = Q(hazard__verified_on__isnull=True) | Q(hazard__verified_on__gt=on)
    return (
        qs.select_related("hazard__premises", "hazard__township")
        .annotate(
            is_overdue=ExpressionWrapper(
                listed_q & Q(deadline__lt=on) & not_verified, output_field=BooleanField()
            )
        )
        .order_by("deadline", "id")
    )


def hazard_open_handover(hazard: Hazard) -> HazardHandover | None:
    """The hazard's hand-over the fire rescue authority has still to act on, if any (from the
    prefetched `handovers` of hazard_detail_queryset)."""
    return next((h for h in hazard.handovers.all() if h.status == HazardHandover.Status.HANDED_OVER), None)


def hazard_listing(hazard: Hazard) -> HazardSupervision | None:
    """The hazard's 挂牌督办 in force (not lifted), if any (from the prefetched `supervisions`)."""
    return next((s for s in hazard.supervisions.all() if s.lifted_on is None), None)


__all__ += [
    "campaign_current",
    "checklist_item_applies",
    "checklist_items_active",
    "checklist_items_for",
    "handover_list",
    "hazard_detail_queryset",
    "hazard_due_by",
    "hazard_due_list",
    "hazard_listing",
    "hazard_open_handover",
    "plan_attach_pending_premises",
    "plan_choices",
    "supervision_list",
    "visible_hazards",
]


@dataclass
class PremisesHazards:
    """A premises' hazards still open as of a day: all, overdue, and major ones."""

    open: int = 0
    overdue: int = 0
    major: int = 0


def open_hazards_by_premises(*, user, on: dt.date, township_ids=None) -> dict[int, PremisesHazards]:
    """Per premises with any hazard open as of `on` (definitions: open, overdue), among those the
    user may see: how many are open, overdue and major. One query."""
    qs = scope_queryset(
        Hazard.objects.filter(hazard_open_q(on)),
        user=user,
        township_field="township",
        premises_field="premises",
    )
    if township_ids is not None:
        qs = qs.filter(township_id__in=township_ids)
    rows = (
        qs.order_by()
        .values("premises_id")
        .annotate(
            open=Count("pk"),
            overdue=Count("pk", filter=hazard_overdue_q(on)),
            major=Count("pk", filter=Q(severity=Hazard.Severity.MAJOR)),
        )
    )
    return {row["premises_id"]: PremisesHazards(row["open"], row["overdue"], row["major"]) for row in rows}


# --- patrols (巡查) and their figures ---------------------------------------------------------------


def patrol_list(*, user, filters=None) -> QuerySet[Inspection]:
    """Patrols the user may see (inspection_list's scope and filters: a grid member, their own)."""
    return inspection_list(user=user, filters=filters).filter(kind=Inspection.Kind.PATROL)


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    """The first and the last day of the month of `month`."""
    first = month.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return first, last


@dataclass
class PatrolTally:
    """Premises in grids, those patrolled at least once in the month, and the patrols."""

    premises: int = 0
    patrolled: int = 0
    patrols: int = 0

    @property
    def percent(self) -> float | None:
        """Patrol completion: premises patrolled / premises of the grid(s), one decimal."""
        return round(self.patrolled * 100 / self.premises, 1) if self.premises else None


@dataclass
class GridPatrols(PatrolTally):
    grid_id: int = 0
    name: str = ""
    township_id: int = 0
    township_name: str = ""


@dataclass
class MemberPatrols(PatrolTally):
    user_id: int = 0
    name: str = ""
    grid_id: int = 0
    grid_name: str = ""
    township_id: int = 0
    township_name: str = ""
    rank: int = 0


@dataclass
class PatrolFigures:
    """A month's patrol figures: per township, per grid and per grid member (ranked)."""

    start: dt.date
    end: dt.date
    townships: dict[int, PatrolTally] = field(default_factory=dict)
    grids: list[GridPatrols] = field(default_factory=list)
    members: list[MemberPatrols] = field(default_factory=list)

    def township(self, township_id: int) -> PatrolTally:
        return self.townships.get(township_id, PatrolTally())


def patrol_figures(*, user, on: dt.date, township_ids: Iterable[int] | None = None) -> PatrolFigures:
    """Patrol completion in the month of `on` (its first day to `on`) for the townships `user` may
    see (narrowed to `township_ids`): per grid, the premises in it and those patrolled at least once;
    per township, the sum over its grids; per grid member (an active account), the premises of
    their grid they patrolled and their patrols, ranked by completion then patrols (equal: 并列).
    The one definition the township page, the dashboard and the ranking show. One query (and
    the user's townships) whatever the county's size. Counts only: a grid member sees the figures
    of their township's grids."""
    start, _last = month_bounds(on)
    figures = PatrolFigures(start=start, end=on)
    using = router.db_for_read(Inspection)
    ids = None if township_ids is None else tuple(sorted(township_ids))
    seen = _PATROL_SEEN.statement(user=user, township_ids=ids)
    if seen is None:  # no township to see
        return figures
    seen_sql, seen_params = seen
    # One statement for the four reads (written as SQL: building and compiling them through the ORM
    # took longer than running them): each row says which it is, in the order each is read in.
    # Prepared on the connection: planned once per scope, not per request.
    rows = fetch_prepared(
        _PATROL_SQL % {"seen": seen_sql},
        [*seen_params, Inspection.Kind.PATROL, start, on, Role.GRID_MEMBER],
        using=using,
    )
    per_grid: dict[int, int] = {}
    per_township: dict[int, int] = {}
    per_member: dict[int, tuple[int, int]] = {}
    for kind, a, b, c, d, name, township_name in rows:
        if kind == _PATROLS_PER_GRID:
            # The premises patrolled in each grid, the patrols in each township.
            township_id, grid_id, patrolled, n = a, b, c, d
            if grid_id is not None:
                per_grid[grid_id] = patrolled
            per_township[township_id] = per_township.get(township_id, 0) + n
        elif kind == _GRIDS:
            row = GridPatrols(
                grid_id=a,
                name=name,
                township_id=b,
                township_name=township_name,
                premises=c,
                patrolled=per_grid.get(a, 0),
            )
            figures.grids.append(row)
            total = figures.townships.setdefault(row.township_id, PatrolTally())
            total.premises += row.premises
            total.patrolled += row.patrolled
        elif kind == _PATROLS_PER_MEMBER:
            per_member[a] = (b, c)
    for township_id, n in per_township.items():
        figures.townships.setdefault(township_id, PatrolTally()).patrols = n
    grid_rows = {row.grid_id: row for row in figures.grids}
    for kind, user_id, grid_id, _c, _d, name, _t in rows:
        if kind != _MEMBERS:
            continue
        grid = grid_rows.get(grid_id)
        if grid is None:
            continue
        patrolled, n = per_member.get(user_id, (0, 0))
        figures.members.append(
            MemberPatrols(
                user_id=user_id,
                name=name,
                grid_id=grid_id,
                grid_name=grid.name,
                township_id=grid.township_id,
                township_name=grid.township_name,
                premises=grid.premises,
                patrolled=patrolled,
                patrols=n,
            )
        )
    figures.members.sort(key=lambda m: (-(m.percent or 0), -m.patrols, m.township_name, m.name))
    previous, rank = None, 0
    for position, member in enumerate(figures.members, start=1):
        key = (member.percent or 0, member.patrols)
        if key != previous:
            rank, previous = position, key
        member.rank = rank
    return figures


def _patrol_seen(*, user, township_ids: tuple | None):
    """The townships patrol_figures reads: all or those visible, of the user's county, among those
    asked for (a shape); as the ORM writes it for the database at hand (the embedded SQLite as well
    as PostgreSQL), compiled once per scope (core.compiled)."""
    seen = Township.objects.all()
    visible = visible_townships(user)  # a subquery where it is one: no query of its own
    if visible is not ALL:
        seen = seen.filter(pk__in=visible)
    county_id = visible_county_id(user)
    if county_id is not None:
        seen = seen.filter(county_id=county_id)
    if township_ids is not None:
        seen = seen.filter(pk__in=township_ids)
    return seen.values("id", "name")


_PATROL_SEEN = CompiledQuery(Township, _patrol_seen)

# What patrol_figures reads, by kind of row (the rows come in this order, each kind in its order).
_PATROLS_PER_GRID, _GRIDS, _PATROLS_PER_MEMBER, _MEMBERS = 1, 2, 3, 4
_GRID, _GRID_MEMBER = Grid._meta.db_table, GridMember._meta.db_table
_PROFILE, _USER = UserProfile._meta.db_table, get_user_model()._meta.db_table
# `seen`: the townships seen (the ORM's SQL, its values bound). A patrol counts for the grid its
# premises is in now; a member's, only of premises of their own grid. Values bound (the patrol
# kind, the month's first day and `on`, the grid member role), table names from our models.
_PATROL_SQL = f"""
WITH seen AS (%(seen)s), patrols AS (
  SELECT i.id, i.township_id, i.premises_id, i.recorded_by_id, p.grid_id
  FROM {_INSPECTION} i JOIN seen ON seen.id = i.township_id JOIN {_PREMISES} p ON p.id = i.premises_id
  WHERE i.kind = %%s AND i.inspected_on BETWEEN %%s AND %%s
), grids AS (
  SELECT g.id, g.name, g.township_id, seen.name AS township_name
  FROM {_GRID} g JOIN seen ON seen.id = g.township_id
)
SELECT kind, a, b, c, d, name, township_name FROM (
  SELECT {_PATROLS_PER_GRID} AS kind, township_id AS a, grid_id AS b, COUNT(DISTINCT premises_id) AS c,
    COUNT(id) AS d, NULL AS name, NULL AS township_name, 0 AS place
  FROM patrols GROUP BY township_id, grid_id
  UNION ALL
  -- Each grid's premises counted on the grid index, grid by grid: grouping the county's premises
  -- (a join with the grids, then an aggregate) took 1.6 times as long.
  SELECT {_GRIDS}, g.id, g.township_id, (SELECT COUNT(*) FROM {_PREMISES} p WHERE p.grid_id = g.id), NULL,
    g.name, g.township_name, ROW_NUMBER() OVER (ORDER BY g.township_name, g.name)
  FROM grids g
  UNION ALL
  SELECT {_PATROLS_PER_MEMBER}, pt.recorded_by_id, COUNT(DISTINCT pt.premises_id), COUNT(DISTINCT pt.id),
    NULL, NULL, NULL, 0
  FROM patrols pt JOIN {_GRID_MEMBER} gm ON gm.grid_id = pt.grid_id
    JOIN {_PROFILE} up ON up.grid_member_id = gm.id AND up.user_id = pt.recorded_by_id
  GROUP BY pt.recorded_by_id
  UNION ALL
  SELECT {_MEMBERS}, up.user_id, gm.grid_id, NULL, NULL, gm.name, NULL,
    ROW_NUMBER() OVER (ORDER BY gm.name, up.user_id)
  FROM {_PROFILE} up JOIN {_USER} u ON u.id = up.user_id JOIN {_GRID_MEMBER} gm ON gm.id = up.grid_member_id
  WHERE up.role = %%s AND u.is_active AND gm.grid_id IN (SELECT id FROM grids)
) rows ORDER BY kind, place
"""  # noqa: S608
