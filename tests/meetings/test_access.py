"""The meetings app's one access policy (meetings.access), door by door: each rule refuses a user the
same way — the same message — through the service itself, the API (403), the pages (403, the reason
shown) and the admin (a form error, an action message or a 403 with the reason), and a refused request
writes nothing. The allowed path goes through too. (Meetings have no Excel import kind: no import door.)

Only the guidance center has the admin; to show that the admin writes through the policy, the refused
users are given staff status and every meetings permission here: the policy still refuses them.
"""

import datetime as dt
import html

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages

from core.exceptions import AccessDenied, ApplicationError
from core.models import Role
from meetings import services
from meetings.models import Assignment, Attendance, Directive, Meeting, ProgressReport, Statement
from tests.factories import make_user

from . import test_api
from .test_admin import management, url
from .test_api import API, client_for, snapshot
from .test_pages import assignment_url

pytestmark = pytest.mark.django_db

world = test_api.world  # the API tests' 民权县, one meeting, assignments in every state (a fixture)

MEETING_CREATE = "只有本县消防工作办公室或指导中心可以登记会议。"
MEETING_CHANGE = "只有本县消防工作办公室或指导中心可以修改会议。"
DIRECTIVE_CHANGE = "只有本县消防工作办公室或指导中心可以添加或修改会议部署。"
ASSIGN = "只有本县消防工作办公室或指导中心可以分解任务。"
REPORT = "只有承担任务的乡镇消防专干（分管副职）、县直部门或指导中心可以报告任务进展。"
CLOSE = "只有承担任务的乡镇、县直部门、县消防工作办公室或指导中心可以办结任务。"
REOPEN = "只有本县消防工作办公室或指导中心可以重新打开任务。"
EXTEND = "只有本县消防工作办公室或指导中心可以延长完成时限。"
RESPONSIBLE = "只有本县消防工作办公室或指导中心可以更换责任人。"


def everything():
    """What a refused request must leave as it was: every meetings row, its history and the states."""
    rows = {m.__name__: (m.objects.count(), m.history.count()) for m in (Attendance, Statement)}
    return snapshot(), rows, list(Meeting.objects.values_list("id", "title"))


def staff(user):
    """`user` with the admin and every meetings permission: only the access policy can refuse them."""
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="meetings"))
    return user


@pytest.fixture
def stranger(other_county):
    """A county official of another county (宁陵县), with the admin."""
    return staff(make_user(Role.COUNTY_OFFICIAL, username="ningling-office", county=other_county))


@pytest.fixture
def police_staff(world):
    """The police station that sees 北关镇, with the admin."""
    return staff(world.users["police"])


def denied(response, message):
    assert response.status_code == 403, response.content
    assert response.json()["detail"] == message


def page_denied(response, message):
    assert response.status_code == 403
    assert message in response.content.decode()


def page_refusal(response) -> str:
    """The reason a 403 page gives."""
    assert response.status_code == 403, response.content
    page = response.content.decode()
    return html.unescape(page.split('data-testid="refusal"><strong>', 1)[1].split("</strong>", 1)[0])


def form_refused(response, message):
    assert response.status_code == 200
    assert message in str(response.context["adminform"].form.errors)


def admin_messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def admin_client_for(client, user):
    client.force_login(user)
    return client


# -- the services refuse `by` themselves ----------------------------------------------------------


def _refusals(w, stranger):
    lead = w.users["beiguan_lead"]
    police = w.users["police"]
    return [
        (
            MEETING_CREATE,
            lambda: services.meeting_create(
                county=w.county,
                title="越权",
                held_at=dt.datetime(2021, 12, 1, 9, tzinfo=dt.UTC),
                chair="某",
                main_venue="某地",
                by=stranger,
            ),
        ),
        (MEETING_CHANGE, lambda: services.meeting_update(w.meeting, data={"title": "改"}, by=lead)),
        (
            MEETING_CHANGE,
            lambda: services.statement_record(
                meeting=w.meeting, township=w.beiguan, kind="typical", summary="越权", by=stranger
            ),
        ),
        (
            DIRECTIVE_CHANGE,
            lambda: services.directive_add(
                meeting=w.meeting, category="grid", text="越权", priority="normal", by=lead
            ),
        ),
        (DIRECTIVE_CHANGE, lambda: services.directive_update(w.directive, data={"text": "改"}, by=stranger)),
        (
            ASSIGN,
            lambda: services.directive_assign(
                directive=w.directive, townships=[w.huayuan], deadline=dt.date(2022, 1, 15), by=lead
            ),
        ),
        (
            REPORT,
            lambda: services.assignment_report_progress(
                assignment=w.a_cm, reported_on=dt.date(2021, 12, 21), text="代报", percent=100, by=lead
            ),
        ),
        (
            REPORT,
            lambda: services.assignment_report_progress(
                assignment=w.a_bg, reported_on=dt.date(2021, 12, 21), text="代报", percent=100, by=police
            ),
        ),
        (
            CLOSE,
            lambda: services.assignment_close(assignment=w.a_bg, closed_on=dt.date(2021, 12, 21), by=police),
        ),
        (
            CLOSE,
            lambda: services.assignment_close(
                assignment=w.a_cm, closed_on=dt.date(2021, 12, 21), by=stranger
            ),
        ),
        (REOPEN, lambda: services.assignment_reopen(assignment=w.closed_bg, reason="想改", by=lead)),
        (
            EXTEND,
            lambda: services.assignment_extend_deadline(
                assignment=w.a_bg, new_deadline=dt.date(2022, 1, 31), reason="来不及", by=lead
            ),
        ),
        (
            RESPONSIBLE,
            lambda: services.assignment_change_responsible_person(
                assignment=w.a_bg, responsible_person="别人", by=lead
            ),
        ),
    ]


def test_every_service_refuses_a_user_the_policy_refuses_and_writes_nothing(world, stranger):
    for message, call in _refusals(world, stranger):
        before = everything()
        with pytest.raises(AccessDenied) as refusal:
            call()
        assert refusal.value.message == message
        assert everything() == before, message


def test_the_system_and_the_guidance_center_pass_every_check(world):
    center = world.users["center"]
    services.meeting_update(world.meeting, data={"summary": "纪要"}, by=None)
    services.assignment_extend_deadline(
        assignment=world.a_bg, new_deadline=dt.date(2022, 1, 31), reason="集中整治", by=center
    )
    services.assignment_change_responsible_person(
        assignment=world.a_bg, responsible_person="新书记", by=center
    )
    world.a_bg.refresh_from_db()
    assert (world.a_bg.deadline, world.a_bg.responsible_person) == (dt.date(2022, 1, 31), "新书记")


# -- 推进会 ------------------------------------------------------------------------------------------


def meeting_form(county, **changes):
    return {
        "county": county.pk,
        "title": "冬春火灾防控工作调度会",
        "held_at_0": "2021-12-01",
        "held_at_1": "09:00:00",
        "chair": "王景义",
        "chair_title": "",
        "main_venue": "县政府三楼会议室",
        "sub_venues": "",
        "summary": "",
        "source": "",
        **management("attendances"),
        **management("statements"),
        **management("directives"),
        **changes,
    }


def test_meeting_create_is_refused_alike_by_the_api_and_the_admin(world, stranger, client):
    before = everything()
    payload = {
        "county": world.county.pk,
        "title": "越权",
        "held_at": "2021-12-01T09:00:00+08:00",
        "chair": "某",
        "main_venue": "某地",
    }
    denied(client_for(stranger).post(f"{API}/meetings/", payload, format="json"), MEETING_CREATE)
    # A role that may never create one is turned away at the route, in the same words.
    denied(
        client_for(world.users["beiguan_lead"]).post(f"{API}/meetings/", payload, format="json"),
        MEETING_CREATE,
    )
    form_refused(
        admin_client_for(client, stranger).post(url(Meeting, "add"), meeting_form(world.county)),
        MEETING_CREATE,
    )
    assert everything() == before

    created = client_for(world.users["office"]).post(f"{API}/meetings/", payload, format="json")
    assert created.status_code == 201


def test_meeting_changes_are_refused_in_the_admin_and_allowed_to_the_center(world, stranger, client):
    attendance = services.attendance_record(
        meeting=world.meeting, unit="北关镇", person="镇长", venue="main", by=None
    )
    before = everything()
    admin = admin_client_for(client, stranger)
    form_refused(
        admin.post(url(Meeting, "change", world.meeting.pk), meeting_form(world.county, title="改")),
        MEETING_CHANGE,
    )
    form_refused(
        admin.post(
            url(Statement, "add"),
            {"meeting": world.meeting.pk, "township": world.beiguan.pk, "kind": "typical", "summary": "越权"},
        ),
        MEETING_CHANGE,
    )
    page_denied(admin.post(url(Attendance, "delete", attendance.pk), {"post": "yes"}), MEETING_CHANGE)
    assert everything() == before

    center = staff(world.users["center"])
    admin = admin_client_for(client, center)
    response = admin.post(
        url(Meeting, "change", world.meeting.pk), meeting_form(world.county, title="调度会（更正）")
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    world.meeting.refresh_from_db()
    assert world.meeting.title == "调度会（更正）"
    assert world.meeting.history.first().history_user == center
    assert admin.post(url(Attendance, "delete", attendance.pk), {"post": "yes"}).status_code == 302
    assert not Attendance.objects.filter(pk=attendance.pk).exists()


def test_a_meeting_with_assignments_is_not_deleted_even_by_the_center(world, admin_client):
    before = everything()
    # The admin does not offer it (its assignments and reports may not be deleted there) ...
    assert admin_client.post(url(Meeting, "delete", world.meeting.pk), {"post": "yes"}).status_code == 403
    assert admin_client.post(url(Directive, "delete", world.directive.pk), {"post": "yes"}).status_code == 403
    # ... and the services refuse it whoever asks.
    with pytest.raises(ApplicationError, match="不能删除"):
        services.meeting_delete(world.meeting, by=None)
    with pytest.raises(ApplicationError, match="不能删除"):
        services.directive_delete(world.directive, by=None)
    assert everything() == before


def test_a_meeting_entered_by_mistake_is_deleted_through_the_service(county, admin_client, admin_user):
    meeting = services.meeting_create(
        county=county,
        title="误录",
        held_at=dt.datetime(2021, 12, 1, 9, tzinfo=dt.UTC),
        chair="某",
        main_venue="某地",
        by=None,
    )
    services.directive_add(meeting=meeting, category="grid", text="误录", priority="normal", by=None)
    assert admin_client.post(url(Meeting, "delete", meeting.pk), {"post": "yes"}).status_code == 302
    assert not Meeting.objects.filter(pk=meeting.pk).exists()
    assert Meeting.history.filter(id=meeting.pk, history_type="-").get().history_user == admin_user


# -- 会议部署 and 任务分解 ---------------------------------------------------------------------------


def test_directive_add_is_refused_alike_by_the_api_and_the_admin(world, stranger, client):
    before = everything()
    payload = {"meeting": world.meeting.pk, "category": "grid", "text": "越权"}
    denied(client_for(stranger).post(f"{API}/directives/", payload, format="json"), DIRECTIVE_CHANGE)
    denied(
        client_for(world.users["chumiao_lead"]).post(f"{API}/directives/", payload, format="json"),
        DIRECTIVE_CHANGE,
    )
    form_refused(
        admin_client_for(client, stranger).post(
            url(Directive, "add"),
            {**payload, "priority": "normal", **management("assignments")},
        ),
        DIRECTIVE_CHANGE,
    )
    assert everything() == before


def test_assigning_a_township_outside_the_users_scope_is_refused_alike(world, foreign_township, client):
    office = staff(world.users["office"])
    message = "不能操作您管辖范围以外的乡镇（外县乡）。"
    before = everything()
    denied(
        client_for(office).post(
            f"{API}/directives/{world.directive.pk}/assign/",
            {"townships": [world.huayuan.pk, foreign_township.pk], "deadline": "2022-01-15"},
            format="json",
        ),
        message,
    )
    form_refused(
        admin_client_for(client, office).post(
            url(Assignment, "add"),
            {
                "directive": world.directive.pk,
                "township": foreign_township.pk,
                "deadline": "2022-01-15",
                "responsible_person": "",
                **management("progress_reports"),
            },
        ),
        message,
    )
    lead = world.users["beiguan_lead"]
    denied(
        client_for(lead).post(
            f"{API}/directives/{world.directive.pk}/assign/",
            {"townships": [world.beiguan.pk], "deadline": "2022-01-15"},
            format="json",
        ),
        ASSIGN,
    )
    assert everything() == before


# -- progress reports ----------------------------------------------------------------------------------


def test_progress_report_is_refused_alike_by_the_api_the_page_and_the_admin(world, police_staff, client):
    progress = {"reported_on": "2021-12-21", "text": "代报", "percent": 100}
    before = everything()
    police = client_for(police_staff)
    denied(
        police.post(f"{API}/assignments/{world.a_bg.pk}/report-progress/", progress, format="json"), REPORT
    )
    denied(
        police.post(f"{API}/progress-reports/", {**progress, "assignment": world.a_bg.pk}, format="json"),
        REPORT,
    )
    page = admin_client_for(client, police_staff)
    page_denied(
        page.post(
            assignment_url(world.a_bg, "report"),
            {"report-reported_on": "2021-12-21", "report-text": "代报", "report-percent": "100"},
        ),
        REPORT,
    )
    form_refused(page.post(url(ProgressReport, "add"), {**progress, "assignment": world.a_bg.pk}), REPORT)
    # Another township's lead: the API names the assignment (403, the same words); the page hides it (404).
    chumiao = world.users["chumiao_lead"]
    denied(
        client_for(chumiao).post(
            f"{API}/progress-reports/", {**progress, "assignment": world.a_bg.pk}, format="json"
        ),
        REPORT,
    )
    assert everything() == before

    page = admin_client_for(client, world.users["beiguan_lead"])
    response = page.post(
        assignment_url(world.a_bg, "report"),
        {"report-reported_on": "2021-12-21", "report-text": "全部完成", "report-percent": "100"},
    )
    assert response.status_code == 302
    assert world.a_bg.progress_reports.latest("id").reported_by == world.users["beiguan_lead"]


def test_a_role_that_may_never_report_progress_hears_one_rule_from_the_api_the_page_and_the_service(
    world, client
):
    """A police station may never report progress: the API's route gate (before it reads the input,
    here none), the assignment page and the service each ask meetings.access and answer in the same
    words, and nothing is written."""
    police = world.users["police"]
    before = everything()
    from_api = client_for(police).post(
        f"{API}/assignments/{world.a_bg.pk}/report-progress/", {}, format="json"
    )
    assert from_api.status_code == 403, from_api.content
    from_page = admin_client_for(client, police).post(
        assignment_url(world.a_bg, "report"),
        {"report-reported_on": "2021-12-21", "report-text": "代报", "report-percent": "100"},
    )
    with pytest.raises(AccessDenied) as from_service:
        services.assignment_report_progress(
            assignment=world.a_bg, reported_on=dt.date(2021, 12, 21), text="代报", percent=100, by=police
        )
    assert from_api.json()["detail"] == page_refusal(from_page) == from_service.value.message == REPORT
    assert everything() == before


# -- closing, reopening, extending, the responsible person ----------------------------------------------


def test_closing_is_refused_alike_by_the_api_the_page_and_the_admin_action(world, police_staff, client):
    before = everything()
    denied(
        client_for(police_staff).post(
            f"{API}/assignments/{world.a_bg.pk}/close/", {"closed_on": "2021-12-21"}, format="json"
        ),
        CLOSE,
    )
    page = admin_client_for(client, police_staff)
    page_denied(page.post(assignment_url(world.a_bg, "close"), {"close-closed_on": "2021-12-21"}), CLOSE)
    response = page.post(
        url(Assignment, "changelist"),
        {"action": "close_selected", "_selected_action": [world.a_bg.pk]},
        follow=True,
    )
    assert any(CLOSE in m for m in admin_messages(response))
    assert everything() == before

    page = admin_client_for(client, world.users["office"])
    assert (
        page.post(assignment_url(world.a_bg, "close"), {"close-closed_on": "2021-12-21"}).status_code == 302
    )
    world.a_bg.refresh_from_db()
    assert world.a_bg.status == Assignment.Status.CLOSED


def test_reopening_is_refused_alike_by_the_api_and_the_admin_action(world, stranger, client):
    before = everything()
    denied(
        client_for(world.users["beiguan_lead"]).post(
            f"{API}/assignments/{world.closed_bg.pk}/reopen/", {"reason": "想改"}, format="json"
        ),
        REOPEN,
    )
    response = admin_client_for(client, stranger).post(
        url(Assignment, "changelist"),
        {"action": "reopen_selected", "_selected_action": [world.closed_bg.pk], "reason": "越权"},
        follow=True,
    )
    assert any(REOPEN in m for m in admin_messages(response))
    assert everything() == before


def assignment_change(a, **fields):
    return {
        "deadline": a.deadline.isoformat(),
        "extension_reason": "",
        "responsible_person": a.responsible_person,
        **management(
            "progress_reports", total=a.progress_reports.count(), initial=a.progress_reports.count()
        ),
        **fields,
    }


def test_extending_and_renaming_are_refused_alike_by_the_api_and_the_admin(world, stranger, client):
    before = everything()
    denied(
        client_for(world.users["beiguan_lead"]).post(
            f"{API}/assignments/{world.a_bg.pk}/extend-deadline/",
            {"new_deadline": "2022-01-31", "reason": "来不及"},
            format="json",
        ),
        EXTEND,
    )
    admin = admin_client_for(client, stranger)
    change = url(Assignment, "change", world.a_bg.pk)
    form_refused(
        admin.post(change, assignment_change(world.a_bg, deadline="2022-01-31", extension_reason="越权")),
        EXTEND,
    )
    form_refused(admin.post(change, assignment_change(world.a_bg, responsible_person="别人")), RESPONSIBLE)
    assert everything() == before

    admin = admin_client_for(client, staff(world.users["office"]))
    response = admin.post(
        change,
        assignment_change(
            world.a_bg, deadline="2022-01-31", extension_reason="集中整治", responsible_person="新书记"
        ),
    )
    assert response.status_code == 302
    world.a_bg.refresh_from_db()
    assert (world.a_bg.deadline, world.a_bg.responsible_person) == (dt.date(2022, 1, 31), "新书记")


def test_the_admin_offers_no_deletion_of_assignments_or_reports(world, admin_client):
    before = everything()
    assert admin_client.post(url(Assignment, "delete", world.a_bg.pk), {"post": "yes"}).status_code == 403
    assert admin_client.post(url(ProgressReport, "delete", world.r_bg.pk), {"post": "yes"}).status_code == 403
    assert everything() == before
