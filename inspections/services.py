"""Writes and rules of the winter-spring campaign: campaigns, plans, inspections, the hazard closed loop
(open → rectifying → awaiting verification → verified, or back to rectifying) and accountability.

Every function is keyword-only, atomic, and refuses before anything is written: first who may do it
(inspections.access, with the caller's `by`: AccessDenied), then the rules of the process
(`ApplicationError`, or Django's `ValidationError` from `full_clean()`). The `*_validate` helpers hold
the rules that need no lock; services call them, and the admin forms and API serializers call the same
helpers so that a refusal names the field it is about.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import events, geo
from core.clock import local_date, local_today  # noqa: F401 - also imported from here by pages
from core.exceptions import ApplicationError, ConflictError
from core.services import (
    model_update,
    record_delete,
    record_save,
    reference_record_save,
    refuse_unknown_fields,
)
from inspections import access, tallies
from inspections.definitions import checklist_item_applies
from inspections.models import (
    Accountability,
    Campaign,
    ChecklistItem,
    ChecklistResult,
    HandoverAction,
    Hazard,
    HazardHandover,
    HazardPhoto,
    HazardSupervision,
    Inspection,
    InspectionPlan,
    Rectification,
    Reinspection,
)
from townships import services as township_services
from townships.models import Premises

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
    is_demo: bool = False,
    by=None,
) -> Campaign:
    """Open a campaign of `county` (the guidance center). Refuses an end date before the start date."""
    access.check_campaign_write(by=by)
    campaign_validate(starts_on=starts_on, ends_on=ends_on)
    campaign = Campaign(
        county=county,
        name=name,
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        description=description,
        is_demo=is_demo,
    )
    record_save(campaign, by=by)
    tallies.rebuild([campaign])  # the hazards already found in its dates count at once
    return campaign


CAMPAIGN_UPDATABLE_FIELDS = frozenset({"name", "kind", "starts_on", "ends_on", "description", "is_demo"})


@transaction.atomic
def campaign_update(*, campaign: Campaign, data: dict[str, Any], by=None) -> Campaign:
    """Correct a campaign (keys of CAMPAIGN_UPDATABLE_FIELDS; its county is fixed). Refuses an end
    before the start, and dates that would leave one of its plans' deadlines outside the campaign.
    Locks the row; `campaign` is brought up to date."""
    access.check_campaign_write(by=by)

    def check(locked: Campaign) -> None:
        campaign_validate(starts_on=locked.starts_on, ends_on=locked.ends_on)
        outside = locked.plans.exclude(due_on__range=(locked.starts_on, locked.ends_on))
        if outside.exists():
            raise ApplicationError(
                _("检查计划“%(plan)s”的完成期限将不在防控行动期间内，请先调整计划。")
                % {"plan": outside.order_by("due_on").first()}
            )

    dates = (campaign.starts_on, campaign.ends_on)
    model_update(campaign, data=data, allowed=CAMPAIGN_UPDATABLE_FIELDS, by=by, check=check)
    if (campaign.starts_on, campaign.ends_on) != dates:
        tallies.rebuild([campaign])  # other days, other hazards
    return campaign


@transaction.atomic
def campaign_delete(*, campaign: Campaign, by=None) -> None:
    """Remove a campaign opened by mistake: only one without plans (a plan is deleted first)."""
    access.check_campaign_write(by=by)
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if locked.plans.exists():
        raise ConflictError(_("防控行动“%(campaign)s”已有检查计划，不能删除。") % {"campaign": locked})
    record_delete(locked, by=by)


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
    access.check_plan_write(by=by, township=township)
    premises = list(premises)
    inspection_plan_validate(
        campaign=campaign, township=township, due_on=due_on, premises=premises, police_station=police_station
    )
    plan = InspectionPlan(
        campaign=campaign, township=township, title=title, due_on=due_on, police_station=police_station
    )
    record_save(plan, by=by)
    plan.premises.set(premises)  # m2m history records `by` too (plan._history_user is set)
    tallies.plan_recount([plan.pk])
    plan.refresh_from_db(fields=["planned_count", "inspected_count"])
    return plan


PLAN_UPDATABLE_FIELDS = frozenset({"campaign", "township", "police_station", "title", "due_on", "premises"})


@transaction.atomic
def inspection_plan_update(*, plan: InspectionPlan, data: dict[str, Any], by=None) -> InspectionPlan:
    """Change a plan (keys of PLAN_UPDATABLE_FIELDS, `premises` a list) within the rules of a new plan;
    `by` must be allowed to plan for its township before and after. Locks the row; `plan` is brought
    up to date."""
    refuse_unknown_fields(data, PLAN_UPDATABLE_FIELDS)
    data = dict(data)
    current = InspectionPlan.objects.select_for_update().select_related("township").get(pk=plan.pk)
    access.check_plan_write(by=by, township=current.township)
    premises = list(data.pop("premises")) if "premises" in data else list(current.premises.all())

    def check(locked: InspectionPlan) -> None:
        access.check_plan_write(by=by, township=locked.township)
        inspection_plan_validate(
            campaign=locked.campaign,
            township=locked.township,
            due_on=locked.due_on,
            premises=premises,
            police_station=locked.police_station,
        )

    model_update(plan, data=data, allowed=PLAN_UPDATABLE_FIELDS, by=by, check=check)
    plan._history_user = by
    plan.premises.set(premises)
    tallies.plan_recount([plan.pk])
    plan.refresh_from_db(fields=["planned_count", "inspected_count"])
    return plan


def inspection_plan_delete_validate(*, plan: InspectionPlan) -> None:
    if plan.inspections.exists():
        raise ConflictError(_("已有检查记录按检查计划“%(plan)s”登记，不能删除该计划。") % {"plan": plan})


@transaction.atomic
def inspection_plan_delete(*, plan: InspectionPlan, by=None) -> None:
    """Remove a plan under which no inspection is recorded yet (the progress of one that has them is
    part of the record)."""
    locked = InspectionPlan.objects.select_for_update().select_related("township").get(pk=plan.pk)
    access.check_plan_write(by=by, township=locked.township)
    inspection_plan_delete_validate(plan=locked)
    record_delete(locked, by=by)


# --- checklist -----------------------------------------------------------------------------

CHECKLIST_ITEM_FIELDS = frozenset({"code", "text", "category", "premises_categories", "order", "is_active"})


def _categories_in_order(categories) -> list[str]:
    """Premises categories as stored: once each, in Premises.Category's order (unknown ones kept last
    for the model's validation to name)."""
    if not isinstance(categories, list | tuple | set | frozenset):
        return categories  # refused by the model's validator with its message
    order = {code: index for index, code in enumerate(Premises.Category.values)}
    return sorted(dict.fromkeys(categories), key=lambda code: (order.get(code, len(order)), str(code)))


@transaction.atomic
def checklist_item_create(
    *,
    code: str,
    text: str,
    category: str = "",
    premises_categories: Iterable[str] = (),
    order: int = 0,
    is_active: bool = True,
    by=None,
) -> ChecklistItem:
    """Add an item to the county's checklist (the guidance center). `premises_categories`: the
    premises categories it is asked of; none: every premises (a common item)."""
    access.check_checklist_item_write(by=by)
    data = {
        "code": code,
        "text": text,
        "category": category,
        "premises_categories": _categories_in_order(list(premises_categories)),
        "order": order,
        "is_active": is_active,
    }
    return reference_record_save(ChecklistItem(), data=data, by=by)


@transaction.atomic
def checklist_item_update(*, item: ChecklistItem, data: dict[str, Any], by=None) -> ChecklistItem:
    """Change or retire (`is_active` False) a checklist item, or the premises categories it applies
    to; items are never deleted, recorded results refer to them and keep them whatever the item
    applies to later. Locks the row; `item` is brought up to date."""
    access.check_checklist_item_write(by=by)
    if "premises_categories" in data:
        data = {**data, "premises_categories": _categories_in_order(data["premises_categories"])}
    return model_update(item, data=data, allowed=CHECKLIST_ITEM_FIELDS, by=by)


# --- inspections ---------------------------------------------------------------------------


def _police_station_covers(police_station, township) -> bool:
    return police_station.townships.filter(pk=township.pk).exists()


def inspection_date_validate(*, inspected_on: dt.date) -> None:
    """An inspection is recorded once it has taken place: not after today."""
    if inspected_on > local_today():
        raise ApplicationError(_("检查日期不能晚于今天。"))


def inspection_validate(
    *, premises, kind: str, inspected_on: dt.date, plan=None, police_station=None
) -> None:
    """The rules on an inspection's header: not in the future; a plan of the premises' township
    that lists the premises; a police inspection names a police station covering the township."""
    inspection_date_validate(inspected_on=inspected_on)
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


def checklist_items_apply_validate(*, premises, items: Iterable) -> None:
    """Each item (None skipped) is asked of `premises`' category (inspections.selectors.checklist_items_for)."""
    foreign = [
        str(item)
        for item in items
        if item is not None and not checklist_item_applies(item, premises.category)
    ]
    if foreign:
        raise ApplicationError(
            _("检查项不适用于“%(premises)s”（%(category)s）：%(items)s")
            % {
                "premises": premises.name,
                "category": premises.get_category_display(),
                "items": "、".join(foreign),
            }
        )


def checklist_item_active_validate(*, items: Iterable) -> None:
    inactive = [str(item) for item in items if item is not None and not item.is_active]
    if inactive:
        raise ApplicationError(_("检查项已停用，不能再使用：%(items)s") % {"items": "、".join(inactive)})


def hazard_deadline_validate(*, discovered_on: dt.date, deadline: dt.date) -> None:
    if deadline < discovered_on:
        raise ApplicationError(_("整改期限不能早于发现日期。"))


# A phone reports its fix's accuracy in metres; beyond this it is not a place.
LOCATION_ACCURACY_MAX_M = 100_000


def inspection_location_validate(*, location: dict | None) -> tuple[geo.Point | None, int | None]:
    """(point, accuracy in metres) of where an inspection was recorded, or (None, None) when no
    place was given; refuses coordinates missing one half, not numbers or out of range."""
    if not location or (location.get("latitude") in (None, "") and location.get("longitude") in (None, "")):
        return None, None
    try:
        fix = geo.point(location.get("longitude"), location.get("latitude"))
    except geo.LocationError as exc:
        raise ApplicationError(_("检查地点：%(problem)s") % {"problem": exc.message}) from exc
    accuracy = location.get("accuracy_m")
    if accuracy in (None, ""):
        return fix, None
    try:
        accuracy = round(float(accuracy))
    except (TypeError, ValueError, OverflowError) as exc:
        raise ApplicationError(_("定位精度须为米数。")) from exc
    if not 0 <= accuracy <= LOCATION_ACCURACY_MAX_M:
        raise ApplicationError(_("定位精度须在 0 到 %(max)d 米之间。") % {"max": LOCATION_ACCURACY_MAX_M})
    return fix, accuracy


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
    inspected_on: dt.date,
    inspectors: str,
    kind: str | None = None,
    results: Sequence[dict] = (),
    hazards: Sequence[dict] = (),
    plan=None,
    police_station=None,
    signed_by: str = "",
    notes: str = "",
    location: dict | None = None,
    by=None,
) -> Inspection:
    """Record an inspection of `premises` with its checklist results and the hazards found, in one
    atomic write, then move the premises' inspection dates (townships service).

    location: where the phone was, if its user allowed it — {"latitude", "longitude",
    "accuracy_m": None}; kept on the inspection, and it places a premises that has no location yet
    (townships.services.premises_place_from_fix). Coordinates out of range are refused.

    results: [{"item": ChecklistItem, "result": "pass"|"fail"|"na", "note": ""}]
    hazards: [{"severity", "description", "deadline", "responsible_person",
               "checklist_item": None, "photo_before": None}]
    `kind` and `police_station` left out are the recorder's own (access.recording_policy): a police
    station records in its own name. Refuses (AccessDenied) what `by` may not record; then a date in
    the future; a plan of another township or not listing the premises; a police inspection without
    a police station covering the township; a checklist item twice, inactive or not asked of the
    premises' category (selectors.checklist_items_for); a hazard deadline
    before the inspection date. A "fail" result without a hazard is allowed.
    """
    policy = access.recording_policy(by=by) if by is not None else None
    if policy is not None:
        kind = kind or policy.kinds[0]
        police_station = police_station or policy.police_station
    access.check_inspection_record(
        by=by, premises=premises, kind=kind, police_station=police_station, plan=plan
    )
    if not kind:
        raise ApplicationError(_("请填写检查类型。"))
    inspection_validate(
        premises=premises, kind=kind, inspected_on=inspected_on, plan=plan, police_station=police_station
    )
    checklist_items_validate(items=[r["item"] for r in results])
    checklist_item_active_validate(items=[h.get("checklist_item") for h in hazards])
    checklist_items_apply_validate(
        premises=premises, items=[*(r["item"] for r in results), *(h.get("checklist_item") for h in hazards)]
    )
    for data in hazards:
        hazard_deadline_validate(discovered_on=inspected_on, deadline=data["deadline"])
    fix, accuracy_m = inspection_location_validate(location=location)

    if plan is not None:
        # Inspections under one plan are recorded one after another, so its count stays right.
        InspectionPlan.objects.select_for_update().filter(pk=plan.pk).first()
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
        latitude=None if fix is None else geo.degrees(fix.latitude),
        longitude=None if fix is None else geo.degrees(fix.longitude),
        location_accuracy_m=accuracy_m,
    )
    record_save(inspection, by=by)
    for data in results:
        result = ChecklistResult(
            inspection=inspection, item=data["item"], result=data["result"], note=data.get("note", "")
        )
        record_save(result, by=by)
    found = [record_save(_hazard_build(inspection=inspection, data=data), by=by) for data in hazards]
    tallies.hazards_changed((None, tallies.HazardState.of(hazard)) for hazard in found)
    if found:
        events.publish(events.HAZARDS_FOUND, hazards=found, by=by)
    if plan is not None:
        tallies.plan_recount([plan.pk])

    if kind not in (Inspection.Kind.SELF, Inspection.Kind.PATROL):
        # A unit's own self-inspection, or a grid member's patrol, does not replace the official
        # inspection it is due.
        township_services.premises_record_inspection(premises=premises, inspected_on=inspected_on, by=by)
    if fix is not None:
        township_services.premises_place_from_fix(premises=premises, point=fix, accuracy_m=accuracy_m, by=by)
    return inspection


@transaction.atomic
def patrol_record(
    *,
    premises,
    patrolled_on: dt.date,
    results: Sequence[dict] = (),
    hazards: Sequence[dict] = (),
    notes: str = "",
    location: dict | None = None,
    by,
) -> Inspection:
    """Record a grid member's patrol (巡查) of a premises of their grid: an inspection of kind
    patrol recorded by the member (who is `recorded_by`, the patrol's member in every figure), with
    its checklist results and the hazards found, which enter the same loop as any inspection's.
    Refuses (AccessDenied) anyone but a grid member and a premises outside their grid; then what
    inspection_record refuses (a date in the future, a checklist item twice or inactive, a deadline
    before the patrol). A patrol does not move the premises' inspection dates."""
    access.check_patrol_record(by=by, premises=premises)
    member = by.profile.grid_member
    return inspection_record(
        premises=premises,
        inspected_on=patrolled_on,
        inspectors=member.name,
        kind=Inspection.Kind.PATROL,
        results=results,
        hazards=hazards,
        notes=notes,
        location=location,
        by=by,
    )


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
    inspection date), by whoever may record that inspection. Refuses a deadline before discovery and
    an inactive checklist item."""
    access.check_inspection_change(by=by, inspection=inspection)
    checklist_item_active_validate(items=[checklist_item])
    checklist_items_apply_validate(premises=inspection.premises, items=[checklist_item])
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
    record_save(hazard, by=by)
    tallies.hazards_changed([(None, tallies.HazardState.of(hazard))])
    events.publish(events.HAZARDS_FOUND, hazards=[hazard], by=by)
    return hazard


# A phone's clock may run a little ahead of the server's.
PHOTO_CLOCK_SKEW = dt.timedelta(minutes=10)


@transaction.atomic
def hazard_photo_add(
    *,
    hazard: Hazard,
    image,
    taken_at: dt.datetime | None = None,
    location: dict | None = None,
    by=None,
) -> HazardPhoto:
    """Add a photo of `hazard`, taken at `taken_at` (the phone's clock) where the phone was, if its
    user allowed it — location: {"latitude", "longitude", "accuracy_m": None}. Whoever may add to
    the inspection that found it (access.check_hazard_photo_add). Refuses a verified hazard (its
    file is closed), a time in the future, coordinates out of range and a file that is not a photo."""
    hazard = _lock(hazard)
    access.check_hazard_photo_add(by=by, hazard=hazard)
    if hazard.status == Hazard.Status.VERIFIED:
        raise ConflictError(_("该隐患已复查销号，不能再添加照片。"))
    if taken_at is not None and taken_at > timezone.now() + PHOTO_CLOCK_SKEW:
        raise ApplicationError(_("拍摄时间不能晚于现在。"))
    fix, accuracy_m = inspection_location_validate(location=location)
    photo = HazardPhoto(
        hazard=hazard,
        image=image,
        taken_at=taken_at,
        latitude=None if fix is None else geo.degrees(fix.latitude),
        longitude=None if fix is None else geo.degrees(fix.longitude),
        location_accuracy_m=accuracy_m,
        uploaded_by=by,
    )
    return record_save(photo, by=by)


INSPECTION_UPDATABLE_FIELDS = frozenset({"inspectors", "signed_by", "notes"})


@transaction.atomic
def inspection_update(*, inspection: Inspection, data: dict[str, Any], by=None) -> Inspection:
    """Correct a recorded inspection's inspectors, signature or notes (keys of
    INSPECTION_UPDATABLE_FIELDS); its premises, kind, date, plan and station are what its hazards and
    the premises' schedule were derived from, and are fixed. Locks the row."""
    access.check_inspection_change(by=by, inspection=inspection)
    return model_update(inspection, data=data, allowed=INSPECTION_UPDATABLE_FIELDS, by=by)


def _result_check(result: ChecklistResult) -> None:
    """A result's item is active, asked of the inspected premises, and answered once per inspection."""
    checklist_item_active_validate(items=[result.item])
    checklist_items_apply_validate(premises=result.inspection.premises, items=[result.item])
    others = ChecklistResult.objects.filter(inspection_id=result.inspection_id, item_id=result.item_id)
    if others.exclude(pk=result.pk).exists():
        raise ApplicationError(_("检查项“%(item)s”重复填写。") % {"item": result.item})


@transaction.atomic
def checklist_result_create(
    *, inspection: Inspection, item: ChecklistItem, result: str, note: str = "", by=None
) -> ChecklistResult:
    """Add a checklist result to a recorded inspection (an active item, not answered yet)."""
    access.check_inspection_change(by=by, inspection=inspection)
    row = ChecklistResult(inspection=inspection, item=item, result=result, note=note)
    _result_check(row)
    return record_save(row, by=by)


RESULT_UPDATABLE_FIELDS = frozenset({"item", "result", "note"})


@transaction.atomic
def checklist_result_update(*, result: ChecklistResult, data: dict[str, Any], by=None) -> ChecklistResult:
    """Correct a checklist result (keys of RESULT_UPDATABLE_FIELDS). Locks the row."""
    current = ChecklistResult.objects.select_related("inspection").get(pk=result.pk)
    access.check_inspection_change(by=by, inspection=current.inspection)
    # An item is checked for being active only when it is changed: a retired item stays on old results.
    check = _result_check if "item" in data and data["item"].pk != current.item_id else None
    return model_update(result, data=data, allowed=RESULT_UPDATABLE_FIELDS, by=by, check=check)


@transaction.atomic
def checklist_result_delete(*, result: ChecklistResult, by=None) -> None:
    """Remove a checklist result entered by mistake."""
    locked = ChecklistResult.objects.select_for_update().select_related("inspection").get(pk=result.pk)
    access.check_inspection_change(by=by, inspection=locked.inspection)
    record_delete(locked, by=by)


HAZARD_UPDATABLE_FIELDS = frozenset(
    {"severity", "description", "responsible_person", "photo_before", "photo_after"}
)


@transaction.atomic
def hazard_update(*, hazard: Hazard, data: dict[str, Any], by=None) -> Hazard:
    """Correct what was recorded about a hazard (keys of HAZARD_UPDATABLE_FIELDS). Its status moves only
    through the loop, its deadline only through hazard_extend_deadline. Locks the row."""

    before = []

    def check(locked: Hazard) -> None:
        access.check_hazard_extend_deadline(by=by, hazard=locked)
        before.append(tallies.HazardState.of(Hazard.objects.get(pk=locked.pk)))

    model_update(hazard, data=data, allowed=HAZARD_UPDATABLE_FIELDS, by=by, check=check)
    tallies.hazards_changed([(before[0], tallies.HazardState.of(hazard))])  # a new severity
    if hazard.severity == Hazard.Severity.MAJOR and not before[0].major:
        # Reclassified as major: the county and the principal leaders hear of it as if just found.
        events.publish(events.HAZARDS_FOUND, hazards=[hazard], by=by)
    return hazard


# --- the hazard closed loop ----------------------------------------------------------------


def _lock(hazard) -> Hazard:
    return Hazard.objects.select_for_update().get(pk=hazard.pk)


def hazard_start_rectifying_validate(*, hazard) -> None:
    if hazard.status != Hazard.Status.OPEN:
        raise ConflictError(
            _("只有“待整改”的隐患才能开始整改（当前状态：%(status)s）。")
            % {"status": hazard.get_status_display()}
        )


@transaction.atomic
def hazard_start_rectifying(*, hazard, by=None) -> Hazard:
    """open → rectifying (access.check_hazard_rectify). Locks the hazard row."""
    hazard = _lock(hazard)
    access.check_hazard_rectify(by=by, hazard=hazard)
    hazard_start_rectifying_validate(hazard=hazard)
    hazard.status = Hazard.Status.RECTIFYING
    record_save(hazard, by=by)
    return hazard


def hazard_rectify_validate(*, hazard, rectified_on: dt.date) -> None:
    """A rectification is reported for an open or rectifying hazard, dated between the discovery
    (and the last failed re-inspection) and today."""
    if hazard.status not in (Hazard.Status.OPEN, Hazard.Status.RECTIFYING):
        raise ConflictError(
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
    (a re-inspection). Allowed from open or rectifying, to those access.check_hazard_rectify lets
    through. Locks the hazard row."""
    hazard = _lock(hazard)
    access.check_hazard_rectify(by=by, hazard=hazard)
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
    record_save(rectification, by=by)
    hazard.status = Hazard.Status.AWAITING_VERIFICATION
    if photo_after:
        hazard.photo_after = photo_after
    record_save(hazard, by=by)
    events.publish(events.RECTIFICATION_SUBMITTED, rectification=rectification, by=by)
    return rectification


def hazard_reinspect_validate(
    *, hazard, inspected_on: dt.date, passed: bool, note: str = ""
) -> Rectification:
    """Returns the rectification the re-inspection checks (the latest one)."""
    if hazard.status != Hazard.Status.AWAITING_VERIFICATION:
        raise ConflictError(
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
    Failed: back to rectifying; the note must say what is not fixed. Who may: access.check_hazard_reinspect.
    Locks the hazard row."""
    hazard = _lock(hazard)
    before = tallies.HazardState.of(hazard)
    access.check_hazard_reinspect(by=by, hazard=hazard)
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
    record_save(reinspection, by=by)
    if passed:
        hazard.status = Hazard.Status.VERIFIED
        hazard.verified_on = inspected_on
    else:
        hazard.status = Hazard.Status.RECTIFYING
    record_save(hazard, by=by)
    tallies.hazards_changed([(before, tallies.HazardState.of(hazard))])
    if not passed:
        events.publish(events.REINSPECTION_FAILED, reinspection=reinspection, by=by)
    return reinspection


def hazard_extend_deadline_validate(*, hazard, new_deadline: dt.date, reason: str) -> None:
    if hazard.status == Hazard.Status.VERIFIED:
        raise ConflictError(_("已复查销号的隐患不能再调整整改期限。"))
    hazard_deadline_validate(discovered_on=hazard.discovered_on, deadline=new_deadline)
    if new_deadline <= hazard.deadline:
        raise ApplicationError(_("新的整改期限应晚于原期限（%(date)s）。") % {"date": hazard.deadline})
    if not reason.strip():
        raise ApplicationError(_("延长整改期限必须说明理由。"))


@transaction.atomic
def hazard_extend_deadline(*, hazard, new_deadline: dt.date, reason: str, by=None) -> Hazard:
    """Move a hazard's deadline later, with a reason kept as the history's change reason, and count
    the extension. Not for verified hazards. Who may, and how far (a township lead: bounded):
    access.check_hazard_extend_deadline. Locks the hazard row."""
    hazard = _lock(hazard)
    access.check_hazard_extend_deadline(by=by, hazard=hazard, new_deadline=new_deadline)
    hazard_extend_deadline_validate(hazard=hazard, new_deadline=new_deadline, reason=reason)
    before = tallies.HazardState.of(hazard)
    hazard.deadline = new_deadline
    hazard.deadline_extensions += 1
    record_save(hazard, by=by, reason=_("延长整改期限：%(reason)s") % {"reason": reason.strip()})
    tallies.hazards_changed([(before, tallies.HazardState.of(hazard))])
    return hazard


# --- hand-over to the fire rescue authority (移交) ---------------------------------------------


def _not_in_future(day: dt.date, what) -> None:
    if day > local_today():
        raise ApplicationError(_("%(what)s不能晚于今天。") % {"what": what})


def hazard_hand_over_validate(*, hazard, reason: str, evidence, handed_over_on: dt.date) -> None:
    """A hazard still being rectified (open or rectifying) is handed over once, with a reason and
    evidence; again only after the authority handed it back."""
    if hazard.status not in (Hazard.Status.OPEN, Hazard.Status.RECTIFYING):
        raise ConflictError(
            _("只有“待整改”或“整改中”的隐患才能移交消防救援机构（当前状态：%(status)s）。")
            % {"status": hazard.get_status_display()}
        )
    if hazard.handovers.exclude(status=HazardHandover.Status.RETURNED).exists():
        raise ConflictError(_("该隐患已移交消防救援机构，不能重复移交。"))
    if not reason.strip():
        raise ApplicationError(_("移交消防救援机构必须说明理由（乡镇为何无法解决）。"))
    if not evidence:
        raise ApplicationError(_("移交消防救援机构必须附上材料（照片或 PDF）。"))
    if handed_over_on < hazard.discovered_on:
        raise ApplicationError(_("移交日期不能早于隐患发现日期。"))
    _not_in_future(handed_over_on, _("移交日期"))


@transaction.atomic
def hazard_hand_over(
    *, hazard, reason: str, evidence, handed_over_on: dt.date | None = None, by=None
) -> HazardHandover:
    """Hand a hazard the township cannot resolve over to the county fire rescue authority
    (access.check_hazard_hand_over). The hazard's loop goes on; the authority now acts on it too.
    Locks the hazard row (two hand-overs at once: the second waits, then is refused)."""
    hazard = _lock(hazard)
    access.check_hazard_hand_over(by=by, hazard=hazard)
    handed_over_on = handed_over_on or local_today()
    hazard_hand_over_validate(hazard=hazard, reason=reason, evidence=evidence, handed_over_on=handed_over_on)
    handover = HazardHandover(
        hazard=hazard,
        handed_over_on=handed_over_on,
        reason=reason.strip(),
        evidence=evidence,
        handed_over_by=by,
    )
    return record_save(handover, by=by)


def _lock_handover(handover) -> HazardHandover:
    return HazardHandover.objects.select_for_update().select_related("hazard__township").get(pk=handover.pk)


def _handover_open(handover: HazardHandover) -> None:
    if handover.status != HazardHandover.Status.HANDED_OVER:
        raise ConflictError(_("该移交已%(status)s，不能再办理。") % {"status": handover.get_status_display()})


def _handover_day(handover: HazardHandover, day: dt.date | None, what) -> dt.date:
    day = day or local_today()
    if day < handover.handed_over_on:
        raise ApplicationError(_("%(what)s不能早于移交日期。") % {"what": what})
    _not_in_future(day, what)
    return day


@transaction.atomic
def handover_record_action(
    *, handover, kind: str, taken_on: dt.date | None = None, note: str = "", by=None
) -> HandoverAction:
    """The fire rescue authority records what it did (已受理, 依法查处, 责令整改, 临时查封 …) on an open
    hand-over (access.check_handover_act). Locks the hand-over row."""
    handover = _lock_handover(handover)
    access.check_handover_act(by=by, handover=handover)
    _handover_open(handover)
    if kind not in HandoverAction.Kind.values:
        raise ApplicationError(_("未知的办理措施：%(kind)s。") % {"kind": kind})
    if kind == HandoverAction.Kind.OTHER and not note.strip():
        raise ApplicationError(_("措施为“其他”时必须写明情况。"))
    taken_on = _handover_day(handover, taken_on, _("措施日期"))
    action = HandoverAction(
        handover=handover, kind=kind, taken_on=taken_on, note=note.strip(), recorded_by=by
    )
    return record_save(action, by=by)


def _handover_end(handover, *, status: str, text: str, day: dt.date | None, by, refusal) -> HazardHandover:
    handover = _lock_handover(handover)
    access.check_handover_act(by=by, handover=handover)
    _handover_open(handover)
    if not text.strip():
        raise ApplicationError(refusal)
    handover.ended_on = _handover_day(handover, day, _("办结或退回日期"))
    handover.status = status
    handover.outcome = text.strip()
    handover.ended_by = by
    return record_save(handover, by=by)


@transaction.atomic
def handover_close(*, handover, outcome: str, closed_on: dt.date | None = None, by=None) -> HazardHandover:
    """The fire rescue authority closes a hand-over with its outcome (办理结果). Locks the row."""
    return _handover_end(
        handover,
        status=HazardHandover.Status.CLOSED,
        text=outcome,
        day=closed_on,
        by=by,
        refusal=_("办结移交必须写明办理结果。"),
    )


@transaction.atomic
def handover_return(*, handover, reason: str, returned_on: dt.date | None = None, by=None) -> HazardHandover:
    """The fire rescue authority hands a hazard back to its township, saying why; the township may
    hand it over again later. Locks the row."""
    return _handover_end(
        handover,
        status=HazardHandover.Status.RETURNED,
        text=reason,
        day=returned_on,
        by=by,
        refusal=_("退回乡镇必须说明理由。"),
    )


# --- 挂牌督办 -------------------------------------------------------------------------------


def hazard_supervise_validate(*, hazard, leader: str, deadline: dt.date, listed_on: dt.date) -> None:
    """Only a major hazard not yet verified and not already listed; a leader who answers for it and
    a deadline from the listing day on."""
    if hazard.severity != Hazard.Severity.MAJOR:
        raise ConflictError(_("只有重大火灾隐患才能挂牌督办。"))
    if hazard.status == Hazard.Status.VERIFIED:
        raise ConflictError(_("已复查销号的隐患不能挂牌督办。"))
    if hazard.supervisions.filter(lifted_on__isnull=True).exists():
        raise ConflictError(_("该隐患已挂牌督办，不能重复挂牌。"))
    if not leader.strip():
        raise ApplicationError(_("挂牌督办必须明确督办责任领导。"))
    _not_in_future(listed_on, _("挂牌日期"))
    if deadline < listed_on:
        raise ApplicationError(_("督办期限不能早于挂牌日期。"))


@transaction.atomic
def hazard_supervise(
    *,
    hazard,
    leader: str,
    deadline: dt.date,
    leader_phone: str = "",
    requirement: str = "",
    listed_on: dt.date | None = None,
    by=None,
) -> HazardSupervision:
    """List a major hazard for supervision (挂牌督办) with its responsible leader and deadline
    (access.check_hazard_supervise). Its deadline is reminded and escalated (notifications rule
    `supervision_due`), the county lists it and the 通报 names it. Locks the hazard row."""
    hazard = _lock(hazard)
    access.check_hazard_supervise(by=by, hazard=hazard)
    listed_on = listed_on or local_today()
    hazard_supervise_validate(hazard=hazard, leader=leader, deadline=deadline, listed_on=listed_on)
    supervision = HazardSupervision(
        hazard=hazard,
        listed_on=listed_on,
        leader=leader.strip(),
        leader_phone=leader_phone.strip(),
        deadline=deadline,
        requirement=requirement.strip(),
        listed_by=by,
    )
    return record_save(supervision, by=by)


@transaction.atomic
def supervision_lift(
    *, supervision, reason: str, lifted_on: dt.date | None = None, by=None
) -> HazardSupervision:
    """Lift a listing (摘牌): the county only, with a reason kept on the record. Locks the row."""
    supervision = (
        HazardSupervision.objects.select_for_update().select_related("hazard").get(pk=supervision.pk)
    )
    access.check_hazard_supervise(by=by, hazard=supervision.hazard)
    if supervision.lifted_on is not None:
        raise ConflictError(_("该隐患已摘牌。"))
    if not reason.strip():
        raise ApplicationError(_("摘牌必须说明理由。"))
    lifted_on = lifted_on or local_today()
    if lifted_on < supervision.listed_on:
        raise ApplicationError(_("摘牌日期不能早于挂牌日期。"))
    _not_in_future(lifted_on, _("摘牌日期"))
    supervision.lifted_on = lifted_on
    supervision.lift_reason = reason.strip()
    supervision.lifted_by = by
    return record_save(supervision, by=by)


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
    """Record a 责任追究 decision about a fire, a premises, a hazard or an assignment of `township`
    (county level: access.check_accountability_write)."""
    access.check_accountability_write(by=by, township=township)
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
    record_save(accountability, by=by)
    return accountability


# What a 责任追究 record says, in the order forms show it; all of it may be corrected.
ACCOUNTABILITY_FIELDS = (
    "township",
    "incident",
    "premises",
    "hazard",
    "assignment",
    "person",
    "unit",
    "finding",
    "sanction",
    "decided_by",
    "decided_on",
)
ACCOUNTABILITY_UPDATABLE_FIELDS = frozenset(ACCOUNTABILITY_FIELDS)


@transaction.atomic
def accountability_update(*, accountability: Accountability, data: dict[str, Any], by=None) -> Accountability:
    """Correct a 责任追究 record (keys of ACCOUNTABILITY_UPDATABLE_FIELDS) within the rules of a new one;
    `by` must be allowed to decide for its township before and after. Locks the row."""
    current = Accountability.objects.select_related("township").get(pk=accountability.pk)
    access.check_accountability_write(by=by, township=current.township)

    def check(locked: Accountability) -> None:
        access.check_accountability_write(by=by, township=locked.township)
        accountability_validate(
            township=locked.township,
            decided_on=locked.decided_on,
            incident=locked.incident,
            premises=locked.premises,
            hazard=locked.hazard,
            assignment=locked.assignment,
        )

    return model_update(
        accountability, data=data, allowed=ACCOUNTABILITY_UPDATABLE_FIELDS, by=by, check=check
    )
