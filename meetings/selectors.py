"""Reads of the meetings app, scoped by township through core.scoping.

Figures are database aggregates and every function runs a fixed number of queries whatever the
number of rows. "As of `on`": an assignment counts as closed on `on` when its completion date is on
or before `on`; it is overdue when its deadline is before `on` and it was not closed by then; it was
closed late when it was closed (by `on`) after its deadline. With `on` = today these are simply
"closed", "open past its deadline" and "closed_on > deadline".
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    Q,
    QuerySet,
)
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from core.clock import day_start
from core.models import Role
from core.scoping import ALL, scope_queryset, user_role, visible_county_id, visible_township_ids
from meetings.models import Assignment, Directive, Meeting, ProgressReport
from meetings.services import local_today
from townships.models import Township

CLOSED = Assignment.Status.CLOSED


def _closed_by(on: dt.date) -> Q:
    return Q(status=CLOSED, closed_on__lte=on)


def _overdue_on(on: dt.date) -> Q:
    return Q(deadline__lt=on) & ~_closed_by(on)


def _closed_late(on: dt.date) -> Q:
    return _closed_by(on) & Q(closed_on__gt=F("deadline"))


def _with_flags(queryset: QuerySet, on: dt.date) -> QuerySet:
    return queryset.annotate(
        is_overdue=ExpressionWrapper(_overdue_on(on), output_field=BooleanField()),
        is_closed_late=ExpressionWrapper(_closed_late(on), output_field=BooleanField()),
    )


def assignment_list(*, user, filters: dict | None = None) -> QuerySet[Assignment]:
    """Assignments `user` may see, with `is_overdue` / `is_closed_late` annotated (as of `on`).

    filters: township, meeting, directive (instances or ids), status, overdue (bool),
    deadline_from / deadline_to (inclusive dates), on (date the overdue flag refers to; default
    today in Asia/Shanghai).
    """
    filters = filters or {}
    on = filters.get("on") or local_today()
    queryset = scope_queryset(
        Assignment.objects.select_related("directive__meeting", "township"),
        user=user,
        township_field="township",
    )
    queryset = _with_flags(queryset, on)
    if filters.get("township"):
        queryset = queryset.filter(township=filters["township"])
    if filters.get("meeting"):
        queryset = queryset.filter(directive__meeting=filters["meeting"])
    if filters.get("directive"):
        queryset = queryset.filter(directive=filters["directive"])
    if filters.get("status"):
        queryset = queryset.filter(status=filters["status"])
    if filters.get("overdue") is not None:
        overdue = _overdue_on(on)
        queryset = queryset.filter(overdue if filters["overdue"] else ~overdue)
    if filters.get("deadline_from"):
        queryset = queryset.filter(deadline__gte=filters["deadline_from"])
    if filters.get("deadline_to"):
        queryset = queryset.filter(deadline__lte=filters["deadline_to"])
    return queryset.order_by("deadline", "township__name", "directive__number", "id")


def _scope_by_county(queryset: QuerySet, *, user, county_field: str) -> QuerySet:
    """Meetings (and their directives) are county-wide: a county official sees those of their county,
    everybody else those of the counties their townships are in."""
    township_ids = visible_township_ids(user)
    if township_ids is ALL:
        return queryset
    if user_role(user) == Role.COUNTY_OFFICIAL and visible_county_id(user) is not None:
        return queryset.filter(**{f"{county_field}_id": visible_county_id(user)})
    counties = Township.objects.filter(pk__in=township_ids).values("county_id")
    return queryset.filter(**{f"{county_field}_id__in": counties})


def meeting_list(*, user, filters: dict | None = None) -> QuerySet[Meeting]:
    """Meetings `user` may see (those of their county), newest first, with `directive_count`.

    filters: county (instance or id).
    """
    filters = filters or {}
    queryset = _scope_by_county(
        Meeting.objects.select_related("county"), user=user, county_field="county"
    ).annotate(directive_count=Count("directives", distinct=True))
    if filters.get("county"):
        queryset = queryset.filter(county=filters["county"])
    return queryset.order_by("-held_at", "id")


def directive_list(*, user, filters: dict | None = None) -> QuerySet[Directive]:
    """Directives of the meetings `user` may see, by meeting (newest first) and number.

    filters: meeting (instance or id).
    """
    filters = filters or {}
    queryset = _scope_by_county(
        Directive.objects.select_related("meeting"), user=user, county_field="meeting__county"
    )
    if filters.get("meeting"):
        queryset = queryset.filter(meeting=filters["meeting"])
    return queryset.order_by("-meeting__held_at", "meeting_id", "number")


def progress_report_list(*, user, filters: dict | None = None) -> QuerySet[ProgressReport]:
    """Progress reports `user` may see (scoped by the assignment's township), newest first.

    filters: assignment, township (instances or ids).
    """
    filters = filters or {}
    queryset = scope_queryset(
        ProgressReport.objects.select_related(
            "assignment__directive__meeting", "assignment__township", "reported_by"
        ),
        user=user,
        township_field="assignment__township",
    )
    if filters.get("assignment"):
        queryset = queryset.filter(assignment=filters["assignment"])
    if filters.get("township"):
        queryset = queryset.filter(assignment__township=filters["township"])
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
    """The assignments a period answers for, that `user` may see (of `county_id`, among
    `township_ids` when given): given at meetings held by `end` and not closed before `start` (work
    done earlier belongs to an earlier period; work still open carries over), with `is_overdue` /
    `is_closed_late` as of `on`."""
    queryset = scope_queryset(
        Assignment.objects.select_related("directive__meeting", "township"),
        user=user,
        township_field="township",
    )
    if county_id is not None:
        queryset = queryset.filter(township__county_id=county_id)
    if township_ids is not None:
        queryset = queryset.filter(township_id__in=township_ids)
    if end is not None:
        queryset = queryset.filter(directive__meeting__held_at__lt=day_start(end + dt.timedelta(days=1)))
    if start is not None:
        queryset = queryset.exclude(_closed_by(start - dt.timedelta(days=1)))
    return _with_flags(queryset, on)


def assignment_figures(**period) -> dict[int, dict]:
    """Per township id, the assignments of `assignments_of_period(**period)` as of its `on`: total,
    closed (by `on`), overdue and rate (closed * 100 / total, one decimal). Townships with none are
    absent. One query."""
    on = period["on"]
    rows = (
        assignments_of_period(**period)
        .order_by()
        .values("township_id")
        .annotate(
            total=Count("id"),
            closed=Count("id", filter=_closed_by(on)),
            overdue=Count("id", filter=_overdue_on(on)),
        )
    )
    return {row["township_id"]: {**row, "rate": round(row["closed"] * 100 / row["total"], 1)} for row in rows}


def assignment_completion(*, user, meeting: Meeting | None = None, on: dt.date) -> list[dict]:
    """Per township (that `user` may see and that holds assignments): total, closed, overdue,
    closed_late and completion_rate (closed / total, 0..1) as of `on`. One query."""
    queryset = scope_queryset(Assignment.objects.all(), user=user, township_field="township")
    if meeting is not None:
        queryset = queryset.filter(directive__meeting=meeting)
    rows = (
        queryset.values("township_id", township_name=F("township__name"))
        .annotate(
            total=Count("id"),
            closed=Count("id", filter=_closed_by(on)),
            overdue=Count("id", filter=_overdue_on(on)),
            closed_late=Count("id", filter=_closed_late(on)),
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


@dataclass
class MeetingProgress:
    meeting: Meeting
    on: dt.date
    townships: list[Township]
    rows: list[ProgressRow]


def meeting_progress(*, user, meeting: Meeting, on: dt.date) -> MeetingProgress:
    """Directive × township status matrix of one meeting, overdue cells marked (as of `on`).

    Columns are the townships of the meeting's county that `user` may see; a cell is None where the
    directive was not assigned to that township. Three queries (plus the scoping look-up).
    """
    townships = list(
        scope_queryset(Township.objects.filter(county_id=meeting.county_id), user=user, township_field="pk")
        .only("id", "name", "county_id")
        .order_by("name", "id")
    )
    if not townships:
        return MeetingProgress(meeting=meeting, on=on, townships=[], rows=[])
    directives = list(Directive.objects.filter(meeting=meeting).order_by("number"))
    assignments = _with_flags(
        Assignment.objects.filter(directive__meeting=meeting, township__in=[t.pk for t in townships]),
        on,
    ).only("id", "directive_id", "township_id", "status", "progress_percent", "deadline", "closed_on")
    cells = {
        (a.directive_id, a.township_id): ProgressCell(
            assignment_id=a.pk,
            status=a.status,
            status_label=str(a.get_status_display()),
            percent=a.progress_percent,
            deadline=a.deadline,
            closed_on=a.closed_on,
            overdue=a.is_overdue,
            closed_late=a.is_closed_late,
        )
        for a in assignments
    }
    rows = [ProgressRow(directive=d, cells=[cells.get((d.pk, t.pk)) for t in townships]) for d in directives]
    return MeetingProgress(meeting=meeting, on=on, townships=townships, rows=rows)


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
    township: Township
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

    Scoping is the caller's job (check `core.scoping.can_see_township` before calling).
    """
    on = on or local_today()
    assignment = Assignment.objects.select_related("directive__meeting__county", "township").get(
        pk=assignment.pk
    )
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
