"""Writes and rules of the firebrigade app: brigade construction and acceptance, members, equipment,
funding and fire incidents.

Every function is keyword-only, runs in one transaction, records `by` as the history user and
either writes everything it promises or raises (ApplicationError / ValidationError) having written
nothing. The `*_check*` helpers hold the rules without writing, so admin forms can show them as
form errors before calling the writing service.
"""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.clock import local_today
from core.exceptions import ApplicationError
from core.models import Role
from core.scoping import user_role
from firebrigade.models import (
    Brigade,
    BrigadeClass,
    BrigadeMember,
    BrigadeStandard,
    Disbursement,
    EquipmentItem,
    EquipmentType,
    FireIncident,
    FundingAllocation,
    FundingCategory,
)
from townships.models import Premises, Township

ACCEPTING_UNIT = "县消防安全检查指导服务中心"

# The only order a brigade's construction moves in.
STATUS_ORDER = [
    Brigade.Status.PLANNED,
    Brigade.Status.UNDER_CONSTRUCTION,
    Brigade.Status.ESTABLISHED,
    Brigade.Status.ACCEPTED,
]

BRIGADE_UPDATABLE_FIELDS = frozenset(
    {"township", "name", "brigade_class", "station_address", "station_area_m2", "duty_phone", "is_demo"}
)
MEMBER_UPDATABLE_FIELDS = frozenset(
    {"name", "role", "phone", "certification", "certified_on", "hired_on", "contract_until", "on_duty"}
)
EQUIPMENT_UPDATABLE_FIELDS = frozenset(
    {"quantity", "condition", "acquired_on", "last_maintained_on", "next_maintenance_on", "note"}
)
FUNDING_UPDATABLE_FIELDS = frozenset({"amount", "source", "note"})
INCIDENT_UPDATABLE_FIELDS = frozenset(
    {
        "premises",
        "occurred_at",
        "address",
        "cause",
        "deaths",
        "injuries",
        "direct_loss",
        "responding_brigade",
        "arrival_minutes",
        "description",
        "is_demo",
    }
)


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


def _refuse_future(day: dt.date, label: str) -> None:
    if day > local_today():
        raise ApplicationError(_("%(label)s %(date)s 晚于今天。") % {"label": label, "date": day.isoformat()})


def _yuan(amount: Decimal) -> str:
    return f"{Decimal(amount):.2f}"


# --- brigade lifecycle ----------------------------------------------------------------------


def brigade_check_also_serves(*, township: Township | None, also_serves: Iterable[Township]) -> None:
    """A brigade's own township is not also one it 'also serves'."""
    if township is not None and any(t.pk == township.pk for t in also_serves):
        raise ApplicationError(
            _("共建（兼管）乡镇不能包含队伍所属乡镇%(township)s。") % {"township": township.name}
        )


@transaction.atomic
def brigade_create(
    *,
    township: Township,
    name: str,
    brigade_class: str,
    station_address: str = "",
    station_area_m2: int | None = None,
    duty_phone: str = "",
    also_serves: Iterable[Township] = (),
    is_demo: bool = False,
    by=None,
) -> Brigade:
    """Register a planned brigade for `township` (status 规划中)."""
    also_serves = list(also_serves)
    brigade_check_also_serves(township=township, also_serves=also_serves)
    brigade = Brigade(
        township=township,
        name=name,
        brigade_class=brigade_class,
        station_address=station_address,
        station_area_m2=station_area_m2,
        duty_phone=duty_phone,
        is_demo=is_demo,
    )
    brigade.full_clean()
    brigade._history_user = by
    brigade.save()
    if also_serves:
        brigade.also_serves.set(also_serves)
    return brigade


def brigade_check_class_change(*, brigade: Brigade) -> None:
    """An accepted brigade was accepted against its class's standard: its class is then fixed."""
    if brigade.status == Brigade.Status.ACCEPTED:
        raise ApplicationError(
            _("%(brigade)s已按%(class)s标准验收，不能更改队伍等级。")
            % {"brigade": brigade.name, "class": BrigadeClass(brigade.brigade_class).label}
        )


@transaction.atomic
def brigade_update(
    *, brigade: Brigade, data: dict[str, Any], also_serves: Iterable[Township] | None = None, by=None
) -> Brigade:
    """Change a brigade's details (BRIGADE_UPDATABLE_FIELDS) and, if given, the townships it also
    serves. Locks the row.

    Status and its dates move only through the lifecycle services; an accepted brigade keeps its class.
    """
    _refuse_unknown_fields(data, BRIGADE_UPDATABLE_FIELDS)
    locked = Brigade.objects.select_for_update().get(pk=brigade.pk)
    if "brigade_class" in data and data["brigade_class"] != locked.brigade_class:
        brigade_check_class_change(brigade=locked)
    for field, value in data.items():
        setattr(locked, field, value)
    also_serves = list(locked.also_serves.all() if also_serves is None else also_serves)
    brigade_check_also_serves(township=locked.township, also_serves=also_serves)
    locked.full_clean()
    locked._history_user = by
    locked.save()
    locked.also_serves.set(also_serves)
    _copy_fields(target=brigade, source=locked)
    return brigade


def _lock_brigade_in_status(brigade: Brigade, *, expected: str, target: str) -> Brigade:
    """Lock the brigade row and refuse unless it is exactly one step before `target`."""
    locked = Brigade.objects.select_for_update().get(pk=brigade.pk)
    if locked.status == expected:
        return locked
    current = Brigade.Status(locked.status)
    target_label = Brigade.Status(target).label
    if STATUS_ORDER.index(current) < STATUS_ORDER.index(expected):
        message = _(
            "%(brigade)s当前为“%(current)s”，不能直接转为“%(target)s”：须先完成“%(expected)s”。"
            "建设状态只能按 规划中 → 建设中 → 已建成 → 已验收 的顺序推进。"
        ) % {
            "brigade": locked.name,
            "current": current.label,
            "target": target_label,
            "expected": Brigade.Status(expected).label,
        }
    else:
        message = _(
            "%(brigade)s当前已是“%(current)s”，不能再转为“%(target)s”：建设状态只能向前推进，不能重复或回退。"
        ) % {"brigade": locked.name, "current": current.label, "target": target_label}
    raise ApplicationError(message)


@transaction.atomic
def brigade_start_construction(*, brigade: Brigade, started_on: dt.date, by=None) -> Brigade:
    """规划中 → 建设中. Locks the brigade; started_on may not be in the future."""
    locked = _lock_brigade_in_status(
        brigade, expected=Brigade.Status.PLANNED, target=Brigade.Status.UNDER_CONSTRUCTION
    )
    _refuse_future(started_on, _("开工日期"))
    locked.status = Brigade.Status.UNDER_CONSTRUCTION
    locked.construction_started_on = started_on
    locked._history_user = by
    locked.save(update_fields=["status", "construction_started_on", "updated_at"])
    _copy_fields(target=brigade, source=locked)
    return brigade


@transaction.atomic
def brigade_mark_established(*, brigade: Brigade, established_on: dt.date, by) -> Brigade:
    """建设中 → 已建成. Locks the brigade; established_on not before construction began, not in the future."""
    locked = _lock_brigade_in_status(
        brigade, expected=Brigade.Status.UNDER_CONSTRUCTION, target=Brigade.Status.ESTABLISHED
    )
    _refuse_future(established_on, _("建成日期"))
    if locked.construction_started_on and established_on < locked.construction_started_on:
        raise ApplicationError(
            _("建成日期 %(established)s 早于开工日期 %(started)s。")
            % {
                "established": established_on.isoformat(),
                "started": locked.construction_started_on.isoformat(),
            }
        )
    locked.status = Brigade.Status.ESTABLISHED
    locked.established_on = established_on
    locked._history_user = by
    locked.save(update_fields=["status", "established_on", "updated_at"])
    _copy_fields(target=brigade, source=locked)
    return brigade


def brigade_acceptance_shortfalls(*, brigade: Brigade) -> list[str]:
    """What keeps `brigade` below the construction standard of its class (empty: it meets it).

    Active staff: members not left and on duty. Vehicles: good-condition items of vehicle types.
    """
    class_label = BrigadeClass(brigade.brigade_class).label
    standard = BrigadeStandard.objects.filter(brigade_class=brigade.brigade_class).first()
    if standard is None:
        return [_("尚未制定%(class)s建设标准，无法对照验收") % {"class": class_label}]
    staff = brigade.members.filter(left_on__isnull=True, on_duty=True).count()
    vehicles = (
        brigade.equipment.filter(
            equipment_type__category=EquipmentType.Category.VEHICLE,
            condition=EquipmentItem.Condition.GOOD,
        ).aggregate(total=Sum("quantity"))["total"]
        or 0
    )
    shortfalls = []
    if staff < standard.min_staff:
        shortfalls.append(
            _("在岗队员 %(n)s 人，低于%(class)s标准 %(min)s 人")
            % {"n": staff, "class": class_label, "min": standard.min_staff}
        )
    if vehicles < standard.min_vehicles:
        shortfalls.append(
            _("完好消防车辆 %(n)s 辆，低于%(class)s标准 %(min)s 辆")
            % {"n": vehicles, "class": class_label, "min": standard.min_vehicles}
        )
    if brigade.station_area_m2 is None:
        shortfalls.append(
            _("未登记营房面积，%(class)s标准不少于 %(min)s ㎡")
            % {"class": class_label, "min": standard.min_station_area_m2}
        )
    elif brigade.station_area_m2 < standard.min_station_area_m2:
        shortfalls.append(
            _("营房面积 %(n)s ㎡，低于%(class)s标准 %(min)s ㎡")
            % {"n": brigade.station_area_m2, "class": class_label, "min": standard.min_station_area_m2}
        )
    return shortfalls


@transaction.atomic
def brigade_accept(*, brigade: Brigade, accepted_on: dt.date, accepted_by: str, by) -> Brigade:
    """已建成 → 已验收. Locks the brigade.

    Refused unless the brigade meets the BrigadeStandard of its class (staff, vehicles, station
    area; see brigade_acceptance_shortfalls), accepted_on is not before established_on nor in the
    future, and the accepting unit is named.
    """
    locked = _lock_brigade_in_status(
        brigade, expected=Brigade.Status.ESTABLISHED, target=Brigade.Status.ACCEPTED
    )
    if not accepted_by.strip():
        raise ApplicationError(_("请填写验收单位。"))
    _refuse_future(accepted_on, _("验收日期"))
    if accepted_on < locked.established_on:
        raise ApplicationError(
            _("验收日期 %(accepted)s 早于建成日期 %(established)s。")
            % {"accepted": accepted_on.isoformat(), "established": locked.established_on.isoformat()}
        )
    shortfalls = brigade_acceptance_shortfalls(brigade=locked)
    if shortfalls:
        raise ApplicationError(
            _("%(brigade)s验收未通过：%(reasons)s。")
            % {"brigade": locked.name, "reasons": "；".join(shortfalls)}
        )
    locked.status = Brigade.Status.ACCEPTED
    locked.accepted_on = accepted_on
    locked.accepted_by = accepted_by.strip()
    locked._history_user = by
    locked.save(update_fields=["status", "accepted_on", "accepted_by", "updated_at"])
    _copy_fields(target=brigade, source=locked)
    return brigade


# --- members --------------------------------------------------------------------------------


def brigade_member_check_dates(
    *, hired_on: dt.date | None, left_on: dt.date | None, contract_until: dt.date | None
) -> None:
    """Hiring and leaving are not in the future; leaving and contract end do not precede hiring."""
    if hired_on is None:
        return
    _refuse_future(hired_on, _("入职日期"))
    if left_on is not None:
        _refuse_future(left_on, _("离职日期"))
        if left_on < hired_on:
            raise ApplicationError(
                _("离职日期 %(left)s 早于入职日期 %(hired)s。")
                % {"left": left_on.isoformat(), "hired": hired_on.isoformat()}
            )
    if contract_until is not None and contract_until < hired_on:
        raise ApplicationError(
            _("合同到期日 %(until)s 早于入职日期 %(hired)s。")
            % {"until": contract_until.isoformat(), "hired": hired_on.isoformat()}
        )


@transaction.atomic
def brigade_member_add(
    *,
    brigade: Brigade,
    name: str,
    role: str,
    hired_on: dt.date,
    phone: str = "",
    certification: str = "",
    certified_on: dt.date | None = None,
    contract_until: dt.date | None = None,
    on_duty: bool = True,
    by=None,
) -> BrigadeMember:
    """Add a member to `brigade`; hired_on not in the future, contract not ending before hiring."""
    brigade_member_check_dates(hired_on=hired_on, left_on=None, contract_until=contract_until)
    member = BrigadeMember(
        brigade=brigade,
        name=name,
        role=role,
        hired_on=hired_on,
        phone=phone,
        certification=certification,
        certified_on=certified_on,
        contract_until=contract_until,
        on_duty=on_duty,
    )
    member.full_clean()
    member._history_user = by
    member.save()
    return member


@transaction.atomic
def brigade_member_update(*, member: BrigadeMember, data: dict[str, Any], by=None) -> BrigadeMember:
    """Change a member's details (MEMBER_UPDATABLE_FIELDS). A member who has left cannot be on duty."""
    _refuse_unknown_fields(data, MEMBER_UPDATABLE_FIELDS)
    locked = BrigadeMember.objects.select_for_update().get(pk=member.pk)
    for field, value in data.items():
        setattr(locked, field, value)
    if locked.left_on is not None and locked.on_duty:
        raise ApplicationError(_("%(name)s已离职，不能设为在岗执勤。") % {"name": locked.name})
    brigade_member_check_dates(
        hired_on=locked.hired_on, left_on=locked.left_on, contract_until=locked.contract_until
    )
    locked.full_clean()
    locked._history_user = by
    locked.save()
    _copy_fields(target=member, source=locked)
    return member


def brigade_member_check_leave(*, member: BrigadeMember, left_on: dt.date) -> None:
    """Refuse a second departure, a leaving date before hiring, or one in the future."""
    if member.left_on is not None:
        raise ApplicationError(
            _("%(name)s已于 %(date)s 离职，离职记录不能修改。")
            % {"name": member.name, "date": member.left_on.isoformat()}
        )
    brigade_member_check_dates(hired_on=member.hired_on, left_on=left_on, contract_until=None)


@transaction.atomic
def brigade_member_leave(*, member: BrigadeMember, left_on: dt.date, by=None) -> BrigadeMember:
    """Record that a member left on `left_on` (≥ hired_on); they are no longer on duty. Locks the row."""
    locked = BrigadeMember.objects.select_for_update().get(pk=member.pk)
    brigade_member_check_leave(member=locked, left_on=left_on)
    locked.left_on = left_on
    locked.on_duty = False
    locked._history_user = by
    locked.save(update_fields=["left_on", "on_duty", "updated_at"])
    _copy_fields(target=member, source=locked)
    return member


# --- equipment ------------------------------------------------------------------------------


def equipment_next_maintenance(
    *, equipment_type: EquipmentType, last_maintained_on: dt.date | None
) -> dt.date | None:
    """last maintenance + the type's maintenance interval (None when either is unknown)."""
    if last_maintained_on is None or not equipment_type.maintenance_interval_days:
        return None
    return last_maintained_on + dt.timedelta(days=equipment_type.maintenance_interval_days)


def equipment_item_check(
    *, quantity: int | None, last_maintained_on: dt.date | None, next_maintenance_on: dt.date | None
) -> None:
    """Quantity is not negative; the next maintenance is not before the last one."""
    if quantity is not None and quantity < 0:
        raise ApplicationError(_("装备数量不能为负数（%(n)s）。") % {"n": quantity})
    if last_maintained_on and next_maintenance_on and next_maintenance_on < last_maintained_on:
        raise ApplicationError(
            _("下次保养日期 %(next)s 早于上次保养日期 %(last)s。")
            % {"next": next_maintenance_on.isoformat(), "last": last_maintained_on.isoformat()}
        )


@transaction.atomic
def equipment_item_add(
    *,
    brigade: Brigade,
    equipment_type: EquipmentType,
    quantity: int,
    condition: str = EquipmentItem.Condition.GOOD,
    acquired_on: dt.date | None = None,
    last_maintained_on: dt.date | None = None,
    next_maintenance_on: dt.date | None = None,
    note: str = "",
    by=None,
) -> EquipmentItem:
    """Record equipment held by `brigade`. quantity ≥ 0.

    When next_maintenance_on is not given it is last_maintained_on + the type's interval.
    """
    if next_maintenance_on is None:
        next_maintenance_on = equipment_next_maintenance(
            equipment_type=equipment_type, last_maintained_on=last_maintained_on
        )
    equipment_item_check(
        quantity=quantity, last_maintained_on=last_maintained_on, next_maintenance_on=next_maintenance_on
    )
    item = EquipmentItem(
        brigade=brigade,
        equipment_type=equipment_type,
        quantity=quantity,
        condition=condition,
        acquired_on=acquired_on,
        last_maintained_on=last_maintained_on,
        next_maintenance_on=next_maintenance_on,
        note=note,
    )
    item.full_clean()
    item._history_user = by
    item.save()
    return item


@transaction.atomic
def equipment_item_update(*, item: EquipmentItem, data: dict[str, Any], by=None) -> EquipmentItem:
    """Change an item (EQUIPMENT_UPDATABLE_FIELDS). Locks the row.

    A new last_maintained_on without a next_maintenance_on, or an emptied next_maintenance_on,
    recomputes the next one from the type's interval.
    """
    _refuse_unknown_fields(data, EQUIPMENT_UPDATABLE_FIELDS)
    locked = EquipmentItem.objects.select_for_update().select_related("equipment_type").get(pk=item.pk)
    for field, value in data.items():
        setattr(locked, field, value)
    last_changed_alone = "last_maintained_on" in data and "next_maintenance_on" not in data
    if last_changed_alone or locked.next_maintenance_on is None:
        locked.next_maintenance_on = equipment_next_maintenance(
            equipment_type=locked.equipment_type, last_maintained_on=locked.last_maintained_on
        )
    equipment_item_check(
        quantity=locked.quantity,
        last_maintained_on=locked.last_maintained_on,
        next_maintenance_on=locked.next_maintenance_on,
    )
    locked.full_clean()
    locked._history_user = by
    locked.save()
    _copy_fields(target=item, source=locked)
    return item


@transaction.atomic
def equipment_item_record_maintenance(
    *,
    item: EquipmentItem,
    maintained_on: dt.date,
    next_maintenance_on: dt.date | None = None,
    condition: str | None = None,
    by=None,
) -> EquipmentItem:
    """Record a maintenance on `maintained_on`. Locks the row.

    Refused in the future or before the last recorded maintenance. The next one is
    `next_maintenance_on` if given, else maintained_on + the type's interval; `condition`, if
    given, records the state the item was left in.
    """
    locked = EquipmentItem.objects.select_for_update().select_related("equipment_type").get(pk=item.pk)
    _refuse_future(maintained_on, _("保养日期"))
    if locked.last_maintained_on and maintained_on < locked.last_maintained_on:
        raise ApplicationError(
            _("保养日期 %(date)s 早于上次保养日期 %(last)s。")
            % {"date": maintained_on.isoformat(), "last": locked.last_maintained_on.isoformat()}
        )
    if condition is not None and condition not in EquipmentItem.Condition.values:
        raise ApplicationError(_("未知的装备状况：%(c)s") % {"c": condition})
    if next_maintenance_on is None:
        next_maintenance_on = equipment_next_maintenance(
            equipment_type=locked.equipment_type, last_maintained_on=maintained_on
        )
    equipment_item_check(
        quantity=locked.quantity, last_maintained_on=maintained_on, next_maintenance_on=next_maintenance_on
    )
    locked.last_maintained_on = maintained_on
    locked.next_maintenance_on = next_maintenance_on
    if condition is not None:
        locked.condition = condition
    locked._history_user = by
    locked.save(update_fields=["last_maintained_on", "next_maintenance_on", "condition", "updated_at"])
    _copy_fields(target=item, source=locked)
    return item


# --- funding --------------------------------------------------------------------------------


def funding_check_allocation(
    *, township: Township, year: int, category: str, amount: Decimal, exclude_pk: int | None = None
) -> None:
    """One allocation per township, year and category; amount ≥ 0."""
    if amount is not None and amount < 0:
        raise ApplicationError(_("预算金额不能为负数（%(amount)s 元）。") % {"amount": _yuan(amount)})
    existing = FundingAllocation.objects.filter(township=township, year=year, category=category)
    if exclude_pk is not None:
        existing = existing.exclude(pk=exclude_pk)
    if existing.exists():
        raise ApplicationError(
            _("%(township)s %(year)s 年度%(category)s预算已登记，请修改原预算。")
            % {"township": township.name, "year": year, "category": FundingCategory(category).label}
        )


def funding_check_amount(*, allocation: FundingAllocation, amount: Decimal) -> None:
    """A budget may not be below zero nor below what has already been disbursed against it."""
    if amount < 0:
        raise ApplicationError(_("预算金额不能为负数（%(amount)s 元）。") % {"amount": _yuan(amount)})
    if amount < allocation.disbursed_amount:
        raise ApplicationError(
            _("预算不能低于已到位金额：已到位 %(disbursed)s 元，拟调整为 %(amount)s 元。")
            % {"disbursed": _yuan(allocation.disbursed_amount), "amount": _yuan(amount)}
        )


@transaction.atomic
def funding_allocate(
    *,
    township: Township,
    year: int,
    category: str,
    amount: Decimal,
    source: str = "",
    note: str = "",
    by=None,
) -> FundingAllocation:
    """Budget `amount` yuan of `category` for `township` in `year` (one per township/year/category)."""
    if category not in FundingCategory.values:
        raise ApplicationError(_("未知的经费类别：%(c)s") % {"c": category})
    # Lock the township so two concurrent allocations of the same category queue up.
    Township.objects.select_for_update().filter(pk=township.pk).first()
    funding_check_allocation(township=township, year=year, category=category, amount=amount)
    allocation = FundingAllocation(
        township=township, year=year, category=category, amount=amount, source=source, note=note
    )
    allocation.full_clean()
    allocation._history_user = by
    allocation.save()
    return allocation


@transaction.atomic
def funding_update(*, allocation: FundingAllocation, data: dict[str, Any], by=None) -> FundingAllocation:
    """Change an allocation's amount, source or note. Locks the allocation.

    The amount may not drop below what has been disbursed.
    """
    _refuse_unknown_fields(data, FUNDING_UPDATABLE_FIELDS)
    locked = FundingAllocation.objects.select_for_update().get(pk=allocation.pk)
    if "amount" in data:
        funding_check_amount(allocation=locked, amount=data["amount"])
    for field, value in data.items():
        setattr(locked, field, value)
    locked.full_clean()
    locked._history_user = by
    locked.save()
    _copy_fields(target=allocation, source=locked)
    return allocation


def funding_update_amount(*, allocation: FundingAllocation, amount: Decimal, by=None) -> FundingAllocation:
    """Change the budget of `allocation`; refused below the amount already disbursed."""
    return funding_update(allocation=allocation, data={"amount": amount}, by=by)


def disbursement_check(*, allocation: FundingAllocation, amount: Decimal, disbursed_on: dt.date) -> None:
    """Refuse amount ≤ 0, a date in the future, or a total beyond the budget."""
    if amount is None or amount <= 0:
        raise ApplicationError(_("到位金额必须大于 0 元。"))
    _refuse_future(disbursed_on, _("到位日期"))
    if allocation.disbursed_amount + amount > allocation.amount:
        raise ApplicationError(
            _("到位金额超过预算：预算 %(budget)s 元，已到位 %(disbursed)s 元，本次 %(amount)s 元。")
            % {
                "budget": _yuan(allocation.amount),
                "disbursed": _yuan(allocation.disbursed_amount),
                "amount": _yuan(amount),
            }
        )


@transaction.atomic
def disbursement_record(
    *, allocation: FundingAllocation, amount: Decimal, disbursed_on: dt.date, voucher_no: str = "", by
) -> Disbursement:
    """Record funds arriving against `allocation` and add them to its disbursed_amount.

    Locks the allocation row (select_for_update) so concurrent disbursements cannot overrun the
    budget together.
    """
    locked = FundingAllocation.objects.select_for_update().get(pk=allocation.pk)
    disbursement_check(allocation=locked, amount=amount, disbursed_on=disbursed_on)
    disbursement = Disbursement(
        allocation=locked, amount=amount, disbursed_on=disbursed_on, voucher_no=voucher_no, recorded_by=by
    )
    disbursement.full_clean()
    disbursement._history_user = by
    disbursement.save()
    locked.disbursed_amount += amount
    locked._history_user = by
    locked.save(update_fields=["disbursed_amount", "updated_at"])
    _copy_fields(target=allocation, source=locked)
    return disbursement


# --- fire incidents -------------------------------------------------------------------------


def fire_incident_check(
    *,
    township: Township | None,
    premises: Premises | None,
    occurred_at: dt.datetime | None,
    deaths: int | None = 0,
    injuries: int | None = 0,
    direct_loss: Decimal | None = Decimal(0),
) -> None:
    """Casualties and loss are not negative; the premises is in the township; not in the future."""
    if (deaths is not None and deaths < 0) or (injuries is not None and injuries < 0):
        raise ApplicationError(_("伤亡人数不能为负数。"))
    if direct_loss is not None and direct_loss < 0:
        raise ApplicationError(_("直接财产损失不能为负数。"))
    if township is not None and premises is not None and premises.township_id != township.pk:
        raise ApplicationError(
            _("起火单位“%(premises)s”不在%(township)s。")
            % {"premises": premises.name, "township": township.name}
        )
    if occurred_at is not None:
        if timezone.is_naive(occurred_at):
            raise ApplicationError(_("起火时间须带时区。"))
        if occurred_at > timezone.now():
            raise ApplicationError(_("起火时间晚于当前时间，不能登记未发生的火灾。"))


@transaction.atomic
def fire_incident_record(
    *,
    township: Township,
    occurred_at: dt.datetime,
    address: str,
    cause: str,
    premises: Premises | None = None,
    deaths: int = 0,
    injuries: int = 0,
    direct_loss: Decimal = Decimal(0),
    responding_brigade: Brigade | None = None,
    arrival_minutes: int | None = None,
    description: str = "",
    is_demo: bool = False,
    by=None,
) -> FireIncident:
    """Record a fire in `township`. The responding brigade may come from any township (support)."""
    fire_incident_check(
        township=township,
        premises=premises,
        occurred_at=occurred_at,
        deaths=deaths,
        injuries=injuries,
        direct_loss=direct_loss,
    )
    incident = FireIncident(
        township=township,
        premises=premises,
        occurred_at=occurred_at,
        address=address,
        cause=cause,
        deaths=deaths,
        injuries=injuries,
        direct_loss=direct_loss,
        responding_brigade=responding_brigade,
        arrival_minutes=arrival_minutes,
        description=description,
        is_demo=is_demo,
    )
    incident.full_clean()
    incident._history_user = by
    incident.save()
    return incident


@transaction.atomic
def fire_incident_update(*, incident: FireIncident, data: dict[str, Any], by=None) -> FireIncident:
    """Correct a recorded fire (INCIDENT_UPDATABLE_FIELDS; the township is fixed). Locks the row."""
    _refuse_unknown_fields(data, INCIDENT_UPDATABLE_FIELDS)
    locked = FireIncident.objects.select_for_update().get(pk=incident.pk)
    for field, value in data.items():
        setattr(locked, field, value)
    fire_incident_check(
        township=locked.township,
        premises=locked.premises,
        occurred_at=locked.occurred_at,
        deaths=locked.deaths,
        injuries=locked.injuries,
        direct_loss=locked.direct_loss,
    )
    locked.full_clean()
    locked._history_user = by
    locked.save()
    _copy_fields(target=incident, source=locked)
    return incident


# --- who may change a brigade (pages) -------------------------------------------------------


def brigade_check_manage(*, by, brigade: Brigade) -> None:
    """Members and equipment of a brigade are kept by the township lead of the brigade's own
    township, or by the guidance center; everybody else reads. Raises PermissionDenied (403).

    Whether `by` may see the brigade at all is the caller's scoped look-up (404 before this).
    """
    role = user_role(by)
    if role == Role.GUIDANCE_CENTER:
        return
    if role == Role.TOWNSHIP_LEAD and by.profile.township_id == brigade.township_id:
        return
    raise PermissionDenied(_("只有本乡镇消防专干（分管副职）或指导中心可以修改消防队的队员和装备。"))
