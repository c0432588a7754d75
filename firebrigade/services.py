"""Writes and rules of the firebrigade app: brigade construction and acceptance, members, equipment,
funding, fire incidents and the brigade archive (一队一档: documents, training and drills, duty,
call-outs, publicity).

Every function is keyword-only, runs in one transaction, records `by` as the history user and
either writes everything it promises or raises having written nothing: AccessDenied when the app's
access policy (firebrigade.access) refuses `by` — checked before anything is written, after the row
is locked where the rule reads it — ApplicationError / ValidationError when a rule of the process
refuses. The `*_check*` helpers hold the rules without writing, so admin forms can show them as form
errors before calling the writing service.
"""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Model, ProtectedError, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.clock import county_tz, local_today
from core.exceptions import ApplicationError, ConflictError
from core.services import (
    copy_saved,
    model_update,
    record_delete,
    record_save,
    record_step,
    refuse_unknown_fields,
    scan_code_in_force,
    scan_code_issue,
    scan_code_revoke,
)
from firebrigade import access, tallies
from firebrigade.models import (
    GRADE_THRESHOLDS,
    Brigade,
    BrigadeClass,
    BrigadeDocument,
    BrigadeMember,
    BrigadeStandard,
    CallOut,
    Disbursement,
    DutyRosterEntry,
    EquipmentCheck,
    EquipmentCode,
    EquipmentItem,
    EquipmentType,
    FireGrade,
    FireIncident,
    FundingAllocation,
    FundingCategory,
    PublicityActivity,
    TrainingRecord,
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

# A brigade's own details, in the order the admin form and the API show them (both take their list
# from here); status and its dates move only through the lifecycle services.
BRIGADE_DETAILS = (
    "township",
    "name",
    "brigade_class",
    "station_address",
    "station_area_m2",
    "duty_phone",
    "latitude",
    "longitude",
)
BRIGADE_UPDATABLE_FIELDS = frozenset({*BRIGADE_DETAILS, "is_demo"})
# A member's, an item's and a fire's own details, in the order the forms and the API show them.
MEMBER_FIELDS = (
    "name",
    "role",
    "phone",
    "certification",
    "certified_on",
    "certificate_until",
    "hired_on",
    "contract_until",
    "on_duty",
)
EQUIPMENT_FIELDS = (
    "quantity",
    "condition",
    "acquired_on",
    "last_maintained_on",
    "next_maintenance_on",
    "note",
)
INCIDENT_FIELDS = (
    "premises",
    "occurred_at",
    "reported_at",
    "address",
    "cause",
    "deaths",
    "injuries",
    "serious_injuries",
    "direct_loss",
    "burned_area_m2",
    "responding_brigade",
    "arrival_minutes",
    "description",
)
MEMBER_UPDATABLE_FIELDS = frozenset(MEMBER_FIELDS)
EQUIPMENT_UPDATABLE_FIELDS = frozenset(EQUIPMENT_FIELDS)
FUNDING_UPDATABLE_FIELDS = frozenset({"amount", "source", "note"})
INCIDENT_UPDATABLE_FIELDS = frozenset({*INCIDENT_FIELDS, "is_demo"})


def _delete(instance: Model, *, by) -> None:
    """Delete a row (its history records `by`); refused while other records still point to it."""
    try:
        record_delete(instance, by=by)
    except ProtectedError as exc:
        raise ApplicationError(
            _("“%(record)s”已被其他记录引用（如经费到位、责任追究），不能删除。") % {"record": instance}
        ) from exc


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
    latitude=None,
    longitude=None,
    by=None,
) -> Brigade:
    """Register a planned brigade for `township` (status 规划中). The guidance center's."""
    access.check_brigade_create(by=by)
    also_serves = list(also_serves)
    brigade_check_also_serves(township=township, also_serves=also_serves)
    brigade = Brigade(
        township=township,
        name=name,
        brigade_class=brigade_class,
        station_address=station_address,
        station_area_m2=station_area_m2,
        duty_phone=duty_phone,
        latitude=latitude,
        longitude=longitude,
        is_demo=is_demo,
    )
    record_save(brigade, by=by)
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
    serves. Locks the row, then asks the access policy about the fields whose value changes (its
    township's lead: name, station, duty phone; the center: everything).

    Status and its dates move only through the lifecycle services; an accepted brigade keeps its class.
    """
    locked = Brigade.objects.select_for_update().get(pk=brigade.pk)
    current_shared = list(locked.also_serves.all())
    changed = {name for name, value in data.items() if getattr(locked, name, value) != value}
    if also_serves is not None:
        also_serves = list(also_serves)
        if {t.pk for t in also_serves} != {t.pk for t in current_shared}:
            changed.add("also_serves")
    access.check_brigade_update(by=by, brigade=locked, changed=changed)
    refuse_unknown_fields(data, BRIGADE_UPDATABLE_FIELDS)
    if "brigade_class" in changed:
        brigade_check_class_change(brigade=locked)
    for field, value in data.items():
        setattr(locked, field, value)
    also_serves = current_shared if also_serves is None else also_serves
    brigade_check_also_serves(township=locked.township, also_serves=also_serves)
    record_save(locked, by=by)
    locked.also_serves.set(also_serves)
    copy_saved(target=brigade, source=locked)
    return brigade


def _lock_brigade_in_status(brigade: Brigade, *, expected: str, target: str, by) -> Brigade:
    """Lock the brigade row and refuse unless `by` may move its construction and it is exactly one
    step before `target`."""
    locked = Brigade.objects.select_for_update().get(pk=brigade.pk)
    access.check_brigade_lifecycle(by=by, brigade=locked)
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
    raise ConflictError(message)


@transaction.atomic
def brigade_start_construction(*, brigade: Brigade, started_on: dt.date, by=None) -> Brigade:
    """规划中 → 建设中. Locks the brigade; started_on may not be in the future."""
    locked = _lock_brigade_in_status(
        brigade, expected=Brigade.Status.PLANNED, target=Brigade.Status.UNDER_CONSTRUCTION, by=by
    )
    _refuse_future(started_on, _("开工日期"))
    locked.status = Brigade.Status.UNDER_CONSTRUCTION
    locked.construction_started_on = started_on
    record_step(locked, target=brigade, by=by, fields=["status", "construction_started_on"])
    return brigade


@transaction.atomic
def brigade_mark_established(*, brigade: Brigade, established_on: dt.date, by) -> Brigade:
    """建设中 → 已建成. Locks the brigade; established_on not before construction began, not in the future."""
    locked = _lock_brigade_in_status(
        brigade, expected=Brigade.Status.UNDER_CONSTRUCTION, target=Brigade.Status.ESTABLISHED, by=by
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
    record_step(locked, target=brigade, by=by, fields=["status", "established_on"])
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
        brigade, expected=Brigade.Status.ESTABLISHED, target=Brigade.Status.ACCEPTED, by=by
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
    record_step(locked, target=brigade, by=by, fields=["status", "accepted_on", "accepted_by"])
    return brigade


@transaction.atomic
def brigade_delete(*, brigade: Brigade, by) -> None:
    """Delete a brigade registered by mistake (the guidance center): only while 规划中 and without
    members, equipment or call-outs. Locks the row."""
    locked = Brigade.objects.select_for_update().get(pk=brigade.pk)
    access.check_record_delete(by=by)
    if (
        locked.status != Brigade.Status.PLANNED
        or locked.members.exists()
        or locked.equipment.exists()
        or locked.incidents.exists()
    ):
        raise ApplicationError(
            _("%(brigade)s已开始建设，或已有队员、装备或出动记录，不能删除。") % {"brigade": locked.name}
        )
    _delete(locked, by=by)


# --- members --------------------------------------------------------------------------------


def brigade_member_check_dates(
    *,
    hired_on: dt.date | None,
    left_on: dt.date | None,
    contract_until: dt.date | None,
    certified_on: dt.date | None = None,
    certificate_until: dt.date | None = None,
) -> None:
    """Hiring and leaving are not in the future; leaving and contract end do not precede hiring; a
    certificate does not expire before it was obtained."""
    if certified_on is not None and certificate_until is not None and certificate_until < certified_on:
        raise ApplicationError(
            _("证书有效期至 %(until)s 早于取证日期 %(certified)s。")
            % {"until": certificate_until.isoformat(), "certified": certified_on.isoformat()}
        )
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
    certificate_until: dt.date | None = None,
    contract_until: dt.date | None = None,
    on_duty: bool = True,
    by=None,
) -> BrigadeMember:
    """Add a member to `brigade` (its township's lead or the center); hired_on not in the future,
    contract not ending before hiring, certificate not expiring before it was obtained."""
    access.check_brigade_upkeep(by=by, brigade=brigade)
    brigade_member_check_dates(
        hired_on=hired_on,
        left_on=None,
        contract_until=contract_until,
        certified_on=certified_on,
        certificate_until=certificate_until,
    )
    member = BrigadeMember(
        brigade=brigade,
        name=name,
        role=role,
        hired_on=hired_on,
        phone=phone,
        certification=certification,
        certified_on=certified_on,
        certificate_until=certificate_until,
        contract_until=contract_until,
        on_duty=on_duty,
    )
    record_save(member, by=by)
    tallies.recount([brigade.pk])
    return member


@transaction.atomic
def brigade_member_update(*, member: BrigadeMember, data: dict[str, Any], by=None) -> BrigadeMember:
    """Change a member's details (MEMBER_UPDATABLE_FIELDS; its brigade's township lead or the
    center). Locks the row. A member who has left cannot be on duty."""

    def check(locked: BrigadeMember) -> None:
        access.check_brigade_upkeep(by=by, brigade=locked.brigade)
        if locked.left_on is not None and locked.on_duty:
            raise ConflictError(_("%(name)s已离职，不能设为在岗执勤。") % {"name": locked.name})
        brigade_member_check_dates(
            hired_on=locked.hired_on,
            left_on=locked.left_on,
            contract_until=locked.contract_until,
            certified_on=locked.certified_on,
            certificate_until=locked.certificate_until,
        )

    model_update(member, data=data, allowed=MEMBER_UPDATABLE_FIELDS, by=by, check=check)
    tallies.recount([member.brigade_id])  # on duty or not
    return member


def brigade_member_check_leave(*, member: BrigadeMember, left_on: dt.date) -> None:
    """Refuse a second departure, a leaving date before hiring, or one in the future."""
    if member.left_on is not None:
        raise ConflictError(
            _("%(name)s已于 %(date)s 离职，离职记录不能修改。")
            % {"name": member.name, "date": member.left_on.isoformat()}
        )
    brigade_member_check_dates(hired_on=member.hired_on, left_on=left_on, contract_until=None)


@transaction.atomic
def brigade_member_leave(*, member: BrigadeMember, left_on: dt.date, by=None) -> BrigadeMember:
    """Record that a member left on `left_on` (≥ hired_on; its brigade's township lead or the
    center); they are no longer on duty. Locks the row."""
    locked = BrigadeMember.objects.select_for_update(of=("self",)).select_related("brigade").get(pk=member.pk)
    access.check_brigade_upkeep(by=by, brigade=locked.brigade)
    brigade_member_check_leave(member=locked, left_on=left_on)
    locked.left_on = left_on
    locked.on_duty = False
    record_step(locked, target=member, by=by, fields=["left_on", "on_duty"])
    tallies.recount([locked.brigade_id])
    return member


@transaction.atomic
def brigade_member_delete(*, member: BrigadeMember, by) -> None:
    """Delete a member entered by mistake (the guidance center; a departure is recorded with
    brigade_member_leave). Locks the row."""
    locked = BrigadeMember.objects.select_for_update().get(pk=member.pk)
    access.check_record_delete(by=by)
    _delete(locked, by=by)
    tallies.recount([locked.brigade_id])


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

    When next_maintenance_on is not given it is last_maintained_on + the type's interval. The
    brigade's township lead or the center.
    """
    access.check_brigade_upkeep(by=by, brigade=brigade)
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
    record_save(item, by=by)
    tallies.recount([brigade.pk])
    return item


@transaction.atomic
def equipment_item_update(*, item: EquipmentItem, data: dict[str, Any], by=None) -> EquipmentItem:
    """Change an item (EQUIPMENT_UPDATABLE_FIELDS; its brigade's township lead or the center).
    Locks the row.

    A new last_maintained_on without a next_maintenance_on, or an emptied next_maintenance_on,
    recomputes the next one from the type's interval.
    """

    def check(locked: EquipmentItem) -> None:
        access.check_brigade_upkeep(by=by, brigade=locked.brigade)
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

    model_update(item, data=data, allowed=EQUIPMENT_UPDATABLE_FIELDS, by=by, check=check)
    tallies.recount([item.brigade_id])  # its condition or quantity
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
    given, records the state the item was left in. The brigade's township lead or the center.
    """
    locked = (
        EquipmentItem.objects.select_for_update(of=("self",))
        .select_related("equipment_type", "brigade")
        .get(pk=item.pk)
    )
    access.check_brigade_upkeep(by=by, brigade=locked.brigade)
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
    record_step(locked, target=item, by=by, fields=["last_maintained_on", "next_maintenance_on", "condition"])
    tallies.recount([locked.brigade_id])
    return item


# -- 一店一码: equipment QR codes and maintenance checks ------------------------------------------

# What a check found → the condition the item is in from then on.
CHECK_CONDITION = {
    EquipmentCheck.Result.GOOD: EquipmentItem.Condition.GOOD,
    EquipmentCheck.Result.NEEDS_REPAIR: EquipmentItem.Condition.NEEDS_REPAIR,
    EquipmentCheck.Result.SCRAPPED: EquipmentItem.Condition.SCRAPPED,
}


def _lock_item(item: EquipmentItem) -> EquipmentItem:
    return EquipmentItem.objects.select_for_update(of=("self",)).select_related("brigade").get(pk=item.pk)


@transaction.atomic
def equipment_code_issue(*, item: EquipmentItem, by) -> EquipmentCode:
    """The item's code in force, issued now if it has none (issuing again changes nothing). Locks the
    item. The brigade's township lead or the guidance center."""
    locked = _lock_item(item)
    access.check_equipment_code(by=by, brigade=locked.brigade)
    return scan_code_issue(EquipmentCode, owner_field="item", owner=locked, by=by)


@transaction.atomic
def equipment_codes_issue(*, items: Iterable[EquipmentItem], by) -> list[EquipmentCode]:
    """A code in force for each of `items` (for a label sheet): all of them or none."""
    return [equipment_code_issue(item=item, by=by) for item in items]


@transaction.atomic
def equipment_code_revoke(*, code: EquipmentCode, by) -> EquipmentCode:
    """Revoke a code: its token is refused from now on. Refused (409) if already revoked."""
    locked = (
        EquipmentCode.objects.select_for_update(of=("self",)).select_related("item__brigade").get(pk=code.pk)
    )
    access.check_equipment_code(by=by, brigade=locked.item.brigade)
    scan_code_revoke(locked, by=by)
    copy_saved(target=code, source=locked)
    return code


@transaction.atomic
def equipment_code_reissue(*, item: EquipmentItem, by) -> EquipmentCode:
    """补发: revoke the code in force (if any) and issue a new one, with a new token."""
    locked = _lock_item(item)
    access.check_equipment_code(by=by, brigade=locked.brigade)
    current = scan_code_in_force(locked.codes.select_for_update())
    if current is not None:
        scan_code_revoke(current, by=by, reason=_("补发新码"))
    return scan_code_issue(EquipmentCode, owner_field="item", owner=locked, by=by)


@transaction.atomic
def equipment_check_record(
    *, item: EquipmentItem, result: str, checked_on: dt.date | None = None, note: str = "", by
) -> EquipmentCheck:
    """Record a maintenance check of `item` on `checked_on` (default today) and set the item's
    condition to what it found (需维修 → 待维修, 报废 → 报废). Locks the item. Refused in the future,
    and for an item already scrapped. The brigade's township lead or the guidance center."""
    locked = _lock_item(item)
    access.check_equipment_check(by=by, brigade=locked.brigade)
    checked_on = checked_on or local_today()
    _refuse_future(checked_on, _("检查日期"))
    if result not in EquipmentCheck.Result.values:
        raise ApplicationError(_("未知的检查结果：%(r)s") % {"r": result})
    if locked.condition == EquipmentItem.Condition.SCRAPPED:
        raise ConflictError(_("这件装备已经报废，不再登记维护检查。"))
    check = record_save(
        EquipmentCheck(
            item=locked,
            checked_on=checked_on,
            result=result,
            note=note,
            checked_by=by if getattr(by, "is_authenticated", False) else None,
        ),
        by=by,
    )
    condition = CHECK_CONDITION[result]
    if locked.condition != condition:
        locked.condition = condition
        record_step(locked, target=item, by=by, fields=["condition"])
        tallies.recount([locked.brigade_id])
    return check


@transaction.atomic
def equipment_item_delete(*, item: EquipmentItem, by) -> None:
    """Delete an item entered by mistake, e.g. a duplicate row to merge (the guidance center; a
    scrapped item keeps its record with condition 报废). Locks the row."""
    locked = EquipmentItem.objects.select_for_update().get(pk=item.pk)
    access.check_record_delete(by=by)
    _delete(locked, by=by)
    tallies.recount([locked.brigade_id])


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
        raise ConflictError(
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
    """Budget `amount` yuan of `category` for `township` in `year` (one per township/year/category).
    The guidance center's."""
    access.check_funding_change(by=by)
    if category not in FundingCategory.values:
        raise ApplicationError(_("未知的经费类别：%(c)s") % {"c": category})
    # Lock the township so two concurrent allocations of the same category queue up.
    Township.objects.select_for_update().filter(pk=township.pk).first()
    funding_check_allocation(township=township, year=year, category=category, amount=amount)
    allocation = FundingAllocation(
        township=township, year=year, category=category, amount=amount, source=source, note=note
    )
    return record_save(allocation, by=by)


@transaction.atomic
def funding_update(*, allocation: FundingAllocation, data: dict[str, Any], by=None) -> FundingAllocation:
    """Change an allocation's amount, source or note (the guidance center). Locks the allocation.

    The amount may not drop below what has been disbursed.
    """
    access.check_funding_change(by=by)

    def check(locked: FundingAllocation) -> None:
        if "amount" in data:
            funding_check_amount(allocation=locked, amount=data["amount"])

    return model_update(allocation, data=data, allowed=FUNDING_UPDATABLE_FIELDS, by=by, check=check)


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
    budget together. The guidance center's.
    """
    access.check_funding_change(by=by)
    locked = FundingAllocation.objects.select_for_update().get(pk=allocation.pk)
    disbursement_check(allocation=locked, amount=amount, disbursed_on=disbursed_on)
    disbursement = Disbursement(
        allocation=locked, amount=amount, disbursed_on=disbursed_on, voucher_no=voucher_no, recorded_by=by
    )
    record_save(disbursement, by=by)
    locked.disbursed_amount += amount
    record_step(locked, target=allocation, by=by, fields=["disbursed_amount"])
    return disbursement


@transaction.atomic
def funding_allocation_delete(*, allocation: FundingAllocation, by) -> None:
    """Delete a budget entered by mistake (the guidance center); refused once funds have arrived
    against it. Locks the row."""
    locked = FundingAllocation.objects.select_for_update().get(pk=allocation.pk)
    access.check_record_delete(by=by)
    _delete(locked, by=by)


# --- fire incidents -------------------------------------------------------------------------


class _ReportedNow:
    """fire_incident_record's default `reported_at`: the moment the fire is recorded."""

    def __repr__(self) -> str:
        return "REPORTED_NOW"


REPORTED_NOW = _ReportedNow()


def fire_grade(*, deaths: int, serious_injuries: int, direct_loss: Decimal) -> str:
    """火灾等级 by the national standard (公安部 2007; models.GRADE_THRESHOLDS): the highest grade that
    any one of the deaths, the seriously injured or the direct loss (yuan) reaches, "以上" including
    the number; 一般火灾 below all three."""
    for grade, least_deaths, least_serious, least_loss in GRADE_THRESHOLDS:
        if deaths >= least_deaths or serious_injuries >= least_serious or Decimal(direct_loss) >= least_loss:
            return grade
    return FireGrade.GENERAL


def fire_incident_check(
    *,
    township: Township | None,
    premises: Premises | None,
    occurred_at: dt.datetime | None,
    deaths: int | None = 0,
    injuries: int | None = 0,
    direct_loss: Decimal | None = Decimal(0),
    serious_injuries: int | None = 0,
    burned_area_m2: Decimal | None = None,
    reported_at: dt.datetime | None = None,
) -> None:
    """Casualties, loss and burned area are not negative, the seriously injured are among the
    injured; the premises is in the township; the fire is not in the future, and it was not reported
    before it broke out nor later than now."""
    if any(n is not None and n < 0 for n in (deaths, injuries, serious_injuries)):
        raise ApplicationError(_("伤亡人数不能为负数。"))
    if serious_injuries and injuries is not None and serious_injuries > injuries:
        raise ApplicationError(
            _("重伤人数（%(serious)s）不能多于受伤人数（%(injured)s）。")
            % {"serious": serious_injuries, "injured": injuries}
        )
    if direct_loss is not None and direct_loss < 0:
        raise ApplicationError(_("直接财产损失不能为负数。"))
    if burned_area_m2 is not None and burned_area_m2 < 0:
        raise ApplicationError(_("过火面积不能为负数。"))
    if township is not None and premises is not None and premises.township_id != township.pk:
        raise ApplicationError(
            _("起火单位“%(premises)s”不在%(township)s。")
            % {"premises": premises.name, "township": township.name}
        )
    now = timezone.now()
    for moment in (occurred_at, reported_at):
        if moment is not None and timezone.is_naive(moment):
            raise ApplicationError(_("起火时间和报告时间须带时区。"))
    if occurred_at is not None and occurred_at > now:
        raise ApplicationError(_("起火时间晚于当前时间，不能登记未发生的火灾。"))
    if reported_at is not None:
        if reported_at > now:
            raise ApplicationError(_("报告时间晚于当前时间。"))
        if occurred_at is not None and reported_at < occurred_at:
            raise ApplicationError(
                _("报告时间 %(reported)s 早于起火时间 %(occurred)s。")
                % {"reported": _local_minute(reported_at), "occurred": _local_minute(occurred_at)}
            )


def _local_minute(moment: dt.datetime) -> str:
    return timezone.localtime(moment, timezone=county_tz()).strftime("%Y-%m-%d %H:%M")


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
    serious_injuries: int = 0,
    direct_loss: Decimal = Decimal(0),
    burned_area_m2: Decimal | None = None,
    responding_brigade: Brigade | None = None,
    arrival_minutes: int | None = None,
    description: str = "",
    reported_at: "dt.datetime | _ReportedNow | None" = REPORTED_NOW,
    is_demo: bool = False,
    by=None,
) -> FireIncident:
    """Record a fire in `township` (its lead or the center), graded by fire_grade. The responding
    brigade may come from any township (support).

    `reported_at` is by default this moment: the township reports its fire by recording it. Only the
    guidance center (or the system, by=None) gives another: the time a report came on paper or by
    phone, or None — the township has not reported it yet (the county learned of it otherwise).
    """
    access.check_incident_change(by=by, township=township, premises=premises)
    if reported_at is REPORTED_NOW:
        reported_at = timezone.now()
    else:
        access.check_incident_report_time(by=by)
    fire_incident_check(
        township=township,
        premises=premises,
        occurred_at=occurred_at,
        deaths=deaths,
        injuries=injuries,
        direct_loss=direct_loss,
        serious_injuries=serious_injuries,
        burned_area_m2=burned_area_m2,
        reported_at=reported_at,
    )
    incident = FireIncident(
        township=township,
        premises=premises,
        occurred_at=occurred_at,
        reported_at=reported_at,
        address=address,
        cause=cause,
        deaths=deaths,
        injuries=injuries,
        serious_injuries=serious_injuries,
        direct_loss=direct_loss,
        burned_area_m2=burned_area_m2,
        grade=fire_grade(deaths=deaths, serious_injuries=serious_injuries, direct_loss=direct_loss),
        responding_brigade=responding_brigade,
        arrival_minutes=arrival_minutes,
        description=description,
        is_demo=is_demo,
    )
    return record_save(incident, by=by)


@transaction.atomic
def fire_incident_update(*, incident: FireIncident, data: dict[str, Any], by=None) -> FireIncident:
    """Correct a recorded fire (INCIDENT_UPDATABLE_FIELDS; the township is fixed; its lead or the
    center) and grade it again. Locks the row. The time reported is the guidance center's to change
    (check_incident_report_time); so is the time of a fire already reported, which would otherwise
    turn a late report into one on time."""
    stored_reported_at, stored_occurred_at = (
        FireIncident.objects.select_for_update().values_list("reported_at", "occurred_at").get(pk=incident.pk)
    )

    def check(locked: FireIncident) -> None:
        access.check_incident_change(by=by, township=locked.township, premises=locked.premises)
        if "reported_at" in data and data["reported_at"] != stored_reported_at:
            access.check_incident_report_time(by=by)
        if (
            stored_reported_at is not None
            and "occurred_at" in data
            and data["occurred_at"] != stored_occurred_at
        ):
            access.check_incident_report_time(by=by)
        fire_incident_check(
            township=locked.township,
            premises=locked.premises,
            occurred_at=locked.occurred_at,
            deaths=locked.deaths,
            injuries=locked.injuries,
            direct_loss=locked.direct_loss,
            serious_injuries=locked.serious_injuries,
            burned_area_m2=locked.burned_area_m2,
            reported_at=locked.reported_at,
        )
        locked.grade = fire_grade(
            deaths=locked.deaths, serious_injuries=locked.serious_injuries, direct_loss=locked.direct_loss
        )

    return model_update(incident, data=data, allowed=INCIDENT_UPDATABLE_FIELDS, by=by, check=check)


@transaction.atomic
def fire_incident_report(*, incident: FireIncident, by) -> FireIncident:
    """The township reports to the county a fire the county recorded before it did (reported_at
    empty): the time reported is this moment. Its lead or the center; refused once reported. Locks
    the row."""
    locked = FireIncident.objects.select_for_update().select_related("township").get(pk=incident.pk)
    access.check_incident_change(by=by, township=locked.township, premises=locked.premises)
    if locked.reported_at is not None:
        raise ConflictError(
            _("该火灾已于 %(reported)s 报告。") % {"reported": _local_minute(locked.reported_at)}
        )
    locked.reported_at = timezone.now()
    record_step(locked, target=incident, by=by, fields=["reported_at"])
    return incident


@transaction.atomic
def fire_incident_delete(*, incident: FireIncident, by) -> None:
    """Delete a fire recorded by mistake (the guidance center); refused while an accountability
    decision refers to it. Locks the row."""
    locked = FireIncident.objects.select_for_update().get(pk=incident.pk)
    access.check_record_delete(by=by)
    _delete(locked, by=by)


# --- the brigade archive (一队一档) ------------------------------------------------------------

# Each archive record's own fields, in the order the forms, the admin and the API show them.
DOCUMENT_FIELDS = ("kind", "title", "issued_on", "file")
TRAINING_FIELDS = ("kind", "held_on", "hours", "topic", "place", "participants")
DUTY_FIELDS = ("duty_on", "shift", "leader", "members", "note")
CALL_OUT_FIELDS = ("kind", "called_at", "arrived_at", "address", "outcome", "incident")
PUBLICITY_FIELDS = ("held_on", "kind", "place", "audience", "note")


def _refuse_other_brigades_members(
    *, brigade: Brigade, members: Iterable[BrigadeMember], on: dt.date
) -> None:
    """Every member named belongs to `brigade` and was serving on `on` (hired by then, not yet left)."""
    for member in members:
        if member.brigade_id != brigade.pk:
            raise ApplicationError(
                _("%(member)s不是%(brigade)s的队员。") % {"member": member.name, "brigade": brigade.name}
            )
        if member.hired_on > on or (member.left_on is not None and member.left_on < on):
            raise ApplicationError(
                _("%(member)s在 %(date)s 不在队（入职 %(hired)s）。")
                % {"member": member.name, "date": on.isoformat(), "hired": member.hired_on.isoformat()}
            )


@transaction.atomic
def brigade_document_add(
    *, brigade: Brigade, kind: str, title: str, file, issued_on: dt.date | None = None, by=None
) -> BrigadeDocument:
    """File a document (建队批复, 验收报告, 执勤制度, ...) in `brigade`'s archive: a photo or a PDF
    (core.uploads.validate_document), stored under a random name. Its township's lead or the center."""
    access.check_archive_change(by=by, brigade=brigade)
    if not (title or "").strip():
        raise ApplicationError(_("请填写文件名称。"))
    if issued_on is not None:
        _refuse_future(issued_on, _("文件日期"))
    document = BrigadeDocument(
        brigade=brigade, kind=kind, title=title.strip(), issued_on=issued_on, file=file
    )
    return record_save(document, by=by)


def training_check(*, kind: str, held_on: dt.date | None, hours: Decimal | None) -> None:
    """A training or drill is recorded once held: not in the future; it lasts more than 0 and at most
    24 hours."""
    if held_on is not None and held_on > local_today():
        what = TrainingRecord.Kind(kind).label if kind in TrainingRecord.Kind.values else _("训练")
        raise ApplicationError(
            _("%(what)s日期 %(date)s 晚于今天：只能登记已经进行的%(what)s。")
            % {"what": what, "date": held_on.isoformat()}
        )
    if hours is not None and not (0 < hours <= 24):
        raise ApplicationError(_("时长须大于 0 且不超过 24 小时（%(hours)s）。") % {"hours": hours})


@transaction.atomic
def training_record(
    *,
    brigade: Brigade,
    kind: str,
    held_on: dt.date,
    hours: Decimal,
    topic: str,
    place: str = "",
    participants: Iterable[BrigadeMember] = (),
    by=None,
) -> TrainingRecord:
    """Record a training session or a drill (演练) `brigade` held, with the members who took part (its
    own, serving on that day). Refused in the future. Its township's lead or the center."""
    access.check_archive_change(by=by, brigade=brigade)
    if kind not in TrainingRecord.Kind.values:
        raise ApplicationError(_("未知的训练类型：%(k)s") % {"k": kind})
    training_check(kind=kind, held_on=held_on, hours=hours)
    participants = list(participants)
    _refuse_other_brigades_members(brigade=brigade, members=participants, on=held_on)
    record = TrainingRecord(
        brigade=brigade, kind=kind, held_on=held_on, hours=hours, topic=topic, place=place
    )
    record_save(record, by=by)
    record.participants.set(participants)
    return record


@transaction.atomic
def duty_roster_add(
    *,
    brigade: Brigade,
    duty_on: dt.date,
    leader: BrigadeMember,
    shift: str = DutyRosterEntry.Shift.ALL_DAY,
    members: Iterable[BrigadeMember] = (),
    note: str = "",
    by=None,
) -> DutyRosterEntry:
    """Put a shift of `brigade` on the duty roster (planned ahead or recorded after): its leader (带班)
    and members, its own and serving on that day; one entry per day and shift. Locks the brigade so
    two entries of the same shift queue up. Its township's lead or the center."""
    access.check_archive_change(by=by, brigade=brigade)
    Brigade.objects.select_for_update().filter(pk=brigade.pk).first()
    members = list(members)
    _refuse_other_brigades_members(brigade=brigade, members=[leader, *members], on=duty_on)
    if DutyRosterEntry.objects.filter(brigade=brigade, duty_on=duty_on, shift=shift).exists():
        raise ConflictError(
            _("%(brigade)s %(date)s %(shift)s已排班，请勿重复登记。")
            % {
                "brigade": brigade.name,
                "date": duty_on.isoformat(),
                "shift": DutyRosterEntry.Shift(shift).label,
            }
        )
    entry = DutyRosterEntry(brigade=brigade, duty_on=duty_on, shift=shift, leader=leader, note=note)
    record_save(entry, by=by)
    entry.members.set(members)
    return entry


def call_out_check(
    *,
    brigade: Brigade | None,
    kind: str | None,
    called_at: dt.datetime | None,
    arrived_at: dt.datetime | None,
    incident: FireIncident | None,
) -> None:
    """A call-out is recorded once called: not in the future; it arrived no earlier than it was called;
    a fire it answered is a fire call-out, of the brigade's township, one it also serves, or one
    that names it as the responding brigade."""
    for moment in (called_at, arrived_at):
        if moment is not None and timezone.is_naive(moment):
            raise ApplicationError(_("接警时间和到场时间须带时区。"))
    now = timezone.now()
    if called_at is not None and called_at > now:
        raise ApplicationError(_("接警时间晚于当前时间，不能登记未发生的出警。"))
    if arrived_at is not None:
        if arrived_at > now:
            raise ApplicationError(_("到场时间晚于当前时间。"))
        if called_at is not None and arrived_at < called_at:
            raise ApplicationError(
                _("到场时间 %(arrived)s 早于接警时间 %(called)s。")
                % {"arrived": _local_minute(arrived_at), "called": _local_minute(called_at)}
            )
    if incident is not None and brigade is not None:
        if kind is not None and kind != CallOut.Kind.FIRE:
            raise ApplicationError(_("关联火灾的出警，出警类型应为“火灾”。"))
        serves = brigade.also_serves.filter(pk=incident.township_id).exists()
        if (
            incident.township_id != brigade.township_id
            and incident.responding_brigade_id != brigade.pk
            and not serves
        ):
            raise ApplicationError(
                _("火灾“%(incident)s”不在%(brigade)s的辖区，也未登记由该队出动。")
                % {"incident": incident, "brigade": brigade.name}
            )


@transaction.atomic
def call_out_record(
    *,
    brigade: Brigade,
    kind: str,
    called_at: dt.datetime,
    address: str,
    arrived_at: dt.datetime | None = None,
    outcome: str = "",
    incident: FireIncident | None = None,
    by=None,
) -> CallOut:
    """Record a call-out (出警) of `brigade`: fire, rescue, social assistance or other, the time it was
    called and the time it arrived (not before the call), what came of it, and the fire it answered
    where there is one (call_out_check). Its township's lead or the center."""
    access.check_archive_change(by=by, brigade=brigade)
    if kind not in CallOut.Kind.values:
        raise ApplicationError(_("未知的出警类型：%(k)s") % {"k": kind})
    call_out_check(brigade=brigade, kind=kind, called_at=called_at, arrived_at=arrived_at, incident=incident)
    call_out = CallOut(
        brigade=brigade,
        kind=kind,
        called_at=called_at,
        arrived_at=arrived_at,
        address=address,
        outcome=outcome,
        incident=incident,
    )
    return record_save(call_out, by=by)


@transaction.atomic
def publicity_record(
    *,
    brigade: Brigade,
    held_on: dt.date,
    kind: str,
    place: str,
    audience: int = 0,
    note: str = "",
    by=None,
) -> PublicityActivity:
    """Record a fire-safety publicity activity (宣传) `brigade` held: not in the future, audience not
    negative. Its township's lead or the center."""
    access.check_archive_change(by=by, brigade=brigade)
    if kind not in PublicityActivity.Kind.values:
        raise ApplicationError(_("未知的宣传形式：%(k)s") % {"k": kind})
    _refuse_future(held_on, _("宣传日期"))
    if audience is None or audience < 0:
        raise ApplicationError(_("受众人数不能为负数。"))
    activity = PublicityActivity(
        brigade=brigade, held_on=held_on, kind=kind, place=place, audience=audience, note=note
    )
    return record_save(activity, by=by)


@transaction.atomic
def archive_record_delete(*, record: Model, by) -> None:
    """Delete an archive record entered by mistake (the guidance center). Locks the row."""
    locked = type(record).objects.select_for_update().get(pk=record.pk)
    access.check_record_delete(by=by)
    _delete(locked, by=by)
