import datetime as dt

import pytest
from django.core.management import call_command

from assessments.models import AssessmentScheme, ItemScore
from core import geo
from core.clock import chinese_date, local_today
from core.models import Notification, Role, UserProfile
from demo.loader import demo_load
from firebrigade.models import Brigade, Disbursement, EquipmentItem, FireIncident, FundingAllocation
from inspections.models import (
    Accountability,
    Campaign,
    HandoverAction,
    Hazard,
    HazardHandover,
    HazardSupervision,
    Inspection,
)
from inspections.selectors import hazard_overdue_q
from meetings.models import Assignment, Directive, Meeting, ProgressReport
from notifications import services as reminders
from notifications.models import ChannelEndpoint
from tests import factories as f
from townships.models import County, PoliceStation, Premises, Township


@pytest.mark.django_db
def test_demo_loader_creates_the_seed_county_and_is_idempotent(demo):
    assert demo["townships"] >= 19
    models = (
        County, Township, PoliceStation, Premises, Meeting, Directive, Assignment, ProgressReport, Hazard,
        Campaign, Inspection, Brigade, FundingAllocation, Disbursement, FireIncident, UserProfile,
    )  # fmt: skip
    counts = {m: m.objects.count() for m in models}
    upkeep = set(EquipmentItem.objects.values_list("id", "last_maintained_on", "next_maintenance_on"))
    states = set(Hazard.objects.values_list("id", "status")) | set(
        Assignment.objects.values_list("id", "status")
    )
    assert sum(demo_load().values()) == 0
    assert {m: m.objects.count() for m in models} == counts
    assert set(EquipmentItem.objects.values_list("id", "last_maintained_on", "next_maintenance_on")) == upkeep
    assert (
        set(Hazard.objects.values_list("id", "status")) | set(Assignment.objects.values_list("id", "status"))
        == states
    )

    county = County.objects.get(name="民权县")
    assert county.is_demo
    names = set(county.townships.values_list("name", flat=True))
    assert {"褚庙乡", "北关镇", "花园乡"} <= names
    assert set(county.townships.values_list("kind", flat=True)) == {"township", "town", "subdistrict"}
    meeting = Meeting.objects.get(title__contains="推进会", held_at__year=2021)
    assert meeting.chair == "王景义"
    assert meeting.held_at.date().isoformat() == "2021-11-17"
    assert meeting.statements.filter(township__name="褚庙乡", kind="typical").exists()
    assert meeting.statements.filter(township__name="北关镇", kind="commitment").exists()
    assert set(meeting.directives.values_list("category", flat=True)) == set(Directive.Category.values)
    # Directive 8 is the guidance center's own duty: its department holds it, not the townships.
    assert Assignment.objects.filter(directive__meeting=meeting).count() == 7 * len(names) + 1
    assert Assignment.objects.get(directive__meeting=meeting, directive__number=8).department.name == (
        "县消防安全检查指导服务中心"
    )


@pytest.mark.django_db
def test_load_demo_command_reports_nothing_added_on_rerun(demo, capsys):
    call_command("load_demo")
    assert "未做改动" in capsys.readouterr().out


@pytest.mark.django_db
def test_demo_county_has_brigades_hazards_and_assignments_in_every_state(demo):
    assert set(Brigade.objects.values_list("status", flat=True)) == set(Brigade.Status.values)
    assert set(Hazard.objects.values_list("status", flat=True)) == set(Hazard.Status.values)
    assert set(Assignment.objects.values_list("status", flat=True)) == set(Assignment.Status.values)
    # A rejected re-inspection sent at least one hazard back to rectifying.
    assert Hazard.objects.filter(status="rectifying", reinspections__passed=False).exists()
    assert FireIncident.objects.filter(is_demo=True).count() >= 5
    assert Accountability.objects.filter(incident__isnull=False).exists()


@pytest.mark.django_db
def test_trace_back_of_the_demo_fire_lists_the_inspections_and_hazards_before_it(demo, client):
    incident = FireIncident.objects.get(premises__isnull=False, premises__name__contains="农资仓库")
    client.force_login(f.make_user(Role.COUNTY_OFFICIAL, county=incident.township.county))
    response = client.get(f"/trace/incidents/{incident.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    inspections = incident.premises.inspections.filter(inspected_on__lt=incident.occurred_at.date())
    hazards = Hazard.objects.filter(premises=incident.premises, discovered_on__lt=incident.occurred_at.date())
    assert inspections.count() >= 1
    assert hazards.count() >= 1
    for hazard in hazards:
        assert hazard.description in page
    assert chinese_date(inspections.first().inspected_on) in page  # as every page writes a date
    assert "（逾期）" in page  # the hazard left unfixed on the day of the fire
    assert "罚款人民币五万元" in page  # the accountability that followed
    assert "诫勉谈话" in page


@pytest.mark.django_db
def test_trace_back_of_premises_and_assignment_render(demo, client):
    client.force_login(f.make_user(Role.GUIDANCE_CENTER))
    hazard = Hazard.objects.filter(status="verified").select_related("premises").first()
    page = client.get(f"/trace/premises/{hazard.premises_id}/").content.decode()
    assert hazard.description in page
    assert "复查合格" in page
    assignment = Assignment.objects.filter(status="closed").first()
    page = client.get(f"/trace/assignments/{assignment.pk}/").content.decode()
    assert assignment.directive.text[:10] in page
    assert "办结" in page


@pytest.mark.django_db
def test_a_township_lead_cannot_trace_another_townships_records(demo, client):
    incident = FireIncident.objects.get(premises__name__contains="农资仓库")  # 花园乡
    other = f.TownshipFactory(name="北关镇", county=incident.township.county)
    client.force_login(f.make_user(Role.TOWNSHIP_LEAD, township=other))
    assert client.get(f"/trace/incidents/{incident.pk}/").status_code == 404
    assert client.get(f"/trace/premises/{incident.premises_id}/").status_code == 404
    assignment = Assignment.objects.exclude(township=other).first()
    assert client.get(f"/trace/assignments/{assignment.pk}/").status_code == 404
    own = Assignment.objects.filter(township=other).first()
    assert client.get(f"/trace/assignments/{own.pk}/").status_code == 200


@pytest.mark.django_db
def test_trace_back_page_runs_a_fixed_number_of_queries(demo, client, django_assert_max_num_queries):
    client.force_login(f.make_user(Role.GUIDANCE_CENTER))
    premises = Hazard.objects.values_list("premises_id", flat=True).first()
    with django_assert_max_num_queries(20):
        assert client.get(f"/trace/premises/{premises}/").status_code == 200


@pytest.mark.django_db
def test_every_demo_township_has_a_principal_leader_whom_overdue_hazards_escalate_to(demo):
    leader = UserProfile.objects.select_related("user").get(user__username="beiguan_leader")
    assert leader.is_principal_leader
    assert leader.township.name == "北关镇"
    leaders = UserProfile.objects.filter(is_principal_leader=True, user__is_active=True)
    assert sorted(leaders.values_list("township__name", flat=True)) == sorted(
        Township.objects.values_list("name", flat=True)
    )
    today = local_today()
    reminders.reminders_run(on=today)
    escalated = Notification.objects.filter(rule="hazard_escalate_township")
    for hazard in Hazard.objects.filter(hazard_overdue_q(today), deadline__lte=today - dt.timedelta(days=7)):
        assert escalated.filter(object_id=hazard.pk, recipient__profile__township=hazard.township).exists()


@pytest.mark.django_db
def test_the_demo_accounts_log_in_with_their_roles(demo, client):
    """The accounts the README lists exist with their roles (their password is printed once, so the
    test sets one to log in)."""
    expected = {
        "county": Role.COUNTY_OFFICIAL,
        "center": Role.GUIDANCE_CENTER,
        "beiguan": Role.TOWNSHIP_LEAD,
        "chumiao": Role.TOWNSHIP_LEAD,
        "police_beiguan": Role.POLICE_STATION,
        "market_beiguan": Role.PREMISES_RESPONSIBLE,
        "fire_rescue": Role.FIRE_RESCUE,
        "dept_center": Role.COUNTY_DEPARTMENT,
        "dept_finance": Role.COUNTY_DEPARTMENT,
        "dept_police": Role.COUNTY_DEPARTMENT,
        "beiguan_leader": Role.TOWNSHIP_LEAD,
        "huayuan_leader": Role.TOWNSHIP_LEAD,
    }
    profiles = UserProfile.objects.filter(user__username__in=expected).select_related("user")
    assert {p.user.username: p.role for p in profiles} == expected
    user = profiles.get(user__username="huayuan_leader").user
    assert user.has_usable_password()
    user.set_password("Demo-huayuan-2026!")
    user.save()
    login = {"username": "huayuan_leader", "password": "Demo-huayuan-2026!"}
    assert client.post("/accounts/login/", login).status_code == 302
    township = user.profile.township
    assert client.get(f"/townships/{township.pk}/").status_code == 200


@pytest.mark.django_db
def test_the_demo_county_departments_fire_rescue_hand_over_and_listing(demo, client):
    """The county departments each with an account, the 2021 directive 8 on the guidance center's
    department's list; a hazard handed over to the fire rescue authority, acted on and closed; a
    major hazard listed for supervision. Written through the services, by the demo accounts."""
    county = County.objects.get(name="民权县")
    departments = {
        p.user.username: p.department.name
        for p in UserProfile.objects.filter(role=Role.COUNTY_DEPARTMENT).select_related("user", "department")
    }
    assert departments == {
        "dept_center": "县消防安全检查指导服务中心",
        "dept_finance": "县财政局",
        "dept_police": "县公安局",
    }
    assert set(county.departments.values_list("name", flat=True)) == set(departments.values())
    assert UserProfile.objects.get(user__username="fire_rescue").county == county
    center_tasks = Assignment.objects.filter(department__name="县消防安全检查指导服务中心")
    assert [a.directive.number for a in center_tasks] == [8]

    handover = HazardHandover.objects.get(hazard__township__county=county)
    assert handover.status == HazardHandover.Status.CLOSED
    assert handover.handed_over_by.username == "beiguan"
    assert handover.ended_by.username == "fire_rescue"
    assert handover.outcome
    assert [a.kind for a in handover.actions.all()] == [HandoverAction.Kind.ORDERED]
    listing = HazardSupervision.objects.get(hazard__township__county=county)
    assert listing.lifted_on is None
    assert listing.hazard.severity == Hazard.Severity.MAJOR
    assert listing.deadline > local_today()

    # What each account reads: the authority its hand-over, the department its own task.
    client.force_login(UserProfile.objects.get(user__username="fire_rescue").user)
    assert client.get(f"/inspections/hazards/{handover.hazard_id}/").status_code == 200
    client.force_login(UserProfile.objects.get(user__username="dept_center").user)
    page = client.get("/meetings/assignments/").content.decode()
    assert f"/meetings/assignments/{center_tasks.get().pk}/" in page


@pytest.mark.django_db
def test_the_demo_channels_send_nothing_and_its_season_is_assessed(demo, client):
    endpoints = list(ChannelEndpoint.objects.all())
    assert {e.kind for e in endpoints} == {"wecom", "dingtalk", "sms"}
    assert not any(e.enabled for e in endpoints)
    assert all(".invalid/" in e.url for e in endpoints)  # RFC 2606: never a real host

    scheme = AssessmentScheme.objects.get()
    assert scheme.campaign is not None
    assert scheme.status == "draft"
    assert ItemScore.objects.filter(item__scheme=scheme, self_points__isnull=False).exists()
    assert ItemScore.objects.filter(item__scheme=scheme, center_points__isnull=False).exists()
    client.force_login(f.UserFactory(username="county"))
    page = client.get("/dashboard/").content.decode()
    assert f"综合得分为《{scheme.title}》的试算总分" in page


@pytest.mark.django_db
def test_the_demo_county_is_on_the_map_with_brigades_and_premises_beyond_cover(demo, client):
    county = County.objects.get(name="民权县")
    assert not Township.objects.filter(county=county, boundary__isnull=True).exists()
    assert not Premises.objects.filter(township__county=county, is_demo=True, latitude__isnull=True).exists()
    assert not Brigade.objects.filter(township__county=county, is_demo=True, latitude__isnull=True).exists()
    # Each premises lies inside its own township's schematic area (its outline's frame).
    for township in Township.objects.filter(county=county):
        west, south, east, north = geo.bounds(geo.outer_rings(township.boundary))
        for lon, lat in township.premises.values_list("longitude", "latitude"):
            assert west < lon < east, township.name
            assert south < lat < north, township.name
    client.force_login(UserProfile.objects.get(role=Role.COUNTY_OFFICIAL).user)
    page = client.get("/map/").content.decode()
    assert "尚未上传边界" not in page
    # Some premises lie beyond the built brigades' reach (林七乡 has none of its own).
    assert "林七" in page.split('data-testid="beyond-cover"')[1]


@pytest.mark.django_db
def test_the_demo_brigades_keep_an_archive_and_a_month_without_a_drill_is_reminded(demo, client):
    """一队一档 in the demo: the built brigades' drills, trainings, call-outs, publicity and duty, a
    printable page that shows them, and a few brigades without a drill last month."""
    built = Brigade.objects.filter(status__in=["established", "accepted"], township__county__is_demo=True)
    assert built.exists()
    brigade = built.filter(trainings__kind="drill").order_by("name").first()
    assert brigade.call_outs.exists()
    assert brigade.publicity.exists()
    assert brigade.duty_roster.exists()
    client.force_login(f.make_user(Role.GUIDANCE_CENTER))
    page = client.get(f"/brigades/{brigade.pk}/archive/").content.decode()
    assert "灭火救援综合演练" in page
    assert reminders.reminders_run(rules=["brigade_no_drill"])["brigade_no_drill"] > 0


def test_the_demo_grid_members_have_this_months_patrols_and_a_home(demo, client):
    """The grid member accounts the README lists patrol their grids this month: the figures differ
    (one grid done, one nearly, one barely) and a hazard found on patrol is in the loop."""
    logins = ["beiguan_grid1", "beiguan_grid2", "chumiao_grid1"]
    profiles = UserProfile.objects.filter(user__username__in=logins).select_related("grid_member__grid")
    assert {p.role for p in profiles} == {Role.GRID_MEMBER}
    assert len(profiles) == 3
    month_start = local_today().replace(day=1)
    patrols = Inspection.objects.filter(kind=Inspection.Kind.PATROL, inspected_on__gte=month_start)
    assert {p.recorded_by.username for p in patrols} == set(logins)
    assert Hazard.objects.filter(inspection__kind=Inspection.Kind.PATROL).exists()
    client.force_login(profiles.get(user__username="beiguan_grid1").user)
    page = client.get("/inspections/patrols/")
    assert page.status_code == 200
    assert "第1网格" in page.text
