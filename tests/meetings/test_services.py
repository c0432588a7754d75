import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from core.exceptions import AccessDenied, ApplicationError
from core.models import Role
from meetings import services
from meetings.models import Assignment, Attendance, Directive, Meeting, ProgressReport, Statement
from tests.factories import AssignmentFactory, DirectiveFactory, TownshipFactory, make_user

from .conftest import MEETING_DAY

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
MODELS = (Meeting, Attendance, Statement, Directive, Assignment, ProgressReport)


def snapshot():
    """Row counts of every meetings table and its history table: equal before and after a refusal."""
    return {m.__name__: (m.objects.count(), m.history.count()) for m in MODELS}


def refused(call, match=None, error=ApplicationError):
    """Run a refused service call; assert it raised and wrote nothing."""
    before = snapshot()
    with pytest.raises(error, match=match):
        call()
    assert snapshot() == before


def report(assignment, percent, *, on=dt.date(2021, 12, 1), by=None, text="推进中"):
    return services.assignment_report_progress(
        assignment=assignment, reported_on=on, text=text, percent=percent, by=by
    )


@pytest.fixture
def assignment(directive, chumiao):
    [created] = services.directive_assign(
        directive=directive, townships=[chumiao], deadline=dt.date(2021, 12, 31), by=None
    )
    return created


@pytest.fixture
def finished(assignment, lead):
    report(assignment, 100, on=dt.date(2021, 12, 20), by=lead)
    return services.assignment_close(assignment=assignment, closed_on=dt.date(2021, 12, 21), by=lead)


# -- meetings ---------------------------------------------------------------------------------------


def test_meeting_is_created_with_its_sub_venues_and_the_acting_user_in_history(county, office):
    meeting = services.meeting_create(
        county=county,
        title="全县专职消防队伍建设暨冬春火灾防控工作推进会",
        held_at=dt.datetime(2021, 11, 17, 15, 0, tzinfo=SHANGHAI),
        chair="王景义",
        chair_title="县委常委、常务副县长",
        main_venue="县政府主会场",
        sub_venues=["褚庙乡分会场", " 北关镇分会场 ", ""],
        by=office,
    )
    assert meeting.sub_venues == "褚庙乡分会场\n北关镇分会场"
    assert meeting.history.get().history_user == office


def test_meeting_sub_venues_may_be_given_one_per_line(county):
    meeting = services.meeting_create(
        county=county,
        title="推进会",
        held_at=dt.datetime(2021, 11, 17, 15, 0, tzinfo=SHANGHAI),
        chair="王景义",
        main_venue="县政府主会场",
        sub_venues="甲分会场\n\n乙分会场\n",
        by=None,
    )
    assert meeting.sub_venues == "甲分会场\n乙分会场"


def _create_meeting(county, **overrides):
    kwargs = {
        "county": county,
        "title": "推进会",
        "held_at": dt.datetime(2021, 11, 17, 15, 0, tzinfo=SHANGHAI),
        "chair": "王景义",
        "main_venue": "县政府主会场",
        "by": None,
    } | overrides
    return services.meeting_create(**kwargs)


def test_meeting_cannot_list_a_sub_venue_twice(county):
    refused(lambda: _create_meeting(county, sub_venues=["甲分会场", "甲分会场"]), match="重复")


def test_meeting_sub_venue_cannot_be_the_main_venue(county):
    refused(lambda: _create_meeting(county, sub_venues=["县政府主会场"]), match="主会场同名")


def test_meeting_cannot_be_created_twice_at_the_same_time_with_the_same_title(county):
    _create_meeting(county)
    refused(lambda: _create_meeting(county), error=ValidationError)


def test_meeting_needs_a_chair(county):
    refused(lambda: _create_meeting(county, chair=""), error=ValidationError)


# -- attendance and statements -------------------------------------------------------------------------


def test_attendance_at_the_main_venue_takes_the_meetings_main_venue(meeting, office):
    attendance = services.attendance_record(
        meeting=meeting, unit="县政府", person="王景义", venue=Attendance.Venue.MAIN, by=office
    )
    assert attendance.venue_name == "县政府主会场"
    assert attendance.history.get().history_user == office


def test_attendance_at_a_sub_venue_of_the_meeting_is_recorded(meeting, chumiao):
    attendance = services.attendance_record(
        meeting=meeting,
        unit="褚庙乡",
        person="分管消防副职",
        venue=Attendance.Venue.SUB,
        venue_name="褚庙乡分会场",
        township=chumiao,
        by=None,
    )
    assert attendance.township == chumiao
    assert attendance.present


def test_attendance_refuses_a_township_of_another_county(meeting, foreign_township):
    refused(
        lambda: services.attendance_record(
            meeting=meeting,
            unit="外县乡",
            person="乡长",
            venue=Attendance.Venue.SUB,
            venue_name="褚庙乡分会场",
            township=foreign_township,
            by=None,
        ),
        match="外县乡",
    )


def test_attendance_refuses_a_sub_venue_the_meeting_does_not_have(meeting):
    refused(
        lambda: services.attendance_record(
            meeting=meeting, unit="某单位", person="某人", venue="sub", venue_name="花园乡分会场", by=None
        ),
        match="不是本次会议的分会场",
    )


def test_attendance_at_a_sub_venue_must_name_it(meeting):
    refused(
        lambda: services.attendance_record(
            meeting=meeting, unit="某单位", person="某人", venue="sub", by=None
        ),
        match="哪个分会场",
    )


def test_attendance_at_a_sub_venue_refused_when_the_meeting_has_none(county):
    meeting = _create_meeting(county)
    refused(
        lambda: services.attendance_record(
            meeting=meeting, unit="某单位", person="某人", venue="sub", venue_name="甲分会场", by=None
        ),
        match="未设分会场",
    )


def test_attendance_at_the_main_venue_refuses_another_venue_name(meeting):
    refused(
        lambda: services.attendance_record(
            meeting=meeting, unit="某单位", person="某人", venue="main", venue_name="别处", by=None
        ),
        match="主会场是",
    )


def test_attendance_refuses_an_unknown_venue_kind(meeting):
    refused(
        lambda: services.attendance_record(meeting=meeting, unit="某单位", person="某人", venue="x", by=None),
        error=ValidationError,
    )


def test_statement_is_recorded_for_a_township_of_the_county(meeting, chumiao, office):
    statement = services.statement_record(
        meeting=meeting, township=chumiao, kind=Statement.Kind.TYPICAL, summary="经验做法", by=office
    )
    assert statement.history.get().history_user == office


def test_statement_refuses_a_township_of_another_county(meeting, foreign_township):
    refused(
        lambda: services.statement_record(
            meeting=meeting, township=foreign_township, kind="commitment", summary="表态", by=None
        ),
        match="外县乡",
    )


def test_statement_needs_a_summary(meeting, chumiao):
    refused(
        lambda: services.statement_record(
            meeting=meeting, township=chumiao, kind="typical", summary="", by=None
        ),
        error=ValidationError,
    )


# -- directives ------------------------------------------------------------------------------------------


def test_directives_are_numbered_one_after_the_other_within_the_meeting(meeting, office):
    first = services.directive_add(
        meeting=meeting, category="responsibility", text="严格消防安全责任制落实", priority="high", by=office
    )
    second = services.directive_add(
        meeting=meeting, category="grid", text="网格化管理", priority="normal", by=None
    )
    assert (first.number, second.number) == (1, 2)
    assert first.history.get().history_user == office


def test_directive_number_follows_the_highest_number_of_its_meeting_only(meeting, county):
    DirectiveFactory(meeting=meeting, number=5)
    other_meeting = _create_meeting(county, title="另一个会")
    DirectiveFactory(meeting=other_meeting, number=9)
    added = services.directive_add(meeting=meeting, category="brigade", text="建队", priority="high", by=None)
    assert added.number == 6


def test_directive_needs_text(meeting):
    refused(
        lambda: services.directive_add(
            meeting=meeting, category="brigade", text="", priority="high", by=None
        ),
        error=ValidationError,
    )


def test_directive_refuses_an_unknown_category(meeting):
    refused(
        lambda: services.directive_add(meeting=meeting, category="nope", text="x", priority="high", by=None),
        error=ValidationError,
    )


# -- directive_assign ----------------------------------------------------------------------------------


def test_directive_is_assigned_to_each_township_with_its_principal_leader(
    directive, chumiao, beiguan, office
):
    created = services.directive_assign(
        directive=directive, townships=[chumiao, beiguan, chumiao], deadline=dt.date(2021, 12, 31), by=office
    )
    assert [(a.township, a.responsible_person) for a in created] == [(chumiao, "褚书记"), (beiguan, "北书记")]
    for a in created:
        a.refresh_from_db()
        assert (a.status, a.progress_percent, a.closed_on) == (Assignment.Status.ASSIGNED, 0, None)
        assert a.history.get().history_user == office


def test_directive_assign_uses_the_given_responsible_person(directive, chumiao):
    [a] = services.directive_assign(
        directive=directive,
        townships=[chumiao],
        deadline=dt.date(2021, 12, 31),
        responsible_person="李副乡长",
        by=None,
    )
    assert a.responsible_person == "李副乡长"


def test_directive_may_be_due_on_the_meeting_day(directive, chumiao):
    [a] = services.directive_assign(directive=directive, townships=[chumiao], deadline=MEETING_DAY, by=None)
    assert a.deadline == MEETING_DAY


def test_directive_assign_refuses_a_deadline_before_the_meeting(directive, chumiao):
    refused(
        lambda: services.directive_assign(
            directive=directive, townships=[chumiao], deadline=MEETING_DAY - dt.timedelta(days=1), by=None
        ),
        match="早于会议日期",
    )


def test_directive_assign_refuses_a_township_of_another_county_and_assigns_none(
    directive, chumiao, foreign_township
):
    refused(
        lambda: services.directive_assign(
            directive=directive,
            townships=[chumiao, foreign_township],
            deadline=dt.date(2021, 12, 31),
            by=None,
        ),
        match="外县乡",
    )


def test_directive_assign_refuses_a_township_already_assigned_and_names_it(directive, chumiao, beiguan):
    services.directive_assign(
        directive=directive, townships=[beiguan], deadline=dt.date(2021, 12, 31), by=None
    )
    refused(
        lambda: services.directive_assign(
            directive=directive, townships=[chumiao, beiguan], deadline=dt.date(2021, 12, 31), by=None
        ),
        match="“北关镇”已分解过",
    )
    assert not Assignment.objects.filter(township=chumiao).exists()


def test_directive_assign_refuses_a_township_without_principal_leader(directive, chumiao, county):
    leaderless = TownshipFactory(county=county, name="无领导乡", principal_leader="")
    refused(
        lambda: services.directive_assign(
            directive=directive, townships=[chumiao, leaderless], deadline=dt.date(2021, 12, 31), by=None
        ),
        match="无领导乡",
    )


def test_directive_assign_needs_a_township(directive):
    refused(
        lambda: services.directive_assign(
            directive=directive, townships=[], deadline=dt.date(2021, 12, 31), by=None
        ),
        match="至少选择一个乡镇",
    )


# -- progress reports ------------------------------------------------------------------------------------


def test_first_progress_report_starts_the_assignment(assignment, lead):
    filed = report(assignment, 30, by=lead)
    assignment.refresh_from_db()
    assert (assignment.status, assignment.progress_percent) == (Assignment.Status.IN_PROGRESS, 30)
    assert filed.reported_by == lead
    assert filed.history.get().history_user == lead
    assert assignment.history.first().history_user == lead  # newest record first


def test_later_progress_report_may_repeat_or_raise_the_percent(assignment):
    report(assignment, 30, on=dt.date(2021, 12, 1))
    report(assignment, 30, on=dt.date(2021, 12, 1))
    report(assignment, 100, on=dt.date(2021, 12, 5))
    assignment.refresh_from_db()
    assert (assignment.status, assignment.progress_percent) == (Assignment.Status.IN_PROGRESS, 100)
    assert assignment.progress_reports.count() == 3


def test_progress_report_keeps_its_evidence(assignment, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    filed = services.assignment_report_progress(
        assignment=assignment,
        reported_on=dt.date(2021, 12, 1),
        text="已签订责任书",
        percent=40,
        evidence=SimpleUploadedFile("责任书.pdf", b"%PDF-1.4 test"),
        by=None,
    )
    filed.refresh_from_db()
    assert filed.evidence.name.startswith("progress/")
    assert filed.evidence.read() == b"%PDF-1.4 test"


def test_progress_cannot_be_reported_on_a_closed_assignment(finished):
    refused(lambda: report(finished, 100, on=dt.date(2021, 12, 22)), match="已办结")


@pytest.mark.parametrize("percent", [-1, 101])
def test_progress_percent_must_be_between_0_and_100(assignment, percent):
    refused(lambda: report(assignment, percent), match="0 到 100")


def test_progress_does_not_go_backwards(assignment):
    report(assignment, 60)
    refused(lambda: report(assignment, 50, on=dt.date(2021, 12, 2)), match="进度不能倒退")
    assignment.refresh_from_db()
    assert assignment.progress_percent == 60


def test_progress_cannot_be_reported_for_a_future_date(assignment):
    tomorrow = services.local_today() + dt.timedelta(days=1)
    refused(lambda: report(assignment, 10, on=tomorrow), match="晚于今天")


def test_progress_can_be_reported_today(assignment):
    assert report(assignment, 10, on=services.local_today()).reported_on == services.local_today()


def test_progress_cannot_be_reported_before_the_meeting(assignment):
    refused(lambda: report(assignment, 10, on=MEETING_DAY - dt.timedelta(days=1)), match="早于会议日期")


def test_progress_report_cannot_be_dated_before_the_previous_one(assignment):
    report(assignment, 20, on=dt.date(2021, 12, 10))
    refused(lambda: report(assignment, 30, on=dt.date(2021, 12, 9)), match="早于上次报告")


def test_progress_report_needs_text(assignment):
    refused(lambda: report(assignment, 10, text=""), error=ValidationError)


# -- closing ------------------------------------------------------------------------------------------------


def test_assignment_closes_after_a_full_report(assignment, lead):
    report(assignment, 100, on=dt.date(2021, 12, 20))
    closed = services.assignment_close(assignment=assignment, closed_on=dt.date(2021, 12, 21), by=lead)
    assignment.refresh_from_db()
    assert (assignment.status, assignment.closed_on) == (Assignment.Status.CLOSED, dt.date(2021, 12, 21))
    assert closed.history.first().history_user == lead


def test_assignment_without_progress_report_cannot_be_closed(assignment):
    refused(
        lambda: services.assignment_close(assignment=assignment, closed_on=dt.date(2021, 12, 21), by=None),
        match="没有进展报告的任务不能办结",
    )


def test_assignment_below_100_percent_cannot_be_closed(assignment):
    report(assignment, 90)
    refused(
        lambda: services.assignment_close(assignment=assignment, closed_on=dt.date(2021, 12, 21), by=None),
        match="90%",
    )


def test_closed_assignment_cannot_be_closed_again(finished):
    refused(
        lambda: services.assignment_close(assignment=finished, closed_on=dt.date(2021, 12, 22), by=None),
        match="已经办结",
    )


def test_assignment_cannot_be_closed_in_the_future(assignment):
    report(assignment, 100)
    refused(
        lambda: services.assignment_close(
            assignment=assignment, closed_on=services.local_today() + dt.timedelta(days=1), by=None
        ),
        match="晚于今天",
    )


def test_assignment_cannot_be_closed_before_its_last_report(assignment):
    report(assignment, 100, on=dt.date(2021, 12, 20))
    refused(
        lambda: services.assignment_close(assignment=assignment, closed_on=dt.date(2021, 12, 19), by=None),
        match="早于最近一次进展报告",
    )


# -- reopening ----------------------------------------------------------------------------------------------


def test_county_office_reopens_a_closed_assignment_with_a_reason(finished, office):
    services.assignment_reopen(assignment=finished, reason="复核发现专职队未配齐车辆", by=office)
    finished.refresh_from_db()
    assert (finished.status, finished.closed_on, finished.progress_percent) == (
        Assignment.Status.IN_PROGRESS,
        None,
        100,
    )
    record = finished.history.first()
    assert (record.history_user, record.history_change_reason) == (office, "复核发现专职队未配齐车辆")


def test_reopened_assignment_needs_a_new_report_before_closing_again(finished, office):
    services.assignment_reopen(assignment=finished, reason="复核不合格", by=office)
    refused(
        lambda: services.assignment_close(assignment=finished, closed_on=dt.date(2021, 12, 28), by=None),
        match="新的进展报告",
    )
    report(finished, 100, on=dt.date(2021, 12, 27), text="车辆已配齐")
    services.assignment_close(assignment=finished, closed_on=dt.date(2021, 12, 28), by=None)
    finished.refresh_from_db()
    assert finished.closed_on == dt.date(2021, 12, 28)


def test_open_assignment_cannot_be_reopened(assignment, office):
    refused(
        lambda: services.assignment_reopen(assignment=assignment, reason="x", by=office), match="已办结的任务"
    )


def test_reopening_needs_a_reason(finished, office):
    refused(lambda: services.assignment_reopen(assignment=finished, reason="  ", by=office), match="理由")


def test_reopening_reason_fits_the_history_record(finished, office):
    refused(
        lambda: services.assignment_reopen(assignment=finished, reason="长" * 101, by=office), match="100"
    )


def test_township_lead_cannot_reopen_an_assignment(finished, lead):
    refused(
        lambda: services.assignment_reopen(assignment=finished, reason="想改", by=lead),
        match="县消防工作办公室",
        error=AccessDenied,
    )


def test_county_official_of_another_county_cannot_reopen(finished, other_county):
    stranger = make_user(Role.COUNTY_OFFICIAL, username="other-office", county=other_county)
    refused(
        lambda: services.assignment_reopen(assignment=finished, reason="复核", by=stranger),
        match="县消防工作办公室",
        error=AccessDenied,
    )


def test_guidance_center_may_reopen(finished):
    staff = make_user(Role.GUIDANCE_CENTER, username="center")
    services.assignment_reopen(assignment=finished, reason="复核", by=staff)
    finished.refresh_from_db()
    assert finished.status == Assignment.Status.IN_PROGRESS


# -- deadline extension and responsible person --------------------------------------------------------------


def test_county_office_extends_a_deadline_and_history_keeps_the_old_one(assignment, office):
    services.assignment_extend_deadline(
        assignment=assignment, new_deadline=dt.date(2022, 1, 31), reason="冬季施工困难", by=office
    )
    assignment.refresh_from_db()
    assert assignment.deadline == dt.date(2022, 1, 31)
    newest, oldest = assignment.history.all()[:2]
    assert (oldest.deadline, newest.deadline) == (dt.date(2021, 12, 31), dt.date(2022, 1, 31))
    assert (newest.history_user, newest.history_change_reason) == (office, "冬季施工困难")


@pytest.mark.parametrize("new_deadline", [dt.date(2021, 12, 31), dt.date(2021, 12, 1)])
def test_extension_must_move_the_deadline_later(assignment, office, new_deadline):
    refused(
        lambda: services.assignment_extend_deadline(
            assignment=assignment, new_deadline=new_deadline, reason="x", by=office
        ),
        match="须晚于原时限",
    )


def test_closed_assignment_cannot_be_extended(finished, office):
    refused(
        lambda: services.assignment_extend_deadline(
            assignment=finished, new_deadline=dt.date(2022, 3, 1), reason="x", by=office
        ),
        match="不能延期",
    )


def test_extension_needs_a_reason(assignment, office):
    refused(
        lambda: services.assignment_extend_deadline(
            assignment=assignment, new_deadline=dt.date(2022, 3, 1), reason="", by=office
        ),
        match="理由",
    )


def test_township_lead_cannot_extend_its_own_deadline(assignment, lead):
    refused(
        lambda: services.assignment_extend_deadline(
            assignment=assignment, new_deadline=dt.date(2022, 3, 1), reason="来不及", by=lead
        ),
        match="县消防工作办公室",
        error=AccessDenied,
    )


def test_responsible_person_can_be_changed_on_an_open_assignment(assignment, office):
    services.assignment_change_responsible_person(
        assignment=assignment, responsible_person="新书记", by=office
    )
    assignment.refresh_from_db()
    assert assignment.responsible_person == "新书记"
    assert assignment.history.first().history_user == office


def test_responsible_person_of_a_closed_assignment_stays(finished):
    refused(
        lambda: services.assignment_change_responsible_person(
            assignment=finished, responsible_person="新", by=None
        ),
        match="已办结",
    )


def test_responsible_person_cannot_be_blank(assignment):
    refused(
        lambda: services.assignment_change_responsible_person(
            assignment=assignment, responsible_person=" ", by=None
        ),
        match="责任人",
    )


def test_assignment_factory_rows_work_with_services(chumiao, directive):
    # Rows made outside the services (data imports, factories) go through the same rules.
    a = AssignmentFactory(directive=directive, township=chumiao)
    report(a, 100)
    services.assignment_close(assignment=a, closed_on=dt.date(2021, 12, 2), by=None)
    a.refresh_from_db()
    assert a.status == Assignment.Status.CLOSED
