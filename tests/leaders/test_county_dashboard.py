import datetime as dt
import io
import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from core.clock import local_today
from core.models import Role
from firebrigade import services as brigade_services
from firebrigade.selectors import incident_list
from inspections import services as inspection_services
from leaders.dashboard import county_dashboard
from leaders.figures import campaign_period, township_figures
from tests import factories as f

TODAY = dt.date(2021, 12, 15)


def _county(n_premises=2):
    """Two townships of one county with a campaign, plans, inspections and hazards."""
    beiguan = f.TownshipFactory(name="北关镇")
    chumiao = f.TownshipFactory(name="褚庙乡", county=beiguan.county)
    campaign = f.CampaignFactory(county=beiguan.county)
    for township, fail in ((beiguan, True), (chumiao, False)):
        premises = [f.PremisesFactory(township=township) for _ in range(n_premises)]
        plan = inspection_services.inspection_plan_create(
            campaign=campaign,
            township=township,
            title=f"{township.name}计划",
            due_on=dt.date(2021, 12, 31),
            premises=premises,
        )
        for p in premises:
            inspection_services.inspection_record(
                premises=p,
                kind="township",
                inspected_on=dt.date(2021, 11, 20),
                inspectors="专干",
                plan=plan,
                hazards=[
                    {
                        "severity": "major",
                        "description": "出口堵塞",
                        "deadline": dt.date(2021, 11, 30),
                        "responsible_person": "王",
                    }
                ]
                if fail
                else [],
            )
        allocation = brigade_services.funding_allocate(
            township=township, year=2021, category="personnel", amount=Decimal(1000)
        )
        brigade_services.disbursement_record(
            allocation=allocation, amount=Decimal(500), disbursed_on=dt.date(2021, 6, 1), by=None
        )
    return beiguan, chumiao, campaign


@pytest.mark.django_db
def test_dashboard_lines_up_every_township_with_its_figures_and_ranks_them():
    beiguan, _chumiao, campaign = _county()
    user = f.make_user(Role.COUNTY_OFFICIAL, county=beiguan.county)
    data = county_dashboard(user=user, campaign=campaign, on=TODAY)
    rows = {r.name: r for r in data.rows}
    assert set(rows) == {"北关镇", "褚庙乡"}
    assert rows["北关镇"].hazards_found == 2
    assert rows["北关镇"].hazards_overdue == 2
    assert rows["北关镇"].hazards_major == 2
    assert rows["褚庙乡"].hazards_found == 0
    assert rows["北关镇"].plan_percent == 100.0
    assert rows["北关镇"].funding_ratio == 50.0
    # 北关镇: plan 100, rectified 0 of 2, funding 50 -> 50; 褚庙乡: plan 100, nothing found, funding 50 -> 75.
    assert rows["北关镇"].score == 50.0
    assert rows["褚庙乡"].score == 75.0
    assert [r.name for r in data.rows] == ["褚庙乡", "北关镇"]
    assert [r.rank for r in data.rows] == [1, 2]
    assert data.totals.hazards_found == 2
    assert data.totals.planned == 4


@pytest.mark.django_db
def test_dashboard_page_renders_for_county_officials_and_exports_xlsx(client):
    beiguan, _, campaign = _county()
    client.force_login(f.make_user(Role.COUNTY_OFFICIAL, county=beiguan.county))
    response = client.get(f"/dashboard/?campaign={campaign.pk}")
    assert response.status_code == 200
    page = response.content.decode()
    assert "北关镇" in page
    assert "褚庙乡" in page
    assert "/static/vendor/echarts.min.js" in page
    assert "cdn" not in page.lower()
    export = client.get(f"/dashboard/?campaign={campaign.pk}&format=xlsx")
    assert export.status_code == 200
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[0][1] == "乡镇（街道办）"
    assert {rows[1][1], rows[2][1]} == {"北关镇", "褚庙乡"}
    assert rows[-1][1] == "全县"


@pytest.mark.django_db
def test_township_leads_and_unknown_campaigns_are_refused(client):
    beiguan, _, _ = _county()
    client.force_login(f.make_user(Role.TOWNSHIP_LEAD, township=beiguan))
    assert client.get("/dashboard/").status_code == 403
    client.force_login(f.make_user(Role.GUIDANCE_CENTER))
    assert client.get("/dashboard/?campaign=999999").status_code == 404
    assert client.get("/dashboard/?campaign=abc").status_code == 404


@pytest.mark.django_db
def test_dashboard_runs_the_same_number_of_queries_for_ten_times_the_data(client):
    beiguan, _, campaign = _county(n_premises=2)
    client.force_login(f.make_user(Role.COUNTY_OFFICIAL, county=beiguan.county))
    with CaptureQueriesContext(connection) as small:
        assert client.get(f"/dashboard/?campaign={campaign.pk}").status_code == 200
    for township in (beiguan, beiguan.county.townships.get(name="褚庙乡")):
        plan = township.inspection_plans.get()
        # Brigades with a month of activity (一队一档): counted with the brigades, no query more.
        brigade = f.BrigadeFactory(township=township)
        for _ in range(3):
            brigade_services.training_record(
                brigade=brigade,
                kind="drill",
                held_on=dt.date(2021, 11, 20),
                hours=Decimal(2),
                topic="演练",
                by=None,
            )
            brigade_services.publicity_record(
                brigade=brigade, held_on=dt.date(2021, 11, 21), kind="lecture", place="小学", by=None
            )
        for _ in range(18):
            p = f.PremisesFactory(township=township)
            plan.premises.add(p)
            inspection_services.inspection_record(
                premises=p,
                kind="township",
                inspected_on=dt.date(2021, 11, 21),
                inspectors="专干",
                plan=plan,
                hazards=[
                    {
                        "severity": "general",
                        "description": "灭火器过期",
                        "deadline": dt.date(2021, 12, 1),
                        "responsible_person": "李",
                    }
                ],
            )
    with CaptureQueriesContext(connection) as large:
        assert client.get(f"/dashboard/?campaign={campaign.pk}").status_code == 200
    assert len(large) == len(small)
    # The campaigns; the townships with their funding, plans, kept hazard figures and assignments as
    # columns of their rows, their brigades, the brigades sharing, the equipment required and held;
    # the fires; the assessment scheme; the session, user, profile and unread count. (20 before
    # issue 14's fewer, wider reads.) And the month's grid patrols (inspections.selectors.patrol_figures:
    # the official's townships, then one statement).
    assert len(large) <= 14


@pytest.mark.django_db
def test_the_dashboard_shows_a_new_hazard_at_once(client):
    beiguan, chumiao, campaign = _county(n_premises=2)
    client.force_login(f.make_user(Role.COUNTY_OFFICIAL, county=beiguan.county))
    url = f"/dashboard/?campaign={campaign.pk}"

    def found(response):
        return {row.name: row.hazards_found for row in response.context["data"].rows}

    assert found(client.get(url)) == {"北关镇": 2, "褚庙乡": 0}

    premises = f.PremisesFactory(township=chumiao)
    inspection_services.inspection_record(
        premises=premises,
        kind="township",
        inspected_on=dt.date(2021, 11, 22),
        inspectors="专干",
        hazards=[{"severity": "general", "description": "灭火器过期", "deadline": dt.date(2021, 12, 1),
                  "responsible_person": "李"}],
    )  # fmt: skip
    assert found(client.get(url)) == {"北关镇": 2, "褚庙乡": 1}


@pytest.mark.django_db
def test_a_county_official_sees_only_their_countys_campaigns(client):
    beiguan, _, campaign = _county()
    other_county = f.CountyFactory(name="睢县")
    other = f.CampaignFactory(county=other_county, name="睢县冬春火灾防控")
    client.force_login(f.make_user(Role.COUNTY_OFFICIAL, county=beiguan.county))
    page = client.get("/dashboard/").content.decode()
    assert campaign.name in page
    assert "睢县冬春火灾防控" not in page
    assert client.get(f"/dashboard/?campaign={other.pk}").status_code == 404


@pytest.mark.django_db
def test_dashboard_writes_money_in_wan_yuan_on_the_page_and_in_the_export(client):
    beiguan, _, campaign = _county()
    brigade_services.funding_allocate(
        township=beiguan, year=2021, category="equipment", amount=Decimal(1_234_567)
    )  # with the 1000 of _county: 1,235,567 yuan
    client.force_login(f.make_user(Role.COUNTY_OFFICIAL, county=beiguan.county))
    page = client.get(f"/dashboard/?campaign={campaign.pk}").content.decode()
    assert "<td>123.56</td>" in page
    assert "1235567" not in page
    assert "经费预算（万元）" in page
    export = client.get(f"/dashboard/?campaign={campaign.pk}&format=xlsx")
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    column = rows[0].index("经费预算（万元）")
    by_name = {row[1]: row for row in rows[1:]}
    assert by_name["北关镇"][column] == pytest.approx(123.56)
    assert by_name["褚庙乡"][column] == pytest.approx(0.1)
    assert by_name["全县"][column] == pytest.approx(123.66)


@pytest.mark.django_db
def test_dashboard_charts_put_the_largest_township_first_and_head_every_column_group(client):
    beiguan, _, campaign = _county()
    client.force_login(f.make_user(Role.COUNTY_OFFICIAL, county=beiguan.county))
    response = client.get(f"/dashboard/?campaign={campaign.pk}")
    chart = json.loads(response.context["chart"])
    assert chart["hazards"]["townships"] == ["北关镇", "褚庙乡"]
    assert chart["hazards"]["found"] == [2, 0]
    assert chart["labels"]["last_year"] == "上年同期"
    page = response.content.decode()
    for group in ("专职消防队", "人员和办公经费", "检查计划", "火灾隐患", "会议任务"):
        assert '<th scope="colgroup" colspan="' in page
        assert re.search(rf'<th scope="colgroup" colspan="\d">{group}</th>', page), group
    # Every printed page is headed with the campaign (a CSS string: nothing can leave it).
    assert "@top-left { content: " in page


@pytest.mark.django_db
def test_figures_asked_again_by_another_role_are_that_roles(client):
    """The figures' columns are built once per role and period: a police station covering the
    township, asking after the county official, still reads no funding nor assignments."""
    beiguan, _, campaign = _county()
    official = f.make_user(Role.COUNTY_OFFICIAL, county=beiguan.county)
    station = f.PoliceStationFactory(county=beiguan.county)
    station.townships.add(beiguan)
    police = f.make_user(Role.POLICE_STATION, police_station=station)
    period = campaign_period(campaign, today=TODAY)

    for _ in range(2):
        (seen,) = [r for r in township_figures(user=official, period=period) if r.township_id == beiguan.pk]
        assert (seen.allocated, seen.disbursed, seen.hazards_found) == (Decimal(1000), Decimal(500), 2)
        (theirs,) = township_figures(user=police, period=period)
        assert (theirs.allocated, theirs.funding_ratio, theirs.assignments) == (Decimal(0), None, 0)
        assert theirs.hazards_found == 2


@pytest.mark.django_db
def test_dashboard_counts_late_fire_reports_and_links_to_them_and_to_supervision(client):
    """迟报: the county's late fire reports of the campaign's period (firebrigade.selectors'
    with_report_deadline: reported after the deadline, or never reported and the deadline passed),
    the figure equal to the records the incident list shows for the same dates; 督办 one click away."""
    beiguan, chumiao, campaign = _county()
    fire = dt.datetime(2022, 1, 15, 20, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    f.FireIncidentFactory(township=beiguan, occurred_at=fire)  # reported within the hour
    f.FireIncidentFactory(township=beiguan, occurred_at=fire, reported_at=fire + dt.timedelta(hours=100))
    f.FireIncidentFactory(township=chumiao, occurred_at=fire, reported_at=None)  # never reported
    before = dt.datetime(2021, 10, 1, 9, 0, tzinfo=fire.tzinfo)  # before the campaign: not counted
    f.FireIncidentFactory(township=chumiao, occurred_at=before, reported_at=before + dt.timedelta(days=9))
    office = f.make_user(Role.COUNTY_OFFICIAL, county=beiguan.county)
    client.force_login(office)
    page = client.get(f"/dashboard/?campaign={campaign.pk}").content.decode()
    shown = int(re.search(r'data-testid="late-reports">(\d+)<', page).group(1))
    period = campaign_period(campaign, today=local_today())
    records = incident_list(
        user=office, filters={"late": True, "date_from": period.start, "date_to": period.as_of}
    )
    assert shown == records.count() == 2
    assert 'href="/inspections/supervisions/" data-testid="supervision-link"' in page
    link = re.search(r'href="([^"]+)" data-testid="late-reports-link"', page).group(1).replace("&amp;", "&")
    listing = client.get(link)
    assert listing.status_code == 200
    assert listing.content.decode().count('data-testid="incident-row"') == 2
