"""The township page (the lead's home and to-do), the police station's home and the premises list."""

import datetime as dt
import io
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from core.models import Role
from firebrigade import services as brigade_services
from firebrigade.models import BrigadeMember
from inspections import services as inspection_services
from inspections import tallies
from inspections.models import Hazard, Inspection
from inspections.services import local_today
from meetings.models import Assignment
from tests.factories import (
    AssignmentFactory,
    BrigadeFactory,
    BrigadeMemberFactory,
    BrigadeStandardFactory,
    CampaignFactory,
    CountyFactory,
    EquipmentItemFactory,
    GridFactory,
    PoliceStationFactory,
    PremisesFactory,
    TownshipFactory,
    UserFactory,
    make_user,
)
from tests.inspections.factories import open_hazard

pytestmark = pytest.mark.django_db

_serial = itertools.count()


# --- a township with work to do -------------------------------------------------------------


def populate(township, *, n: int, campaign, station=None, today: dt.date) -> dict:
    """`n` premises of `township` in a plan of `campaign` (half of them inspected under it), each
    inspection finding a hazard due tomorrow and one due in a month; an overdue hazard; a police
    inspection when `station` is given; a brigade with `n` members and `n` items due for
    maintenance; `n` assignments due in two days. Everything written through the services where
    one exists."""
    k = next(_serial)
    grid = GridFactory(township=township, name=f"网格{k}")
    premises = [
        PremisesFactory(
            township=township, grid=grid, police_station=station, name=f"{township.name}单位{k}-{i}"
        )
        for i in range(n)
    ]
    plan = inspection_services.inspection_plan_create(
        campaign=campaign,
        township=township,
        title=f"{township.name}检查计划{k}",
        due_on=today + dt.timedelta(days=5),
        premises=premises,
    )
    for i, p in enumerate(premises):
        if i % 2:
            continue
        inspection_services.inspection_record(
            premises=p,
            kind=Inspection.Kind.TOWNSHIP,
            inspected_on=today - dt.timedelta(days=2),
            inspectors="赵专干",
            plan=plan,
            hazards=[
                _hazard(f"安全出口堵塞{k}-{i}", today + dt.timedelta(days=1)),
                _hazard(f"灭火器过期{k}-{i}", today + dt.timedelta(days=30)),
            ],
        )
    inspection_services.inspection_record(
        premises=premises[-1],
        kind=Inspection.Kind.TOWNSHIP,
        inspected_on=today - dt.timedelta(days=20),
        inspectors="赵专干",
        hazards=[_hazard(f"电线私拉乱接{k}", today - dt.timedelta(days=5))],
    )
    if station is not None:
        inspection_services.inspection_record(
            premises=premises[0],
            kind=Inspection.Kind.POLICE,
            police_station=station,
            inspected_on=today - dt.timedelta(days=1),
            inspectors="孙民警",
            hazards=[_hazard(f"派出所发现：消防通道占用{k}", today + dt.timedelta(days=2))],
        )
    BrigadeStandardFactory()
    brigade = BrigadeFactory(township=township, name=f"{township.name}专职消防队{k}")
    for i in range(n):
        BrigadeMemberFactory(brigade=brigade, name=f"队员{k}-{i}")
        EquipmentItemFactory(
            brigade=brigade,
            next_maintenance_on=today + dt.timedelta(days=i % 7),
            last_maintained_on=today - dt.timedelta(days=80),
        )
        AssignmentFactory(township=township, deadline=today + dt.timedelta(days=2))
        # The brigade's month of activity (一队一档): counted on the page with its brigades.
        brigade_services.training_record(
            brigade=brigade, kind="drill", held_on=today, hours=Decimal(1), topic=f"演练{k}-{i}", by=None
        )
        brigade_services.publicity_record(
            brigade=brigade, held_on=today, kind="lecture", place="小学", by=None
        )
    return {"premises": premises, "plan": plan, "grid": grid, "brigade": brigade}


def _hazard(description: str, deadline: dt.date) -> dict:
    return {
        "severity": Hazard.Severity.GENERAL,
        "description": description,
        "deadline": deadline,
        "responsible_person": "王老板",
    }


@pytest.fixture
def today():
    return local_today()


@pytest.fixture
def county():
    return CountyFactory()


@pytest.fixture
def chumiao(county):
    return TownshipFactory(county=county, name="褚庙乡")


@pytest.fixture
def beiguan(county):
    return TownshipFactory(county=county, name="北关镇")


@pytest.fixture
def campaign(county, today):
    return CampaignFactory(
        county=county,
        name="本年度冬春火灾防控",
        starts_on=today - dt.timedelta(days=60),
        ends_on=today + dt.timedelta(days=120),
    )


@pytest.fixture
def station(county, chumiao):
    station = PoliceStationFactory(county=county, name="褚庙派出所")
    station.townships.add(chumiao)
    return station


@pytest.fixture
def data(chumiao, beiguan, campaign, station, today):
    return {
        "chumiao": populate(chumiao, n=2, campaign=campaign, station=station, today=today),
        "beiguan": populate(beiguan, n=2, campaign=campaign, today=today),
    }


@pytest.fixture
def users(county, chumiao, beiguan, station, data):
    return {
        "chumiao_lead": make_user(Role.TOWNSHIP_LEAD, username="chumiao_lead", township=chumiao),
        "beiguan_lead": make_user(Role.TOWNSHIP_LEAD, username="beiguan_lead", township=beiguan),
        "official": make_user(Role.COUNTY_OFFICIAL, username="official", county=county),
        "center": make_user(Role.GUIDANCE_CENTER, username="center"),
        "police": make_user(Role.POLICE_STATION, username="police", police_station=station),
        "responsible": make_user(
            Role.PREMISES_RESPONSIBLE, username="boss", premises=data["chumiao"]["premises"][0]
        ),
        "no_role": UserFactory(username="nobody"),
    }


def _get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


# --- the township page ----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["chumiao_lead", "official", "center", "police"])
def test_township_page_renders_for_the_roles_that_may_see_it(client, users, chumiao, who):
    response = _get(client, users[who], reverse("homes:township", args=[chumiao.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "褚庙乡" in page
    assert 'data-testid="todo"' in page
    assert 'data-testid="township-figures"' in page


@pytest.mark.parametrize("who", ["beiguan_lead", "responsible", "no_role"])
def test_township_page_is_not_found_for_users_outside_it(client, users, chumiao, who):
    response = _get(client, users[who], reverse("homes:township", args=[chumiao.pk]))
    assert response.status_code == 404


def test_police_station_cannot_see_a_township_it_does_not_cover(client, users, beiguan):
    assert _get(client, users["police"], reverse("homes:township", args=[beiguan.pk])).status_code == 404


def test_unknown_township_is_not_found(client, users):
    assert _get(client, users["center"], reverse("homes:township", args=[999999])).status_code == 404


def test_home_sends_the_township_lead_to_their_township_page(client, users, chumiao):
    client.force_login(users["chumiao_lead"])
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == reverse("homes:township", args=[chumiao.pk])


def test_township_page_lists_what_is_due_and_nothing_else(client, users, chumiao, data, today):
    ctx = _get(client, users["chumiao_lead"], reverse("homes:township", args=[chumiao.pk])).context
    home = ctx["home"]
    mine = data["chumiao"]
    # plans: the plan with one of its two premises not inspected, and that premises named
    assert [p.pk for p in home.plans_due] == [mine["plan"].pk]
    assert home.plans_due[0].pending_premises == [mine["premises"][1]]
    # hazards: due tomorrow, in two days (the police's) and overdue; not the one due in a month
    near = sorted(h.description.rstrip("0123456789-") for h in home.hazards_near)
    assert near == sorted(["安全出口堵塞", "派出所发现：消防通道占用", "电线私拉乱接"])
    assert all(h.township_id == chumiao.pk for h in home.hazards_near)
    assert any(h.is_overdue for h in home.hazards_near)
    # assignments and equipment of this township only
    assert len(home.assignments) == 2
    assert all(a.township_id == chumiao.pk for a in home.assignments)
    assert len(home.equipment_due) == 2
    assert all(e.brigade.township_id == chumiao.pk for e in home.equipment_due)


def test_township_page_figures(client, users, chumiao, data):
    home = _get(client, users["chumiao_lead"], reverse("homes:township", args=[chumiao.pk])).context["home"]
    figures = home.figures
    assert (figures.inspected, figures.planned) == (1, 2)
    assert figures.plan_percent == 50.0
    assert figures.active_staff == 2
    assert figures.min_staff == 8
    assert figures.staff_gap == 6
    assert figures.brigade_status_label == "规划中"
    assert figures.hazards_open == 4  # two from the plan inspection, the overdue one, the police one
    assert figures.hazards_overdue == 1
    assert len(home.assignments) == 2


def test_township_page_hazard_figures_are_those_of_hazard_stats_as_of_any_day(users, chumiao, data, today):
    from homes.selectors import township_home
    from inspections.selectors import hazard_stats
    from leaders.figures import campaign_period

    first, second, third = Hazard.objects.filter(township=chumiao).order_by("pk")[:3]
    Hazard.objects.filter(pk=first.pk).update(status=Hazard.Status.VERIFIED, verified_on=today)
    Hazard.objects.filter(pk=second.pk).update(severity=Hazard.Severity.MAJOR)
    Hazard.objects.filter(pk=third.pk).update(
        severity=Hazard.Severity.MAJOR,
        status=Hazard.Status.VERIFIED,
        verified_on=today,  # a verification is never dated after the day it is recorded
    )
    tallies.rebuild()  # the updates above pass by the services, which keep the figures
    lead = users["chumiao_lead"]
    for days in (-30, -3, 0, 2, 10):
        on = today + dt.timedelta(days=days)
        home = township_home(user=lead, township_id=chumiao.pk, on=on)
        as_of = campaign_period(home.campaign, today=on).as_of
        (stats,) = hazard_stats(user=lead, campaign=home.campaign, township_ids=[chumiao.pk], on=as_of)
        f = home.figures
        figures = (f.hazards_open, f.hazards_overdue, f.hazards_major_open)
        assert figures == (stats.open, stats.overdue, stats.major_open), on
    assert figures == (2, 1, 1)  # ten days on: two verified, the police's overdue, the other major


def test_closed_assignments_verified_hazards_and_far_deadlines_are_not_to_do(
    client, users, chumiao, data, today
):
    Assignment.objects.filter(township=chumiao).update(status=Assignment.Status.CLOSED, closed_on=today)
    Hazard.objects.filter(township=chumiao).update(deadline=today + dt.timedelta(days=4))
    home = _get(client, users["chumiao_lead"], reverse("homes:township", args=[chumiao.pk])).context["home"]
    assert home.assignments == []
    assert home.hazards_near == []


def test_township_page_links_to_lists_brigades_meetings_and_recording(client, users, chumiao, data):
    page = _get(client, users["chumiao_lead"], reverse("homes:township", args=[chumiao.pk])).content.decode()
    assert f"/townships/premises/?township={chumiao.pk}" in page
    assert f"/inspections/?township={chumiao.pk}" in page
    assert f"/inspections/hazards/?township={chumiao.pk}" in page
    assert f"/brigades/{data['chumiao']['brigade'].pk}/" in page
    assert f"/brigades/incidents/?township={chumiao.pk}" in page
    assert f"/meetings/assignments/?township={chumiao.pk}" in page
    pending = data["chumiao"]["premises"][1]
    assert f"/inspections/record/?premises={pending.pk}&amp;plan={data['chumiao']['plan'].pk}" in page
    # The template builds these from the hazard list's URL.
    for hazard in Hazard.objects.filter(township=chumiao, deadline__lte=local_today() + dt.timedelta(days=3)):
        assert f'href="{reverse("inspections:hazard-detail", args=[hazard.pk])}"' in page


def test_police_home_links_each_open_hazard_to_its_page(client, users, data):
    page = _get(client, users["police"], reverse("homes:police")).content.decode()
    for hazard in Hazard.objects.filter(inspection__kind=Inspection.Kind.POLICE):
        assert f'href="{reverse("inspections:hazard-detail", args=[hazard.pk])}"' in page


def test_county_official_sees_no_record_link(client, users, chumiao):
    page = _get(client, users["official"], reverse("homes:township", args=[chumiao.pk])).content.decode()
    assert 'data-testid="link-record"' not in page


def test_township_page_runs_the_same_queries_for_a_10x_larger_township(
    client, users, chumiao, campaign, station, data, today
):
    url = reverse("homes:township", args=[chumiao.pk])
    client.force_login(users["chumiao_lead"])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    populate(chumiao, n=20, campaign=campaign, station=station, today=today)
    BrigadeMember.objects.update(on_duty=True)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
    # The page's: the county's campaigns; the figures of leaders.figures it shows (the township's
    # row with its plan progress, kept hazard figures and assignments as columns, its brigades);
    # the to-do (plans, their pending premises, hazards, assignments, equipment); and the session,
    # user, profile and unread count. (18 before issue 14's fewer, wider reads.) And the month's grid
    # patrols (inspections.selectors.patrol_figures: one statement).
    assert len(large.captured_queries) <= 13


def test_the_township_page_shows_a_write_at_once(client, users, chumiao, data):
    url = reverse("homes:township", args=[chumiao.pk])
    client.force_login(users["chumiao_lead"])
    before = client.get(url).content.decode()
    premises = PremisesFactory(township=chumiao, grid=data["chumiao"]["grid"], name="新开业的网吧")
    open_hazard(premises=premises, description="疏散指示标志损坏", deadline=local_today())
    chumiao.principal_leader = "新任乡长"
    chumiao.save()
    after = client.get(url).content.decode()
    assert "新任乡长" not in before
    assert "疏散指示标志损坏" not in before
    assert "新任乡长" in after
    assert "疏散指示标志损坏" in after


# --- the police station's home --------------------------------------------------------------


def test_police_home_shows_due_premises_own_inspections_and_their_open_hazards(
    client, users, data, station, chumiao, county
):
    grid = data["chumiao"]["grid"]
    never = PremisesFactory(township=chumiao, grid=grid, police_station=station, name="从未检查的网吧")
    unassigned = PremisesFactory(township=chumiao, grid=grid, police_station=None, name="未定派出所的商店")
    other = PoliceStationFactory(county=county, name="另一派出所")
    other.townships.add(chumiao)
    PremisesFactory(township=chumiao, grid=grid, police_station=other, name="另一派出所的单位")
    response = _get(client, users["police"], reverse("homes:police"))
    assert response.status_code == 200
    home = response.context["home"]
    assert home.station == station
    assert {p.pk for p in home.premises_due} == {never.pk, unassigned.pk}
    assert [i.kind for i in home.recent_inspections] == [Inspection.Kind.POLICE]
    assert [h.description.rstrip("0123456789") for h in home.open_hazards] == ["派出所发现：消防通道占用"]
    page = response.content.decode()
    assert reverse("inspections:record") in page


def test_police_home_counts_its_inspections_hazards_as_the_inspection_list_does(users, data, today):
    from homes.selectors import police_home
    from inspections.selectors import inspection_list

    police = users["police"]
    Hazard.objects.filter(inspection__kind=Inspection.Kind.POLICE).update(
        status=Hazard.Status.VERIFIED, verified_on=today
    )
    listed = {i.pk: (i.hazard_count, i.open_hazard_count) for i in inspection_list(user=police)}
    recent = police_home(user=police, on=today).recent_inspections
    assert (
        [(i.hazard_count, i.open_hazard_count) for i in recent] == [listed[i.pk] for i in recent] == [(1, 0)]
    )


def test_home_sends_the_police_station_to_its_page(client, users):
    client.force_login(users["police"])
    assert client.get("/").url == reverse("homes:police")


@pytest.mark.parametrize("who", ["chumiao_lead", "official", "center", "responsible"])
def test_police_home_is_forbidden_to_other_roles(client, users, who):
    assert _get(client, users[who], reverse("homes:police")).status_code == 403


def test_police_home_runs_the_same_queries_for_a_10x_larger_area(
    client, users, chumiao, campaign, station, data, today
):
    url = reverse("homes:police")
    client.force_login(users["police"])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    populate(chumiao, n=20, campaign=campaign, station=station, today=today)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries)


# --- the premises list ----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["chumiao_lead", "official", "center", "police"])
def test_premises_list_renders_for_the_roles_that_may_see_it(client, users, who):
    response = _get(client, users[who], reverse("townships:premises-list"))
    assert response.status_code == 200
    assert 'data-testid="premises-table"' in response.content.decode()


@pytest.mark.parametrize("who", ["responsible", "no_role"])
def test_premises_list_is_forbidden_to_a_responsible_person_and_to_users_without_a_role(client, users, who):
    assert _get(client, users[who], reverse("townships:premises-list")).status_code == 403


def test_premises_list_is_scoped_and_links_each_premises_to_its_trace(client, users, data):
    response = _get(client, users["beiguan_lead"], reverse("townships:premises-list"))
    rows = list(response.context["page_obj"])
    assert {p.pk for p in rows} == {p.pk for p in data["beiguan"]["premises"]}
    page = response.content.decode()
    for p in rows:
        assert f"/trace/premises/{p.pk}/" in page
    assert "褚庙乡单位" not in page


def test_premises_list_of_another_township_is_not_found(client, users, chumiao):
    response = _get(client, users["beiguan_lead"], reverse("townships:premises-list"), township=chumiao.pk)
    assert response.status_code == 404


def test_premises_list_filters(client, users, chumiao, data):
    url = reverse("townships:premises-list")
    rows = _get(client, users["center"], url, township=chumiao.pk).context["page_obj"]
    assert {p.township_id for p in rows} == {chumiao.pk}
    never = PremisesFactory(township=chumiao, grid=data["chumiao"]["grid"], name="从未检查的网吧")
    rows = _get(client, users["center"], url, due="overdue", township=chumiao.pk).context["page_obj"]
    assert [p.pk for p in rows] == [never.pk]
    rows = _get(client, users["center"], url, grid=data["chumiao"]["grid"].pk).context["page_obj"]
    assert {p.grid_id for p in rows} == {data["chumiao"]["grid"].pk}
    rows = _get(client, users["center"], url, q="北关镇单位").context["page_obj"]
    assert {p.township.name for p in rows} == {"北关镇"}


def test_premises_list_exports_the_filtered_scoped_rows_as_xlsx(client, users, chumiao, data):
    response = _get(client, users["chumiao_lead"], reverse("townships:premises-list"), format="xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "乡镇"
    assert {r[2] for r in rows[1:]} == {p.name for p in data["chumiao"]["premises"]}


def test_premises_list_is_paginated_by_50(client, users, chumiao):
    grid = GridFactory(township=chumiao, name="大网格")
    for i in range(55):
        PremisesFactory(township=chumiao, grid=grid, name=f"分页单位{i:02d}")
    response = _get(client, users["chumiao_lead"], reverse("townships:premises-list"), q="分页单位")
    assert len(response.context["page_obj"]) == 50
    second = _get(client, users["chumiao_lead"], reverse("townships:premises-list"), q="分页单位", page=2)
    assert len(second.context["page_obj"]) == 5
    assert "page=2" in response.content.decode()


def test_premises_list_runs_the_same_queries_for_10x_the_premises(
    client, users, chumiao, campaign, station, data, today
):
    url = reverse("townships:premises-list")
    client.force_login(users["chumiao_lead"])
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    populate(chumiao, n=20, campaign=campaign, station=station, today=today)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries)


def test_a_long_to_do_group_shows_its_first_rows_and_links_to_the_whole_list(
    client, users, chumiao, campaign, station, data, today
):
    from homes.selectors import TODO_LIMIT

    populate(chumiao, n=50, campaign=campaign, station=station, today=today)  # 25 more due tomorrow
    response = _get(client, users["chumiao_lead"], reverse("homes:township", args=[chumiao.pk]))
    home = response.context["home"]
    assert len(home.hazards_near) == TODO_LIMIT
    assert "hazards_near" in home.more
    page = response.content.decode()
    assert f"/inspections/hazards/?township={chumiao.pk}&amp;rectified=false" in page
    # What the link opens holds every open hazard, those the to-do left out among them.
    listed = _get(
        client,
        users["chumiao_lead"],
        reverse("inspections:hazard-list"),
        township=chumiao.pk,
        rectified="false",
    )
    assert listed.context["page_obj"].paginator.count > TODO_LIMIT
