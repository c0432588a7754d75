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


def police_station_choices(*, user) -> QuerySet[PoliceStation]:
    """Police stations covering a township the user may see (the guidance center: all), by name.
    One query."""
    stations = scope_queryset(PoliceStation.objects.all(), user=user, township_field="townships")
    return stations.distinct().order_by("name")
