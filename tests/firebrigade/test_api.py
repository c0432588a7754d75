"""The firebrigade REST API end to end: who may do what (role × endpoint × action), township scoping
(北关镇 cannot reach 褚庙乡's brigades, members, equipment, funding or fires), constant query counts on
lists, and clean 400s — field messages for bad input, the service's reason for a refused rule."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from core.models import Role
from firebrigade import services
from firebrigade.models import (
    Brigade,
    BrigadeDocument,
    BrigadeMember,
    CallOut,
    Disbursement,
    DutyRosterEntry,
    EquipmentCheck,
    EquipmentItem,
    EquipmentType,
    FireIncident,
    FundingAllocation,
    PublicityActivity,
    TrainingRecord,
)
from tests.api_errors import field_errors
from tests.factories import (
    SHANGHAI,
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
from tests.role_matrix import outsider_users, with_outsiders

from .factories import class2_standard, equip_vehicles, established_brigade, staff

pytestmark = pytest.mark.django_db

API = "/api/v1"
MODELS = (
    Brigade,
    BrigadeMember,
    EquipmentType,
    EquipmentItem,
    FundingAllocation,
    Disbursement,
    FireIncident,
    BrigadeDocument,
    TrainingRecord,
    DutyRosterEntry,
    CallOut,
    PublicityActivity,
    EquipmentCheck,
    FundingAllocation,
    Disbursement,
    FireIncident,
)


def snapshot():
    """Everything a refused request must leave as it was: every row, every history row count, and the
    townships each brigade also serves."""
    rows = {m.__name__: list(m.objects.order_by("id").values()) for m in MODELS}
    history = {m.__name__: m.history.count() for m in MODELS}
    shared = list(Brigade.also_serves.through.objects.order_by("id").values_list("brigade", "township"))
    return rows, history, shared


@pytest.fixture
def world():
    """民权县 with 北关镇, 褚庙乡 and 花园乡. 北关镇 has three brigades — planned, under construction, and
    built to the 二级 standard (8 on-duty members, a good fire engine, 400 ㎡) — equipment, a funding
    allocation and a fire at a premises; 褚庙乡 has one brigade with a member, equipment, funding and a
    fire. One user of every role (police: 城关派出所, covering 北关镇; responsible person: that premises)."""
    county = CountyFactory(name="民权县")
    beiguan = TownshipFactory(county=county, name="北关镇")
    chumiao = TownshipFactory(county=county, name="褚庙乡")
    huayuan = TownshipFactory(county=county, name="花园乡")
    station = PoliceStationFactory(county=county, name="城关派出所")
    station.townships.add(beiguan)
    class2_standard()
    planned = BrigadeFactory(township=beiguan, name="北关镇专职消防队")
    building = BrigadeFactory(
        township=beiguan,
        name="北关镇二队",
        status=Brigade.Status.UNDER_CONSTRUCTION,
        construction_started_on=dt.date(2021, 5, 1),
    )
    built = established_brigade(township=beiguan, name="北关镇三队")
    staff(built, 8, hired_on=dt.date(2021, 6, 1))
    engine = equip_vehicles(built, 1)
    member_bg = built.members.order_by("id").first()
    pump = EquipmentTypeFactory(
        name="手抬机动泵", category=EquipmentType.Category.PUMP, maintenance_interval_days=90
    )
    item_bg = EquipmentItemFactory(
        brigade=built,
        equipment_type=pump,
        quantity=2,
        last_maintained_on=dt.date(2021, 10, 1),
        next_maintenance_on=dt.date(2021, 12, 30),
    )
    check_bg = EquipmentCheck.objects.create(item=item_bg, checked_on=dt.date(2021, 11, 20), result="good")
    cm_brigade = BrigadeFactory(township=chumiao, name="褚庙乡专职消防队")
    member_cm = BrigadeMemberFactory(brigade=cm_brigade, name="褚队员")
    item_cm = EquipmentItemFactory(brigade=cm_brigade, equipment_type=pump, quantity=1)
    funding_bg = FundingAllocationFactory(township=beiguan, year=2021, amount=Decimal("100000.00"))
    funding_cm = FundingAllocationFactory(township=chumiao, year=2021, amount=Decimal("80000.00"))
    premises_bg = PremisesFactory(township=beiguan, name="北关超市")
    premises_cm = PremisesFactory(township=chumiao, name="褚庙仓库")
    fire_bg = FireIncidentFactory(
        township=beiguan,
        premises=premises_bg,
        address="北关超市",
        cause="electrical",
        responding_brigade=built,
    )
    fire_bg_street = FireIncidentFactory(
        township=beiguan,
        address="北关村麦场",
        cause="straw_burning",
        occurred_at=dt.datetime(2021, 12, 3, 14, tzinfo=SHANGHAI),
    )
    fire_cm = FireIncidentFactory(township=chumiao, premises=premises_cm, address="褚庙仓库", cause="heating")
    # The archive of 北关镇三队 (一队一档): one record of each kind.
    training_bg = services.training_record(
        brigade=built, kind="drill", held_on=dt.date(2021, 12, 1), hours=Decimal(2), topic="演练", by=None
    )
    duty_bg = services.duty_roster_add(brigade=built, duty_on=dt.date(2021, 12, 1), leader=member_bg, by=None)
    call_out_bg = services.call_out_record(
        brigade=built,
        kind="fire",
        called_at=dt.datetime(2021, 12, 3, 14, 5, tzinfo=SHANGHAI),
        arrived_at=dt.datetime(2021, 12, 3, 14, 20, tzinfo=SHANGHAI),
        address="北关村麦场",
        incident=fire_bg_street,
        by=None,
    )
    publicity_bg = services.publicity_record(
        brigade=built, held_on=dt.date(2021, 12, 2), kind="lecture", place="北关小学", audience=300, by=None
    )
    document_bg = services.brigade_document_add(
        brigade=built, kind="founding", title="建队批复", file=pdf_upload(), by=None
    )
    users = {
        "center": make_user(Role.GUIDANCE_CENTER, username="center"),
        "office": make_user(Role.COUNTY_OFFICIAL, username="office", county=county),
        "beiguan_lead": make_user(Role.TOWNSHIP_LEAD, username="beiguan-lead", township=beiguan),
        "chumiao_lead": make_user(Role.TOWNSHIP_LEAD, username="chumiao-lead", township=chumiao),
        "police": make_user(Role.POLICE_STATION, username="police", police_station=station),
        "responsible": make_user(Role.PREMISES_RESPONSIBLE, username="boss", premises=premises_bg),
        "no_role": UserFactory(username="nobody"),
        **outsider_users(county),
    }
    return SimpleNamespace(
        users=users,
        county=county,
        beiguan=beiguan,
        chumiao=chumiao,
        huayuan=huayuan,
        planned=planned,
        building=building,
        built=built,
        engine=engine,
        pump=pump,
        member_bg=member_bg,
        item_bg=item_bg,
        check_bg=check_bg,
        cm_brigade=cm_brigade,
        member_cm=member_cm,
        item_cm=item_cm,
        funding_bg=funding_bg,
        funding_cm=funding_cm,
        premises_bg=premises_bg,
        premises_cm=premises_cm,
        fire_bg=fire_bg,
        fire_bg_street=fire_bg_street,
        fire_cm=fire_cm,
        training_bg=training_bg,
        duty_bg=duty_bg,
        call_out_bg=call_out_bg,
        publicity_bg=publicity_bg,
        document_bg=document_bg,
    )


def pdf_upload():
    return SimpleUploadedFile("批复.pdf", b"%PDF-1.4\n%%EOF", content_type="application/pdf")


def client_for(user):
    client = APIClient()
    client.force_login(user)
    return client


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def member_payload(brigade, **extra):
    return {"brigade": brigade.pk, "name": "新队员", "role": "driver", "hired_on": "2021-11-01", **extra}


def incident_payload(township, **extra):
    return {
        "township": township.pk,
        "occurred_at": "2022-01-20T21:00:00+08:00",
        "address": "北关镇东街",
        "cause": "heating",
        **extra,
    }


# -- role × endpoint × action ---------------------------------------------------------------------

ROLES = ["center", "office", "beiguan_lead", "chumiao_lead", "police", "responsible", "no_role"]


def expect(*codes, **outsiders):
    """Each role's answer; the fire rescue authority's and a county department's when they differ
    from an outsider's (tests.role_matrix.with_outsiders)."""
    return {**dict(zip(ROLES, codes, strict=True)), **outsiders}


READ_ALL = expect(200, 200, 200, 200, 200, 200, 403)
# 北关镇's records: 褚庙乡's lead gets 404; a responsible person sees only records tied to its premises.
READ_BEIGUAN = expect(200, 200, 200, 404, 200, 404, 403)
READ_OWN_PREMISES = expect(200, 200, 200, 404, 200, 200, 403)
# Members, equipment and funding are withheld from a police station (firebrigade.access): 403 in words.
READ_ALL_BUT_POLICE = expect(200, 200, 200, 200, 403, 200, 403)
READ_BEIGUAN_BUT_POLICE = expect(200, 200, 200, 404, 403, 404, 403)
CENTER_CREATES = expect(201, 403, 403, 403, 403, 403, 403)
CENTER_ACTS = expect(200, 403, 403, 403, 403, 403, 403)
# A method the resource does not route: 405 for every role (no rule to refuse; no write happens).
NOT_ROUTED = expect(405, 405, 405, 405, 405, 405, 403)
# Writes into 北关镇 by its lead or the center; 褚庙乡's lead naming 北关镇 → 403, reaching it → 404.
LEAD_CREATES = expect(201, 403, 201, 403, 403, 403, 403)
LEAD_ACTS = expect(200, 403, 200, 404, 403, 403, 403)

MATRIX = {
    ("brigades", "list"): (READ_ALL, lambda c, w: c.get(f"{API}/brigades/")),
    ("brigades", "retrieve"): (READ_BEIGUAN, lambda c, w: c.get(f"{API}/brigades/{w.built.pk}/")),
    ("brigades", "create"): (
        CENTER_CREATES,
        lambda c, w: c.post(
            f"{API}/brigades/",
            {"township": w.huayuan.pk, "name": "花园乡专职消防队", "brigade_class": "volunteer"},
            format="json",
        ),
    ),
    ("brigades", "update"): (
        LEAD_ACTS,
        lambda c, w: c.patch(f"{API}/brigades/{w.built.pk}/", {"duty_phone": "0370-8123119"}, format="json"),
    ),
    ("brigades", "delete"): (NOT_ROUTED, lambda c, w: c.delete(f"{API}/brigades/{w.built.pk}/")),
    ("brigades", "start-construction"): (
        CENTER_ACTS,
        lambda c, w: c.post(
            f"{API}/brigades/{w.planned.pk}/start-construction/", {"started_on": "2021-11-20"}, format="json"
        ),
    ),
    ("brigades", "mark-established"): (
        CENTER_ACTS,
        lambda c, w: c.post(
            f"{API}/brigades/{w.building.pk}/mark-established/",
            {"established_on": "2021-12-01"},
            format="json",
        ),
    ),
    ("brigades", "accept"): (
        CENTER_ACTS,
        lambda c, w: c.post(
            f"{API}/brigades/{w.built.pk}/accept/", {"accepted_on": "2021-12-10"}, format="json"
        ),
    ),
    ("brigade-members", "list"): (READ_ALL_BUT_POLICE, lambda c, w: c.get(f"{API}/brigade-members/")),
    ("brigade-members", "retrieve"): (
        READ_BEIGUAN_BUT_POLICE,
        lambda c, w: c.get(f"{API}/brigade-members/{w.member_bg.pk}/"),
    ),
    ("brigade-members", "create"): (
        LEAD_CREATES,
        lambda c, w: c.post(f"{API}/brigade-members/", member_payload(w.built), format="json"),
    ),
    ("brigade-members", "update"): (
        LEAD_ACTS,
        lambda c, w: c.patch(
            f"{API}/brigade-members/{w.member_bg.pk}/", {"certification": "消防员职业资格四级"}, format="json"
        ),
    ),
    ("brigade-members", "delete"): (
        NOT_ROUTED,
        lambda c, w: c.delete(f"{API}/brigade-members/{w.member_bg.pk}/"),
    ),
    ("brigade-members", "leave"): (
        LEAD_ACTS,
        lambda c, w: c.post(
            f"{API}/brigade-members/{w.member_bg.pk}/leave/", {"left_on": "2021-12-31"}, format="json"
        ),
    ),
    ("equipment-types", "list"): (READ_ALL, lambda c, w: c.get(f"{API}/equipment-types/")),
    ("equipment-types", "retrieve"): (
        expect(
            200, 200, 200, 200, 200, 200, 403, fire_rescue=200, department=200, grid_member=200
        ),  # reference data
        lambda c, w: c.get(f"{API}/equipment-types/{w.pump.pk}/"),
    ),
    ("equipment-types", "create"): (
        NOT_ROUTED,
        lambda c, w: c.post(
            f"{API}/equipment-types/", {"name": "破拆工具组", "category": "rescue"}, format="json"
        ),
    ),
    ("equipment", "list"): (READ_ALL_BUT_POLICE, lambda c, w: c.get(f"{API}/equipment/")),
    ("equipment", "retrieve"): (
        READ_BEIGUAN_BUT_POLICE,
        lambda c, w: c.get(f"{API}/equipment/{w.item_bg.pk}/"),
    ),
    ("equipment", "create"): (
        LEAD_CREATES,
        lambda c, w: c.post(
            f"{API}/equipment/",
            {"brigade": w.built.pk, "equipment_type": w.pump.pk, "quantity": 1, "acquired_on": "2021-11-01"},
            format="json",
        ),
    ),
    ("equipment", "update"): (
        LEAD_ACTS,
        lambda c, w: c.patch(
            f"{API}/equipment/{w.item_bg.pk}/", {"condition": "needs_repair"}, format="json"
        ),
    ),
    ("equipment", "delete"): (NOT_ROUTED, lambda c, w: c.delete(f"{API}/equipment/{w.item_bg.pk}/")),
    ("equipment", "record-maintenance"): (
        LEAD_ACTS,
        lambda c, w: c.post(
            f"{API}/equipment/{w.item_bg.pk}/record-maintenance/",
            {"maintained_on": "2021-12-15"},
            format="json",
        ),
    ),
    ("equipment-checks", "list"): (READ_ALL_BUT_POLICE, lambda c, w: c.get(f"{API}/equipment-checks/")),
    ("equipment-checks", "retrieve"): (
        READ_BEIGUAN_BUT_POLICE,
        lambda c, w: c.get(f"{API}/equipment-checks/{w.check_bg.pk}/"),
    ),
    ("equipment-checks", "create"): (
        LEAD_CREATES,
        lambda c, w: c.post(
            f"{API}/equipment-checks/",
            {"item": w.item_bg.pk, "result": "needs_repair", "note": "压力表损坏"},
            format="json",
        ),
    ),
    ("equipment-checks", "update"): (
        NOT_ROUTED,
        lambda c, w: c.patch(f"{API}/equipment-checks/{w.check_bg.pk}/", {"note": "改"}, format="json"),
    ),
    ("equipment-checks", "delete"): (
        NOT_ROUTED,
        lambda c, w: c.delete(f"{API}/equipment-checks/{w.check_bg.pk}/"),
    ),
    ("funding", "list"): (READ_ALL_BUT_POLICE, lambda c, w: c.get(f"{API}/funding/")),
    ("funding", "retrieve"): (
        READ_BEIGUAN_BUT_POLICE,
        lambda c, w: c.get(f"{API}/funding/{w.funding_bg.pk}/"),
    ),
    ("funding", "create"): (
        CENTER_CREATES,
        lambda c, w: c.post(
            f"{API}/funding/",
            {"township": w.beiguan.pk, "year": 2021, "category": "office", "amount": "20000.00"},
            format="json",
        ),
    ),
    ("funding", "update"): (
        CENTER_ACTS,
        lambda c, w: c.patch(f"{API}/funding/{w.funding_bg.pk}/", {"amount": "120000.00"}, format="json"),
    ),
    ("funding", "delete"): (NOT_ROUTED, lambda c, w: c.delete(f"{API}/funding/{w.funding_bg.pk}/")),
    ("funding", "disburse"): (
        CENTER_CREATES,
        lambda c, w: c.post(
            f"{API}/funding/{w.funding_bg.pk}/disburse/",
            {"amount": "50000.00", "disbursed_on": "2021-06-30", "voucher_no": "民财 2021-18"},
            format="json",
        ),
    ),
    ("incidents", "list"): (READ_ALL, lambda c, w: c.get(f"{API}/incidents/")),
    ("incidents", "retrieve"): (READ_OWN_PREMISES, lambda c, w: c.get(f"{API}/incidents/{w.fire_bg.pk}/")),
    ("incidents", "create"): (
        LEAD_CREATES,
        lambda c, w: c.post(f"{API}/incidents/", incident_payload(w.beiguan), format="json"),
    ),
    ("incidents", "update"): (
        LEAD_ACTS,
        lambda c, w: c.patch(f"{API}/incidents/{w.fire_bg.pk}/", {"arrival_minutes": 12}, format="json"),
    ),
    ("incidents", "delete"): (NOT_ROUTED, lambda c, w: c.delete(f"{API}/incidents/{w.fire_bg.pk}/")),
    # The brigade archive (一队一档): read as members are (not by a police station), added by the
    # brigade's township lead or the center; records are not changed or deleted through the API.
    **{
        (endpoint, verb): row
        for endpoint, record, payload in [
            (
                "trainings",
                "training_bg",
                lambda w: {
                    "brigade": w.built.pk,
                    "kind": "training",
                    "held_on": "2021-12-05",
                    "hours": "1.5",
                    "topic": "水带铺设",
                    "participants": [w.member_bg.pk],
                },
            ),
            (
                "duty-roster",
                "duty_bg",
                lambda w: {
                    "brigade": w.built.pk,
                    "duty_on": "2021-12-06",
                    "shift": "night",
                    "leader": w.member_bg.pk,
                },
            ),
            (
                "call-outs",
                "call_out_bg",
                lambda w: {
                    "brigade": w.built.pk,
                    "kind": "rescue",
                    "called_at": "2021-12-10T09:00:00+08:00",
                    "arrived_at": "2021-12-10T09:12:00+08:00",
                    "address": "北关镇东街",
                },
            ),
            (
                "publicity",
                "publicity_bg",
                lambda w: {
                    "brigade": w.built.pk,
                    "held_on": "2021-12-05",
                    "kind": "door_to_door",
                    "place": "北关村",
                },
            ),
        ]
        for verb, row in {
            "list": (READ_ALL_BUT_POLICE, lambda c, w, e=endpoint: c.get(f"{API}/{e}/")),
            "retrieve": (
                READ_BEIGUAN_BUT_POLICE,
                lambda c, w, e=endpoint, r=record: c.get(f"{API}/{e}/{getattr(w, r).pk}/"),
            ),
            "create": (
                LEAD_CREATES,
                lambda c, w, e=endpoint, p=payload: c.post(f"{API}/{e}/", p(w), format="json"),
            ),
            "update": (
                NOT_ROUTED,
                lambda c, w, e=endpoint, r=record: c.patch(
                    f"{API}/{e}/{getattr(w, r).pk}/", {}, format="json"
                ),
            ),
            "delete": (
                NOT_ROUTED,
                lambda c, w, e=endpoint, r=record: c.delete(f"{API}/{e}/{getattr(w, r).pk}/"),
            ),
        }.items()
    },
    ("brigade-documents", "list"): (READ_ALL_BUT_POLICE, lambda c, w: c.get(f"{API}/brigade-documents/")),
    ("brigade-documents", "retrieve"): (
        READ_BEIGUAN_BUT_POLICE,
        lambda c, w: c.get(f"{API}/brigade-documents/{w.document_bg.pk}/"),
    ),
    ("brigade-documents", "create"): (
        LEAD_CREATES,
        lambda c, w: c.post(
            f"{API}/brigade-documents/",
            {"brigade": w.built.pk, "kind": "duty_rules", "title": "执勤制度", "file": pdf_upload()},
            format="multipart",
        ),
    ),
    ("brigade-documents", "delete"): (
        NOT_ROUTED,
        lambda c, w: c.delete(f"{API}/brigade-documents/{w.document_bg.pk}/"),
    ),
}


@pytest.mark.parametrize(("endpoint", "verb"), list(MATRIX))
def test_role_matrix(world, endpoint, verb):
    """Every role's answer to one endpoint and verb; reads and refusals write nothing, allowed writes do.

    Each role's request runs in a savepoint rolled back afterwards, so all roles start from the same world.
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


# -- what each role sees ----------------------------------------------------------------------------


def test_each_role_lists_only_the_records_of_its_townships(world):
    w = world
    beiguan = {
        "brigades": {w.planned.pk, w.building.pk, w.built.pk},
        "brigade-members": set(w.built.members.values_list("id", flat=True)),
        "equipment": {w.engine.pk, w.item_bg.pk},
        "funding": {w.funding_bg.pk},
        "incidents": {w.fire_bg.pk, w.fire_bg_street.pk},
    }
    chumiao = {
        "brigades": {w.cm_brigade.pk},
        "brigade-members": {w.member_cm.pk},
        "equipment": {w.item_cm.pk},
        "funding": {w.funding_cm.pk},
        "incidents": {w.fire_cm.pk},
    }
    responsible = {"brigades": set(), "brigade-members": set(), "equipment": set(), "funding": set()}
    responsible["incidents"] = {w.fire_bg.pk}  # the fire at its own premises only
    expected = {
        "center": {k: beiguan[k] | chumiao[k] for k in beiguan},
        "office": {k: beiguan[k] | chumiao[k] for k in beiguan},
        "beiguan_lead": beiguan,
        "chumiao_lead": chumiao,
        # The brigades and fires of its area; members, equipment and funding are withheld from it.
        "police": {"brigades": beiguan["brigades"], "incidents": beiguan["incidents"]},
        "responsible": responsible,
    }
    for role, by_endpoint in expected.items():
        client = client_for(w.users[role])
        for endpoint, wanted in by_endpoint.items():
            assert set(ids(client.get(f"{API}/{endpoint}/"))) == wanted, (role, endpoint)
    police = client_for(w.users["police"])
    for endpoint in ("brigade-members", "equipment", "funding"):
        refused = police.get(f"{API}/{endpoint}/")
        assert refused.status_code == 403, endpoint
        assert "派出所不查看" in refused.json()["detail"]


def refused_filter(response, name):
    """A township, brigade or premises outside the scope is not a choice (as on the pages): 400."""
    assert response.status_code == 400, response.content
    return list(field_errors(response)) == [name]


def test_beiguan_lead_cannot_filter_into_chumiao(world):
    client = client_for(world.users["beiguan_lead"])
    cm = world.chumiao.pk
    for endpoint in ("brigades", "brigade-members", "equipment", "funding", "incidents"):
        assert refused_filter(client.get(f"{API}/{endpoint}/", {"township": cm}), "township"), endpoint
    brigade = world.cm_brigade.pk
    assert refused_filter(client.get(f"{API}/brigade-members/", {"brigade": brigade}), "brigade")
    assert refused_filter(client.get(f"{API}/equipment/", {"brigade": brigade}), "brigade")
    assert refused_filter(client.get(f"{API}/incidents/", {"premises": world.premises_cm.pk}), "premises")
    assert ids(client.get(f"{API}/brigades/", {"search": "褚庙"})) == []
    assert ids(client.get(f"{API}/brigade-members/", {"search": "褚队员"})) == []
    assert ids(client.get(f"{API}/incidents/", {"search": "褚庙"})) == []
    assert ids(client.get(f"{API}/funding/", {"search": "褚庙"})) == []


def test_beiguan_lead_cannot_read_or_change_chumiao(world):
    w = world
    client = client_for(w.users["beiguan_lead"])
    before = snapshot()
    for path in (
        f"brigades/{w.cm_brigade.pk}/",
        f"brigade-members/{w.member_cm.pk}/",
        f"equipment/{w.item_cm.pk}/",
        f"funding/{w.funding_cm.pk}/",
        f"incidents/{w.fire_cm.pk}/",
    ):
        assert client.get(f"{API}/{path}").status_code == 404, path
        assert client.patch(f"{API}/{path}", {"note": "x", "name": "x"}, format="json").status_code in (
            403,
            404,
        )
    assert (
        client.patch(
            f"{API}/brigades/{w.cm_brigade.pk}/", {"duty_phone": "13800000000"}, format="json"
        ).status_code
        == 404
    )
    assert client.patch(f"{API}/incidents/{w.fire_cm.pk}/", {"deaths": 0}, format="json").status_code == 404
    left = client.post(
        f"{API}/brigade-members/{w.member_cm.pk}/leave/", {"left_on": "2021-12-31"}, format="json"
    )
    assert left.status_code == 404
    maintained = client.post(
        f"{API}/equipment/{w.item_cm.pk}/record-maintenance/", {"maintained_on": "2021-12-15"}, format="json"
    )
    assert maintained.status_code == 404
    # Creating anything that names 褚庙乡 — directly, or through its brigade or premises — is forbidden.
    member = client.post(f"{API}/brigade-members/", member_payload(w.cm_brigade), format="json")
    assert member.status_code == 403
    assert "其他乡镇" in member.json()["detail"]
    item = client.post(
        f"{API}/equipment/",
        {"brigade": w.cm_brigade.pk, "equipment_type": w.pump.pk, "quantity": 1},
        format="json",
    )
    assert item.status_code == 403
    assert client.post(f"{API}/incidents/", incident_payload(w.chumiao), format="json").status_code == 403
    at_chumiao_premises = incident_payload(w.beiguan, premises=w.premises_cm.pk)
    assert client.post(f"{API}/incidents/", at_chumiao_premises, format="json").status_code == 403
    funding = client.post(
        f"{API}/funding/",
        {"township": w.chumiao.pk, "year": 2022, "category": "office", "amount": "1"},
        format="json",
    )
    assert funding.status_code == 403
    assert snapshot() == before


# -- brigades -----------------------------------------------------------------------------------------


def test_brigade_row_carries_staff_and_vehicles_against_the_standard(world):
    row = client_for(world.users["office"]).get(f"{API}/brigades/{world.built.pk}/").json()
    assert (row["active_staff"], row["good_vehicles"]) == (8, 1)
    assert (row["min_staff"], row["min_vehicles"], row["min_station_area_m2"]) == (8, 1, 300)
    assert (row["status"], row["status_display"], row["brigade_class_display"]) == (
        "established",
        "已建成",
        "二级专职消防队",
    )


def test_guidance_center_registers_a_brigade_and_takes_it_to_acceptance(world):
    center = world.users["center"]
    client = client_for(center)
    created = client.post(
        f"{API}/brigades/",
        {
            "township": world.huayuan.pk,
            "name": "花园乡专职消防队",
            "brigade_class": "class2",
            "station_area_m2": 350,
            "also_serves": [world.chumiao.pk],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], [t["name"] for t in body["also_serves"]]) == ("planned", ["褚庙乡"])
    brigade = Brigade.objects.get(pk=body["id"])
    assert brigade.history.first().history_user == center

    url = f"{API}/brigades/{brigade.pk}"
    started = client.post(f"{url}/start-construction/", {"started_on": "2021-11-20"}, format="json")
    assert started.json()["status"] == "under_construction", started.content
    built = client.post(f"{url}/mark-established/", {"established_on": "2021-12-01"}, format="json")
    assert built.json()["status"] == "established", built.content
    below = client.post(f"{url}/accept/", {"accepted_on": "2021-12-10"}, format="json")
    assert below.status_code == 400
    assert "验收未通过" in below.json()["detail"]
    staff(brigade, 8)
    equip_vehicles(brigade, 1)
    accepted = client.post(f"{url}/accept/", {"accepted_on": "2021-12-10"}, format="json")
    assert accepted.status_code == 200, accepted.content
    assert (accepted.json()["status"], accepted.json()["accepted_by"]) == (
        "accepted",
        services.ACCEPTING_UNIT,
    )
    record = brigade.history.first()
    assert (record.status, record.history_user) == ("accepted", center)


@pytest.mark.parametrize(
    ("brigade", "verb", "payload", "message", "status"),
    [
        # A step out of order is refused by the brigade's state: 409; a wrong date is the input's: 400.
        ("planned", "mark-established", {"established_on": "2021-12-01"}, "须先完成", 409),
        ("planned", "accept", {"accepted_on": "2021-12-01"}, "须先完成", 409),
        ("built", "start-construction", {"started_on": "2021-12-01"}, "不能重复或回退", 409),
        ("building", "mark-established", {"established_on": "2021-04-01"}, "早于开工日期", 400),
        ("building", "accept", {"accepted_on": "2021-12-01"}, "须先完成", 409),
        ("built", "accept", {"accepted_on": "2099-12-01"}, "晚于今天", 400),
    ],
)
def test_brigade_state_refusals_say_why_and_write_nothing(world, brigade, verb, payload, message, status):
    before = snapshot()
    response = client_for(world.users["center"]).post(
        f"{API}/brigades/{getattr(world, brigade).pk}/{verb}/", payload, format="json"
    )
    assert response.status_code == status, response.content
    assert response.json()["code"] == {409: "conflict", 400: "refused"}[status]
    assert message in response.json()["detail"]
    assert snapshot() == before


def test_township_lead_edits_the_plain_fields_of_its_brigade(world):
    lead = world.users["beiguan_lead"]
    response = client_for(lead).patch(
        f"{API}/brigades/{world.built.pk}/",
        {"station_address": "北关镇消防路 1 号", "station_area_m2": 420, "brigade_class": "class2"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["station_area_m2"] == 420
    assert world.built.history.first().history_user == lead


@pytest.mark.parametrize(
    "payload",
    [
        lambda w: {"brigade_class": "class1"},
        lambda w: {"township": w.huayuan.pk},
        lambda w: {"also_serves": [w.huayuan.pk]},
    ],
)
def test_township_lead_cannot_move_reclass_or_share_its_brigade(world, payload):
    data = payload(world)
    before = snapshot()
    response = client_for(world.users["beiguan_lead"]).patch(
        f"{API}/brigades/{world.built.pk}/", data, format="json"
    )
    assert response.status_code == 403
    assert "指导中心" in response.json()["detail"]
    assert snapshot() == before


def test_brigade_bad_input_is_400_naming_the_field(world):
    client = client_for(world.users["center"])
    before = snapshot()
    response = client.post(
        f"{API}/brigades/",
        {
            "township": world.huayuan.pk,
            "name": "北关镇专职消防队",
            "brigade_class": "class9",
            "duty_phone": "119",
        },
        format="json",
    )
    assert response.status_code == 400
    assert {"name", "brigade_class", "duty_phone"} <= set(field_errors(response))
    shared_with_itself = client.post(
        f"{API}/brigades/",
        {
            "township": world.huayuan.pk,
            "name": "花园乡队",
            "brigade_class": "class2",
            "also_serves": [world.huayuan.pk],
        },
        format="json",
    )
    assert shared_with_itself.status_code == 400
    assert "不能包含队伍所属乡镇" in shared_with_itself.json()["detail"]
    assert snapshot() == before


# -- members ------------------------------------------------------------------------------------------


def test_township_lead_adds_edits_and_releases_a_member(world):
    lead = world.users["beiguan_lead"]
    client = client_for(lead)
    created = client.post(
        f"{API}/brigade-members/",
        member_payload(world.built, phone="13512345678", contract_until="2024-10-31"),
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["brigade_name"], body["township_name"], body["on_duty"]) == ("北关镇三队", "北关镇", True)
    member = BrigadeMember.objects.get(pk=body["id"])
    assert member.history.get().history_user == lead
    edited = client.patch(f"{API}/brigade-members/{member.pk}/", {"role": "captain"}, format="json")
    assert edited.json()["role_display"] == "队长"
    left = client.post(f"{API}/brigade-members/{member.pk}/leave/", {"left_on": "2021-12-31"}, format="json")
    assert left.status_code == 200, left.content
    assert (left.json()["left_on"], left.json()["on_duty"]) == ("2021-12-31", False)
    before = snapshot()
    again = client.post(f"{API}/brigade-members/{member.pk}/leave/", {"left_on": "2022-01-05"}, format="json")
    assert again.status_code == 409  # the member's state refuses a second departure
    assert again.json()["code"] == "conflict"
    assert "离职记录不能修改" in again.json()["detail"]
    back_on_duty = client.patch(f"{API}/brigade-members/{member.pk}/", {"on_duty": True}, format="json")
    # A member who has left: the record's state refuses the step now (ConflictError).
    assert back_on_duty.status_code == 409, back_on_duty.content
    assert back_on_duty.json()["code"] == "conflict"
    assert "已离职" in back_on_duty.json()["detail"]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"phone": "12345"}, "phone"),
        ({"role": "chef"}, "role"),
        ({"hired_on": "去年"}, "hired_on"),
        ({"name": ""}, "name"),
        ({"brigade": 999999}, "brigade"),
    ],
)
def test_member_bad_input_is_400_naming_the_field(world, payload, field):
    before = snapshot()
    response = client_for(world.users["beiguan_lead"]).post(
        f"{API}/brigade-members/", {**member_payload(world.built), **payload}, format="json"
    )
    assert response.status_code == 400, response.content
    assert field in field_errors(response)
    assert snapshot() == before


def test_member_hired_in_the_future_is_refused_with_the_service_reason(world):
    before = snapshot()
    response = client_for(world.users["beiguan_lead"]).post(
        f"{API}/brigade-members/", member_payload(world.built, hired_on="2099-01-01"), format="json"
    )
    assert response.status_code == 400
    assert "入职日期" in response.json()["detail"]
    assert snapshot() == before


# -- equipment ----------------------------------------------------------------------------------------


def test_township_lead_records_and_maintains_equipment(world):
    lead = world.users["beiguan_lead"]
    client = client_for(lead)
    created = client.post(
        f"{API}/equipment/",
        {
            "brigade": world.built.pk,
            "equipment_type": world.pump.pk,
            "quantity": 3,
            "last_maintained_on": "2021-11-01",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["next_maintenance_on"], body["equipment_type_name"], body["category"]) == (
        "2022-01-30",  # last maintenance + the type's 90 days
        "手抬机动泵",
        "pump",
    )
    item = EquipmentItem.objects.get(pk=body["id"])
    assert item.history.get().history_user == lead
    maintained = client.post(
        f"{API}/equipment/{item.pk}/record-maintenance/",
        {"maintained_on": "2021-12-15", "condition": "needs_repair"},
        format="json",
    )
    assert maintained.status_code == 200, maintained.content
    assert (maintained.json()["next_maintenance_on"], maintained.json()["condition"]) == (
        "2022-03-15",
        "needs_repair",
    )
    assert item.history.first().history_user == lead


@pytest.mark.parametrize(
    ("method", "path", "payload", "field"),
    [
        ("post", "equipment/", {"quantity": -1}, "quantity"),
        ("post", "equipment/", {"quantity": "两台"}, "quantity"),
        ("post", "equipment/", {"condition": "lost"}, "condition"),
        ("post", "equipment/", {"equipment_type": 999999}, "equipment_type"),
        ("patch", "equipment/{item_bg}/", {"quantity": -5}, "quantity"),
        ("post", "equipment/{item_bg}/record-maintenance/", {"maintained_on": "上周"}, "maintained_on"),
        ("post", "equipment/{item_bg}/record-maintenance/", {"condition": "lost"}, "condition"),
    ],
)
def test_equipment_bad_input_is_400_naming_the_field(world, method, path, payload, field):
    url = f"{API}/" + path.format(item_bg=world.item_bg.pk)
    if path == "equipment/":
        payload = {"brigade": world.built.pk, "equipment_type": world.pump.pk, "quantity": 1, **payload}
    before = snapshot()
    response = getattr(client_for(world.users["beiguan_lead"]), method)(url, payload, format="json")
    assert response.status_code == 400, response.content
    assert field in field_errors(response)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("path", "payload", "message"),
    [
        ("record-maintenance/", {"maintained_on": "2021-09-01"}, "早于上次保养日期"),
        ("record-maintenance/", {"maintained_on": "2099-01-01"}, "晚于今天"),
        ("", {"last_maintained_on": "2021-12-01", "next_maintenance_on": "2021-11-01"}, "早于上次保养日期"),
    ],
)
def test_equipment_rule_refusals_are_400_with_the_reason(world, path, payload, message):
    client = client_for(world.users["beiguan_lead"])
    url = f"{API}/equipment/{world.item_bg.pk}/{path}"
    before = snapshot()
    response = client.post(url, payload, format="json") if path else client.patch(url, payload, format="json")
    assert response.status_code == 400, response.content
    assert message in response.json()["detail"]
    assert snapshot() == before


def test_errors_are_chinese_by_default_and_english_on_request(world):
    client = client_for(world.users["beiguan_lead"])
    data = {"brigade": world.built.pk, "equipment_type": world.pump.pk, "quantity": -1}
    zh = field_errors(client.post(f"{API}/equipment/", data, format="json"))
    en = field_errors(client.post(f"{API}/equipment/", data, format="json", HTTP_ACCEPT_LANGUAGE="en"))
    assert en == {"quantity": ["Ensure this value is greater than or equal to 0."]}
    assert list(zh) == ["quantity"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh["quantity"][0])
    denied = client_for(world.users["police"]).post(f"{API}/equipment/", data, format="json")
    assert (denied.status_code, denied.json()["detail"]) == (
        403,
        "只有本乡镇消防专干（分管副职）或指导中心可以修改消防队的队员和装备。",
    )


def test_equipment_types_are_listed_for_choosing(world):
    rows = (
        client_for(world.users["beiguan_lead"]).get(f"{API}/equipment-types/", {"category": "vehicle"}).json()
    )
    assert [(r["name"], r["unit"]) for r in rows["results"]] == [("水罐消防车", "辆")]


# -- funding ------------------------------------------------------------------------------------------


def test_guidance_center_budgets_and_records_arrivals(world):
    center = world.users["center"]
    client = client_for(center)
    created = client.post(
        f"{API}/funding/",
        {
            "township": world.beiguan.pk,
            "year": 2022,
            "category": "personnel",
            "amount": "200000",
            "source": "县财政",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert (created.json()["disbursed_amount"], created.json()["ratio"]) == ("0.00", "0.0000")
    allocation = FundingAllocation.objects.get(pk=created.json()["id"])
    assert allocation.history.get().history_user == center
    url = f"{API}/funding/{allocation.pk}/disburse/"
    paid = client.post(
        url, {"amount": "50000", "disbursed_on": "2022-03-31", "voucher_no": "民财 18"}, format="json"
    )
    assert paid.status_code == 201, paid.content
    body = paid.json()
    assert (body["disbursed_amount"], body["ratio"]) == ("50000.00", "0.2500")
    assert [(d["amount"], d["voucher_no"], d["recorded_by_name"]) for d in body["disbursements"]] == [
        ("50000.00", "民财 18", "center")
    ]
    assert Disbursement.objects.get().history.get().history_user == center


def test_over_budget_disbursement_is_400_with_the_service_message_and_writes_nothing(world):
    services.disbursement_record(
        allocation=world.funding_bg, amount=Decimal("90000"), disbursed_on=dt.date(2021, 6, 30), by=None
    )
    before = snapshot()
    response = client_for(world.users["center"]).post(
        f"{API}/funding/{world.funding_bg.pk}/disburse/",
        {"amount": "20000", "disbursed_on": "2021-09-30"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "到位金额超过预算：预算 100000.00 元，已到位 90000.00 元，本次 20000.00 元。"
    )
    assert snapshot() == before
    lowered = client_for(world.users["center"]).patch(
        f"{API}/funding/{world.funding_bg.pk}/", {"amount": "80000"}, format="json"
    )
    assert lowered.status_code == 400
    assert "预算不能低于已到位金额" in lowered.json()["detail"]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("path", "payload", "field"),
    [
        ("funding/", {"amount": "-1"}, "amount"),
        ("funding/", {"year": 1990}, "year"),
        ("funding/", {"category": "travel"}, "category"),
        ("funding/", {"amount": "很多"}, "amount"),
        ("funding/{funding_bg}/disburse/", {"amount": "0"}, "amount"),
        ("funding/{funding_bg}/disburse/", {"amount": "-5"}, "amount"),
        ("funding/{funding_bg}/disburse/", {"amount": "10", "disbursed_on": "月底"}, "disbursed_on"),
        ("funding/{funding_bg}/disburse/", {}, "amount"),
    ],
)
def test_funding_bad_input_is_400_naming_the_field(world, path, payload, field):
    url = f"{API}/" + path.format(funding_bg=world.funding_bg.pk)
    if path == "funding/":
        payload = {
            "township": world.huayuan.pk,
            "year": 2022,
            "category": "office",
            "amount": "1000",
            **payload,
        }
    before = snapshot()
    response = client_for(world.users["center"]).post(url, payload, format="json")
    assert response.status_code == 400, response.content
    assert field in field_errors(response)
    assert snapshot() == before


def test_a_second_allocation_of_the_same_category_is_refused(world):
    before = snapshot()
    response = client_for(world.users["center"]).post(
        f"{API}/funding/",
        {"township": world.beiguan.pk, "year": 2021, "category": "personnel", "amount": "1000"},
        format="json",
    )
    assert response.status_code == 409  # a conflict with the budget already recorded
    assert response.json()["code"] == "conflict"
    assert "预算已登记" in response.json()["detail"]
    assert snapshot() == before


def test_funding_filters_and_ordering(world):
    FundingAllocationFactory(township=world.beiguan, year=2022, category="office", amount=Decimal("0"))
    client = client_for(world.users["office"])
    assert ids(client.get(f"{API}/funding/", {"year": 2021, "township": world.chumiao.pk})) == [
        world.funding_cm.pk
    ]
    assert len(ids(client.get(f"{API}/funding/", {"category": "office"}))) == 1
    assert len(ids(client.get(f"{API}/funding/", {"year_after": 2022}))) == 1
    rows = client.get(f"{API}/funding/", {"year": 2022}).json()["results"]
    assert rows[0]["ratio"] is None  # nothing budgeted: no ratio
    assert ids(client.get(f"{API}/funding/", {"ordering": "-amount", "year": 2021})) == [
        world.funding_bg.pk,
        world.funding_cm.pk,
    ]


# -- incidents ----------------------------------------------------------------------------------------


def test_township_lead_records_and_corrects_a_fire(world):
    lead = world.users["beiguan_lead"]
    client = client_for(lead)
    created = client.post(
        f"{API}/incidents/",
        incident_payload(
            world.beiguan,
            premises=world.premises_bg.pk,
            direct_loss="1500.50",
            injuries=1,
            responding_brigade=world.cm_brigade.pk,  # support from another township is allowed
            arrival_minutes=25,
        ),
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["premises_name"], body["responding_brigade_name"], body["cause_display"]) == (
        "北关超市",
        "褚庙乡专职消防队",
        "取暖用火",
    )
    incident = FireIncident.objects.get(pk=body["id"])
    assert incident.history.get().history_user == lead
    corrected = client.patch(f"{API}/incidents/{incident.pk}/", {"cause": "electrical"}, format="json")
    assert corrected.json()["cause"] == "electrical"
    assert incident.history.first().history_user == lead


@pytest.mark.parametrize(
    ("payload", "where", "text"),
    [
        ({"direct_loss": "-100"}, "direct_loss", None),
        ({"deaths": -1}, "deaths", None),
        ({"cause": "aliens"}, "cause", None),
        ({"occurred_at": "昨晚"}, "occurred_at", None),
        ({"address": ""}, "address", None),
        ({"occurred_at": "2099-01-01T10:00:00+08:00"}, "detail", "不能登记未发生的火灾"),
        ({"premises": "premises_cm"}, "detail", "不在北关镇"),  # the center may name both townships
    ],
)
def test_incident_bad_input_and_refusals_are_400(world, payload, where, text):
    data = {k: world.premises_cm.pk if v == "premises_cm" else v for k, v in payload.items()}
    before = snapshot()
    response = client_for(world.users["center"]).post(
        f"{API}/incidents/", incident_payload(world.beiguan, **data), format="json"
    )
    assert response.status_code == 400, response.content
    if where == "detail":  # a rule of the service refused it: its reason, no field named
        assert (response.json()["code"], response.json()["errors"]) == ("refused", [])
        assert text in response.json()["detail"]
    else:
        assert where in field_errors(response)
    assert snapshot() == before


def test_incident_filters_by_township_date_range_and_cause(world):
    client = client_for(world.users["center"])
    url = f"{API}/incidents/"
    assert set(ids(client.get(url, {"township": world.beiguan.pk}))) == {
        world.fire_bg.pk,
        world.fire_bg_street.pk,
    }
    assert ids(client.get(url, {"cause": "straw_burning"})) == [world.fire_bg_street.pk]
    assert ids(client.get(url, {"occurred_at_before": "2021-12-31"})) == [world.fire_bg_street.pk]
    assert ids(client.get(url, {"occurred_at_after": "2021-12-03", "occurred_at_before": "2021-12-03"})) == [
        world.fire_bg_street.pk
    ]
    assert set(ids(client.get(url, {"occurred_at_after": "2022-01-15"}))) == {
        world.fire_bg.pk,
        world.fire_cm.pk,
    }
    assert ids(client.get(url, {"responding_brigade": world.built.pk})) == [world.fire_bg.pk]
    assert ids(client.get(url, {"search": "麦场"})) == [world.fire_bg_street.pk]
    bad = client.get(url, {"occurred_at_after": "元旦", "cause": "aliens"})
    assert bad.status_code == 400
    assert {"occurred_at_after", "cause"} <= set(field_errors(bad))


def test_member_and_equipment_filters(world):
    client = client_for(world.users["center"])
    BrigadeMember.objects.filter(pk=world.member_bg.pk).update(
        left_on=dt.date(2021, 12, 1), on_duty=False, contract_until=dt.date(2022, 6, 30)
    )
    assert ids(client.get(f"{API}/brigade-members/", {"active": "false"})) == [world.member_bg.pk]
    assert ids(client.get(f"{API}/brigade-members/", {"contract_until_before": "2022-12-31"})) == [
        world.member_bg.pk
    ]
    assert (
        len(ids(client.get(f"{API}/brigade-members/", {"on_duty": "true", "township": world.beiguan.pk})))
        == 7
    )
    assert ids(client.get(f"{API}/equipment/", {"category": "vehicle"})) == [world.engine.pk]
    assert ids(client.get(f"{API}/equipment/", {"next_maintenance_on_before": "2022-01-31"})) == [
        world.item_bg.pk
    ]
    assert set(ids(client.get(f"{API}/equipment/", {"equipment_type": world.pump.pk}))) == {
        world.item_bg.pk,
        world.item_cm.pk,
    }
    assert ids(client.get(f"{API}/brigades/", {"status": "planned", "township": world.beiguan.pk})) == [
        world.planned.pk
    ]
    assert ids(client.get(f"{API}/brigades/", {"established_on_after": "2021-01-01"})) == [world.built.pk]


# -- query counts -------------------------------------------------------------------------------------


def _add_rows(world, n):
    """n more brigades in 北关镇 (each serving 花园乡 too) with two members and two items, n fires and
    n funding allocations."""
    for _ in range(n):
        brigade = BrigadeFactory(township=world.beiguan)
        brigade.also_serves.add(world.huayuan)
        members = [BrigadeMemberFactory(brigade=brigade), BrigadeMemberFactory(brigade=brigade)]
        _add_archive(brigade, members)
        EquipmentItemFactory(brigade=brigade, equipment_type=world.pump)
        EquipmentItemFactory(brigade=brigade)
        FireIncidentFactory(township=world.beiguan, premises=world.premises_bg, responding_brigade=brigade)
        allocation = FundingAllocationFactory(
            township=world.beiguan, year=2030 + FundingAllocation.objects.count()
        )
        services.disbursement_record(
            allocation=allocation, amount=Decimal(10), disbursed_on=dt.date(2021, 1, 1), by=None
        )


def _add_archive(brigade, members):
    """A record of each kind of the archive, naming both members where a record names members."""
    day = dt.date(2021, 12, 1)
    services.training_record(
        brigade=brigade,
        kind="drill",
        held_on=day,
        hours=Decimal(1),
        topic="演练",
        participants=members,
        by=None,
    )
    services.duty_roster_add(brigade=brigade, duty_on=day, leader=members[0], members=members, by=None)
    services.call_out_record(
        brigade=brigade,
        kind="rescue",
        called_at=dt.datetime(2021, 12, 1, 9, tzinfo=SHANGHAI),
        address="东街",
        by=None,
    )
    services.publicity_record(brigade=brigade, held_on=day, kind="lecture", place="小学", by=None)
    services.brigade_document_add(brigade=brigade, kind="other", title="文件", file=pdf_upload(), by=None)


ARCHIVE_ENDPOINTS = ["trainings", "duty-roster", "call-outs", "publicity", "brigade-documents"]


@pytest.mark.parametrize(
    "endpoint",
    [
        "brigades",
        "brigade-members",
        "equipment",
        "equipment-types",
        "funding",
        "incidents",
        *ARCHIVE_ENDPOINTS,
    ],
)
def test_list_query_count_does_not_grow_with_rows(world, endpoint):
    """N rows and 5N rows: the same number of queries, for each role that reads the endpoint."""
    roles = ["center", "beiguan_lead", "responsible"]
    if endpoint in ("brigades", "equipment-types", "incidents"):
        roles.append("police")  # the others are withheld from it (a 403 before any query of rows)
    url = f"{API}/{endpoint}/"

    def count(role):
        client = client_for(world.users[role])
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries), response.json()["count"]

    _add_rows(world, 2)
    small = {role: count(role) for role in roles}
    _add_rows(world, 8)
    large = {role: count(role) for role in roles}
    for role in roles:
        (queries_small, rows_small), (queries_large, rows_large) = small[role], large[role]
        if role != "responsible" or endpoint == "incidents":
            assert rows_large > rows_small, role
        assert queries_large == queries_small, role


# -- schema -------------------------------------------------------------------------------------------


def test_schema_documents_the_firebrigade_endpoints(world):
    response = client_for(world.users["office"]).get(f"{API}/schema/")
    assert response.status_code == 200
    schema = response.content.decode()
    for path in (
        "/api/v1/brigades/",
        "/api/v1/brigades/{id}/start-construction/",
        "/api/v1/brigades/{id}/mark-established/",
        "/api/v1/brigades/{id}/accept/",
        "/api/v1/brigade-members/{id}/leave/",
        "/api/v1/equipment/{id}/record-maintenance/",
        "/api/v1/equipment-types/",
        "/api/v1/funding/{id}/disburse/",
        "/api/v1/incidents/",
    ):
        assert f"{path}:" in schema
    # Inputs are components of their own (COMPONENT_SPLIT_REQUEST): an action's body is "<Name>Request".
    for component in (
        "StartConstructionRequest:",
        "AcceptRequest:",
        "LeaveRequest:",
        "RecordMaintenanceRequest:",
        "DisburseRequest:",
        "FundingAllocation:",
    ):
        assert f"\n    {component}\n" in schema, component
