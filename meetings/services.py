"""Writes of the meetings app: 推进会, its directives, their 任务分解 to townships and progress reports.

Every function here is the only way its row is written (the admin and the API call these), takes the
acting user as `by` (recorded by django-simple-history) and writes nothing when it refuses.
The `*_check` functions are the rules alone, without writing: admin forms call them in `clean()` so a
form error shows before anything is saved, and the services call them again under the row lock.
"""

import datetime as dt
from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from core.clock import local_date, local_today
from core.exceptions import ApplicationError
from core.models import Role
from core.scoping import user_role, visible_county_id
from meetings.models import Assignment, Attendance, Directive, Meeting, ProgressReport, Statement
from townships.models import County, Township

# simple-history stores the change reason in a CharField(max_length=100).
REASON_MAX_LENGTH = 100


def meeting_date(meeting: Meeting) -> dt.date:
    """The local (Asia/Shanghai) calendar date the meeting was held on."""
    return local_date(meeting.held_at)


def _check_township_in_county(township: Township, county_id: int) -> None:
    if township.county_id != county_id:
        raise ApplicationError(_("“%(name)s”不属于本次会议所在的县。") % {"name": township.name})


def county_office_check(*, by, county_id: int) -> None:
    """Only the county office (县领导/县消防工作办公室 of this county) or the guidance center may act.

    `by=None` is the system itself (a task or a data migration) and is allowed.
    """
    if by is None:
        return
    role = user_role(by)
    if role == Role.GUIDANCE_CENTER:
        return
    if role == Role.COUNTY_OFFICIAL and visible_county_id(by) in (None, county_id):
        return
    raise ApplicationError(_("只有县消防工作办公室可以进行此操作。"))


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

    Refuses duplicate sub-venues, a sub-venue named like the main venue, and what the model refuses
    (missing title/chair/venue, the same title at the same time in the county).
    """
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
    meeting.full_clean()
    meeting._history_user = by
    meeting.save()
    return meeting


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
    """Record who attended (参会) at which venue. Rules: see `attendance_check`."""
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
    attendance.full_clean()
    attendance._history_user = by
    attendance.save()
    return attendance


def statement_check(*, meeting: Meeting, township: Township) -> None:
    """A 典型/表态发言 is made by a township of the meeting's county."""
    _check_township_in_county(township, meeting.county_id)


@transaction.atomic
def statement_record(
    *, meeting: Meeting, township: Township, kind: str, summary: str, speaker: str = "", by
) -> Statement:
    """Record a typical-experience or commitment statement. Refuses a township of another county."""
    statement_check(meeting=meeting, township=township)
    statement = Statement(meeting=meeting, township=township, kind=kind, summary=summary, speaker=speaker)
    statement.full_clean()
    statement._history_user = by
    statement.save()
    return statement


# -- directives ---------------------------------------------------------------------------------


@transaction.atomic
def directive_add(*, meeting: Meeting, category: str, text: str, priority: str, by) -> Directive:
    """Add the meeting's next directive (会议部署); its number is the next one in the meeting.

    Locks the meeting row so two directives added at once get different numbers.
    """
    Meeting.objects.select_for_update().get(pk=meeting.pk)
    last = Directive.objects.filter(meeting=meeting).aggregate(last=Max("number"))["last"] or 0
    directive = Directive(meeting=meeting, number=last + 1, category=category, text=text, priority=priority)
    directive.full_clean()
    directive._history_user = by
    directive.save()
    return directive


# -- assignments (任务分解) -----------------------------------------------------------------------


def directive_assign_check(
    *,
    directive: Directive,
    township: Township,
    deadline: dt.date,
    responsible_person: str | None = None,
) -> str:
    """Rules for assigning `directive` to one township; returns the responsible person to store.

    The deadline is not before the meeting date; the township is in the meeting's county and does
    not hold this directive already; the responsible person defaults to the township's principal
    leader (主要领导, "亲自抓、负总责") and must not end up empty.
    """
    meeting = directive.meeting
    if deadline < meeting_date(meeting):
        raise ApplicationError(
            _("完成时限 %(deadline)s 早于会议日期 %(date)s。")
            % {"deadline": deadline.isoformat(), "date": meeting_date(meeting).isoformat()}
        )
    _check_township_in_county(township, meeting.county_id)
    if directive.pk and Assignment.objects.filter(directive=directive, township=township).exists():
        raise ApplicationError(_("“%(name)s”已分解过这项部署。") % {"name": township.name})
    person = (responsible_person or "").strip() or township.principal_leader.strip()
    if not person:
        raise ApplicationError(_("“%(name)s”未登记主要领导，请填写责任人。") % {"name": township.name})
    return person


@transaction.atomic
def directive_assign(
    *,
    directive: Directive,
    townships: Sequence[Township],
    deadline: dt.date,
    responsible_person: str | None = None,
    by,
) -> list[Assignment]:
    """Break a directive down (任务分解): one Assignment per township, all or nothing.

    Rules per township: see `directive_assign_check`. A township listed twice is assigned once.
    Locks the directive so concurrent assignments of it are checked one after the other.
    """
    unique: dict[int, Township] = {}
    for township in townships:
        unique.setdefault(township.pk, township)
    if not unique:
        raise ApplicationError(_("请至少选择一个乡镇。"))
    directive = Directive.objects.select_for_update().select_related("meeting").get(pk=directive.pk)
    planned = [
        (
            township,
            directive_assign_check(
                directive=directive,
                township=township,
                deadline=deadline,
                responsible_person=responsible_person,
            ),
        )
        for township in unique.values()
    ]
    created = []
    for township, person in planned:
        assignment = Assignment(
            directive=directive, township=township, deadline=deadline, responsible_person=person
        )
        assignment.full_clean()
        assignment._history_user = by
        assignment.save()
        created.append(assignment)
    return created


def _lock_assignment(assignment: Assignment) -> Assignment:
    return (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("directive__meeting", "township")
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
        raise ApplicationError(_("任务已办结，不能再报告进展。"))
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
    reported_on: dt.date,
    text: str,
    percent: int,
    evidence: File | None = None,
    by,
) -> ProgressReport:
    """Record a township's progress report and move the assignment along.

    Locks the assignment; rules: see `progress_report_check`. The assignment goes from 已分解 to
    推进中 and carries the reported percent. Reaching 100% does not close it: closing is
    `assignment_close`.
    """
    assignment = _lock_assignment(assignment)
    progress_report_check(assignment=assignment, reported_on=reported_on, percent=percent)
    report = ProgressReport(
        assignment=assignment, reported_on=reported_on, text=text, percent=percent, reported_by=by
    )
    if evidence:
        report.evidence = evidence
    report.full_clean()
    report._history_user = by
    report.save()

    assignment.progress_percent = percent
    if assignment.status == Assignment.Status.ASSIGNED:
        assignment.status = Assignment.Status.IN_PROGRESS
    assignment.full_clean()
    assignment._history_user = by
    assignment.save(update_fields=["progress_percent", "status", "updated_at"])
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
        raise ApplicationError(_("任务已经办结。"))
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
def assignment_close(*, assignment: Assignment, closed_on: dt.date, by) -> Assignment:
    """Close (办结) an assignment on `closed_on`. Locks it; rules: see `assignment_close_check`."""
    assignment = _lock_assignment(assignment)
    assignment_close_check(assignment=assignment, closed_on=closed_on)
    assignment.status = Assignment.Status.CLOSED
    assignment.closed_on = closed_on
    assignment.full_clean()
    assignment._history_user = by
    assignment.save(update_fields=["status", "closed_on", "updated_at"])
    return assignment


@transaction.atomic
def assignment_reopen(*, assignment: Assignment, reason: str, by) -> Assignment:
    """Reopen a closed assignment (closed → 推进中, completion date cleared); the county office only.

    The reason is kept as the history record's change reason. Progress stays where it was (it does
    not go backwards); closing again needs a new progress report.
    """
    assignment = _lock_assignment(assignment)
    county_office_check(by=by, county_id=assignment.directive.meeting.county_id)
    if assignment.status != Assignment.Status.CLOSED:
        raise ApplicationError(_("只有已办结的任务才能重新打开。"))
    reason = _check_reason(reason)
    assignment.status = Assignment.Status.IN_PROGRESS
    assignment.closed_on = None
    assignment.full_clean()
    assignment._history_user = by
    assignment._change_reason = reason
    assignment.save(update_fields=["status", "closed_on", "updated_at"])
    return assignment


def assignment_extend_deadline_check(
    *, assignment: Assignment, new_deadline: dt.date, reason: str, by
) -> str:
    """Rules for an extension (延期): the county office only; an open assignment; a later deadline;
    a reason (≤ 100 characters). Returns the cleaned reason."""
    county_office_check(by=by, county_id=assignment.directive.meeting.county_id)
    if assignment.status == Assignment.Status.CLOSED:
        raise ApplicationError(_("任务已办结，不能延期。"))
    if new_deadline <= assignment.deadline:
        raise ApplicationError(
            _("新的完成时限须晚于原时限 %(deadline)s。") % {"deadline": assignment.deadline.isoformat()}
        )
    return _check_reason(reason)


@transaction.atomic
def assignment_extend_deadline(
    *, assignment: Assignment, new_deadline: dt.date, reason: str, by
) -> Assignment:
    """Move an open assignment's deadline later; the county office only.

    The old deadline stays in the history, with `reason` as the change reason, for 责任倒查.
    """
    assignment = _lock_assignment(assignment)
    reason = assignment_extend_deadline_check(
        assignment=assignment, new_deadline=new_deadline, reason=reason, by=by
    )
    assignment._change_reason = reason
    assignment.deadline = new_deadline
    assignment.full_clean()
    assignment._history_user = by
    assignment.save(update_fields=["deadline", "updated_at"])
    return assignment


@transaction.atomic
def assignment_change_responsible_person(
    *, assignment: Assignment, responsible_person: str, by
) -> Assignment:
    """Name another responsible person (责任人) for an open assignment (e.g. after a change of leader).

    Refuses an empty name and a closed assignment: who answered for it at closing stays on record.
    """
    assignment = _lock_assignment(assignment)
    if assignment.status == Assignment.Status.CLOSED:
        raise ApplicationError(_("任务已办结，不能更换责任人。"))
    person = (responsible_person or "").strip()
    if not person:
        raise ApplicationError(_("请填写责任人。"))
    assignment.responsible_person = person
    assignment.full_clean()
    assignment._history_user = by
    assignment.save(update_fields=["responsible_person", "updated_at"])
    return assignment


# -- who may report and close (pages) ------------------------------------------------------------


def _is_lead_of(by, township_id: int) -> bool:
    return user_role(by) == Role.TOWNSHIP_LEAD and by.profile.township_id == township_id


def assignment_check_may_report(*, by, assignment: Assignment) -> None:
    """Progress on an assignment is reported by the township lead of its township, or by the
    guidance center for it. Raises PermissionDenied (403) for everybody else.

    Whether `by` may see the assignment at all is the caller's scoped look-up (404 before this).
    """
    if user_role(by) == Role.GUIDANCE_CENTER or _is_lead_of(by, assignment.township_id):
        return
    raise PermissionDenied(_("只有本乡镇消防专干（分管副职）或指导中心可以报告任务进展。"))


def assignment_check_may_close(*, by, assignment: Assignment) -> None:
    """An assignment is closed (办结) by the township lead of its township, by the county office of
    the meeting's county, or by the guidance center. Raises PermissionDenied (403) otherwise."""
    if by is not None:
        if _is_lead_of(by, assignment.township_id):
            return
        try:
            county_office_check(by=by, county_id=assignment.directive.meeting.county_id)
        except ApplicationError:
            pass
        else:
            return
    raise PermissionDenied(_("只有本乡镇、县消防工作办公室或指导中心可以办结任务。"))
