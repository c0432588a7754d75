import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from meetings import services
from meetings.models import Assignment, Attendance, Directive, Meeting, ProgressReport, Statement
from tests.factories import AssignmentFactory, DirectiveFactory

from .factories import ProgressReportFactory
from .test_services import snapshot

pytestmark = pytest.mark.django_db


def url(model, view, *args):
    return reverse(f"admin:meetings_{model._meta.model_name}_{view}", args=args)


def management(prefix, total=0, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def rows(meeting, directive, chumiao):
    """One row of every meetings model."""
    attendance = Attendance.objects.create(
        meeting=meeting,
        township=chumiao,
        unit="褚庙乡",
        person="乡长",
        venue="sub",
        venue_name="褚庙乡分会场",
    )
    statement = Statement.objects.create(meeting=meeting, township=chumiao, kind="typical", summary="经验")
    assignment = AssignmentFactory(directive=directive, township=chumiao)
    report = ProgressReportFactory(assignment=assignment, percent=40)
    return {
        Meeting: meeting,
        Attendance: attendance,
        Statement: statement,
        Directive: directive,
        Assignment: assignment,
        ProgressReport: report,
    }


MODELS = [Meeting, Attendance, Statement, Directive, Assignment, ProgressReport]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_admin_pages_render_for_a_superuser(admin_client, rows, model):
    obj = rows[model]
    assert admin_client.get(url(model, "changelist")).status_code == 200
    assert admin_client.get(url(model, "add")).status_code == 200
    assert admin_client.get(url(model, "change", obj.pk)).status_code == 200
    assert admin_client.get(url(model, "history", obj.pk)).status_code == 200


def test_closed_assignment_change_page_renders_read_only(admin_client, directive, chumiao):
    a = AssignmentFactory(
        directive=directive, township=chumiao, status="closed", closed_on=dt.date(2021, 12, 20)
    )
    response = admin_client.get(url(Assignment, "change", a.pk))
    assert response.status_code == 200
    assert "extension_reason" not in response.content.decode()


@pytest.mark.parametrize(("model", "term"), [(Meeting, "推进会"), (Directive, "消防"), (Assignment, "褚庙")])
def test_admin_changelists_search(admin_client, rows, model, term):
    response = admin_client.get(url(model, "changelist"), {"q": term})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1


def test_township_autocomplete_works_from_assignments(admin_client, rows):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "meetings", "model_name": "assignment", "field_name": "township", "term": "褚庙"},
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["褚庙乡"]


# -- actions ---------------------------------------------------------------------------------------------


def act(admin_client, action, assignments, **extra):
    return admin_client.post(
        url(Assignment, "changelist"),
        {"action": action, "_selected_action": [a.pk for a in assignments], **extra},
        follow=True,
    )


def test_close_action_refuses_an_assignment_without_progress_report_and_changes_nothing(
    admin_client, directive, chumiao
):
    a = AssignmentFactory(directive=directive, township=chumiao)
    before = snapshot()
    response = act(admin_client, "close_selected", [a])
    assert response.status_code == 200
    assert any("没有进展报告的任务不能办结" in m for m in messages_of(response))
    assert snapshot() == before
    a.refresh_from_db()
    assert (a.status, a.closed_on) == (Assignment.Status.ASSIGNED, None)


def test_close_action_closes_finished_assignments_today_and_reports_the_others(
    admin_client, admin_user, directive, chumiao, beiguan
):
    done = AssignmentFactory(directive=directive, township=chumiao)
    services.assignment_report_progress(
        assignment=done, reported_on=dt.date(2021, 12, 1), text="完成", percent=100, by=None
    )
    halfway = AssignmentFactory(directive=directive, township=beiguan)
    services.assignment_report_progress(
        assignment=halfway, reported_on=dt.date(2021, 12, 1), text="一半", percent=50, by=None
    )
    response = act(admin_client, "close_selected", [done, halfway])
    done.refresh_from_db()
    halfway.refresh_from_db()
    assert (done.status, done.closed_on) == (Assignment.Status.CLOSED, services.local_today())
    assert done.history.first().history_user == admin_user
    assert halfway.status == Assignment.Status.IN_PROGRESS
    texts = messages_of(response)
    assert any("北关镇" in m and "50%" in m for m in texts)
    assert any("已办结 1 项任务" in m for m in texts)


def test_reopen_action_needs_a_reason_and_records_it(admin_client, admin_user, directive, chumiao):
    a = AssignmentFactory(
        directive=directive, township=chumiao, status="closed", closed_on=dt.date(2021, 12, 20)
    )
    response = act(admin_client, "reopen_selected", [a])
    assert any("理由" in m for m in messages_of(response))
    a.refresh_from_db()
    assert a.status == Assignment.Status.CLOSED

    act(admin_client, "reopen_selected", [a], reason="复核不合格")
    a.refresh_from_db()
    assert (a.status, a.closed_on) == (Assignment.Status.IN_PROGRESS, None)
    record = a.history.first()
    assert (record.history_user, record.history_change_reason) == (admin_user, "复核不合格")


# -- adding and changing through the services ------------------------------------------------------------


def test_assignment_added_in_admin_defaults_to_the_principal_leader(
    admin_client, admin_user, directive, chumiao
):
    response = admin_client.post(
        url(Assignment, "add"),
        {
            "directive": directive.pk,
            "township": chumiao.pk,
            "deadline": "2021-12-31",
            "responsible_person": "",
            **management("progress_reports"),
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    a = Assignment.objects.get()
    assert a.responsible_person == "褚书记"
    assert a.history.get().history_user == admin_user


def test_assignment_added_in_admin_refuses_a_deadline_before_the_meeting(admin_client, directive, chumiao):
    before = snapshot()
    response = admin_client.post(
        url(Assignment, "add"),
        {
            "directive": directive.pk,
            "township": chumiao.pk,
            "deadline": "2021-11-01",
            "responsible_person": "",
            **management("progress_reports"),
        },
    )
    assert response.status_code == 200
    assert "早于会议日期" in str(response.context["adminform"].form.errors)
    assert snapshot() == before


def directive_form(directive, *new_rows, existing=()):
    data = {
        "category": directive.category,
        "priority": directive.priority,
        "text": directive.text,
        **management("assignments", total=len(existing) + len(new_rows), initial=len(existing)),
    }
    for i, a in enumerate(existing):
        data |= {f"assignments-{i}-id": a.pk, f"assignments-{i}-directive": directive.pk}
    for i, row in enumerate(new_rows, start=len(existing)):
        data |= {f"assignments-{i}-directive": directive.pk, f"assignments-{i}-id": ""}
        data |= {f"assignments-{i}-{k}": v for k, v in row.items()}
    return data


def test_directive_inline_assigns_new_townships_through_the_service_rules(
    admin_client, directive, chumiao, beiguan, foreign_township
):
    existing = AssignmentFactory(directive=directive, township=chumiao)
    before = snapshot()
    response = admin_client.post(
        url(Directive, "change", directive.pk),
        directive_form(
            directive,
            {"township": foreign_township.pk, "deadline": "2021-12-31", "responsible_person": ""},
            existing=[existing],
        ),
    )
    assert response.status_code == 200
    assert "外县乡" in str(response.context["inline_admin_formsets"][0].formset.errors)
    assert snapshot() == before

    response = admin_client.post(
        url(Directive, "change", directive.pk),
        directive_form(
            directive,
            {"township": beiguan.pk, "deadline": "2021-12-31", "responsible_person": ""},
            existing=[existing],
        ),
    )
    assert response.status_code == 302
    assert Assignment.objects.get(township=beiguan).responsible_person == "北书记"


def test_directive_inline_refuses_a_township_already_assigned(admin_client, directive, chumiao):
    AssignmentFactory(directive=directive, township=chumiao)
    before = snapshot()
    response = admin_client.post(
        url(Directive, "change", directive.pk),
        directive_form(
            directive, {"township": chumiao.pk, "deadline": "2021-12-31", "responsible_person": ""}
        ),
    )
    assert response.status_code == 200
    assert "褚庙乡" in str(response.context["inline_admin_formsets"][0].formset.errors)
    assert snapshot() == before


def test_meeting_added_in_admin_numbers_its_directives(admin_client, admin_user, county):
    response = admin_client.post(
        url(Meeting, "add"),
        {
            "county": county.pk,
            "title": "推进会",
            "held_at_0": "2021-11-17",
            "held_at_1": "15:00:00",
            "chair": "王景义",
            "chair_title": "",
            "main_venue": "县政府主会场",
            "sub_venues": "褚庙乡分会场\r\n\r\n北关镇分会场",
            "summary": "",
            "source": "",
            **management("attendances"),
            **management("statements"),
            **management("directives", total=2),
            "directives-0-category": "responsibility",
            "directives-0-priority": "high",
            "directives-0-text": "严格消防安全责任制落实",
            "directives-1-category": "grid",
            "directives-1-priority": "normal",
            "directives-1-text": "网格化管理",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    meeting = Meeting.objects.get()
    assert meeting.sub_venues == "褚庙乡分会场\n北关镇分会场"
    assert meeting.history.get().history_user == admin_user
    assert list(meeting.directives.values_list("number", "category")) == [(1, "responsibility"), (2, "grid")]


def test_meeting_admin_refuses_a_sub_venue_twice(admin_client, county):
    response = admin_client.post(
        url(Meeting, "add"),
        {
            "county": county.pk,
            "title": "推进会",
            "held_at_0": "2021-11-17",
            "held_at_1": "15:00:00",
            "chair": "王景义",
            "main_venue": "县政府主会场",
            "sub_venues": "甲\n甲",
            **management("attendances"),
            **management("statements"),
            **management("directives"),
        },
    )
    assert response.status_code == 200
    assert not Meeting.objects.exists()


def test_progress_report_added_in_admin_moves_the_assignment(admin_client, admin_user, directive, chumiao):
    a = AssignmentFactory(directive=directive, township=chumiao)
    response = admin_client.post(
        url(ProgressReport, "add"),
        {"assignment": a.pk, "reported_on": "2021-12-01", "percent": "60", "text": "已选址"},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    a.refresh_from_db()
    assert (a.status, a.progress_percent) == (Assignment.Status.IN_PROGRESS, 60)
    assert ProgressReport.objects.get().reported_by == admin_user


def test_progress_report_admin_refuses_going_backwards(admin_client, directive, chumiao):
    a = AssignmentFactory(directive=directive, township=chumiao)
    services.assignment_report_progress(
        assignment=a, reported_on=dt.date(2021, 12, 1), text="x", percent=60, by=None
    )
    before = snapshot()
    response = admin_client.post(
        url(ProgressReport, "add"),
        {"assignment": a.pk, "reported_on": "2021-12-02", "percent": "50", "text": "回退"},
    )
    assert response.status_code == 200
    assert "进度不能倒退" in str(response.context["adminform"].form.errors)
    assert snapshot() == before


def test_progress_reports_cannot_be_deleted_in_admin(admin_client, rows):
    report = rows[ProgressReport]
    assert admin_client.post(url(ProgressReport, "delete", report.pk), {"post": "yes"}).status_code == 403
    assert ProgressReport.objects.filter(pk=report.pk).exists()


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


def test_assignment_deadline_extension_in_admin_needs_a_reason(admin_client, admin_user, rows):
    a = rows[Assignment]
    before = snapshot()
    response = admin_client.post(url(Assignment, "change", a.pk), assignment_change(a, deadline="2022-01-31"))
    assert response.status_code == 200
    assert "理由" in str(response.context["adminform"].form.errors)
    assert snapshot() == before

    response = admin_client.post(
        url(Assignment, "change", a.pk),
        assignment_change(a, deadline="2022-01-31", extension_reason="冬季施工", responsible_person="新书记"),
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert (a.deadline, a.responsible_person) == (dt.date(2022, 1, 31), "新书记")
    extension = a.history.all()[1]
    assert (extension.history_user, extension.history_change_reason) == (admin_user, "冬季施工")


def test_assignment_deadline_cannot_be_moved_earlier_in_admin(admin_client, rows):
    a = rows[Assignment]
    response = admin_client.post(
        url(Assignment, "change", a.pk), assignment_change(a, deadline="2021-12-01", extension_reason="提前")
    )
    assert response.status_code == 200
    assert "须晚于原时限" in str(response.context["adminform"].form.errors)


def test_attendance_added_in_admin_follows_the_meetings_venues(
    admin_client, admin_user, meeting, foreign_township
):
    form = {
        "meeting": meeting.pk,
        "unit": "某乡",
        "person": "乡长",
        "position": "",
        "venue": "sub",
        "present": "on",
    }
    before = snapshot()
    response = admin_client.post(url(Attendance, "add"), {**form, "venue_name": "花园乡分会场"})
    assert response.status_code == 200
    assert "不是本次会议的分会场" in str(response.context["adminform"].form.errors)
    response = admin_client.post(
        url(Attendance, "add"), {**form, "venue_name": "褚庙乡分会场", "township": foreign_township.pk}
    )
    assert response.status_code == 200
    assert snapshot() == before

    response = admin_client.post(url(Attendance, "add"), {**form, "venue_name": "褚庙乡分会场"})
    assert response.status_code == 302
    assert Attendance.objects.get().history.get().history_user == admin_user


def test_statement_added_in_admin_refuses_a_township_of_another_county(
    admin_client, meeting, foreign_township
):
    response = admin_client.post(
        url(Statement, "add"),
        {
            "meeting": meeting.pk,
            "township": foreign_township.pk,
            "kind": "typical",
            "speaker": "",
            "summary": "x",
        },
    )
    assert response.status_code == 200
    assert "外县乡" in str(response.context["adminform"].form.errors)
    assert not Statement.objects.exists()


def test_meeting_change_keeps_unchanged_rows_and_checks_new_ones(admin_client, rows, foreign_township):
    meeting = rows[Meeting]
    # An older row whose venue is not (or no longer) among the sub-venues is left alone when unchanged.
    old = Attendance.objects.create(
        meeting=meeting, unit="指导中心", person="工作人员", venue="sub", venue_name="旧会场"
    )
    attendances = list(meeting.attendances.order_by("id"))
    data = {
        "title": meeting.title,
        "held_at_0": "2021-11-17",
        "held_at_1": "15:00:00",
        "chair": meeting.chair,
        "chair_title": "",
        "main_venue": meeting.main_venue,
        "sub_venues": meeting.sub_venues,
        "summary": "",
        "source": "",
        **management("attendances", total=len(attendances), initial=len(attendances)),
        **management("statements", total=1, initial=1),
        "statements-0-id": rows[Statement].pk,
        "statements-0-meeting": meeting.pk,
        "statements-0-township": rows[Statement].township_id,
        "statements-0-kind": "typical",
        "statements-0-speaker": "",
        "statements-0-summary": "经验",
        **management("directives", total=1, initial=1),
        "directives-0-id": rows[Directive].pk,
        "directives-0-meeting": meeting.pk,
        "directives-0-category": rows[Directive].category,
        "directives-0-priority": rows[Directive].priority,
        "directives-0-text": rows[Directive].text,
    }
    for i, a in enumerate(attendances):
        data |= {
            f"attendances-{i}-{k}": v
            for k, v in {
                "id": a.pk,
                "meeting": meeting.pk,
                "township": a.township_id or "",
                "unit": a.unit,
                "person": a.person,
                "position": a.position,
                "venue": a.venue,
                "venue_name": a.venue_name,
                "present": "on",
            }.items()
        }
    response = admin_client.post(url(Meeting, "change", meeting.pk), data)
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.venue_name == "旧会场"

    data |= management("statements", total=2, initial=1) | {
        "statements-1-meeting": meeting.pk,
        "statements-1-township": foreign_township.pk,
        "statements-1-kind": "commitment",
        "statements-1-summary": "表态",
    }
    before = snapshot()
    response = admin_client.post(url(Meeting, "change", meeting.pk), data)
    assert response.status_code == 200
    statements_formset = response.context["inline_admin_formsets"][1].formset
    assert "外县乡" in str(statements_formset.errors)
    assert snapshot() == before


def test_directive_added_in_admin_takes_the_next_number_and_assigns_its_rows(admin_client, meeting, beiguan):
    DirectiveFactory(meeting=meeting, number=3)
    response = admin_client.post(
        url(Directive, "add"),
        {
            "meeting": meeting.pk,
            "category": "equipment",
            "priority": "normal",
            "text": "落实消防装备配备",
            **management("assignments", total=1),
            "assignments-0-township": beiguan.pk,
            "assignments-0-deadline": "2022-03-31",
            "assignments-0-responsible_person": "",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    added = Directive.objects.get(meeting=meeting, category="equipment")
    assert added.number == 4
    assert [(a.township, a.responsible_person) for a in added.assignments.all()] == [(beiguan, "北书记")]
