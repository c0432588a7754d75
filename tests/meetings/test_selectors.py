import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import Role
from meetings import selectors, services
from meetings.models import Assignment
from tests.factories import (
    AssignmentFactory,
    DirectiveFactory,
    MeetingFactory,
    TownshipFactory,
    UserFactory,
    make_user,
)

from .factories import ProgressReportFactory

pytestmark = pytest.mark.django_db

ON = dt.date(2022, 1, 10)
CLOSED = Assignment.Status.CLOSED


def closed(directive, township, *, deadline, closed_on):
    a = AssignmentFactory(
        directive=directive, township=township, deadline=deadline, status=CLOSED, closed_on=closed_on
    )
    ProgressReportFactory(assignment=a, percent=100, reported_on=closed_on)
    return a


@pytest.fixture
def superuser():
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def data(meeting, county, chumiao, beiguan, huayuan, foreign_township, other_county):
    """褚庙乡: on time, late, and (another meeting) overdue; 北关镇: open, overdue; 花园乡: nothing."""
    d1 = DirectiveFactory(meeting=meeting, number=1)
    d2 = DirectiveFactory(meeting=meeting, number=2)
    d3 = DirectiveFactory(meeting=MeetingFactory(county=county, title="第二次推进会"), number=1)
    foreign = DirectiveFactory(meeting=MeetingFactory(county=other_county, title="外县会"), number=1)
    return {
        "on_time": closed(d1, chumiao, deadline=dt.date(2021, 12, 31), closed_on=dt.date(2021, 12, 20)),
        "late": closed(d2, chumiao, deadline=dt.date(2021, 12, 31), closed_on=dt.date(2022, 1, 5)),
        "other_meeting": AssignmentFactory(
            directive=d3, township=chumiao, deadline=dt.date(2021, 12, 31), status="in_progress"
        ),
        "open": AssignmentFactory(directive=d1, township=beiguan, deadline=dt.date(2022, 2, 28)),
        "overdue": AssignmentFactory(directive=d2, township=beiguan, deadline=dt.date(2022, 1, 1)),
        "foreign": AssignmentFactory(
            directive=foreign, township=foreign_township, deadline=dt.date(2021, 12, 1)
        ),
        "d1": d1,
        "d2": d2,
    }


def by_name(rows):
    return {row["township_name"]: row for row in rows}


def figures(row):
    return (row["total"], row["closed"], row["overdue"], row["closed_late"], round(row["completion_rate"], 4))


# -- assignment_completion ------------------------------------------------------------------------------


def test_completion_per_township_counts_closed_overdue_and_late(data, superuser):
    rows = by_name(selectors.assignment_completion(user=superuser, on=ON))
    assert set(rows) == {"褚庙乡", "北关镇", "外县乡"}
    assert figures(rows["褚庙乡"]) == (3, 2, 1, 1, 0.6667)
    assert figures(rows["北关镇"]) == (2, 0, 1, 0, 0.0)
    assert figures(rows["外县乡"]) == (1, 0, 1, 0, 0.0)


def test_completion_of_one_meeting(data, superuser, meeting):
    rows = by_name(selectors.assignment_completion(user=superuser, meeting=meeting, on=ON))
    assert set(rows) == {"褚庙乡", "北关镇"}
    assert figures(rows["褚庙乡"]) == (2, 2, 0, 1, 1.0)


def test_completion_is_as_of_the_given_day(data, superuser, meeting):
    # On 12-25 the late assignment was still open and nothing was past its deadline yet.
    rows = by_name(selectors.assignment_completion(user=superuser, meeting=meeting, on=dt.date(2021, 12, 25)))
    assert figures(rows["褚庙乡"]) == (2, 1, 0, 0, 0.5)
    rows = by_name(selectors.assignment_completion(user=superuser, meeting=meeting, on=dt.date(2022, 1, 3)))
    assert figures(rows["褚庙乡"]) == (2, 1, 1, 0, 0.5)


def test_township_lead_sees_only_its_own_townships_completion(data, lead):
    assert set(by_name(selectors.assignment_completion(user=lead, on=ON))) == {"褚庙乡"}


def test_county_official_sees_only_its_countys_completion(data, office, other_county):
    assert set(by_name(selectors.assignment_completion(user=office, on=ON))) == {"褚庙乡", "北关镇"}
    stranger = make_user(Role.COUNTY_OFFICIAL, username="other-office", county=other_county)
    assert set(by_name(selectors.assignment_completion(user=stranger, on=ON))) == {"外县乡"}


def test_user_without_role_sees_no_completion(data):
    assert selectors.assignment_completion(user=UserFactory(username="nobody"), on=ON) == []


# -- meeting_progress -------------------------------------------------------------------------------------


def test_meeting_progress_is_a_directive_by_township_matrix_with_overdue_marked(data, superuser, meeting):
    progress = selectors.meeting_progress(user=superuser, meeting=meeting, on=ON)
    names = [t.name for t in progress.townships]
    assert sorted(names) == ["北关镇", "花园乡", "褚庙乡"]
    assert [row.directive for row in progress.rows] == [data["d1"], data["d2"]]
    matrix = {
        (row.directive.number, name): cell
        for row in progress.rows
        for name, cell in zip(names, row.cells, strict=True)
    }
    assert matrix[1, "花园乡"] is None
    assert matrix[2, "花园乡"] is None
    on_time, late = matrix[1, "褚庙乡"], matrix[2, "褚庙乡"]
    assert (on_time.status, on_time.overdue, on_time.closed_late) == (CLOSED, False, False)
    assert (late.status, late.overdue, late.closed_late) == (CLOSED, False, True)
    assert (matrix[1, "北关镇"].overdue, matrix[2, "北关镇"].overdue) == (False, True)
    assert matrix[2, "北关镇"].assignment_id == data["overdue"].pk
    assert matrix[2, "北关镇"].status_label == "已分解"


def test_township_lead_sees_only_its_own_column(data, lead, meeting):
    progress = selectors.meeting_progress(user=lead, meeting=meeting, on=ON)
    assert [t.name for t in progress.townships] == ["褚庙乡"]
    assert all(len(row.cells) == 1 and row.cells[0] is not None for row in progress.rows)


def test_user_of_another_county_sees_an_empty_matrix(data, meeting, other_county):
    stranger = make_user(Role.COUNTY_OFFICIAL, username="other-office", county=other_county)
    progress = selectors.meeting_progress(user=stranger, meeting=meeting, on=ON)
    assert (progress.townships, progress.rows) == ([], [])


# -- assignment_list ----------------------------------------------------------------------------------------


def ids(queryset):
    return {a.pk for a in queryset}


def test_assignment_list_is_scoped_by_township(data, lead, office, superuser):
    assert ids(selectors.assignment_list(user=lead)) == {
        data[k].pk for k in ("on_time", "late", "other_meeting")
    }
    assert len(ids(selectors.assignment_list(user=office))) == 5
    assert len(ids(selectors.assignment_list(user=superuser))) == 6


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"status": "closed"}, {"on_time", "late"}),
        ({"overdue": True}, {"other_meeting", "overdue", "foreign"}),
        ({"overdue": False}, {"on_time", "late", "open"}),
        ({"deadline_after": dt.date(2022, 1, 1), "deadline_before": dt.date(2022, 1, 31)}, {"overdue"}),
        ({"deadline_before": dt.date(2021, 12, 1)}, {"foreign"}),
    ],
)
def test_assignment_list_filters(data, superuser, filters, expected):
    result = selectors.assignment_list(user=superuser, filters={**filters, "on": ON})
    assert ids(result) == {data[k].pk for k in expected}


def test_assignment_list_filters_by_township_meeting_and_directive(data, superuser, meeting, beiguan):
    def listed(**filters):
        return ids(selectors.assignment_list(user=superuser, filters={**filters, "on": ON}))

    assert listed(township=beiguan) == {data["open"].pk, data["overdue"].pk}
    assert listed(township=beiguan.pk, directive=data["d2"]) == {data["overdue"].pk}
    assert listed(meeting=meeting) == {data[k].pk for k in ("on_time", "late", "open", "overdue")}


def test_assignment_list_annotates_overdue_and_late(data, superuser):
    rows = {a.pk: a for a in selectors.assignment_list(user=superuser, filters={"on": ON})}
    assert rows[data["overdue"].pk].is_overdue
    assert not rows[data["open"].pk].is_overdue
    assert rows[data["late"].pk].is_closed_late
    assert not rows[data["on_time"].pk].is_closed_late


# -- assignment_trace ------------------------------------------------------------------------------------


@pytest.fixture
def traced(directive, chumiao, office, lead):
    [a] = services.directive_assign(
        directive=directive, townships=[chumiao], deadline=dt.date(2021, 12, 31), by=office
    )
    services.assignment_report_progress(
        assignment=a, reported_on=dt.date(2021, 12, 10), text="已选址", percent=30, by=lead
    )
    services.assignment_extend_deadline(
        assignment=a, new_deadline=dt.date(2022, 1, 31), reason="冬季施工", by=office
    )
    services.assignment_report_progress(
        assignment=a, reported_on=dt.date(2022, 1, 20), text="已建成", percent=100, by=lead
    )
    services.assignment_close(assignment=a, closed_on=dt.date(2022, 1, 21), by=lead)
    return a


def test_trace_shows_directive_deadlines_reports_and_closing(traced, directive, meeting, office, lead):
    trace = selectors.assignment_trace(assignment=traced)
    assert (trace.directive, trace.meeting, trace.township.name) == (directive, meeting, "褚庙乡")
    assert (trace.original_deadline, trace.deadline) == (dt.date(2021, 12, 31), dt.date(2022, 1, 31))
    [change] = trace.deadline_changes
    assert (change.old, change.new, change.reason, change.by) == (
        dt.date(2021, 12, 31),
        dt.date(2022, 1, 31),
        "冬季施工",
        office,
    )
    assert [(r.reported_on, r.percent, r.reported_by) for r in trace.reports] == [
        (dt.date(2021, 12, 10), 30, lead),
        (dt.date(2022, 1, 20), 100, lead),
    ]
    assert [(e.kind, e.by) for e in trace.events] == [
        ("created", office),
        ("reported", lead),
        ("deadline_extended", office),
        ("reported", lead),
        ("closed", lead),
    ]
    assert str(trace.events[0].label) == "任务分解"
    assert (trace.closed_on, trace.closed_by) == (dt.date(2022, 1, 21), lead)
    assert trace.closed_at is not None
    assert not trace.late  # within the extended deadline
    assert trace.late_against_original


def test_trace_marks_an_open_assignment_past_its_deadline_as_late(directive, chumiao):
    a = AssignmentFactory(directive=directive, township=chumiao, deadline=dt.date(2021, 12, 31))
    assert selectors.assignment_trace(assignment=a, on=dt.date(2022, 1, 1)).late
    trace = selectors.assignment_trace(assignment=a, on=dt.date(2021, 12, 31))
    assert not trace.late
    assert (trace.closed_on, trace.closed_by) == (None, None)


def test_trace_of_a_reopened_assignment_shows_the_reopening_and_no_closing(traced, office):
    services.assignment_reopen(assignment=traced, reason="复核不合格", by=office)
    trace = selectors.assignment_trace(assignment=traced)
    assert (trace.events[-1].kind, trace.events[-1].reason, trace.events[-1].by) == (
        "reopened",
        "复核不合格",
        office,
    )
    assert (trace.closed_on, trace.closed_by) == (None, None)


def test_trace_takes_three_queries(traced, django_assert_num_queries):
    with django_assert_num_queries(3):
        selectors.assignment_trace(assignment=traced)


# -- fixed number of queries ------------------------------------------------------------------------------


def populate(county, meeting, size):
    for i in range(size):
        township = TownshipFactory(county=county, name=f"规模乡{size}-{i}")
        for number in (1, 2):
            directive, _ = meeting.directives.get_or_create(
                number=number, defaults={"category": "grid", "text": "网格化管理"}
            )
            a = AssignmentFactory(directive=directive, township=township, deadline=dt.date(2021, 12, 31))
            ProgressReportFactory(assignment=a, percent=40)


def count_queries(call):
    with CaptureQueriesContext(connection) as ctx:
        result = call()
        if not isinstance(result, list | selectors.MeetingProgress):
            list(result)
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["superuser", "office"])
def test_selectors_run_the_same_number_of_queries_for_small_and_large_data(
    county, meeting, superuser, office, role
):
    user = superuser if role == "superuser" else office
    calls = {
        "completion": lambda: selectors.assignment_completion(user=user, meeting=meeting, on=ON),
        "progress": lambda: selectors.meeting_progress(user=user, meeting=meeting, on=ON),
        "list": lambda: selectors.assignment_list(user=user, filters={"on": ON, "overdue": True}),
    }
    populate(county, meeting, 2)
    for call in calls.values():
        count_queries(call)  # warm the user's cached profile: it is read once per request anyway
    small = {name: count_queries(call) for name, call in calls.items()}
    populate(county, meeting, 12)
    large = {name: count_queries(call) for name, call in calls.items()}
    assert small == large
    assert all(n <= 5 for n in large.values())
    assert len(selectors.assignment_list(user=user, filters={"on": ON})) == 28
