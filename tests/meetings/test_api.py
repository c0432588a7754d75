"""The meetings REST API end to end: who may do what (role × endpoint × action), township scoping
(北关镇 cannot reach 褚庙乡), constant query counts on lists, and clean 400s for bad input."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from core.models import Role
from meetings import services
from meetings.models import Assignment, Directive, Meeting, ProgressReport
from tests.api_errors import field_errors, refused_fields
from tests.factories import (
    AssignmentFactory,
    DirectiveFactory,
    MeetingFactory,
    PoliceStationFactory,
    PremisesFactory,
    TownshipFactory,
    UserFactory,
    make_user,
)
from tests.role_matrix import outsider_users, with_outsiders

from .factories import ProgressReportFactory

pytestmark = pytest.mark.django_db

API = "/api/v1"
DEADLINE = dt.date(2021, 12, 31)


def snapshot():
    """Everything a refused request must leave as it was: row and history counts, assignment state."""
    counts = {
        m.__name__: (m.objects.count(), m.history.count())
        for m in (Meeting, Directive, Assignment, ProgressReport)
    }
    states = list(
        Assignment.objects.order_by("id").values_list(
            "id", "status", "deadline", "closed_on", "progress_percent", "responsible_person"
        )
    )
    return counts, states


def report(assignment, percent, *, on, by=None):
    return services.assignment_report_progress(
        assignment=assignment, reported_on=on, text="推进中", percent=percent, by=by
    )


@pytest.fixture
def world(county, beiguan, chumiao, huayuan, meeting, directive, office, lead):
    """民权县 with 北关镇, 褚庙乡 and 花园乡; one meeting, two directives assigned to 北关镇 and 褚庙乡.

    Directive 1: open assignments, 北关镇's reported at 100% (ready to close), 褚庙乡's at 60%.
    Directive 2: both assignments closed (ready to reopen). One user of every role.
    """
    station = PoliceStationFactory(county=county, name="城关派出所")
    station.townships.add(beiguan)
    users = {
        "center": make_user(Role.GUIDANCE_CENTER, username="center"),
        "office": office,
        "beiguan_lead": make_user(Role.TOWNSHIP_LEAD, username="beiguan-lead", township=beiguan),
        "chumiao_lead": lead,
        "police": make_user(Role.POLICE_STATION, username="police", police_station=station),
        "responsible": make_user(
            Role.PREMISES_RESPONSIBLE, username="boss", premises=PremisesFactory(township=beiguan)
        ),
        "no_role": UserFactory(username="nobody"),
        **outsider_users(county),
    }
    a_bg, a_cm = services.directive_assign(
        directive=directive, townships=[beiguan, chumiao], deadline=DEADLINE, by=None
    )
    r_bg = report(a_bg, 100, on=dt.date(2021, 12, 20), by=users["beiguan_lead"])
    r_cm = report(a_cm, 60, on=dt.date(2021, 12, 20), by=lead)
    directive2 = services.directive_add(
        meeting=meeting, category="hazards", text="隐患自查自除", priority="high", by=None
    )
    closed_bg, closed_cm = services.directive_assign(
        directive=directive2, townships=[beiguan, chumiao], deadline=DEADLINE, by=None
    )
    for closed in (closed_bg, closed_cm):
        report(closed, 100, on=dt.date(2021, 12, 10))
        services.assignment_close(assignment=closed, closed_on=dt.date(2021, 12, 11), by=None)
    return SimpleNamespace(
        users=users,
        county=county,
        beiguan=beiguan,
        chumiao=chumiao,
        huayuan=huayuan,
        meeting=meeting,
        directive=directive,
        directive2=directive2,
        a_bg=a_bg,
        a_cm=a_cm,
        r_bg=r_bg,
        r_cm=r_cm,
        closed_bg=closed_bg,
        closed_cm=closed_cm,
    )


def client_for(user):
    client = APIClient()
    client.force_login(user)
    return client


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


# -- role × endpoint × action ---------------------------------------------------------------------

ROLES = ["center", "office", "beiguan_lead", "chumiao_lead", "police", "responsible", "no_role"]


def expect(*codes, **outsiders):
    """Each role's answer; the fire rescue authority's and a county department's when they differ
    from an outsider's (tests.role_matrix.with_outsiders)."""
    return {**dict(zip(ROLES, codes, strict=True)), **outsiders}


# Meetings and directives are the county's orders: the fire rescue authority, a department and a grid
# member read them.
READ_ALL = expect(200, 200, 200, 200, 200, 200, 403, fire_rescue=200, department=200, grid_member=200)
# Objects of 北关镇: 褚庙乡's lead and a responsible person (who sees only own-premises records) get 404.
READ_BEIGUAN = expect(200, 200, 200, 404, 200, 404, 403)
# Assignments and progress reports are withheld from a police station (meetings.access): 403 in words.
# The fire rescue authority too; a department reads only its own department's (none of 北关镇's).
READ_ALL_BUT_POLICE = expect(200, 200, 200, 200, 403, 200, 403, fire_rescue=403)
READ_BEIGUAN_BUT_POLICE = expect(200, 200, 200, 404, 403, 404, 403, fire_rescue=403)
COUNTY_OFFICE_WRITES = expect(201, 201, 403, 403, 403, 403, 403)
COUNTY_OFFICE_ACTION = expect(200, 200, 403, 403, 403, 403, 403)
# A method the resource does not route: 405 for every role (no rule to refuse; no write happens).
NOT_ROUTED = expect(405, 405, 405, 405, 405, 405, 403)

MATRIX = {
    ("meetings", "list"): (READ_ALL, lambda c, w: c.get(f"{API}/meetings/")),
    ("meetings", "retrieve"): (READ_ALL, lambda c, w: c.get(f"{API}/meetings/{w.meeting.pk}/")),
    ("meetings", "create"): (
        COUNTY_OFFICE_WRITES,
        lambda c, w: c.post(
            f"{API}/meetings/",
            {
                "county": w.county.pk,
                "title": "冬春火灾防控工作调度会",
                "held_at": "2021-12-01T09:00:00+08:00",
                "chair": "王景义",
                "main_venue": "县政府三楼会议室",
                "sub_venues": ["北关镇分会场"],
            },
            format="json",
        ),
    ),
    ("meetings", "update"): (
        NOT_ROUTED,
        lambda c, w: c.patch(f"{API}/meetings/{w.meeting.pk}/", {"title": "改名"}, format="json"),
    ),
    ("meetings", "delete"): (
        NOT_ROUTED,
        lambda c, w: c.delete(f"{API}/meetings/{w.meeting.pk}/"),
    ),
    ("directives", "list"): (READ_ALL, lambda c, w: c.get(f"{API}/directives/")),
    ("directives", "retrieve"): (READ_ALL, lambda c, w: c.get(f"{API}/directives/{w.directive.pk}/")),
    ("directives", "create"): (
        COUNTY_OFFICE_WRITES,
        lambda c, w: c.post(
            f"{API}/directives/",
            {"meeting": w.meeting.pk, "category": "grid", "text": "推进网格化管理"},
            format="json",
        ),
    ),
    ("directives", "update"): (
        NOT_ROUTED,
        lambda c, w: c.patch(f"{API}/directives/{w.directive.pk}/", {"text": "改"}, format="json"),
    ),
    ("directives", "delete"): (
        NOT_ROUTED,
        lambda c, w: c.delete(f"{API}/directives/{w.directive.pk}/"),
    ),
    ("directives", "assign"): (
        COUNTY_OFFICE_WRITES,
        lambda c, w: c.post(
            f"{API}/directives/{w.directive.pk}/assign/",
            {"townships": [w.huayuan.pk], "deadline": "2022-01-15"},
            format="json",
        ),
    ),
    ("assignments", "list"): (READ_ALL_BUT_POLICE, lambda c, w: c.get(f"{API}/assignments/")),
    ("assignments", "retrieve"): (
        READ_BEIGUAN_BUT_POLICE,
        lambda c, w: c.get(f"{API}/assignments/{w.a_bg.pk}/"),
    ),
    ("assignments", "create"): (
        NOT_ROUTED,
        lambda c, w: c.post(
            f"{API}/assignments/",
            {"directive": w.directive.pk, "township": w.huayuan.pk, "deadline": "2022-01-15"},
            format="json",
        ),
    ),
    ("assignments", "update"): (
        NOT_ROUTED,
        lambda c, w: c.patch(f"{API}/assignments/{w.a_bg.pk}/", {"status": "closed"}, format="json"),
    ),
    ("assignments", "delete"): (
        NOT_ROUTED,
        lambda c, w: c.delete(f"{API}/assignments/{w.a_bg.pk}/"),
    ),
    ("assignments", "report-progress"): (
        # A department reports on its own department's assignments: 北关镇's is not found for it.
        expect(201, 403, 201, 404, 403, 403, 403, department=404),
        lambda c, w: c.post(
            f"{API}/assignments/{w.a_bg.pk}/report-progress/",
            {"reported_on": "2021-12-21", "text": "全部完成", "percent": 100},
            format="json",
        ),
    ),
    ("assignments", "close"): (
        expect(200, 200, 200, 404, 403, 403, 403, department=404),
        lambda c, w: c.post(
            f"{API}/assignments/{w.a_bg.pk}/close/", {"closed_on": "2021-12-21"}, format="json"
        ),
    ),
    ("assignments", "reopen"): (
        COUNTY_OFFICE_ACTION,
        lambda c, w: c.post(
            f"{API}/assignments/{w.closed_bg.pk}/reopen/", {"reason": "复查发现仍有问题"}, format="json"
        ),
    ),
    ("assignments", "extend-deadline"): (
        COUNTY_OFFICE_ACTION,
        lambda c, w: c.post(
            f"{API}/assignments/{w.a_bg.pk}/extend-deadline/",
            {"new_deadline": "2022-01-31", "reason": "春节前后集中整治"},
            format="json",
        ),
    ),
    ("progress-reports", "list"): (READ_ALL_BUT_POLICE, lambda c, w: c.get(f"{API}/progress-reports/")),
    ("progress-reports", "retrieve"): (
        READ_BEIGUAN_BUT_POLICE,
        lambda c, w: c.get(f"{API}/progress-reports/{w.r_bg.pk}/"),
    ),
    ("progress-reports", "create"): (
        # 褚庙乡's lead names 北关镇's assignment: a write outside its township, 403.
        expect(201, 403, 201, 403, 403, 403, 403),
        lambda c, w: c.post(
            f"{API}/progress-reports/",
            {"assignment": w.a_bg.pk, "reported_on": "2021-12-21", "text": "全部完成", "percent": 100},
            format="json",
        ),
    ),
    ("progress-reports", "update"): (
        NOT_ROUTED,
        lambda c, w: c.patch(f"{API}/progress-reports/{w.r_bg.pk}/", {"percent": 10}, format="json"),
    ),
    ("progress-reports", "delete"): (
        NOT_ROUTED,
        lambda c, w: c.delete(f"{API}/progress-reports/{w.r_bg.pk}/"),
    ),
}


@pytest.mark.parametrize(("endpoint", "verb"), list(MATRIX))
def test_role_matrix(world, endpoint, verb):
    """Every role's answer to one endpoint and verb; reads and refusals write nothing, allowed writes do.

    Each role's request runs in a savepoint rolled back afterwards: all roles start from the same world
    (built once per endpoint and verb, which keeps the matrix fast).
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


def test_each_role_lists_only_the_assignments_of_its_townships(world):
    everything = sorted([world.a_bg.pk, world.a_cm.pk, world.closed_bg.pk, world.closed_cm.pk])
    beiguan = sorted([world.a_bg.pk, world.closed_bg.pk])
    expected = {
        "center": everything,
        "office": everything,
        "beiguan_lead": beiguan,
        "chumiao_lead": sorted([world.a_cm.pk, world.closed_cm.pk]),
        "responsible": [],
    }
    for role, assignment_ids in expected.items():
        assert sorted(ids(client_for(world.users[role]).get(f"{API}/assignments/"))) == assignment_ids, role
    refused = client_for(world.users["police"]).get(f"{API}/assignments/")
    assert refused.status_code == 403
    assert "不查看乡镇的会议任务" in refused.json()["detail"]


def test_each_role_lists_only_the_progress_reports_of_its_townships(world):
    listed = ids(client_for(world.users["beiguan_lead"]).get(f"{API}/progress-reports/"))
    assert set(listed) == set(
        ProgressReport.objects.filter(assignment__township=world.beiguan).values_list("id", flat=True)
    )
    assert world.r_cm.pk not in listed
    assert ids(client_for(world.users["responsible"]).get(f"{API}/progress-reports/")) == []
    center = ids(client_for(world.users["center"]).get(f"{API}/progress-reports/"))
    assert len(center) == ProgressReport.objects.count()


def refused_choice(response, parameter):
    """A filter naming a record outside the user's scope: not one of the choices (400), no rows."""
    assert response.status_code == 400, response.content
    assert parameter in field_errors(response)


def test_beiguan_lead_cannot_filter_into_chumiao(world):
    client = client_for(world.users["beiguan_lead"])
    cm = world.chumiao.pk
    refused_choice(client.get(f"{API}/assignments/", {"township": cm}), "township")
    assert ids(client.get(f"{API}/assignments/", {"directive": world.directive.pk})) == [world.a_bg.pk]
    assert ids(client.get(f"{API}/assignments/", {"search": "褚庙"})) == []
    refused_choice(client.get(f"{API}/progress-reports/", {"township": cm}), "township")
    refused_choice(client.get(f"{API}/progress-reports/", {"assignment": world.a_cm.pk}), "assignment")


def test_beiguan_lead_cannot_read_or_change_chumiao_assignments_and_reports(world):
    client = client_for(world.users["beiguan_lead"])
    before = snapshot()
    a_cm, closed_cm = world.a_cm.pk, world.closed_cm.pk
    assert client.get(f"{API}/assignments/{a_cm}/").status_code == 404
    assert client.get(f"{API}/progress-reports/{world.r_cm.pk}/").status_code == 404
    progress = {"reported_on": "2021-12-21", "text": "代报", "percent": 100}
    assert (
        client.post(f"{API}/assignments/{a_cm}/report-progress/", progress, format="json").status_code == 404
    )
    assert (
        client.post(
            f"{API}/assignments/{a_cm}/close/", {"closed_on": "2021-12-21"}, format="json"
        ).status_code
        == 404
    )
    reopen = client.post(f"{API}/assignments/{closed_cm}/reopen/", {"reason": "x"}, format="json")
    assert reopen.status_code == 403
    created = client.post(f"{API}/progress-reports/", {**progress, "assignment": a_cm}, format="json")
    assert created.status_code == 403
    assert snapshot() == before


def test_meetings_and_directives_are_visible_county_wide_but_not_to_another_county(world, other_county):
    lead_elsewhere = make_user(
        Role.TOWNSHIP_LEAD, township=TownshipFactory(county=other_county, name="外县乡")
    )
    for user in (world.users["beiguan_lead"], world.users["police"], world.users["responsible"]):
        client = client_for(user)
        assert ids(client.get(f"{API}/meetings/")) == [world.meeting.pk]
        assert set(ids(client.get(f"{API}/directives/"))) == {world.directive.pk, world.directive2.pk}
    client = client_for(lead_elsewhere)
    assert ids(client.get(f"{API}/meetings/")) == []
    assert ids(client.get(f"{API}/directives/")) == []
    assert client.get(f"{API}/meetings/{world.meeting.pk}/").status_code == 404


def test_county_official_of_another_county_cannot_write_into_this_county(world, other_county):
    official = make_user(Role.COUNTY_OFFICIAL, username="ningling-office", county=other_county)
    client = client_for(official)
    before = snapshot()
    assert ids(client.get(f"{API}/meetings/")) == []
    assert ids(client.get(f"{API}/assignments/")) == []
    meeting = client.post(
        f"{API}/meetings/",
        {
            "county": world.county.pk,
            "title": "越权",
            "held_at": "2021-12-01T09:00:00+08:00",
            "chair": "某",
            "main_venue": "某地",
        },
        format="json",
    )
    assert meeting.status_code == 403
    directive = client.post(
        f"{API}/directives/", {"meeting": world.meeting.pk, "category": "grid", "text": "越权"}, format="json"
    )
    assert directive.status_code == 403
    assign = client.post(
        f"{API}/directives/{world.directive.pk}/assign/",
        {"townships": [world.huayuan.pk], "deadline": "2022-01-15"},
        format="json",
    )
    assert assign.status_code == 404
    extend = client.post(
        f"{API}/assignments/{world.a_bg.pk}/extend-deadline/",
        {"new_deadline": "2022-01-31", "reason": "越权"},
        format="json",
    )
    assert extend.status_code == 404
    assert snapshot() == before


def test_county_official_cannot_assign_a_township_of_another_county(world, foreign_township):
    before = snapshot()
    response = client_for(world.users["office"]).post(
        f"{API}/directives/{world.directive.pk}/assign/",
        {"townships": [world.huayuan.pk, foreign_township.pk], "deadline": "2022-01-15"},
        format="json",
    )
    assert response.status_code == 403
    assert snapshot() == before


# -- successful writes --------------------------------------------------------------------------------


def test_county_office_creates_a_meeting_with_its_sub_venues(world):
    office = world.users["office"]
    response = client_for(office).post(
        f"{API}/meetings/",
        {
            "county": world.county.pk,
            "title": "冬春火灾防控工作调度会",
            "held_at": "2021-12-01T09:00:00+08:00",
            "chair": "王景义",
            "chair_title": "常务副县长",
            "main_venue": "县政府三楼会议室",
            "sub_venues": ["北关镇分会场", " 褚庙乡分会场 "],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["sub_venues"] == ["北关镇分会场", "褚庙乡分会场"]
    assert body["directive_count"] == 0
    meeting = Meeting.objects.get(pk=body["id"])
    assert meeting.sub_venues == "北关镇分会场\n褚庙乡分会场"
    assert meeting.history.get().history_user == office


def test_meeting_create_refusals_are_400_and_write_nothing(world):
    client = client_for(world.users["office"])
    before = snapshot()
    same_sub_and_main = client.post(
        f"{API}/meetings/",
        {
            "county": world.county.pk,
            "title": "调度会",
            "held_at": "2021-12-01T09:00:00+08:00",
            "chair": "王景义",
            "main_venue": "县政府",
            "sub_venues": ["县政府"],
        },
        format="json",
    )
    assert same_sub_and_main.status_code == 400
    assert same_sub_and_main.json()["code"] == "refused"
    assert "主会场同名" in same_sub_and_main.json()["detail"]
    missing = client.post(f"{API}/meetings/", {"county": world.county.pk}, format="json")
    assert missing.status_code == 400
    assert {"title", "held_at", "chair", "main_venue"} <= refused_fields(missing)
    assert snapshot() == before


def test_directive_is_added_with_the_next_number_and_assigned_to_townships(world):
    office = world.users["office"]
    client = client_for(office)
    created = client.post(
        f"{API}/directives/",
        {"meeting": world.meeting.pk, "category": "grid", "text": "推进网格化管理", "priority": "high"},
        format="json",
    )
    assert created.status_code == 201, created.content
    directive = created.json()
    assert directive["number"] == 3
    assert directive["priority"] == "high"

    assigned = client.post(
        f"{API}/directives/{directive['id']}/assign/",
        {"townships": [world.huayuan.pk, world.beiguan.pk], "deadline": "2022-01-15"},
        format="json",
    )
    assert assigned.status_code == 201, assigned.content
    rows = {row["township_name"]: row for row in assigned.json()}
    assert set(rows) == {"花园乡", "北关镇"}
    assert rows["花园乡"]["responsible_person"] == "花书记"  # the principal leader by default
    assert rows["北关镇"]["status"] == "assigned"
    assignment = Assignment.objects.get(pk=rows["花园乡"]["id"])
    assert assignment.history.get().history_user == office


def test_assigning_a_township_twice_is_refused_and_writes_nothing(world):
    before = snapshot()
    response = client_for(world.users["center"]).post(
        f"{API}/directives/{world.directive.pk}/assign/",
        {"townships": [world.huayuan.pk, world.beiguan.pk], "deadline": "2022-01-15"},
        format="json",
    )
    assert response.status_code == 409  # a conflict with the assignment already made
    assert response.json()["code"] == "conflict"
    assert "已分解过" in response.json()["detail"]
    assert snapshot() == before  # 花园乡 was not assigned either: all or nothing


def test_township_lead_reports_progress_and_closes_its_assignment(world):
    user = world.users["beiguan_lead"]
    client = client_for(user)
    reported = client.post(
        f"{API}/assignments/{world.a_bg.pk}/report-progress/",
        {"reported_on": "2021-12-21", "text": "全部完成", "percent": 100},
        format="json",
    )
    assert reported.status_code == 201, reported.content
    body = reported.json()
    assert body["assignment"] == world.a_bg.pk
    assert body["reported_by_name"] == "beiguan-lead"
    assert body["township_name"] == "北关镇"

    closed = client.post(
        f"{API}/assignments/{world.a_bg.pk}/close/", {"closed_on": "2021-12-22"}, format="json"
    )
    assert closed.status_code == 200, closed.content
    assert closed.json()["status"] == "closed"
    assert closed.json()["is_closed_late"] is False
    world.a_bg.refresh_from_db()
    assert world.a_bg.closed_on == dt.date(2021, 12, 22)
    assert world.a_bg.history.first().history_user == user


def test_progress_report_with_evidence_is_uploaded(world, settings, tmp_path):
    import io

    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "green").save(buffer, "JPEG")
    photo = buffer.getvalue()
    client = client_for(world.users["beiguan_lead"])
    response = client.post(
        f"{API}/progress-reports/",
        {
            "assignment": world.a_bg.pk,
            "reported_on": "2021-12-21",
            "text": "整改照片",
            "percent": "100",
            "evidence": SimpleUploadedFile("photo.jpg", photo, content_type="image/jpeg"),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert "progress/" in response.json()["evidence"]
    report = ProgressReport.objects.get(pk=response.json()["id"])
    assert report.evidence.read() == photo
    assert "photo" not in report.evidence.name  # stored under a random name


def test_progress_report_evidence_that_is_not_a_photo_or_pdf_is_refused(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(world.users["beiguan_lead"])
    before = ProgressReport.objects.count()
    response = client.post(
        f"{API}/progress-reports/",
        {
            "assignment": world.a_bg.pk,
            "reported_on": "2021-12-21",
            "text": "整改照片",
            "percent": "100",
            "evidence": SimpleUploadedFile("photo.jpg", b"<html>x</html>", content_type="image/jpeg"),
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert ProgressReport.objects.count() == before


def test_county_office_reopens_and_extends_with_reasons_in_history(world):
    office = world.users["office"]
    client = client_for(office)
    reopened = client.post(
        f"{API}/assignments/{world.closed_bg.pk}/reopen/", {"reason": "复查不合格"}, format="json"
    )
    assert reopened.status_code == 200, reopened.content
    assert reopened.json()["status"] == "in_progress"
    assert reopened.json()["closed_on"] is None
    assert world.closed_bg.history.first().history_change_reason == "复查不合格"

    extended = client.post(
        f"{API}/assignments/{world.a_bg.pk}/extend-deadline/",
        {"new_deadline": "2022-01-31", "reason": "春节前后集中整治"},
        format="json",
    )
    assert extended.status_code == 200, extended.content
    assert extended.json()["deadline"] == "2022-01-31"
    record = world.a_bg.history.first()
    assert (record.history_user, record.history_change_reason) == (office, "春节前后集中整治")


REFUSED = (400, "refused")  # a rule of the county's process
CONFLICT = (409, "conflict")  # a step the assignment's state refuses now


@pytest.mark.parametrize(
    ("path", "payload", "message", "answer"),
    [
        (
            "a_bg/report-progress",
            {"reported_on": "2021-12-21", "text": "倒退", "percent": 40},
            "进度不能倒退",
            REFUSED,
        ),
        ("a_cm/close", {"closed_on": "2021-12-21"}, "完成 100% 后才能办结", REFUSED),
        ("a_bg/reopen", {"reason": "未办结"}, "只有已办结的任务", CONFLICT),
        ("a_bg/extend-deadline", {"new_deadline": "2021-12-01", "reason": "提前"}, "须晚于原时限", REFUSED),
        (
            "closed_bg/report-progress",
            {"reported_on": "2021-12-21", "text": "x", "percent": 100},
            "已办结",
            CONFLICT,
        ),
    ],
)
def test_service_refusals_are_400_with_the_reason_and_write_nothing(world, path, payload, message, answer):
    """Rule refusals are 400 ("refused"); state refusals 409 ("conflict"); both say why."""
    name, verb = path.split("/")
    before = snapshot()
    response = client_for(world.users["center"]).post(
        f"{API}/assignments/{getattr(world, name).pk}/{verb}/", payload, format="json"
    )
    assert (response.status_code, response.json()["code"]) == answer, response.content
    assert message in response.json()["detail"]
    assert response.json()["errors"] == []
    assert snapshot() == before


# -- bad input ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "payload", "field"),
    [
        ("assignments/{a_bg}/report-progress/", {"text": "x", "percent": 150}, "percent"),
        ("assignments/{a_bg}/report-progress/", {"text": "x", "percent": -1}, "percent"),
        ("assignments/{a_bg}/report-progress/", {"percent": 100}, "text"),
        (
            "assignments/{a_bg}/report-progress/",
            {"text": "x", "percent": 100, "reported_on": "昨天"},
            "reported_on",
        ),
        ("progress-reports/", {"assignment": 999999, "text": "x", "percent": 100}, "assignment"),
        ("progress-reports/", {"assignment": "{a_bg}", "text": "x", "percent": 150}, "percent"),
        ("directives/{directive}/assign/", {"townships": ["{huayuan}"], "deadline": "下月底"}, "deadline"),
        ("directives/{directive}/assign/", {"townships": [999999], "deadline": "2022-01-15"}, "townships"),
        ("directives/{directive}/assign/", {"townships": [], "deadline": "2022-01-15"}, "townships"),
        ("directives/", {"meeting": "{meeting}", "category": "no-such", "text": "x"}, "category"),
        (
            "assignments/{a_bg}/extend-deadline/",
            {"new_deadline": "not-a-date", "reason": "x"},
            "new_deadline",
        ),
        (
            "assignments/{a_bg}/extend-deadline/",
            {"new_deadline": "2022-02-01", "reason": "长" * 101},
            "reason",
        ),
        ("assignments/{closed_bg}/reopen/", {}, "reason"),
        ("assignments/{a_bg}/close/", {"closed_on": "31/12/2021"}, "closed_on"),
    ],
)
def test_bad_input_is_400_naming_the_field_and_writes_nothing(world, path, payload, field):
    def fill(value):
        if isinstance(value, str) and value.startswith("{"):
            return getattr(world, value.strip("{}")).pk
        if isinstance(value, list):
            return [fill(v) for v in value]
        return value

    url = f"{API}/" + path.format(**{k: getattr(v, "pk", None) for k, v in vars(world).items()})
    before = snapshot()
    response = client_for(world.users["center"]).post(
        url, {k: fill(v) for k, v in payload.items()}, format="json"
    )
    assert response.status_code == 400, response.content
    assert field in field_errors(response)
    assert snapshot() == before


def test_bad_filter_values_are_400_naming_the_parameter(world):
    client = client_for(world.users["center"])
    response = client.get(f"{API}/assignments/", {"deadline_after": "明天", "status": "lost"})
    assert response.status_code == 400
    assert {"deadline_after", "status"} <= set(field_errors(response))


def test_errors_are_chinese_by_default_and_english_on_request(world):
    client = client_for(world.users["beiguan_lead"])
    url = f"{API}/assignments/{world.a_bg.pk}/report-progress/"
    zh = field_errors(client.post(url, {"text": "x", "percent": 150}, format="json"))
    en = field_errors(
        client.post(url, {"text": "x", "percent": 150}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    )
    assert en == {"percent": ["Ensure this value is less than or equal to 100."]}
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh["percent"][0])
    denied = client_for(world.users["police"]).post(url, {"text": "x", "percent": 10}, format="json")
    assert denied.status_code == 403
    assert (
        denied.json()["detail"]
        == "只有承担任务的乡镇消防专干（分管副职）、县直部门或指导中心可以报告任务进展。"
    )


# -- filters ------------------------------------------------------------------------------------------


def test_assignment_filters(world):
    client = client_for(world.users["center"])
    url = f"{API}/assignments/"
    assert set(ids(client.get(url, {"status": "closed"}))) == {world.closed_bg.pk, world.closed_cm.pk}
    # Open assignments with a 2021 deadline are overdue today; closed ones are not.
    assert set(ids(client.get(url, {"overdue": "true"}))) == {world.a_bg.pk, world.a_cm.pk}
    assert set(ids(client.get(url, {"overdue": "false"}))) == {world.closed_bg.pk, world.closed_cm.pk}
    assert set(ids(client.get(url, {"township": world.beiguan.pk, "meeting": world.meeting.pk}))) == {
        world.a_bg.pk,
        world.closed_bg.pk,
    }
    assert set(ids(client.get(url, {"directive": world.directive2.pk}))) == {
        world.closed_bg.pk,
        world.closed_cm.pk,
    }
    AssignmentFactory(directive=world.directive, township=world.huayuan, deadline=dt.date(2022, 3, 1))
    assert len(ids(client.get(url, {"deadline_after": "2022-01-01"}))) == 1
    assert len(ids(client.get(url, {"deadline_before": "2021-12-31"}))) == 4
    row = client.get(f"{API}/assignments/{world.a_bg.pk}/").json()
    assert (row["is_overdue"], row["township_name"], row["directive_number"]) == (True, "北关镇", 1)


def test_meeting_directive_and_report_filters(world):
    client = client_for(world.users["office"])
    later = MeetingFactory(county=world.county, held_at=dt.datetime(2022, 3, 1, 9, tzinfo=dt.UTC))
    assert ids(client.get(f"{API}/meetings/", {"held_at_after": "2022-01-01"})) == [later.pk]
    assert ids(client.get(f"{API}/meetings/", {"held_at_before": "2021-11-17"})) == [world.meeting.pk]
    assert ids(client.get(f"{API}/meetings/")) == [later.pk, world.meeting.pk]  # newest first
    assert ids(client.get(f"{API}/directives/", {"category": "hazards"})) == [world.directive2.pk]
    assert ids(client.get(f"{API}/directives/", {"meeting": later.pk})) == []
    reports = ids(client.get(f"{API}/progress-reports/", {"assignment": world.a_cm.pk}))
    assert reports == [world.r_cm.pk]
    assert ids(client.get(f"{API}/progress-reports/", {"reported_on_before": "2021-12-10"})) == list(
        ProgressReport.objects.filter(reported_on__lte="2021-12-10")
        .order_by("-id")
        .values_list("id", flat=True)
    )


# -- query counts -------------------------------------------------------------------------------------


def _add_rows(county, township, n):
    """n meetings, and n directives each assigned to `township` with two progress reports."""
    reporter = UserFactory()
    meeting = MeetingFactory(county=county)
    for _ in range(n):
        MeetingFactory(county=county)
        directive = DirectiveFactory(meeting=meeting)
        assignment = AssignmentFactory(directive=directive, township=township)
        ProgressReportFactory(assignment=assignment, reported_by=reporter)
        ProgressReportFactory(assignment=assignment, reported_by=reporter)


@pytest.mark.parametrize(
    ("role", "endpoint"),
    [
        (role, endpoint)
        for role in ("office", "beiguan_lead", "police")
        for endpoint in ("meetings", "directives", "assignments", "progress-reports")
        # Assignments and reports are withheld from a police station: a 403 before any row is read.
        if not (role == "police" and endpoint in ("assignments", "progress-reports"))
    ],
)
def test_list_query_count_does_not_grow_with_rows(world, role, endpoint):
    client = client_for(world.users[role])
    url = f"{API}/{endpoint}/"

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries), response.json()["count"]

    _add_rows(world.county, world.beiguan, 3)
    small, rows_small = count()
    _add_rows(world.county, world.beiguan, 12)
    large, rows_large = count()
    assert rows_large > rows_small
    assert large == small


# -- schema -------------------------------------------------------------------------------------------


def test_schema_documents_the_meetings_endpoints(world):
    response = client_for(world.users["office"]).get(f"{API}/schema/")
    assert response.status_code == 200
    schema = response.content.decode()
    for path in (
        "/api/v1/meetings/",
        "/api/v1/directives/{id}/assign/",
        "/api/v1/assignments/{id}/report-progress/",
        "/api/v1/assignments/{id}/close/",
        "/api/v1/assignments/{id}/reopen/",
        "/api/v1/assignments/{id}/extend-deadline/",
        "/api/v1/progress-reports/",
    ):
        assert f"{path}:" in schema
    # Inputs are their own components (COMPONENT_SPLIT_REQUEST): read-only fields are not asked for.
    for component in (
        "DirectiveAssignRequest:",
        "ProgressInputRequest:",
        "ExtendDeadlineRequest:",
        "ReopenRequest:",
        "CloseRequest:",
    ):
        assert component in schema
