"""Reads of the townships app, scoped to what the user may see (core.scoping), filtered by the
resource's one FilterSet (townships.filters). Fixed query counts."""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet

from core.filters import apply_filterset
from core.models import Role
from core.scoping import ALL, scope_queryset, user_role, visible_county_id, visible_township_ids
from townships.filters import GridFilter, PoliceStationFilter, PremisesFilter, TownshipFilter
from townships.filters import grid_choices as grid_choices
from townships.filters import police_station_choices as police_station_choices
from townships.filters import township_choices as township_choices
from townships.models import (
    County,
    Grid,
    GridMember,
    PoliceStation,
    Premises,
    PremisesCode,
    SensitivePeriod,
    Township,
)

# Days between inspections by risk level when a county has set none (townships.models.County).
DEFAULT_INSPECTION_DAYS: Mapping[str, int] = {
    Premises.RiskLevel.HIGH: 30,
    Premises.RiskLevel.MEDIUM: 90,
    Premises.RiskLevel.LOW: 180,
}


@dataclass(frozen=True)
class InspectionSchedule:
    """A county's inspection rhythm: days between inspections by risk level, and its sensitive
    periods as (starts_on, ends_on, days between inspections of high-risk premises within)."""

    days: Mapping[str, int]
    periods: tuple[tuple[dt.date, dt.date, int], ...] = ()


DEFAULT_SCHEDULE = InspectionSchedule(days=DEFAULT_INSPECTION_DAYS)


def inspection_schedule(
    *, county_id: int | None = None, township_id: int | None = None
) -> InspectionSchedule:
    """The inspection schedule of a county (or of a township's county), in two queries."""
    counties = County.objects.all()
    counties = (
        counties.filter(pk=county_id) if county_id is not None else counties.filter(townships=township_id)
    )
    row = counties.values(
        "pk", "inspection_days_high", "inspection_days_medium", "inspection_days_low"
    ).first()
    if row is None:
        return DEFAULT_SCHEDULE
    periods = SensitivePeriod.objects.filter(county_id=row["pk"]).order_by("starts_on")
    return InspectionSchedule(
        days={
            Premises.RiskLevel.HIGH: row["inspection_days_high"],
            Premises.RiskLevel.MEDIUM: row["inspection_days_medium"],
            Premises.RiskLevel.LOW: row["inspection_days_low"],
        },
        periods=tuple(periods.values_list("starts_on", "ends_on", "high_risk_days")),
    )


def township_list(*, user, filters: dict[str, Any] | None = None) -> QuerySet[Township]:
    """Townships the user may see, with grid and premises counts, filtered by TownshipFilter."""
    qs = Township.objects.select_related("county").annotate(
        grid_count=Count("grids", distinct=True),
        premises_count=Count("premises", distinct=True),
        high_risk_premises_count=Count(
            "premises", filter=Q(premises__risk_level=Premises.RiskLevel.HIGH), distinct=True
        ),
    )
    qs = scope_queryset(qs, user=user, township_field="pk")
    return apply_filterset(TownshipFilter, qs, filters, user=user).order_by("county__name", "name")


def premises_list(*, user, filters: dict[str, Any] | None = None) -> QuerySet[Premises]:
    """Premises the user may see, filtered by PremisesFilter (township, grid: ids or instances)."""
    qs = Premises.objects.select_related("township", "grid", "police_station")
    qs = scope_queryset(qs, user=user, township_field="township", premises_field="pk")
    return apply_filterset(PremisesFilter, qs, filters, user=user)


def premises_due_for_inspection(*, user, on: dt.date) -> QuerySet[Premises]:
    """Premises whose next inspection is due on or before `on`, or that were never inspected.

    Most overdue first, never-inspected ones at the very top.
    """
    qs = premises_list(user=user).filter(Q(next_inspection_due__lte=on) | Q(next_inspection_due__isnull=True))
    return qs.order_by(F("next_inspection_due").asc(nulls_first=True), "township__name", "name")


def grid_list(*, user, filters: dict[str, Any] | None = None) -> QuerySet[Grid]:
    """Grids of the townships the user may see (a premises' responsible person: none), with their
    members prefetched (chiefs first), active_member_count and premises_count, filtered by
    GridFilter. Two queries.
    """
    members = GridMember.objects.order_by("role", "name")
    qs = (
        Grid.objects.select_related("township")
        .prefetch_related(Prefetch("members", queryset=members))
        .annotate(
            active_member_count=Count("members", filter=Q(members__active=True), distinct=True),
            premises_count=Count("premises", distinct=True),
        )
    )
    qs = scope_queryset(qs, user=user, township_field="township")
    return apply_filterset(GridFilter, qs, filters, user=user).order_by("township__name", "name")


def police_station_list(*, user, filters: dict[str, Any] | None = None) -> QuerySet[PoliceStation]:
    """Police stations covering at least one township the user may see; a county official also sees
    the stations of their county that cover none yet. The townships each covers are prefetched.

    A premises' responsible person sees the stations covering their premises' township. Filtered by
    PoliceStationFilter.
    """
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
    return apply_filterset(PoliceStationFilter, qs, filters, user=user).order_by("name")


def county_list(*, user) -> QuerySet[County]:
    """Counties the user may see: a county official's own, the county of a township user's township,
    every county for the guidance center."""
    townships = scope_queryset(Township.objects.all(), user=user, township_field="pk")
    return County.objects.filter(pk__in=townships.values("county_id")).order_by("name")


def located_premises(*, user, township_ids=None) -> QuerySet[Premises]:
    """Premises the user may see that have a place (latitude and longitude), with their township's
    name; the map's points."""
    qs = scope_queryset(
        Premises.objects.filter(latitude__isnull=False),
        user=user,
        township_field="township",
        premises_field="pk",
    )
    if township_ids is not None:
        qs = qs.filter(township_id__in=township_ids)
    return qs.select_related("township").order_by("township__name", "name", "pk")


def county_townships(*, user, county) -> QuerySet[Township]:
    """The townships of `county` the user may see, by name, with their boundaries."""
    qs = scope_queryset(Township.objects.filter(county=county), user=user, township_field="pk")
    return qs.only("pk", "name", "county_id", "boundary").order_by("name")


def premises_code_by_token(*, token: str) -> PremisesCode | None:
    """The premises code carrying `token`, in force or revoked, whoever asks (the scan page decides
    what the user may see of it); None if no premises code carries it."""
    return PremisesCode.objects.select_related("premises__township").filter(token=token).first()


def premises_codes_in_force(*, user, township_id: int) -> list[tuple[Premises, PremisesCode | None]]:
    """Every premises of the township that the user may see (by name), each with its code in force
    or None: the township's label sheet. Two queries."""
    premises = list(premises_list(user=user).filter(township_id=township_id).order_by("name", "id"))
    codes = {
        code.premises_id: code
        for code in PremisesCode.objects.filter(premises__in=premises, revoked_at__isnull=True)
    }
    return [(one, codes.get(one.pk)) for one in premises]
