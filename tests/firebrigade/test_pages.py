"""Brigade pages end to end: who sees what (北关镇 cannot reach 褚庙乡's brigade), who may post
(a county official reads only), gaps against the standard, maintenance due, exports, and a constant
number of queries whatever the size of the county."""

import datetime as dt
import io
import os
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from core.exports import XLSX
from core.models import Role
from firebrigade import services
from firebrigade.models import Brigade, BrigadeMember, EquipmentItem, EquipmentType, FireIncident
from tests.factories import (
    BrigadeFactory,
    BrigadeMemberFactory,
    CountyFactory,
    EquipmentItemFactory,
    EquipmentRequirementFactory,
    EquipmentTypeFactory,
    FireIncidentFactory,
    FundingAllocationFactory,
    PoliceStationFactory,
    PremisesFactory,
    TownshipFactory,
    UserFactory,
    make_user,
)
from tests.firebrigade.factories import class2_standard, staff

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
LIST = reverse("firebrigade:brigade-list")
INCIDENTS = reverse("firebrigade:incident-list")
FUNDING = reverse("firebrigade:funding")


def make_world():
    """民权县: 褚庙乡's class-2 brigade (established) is short of 3 staff, 50 ㎡ and one pump, has a
    pump due for maintenance, and also serves 花园乡 (no brigade of its own); 北关镇 has a planned
    brigade. Fires in 褚庙乡 and 北关镇, funding for both, and one user of every role."""
    county = CountyFactory(name="民权县")
    chumiao = TownshipFactory(county=county, name="褚庙乡")
    beiguan = TownshipFactory(county=county, name="北关镇")
    huayuan = TownshipFactory(county=county, name="花园乡")

    standard = class2_standard()  # 8 staff, 1 vehicle, 300 ㎡
    truck = EquipmentTypeFactory(name="水罐消防车", category=EquipmentType.Category.VEHICLE, unit="辆")
    pump = EquipmentTypeFactory(name="手抬机动泵", category=EquipmentType.Category.PUMP, unit="台")
    breathing = EquipmentTypeFactory(name="正压式空气呼吸器", category=EquipmentType.Category.BREATHING)
    EquipmentRequirementFactory(standard=standard, equipment_type=truck, quantity=1)
    EquipmentRequirementFactory(standard=standard, equipment_type=pump, quantity=2)
    EquipmentRequirementFactory(standard=standard, equipment_type=breathing, quantity=4)

    brigade = BrigadeFactory(
        township=chumiao,
        name="褚庙乡专职消防队",
        status=Brigade.Status.ESTABLISHED,
        construction_started_on=dt.date(2021, 3, 1),
        established_on=dt.date(2021, 9, 1),
        station_area_m2=250,
        duty_phone="0370-8888119",
    )
    brigade.also_serves.add(huayuan)
    captain = BrigadeMemberFactory(
        brigade=brigade, name="褚队长", role=BrigadeMember.Role.CAPTAIN, hired_on=dt.date(2021, 6, 1)
    )
    staff(brigade, 4)
    today = timezone.localdate()
    EquipmentItemFactory(brigade=brigade, equipment_type=truck, quantity=1)
    pump_item = EquipmentItemFactory(
        brigade=brigade,
        equipment_type=pump,
        quantity=1,
        last_maintained_on=today - dt.timedelta(days=100),
        next_maintenance_on=today - dt.timedelta(days=10),
    )
    breathing_item = EquipmentItemFactory(
        brigade=brigade,
        equipment_type=breathing,
        quantity=4,
        last_maintained_on=today - dt.timedelta(days=10),
        next_maintenance_on=today + dt.timedelta(days=80),
    )

    other = BrigadeFactory(township=beiguan, name="北关镇专职消防队")
    BrigadeMemberFactory(brigade=other, name="北队员")
    other_item = EquipmentItemFactory(brigade=other, equipment_type=pump, quantity=2)

    premises = PremisesFactory(township=chumiao, name="褚庙乡供销社")
    fire_cm = FireIncidentFactory(
        township=chumiao,
        premises=premises,
        occurred_at=dt.datetime(2022, 1, 15, 20, 30, tzinfo=SHANGHAI),
        address="褚庙村",
        cause=FireIncident.Cause.ELECTRICAL,
        direct_loss=Decimal("12000"),
        responding_brigade=brigade,
        arrival_minutes=12,
    )
    fire_cm2 = FireIncidentFactory(
        township=chumiao,
        occurred_at=dt.datetime(2021, 12, 20, 8, 0, tzinfo=SHANGHAI),
        address="褚庙乡东村",
        cause=FireIncident.Cause.HEATING,
    )
    fire_bg = FireIncidentFactory(
        township=beiguan,
        occurred_at=dt.datetime(2022, 2, 1, 9, 0, tzinfo=SHANGHAI),
        address="北关村",
        cause=FireIncident.Cause.STRAW_BURNING,
    )

    personnel = FundingAllocationFactory(township=chumiao, year=2021, amount=Decimal("100000"))
    services.disbursement_record(
        allocation=personnel, amount=Decimal("60000"), disbursed_on=dt.date(2021, 6, 30), by=None
    )
    FundingAllocationFactory(township=beiguan, year=2021, amount=Decimal("80000"))

    station = PoliceStationFactory(county=county, name="城关派出所")
    station.townships.add(beiguan)
    users = {
        "center": make_user(Role.GUIDANCE_CENTER, username="center"),
        "office": make_user(Role.COUNTY_OFFICIAL, username="office", county=county),
        "chumiao_lead": make_user(Role.TOWNSHIP_LEAD, username="chumiao-lead", township=chumiao),
        "beiguan_lead": make_user(Role.TOWNSHIP_LEAD, username="beiguan-lead", township=beiguan),
        "police": make_user(Role.POLICE_STATION, username="police", police_station=station),
        "no_role": UserFactory(username="nobody"),
    }
    return SimpleNamespace(
        county=county,
        chumiao=chumiao,
        beiguan=beiguan,
        huayuan=huayuan,
        standard=standard,
        truck=truck,
        pump=pump,
        breathing=breathing,
        brigade=brigade,
        captain=captain,
        pump_item=pump_item,
        breathing_item=breathing_item,
        other=other,
        other_item=other_item,
        fire_cm=fire_cm,
        fire_cm2=fire_cm2,
        fire_bg=fire_bg,
        users=users,
    )


@pytest.fixture
def world():
    return make_world()


def login(client, user):
    client.force_login(user)
    return client


def detail_url(brigade):
    return reverse("firebrigade:brigade-detail", args=[brigade.pk])


def snapshot():
    """Rows and history rows a refused request must leave as they were."""
    return {
        model.__name__: (model.objects.count(), model.history.count())
        for model in (Brigade, BrigadeMember, EquipmentItem)
    }, list(
        EquipmentItem.objects.order_by("pk").values_list(
            "quantity", "condition", "last_maintained_on", "next_maintenance_on"
        )
    ) + list(BrigadeMember.objects.order_by("pk").values_list("left_on", "on_duty"))


# -- brigade list ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["center", "office", "chumiao_lead"])
def test_brigade_list_renders_with_status_and_gaps_for_allowed_roles(client, world, role):
    response = login(client, world.users[role]).get(LIST)
    assert response.status_code == 200
    page = response.content.decode()
    assert "褚庙乡专职消防队" in page
    assert "已建成" in page
    assert "队员缺 3 人" in page
    assert "营房缺 50 ㎡" in page
    assert "装备 1 类缺 1 件" in page
    assert f'href="/brigades/{world.brigade.pk}/"' in page


def test_brigade_list_shows_townships_without_their_own_brigade(client, world):
    page = login(client, world.users["office"]).get(LIST).content.decode()
    assert 'data-testid="without-brigade"' in page
    assert "花园乡" in page
    assert "褚庙乡专职消防队" in page


def test_township_lead_lists_only_own_townships_brigades(client, world):
    page = login(client, world.users["beiguan_lead"]).get(LIST).content.decode()
    assert "北关镇专职消防队" in page
    assert "褚庙乡专职消防队" not in page


def test_brigade_list_filters_by_status_and_refuses_a_township_out_of_scope(client, world):
    login(client, world.users["office"])
    response = client.get(LIST, {"status": "planned"})
    assert [row["brigade"].name for row in response.context["rows"]] == ["北关镇专职消防队"]

    # A township outside the scope is not a choice: 404, as on every list page (core.pages).
    client.force_login(world.users["beiguan_lead"])
    assert client.get(LIST, {"township": world.chumiao.pk}).status_code == 404
    response = client.get(LIST, {"township": world.beiguan.pk})
    assert [row["brigade"].name for row in response.context["rows"]] == ["北关镇专职消防队"]


def test_brigade_list_exports_xlsx_with_the_same_scope_and_filters(client, world):
    response = login(client, world.users["office"]).get(LIST, {"format": "xlsx", "status": "established"})
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] == "队伍名称"
    assert [r[1] for r in rows[1:]] == ["褚庙乡专职消防队"]
    assert "队员缺 3 人" in rows[1][-1]

    response = login(client, world.users["beiguan_lead"]).get(LIST, {"format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [r[1] for r in rows[1:]] == ["北关镇专职消防队"]


# -- brigade detail -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["center", "office", "chumiao_lead"])
def test_brigade_detail_shows_standard_gaps_members_and_due_maintenance(client, world, role):
    response = login(client, world.users[role]).get(detail_url(world.brigade))
    assert response.status_code == 200
    page = response.content.decode()
    gap = response.context["gap"]
    assert (gap.staff_gap, gap.vehicle_gap, gap.station_area_gap) == (3, 0, 50)
    assert {e.equipment_type.name: (e.required, e.held, e.gap) for e in gap.equipment} == {
        "水罐消防车": (1, 1, 0),
        "手抬机动泵": (2, 1, 1),
        "正压式空气呼吸器": (4, 4, 0),
    }
    assert "褚队长" in page
    assert "花园乡" in page  # also serves
    assert page.count('data-testid="maintenance-due"') == 1
    assert "1 项到期保养" in page
    assert "到期" in page


def test_forms_are_shown_to_the_township_lead_and_the_center_only(client, world):
    for role, shown in [("chumiao_lead", True), ("center", True), ("office", False)]:
        page = login(client, world.users[role]).get(detail_url(world.brigade)).content.decode()
        for testid in (
            "member-add-form",
            "member-leave-form",
            "equipment-add-form",
            "equipment-update-form",
            "equipment-maintenance-form",
        ):
            assert (f'data-testid="{testid}"' in page) is shown, (role, testid)


def test_a_police_station_reads_the_brigades_but_not_their_members_equipment_or_funding(client, world):
    """Least privilege (firebrigade.access): the brigades of its area, by name, status and duty phone;
    not the members' names and phones, the equipment or the townships' funding."""
    login(client, world.users["police"])
    listed = client.get("/brigades/").content.decode()
    assert "北关镇专职消防队" in listed
    assert detail_url(world.other) not in listed  # no door it may not open
    assert "/brigades/funding/" not in listed
    for url in (detail_url(world.other), detail_url(world.brigade), "/brigades/funding/"):
        refused = client.get(url)
        assert refused.status_code == 403, url
        assert "派出所不查看消防队的队员、装备和乡镇经费" in refused.content.decode()


def test_row_links_preselect_the_item_in_the_update_form(client, world):
    login(client, world.users["chumiao_lead"])
    response = client.get(detail_url(world.brigade), {"item": world.pump_item.pk})
    form = response.context["update_form"]
    assert form.initial == {"item": world.pump_item.pk, "quantity": 1, "condition": "good"}


def post_urls(world, brigade):
    return {
        "brigade-member-add": {
            "member-name": "新队员",
            "member-role": "firefighter",
            "member-hired_on": "2021-10-01",
        },
        "brigade-member-leave": {"leave-member": world.captain.pk, "leave-left_on": "2021-12-01"},
        "equipment-item-add": {
            "equipment-equipment_type": world.pump.pk,
            "equipment-quantity": "1",
            "equipment-condition": "good",
        },
        "equipment-item-update": {
            "update-item": world.pump_item.pk,
            "update-quantity": "5",
            "update-condition": "good",
        },
        "equipment-item-record-maintenance": {
            "maintenance-item": world.pump_item.pk,
            "maintenance-maintained_on": "2021-12-01",
        },
    }


@pytest.mark.parametrize(
    "name",
    [
        "brigade-member-add",
        "brigade-member-leave",
        "equipment-item-add",
        "equipment-item-update",
        "equipment-item-record-maintenance",
    ],
)
def test_beiguan_lead_gets_404_posting_to_chumiaos_brigade_and_nothing_is_written(client, world, name):
    login(client, world.users["beiguan_lead"])
    before = snapshot()
    response = client.post(
        reverse(f"firebrigade:{name}", args=[world.brigade.pk]), post_urls(world, world.brigade)[name]
    )
    assert response.status_code == 404
    assert snapshot() == before


def test_beiguan_lead_gets_404_on_chumiaos_brigade_page(client, world):
    assert login(client, world.users["beiguan_lead"]).get(detail_url(world.brigade)).status_code == 404


@pytest.mark.parametrize(
    "name",
    [
        "brigade-member-add",
        "brigade-member-leave",
        "equipment-item-add",
        "equipment-item-update",
        "equipment-item-record-maintenance",
    ],
)
@pytest.mark.parametrize("role", ["office", "police"])
def test_readers_get_403_on_every_brigade_form_and_nothing_is_written(client, world, name, role):
    brigade = world.brigade if role == "office" else world.other
    data = post_urls(world, brigade)[name]
    login(client, world.users[role])
    before = snapshot()
    response = client.post(reverse(f"firebrigade:{name}", args=[brigade.pk]), data)
    assert response.status_code == 403
    assert snapshot() == before


def test_brigade_pages_answer_get_only_and_forms_post_only(client, world):
    login(client, world.users["chumiao_lead"])
    assert client.post(detail_url(world.brigade)).status_code == 405
    assert client.get(reverse("firebrigade:brigade-member-add", args=[world.brigade.pk])).status_code == 405


# -- incidents ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["center", "office", "chumiao_lead"])
def test_incident_list_renders_and_links_each_fire_to_its_trace_back(client, world, role):
    response = login(client, world.users[role]).get(INCIDENTS)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'href="/trace/incidents/{world.fire_cm.pk}/"' in page
    assert "褚庙乡供销社" in page
    assert "电气火灾" in page


def test_incident_list_is_scoped_to_the_leads_township(client, world):
    page = login(client, world.users["beiguan_lead"]).get(INCIDENTS).content.decode()
    assert f"/trace/incidents/{world.fire_bg.pk}/" in page
    assert f"/trace/incidents/{world.fire_cm.pk}/" not in page


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"cause": "heating"}, ["fire_cm2"]),
        ({"township": "chumiao"}, ["fire_cm", "fire_cm2"]),
        ({"date_from": "2022-01-01", "date_to": "2022-01-31"}, ["fire_cm"]),
        ({"date_from": "2022-01-15", "date_to": "2022-01-15"}, ["fire_cm"]),
    ],
)
def test_incident_list_filters_by_township_date_range_and_cause(client, world, params, expected):
    params = {k: (world.chumiao.pk if v == "chumiao" else v) for k, v in params.items()}
    response = login(client, world.users["office"]).get(INCIDENTS, params)
    assert [i.pk for i in response.context["page_obj"]] == [getattr(world, name).pk for name in expected]


def test_incident_list_says_when_the_date_range_is_reversed(client, world):
    response = login(client, world.users["office"]).get(
        INCIDENTS, {"date_from": "2022-02-01", "date_to": "2022-01-01"}
    )
    assert "起始日期晚于截止日期" in response.content.decode()


def test_incident_list_exports_xlsx_with_trace_links(client, world):
    response = login(client, world.users["chumiao_lead"]).get(
        INCIDENTS, {"format": "xlsx", "cause": "electrical"}
    )
    assert response["Content-Type"] == XLSX
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2
    assert rows[1][1] == "褚庙乡"
    assert rows[1][-1].endswith(f"/trace/incidents/{world.fire_cm.pk}/")


# -- funding --------------------------------------------------------------------------------------


def test_funding_page_shows_allocated_vs_disbursed_per_township(client, world):
    response = login(client, world.users["office"]).get(FUNDING, {"year": 2021})
    assert response.status_code == 200
    rows = {row["township"].name: row for row in response.context["rows"]}
    assert rows["褚庙乡"]["township"].allocated == Decimal("100000")
    assert rows["褚庙乡"]["township"].disbursed == Decimal("60000")
    assert rows["褚庙乡"]["percent"] == 60.0
    assert rows["花园乡"]["percent"] is None
    totals = response.context["totals"]
    assert (totals["allocated"], totals["disbursed"], totals["percent"]) == (
        Decimal("180000"),
        Decimal("60000"),
        pytest.approx(33.3, abs=0.1),
    )
    page = response.content.decode()
    assert "2021 年度" in page
    # Written in 万元, as on the dashboard and in the 通报.
    assert "<b>18.00</b>" in page
    assert '<td class="num">10.00</td>' in page
    assert "金额单位：万元" in page
    assert "100000" not in page


def test_funding_page_is_scoped_and_exports_xlsx(client, world):
    response = login(client, world.users["chumiao_lead"]).get(FUNDING, {"year": 2021, "format": "xlsx"})
    assert response["Content-Type"] == XLSX
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["褚庙乡"]
    assert rows[1][1:4] == (100000, 60000, 60)


def test_funding_page_defaults_to_this_year_when_the_year_is_bad(client, world):
    response = login(client, world.users["office"]).get(FUNDING, {"year": "1800"})
    assert response.status_code == 200
    assert response.context["year"] == timezone.localdate().year


# -- query counts ---------------------------------------------------------------------------------


def grow(world, factor: int, tag: str):
    """Add `factor` townships, each with a brigade, members, equipment and fires."""
    for n in range(factor):
        township = TownshipFactory(county=world.county, name=f"{tag}乡{n}")
        brigade = BrigadeFactory(township=township, name=f"{tag}乡{n}专职消防队")
        brigade.also_serves.add(world.huayuan)
        staff(brigade, 3)
        EquipmentItemFactory(brigade=brigade, equipment_type=world.pump, quantity=1)
        EquipmentItemFactory(brigade=brigade, equipment_type=world.truck, quantity=1)
        FireIncidentFactory(township=township, address=f"{tag}村{n}", responding_brigade=brigade)
        FundingAllocationFactory(township=township, year=2021)
    # The brigade on the detail page grows too.
    staff(world.brigade, factor)
    for _ in range(factor):
        EquipmentItemFactory(brigade=world.brigade, equipment_type=world.breathing, quantity=1)


def count_queries(client, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("role", "page"),
    [
        ("office", "list"),
        ("chumiao_lead", "list"),
        ("office", "detail"),
        ("chumiao_lead", "detail"),
        ("office", "incidents"),
        ("center", "incidents"),
        ("office", "funding"),
    ],
)
def test_brigade_pages_run_the_same_queries_for_a_small_and_a_ten_times_larger_county(
    client, world, role, page
):
    url = {"list": LIST, "detail": detail_url(world.brigade), "incidents": INCIDENTS, "funding": FUNDING}[
        page
    ]
    login(client, world.users[role])
    grow(world, 3, "小")
    small = count_queries(client, url, {"year": 2021})
    grow(world, 30, "大")  # ten times the rows
    large = count_queries(client, url, {"year": 2021})
    assert small == large


# -- phone-sized pages (a real browser) -----------------------------------------------------------

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"


def assert_fit_a_phone(live_server, client, pages: dict):
    """Open every url of `pages` ({user: [url, ...]}) at 390×844 in Chromium, logged in as that
    user: each answers 200 and does not scroll sideways (wide tables scroll inside .table-scroll)."""
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
    host = live_server.url.split("://", 1)[1].split(":")[0]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=args)
        try:
            for user, urls in pages.items():
                client.force_login(user)
                context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
                cookie = {
                    "name": "sessionid",
                    "value": client.cookies["sessionid"].value,
                    "domain": host,
                    "path": "/",
                }
                context.add_cookies([cookie])
                page = context.new_page()
                for url in urls:
                    response = page.goto(live_server.url + url)
                    assert response.status == 200, url
                    name = url.strip("/").replace("/", "-").replace("?", "-").replace("=", "")
                    page.screenshot(path=str(SCREENSHOTS / f"p2-{user.username}-{name}.png"), full_page=True)
                    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                    assert overflow <= 0, f"{url} scrolls sideways by {overflow}px"
                context.close()
        finally:
            browser.close()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_brigade_pages_fit_a_390px_phone_without_sideways_scrolling(live_server, client):
    world = make_world()
    assert_fit_a_phone(
        live_server,
        client,
        {
            world.users["chumiao_lead"]: [LIST, detail_url(world.brigade), INCIDENTS, FUNDING],
            world.users["office"]: [LIST, f"{FUNDING}?year=2021"],
        },
    )
