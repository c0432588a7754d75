"""Reads of the townships app, scoped to what the user may see (core.scoping). Fixed query counts."""

import datetime as dt
from typing import Any

from django.db.models import Count, F, Q, QuerySet

from core.scoping import scope_queryset
from townships.models import Premises, Township


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
