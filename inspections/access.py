"""Who may change what in the campaign: the one access policy of the inspections app.

Scope — who *sees* a record — is core.scoping's. These rules say what a user may *write*, and they are
written only here: the services call them with their `by` (None is the system: tasks, commands, the
demo, migrations, and is always allowed; a superuser counts as the guidance center), so the API, the
pages, the admin and the imports meet the same refusal, an AccessDenied carrying the reason. Checks
that take an object accept None for it: then they answer for `by`'s role alone (may this role ever
take the step?), which is how the API's route gate (core.api.RolePermission) asks before any input is
read, and how a page decides to offer a form; a role outside a step's role set hears the step's rule.

The county's practice:
- the guidance center (指导中心) does everything; the township lead (乡镇消防专干) everything within
  its own township — plans, inspections, the whole hazard loop, deadline extensions;
- a police station (派出所) records police inspections in its own name of premises in its area, and
  re-inspects the hazards its own inspections found (it neither reports rectifications nor extends
  deadlines: the one who verifies a rectification does not also report it);
- a premises' responsible person records self-inspections of its own premises and starts / reports
  the rectification (evidence) of its own hazards, never the re-inspection that verifies them;
- a grid member (网格员) records patrols (巡查) of the premises of their own grid, hazards found
  included, and nothing else of the loop;
- county officials decide accountability (责任追究) in their county; campaigns and the checklist are
  the guidance center's.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from core.access import require
from core.exceptions import AccessDenied
from core.models import Role
from core.scoping import can_see_record, can_see_township, user_role
from inspections.models import Inspection

CENTER = frozenset({Role.GUIDANCE_CENTER})
# 防控行动 and the checklist: the guidance center.
CAMPAIGN_WRITERS = CENTER
CHECKLIST_KEEPERS = CENTER
# 检查计划: the guidance center, and a township lead for its own township.
PLANNERS = frozenset({Role.GUIDANCE_CENTER, Role.TOWNSHIP_LEAD})
# 检查记录: whoever carries the inspection out (RecordingPolicy says which kind).
RECORDERS = frozenset(
    {
        Role.GUIDANCE_CENTER,
        Role.TOWNSHIP_LEAD,
        Role.POLICE_STATION,
        Role.PREMISES_RESPONSIBLE,
        Role.GRID_MEMBER,
    }
)
# 巡查: the grid member, of the premises of their own grid; nobody records one in a member's name.
PATROLLERS = frozenset({Role.GRID_MEMBER})
# 开始整改 / 提交整改: the township, the premises itself, or the guidance center.
RECTIFIERS = frozenset({Role.GUIDANCE_CENTER, Role.TOWNSHIP_LEAD, Role.PREMISES_RESPONSIBLE})
# 复查: the township, the police station whose inspection found the hazard, or the guidance center.
REINSPECTORS = frozenset({Role.GUIDANCE_CENTER, Role.TOWNSHIP_LEAD, Role.POLICE_STATION})
# 延长整改期限 and corrections of a recorded hazard: the guidance center and the township lead.
EXTENDERS = frozenset({Role.GUIDANCE_CENTER, Role.TOWNSHIP_LEAD})
# 责任追究 is decided at county level.
ACCOUNTABILITY_DECIDERS = frozenset({Role.GUIDANCE_CENTER, Role.COUNTY_OFFICIAL})
# 移交消防救援机构: the township that cannot resolve a hazard (its lead), or the guidance center.
HANDOVER_SENDERS = frozenset({Role.GUIDANCE_CENTER, Role.TOWNSHIP_LEAD})
# What the fire rescue authority did with a hand-over (受理, 查处, 查封 …) and how it ended are its own
# acts under the law: nobody else records them in its name, not even the guidance center.
HANDOVER_HANDLERS = frozenset({Role.FIRE_RESCUE})
# 挂牌督办 and 摘牌: the county (its officials and the guidance center), never a township.
SUPERVISORS = frozenset({Role.GUIDANCE_CENTER, Role.COUNTY_OFFICIAL})
# The fire rescue authority reads, of its own county, the hazards handed over to it and every major
# hazard (重大火灾隐患 are the ones it is called to judge and supervise), with their hand-overs and
# listings; nothing else of the campaign (inspections, plans, accountability): least privilege, as it
# writes nothing of the townships' loop (inspections.selectors.visible_hazards). A county department
# reads no hazard at all: its part in the campaign is its meeting tasks (meetings).
# Reading: every role reads the inspections, hazards and 责任倒查 of what it may see. A police station
# keeps them for the premises of its area: its own inspections are links of that chain, and a
# decision may name it. (What it does not read — members, equipment, funding, assignments — is said
# in those apps' access policies.)


def _require_role(by, roles: frozenset, message) -> None:
    """A role outside `roles` may never take the step: refused with the step's rule."""
    require(user_role(by) in roles, message)


def _require_township(by, township_id: int) -> None:
    require(can_see_township(by, township_id), _("不能操作其他乡镇的数据。"))


def _require_record(by, *, township_id: int, premises_id: int | None) -> None:
    require(
        can_see_record(by, township_id=township_id, premises_id=premises_id),
        _("不能操作其他乡镇或其他单位的数据。"),
    )


# --- campaigns, plans, checklist ------------------------------------------------------------


def check_campaign_write(*, by) -> None:
    """Open, change or remove a campaign: the guidance center only."""
    if by is not None:
        _require_role(by, CAMPAIGN_WRITERS, _("只有指导中心可以开展和修改防控行动。"))


def check_plan_write(*, by, township=None) -> None:
    """Create, change or remove an inspection plan (of `township`): the guidance center, or the
    township lead of that township."""
    if by is None:
        return
    _require_role(by, PLANNERS, _("只有乡镇消防专干（分管副职）或指导中心可以制定检查计划。"))
    if township is not None:
        _require_township(by, township.pk)


def check_checklist_item_write(*, by) -> None:
    """Add, change or retire a checklist item: the guidance center only."""
    if by is not None:
        _require_role(by, CHECKLIST_KEEPERS, _("只有指导中心可以维护检查项。"))


# --- inspections ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordingPolicy:
    """How a user records inspections: the kinds they may record (the first is their default), the
    police station a police user records for (its own, always), whether they may name another police
    station (the guidance center) or a plan, and the only premises a responsible person inspects."""

    kinds: tuple[str, ...]
    police_station: object = None
    may_choose_station: bool = False
    may_use_plan: bool = True
    own_premises_id: int | None = None


def recording_policy(*, by) -> RecordingPolicy | None:
    """None when `by` records no inspections (county officials, users without a role). A township lead
    records township inspections, a police station police inspections for itself, the guidance center
    any kind, a premises' responsible person self-inspections of its own premises (under no plan)."""
    kinds = Inspection.Kind
    role = user_role(by)
    if role == Role.GUIDANCE_CENTER:
        return RecordingPolicy(
            kinds=(kinds.GUIDANCE_CENTER, kinds.TOWNSHIP, kinds.POLICE, kinds.SELF), may_choose_station=True
        )
    if role == Role.TOWNSHIP_LEAD:
        return RecordingPolicy(kinds=(kinds.TOWNSHIP,))
    if role == Role.POLICE_STATION:
        return RecordingPolicy(kinds=(kinds.POLICE,), police_station=by.profile.police_station)
    if role == Role.PREMISES_RESPONSIBLE:
        return RecordingPolicy(
            kinds=(kinds.SELF,), may_use_plan=False, own_premises_id=by.profile.premises_id
        )
    if role == Role.GRID_MEMBER:
        return RecordingPolicy(kinds=(kinds.PATROL,), may_use_plan=False)
    return None


def check_inspection_record(*, by, premises=None, kind=None, police_station=None, plan=None) -> None:
    """Record an inspection (of `premises`, of `kind`, by `police_station`, under `plan`): a role that
    records (RecordingPolicy), of premises it may see, of its own kind, a police station only in its
    own name and nobody but the guidance center in another's, a responsible person under no plan.
    Called without the inspection's facts: whether `by` records inspections at all."""
    if by is None:
        return
    policy = recording_policy(by=by)
    require(
        policy is not None,
        _("只有乡镇消防专干、派出所、单位消防安全责任人、网格员或指导中心可以录入检查记录。"),
    )
    if premises is not None:
        _require_record(by, township_id=premises.township_id, premises_id=premises.pk)
    if kind is not None and kind not in policy.kinds:
        raise AccessDenied(
            _("按您的角色，检查类型只能是“%(kind)s”。") % {"kind": Inspection.Kind(policy.kinds[0]).label}
        )
    if police_station is not None:
        if policy.police_station is not None:
            require(police_station.pk == policy.police_station.pk, _("派出所只能以本所名义录入检查。"))
        else:
            require(policy.may_choose_station, _("只有派出所或指导中心可以填写执行检查的派出所。"))
    if plan is not None:
        require(policy.may_use_plan, _("单位自查和网格巡查不计入检查计划，不能选择检查计划。"))


def check_patrol_record(*, by, premises=None) -> None:
    """Record a patrol (巡查) of `premises`: a grid member, of a premises of their own grid. Without a
    premises: whether `by` records patrols at all."""
    if by is None:
        return
    _require_role(by, PATROLLERS, _("只有网格员可以录入巡查记录。"))
    if premises is not None:
        require(
            can_see_record(by, township_id=premises.township_id, premises_id=premises.pk),
            _("只能巡查本网格的单位。"),
        )


def check_inspection_change(*, by, inspection) -> None:
    """Add to a recorded inspection (a hazard found, a checklist result) or correct it (inspectors,
    signature, notes): whoever may record that inspection — its premises, kind and police station."""
    check_inspection_record(
        by=by,
        premises=inspection.premises,
        kind=inspection.kind,
        police_station=inspection.police_station,
    )


def check_hazard_photo_add(*, by, hazard=None) -> None:
    """Add a photo of a hazard (taken where it was found): whoever may add to the inspection that
    found it (check_inspection_change). Without the hazard: whether `by` records inspections."""
    if hazard is None:
        check_inspection_record(by=by)
        return
    check_inspection_change(by=by, inspection=hazard.inspection)


# --- the hazard loop ------------------------------------------------------------------------


def check_hazard_rectify(*, by, hazard=None) -> None:
    """Start the rectification of a hazard (开始整改) or report it done with evidence (提交整改):
    the guidance center, the township lead of the hazard's township, the responsible person of its
    premises. Without a hazard: whether `by` may ever take these steps."""
    if by is None:
        return
    _require_role(by, RECTIFIERS, _("只有本乡镇消防专干、本单位消防安全责任人或指导中心可以办理隐患整改。"))
    if hazard is not None:
        _require_record(by, township_id=hazard.township_id, premises_id=hazard.premises_id)


def check_hazard_reinspect(*, by, hazard=None) -> None:
    """Re-inspect a hazard (复查, which alone verifies it): the guidance center, the township lead of
    its township, the police station whose own inspection found it."""
    if by is None:
        return
    _require_role(by, REINSPECTORS, _("只有本乡镇消防专干、发现隐患的派出所或指导中心可以复查隐患。"))
    if hazard is None:
        return
    _require_record(by, township_id=hazard.township_id, premises_id=hazard.premises_id)
    if user_role(by) == Role.POLICE_STATION:
        require(
            hazard.inspection.police_station_id == by.profile.police_station_id,
            _("派出所只能复查本所检查发现的隐患。"),
        )


def check_hazard_extend_deadline(*, by, hazard=None, new_deadline: dt.date | None = None) -> None:
    """Extend a hazard's deadline, or correct what was recorded about it (description, severity,
    responsible person, photos): the guidance center and the township lead of its township.

    An extension to `new_deadline` by a township lead is bounded, so that a township cannot take its
    own hazards out of the overdue figures and escalation: at most HAZARD_EXTENSION_MAX_DAYS past the
    current deadline, at most HAZARD_EXTENSION_MAX_COUNT times per hazard. Beyond, the guidance
    center extends."""
    if by is None:
        return
    _require_role(by, EXTENDERS, _("只有本乡镇消防专干或指导中心可以延长整改期限和更正隐患。"))
    if hazard is not None:
        _require_township(by, hazard.township_id)
    if hazard is None or new_deadline is None or user_role(by) == Role.GUIDANCE_CENTER:
        return
    max_count = settings.HAZARD_EXTENSION_MAX_COUNT
    require(
        hazard.deadline_extensions < max_count,
        _("该隐患已延期 %(count)d 次，乡镇最多可延期 %(max)d 次；再次延期请报指导中心办理。")
        % {"count": hazard.deadline_extensions, "max": max_count},
    )
    max_days = settings.HAZARD_EXTENSION_MAX_DAYS
    latest = hazard.deadline + dt.timedelta(days=max_days)
    require(
        new_deadline <= latest,
        _("乡镇每次最多延长 %(days)d 天（最晚至 %(latest)s）；更长的延期请报指导中心办理。")
        % {"days": max_days, "latest": latest.isoformat()},
    )


# --- hand-over to the fire rescue authority, 挂牌督办 ----------------------------------------


def _fire_rescue_of(by, county_id: int) -> bool:
    return user_role(by) == Role.FIRE_RESCUE and by.profile.county_id == county_id


def check_hazard_hand_over(*, by, hazard=None) -> None:
    """Hand a hazard over to the fire rescue authority (移交): the township lead of its township, or
    the guidance center."""
    if by is None:
        return
    _require_role(
        by, HANDOVER_SENDERS, _("只有本乡镇消防专干（分管副职）或指导中心可以将隐患移交消防救援机构。")
    )
    if hazard is not None:
        _require_township(by, hazard.township_id)


def check_handover_act(*, by, handover=None) -> None:
    """Record an action on a hand-over, close it with its outcome or hand it back: the fire rescue
    authority of the hazard's county, and nobody else."""
    if by is None:
        return
    _require_role(by, HANDOVER_HANDLERS, _("只有县消防救援大队可以登记移交隐患的办理措施和结果。"))
    if handover is not None:
        require(_fire_rescue_of(by, handover.hazard.township.county_id), _("不能办理其他县移交的隐患。"))


def check_hazard_supervise(*, by, hazard=None) -> None:
    """List a major hazard for supervision (挂牌督办) or lift it (摘牌): a county official of the
    hazard's county, or the guidance center."""
    if by is None:
        return
    _require_role(by, SUPERVISORS, _("只有县领导（县消防工作办公室）或指导中心可以挂牌督办和摘牌。"))
    if hazard is not None:
        _require_township(by, hazard.township_id)


# --- accountability -------------------------------------------------------------------------


def check_accountability_write(*, by, township=None) -> None:
    """Record or correct a 责任追究 decision about `township`: the guidance center, or a county
    official of the township's county."""
    if by is None:
        return
    _require_role(
        by, ACCOUNTABILITY_DECIDERS, _("只有县领导（县消防工作办公室）或指导中心可以登记责任追究。")
    )
    if township is not None:
        _require_township(by, township.pk)
