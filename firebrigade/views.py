"""Pages of the brigades app: brigades (list, detail and the township lead's forms), fire incidents
and funding. Views translate HTTP to forms, call a selector or a service, and render.

Scope: what the user may not see answers 404 (scoped selectors, and a filter naming a township
outside it); a write the access policy (firebrigade.access) does not allow answers 403 with its
reason — the forms are shown only to whom it allows, and the services enforce it. A refused form is
shown again (400) with what was typed and the reason, and nothing is written.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import qr
from core.access import allowed
from core.exceptions import ApplicationError
from core.exports import xlsx_response
from core.forms import add_service_error
from core.models import Role
from core.pages import filtered_queryset, list_page, paginate, wants_xlsx, yes_no
from core.scoping import user_role
from firebrigade import access, forms, selectors, services
from firebrigade.models import Brigade, FundingCategory
from firebrigade.page_filters import BrigadePageFilter, FundingYearForm, IncidentPageFilter


def _gap_parts(gap) -> list[str] | None:
    """What a brigade lacks, in words ('队员缺 2 人', ...); None when its class has no standard."""
    if gap is None or not gap.has_standard:
        return None
    parts = []
    if gap.staff_gap:
        parts.append(_("队员缺 %(n)s 人") % {"n": gap.staff_gap})
    if gap.vehicle_gap:
        parts.append(_("车辆缺 %(n)s 辆") % {"n": gap.vehicle_gap})
    if gap.station_area_gap:
        parts.append(_("营房缺 %(n)s ㎡") % {"n": gap.station_area_gap})
    elif gap.station_area_m2 is None:
        parts.append(_("营房面积未登记"))
    short = [e for e in gap.equipment if e.gap]
    if short:
        parts.append(
            _("装备 %(types)s 类缺 %(n)s 件") % {"types": len(short), "n": sum(e.gap for e in short)}
        )
    return parts


def _gap_text(gap) -> str:
    parts = _gap_parts(gap)
    if parts is None:
        return _("未制定标准")
    return "；".join(parts) or _("达标")


# --- brigades -------------------------------------------------------------------------------


@require_GET
def brigade_list(request):
    """乡镇专职消防队: status and gaps against the standard, per brigade, filtered and paginated."""
    filterset = BrigadePageFilter(
        request.GET or None, queryset=selectors.brigade_list(user=request.user), request=request
    )
    brigades = filtered_queryset(filterset)
    if wants_xlsx(request):
        rows = list(brigades)
        gaps = selectors.brigade_gaps_by_id(user=request.user, brigades=rows)
        return xlsx_response(
            filename=_("乡镇专职消防队"),
            title=_("乡镇专职消防队"),
            headers=[
                _("乡镇"),
                _("队伍名称"),
                _("队伍等级"),
                _("建设状态"),
                _("在岗队员"),
                _("标准人数"),
                _("完好车辆"),
                _("标准车辆"),
                _("营房面积（㎡）"),
                _("标准面积（㎡）"),
                _("缺口"),
            ],
            rows=[
                [
                    b.township.name,
                    b.name,
                    b.get_brigade_class_display(),
                    b.get_status_display(),
                    b.active_staff,
                    b.min_staff,
                    b.good_vehicles,
                    b.min_vehicles,
                    b.station_area_m2,
                    b.min_station_area_m2,
                    _gap_text(gaps.get(b.pk)),
                ]
                for b in rows
            ],
        )
    page = paginate(request, brigades)
    on_page = list(page)
    gaps = selectors.brigade_gaps_by_id(user=request.user, brigades=on_page)
    rows = [
        {
            "brigade": b,
            "gap": gaps.get(b.pk),
            "gap_text": _gap_text(gaps.get(b.pk)),
            "short": bool(_gap_parts(gaps.get(b.pk))),
        }
        for b in on_page
    ]
    return render(
        request,
        "firebrigade/brigade_list.html",
        {
            "filter": filterset,
            "page_obj": page,
            "rows": rows,
            "without_brigade": selectors.townships_without_brigade(user=request.user),
            "can_open_detail": allowed(access.check_members_read, by=request.user),
            "can_read_funding": allowed(access.check_funding_read, by=request.user),
        },
    )


FORM_CLASSES = {
    "member_form": forms.BrigadeMemberAddForm,
    "leave_form": forms.BrigadeMemberLeaveForm,
    "equipment_form": forms.EquipmentItemAddForm,
    "update_form": forms.EquipmentItemUpdateForm,
    "maintenance_form": forms.EquipmentMaintenanceForm,
}
# The archive's forms (一队一档), shown to whom access.check_archive_change allows.
ARCHIVE_FORM_CLASSES = {
    "document_form": forms.BrigadeDocumentForm,
    "training_form": forms.TrainingRecordForm,
    "duty_form": forms.DutyRosterForm,
    "call_out_form": forms.CallOutForm,
    "publicity_form": forms.PublicityActivityForm,
}
NEEDS_BRIGADE = {"leave_form", "update_form", "maintenance_form", *ARCHIVE_FORM_CLASSES}


def _blank_forms(request, detail) -> dict:
    """Unbound forms; ?member=<id> / ?item=<id> preselect a row (the table's 离职 / 修改 links)."""
    brigade = detail.brigade
    chosen_item = next((i for i in detail.equipment if str(i.pk) == request.GET.get("item")), None)
    item_initial = (
        {"item": chosen_item.pk, "quantity": chosen_item.quantity, "condition": chosen_item.condition}
        if chosen_item
        else {}
    )
    return {
        "member_form": forms.BrigadeMemberAddForm(),
        "leave_form": forms.BrigadeMemberLeaveForm(
            brigade=brigade, initial={"member": request.GET.get("member")}
        ),
        "equipment_form": forms.EquipmentItemAddForm(),
        "update_form": forms.EquipmentItemUpdateForm(brigade=brigade, initial=item_initial),
        "maintenance_form": forms.EquipmentMaintenanceForm(
            brigade=brigade, initial={"item": item_initial.get("item")}
        ),
    }


def _brigade_detail_or_404(request, pk: int):
    try:
        return selectors.brigade_detail(user=request.user, brigade_id=pk, on=timezone.localdate())
    except Brigade.DoesNotExist as exc:
        raise Http404 from exc


def _render_detail(request, detail, *, bound: dict | None = None, status: int = 200):
    brigade = detail.brigade
    can_manage = allowed(access.check_brigade_upkeep, by=request.user, brigade=brigade)
    can_keep_archive = allowed(access.check_archive_change, by=request.user, brigade=brigade)
    archive = selectors.brigade_archive(user=request.user, brigade_id=brigade.pk, on=detail.on, detail=detail)
    context = {
        "detail": detail,
        "gap": detail.gap,
        "brigade": brigade,
        "can_manage": can_manage,
        "can_keep_archive": can_keep_archive,
        "archive": archive,
    }
    if can_manage:
        context.update(_blank_forms(request, detail))
    if can_keep_archive:
        context.update({name: form(brigade=brigade) for name, form in ARCHIVE_FORM_CLASSES.items()})
    context.update(bound or {})
    return render(request, "firebrigade/brigade_detail.html", context, status=status)


@require_GET
def brigade_detail(request, pk: int):
    """One brigade: status, what it lacks against its standard, members, equipment and, for the
    township lead (or the guidance center), the forms that keep them. Not a police station's
    (access: members and equipment are withheld from it)."""
    access.check_members_read(by=request.user)
    return _render_detail(request, _brigade_detail_or_404(request, pk))


def _brigade_form_view(form_name: str, call, success: str, check=access.check_brigade_upkeep):
    """A POST view for one of the brigade detail's forms: scope (404), the access policy (`check`:
    403 with its reason, before the input is read; the service enforces it too), form, service."""
    form_class = FORM_CLASSES.get(form_name) or ARCHIVE_FORM_CLASSES[form_name]

    @require_POST
    def view(request, pk: int):
        detail = _brigade_detail_or_404(request, pk)
        check(by=request.user, brigade=detail.brigade)
        kwargs = {"brigade": detail.brigade} if form_name in NEEDS_BRIGADE else {}
        form = form_class(request.POST, request.FILES, **kwargs)
        if form.is_valid():
            try:
                call(brigade=detail.brigade, data=form.cleaned_data, by=request.user)
            except (ApplicationError, ValidationError) as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, success)
                anchor = "#archive" if form_name in ARCHIVE_FORM_CLASSES else ""
                return redirect(reverse("firebrigade:brigade-detail", args=[pk]) + anchor)
        return _render_detail(request, detail, bound={form_name: form}, status=400)

    return view


def _add_member(*, brigade, data, by):
    services.brigade_member_add(brigade=brigade, by=by, **data)


def _member_leaves(*, brigade, data, by):
    services.brigade_member_leave(member=data["member"], left_on=data["left_on"], by=by)


def _add_equipment(*, brigade, data, by):
    services.equipment_item_add(brigade=brigade, by=by, **data)


def _update_equipment(*, brigade, data, by):
    services.equipment_item_update(
        item=data["item"], data={"quantity": data["quantity"], "condition": data["condition"]}, by=by
    )


def _record_maintenance(*, brigade, data, by):
    services.equipment_item_record_maintenance(
        item=data["item"],
        maintained_on=data["maintained_on"],
        next_maintenance_on=data["next_maintenance_on"],
        condition=data["condition"] or None,
        by=by,
    )


brigade_member_add = _brigade_form_view("member_form", _add_member, gettext_lazy("已添加队员。"))
brigade_member_leave = _brigade_form_view("leave_form", _member_leaves, gettext_lazy("已登记离职。"))
equipment_item_add = _brigade_form_view("equipment_form", _add_equipment, gettext_lazy("已登记装备。"))
equipment_item_update = _brigade_form_view("update_form", _update_equipment, gettext_lazy("已更新装备。"))
equipment_item_record_maintenance = _brigade_form_view(
    "maintenance_form", _record_maintenance, gettext_lazy("已登记保养。")
)


def _archive_step(service):
    def call(*, brigade, data, by):
        service(brigade=brigade, **data, by=by)

    return call


def _archive_view(form_name: str, service, success: str):
    return _brigade_form_view(form_name, _archive_step(service), success, check=access.check_archive_change)


brigade_document_add = _archive_view(
    "document_form", services.brigade_document_add, gettext_lazy("已上传文件。")
)
training_record = _archive_view("training_form", services.training_record, gettext_lazy("已登记训练演练。"))
duty_roster_add = _archive_view("duty_form", services.duty_roster_add, gettext_lazy("已登记执勤排班。"))
call_out_record = _archive_view("call_out_form", services.call_out_record, gettext_lazy("已登记出警。"))
publicity_record = _archive_view(
    "publicity_form", services.publicity_record, gettext_lazy("已登记宣传活动。")
)


@require_GET
def brigade_archive(request, pk: int):
    """一队一档: one brigade's whole file on one printable page — basic data, members, equipment against
    the standard, funding, documents, training and drills, duty, call-outs and publicity of the last
    year. Whoever may read the archive (not a police station) of a brigade they see; others 404."""
    access.check_archive_read(by=request.user)
    try:
        archive = selectors.brigade_archive(user=request.user, brigade_id=pk, on=timezone.localdate())
    except Brigade.DoesNotExist as exc:
        raise Http404 from exc
    return render(
        request, "firebrigade/brigade_archive.html", {"archive": archive, "brigade": archive.detail.brigade}
    )


# --- fire incidents -------------------------------------------------------------------------


# The columns of the county's fire statistics as it reports them upward (the national fire
# statistics' fields that the county keeps), in the order of the statistics form.
INCIDENT_COLUMNS = [
    (gettext_lazy("起火时间"), lambda i: i.occurred_at),
    (gettext_lazy("乡镇"), lambda i: i.township.name),
    (gettext_lazy("起火地点"), lambda i: i.address),
    (gettext_lazy("起火单位"), lambda i: i.premises.name if i.premises else ""),
    (gettext_lazy("起火场所类型"), lambda i: i.premises.get_category_display() if i.premises else ""),
    (gettext_lazy("火灾等级"), lambda i: i.get_grade_display()),
    (gettext_lazy("起火原因"), lambda i: i.get_cause_display()),
    (gettext_lazy("死亡人数"), lambda i: i.deaths),
    (gettext_lazy("受伤人数"), lambda i: i.injuries),
    (gettext_lazy("其中重伤人数"), lambda i: i.serious_injuries),
    (gettext_lazy("直接财产损失（元）"), lambda i: i.direct_loss),
    (gettext_lazy("过火面积（㎡）"), lambda i: i.burned_area_m2),
    (gettext_lazy("报告时间"), lambda i: i.reported_at),
    (gettext_lazy("报告时限（小时）"), lambda i: i.report_hours),
    (gettext_lazy("是否迟报"), lambda i: yes_no(i.is_late_report)),
    (gettext_lazy("出动专职队"), lambda i: i.responding_brigade.name if i.responding_brigade else ""),
    (gettext_lazy("到场用时（分钟）"), lambda i: i.arrival_minutes),
]


@require_GET
def incident_list(request):
    """火灾: by township, date range, cause, grade and late reporting; each row leads to its 责任倒查
    page. ?format=xlsx: the fire statistics (INCIDENT_COLUMNS) of every filtered row."""
    trace = (
        gettext_lazy("责任倒查"),
        lambda i: request.build_absolute_uri(reverse("homes:trace-incident", args=[i.pk])),
    )
    return list_page(
        request,
        selectors.incident_list(user=request.user),
        IncidentPageFilter,
        template="firebrigade/incident_list.html",
        export_name=gettext_lazy("火灾"),
        columns=[*INCIDENT_COLUMNS, trace],
        context={
            "can_read_funding": allowed(access.check_funding_read, by=request.user),
            "can_report": allowed(access.check_incident_change, by=request.user),
        },
    )


def _own_township(user):
    """A township lead's township (their reports are of it alone); None for the guidance center."""
    return user.profile.township if user_role(user) == Role.TOWNSHIP_LEAD else None


@require_http_methods(["GET", "POST"])
def incident_report(request):
    """火灾上报: a township lead reports a fire of their own township from a phone (the guidance center
    may record one for any township). One call to fire_incident_record: the time reported is this
    moment, the grade follows the casualties and the loss. Anyone else: 403 with the reason."""
    access.check_incident_change(by=request.user)
    township = _own_township(request.user)
    data = request.POST if request.method == "POST" else None
    form = forms.FireReportForm(data, user=request.user, township=township)
    if request.method == "POST":
        if form.is_valid():
            try:
                incident = services.fire_incident_record(**form.service_kwargs(), by=request.user)
            except (ApplicationError, ValidationError) as exc:
                add_service_error(form, exc)
            else:
                _report_messages(request, incident)
                return redirect(f"{reverse('firebrigade:incident-list')}?township={incident.township_id}")
        return _render_report(request, form, township, status=400)
    return _render_report(request, form, township)


def _render_report(request, form, township, *, status: int = 200):
    context = {"form": form, "township": township, "rules": selectors.report_rules()}
    return render(request, "firebrigade/incident_report.html", context, status=status)


def _report_messages(request, incident) -> None:
    """What was recorded, read back through the selector: the grade, and a late report said so."""
    row = selectors.incident_list(user=request.user).get(pk=incident.pk)
    messages.success(
        request,
        _("已上报%(township)s火灾（%(grade)s）。")
        % {"township": row.township.name, "grade": row.get_grade_display()},
    )
    if row.is_late_report:
        messages.warning(
            request,
            _("按规定%(grade)s应在起火后 %(hours)s 小时内报告，本次为迟报。")
            % {"grade": row.get_grade_display(), "hours": row.report_hours},
        )


# --- funding --------------------------------------------------------------------------------


@require_GET
def funding(request):
    """人员和办公经费: allocated vs disbursed per township, for one year."""
    access.check_funding_read(by=request.user)
    year_form = FundingYearForm(request.GET or None)
    year = year_form.year_or_current()
    townships = selectors.funding_summary(user=request.user, year=year)
    categories = [(value, label) for value, label in FundingCategory.choices]
    if wants_xlsx(request):
        headers = [_("乡镇"), _("计划（元）"), _("已到位（元）"), _("到位率（%）")]
        for _value, label in categories:
            headers += [_("%(c)s计划") % {"c": label}, _("%(c)s到位") % {"c": label}]
        rows = []
        for t in townships:
            row = [t.name, t.allocated, t.disbursed, _percent(t.ratio)]
            for value, _label in categories:
                row += [getattr(t, f"allocated_{value}"), getattr(t, f"disbursed_{value}")]
            rows.append(row)
        return xlsx_response(
            filename=_("经费到位-%(y)s") % {"y": year}, title=str(year), headers=headers, rows=rows
        )
    page = paginate(request, townships)
    rows = [
        {
            "township": t,
            "percent": _percent(t.ratio),
            "categories": [
                (label, getattr(t, f"allocated_{value}"), getattr(t, f"disbursed_{value}"))
                for value, label in categories
            ],
        }
        for t in page
    ]
    totals = selectors.funding_totals(user=request.user, year=year)
    totals["percent"] = _percent(totals["disbursed"] / totals["allocated"]) if totals["allocated"] else None
    return render(
        request,
        "firebrigade/funding.html",
        {
            "year_form": year_form,
            "year": year,
            "page_obj": page,
            "rows": rows,
            "totals": totals,
            "categories": [label for _value, label in categories],
        },
    )


def _percent(ratio) -> float | None:
    return None if ratio is None else round(float(ratio) * 100, 1)


# --- 一店一码: equipment QR labels -------------------------------------------------------------


def equipment_labels_page(request, rows, *, title, issue_url: str = "", back_url: str = ""):
    """The printable sheet (templates/scan/labels.html) of `rows` — (item, code in force or None) —
    one label per code, naming the item and its brigade; items without a code are named above it.
    The admin's action uses it too."""
    labels = [
        qr.label(
            request,
            token=code.token,
            title=f"{item.equipment_type.name} × {item.quantity}{item.equipment_type.unit}",
            lines=[item.brigade.name, item.brigade.township.name],
        )
        for item, code in rows
        if code is not None
    ]
    missing = [str(item) for item, code in rows if code is None]
    context = {
        "title": title,
        "labels": labels,
        "missing": missing,
        "issue_url": issue_url,
        "back_url": back_url,
    }
    return render(request, "scan/labels.html", context)


@require_http_methods(["GET", "POST"])
def equipment_labels(request, pk: int):
    """The brigade's equipment labels (scrapped items left out), for its township's lead or the
    guidance center (a brigade outside the user's scope: 404). POST gives every item without a code
    one, then shows the sheet."""
    brigade = selectors.brigade_list(user=request.user).filter(pk=pk).first()
    if brigade is None:
        raise Http404
    access.check_equipment_code(by=request.user, brigade=brigade)
    rows = selectors.equipment_codes_in_force(user=request.user, brigade_id=brigade.pk)
    if request.method == "POST":
        issued = services.equipment_codes_issue(
            items=[item for item, code in rows if code is None], by=request.user
        )
        messages.success(request, _("已为 %(n)d 件装备生成二维码。") % {"n": len(issued)})
        return redirect("firebrigade:equipment-labels", brigade.pk)
    return equipment_labels_page(
        request,
        rows,
        title=_("%(brigade)s 装备二维码标签") % {"brigade": brigade.name},
        issue_url=reverse("firebrigade:equipment-labels", args=[brigade.pk]),
        back_url=reverse("firebrigade:brigade-detail", args=[brigade.pk]),
    )
