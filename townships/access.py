"""Who may change what in the townships app: its one access policy (who *sees* what is core.scoping's).

The services call these checks with their `by` before writing anything, so the API, the admin and
the premises import all meet the same refusal (AccessDenied: a 403 with the reason, a form error, a
row error). `by=None` is the system itself (a task, a command, the demo, a data migration) and is
let through; a superuser counts as the guidance center (core.scoping.user_role).

Checks that take an object (a township, a premises, the townships touched) accept None or nothing
for it: then they answer for `by`'s role alone (may this role ever do it?), which is how the API's
route gate (core.api.RolePermission) asks before any input is read, in the same words.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from core.access import require
from core.exceptions import AccessDenied
from core.models import Role
from core.scoping import can_see_township, user_role
from townships.models import Premises

CENTER = frozenset({Role.GUIDANCE_CENTER})
# Reading: whoever holds a township reads its places (core.scoping). The fire rescue authority and a
# county department hold none and read no township's grids or premises lists: what they need of a
# premises comes with the record they handle (a handed-over hazard names its premises). Neither writes
# here: the places are the townships' and the center's to keep.
# A township's own lead writes its grids and premises; the guidance center writes everything.
TOWNSHIP_WRITERS = frozenset({Role.TOWNSHIP_LEAD, Role.GUIDANCE_CENTER})

# Reference data the whole county shares: the guidance center keeps it.
TOWNSHIP_EDITORS = CENTER
POLICE_STATION_EDITORS = CENTER
AGREEMENT_EDITORS = CENTER
DEPARTMENT_EDITORS = CENTER
GRID_EDITORS = TOWNSHIP_WRITERS
PREMISES_EDITORS = TOWNSHIP_WRITERS

# Premises fields only the guidance center sets: linking a user account to a premises gives that
# account the premises' records to see, and demo flags are the center's housekeeping.
CENTER_PREMISES_FIELDS = ("responsible_user", "is_demo")

FOREIGN_TOWNSHIP = _("不能操作其他乡镇的数据。")


def _system(by) -> bool:
    return by is None


def _require_role(by, roles: frozenset[str], message) -> None:
    require(user_role(by) in roles, message)


def _require_township(by, township_id: int | None) -> None:
    """A write into a township outside the user's own is refused, never silently moved."""
    require(township_id is None or can_see_township(by, township_id), FOREIGN_TOWNSHIP)


def check_township_change(*, by) -> None:
    """Register a township or change its details: the guidance center only."""
    if _system(by):
        return
    _require_role(by, TOWNSHIP_EDITORS, _("只有县消防指导中心可以登记和修改乡镇（街道办）。"))


def check_department_change(*, by) -> None:
    """Register a county department (县直部门) or rename it: the guidance center only (it runs the
    accounts that are scoped to one)."""
    if _system(by):
        return
    _require_role(by, DEPARTMENT_EDITORS, _("只有县消防指导中心可以登记和修改县直部门。"))


def check_schedule_change(*, by) -> None:
    """Set a county's inspection intervals and sensitive periods: the guidance center only (they
    reschedule every premises of the county)."""
    if _system(by):
        return
    _require_role(by, CENTER, _("只有县消防指导中心可以设置检查周期和重点时段。"))


def check_police_station_change(*, by) -> None:
    """Register a police station, change its details or the townships it covers: the guidance
    center only."""
    if _system(by):
        return
    _require_role(by, POLICE_STATION_EDITORS, _("只有县消防指导中心可以登记派出所和调整派出所辖区。"))


def check_grid_change(*, by, township_ids: Iterable[int] = ()) -> None:
    """Create, rename, delete a grid, or add, change, remove its members, in the townships
    `township_ids` (a member moved between grids touches both): a township lead in its own
    township, the guidance center anywhere."""
    if _system(by):
        return
    _require_role(by, GRID_EDITORS, _("只有乡镇消防专干和县消防指导中心可以维护网格和网格员。"))
    for township_id in township_ids:
        _require_township(by, township_id)


def _check_premises_writer(*, by, township_id: int | None, data: Mapping[str, Any]) -> None:
    _require_role(by, PREMISES_EDITORS, _("只有乡镇消防专干和县消防指导中心可以登记和修改社会单位。"))
    _require_township(by, township_id)
    grid = data.get("grid")
    # A grid is part of a township: naming another township's grid is a write into it.
    if grid is not None:
        _require_township(by, grid.township_id)
    center_only = [name for name in CENTER_PREMISES_FIELDS if name in data]
    if center_only and user_role(by) not in CENTER:
        labels = "、".join(str(Premises._meta.get_field(name).verbose_name) for name in center_only)
        raise AccessDenied(_("以下字段只有县消防指导中心可以修改：%(fields)s") % {"fields": labels})


def check_premises_create(*, by, township=None, data: Mapping[str, Any] | None = None) -> None:
    """Register a premises in `township` with `data` (field → value; empty ones are not set): a
    township lead in its own township, with its own township's grids, leaving the center's fields
    (CENTER_PREMISES_FIELDS) unset; the guidance center anywhere."""
    if _system(by):
        return
    given = {name: value for name, value in (data or {}).items() if value not in (None, False, "")}
    _check_premises_writer(by=by, township_id=getattr(township, "pk", None), data=given)


def check_premises_update(*, by, premises=None, data: Mapping[str, Any] | None = None) -> None:
    """Change `premises` with `data` (field → new value): as for check_premises_create, in the
    premises' township (fixed once registered)."""
    if _system(by):
        return
    township_id = None if premises is None else premises.township_id
    _check_premises_writer(by=by, township_id=township_id, data=data or {})


def check_agreement_change(*, by) -> None:
    """Record, correct or delete a responsibility agreement (消防安全责任书): the guidance center only."""
    if _system(by):
        return
    _require_role(by, AGREEMENT_EDITORS, _("只有县消防指导中心可以登记和修改消防安全责任书。"))


def check_premises_code(*, by, premises=None, township=None) -> None:
    """Issue, revoke or reissue a premises' QR code (一店一码), or print a township's labels: the
    lead of the premises' (the) township, the guidance center anywhere."""
    if _system(by):
        return
    _require_role(by, PREMISES_EDITORS, _("只有乡镇消防专干和县消防指导中心可以发放、作废和补发二维码。"))
    _require_township(by, None if premises is None else premises.township_id)
    _require_township(by, getattr(township, "pk", None))
