"""Reads of the firebrigade app, scoped to what the user may see (core.scoping).

Figures are aggregated in the database and every selector runs a fixed number of queries,
however many townships, brigades, members or items there are.
"""

import datetime as dt
import functools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    DateTimeField,
    DecimalField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    JSONField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, JSONObject
from django.utils import timezone

from core import geo
from core.access import withhold
from core.clock import day_start
from core.compiled import CompiledQuery
from core.expressions import compiled_column
from core.filters import apply_filterset
from core.scoping import scope_queryset
from core.text import choice_labels
from firebrigade import access
from firebrigade import filters as filtersets
from firebrigade.models import (
    DEFAULT_REPORT_HOURS,
    Brigade,
    BrigadeDocument,
    BrigadeMember,
    BrigadeStandard,
    CallOut,
    Disbursement,
    DutyRosterEntry,
    EquipmentCheck,
    EquipmentCode,
    EquipmentItem,
    EquipmentRequirement,
    EquipmentType,
    FireGrade,
    FireIncident,
    FireReportingRule,
    FundingAllocation,
    FundingCategory,
    PublicityActivity,
    TrainingRecord,
)
from townships.models import Township

MONEY = DecimalField(max_digits=14, decimal_places=2)


def _with_figures(qs: QuerySet[Brigade]) -> QuerySet[Brigade]:
    """Brigades with the minimums of their class's standard (active_staff and good_vehicles are
    columns the services keep: firebrigade.tallies)."""
    standard = BrigadeStandard.objects.filter(brigade_class=OuterRef("brigade_class"))
    return qs.annotate(
        standard_id=Subquery(standard.values("pk")[:1]),
        min_staff=Subquery(standard.values("min_staff")[:1]),
        min_vehicles=Subquery(standard.values("min_vehicles")[:1]),
        min_station_area_m2=Subquery(standard.values("min_station_area_m2")[:1]),
    )


def brigade_list(*, user, filters: dict[str, Any] | None = None) -> QuerySet[Brigade]:
    """Brigades of the townships the user may see, with active_staff, good_vehicles and the
    minimums of their class's standard (min_staff, min_vehicles, min_station_area_m2; None when
    the class has no standard).

    filters: those of firebrigade.filters.BrigadeFilter (township, status, brigade_class, ...).
    """
    qs = scope_queryset(Brigade.objects.select_related("township"), user=user, township_field="township")
    qs = apply_filterset(filtersets.BrigadeFilter, qs, filters, user=user)
    return _with_figures(qs).order_by("township__name", "name")


# A brigade's class's standard (its id and minimums) as one JSON value, read with the brigade: a
# subquery on the few standards rather than a query of its own or four subqueries.
STANDARD_FIELDS = ("min_staff", "min_vehicles", "min_station_area_m2")


def _with_standard(qs: QuerySet[Brigade]) -> QuerySet[Brigade]:
    return qs.annotate(standard_figures=_standard_column())


@functools.cache
def _standard_column():
    """The brigade's standard as a column, compiled once (it depends on nothing of the request): the
    brigades it annotates are read as they are (core.expressions.compiled_column)."""
    standard = BrigadeStandard.objects.filter(brigade_class=OuterRef("brigade_class")).values(
        figures=JSONObject(pk="pk", **{name: name for name in STANDARD_FIELDS})
    )[:1]
    return compiled_column(Subquery(standard, output_field=JSONField()), model=Brigade)


def _attach_standards(brigades: list[Brigade]) -> None:
    """Set on each brigade (read through _with_standard) what _with_figures annotates: standard_id
    and the minimums of its class's standard, None without one."""
    for brigade in brigades:
        standard = brigade.standard_figures or {}
        brigade.standard_id = standard.get("pk")
        for name in STANDARD_FIELDS:
            setattr(brigade, name, standard.get(name))


def _gap(required: int | None, held: int | None) -> int | None:
    if required is None:
        return None
    return max(required - (held or 0), 0)


@dataclass
class EquipmentGap:
    equipment_type: EquipmentType
    required: int
    held: int  # good condition only: items to repair or scrapped do not count toward the standard
    gap: int


@dataclass
class BrigadeGap:
    brigade: Brigade
    status: str
    status_label: str
    has_standard: bool
    active_staff: int
    min_staff: int | None
    staff_gap: int | None
    vehicles: int
    min_vehicles: int | None
    vehicle_gap: int | None
    station_area_m2: int | None
    min_station_area_m2: int | None
    station_area_gap: int | None
    equipment: list[EquipmentGap] = field(default_factory=list)
    activity: "MonthActivity | None" = None  # township_brigade_gaps(activity_month=...) only


@dataclass
class TownshipBrigadeGap:
    township: Township
    brigades: list[BrigadeGap] = field(default_factory=list)  # the township's own brigades
    shared_brigades: list[Brigade] = field(default_factory=list)  # others' brigades that also serve it
    columns: dict = field(default_factory=dict)  # the values of township_brigade_gaps' `columns`

    @property
    def has_brigade(self) -> bool:
        return bool(self.brigades or self.shared_brigades)


def township_brigade_gaps(
    *,
    user,
    township_ids=None,
    county_id: int | None = None,
    equipment: bool = True,
    columns: dict | None = None,
    activity_month: dt.date | None = None,
) -> list[TownshipBrigadeGap]:
    """Per township the user may see (optionally only those of `county_id`, and only the ids in
    `township_ids`): its brigades' status, active staff against the standard minimum, good
    vehicles, station area, and for every equipment type the standard requires the quantity held in
    good condition and the gap. Five queries (one when no township is seen, four when only one is);
    two fewer with `equipment=False` (then every `equipment` is empty). The brigades' and the
    equipment's queries are compiled once per scope (core.compiled).

    `columns`: {name: expression over the township} read with the townships (other apps' figures
    as subqueries on OuterRef("pk"), so that a page reads all of a township's in one row): each
    row's `columns` holds their values.

    `activity_month` (any day of a month): each own brigade's `activity` is its MonthActivity of that
    month (with_month_activity), read with the brigades: no query more.
    """
    ids = None if township_ids is None else tuple(sorted(township_ids))
    townships_qs = _townships_seen(user=user, county_id=county_id, township_ids=ids)
    # Prefixed: a figure's name may be a relation's ("hazards").
    names = {f"column_{name}": name for name in columns or {}}
    townships = list(
        townships_qs.annotate(**{key: columns[name] for key, name in names.items()})
        .select_related("county")
        .order_by("county__name", "name")
    )
    if not townships:
        return []

    month = {} if activity_month is None else month_activity_bounds(activity_month)
    shared: dict[int, list[Brigade]] = {t.pk: [] for t in townships}
    if len(townships) == 1:
        # One township (its page), already seen: its own brigades and those also serving it in one
        # query; the equipment of its own.
        (pk,) = shared
        seen = {"township_id": pk}
        both = _BRIGADES_SERVING.rows(township_id=pk, **month)
        brigades = [b for b in both if b.township_id == pk]
        shared[pk] = [b for b in both if b.serves_township]
    else:
        seen = {"user": user, "county_id": county_id, "township_ids": ids}
        brigades = _BRIGADES_OF.rows(**seen, **month)
        for link in _SHARED_LINKS.rows(**seen):
            shared[link.township_id].append(link.brigade)
    _attach_standards(brigades)
    requirements: list[EquipmentRequirement] = []
    held: dict[tuple[int, int], int] = {}
    if equipment:
        requirements = _REQUIREMENTS.rows(**seen)
        held = {(row["brigade_id"], row["equipment_type_id"]): row["total"] for row in _HELD.rows(**seen)}

    status_labels = choice_labels(Brigade, "status")
    requirements_by_class: dict[str, list[EquipmentRequirement]] = {}
    for requirement in requirements:
        requirements_by_class.setdefault(requirement.standard.brigade_class, []).append(requirement)

    rows = {
        t.pk: TownshipBrigadeGap(township=t, columns={name: getattr(t, key) for key, name in names.items()})
        for t in townships
    }
    for brigade in brigades:
        equipment_gaps = []
        for requirement in requirements_by_class.get(brigade.brigade_class, []):
            have = held.get((brigade.pk, requirement.equipment_type_id), 0)
            equipment_gaps.append(
                EquipmentGap(
                    equipment_type=requirement.equipment_type,
                    required=requirement.quantity,
                    held=have,
                    gap=_gap(requirement.quantity, have),
                )
            )
        station_gap = None
        if brigade.min_station_area_m2 is not None:
            station_gap = _gap(brigade.min_station_area_m2, brigade.station_area_m2)
        rows[brigade.township_id].brigades.append(
            BrigadeGap(
                brigade=brigade,
                status=brigade.status,
                status_label=status_labels.get(brigade.status, brigade.status),
                has_standard=brigade.standard_id is not None,
                active_staff=brigade.active_staff,
                min_staff=brigade.min_staff,
                staff_gap=_gap(brigade.min_staff, brigade.active_staff),
                vehicles=brigade.good_vehicles,
                min_vehicles=brigade.min_vehicles,
                vehicle_gap=_gap(brigade.min_vehicles, brigade.good_vehicles),
                station_area_m2=brigade.station_area_m2,
                min_station_area_m2=brigade.min_station_area_m2,
                station_area_gap=station_gap,
                equipment=equipment_gaps,
                activity=month_activity_of(brigade) if activity_month is not None else None,
            )
        )
    for pk, serving in shared.items():
        rows[pk].shared_brigades = serving
    return [rows[t.pk] for t in townships]


# township_brigade_gaps' queries, compiled once per scope and shape (core.compiled): their inputs
# only go into the query. The townships seen: those the user may see, of `county_id`, among
# `township_ids` (a tuple, a shape), or the one `township_id` already seen.


def _townships_seen(*, user, county_id: int | None = None, township_ids: tuple | None = None):
    townships = scope_queryset(Township.objects.all(), user=user, township_field="pk")
    if county_id is not None:
        townships = townships.filter(county_id=county_id)
    if township_ids is not None:
        townships = townships.filter(pk__in=township_ids)
    return townships


def _township_pks(*, user=None, county_id=None, township_ids=None, township_id=None):
    if township_id is not None:
        return [township_id]
    return _townships_seen(user=user, county_id=county_id, township_ids=township_ids).values("pk")


def _with_month(brigades: QuerySet[Brigade], month: dict) -> QuerySet[Brigade]:
    brigades = _with_standard(brigades)
    return with_month_activity(brigades, bounds=month) if month else brigades


def _brigades_serving(*, township_id: int, **month):
    serves = Exists(
        Brigade.also_serves.through.objects.filter(brigade=OuterRef("pk"), township_id=township_id)
    )
    return (
        _with_month(Brigade.objects.annotate(serves_township=serves), month)
        .filter(Q(township_id=township_id) | Q(serves_township=True))
        .order_by("name", "pk")
    )


def _brigades_of(*, user, county_id=None, township_ids=None, **month):
    township_pks = _township_pks(user=user, county_id=county_id, township_ids=township_ids)
    return _with_month(Brigade.objects.filter(township__in=township_pks), month).order_by(
        "township_id", "name"
    )


def _shared_links(*, user, county_id=None, township_ids=None):
    township_pks = _township_pks(user=user, county_id=county_id, township_ids=township_ids)
    return (
        Brigade.also_serves.through.objects.filter(township__in=township_pks)
        .select_related("brigade")
        .order_by("brigade__name")
    )


def _requirements(**seen):
    classes = Brigade.objects.filter(township__in=_township_pks(**seen)).values("brigade_class")
    return (
        EquipmentRequirement.objects.filter(standard__brigade_class__in=classes)
        .select_related("equipment_type", "standard")
        .order_by("equipment_type__category", "equipment_type__name")
    )


def _held(**seen):
    return (
        EquipmentItem.objects.filter(
            brigade__township__in=_township_pks(**seen), condition=EquipmentItem.Condition.GOOD
        )
        .order_by()
        .values("brigade_id", "equipment_type_id")
        .annotate(total=Sum("quantity"))
    )


_BRIGADES_SERVING = CompiledQuery(Brigade, _brigades_serving)
_BRIGADES_OF = CompiledQuery(Brigade, _brigades_of)
_SHARED_LINKS = CompiledQuery(Brigade.also_serves.through, _shared_links)
_REQUIREMENTS = CompiledQuery(EquipmentRequirement, _requirements)
_HELD = CompiledQuery(EquipmentItem, _held)


def funding_summary(*, user, year: int) -> QuerySet[Township]:
    """Townships the user may see with their `year` funding: allocated, disbursed (yuan, 0 when
    nothing was budgeted), ratio = disbursed / allocated (None when nothing was allocated), and
    allocated_<category> / disbursed_<category> for every FundingCategory. One query.
    """
    in_year = Q(funding_allocations__year=year)
    per_category = {}
    for category in FundingCategory.values:
        in_category = in_year & Q(funding_allocations__category=category)
        per_category[f"allocated_{category}"] = Coalesce(
            Sum("funding_allocations__amount", filter=in_category), Value(Decimal(0)), output_field=MONEY
        )
        per_category[f"disbursed_{category}"] = Coalesce(
            Sum("funding_allocations__disbursed_amount", filter=in_category),
            Value(Decimal(0)),
            output_field=MONEY,
        )
    qs = Township.objects.annotate(
        allocated=Coalesce(
            Sum("funding_allocations__amount", filter=in_year), Value(Decimal(0)), output_field=MONEY
        ),
        disbursed=Coalesce(
            Sum("funding_allocations__disbursed_amount", filter=in_year),
            Value(Decimal(0)),
            output_field=MONEY,
        ),
        **per_category,
    ).annotate(
        ratio=Case(
            When(
                allocated__gt=0,
                then=ExpressionWrapper(F("disbursed") / F("allocated"), output_field=DecimalField()),
            ),
            default=None,
            output_field=DecimalField(),
        )
    )
    qs = withhold(qs, user=user, roles=access.FUNDING_READ_WITHHELD)
    return scope_queryset(qs, user=user, township_field="pk").order_by("county__name", "name")


def funding_column(*, user, year: int) -> Subquery:
    """For a township query already scoped to `user` (OuterRef("pk")): funding_summary's `year`
    allocated and disbursed of the township, as JSON {"allocated", "disbursed"} of decimal strings
    (exact yuan); NULL without an allocation (and for a role that does not read funding). A column,
    so that a page reads a township's figures in one row."""
    money = {
        name: Cast(Coalesce(Sum(field), Value(Decimal(0)), output_field=MONEY), CharField())
        for name, field in (("allocated", "amount"), ("disbursed", "disbursed_amount"))
    }
    allocations = withhold(
        FundingAllocation.objects.filter(township_id=OuterRef("pk"), year=year),
        user=user,
        roles=access.FUNDING_READ_WITHHELD,
    )
    rows = (
        allocations.order_by().values("township_id").annotate(figures=JSONObject(**money)).values("figures")
    )
    return Subquery(rows, output_field=JSONField())


def _visible_incidents(user) -> QuerySet[FireIncident]:
    return scope_queryset(
        FireIncident.objects.select_related("township", "premises", "responding_brigade"),
        user=user,
        township_field="township",
        premises_field="premises",
    )


def _report_hours():
    """The hours a fire's township had to report it: the guidance center's FireReportingRule of its
    grade (hours_with_deaths when anyone died), else DEFAULT_REPORT_HOURS. An expression over the
    outer fire: the rules are read where the fires are, in the same query."""
    rule = FireReportingRule.objects.filter(grade=OuterRef("grade"))

    def default(index: int) -> Case:
        return Case(
            *(When(grade=grade, then=Value(hours[index])) for grade, hours in DEFAULT_REPORT_HOURS.items()),
            output_field=IntegerField(),
        )

    return Case(
        When(deaths__gt=0, then=Coalesce(Subquery(rule.values("hours_with_deaths")[:1]), default(1))),
        default=Coalesce(Subquery(rule.values("hours")[:1]), default(0)),
        output_field=IntegerField(),
    )


def with_report_deadline(
    qs: QuerySet[FireIncident], *, now: dt.datetime | None = None
) -> QuerySet[FireIncident]:
    """Fires annotated with the reporting rule, the one definition of a late report (迟报):

    - report_hours: the hours allowed (_report_hours);
    - report_deadline: occurred_at + report_hours;
    - is_late_report: reported after the deadline (reporting exactly at it is in time), or not
      reported yet and the deadline passed before `now` (default: this moment).
    """
    now = now or timezone.now()
    return qs.annotate(
        report_hours=_report_hours(),
        report_deadline=ExpressionWrapper(
            F("occurred_at")
            + ExpressionWrapper(
                F("report_hours") * Value(dt.timedelta(hours=1)), output_field=DurationField()
            ),
            output_field=DateTimeField(),
        ),
    ).annotate(
        # The deadline written once (it holds the rules' subqueries): reported after it, or not
        # reported and `now` after it.
        is_late_report=Case(
            When(Q(report_deadline__lt=Coalesce(F("reported_at"), Value(now))), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


@dataclass(frozen=True)
class ReportRule:
    grade: str
    label: str
    hours: int
    hours_with_deaths: int


def report_rules() -> list[ReportRule]:
    """The reporting deadline of each grade as in force (the guidance center's FireReportingRule, else
    DEFAULT_REPORT_HOURS), to show to whoever reports: the figures _report_hours applies. One query."""
    rules = {rule.grade: rule for rule in FireReportingRule.objects.all()}
    shown = []
    for grade, (hours, with_deaths) in DEFAULT_REPORT_HOURS.items():
        rule = rules.get(grade)
        shown.append(
            ReportRule(
                grade=grade,
                label=str(FireGrade(grade).label),
                hours=rule.hours if rule else hours,
                hours_with_deaths=rule.hours_with_deaths if rule else with_deaths,
            )
        )
    return shown


def incident_list(
    *, user, filters: dict[str, Any] | None = None, now: dt.datetime | None = None
) -> QuerySet[FireIncident]:
    """Fires the user may see (a premises' responsible person: fires at their premises), newest first,
    with their reporting deadline and late flag (with_report_deadline, as of `now`).

    filters: those of firebrigade.filters.FireIncidentFilter (township, premises, responding_brigade,
    cause, grade, late, date_from / date_to = occurred_at_after / occurred_at_before: local dates,
    both inclusive).
    """
    qs = with_report_deadline(_visible_incidents(user), now=now)
    return apply_filterset(filtersets.FireIncidentFilter, qs, filters, user=user).order_by("-occurred_at")


@dataclass
class FireFigures:
    """Fires of a period: how many, deaths, injuries and direct loss (yuan), and how many were
    reported late (迟报: with_report_deadline's is_late_report, as of this moment)."""

    count: int = 0
    deaths: int = 0
    injuries: int = 0
    loss: Decimal = Decimal(0)
    late: int = 0

    def add(self, other: "FireFigures") -> None:
        self.late += other.late
        self.count += other.count
        self.deaths += other.deaths
        self.injuries += other.injuries
        self.loss += other.loss


def _occurred_between(since: dt.datetime, until: dt.datetime) -> Q:
    return Q(occurred_at__gte=since, occurred_at__lt=until)


def _fire_sums(*, user, by: str, names: tuple[str, ...], county_id=None, now: dt.datetime, **moments):
    """fire_figures' query: the sums per group, late flag and period (`<name>_since`, `<name>_until`
    for each of `names`). Its inputs only go into the query (core.compiled.CompiledQuery)."""
    incidents = with_report_deadline(_visible_incidents(user), now=now)
    if county_id is not None:
        incidents = incidents.filter(township__county_id=county_id)
    within = {name: _occurred_between(moments[f"{name}_since"], moments[f"{name}_until"]) for name in names}
    sums = {}
    for name, period in within.items():
        sums[f"{name}__count"] = Count("id", filter=period)
        sums[f"{name}__deaths"] = Coalesce(Sum("deaths", filter=period), 0)
        sums[f"{name}__injuries"] = Coalesce(Sum("injuries", filter=period), 0)
        sums[f"{name}__loss"] = Coalesce(
            Sum("direct_loss", filter=period), Value(Decimal(0)), output_field=MONEY
        )
    any_period = Q()
    for period in within.values():
        any_period |= period
    # Grouped by the late flag too, so that its expression is written (and compiled) once rather
    # than once a period: the late fires are those of the flagged group.
    return incidents.filter(any_period).order_by().values(by, "is_late_report").annotate(**sums)


_FIRE_SUMS = CompiledQuery(FireIncident, _fire_sums)


def fire_figures(
    *,
    user,
    periods: dict[str, tuple[dt.date, dt.date]],
    county_id: int | None = None,
    by: str = "township_id",
) -> dict[Any, dict[str, FireFigures]]:
    """The fires the user may see (of `county_id`), grouped by `by` (a field of FireIncident: the
    township, the cause), summed for each named period (start, end: the county's calendar days, both
    inclusive): {group: {period name: FireFigures}}. Groups with no fire in any period are absent.
    One query, compiled once (core.compiled)."""
    moments = {}
    for name, (start, end) in periods.items():
        moments[f"{name}_since"] = day_start(start)
        moments[f"{name}_until"] = day_start(end + dt.timedelta(days=1))
    rows = _FIRE_SUMS.rows(
        user=user, by=by, names=tuple(periods), county_id=county_id, now=timezone.now(), **moments
    )
    figures: dict[Any, dict[str, FireFigures]] = {}
    for row in rows:
        group = figures.setdefault(row[by], {name: FireFigures() for name in periods})
        for name, total in group.items():
            count = row[f"{name}__count"]
            total.add(
                FireFigures(
                    count=count,
                    deaths=row[f"{name}__deaths"],
                    injuries=row[f"{name}__injuries"],
                    loss=row[f"{name}__loss"],
                    late=count if row["is_late_report"] else 0,
                )
            )
    return figures


def brigade_member_list(*, user, filters: dict[str, Any] | None = None) -> QuerySet[BrigadeMember]:
    """Members of the brigades of the townships the user may see (scoped by the brigade's own
    township), brigade by brigade, captains first.

    filters: those of firebrigade.filters.BrigadeMemberFilter (brigade, township, role, on_duty,
    active — True: not left; False: left —, date ranges).
    """
    qs = scope_queryset(
        BrigadeMember.objects.select_related("brigade__township"),
        user=user,
        township_field="brigade__township",
    )
    qs = withhold(qs, user=user, roles=access.MEMBERS_READ_WITHHELD)
    qs = apply_filterset(filtersets.BrigadeMemberFilter, qs, filters, user=user)
    return qs.order_by("brigade__township__name", "brigade__name", "role", "name")


def equipment_type_list(*, user, filters: dict[str, Any] | None = None) -> QuerySet[EquipmentType]:
    """Equipment types: county-wide reference data, the same for every role that may read.

    filters: those of firebrigade.filters.EquipmentTypeFilter (category).
    """
    qs = EquipmentType.objects.all()
    return apply_filterset(filtersets.EquipmentTypeFilter, qs, filters, user=user).order_by(
        "category", "name"
    )


def equipment_item_list(*, user, filters: dict[str, Any] | None = None) -> QuerySet[EquipmentItem]:
    """Equipment held by the brigades of the townships the user may see.

    filters: those of firebrigade.filters.EquipmentItemFilter (brigade, township, equipment_type,
    category, condition, next_maintenance_on_before — maintenance due by that date —, date ranges).
    """
    qs = scope_queryset(
        EquipmentItem.objects.select_related("brigade__township", "equipment_type"),
        user=user,
        township_field="brigade__township",
    )
    qs = withhold(qs, user=user, roles=access.EQUIPMENT_READ_WITHHELD)
    qs = apply_filterset(filtersets.EquipmentItemFilter, qs, filters, user=user)
    return qs.order_by(
        "brigade__township__name", "brigade__name", "equipment_type__category", "equipment_type__name"
    )


def equipment_check_list(*, user, filters: dict[str, Any] | None = None) -> QuerySet[EquipmentCheck]:
    """Maintenance checks of the equipment the user may read (as equipment_item_list), newest first.

    filters: those of firebrigade.filters.EquipmentCheckFilter (item, brigade, township, result,
    checked_on range).
    """
    qs = scope_queryset(
        EquipmentCheck.objects.select_related(
            "item__brigade__township", "item__equipment_type", "checked_by"
        ),
        user=user,
        township_field="item__brigade__township",
    )
    qs = withhold(qs, user=user, roles=access.EQUIPMENT_READ_WITHHELD)
    qs = apply_filterset(filtersets.EquipmentCheckFilter, qs, filters, user=user)
    return qs.order_by("-checked_on", "-id")


def equipment_code_by_token(*, token: str) -> EquipmentCode | None:
    """The equipment code carrying `token`, in force or revoked, whoever asks (the scan page decides
    what the user may see of it); None if no equipment code carries it."""
    return (
        EquipmentCode.objects.select_related("item__brigade__township", "item__equipment_type")
        .filter(token=token)
        .first()
    )


def equipment_last_check(*, item: EquipmentItem) -> EquipmentCheck | None:
    """The item's latest maintenance check (the item's card shows it)."""
    return item.checks.select_related("checked_by").order_by("-checked_on", "-id").first()


def equipment_codes_in_force(*, user, brigade_id: int) -> list[tuple[EquipmentItem, EquipmentCode | None]]:
    """Every item of the brigade the user may read (scrapped ones left out: no label for them), each
    with its code in force or None: the brigade's label sheet. Two queries."""
    items = list(
        equipment_item_list(user=user)
        .filter(brigade_id=brigade_id)
        .exclude(condition=EquipmentItem.Condition.SCRAPPED)
    )
    codes = {
        code.item_id: code for code in EquipmentCode.objects.filter(item__in=items, revoked_at__isnull=True)
    }
    return [(item, codes.get(item.pk)) for item in items]


def funding_allocation_list(*, user, filters: dict[str, Any] | None = None) -> QuerySet[FundingAllocation]:
    """Funding allocations of the townships the user may see, each with `ratio` = disbursed_amount /
    amount (None when nothing was budgeted) and its disbursements prefetched (newest first). Two queries.

    filters: those of firebrigade.filters.FundingAllocationFilter (township, year, year_after,
    year_before, category).
    """
    disbursements = Disbursement.objects.select_related("recorded_by").order_by("-disbursed_on", "-id")
    qs = (
        FundingAllocation.objects.select_related("township")
        .prefetch_related(Prefetch("disbursements", queryset=disbursements))
        .annotate(
            ratio=Case(
                When(
                    amount__gt=0,
                    then=ExpressionWrapper(F("disbursed_amount") / F("amount"), output_field=DecimalField()),
                ),
                default=None,
                output_field=DecimalField(),
            )
        )
    )
    qs = scope_queryset(qs, user=user, township_field="township")
    qs = withhold(qs, user=user, roles=access.FUNDING_READ_WITHHELD)
    qs = apply_filterset(filtersets.FundingAllocationFilter, qs, filters, user=user)
    return qs.order_by("-year", "township__name", "category")


# --- pages (brigade list and detail) --------------------------------------------------------


def brigade_gaps_by_id(*, user, brigades) -> dict[int, BrigadeGap]:
    """The BrigadeGap (see township_brigade_gaps) of each of `brigades`, by brigade id. Five queries
    (plus the scoping look-up), whatever the number of brigades."""
    township_ids = {brigade.township_id for brigade in brigades}
    if not township_ids:
        return {}
    wanted = {brigade.pk for brigade in brigades}
    return {
        gap.brigade.pk: gap
        for row in township_brigade_gaps(user=user, township_ids=township_ids)
        for gap in row.brigades
        if gap.brigade.pk in wanted
    }


def townships_without_brigade(*, user) -> list[Township]:
    """Townships the user may see that have no brigade of their own, with `shared` = the other
    townships' brigades that also serve them (共建). Two queries."""
    townships = scope_queryset(
        Township.objects.filter(brigades__isnull=True), user=user, township_field="pk"
    ).order_by("county__name", "name")
    rows = list(townships.prefetch_related("shared_brigades"))
    for township in rows:
        township.shared = sorted(township.shared_brigades.all(), key=lambda b: b.name)
    return rows


@dataclass
class BrigadeDetail:
    brigade: Brigade
    gap: BrigadeGap | None  # None only if the brigade left the user's scope meanwhile
    also_serves: list[Township]
    members: list[BrigadeMember]  # serving (not left), captains first
    former_members: list[BrigadeMember]  # left, latest departure first
    equipment: list[EquipmentItem]  # each with `maintenance_due` (next maintenance on or before `on`)
    maintenance_due_count: int
    on: dt.date


def brigade_detail(*, user, brigade_id: int, on: dt.date) -> BrigadeDetail:
    """One brigade the user may see (Brigade.DoesNotExist otherwise): its figures, what it lacks
    against its class's standard (staff, vehicles, station area, each required equipment type held
    in good condition), its members and its equipment with maintenance due as of `on`.
    A fixed number of queries.
    """
    brigade = brigade_list(user=user).select_related("township__county").get(pk=brigade_id)
    gap = brigade_gaps_by_id(user=user, brigades=[brigade]).get(brigade.pk)
    members = list(
        withhold(
            BrigadeMember.objects.filter(brigade=brigade), user=user, roles=access.MEMBERS_READ_WITHHELD
        ).order_by("role", "name", "pk")
    )
    equipment = list(
        withhold(
            EquipmentItem.objects.filter(brigade=brigade), user=user, roles=access.EQUIPMENT_READ_WITHHELD
        )
        .select_related("equipment_type")
        .order_by("equipment_type__category", "equipment_type__name", "pk")
    )
    for item in equipment:
        item.maintenance_due = item.next_maintenance_on is not None and item.next_maintenance_on <= on
    return BrigadeDetail(
        brigade=brigade,
        gap=gap,
        also_serves=list(brigade.also_serves.order_by("name")),
        members=[m for m in members if m.left_on is None],
        former_members=sorted(
            (m for m in members if m.left_on is not None), key=lambda m: (m.left_on, m.pk), reverse=True
        ),
        equipment=equipment,
        maintenance_due_count=sum(1 for item in equipment if item.maintenance_due),
        on=on,
    )


def funding_totals(*, user, year: int) -> dict[str, Decimal]:
    """County totals (over the townships the user may see) of `year`: allocated, disbursed. One query."""
    totals = withhold(
        scope_queryset(FundingAllocation.objects.filter(year=year), user=user, township_field="township"),
        user=user,
        roles=access.FUNDING_READ_WITHHELD,
    ).aggregate(
        allocated=Coalesce(Sum("amount"), Value(Decimal(0)), output_field=MONEY),
        disbursed=Coalesce(Sum("disbursed_amount"), Value(Decimal(0)), output_field=MONEY),
    )
    return totals


# A brigade covers the premises around its station once it is built: planned and under
# construction ones do not answer calls yet.
COVERING_STATUSES = (Brigade.Status.ESTABLISHED, Brigade.Status.ACCEPTED)


@dataclass(frozen=True)
class CoveringBrigade:
    id: int
    name: str
    township_id: int
    place: geo.Point


def covering_brigades(*, county_id: int) -> list[CoveringBrigade]:
    """Every brigade of the county that covers premises (COVERING_STATUSES, with a located station),
    whoever asks: whether a premises is covered is the county's figure, the same for every reader;
    which brigades a reader may see named is brigade_list's."""
    rows = (
        Brigade.objects.filter(
            township__county_id=county_id, status__in=COVERING_STATUSES, latitude__isnull=False
        )
        .order_by("pk")
        .values_list("pk", "name", "township_id", "longitude", "latitude")
    )
    return [
        CoveringBrigade(pk, name, township_id, geo.Point(float(lon), float(lat)))
        for pk, name, township_id, lon, lat in rows
    ]


def nearest_covering(
    place: geo.Point, brigades: list[CoveringBrigade]
) -> tuple[float, CoveringBrigade] | None:
    """(distance in km, brigade) of the covering brigade nearest to `place`; None without any."""
    return geo.nearest(place, ((b.place, b) for b in brigades))


# --- the brigade archive (一队一档) ------------------------------------------------------------


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    """The first day of `month`'s month and the first day of the next one."""
    start = month.replace(day=1)
    return start, (start + dt.timedelta(days=32)).replace(day=1)


@dataclass(frozen=True)
class MonthActivity:
    """What a brigade did in a month: drills (演练), trainings (训练), call-outs (出警), publicity (宣传)."""

    month: dt.date  # its first day
    drills: int = 0
    trainings: int = 0
    call_outs: int = 0
    publicity: int = 0


ACTIVITY_FIELDS = ("drills", "trainings", "call_outs", "publicity")


def _count_of(qs: QuerySet) -> Coalesce:
    rows = qs.order_by().values("brigade_id").annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def with_month_activity(
    qs: QuerySet[Brigade], *, month: dt.date | None = None, bounds: dict | None = None
) -> QuerySet[Brigade]:
    """Brigades annotated with their activity of `month`'s month — the one definition of the monthly
    counts the township page, the dashboard, the archive page and the API show: drills and trainings
    held (TrainingRecord.held_on), call-outs called (CallOut.called_at, the county's calendar days)
    and publicity held in it. Read with month_activity_of. `bounds`: month_activity_bounds(month),
    for a query compiled once (core.compiled: it takes the dates as they are, derives none)."""
    if bounds is not None:
        counts = _activity_count_columns(**bounds)
        return qs.annotate(activity_month=Value(bounds["month_start"], output_field=DateField()), **counts)
    bounds = month_activity_bounds(month)
    start = bounds["month_start"]
    counts = _activity_counts.get(start)
    if counts is None:
        if len(_activity_counts) >= 64:  # a few months are asked for; older ones go
            _activity_counts.clear()
        counts = _activity_counts[start] = _activity_count_columns(**bounds)
    return qs.annotate(activity_month=Value(start, output_field=DateField()), **counts)


def month_activity_bounds(month: dt.date) -> dict:
    """What with_month_activity counts within: the month's first day and the next month's, and the
    moments they begin in the county."""
    start, next_start = month_bounds(month)
    return {
        "month_start": start,
        "month_next": next_start,
        "month_since": day_start(start),
        "month_until": day_start(next_start),
    }


# The month's counts as expressions over the outer brigade, built and compiled once per month and
# kept for the process (building and compiling them took longer than running them). So a query they
# annotate is run as it is, not nested (core.expressions.compiled_column).
_activity_counts: dict[dt.date, dict] = {}


def _activity_count_columns(
    *, month_start: dt.date, month_next: dt.date, month_since: dt.datetime, month_until: dt.datetime
) -> dict:
    trainings = TrainingRecord.objects.filter(
        brigade=OuterRef("pk"), held_on__gte=month_start, held_on__lt=month_next
    )
    counts = {
        "activity_drills": _count_of(trainings.filter(kind=TrainingRecord.Kind.DRILL)),
        "activity_trainings": _count_of(trainings.filter(kind=TrainingRecord.Kind.TRAINING)),
        "activity_call_outs": _count_of(
            CallOut.objects.filter(
                brigade=OuterRef("pk"), called_at__gte=month_since, called_at__lt=month_until
            )
        ),
        "activity_publicity": _count_of(
            PublicityActivity.objects.filter(
                brigade=OuterRef("pk"), held_on__gte=month_start, held_on__lt=month_next
            )
        ),
    }
    return {name: compiled_column(count, model=Brigade) for name, count in counts.items()}


def month_activity_of(brigade: Brigade) -> MonthActivity:
    """The MonthActivity of a brigade read through with_month_activity."""
    return MonthActivity(
        month=brigade.activity_month,
        **{name: getattr(brigade, f"activity_{name}") for name in ACTIVITY_FIELDS},
    )


def brigade_month_activity(*, user, month: dt.date, township_ids=None, brigade_ids=None) -> list[Brigade]:
    """The brigades the user may see (of `township_ids`, `brigade_ids`, if given), each with
    `activity`: its MonthActivity of `month`'s month (with_month_activity). One query."""
    qs = scope_queryset(Brigade.objects.select_related("township"), user=user, township_field="township")
    if township_ids is not None:
        qs = qs.filter(township__in=township_ids)
    if brigade_ids is not None:
        qs = qs.filter(pk__in=brigade_ids)
    brigades = list(with_month_activity(qs, month=month).order_by("township__name", "name"))
    for brigade in brigades:
        brigade.activity = month_activity_of(brigade)
    return brigades


def _archive_rows(model, *, user, filters, filterset, related=("brigade__township",)) -> QuerySet:
    qs = scope_queryset(model.objects.select_related(*related), user=user, township_field="brigade__township")
    qs = withhold(qs, user=user, roles=access.ARCHIVE_READ_WITHHELD)
    return apply_filterset(filterset, qs, filters, user=user)


def brigade_document_list(*, user, filters: dict[str, Any] | None = None) -> QuerySet[BrigadeDocument]:
    """Documents of the brigades the user may see (not a police station's), by brigade and kind.

    filters: firebrigade.filters.BrigadeDocumentFilter (brigade, township, kind, issued_on range)."""
    qs = _archive_rows(
        BrigadeDocument, user=user, filters=filters, filterset=filtersets.BrigadeDocumentFilter
    )
    return qs.order_by("brigade__name", "kind", "-issued_on", "id")


def training_list(*, user, filters: dict[str, Any] | None = None) -> QuerySet[TrainingRecord]:
    """Training and drill records of the brigades the user may see (not a police station's), newest
    first, their participants prefetched.

    filters: firebrigade.filters.TrainingRecordFilter (brigade, township, kind, held_on range)."""
    qs = _archive_rows(TrainingRecord, user=user, filters=filters, filterset=filtersets.TrainingRecordFilter)
    participants = BrigadeMember.objects.order_by("role", "name", "pk")
    return qs.prefetch_related(Prefetch("participants", queryset=participants)).order_by("-held_on", "-id")


def duty_roster_list(*, user, filters: dict[str, Any] | None = None) -> QuerySet[DutyRosterEntry]:
    """Duty roster entries of the brigades the user may see (not a police station's), latest day
    first, with their leader and members.

    filters: firebrigade.filters.DutyRosterEntryFilter (brigade, township, shift, duty_on range)."""
    qs = _archive_rows(
        DutyRosterEntry,
        user=user,
        filters=filters,
        filterset=filtersets.DutyRosterEntryFilter,
        related=("brigade__township", "leader"),
    )
    members = BrigadeMember.objects.order_by("role", "name", "pk")
    return qs.prefetch_related(Prefetch("members", queryset=members)).order_by("-duty_on", "shift", "-id")


def call_out_list(*, user, filters: dict[str, Any] | None = None) -> QuerySet[CallOut]:
    """Call-outs (出警) of the brigades the user may see (not a police station's), newest first, each
    with `response_minutes` (arrival − call, whole minutes; None without an arrival).

    filters: firebrigade.filters.CallOutFilter (brigade, township, kind, called_at range: local dates)."""
    qs = _archive_rows(
        CallOut,
        user=user,
        filters=filters,
        filterset=filtersets.CallOutFilter,
        related=("brigade__township", "incident"),
    )
    return qs.order_by("-called_at", "-id")


def publicity_list(*, user, filters: dict[str, Any] | None = None) -> QuerySet[PublicityActivity]:
    """Publicity activities (宣传) of the brigades the user may see (not a police station's), newest first.

    filters: firebrigade.filters.PublicityActivityFilter (brigade, township, kind, held_on range)."""
    qs = _archive_rows(
        PublicityActivity, user=user, filters=filters, filterset=filtersets.PublicityActivityFilter
    )
    return qs.order_by("-held_on", "-id")


# The printable archive covers the year before the day it is printed (and the duty roster ahead).
ARCHIVE_DAYS = 365


@dataclass
class BrigadeArchive:
    detail: BrigadeDetail
    since: dt.date
    activity: MonthActivity  # this month's
    funding: list[FundingAllocation]  # its township's, this year and last
    documents: list[BrigadeDocument]
    trainings: list[TrainingRecord]
    duty: list[DutyRosterEntry]
    call_outs: list[CallOut]
    publicity: list[PublicityActivity]

    @property
    def training_hours(self) -> Decimal:
        return sum((t.hours for t in self.trainings), Decimal(0))

    @property
    def audience(self) -> int:
        return sum(p.audience for p in self.publicity)


def brigade_archive(
    *, user, brigade_id: int, on: dt.date, detail: BrigadeDetail | None = None
) -> BrigadeArchive:
    """一队一档: everything the county keeps of one brigade the user may see (Brigade.DoesNotExist
    otherwise), as of `on`: its details and standard gaps, members and equipment (brigade_detail),
    its township's funding of this year and last, its documents, and its training and drills,
    call-outs and publicity since ARCHIVE_DAYS before `on`, its duty roster since then, and this
    month's activity counts. A fixed number of queries. `detail`: the brigade's brigade_detail as of
    `on`, when the caller read it already."""
    if detail is None:
        detail = brigade_detail(user=user, brigade_id=brigade_id, on=on)
    brigade = detail.brigade
    since = on - dt.timedelta(days=ARCHIVE_DAYS)
    # The brigade is already checked against the user's scope: narrowed directly.
    mine = {"brigade_id": brigade.pk}
    (counted,) = brigade_month_activity(user=user, month=on, brigade_ids=[brigade.pk])
    return BrigadeArchive(
        detail=detail,
        since=since,
        activity=counted.activity,
        funding=list(
            funding_allocation_list(user=user).filter(township_id=brigade.township_id, year__gte=on.year - 1)
        ),
        documents=list(brigade_document_list(user=user).filter(**mine)),
        trainings=list(training_list(user=user).filter(**mine).filter(held_on__gte=since)),
        duty=list(duty_roster_list(user=user).filter(**mine).filter(duty_on__gte=since)),
        call_outs=list(call_out_list(user=user).filter(**mine).filter(called_at__gte=day_start(since))),
        publicity=list(publicity_list(user=user).filter(**mine).filter(held_on__gte=since)),
    )


# --- what the reminders ask (notifications.rules): the system's reads, not scoped to a user -------


def members_expiring(*, on: dt.date, days: int, field_name: str) -> QuerySet[BrigadeMember]:
    """Serving members (not left) whose `field_name` (contract_until or certificate_until) falls in
    `on`..`on` + `days`, both inclusive."""
    return BrigadeMember.objects.filter(
        left_on__isnull=True, **{f"{field_name}__gte": on, f"{field_name}__lte": on + dt.timedelta(days=days)}
    )


def last_month(on: dt.date) -> tuple[dt.date, dt.date]:
    """The first day of the calendar month before `on`'s, and the first day of `on`'s month."""
    this_start, _next = month_bounds(on)
    return month_bounds(this_start - dt.timedelta(days=1))[0], this_start


def brigades_without_drill(*, on: dt.date) -> QuerySet[Brigade]:
    """Built brigades (COVERING_STATUSES, established before last month began) that held no drill
    (演练) in the calendar month before `on`'s."""
    start, end = last_month(on)
    drills = TrainingRecord.objects.filter(
        brigade=OuterRef("pk"), kind=TrainingRecord.Kind.DRILL, held_on__gte=start, held_on__lt=end
    )
    return Brigade.objects.filter(status__in=COVERING_STATUSES, established_on__lt=start).exclude(
        Exists(drills)
    )
