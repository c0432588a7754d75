"""Pages of the campaign: the inspection and hazard lists, recording an inspection (checklist and
hazards), the hazard page with the closed loop (start, rectification evidence = request for a
re-inspection, re-inspection), the hand-over to the fire rescue authority and its acts, 挂牌督办 and
摘牌; the county's list of 挂牌督办.

Views translate HTTP ↔ forms and call a selector or one service. Scope comes from the selectors (a
record outside it: 404); what a role may write is inspections.access' policy, which the services
enforce (403 with the reason); the pages ask the same policy which forms and buttons to show.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.access import allowed
from core.clock import local_today
from core.exceptions import ApplicationError, ConflictError
from core.models import Role
from core.pages import LIST_ROLES, list_page, roles_required, yes_no
from core.scoping import user_role
from core.text import person_name
from inspections import access, selectors, services
from inspections.forms import (
    FILE_AGAIN,
    HandoverActionForm,
    HandoverCloseForm,
    HandOverForm,
    HandoverReturnForm,
    HazardFormSet,
    InspectionForm,
    LiftForm,
    RectifyForm,
    ReinspectForm,
    SuperviseForm,
    service_errors,
)
from inspections.models import Hazard, Inspection
from inspections.page_filters import HazardPageFilter, InspectionPageFilter
from townships import selectors as township_selectors

# --- lists ----------------------------------------------------------------------------------

INSPECTION_COLUMNS = [
    (_("检查日期"), lambda i: i.inspected_on),
    (_("乡镇"), lambda i: i.township.name),
    (_("检查对象"), lambda i: i.premises.name),
    (_("检查类型"), lambda i: i.get_kind_display()),
    (_("派出所"), lambda i: i.police_station.name if i.police_station else ""),
    (_("检查计划"), lambda i: i.plan.title if i.plan else ""),
    (_("检查人员"), lambda i: i.inspectors),
    (_("发现隐患"), lambda i: i.hazard_count),
    (_("未销号隐患"), lambda i: i.open_hazard_count),
    (_("录入人"), lambda i: person_name(i.recorded_by)),
]

HAZARD_COLUMNS = [
    (_("整改期限"), lambda h: h.deadline),
    (_("乡镇"), lambda h: h.township.name),
    (_("网格"), lambda h: h.premises.grid.name if h.premises.grid else ""),
    (_("单位"), lambda h: h.premises.name),
    (_("隐患描述"), lambda h: h.description),
    (_("隐患等级"), lambda h: h.get_severity_display()),
    (_("状态"), lambda h: h.get_status_display()),
    (_("逾期"), lambda h: yes_no(h.is_overdue)),
    (_("发现日期"), lambda h: h.discovered_on),
    (_("整改责任人"), lambda h: h.responsible_person),
    (_("销号日期"), lambda h: h.verified_on),
]


# A grid member's own patrols are among the inspections; hazards: those of their grid's premises.
@roles_required(LIST_ROLES | {Role.GRID_MEMBER})
def inspection_list(request):
    return list_page(
        request,
        selectors.inspection_list(user=request.user).order_by("-inspected_on", "-id"),
        InspectionPageFilter,
        template="inspections/inspection_list.html",
        export_name=_("检查记录"),
        columns=INSPECTION_COLUMNS,
    )


# The fire rescue authority lands here (homes.views.home): the hazards handed over to it and the major ones.
@roles_required(LIST_ROLES | {Role.FIRE_RESCUE, Role.GRID_MEMBER})
def hazard_list(request):
    return list_page(
        request,
        selectors.hazard_list(user=request.user).order_by("deadline", "id"),
        HazardPageFilter,
        template="inspections/hazard_list.html",
        export_name=_("火灾隐患"),
        columns=HAZARD_COLUMNS,
        context={"supervision_link": user_role(request.user) in SUPERVISION_ROLES},
    )


# The county's list of 挂牌督办: who listed them follows them.
SUPERVISION_ROLES = frozenset({Role.COUNTY_OFFICIAL, Role.GUIDANCE_CENTER})
SUPERVISION_SHOWN = {"true": "true", "false": "false", "all": None}


@roles_required(SUPERVISION_ROLES)
def supervision_list(request):
    """挂牌督办 of the hazards the user may read (inspections.selectors.supervision_list), soonest
    deadline first, overdue ones marked: ?listed=true (default: in force), false (lifted) or all."""
    shown = request.GET.get("listed", "true")
    if shown not in SUPERVISION_SHOWN:
        raise Http404
    rows = selectors.supervision_list(user=request.user, filters={"listed": SUPERVISION_SHOWN[shown]})
    return render(
        request,
        "inspections/supervision_list.html",
        {"rows": list(rows), "shown": shown},
    )


# --- recording an inspection ----------------------------------------------------------------


def _premises_from_query(request, premises_qs):
    """The premises named by ?premises=<id>, which must be one the user may inspect; None if absent."""
    value = request.GET.get("premises")
    if not value:
        return None
    try:
        return premises_qs.get(pk=int(value))
    except (ValueError, premises_qs.model.DoesNotExist):
        raise Http404 from None


def _premises_posted(request, premises_qs):
    """The premises a POST names (chosen in the form's list), if it is one the user may inspect."""
    value = request.POST.get("premises", "") if request.method == "POST" else ""
    return premises_qs.filter(pk=int(value)).first() if value.isdigit() else None


# What the offline page's script says (inspections/offline_record.html → static/js/offline/).
OFFLINE_TEXTS = {
    "pending": _("待同步"),
    "refused": _("同步被拒绝"),
    "syncing": _("正在同步……"),
    "synced": _("已同步"),
    "offline": _("当前无网络连接：记录保存在本机，联网后自动同步。"),
    "online": _("已联网。"),
    "saved": _("已保存到本机，待同步。"),
    "need_premises": _("请选择检查对象。"),
    "need_date": _("请填写检查日期，且不能晚于今天。"),
    "need_inspectors": _("请填写检查人员。"),
    "need_results": _("还有 %(n)s 个检查项未填写结果。"),
    "hazard_incomplete": _("隐患 %(n)s：请填写隐患描述、整改期限和整改责任人。"),
    "deadline_before": _("隐患 %(n)s：整改期限不能早于检查日期。"),
    "photo_count": _("已选 %(n)s 张照片"),
    "photo_failed": _("照片无法读取：%(name)s"),
    "retry_later": _("服务器暂时无法处理，稍后自动重试。"),
    "network": _("网络不通，联网后自动重试。"),
    "login": _("登录已失效：请重新登录后再同步（记录仍保存在本机）。"),
    "delete": _("删除"),
    "delete_confirm": _("删除后这条记录不会再同步，确定删除吗？"),
    "summary": _("隐患 %(hazards)s 处，照片 %(photos)s 张"),
    "location_found": _("已记录检查地点（精度约 %(m)s 米）。"),
    "location_failed": _("未取得检查地点，不影响保存。"),
    "not_saved": _("未保存：请按提示修改后再保存。"),
}


def offline_record(request):
    """Record an inspection on a phone without a connection (PWA): the service worker keeps this page,
    its script keeps each record in the phone's queue (IndexedDB) under an id made there and sends it
    through the API (POST /api/v1/inspections/, then each photo) with that id as `Idempotency-Key`
    when the connection is back. The rules are the API's: a refusal stays on the queued record."""
    user = request.user
    access.check_inspection_record(by=user)  # 403 with the reason for a role that records nothing
    policy = access.recording_policy(by=user)
    premises = township_selectors.premises_list(user=user).order_by("township__name", "name", "id")
    return render(
        request,
        "inspections/offline_record.html",
        {
            "premises_choices": premises.select_related(None)
            .select_related("township")
            .only("id", "name", "category", "township__name"),
            "items": selectors.checklist_items_active(),
            "severities": Hazard.Severity.choices,
            "today": local_today(),
            "kind_label": Inspection.Kind(policy.kinds[0]).label,
            "texts": {key: str(text) for key, text in OFFLINE_TEXTS.items()},
        },
    )


def _plan_from_query(request, plan_qs):
    value = request.GET.get("plan")
    if value and value.isdigit():
        return plan_qs.filter(pk=int(value)).first()
    plans = list(plan_qs[:2])
    return plans[0] if len(plans) == 1 else None


def inspection_record(request):
    """Record an inspection of a premises in scope (?premises=<id> fixes it) with its checklist and
    the hazards found, in one call to services.inspection_record."""
    user = request.user
    access.check_inspection_record(by=user)  # 403 with the reason for a role that records nothing
    policy = access.recording_policy(by=user)
    premises_qs = township_selectors.premises_list(user=user).order_by("township__name", "name", "id")
    fixed = _premises_from_query(request, premises_qs)
    if fixed is None and policy.own_premises_id is not None:
        fixed = premises_qs.filter(pk=policy.own_premises_id).first()
    plan_qs = selectors.plan_choices(user=user, premises=fixed)
    # The checklist is the premises' category's (one selector); until a premises is chosen, none.
    items = selectors.checklist_items_for(premises=fixed or _premises_posted(request, premises_qs))
    form_kwargs = {
        "policy": policy,
        "premises_qs": premises_qs,
        "plan_qs": plan_qs,
        "station_qs": township_selectors.police_station_choices(user=user),
        "items": items,
        "fixed_premises": fixed,
    }
    if request.method != "POST":
        initial = {"plan": _plan_from_query(request, plan_qs)} if policy.may_use_plan else {}
        form = InspectionForm(initial=initial, **form_kwargs)
        formset = HazardFormSet(prefix="hazards", form_kwargs={"items": items})
        formset.extra = _hazard_rows(request)
        return _render_record(request, form, formset, fixed=fixed)

    chosen = fixed or _premises_posted(request, premises_qs)
    shown_for = request.POST.get("checklist_for")
    if chosen is not None and shown_for is not None and shown_for != str(chosen.pk):
        # The premises was chosen in the list with no checklist on the page yet (without JavaScript,
        # the page's "next" step): show its category's checklist, keeping what was typed.
        header = {k: v for k, v in request.POST.items() if k in InspectionForm.base_fields}
        form = InspectionForm(initial=header, **form_kwargs)
        formset = HazardFormSet(prefix="hazards", form_kwargs={"items": items})
        return _render_record(request, form, formset, fixed=fixed, chosen=chosen)

    form = InspectionForm(request.POST, **form_kwargs)
    formset = HazardFormSet(request.POST, request.FILES, prefix="hazards", form_kwargs={"items": items})
    header_ok = form.is_valid()
    formset.inspected_on = form.cleaned_data.get("inspected_on")
    if formset.is_valid() and header_ok:
        try:
            inspection = _record(form, formset, by=user)
        except (ApplicationError, ValidationError) as exc:
            for message in service_errors(exc):
                form.add_error(None, message)
        else:
            hazards = list(inspection.hazards.all())
            if inspection.kind == Inspection.Kind.SELF:
                done = gettext("已登记“%(premises)s”的自查记录，发现隐患 %(count)d 处。")
            elif inspection.kind == Inspection.Kind.PATROL:
                done = gettext("已登记“%(premises)s”的巡查记录，发现隐患 %(count)d 处。")
            else:
                done = gettext("已登记“%(premises)s”的检查记录，发现隐患 %(count)d 处。")
            messages.success(request, done % {"premises": inspection.premises.name, "count": len(hazards)})
            late = [h for h in hazards if h.deadline < local_today()]
            if late:
                # Accepted (a deadline may be recorded after the fact), but it is overdue from the start.
                messages.warning(
                    request,
                    gettext("注意：%(count)d 处隐患的整改期限早于今天，登记后即为逾期。")
                    % {"count": len(late)},
                )
            return redirect("home")
    return _render_record(
        request, form, formset, fixed=fixed, chosen=chosen, files_dropped=bool(request.FILES), status=400
    )


def _record(form, formset, *, by):
    """One service call: a grid member's patrol, or an inspection of the recorder's kind."""
    data = form.cleaned_data
    if form.is_patrol:
        return services.patrol_record(
            premises=data["premises"],
            patrolled_on=data["inspected_on"],
            results=form.cleaned_results(),
            hazards=formset.service_data(),
            notes=data["notes"],
            location=form.cleaned_location(),
            by=by,
        )
    return services.inspection_record(
        premises=data["premises"],
        kind=data.get("kind"),
        inspected_on=data["inspected_on"],
        inspectors=data["inspectors"],
        results=form.cleaned_results(),
        hazards=formset.service_data(),
        plan=data.get("plan"),
        police_station=data.get("police_station"),
        signed_by=data["signed_by"],
        notes=data["notes"],
        location=form.cleaned_location(),
        by=by,
    )


def _hazard_rows(request) -> int:
    """Blank hazard rows to show: ?hazards=N (without JavaScript a row cannot be added), 1 to 20."""
    value = request.GET.get("hazards", "")
    return min(max(int(value), 1), 20) if value.isdigit() else 1


def _render_record(request, form, formset, *, fixed, chosen=None, files_dropped=False, status=200):
    """The record page. `chosen`: the premises whose checklist the form carries (fixed, or chosen in
    the list); none yet: the page asks for a premises first."""
    kinds = dict(Inspection.Kind.choices)
    chosen = chosen or fixed
    return render(
        request,
        "inspections/record.html",
        {
            "form": form,
            "formset": formset,
            "premises": fixed,
            "chosen": chosen,
            "error_places": [*form.error_places(), *formset.error_places()] if form.is_bound else [],
            "kind_label": kinds[form.policy.kinds[0]],
            "more_hazards": formset.total_form_count() + 1,
            "files_dropped": files_dropped,
            "file_again": FILE_AGAIN,
        },
        status=status,
    )


# --- patrols ---------------------------------------------------------------------------------


def _month_or_404(value: str | None) -> dt.date:
    """The day the figures of ?month=YYYY-MM are as of: today in the current month (the default),
    the month's last day for a past one; a month to come or a malformed value: 404."""
    today = local_today()
    if not value:
        return today
    try:
        first = dt.datetime.strptime(value, "%Y-%m").date()  # noqa: DTZ007 - a calendar month, no time
    except ValueError:
        raise Http404 from None
    if first > today:
        raise Http404
    return min(selectors.month_bounds(first)[1], today)


@roles_required(LIST_ROLES | {Role.GRID_MEMBER})
def patrol_ranking(request):
    """网格员巡查排行: the month's grid members of the townships the user may see, ranked by patrol
    completion (inspections.selectors.patrol_figures), with the grids' and townships' figures."""
    on = _month_or_404(request.GET.get("month"))
    figures = selectors.patrol_figures(user=request.user, on=on)
    return render(
        request,
        "inspections/patrol_ranking.html",
        {"figures": figures, "month": on.strftime("%Y-%m"), "this_month": local_today().strftime("%Y-%m")},
    )


# --- the hazard page and its closed loop ----------------------------------------------------


def _start(request, hazard):
    services.hazard_start_rectifying(hazard=hazard, by=request.user)
    return gettext("隐患已进入“整改中”。")


def _rectify(request, hazard, form):
    services.hazard_rectify(hazard=hazard, **form.cleaned_data, by=request.user)
    return gettext("整改情况已提交，隐患进入“待复查”，等待复查销号。")


def _reinspect(request, hazard, form):
    services.hazard_reinspect(hazard=hazard, **form.cleaned_data, by=request.user)
    if form.cleaned_data["passed"]:
        return gettext("复查合格，隐患已销号。")
    return gettext("复查不合格，隐患已退回整改。")


def _acting_on_handover(hazard):
    handover = selectors.hazard_open_handover(hazard)
    if handover is None:
        raise ConflictError(gettext("该隐患没有待办理的移交。"))
    return handover


def _hand_over(request, hazard, form):
    services.hazard_hand_over(hazard=hazard, **form.cleaned_data, by=request.user)
    return gettext("隐患已移交消防救援机构。")


def _handover_action(request, hazard, form):
    services.handover_record_action(
        handover=_acting_on_handover(hazard), **form.cleaned_data, by=request.user
    )
    return gettext("办理措施已登记。")


def _handover_close(request, hazard, form):
    services.handover_close(handover=_acting_on_handover(hazard), **form.cleaned_data, by=request.user)
    return gettext("移交已办结。")


def _handover_return(request, hazard, form):
    services.handover_return(handover=_acting_on_handover(hazard), **form.cleaned_data, by=request.user)
    return gettext("移交已退回乡镇。")


def _supervise(request, hazard, form):
    services.hazard_supervise(hazard=hazard, **form.cleaned_data, by=request.user)
    return gettext("隐患已挂牌督办。")


def _lift(request, hazard, form):
    listing = selectors.hazard_listing(hazard)
    if listing is None:
        raise ConflictError(gettext("该隐患没有在督办中的挂牌。"))
    services.supervision_lift(supervision=listing, **form.cleaned_data, by=request.user)
    return gettext("已摘牌。")


def _check_handover_act(*, by, hazard) -> None:
    access.check_handover_act(by=by, handover=selectors.hazard_open_handover(hazard))


@dataclass(frozen=True)
class HazardStep:
    """A step the hazard page offers: the access rule that lets a user take it, its form (None: a
    button) and what it does (one service call; returns the message shown after it)."""

    check: Callable
    form: type[forms.Form] | None
    run: Callable


# The steps of the hazard page: the loop, the hand-over to the fire rescue authority and 挂牌督办.
HAZARD_START, HAZARD_RECTIFY, HAZARD_REINSPECT = "start", "rectify", "reinspect"
HAZARD_STEPS = {
    HAZARD_START: HazardStep(
        access.check_hazard_rectify, None, lambda request, hazard, form: _start(request, hazard)
    ),
    HAZARD_RECTIFY: HazardStep(access.check_hazard_rectify, RectifyForm, _rectify),
    HAZARD_REINSPECT: HazardStep(access.check_hazard_reinspect, ReinspectForm, _reinspect),
    "hand_over": HazardStep(access.check_hazard_hand_over, HandOverForm, _hand_over),
    "handover_action": HazardStep(_check_handover_act, HandoverActionForm, _handover_action),
    "handover_close": HazardStep(_check_handover_act, HandoverCloseForm, _handover_close),
    "handover_return": HazardStep(_check_handover_act, HandoverReturnForm, _handover_return),
    "supervise": HazardStep(access.check_hazard_supervise, SuperviseForm, _supervise),
    "lift": HazardStep(access.check_hazard_supervise, LiftForm, _lift),
}


def hazard_detail(request, pk: int):
    """A hazard with its history, and the steps the user may take (POST `action`, a key of
    HAZARD_STEPS): the loop, the hand-over and the fire rescue authority's acts on it, 挂牌督办 and
    摘牌. Out of scope: 404; a step the user may not take: 403 with the policy's reason, before the
    step's form is read; a refused step: 400 with the service's reason, nothing written."""
    hazard = get_object_or_404(selectors.hazard_detail_queryset(user=request.user), pk=pk)
    may = {name for name, step in HAZARD_STEPS.items() if allowed(step.check, by=request.user, hazard=hazard)}
    forms_by_step = {name: step.form(prefix=name) for name, step in HAZARD_STEPS.items() if step.form}
    errors: list[str] = []
    action = None
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in HAZARD_STEPS:
            return HttpResponseBadRequest(gettext("未知的操作。"))
        step = HAZARD_STEPS[action]
        step.check(by=request.user, hazard=hazard)
        form = None
        if step.form is not None:
            form = forms_by_step[action] = step.form(request.POST, request.FILES, prefix=action)
        if form is None or form.is_valid():
            try:
                done = step.run(request, hazard, form)
            except (ApplicationError, ValidationError) as exc:
                errors = service_errors(exc)
            else:
                messages.success(request, done)
                return redirect("inspections:hazard-detail", pk=hazard.pk)
        status = 400
    return render(
        request,
        "inspections/hazard_detail.html",
        {
            "hazard": hazard,
            "allowed": may,
            "rectify_form": forms_by_step[HAZARD_RECTIFY],
            "reinspect_form": forms_by_step[HAZARD_REINSPECT],
            "forms": forms_by_step,
            "open_handover": selectors.hazard_open_handover(hazard),
            "listing": selectors.hazard_listing(hazard),
            "action": action,
            "errors": errors,
            "files_dropped": bool(request.FILES),
            "file_again": FILE_AGAIN,
            "rectifications": list(hazard.rectifications.all()),
            "reinspections": list(hazard.reinspections.all()),
        },
        status=status,
    )
