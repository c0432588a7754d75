"""The access policy of the campaign (inspections.access), one rule at a time: a refused user meets
the same refusal, in the same words, through every door that exists for the write — the API (403 and
the reason), the pages (403 and the reason shown), the admin (which writes through the services:
a staff account of another role is refused there too) and the Excel import (the reason on the row) —
and a refused request writes nothing. The allowed path is shown beside each refusal."""

import datetime as dt
import html
import io

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse

from core.exceptions import AccessDenied
from core.imports.runner import run_import
from core.models import Role
from inspections import services
from inspections.models import (
    Accountability,
    Campaign,
    ChecklistItem,
    Hazard,
    Inspection,
    InspectionPlan,
    Rectification,
    Reinspection,
)
from tests.factories import PoliceStationFactory, TownshipFactory, UserFactory, make_user
from tests.imports.conftest import xlsx

from . import test_api
from .factories import INSPECTED_ON, hazard_data, record_inspection
from .test_api import API, client_for, inspection_payload, snapshot

pytestmark = pytest.mark.django_db

world = test_api.world  # 北关镇 and 褚庙乡 with a user of every role (see tests/inspections/test_api.py)

# What a role that may never take the step hears, from the route gate as from the service.
RECORDERS_ONLY = "只有乡镇消防专干、派出所、单位消防安全责任人、网格员或指导中心可以录入检查记录。"
RECTIFIERS_ONLY = "只有本乡镇消防专干、本单位消防安全责任人或指导中心可以办理隐患整改。"
REINSPECTORS_ONLY = "只有本乡镇消防专干、发现隐患的派出所或指导中心可以复查隐患。"
EXTENDERS_ONLY = "只有本乡镇消防专干或指导中心可以延长整改期限和更正隐患。"
PLANNERS_ONLY = "只有乡镇消防专干（分管副职）或指导中心可以制定检查计划。"
CAMPAIGNS_CENTER_ONLY = "只有指导中心可以开展和修改防控行动。"
CHECKLIST_CENTER_ONLY = "只有指导中心可以维护检查项。"
ACCOUNTABILITY_DECIDERS_ONLY = "只有县领导（县消防工作办公室）或指导中心可以登记责任追究。"
OTHER_TOWNSHIP = "不能操作其他乡镇的数据。"
OTHER_RECORD = "不能操作其他乡镇或其他单位的数据。"
TOWNSHIP_KIND_ONLY = "按您的角色，检查类型只能是“乡镇检查”。"
OWN_STATION_ONLY = "派出所只能以本所名义录入检查。"
OWN_FINDINGS_ONLY = "派出所只能复查本所检查发现的隐患。"
SELF_NO_PLAN = "单位自查和网格巡查不计入检查计划，不能选择检查计划。"


def api_refusal(response) -> str:
    assert response.status_code == 403, response.content
    return response.json()["detail"]


def page_refusal(response) -> str:
    """The reason the 403 page shows."""
    assert response.status_code == 403, response.content
    page = response.content.decode()
    return html.unescape(page.split('data-testid="refusal"><strong>', 1)[1].split("</strong>", 1)[0])


def staff(user):
    """Give `user` the admin of the app: the admin is a door like the others, the services decide."""
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="inspections"))
    return user


def admin_client(client, user):
    client.force_login(staff(user))
    return client


def admin_url(model, view, *args):
    return reverse(f"admin:inspections_{model._meta.model_name}_{view}", args=args)


def management(prefix, total=0, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def admin_inspection(premises, **overrides):
    data = {
        "premises": premises.pk,
        "kind": "township",
        "inspected_on": "2021-12-01",
        "inspectors": "赵专干",
        "plan": "",
        "police_station": "",
        "signed_by": "",
        "notes": "",
        **management("results"),
        **management("hazards"),
    }
    data.update(overrides)
    return data


def import_rows(user, *rows):
    headers = {"乡镇": "北关镇", "单位名称": "北关镇供销超市", "检查日期": "2021-12-01", "检查人员": "赵专干"}
    content = xlsx("inspections", [{**headers, **row} for row in rows])
    return run_import(kind="inspections", fileobj=io.BytesIO(content), user=user, dry_run=False)


def row_errors(result) -> list[tuple[str | None, str]]:
    return [(error.column, error.message) for error in result.errors]


@pytest.fixture
def open_police_hazard(world):
    """An open hazard found by 城关派出所's own inspection of 北关镇供销超市."""
    inspection = record_inspection(
        premises=world.p_bg,
        kind=Inspection.Kind.POLICE,
        police_station=world.station,
        inspected_on=dt.date(2021, 11, 22),
        hazards=[hazard_data(description="消防车通道被占用", deadline=dt.date(2021, 11, 30))],
    )
    return inspection.hazards.get()


@pytest.fixture
def awaiting_township_hazard(world):
    """北关镇's own hazard h_bg, rectified and awaiting its re-inspection."""
    services.hazard_rectify(
        hazard=world.h_bg,
        rectified_on=INSPECTED_ON + dt.timedelta(days=3),
        rectified_by="王老板",
        measures="清理",
    )
    world.h_bg.refresh_from_db()
    return world.h_bg


# --- the services themselves ----------------------------------------------------------------


def test_the_system_acts_without_a_user_and_a_user_without_a_role_is_refused(world):
    """`by=None` is the system (tasks, commands, the demo); an account with no role may do nothing."""
    nobody = world.users["no_role"]
    before = snapshot()
    for message, write in (
        (RECORDERS_ONLY, lambda: record_inspection(premises=world.p_bg, by=nobody)),
        (RECTIFIERS_ONLY, lambda: services.hazard_start_rectifying(hazard=world.h_bg, by=nobody)),
        (
            EXTENDERS_ONLY,
            lambda: services.hazard_extend_deadline(
                hazard=world.h_bg, new_deadline=dt.date(2021, 12, 31), reason="x", by=nobody
            ),
        ),
    ):
        with pytest.raises(AccessDenied) as refusal:
            write()
        assert refusal.value.message == message
    assert snapshot() == before
    services.hazard_start_rectifying(hazard=world.h_bg, by=None)
    assert Hazard.objects.get(pk=world.h_bg.pk).status == Hazard.Status.RECTIFYING


def test_a_superuser_counts_as_the_guidance_center(world):
    root = UserFactory(username="root", is_superuser=True)
    inspection = services.inspection_record(
        premises=world.p_bg, inspected_on=dt.date(2021, 12, 1), inspectors="孙工", by=root
    )
    assert inspection.kind == Inspection.Kind.GUIDANCE_CENTER


# --- recording inspections --------------------------------------------------------------------


def test_a_role_that_records_no_inspections_is_refused_alike_by_the_api_the_page_and_the_admin(client, world):
    office = world.users["office"]
    before = snapshot()
    api = client_for(office).post(f"{API}/inspections/", inspection_payload(world), format="json")
    assert api_refusal(api) == RECORDERS_ONLY
    client.force_login(office)
    assert page_refusal(client.get(reverse("inspections:record"))) == RECORDERS_ONLY
    admin = admin_client(client, office).post(admin_url(Inspection, "add"), admin_inspection(world.p_bg))
    assert page_refusal(admin) == RECORDERS_ONLY
    assert snapshot() == before


def test_a_role_that_may_never_record_hears_one_rule_from_the_api_the_page_and_the_service(client, world):
    """A county official records no inspections: the API's route gate (before it reads the input, here
    none), the recording page and the service each ask inspections.access and answer in the same
    words, and nothing is written."""
    office = world.users["office"]
    before = snapshot()
    from_api = client_for(office).post(f"{API}/inspections/", {}, format="json")
    client.force_login(office)
    from_page = client.post(reverse("inspections:record"), {})
    with pytest.raises(AccessDenied) as from_service:
        services.inspection_record(
            premises=world.p_bg, inspected_on=dt.date(2021, 12, 1), inspectors="县办", by=office
        )
    assert api_refusal(from_api) == page_refusal(from_page) == from_service.value.message == RECORDERS_ONLY
    assert snapshot() == before


def test_a_township_lead_records_township_inspections_only_through_every_door(client, world):
    lead = world.users["beiguan_lead"]
    police_kind = {"kind": "police", "police_station": world.station.pk}
    before = snapshot()
    api = client_for(lead).post(
        f"{API}/inspections/", inspection_payload(world, **police_kind), format="json"
    )
    assert api_refusal(api) == TOWNSHIP_KIND_ONLY
    imported = import_rows(lead, {"检查类型": "派出所检查", "派出所": "城关派出所"})
    assert row_errors(imported) == [("检查类型", TOWNSHIP_KIND_ONLY)]
    admin = admin_client(client, lead).post(
        admin_url(Inspection, "add"), admin_inspection(world.p_bg, **police_kind)
    )
    assert page_refusal(admin) == TOWNSHIP_KIND_ONLY
    assert snapshot() == before
    # Its own kind goes through every door.
    assert import_rows(lead, {"检查类型": "乡镇检查"}).created == 1
    assert client.post(admin_url(Inspection, "add"), admin_inspection(world.p_bg)).status_code == 302
    assert (
        Inspection.objects.filter(
            kind="township", recorded_by=lead, inspected_on=dt.date(2021, 12, 1)
        ).count()
        == 2
    )


def test_a_hazard_is_added_to_a_recorded_inspection_only_by_who_may_record_it(world):
    """The import adds the new hazards of a recorded inspection: a township lead cannot add to the
    police station's."""
    lead = world.users["beiguan_lead"]
    recorded = {"检查日期": INSPECTED_ON.isoformat(), "检查人员": world.i_police.inspectors}
    before = snapshot()
    result = import_rows(
        lead,
        {
            **recorded,
            "检查类型": "派出所检查",
            "派出所": "城关派出所",
            "隐患描述": "新发现的隐患",
            "隐患等级": "一般隐患",
            "整改期限": "2021-12-31",
            "整改责任人": "王老板",
        },
    )
    assert row_errors(result) == [("检查类型", TOWNSHIP_KIND_ONLY)]
    assert snapshot() == before


def test_a_police_station_records_in_its_own_name_only(client, world):
    police = world.users["police"]
    neighbour = PoliceStationFactory(county=world.county, name="城南派出所")
    neighbour.townships.add(world.beiguan)  # it covers 北关镇 too: only the name is wrong
    other_station = {"kind": "police", "police_station": neighbour.pk}
    before = snapshot()
    api = client_for(police).post(
        f"{API}/inspections/", inspection_payload(world, **other_station), format="json"
    )
    assert api_refusal(api) == OWN_STATION_ONLY
    admin = admin_client(client, police).post(
        admin_url(Inspection, "add"), admin_inspection(world.p_bg, **other_station)
    )
    assert page_refusal(admin) == OWN_STATION_ONLY
    assert snapshot() == before
    own = client.post(
        admin_url(Inspection, "add"),
        admin_inspection(world.p_bg, kind="police", police_station=world.station.pk),
    )
    assert own.status_code == 302


def test_premises_outside_the_scope_are_refused_alike(client, world):
    lead = world.users["beiguan_lead"]
    before = snapshot()
    api = client_for(lead).post(
        f"{API}/inspections/", inspection_payload(world, premises=world.p_cm.pk), format="json"
    )
    assert api_refusal(api) == OTHER_RECORD
    admin = admin_client(client, lead).post(admin_url(Inspection, "add"), admin_inspection(world.p_cm))
    assert page_refusal(admin) == OTHER_RECORD
    # The page offers only the premises in scope: another township's is not found.
    assert client.get(reverse("inspections:record"), {"premises": world.p_cm.pk}).status_code == 404
    assert snapshot() == before


def test_a_self_inspection_is_recorded_under_no_plan(world):
    responsible = world.users["responsible"]
    before = snapshot()
    api = client_for(responsible).post(
        f"{API}/inspections/", inspection_payload(world, plan=world.plan_bg.pk), format="json"
    )
    assert api_refusal(api) == SELF_NO_PLAN
    assert snapshot() == before


# --- the hazard loop --------------------------------------------------------------------------


def test_a_police_station_reports_no_rectification_even_of_its_own_hazard(client, world, open_police_hazard):
    hazard = open_police_hazard
    police = world.users["police"]
    before = snapshot()
    api = client_for(police)
    assert api_refusal(api.post(f"{API}/hazards/{hazard.pk}/start-rectifying/")) == RECTIFIERS_ONLY
    rectify = {"rectified_on": "2021-11-25", "rectified_by": "王老板", "measures": "清理"}
    rectified = api.post(f"{API}/hazards/{hazard.pk}/rectify/", rectify, format="json")
    assert api_refusal(rectified) == RECTIFIERS_ONLY
    client.force_login(police)
    page_url = reverse("inspections:hazard-detail", args=[hazard.pk])
    assert page_refusal(client.post(page_url, {"action": "start"})) == RECTIFIERS_ONLY
    admin = admin_client(client, police)
    action = admin.post(
        admin_url(Hazard, "changelist"),
        {"action": "start_rectifying", "_selected_action": [hazard.pk]},
        follow=True,
    )
    assert any(RECTIFIERS_ONLY in str(m) for m in get_messages(action.wsgi_request))
    added = admin.post(
        admin_url(Rectification, "add"),
        {"hazard": hazard.pk, "rectified_on": "2021-11-25", "rectified_by": "王老板", "measures": "清理"},
    )
    assert page_refusal(added) == RECTIFIERS_ONLY
    assert snapshot() == before
    # The unit itself starts and reports it, on its page.
    client.force_login(world.users["responsible"])
    assert client.post(page_url, {"action": "start"}).status_code == 302
    assert Hazard.objects.get(pk=hazard.pk).status == Hazard.Status.RECTIFYING


def test_a_police_station_reinspects_only_what_its_own_inspections_found(
    client, world, awaiting_township_hazard
):
    hazard = awaiting_township_hazard
    police = world.users["police"]
    verdict = {"inspected_on": "2021-11-26", "inspectors": "孙民警", "passed": True}
    before = snapshot()
    api = client_for(police).post(f"{API}/hazards/{hazard.pk}/reinspect/", verdict, format="json")
    assert api_refusal(api) == OWN_FINDINGS_ONLY
    client.force_login(police)
    page = client.post(
        reverse("inspections:hazard-detail", args=[hazard.pk]),
        {
            "action": "reinspect",
            "reinspect-inspected_on": "2021-11-26",
            "reinspect-inspectors": "孙民警",
            "reinspect-passed": "yes",
        },
    )
    assert page_refusal(page) == OWN_FINDINGS_ONLY
    admin = admin_client(client, police).post(
        admin_url(Reinspection, "add"),
        {"hazard": hazard.pk, "inspected_on": "2021-11-26", "inspectors": "孙民警", "passed": "on"},
    )
    assert page_refusal(admin) == OWN_FINDINGS_ONLY
    assert snapshot() == before
    # Its own finding, h_police (awaiting verification), it verifies.
    own = client_for(police).post(f"{API}/hazards/{world.h_police.pk}/reinspect/", verdict, format="json")
    assert own.status_code == 200, own.content
    assert own.json()["status"] == "verified"


def test_a_responsible_person_never_reinspects_its_own_hazard(client, world, awaiting_township_hazard):
    hazard = awaiting_township_hazard
    responsible = world.users["responsible"]
    before = snapshot()
    api = client_for(responsible).post(
        f"{API}/hazards/{hazard.pk}/reinspect/",
        {"inspected_on": "2021-11-26", "inspectors": "王老板", "passed": True},
        format="json",
    )
    assert api_refusal(api) == REINSPECTORS_ONLY
    client.force_login(responsible)
    page = client.post(
        reverse("inspections:hazard-detail", args=[hazard.pk]),
        {"action": "reinspect", "reinspect-inspected_on": "2021-11-26", "reinspect-passed": "yes"},
    )
    assert page_refusal(page) == REINSPECTORS_ONLY
    assert snapshot() == before


def test_deadlines_are_extended_by_the_center_and_the_own_township_lead_only(client, world):
    hazard = world.h_bg
    extension = {"new_deadline": "2021-12-31", "reason": "需更换防火门"}
    before = snapshot()
    api = client_for(world.users["police"]).post(
        f"{API}/hazards/{hazard.pk}/extend-deadline/", extension, format="json"
    )
    assert api_refusal(api) == EXTENDERS_ONLY
    admin = admin_client(client, world.users["chumiao_lead"]).post(
        admin_url(Hazard, "change", hazard.pk),
        {
            "severity": hazard.severity,
            "description": hazard.description,
            "deadline": "2021-12-31",
            "deadline_reason": "需更换防火门",
            "responsible_person": hazard.responsible_person,
            **management("rectifications"),
            **management("reinspections"),
            **management("photos"),
        },
    )
    assert page_refusal(admin) == OTHER_TOWNSHIP
    assert snapshot() == before
    own = client_for(world.users["beiguan_lead"]).post(
        f"{API}/hazards/{hazard.pk}/extend-deadline/", extension, format="json"
    )
    assert own.status_code == 200, own.content


# --- plans, campaigns, checklist, accountability -----------------------------------------------


def plan_payload(w, township, premises):
    return {
        "campaign": w.campaign.pk,
        "township": township.pk,
        "title": "第二轮检查",
        "due_on": "2022-01-31",
        "premises": [premises.pk],
    }


def test_plans_are_made_for_the_own_township_only(client, world):
    lead = world.users["chumiao_lead"]
    before = snapshot()
    payload = plan_payload(world, world.beiguan, world.p_bg2)
    api = client_for(lead).post(f"{API}/inspection-plans/", payload, format="json")
    assert api_refusal(api) == OTHER_TOWNSHIP
    police = client_for(world.users["police"]).post(f"{API}/inspection-plans/", payload, format="json")
    assert api_refusal(police) == PLANNERS_ONLY
    admin = admin_client(client, lead)
    added = admin.post(admin_url(InspectionPlan, "add"), {**payload, "police_station": ""})
    assert page_refusal(added) == OTHER_TOWNSHIP
    deleted = admin.post(admin_url(InspectionPlan, "delete", world.plan_bg.pk), {"post": "yes"})
    assert page_refusal(deleted) == OTHER_TOWNSHIP
    assert snapshot() == before
    own = admin.post(
        admin_url(InspectionPlan, "add"),
        {**plan_payload(world, world.chumiao, world.p_cm), "police_station": ""},
    )
    assert own.status_code == 302
    assert InspectionPlan.objects.get(title="第二轮检查").history.first().history_user == lead


def test_campaigns_and_the_checklist_are_the_guidance_centers(client, world):
    office, lead = world.users["office"], world.users["beiguan_lead"]
    campaign = {
        "county": world.county.pk,
        "name": "2022年电动自行车专项整治",
        "kind": "special",
        "starts_on": "2022-05-01",
        "ends_on": "2022-06-30",
        "description": "",
    }
    before = snapshot()
    opened = client_for(office).post(f"{API}/campaigns/", campaign, format="json")
    assert api_refusal(opened) == CAMPAIGNS_CENTER_ONLY
    item = {"code": "B01", "text": "消防车通道畅通", "category": "", "order": 0}
    kept = client_for(lead).post(f"{API}/checklist-items/", item, format="json")
    assert api_refusal(kept) == CHECKLIST_CENTER_ONLY
    added = admin_client(client, office).post(admin_url(Campaign, "add"), {**campaign, **management("plans")})
    assert page_refusal(added) == CAMPAIGNS_CENTER_ONLY
    item_added = admin_client(client, lead).post(admin_url(ChecklistItem, "add"), item)
    assert page_refusal(item_added) == CHECKLIST_CENTER_ONLY
    assert snapshot() == before


def test_accountability_is_decided_at_county_level_in_the_own_county(client, world):
    payload = {
        "township": world.beiguan.pk,
        "hazard": world.h_bg.pk,
        "person": "王老板",
        "unit": "北关镇供销超市",
        "finding": "重大隐患逾期未整改",
        "sanction": "罚款",
        "decided_by": "县消防救援大队",
        "decided_on": "2022-01-15",
    }
    elsewhere = make_user(
        Role.COUNTY_OFFICIAL, county=TownshipFactory(name="外县乡", county__name="宁陵县").county
    )
    before = snapshot()
    lead = client_for(world.users["beiguan_lead"]).post(f"{API}/accountabilities/", payload, format="json")
    assert api_refusal(lead) == ACCOUNTABILITY_DECIDERS_ONLY
    foreign = client_for(elsewhere).post(f"{API}/accountabilities/", payload, format="json")
    assert api_refusal(foreign) == OTHER_TOWNSHIP
    admin = admin_client(client, elsewhere).post(
        admin_url(Accountability, "add"),
        {**payload, "incident": "", "premises": "", "assignment": ""},
    )
    assert page_refusal(admin) == OTHER_TOWNSHIP
    assert snapshot() == before
    own = client_for(world.users["office"]).post(f"{API}/accountabilities/", payload, format="json")
    assert own.status_code == 201, own.content
