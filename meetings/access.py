"""Who may change what in the meetings app: its one access policy (who *sees* what is core.scoping's).

The services call these checks with their `by` before they write, so the API, the pages, the admin
and any import meet the same refusal, in the same words. `by=None` is the system (a task, a command,
the demo, a data migration) and may do everything; a superuser counts as the guidance center.

- 推进会, its attendance and statements, its directives and their 任务分解, an assignment's deadline
  and responsible person, reopening: the county office (县领导/县消防工作办公室) of the meeting's county,
  or the guidance center.
- Progress reports: the township lead (消防专干/分管副职) of the assignment's township, a user of the
  county department (县直部门) that holds it, or the center.
- Closing (办结): the township lead of the assignment's township, a user of the department that holds
  it, the county office of the meeting's county, or the center.

Checks that take an object accept None for it: then they answer for `by`'s role alone (may this role
ever do it?), which is how the API's route gate (core.api.RolePermission) asks before reading any input.
"""

from collections.abc import Iterable

from django.utils.translation import gettext as _

from core.access import require, require_reader
from core.exceptions import AccessDenied
from core.models import Role
from core.scoping import ALL, user_department_id, user_role, visible_county_id, visible_township_ids

# The roles that may ever write meetings, directives and assignments.
COUNTY_OFFICE = frozenset({Role.COUNTY_OFFICIAL, Role.GUIDANCE_CENTER})

# Reading, by least privilege. Meetings and directives are the county's orders, read county-wide.
# Assignments and progress reports are the townships' work under them, read by the townships and the
# county office: a police station (its work is the premises of its area) reads none of them, nor does
# the fire rescue authority (it answers for hazards, not for the meetings' tasks). A county department
# reads only its own department's assignments and their reports (meetings.scoping): its duty, not the
# townships' ranking material.
ASSIGNMENTS_READ_WITHHELD = frozenset({Role.POLICE_STATION, Role.FIRE_RESCUE})


def _is_county_office_of(by, county_id: int | None) -> bool:
    """The guidance center, or a county official of `county_id` (one with no county: of every county)."""
    role = user_role(by)
    if role not in COUNTY_OFFICE:
        return False
    return role == Role.GUIDANCE_CENTER or county_id is None or visible_county_id(by) in (None, county_id)


def _is_lead_of(by, township_id: int | None) -> bool:
    """A township lead, of `township_id` when one is given."""
    if user_role(by) != Role.TOWNSHIP_LEAD:
        return False
    return township_id is None or by.profile.township_id == township_id


def _holds(by, assignment) -> bool:
    """`by` answers for `assignment` (any of the role's when None): the lead of its township or a
    user of its county department."""
    role = user_role(by)
    if role == Role.TOWNSHIP_LEAD:
        return assignment is None or (
            assignment.township_id is not None and _is_lead_of(by, assignment.township_id)
        )
    if role == Role.COUNTY_DEPARTMENT:
        return assignment is None or (
            assignment.department_id is not None and user_department_id(by) == assignment.department_id
        )
    return False


def _county_office(by, county_id: int | None, message) -> None:
    if by is not None:
        require(_is_county_office_of(by, county_id), message)


def _townships_in_scope(by, townships: Iterable) -> None:
    """A write names only townships `by` may see ("township users change only their township")."""
    if by is None:
        return
    visible = visible_township_ids(by)
    for township in townships:
        if township is not None and visible is not ALL and township.pk not in visible:
            raise AccessDenied(_("不能操作您管辖范围以外的乡镇（%(name)s）。") % {"name": township.name})


def _meeting_county_id(meeting) -> int | None:
    return None if meeting is None else meeting.county_id


def _assignment_county_id(assignment) -> int | None:
    return None if assignment is None else assignment.directive.meeting.county_id


# -- meetings, attendance, statements --------------------------------------------------------------


def check_meeting_create(*, by, county=None) -> None:
    """A 推进会 is entered by the county office of its county, or by the guidance center."""
    _county_office(by, getattr(county, "pk", None), _("只有本县消防工作办公室或指导中心可以登记会议。"))


def check_meeting_change(*, by, meeting=None, townships: Iterable = ()) -> None:
    """A meeting, its attendance (参会) and its statements (典型和表态发言) are changed, added or deleted
    by the county office of the meeting's county, or by the guidance center; rows name only townships
    `by` may see."""
    _county_office(by, _meeting_county_id(meeting), _("只有本县消防工作办公室或指导中心可以修改会议。"))
    _townships_in_scope(by, townships)


# -- directives and their 任务分解 -------------------------------------------------------------------


def check_directive_change(*, by, meeting=None) -> None:
    """Directives (会议部署) are added, changed or deleted by the county office of the meeting's
    county, or by the guidance center."""
    _county_office(
        by, _meeting_county_id(meeting), _("只有本县消防工作办公室或指导中心可以添加或修改会议部署。")
    )


def check_directive_assign(*, by, directive=None, townships: Iterable = ()) -> None:
    """A directive is broken down to townships and county departments (任务分解) by the county office
    of the meeting's county, or by the guidance center, and only to townships `by` may see (the
    departments are the meeting's county's: meetings.services.directive_assign_check)."""
    county_id = None if directive is None else directive.meeting.county_id
    _county_office(by, county_id, _("只有本县消防工作办公室或指导中心可以分解任务。"))
    _townships_in_scope(by, townships)


# -- assignments ----------------------------------------------------------------------------------


def check_assignment_report_progress(*, by, assignment=None) -> None:
    """Progress on an assignment is reported by the township lead of its township or a user of the
    county department that holds it, or by the guidance center for it."""
    if by is None:
        return
    require(
        user_role(by) == Role.GUIDANCE_CENTER or _holds(by, assignment),
        _("只有承担任务的乡镇消防专干（分管副职）、县直部门或指导中心可以报告任务进展。"),
    )


def check_assignment_close(*, by, assignment=None) -> None:
    """An assignment is closed (办结) by the township lead of its township or a user of the county
    department that holds it, by the county office of the meeting's county, or by the guidance center."""
    if by is None:
        return
    require(
        _holds(by, assignment) or _is_county_office_of(by, _assignment_county_id(assignment)),
        _("只有承担任务的乡镇、县直部门、县消防工作办公室或指导中心可以办结任务。"),
    )


def check_assignment_reopen(*, by, assignment=None) -> None:
    """A closed assignment is reopened by the county office of the meeting's county, or by the
    guidance center."""
    _county_office(
        by, _assignment_county_id(assignment), _("只有本县消防工作办公室或指导中心可以重新打开任务。")
    )


def check_assignment_extend_deadline(*, by, assignment=None) -> None:
    """An assignment's deadline is extended (延期) by the county office of the meeting's county, or
    by the guidance center; never by the township that answers for it."""
    _county_office(
        by, _assignment_county_id(assignment), _("只有本县消防工作办公室或指导中心可以延长完成时限。")
    )


def check_assignment_change_responsible_person(*, by, assignment=None) -> None:
    """Another responsible person (责任人) is named by the county office of the meeting's county, or
    by the guidance center."""
    _county_office(
        by, _assignment_county_id(assignment), _("只有本县消防工作办公室或指导中心可以更换责任人。")
    )


def check_assignments_read(*, by, **_ignored) -> None:
    """Read assignments and their progress reports: not a police station."""
    require_reader(by, ASSIGNMENTS_READ_WITHHELD, _("派出所和消防救援大队不查看乡镇的会议任务和进度报告。"))
