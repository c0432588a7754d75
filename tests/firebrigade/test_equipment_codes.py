"""一店一码 for equipment: a brigade's label sheet prints one code per item in service, each decoding
(with a real decoder) to its scan address; scanning an item's code shows it with its last maintenance
check and lets the brigade's township lead or the guidance center record one, which moves the item's
condition; everybody else is refused and nothing is written; revoked codes are refused."""

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core.clock import local_today
from core.exceptions import AccessDenied, ApplicationError, ConflictError
from core.models import Role
from core.services import user_create_with_role
from firebrigade import services
from firebrigade.models import EquipmentCheck, EquipmentCode, EquipmentItem, EquipmentType
from tests.factories import (
    BrigadeFactory,
    CountyFactory,
    EquipmentItemFactory,
    EquipmentTypeFactory,
    PoliceStationFactory,
    TownshipFactory,
    UserFactory,
    make_user,
)
from tests.qr import page_labels
from tests.role_matrix import outsider_users

pytestmark = pytest.mark.django_db

BASE = "http://testserver"


@pytest.fixture
def world():
    county = CountyFactory(name="民权县")
    beiguan = TownshipFactory(county=county, name="北关镇")
    chumiao = TownshipFactory(county=county, name="褚庙乡")
    station = PoliceStationFactory(county=county, name="城关派出所")
    station.townships.add(beiguan)
    brigade = BrigadeFactory(township=beiguan, name="北关镇专职消防队")
    other = BrigadeFactory(township=chumiao, name="褚庙乡专职消防队")
    pump = EquipmentTypeFactory(name="手抬机动泵", category=EquipmentType.Category.PUMP, unit="台")
    suit = EquipmentTypeFactory(name="灭火防护服", category=EquipmentType.Category.PROTECTIVE, unit="套")
    pump_bg = EquipmentItemFactory(brigade=brigade, equipment_type=pump, quantity=2)
    suits_bg = EquipmentItemFactory(brigade=brigade, equipment_type=suit, quantity=10)
    old_bg = EquipmentItemFactory(
        brigade=brigade, equipment_type=suit, quantity=3, condition=EquipmentItem.Condition.SCRAPPED
    )
    pump_cm = EquipmentItemFactory(brigade=other, equipment_type=pump, quantity=1)
    users = {
        "center": make_user(Role.GUIDANCE_CENTER, username="center"),
        "office": make_user(Role.COUNTY_OFFICIAL, username="office", county=county),
        "beiguan_lead": make_user(Role.TOWNSHIP_LEAD, username="beiguan-lead", township=beiguan),
        "chumiao_lead": make_user(Role.TOWNSHIP_LEAD, username="chumiao-lead", township=chumiao),
        "police": make_user(Role.POLICE_STATION, username="police", police_station=station),
        "no_role": UserFactory(username="nobody"),
        **outsider_users(county),
    }
    return {
        "brigade": brigade,
        "other": other,
        "pump_bg": pump_bg,
        "suits_bg": suits_bg,
        "old_bg": old_bg,
        "pump_cm": pump_cm,
        "users": users,
    }


def writes():
    models = (EquipmentCheck, EquipmentCode, EquipmentItem)
    return {m.__name__: (list(m.objects.order_by("id").values()), m.history.count()) for m in models}


def test_the_brigade_label_sheet_lists_every_item_in_service_each_code_decoding_to_its_scan_address(
    client, world
):
    client.force_login(world["users"]["beiguan_lead"])
    url = reverse("firebrigade:equipment-labels", args=[world["brigade"].pk])
    assert page_labels(client.get(url).content.decode()) == []
    assert client.post(url).status_code == 302
    sheet = client.get(url).content.decode()
    tokens = dict(EquipmentCode.objects.values_list("item_id", "token"))
    # Both items in service, not the scrapped one, none of 褚庙乡's.
    assert set(tokens) == {world["pump_bg"].pk, world["suits_bg"].pk}
    assert sorted(page_labels(sheet)) == sorted((t, f"{BASE}/q/{t}") for t in tokens.values())
    assert "手抬机动泵 × 2台" in sheet
    assert "北关镇专职消防队" in sheet
    detail = client.get(reverse("firebrigade:brigade-detail", args=[world["brigade"].pk])).content.decode()
    assert 'data-testid="link-equipment-labels"' in detail


def test_another_townships_lead_cannot_print_a_brigades_labels(client, world):
    url = reverse("firebrigade:equipment-labels", args=[world["brigade"].pk])
    before = writes()
    client.force_login(world["users"]["chumiao_lead"])
    assert client.post(url).status_code == 404
    client.force_login(world["users"]["office"])
    assert client.post(url).status_code == 403
    with pytest.raises(AccessDenied):
        services.equipment_code_issue(item=world["pump_bg"], by=world["users"]["chumiao_lead"])
    assert writes() == before


def test_scanning_an_item_records_a_maintenance_check_shown_as_its_last(client, world):
    lead = world["users"]["beiguan_lead"]
    code = services.equipment_code_issue(item=world["pump_bg"], by=lead)
    client.force_login(lead)
    card = client.get(f"/q/{code.token}").content.decode()
    assert "手抬机动泵" in card
    assert "尚无维护检查记录" in card
    assert 'data-testid="check-form"' in card

    today = local_today()
    answer = client.post(
        f"/q/{code.token}",
        {"check-result": "needs_repair", "check-checked_on": today.isoformat(), "check-note": "出水压力不足"},
    )
    assert answer.status_code == 302
    check = EquipmentCheck.objects.get()
    assert (check.item, check.result, check.checked_on, check.checked_by) == (
        world["pump_bg"],
        "needs_repair",
        today,
        lead,
    )
    world["pump_bg"].refresh_from_db()
    assert world["pump_bg"].condition == EquipmentItem.Condition.NEEDS_REPAIR
    card = client.get(f"/q/{code.token}").content.decode()
    assert "需维修" in card
    assert "出水压力不足" in card
    assert "待维修" in card

    # The guidance center records one too; the item is good again.
    services.equipment_check_record(item=world["pump_bg"], result="good", by=world["users"]["center"])
    world["pump_bg"].refresh_from_db()
    assert world["pump_bg"].condition == EquipmentItem.Condition.GOOD


@pytest.mark.parametrize("role", ["chumiao_lead", "police", "fire_rescue", "department", "no_role"])
def test_scanning_an_item_of_another_township_is_refused_and_writes_nothing(client, world, role):
    code = services.equipment_code_issue(item=world["pump_bg"], by=None)
    before = writes()
    client.force_login(world["users"][role])
    assert client.get(f"/q/{code.token}").status_code == 403
    answer = client.post(f"/q/{code.token}", {"check-result": "scrapped", "check-checked_on": "2021-12-01"})
    assert answer.status_code == 403
    assert "手抬机动泵" not in answer.content.decode()
    assert writes() == before


def test_a_county_official_reads_the_item_but_records_no_check(client, world):
    code = services.equipment_code_issue(item=world["pump_bg"], by=None)
    before = writes()
    client.force_login(world["users"]["office"])
    card = client.get(f"/q/{code.token}")
    assert card.status_code == 200
    assert 'data-testid="check-form"' not in card.content.decode()
    assert (
        client.post(
            f"/q/{code.token}", {"check-result": "good", "check-checked_on": "2021-12-01"}
        ).status_code
        == 403
    )
    assert writes() == before


def test_a_check_is_refused_for_another_township_in_the_future_or_on_a_scrapped_item(world):
    before = writes()
    with pytest.raises(AccessDenied):
        services.equipment_check_record(
            item=world["pump_bg"], result="good", by=world["users"]["chumiao_lead"]
        )
    with pytest.raises(ApplicationError, match="晚于今天"):
        services.equipment_check_record(
            item=world["pump_bg"],
            result="good",
            checked_on=local_today() + dt.timedelta(days=1),
            by=world["users"]["beiguan_lead"],
        )
    with pytest.raises(ConflictError):
        services.equipment_check_record(
            item=world["old_bg"], result="good", by=world["users"]["beiguan_lead"]
        )
    assert writes() == before


def test_a_revoked_equipment_code_is_refused_and_the_reissued_one_works(client, world):
    lead = world["users"]["beiguan_lead"]
    old = services.equipment_code_issue(item=world["suits_bg"], by=lead)
    new = services.equipment_code_reissue(item=world["suits_bg"], by=lead)
    client.force_login(lead)
    refused = client.get(f"/q/{old.token}")
    assert refused.status_code == 410
    assert "二维码已作废" in refused.content.decode()
    assert (
        client.post(f"/q/{old.token}", {"check-result": "good", "check-checked_on": "2021-12-01"}).status_code
        == 410
    )
    assert not EquipmentCheck.objects.exists()
    assert client.get(f"/q/{new.token}").status_code == 200
    services.equipment_code_revoke(code=new, by=world["users"]["center"])
    assert client.get(f"/q/{new.token}").status_code == 410


def test_the_api_records_a_check_for_the_own_township_only(world):
    client = APIClient()
    client.force_login(world["users"]["beiguan_lead"])
    made = client.post(
        "/api/v1/equipment-checks/", {"item": world["pump_bg"].pk, "result": "scrapped"}, format="json"
    )
    assert made.status_code == 201, made.content
    assert made.json()["result_display"] == "报废"
    world["pump_bg"].refresh_from_db()
    assert world["pump_bg"].condition == EquipmentItem.Condition.SCRAPPED
    listed = client.get("/api/v1/equipment-checks/", {"item": world["pump_bg"].pk}).json()["results"]
    assert [row["id"] for row in listed] == [made.json()["id"]]
    before = writes()
    refused = client.post(
        "/api/v1/equipment-checks/", {"item": world["pump_cm"].pk, "result": "good"}, format="json"
    )
    assert refused.status_code == 403
    assert writes() == before


def test_the_center_prints_labels_of_chosen_equipment_from_the_admin(client, world):
    client.force_login(
        user_create_with_role(username="staff", role=Role.GUIDANCE_CENTER, password="Center-staff-2021-x")
    )
    chosen = [world["pump_bg"].pk, world["pump_cm"].pk]
    answer = client.post(
        "/admin/firebrigade/equipmentitem/", {"action": "print_code_labels", "_selected_action": chosen}
    )
    assert answer.status_code == 200
    tokens = dict(EquipmentCode.objects.values_list("item_id", "token"))
    assert set(tokens) == set(chosen)
    assert sorted(page_labels(answer.content.decode())) == sorted(
        (t, f"{BASE}/q/{t}") for t in tokens.values()
    )
