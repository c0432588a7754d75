"""Writes and rules of the townships app: premises, the inspection schedule, grids, responsibility agreements.

Every function is keyword-only, runs in one transaction, records `by` as the history user and
either writes everything it promises or raises (ApplicationError / ValidationError) having written
nothing. The `*_check_*` helpers hold the rules without writing, so admin forms can show them as
form errors before calling the writing service.
"""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from core.clock import local_today
from core.exceptions import ApplicationError
from townships.models import Grid, GridMember, PoliceStation, Premises, ResponsibilityAgreement, Township

# Higher risk, more frequent inspection (days between inspections, by Premises.RiskLevel).
INSPECTION_INTERVAL_DAYS: dict[str, int] = {
    Premises.RiskLevel.HIGH: 30,
    Premises.RiskLevel.MEDIUM: 90,
    Premises.RiskLevel.LOW: 180,
}

# Fields premises_update may change. The schedule fields move only through
# premises_record_inspection / premises_set_risk_level; the township is fixed once registered,
# because inspections and hazards copy it for scoping.
PREMISES_UPDATABLE_FIELDS = frozenset(
    {
        "grid",
        "police_station",
        "name",
        "address",
        "category",
        "risk_level",
        "is_key_unit",
        "responsible_person",
        "responsible_phone",
        "manager",
        "manager_phone",
        "responsible_user",
        "is_demo",
    }
)
AGREEMENT_UPDATABLE_FIELDS = frozenset({"signatory", "counterparty", "scope", "signed_on", "document"})


def _copy_fields(*, target: Model, source: Model) -> None:
    """Bring a caller's instance up to date with the row a service saved."""
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    target._state.adding = False
    target._state.db = source._state.db


def _refuse_unknown_fields(data: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ApplicationError(_("以下字段不能在此修改：%(fields)s") % {"fields": "、".join(unknown)})


# --- premises -------------------------------------------------------------------------------


def inspection_due_date(*, risk_level: str, inspected_on: dt.date | None) -> dt.date | None:
    """Next inspection date for a premises of `risk_level` last inspected on `inspected_on`."""
    if inspected_on is None:
        return None
    try:
        days = INSPECTION_INTERVAL_DAYS[risk_level]
    except KeyError:
        raise ApplicationError(_("未知的风险等级：%(level)s") % {"level": risk_level}) from None
    return inspected_on + dt.timedelta(days=days)


def premises_check_links(
    *, township: Township | None, grid: Grid | None, police_station: PoliceStation | None
) -> None:
    """Refuse a grid outside the premises' township, or a police station that does not cover it."""
    if township is None:
        return
    if grid is not None and grid.township_id != township.pk:
        raise ApplicationError(
            _("网格“%(grid)s”不属于%(township)s，请选择本乡镇的网格。")
            % {"grid": grid.name, "township": township.name}
        )
    if police_station is not None and not police_station.townships.filter(pk=township.pk).exists():
        raise ApplicationError(
            _("派出所“%(station)s”的辖区不包括%(township)s，请选择辖区派出所。")
            % {"station": police_station.name, "township": township.name}
        )


@transaction.atomic
def premises_create(
    *,
    township: Township,
    name: str,
    category: str,
    risk_level: str,
    responsible_person: str,
    responsible_phone: str,
    grid: Grid | None = None,
    police_station: PoliceStation | None = None,
    address: str = "",
    is_key_unit: bool = False,
    manager: str = "",
    manager_phone: str = "",
    responsible_user=None,
    is_demo: bool = False,
    by=None,
) -> Premises:
    """Register a premises. The grid must lie in `township`; the police station must cover it.

    A new premises has no inspection yet, so no due date: selectors treat it as due now.
    """
    premises_check_links(township=township, grid=grid, police_station=police_station)
    premises = Premises(
        township=township,
        grid=grid,
        police_station=police_station,
        name=name,
        address=address,
        category=category,
        risk_level=risk_level,
        is_key_unit=is_key_unit,
        responsible_person=responsible_person,
        responsible_phone=responsible_phone,
        manager=manager,
        manager_phone=manager_phone,
        responsible_user=responsible_user,
        is_demo=is_demo,
    )
    premises.full_clean()
    premises._history_user = by
    premises.save()
    return premises


@transaction.atomic
def premises_update(*, premises: Premises, data: dict[str, Any], by=None) -> Premises:
    """Change a premises' details (keys of PREMISES_UPDATABLE_FIELDS). Locks the row.

    A changed risk level reschedules the next inspection from the last one. The passed instance
    is brought up to date and returned.
    """
    _refuse_unknown_fields(data, PREMISES_UPDATABLE_FIELDS)
    locked = Premises.objects.select_for_update().get(pk=premises.pk)
    old_risk_level = locked.risk_level
    for field, value in data.items():
        setattr(locked, field, value)
    premises_check_links(township=locked.township, grid=locked.grid, police_station=locked.police_station)
    locked.full_clean()
    if locked.risk_level != old_risk_level:
        locked.next_inspection_due = inspection_due_date(
            risk_level=locked.risk_level, inspected_on=locked.last_inspected_on
        )
    locked._history_user = by
    locked.save()
    _copy_fields(target=premises, source=locked)
    return premises


@transaction.atomic
def premises_record_inspection(*, premises: Premises, inspected_on: dt.date, by=None) -> Premises:
    """Move the inspection schedule after an inspection on `inspected_on`. Locks the premises row.

    last_inspected_on never moves backwards: an inspection older than the last one recorded leaves
    the schedule as it is. next_inspection_due = last inspection + INSPECTION_INTERVAL_DAYS[risk].
    Refuses a date in the future. The passed instance is brought up to date and returned.
    """
    if inspected_on > local_today():
        raise ApplicationError(
            _("检查日期 %(date)s 晚于今天，不能登记未来的检查。") % {"date": inspected_on.isoformat()}
        )
    locked = Premises.objects.select_for_update().get(pk=premises.pk)
    last = locked.last_inspected_on
    if last is None or inspected_on > last:
        last = inspected_on
    due = inspection_due_date(risk_level=locked.risk_level, inspected_on=last)
    if (last, due) != (locked.last_inspected_on, locked.next_inspection_due):
        locked.last_inspected_on, locked.next_inspection_due = last, due
        locked._history_user = by
        locked.save(update_fields=["last_inspected_on", "next_inspection_due", "updated_at"])
    _copy_fields(target=premises, source=locked)
    return premises


@transaction.atomic
def premises_set_risk_level(*, premises: Premises, risk_level: str, by=None) -> Premises:
    """Change the risk level and reschedule the next inspection from last_inspected_on. Locks the row."""
    if risk_level not in Premises.RiskLevel.values:
        raise ApplicationError(_("未知的风险等级：%(level)s") % {"level": risk_level})
    locked = Premises.objects.select_for_update().get(pk=premises.pk)
    locked.risk_level = risk_level
    locked.next_inspection_due = inspection_due_date(
        risk_level=risk_level, inspected_on=locked.last_inspected_on
    )
    locked._history_user = by
    locked.save(update_fields=["risk_level", "next_inspection_due", "updated_at"])
    _copy_fields(target=premises, source=locked)
    return premises


# --- grids ----------------------------------------------------------------------------------


@transaction.atomic
def grid_create(*, township: Township, name: str, area_description: str = "", by=None) -> Grid:
    """Create a grid in `township`; its name must be new in that township."""
    grid = Grid(township=township, name=name, area_description=area_description)
    grid.full_clean()
    grid._history_user = by
    grid.save()
    return grid


@transaction.atomic
def grid_member_add(
    *, grid: Grid, name: str, phone: str, role: str = GridMember.Role.MEMBER, by=None
) -> GridMember:
    """Add a grid chief or member; the phone must be a mainland mobile or a landline with area code."""
    member = GridMember(grid=grid, name=name, phone=phone, role=role)
    member.full_clean()
    member._history_user = by
    member.save()
    return member


def police_station_check_coverage(*, police_station: PoliceStation, townships: Iterable[Township]) -> None:
    """Refuse dropping a township from a station's area while premises there still name the station."""
    if police_station.pk is None:
        return
    keep = {t.pk for t in townships}
    orphaned = (
        Township.objects.filter(premises__police_station=police_station)
        .exclude(pk__in=keep)
        .distinct()
        .values_list("name", flat=True)
    )
    names = sorted(orphaned)
    if names:
        raise ApplicationError(
            _("%(townships)s仍有社会单位登记为本派出所辖区，请先调整这些单位的辖区派出所。")
            % {"townships": "、".join(names)}
        )


# --- responsibility agreements --------------------------------------------------------------


def responsibility_agreement_check(
    *,
    township: Township,
    premises: Premises | None,
    year: int,
    signed_on: dt.date,
    exclude_pk: int | None = None,
) -> None:
    """Refuse a premises outside the township, a signing date outside the year, or a second agreement."""
    if premises is not None and premises.township_id != township.pk:
        raise ApplicationError(
            _("“%(premises)s”不在%(township)s，不能作为该乡镇的责任书签订单位。")
            % {"premises": premises.name, "township": township.name}
        )
    if signed_on.year != year:
        raise ApplicationError(
            _("签订日期 %(date)s 不在 %(year)s 年度内。") % {"date": signed_on.isoformat(), "year": year}
        )
    existing = ResponsibilityAgreement.objects.filter(year=year)
    if premises is None:
        existing = existing.filter(township=township, premises__isnull=True)
    else:
        existing = existing.filter(premises=premises)
    if exclude_pk is not None:
        existing = existing.exclude(pk=exclude_pk)
    if existing.exists():
        who = premises.name if premises is not None else township.name
        raise ApplicationError(
            _("%(who)s %(year)s 年度的消防安全责任书已经签订，不能重复签订。") % {"who": who, "year": year}
        )


@transaction.atomic
def responsibility_agreement_sign(
    *,
    township: Township,
    premises: Premises | None = None,
    year: int,
    signatory: str,
    counterparty: str,
    scope: str,
    signed_on: dt.date,
    document=None,
    by=None,
) -> ResponsibilityAgreement:
    """Record a signed 消防安全目标责任书: one per township (premises empty) or per premises and year.

    signed_on must fall in `year`; the premises, if given, must be in `township`.
    """
    # Lock the township so two concurrent signings of the same year queue up behind each other.
    Township.objects.select_for_update().filter(pk=township.pk).first()
    responsibility_agreement_check(township=township, premises=premises, year=year, signed_on=signed_on)
    agreement = ResponsibilityAgreement(
        township=township,
        premises=premises,
        year=year,
        signatory=signatory,
        counterparty=counterparty,
        scope=scope,
        signed_on=signed_on,
    )
    if document:
        agreement.document = document
    agreement.full_clean()
    agreement._history_user = by
    agreement.save()
    return agreement


@transaction.atomic
def responsibility_agreement_update(
    *, agreement: ResponsibilityAgreement, data: dict[str, Any], by=None
) -> ResponsibilityAgreement:
    """Correct an agreement's signatory, counterparty, scope, signing date or scan.

    Who signed for which year is fixed once recorded; signed_on must stay within the year.
    """
    _refuse_unknown_fields(data, AGREEMENT_UPDATABLE_FIELDS)
    locked = ResponsibilityAgreement.objects.select_for_update().get(pk=agreement.pk)
    for field, value in data.items():
        setattr(locked, field, value)
    responsibility_agreement_check(
        township=locked.township,
        premises=locked.premises,
        year=locked.year,
        signed_on=locked.signed_on,
        exclude_pk=locked.pk,
    )
    locked.full_clean()
    locked._history_user = by
    locked.save()
    _copy_fields(target=agreement, source=locked)
    return agreement
