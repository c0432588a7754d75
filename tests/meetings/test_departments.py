"""Tasks for county departments (县直部门): a directive goes to townships and to departments; a
department's users see and report on their department's assignments as a township lead does on its
township's, and nobody else's; the townships' figures never count a department's assignment."""

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from rest_framework.test import APIClient

from core.clock import local_today
from core.exceptions import AccessDenied, ApplicationError, ConflictError
from core.models import Notification, Role
from meetings import selectors, services
from meetings.models import Assignment, ProgressReport
from notifications import services as reminders
from tests.factories import make_user
from townships.models import CountyDepartment, Township

pytestmark = pytest.mark.django_db

API = "/api/v1"
DEADLINE = dt.date(2021, 12, 31)
ON = dt.date(2022, 1, 10)


def snapshot():
    return (
        Assignment.objects.count(),
        Assignment.history.count(),
        ProgressReport.objects.count(),
        sorted(Assignment.objects.values_list("id", "status", "progress_percent", "closed_on")),
    )


@pytest.fixture
def world(county, other_county, chumiao, beiguan, meeting, directive, office, lead):
    """民权县's 财政局 and 公安局, a user of each; 外县's 财政局. The directive goes to 褚庙乡 and to
    财政局; another goes to 公安局."""
    finance = CountyDepartment.objects.create(county=county, name="县财政局")
    police = CountyDepartment.objects.create(county=county, name="县公安局")
    foreign = CountyDepartment.objects.create(county=other_county, name="县财政局")
    users = {
        "finance": make_user(Role.COUNTY_DEPARTMENT, username="finance", department=finance, county=county),
        "police_dept": make_user(
            Role.COUNTY_DEPARTMENT, username="police-dept", department=police, county=county
        ),
        "center": make_user(Role.GUIDANCE_CENTER, username="center"),
        "office": office,
        "lead": lead,
        "fire_rescue": make_user(Role.FIRE_RESCUE, username="fire-rescue", county=county),
    }
    a_township, a_finance = services.directive_assign(
        directive=directive,
        townships=[chumiao],
        departments=[finance],
        deadline=DEADLINE,
        responsible_person="李局长",
        by=office,
    )
    directive2 = services.directive_add(
        meeting=meeting, category="funding", text="经费按时拨付", priority="normal", by=None
    )
    (a_police,) = services.directive_assign(
        directive=directive2, departments=[police], deadline=DEADLINE, responsible_person="王局长", by=office
    )
    return SimpleNamespace(
        users=users,
        finance=finance,
        police=police,
        foreign=foreign,
        chumiao=chumiao,
        beiguan=beiguan,
        directive=directive,
        directive2=directive2,
        a_township=a_township,
        a_finance=a_finance,
        a_police=a_police,
    )


# -- the model and the service ----------------------------------------------------------------------


def test_an_assignment_is_held_by_a_township_or_a_department_never_both_or_neither(world):
    both = Assignment(
        directive=world.directive2,
        township=world.beiguan,
        department=world.finance,
        deadline=DEADLINE,
        responsible_person="甲",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        both.save()
    neither = Assignment(directive=world.directive2, deadline=DEADLINE, responsible_person="甲")
    with pytest.raises(IntegrityError), transaction.atomic():
        neither.save()
    twice = Assignment(
        directive=world.directive, department=world.finance, deadline=DEADLINE, responsible_person="甲"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        twice.save()


def test_a_directive_goes_to_departments_of_its_county_once_with_a_named_person(world):
    assert (world.a_finance.department, world.a_finance.township, world.a_finance.responsible_person) == (
        world.finance,
        None,
        "李局长",
    )
    assert world.a_finance.holder == world.finance
    before = snapshot()
    refusals = [
        (ConflictError, "已分解过", {"departments": [world.finance], "responsible_person": "李局长"}),
        (
            ApplicationError,
            "不属于本次会议所在的县",
            {"departments": [world.foreign], "responsible_person": "甲"},
        ),
        (ApplicationError, "请填写“县公安局”的责任人", {"departments": [world.police]}),
        (ApplicationError, "至少选择一个乡镇或县直部门", {}),
        # All or nothing: 北关镇 is fine, the foreign department is not.
        (
            ApplicationError,
            "不属于本次会议所在的县",
            {"townships": [world.beiguan], "departments": [world.foreign], "responsible_person": "甲"},
        ),
    ]
    for error, message, holders in refusals:
        with pytest.raises(error, match=message):
            services.directive_assign(
                directive=world.directive, deadline=DEADLINE, by=world.users["office"], **holders
            )
    assert snapshot() == before


def test_a_department_user_may_not_assign(world):
    before = snapshot()
    with pytest.raises(AccessDenied):
        services.directive_assign(
            directive=world.directive2,
            departments=[world.finance],
            deadline=DEADLINE,
            responsible_person="甲",
            by=world.users["finance"],
        )
    assert snapshot() == before


# -- who sees what ------------------------------------------------------------------------------------


def _visible(user) -> set[int]:
    return set(selectors.assignment_list(user=user).values_list("pk", flat=True))


def test_a_department_sees_only_its_own_assignments_and_the_township_only_its_own(world):
    u, w = world.users, world
    assert _visible(u["finance"]) == {w.a_finance.pk}
    assert _visible(u["police_dept"]) == {w.a_police.pk}
    assert _visible(u["lead"]) == {w.a_township.pk}
    everything = {w.a_township.pk, w.a_finance.pk, w.a_police.pk}
    assert _visible(u["office"]) == everything
    assert _visible(u["center"]) == everything
    assert _visible(u["fire_rescue"]) == set()


def test_a_department_reports_progress_and_closes_its_own_assignment(world):
    finance = world.users["finance"]
    report = services.assignment_report_progress(
        assignment=world.a_finance,
        reported_on=dt.date(2021, 12, 20),
        text="资金已拨付",
        percent=100,
        by=finance,
    )
    assert report.reported_by == finance
    assert list(selectors.progress_report_list(user=finance).values_list("pk", flat=True)) == [report.pk]
    assert list(selectors.progress_report_list(user=world.users["police_dept"])) == []
    assert list(selectors.progress_report_list(user=world.users["lead"])) == []
    closed = services.assignment_close(
        assignment=world.a_finance, closed_on=dt.date(2021, 12, 21), by=finance
    )
    assert closed.status == Assignment.Status.CLOSED


def test_a_department_may_not_report_on_another_departments_or_a_townships_assignment(world):
    before = snapshot()
    for user, assignment in (
        (world.users["police_dept"], world.a_finance),
        (world.users["finance"], world.a_township),
        (world.users["lead"], world.a_finance),
    ):
        with pytest.raises(AccessDenied, match="县直部门"):
            services.assignment_report_progress(
                assignment=assignment, reported_on=dt.date(2021, 12, 20), text="越权", percent=10, by=user
            )
        with pytest.raises(AccessDenied):
            services.assignment_close(assignment=assignment, by=user)
    assert snapshot() == before


# -- the townships' figures ---------------------------------------------------------------------------


def test_the_townships_figures_never_count_a_departments_assignment(world, county):
    office = world.users["office"]
    period = {"user": office, "on": ON, "county_id": county.pk}
    assert set(selectors.assignments_of_period(**period).values_list("pk", flat=True)) == {
        world.a_township.pk
    }
    columns = Township.objects.filter(county=county).annotate(
        figures=selectors.assignment_figures_column(**period)
    )
    figures = {pk: value for pk, value in columns.values_list("pk", "figures") if value}
    assert list(figures) == [world.chumiao.pk]
    assert figures[world.chumiao.pk]["total"] == 1
    rows = selectors.assignment_completion(user=office, on=ON)
    assert [(r["township_id"], r["total"]) for r in rows] == [(world.chumiao.pk, 1)]
    # Without a county either: a department's assignment is no township's.
    assert set(selectors.assignments_of_period(user=office, on=ON).values_list("pk", flat=True)) == {
        world.a_township.pk
    }


# -- reminders ----------------------------------------------------------------------------------------


def test_issuing_and_overdue_reminders_reach_the_departments_users(world, county):
    issued = Notification.objects.filter(rule="assignment_issued")
    # Issued in the past (the meeting of 2021): history typed in, nobody reminded. Issue one due later.
    assert not issued.exists()
    later = services.directive_add(
        meeting=world.directive.meeting, category="guidance", text="督导", priority="normal", by=None
    )
    (a,) = services.directive_assign(
        directive=later,
        departments=[world.finance],
        deadline=local_today() + dt.timedelta(days=20),
        responsible_person="李局长",
        by=world.users["office"],
    )
    assert set(issued.values_list("recipient__username", "object_id")) == {("finance", a.pk)}

    reminders.reminders_run(on=ON, rules=["assignment_overdue"])
    overdue = Notification.objects.filter(rule="assignment_overdue")
    got = set(overdue.values_list("recipient__username", "object_id"))
    assert ("finance", world.a_finance.pk) in got
    assert ("police-dept", world.a_police.pk) in got
    assert ("finance", world.a_police.pk) not in got
    assert ("chumiao-lead", world.a_township.pk) in got
    assert overdue.get(object_id=world.a_finance.pk).township_id is None


# -- the API and the pages ----------------------------------------------------------------------------


def _api(user):
    client = APIClient()
    client.force_login(user)
    return client


def test_a_department_lists_and_reports_on_its_assignments_through_the_api(world):
    client = _api(world.users["finance"])
    rows = client.get(f"{API}/assignments/").json()["results"]
    assert [(r["id"], r["township"], r["department"], r["department_name"]) for r in rows] == [
        (world.a_finance.pk, None, world.finance.pk, "县财政局")
    ]
    response = client.post(
        f"{API}/assignments/{world.a_finance.pk}/report-progress/",
        {"reported_on": "2021-12-20", "text": "资金已拨付", "percent": 60},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["department_name"] == "县财政局"
    before = snapshot()
    assert client.get(f"{API}/assignments/{world.a_police.pk}/").status_code == 404
    refused = client.post(
        f"{API}/assignments/{world.a_police.pk}/report-progress/",
        {"reported_on": "2021-12-20", "text": "越权", "percent": 60},
        format="json",
    )
    assert refused.status_code == 404
    refused = client.post(
        f"{API}/progress-reports/",
        {"assignment": world.a_township.pk, "reported_on": "2021-12-20", "text": "越权", "percent": 60},
        format="json",
    )
    assert refused.status_code == 403
    assert snapshot() == before


def test_the_county_office_assigns_a_directive_to_departments_through_the_api(world):
    client = _api(world.users["office"])
    response = client.post(
        f"{API}/directives/{world.directive2.pk}/assign/",
        {"townships": [world.beiguan.pk], "departments": [world.finance.pk], "deadline": "2022-01-15",
         "responsible_person": "责任人甲"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    assert sorted((r["township_name"] or "", r["department_name"] or "") for r in response.json()) == [
        ("", "县财政局"),
        ("北关镇", ""),
    ]
    before = snapshot()
    response = client.post(
        f"{API}/directives/{world.directive2.pk}/assign/",
        {"departments": [world.foreign.pk], "deadline": "2022-01-15", "responsible_person": "甲"},
        format="json",
    )
    assert response.status_code == 400
    assert "不属于本次会议所在的县" in response.json()["detail"]
    assert (
        client.post(
            f"{API}/directives/{world.directive2.pk}/assign/", {"deadline": "2022-01-15"}, format="json"
        ).status_code
        == 400
    )
    assert snapshot() == before


def test_a_department_reads_and_reports_on_its_assignment_page(client, world):
    client.force_login(world.users["finance"])
    listing = client.get("/meetings/assignments/").content.decode()
    assert "县财政局" in listing
    assert "褚庙乡" not in listing
    page = client.get(f"/meetings/assignments/{world.a_finance.pk}/").content.decode()
    assert 'data-testid="report-form"' in page
    assert client.get(f"/trace/assignments/{world.a_finance.pk}/").status_code == 200
    assert client.get(f"/meetings/assignments/{world.a_township.pk}/").status_code == 404
    assert client.get(f"/trace/assignments/{world.a_township.pk}/").status_code == 404
    response = client.post(
        f"/meetings/assignments/{world.a_finance.pk}/report/",
        {"report-reported_on": "2021-12-20", "report-text": "资金已拨付", "report-percent": "50"},
    )
    assert response.status_code == 302
    assert world.a_finance.progress_reports.get().text == "资金已拨付"
    before = snapshot()
    response = client.post(
        f"/meetings/assignments/{world.a_police.pk}/report/",
        {"report-reported_on": "2021-12-20", "report-text": "越权", "report-percent": "50"},
    )
    assert response.status_code == 404
    assert snapshot() == before


# -- the assignment list's department filter and the meeting's progress matrix ---------------------------


def test_the_assignment_list_filters_by_department(client, world):
    office = world.users["office"]
    rows = selectors.assignment_list(user=office, filters={"department": world.finance.pk})
    assert list(rows) == [world.a_finance]
    client.force_login(office)
    page = client.get(f"/meetings/assignments/?department={world.police.pk}").content.decode()
    assert page.count('data-testid="assignment-row"') == 1
    assert "县公安局" in page
    assert '<select name="department"' in page
    assert '<option value="' + str(world.foreign.pk) not in page  # another county's department
    # A department from another county is not a choice: an invalid filter, not another county's rows.
    with pytest.raises(ValidationError):
        selectors.assignment_list(user=office, filters={"department": world.foreign.pk})


def test_a_township_lead_is_offered_no_department_filter(client, world):
    client.force_login(world.users["lead"])
    page = client.get("/meetings/assignments/").content.decode()
    assert '<select name="department"' not in page
    assert page.count('data-testid="assignment-row"') == 1  # 褚庙乡's own


def test_departments_are_rows_of_the_matrix_apart_from_the_townships(client, world, meeting):
    progress = selectors.meeting_progress(user=world.users["office"], meeting=meeting, on=ON)
    assert [(r.department.name, r.directive.number) for r in progress.departments] == [
        ("县公安局", world.directive2.number),
        ("县财政局", world.directive.number),
    ]
    assert progress.departments[1].cell.assignment_id == world.a_finance.pk
    # The townships' cells count the township's assignment alone.
    cells = [c for row in progress.rows for c in row.cells if c is not None]
    assert [c.assignment_id for c in cells] == [world.a_township.pk]
    client.force_login(world.users["office"])
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert page.count('data-testid="department-row"') == 2
    assert page.count('data-testid="matrix-cell"') == 1
    assert re.search(r"任务 <b>1</b>", page)  # the summary: townships' assignments only
    # A department sees its own row; a township lead none.
    own = selectors.meeting_progress(user=world.users["finance"], meeting=meeting, on=ON)
    assert [r.department for r in own.departments] == [world.finance]
    lead = selectors.meeting_progress(user=world.users["lead"], meeting=meeting, on=ON)
    assert lead.departments == []
