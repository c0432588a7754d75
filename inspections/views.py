"""Pages of the campaign: the inspection and hazard lists, recording an inspection (checklist and
hazards), the hazard page with the closed loop (start, rectification evidence = request for a
re-inspection, re-inspection).

Views translate HTTP ↔ forms and call a selector or one service. Scope comes from the selectors (a
record outside it: 404); what a role may write is inspections.access' policy, which the services
enforce (403 with the reason); the pages ask the same policy which forms and buttons to show.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.access import allowed
from core.clock import local_today
from core.exceptions import ApplicationError
from core.pages import LIST_ROLES, list_page, roles_required, yes_no
from inspections import access, selectors, services
from inspections.forms import (
    FILE_AGAIN,
    HazardFormSet,
    InspectionForm,
    RectifyForm,
    ReinspectForm,
    service_errors,
)
from inspections.models import Inspection
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
    (_("录入人"), lambda i: str(i.recorded_by) if i.recorded_by else ""),
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


@roles_required(LIST_ROLES)
def inspection_list(request):
    return list_page(
        request,
        selectors.inspection_list(user=request.user).order_by("-inspected_on", "-id"),
        InspectionPageFilter,
        template="inspections/inspection_list.html",
        export_name=_("检查记录"),
        columns=INSPECTION_COLUMNS,
    )


@roles_required(LIST_ROLES)
def hazard_list(request):
    return list_page(
        request,
        selectors.hazard_list(user=request.user).order_by("deadline", "id"),
        HazardPageFilter,
        template="inspections/hazard_list.html",
        export_name=_("火灾隐患"),
        columns=HAZARD_COLUMNS,
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
    items = selectors.checklist_items_active()
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

    form = InspectionForm(request.POST, **form_kwargs)
    formset = HazardFormSet(request.POST, request.FILES, prefix="hazards", form_kwargs={"items": items})
    header_ok = form.is_valid()
    formset.inspected_on = form.cleaned_data.get("inspected_on")
    if formset.is_valid() and header_ok:
        data = form.cleaned_data
        try:
            inspection = services.inspection_record(
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
                by=user,
            )
        except (ApplicationError, ValidationError) as exc:
            for message in service_errors(exc):
                form.add_error(None, message)
        else:
            hazards = list(inspection.hazards.all())
            if inspection.kind == Inspection.Kind.SELF:
                done = gettext("已登记“%(premises)s”的自查记录，发现隐患 %(count)d 处。")
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
    return _render_record(request, form, formset, fixed=fixed, files_dropped=bool(request.FILES), status=400)


def _hazard_rows(request) -> int:
    """Blank hazard rows to show: ?hazards=N (without JavaScript a row cannot be added), 1 to 20."""
    value = request.GET.get("hazards", "")
    return min(max(int(value), 1), 20) if value.isdigit() else 1


def _render_record(request, form, formset, *, fixed, files_dropped=False, status=200):
    kinds = dict(Inspection.Kind.choices)
    return render(
        request,
        "inspections/record.html",
        {
            "form": form,
            "formset": formset,
            "premises": fixed,
            "kind_label": kinds[form.policy.kinds[0]],
            "more_hazards": formset.total_form_count() + 1,
            "files_dropped": files_dropped,
            "file_again": FILE_AGAIN,
        },
        status=status,
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


# The steps of the loop on the hazard page, and the rule of the access policy that lets a user take each.
HAZARD_START, HAZARD_RECTIFY, HAZARD_REINSPECT = "start", "rectify", "reinspect"
HAZARD_STEP_CHECKS = {
    HAZARD_START: access.check_hazard_rectify,
    HAZARD_RECTIFY: access.check_hazard_rectify,
    HAZARD_REINSPECT: access.check_hazard_reinspect,
}


def hazard_detail(request, pk: int):
    """A hazard with its history, and the steps of the loop the user may take (POST `action`:
    start / rectify / reinspect). Out of scope: 404; a step the user may not take: 403 with the
    policy's reason, before the step's form is read."""
    hazard = get_object_or_404(selectors.hazard_detail_queryset(user=request.user), pk=pk)
    may = {
        step for step, check in HAZARD_STEP_CHECKS.items() if allowed(check, by=request.user, hazard=hazard)
    }
    forms = {
        HAZARD_RECTIFY: RectifyForm(prefix="rectify"),
        HAZARD_REINSPECT: ReinspectForm(prefix="reinspect"),
    }
    errors: list[str] = []
    action = None
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in HAZARD_STEP_CHECKS:
            return HttpResponseBadRequest(gettext("未知的操作。"))
        HAZARD_STEP_CHECKS[action](by=request.user, hazard=hazard)
        form = None
        if action == HAZARD_RECTIFY:
            form = forms[action] = RectifyForm(request.POST, request.FILES, prefix="rectify")
        elif action == HAZARD_REINSPECT:
            form = forms[action] = ReinspectForm(request.POST, prefix="reinspect")
        if form is None or form.is_valid():
            step = {
                HAZARD_START: lambda: _start(request, hazard),
                HAZARD_RECTIFY: lambda: _rectify(request, hazard, form),
                HAZARD_REINSPECT: lambda: _reinspect(request, hazard, form),
            }[action]
            try:
                done = step()
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
            "rectify_form": forms[HAZARD_RECTIFY],
            "reinspect_form": forms[HAZARD_REINSPECT],
            "action": action,
            "errors": errors,
            "files_dropped": bool(request.FILES),
            "file_again": FILE_AGAIN,
            "rectifications": list(hazard.rectifications.all()),
            "reinspections": list(hazard.reinspections.all()),
        },
        status=status,
    )
