"""Grid members' patrols (巡查): recorded through the service by a grid member of the premises of
their own grid, refusals writing nothing, hazards found on patrol in the same closed loop, the patrol
figures equal to the records, and a grid member's scope on the pages and in the API."""

import datetime as dt
from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient

from core.exceptions import AccessDenied, ApplicationError
from core.models import Role
from inspections import selectors, services
from inspections.models import Hazard, Inspection
from tests.factories import (
    CampaignFactory,
    ChecklistItemFactory,
    GridFactory,
    GridMemberFactory,
    PremisesFactory,
    TownshipFactory,
    make_user,
)

from .factories import hazard_data, record_inspection, snapshot

pytestmark = pytest.mark.django_db

TODAY = services.local_today()
API = "/api/v1"


@pytest.fixture
def grids(county):
    """褚庙乡 with two grids: 第一网格 (p1, p2, p3; member 李网格员, account `li`) and 第二网格 (p4;
    member 张网格员, account `zhang`); 北关镇 with one grid (p5; member 王网格员, account `wang`).
    A township lead of 褚庙乡 and one of 北关镇; a checklist of two items."""
    chumiao = TownshipFactory(county=county, name="褚庙乡")
    beiguan = TownshipFactory(county=county, name="北关镇")
    g1 = GridFactory(township=chumiao, name="第一网格")
    g2 = GridFactory(township=chumiao, name="第二网格")
    g3 = GridFactory(township=beiguan, name="北关第一网格")
    p1, p2, p3 = (PremisesFactory(township=chumiao, grid=g1, name=f"褚庙商铺{n}") for n in (1, 2, 3))
    p4 = PremisesFactory(township=chumiao, grid=g2, name="褚庙仓库")
    p5 = PremisesFactory(township=beiguan, grid=g3, name="北关超市")
    li = make_user(Role.GRID_MEMBER, username="li", grid_member=GridMemberFactory(grid=g1, name="李网格员"))
    zhang = make_user(
        Role.GRID_MEMBER, username="zhang", grid_member=GridMemberFactory(grid=g2, name="张网格员")
    )
    wang = make_user(
        Role.GRID_MEMBER, username="wang", grid_member=GridMemberFactory(grid=g3, name="王网格员")
    )
    items = [
        ChecklistItemFactory(code="A01", text="安全出口畅通", order=1),
        ChecklistItemFactory(code="A02", text="灭火器在有效期内", order=2),
    ]
    return SimpleNamespace(
        chumiao=chumiao,
        beiguan=beiguan,
        g1=g1,
        g2=g2,
        g3=g3,
        p1=p1,
        p2=p2,
        p3=p3,
        p4=p4,
        p5=p5,
        li=li,
        zhang=zhang,
        wang=wang,
        items=items,
        chumiao_lead=make_user(Role.TOWNSHIP_LEAD, username="chumiao-lead", township=chumiao),
        beiguan_lead=make_user(Role.TOWNSHIP_LEAD, username="beiguan-lead", township=beiguan),
    )


def patrol(w, *, by=None, premises=None, on=TODAY, **kwargs):
    return services.patrol_record(
        premises=premises or w.p1,
        patrolled_on=on,
        results=kwargs.pop("results", [{"item": w.items[0], "result": "pass"}]),
        by=by or w.li,
        **kwargs,
    )


def client_for(user):
    client = APIClient()
    client.force_login(user)
    return client


# -- recording -------------------------------------------------------------------------------------


def test_grid_member_records_a_patrol_of_a_premises_of_their_grid(grids):
    w = grids
    done = patrol(
        w,
        results=[{"item": w.items[0], "result": "pass"}, {"item": w.items[1], "result": "fail"}],
        notes="夜间巡查",
        location={"latitude": "34.6501", "longitude": "115.1402", "accuracy_m": 12},
    )
    assert done.kind == Inspection.Kind.PATROL
    assert done.recorded_by == w.li
    assert done.inspectors == "李网格员"
    assert done.township == w.chumiao
    assert done.plan is None
    assert sorted(done.results.values_list("result", flat=True)) == ["fail", "pass"]
    assert (float(done.latitude), done.location_accuracy_m) == (pytest.approx(34.6501), 12)


def test_a_patrol_does_not_count_as_the_premises_official_inspection(grids):
    w = grids
    patrol(w)
    w.p1.refresh_from_db()
    assert w.p1.last_inspected_on is None


def test_patrol_of_another_grids_premises_is_refused_and_writes_nothing(grids):
    w = grids
    before = snapshot()
    with pytest.raises(AccessDenied, match="只能巡查本网格的单位"):
        patrol(w, premises=w.p4)  # 第二网格, same township
    with pytest.raises(AccessDenied, match="只能巡查本网格的单位"):
        patrol(w, premises=w.p5)  # another township
    assert snapshot() == before


def test_patrol_in_the_future_is_refused_and_writes_nothing(grids):
    w = grids
    before = snapshot()
    with pytest.raises(ApplicationError, match="检查日期不能晚于今天"):
        patrol(
            w, on=TODAY + dt.timedelta(days=1), hazards=[hazard_data(deadline=TODAY + dt.timedelta(days=9))]
        )
    assert snapshot() == before


def test_only_grid_members_record_patrols(grids):
    w = grids
    before = snapshot()
    for user in (w.chumiao_lead, make_user(Role.GUIDANCE_CENTER, username="center")):
        with pytest.raises(AccessDenied, match="只有网格员可以录入巡查记录"):
            patrol(w, by=user)
    assert snapshot() == before


def test_grid_member_records_no_other_kind_of_inspection(grids):
    w = grids
    before = snapshot()
    with pytest.raises(AccessDenied):
        record_inspection(premises=w.p1, kind=Inspection.Kind.TOWNSHIP, by=w.li)
    assert snapshot() == before


# -- the closed loop --------------------------------------------------------------------------------


def test_hazard_found_on_patrol_follows_the_loop(grids):
    w = grids
    found = patrol(
        w,
        on=TODAY - dt.timedelta(days=5),
        hazards=[hazard_data(description="电动车楼道充电", deadline=TODAY + dt.timedelta(days=5))],
    )
    hazard = found.hazards.get()
    assert (hazard.status, hazard.premises, hazard.township) == (Hazard.Status.OPEN, w.p1, w.chumiao)
    # The grid member reads it but takes no step of the loop: the township does.
    assert selectors.hazard_list(user=w.li).filter(pk=hazard.pk).exists()
    with pytest.raises(AccessDenied):
        services.hazard_start_rectifying(hazard=hazard, by=w.li)
    services.hazard_rectify(
        hazard=hazard, rectified_on=TODAY, rectified_by="王老板", measures="清理楼道", by=w.chumiao_lead
    )
    services.hazard_reinspect(
        hazard=hazard, inspected_on=TODAY, inspectors="赵专干", passed=True, by=w.chumiao_lead
    )
    hazard.refresh_from_db()
    assert hazard.status == Hazard.Status.VERIFIED
    # It is counted with every other hazard of the township.
    assert selectors.hazard_list(user=w.chumiao_lead, filters={"rectified": "true"}).count() == 1


# -- figures ----------------------------------------------------------------------------------------


def test_patrol_figures_equal_the_records(grids):
    w = grids
    month_start = TODAY.replace(day=1)
    patrol(w, premises=w.p1)
    patrol(w, premises=w.p1)  # the same premises again: one premises patrolled, two patrols
    patrol(w, premises=w.p2)
    patrol(w, by=w.zhang, premises=w.p4)
    patrol(w, by=w.wang, premises=w.p5, on=month_start - dt.timedelta(days=1))  # last month
    figures = selectors.patrol_figures(user=make_user(Role.GUIDANCE_CENTER, username="c"), on=TODAY)

    grid = {g.name: (g.premises, g.patrolled) for g in figures.grids}
    assert grid == {"第一网格": (3, 2), "第二网格": (1, 1), "北关第一网格": (1, 0)}
    chumiao = figures.township(w.chumiao.pk)
    assert (chumiao.premises, chumiao.patrolled, chumiao.patrols, chumiao.percent) == (4, 3, 4, 75.0)
    assert figures.township(w.beiguan.pk).percent == 0
    members = [(m.rank, m.name, m.patrolled, m.premises, m.patrols, m.percent) for m in figures.members]
    assert members == [
        (1, "张网格员", 1, 1, 1, 100.0),
        (2, "李网格员", 2, 3, 3, 66.7),
        (3, "王网格员", 0, 1, 0, 0.0),
    ]
    # The records behind them, counted directly.
    this_month = Inspection.objects.filter(kind=Inspection.Kind.PATROL, inspected_on__gte=month_start)
    assert this_month.filter(township=w.chumiao).count() == chumiao.patrols
    assert this_month.filter(premises__grid=w.g1).values("premises").distinct().count() == 2


def test_patrol_figures_are_scoped_to_the_users_townships(grids):
    w = grids
    patrol(w)
    figures = selectors.patrol_figures(user=w.beiguan_lead, on=TODAY)
    assert [g.name for g in figures.grids] == ["北关第一网格"]
    assert [m.name for m in figures.members] == ["王网格员"]
    # A grid member sees the counts of their township's grids and members.
    figures = selectors.patrol_figures(user=w.li, on=TODAY)
    assert {m.name for m in figures.members} == {"李网格员", "张网格员"}


def test_equal_members_share_a_rank(grids):
    w = grids
    figures = selectors.patrol_figures(user=w.chumiao_lead, on=TODAY)
    assert [m.rank for m in figures.members] == [1, 1]


# -- scope ------------------------------------------------------------------------------------------


def test_grid_member_sees_the_premises_of_their_grid_and_their_own_patrols(grids):
    w = grids
    mine = patrol(w)
    record_inspection(premises=w.p1, inspected_on=TODAY, hazards=[], by=w.chumiao_lead)
    patrol(w, by=w.zhang, premises=w.p4)
    client = client_for(w.li)
    premises = client.get(f"{API}/premises/").json()["results"]
    assert sorted(row["name"] for row in premises) == ["褚庙商铺1", "褚庙商铺2", "褚庙商铺3"]
    assert [row["id"] for row in client.get(f"{API}/patrols/").json()["results"]] == [mine.pk]
    assert [row["id"] for row in client.get(f"{API}/inspections/").json()["results"]] == [mine.pk]
    assert client.get(f"{API}/premises/{w.p4.pk}/").status_code == 404
    assert client.get(f"{API}/brigades/").json()["results"] == []


def test_township_lead_sees_the_patrols_of_their_township(grids):
    w = grids
    patrol(w)
    patrol(w, by=w.wang, premises=w.p5)
    rows = client_for(w.chumiao_lead).get(f"{API}/patrols/").json()["results"]
    assert [(row["premises_name"], row["kind"]) for row in rows] == [("褚庙商铺1", "patrol")]


def test_patrol_through_the_api_once_per_idempotency_key(grids):
    w = grids
    client = client_for(w.li)
    payload = {
        "premises": w.p2.pk,
        "patrolled_on": TODAY.isoformat(),
        "results": [{"item": w.items[0].pk, "result": "fail"}],
        "hazards": [
            {
                "severity": "general",
                "description": "灭火器过期",
                "deadline": (TODAY + dt.timedelta(days=7)).isoformat(),
                "responsible_person": "王老板",
                "checklist_item": w.items[0].pk,
            }
        ],
        "location": {"latitude": "34.65", "longitude": "115.14"},
    }
    first = client.post(f"{API}/patrols/", payload, format="json", HTTP_IDEMPOTENCY_KEY="phone-1")
    assert first.status_code == 201, first.content
    again = client.post(f"{API}/patrols/", payload, format="json", HTTP_IDEMPOTENCY_KEY="phone-1")
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Inspection.objects.filter(kind=Inspection.Kind.PATROL).count() == 1
    assert Hazard.objects.get().inspection_id == first.json()["id"]


def test_api_refuses_a_patrol_of_another_grid_and_writes_nothing(grids):
    w = grids
    before = snapshot()
    answer = client_for(w.li).post(
        f"{API}/patrols/",
        {"premises": w.p4.pk, "patrolled_on": TODAY.isoformat()},
        format="json",
    )
    assert answer.status_code == 403
    assert "只能巡查本网格的单位" in answer.json()["detail"]
    answer = client_for(w.li).post(
        f"{API}/patrols/",
        {"premises": w.p1.pk, "patrolled_on": (TODAY + dt.timedelta(days=1)).isoformat()},
        format="json",
    )
    assert answer.status_code == 400
    answer = client_for(w.chumiao_lead).post(
        f"{API}/patrols/", {"premises": w.p1.pk, "patrolled_on": TODAY.isoformat()}, format="json"
    )
    assert answer.status_code == 403
    assert snapshot() == before


# -- pages ------------------------------------------------------------------------------------------


def test_grid_member_records_a_patrol_on_the_phone_form(grids, client):
    w = grids
    client.force_login(w.li)
    page = client.get("/inspections/patrols/record/")
    assert page.status_code == 200
    assert "褚庙商铺1" in page.text
    assert "褚庙仓库" not in page.text
    answer = client.post(
        "/inspections/patrols/record/",
        {
            "premises": w.p3.pk,
            "inspected_on": TODAY.isoformat(),
            "inspectors": "李网格员",
            f"result_{w.items[0].pk}": "pass",
            f"result_{w.items[1].pk}": "pass",
            "hazards-TOTAL_FORMS": "0",
            "hazards-INITIAL_FORMS": "0",
        },
    )
    assert answer.status_code == 302, answer.content.decode()
    assert Inspection.objects.get(kind=Inspection.Kind.PATROL).premises == w.p3


def test_grid_member_home_lists_their_grid_and_patrols(grids, client):
    w = grids
    patrol(w, premises=w.p2)
    client.force_login(w.li)
    page = client.get("/", follow=True)
    assert page.status_code == 200
    text = page.text
    assert "第一网格" in text
    assert "褚庙商铺2" in text
    assert "褚庙仓库" not in text


def test_grid_member_is_refused_the_township_and_county_pages(grids, client):
    w = grids
    client.force_login(w.li)
    assert client.get(f"/townships/{w.chumiao.pk}/").status_code == 404
    assert client.get("/dashboard/").status_code == 403
    assert client.get("/inspections/record/").status_code == 200  # their patrol, the same form
    assert client.get("/townships/police/").status_code == 403
    assert client.get("/inspections/self/").status_code == 403


def test_patrol_ranking_page_lists_the_months_members(grids, client):
    w = grids
    patrol(w, by=w.zhang, premises=w.p4)
    client.force_login(w.chumiao_lead)
    page = client.get("/inspections/patrols/ranking/")
    assert page.status_code == 200
    text = page.text
    assert text.index("张网格员") < text.index("李网格员")
    assert "王网格员" not in text
    client.force_login(make_user(Role.PREMISES_RESPONSIBLE, username="boss", premises=w.p1))
    assert client.get("/inspections/patrols/ranking/").status_code == 403


def test_township_page_shows_the_patrol_figures(grids, client):
    w = grids
    patrol(w)
    client.force_login(w.chumiao_lead)
    page = client.get(f"/townships/{w.chumiao.pk}/")
    assert page.status_code == 200
    assert "网格巡查" in page.text
    assert "第一网格" in page.text
    assert "25.0%" in page.text  # 1 of 褚庙乡's 4 premises in grids


def test_dashboard_shows_each_townships_patrol_completion(grids, client):
    w = grids
    patrol(w)
    patrol(w, by=w.wang, premises=w.p5)
    client.force_login(make_user(Role.COUNTY_OFFICIAL, username="office", county=w.chumiao.county))
    CampaignFactory(county=w.chumiao.county, starts_on=TODAY - dt.timedelta(days=30), ends_on=TODAY)
    page = client.get("/dashboard/")
    assert page.status_code == 200
    section = page.text[page.text.index('data-testid="dashboard-patrols"') :]
    assert "1/4" in section  # 褚庙乡: one of four premises in grids
    assert "100.0%" in section  # 北关镇: its one premises


def test_patrol_figures_run_a_fixed_number_of_queries(grids, django_assert_num_queries):
    w = grids
    center = make_user(Role.GUIDANCE_CENTER, username="center")
    patrol(w)
    with django_assert_num_queries(1):
        selectors.patrol_figures(user=center, on=TODAY)
    for n in range(5):
        grid = GridFactory(township=w.chumiao, name=f"新网格{n}")
        member = make_user(
            Role.GRID_MEMBER, username=f"m{n}", grid_member=GridMemberFactory(grid=grid, name=f"网格员{n}")
        )
        place = PremisesFactory(township=w.chumiao, grid=grid)
        patrol(w, by=member, premises=place)
    with django_assert_num_queries(1):
        figures = selectors.patrol_figures(user=center, on=TODAY)
    assert len(figures.members) == 8
