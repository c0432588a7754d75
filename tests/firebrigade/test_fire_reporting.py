"""Fires to the national rules: the grade (火灾等级) at every threshold of the 2007 standard, the
reporting deadlines the guidance center sets (Asia/Shanghai, at the boundaries), the late flag (迟报)
in the list and the API, the township lead's report page, and the refusals that write nothing."""

import datetime as dt
from decimal import Decimal
from importlib import import_module
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from core.exceptions import ApplicationError, ConflictError
from core.models import Role
from firebrigade import selectors, services
from firebrigade.models import FireGrade, FireIncident, FireReportingRule
from tests.factories import (
    SHANGHAI,
    BrigadeFactory,
    CountyFactory,
    FireIncidentFactory,
    PoliceStationFactory,
    PremisesFactory,
    TownshipFactory,
    UserFactory,
    make_user,
)

SEEDING = import_module("firebrigade.migrations.0005_fire_grades_and_reporting")

pytestmark = pytest.mark.django_db

API = "/api/v1/incidents/"
FIRE = dt.datetime(2022, 1, 15, 20, 30, tzinfo=SHANGHAI)
SECOND = dt.timedelta(seconds=1)
HOUR = dt.timedelta(hours=1)


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def world():
    county = CountyFactory(name="民权县")
    beiguan = TownshipFactory(county=county, name="北关镇")
    chumiao = TownshipFactory(county=county, name="褚庙乡")
    station = PoliceStationFactory(county=county, name="城关派出所")
    station.townships.add(beiguan)
    return SimpleNamespace(
        county=county,
        beiguan=beiguan,
        chumiao=chumiao,
        premises_bg=PremisesFactory(township=beiguan, name="北关超市"),
        premises_cm=PremisesFactory(township=chumiao, name="褚庙仓库"),
        brigade_bg=BrigadeFactory(township=beiguan, name="北关镇专职消防队"),
        center=make_user(Role.GUIDANCE_CENTER, username="center"),
        office=make_user(Role.COUNTY_OFFICIAL, username="office", county=county),
        beiguan_lead=make_user(Role.TOWNSHIP_LEAD, username="beiguan-lead", township=beiguan),
        chumiao_lead=make_user(Role.TOWNSHIP_LEAD, username="chumiao-lead", township=chumiao),
        police=make_user(Role.POLICE_STATION, username="police", police_station=station),
    )


def record(township, **kwargs) -> FireIncident:
    values = {"occurred_at": FIRE, "address": "测试村", "cause": FireIncident.Cause.HEATING, "by": None}
    values.update(kwargs)
    return services.fire_incident_record(township=township, **values)


def seed_rules():
    """The rules as the migration seeds them: a transactional test run before flushes the rows
    migrations wrote."""
    SEEDING.grade_and_report_existing_fires(django_apps, None)


def snapshot():
    return (
        list(FireIncident.objects.order_by("id").values()),
        FireIncident.history.count(),
        list(FireReportingRule.objects.order_by("id").values()),
    )


def set_rule(grade, hours, hours_with_deaths):
    FireReportingRule.objects.update_or_create(
        grade=grade, defaults={"hours": hours, "hours_with_deaths": hours_with_deaths}
    )


def late_row(incident, *, now=None):
    return selectors.with_report_deadline(FireIncident.objects.filter(pk=incident.pk), now=now).get()


# --- the grade: one function, at every boundary ---------------------------------------------

MILLION = Decimal(1_000_000)


@pytest.mark.parametrize(
    ("deaths", "serious", "loss", "grade"),
    [
        (0, 0, Decimal(0), FireGrade.GENERAL),
        (2, 9, 10 * MILLION - Decimal("0.01"), FireGrade.GENERAL),
        (3, 0, Decimal(0), FireGrade.LARGER),
        (0, 10, Decimal(0), FireGrade.LARGER),
        (0, 0, 10 * MILLION, FireGrade.LARGER),
        (9, 49, 50 * MILLION - Decimal("0.01"), FireGrade.LARGER),
        (10, 0, Decimal(0), FireGrade.MAJOR),
        (0, 50, Decimal(0), FireGrade.MAJOR),
        (0, 0, 50 * MILLION, FireGrade.MAJOR),
        (29, 99, 100 * MILLION - Decimal("0.01"), FireGrade.MAJOR),
        (30, 0, Decimal(0), FireGrade.ESPECIALLY_MAJOR),
        (0, 100, Decimal(0), FireGrade.ESPECIALLY_MAJOR),
        (0, 0, 100 * MILLION, FireGrade.ESPECIALLY_MAJOR),
        (2, 100, Decimal(0), FireGrade.ESPECIALLY_MAJOR),  # any one of the three suffices
    ],
)
def test_the_grade_follows_the_national_thresholds_and_is_stored(world, deaths, serious, loss, grade):
    assert services.fire_grade(deaths=deaths, serious_injuries=serious, direct_loss=loss) == grade
    fire = record(world.beiguan, deaths=deaths, injuries=serious, serious_injuries=serious, direct_loss=loss)
    assert FireIncident.objects.get(pk=fire.pk).grade == grade
    assert FireIncident.objects.filter(grade=grade).count() == 1


def test_a_correction_grades_the_fire_again(world):
    fire = record(world.beiguan, direct_loss=Decimal(5000))
    assert fire.grade == FireGrade.GENERAL
    services.fire_incident_update(incident=fire, data={"deaths": 3}, by=world.beiguan_lead)
    assert FireIncident.objects.get(pk=fire.pk).grade == FireGrade.LARGER
    services.fire_incident_update(incident=fire, data={"deaths": 0}, by=world.beiguan_lead)
    assert FireIncident.objects.get(pk=fire.pk).grade == FireGrade.GENERAL


def test_the_database_refuses_a_grade_the_figures_do_not_give(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        FireIncidentFactory(township=world.beiguan, deaths=3)  # stays 一般火灾: refused
    with pytest.raises(IntegrityError), transaction.atomic():
        FireIncidentFactory(township=world.beiguan, grade=FireGrade.MAJOR)
    assert not FireIncident.objects.exists()


# --- reporting deadlines (Asia/Shanghai) ----------------------------------------------------


@pytest.mark.parametrize(
    ("after", "late"),
    [(24 * HOUR - SECOND, False), (24 * HOUR, False), (24 * HOUR + SECOND, True)],
)
def test_an_ordinary_fire_is_due_within_24_hours_to_the_second(world, after, late):
    fire = record(world.beiguan, reported_at=FIRE + after)
    row = late_row(fire)
    assert (row.report_hours, row.report_deadline, row.is_late_report) == (24, FIRE + 24 * HOUR, late)


@pytest.mark.parametrize(
    ("figures", "hours"),
    [
        ({}, 24),
        ({"deaths": 1}, 2),  # 一般火灾 with a death: at once
        ({"deaths": 3}, 2),
        ({"direct_loss": 50 * MILLION}, 1),
        ({"direct_loss": 100 * MILLION}, 1),
    ],
)
def test_the_default_deadline_depends_on_the_grade_and_on_deaths(world, figures, hours):
    fire = record(world.beiguan, reported_at=FIRE + hours * HOUR + SECOND, **figures)
    row = late_row(fire)
    assert (row.report_hours, row.is_late_report) == (hours, True)
    FireIncident.objects.filter(pk=fire.pk).update(reported_at=FIRE + hours * HOUR)
    assert late_row(fire).is_late_report is False


def test_the_centers_rule_replaces_the_default_for_its_grade_only(world):
    ordinary = record(world.beiguan, reported_at=FIRE + 13 * HOUR)
    larger = record(world.beiguan, deaths=3, reported_at=FIRE + 90 * dt.timedelta(minutes=1))
    assert (late_row(ordinary).is_late_report, late_row(larger).is_late_report) == (False, False)
    set_rule(FireGrade.GENERAL, 12, 1)
    assert (late_row(ordinary).report_hours, late_row(ordinary).is_late_report) == (12, True)
    assert late_row(larger).report_hours == 2  # 较大火灾 keeps its own


def test_the_rules_are_seeded_and_without_them_the_defaults_apply(world):
    # The migration's seeding, run again here: a transactional test before this one flushes the rows
    # migrations wrote.
    FireReportingRule.objects.all().delete()
    seed_rules()
    seeded = {r.grade: (r.hours, r.hours_with_deaths) for r in FireReportingRule.objects.all()}
    assert seeded == {"general": (24, 2), "larger": (2, 2), "major": (1, 1), "especially_major": (1, 1)}
    fire = record(world.beiguan, deaths=1, reported_at=FIRE + 2 * HOUR + SECOND)
    FireReportingRule.objects.all().delete()
    assert (late_row(fire).report_hours, late_row(fire).is_late_report) == (2, True)
    with translation.override("zh-hans"):
        first = next((str(r.label), r.hours, r.hours_with_deaths) for r in selectors.report_rules())
    assert first == (
        "一般火灾",
        24,
        2,
    )


def test_a_fire_at_2330_reported_at_0010_counts_40_minutes_across_local_midnight(world):
    """23:30 Shanghai is 15:30 UTC; 00:10 the next local day is still 16:10 UTC of the same UTC day."""
    set_rule(FireGrade.GENERAL, 1, 1)
    fire = record(world.beiguan, occurred_at=at(2022, 1, 20, 23, 30), reported_at=at(2022, 1, 21, 0, 10))
    row = late_row(fire)
    assert row.report_deadline == at(2022, 1, 21, 0, 30)
    assert row.is_late_report is False
    FireIncident.objects.filter(pk=fire.pk).update(reported_at=at(2022, 1, 21, 0, 30, 1))
    assert late_row(fire).is_late_report is True
    # The fire is of its local day, 20 January, in the filters too.
    visible = selectors.incident_list(
        user=world.center, filters={"date_from": "2022-01-20", "date_to": "2022-01-20"}
    )
    assert list(visible) == [fire]


def test_a_fire_not_yet_reported_is_late_once_its_deadline_passes(world):
    fire = record(world.beiguan, reported_at=None)
    deadline = FIRE + 24 * HOUR
    assert late_row(fire, now=deadline).is_late_report is False
    assert late_row(fire, now=deadline + SECOND).is_late_report is True


def test_the_center_edits_the_deadlines_in_the_admin(world, client):
    seed_rules()
    admin = UserFactory(username="center-admin", is_superuser=True, is_staff=True)
    client.force_login(admin)
    fire = record(world.beiguan, reported_at=FIRE + 6 * HOUR)
    assert late_row(fire).is_late_report is False
    assert client.get("/admin/firebrigade/firereportingrule/").status_code == 200
    rule = FireReportingRule.objects.get(grade=FireGrade.GENERAL)
    url = f"/admin/firebrigade/firereportingrule/{rule.pk}/change/"
    response = client.post(
        url, {"grade": FireGrade.GENERAL, "hours": "4", "hours_with_deaths": "1", "note": "县指导中心规定"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    rule.refresh_from_db()
    assert (rule.hours, rule.history.first().history_user) == (4, admin)
    assert late_row(fire).is_late_report is True
    refused = client.post(url, {"grade": FireGrade.GENERAL, "hours": "0", "hours_with_deaths": "1"})
    assert refused.status_code == 200  # the form again, with its error
    rule.refresh_from_db()
    assert rule.hours == 4
    assert client.post(f"/admin/firebrigade/firereportingrule/{rule.pk}/delete/").status_code == 403


# --- who sets the time reported --------------------------------------------------------------


def test_a_leads_report_is_stamped_with_the_moment_it_is_recorded(world):
    fire = record(world.beiguan, by=world.beiguan_lead)
    assert fire.reported_at is not None
    assert fire.history.get().history_user == world.beiguan_lead
    assert late_row(fire).is_late_report is True  # 2022's fire reported today: years late


def test_only_the_center_types_in_a_time_reported(world):
    before = snapshot()
    with pytest.raises(PermissionDenied, match="纸质报告的报告时间由指导中心"):
        record(world.beiguan, reported_at=FIRE + HOUR, by=world.beiguan_lead)
    fire = record(world.beiguan, reported_at=FIRE + HOUR, by=world.center)
    with pytest.raises(PermissionDenied):
        services.fire_incident_update(
            incident=fire, data={"reported_at": FIRE + 2 * HOUR}, by=world.beiguan_lead
        )
    assert FireIncident.objects.get(pk=fire.pk).reported_at == FIRE + HOUR
    # The same value sent back (a PUT of the whole record) is no change.
    services.fire_incident_update(
        incident=fire, data={"reported_at": FIRE + HOUR, "arrival_minutes": 9}, by=world.beiguan_lead
    )
    assert len(snapshot()[0]) == len(before[0]) + 1


def test_once_reported_the_time_of_the_fire_is_the_centers_to_correct(world):
    fire = record(world.beiguan, reported_at=FIRE + 30 * HOUR, by=world.center)
    assert late_row(fire).is_late_report is True
    before = snapshot()

    with pytest.raises(PermissionDenied):
        services.fire_incident_update(
            incident=fire, data={"occurred_at": FIRE + 20 * HOUR}, by=world.beiguan_lead
        )

    assert snapshot() == before
    assert late_row(fire).is_late_report is True
    services.fire_incident_update(incident=fire, data={"occurred_at": FIRE + 20 * HOUR}, by=world.center)
    assert late_row(fire).is_late_report is False
    # Before the fire is reported its lead still corrects the time.
    unreported = record(world.beiguan, reported_at=None, by=world.center)
    services.fire_incident_update(
        incident=unreported, data={"occurred_at": FIRE + HOUR}, by=world.beiguan_lead
    )
    assert FireIncident.objects.get(pk=unreported.pk).occurred_at == FIRE + HOUR


def test_a_lead_reports_a_fire_the_county_recorded_first_once(world):
    fire = record(world.beiguan, reported_at=None, by=world.center)
    with pytest.raises(PermissionDenied):
        services.fire_incident_report(incident=fire, by=world.chumiao_lead)
    services.fire_incident_report(incident=fire, by=world.beiguan_lead)
    stamped = FireIncident.objects.get(pk=fire.pk).reported_at
    assert stamped is not None
    with pytest.raises(ConflictError, match="已于"):
        services.fire_incident_report(incident=fire, by=world.beiguan_lead)
    assert FireIncident.objects.get(pk=fire.pk).reported_at == stamped


# --- refusals write nothing ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"reported_at": FIRE - SECOND}, "早于起火时间"),
        ({"occurred_at": at(2099, 1, 1, 10, 0), "reported_at": None}, "不能登记未发生的火灾"),
        ({"reported_at": at(2099, 1, 1, 10, 0)}, "报告时间晚于当前时间"),
        ({"deaths": -1}, "不能为负数"),
        ({"injuries": 1, "serious_injuries": -1}, "不能为负数"),
        ({"direct_loss": Decimal(-1)}, "不能为负数"),
        ({"burned_area_m2": Decimal(-1)}, "不能为负数"),
        ({"injuries": 1, "serious_injuries": 2}, "不能多于受伤人数"),
    ],
)
def test_bad_fires_are_refused_and_nothing_is_written(world, kwargs, message):
    before = snapshot()
    with pytest.raises(ApplicationError, match=message):
        record(world.beiguan, by=world.center, **kwargs)
    assert snapshot() == before


def test_a_correction_reported_before_the_fire_is_refused(world):
    fire = record(world.beiguan, reported_at=FIRE + HOUR)
    before = snapshot()
    with pytest.raises(ApplicationError, match="早于起火时间"):
        services.fire_incident_update(incident=fire, data={"occurred_at": FIRE + 2 * HOUR}, by=world.center)
    assert snapshot() == before


def test_a_lead_cannot_report_for_another_township(world):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        record(world.beiguan, by=world.chumiao_lead)
    with pytest.raises(PermissionDenied):
        record(world.chumiao, premises=world.premises_bg, by=world.chumiao_lead)
    assert snapshot() == before


# --- the API ----------------------------------------------------------------------------------


def api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def payload(township, **extra):
    return {
        "township": township.pk,
        "occurred_at": "2022-01-20T23:30:00+08:00",
        "address": "北关镇东街",
        "cause": "heating",
        **extra,
    }


def test_the_api_shows_grade_deadline_and_late_flag_and_filters_by_them(world):
    in_time = record(world.beiguan, reported_at=FIRE + HOUR)
    late = record(world.beiguan, occurred_at=FIRE - HOUR, reported_at=FIRE + 24 * HOUR, deaths=3)
    client = api(world.office)
    rows = {row["id"]: row for row in client.get(API).json()["results"]}
    assert rows[late.pk]["is_late_report"] is True
    assert rows[late.pk]["grade"] == "larger"
    assert rows[late.pk]["grade_display"] == "较大火灾"
    assert rows[late.pk]["report_hours"] == 2
    assert rows[late.pk]["report_deadline"] == "2022-01-15T21:30:00+08:00"
    assert rows[in_time.pk]["is_late_report"] is False
    assert rows[in_time.pk]["reported_at"] == "2022-01-15T21:30:00+08:00"
    assert [r["id"] for r in client.get(API, {"late": "true"}).json()["results"]] == [late.pk]
    assert [r["id"] for r in client.get(API, {"late": "false"}).json()["results"]] == [in_time.pk]
    assert [r["id"] for r in client.get(API, {"grade": "larger"}).json()["results"]] == [late.pk]


def test_a_lead_posts_a_fire_of_their_township_and_it_is_stamped(world):
    response = api(world.beiguan_lead).post(
        API, payload(world.beiguan, deaths=1, injuries=12, serious_injuries=10), format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["grade"], body["report_hours"], body["is_late_report"]) == ("larger", 2, True)
    assert body["reported_at"] is not None


@pytest.mark.parametrize(
    ("user", "extra", "status"),
    [
        ("chumiao_lead", {}, 403),  # 北关镇 is not theirs
        ("beiguan_lead", {"reported_at": "2022-01-21T00:10:00+08:00"}, 403),  # only the center types it
        ("police", {}, 403),
        ("center", {"reported_at": "2022-01-20T23:29:59+08:00"}, 400),
        ("center", {"occurred_at": "2099-01-01T10:00:00+08:00"}, 400),
        ("center", {"deaths": -1}, 400),
        ("center", {"burned_area_m2": "-5"}, 400),
        ("center", {"injuries": 1, "serious_injuries": 2}, 400),
    ],
)
def test_the_api_refuses_and_writes_nothing(world, user, extra, status):
    before = snapshot()
    response = api(getattr(world, user)).post(API, payload(world.beiguan, **extra), format="json")
    assert response.status_code == status, response.content
    assert snapshot() == before


def test_the_center_records_a_paper_report_and_one_not_reported_yet(world):
    client = api(world.center)
    paper = client.post(API, payload(world.beiguan, reported_at="2022-01-21T00:10:00+08:00"), format="json")
    assert paper.status_code == 201, paper.content
    assert (paper.json()["reported_at"], paper.json()["is_late_report"]) == (
        "2022-01-21T00:10:00+08:00",
        False,
    )
    unreported = client.post(API, payload(world.beiguan, reported_at=None), format="json")
    assert unreported.json()["reported_at"] is None
    assert unreported.json()["is_late_report"] is True  # its 24 hours passed long ago
    pk = unreported.json()["id"]
    assert api(world.chumiao_lead).post(f"{API}{pk}/report/").status_code == 404
    reported = api(world.beiguan_lead).post(f"{API}{pk}/report/")
    assert reported.status_code == 200, reported.content
    assert reported.json()["reported_at"] is not None
    assert api(world.beiguan_lead).post(f"{API}{pk}/report/").status_code == 409


def test_a_lead_sees_only_their_townships_fires(world):
    own = record(world.beiguan)
    record(world.chumiao)
    assert [r["id"] for r in api(world.beiguan_lead).get(API).json()["results"]] == [own.pk]
    page = Client()
    page.force_login(world.beiguan_lead)
    rows = page.get("/brigades/incidents/").context["page_obj"].object_list
    assert [row.pk for row in rows] == [own.pk]


# --- the lead's report page ---------------------------------------------------------------------


def page_for(user, language="zh-hans") -> Client:
    client = Client()
    client.cookies["django_language"] = language
    client.force_login(user)
    return client


def form_data(**extra):
    data = {
        "occurred_at": "2022-01-20T23:30",
        "address": "北关镇东街 12 号",
        "cause": "heating",
        "deaths": "0",
        "injuries": "1",
        "serious_injuries": "0",
        "direct_loss": "8000",
        "burned_area_m2": "35",
        "arrival_minutes": "11",
        "description": "",
    }
    data.update(extra)
    return data


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("zh-hans", ["火灾上报", "起火时间", "一般火灾：24 小时"]),
        ("en", ["Report a fire", "Time of fire", "Ordinary fire: 24 hours"]),
    ],
)
def test_the_report_page_opens_for_a_lead_in_both_languages(world, language, words):
    response = page_for(world.beiguan_lead, language).get("/brigades/incidents/report/")
    assert response.status_code == 200
    text = response.content.decode()
    for word in words:
        assert word in text
    form = response.context["form"]
    assert "township" not in form.fields  # their own, fixed
    assert list(form.fields["premises"].queryset) == [world.premises_bg]
    assert 'type="datetime-local"' in text


def test_a_lead_reports_a_fire_from_the_page(world):
    response = page_for(world.beiguan_lead).post(
        "/brigades/incidents/report/",
        form_data(premises=world.premises_bg.pk, responding_brigade=world.brigade_bg.pk),
    )
    assert response.status_code == 302
    fire = FireIncident.objects.get()
    assert (fire.township, fire.premises, fire.grade) == (world.beiguan, world.premises_bg, FireGrade.GENERAL)
    assert fire.occurred_at == at(2022, 1, 20, 23, 30)  # read as Beijing time
    assert fire.reported_at is not None
    assert fire.history.get().history_user == world.beiguan_lead
    assert response["Location"] == f"/brigades/incidents/?township={world.beiguan.pk}"


def test_the_page_in_english_says_a_late_report_is_late(world):
    response = page_for(world.beiguan_lead, "en").post(
        "/brigades/incidents/report/", form_data(), follow=True
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Ordinary fire" in text
    assert "late" in text.lower()


@pytest.mark.parametrize(
    ("extra", "text"),
    [
        ({"occurred_at": "2099-01-01T10:00"}, "不能登记未发生的火灾"),
        ({"deaths": "-1"}, "deaths"),
        ({"serious_injuries": "2"}, "重伤人数"),
        ({"premises": "other"}, "premises"),
        ({"cause": ""}, "cause"),
    ],
)
def test_the_page_refuses_bad_reports_and_writes_nothing(world, extra, text):
    if extra.get("premises") == "other":
        extra = {"premises": world.premises_cm.pk}
    before = snapshot()
    response = page_for(world.beiguan_lead).post("/brigades/incidents/report/", form_data(**extra))
    assert response.status_code == 400
    form = response.context["form"]
    assert text in str(form.errors) or text in form.errors
    assert snapshot() == before


def test_the_report_page_is_refused_to_who_does_not_keep_fires(world):
    for user in (world.police, world.office):
        response = page_for(user).get("/brigades/incidents/report/")
        assert response.status_code == 403
        assert page_for(user).post("/brigades/incidents/report/", form_data()).status_code == 403
    assert not FireIncident.objects.exists()


def test_the_center_chooses_the_township_on_the_page(world):
    client = page_for(world.center)
    assert "township" in client.get("/brigades/incidents/report/").context["form"].fields
    response = client.post("/brigades/incidents/report/", form_data(township=world.chumiao.pk))
    assert response.status_code == 302
    assert FireIncident.objects.get().township == world.chumiao


def test_the_list_page_shows_grade_and_late_flag(world):
    record(world.beiguan, reported_at=FIRE + 25 * HOUR)
    record(world.beiguan, occurred_at=FIRE - HOUR, reported_at=FIRE, direct_loss=10 * MILLION)
    client = page_for(world.office)
    text = client.get("/brigades/incidents/").content.decode()
    assert text.count('data-testid="late"') == 1
    assert "较大火灾" in text
    assert "一般火灾" in text
    late_only = client.get("/brigades/incidents/", {"late": "true"}).context["page_obj"].object_list
    assert [row.is_late_report for row in late_only] == [True]


def test_the_trace_back_page_of_a_fire_shows_its_grade_and_late_report(world):
    fire = record(world.beiguan, deaths=3, reported_at=FIRE + 3 * HOUR)
    text = page_for(world.office).get(f"/trace/incidents/{fire.pk}/").content.decode()
    assert "较大火灾" in text
    assert '<strong class="late">迟报</strong>' in text
