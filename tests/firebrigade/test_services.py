import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.exceptions import ApplicationError
from core.models import Role
from firebrigade import services
from firebrigade.models import (
    Brigade,
    BrigadeClass,
    BrigadeMember,
    Disbursement,
    EquipmentItem,
    FireIncident,
    FundingAllocation,
    FundingCategory,
)
from tests.factories import (
    BrigadeFactory,
    BrigadeMemberFactory,
    EquipmentItemFactory,
    EquipmentTypeFactory,
    FundingAllocationFactory,
    PremisesFactory,
    TownshipFactory,
    make_user,
)
from tests.firebrigade.factories import (
    brigade_meeting_standard,
    class2_standard,
    equip_vehicles,
    established_brigade,
    staff,
)

pytestmark = pytest.mark.django_db


def center_user():
    """The services check who `by` is (firebrigade.access): these writes are the guidance center's."""
    return make_user(Role.GUIDANCE_CENTER, username="center")


SHANGHAI = ZoneInfo("Asia/Shanghai")
STATUS = Brigade.Status
ACCEPT = {"accepted_on": dt.date(2021, 10, 8), "accepted_by": services.ACCEPTING_UNIT}


def _last_history_user(instance):
    return instance.history.order_by("-history_id").first().history_user


def _assert_unchanged(brigade, status):
    history_before = brigade.history.count()
    brigade.refresh_from_db()
    assert brigade.status == status
    assert brigade.history.count() == history_before


# --- lifecycle ------------------------------------------------------------------------------


def test_brigade_create_registers_a_planned_brigade():
    township = TownshipFactory()
    neighbour = TownshipFactory(county=township.county)
    user = center_user()

    brigade = services.brigade_create(
        township=township,
        name="褚庙乡专职消防队",
        brigade_class=BrigadeClass.CLASS_2,
        also_serves=[neighbour],
        by=user,
    )

    assert brigade.status == STATUS.PLANNED
    assert list(brigade.also_serves.all()) == [neighbour]
    assert _last_history_user(brigade) == user


def test_brigade_create_refuses_its_own_township_as_also_served():
    township = TownshipFactory()

    with pytest.raises(ApplicationError, match="不能包含队伍所属乡镇"):
        services.brigade_create(
            township=township, name="队", brigade_class=BrigadeClass.CLASS_2, also_serves=[township]
        )

    assert not Brigade.objects.exists()


def test_brigade_moves_forward_through_the_whole_lifecycle_recording_the_user():
    class2_standard()
    brigade = BrigadeFactory(station_area_m2=300)
    staff(brigade, 8)
    equip_vehicles(brigade, 1)
    user = center_user()

    services.brigade_start_construction(brigade=brigade, started_on=dt.date(2021, 3, 1), by=user)
    assert brigade.status == STATUS.UNDER_CONSTRUCTION
    services.brigade_mark_established(brigade=brigade, established_on=dt.date(2021, 9, 1), by=user)
    assert brigade.status == STATUS.ESTABLISHED
    services.brigade_accept(brigade=brigade, **ACCEPT, by=user)

    brigade.refresh_from_db()
    assert brigade.status == STATUS.ACCEPTED
    assert brigade.construction_started_on == dt.date(2021, 3, 1)
    assert brigade.established_on == dt.date(2021, 9, 1)
    assert brigade.accepted_on == dt.date(2021, 10, 8)
    assert brigade.accepted_by == "县消防安全检查指导服务中心"
    assert [h.history_user for h in brigade.history.order_by("history_id")][-3:] == [user] * 3


def test_a_brigade_cannot_be_marked_established_before_construction_starts():
    brigade = BrigadeFactory()

    with pytest.raises(ApplicationError, match="须先完成“建设中”"):
        services.brigade_mark_established(brigade=brigade, established_on=dt.date(2021, 9, 1), by=None)

    _assert_unchanged(brigade, STATUS.PLANNED)


def test_a_planned_brigade_cannot_skip_to_acceptance():
    brigade = BrigadeFactory()

    with pytest.raises(ApplicationError, match="不能直接转为“已验收”"):
        services.brigade_accept(brigade=brigade, **ACCEPT, by=None)

    _assert_unchanged(brigade, STATUS.PLANNED)


def test_a_brigade_under_construction_cannot_be_accepted():
    brigade = BrigadeFactory(status=STATUS.UNDER_CONSTRUCTION, construction_started_on=dt.date(2021, 3, 1))

    with pytest.raises(ApplicationError, match="须先完成“已建成”"):
        services.brigade_accept(brigade=brigade, **ACCEPT, by=None)

    _assert_unchanged(brigade, STATUS.UNDER_CONSTRUCTION)


@pytest.mark.parametrize("status", [STATUS.UNDER_CONSTRUCTION, STATUS.ESTABLISHED])
def test_construction_cannot_start_again_or_go_backwards(status):
    brigade = established_brigade(status=status)

    with pytest.raises(ApplicationError, match="不能重复或回退"):
        services.brigade_start_construction(brigade=brigade, started_on=dt.date(2021, 3, 1))

    _assert_unchanged(brigade, status)


def test_an_accepted_brigade_cannot_be_accepted_again():
    brigade = established_brigade(
        status=STATUS.ACCEPTED, accepted_on=dt.date(2021, 10, 1), accepted_by="中心"
    )

    with pytest.raises(ApplicationError, match="当前已是“已验收”"):
        services.brigade_accept(brigade=brigade, **ACCEPT, by=None)

    _assert_unchanged(brigade, STATUS.ACCEPTED)


def test_a_brigade_cannot_be_established_before_construction_began():
    brigade = BrigadeFactory(status=STATUS.UNDER_CONSTRUCTION, construction_started_on=dt.date(2021, 3, 1))

    with pytest.raises(ApplicationError, match="早于开工日期"):
        services.brigade_mark_established(brigade=brigade, established_on=dt.date(2021, 2, 1), by=None)

    _assert_unchanged(brigade, STATUS.UNDER_CONSTRUCTION)


def test_construction_cannot_start_in_the_future():
    brigade = BrigadeFactory()

    with pytest.raises(ApplicationError, match="晚于今天"):
        services.brigade_start_construction(
            brigade=brigade, started_on=timezone.localdate() + dt.timedelta(days=1)
        )

    _assert_unchanged(brigade, STATUS.PLANNED)


def test_brigade_cannot_be_accepted_below_minimum_staff():
    class2_standard()
    brigade = established_brigade()
    staff(brigade, 5)
    staff(brigade, 2, on_duty=False)  # off duty: not counted
    staff(brigade, 2, left_on=dt.date(2021, 8, 1), on_duty=False)  # left: not counted
    equip_vehicles(brigade, 1)

    with pytest.raises(ApplicationError) as excinfo:
        services.brigade_accept(brigade=brigade, **ACCEPT, by=None)

    assert "在岗队员 5 人，低于二级专职消防队标准 8 人" in str(excinfo.value.message)
    assert "车辆" not in str(excinfo.value.message)
    _assert_unchanged(brigade, STATUS.ESTABLISHED)


def test_brigade_cannot_be_accepted_without_enough_good_vehicles():
    class2_standard()
    brigade = established_brigade()
    staff(brigade, 8)
    equip_vehicles(brigade, 2, condition=EquipmentItem.Condition.NEEDS_REPAIR)
    EquipmentItemFactory(brigade=brigade, quantity=5)  # a pump is not a vehicle

    with pytest.raises(ApplicationError, match="完好消防车辆 0 辆，低于二级专职消防队标准 1 辆"):
        services.brigade_accept(brigade=brigade, **ACCEPT, by=None)

    _assert_unchanged(brigade, STATUS.ESTABLISHED)


@pytest.mark.parametrize(
    ("area", "message"),
    [(200, "营房面积 200 ㎡，低于二级专职消防队标准 300 ㎡"), (None, "未登记营房面积")],
)
def test_brigade_cannot_be_accepted_with_a_station_below_standard(area, message):
    class2_standard()
    brigade = established_brigade(station_area_m2=area)
    staff(brigade, 8)
    equip_vehicles(brigade, 1)

    with pytest.raises(ApplicationError, match=message):
        services.brigade_accept(brigade=brigade, **ACCEPT, by=None)

    _assert_unchanged(brigade, STATUS.ESTABLISHED)


def test_brigade_cannot_be_accepted_when_its_class_has_no_standard():
    brigade = established_brigade(brigade_class=BrigadeClass.CLASS_1)
    staff(brigade, 20)

    with pytest.raises(ApplicationError, match="尚未制定一级专职消防队建设标准"):
        services.brigade_accept(brigade=brigade, **ACCEPT, by=None)

    _assert_unchanged(brigade, STATUS.ESTABLISHED)


def test_every_shortfall_is_named_in_one_refusal():
    class2_standard()
    brigade = established_brigade(station_area_m2=100)

    with pytest.raises(ApplicationError) as excinfo:
        services.brigade_accept(brigade=brigade, **ACCEPT, by=None)

    message = str(excinfo.value.message)
    assert "在岗队员 0 人" in message
    assert "完好消防车辆 0 辆" in message
    assert "营房面积 100 ㎡" in message


def test_acceptance_before_the_establishment_date_is_refused():
    brigade = brigade_meeting_standard()

    with pytest.raises(ApplicationError, match="早于建成日期"):
        services.brigade_accept(
            brigade=brigade, accepted_on=dt.date(2021, 8, 1), accepted_by=services.ACCEPTING_UNIT, by=None
        )

    _assert_unchanged(brigade, STATUS.ESTABLISHED)


def test_acceptance_needs_an_accepting_unit():
    brigade = brigade_meeting_standard()

    with pytest.raises(ApplicationError, match="验收单位"):
        services.brigade_accept(brigade=brigade, accepted_on=dt.date(2021, 10, 8), accepted_by=" ", by=None)

    _assert_unchanged(brigade, STATUS.ESTABLISHED)


def test_an_accepted_brigade_keeps_its_class():
    brigade = established_brigade(
        status=STATUS.ACCEPTED, accepted_on=dt.date(2021, 10, 1), accepted_by="中心"
    )

    with pytest.raises(ApplicationError, match="不能更改队伍等级"):
        services.brigade_update(brigade=brigade, data={"brigade_class": BrigadeClass.VOLUNTEER})

    brigade.refresh_from_db()
    assert brigade.brigade_class == BrigadeClass.CLASS_2


def test_brigade_update_can_swap_its_own_and_a_shared_township():
    home = TownshipFactory()
    neighbour = TownshipFactory(county=home.county)
    brigade = BrigadeFactory(township=home)
    brigade.also_serves.add(neighbour)
    user = center_user()

    services.brigade_update(
        brigade=brigade, data={"township": neighbour, "station_area_m2": 320}, also_serves=[home], by=user
    )

    brigade.refresh_from_db()
    assert brigade.township == neighbour
    assert list(brigade.also_serves.all()) == [home]
    assert _last_history_user(brigade) == user


def test_brigade_update_refuses_its_own_township_as_also_served():
    home = TownshipFactory()
    brigade = BrigadeFactory(township=home)

    with pytest.raises(ApplicationError, match="不能包含队伍所属乡镇"):
        services.brigade_update(brigade=brigade, data={"station_area_m2": 320}, also_serves=[home])

    brigade.refresh_from_db()
    assert brigade.station_area_m2 is None
    assert not brigade.also_serves.exists()


def test_brigade_update_refuses_status_changes():
    brigade = BrigadeFactory()

    with pytest.raises(ApplicationError, match="status"):
        services.brigade_update(brigade=brigade, data={"status": STATUS.ACCEPTED})

    _assert_unchanged(brigade, STATUS.PLANNED)


# --- members --------------------------------------------------------------------------------


def test_member_add_and_leave_record_the_user_and_end_duty():
    brigade = BrigadeFactory()
    user = center_user()

    member = services.brigade_member_add(
        brigade=brigade,
        name="刘队长",
        role=BrigadeMember.Role.CAPTAIN,
        hired_on=dt.date(2021, 6, 1),
        contract_until=dt.date(2024, 5, 31),
        by=user,
    )
    services.brigade_member_leave(member=member, left_on=dt.date(2021, 12, 31), by=user)

    member.refresh_from_db()
    assert member.left_on == dt.date(2021, 12, 31)
    assert member.on_duty is False
    assert [h.history_user for h in member.history.all()] == [user, user]


def test_member_cannot_leave_before_being_hired():
    member = BrigadeMemberFactory(hired_on=dt.date(2021, 6, 1))

    with pytest.raises(ApplicationError, match="早于入职日期"):
        services.brigade_member_leave(member=member, left_on=dt.date(2021, 5, 31))

    member.refresh_from_db()
    assert member.left_on is None
    assert member.on_duty is True


def test_member_cannot_leave_twice():
    member = BrigadeMemberFactory(left_on=dt.date(2021, 9, 1), on_duty=False)

    with pytest.raises(ApplicationError, match="已于 2021-09-01 离职"):
        services.brigade_member_leave(member=member, left_on=dt.date(2021, 10, 1))

    member.refresh_from_db()
    assert member.left_on == dt.date(2021, 9, 1)


def test_member_add_refuses_a_contract_ending_before_hiring():
    brigade = BrigadeFactory()

    with pytest.raises(ApplicationError, match="合同到期日"):
        services.brigade_member_add(
            brigade=brigade,
            name="队员",
            role=BrigadeMember.Role.FIREFIGHTER,
            hired_on=dt.date(2021, 6, 1),
            contract_until=dt.date(2021, 1, 1),
        )

    assert not BrigadeMember.objects.exists()


def test_member_add_refuses_a_hiring_date_in_the_future():
    brigade = BrigadeFactory()

    with pytest.raises(ApplicationError, match="入职日期"):
        services.brigade_member_add(
            brigade=brigade,
            name="队员",
            role=BrigadeMember.Role.FIREFIGHTER,
            hired_on=timezone.localdate() + dt.timedelta(days=3),
        )

    assert not BrigadeMember.objects.exists()


def test_member_who_left_cannot_be_put_back_on_duty():
    member = BrigadeMemberFactory(left_on=dt.date(2021, 9, 1), on_duty=False)

    with pytest.raises(ApplicationError, match="不能设为在岗执勤"):
        services.brigade_member_update(member=member, data={"on_duty": True})

    member.refresh_from_db()
    assert member.on_duty is False


# --- equipment ------------------------------------------------------------------------------


def test_equipment_add_computes_the_next_maintenance_from_the_interval():
    brigade = BrigadeFactory()
    pump = EquipmentTypeFactory(name="手抬机动泵", maintenance_interval_days=90)
    user = center_user()

    item = services.equipment_item_add(
        brigade=brigade, equipment_type=pump, quantity=2, last_maintained_on=dt.date(2021, 11, 1), by=user
    )

    assert item.next_maintenance_on == dt.date(2022, 1, 30)
    assert _last_history_user(item) == user


def test_equipment_add_keeps_an_explicit_next_maintenance():
    pump = EquipmentTypeFactory(name="手抬机动泵", maintenance_interval_days=90)

    item = services.equipment_item_add(
        brigade=BrigadeFactory(),
        equipment_type=pump,
        quantity=1,
        last_maintained_on=dt.date(2021, 11, 1),
        next_maintenance_on=dt.date(2021, 12, 1),
    )

    assert item.next_maintenance_on == dt.date(2021, 12, 1)


def test_equipment_add_refuses_a_negative_quantity():
    with pytest.raises(ApplicationError, match="不能为负数"):
        services.equipment_item_add(
            brigade=BrigadeFactory(), equipment_type=EquipmentTypeFactory(), quantity=-1
        )

    assert not EquipmentItem.objects.exists()


def test_equipment_add_refuses_a_next_maintenance_before_the_last():
    with pytest.raises(ApplicationError, match="早于上次保养日期"):
        services.equipment_item_add(
            brigade=BrigadeFactory(),
            equipment_type=EquipmentTypeFactory(),
            quantity=1,
            last_maintained_on=dt.date(2021, 11, 1),
            next_maintenance_on=dt.date(2021, 10, 1),
        )

    assert not EquipmentItem.objects.exists()


def test_equipment_update_recomputes_the_next_maintenance_when_the_last_changes():
    item = EquipmentItemFactory(equipment_type=EquipmentTypeFactory(maintenance_interval_days=30))
    user = center_user()

    services.equipment_item_update(
        item=item, data={"last_maintained_on": dt.date(2021, 12, 1), "quantity": 3}, by=user
    )

    item.refresh_from_db()
    assert item.quantity == 3
    assert item.next_maintenance_on == dt.date(2021, 12, 31)
    assert _last_history_user(item) == user


def test_equipment_update_refuses_a_negative_quantity():
    item = EquipmentItemFactory(quantity=4)

    with pytest.raises(ApplicationError, match="不能为负数"):
        services.equipment_item_update(item=item, data={"quantity": -2})

    item.refresh_from_db()
    assert item.quantity == 4


def test_recording_maintenance_schedules_the_next_and_records_the_condition():
    item = EquipmentItemFactory(
        equipment_type=EquipmentTypeFactory(maintenance_interval_days=60),
        condition=EquipmentItem.Condition.NEEDS_REPAIR,
    )
    user = center_user()

    services.equipment_item_record_maintenance(
        item=item, maintained_on=dt.date(2021, 11, 10), condition=EquipmentItem.Condition.GOOD, by=user
    )

    item.refresh_from_db()
    assert item.last_maintained_on == dt.date(2021, 11, 10)
    assert item.next_maintenance_on == dt.date(2022, 1, 9)
    assert item.condition == EquipmentItem.Condition.GOOD
    assert _last_history_user(item) == user


def test_recording_maintenance_older_than_the_last_is_refused():
    item = EquipmentItemFactory(
        last_maintained_on=dt.date(2021, 11, 10), next_maintenance_on=dt.date(2022, 2, 8)
    )

    with pytest.raises(ApplicationError, match="早于上次保养日期"):
        services.equipment_item_record_maintenance(item=item, maintained_on=dt.date(2021, 10, 1))

    item.refresh_from_db()
    assert item.last_maintained_on == dt.date(2021, 11, 10)


def test_recording_maintenance_in_the_future_is_refused():
    item = EquipmentItemFactory()

    with pytest.raises(ApplicationError, match="晚于今天"):
        services.equipment_item_record_maintenance(
            item=item, maintained_on=timezone.localdate() + dt.timedelta(days=1)
        )

    item.refresh_from_db()
    assert item.last_maintained_on is None


# --- funding --------------------------------------------------------------------------------


def test_funding_allocate_records_the_budget_and_the_user():
    township = TownshipFactory()
    user = center_user()

    allocation = services.funding_allocate(
        township=township, year=2021, category=FundingCategory.PERSONNEL, amount=Decimal("120000"), by=user
    )

    assert allocation.disbursed_amount == 0
    assert _last_history_user(allocation) == user


def test_a_second_allocation_for_the_same_category_and_year_is_refused():
    allocation = FundingAllocationFactory()

    with pytest.raises(ApplicationError, match="预算已登记"):
        services.funding_allocate(
            township=allocation.township, year=2021, category=FundingCategory.PERSONNEL, amount=Decimal(1)
        )

    assert FundingAllocation.objects.count() == 1


def test_a_negative_allocation_is_refused():
    with pytest.raises(ApplicationError, match="不能为负数"):
        services.funding_allocate(
            township=TownshipFactory(), year=2021, category=FundingCategory.OFFICE, amount=Decimal("-1")
        )

    assert not FundingAllocation.objects.exists()


def test_disbursement_adds_to_the_allocation_and_records_who_entered_it():
    allocation = FundingAllocationFactory(amount=Decimal("100000.00"))
    user = center_user()

    services.disbursement_record(
        allocation=allocation,
        amount=Decimal("60000"),
        disbursed_on=dt.date(2021, 12, 1),
        voucher_no="记-01",
        by=user,
    )
    disbursement = services.disbursement_record(
        allocation=allocation, amount=Decimal("40000"), disbursed_on=dt.date(2021, 12, 20), by=user
    )

    allocation.refresh_from_db()
    assert allocation.disbursed_amount == Decimal("100000.00")
    assert disbursement.recorded_by == user
    assert _last_history_user(disbursement) == user
    assert _last_history_user(allocation) == user


def test_disbursement_beyond_the_budget_is_refused_and_writes_nothing():
    allocation = FundingAllocationFactory(amount=Decimal("100000.00"))
    services.disbursement_record(
        allocation=allocation, amount=Decimal("80000"), disbursed_on=dt.date(2021, 12, 1), by=None
    )

    with pytest.raises(ApplicationError) as excinfo:
        services.disbursement_record(
            allocation=allocation, amount=Decimal("30000"), disbursed_on=dt.date(2021, 12, 2), by=None
        )

    assert (
        str(excinfo.value.message)
        == "到位金额超过预算：预算 100000.00 元，已到位 80000.00 元，本次 30000.00 元。"
    )
    allocation.refresh_from_db()
    assert allocation.disbursed_amount == Decimal("80000.00")
    assert Disbursement.objects.count() == 1


@pytest.mark.parametrize("amount", [Decimal(0), Decimal("-5")])
def test_disbursement_of_nothing_or_less_is_refused(amount):
    allocation = FundingAllocationFactory()

    with pytest.raises(ApplicationError, match="必须大于 0"):
        services.disbursement_record(
            allocation=allocation, amount=amount, disbursed_on=dt.date(2021, 12, 1), by=None
        )

    assert not Disbursement.objects.exists()


def test_disbursement_in_the_future_is_refused():
    allocation = FundingAllocationFactory()

    with pytest.raises(ApplicationError, match="晚于今天"):
        services.disbursement_record(
            allocation=allocation,
            amount=Decimal(1),
            disbursed_on=timezone.localdate() + dt.timedelta(days=1),
            by=None,
        )

    assert not Disbursement.objects.exists()


def test_budget_cannot_be_reduced_below_what_has_been_disbursed():
    allocation = FundingAllocationFactory(amount=Decimal("100000"))
    services.disbursement_record(
        allocation=allocation, amount=Decimal("70000"), disbursed_on=dt.date(2021, 12, 1), by=None
    )

    with pytest.raises(ApplicationError, match=r"预算不能低于已到位金额：已到位 70000\.00 元"):
        services.funding_update_amount(allocation=allocation, amount=Decimal("60000"))
    services.funding_update_amount(allocation=allocation, amount=Decimal("70000"))

    allocation.refresh_from_db()
    assert allocation.amount == Decimal("70000")


# --- fire incidents -------------------------------------------------------------------------


def _incident_kwargs(township, **overrides):
    kwargs = {
        "township": township,
        "occurred_at": dt.datetime(2022, 1, 15, 20, 30, tzinfo=SHANGHAI),
        "address": "褚庙乡某村",
        "cause": FireIncident.Cause.HEATING,
    }
    kwargs.update(overrides)
    return kwargs


def test_fire_incident_record_with_premises_and_brigade():
    premises = PremisesFactory()
    brigade = BrigadeFactory()
    user = center_user()

    incident = services.fire_incident_record(
        **_incident_kwargs(premises.township, premises=premises, responding_brigade=brigade),
        deaths=0,
        injuries=1,
        direct_loss=Decimal("35000"),
        arrival_minutes=12,
        by=user,
    )

    assert incident.premises == premises
    assert _last_history_user(incident) == user


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"deaths": -1}, "伤亡人数不能为负数"),
        ({"injuries": -2}, "伤亡人数不能为负数"),
        ({"direct_loss": Decimal("-0.01")}, "直接财产损失不能为负数"),
    ],
)
def test_fire_incident_refuses_negative_figures(overrides, message):
    with pytest.raises(ApplicationError, match=message):
        services.fire_incident_record(**_incident_kwargs(TownshipFactory()), **overrides)

    assert not FireIncident.objects.exists()


def test_fire_incident_refuses_premises_of_another_township():
    with pytest.raises(ApplicationError, match="不在"):
        services.fire_incident_record(**_incident_kwargs(TownshipFactory(), premises=PremisesFactory()))

    assert not FireIncident.objects.exists()


def test_fire_incident_in_the_future_is_refused():
    with pytest.raises(ApplicationError, match="未发生的火灾"):
        services.fire_incident_record(
            **_incident_kwargs(TownshipFactory(), occurred_at=timezone.now() + dt.timedelta(hours=1))
        )

    assert not FireIncident.objects.exists()


def test_fire_incident_with_an_unknown_cause_is_refused_by_validation():
    with pytest.raises(ValidationError):
        services.fire_incident_record(**_incident_kwargs(TownshipFactory(), cause="lightning"))

    assert not FireIncident.objects.exists()


# --- the counts the services keep (firebrigade.tallies) -------------------------------------


def test_a_brigades_staff_and_vehicles_are_kept_by_every_write_that_changes_them(db):
    from firebrigade import tallies
    from firebrigade.models import EquipmentItem, EquipmentType

    center = make_user(Role.GUIDANCE_CENTER)
    brigade = BrigadeFactory()
    engine = EquipmentType.objects.create(
        name="水罐消防车", category=EquipmentType.Category.VEHICLE, unit="辆"
    )
    first = services.brigade_member_add(
        brigade=brigade, name="甲", role="firefighter", hired_on=dt.date(2021, 1, 1), by=center
    )
    services.brigade_member_add(
        brigade=brigade, name="乙", role="driver", hired_on=dt.date(2021, 1, 1), by=center
    )
    item = services.equipment_item_add(brigade=brigade, equipment_type=engine, quantity=2, by=center)
    brigade.refresh_from_db()
    assert (brigade.active_staff, brigade.good_vehicles) == (2, 2)
    services.brigade_member_update(member=first, data={"on_duty": False}, by=center)
    services.equipment_item_update(
        item=item, data={"condition": EquipmentItem.Condition.NEEDS_REPAIR}, by=center
    )
    brigade.refresh_from_db()
    assert (brigade.active_staff, brigade.good_vehicles) == (1, 0)
    services.equipment_item_record_maintenance(
        item=item, maintained_on=dt.date(2021, 3, 1), condition=EquipmentItem.Condition.GOOD, by=center
    )
    services.brigade_member_leave(member=first, left_on=dt.date(2021, 6, 1), by=center)
    brigade.refresh_from_db()
    assert (brigade.active_staff, brigade.good_vehicles) == (1, 2)
    services.equipment_item_delete(item=item, by=center)
    brigade.refresh_from_db()
    assert (brigade.active_staff, brigade.good_vehicles) == (1, 0)
    assert tallies.differences() == []
