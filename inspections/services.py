"""Writes and rules of the winter-spring campaign: campaigns, plans, inspections, the hazard closed loop
(open → rectifying → awaiting verification → verified, or back to rectifying) and accountability.

Every function is keyword-only, atomic, and refuses with `ApplicationError` (or Django's
`ValidationError` from `full_clean()`) before anything is written. The `*_validate` helpers hold
the rules that need no lock; services call them, and the admin forms call the same helpers so
that nothing typed into the admin can bypass a rule.
"""

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from core.clock import local_date, local_today  # noqa: F401 - also imported from here by pages
from core.exceptions import ApplicationError
from core.models import Role
from core.scoping import user_role
from inspections.models import (
    Accountability,
    Campaign,
    ChecklistResult,
    Hazard,
    Inspection,
    InspectionPlan,
    Rectification,
    Reinspection,
)
from townships import services as township_services


def _save(instance, *, by, reason: str | None = None) -> None:
    """full_clean() then save(), recording `by` (and a change reason) in the history."""
    instance.full_clean()
    instance._history_user = by
    if reason:
        instance._change_reason = reason
    instance.save()


# --- campaigns and plans -------------------------------------------------------------------


def campaign_validate(*, starts_on: dt.date, ends_on: dt.date) -> None:
    if ends_on < starts_on:
        raise ApplicationError(_("防控行动的结束日期不能早于开始日期。"))


@transaction.atomic
def campaign_create(
    *,
    county,
    name: str,
    kind: str,
    starts_on: dt.date,
    ends_on: dt.date,
    description: str = "",
    by=None,
) -> Campaign:
    """Open a campaign of `county`. Refuses an end date before the start date."""
    campaign_validate(starts_on=starts_on, ends_on=ends_on)
    campaign = Campaign(
        county=county, name=name, kind=kind, starts_on=starts_on, ends_on=ends_on, description=description
    )
    _save(campaign, by=by)
    return campaign


def inspection_plan_validate(
    *, campaign, township, due_on: dt.date, premises: Iterable, police_station=None
) -> None:
    """The rules of a plan: the township is in the campaign's county, the deadline falls within the
    campaign, there is at least one premises and every premises is in the township, and a police
    station, if any, covers the township."""
    if township.county_id != campaign.county_id:
        raise ApplicationError(_("乡镇“%(township)s”不属于该防控行动所在的县。") % {"township": township})
    if not (campaign.starts_on <= due_on <= campaign.ends_on):
        raise ApplicationError(
            _("计划完成期限应在防控行动期间（%(start)s 至 %(end)s）内。")
            % {"start": campaign.starts_on, "end": campaign.ends_on}
        )
    premises = list(premises)
    if not premises:
        raise ApplicationError(_("检查计划至少要包含一个检查对象。"))
    outside = [p.name for p in premises if p.township_id != township.pk]
    if outside:
        raise ApplicationError(
            _("以下单位不在“%(township)s”辖区内，不能列入该乡镇的检查计划：%(names)s")
            % {"township": township, "names": "、".join(outside)}
        )
    if police_station is not None and not police_station.townships.filter(pk=township.pk).exists():
        raise ApplicationError(
            _("派出所“%(station)s”的辖区不包括“%(township)s”。")
            % {"station": police_station, "township": township}
        )


@transaction.atomic
def inspection_plan_create(
    *,
    campaign,
    township,
    title: str,
    due_on: dt.date,
    premises: Iterable,
    police_station=None,
    by=None,
) -> InspectionPlan:
    """Plan which premises `township` (or `police_station`) inspects in `campaign`, by `due_on`."""
    premises = list(premises)
    inspection_plan_validate(
        campaign=campaign, township=township, due_on=due_on, premises=premises, police_station=police_station
    )
    plan = InspectionPlan(
        campaign=campaign, township=township, title=title, due_on=due_on, police_station=police_station
    )
    _save(plan, by=by)
    plan.premises.set(premises)  # m2m history records `by` too (plan._history_user is set)
    return plan


# --- inspections ---------------------------------------------------------------------------


def _police_station_covers(police_station, township) -> bool:
    return police_station.townships.filter(pk=township.pk).exists()


def inspection_validate(
    *, premises, kind: str, inspected_on: dt.date, plan=None, police_station=None
) -> None:
    """The rules on an inspection's header: not in the future; a plan of the premises' township
    that lists the premises; a police inspection names a police station covering the township."""
    if inspected_on > local_today():
        raise ApplicationError(_("检查日期不能晚于今天。"))
    township = premises.township
    if plan is not None:
        if plan.township_id != premises.township_id:
            raise ApplicationError(
                _("检查计划“%(plan)s”属于其他乡镇，不能用于“%(premises)s”。")
                % {"plan": plan, "premises": premises}
            )
        if not plan.premises.filter(pk=premises.pk).exists():
            raise ApplicationError(
                _("“%(premises)s”不在检查计划“%(plan)s”的检查对象中。") % {"plan": plan, "premises": premises}
            )
    if kind == Inspection.Kind.POLICE and police_station is None:
        raise ApplicationError(_("派出所检查必须填写派出所。"))
    if police_station is not None and not _police_station_covers(police_station, township):
        raise ApplicationError(
            _("派出所“%(station)s”的辖区不包括“%(township)s”。")
            % {"station": police_station, "township": township}
        )


def checklist_items_validate(*, items: Sequence) -> None:
    """Each checklist item at most once, and only active ones."""
    seen = set()
    for item in items:
        if item.pk in seen:
            raise ApplicationError(_("检查项“%(item)s”重复填写。") % {"item": item})
        seen.add(item.pk)
    checklist_item_active_validate(items=items)


def checklist_item_active_validate(*, items: Iterable) -> None:
    inactive = [str(item) for item in items if item is not None and not item.is_active]
    if inactive:
        raise ApplicationError(_("检查项已停用，不能再使用：%(items)s") % {"items": "、".join(inactive)})


def hazard_deadline_validate(*, discovered_on: dt.date, deadline: dt.date) -> None:
    if deadline < discovered_on:
        raise ApplicationError(_("整改期限不能早于发现日期。"))


def _hazard_build(*, inspection, data: dict) -> Hazard:
    hazard = Hazard(
        inspection=inspection,
        premises=inspection.premises,
        township=inspection.township,
        discovered_on=inspection.inspected_on,
        status=Hazard.Status.OPEN,
        severity=data["severity"],
        description=data["description"],
        deadline=data["deadline"],
        responsible_person=data["responsible_person"],
        checklist_item=data.get("checklist_item"),
    )
    if data.get("photo_before"):
        hazard.photo_before = data["photo_before"]
    return hazard


@transaction.atomic
def inspection_record(
    *,
    premises,
    kind: str,
    inspected_on: dt.date,
    inspectors: str,
    results: Sequence[dict] = (),
    hazards: Sequence[dict] = (),
    plan=None,
    police_station=None,
    signed_by: str = "",
    notes: str = "",
    by=None,
) -> Inspection:
    """Record an inspection of `premises` with its checklist results and the hazards found, in one
    atomic write, then move the premises' inspection dates (townships service).

    results: [{"item": ChecklistItem, "result": "pass"|"fail"|"na", "note": ""}]
    hazards: [{"severity", "description", "deadline", "responsible_person",
               "checklist_item": None, "photo_before": None}]
    Refuses: a date in the future; a plan of another township or not listing the premises; a police
    inspection without a police station covering the township; a checklist item twice or inactive;
    a hazard deadline before the inspection date. A "fail" result without a hazard is allowed.
    """
    inspection_validate(
        premises=premises, kind=kind, inspected_on=inspected_on, plan=plan, police_station=police_station
    )
    checklist_items_validate(items=[r["item"] for r in results])
    checklist_item_active_validate(items=[h.get("checklist_item") for h in hazards])
    for data in hazards:
        hazard_deadline_validate(discovered_on=inspected_on, deadline=data["deadline"])

    inspection = Inspection(
        premises=premises,
        township_id=premises.township_id,
        plan=plan,
        police_station=police_station,
        kind=kind,
        inspected_on=inspected_on,
        inspectors=inspectors,
        signed_by=signed_by,
        notes=notes,
        recorded_by=by,
    )
    _save(inspection, by=by)
    for data in results:
        result = ChecklistResult(
            inspection=inspection, item=data["item"], result=data["result"], note=data.get("note", "")
        )
        _save(result, by=by)
    for data in hazards:
        _save(_hazard_build(inspection=inspection, data=data), by=by)

    if kind != Inspection.Kind.SELF:
        # A unit's own self-inspection does not replace the official one it is due.
        township_services.premises_record_inspection(premises=premises, inspected_on=inspected_on, by=by)
    return inspection


@transaction.atomic
def hazard_create(
    *,
    inspection,
    severity: str,
    description: str,
    deadline: dt.date,
    responsible_person: str,
    checklist_item=None,
    photo_before=None,
    by=None,
) -> Hazard:
    """Add a hazard found by an already recorded `inspection` (status open, discovered on the
    inspection date). Refuses a deadline before discovery and an inactive checklist item."""
    checklist_item_active_validate(items=[checklist_item])
    hazard_deadline_validate(discovered_on=inspection.inspected_on, deadline=deadline)
    hazard = _hazard_build(
        inspection=inspection,
        data={
            "severity": severity,
            "description": description,
            "deadline": deadline,
            "responsible_person": responsible_person,
            "checklist_item": checklist_item,
            "photo_before": photo_before,
        },
    )
    _save(hazard, by=by)
    return hazard


# --- the hazard closed loop ----------------------------------------------------------------


def _lock(hazard) -> Hazard:
    return Hazard.objects.select_for_update().get(pk=hazard.pk)


def hazard_start_rectifying_validate(*, hazard) -> None:
    if hazard.status != Hazard.Status.OPEN:
        raise ApplicationError(
            _("只有“待整改”的隐患才能开始整改（当前状态：%(status)s）。")
            % {"status": hazard.get_status_display()}
        )


@transaction.atomic
def hazard_start_rectifying(*, hazard, by=None) -> Hazard:
    """open → rectifying. Locks the hazard row."""
    hazard = _lock(hazard)
    hazard_start_rectifying_validate(hazard=hazard)
    hazard.status = Hazard.Status.RECTIFYING
    _save(hazard, by=by)
    return hazard


def hazard_rectify_validate(*, hazard, rectified_on: dt.date) -> None:
    """A rectification is reported for an open or rectifying hazard, dated between the discovery
    (and the last failed re-inspection) and today."""
    if hazard.status not in (Hazard.Status.OPEN, Hazard.Status.RECTIFYING):
        raise ApplicationError(
            _("只有“待整改”或“整改中”的隐患才能提交整改（当前状态：%(status)s）。")
            % {"status": hazard.get_status_display()}
        )
    if rectified_on < hazard.discovered_on:
        raise ApplicationError(_("整改完成日期不能早于隐患发现日期。"))
    if rectified_on > local_today():
        raise ApplicationError(_("整改完成日期不能晚于今天。"))
    last = hazard.reinspections.order_by("-inspected_on", "-id").first()
    if last is not None and rectified_on < last.inspected_on:
        raise ApplicationError(
            _("整改完成日期不能早于上次复查日期（%(date)s）。") % {"date": last.inspected_on}
        )


@transaction.atomic
def hazard_rectify(
    *,
    hazard,
    rectified_on: dt.date,
    rectified_by: str,
    measures: str,
    evidence=None,
    photo_after=None,
    by=None,
) -> Rectification:
    """Report what was done about a hazard: a Rectification, and the hazard awaits verification
    (a re-inspection). Allowed from open or rectifying. Locks the hazard row."""
    hazard = _lock(hazard)
    hazard_rectify_validate(hazard=hazard, rectified_on=rectified_on)
    rectification = Rectification(
        hazard=hazard,
        rectified_on=rectified_on,
        rectified_by=rectified_by,
        measures=measures,
        submitted_by=by,
    )
    if evidence:
        rectification.evidence = evidence
    _save(rectification, by=by)
    hazard.status = Hazard.Status.AWAITING_VERIFICATION
    if photo_after:
        hazard.photo_after = photo_after
    _save(hazard, by=by)
    return rectification


def hazard_reinspect_validate(
    *, hazard, inspected_on: dt.date, passed: bool, note: str = ""
) -> Rectification:
    """Returns the rectification the re-inspection checks (the latest one)."""
    if hazard.status != Hazard.Status.AWAITING_VERIFICATION:
        raise ApplicationError(
            _("只有“待复查”的隐患才能复查（当前状态：%(status)s）；隐患须先整改、后复查，复查合格方可销号。")
            % {"status": hazard.get_status_display()}
        )
    rectification = hazard.rectifications.order_by("-id").first()
    if rectification is None:
        raise ApplicationError(_("该隐患没有整改记录，不能复查。"))
    if inspected_on < rectification.rectified_on:
        raise ApplicationError(
            _("复查日期不能早于整改完成日期（%(date)s）。") % {"date": rectification.rectified_on}
        )
    if inspected_on > local_today():
        raise ApplicationError(_("复查日期不能晚于今天。"))
    if not passed and not note.strip():
        raise ApplicationError(_("复查不合格时必须在复查意见中写明未整改到位的问题。"))
    return rectification


@transaction.atomic
def hazard_reinspect(
    *, hazard, inspected_on: dt.date, inspectors: str, passed: bool, note: str = "", by=None
) -> Reinspection:
    """Re-inspect the latest rectification of a hazard awaiting verification. Passed: the hazard
    is verified (销号) on `inspected_on` — this is the only way a hazard becomes verified.
    Failed: back to rectifying; the note must say what is not fixed. Locks the hazard row."""
    hazard = _lock(hazard)
    rectification = hazard_reinspect_validate(
        hazard=hazard, inspected_on=inspected_on, passed=passed, note=note
    )
    reinspection = Reinspection(
        hazard=hazard,
        rectification=rectification,
        inspected_on=inspected_on,
        inspectors=inspectors,
        passed=passed,
        note=note,
        recorded_by=by,
    )
    _save(reinspection, by=by)
    if passed:
        hazard.status = Hazard.Status.VERIFIED
        hazard.verified_on = inspected_on
    else:
        hazard.status = Hazard.Status.RECTIFYING
    _save(hazard, by=by)
    return reinspection


def hazard_extend_deadline_validate(*, hazard, new_deadline: dt.date, reason: str) -> None:
    if hazard.status == Hazard.Status.VERIFIED:
        raise ApplicationError(_("已复查销号的隐患不能再调整整改期限。"))
    hazard_deadline_validate(discovered_on=hazard.discovered_on, deadline=new_deadline)
    if new_deadline <= hazard.deadline:
        raise ApplicationError(_("新的整改期限应晚于原期限（%(date)s）。") % {"date": hazard.deadline})
    if not reason.strip():
        raise ApplicationError(_("延长整改期限必须说明理由。"))


@transaction.atomic
def hazard_extend_deadline(*, hazard, new_deadline: dt.date, reason: str, by=None) -> Hazard:
    """Move a hazard's deadline later, with a reason kept as the history's change reason.
    Not for verified hazards. Locks the hazard row."""
    hazard = _lock(hazard)
    hazard_extend_deadline_validate(hazard=hazard, new_deadline=new_deadline, reason=reason)
    hazard.deadline = new_deadline
    _save(hazard, by=by, reason=_("延长整改期限：%(reason)s") % {"reason": reason.strip()})
    return hazard


# --- accountability ------------------------------------------------------------------------


def accountability_validate(
    *, township, decided_on: dt.date, incident=None, premises=None, hazard=None, assignment=None
) -> None:
    """At least one subject (fire, premises, hazard, assignment), each of `township`; a hazard's
    premises is the premises named; the decision is not dated in the future."""
    subjects = [s for s in (incident, premises, hazard, assignment) if s is not None]
    if not subjects:
        raise ApplicationError(_("责任追究至少要关联火灾、单位、隐患或任务中的一项。"))
    for subject in subjects:
        if subject.township_id != township.pk:
            raise ApplicationError(
                _("“%(subject)s”不属于“%(township)s”。") % {"subject": subject, "township": township}
            )
    if hazard is not None and premises is not None and hazard.premises_id != premises.pk:
        raise ApplicationError(_("所选隐患不属于所选单位。"))
    if decided_on > local_today():
        raise ApplicationError(_("决定日期不能晚于今天。"))


@transaction.atomic
def accountability_record(
    *,
    township,
    person: str,
    unit: str,
    finding: str,
    sanction: str,
    decided_by: str,
    decided_on: dt.date,
    incident=None,
    premises=None,
    hazard=None,
    assignment=None,
    by=None,
) -> Accountability:
    """Record a 责任追究 decision about a fire, a premises, a hazard or an assignment of `township`."""
    accountability_validate(
        township=township,
        decided_on=decided_on,
        incident=incident,
        premises=premises,
        hazard=hazard,
        assignment=assignment,
    )
    accountability = Accountability(
        township=township,
        incident=incident,
        premises=premises,
        hazard=hazard,
        assignment=assignment,
        person=person,
        unit=unit,
        finding=finding,
        sanction=sanction,
        decided_by=decided_by,
        decided_on=decided_on,
    )
    _save(accountability, by=by)
    return accountability


# --- who may do what on the pages ----------------------------------------------------------
# Scope (which records a user sees at all) is core.scoping's; these say what a role may write
# about a record it sees. Views answer 403 when an action is not allowed.

HAZARD_START = "start"
HAZARD_RECTIFY = "rectify"
HAZARD_REINSPECT = "reinspect"
HAZARD_ACTIONS = (HAZARD_START, HAZARD_RECTIFY, HAZARD_REINSPECT)


class RecordingPolicy:
    """How a user records inspections: the kinds they may record (the first is the default), the
    police station a police user records for, whether they may name a police station (guidance
    center) or a plan, and the only premises a responsible person may inspect (self-inspection)."""

    def __init__(
        self,
        *,
        kinds: tuple[str, ...],
        police_station=None,
        may_choose_station: bool = False,
        may_use_plan: bool = True,
        own_premises_id: int | None = None,
    ):
        self.kinds = kinds
        self.police_station = police_station
        self.may_choose_station = may_choose_station
        self.may_use_plan = may_use_plan
        self.own_premises_id = own_premises_id


def inspection_recording_policy(*, user) -> RecordingPolicy | None:
    """None when the user may not record inspections (county officials, users without a role).
    A township lead records township inspections, a police station police inspections for itself,
    the guidance center any kind, a premises' responsible person self-inspections of their own
    premises. Which premises each may pick is the scope (core.scoping) of the form's choices."""
    kinds = Inspection.Kind
    role = user_role(user)
    if role == Role.GUIDANCE_CENTER:
        return RecordingPolicy(
            kinds=(kinds.GUIDANCE_CENTER, kinds.TOWNSHIP, kinds.POLICE, kinds.SELF), may_choose_station=True
        )
    if role == Role.TOWNSHIP_LEAD:
        return RecordingPolicy(kinds=(kinds.TOWNSHIP,))
    if role == Role.POLICE_STATION:
        return RecordingPolicy(kinds=(kinds.POLICE,), police_station=user.profile.police_station)
    if role == Role.PREMISES_RESPONSIBLE:
        return RecordingPolicy(
            kinds=(kinds.SELF,), may_use_plan=False, own_premises_id=user.profile.premises_id
        )
    return None


def hazard_allowed_actions(*, user, hazard) -> frozenset[str]:
    """The hazard-loop steps `user` may take on a `hazard` they can see (whether the hazard's state
    allows the step is the services' rule): the guidance center and the township's lead all of
    them; a police station all of them for hazards its own inspections found; the premises'
    responsible person start and rectify (evidence) but never the re-inspection; others none."""
    role = user_role(user)
    everything = frozenset(HAZARD_ACTIONS)
    if role == Role.GUIDANCE_CENTER:
        return everything
    profile = getattr(user, "profile", None)
    if role == Role.TOWNSHIP_LEAD and profile.township_id == hazard.township_id:
        return everything
    if role == Role.POLICE_STATION and hazard.inspection.police_station_id == profile.police_station_id:
        return everything
    if role == Role.PREMISES_RESPONSIBLE and profile.premises_id == hazard.premises_id:
        return frozenset({HAZARD_START, HAZARD_RECTIFY})
    return frozenset()
