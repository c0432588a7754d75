"""Writes of the meetings app: 推进会, its directives, their 任务分解 to townships and progress reports.

Every function here is the only way its row is written (the API, the pages and the admin call these),
takes the acting user as `by` (recorded by django-simple-history), asks the app's access policy
(meetings.access) whether `by` may do it — AccessDenied, a 403 at every door — and writes nothing when
it refuses. The `*_check` functions are the process rules alone, without writing: admin forms call them
in `clean()` so a form error shows before anything is saved, and the services call them again under the
row lock.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.files import File
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from core import events
from core.clock import local_date, local_today
from core.exceptions import ApplicationError, ConflictError
from core.services import model_update, record_delete, record_save
from meetings import access
from meetings.models import Assignment, Attendance, Directive, Meeting, ProgressReport, Statement
from townships.models import County, CountyDepartment, Township

# What the admin may change on a row after it was entered (everything else is fixed or has its own
# service: an assignment's deadline, responsible person and state).
MEETING_FIELDS = frozenset(
    {"title", "held_at", "chair", "chair_title", "main_venue", "sub_venues", "summary", "source"}
)
ATTENDANCE_FIELDS = frozenset({"township", "unit", "person", "position", "venue", "venue_name", "present"})
STATEMENT_FIELDS = frozenset({"township", "kind", "speaker", "summary"})
DIRECTIVE_FIELDS = frozenset({"category", "priority", "text"})

# simple-history stores the change reason in a CharField(max_length=100).
REASON_MAX_LENGTH = 100


def meeting_date(meeting: Meeting) -> dt.date:
    """The local (Asia/Shanghai) calendar date the meeting was held on."""
    return local_date(meeting.held_at)


def _check_township_in_county(township: Township, county_id: int) -> None:
    if township.county_id != county_id:
        raise ApplicationError(_("“%(name)s”不属于本次会议所在的县。") % {"name": township.name})


def _check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("请填写理由。"))
    if len(reason) > REASON_MAX_LENGTH:
        raise ApplicationError(_("理由不能超过 %(n)d 个字。") % {"n": REASON_MAX_LENGTH})
    return reason


# -- meetings -----------------------------------------------------------------------------------


def meeting_sub_venues_parse(sub_venues: str | Iterable[str], *, main_venue: str) -> list[str]:
    """Sub-venues as a clean list: one per line (or per item), blanks dropped; refuses duplicates
    and a sub-venue named like the main venue."""
    items = sub_venues.splitlines() if isinstance(sub_venues, str) else list(sub_venues)
    names = [name.strip() for name in items if name and name.strip()]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ApplicationError(_("分会场“%(name)s”重复。") % {"name": name})
        if name == (main_venue or "").strip():
            raise ApplicationError(_("分会场“%(name)s”与主会场同名。") % {"name": name})
        seen.add(name)
    return names


@transaction.atomic
def meeting_create(
    *,
    county: County,
    title: str,
    held_at: dt.datetime,
    chair: str,
    main_venue: str,
    sub_venues: str | Iterable[str] = (),
    chair_title: str = "",
    summary: str = "",
    source: str = "",
    by,
) -> Meeting:
    """Create a 推进会 with its sub-venues (分会场, one per line in `Meeting.sub_venues`).

    Access: access.check_meeting_create. Refuses duplicate sub-venues, a sub-venue named like the
    main venue, and what the model refuses (missing title/chair/venue, the same title at the same
    time in the county).
    """
    access.check_meeting_create(by=by, county=county)
    names = meeting_sub_venues_parse(sub_venues, main_venue=main_venue)
    meeting = Meeting(
        county=county,
        title=title,
        held_at=held_at,
        chair=chair,
        chair_title=chair_title,
        main_venue=main_venue,
        sub_venues="\n".join(names),
        summary=summary,
        source=source,
    )
    return record_save(meeting, by=by)


@transaction.atomic
def meeting_update(meeting: Meeting, *, data: dict[str, Any], by) -> Meeting:
    """Correct a meeting's details (`MEETING_FIELDS`; its county ties its townships and stays).

    Locks the meeting; access: access.check_meeting_change; sub-venues as in `meeting_create`.
    Attendance rows entered earlier keep their venue names.
    """

    def check(locked: Meeting) -> None:
        access.check_meeting_change(by=by, meeting=locked)
        if "sub_venues" in data or "main_venue" in data:
            names = meeting_sub_venues_parse(locked.sub_venues, main_venue=locked.main_venue)
            locked.sub_venues = "\n".join(names)

    return model_update(meeting, data=data, allowed=MEETING_FIELDS, by=by, check=check)


def _delete(row, *, by, check) -> None:
    """Lock `row`, run `check(locked)` (the policy, the rules), record who and delete it."""
    locked = type(row).objects.select_for_update().get(pk=row.pk)
    check(locked)
    record_delete(locked, by=by)


def _refuse_when_assigned(assignments, message) -> None:
    if assignments.exists():
        raise ConflictError(message)


@transaction.atomic
def meeting_delete(meeting: Meeting, *, by) -> None:
    """Delete a meeting entered by mistake, with its attendance, statements and directives.

    Locks it; access: access.check_meeting_change. Refused once any directive of it was assigned:
    assignments and their reports are the record 责任倒查 reads.
    """

    def check(locked: Meeting) -> None:
        access.check_meeting_change(by=by, meeting=locked)
        _refuse_when_assigned(
            Assignment.objects.filter(directive__meeting=locked),
            _("会议的部署已分解到乡镇，不能删除（任务是责任倒查的依据）。"),
        )

    _delete(meeting, by=by, check=check)


def _meeting_row_delete(row: Attendance | Statement, *, by) -> None:
    _delete(row, by=by, check=lambda locked: access.check_meeting_change(by=by, meeting=locked.meeting))


def attendance_check(*, meeting: Meeting, township: Township | None, venue: str, venue_name: str = "") -> str:
    """Rules of one attendance row; returns the venue name to store.

    The township (if any) must be in the meeting's county; the main venue is the meeting's; a
    sub-venue attendance names one of the meeting's sub-venues.
    """
    if township is not None:
        _check_township_in_county(township, meeting.county_id)
    venue_name = (venue_name or "").strip()
    if venue == Attendance.Venue.MAIN:
        if venue_name and venue_name != meeting.main_venue:
            raise ApplicationError(
                _("主会场是“%(main)s”，不是“%(name)s”。") % {"main": meeting.main_venue, "name": venue_name}
            )
        return meeting.main_venue
    if venue == Attendance.Venue.SUB:
        sub_venues = meeting_sub_venues_parse(meeting.sub_venues, main_venue=meeting.main_venue)
        if not sub_venues:
            raise ApplicationError(_("本次会议未设分会场。"))
        if not venue_name:
            raise ApplicationError(_("请写明在哪个分会场参会。"))
        if venue_name not in sub_venues:
            raise ApplicationError(_("“%(name)s”不是本次会议的分会场。") % {"name": venue_name})
        return venue_name
    return venue_name  # an unknown venue is refused by full_clean()


@transaction.atomic
def attendance_record(
    *,
    meeting: Meeting,
    unit: str,
    person: str,
    venue: str,
    venue_name: str = "",
    township: Township | None = None,
    position: str = "",
    present: bool = True,
    by,
) -> Attendance:
    """Record who attended (参会) at which venue. Access: access.check_meeting_change; rules: see
    `attendance_check`."""
    access.check_meeting_change(by=by, meeting=meeting, townships=[township])
    venue_name = attendance_check(meeting=meeting, township=township, venue=venue, venue_name=venue_name)
    attendance = Attendance(
        meeting=meeting,
        township=township,
        unit=unit,
        person=person,
        position=position,
        venue=venue,
        venue_name=venue_name,
        present=present,
    )
    return record_save(attendance, by=by)


@transaction.atomic
def attendance_update(attendance: Attendance, *, data: dict[str, Any], by) -> Attendance:
    """Correct an attendance row (`ATTENDANCE_FIELDS`). Locks it; access:
    access.check_meeting_change; rules: see `attendance_check` (on the new values)."""

    def check(locked: Attendance) -> None:
        access.check_meeting_change(by=by, meeting=locked.meeting, townships=[locked.township])
        locked.venue_name = attendance_check(
            meeting=locked.meeting, township=locked.township, venue=locked.venue, venue_name=locked.venue_name
        )

    return model_update(attendance, data=data, allowed=ATTENDANCE_FIELDS, by=by, check=check)


@transaction.atomic
def attendance_delete(attendance: Attendance, *, by) -> None:
    """Delete an attendance row entered by mistake. Locks it; access: access.check_meeting_change."""
    _meeting_row_delete(attendance, by=by)


def statement_check(*, meeting: Meeting, township: Township) -> None:
    """A 典型/表态发言 is made by a township of the meeting's county."""
    _check_township_in_county(township, meeting.county_id)


@transaction.atomic
def statement_record(
    *, meeting: Meeting, township: Township, kind: str, summary: str, speaker: str = "", by
) -> Statement:
    """Record a typical-experience or commitment statement. Access: access.check_meeting_change;
    refuses a township of another county."""
    access.check_meeting_change(by=by, meeting=meeting, townships=[township])
    statement_check(meeting=meeting, township=township)
    statement = Statement(meeting=meeting, township=township, kind=kind, summary=summary, speaker=speaker)
    return record_save(statement, by=by)


@transaction.atomic
def statement_update(statement: Statement, *, data: dict[str, Any], by) -> Statement:
    """Correct a statement (`STATEMENT_FIELDS`). Locks it; access: access.check_meeting_change;
    rules: see `statement_check`."""

    def check(locked: Statement) -> None:
        access.check_meeting_change(by=by, meeting=locked.meeting, townships=[locked.township])
        statement_check(meeting=locked.meeting, township=locked.township)

    return model_update(statement, data=data, allowed=STATEMENT_FIELDS, by=by, check=check)


@transaction.atomic
def statement_delete(statement: Statement, *, by) -> None:
    """Delete a statement entered by mistake. Locks it; access: access.check_meeting_change."""
    _meeting_row_delete(statement, by=by)


# -- directives ---------------------------------------------------------------------------------


@transaction.atomic
def directive_add(*, meeting: Meeting, category: str, text: str, priority: str, by) -> Directive:
    """Add the meeting's next directive (会议部署); its number is the next one in the meeting.

    Access: access.check_directive_change. Locks the meeting row so two directives added at once get
    different numbers.
    """
    access.check_directive_change(by=by, meeting=meeting)
    Meeting.objects.select_for_update().get(pk=meeting.pk)
    last = Directive.objects.filter(meeting=meeting).aggregate(last=Max("number"))["last"] or 0
    directive = Directive(meeting=meeting, number=last + 1, category=category, text=text, priority=priority)
    return record_save(directive, by=by)


@transaction.atomic
def directive_update(directive: Directive, *, data: dict[str, Any], by) -> Directive:
    """Correct a directive's category, priority or text (its meeting and number stay). Locks it;
    access: access.check_directive_change."""

    def check(locked: Directive) -> None:
        access.check_directive_change(by=by, meeting=locked.meeting)

    return model_update(directive, data=data, allowed=DIRECTIVE_FIELDS, by=by, check=check)


@transaction.atomic
def directive_delete(directive: Directive, *, by) -> None:
    """Delete a directive entered by mistake. Locks it; access: access.check_directive_change.
    Refused once it was assigned: assignments and their reports are the record 责任倒查 reads."""

    def check(locked: Directive) -> None:
        access.check_directive_change(by=by, meeting=locked.meeting)
        _refuse_when_assigned(
            locked.assignments.all(), _("这项部署已分解到乡镇，不能删除（任务是责任倒查的依据）。")
        )

    _delete(directive, by=by, check=check)


# -- assignments (任务分解) -----------------------------------------------------------------------


def directive_assign_check(
    *,
    directive: Directive,
    township: Township | None = None,
    department: CountyDepartment | None = None,
    deadline: dt.date,
    responsible_person: str | None = None,
) -> str:
    """Rules for assigning `directive` to one township or one county department (exactly one of them);
    returns the responsible person to store.

    The deadline is not before the meeting date; the township or department is of the meeting's
    county and does not hold this directive already; the responsible person defaults to a township's
    principal leader (主要领导, "亲自抓、负总责"), is named for a department (it has no leader on record)
    and must not end up empty.
    """
    if (township is None) == (department is None):
        raise ApplicationError(_("一项任务只能分解给一个乡镇或一个县直部门。"))
    meeting = directive.meeting
    if deadline < meeting_date(meeting):
        raise ApplicationError(
            _("完成时限 %(deadline)s 早于会议日期 %(date)s。")
            % {"deadline": deadline.isoformat(), "date": meeting_date(meeting).isoformat()}
        )
    if township is not None:
        _check_township_in_county(township, meeting.county_id)
        held = {"township": township}
        default_person = township.principal_leader.strip()
        missing = _("“%(name)s”未登记主要领导，请填写责任人。")
    else:
        if department.county_id != meeting.county_id:
            raise ApplicationError(_("“%(name)s”不属于本次会议所在的县。") % {"name": department.name})
        held = {"department": department}
        default_person = ""
        missing = _("请填写“%(name)s”的责任人。")
    holder = township or department
    if directive.pk and Assignment.objects.filter(directive=directive, **held).exists():
        raise ConflictError(_("“%(name)s”已分解过这项部署。") % {"name": holder.name})
    person = (responsible_person or "").strip() or default_person
    if not person:
        raise ApplicationError(missing % {"name": holder.name})
    return person


@transaction.atomic
def directive_assign(
    *,
    directive: Directive,
    townships: Sequence[Township] = (),
    departments: Sequence[CountyDepartment] = (),
    deadline: dt.date,
    responsible_person: str | None = None,
    by,
) -> list[Assignment]:
    """Break a directive down (任务分解): one Assignment per township and per county department, all
    or nothing.

    Access: access.check_directive_assign (every township within `by`'s scope). Rules per township or
    department: see `directive_assign_check`. One listed twice is assigned once. Locks the directive
    so concurrent assignments of it are checked one after the other.
    """
    unique: dict[int, Township] = {}
    for township in townships:
        unique.setdefault(township.pk, township)
    unique_departments: dict[int, CountyDepartment] = {}
    for department in departments:
        unique_departments.setdefault(department.pk, department)
    directive = Directive.objects.select_for_update().select_related("meeting").get(pk=directive.pk)
    access.check_directive_assign(by=by, directive=directive, townships=unique.values())
    if not unique and not unique_departments:
        raise ApplicationError(_("请至少选择一个乡镇或县直部门。"))
    holders = [{"township": t} for t in unique.values()] + [
        {"department": d} for d in unique_departments.values()
    ]
    planned = [
        (
            holder,
            directive_assign_check(
                directive=directive, deadline=deadline, responsible_person=responsible_person, **holder
            ),
        )
        for holder in holders
    ]
    assignments = [
        record_save(
            Assignment(directive=directive, deadline=deadline, responsible_person=person, **holder),
            by=by,
        )
        for holder, person in planned
    ]
    events.publish(events.ASSIGNMENTS_ISSUED, assignments=assignments, by=by)
    return assignments


def _lock_assignment(assignment: Assignment) -> Assignment:
    return (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("directive__meeting", "township", "department")
        .get(pk=assignment.pk)
    )


def _latest_report(assignment: Assignment) -> ProgressReport | None:
    return assignment.progress_reports.order_by("-reported_on", "-id").first()


def progress_report_check(*, assignment: Assignment, reported_on: dt.date, percent: int) -> None:
    """Rules for a new progress report (进展报告) on `assignment`.

    The assignment is not closed; 0 ≤ percent ≤ 100 and not below the previous report (progress
    does not go backwards); reported_on is neither in the future (Asia/Shanghai) nor before the
    meeting, nor before the previous report.
    """
    if assignment.status == Assignment.Status.CLOSED:
        raise ConflictError(_("任务已办结，不能再报告进展。"))
    if not 0 <= percent <= 100:
        raise ApplicationError(_("完成进度须在 0 到 100 之间。"))
    if reported_on > local_today():
        raise ApplicationError(_("报告日期不能晚于今天。"))
    held_on = meeting_date(assignment.directive.meeting)
    if reported_on < held_on:
        raise ApplicationError(_("报告日期不能早于会议日期 %(date)s。") % {"date": held_on.isoformat()})
    previous = _latest_report(assignment)
    if previous is not None:
        if percent < previous.percent:
            raise ApplicationError(
                _("进度不能倒退：上次报告已达 %(previous)d%%，本次为 %(percent)d%%。")
                % {"previous": previous.percent, "percent": percent}
            )
        if reported_on < previous.reported_on:
            raise ApplicationError(
                _("报告日期不能早于上次报告（%(date)s）。") % {"date": previous.reported_on.isoformat()}
            )


@transaction.atomic
def assignment_report_progress(
    *,
    assignment: Assignment,
    reported_on: dt.date | None = None,
    text: str,
    percent: int,
    evidence: File | None = None,
    by,
) -> ProgressReport:
    """Record a township's progress report (dated today unless `reported_on` is given) and move the
    assignment along.

    Locks the assignment; access: access.check_assignment_report_progress; rules: see
    `progress_report_check`. The assignment goes from 已分解 to 推进中 and carries the reported
    percent. Reaching 100% does not close it: closing is `assignment_close`.
    """
    assignment = _lock_assignment(assignment)
    access.check_assignment_report_progress(by=by, assignment=assignment)
    reported_on = reported_on or local_today()
    progress_report_check(assignment=assignment, reported_on=reported_on, percent=percent)
    report = ProgressReport(
        assignment=assignment, reported_on=reported_on, text=text, percent=percent, reported_by=by
    )
    if evidence:
        report.evidence = evidence
    record_save(report, by=by)

    assignment.progress_percent = percent
    if assignment.status == Assignment.Status.ASSIGNED:
        assignment.status = Assignment.Status.IN_PROGRESS
    record_save(assignment, by=by)
    return report


def _last_closed_at(assignment: Assignment) -> dt.datetime | None:
    """When the assignment was last recorded as closed (it is open again if this is not None)."""
    return (
        assignment.history.filter(status=Assignment.Status.CLOSED)
        .order_by("-history_date")
        .values_list("history_date", flat=True)
        .first()
    )


def assignment_close_check(*, assignment: Assignment, closed_on: dt.date) -> None:
    """Rules for closing (办结): not closed yet; at least one progress report, the latest at 100%;
    closed_on neither in the future nor before that report; after a reopening, a new report."""
    if assignment.status == Assignment.Status.CLOSED:
        raise ConflictError(_("任务已经办结。"))
    latest = _latest_report(assignment)
    if latest is None:
        raise ApplicationError(_("没有进展报告的任务不能办结。"))
    if latest.percent < 100:
        raise ApplicationError(
            _("最近一次进展报告为 %(percent)d%%，完成 100%% 后才能办结。") % {"percent": latest.percent}
        )
    if closed_on > local_today():
        raise ApplicationError(_("办结日期不能晚于今天。"))
    if closed_on < latest.reported_on:
        raise ApplicationError(
            _("办结日期不能早于最近一次进展报告（%(date)s）。") % {"date": latest.reported_on.isoformat()}
        )
    last_closed_at = _last_closed_at(assignment)
    if (
        last_closed_at is not None
        and not assignment.progress_reports.filter(created_at__gt=last_closed_at).exists()
    ):
        raise ApplicationError(_("任务重新打开后，须有新的进展报告才能办结。"))


@transaction.atomic
def assignment_close(*, assignment: Assignment, closed_on: dt.date | None = None, by) -> Assignment:
    """Close (办结) an assignment on `closed_on` (default today). Locks it; access:
    access.check_assignment_close; rules: see `assignment_close_check`."""
    assignment = _lock_assignment(assignment)
    access.check_assignment_close(by=by, assignment=assignment)
    closed_on = closed_on or local_today()
    assignment_close_check(assignment=assignment, closed_on=closed_on)
    assignment.status = Assignment.Status.CLOSED
    assignment.closed_on = closed_on
    return record_save(assignment, by=by)


@transaction.atomic
def assignment_reopen(*, assignment: Assignment, reason: str, by) -> Assignment:
    """Reopen a closed assignment (closed → 推进中, completion date cleared). Locks it; access:
    access.check_assignment_reopen.

    The reason is kept as the history record's change reason. Progress stays where it was (it does
    not go backwards); closing again needs a new progress report.
    """
    assignment = _lock_assignment(assignment)
    access.check_assignment_reopen(by=by, assignment=assignment)
    if assignment.status != Assignment.Status.CLOSED:
        raise ConflictError(_("只有已办结的任务才能重新打开。"))
    reason = _check_reason(reason)
    assignment.status = Assignment.Status.IN_PROGRESS
    assignment.closed_on = None
    return record_save(assignment, by=by, reason=reason)


def assignment_extend_deadline_check(*, assignment: Assignment, new_deadline: dt.date, reason: str) -> str:
    """Rules for an extension (延期): an open assignment; a later deadline; a reason (≤ 100
    characters). Returns the cleaned reason."""
    if assignment.status == Assignment.Status.CLOSED:
        raise ConflictError(_("任务已办结，不能延期。"))
    if new_deadline <= assignment.deadline:
        raise ApplicationError(
            _("新的完成时限须晚于原时限 %(deadline)s。") % {"deadline": assignment.deadline.isoformat()}
        )
    return _check_reason(reason)


@transaction.atomic
def assignment_extend_deadline(
    *, assignment: Assignment, new_deadline: dt.date, reason: str, by
) -> Assignment:
    """Move an open assignment's deadline later. Locks it; access:
    access.check_assignment_extend_deadline; rules: see `assignment_extend_deadline_check`.

    The old deadline stays in the history, with `reason` as the change reason, for 责任倒查.
    """
    assignment = _lock_assignment(assignment)
    access.check_assignment_extend_deadline(by=by, assignment=assignment)
    reason = assignment_extend_deadline_check(assignment=assignment, new_deadline=new_deadline, reason=reason)
    assignment.deadline = new_deadline
    record_save(assignment, by=by, reason=reason)
    events.publish(events.ASSIGNMENT_DEADLINE_CHANGED, assignment=assignment, by=by)
    return assignment


def assignment_change_responsible_person_check(*, assignment: Assignment, responsible_person: str) -> str:
    """Rules for naming another responsible person: an open assignment (who answered for it at
    closing stays on record) and a name. Returns the cleaned name."""
    if assignment.status == Assignment.Status.CLOSED:
        raise ConflictError(_("任务已办结，不能更换责任人。"))
    person = (responsible_person or "").strip()
    if not person:
        raise ApplicationError(_("请填写责任人。"))
    return person


@transaction.atomic
def assignment_change_responsible_person(
    *, assignment: Assignment, responsible_person: str, by
) -> Assignment:
    """Name another responsible person (责任人) for an open assignment (e.g. after a change of
    leader). Locks it; access: access.check_assignment_change_responsible_person; rules: see
    `assignment_change_responsible_person_check`."""
    assignment = _lock_assignment(assignment)
    access.check_assignment_change_responsible_person(by=by, assignment=assignment)
    assignment.responsible_person = assignment_change_responsible_person_check(
        assignment=assignment, responsible_person=responsible_person
    )
    return record_save(assignment, by=by)
