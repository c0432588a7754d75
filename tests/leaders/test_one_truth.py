"""One campaign and one set of figures, whatever the door: the dashboard, the 通报, the township
page, the police station's page and the API agree — with a 专项整治 inside the winter-spring season,
two seasons touching, and a past campaign seen as it stood when it ended."""

import datetime as dt

import pytest

from core.clock import local_today
from core.models import Role
from inspections import services as inspection_services
from inspections.models import Campaign
from meetings import services as meeting_services
from tests import factories as f

TODAY = local_today()
DAY = dt.timedelta(days=1)

# The figures every door shows for a township (the 通报 leaves out plans: it is about a period).
SHARED = [
    "hazards_found",
    "hazards_rectified",
    "hazards_open",
    "hazards_overdue",
    "hazards_major",
    "hazards_major_open",
    "hazards_carried_open",
    "rectification_rate",
    "assignments",
    "assignments_closed",
    "assignments_overdue",
    "assignment_rate",
    "active_staff",
    "min_staff",
    "staff_gap",
    "incidents",
    "incidents_last_season",
]
PLANS = ["planned", "inspected", "plan_percent"]
# The township page computes the parts it shows (homes.selectors.HOME_PARTS): not the fires.
PAGE = [name for name in SHARED if not name.startswith("incidents")] + PLANS


def _record(premises, on, hazards=(), plan=None):
    return inspection_services.inspection_record(
        premises=premises,
        kind="township",
        inspected_on=on,
        inspectors="专干",
        plan=plan,
        hazards=[
            {
                "severity": severity,
                "description": "出口堵塞",
                "deadline": deadline,
                "responsible_person": "王",
            }
            for severity, deadline in hazards
        ],
    )


@pytest.fixture
def county(db):
    """Two townships; a past season, a season that ends today touching the one that starts today,
    and a 专项整治 starting today too (created last); hazards, a plan, fires and assignments spread
    over them."""
    beiguan = f.TownshipFactory(name="北关镇")
    chumiao = f.TownshipFactory(name="褚庙乡", county=beiguan.county)
    county = beiguan.county
    station = f.PoliceStationFactory(county=county)
    station.townships.add(beiguan)
    campaigns = {
        "past": f.CampaignFactory(
            county=county, name="往年冬春", starts_on=TODAY - 730 * DAY, ends_on=TODAY - 400 * DAY
        ),
        "ending": f.CampaignFactory(
            county=county, name="上一冬春", starts_on=TODAY - 364 * DAY, ends_on=TODAY
        ),
        "season": f.CampaignFactory(
            county=county, name="本年冬春", starts_on=TODAY, ends_on=TODAY + 150 * DAY
        ),
        "special": f.CampaignFactory(
            county=county,
            name="专项整治",
            kind=Campaign.Kind.SPECIAL,
            starts_on=TODAY,
            ends_on=TODAY + 30 * DAY,
        ),
    }
    p1, p2 = f.PremisesFactory(township=beiguan), f.PremisesFactory(township=chumiao)
    # In the past season: one hazard, rectified only long after that season ended.
    (late,) = _record(p1, TODAY - 700 * DAY, [("general", TODAY - 690 * DAY)]).hazards.all()
    inspection_services.hazard_rectify(
        hazard=late, rectified_on=TODAY - 100 * DAY, rectified_by="王", measures="清理"
    )
    inspection_services.hazard_reinspect(
        hazard=late, inspected_on=TODAY - 99 * DAY, inspectors="李", passed=True
    )
    # In the season ending today: two hazards still open (one overdue); in both seasons: a major one.
    _record(p1, TODAY - 100 * DAY, [("general", TODAY - 90 * DAY), ("general", TODAY + 5 * DAY)])
    plan = inspection_services.inspection_plan_create(
        campaign=campaigns["season"],
        township=beiguan,
        title="本年计划",
        due_on=TODAY + 20 * DAY,
        premises=[p1],
    )
    _record(p1, TODAY, [("major", TODAY + 10 * DAY)], plan=plan)
    _record(p2, TODAY - 10 * DAY, [("general", TODAY - DAY)])
    # Fires: one last year, one yesterday (the ending season), one today (both seasons).
    for days in (365, 1, 0):
        f.FireIncidentFactory(township=beiguan, occurred_at=f"{TODAY - days * DAY}T10:00:00+08:00")
    # A meeting fifty days ago: one assignment overdue, one closed.
    directive = f.DirectiveFactory(
        meeting=f.MeetingFactory(county=county, held_at=f"{TODAY - 50 * DAY}T15:00:00+08:00")
    )
    for township in (beiguan, chumiao):
        f.AssignmentFactory(directive=directive, township=township, deadline=TODAY - 5 * DAY)
    done = directive.assignments.get(township=chumiao)
    meeting_services.assignment_report_progress(
        assignment=done, reported_on=TODAY - 6 * DAY, percent=100, text="完成", by=None
    )
    meeting_services.assignment_close(assignment=done, closed_on=TODAY - 6 * DAY, by=None)
    users = {
        "official": f.make_user(Role.COUNTY_OFFICIAL, county=county),
        "beiguan": f.make_user(Role.TOWNSHIP_LEAD, township=beiguan),
        "chumiao": f.make_user(Role.TOWNSHIP_LEAD, township=chumiao),
        "police": f.make_user(Role.POLICE_STATION, police_station=station),
    }
    return {"townships": (beiguan, chumiao), "campaigns": campaigns, "users": users}


def _dashboard(client, user, campaign=None):
    client.force_login(user)
    response = client.get("/dashboard/", {"campaign": campaign.pk} if campaign else {})
    assert response.status_code == 200
    data = response.context["data"]
    return data.campaign, {r.township_id: r for r in data.rows}


def _bulletin(client, user, campaign=None):
    client.force_login(user)
    response = client.get("/reports/bulletin/", {"campaign": campaign.pk} if campaign else {})
    assert response.status_code == 200
    return response.context["scope"].campaign, {
        r.figures.township_id: r for r in response.context["data"].rows
    }


def _township_page(client, user, township, campaign=None):
    client.force_login(user)
    response = client.get(f"/townships/{township.pk}/", {"campaign": campaign.pk} if campaign else {})
    assert response.status_code == 200
    home = response.context["home"]
    return home.campaign, home.figures


def _api(client, user, campaign=None):
    client.force_login(user)
    response = client.get("/api/v1/township-figures/", {"campaign": campaign.pk} if campaign else {})
    assert response.status_code == 200
    rows = response.json()
    assert len({row["campaign"] for row in rows}) == 1
    return Campaign.objects.get(pk=rows[0]["campaign"]), {row["township"]: row for row in rows}


def _values(figures, names):
    if isinstance(figures, dict):
        return {name: figures[name] for name in names}
    return {name: getattr(figures, name) for name in names}


@pytest.mark.django_db
def test_every_door_shows_the_season_not_the_special_campaign_nor_the_one_ending(client, county):
    users, season = county["users"], county["campaigns"]["season"]
    beiguan, chumiao = county["townships"]
    assert _dashboard(client, users["official"])[0] == season
    assert _bulletin(client, users["official"])[0] == season
    assert _township_page(client, users["beiguan"], beiguan)[0] == season
    assert _township_page(client, users["official"], chumiao)[0] == season
    assert _api(client, users["official"])[0] == season
    client.force_login(users["police"])
    assert client.get("/townships/police/").context["home"].campaign == season
    current = client.get("/api/v1/campaigns/current/")
    assert current.status_code == 200
    assert current.json()["id"] == season.pk


@pytest.mark.django_db
def test_the_current_campaigns_figures_are_the_same_through_every_door(client, county):
    users = county["users"]
    beiguan, chumiao = county["townships"]
    _, dashboard = _dashboard(client, users["official"])
    _, bulletin = _bulletin(client, users["official"])
    _, api = _api(client, users["official"])
    for township in (beiguan, chumiao):
        _, page = _township_page(client, users["official"], township)
        expected = _values(dashboard[township.pk], SHARED + PLANS)
        assert _values(page, PAGE) == _values(dashboard[township.pk], PAGE), township.name
        assert _values(api[township.pk], SHARED + PLANS) == expected, township.name
        assert _values(bulletin[township.pk].figures, SHARED) == _values(dashboard[township.pk], SHARED)
    # And they are the season's: found in it (today's major hazard), carried over from before it.
    figures = dashboard[beiguan.pk]
    assert (figures.hazards_found, figures.hazards_major, figures.hazards_overdue) == (1, 1, 0)
    assert figures.hazards_carried_open == 2
    assert (figures.planned, figures.inspected) == (1, 1)
    assert (figures.incidents, figures.incidents_last_season) == (1, 1)
    assert (figures.assignments, figures.assignments_overdue) == (1, 1)
    assert (dashboard[chumiao.pk].hazards_carried_open, dashboard[chumiao.pk].hazards_overdue) == (1, 0)
    # The lead's own page shows what the county sees.
    _, own = _township_page(client, users["beiguan"], beiguan)
    assert _values(own, PAGE) == _values(figures, PAGE)


@pytest.mark.django_db
@pytest.mark.parametrize("which", ["ending", "special", "past"])
def test_a_chosen_campaigns_figures_are_the_same_through_every_door(client, county, which):
    users, campaign = county["users"], county["campaigns"][which]
    chosen, dashboard = _dashboard(client, users["official"], campaign)
    assert chosen == campaign
    assert _bulletin(client, users["official"], campaign)[0] == campaign
    assert _api(client, users["official"], campaign)[0] == campaign
    _, bulletin = _bulletin(client, users["official"], campaign)
    _, api = _api(client, users["official"], campaign)
    for township in county["townships"]:
        shown, page = _township_page(client, users["official"], township, campaign)
        assert shown == campaign
        expected = _values(dashboard[township.pk], SHARED + PLANS)
        assert _values(page, PAGE) == _values(dashboard[township.pk], PAGE)
        assert _values(api[township.pk], SHARED + PLANS) == expected
        assert _values(bulletin[township.pk].figures, SHARED) == _values(dashboard[township.pk], SHARED)


@pytest.mark.django_db
def test_a_past_campaign_is_shown_as_it_stood_when_it_ended(client, county):
    users, past = county["users"], county["campaigns"]["past"]
    beiguan, _ = county["townships"]
    _, dashboard = _dashboard(client, users["official"], past)
    row = dashboard[beiguan.pk]
    # Rectified a year after the season ended: open and overdue at its end.
    assert (row.hazards_found, row.hazards_rectified, row.hazards_open, row.hazards_overdue) == (1, 0, 1, 1)
    response = client.get("/reports/bulletin/", {"campaign": past.pk})
    data = response.context["data"]
    assert (data.start, data.end) == (past.starts_on, past.ends_on)
    (bulletin_row,) = [r for r in data.rows if r.figures.township_id == beiguan.pk]
    assert _values(bulletin_row.figures, SHARED) == _values(row, SHARED)
    _, page = _township_page(client, users["beiguan"], beiguan, past)
    assert _values(page, PAGE) == _values(row, PAGE)


@pytest.mark.django_db
def test_a_campaign_of_another_county_is_not_found_on_any_page(client, county):
    users = county["users"]
    beiguan, _ = county["townships"]
    elsewhere = f.CampaignFactory(name="外县冬春", county=f.CountyFactory(name="睢县"))
    client.force_login(users["official"])
    assert client.get("/dashboard/", {"campaign": elsewhere.pk}).status_code == 404
    assert client.get("/reports/bulletin/", {"campaign": elsewhere.pk}).status_code == 404
    assert client.get(f"/townships/{beiguan.pk}/", {"campaign": elsewhere.pk}).status_code == 404
    assert client.get("/api/v1/township-figures/", {"campaign": elsewhere.pk}).status_code == 404


# --- the demo county: every township, the current and a past campaign --------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("which", ["current", "past"])
def test_in_the_demo_county_every_townships_figures_agree_through_every_door(client, demo, which):
    from django.contrib.auth import get_user_model

    official = get_user_model().objects.get(username="county")
    campaigns = Campaign.objects.order_by("starts_on")
    campaign = campaigns.last() if which == "current" else campaigns.first()
    assert campaigns.count() >= 2  # the demo has a current season and the 2021 one
    chosen, dashboard = _dashboard(client, official, campaign)
    _, bulletin = _bulletin(client, official, campaign)
    _, api = _api(client, official, campaign)
    assert chosen == campaign
    assert len(dashboard) == len(bulletin) == len(api) > 10
    for township_id, row in dashboard.items():
        township = row.brigade_gap.township
        _, page = _township_page(client, official, township, campaign)
        expected = _values(row, SHARED + PLANS)
        assert _values(page, PAGE) == _values(row, PAGE), township.name
        assert _values(api[township_id], SHARED + PLANS) == expected, township.name
        assert _values(bulletin[township_id].figures, SHARED) == _values(row, SHARED), township.name
    # Not all zero: the demo has hazards and assignments in the 2021 season.
    if which == "past":
        assert sum(r.hazards_found for r in dashboard.values()) > 0
        assert sum(r.assignments for r in dashboard.values()) > 0


@pytest.mark.django_db
def test_the_township_page_offers_every_campaign_of_its_county_to_choose(client, county):
    beiguan, _ = county["townships"]
    client.force_login(county["users"]["beiguan"])
    page = client.get(f"/townships/{beiguan.pk}/").content.decode()
    for campaign in county["campaigns"].values():
        assert f'<option value="{campaign.pk}"' in page
    assert f'<option value="{county["campaigns"]["season"].pk}" selected>' in page
