"""The brigades app's one access policy (firebrigade.access), refused alike through every door.

For each rule: the service refuses `by` with the policy's message, and so does each door that exists
for that write — the API (403 and the message), the brigade page (403 page showing it), the admin
(whose saves, deletes and actions are the services: a township lead given admin rights by mistake
meets the same refusal) and the Excel import (the row's error) — and a refused request writes
nothing (every row and every history row counted before and after). The allowed path is shown too.

The API's route gate (core.api.RolePermission) asks the same policy for the user's role before the
input is read, so a role that may never use a route hears the policy's words there too. Only scope
turns a user away in other words: what the user may not see is not found (404), on a page as in the
API.
"""

import datetime as dt
import html
import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from openpyxl import Workbook
from rest_framework.test import APIClient

from core.exceptions import AccessDenied, ApplicationError
from core.imports.registry import get_kind
from core.imports.runner import run_import
from core.models import Role
from firebrigade import access, services
from firebrigade.models import (
    Brigade,
    BrigadeMember,
    Disbursement,
    EquipmentItem,
    EquipmentType,
    FireIncident,
    FundingAllocation,
)
from tests.factories import (
    BrigadeFactory,
    BrigadeMemberFactory,
    CountyFactory,
    EquipmentItemFactory,
    EquipmentTypeFactory,
    FireIncidentFactory,
    FundingAllocationFactory,
    PoliceStationFactory,
    PremisesFactory,
    TownshipFactory,
    UserFactory,
    make_user,
)
from tests.firebrigade.test_admin import _form_data

pytestmark = pytest.mark.django_db

API = "/api/v1"
MODELS = (Brigade, BrigadeMember, EquipmentItem, FundingAllocation, Disbursement, FireIncident)


def snapshot():
    """Every row and every history row of the app's written models, and the shared townships."""
    rows = {m.__name__: list(m.objects.order_by("id").values()) for m in MODELS}
    history = {m.__name__: m.history.count() for m in MODELS}
    shared = list(Brigade.also_serves.through.objects.order_by("id").values_list("brigade", "township"))
    return rows, history, shared


def staff_lead(township):
    """A township lead who was given the admin and every firebrigade permission by mistake."""
    user = make_user(Role.TOWNSHIP_LEAD, township=township)
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="firebrigade"))
    return user


@pytest.fixture
def world():
    """褚庙乡 with a built brigade (a member, a pump), a budget, a premises and a fire; 北关镇 beside it.
    One user per door-relevant role; two township leads also hold admin rights by mistake."""
    county = CountyFactory(name="民权县")
    chumiao = TownshipFactory(county=county, name="褚庙乡")
    beiguan = TownshipFactory(county=county, name="北关镇")
    station = PoliceStationFactory(county=county, name="褚庙派出所")
    station.townships.add(chumiao)
    brigade = BrigadeFactory(
        township=chumiao,
        name="褚庙乡专职消防队",
        status=Brigade.Status.UNDER_CONSTRUCTION,
        construction_started_on=dt.date(2021, 5, 1),
    )
    pump = EquipmentTypeFactory(
        name="手抬机动消防泵", category=EquipmentType.Category.PUMP, maintenance_interval_days=90
    )
    premises = PremisesFactory(township=chumiao, name="褚庙仓库")
    return SimpleNamespace(
        chumiao=chumiao,
        beiguan=beiguan,
        brigade=brigade,
        pump=pump,
        member=BrigadeMemberFactory(brigade=brigade, name="褚队员", hired_on=dt.date(2021, 6, 1)),
        item=EquipmentItemFactory(brigade=brigade, equipment_type=pump, quantity=1),
        allocation=FundingAllocationFactory(township=chumiao, year=2021, amount=Decimal("100000.00")),
        premises=premises,
        fire=FireIncidentFactory(township=chumiao, premises=premises, address="褚庙仓库", cause="heating"),
        center=make_user(Role.GUIDANCE_CENTER, username="center"),
        chumiao_lead=make_user(Role.TOWNSHIP_LEAD, username="chumiao-lead", township=chumiao),
        beiguan_lead=make_user(Role.TOWNSHIP_LEAD, username="beiguan-lead", township=beiguan),
        office=make_user(Role.COUNTY_OFFICIAL, username="office", county=county),
        police=make_user(Role.POLICE_STATION, username="police", police_station=station),
        no_role=UserFactory(username="nobody"),
        staff_chumiao=staff_lead(chumiao),
        staff_beiguan=staff_lead(beiguan),
    )


def api(user):
    client = APIClient()
    client.force_login(user)
    return client


def web(client, user):
    client.force_login(user)
    return client


def refused(call, message) -> None:
    """The service itself refuses with the policy's message."""
    with pytest.raises(AccessDenied) as caught:
        call()
    assert str(caught.value.message) == str(message)


def api_refused(response, message=None) -> None:
    assert response.status_code == 403, response.content
    if message is not None:
        assert response.json()["detail"] == str(message)


def page_refused(response, message) -> None:
    assert response.status_code == 403
    assert str(message) in response.content.decode()


def page_refusal(response) -> str:
    """The reason a 403 page gives."""
    assert response.status_code == 403, response.content
    page = response.content.decode()
    return html.unescape(page.split('data-testid="refusal"><strong>', 1)[1].split("</strong>", 1)[0])


def xlsx(kind: str, rows: list[dict]) -> io.BytesIO:
    spec = get_kind(kind)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = spec.sheet
    sheet.append(spec.headers)
    for row in rows:
        sheet.append([row.get(h) for h in spec.headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def imported(kind: str, rows: list[dict], user):
    return run_import(kind=kind, fileobj=xlsx(kind, rows), user=user, dry_run=False)


def member_row(**overrides):
    return {
        "乡镇": "褚庙乡",
        "消防队": "褚庙乡专职消防队",
        "姓名": "张强",
        "岗位": "战斗员",
        "入职日期": "2021-06-01",
        **overrides,
    }


def funding_row(**overrides):
    return {"乡镇": "褚庙乡", "年度": 2022, "经费类别": "人员经费", "预算金额（元）": 360000, **overrides}


def admin_url(model, view, *args):
    return reverse(f"admin:firebrigade_{model._meta.model_name}_{view}", args=args)


def admin_post(client, url, **changes):
    """POST back the admin form at `url` (inlines included) as a browser would, with `changes`."""
    data = _form_data(client.get(url))
    data.update({name: value for name, value in changes.items() if value is not None})
    for name in [name for name, value in changes.items() if value is None]:
        data.pop(name, None)
    return client.post(url, data)


# -- members and equipment: the brigade's township lead or the center -----------------------------

UPKEEP = {
    "member-add": lambda w, by: services.brigade_member_add(
        brigade=w.brigade, name="新队员", role="driver", hired_on=dt.date(2021, 11, 1), by=by
    ),
    "member-update": lambda w, by: services.brigade_member_update(
        member=w.member, data={"phone": "13800000000"}, by=by
    ),
    "member-leave": lambda w, by: services.brigade_member_leave(
        member=w.member, left_on=dt.date(2021, 12, 1), by=by
    ),
    "equipment-add": lambda w, by: services.equipment_item_add(
        brigade=w.brigade, equipment_type=w.pump, quantity=2, by=by
    ),
    "equipment-update": lambda w, by: services.equipment_item_update(
        item=w.item, data={"quantity": 3}, by=by
    ),
    "equipment-maintenance": lambda w, by: services.equipment_item_record_maintenance(
        item=w.item, maintained_on=dt.date(2021, 12, 1), by=by
    ),
}


@pytest.mark.parametrize("write", list(UPKEEP))
@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("beiguan_lead", access.OTHER_TOWNSHIP),
        ("office", access.UPKEEP_KEEPERS_ONLY),
        ("police", access.UPKEEP_KEEPERS_ONLY),
        ("no_role", access.UPKEEP_KEEPERS_ONLY),
    ],
)
def test_upkeep_services_refuse_all_but_the_brigades_lead_and_the_center(world, write, who, message):
    before = snapshot()
    refused(lambda: UPKEEP[write](world, getattr(world, who)), message)
    assert snapshot() == before


@pytest.mark.parametrize("write", list(UPKEEP))
@pytest.mark.parametrize("who", ["chumiao_lead", "center"])
def test_upkeep_services_let_the_brigades_lead_and_the_center_write_in_their_name(world, write, who):
    user = getattr(world, who)
    written = UPKEEP[write](world, user)
    assert written.history.first().history_user == user


PAGE_FORMS = {
    "brigade-member-add": {
        "member-name": "新队员",
        "member-role": "firefighter",
        "member-hired_on": "2021-10-01",
    },
    "equipment-item-update": {"update-item": "item", "update-quantity": "5", "update-condition": "good"},
}


@pytest.mark.parametrize("name", list(PAGE_FORMS))
def test_a_reader_of_the_township_is_refused_on_the_page_with_the_policys_reason(client, world, name):
    data = {k: (world.item.pk if v == "item" else v) for k, v in PAGE_FORMS[name].items()}
    before = snapshot()
    for who in ("office", "police"):
        response = web(client, getattr(world, who)).post(
            reverse(f"firebrigade:{name}", args=[world.brigade.pk]), data
        )
        page_refused(response, access.UPKEEP_KEEPERS_ONLY)
    assert snapshot() == before
    # The page offers the forms to whom the same check allows.
    page = web(client, world.office).get(reverse("firebrigade:brigade-detail", args=[world.brigade.pk]))
    assert 'data-testid="member-add-form"' not in page.content.decode()
    allowed = web(client, world.chumiao_lead).post(
        reverse(f"firebrigade:{name}", args=[world.brigade.pk]), data
    )
    assert allowed.status_code == 302
    assert snapshot() != before


def test_a_role_that_may_never_keep_a_brigade_hears_one_rule_from_the_api_the_page_and_the_service(
    client, world
):
    """A police station may never keep a brigade's members: the API's route gate (before it reads the
    input, here none), the brigade page and the service each ask firebrigade.access and answer in the
    same words, and nothing is written."""
    police = world.police
    before = snapshot()
    from_api = api(police).post(f"{API}/brigade-members/", {}, format="json")
    assert from_api.status_code == 403, from_api.content
    from_page = web(client, police).post(
        reverse("firebrigade:brigade-member-add", args=[world.brigade.pk]), PAGE_FORMS["brigade-member-add"]
    )
    with pytest.raises(AccessDenied) as from_service:
        UPKEEP["member-add"](world, police)
    assert from_api.json()["detail"] == page_refusal(from_page) == str(from_service.value.message)
    assert from_api.json()["detail"] == str(access.UPKEEP_KEEPERS_ONLY)
    assert snapshot() == before


def test_another_townships_lead_is_refused_through_the_api_with_the_policys_reason(world):
    client = api(world.beiguan_lead)
    before = snapshot()
    member = client.post(
        f"{API}/brigade-members/",
        {"brigade": world.brigade.pk, "name": "新队员", "role": "driver", "hired_on": "2021-11-01"},
        format="json",
    )
    api_refused(member, access.OTHER_TOWNSHIP)
    item = client.post(
        f"{API}/equipment/", {"brigade": world.brigade.pk, "equipment_type": world.pump.pk, "quantity": 1}
    )
    api_refused(item, access.OTHER_TOWNSHIP)
    # A reader's role never uses these routes: the route gate answers first, in the policy's words.
    api_refused(
        api(world.office).post(
            f"{API}/equipment/", {"brigade": world.brigade.pk, "equipment_type": world.pump.pk, "quantity": 1}
        ),
        access.UPKEEP_KEEPERS_ONLY,
    )
    # What the lead may not see is not found, on the page as in the API.
    assert api(world.beiguan_lead).get(f"{API}/brigade-members/{world.member.pk}/").status_code == 404
    assert snapshot() == before


def test_the_import_writes_members_only_for_the_importers_own_brigades(world):
    before = snapshot()
    result = imported("members", [member_row()], world.beiguan_lead)
    assert [(e.column, e.message) for e in result.errors] == [("乡镇", str(access.OTHER_TOWNSHIP))]
    assert snapshot() == before
    assert imported("members", [member_row()], world.chumiao_lead).created == 1
    assert BrigadeMember.objects.get(name="张强").history.first().history_user == world.chumiao_lead


def test_the_admin_writes_members_and_equipment_through_the_policy(client, world):
    """The admin's saves and deletes are the services: township leads given admin rights by mistake
    meet the policy's reasons on a member's page, in the brigade's inline rows and in bulk actions."""
    before = snapshot()
    web(client, world.staff_beiguan)
    page_refused(
        admin_post(client, admin_url(BrigadeMember, "change", world.member.pk), phone="13800000001"),
        access.OTHER_TOWNSHIP,
    )
    # An inline row of the brigade's page: its own township's lead, but deleting is the center's.
    web(client, world.staff_chumiao)
    inline_row = admin_post(
        client, admin_url(Brigade, "change", world.brigade.pk), **{"equipment-0-DELETE": "on"}
    )
    page_refused(inline_row, access.CENTER_DELETES)
    web(client, world.staff_beiguan)
    page_refused(
        client.post(
            admin_url(EquipmentItem, "changelist"),
            {"action": "delete_selected", "_selected_action": [world.item.pk], "post": "yes"},
        ),
        access.CENTER_DELETES,
    )
    assert snapshot() == before


def test_the_admin_maintenance_action_reports_the_policys_refusal_and_writes_nothing(client, world):
    before = snapshot()
    response = web(client, world.staff_beiguan).post(
        admin_url(EquipmentItem, "changelist"),
        {"action": "record_maintenance_today", "_selected_action": [world.item.pk]},
        follow=True,
    )
    assert str(access.OTHER_TOWNSHIP) in response.content.decode()
    assert snapshot() == before


# -- the brigade itself: its lead edits plain fields; the center registers, moves and re-classes it ---


def test_center_only_brigade_fields_are_refused_to_the_lead_through_every_door(client, world):
    before = snapshot()
    refused(
        lambda: services.brigade_update(
            brigade=world.brigade, data={"brigade_class": "class1"}, by=world.chumiao_lead
        ),
        access.CENTER_ONLY_FIELDS,
    )
    refused(
        lambda: services.brigade_update(
            brigade=world.brigade, data={}, also_serves=[world.beiguan], by=world.chumiao_lead
        ),
        access.CENTER_ONLY_FIELDS,
    )
    api_refused(
        api(world.chumiao_lead).patch(
            f"{API}/brigades/{world.brigade.pk}/", {"brigade_class": "class1"}, format="json"
        ),
        access.CENTER_ONLY_FIELDS,
    )
    web(client, world.staff_chumiao)
    page_refused(
        admin_post(client, admin_url(Brigade, "change", world.brigade.pk), brigade_class="class1"),
        access.CENTER_ONLY_FIELDS,
    )
    assert snapshot() == before
    # The lead's own fields pass, and an unchanged class in a full PUT-like write is no change.
    response = api(world.chumiao_lead).patch(
        f"{API}/brigades/{world.brigade.pk}/",
        {"duty_phone": "0370-8123119", "brigade_class": world.brigade.brigade_class},
        format="json",
    )
    assert response.status_code == 200, response.content
    world.brigade.refresh_from_db()
    assert world.brigade.history.first().history_user == world.chumiao_lead


def test_construction_steps_and_registration_are_the_centers(client, world):
    before = snapshot()
    refused(
        lambda: services.brigade_mark_established(
            brigade=world.brigade, established_on=dt.date(2021, 12, 1), by=world.chumiao_lead
        ),
        access.CENTER_MOVES_CONSTRUCTION,
    )
    refused(
        lambda: services.brigade_create(
            township=world.chumiao, name="褚庙乡二队", brigade_class="volunteer", by=world.chumiao_lead
        ),
        access.CENTER_CREATES_BRIGADES,
    )
    api_refused(
        api(world.chumiao_lead).post(
            f"{API}/brigades/{world.brigade.pk}/mark-established/", {"established_on": "2021-12-01"}
        ),
        access.CENTER_MOVES_CONSTRUCTION,
    )
    response = web(client, world.staff_chumiao).post(
        admin_url(Brigade, "changelist"),
        {"action": "mark_established", "_selected_action": [world.brigade.pk]},
        follow=True,
    )
    assert str(access.CENTER_MOVES_CONSTRUCTION) in response.content.decode()
    add = admin_post(
        client,
        admin_url(Brigade, "add"),
        township=str(world.chumiao.pk),
        also_serves=[],
        name="褚庙乡二队",
        brigade_class="volunteer",
    )
    page_refused(add, access.CENTER_CREATES_BRIGADES)
    assert snapshot() == before
    done = api(world.center).post(
        f"{API}/brigades/{world.brigade.pk}/mark-established/", {"established_on": "2021-12-01"}
    )
    assert done.status_code == 200, done.content


# -- funding: the center's --------------------------------------------------------------------------


def test_funding_is_refused_to_a_township_lead_through_every_door(client, world):
    before = snapshot()
    lead = world.chumiao_lead
    refused(
        lambda: services.funding_allocate(
            township=world.chumiao, year=2022, category="office", amount=Decimal(1), by=lead
        ),
        access.CENTER_KEEPS_FUNDING,
    )
    refused(
        lambda: services.funding_update(allocation=world.allocation, data={"note": "x"}, by=lead),
        access.CENTER_KEEPS_FUNDING,
    )
    refused(
        lambda: services.disbursement_record(
            allocation=world.allocation, amount=Decimal(1), disbursed_on=dt.date(2021, 6, 1), by=lead
        ),
        access.CENTER_KEEPS_FUNDING,
    )
    api_refused(
        api(lead).post(f"{API}/funding/{world.allocation.pk}/disburse/", {"amount": "1.00"}),
        access.CENTER_KEEPS_FUNDING,
    )
    result = imported("funding", [funding_row()], lead)
    assert [e.message for e in result.errors] == [str(access.CENTER_KEEPS_FUNDING)]
    web(client, world.staff_chumiao)
    page_refused(
        admin_post(
            client,
            admin_url(FundingAllocation, "add"),
            township=str(world.chumiao.pk),
            year="2022",
            category="office",
            amount="1",
        ),
        access.CENTER_KEEPS_FUNDING,
    )
    assert snapshot() == before
    assert imported("funding", [funding_row()], world.center).created == 1
    assert FundingAllocation.objects.get(year=2022).history.first().history_user == world.center


# -- fires: the township's lead or the center --------------------------------------------------------


def test_a_fire_of_another_township_is_refused_through_every_door(client, world):
    before = snapshot()
    occurred = "2022-01-20T21:00:00+08:00"
    refused(
        lambda: services.fire_incident_update(incident=world.fire, data={"deaths": 1}, by=world.beiguan_lead),
        access.OTHER_TOWNSHIP,
    )
    payload = {"township": world.chumiao.pk, "occurred_at": occurred, "address": "褚庙街", "cause": "heating"}
    api_refused(
        api(world.beiguan_lead).post(f"{API}/incidents/", payload, format="json"), access.OTHER_TOWNSHIP
    )
    # Its own township, but a premises of another one.
    at_other = {**payload, "township": world.beiguan.pk, "premises": world.premises.pk}
    api_refused(
        api(world.beiguan_lead).post(f"{API}/incidents/", at_other, format="json"), access.OTHER_TOWNSHIP
    )
    web(client, world.staff_beiguan)
    page_refused(
        admin_post(
            client,
            admin_url(FireIncident, "add"),
            township=str(world.chumiao.pk),
            occurred_at=None,
            occurred_at_0="2022-01-20",
            occurred_at_1="21:00:00",
            address="褚庙街",
            cause="heating",
        ),
        access.OTHER_TOWNSHIP,
    )
    refused(
        lambda: services.fire_incident_record(
            township=world.chumiao,
            occurred_at=world.fire.occurred_at,
            address="褚庙街",
            cause="heating",
            by=world.office,
        ),
        access.INCIDENT_KEEPERS_ONLY,
    )
    assert snapshot() == before
    created = api(world.chumiao_lead).post(f"{API}/incidents/", payload, format="json")
    assert created.status_code == 201, created.content


# -- deleting a record entered by mistake: the center's (admin only) ---------------------------------


def test_only_the_center_deletes_and_the_admin_deletes_through_the_service(client, world):
    before = snapshot()
    refused(
        lambda: services.brigade_member_delete(member=world.member, by=world.chumiao_lead),
        access.CENTER_DELETES,
    )
    web(client, world.staff_chumiao)
    page_refused(
        client.post(admin_url(BrigadeMember, "delete", world.member.pk), {"post": "yes"}),
        access.CENTER_DELETES,
    )
    assert snapshot() == before
    admin_user = UserFactory(username="center-admin", is_superuser=True, is_staff=True)
    web(client, admin_user)
    assert (
        client.post(admin_url(BrigadeMember, "delete", world.member.pk), {"post": "yes"}).status_code == 302
    )
    assert not BrigadeMember.objects.filter(pk=world.member.pk).exists()
    assert BrigadeMember.history.filter(id=world.member.pk).latest().history_user == admin_user
    # A budget that funds have arrived against stays, whoever asks.
    services.disbursement_record(
        allocation=world.allocation, amount=Decimal(10), disbursed_on=dt.date(2021, 6, 1), by=None
    )
    with pytest.raises(ApplicationError, match="不能删除"):
        services.funding_allocation_delete(allocation=world.allocation, by=admin_user)
    assert FundingAllocation.objects.filter(pk=world.allocation.pk).exists()


# -- the system ---------------------------------------------------------------------------------------


def test_the_system_writes_without_a_user(world):
    """by=None: tasks, commands, the demo and data migrations pass every check."""
    services.brigade_mark_established(brigade=world.brigade, established_on=dt.date(2021, 12, 1), by=None)
    services.funding_update(allocation=world.allocation, data={"note": "系统"}, by=None)
    assert world.brigade.history.first().history_user is None
