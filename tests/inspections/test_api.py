"""The inspections REST API end to end: who may do what (role × endpoint × action), township scoping
(北关镇 cannot reach 褚庙乡), constant query counts on lists, and clean 400s for bad input."""

import datetime as dt
import io
import itertools
from types import SimpleNamespace

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from PIL import Image
from rest_framework.test import APIClient

from core.models import Role
from inspections import services
from inspections.models import Accountability, ChecklistItem, Hazard, Inspection, InspectionPlan
from tests.api_errors import field_errors, refused_fields
from tests.factories import (
    CampaignFactory,
    ChecklistItemFactory,
    GridFactory,
    InspectionPlanFactory,
    PoliceStationFactory,
    PremisesFactory,
    TownshipFactory,
    UserFactory,
    make_user,
)
from tests.role_matrix import outsider_users, with_outsiders

from .factories import INSPECTED_ON, evidence_file, hazard_data, record_inspection
from .factories import snapshot as inspections_snapshot

pytestmark = pytest.mark.django_db

API = "/api/v1"
TODAY = services.local_today()


def snapshot():
    """Everything a refused request must leave as it was: the app's rows, histories, hazard states and
    premises dates, and the checklist (which has no service of its own)."""
    return (
        inspections_snapshot(),
        ChecklistItem.history.count(),
        sorted(ChecklistItem.objects.values_list("pk", "code", "text", "is_active")),
    )


def client_for(user):
    client = APIClient()
    client.force_login(user)
    return client


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def world(county):
    """民权县 with 北关镇 and 褚庙乡, one campaign, a checklist, and one user of every role.

    北关镇: 城关派出所 covers it; the responsible person answers for 北关镇供销超市 (p_bg); a plan lists
    p_bg and p_bg2. On p_bg: a township inspection (i_bg, under the plan) found h_bg (open), and a
    police inspection (i_police) found h_police, already rectified (awaiting verification).
    褚庙乡: its own station, premises p_cm, an inspection i_cm that found h_cm (open).
    Accountability decisions acc_bg (on p_bg) and acc_cm.
    """
    beiguan = TownshipFactory(county=county, name="北关镇")
    chumiao = TownshipFactory(county=county, name="褚庙乡")
    station = PoliceStationFactory(county=county, name="城关派出所")
    station.townships.add(beiguan)
    cm_station = PoliceStationFactory(county=county, name="褚庙派出所")
    cm_station.townships.add(chumiao)
    p_bg = PremisesFactory(township=beiguan, name="北关镇供销超市")
    p_bg2 = PremisesFactory(township=beiguan, name="北关镇农资仓库")
    p_cm = PremisesFactory(township=chumiao, name="褚庙乡敬老院")
    users = {
        "center": make_user(Role.GUIDANCE_CENTER, username="center"),
        "office": make_user(Role.COUNTY_OFFICIAL, username="office", county=county),
        "beiguan_lead": make_user(Role.TOWNSHIP_LEAD, username="beiguan-lead", township=beiguan),
        "chumiao_lead": make_user(Role.TOWNSHIP_LEAD, username="chumiao-lead", township=chumiao),
        "police": make_user(Role.POLICE_STATION, username="police", police_station=station),
        "responsible": make_user(Role.PREMISES_RESPONSIBLE, username="boss", premises=p_bg),
        "no_role": UserFactory(username="nobody"),
        # The grid member's grid holds p_bg2 (not p_bg): they patrol it, and read what sits on it.
        **outsider_users(county, grid=p_bg2.grid),
    }
    campaign = CampaignFactory(county=county)
    items = [
        ChecklistItemFactory(code="A01", text="安全出口畅通", order=1),
        ChecklistItemFactory(code="A02", text="灭火器在有效期内", order=2),
    ]
    inactive = ChecklistItemFactory(code="Z99", text="已停用的检查项", is_active=False)
    plan_bg = services.inspection_plan_create(
        campaign=campaign,
        township=beiguan,
        title="北关镇冬春检查",
        due_on=dt.date(2021, 12, 31),
        premises=[p_bg, p_bg2],
    )
    plan_cm = services.inspection_plan_create(
        campaign=campaign,
        township=chumiao,
        title="褚庙乡冬春检查",
        due_on=dt.date(2021, 12, 31),
        premises=[p_cm],
    )
    i_bg = record_inspection(
        premises=p_bg, plan=plan_bg, results=[{"item": items[0], "result": "fail"}], by=users["beiguan_lead"]
    )
    i_police = record_inspection(
        premises=p_bg,
        kind=Inspection.Kind.POLICE,
        police_station=station,
        hazards=[hazard_data(description="灭火器过期")],
        by=users["police"],
    )
    h_police = i_police.hazards.get()
    services.hazard_rectify(
        hazard=h_police,
        rectified_on=INSPECTED_ON + dt.timedelta(days=2),
        rectified_by="王老板",
        measures="更换灭火器",
    )
    i_cm = record_inspection(premises=p_cm, plan=plan_cm)
    acc_bg = services.accountability_record(
        township=beiguan,
        premises=p_bg,
        person="王老板",
        unit="北关镇供销超市",
        finding="隐患逾期未整改",
        sanction="约谈",
        decided_by="县消防工作办公室",
        decided_on=dt.date(2022, 1, 10),
    )
    acc_cm = services.accountability_record(
        township=chumiao,
        hazard=i_cm.hazards.get(),
        person="褚主任",
        unit="褚庙乡敬老院",
        finding="隐患逾期未整改",
        sanction="通报批评",
        decided_by="县消防工作办公室",
        decided_on=dt.date(2022, 1, 10),
    )
    return SimpleNamespace(
        users=users,
        county=county,
        beiguan=beiguan,
        chumiao=chumiao,
        station=station,
        cm_station=cm_station,
        p_bg=p_bg,
        p_bg2=p_bg2,
        p_cm=p_cm,
        campaign=campaign,
        items=items,
        inactive=inactive,
        plan_bg=plan_bg,
        plan_cm=plan_cm,
        i_bg=i_bg,
        i_police=i_police,
        i_cm=i_cm,
        h_bg=i_bg.hazards.get(),
        h_police=h_police,
        h_cm=i_cm.hazards.get(),
        acc_bg=acc_bg,
        acc_cm=acc_cm,
    )


def inspection_payload(w, **overrides):
    payload = {
        "premises": w.p_bg.pk,
        "inspected_on": "2021-12-01",
        "inspectors": "赵专干、钱网格员",
        "results": [
            {"item": w.items[0].pk, "result": "fail", "note": "堆放杂物"},
            {"item": w.items[1].pk, "result": "pass"},
        ],
        "hazards": [
            {
                "severity": "major",
                "description": "安全出口堵塞",
                "deadline": "2021-12-10",
                "responsible_person": "王老板",
                "checklist_item": w.items[0].pk,
            }
        ],
    }
    payload.update(overrides)
    return payload


# -- role × endpoint × action ---------------------------------------------------------------------

ROLES = ["center", "office", "beiguan_lead", "chumiao_lead", "police", "responsible", "no_role"]


def expect(*codes, **outsiders):
    """Each role's answer; the fire rescue authority's and a county department's when they differ
    from an outsider's (tests.role_matrix.with_outsiders)."""
    return {**dict(zip(ROLES, codes, strict=True)), **outsiders}


READ_ALL = expect(200, 200, 200, 200, 200, 200, 403)
# Records on 北关镇's p_bg: 褚庙乡's lead gets 404; the responsible person of p_bg sees them.
READ_P_BG = expect(200, 200, 200, 404, 200, 200, 403)
# Plans are the township's: a responsible person sees none.
READ_PLAN_BG = expect(200, 200, 200, 404, 200, 404, 403)
# A method the resource does not route: 405 for every role (no rule to refuse; no write happens).
NOT_ROUTED = expect(405, 405, 405, 405, 405, 405, 403)
RECTIFY = expect(200, 403, 200, 404, 403, 200, 403)

MATRIX = {
    ("campaigns", "list"): (READ_ALL, lambda c, w: c.get(f"{API}/campaigns/")),
    ("campaigns", "retrieve"): (
        # The grid member's county's campaign, which their patrols serve.
        {**READ_ALL, "grid_member": 200},
        lambda c, w: c.get(f"{API}/campaigns/{w.campaign.pk}/"),
    ),
    ("campaigns", "create"): (
        expect(201, 403, 403, 403, 403, 403, 403),
        lambda c, w: c.post(
            f"{API}/campaigns/",
            {
                "county": w.county.pk,
                "name": "2022年电动自行车专项整治",
                "kind": "special",
                "starts_on": "2022-05-01",
                "ends_on": "2022-06-30",
            },
            format="json",
        ),
    ),
    ("campaigns", "update"): (
        NOT_ROUTED,
        lambda c, w: c.patch(f"{API}/campaigns/{w.campaign.pk}/", {"name": "改名"}, format="json"),
    ),
    ("campaigns", "delete"): (
        NOT_ROUTED,
        lambda c, w: c.delete(f"{API}/campaigns/{w.campaign.pk}/"),
    ),
    ("inspection-plans", "list"): (READ_ALL, lambda c, w: c.get(f"{API}/inspection-plans/")),
    ("inspection-plans", "retrieve"): (
        READ_PLAN_BG,
        lambda c, w: c.get(f"{API}/inspection-plans/{w.plan_bg.pk}/"),
    ),
    ("inspection-plans", "create"): (
        # 褚庙乡's lead names 北关镇: a write outside its township, 403.
        expect(201, 403, 201, 403, 403, 403, 403),
        lambda c, w: c.post(
            f"{API}/inspection-plans/",
            {
                "campaign": w.campaign.pk,
                "township": w.beiguan.pk,
                "title": "北关镇第二轮检查",
                "due_on": "2022-01-31",
                "premises": [w.p_bg2.pk],
            },
            format="json",
        ),
    ),
    ("inspection-plans", "update"): (
        NOT_ROUTED,
        lambda c, w: c.patch(f"{API}/inspection-plans/{w.plan_bg.pk}/", {"title": "改"}, format="json"),
    ),
    ("inspection-plans", "delete"): (
        NOT_ROUTED,
        lambda c, w: c.delete(f"{API}/inspection-plans/{w.plan_bg.pk}/"),
    ),
    ("inspections", "list"): (READ_ALL, lambda c, w: c.get(f"{API}/inspections/")),
    ("inspections", "retrieve"): (READ_P_BG, lambda c, w: c.get(f"{API}/inspections/{w.i_bg.pk}/")),
    ("inspections", "create"): (
        # Each recorder with its own kind (left to the role); 褚庙乡's lead names a 北关镇 premises: 403.
        expect(201, 403, 201, 403, 201, 201, 403),
        lambda c, w: c.post(f"{API}/inspections/", inspection_payload(w), format="json"),
    ),
    ("inspections", "update"): (
        NOT_ROUTED,
        lambda c, w: c.patch(f"{API}/inspections/{w.i_bg.pk}/", {"notes": "改"}, format="json"),
    ),
    ("inspections", "delete"): (
        NOT_ROUTED,
        lambda c, w: c.delete(f"{API}/inspections/{w.i_bg.pk}/"),
    ),
    ("hazards", "list"): (READ_ALL, lambda c, w: c.get(f"{API}/hazards/")),
    ("hazards", "retrieve"): (READ_P_BG, lambda c, w: c.get(f"{API}/hazards/{w.h_bg.pk}/")),
    ("hazards", "create"): (
        NOT_ROUTED,
        lambda c, w: c.post(f"{API}/hazards/", {"inspection": w.i_bg.pk}, format="json"),
    ),
    # A hazard's record is corrected by PATCH (its lead, the center), but its status never: refused
    # by name (400), before that by the route's rule (403), or not seen (404).
    ("hazards", "update"): (
        expect(400, 403, 400, 404, 403, 403, 403),
        lambda c, w: c.patch(f"{API}/hazards/{w.h_bg.pk}/", {"status": "verified"}, format="json"),
    ),
    ("hazards", "delete"): (NOT_ROUTED, lambda c, w: c.delete(f"{API}/hazards/{w.h_bg.pk}/")),
    ("hazards", "start-rectifying"): (
        RECTIFY,
        lambda c, w: c.post(f"{API}/hazards/{w.h_bg.pk}/start-rectifying/", format="json"),
    ),
    ("hazards", "rectify"): (
        RECTIFY,
        lambda c, w: c.post(
            f"{API}/hazards/{w.h_bg.pk}/rectify/",
            {"rectified_on": "2021-11-25", "rectified_by": "王老板", "measures": "清理出口杂物"},
            format="json",
        ),
    ),
    ("hazards", "reinspect"): (
        # h_police was found by the police station's own inspection: it may re-inspect it.
        expect(200, 403, 200, 404, 200, 403, 403),
        lambda c, w: c.post(
            f"{API}/hazards/{w.h_police.pk}/reinspect/",
            {"inspected_on": "2021-11-26", "inspectors": "孙民警", "passed": True},
            format="json",
        ),
    ),
    ("hazards", "extend-deadline"): (
        expect(200, 403, 200, 404, 403, 403, 403),
        lambda c, w: c.post(
            f"{API}/hazards/{w.h_bg.pk}/extend-deadline/",
            {"new_deadline": "2021-12-31", "reason": "需更换防火门，订货周期长"},
            format="json",
        ),
    ),
    ("checklist-items", "list"): (READ_ALL, lambda c, w: c.get(f"{API}/checklist-items/")),
    ("checklist-items", "retrieve"): (
        # the county's checklist
        expect(200, 200, 200, 200, 200, 200, 403, fire_rescue=200, department=200, grid_member=200),
        lambda c, w: c.get(f"{API}/checklist-items/{w.items[0].pk}/"),
    ),
    ("checklist-items", "create"): (
        expect(201, 403, 403, 403, 403, 403, 403),
        lambda c, w: c.post(
            f"{API}/checklist-items/",
            {"code": "B01", "text": "消防车通道畅通", "category": "通道"},
            format="json",
        ),
    ),
    ("checklist-items", "update"): (
        expect(200, 403, 403, 403, 403, 403, 403),
        lambda c, w: c.patch(f"{API}/checklist-items/{w.items[0].pk}/", {"is_active": False}, format="json"),
    ),
    ("checklist-items", "delete"): (
        NOT_ROUTED,
        lambda c, w: c.delete(f"{API}/checklist-items/{w.items[0].pk}/"),
    ),
    ("accountabilities", "list"): (READ_ALL, lambda c, w: c.get(f"{API}/accountabilities/")),
    ("accountabilities", "retrieve"): (
        READ_P_BG,
        lambda c, w: c.get(f"{API}/accountabilities/{w.acc_bg.pk}/"),
    ),
    ("accountabilities", "create"): (
        expect(201, 201, 403, 403, 403, 403, 403),
        lambda c, w: c.post(
            f"{API}/accountabilities/",
            {
                "township": w.beiguan.pk,
                "hazard": w.h_bg.pk,
                "person": "王老板",
                "unit": "北关镇供销超市",
                "finding": "重大隐患逾期未整改",
                "sanction": "罚款五千元",
                "decided_by": "县消防救援大队",
                "decided_on": "2022-01-15",
            },
            format="json",
        ),
    ),
    ("accountabilities", "update"): (
        NOT_ROUTED,
        lambda c, w: c.patch(f"{API}/accountabilities/{w.acc_bg.pk}/", {"sanction": "改"}, format="json"),
    ),
    ("accountabilities", "delete"): (
        NOT_ROUTED,
        lambda c, w: c.delete(f"{API}/accountabilities/{w.acc_bg.pk}/"),
    ),
}


@pytest.mark.parametrize(("endpoint", "verb"), list(MATRIX))
def test_role_matrix(world, endpoint, verb):
    """Every role's answer to one endpoint and verb; reads and refusals write nothing, allowed writes do.

    Each role's request runs in a savepoint rolled back afterwards: all roles start from the same world.
    """
    expected, send = MATRIX[(endpoint, verb)]
    expected = with_outsiders(expected, verb)
    got, wrote = {}, {}
    for role in expected:
        with transaction.atomic():
            before = snapshot()
            got[role] = send(client_for(world.users[role]), world).status_code
            wrote[role] = snapshot() != before
            transaction.set_rollback(True)
    assert got == expected
    assert wrote == {role: verb not in ("list", "retrieve") and code < 400 for role, code in expected.items()}


# -- patrols (巡查): role × endpoint × action ----------------------------------------------------------


@pytest.fixture
def patrolled(world):
    """The world, and the grid member's patrol of p_bg2 (北关镇, their grid)."""
    world.patrol = services.patrol_record(
        premises=world.p_bg2,
        patrolled_on=TODAY,
        results=[{"item": world.items[0], "result": "pass"}],
        by=world.users["grid_member"],
    )
    return world


def patrol_payload(w, premises):
    return {
        "premises": premises.pk,
        "patrolled_on": TODAY.isoformat(),
        "results": [{"item": w.items[0].pk, "result": "fail"}],
        "hazards": [
            {
                "severity": "general",
                "description": "楼道堆放杂物",
                "deadline": (TODAY + dt.timedelta(days=7)).isoformat(),
                "responsible_person": "王老板",
            }
        ],
    }


# Only a grid member records patrols, of their own grid's premises.
PATROL_MATRIX = {
    ("patrols", "list"): (READ_ALL, lambda c, w: c.get(f"{API}/patrols/")),
    ("patrols", "retrieve"): (
        # On p_bg2: 北关镇's users and the grid member; not the responsible person of p_bg.
        expect(200, 200, 200, 404, 200, 404, 403, grid_member=200),
        lambda c, w: c.get(f"{API}/patrols/{w.patrol.pk}/"),
    ),
    ("patrols", "create"): (
        expect(403, 403, 403, 403, 403, 403, 403, grid_member=201),
        lambda c, w: c.post(f"{API}/patrols/", patrol_payload(w, w.p_bg2), format="json"),
    ),
    ("patrols", "create-other-grid"): (
        expect(403, 403, 403, 403, 403, 403, 403, grid_member=403),
        lambda c, w: c.post(f"{API}/patrols/", patrol_payload(w, w.p_bg), format="json"),
    ),
    ("patrols", "update"): (
        NOT_ROUTED,
        lambda c, w: c.patch(f"{API}/patrols/{w.patrol.pk}/", {"notes": "改"}, format="json"),
    ),
    ("patrols", "delete"): (NOT_ROUTED, lambda c, w: c.delete(f"{API}/patrols/{w.patrol.pk}/")),
}


@pytest.mark.parametrize(("endpoint", "verb"), list(PATROL_MATRIX))
def test_patrol_role_matrix(patrolled, endpoint, verb):
    """Every role's answer to the patrol routes; refusals write nothing, an allowed patrol writes."""
    expected, send = PATROL_MATRIX[(endpoint, verb)]
    expected = with_outsiders(expected, verb.split("-")[0])
    got, wrote = {}, {}
    for role in expected:
        with transaction.atomic():
            before = snapshot()
            got[role] = send(client_for(patrolled.users[role]), patrolled).status_code
            wrote[role] = snapshot() != before
            transaction.set_rollback(True)
    assert got == expected
    assert wrote == {role: verb == "create" and code < 400 for role, code in expected.items()}


# -- hand-over (移交) and 挂牌督办: role × endpoint × action --------------------------------------------


@pytest.fixture
def escalated(world):
    """The world, and in 北关镇 (p_bg2) two major hazards found by its lead: h_major, handed over to
    the fire rescue authority (ho) and listed for supervision (sv), and h_major2, neither yet."""
    w = world
    inspection = record_inspection(
        premises=w.p_bg2,
        hazards=[
            hazard_data(severity=Hazard.Severity.MAJOR, description="仓库电线私拉乱接"),
            hazard_data(severity=Hazard.Severity.MAJOR, description="仓库与住人混设"),
        ],
        by=w.users["beiguan_lead"],
    )
    w.h_major, w.h_major2 = inspection.hazards.order_by("pk")
    w.ho = services.hazard_hand_over(
        hazard=w.h_major, reason="乡镇无执法权", evidence=evidence_file(), by=w.users["beiguan_lead"]
    )
    w.sv = services.hazard_supervise(
        hazard=w.h_major, leader="王景义", deadline=TODAY + dt.timedelta(days=30), by=w.users["office"]
    )
    return w


# Only the fire rescue authority acts on a hand-over; only the county lists and lifts.
FIRE_RESCUE_ACTS = expect(403, 403, 403, 403, 403, 403, 403, fire_rescue=200)
COUNTY_SUPERVISES = expect(200, 200, 403, 403, 403, 403, 403)
# A record on 北关镇's p_bg2 (not the responsible person's premises), major and handed over; p_bg2 is
# in the grid member's grid.
READ_MAJOR_BG = expect(200, 200, 200, 404, 200, 404, 403, fire_rescue=200, grid_member=200)

ESCALATION_MATRIX = {
    ("hazards", "retrieve-major"): (READ_MAJOR_BG, lambda c, w: c.get(f"{API}/hazards/{w.h_major2.pk}/")),
    ("hazards", "hand-over"): (
        expect(200, 403, 200, 404, 403, 403, 403),
        lambda c, w: c.post(
            f"{API}/hazards/{w.h_bg.pk}/hand-over/",
            {"reason": "单位拒不整改，乡镇无执法权", "evidence": evidence_file()},
            format="multipart",
        ),
    ),
    ("hazards", "supervise"): (
        COUNTY_SUPERVISES,
        lambda c, w: c.post(
            f"{API}/hazards/{w.h_major2.pk}/supervise/",
            {
                "leader": "王景义",
                "leader_phone": "13800000000",
                "deadline": str(TODAY + dt.timedelta(days=20)),
            },
            format="json",
        ),
    ),
    ("hazard-handovers", "list"): (READ_ALL, lambda c, w: c.get(f"{API}/hazard-handovers/")),
    ("hazard-handovers", "retrieve"): (
        READ_MAJOR_BG,
        lambda c, w: c.get(f"{API}/hazard-handovers/{w.ho.pk}/"),
    ),
    ("hazard-handovers", "record-action"): (
        FIRE_RESCUE_ACTS,
        lambda c, w: c.post(
            f"{API}/hazard-handovers/{w.ho.pk}/record-action/", {"kind": "accepted"}, format="json"
        ),
    ),
    ("hazard-handovers", "close"): (
        FIRE_RESCUE_ACTS,
        lambda c, w: c.post(
            f"{API}/hazard-handovers/{w.ho.pk}/close/", {"outcome": "责令停业整改，已整改完毕"}, format="json"
        ),
    ),
    ("hazard-handovers", "hand-back"): (
        FIRE_RESCUE_ACTS,
        lambda c, w: c.post(
            f"{API}/hazard-handovers/{w.ho.pk}/hand-back/",
            {"reason": "属一般隐患，由乡镇督促整改"},
            format="json",
        ),
    ),
    ("hazard-supervisions", "list"): (READ_ALL, lambda c, w: c.get(f"{API}/hazard-supervisions/")),
    ("hazard-supervisions", "retrieve"): (
        READ_MAJOR_BG,
        lambda c, w: c.get(f"{API}/hazard-supervisions/{w.sv.pk}/"),
    ),
    ("hazard-supervisions", "lift"): (
        COUNTY_SUPERVISES,
        lambda c, w: c.post(
            f"{API}/hazard-supervisions/{w.sv.pk}/lift/", {"reason": "已整改销号"}, format="json"
        ),
    ),
}


@pytest.mark.parametrize(("endpoint", "verb"), list(ESCALATION_MATRIX))
def test_escalation_role_matrix(escalated, endpoint, verb):
    """As test_role_matrix, for the hand-over to the fire rescue authority and 挂牌督办."""
    expected, send = ESCALATION_MATRIX[(endpoint, verb)]
    verb = "retrieve" if verb.startswith("retrieve") else verb
    expected = with_outsiders(expected, verb)
    got, wrote = {}, {}
    for role in expected:
        with transaction.atomic():
            before = snapshot()
            got[role] = send(client_for(escalated.users[role]), escalated).status_code
            wrote[role] = snapshot() != before
            transaction.set_rollback(True)
    assert got == expected
    assert wrote == {role: verb not in ("list", "retrieve") and code < 400 for role, code in expected.items()}


def test_fire_rescue_lists_handed_over_and_major_hazards_of_its_county_only(escalated):
    w = escalated
    client = client_for(w.users["fire_rescue"])
    assert sorted(ids(client.get(f"{API}/hazards/"))) == sorted([w.h_major.pk, w.h_major2.pk])
    assert ids(client.get(f"{API}/hazard-handovers/")) == [w.ho.pk]
    assert ids(client.get(f"{API}/inspections/")) == []
    # Another county's fire rescue authority sees none of it.
    other = make_user(Role.FIRE_RESCUE, county=TownshipFactory(name="外县乡", county__name="宁陵县").county)
    assert ids(client_for(other).get(f"{API}/hazards/")) == []
    assert ids(client_for(other).get(f"{API}/hazard-handovers/")) == []
    # A county department reads no hazard at all.
    assert ids(client_for(w.users["department"]).get(f"{API}/hazards/")) == []


def test_fire_rescue_reads_the_evidence_of_a_hand_over_and_the_department_does_not(escalated):
    w = escalated
    url = w.ho.evidence.url
    assert client_for(w.users["fire_rescue"]).get(url).status_code == 200
    assert client_for(w.users["beiguan_lead"]).get(url).status_code == 200
    assert client_for(w.users["department"]).get(url).status_code == 404
    assert client_for(w.users["chumiao_lead"]).get(url).status_code == 404


# -- what each role sees ----------------------------------------------------------------------------


def test_each_role_lists_only_the_inspections_and_hazards_it_may_see(world):
    w = world
    bg_inspections = sorted([w.i_bg.pk, w.i_police.pk])
    bg_hazards = sorted([w.h_bg.pk, w.h_police.pk])
    expected = {
        "center": (sorted([*bg_inspections, w.i_cm.pk]), sorted([*bg_hazards, w.h_cm.pk])),
        "office": (sorted([*bg_inspections, w.i_cm.pk]), sorted([*bg_hazards, w.h_cm.pk])),
        "beiguan_lead": (bg_inspections, bg_hazards),
        "chumiao_lead": ([w.i_cm.pk], [w.h_cm.pk]),
        "police": (bg_inspections, bg_hazards),  # its area: 北关镇, its own inspections included
        "responsible": (bg_inspections, bg_hazards),  # every record of its own premises
    }
    for role, (inspection_ids, hazard_ids) in expected.items():
        client = client_for(w.users[role])
        assert sorted(ids(client.get(f"{API}/inspections/"))) == inspection_ids, role
        assert sorted(ids(client.get(f"{API}/hazards/"))) == hazard_ids, role


def test_responsible_person_sees_only_its_own_premises(world):
    w = world
    record_inspection(premises=w.p_bg2)  # same township, another unit
    client = client_for(w.users["responsible"])
    assert {row["premises"] for row in client.get(f"{API}/inspections/").json()["results"]} == {w.p_bg.pk}
    assert {row["premises"] for row in client.get(f"{API}/hazards/").json()["results"]} == {w.p_bg.pk}
    assert ids(client.get(f"{API}/accountabilities/")) == [w.acc_bg.pk]
    assert ids(client.get(f"{API}/inspection-plans/")) == []


def test_plans_and_accountabilities_are_scoped_by_township(world):
    w = world
    for role, plans, decisions in (
        ("beiguan_lead", [w.plan_bg.pk], [w.acc_bg.pk]),
        ("chumiao_lead", [w.plan_cm.pk], [w.acc_cm.pk]),
        ("police", [w.plan_bg.pk], [w.acc_bg.pk]),
        ("office", sorted([w.plan_bg.pk, w.plan_cm.pk]), sorted([w.acc_bg.pk, w.acc_cm.pk])),
    ):
        client = client_for(w.users[role])
        assert sorted(ids(client.get(f"{API}/inspection-plans/"))) == plans, role
        assert sorted(ids(client.get(f"{API}/accountabilities/"))) == decisions, role


def test_campaigns_are_read_county_wide_but_not_from_another_county(world):
    other = TownshipFactory(name="外县乡", county__name="宁陵县")
    foreign = CampaignFactory(county=other.county, name="宁陵县冬春火灾防控")
    for role in ("beiguan_lead", "chumiao_lead", "police", "responsible", "office"):
        assert ids(client_for(world.users[role]).get(f"{API}/campaigns/")) == [world.campaign.pk], role
    assert sorted(ids(client_for(world.users["center"]).get(f"{API}/campaigns/"))) == sorted(
        [world.campaign.pk, foreign.pk]
    )
    lead_elsewhere = make_user(Role.TOWNSHIP_LEAD, township=other)
    assert ids(client_for(lead_elsewhere).get(f"{API}/campaigns/")) == [foreign.pk]


def test_beiguan_lead_cannot_filter_into_chumiao(world):
    w = world
    client = client_for(w.users["beiguan_lead"])
    cm = w.chumiao.pk
    # A township (or grid) outside the scope is not one of the filter's choices: 400, as a page's 404.
    for endpoint in ("inspections", "hazards", "inspection-plans", "accountabilities"):
        response = client.get(f"{API}/{endpoint}/", {"township": cm})
        assert response.status_code == 400, endpoint
        assert "township" in refused_fields(response), endpoint
    response = client.get(f"{API}/hazards/", {"grid": w.p_cm.grid_id})
    assert response.status_code == 400
    assert "grid" in refused_fields(response)
    # Records named by id are scoped rows already: one outside the scope selects nothing.
    assert ids(client.get(f"{API}/inspections/", {"premises": w.p_cm.pk})) == []
    assert ids(client.get(f"{API}/hazards/", {"premises": w.p_cm.pk})) == []
    assert ids(client.get(f"{API}/hazards/", {"inspection": w.i_cm.pk})) == []
    assert ids(client.get(f"{API}/hazards/", {"search": "敬老院"})) == []
    assert ids(client.get(f"{API}/inspections/", {"search": "褚庙"})) == []
    assert sorted(ids(client.get(f"{API}/hazards/", {"campaign": w.campaign.pk}))) == sorted(
        [w.h_bg.pk, w.h_police.pk]
    )
    assert ids(client.get(f"{API}/inspection-plans/", {"campaign": w.campaign.pk})) == [w.plan_bg.pk]


def test_beiguan_lead_cannot_read_or_change_chumiao_inspections_and_hazards(world):
    w = world
    client = client_for(w.users["beiguan_lead"])
    before = snapshot()
    assert client.get(f"{API}/inspections/{w.i_cm.pk}/").status_code == 404
    assert client.get(f"{API}/hazards/{w.h_cm.pk}/").status_code == 404
    assert client.get(f"{API}/inspection-plans/{w.plan_cm.pk}/").status_code == 404
    assert client.get(f"{API}/accountabilities/{w.acc_cm.pk}/").status_code == 404
    for verb, payload in (
        ("start-rectifying", {}),
        ("rectify", {"rectified_on": "2021-11-25", "rectified_by": "代", "measures": "代报"}),
        ("reinspect", {"inspected_on": "2021-11-26", "inspectors": "代", "passed": True}),
        ("extend-deadline", {"new_deadline": "2021-12-31", "reason": "代"}),
    ):
        response = client.post(f"{API}/hazards/{w.h_cm.pk}/{verb}/", payload, format="json")
        assert response.status_code == 404, verb
    created = client.post(f"{API}/inspections/", inspection_payload(w, premises=w.p_cm.pk), format="json")
    assert created.status_code == 403
    plan = client.post(
        f"{API}/inspection-plans/",
        {
            "campaign": w.campaign.pk,
            "township": w.chumiao.pk,
            "title": "越权",
            "due_on": "2021-12-31",
            "premises": [w.p_cm.pk],
        },
        format="json",
    )
    assert plan.status_code == 403
    assert snapshot() == before


# -- who records which inspection ---------------------------------------------------------------------


def test_township_lead_records_an_inspection_with_results_and_hazards(world):
    w = world
    user = w.users["beiguan_lead"]
    response = client_for(user).post(
        f"{API}/inspections/", inspection_payload(w, plan=w.plan_bg.pk, signed_by="王老板"), format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["township_name"], body["recorded_by_name"]) == (
        "township",
        "北关镇",
        "beiguan-lead",
    )
    assert [(r["item_code"], r["result"]) for r in body["results"]] == [("A01", "fail"), ("A02", "pass")]
    assert [(h["severity"], h["status"]) for h in body["hazards"]] == [("major", "open")]
    assert (body["hazard_count"], body["open_hazard_count"]) == (1, 1)
    inspection = Inspection.objects.get(pk=body["id"])
    assert inspection.history.get().history_user == user
    hazard = inspection.hazards.get()
    assert (hazard.discovered_on, hazard.checklist_item) == (dt.date(2021, 12, 1), w.items[0])
    assert hazard.history.get().history_user == user
    w.p_bg.refresh_from_db()
    assert w.p_bg.last_inspected_on == dt.date(2021, 12, 1)


def test_police_records_in_the_name_of_its_own_station(world):
    w = world
    client = client_for(w.users["police"])
    response = client.post(f"{API}/inspections/", inspection_payload(w), format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["kind"], response.json()["police_station"]) == ("police", w.station.pk)
    before = snapshot()
    other_station = client.post(
        f"{API}/inspections/", inspection_payload(w, police_station=w.cm_station.pk), format="json"
    )
    assert other_station.status_code == 403
    as_township = client.post(f"{API}/inspections/", inspection_payload(w, kind="township"), format="json")
    assert as_township.status_code == 403
    outside_area = client.post(
        f"{API}/inspections/", inspection_payload(w, premises=w.p_cm.pk), format="json"
    )
    assert outside_area.status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize(
    ("role", "overrides"),
    [
        ("responsible", lambda w: {"premises": w.p_bg2.pk}),  # another unit of the same township
        ("responsible", lambda w: {"kind": "township"}),
        ("beiguan_lead", lambda w: {"kind": "police", "police_station": w.station.pk}),
        ("beiguan_lead", lambda w: {"police_station": w.station.pk}),
    ],
)
def test_recorders_keep_to_their_own_kind_and_premises(world, role, overrides):
    before = snapshot()
    response = client_for(world.users[role]).post(
        f"{API}/inspections/", inspection_payload(world, **overrides(world)), format="json"
    )
    assert response.status_code == 403, response.content
    assert snapshot() == before


def test_responsible_person_records_a_self_inspection_of_its_premises(world):
    response = client_for(world.users["responsible"]).post(
        f"{API}/inspections/", inspection_payload(world, hazards=[]), format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "self"


def test_guidance_center_records_any_kind(world):
    client = client_for(world.users["center"])
    default = client.post(f"{API}/inspections/", inspection_payload(world), format="json")
    assert default.json()["kind"] == "guidance_center"
    police = client.post(
        f"{API}/inspections/",
        inspection_payload(world, kind="police", police_station=world.station.pk),
        format="json",
    )
    assert police.status_code == 201, police.content
    assert police.json()["police_station_name"] == "城关派出所"


# -- the hazard loop through the API ------------------------------------------------------------------


def test_responsible_person_rectifies_with_evidence_and_photo(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    w = world
    user = w.users["responsible"]
    client = client_for(user)
    started = client.post(f"{API}/hazards/{w.h_bg.pk}/start-rectifying/")
    assert started.status_code == 200, started.content
    assert started.json()["status"] == "rectifying"
    response = client.post(
        f"{API}/hazards/{w.h_bg.pk}/rectify/",
        {
            "rectified_on": "2021-11-25",
            "rectified_by": "王老板",
            "measures": "清理出口杂物，张贴警示标识",
            "evidence": _upload("evidence.pdf", b"%PDF-1.4 test evidence", "application/pdf"),
            "photo_after": _upload("after.png", png_bytes(), "image/png"),
        },
        format="multipart",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "awaiting_verification"
    assert body["photo_after"]
    [rectification] = body["rectifications"]
    assert rectification["evidence"]
    assert rectification["submitted_by"] == user.pk
    w.h_bg.refresh_from_db()
    assert w.h_bg.photo_after.read() == png_bytes()
    assert w.h_bg.history.first().history_user == user


def _upload(name, content, content_type):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=content_type)


def test_a_photo_that_is_not_an_image_is_refused_naming_the_field(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    before = snapshot()
    response = client_for(world.users["center"]).post(
        f"{API}/hazards/{world.h_bg.pk}/rectify/",
        {
            "rectified_by": "王老板",
            "measures": "清理",
            "photo_after": _upload("after.png", b"not an image", "image/png"),
        },
        format="multipart",
    )
    assert response.status_code == 400, response.content
    assert "photo_after" in refused_fields(response)
    assert snapshot() == before


def test_reinspection_verifies_or_sends_back_with_a_note(world):
    w = world
    client = client_for(w.users["police"])
    url = f"{API}/hazards/{w.h_police.pk}/reinspect/"
    before = snapshot()
    no_note = client.post(
        url, {"inspected_on": "2021-11-26", "inspectors": "孙民警", "passed": False}, format="json"
    )
    assert no_note.status_code == 400
    assert "复查意见" in no_note.json()["detail"]
    assert snapshot() == before
    rejected = client.post(
        url,
        {"inspected_on": "2021-11-26", "inspectors": "孙民警", "passed": False, "note": "灭火器压力不足"},
        format="json",
    )
    assert rejected.status_code == 200, rejected.content
    assert rejected.json()["status"] == "rectifying"
    assert rejected.json()["reinspections"][0]["note"] == "灭火器压力不足"
    services.hazard_rectify(
        hazard=w.h_police, rectified_on=dt.date(2021, 11, 27), rectified_by="王老板", measures="再次更换"
    )
    passed = client.post(
        url, {"inspected_on": "2021-11-28", "inspectors": "孙民警", "passed": True}, format="json"
    )
    assert passed.status_code == 200, passed.content
    assert (passed.json()["status"], passed.json()["verified_on"]) == ("verified", "2021-11-28")
    assert w.h_police.history.first().history_user == w.users["police"]


def test_police_cannot_reinspect_a_hazard_found_by_the_township(world):
    w = world
    services.hazard_rectify(
        hazard=w.h_bg, rectified_on=dt.date(2021, 11, 25), rectified_by="王老板", measures="清理"
    )
    before = snapshot()
    response = client_for(w.users["police"]).post(
        f"{API}/hazards/{w.h_bg.pk}/reinspect/",
        {"inspected_on": "2021-11-26", "inspectors": "孙民警", "passed": True},
        format="json",
    )
    assert response.status_code == 403
    assert "本所" in response.json()["detail"]
    assert snapshot() == before


def test_deadline_extension_keeps_the_reason_in_the_history(world):
    user = world.users["beiguan_lead"]
    response = client_for(user).post(
        f"{API}/hazards/{world.h_bg.pk}/extend-deadline/",
        {"new_deadline": "2021-12-31", "reason": "需更换防火门"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["deadline"] == "2021-12-31"
    record = world.h_bg.history.first()
    assert (record.history_user, record.history_change_reason) == (user, "延长整改期限：需更换防火门")


@pytest.mark.parametrize(
    ("hazard", "verb", "payload", "status", "code", "message"),
    [
        # A step the hazard's state refuses now: 409 conflict.
        ("h_police", "start-rectifying", {}, 409, "conflict", "只有“待整改”"),
        (
            "h_bg",
            "reinspect",
            {"inspected_on": "2021-11-26", "inspectors": "x", "passed": True},
            409,
            "conflict",
            "只有“待复查”",
        ),
        # A rule of the process refusing what was sent: 400 refused.
        (
            "h_bg",
            "rectify",
            {"rectified_on": "2021-11-01", "rectified_by": "x", "measures": "x"},
            400,
            "refused",
            "不能早于隐患发现日期",
        ),
        (
            "h_bg",
            "extend-deadline",
            {"new_deadline": "2021-11-21", "reason": "x"},
            400,
            "refused",
            "应晚于原期限",
        ),
    ],
)
def test_service_refusals_answer_with_the_reason_and_write_nothing(
    world, hazard, verb, payload, status, code, message
):
    before = snapshot()
    response = client_for(world.users["center"]).post(
        f"{API}/hazards/{getattr(world, hazard).pk}/{verb}/", payload, format="json"
    )
    assert response.status_code == status, response.content
    body = response.json()
    assert (body["type"], body["code"], body["errors"]) == ("client_error", code, [])
    assert message in body["detail"]
    assert snapshot() == before


# -- plans, campaigns, checklist, accountability ------------------------------------------------------


def test_plan_progress_figures(world):
    w = world
    client = client_for(w.users["center"])
    row = client.get(f"{API}/inspection-plans/{w.plan_bg.pk}/").json()
    assert (row["planned_count"], row["inspected_count"], row["percent"]) == (2, 1, 50.0)
    assert sorted(row["premises"]) == sorted([w.p_bg.pk, w.p_bg2.pk])
    record_inspection(premises=w.p_bg2, plan=w.plan_bg)
    row = client.get(f"{API}/inspection-plans/{w.plan_bg.pk}/").json()
    assert (row["inspected_count"], row["percent"]) == (2, 100.0)


def test_township_lead_creates_a_plan_for_its_township(world):
    user = world.users["beiguan_lead"]
    response = client_for(user).post(
        f"{API}/inspection-plans/",
        {
            "campaign": world.campaign.pk,
            "township": world.beiguan.pk,
            "police_station": world.station.pk,
            "title": "城关派出所联合检查",
            "due_on": "2022-01-31",
            "premises": [world.p_bg.pk, world.p_bg2.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["planned_count"], body["inspected_count"], body["percent"]) == (2, 0, 0.0)
    assert body["police_station_name"] == "城关派出所"
    assert {r.history_user for r in InspectionPlan.objects.get(pk=body["id"]).history.all()} == {user}


def test_checklist_item_is_written_with_history_and_retired_not_deleted(world):
    user = world.users["center"]
    client = client_for(user)
    created = client.post(f"{API}/checklist-items/", {"code": "B01", "text": "消防车通道畅通"}, format="json")
    assert created.status_code == 201, created.content
    item = ChecklistItem.objects.get(code="B01")
    assert item.history.get().history_user == user
    retired = client.patch(f"{API}/checklist-items/{item.pk}/", {"is_active": False}, format="json")
    assert retired.json()["is_active"] is False
    assert ids(client.get(f"{API}/checklist-items/", {"is_active": "true"})) == [i.pk for i in world.items]
    before = snapshot()
    duplicate = client.post(f"{API}/checklist-items/", {"code": "A01", "text": "重复"}, format="json")
    assert duplicate.status_code == 400
    assert "code" in refused_fields(duplicate)
    assert snapshot() == before


def test_county_official_records_an_accountability_and_refusals_write_nothing(world):
    w = world
    office = w.users["office"]
    client = client_for(office)
    payload = {
        "township": w.beiguan.pk,
        "premises": w.p_bg.pk,
        "hazard": w.h_bg.pk,
        "person": "王老板",
        "unit": "北关镇供销超市",
        "finding": "重大隐患逾期未整改",
        "sanction": "罚款",
        "decided_by": "县消防救援大队",
        "decided_on": "2022-01-15",
    }
    response = client.post(f"{API}/accountabilities/", payload, format="json")
    assert response.status_code == 201, response.content
    assert Accountability.objects.get(pk=response.json()["id"]).history.get().history_user == office
    before = snapshot()
    wrong_township = client.post(f"{API}/accountabilities/", {**payload, "hazard": w.h_cm.pk}, format="json")
    assert wrong_township.status_code == 400
    assert "不属于" in wrong_township.json()["detail"]
    no_subject = client.post(
        f"{API}/accountabilities/", {**payload, "premises": None, "hazard": None}, format="json"
    )
    assert no_subject.status_code == 400
    assert "至少要关联" in no_subject.json()["detail"]
    other_official = make_user(
        Role.COUNTY_OFFICIAL, county=TownshipFactory(name="外县乡", county__name="宁陵县").county
    )
    foreign = client_for(other_official).post(f"{API}/accountabilities/", payload, format="json")
    assert foreign.status_code == 403
    assert snapshot() == before


# -- bad input ----------------------------------------------------------------------------------------


def test_hazard_deadline_before_discovery_is_400_on_the_hazard_field(world):
    before = snapshot()
    payload = inspection_payload(world)
    payload["hazards"] = [
        {**payload["hazards"][0]},
        {**payload["hazards"][0], "deadline": "2021-11-30"},
    ]
    response = client_for(world.users["center"]).post(f"{API}/inspections/", payload, format="json")
    assert response.status_code == 400, response.content
    assert field_errors(response) == {"hazards.1.deadline": ["整改期限不能早于发现日期。"]}
    assert snapshot() == before


def test_an_inspection_in_the_future_is_400_on_inspected_on(world):
    before = snapshot()
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    response = client_for(world.users["center"]).post(
        f"{API}/inspections/", inspection_payload(world, inspected_on=tomorrow, hazards=[]), format="json"
    )
    assert response.status_code == 400
    assert field_errors(response) == {"inspected_on": ["检查日期不能晚于今天。"]}
    assert snapshot() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda w, p: p["results"][0].update(item=999999), "results"),
        (lambda w, p: p["results"][1].update(item=w.items[0].pk), "results"),  # answered twice
        (lambda w, p: p["results"][0].update(item=w.inactive.pk), "results"),
        (lambda w, p: p["results"][0].update(result="maybe"), "results"),
        (lambda w, p: p["hazards"][0].update(checklist_item=w.inactive.pk), "hazards"),
        (lambda w, p: p["hazards"][0].update(severity="huge"), "hazards"),
        (lambda w, p: p["hazards"][0].pop("responsible_person"), "hazards"),
        (lambda w, p: p.update(premises=999999), "premises"),
        (lambda w, p: p.update(inspected_on="昨天"), "inspected_on"),
        (lambda w, p: p.pop("inspectors"), "inspectors"),
        (lambda w, p: p.update(kind="neighbour"), "kind"),
    ],
)
def test_bad_inspection_input_is_400_naming_the_field_and_writes_nothing(world, change, field):
    payload = inspection_payload(world)
    change(world, payload)
    before = snapshot()
    response = client_for(world.users["center"]).post(f"{API}/inspections/", payload, format="json")
    assert response.status_code == 400, response.content
    assert field in refused_fields(response)
    assert snapshot() == before


def test_an_inspection_under_another_townships_plan_is_refused(world):
    before = snapshot()
    response = client_for(world.users["center"]).post(
        f"{API}/inspections/", inspection_payload(world, plan=world.plan_cm.pk), format="json"
    )
    assert response.status_code == 400
    assert "属于其他乡镇" in response.json()["detail"]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("endpoint", "payload", "field"),
    [
        (
            "campaigns",
            {"name": "x", "kind": "special", "starts_on": "2022-05-01", "ends_on": "2022-04-01"},
            "ends_on",
        ),
        (
            "campaigns",
            {"name": "x", "kind": "yearly", "starts_on": "2022-05-01", "ends_on": "2022-06-01"},
            "kind",
        ),
        ("inspection-plans", {"title": "x", "due_on": "2021-12-31", "premises": []}, "premises"),
        ("inspection-plans", {"title": "x", "due_on": "2021-12-31", "premises": [999999]}, "premises"),
        (
            "inspection-plans",
            {"title": "北关镇冬春检查", "due_on": "2021-12-31", "premises": ["p_bg"]},
            "",  # the request as a whole (formerly non_field_errors): attr null
        ),
        ("accountabilities", {"person": "x", "decided_on": "下周"}, "decided_on"),
        ("checklist-items", {"code": "", "text": "x"}, "code"),
    ],
)
def test_bad_input_on_other_endpoints_is_400_naming_the_field(world, endpoint, payload, field):
    defaults = {
        "campaigns": {"county": world.county.pk},
        "inspection-plans": {"campaign": world.campaign.pk, "township": world.beiguan.pk},
        "accountabilities": {"township": world.beiguan.pk},
        "checklist-items": {},
    }[endpoint]
    data = {**defaults, **payload}
    if data.get("premises") == ["p_bg"]:
        data["premises"] = [world.p_bg.pk]
    before = snapshot()
    response = client_for(world.users["center"]).post(f"{API}/{endpoint}/", data, format="json")
    assert response.status_code == 400, response.content
    assert field in refused_fields(response)
    assert snapshot() == before


def test_plan_with_a_premises_of_another_township_is_refused(world):
    before = snapshot()
    response = client_for(world.users["beiguan_lead"]).post(
        f"{API}/inspection-plans/",
        {
            "campaign": world.campaign.pk,
            "township": world.beiguan.pk,
            "title": "夹带",
            "due_on": "2021-12-31",
            "premises": [world.p_bg.pk, world.p_cm.pk],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "不在“北关镇”辖区内" in response.json()["detail"]
    assert snapshot() == before


def test_errors_are_chinese_by_default_and_english_on_request(world):
    client = client_for(world.users["center"])
    payload = inspection_payload(world)
    payload["results"][0]["item"] = 999999
    zh = field_errors(client.post(f"{API}/inspections/", payload, format="json"))
    en = field_errors(client.post(f"{API}/inspections/", payload, format="json", HTTP_ACCEPT_LANGUAGE="en"))
    assert en["results.0.item"] == ['Invalid pk "999999" - object does not exist.']
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh["results.0.item"][0])
    missing = client.post(
        f"{API}/hazards/{world.h_bg.pk}/extend-deadline/", {}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert field_errors(missing) == {
        "new_deadline": ["This field is required."],
        "reason": ["This field is required."],
    }
    denied = client_for(world.users["police"]).post(
        f"{API}/hazards/{world.h_bg.pk}/rectify/", {}, format="json"
    )
    assert denied.status_code == 403
    assert denied.json()["detail"] == "只有本乡镇消防专干、本单位消防安全责任人或指导中心可以办理隐患整改。"


def test_bad_filter_values_are_400_naming_the_parameter(world):
    client = client_for(world.users["center"])
    response = client.get(f"{API}/hazards/", {"deadline_after": "明天", "status": "lost", "severity": "huge"})
    assert response.status_code == 400
    assert {"deadline_after", "status", "severity"} <= refused_fields(response)
    response = client.get(f"{API}/inspections/", {"campaign": 999999, "kind": "x"})
    assert response.status_code == 400
    assert {"campaign", "kind"} <= refused_fields(response)


# -- filters ------------------------------------------------------------------------------------------


def test_hazard_filters(world):
    w = world
    client = client_for(w.users["center"])
    url = f"{API}/hazards/"
    assert ids(client.get(url, {"status": "awaiting_verification"})) == [w.h_police.pk]
    assert sorted(ids(client.get(url, {"status": ["open", "awaiting_verification"]}))) == sorted(
        [w.h_bg.pk, w.h_police.pk, w.h_cm.pk]
    )
    assert sorted(ids(client.get(url, {"township": w.beiguan.pk}))) == sorted([w.h_bg.pk, w.h_police.pk])
    assert sorted(ids(client.get(url, {"grid": w.p_bg.grid_id}))) == sorted([w.h_bg.pk, w.h_police.pk])
    # All three are open with 2021 deadlines: overdue today. A verified one is not.
    assert len(ids(client.get(url, {"overdue": "true"}))) == 3
    services.hazard_reinspect(
        hazard=w.h_police, inspected_on=dt.date(2021, 11, 26), inspectors="x", passed=True
    )
    assert ids(client.get(url, {"overdue": "false"})) == [w.h_police.pk]
    later = record_inspection(
        premises=w.p_cm,
        inspected_on=dt.date(2022, 6, 1),
        hazards=[hazard_data(severity="major", deadline=dt.date(2022, 6, 30))],
    ).hazards.get()
    assert ids(client.get(url, {"severity": "major"})) == [later.pk]
    assert ids(client.get(url, {"discovered_on_after": "2022-01-01"})) == [later.pk]
    assert len(ids(client.get(url, {"discovered_on_before": "2021-12-31"}))) == 3
    assert ids(client.get(url, {"deadline_after": "2022-06-30", "deadline_before": "2022-06-30"})) == [
        later.pk
    ]
    assert later.pk not in ids(client.get(url, {"campaign": w.campaign.pk}))  # after the campaign ended
    row = client.get(f"{url}{w.h_bg.pk}/").json()
    assert (row["is_overdue"], row["verified_late"], row["township_name"]) == (True, False, "北关镇")
    assert row["grid"] == w.p_bg.grid_id


def test_inspection_plan_campaign_and_accountability_filters(world):
    w = world
    client = client_for(w.users["center"])
    assert ids(client.get(f"{API}/inspections/", {"kind": "police"})) == [w.i_police.pk]
    assert ids(client.get(f"{API}/inspections/", {"plan": w.plan_cm.pk})) == [w.i_cm.pk]
    assert ids(client.get(f"{API}/inspections/", {"inspected_on_after": "2021-11-21"})) == []
    assert len(ids(client.get(f"{API}/inspections/", {"campaign": w.campaign.pk}))) == 3
    assert ids(client.get(f"{API}/inspection-plans/", {"township": w.chumiao.pk})) == [w.plan_cm.pk]
    assert ids(client.get(f"{API}/inspection-plans/", {"premises": w.p_bg2.pk})) == [w.plan_bg.pk]
    assert ids(client.get(f"{API}/campaigns/", {"active_on": "2021-12-01"})) == [w.campaign.pk]
    assert ids(client.get(f"{API}/campaigns/", {"kind": "special"})) == []
    assert ids(client.get(f"{API}/accountabilities/", {"hazard": w.h_cm.pk})) == [w.acc_cm.pk]
    assert ids(client.get(f"{API}/accountabilities/", {"decided_on_before": "2021-12-31"})) == []


# -- query counts -------------------------------------------------------------------------------------


SEQUENCE = itertools.count()


def _add_rows(w, n):
    """n more of everything in 北关镇: campaigns, plans with premises, inspections with results and hazards
    (one rectified), checklist items and accountability decisions."""
    grid = GridFactory(township=w.beiguan)
    for _ in range(n):
        premises = PremisesFactory(township=w.beiguan, grid=grid)
        ChecklistItemFactory()
        CampaignFactory(county=w.county, name=f"专项整治{next(SEQUENCE)}")
        plan = InspectionPlanFactory(campaign=w.campaign, township=w.beiguan)
        plan.premises.add(premises, w.p_bg)
        inspection = record_inspection(
            premises=premises,
            plan=plan,
            results=[{"item": w.items[0], "result": "fail"}, {"item": w.items[1], "result": "pass"}],
            hazards=[hazard_data(), hazard_data(severity="major")],
        )
        services.hazard_rectify(
            hazard=inspection.hazards.first(),
            rectified_on=dt.date(2021, 11, 22),
            rectified_by="x",
            measures="x",
        )
        services.accountability_record(
            township=w.beiguan,
            premises=premises,
            person="x",
            unit="x",
            finding="x",
            sanction="x",
            decided_by="x",
            decided_on=dt.date(2022, 1, 1),
        )


@pytest.mark.parametrize("role", ["center", "beiguan_lead", "police", "responsible"])
@pytest.mark.parametrize(
    "endpoint",
    ["campaigns", "inspection-plans", "inspections", "hazards", "checklist-items", "accountabilities"],
)
def test_list_query_count_does_not_grow_with_rows(world, role, endpoint):
    client = client_for(world.users[role])
    url = f"{API}/{endpoint}/"

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries), response.json()["count"]

    _add_rows(world, 1)
    small, rows_small = count()
    _add_rows(world, 4)  # N, then 5N rows
    large, rows_large = count()
    if role != "responsible" or endpoint in ("campaigns", "checklist-items"):
        assert rows_large > rows_small
    assert large == small


# -- schema -------------------------------------------------------------------------------------------


def test_schema_documents_the_inspections_endpoints(world):
    response = client_for(world.users["center"]).get(f"{API}/schema/")
    assert response.status_code == 200
    schema = response.content.decode()
    for path in (
        "/api/v1/campaigns/",
        "/api/v1/inspection-plans/",
        "/api/v1/inspections/",
        "/api/v1/hazards/{id}/start-rectifying/",
        "/api/v1/hazards/{id}/rectify/",
        "/api/v1/hazards/{id}/reinspect/",
        "/api/v1/hazards/{id}/extend-deadline/",
        "/api/v1/checklist-items/{id}/",
        "/api/v1/accountabilities/",
    ):
        assert f"{path}:" in schema
    for component in (
        "InspectionRecordRequest:",
        "HazardInputRequest:",
        "HazardRectifyRequest:",
        "HazardReinspectRequest:",
        "multipart/form-data",
    ):
        assert component in schema
