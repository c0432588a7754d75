"""The township lead's brigade forms: good input writes the rows (with the lead in the history);
each bad input is refused on the form, nothing is written, and what was typed is shown again."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from firebrigade.models import BrigadeMember, EquipmentItem
from tests.factories import BrigadeMemberFactory
from tests.firebrigade.test_pages import make_world, snapshot

pytestmark = pytest.mark.django_db


def tomorrow() -> str:
    return (timezone.localdate() + dt.timedelta(days=1)).isoformat()


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def lead_client(client, world):
    client.force_login(world.users["chumiao_lead"])
    return client


def url(world, name):
    return reverse(f"firebrigade:{name}", args=[world.brigade.pk])


def assert_refused(response, before, *typed):
    """400, the form shown again with an error and what was typed, and nothing written."""
    assert response.status_code == 400
    page = response.content.decode()
    assert "errorlist" in page
    for value in typed:
        assert str(value) in page, value
    assert snapshot() == before


# -- add member -----------------------------------------------------------------------------------

GOOD_MEMBER = {
    "member-name": "张三丰",
    "member-role": "driver",
    "member-phone": "13812345678",
    "member-certification": "消防车驾驶资格",
    "member-hired_on": "2021-10-08",
    "member-contract_until": "2024-10-07",
    "member-on_duty": "on",
}


def test_lead_adds_a_member_and_the_history_records_the_lead(lead_client, world):
    response = lead_client.post(url(world, "brigade-member-add"), GOOD_MEMBER)
    assert response.status_code == 302
    assert response["Location"] == reverse("firebrigade:brigade-detail", args=[world.brigade.pk])
    member = BrigadeMember.objects.get(name="张三丰")
    assert (member.brigade, member.role, member.hired_on, member.on_duty) == (
        world.brigade,
        "driver",
        dt.date(2021, 10, 8),
        True,
    )
    assert member.history.get().history_user == world.users["chumiao_lead"]
    assert "已添加队员" in lead_client.get(response["Location"]).content.decode()


def test_guidance_center_may_add_a_member_too(client, world):
    client.force_login(world.users["center"])
    assert client.post(url(world, "brigade-member-add"), GOOD_MEMBER).status_code == 302
    assert BrigadeMember.objects.filter(name="张三丰", brigade=world.brigade).exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"member-hired_on": "future"}, "不能晚于今天"),
        ({"member-contract_until": "2021-01-01"}, "合同到期日 2021-01-01 早于入职日期 2021-10-08"),
        ({"member-phone": "12345"}, "电话"),
        ({"member-name": ""}, "必填项"),
        ({"member-role": "chief"}, "选择一个有效的选项"),
        ({"member-hired_on": "2021-13-45"}, "输入一个有效的日期"),
    ],
)
def test_add_member_refuses_bad_input_keeps_what_was_typed_and_writes_nothing(
    lead_client, world, change, message
):
    data = {**GOOD_MEMBER, **change}
    if data["member-hired_on"] == "future":
        data["member-hired_on"] = tomorrow()
    before = snapshot()
    response = lead_client.post(url(world, "brigade-member-add"), data)
    assert_refused(response, before, "消防车驾驶资格", data["member-hired_on"])
    page = response.content.decode()
    assert message in page
    if data["member-name"]:
        assert data["member-name"] in page


# -- member leaves --------------------------------------------------------------------------------


def test_lead_records_that_a_member_left(lead_client, world):
    response = lead_client.post(
        url(world, "brigade-member-leave"), {"leave-member": world.captain.pk, "leave-left_on": "2021-12-01"}
    )
    assert response.status_code == 302
    world.captain.refresh_from_db()
    assert (world.captain.left_on, world.captain.on_duty) == (dt.date(2021, 12, 1), False)
    assert world.captain.history.first().history_user == world.users["chumiao_lead"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"leave-left_on": "2021-05-01"}, "离职日期 2021-05-01 早于入职日期 2021-06-01"),
        ({"leave-left_on": "future"}, "不能晚于今天"),
        ({"leave-left_on": ""}, "必填项"),
        ({"leave-member": "other", "leave-left_on": "2021-12-01"}, "选择一个有效的选项"),
        ({"leave-member": "gone", "leave-left_on": "2021-12-01"}, "选择一个有效的选项"),
    ],
)
def test_member_leave_refuses_bad_input_and_writes_nothing(lead_client, world, data, message):
    gone = BrigadeMemberFactory(
        brigade=world.brigade, name="已走队员", left_on=dt.date(2021, 9, 1), on_duty=False
    )
    member = {"other": BrigadeMember.objects.get(name="北队员").pk, "gone": gone.pk}.get(
        data.get("leave-member"), world.captain.pk
    )
    left_on = tomorrow() if data["leave-left_on"] == "future" else data["leave-left_on"]
    before = snapshot()
    response = lead_client.post(
        url(world, "brigade-member-leave"), {"leave-member": member, "leave-left_on": left_on}
    )
    assert_refused(response, before, left_on)
    assert message in response.content.decode()


# -- add equipment --------------------------------------------------------------------------------


def test_lead_adds_equipment_and_next_maintenance_follows_the_types_interval(lead_client, world):
    response = lead_client.post(
        url(world, "equipment-item-add"),
        {
            "equipment-equipment_type": world.pump.pk,
            "equipment-quantity": "2",
            "equipment-condition": "good",
            "equipment-acquired_on": "2021-11-01",
            "equipment-last_maintained_on": "2021-11-20",
            "equipment-note": "县里调拨",
        },
    )
    assert response.status_code == 302
    item = EquipmentItem.objects.get(note="县里调拨")
    assert (item.brigade, item.equipment_type, item.quantity) == (world.brigade, world.pump, 2)
    assert item.next_maintenance_on == dt.date(2021, 11, 20) + dt.timedelta(days=90)
    assert item.history.get().history_user == world.users["chumiao_lead"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"equipment-quantity": "-1"}, "0"),
        (
            {"equipment-last_maintained_on": "2021-11-20", "equipment-next_maintenance_on": "2021-11-01"},
            "下次保养日期 2021-11-01 早于上次保养日期 2021-11-20",
        ),
        ({"equipment-acquired_on": "future"}, "不能晚于今天"),
        ({"equipment-equipment_type": "999999"}, "选择一个有效的选项"),
    ],
)
def test_add_equipment_refuses_bad_input_and_writes_nothing(lead_client, world, change, message):
    data = {
        "equipment-equipment_type": world.pump.pk,
        "equipment-quantity": "3",
        "equipment-condition": "good",
        "equipment-note": "待核实的装备",
        **change,
    }
    if data.get("equipment-acquired_on") == "future":
        data["equipment-acquired_on"] = tomorrow()
    before = snapshot()
    response = lead_client.post(url(world, "equipment-item-add"), data)
    assert_refused(response, before, "待核实的装备", data["equipment-quantity"])
    assert message in response.content.decode()


# -- update equipment -----------------------------------------------------------------------------


def test_lead_updates_quantity_and_condition(lead_client, world):
    response = lead_client.post(
        url(world, "equipment-item-update"),
        {"update-item": world.pump_item.pk, "update-quantity": "2", "update-condition": "needs_repair"},
    )
    assert response.status_code == 302
    world.pump_item.refresh_from_db()
    assert (world.pump_item.quantity, world.pump_item.condition) == (2, "needs_repair")
    assert world.pump_item.history.first().history_user == world.users["chumiao_lead"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"update-quantity": "-3"}, "-3"),
        ({"update-condition": "lost"}, "选择一个有效的选项"),
        ({"update-item": "other"}, "选择一个有效的选项"),
    ],
)
def test_update_equipment_refuses_bad_input_and_writes_nothing(lead_client, world, change, message):
    data = {"update-item": world.pump_item.pk, "update-quantity": "7", "update-condition": "good", **change}
    if data["update-item"] == "other":
        data["update-item"] = world.other_item.pk  # 北关镇's pump, not this brigade's
    before = snapshot()
    response = lead_client.post(url(world, "equipment-item-update"), data)
    assert_refused(response, before, data["update-quantity"])
    assert message in response.content.decode()


# -- maintenance ----------------------------------------------------------------------------------


def test_lead_records_maintenance_and_the_item_is_no_longer_due(lead_client, world):
    today = timezone.localdate()
    response = lead_client.post(
        url(world, "equipment-item-record-maintenance"),
        {"maintenance-item": world.pump_item.pk, "maintenance-maintained_on": today.isoformat()},
    )
    assert response.status_code == 302
    world.pump_item.refresh_from_db()
    assert world.pump_item.last_maintained_on == today
    assert world.pump_item.next_maintenance_on == today + dt.timedelta(days=90)
    page = lead_client.get(response["Location"]).content.decode()
    assert 'data-testid="maintenance-due"' not in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"maintenance-maintained_on": "before-last"}, "早于上次保养日期"),
        ({"maintenance-maintained_on": "future"}, "不能晚于今天"),
        ({"maintenance-next_maintenance_on": "2000-01-01"}, "下次保养日期 2000-01-01 早于"),
        ({"maintenance-condition": "lost"}, "选择一个有效的选项"),
    ],
)
def test_record_maintenance_refuses_bad_input_and_writes_nothing(lead_client, world, change, message):
    data = {
        "maintenance-item": world.breathing_item.pk,
        "maintenance-maintained_on": timezone.localdate().isoformat(),
        **change,
    }
    if data["maintenance-maintained_on"] == "before-last":
        data["maintenance-maintained_on"] = (
            world.breathing_item.last_maintained_on - dt.timedelta(days=1)
        ).isoformat()
    elif data["maintenance-maintained_on"] == "future":
        data["maintenance-maintained_on"] = tomorrow()
    before = snapshot()
    response = lead_client.post(url(world, "equipment-item-record-maintenance"), data)
    assert_refused(response, before, data["maintenance-maintained_on"])
    assert message in response.content.decode()
