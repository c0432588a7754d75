"""Reads of the meetings app, scoped by township through core.scoping.

Figures are database aggregates and every function runs a fixed number of queries whatever the
number of rows. "As of `on`": an assignment counts as closed on `on` when its completion date is on
or before `on`; it is overdue when its deadline is before `on` and it was not closed by then; it was
closed late when it was closed (by `on`) after its deadline. With `on` = today these are simply
"closed", "open past its deadline" and "closed_on > deadline". `assignment_closed_q`,
`assignment_overdue_q` and `assignment_closed_late_q` are the one definition of each: every list,
figure, page, the 通报 and the reminders count with them. List selectors apply the resource's one
FilterSet (meetings.filters).
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Cast, JSONObject
from django.utils.translation import gettext_lazy as _

from core.access import withhold
from core.clock import day_start, local_today
from core.filters import apply_filterset
from core.models import Role
from core.scoping import scope_queryset, user_role
from meetings import access
from meetings.filters import AssignmentFilter, DirectiveFilter, MeetingFilter, ProgressReportFilter
from meetings.models import Assignment, Directive, Meeting, ProgressReport
from meetings.scoping import scope_assignments, scope_by_county
from townships.models import CountyDepartment, Township

CLOSED = Assignment.Status.CLOSED


# -- the one definition of closed / overdue / closed late, as of a day ---------------------------


def assignment_closed_q(on: dt.date) -> Q:
    """Closed (办结) on or before `on`."""
    return Q(status=CLOSED, closed_on__lte=on)


def assignment_overdue_q(on: dt.date) -> Q:
    """Past its deadline on `on` and not closed by then (逾期)."""
    return Q(deadline__lt=on) & ~assignment_closed_q(on)


def assignment_closed_late_q(on: dt.date) -> Q:
    """Closed by `on`, after its deadline (超期办结)."""
    return assignment_closed_q(on) & Q(closed_on__gt=F("deadline"))


def _with_flags(queryset: QuerySet, on: dt.date) -> QuerySet:
    return queryset.annotate(
        is_overdue=ExpressionWrapper(assignment_overdue_q(on), output_field=BooleanField()),
        is_closed_late=ExpressionWrapper(assignment_closed_late_q(on), output_field=BooleanField()),
    )


def _split_on(filters) -> tuple[dt.date, object]:
    """The day flags are judged on (`on`, a date given by code; today otherwise) and the other filters."""
    if not filters or "on" not in filters:
        return local_today(), filters
    rest = filters.copy()  # a dict or a request's QueryDict: a mutable copy either way
    on = rest.pop("on")
    return (on if isinstance(on, dt.date) else local_today()), rest


def assignment_list(*, user, filters=None) -> QuerySet[Assignment]:
    """Assignments `user` may see (a township's or a county department's: meetings.scoping), with
    `is_overdue` / `is_closed_late` annotated as of `on`.

    filters: those of meetings.filters.AssignmentFilter (township, meeting, directive: instances or
    ids; status; overdue; deadline_after / deadline_before), and `on`: the date the flags and the
    overdue filter refer to (default today in Asia/Shanghai).
    """
    on, filters = _split_on(filters)
    queryset = scope_assignments(
        Assignment.objects.select_related("directive__meeting", "township", "department"), user=user
    )
    queryset = withhold(queryset, user=user, roles=access.ASSIGNMENTS_READ_WITHHELD)
    queryset = apply_filterset(AssignmentFilter, _with_flags(queryset, on), filters, user=user)
    return queryset.order_by("deadline", "township__name", "department__name", "directive__number", "id")


def meeting_list(*, user, filters=None) -> QuerySet[Meeting]:
    """Meetings `user` may see (those of their county), newest first, with `directive_count`.

    filters: those of meetings.filters.MeetingFilter (county, title, held_at_after / held_at_before).
    """
    queryset = scope_by_county(
        Meeting.objects.select_related("county"), user=user, county_id_field="county_id"
    ).annotate(directive_count=Count("directives", distinct=True))
    return apply_filterset(MeetingFilter, queryset, filters, user=user).order_by("-held_at", "id")


def directive_list(*, user, filters=None) -> QuerySet[Directive]:
    """Directives of the meetings `user` may see, by meeting (newest first) and number.

    filters: those of meetings.filters.DirectiveFilter (meeting, category, priority).
    """
    queryset = scope_by_county(
        Directive.objects.select_related("meeting"), user=user, county_id_field="meeting__county_id"
    )
    queryset = apply_filterset(DirectiveFilter, queryset, filters, user=user)
    return queryset.order_by("-meeting__held_at", "meeting_id", "number")


def progress_report_list(*, user, filters=None) -> QuerySet[ProgressReport]:
    """Progress reports `user` may see (those of the assignments it sees), newest first.

    filters: those of meetings.filters.ProgressReportFilter (assignment, township, meeting,
    directive, reported_on_after / reported_on_before).
    """
    queryset = scope_assignments(
        ProgressReport.objects.select_related(
            "assignment__directive__meeting", "assignment__township", "assignment__department", "reported_by"
        ),
        user=user,
        prefix="assignment__",
    )
    queryset = withhold(queryset, user=user, roles=access.ASSIGNMENTS_READ_WITHHELD)
    queryset = apply_filterset(ProgressReportFilter, queryset, filters, user=user)
    return queryset.order_by("-reported_on", "-id")


def assignments_of_period(
    *,
    user,
    on: dt.date,
    county_id: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    township_ids=None,
) -> QuerySet[Assignment]:
    """The townships' assignments a period answers for, that `user` may see (of `county_id`, among
    `township_ids` when given): given at meetings held by `end` and not closed before `start` (work
    done earlier belongs to an earlier period; work still open carries over), with `is_overdue` /
    `is_closed_late` as of `on`. A county department's assignments are not a township's: the
    townships' figures, ranking and 通报 never count them."""
    queryset = _of_period(
        Assignment.objects.filter(township__isnull=False).select_related("directive__meeting", "township"),
        user=user,
        county_id=county_id,
        start=start,
        end=end,
        township_ids=township_ids,
    )
    return _with_flags(queryset, on)


def _of_period(queryset, *, user, county_id, start, end, township_ids) -> QuerySet[Assignment]:
    """`queryset` narrowed to what `user` may read of the assignments of a period (assignments_of_period's rule)."""
    queryset = scope_queryset(queryset, user=user, township_field="township")
    return _within_period(
        queryset, user=user, county_id=county_id, start=start, end=end, township_ids=township_ids
    )


def _within_period(queryset, *, user, county_id, start, end, township_ids) -> QuerySet[Assignment]:
    queryset = withhold(queryset, user=user, roles=access.ASSIGNMENTS_READ_WITHHELD)
    if county_id is not None:
        queryset = queryset.filter(township__county_id=county_id)
    if township_ids is not None:
        queryset = queryset.filter(township_id__in=township_ids)
    if end is not None:
        queryset = queryset.filter(directive__meeting__held_at__lt=day_start(end + dt.timedelta(days=1)))
    if start is not None:
        queryset = queryset.exclude(assignment_closed_q(start - dt.timedelta(days=1)))
    return queryset


def assignment_figures_column(
    *,
    user,
    on: dt.date,
    county_id: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Subquery:
    """For a township query already scoped to `user` (OuterRef("pk")): the township's assignments of
    `assignments_of_period(...)` as of `on`, as JSON {"total", "closed" (by `on`), "overdue"}; NULL
    without any (and for a role that does not read assignments). A column, so that a page reads a
    township's figures in one row."""
    period = _within_period(
        Assignment.objects.filter(township_id=OuterRef("pk")),
        user=user,
        county_id=county_id,
        start=start,
        end=end,
        township_ids=None,
    )
    rows = (
        period.order_by()
        .values("township_id")
        .annotate(
            figures=JSONObject(
                total=Count("id"),
                closed=Count("id", filter=assignment_closed_q(on)),
                overdue=Count("id", filter=assignment_overdue_q(on)),
            )
        )
        .values("figures")
    )
    return Subquery(rows, output_field=JSONField())


def assignment_completion(*, user, meeting: Meeting | None = None, on: dt.date) -> list[dict]:
    """Per township (that `user` may see and that holds assignments): total, closed, overdue,
    closed_late and completion_rate (closed / total, 0..1) as of `on`; a department's assignments
    are no township's. One query."""
    queryset = scope_queryset(
        Assignment.objects.filter(township__isnull=False), user=user, township_field="township"
    )
    queryset = withhold(queryset, user=user, roles=access.ASSIGNMENTS_READ_WITHHELD)
    if meeting is not None:
        queryset = queryset.filter(directive__meeting=meeting)
    rows = (
        queryset.values("township_id", township_name=F("township__name"))
        .annotate(
            total=Count("id"),
            closed=Count("id", filter=assignment_closed_q(on)),
            overdue=Count("id", filter=assignment_overdue_q(on)),
            closed_late=Count("id", filter=assignment_closed_late_q(on)),
        )
        .annotate(
            completion_rate=ExpressionWrapper(
                Cast(F("closed"), FloatField()) / Cast(F("total"), FloatField()), output_field=FloatField()
            )
        )
        .order_by("township_name", "township_id")
    )
    return list(rows)


@dataclass(frozen=True)
class ProgressCell:
    assignment_id: int
    status: str
    status_label: str
    percent: int
    deadline: dt.date
    closed_on: dt.date | None
    overdue: bool
    closed_late: bool


@dataclass
class ProgressRow:
    directive: Directive
    cells: list[ProgressCell | None] = field(default_factory=list)  # aligned with `townships`


@dataclass(frozen=True)
class DepartmentProgressRow:
    """A county department's assignment of the meeting: a row of its own, below the townships'."""

    department: CountyDepartment
    directive: Directive
    cell: ProgressCell


@dataclass
class MeetingProgress:
    meeting: Meeting
    on: dt.date
    townships: list[Township]
    rows: list[ProgressRow]
    # The county departments' assignments the user sees, by department then directive. Apart from
    # the townships' matrix: the townships' figures (the cells, the summary) never count them.
    departments: list[DepartmentProgressRow] = field(default_factory=list)


def _progress_cell(a: Assignment) -> ProgressCell:
    return ProgressCell(
        assignment_id=a.pk,
        status=a.status,
        status_label=str(a.get_status_display()),
        percent=a.progress_percent,
        deadline=a.deadline,
        closed_on=a.closed_on,
        overdue=a.is_overdue,
        closed_late=a.is_closed_late,
    )


def meeting_progress(*, user, meeting: Meeting, on: dt.date) -> MeetingProgress:
    """Directive × township status matrix of one meeting, overdue cells marked (as of `on`), and the
    county departments' assignments as rows of their own.

    Columns are the townships of the meeting's county that `user` may see; a cell is None where the
    directive was not assigned to that township. Department rows are those of the departments whose
    assignments `user` sees (meetings.scoping: the center and the county officials all of their
    county, a department its own, a township none). Three queries (plus the scoping look-up).
    """
    townships = list(
        scope_queryset(Township.objects.filter(county_id=meeting.county_id), user=user, township_field="pk")
        .only("id", "name", "county_id")
        .order_by("name", "id")
    )
    if not townships and user_role(user) != Role.COUNTY_DEPARTMENT:
        return MeetingProgress(meeting=meeting, on=on, townships=[], rows=[])
    directives = list(Directive.objects.filter(meeting=meeting).order_by("number"))
    if user_role(user) in access.ASSIGNMENTS_READ_WITHHELD:
        # It reads the meeting's directives, not the townships' assignments under them.
        return MeetingProgress(
            meeting=meeting,
            on=on,
            townships=[],
            rows=[ProgressRow(directive=d, cells=[]) for d in directives],
        )
    # The townships' cells and the departments' rows in one query, each as the user may see them.
    assignments = (
        _with_flags(
            scope_assignments(Assignment.objects.filter(directive__meeting=meeting), user=user).filter(
                Q(township__in=[t.pk for t in townships]) | Q(township__isnull=True)
            ),
            on,
        )
        .select_related("department")
        .only(
            "id",
            "directive_id",
            "township_id",
            "department_id",
            "department__name",
            "status",
            "progress_percent",
            "deadline",
            "closed_on",
        )
    )
    cells, departments = {}, []
    by_number = {d.pk: d for d in directives}
    for a in assignments:
        if a.township_id is not None:
            cells[a.directive_id, a.township_id] = _progress_cell(a)
        else:
            departments.append(
                DepartmentProgressRow(
                    department=a.department, directive=by_number[a.directive_id], cell=_progress_cell(a)
                )
            )
    departments.sort(key=lambda r: (r.department.name, r.department.pk, r.directive.number))
    rows = [ProgressRow(directive=d, cells=[cells.get((d.pk, t.pk)) for t in townships]) for d in directives]
    return MeetingProgress(meeting=meeting, on=on, townships=townships, rows=rows, departments=departments)


# -- trace-back (责任倒查) -------------------------------------------------------------------------


@dataclass(frozen=True)
class TraceEvent:
    """One recorded change of the assignment (from its history)."""

    at: dt.datetime
    by: object  # the user, or None
    kind: str  # created / reported / closed / reopened / deadline_extended / changed
    label: str  # lazily translated
    status: str
    deadline: dt.date
    closed_on: dt.date | None
    percent: int
    reason: str


@dataclass(frozen=True)
class DeadlineChange:
    at: dt.datetime
    by: object
    old: dt.date
    new: dt.date
    reason: str


@dataclass
class AssignmentTrace:
    assignment: Assignment
    directive: Directive
    meeting: Meeting
    township: Township | None  # None for a county department's assignment (`assignment.holder`)
    original_deadline: dt.date
    deadline: dt.date
    deadline_changes: list[DeadlineChange]
    reports: list[ProgressReport]
    events: list[TraceEvent]
    closed_on: dt.date | None
    closed_by: object
    closed_at: dt.datetime | None
    late: bool  # closed after the deadline, or still open past it (as of `on`)
    late_against_original: bool  # the same, measured against the first deadline
    on: dt.date


EVENT_LABELS = {
    "created": _("任务分解"),
    "reported": _("报告进展"),
    "closed": _("办结"),
    "reopened": _("重新打开"),
    "deadline_extended": _("延期"),
    "changed": _("修改"),
    "deleted": _("删除"),
}


def _event_kind(previous, record) -> str:
    if record.history_type == "+":
        return "created"
    if record.history_type == "-":
        return "deleted"
    if previous is not None:
        if record.status == CLOSED and previous.status != CLOSED:
            return "closed"
        if previous.status == CLOSED and record.status != CLOSED:
            return "reopened"
        if record.deadline != previous.deadline:
            return "deadline_extended"
        if record.progress_percent != previous.progress_percent or record.status != previous.status:
            return "reported"
    return "changed"


def assignment_trace(*, assignment: Assignment, on: dt.date | None = None) -> AssignmentTrace:
    """Everything 责任倒查 needs about one assignment, in three queries: the directive and meeting,
    every deadline (original and extensions, with who and why), every progress report with who
    filed it and when, the closing (who, when) and whether it was late.

    Scoping is the caller's job (find the assignment through `assignment_list` first).
    """
    on = on or local_today()
    assignment = Assignment.objects.select_related(
        "directive__meeting__county", "township", "department"
    ).get(pk=assignment.pk)
    reports = list(
        ProgressReport.objects.filter(assignment_id=assignment.pk)
        .select_related("reported_by")
        .order_by("reported_on", "id")
    )
    records = list(
        Assignment.history.filter(id=assignment.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )

    events: list[TraceEvent] = []
    deadline_changes: list[DeadlineChange] = []
    closed_by = closed_at = None
    previous = None
    for record in records:
        kind = _event_kind(previous, record)
        reason = record.history_change_reason or ""
        events.append(
            TraceEvent(
                at=record.history_date,
                by=record.history_user,
                kind=kind,
                label=EVENT_LABELS[kind],
                status=record.status,
                deadline=record.deadline,
                closed_on=record.closed_on,
                percent=record.progress_percent,
                reason=reason,
            )
        )
        if previous is not None and record.deadline != previous.deadline:
            deadline_changes.append(
                DeadlineChange(
                    at=record.history_date,
                    by=record.history_user,
                    old=previous.deadline,
                    new=record.deadline,
                    reason=reason,
                )
            )
        if kind == "closed":
            closed_by, closed_at = record.history_user, record.history_date
        elif kind == "reopened":
            closed_by = closed_at = None
        previous = record

    original_deadline = records[0].deadline if records else assignment.deadline
    finished_or_now = assignment.closed_on if assignment.status == CLOSED else on
    late = finished_or_now > assignment.deadline
    return AssignmentTrace(
        assignment=assignment,
        directive=assignment.directive,
        meeting=assignment.directive.meeting,
        township=assignment.township,
        original_deadline=original_deadline,
        deadline=assignment.deadline,
        deadline_changes=deadline_changes,
        reports=reports,
        events=events,
        closed_on=assignment.closed_on,
        closed_by=closed_by,
        closed_at=closed_at,
        late=late,
        late_against_original=finished_or_now > original_deadline,
        on=on,
    )


# -- pages ----------------------------------------------------------------------------------------


@dataclass
class MeetingPage:
    meeting: Meeting
    sub_venues: list[str]
    statements: list
    attendances: list
    progress: MeetingProgress
    assignments: int  # cells of the matrix the user sees
    closed: int
    overdue: int


def meeting_page(*, user, meeting_id: int, on: dt.date | None = None) -> MeetingPage:
    """One meeting `user` may see (Meeting.DoesNotExist otherwise) with its sub-venues, statements
    (典型和表态发言), attendance, and the directive × township progress matrix as of `on` (default
    today). A fixed number of queries.
    """
    on = on or local_today()
    meeting = meeting_list(user=user).get(pk=meeting_id)
    progress = meeting_progress(user=user, meeting=meeting, on=on)
    cells = [cell for row in progress.rows for cell in row.cells if cell is not None]
    return MeetingPage(
        meeting=meeting,
        sub_venues=[line.strip() for line in meeting.sub_venues.splitlines() if line.strip()],
        statements=list(meeting.statements.select_related("township").order_by("id")),
        attendances=list(meeting.attendances.order_by("venue", "unit", "id")),
        progress=progress,
        assignments=len(cells),
        closed=sum(1 for cell in cells if cell.status == CLOSED),
        overdue=sum(1 for cell in cells if cell.overdue),
    )


@dataclass
class AssignmentPage:
    assignment: Assignment  # with is_overdue / is_closed_late
    reports: list[ProgressReport]  # oldest first
    latest_percent: int | None
    on: dt.date


def assignment_page(*, user, assignment_id: int, on: dt.date | None = None) -> AssignmentPage:
    """One assignment `user` may see (Assignment.DoesNotExist otherwise) with its progress reports
    (who filed them). Two queries (plus the scoping look-up)."""
    on = on or local_today()
    assignment = assignment_list(user=user, filters={"on": on}).get(pk=assignment_id)
    reports = list(
        ProgressReport.objects.filter(assignment=assignment)
        .select_related("reported_by")
        .order_by("reported_on", "id")
    )
    return AssignmentPage(
        assignment=assignment,
        reports=reports,
        latest_percent=reports[-1].percent if reports else None,
        on=on,
    )
