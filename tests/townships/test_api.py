"""The townships REST API end to end: who may do what (role × endpoint × action), township scoping
(北关镇 cannot reach 褚庙乡), constant query counts on lists, and clean 400s for bad input."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from core.models import Role
from tests.api_errors import field_errors
from tests.factories import (
    CountyFactory,
    GridFactory,
    GridMemberFactory,
    PoliceStationFactory,
    PremisesFactory,
    TownshipFactory,
    UserFactory,
    make_user,
)
from tests.role_matrix import outsider_users, with_outsiders
from townships.models import Grid, GridMember, PoliceStation, Premises, Township

pytestmark = pytest.mark.django_db

API = "/api/v1"
MODELS = (Township, PoliceStation, Grid, GridMember, Premises)


def snapshot():
    """Everything a refused request must leave as it was: every row, every history row count, and the
    townships each police station covers."""
    rows = {m.__name__: list(m.objects.order_by("id").values()) for m in MODELS}
    history = {m.__name__: m.history.count() for m in MODELS}
    coverage = list(
        PoliceStation.townships.through.objects.order_by("id").values_list("policestation", "township")
    )
    return rows, history, coverage


@pytest.fixture
def world():
    """民权县 with 北关镇, 褚庙乡 and 花园乡; a grid with two members and premises in 北关镇 and 褚庙乡;
    城关派出所 covers 北关镇, 褚庙派出所 covers 褚庙乡. One user of every role (the police station user
    is 城关派出所; the responsible person answers for 北关镇's first premises)."""
    county = CountyFactory(name="民权县")
    beiguan = TownshipFactory(county=county, name="北关镇", kind=Township.Kind.TOWN)
    chumiao = TownshipFactory(county=county, name="褚庙乡")
    huayuan = TownshipFactory(county=county, name="花园乡")
    chengguan = PoliceStationFactory(county=county, name="城关派出所")
    chengguan.townships.add(beiguan)
    chumiao_station = PoliceStationFactory(county=county, name="褚庙派出所")
    chumiao_station.townships.add(chumiao)
    grid_bg = GridFactory(township=beiguan, name="北关一网格")
    GridMemberFactory(grid=grid_bg, name="赵网格长", role=GridMember.Role.CHIEF)
    GridMemberFactory(grid=grid_bg, name="钱网格员")
    grid_cm = GridFactory(township=chumiao, name="褚庙一网格")
    GridMemberFactory(grid=grid_cm, name="孙网格员")
    p_bg = PremisesFactory(
        township=beiguan, grid=grid_bg, police_station=chengguan, name="北关超市", risk_level="high"
    )
    p_bg2 = PremisesFactory(township=beiguan, grid=grid_bg, police_station=chengguan, name="北关小学")
    p_cm = PremisesFactory(township=chumiao, grid=grid_cm, police_station=chumiao_station, name="褚庙仓库")
    users = {
        "center": make_user(Role.GUIDANCE_CENTER, username="center"),
        "office": make_user(Role.COUNTY_OFFICIAL, username="office", county=county),
        "beiguan_lead": make_user(Role.TOWNSHIP_LEAD, username="beiguan-lead", township=beiguan),
        "chumiao_lead": make_user(Role.TOWNSHIP_LEAD, username="chumiao-lead", township=chumiao),
        "police": make_user(Role.POLICE_STATION, username="police", police_station=chengguan),
        "responsible": make_user(Role.PREMISES_RESPONSIBLE, username="boss", premises=p_bg),
        "no_role": UserFactory(username="nobody"),
        **outsider_users(county),
    }
    return SimpleNamespace(
        users=users,
        county=county,
        beiguan=beiguan,
        chumiao=chumiao,
        huayuan=huayuan,
        chengguan=chengguan,
        chumiao_station=chumiao_station,
        grid_bg=grid_bg,
        grid_cm=grid_cm,
        p_bg=p_bg,
        p_bg2=p_bg2,
        p_cm=p_cm,
    )


def client_for(user):
    client = APIClient()
    client.force_login(user)
    return client


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def premises_payload(township, grid=None, **extra):
    payload = {
        "township": township.pk,
        "name": "新开饭店",
        "address": "北关大街 8 号",
        "category": "hotel",
        "risk_level": "medium",
        "responsible_person": "周老板",
        "responsible_phone": "13712345678",
    }
    if grid is not None:
        payload["grid"] = grid.pk
    payload.update(extra)
    return payload


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
CENTER_CREATES = expect(201, 403, 403, 403, 403, 403, 403)
CENTER_UPDATES = expect(200, 403, 403, 403, 403, 403, 403)
# A method the resource does not route: 405 for every role (no rule to refuse; no write happens).
NOT_ROUTED = expect(405, 405, 405, 405, 405, 405, 403)
# Writes into 北关镇 by its lead or the center; 褚庙乡's lead naming 北关镇 → 403, reaching it → 404.
LEAD_CREATES = expect(201, 403, 201, 403, 403, 403, 403)
LEAD_UPDATES = expect(200, 403, 200, 404, 403, 403, 403)

MATRIX = {
    ("townships", "list"): (READ_ALL, lambda c, w: c.get(f"{API}/townships/")),
    ("townships", "retrieve"): (READ_BEIGUAN, lambda c, w: c.get(f"{API}/townships/{w.beiguan.pk}/")),
    ("townships", "create"): (
        CENTER_CREATES,
        lambda c, w: c.post(
            f"{API}/townships/",
            {"county": w.county.pk, "name": "程庄镇", "kind": "town", "fire_deputy_phone": "0370-8123456"},
            format="json",
        ),
    ),
    ("townships", "update"): (
        CENTER_UPDATES,
        lambda c, w: c.patch(f"{API}/townships/{w.beiguan.pk}/", {"fire_deputy": "新副镇长"}, format="json"),
    ),
    ("townships", "delete"): (NOT_ROUTED, lambda c, w: c.delete(f"{API}/townships/{w.beiguan.pk}/")),
    ("grids", "list"): (READ_ALL, lambda c, w: c.get(f"{API}/grids/")),
    ("grids", "retrieve"): (READ_BEIGUAN, lambda c, w: c.get(f"{API}/grids/{w.grid_bg.pk}/")),
    ("grids", "create"): (
        LEAD_CREATES,
        lambda c, w: c.post(
            f"{API}/grids/",
            {"township": w.beiguan.pk, "name": "北关二网格", "area_description": "东街"},
            format="json",
        ),
    ),
    ("grids", "update"): (
        LEAD_UPDATES,
        lambda c, w: c.patch(
            f"{API}/grids/{w.grid_bg.pk}/", {"area_description": "北关大街以北"}, format="json"
        ),
    ),
    ("grids", "delete"): (NOT_ROUTED, lambda c, w: c.delete(f"{API}/grids/{w.grid_bg.pk}/")),
    ("grids", "add-member"): (
        LEAD_CREATES | {"chumiao_lead": 404},
        lambda c, w: c.post(
            f"{API}/grids/{w.grid_bg.pk}/add-member/",
            {"name": "李网格员", "phone": "13611112222"},
            format="json",
        ),
    ),
    ("premises", "list"): (READ_ALL, lambda c, w: c.get(f"{API}/premises/")),
    ("premises", "retrieve"): (READ_OWN_PREMISES, lambda c, w: c.get(f"{API}/premises/{w.p_bg.pk}/")),
    ("premises", "create"): (
        LEAD_CREATES,
        lambda c, w: c.post(f"{API}/premises/", premises_payload(w.beiguan, w.grid_bg), format="json"),
    ),
    ("premises", "update"): (
        LEAD_UPDATES,
        lambda c, w: c.patch(f"{API}/premises/{w.p_bg.pk}/", {"manager": "吴店长"}, format="json"),
    ),
    ("premises", "delete"): (NOT_ROUTED, lambda c, w: c.delete(f"{API}/premises/{w.p_bg.pk}/")),
    ("police-stations", "list"): (READ_ALL, lambda c, w: c.get(f"{API}/police-stations/")),
    ("police-stations", "retrieve"): (
        # 城关派出所 covers the responsible person's township, and the grid member's (北关镇).
        {**READ_OWN_PREMISES, "grid_member": 200},
        lambda c, w: c.get(f"{API}/police-stations/{w.chengguan.pk}/"),
    ),
    ("police-stations", "create"): (
        CENTER_CREATES,
        lambda c, w: c.post(
            f"{API}/police-stations/",
            {
                "county": w.county.pk,
                "name": "花园派出所",
                "phone": "0370-8123456",
                "townships": [w.huayuan.pk],
            },
            format="json",
        ),
    ),
    ("police-stations", "update"): (
        CENTER_UPDATES,
        lambda c, w: c.patch(
            f"{API}/police-stations/{w.chengguan.pk}/",
            {"townships": [w.beiguan.pk, w.huayuan.pk]},
            format="json",
        ),
    ),
    ("police-stations", "delete"): (
        NOT_ROUTED,
        lambda c, w: c.delete(f"{API}/police-stations/{w.chengguan.pk}/"),
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


def test_each_role_lists_only_the_premises_of_its_area(world):
    everything = sorted([world.p_bg.pk, world.p_bg2.pk, world.p_cm.pk])
    beiguan = sorted([world.p_bg.pk, world.p_bg2.pk])
    expected = {
        "center": everything,
        "office": everything,
        "beiguan_lead": beiguan,
        "chumiao_lead": [world.p_cm.pk],
        "police": beiguan,  # 城关派出所's area is 北关镇
        "responsible": [world.p_bg.pk],  # only the premises it answers for
    }
    for role, premises_ids in expected.items():
        assert sorted(ids(client_for(world.users[role]).get(f"{API}/premises/"))) == premises_ids, role


def test_each_role_lists_only_the_townships_grids_and_stations_of_its_area(world):
    def names(role, endpoint):
        response = client_for(world.users[role]).get(f"{API}/{endpoint}/")
        assert response.status_code == 200
        return sorted(row["name"] for row in response.json()["results"])

    assert names("center", "townships") == sorted(["北关镇", "褚庙乡", "花园乡"])
    assert names("office", "townships") == sorted(["北关镇", "褚庙乡", "花园乡"])
    assert names("beiguan_lead", "townships") == ["北关镇"]
    assert names("police", "townships") == ["北关镇"]
    assert names("responsible", "townships") == []
    # 无单位网格: the outsiders' grid member's (tests.role_matrix.outsider_users), in 北关镇.
    assert names("beiguan_lead", "grids") == ["北关一网格", "无单位网格"]
    assert names("chumiao_lead", "grids") == ["褚庙一网格"]
    assert names("responsible", "grids") == []
    assert names("center", "police-stations") == ["城关派出所", "褚庙派出所"]
    assert names("beiguan_lead", "police-stations") == ["城关派出所"]
    assert names("chumiao_lead", "police-stations") == ["褚庙派出所"]
    assert names("police", "police-stations") == ["城关派出所"]
    assert names("responsible", "police-stations") == ["城关派出所"]


def test_county_official_sees_a_new_station_of_its_county_but_not_another_countys(world):
    PoliceStationFactory(county=world.county, name="新建派出所")  # covers no township yet
    other = PoliceStationFactory(county=CountyFactory(name="宁陵县"), name="宁陵派出所")
    other.townships.add(TownshipFactory(county=other.county, name="外县乡"))
    names = [
        row["name"]
        for row in client_for(world.users["office"]).get(f"{API}/police-stations/").json()["results"]
    ]
    assert sorted(names) == ["城关派出所", "新建派出所", "褚庙派出所"]
    assert client_for(world.users["office"]).get(f"{API}/police-stations/{other.pk}/").status_code == 404


def test_grid_shows_its_members_and_counts(world):
    GridMemberFactory(grid=world.grid_bg, name="已调离网格员", active=False)
    row = client_for(world.users["beiguan_lead"]).get(f"{API}/grids/{world.grid_bg.pk}/").json()
    assert [m["name"] for m in row["members"]] == ["赵网格长", "已调离网格员", "钱网格员"]
    assert row["members"][0]["role_display"] == "网格长"
    assert (row["active_member_count"], row["premises_count"], row["township_name"]) == (2, 2, "北关镇")


def test_township_row_carries_counts(world):
    row = client_for(world.users["office"]).get(f"{API}/townships/{world.beiguan.pk}/").json()
    # Two grids: 北关一网格 and the outsiders' grid member's 无单位网格 (tests.role_matrix).
    assert (row["grid_count"], row["premises_count"], row["high_risk_premises_count"]) == (2, 2, 1)
    assert (row["kind_display"], row["county_name"]) == ("镇", "民权县")


def test_beiguan_lead_cannot_filter_into_chumiao(world):
    """A township, grid or station outside the user's area is not a value of the filter (the one
    filter language the pages use too, where it is a 404): 400 naming the parameter, never rows."""
    client = client_for(world.users["beiguan_lead"])
    cm = world.chumiao.pk
    for endpoint, params in [
        ("premises", {"township": cm}),
        ("premises", {"grid": world.grid_cm.pk}),
        ("premises", {"police_station": world.chumiao_station.pk}),
        ("grids", {"township": cm}),
        ("police-stations", {"township": cm}),
    ]:
        response = client.get(f"{API}/{endpoint}/", params)
        assert response.status_code == 400, (endpoint, params)
        assert set(field_errors(response)) == set(params)
    assert ids(client.get(f"{API}/premises/", {"search": "褚庙"})) == []
    assert ids(client.get(f"{API}/townships/", {"search": "褚庙"})) == []


def test_beiguan_lead_cannot_read_or_change_chumiao(world):
    client = client_for(world.users["beiguan_lead"])
    before = snapshot()
    assert client.get(f"{API}/premises/{world.p_cm.pk}/").status_code == 404
    assert client.get(f"{API}/grids/{world.grid_cm.pk}/").status_code == 404
    assert client.get(f"{API}/townships/{world.chumiao.pk}/").status_code == 404
    assert client.get(f"{API}/police-stations/{world.chumiao_station.pk}/").status_code == 404
    assert (
        client.patch(f"{API}/premises/{world.p_cm.pk}/", {"manager": "x"}, format="json").status_code == 404
    )
    assert client.patch(f"{API}/grids/{world.grid_cm.pk}/", {"name": "x"}, format="json").status_code == 404
    member = {"name": "冒名", "phone": "13611112222"}
    assert (
        client.post(f"{API}/grids/{world.grid_cm.pk}/add-member/", member, format="json").status_code == 404
    )
    created = client.post(f"{API}/premises/", premises_payload(world.chumiao), format="json")
    assert created.status_code == 403
    assert "其他乡镇" in created.json()["detail"]
    # Its own township, but 褚庙乡's grid: a write into 褚庙乡 all the same.
    assert (
        client.post(
            f"{API}/premises/", premises_payload(world.beiguan, world.grid_cm), format="json"
        ).status_code
        == 403
    )
    moved = client.patch(f"{API}/premises/{world.p_bg.pk}/", {"grid": world.grid_cm.pk}, format="json")
    assert moved.status_code == 403
    grid = client.post(f"{API}/grids/", {"township": world.chumiao.pk, "name": "越界网格"}, format="json")
    assert grid.status_code == 403
    assert snapshot() == before


# -- successful writes --------------------------------------------------------------------------------


def test_township_lead_registers_and_edits_a_premises_of_its_township(world):
    lead = world.users["beiguan_lead"]
    client = client_for(lead)
    response = client.post(
        f"{API}/premises/",
        premises_payload(world.beiguan, world.grid_bg, police_station=world.chengguan.pk, is_key_unit=True),
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["township_name"], body["grid_name"], body["police_station_name"]) == (
        "北关镇",
        "北关一网格",
        "城关派出所",
    )
    assert body["next_inspection_due"] is None
    premises = Premises.objects.get(pk=body["id"])
    assert premises.history.get().history_user == lead

    premises.last_inspected_on = dt.date(2021, 11, 1)
    premises.save()
    changed = client.patch(f"{API}/premises/{premises.pk}/", {"risk_level": "high"}, format="json")
    assert changed.status_code == 200, changed.content
    assert changed.json()["next_inspection_due"] == "2021-12-01"  # high risk: every 30 days
    assert premises.history.first().history_user == lead


def test_premises_township_cannot_be_changed_through_the_api(world):
    client = client_for(world.users["center"])
    response = client.patch(f"{API}/premises/{world.p_bg.pk}/", {"township": world.chumiao.pk}, format="json")
    assert response.status_code == 200
    world.p_bg.refresh_from_db()
    assert world.p_bg.township == world.beiguan


def test_township_lead_creates_a_grid_and_adds_a_member(world):
    lead = world.users["beiguan_lead"]
    client = client_for(lead)
    created = client.post(
        f"{API}/grids/", {"township": world.beiguan.pk, "name": "北关二网格"}, format="json"
    )
    assert created.status_code == 201, created.content
    grid = Grid.objects.get(pk=created.json()["id"])
    assert grid.history.get().history_user == lead
    member = client.post(
        f"{API}/grids/{grid.pk}/add-member/",
        {"name": "周网格长", "phone": "0370-8123456", "role": "chief"},
        format="json",
    )
    assert member.status_code == 201, member.content
    assert member.json()["role"] == "chief"
    renamed = client.patch(f"{API}/grids/{grid.pk}/", {"name": "北关东网格"}, format="json")
    assert renamed.status_code == 200
    body = renamed.json()
    assert (body["name"], [m["name"] for m in body["members"]]) == ("北关东网格", ["周网格长"])
    assert grid.history.first().history_user == lead


def test_guidance_center_registers_a_township_and_a_police_station(world):
    center = world.users["center"]
    client = client_for(center)
    township = client.post(
        f"{API}/townships/",
        {"county": world.county.pk, "name": "程庄镇", "kind": "town", "principal_leader": "程书记"},
        format="json",
    )
    assert township.status_code == 201, township.content
    assert township.json()["premises_count"] == 0
    assert Township.objects.get(name="程庄镇").history.get().history_user == center
    station = client.post(
        f"{API}/police-stations/",
        {
            "county": world.county.pk,
            "name": "程庄派出所",
            "townships": [township.json()["id"], world.huayuan.pk],
        },
        format="json",
    )
    assert station.status_code == 201, station.content
    assert sorted(t["name"] for t in station.json()["townships"]) == ["程庄镇", "花园乡"]
    renamed = client.patch(f"{API}/townships/{world.beiguan.pk}/", {"fire_deputy": "新副镇长"}, format="json")
    assert renamed.json()["fire_deputy"] == "新副镇长"
    # The county is fixed once registered.
    client.patch(
        f"{API}/townships/{world.beiguan.pk}/", {"county": CountyFactory(name="宁陵县").pk}, format="json"
    )
    world.beiguan.refresh_from_db()
    assert world.beiguan.county == world.county


# -- refusals -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "payload", "message"),
    [
        # A grid of another township than the premises' (the center may write both).
        ("post", "premises/", lambda w: premises_payload(w.beiguan, w.grid_cm), "不属于北关镇"),
        (
            "post",
            "premises/",
            lambda w: premises_payload(w.beiguan, police_station=w.chumiao_station.pk),
            "辖区不包括北关镇",
        ),
        (
            "post",
            "premises/",
            lambda w: premises_payload(w.beiguan, name="北关超市", address=w.p_bg.address),
            "已经存在",
        ),
        ("patch", "premises/{p_bg}/", lambda w: {"police_station": w.chumiao_station.pk}, "辖区不包括北关镇"),
        # Dropping 北关镇 from 城关派出所's area while 北关镇's premises still name it.
        ("patch", "police-stations/{chengguan}/", lambda w: {"townships": [w.huayuan.pk]}, "仍有社会单位"),
        ("post", "grids/", lambda w: {"township": w.beiguan.pk, "name": "北关一网格"}, "已经存在"),
        (
            "post",
            "townships/",
            lambda w: {"county": w.county.pk, "name": "北关镇", "kind": "town"},
            "已经存在",
        ),
    ],
)
def test_rule_refusals_are_400_with_the_reason_and_write_nothing(world, method, path, payload, message):
    url = f"{API}/" + path.format(**{k: getattr(v, "pk", None) for k, v in vars(world).items()})
    before = snapshot()
    response = getattr(client_for(world.users["center"]), method)(url, payload(world), format="json")
    assert response.status_code == 400, response.content
    assert message in str(response.json())
    assert snapshot() == before


@pytest.mark.parametrize(
    ("path", "payload", "field"),
    [
        ("premises/", {"responsible_phone": "12345"}, "responsible_phone"),
        ("premises/", {"manager_phone": "电话"}, "manager_phone"),
        ("premises/", {"category": "castle"}, "category"),
        ("premises/", {"risk_level": "extreme"}, "risk_level"),
        ("premises/", {"township": 999999}, "township"),
        ("premises/", {"name": ""}, "name"),
        ("grids/{grid_bg}/add-member/", {"name": "钱", "phone": "1234"}, "phone"),
        ("grids/{grid_bg}/add-member/", {"name": "钱", "phone": "13611112222", "role": "boss"}, "role"),
        ("grids/", {"township": "北关镇", "name": "x"}, "township"),
        ("townships/", {"county": "{county}", "name": "程庄镇", "kind": "village"}, "kind"),
        (
            "townships/",
            {"county": "{county}", "name": "程庄镇", "kind": "town", "principal_leader_phone": "110"},
            "principal_leader_phone",
        ),
        ("police-stations/", {"county": "{county}", "name": "某所", "townships": [999999]}, "townships"),
    ],
)
def test_bad_input_is_400_naming_the_field_and_writes_nothing(world, path, payload, field):
    def fill(value):
        if isinstance(value, str) and value.startswith("{"):
            return getattr(world, value.strip("{}")).pk
        return value

    url = f"{API}/" + path.format(**{k: getattr(v, "pk", None) for k, v in vars(world).items()})
    data = {k: fill(v) for k, v in payload.items()}
    if path == "premises/":
        data = {**premises_payload(world.beiguan, world.grid_bg), **data}
    before = snapshot()
    response = client_for(world.users["center"]).post(url, data, format="json")
    assert response.status_code == 400, response.content
    assert field in field_errors(response)
    assert snapshot() == before


def test_errors_are_chinese_by_default_and_english_on_request(world):
    client = client_for(world.users["beiguan_lead"])
    data = premises_payload(world.beiguan, category="castle", responsible_phone="12345")
    zh = field_errors(client.post(f"{API}/premises/", data, format="json"))
    en = field_errors(client.post(f"{API}/premises/", data, format="json", HTTP_ACCEPT_LANGUAGE="en"))
    assert en["category"] == ['"castle" is not a valid choice.']
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh["category"][0])
    assert "11 位手机号" in zh["responsible_phone"][0]
    denied = client_for(world.users["police"]).post(f"{API}/premises/", data, format="json")
    # A role that may never register premises: the route gate says the policy's rule.
    assert denied.status_code == 403
    assert denied.json()["detail"] == "只有乡镇消防专干和县消防指导中心可以登记和修改社会单位。"
    denied_en = client_for(world.users["police"]).post(
        f"{API}/premises/", data, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert denied_en.status_code == 403
    assert denied_en.json()["detail"] == (
        "Only township fire-safety officers and the county guidance center can register and change premises."
    )


def test_bad_filter_values_are_400_naming_the_parameter(world):
    client = client_for(world.users["center"])
    response = client.get(
        f"{API}/premises/", {"risk_level": "extreme", "next_inspection_due_before": "下周", "township": "x"}
    )
    assert response.status_code == 400
    assert {"risk_level", "next_inspection_due_before", "township"} <= set(field_errors(response))


# -- filters, search, ordering ------------------------------------------------------------------------


def test_premises_filters_search_and_ordering(world):
    client = client_for(world.users["center"])
    url = f"{API}/premises/"
    Premises.objects.filter(pk=world.p_bg.pk).update(
        last_inspected_on=dt.date(2021, 11, 1), next_inspection_due=dt.date(2021, 12, 1)
    )
    Premises.objects.filter(pk=world.p_cm.pk).update(
        last_inspected_on=dt.date(2021, 11, 20),
        next_inspection_due=dt.date(2022, 2, 18),
        category="warehouse",
    )
    assert set(ids(client.get(url, {"township": world.beiguan.pk}))) == {world.p_bg.pk, world.p_bg2.pk}
    assert ids(client.get(url, {"grid": world.grid_cm.pk})) == [world.p_cm.pk]
    assert ids(client.get(url, {"risk_level": "high"})) == [world.p_bg.pk]
    assert ids(client.get(url, {"category": "warehouse"})) == [world.p_cm.pk]
    assert ids(client.get(url, {"never_inspected": "true"})) == [world.p_bg2.pk]
    assert ids(client.get(url, {"next_inspection_due_before": "2021-12-31"})) == [world.p_bg.pk]
    assert ids(client.get(url, {"next_inspection_due_after": "2022-01-01"})) == [world.p_cm.pk]
    assert ids(client.get(url, {"last_inspected_on_after": "2021-11-10"})) == [world.p_cm.pk]
    assert ids(client.get(url, {"police_station": world.chumiao_station.pk})) == [world.p_cm.pk]
    assert ids(client.get(url, {"search": "超市"})) == [world.p_bg.pk]
    assert ids(client.get(url, {"ordering": "-name"}))[0] == world.p_cm.pk  # 褚 sorts after 北 in Unicode
    assert ids(client.get(url, {"ordering": "next_inspection_due", "township": world.chumiao.pk})) == [
        world.p_cm.pk
    ]


def test_township_grid_and_station_filters(world):
    client = client_for(world.users["center"])
    assert ids(client.get(f"{API}/townships/", {"kind": "town"})) == [world.beiguan.pk]
    assert ids(client.get(f"{API}/townships/", {"search": "花园"})) == [world.huayuan.pk]
    assert ids(client.get(f"{API}/grids/", {"township": world.chumiao.pk})) == [world.grid_cm.pk]
    outsiders_grid = Grid.objects.get(name="无单位网格")  # in 北关镇 (tests.role_matrix)
    assert sorted(ids(client.get(f"{API}/grids/", {"search": "北关"}))) == sorted(
        [world.grid_bg.pk, outsiders_grid.pk]
    )
    world.chumiao_station.townships.add(world.beiguan)  # both stations now cover 北关镇: each listed once
    assert sorted(ids(client.get(f"{API}/police-stations/", {"township": world.beiguan.pk}))) == sorted(
        [world.chengguan.pk, world.chumiao_station.pk]
    )
    assert ids(client.get(f"{API}/police-stations/", {"search": "城关"})) == [world.chengguan.pk]


# -- query counts -------------------------------------------------------------------------------------


def _add_rows(world, n):
    """n more grids with two members each, n premises, n townships and n police stations in 北关镇's county."""
    for _ in range(n):
        grid = GridFactory(township=world.beiguan)
        GridMemberFactory(grid=grid)
        GridMemberFactory(grid=grid)
        PremisesFactory(township=world.beiguan, grid=grid, police_station=world.chengguan)
        TownshipFactory(county=world.county)
        station = PoliceStationFactory(county=world.county)
        station.townships.add(world.beiguan, world.huayuan)


@pytest.mark.parametrize("endpoint", ["townships", "grids", "premises", "police-stations"])
def test_list_query_count_does_not_grow_with_rows(world, endpoint):
    """N rows and 5N rows: the same number of queries, for each role that reads the endpoint."""
    roles = ["center", "beiguan_lead", "police"]
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
        if not (endpoint == "townships" and role != "center"):
            assert rows_large > rows_small, role
        assert queries_large == queries_small, role


# -- schema -------------------------------------------------------------------------------------------


def test_schema_documents_the_townships_endpoints(world):
    response = client_for(world.users["office"]).get(f"{API}/schema/")
    assert response.status_code == 200
    schema = response.content.decode()
    for path in (
        "/api/v1/townships/",
        "/api/v1/townships/{id}/",
        "/api/v1/grids/",
        "/api/v1/grids/{id}/add-member/",
        "/api/v1/premises/",
        "/api/v1/premises/{id}/",
        "/api/v1/police-stations/",
    ):
        assert f"{path}:" in schema
    for component in (
        "PremisesCreateRequest:",
        "PatchedPremisesUpdateRequest:",
        "GridMemberInputRequest:",
        "PoliceStationCreateRequest:",
    ):
        assert component in schema
