"""Pages of the townships app: the premises list (filtered, paginated, exported) and the forms that
register and edit a premises (a township lead in their own township, the guidance center anywhere),
and the township's sheet of QR code labels (一店一码).

A premises outside the user's scope answers 404; a write the access policy (townships.access) does
not allow answers 403 with its reason; a refused form is shown again (400) and nothing is written.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core import qr
from core.access import allowed
from core.clock import local_today
from core.exceptions import ApplicationError
from core.forms import add_service_error
from core.models import Role
from core.pages import LIST_ROLES, list_page, roles_required, yes_no
from core.scoping import user_role
from townships import access, selectors, services
from townships.forms import PremisesForm
from townships.page_filters import PremisesPageFilter

PREMISES_COLUMNS = [
    (gettext_lazy("乡镇"), lambda p: p.township.name),
    (gettext_lazy("网格"), lambda p: p.grid.name if p.grid else ""),
    (gettext_lazy("单位名称"), lambda p: p.name),
    (gettext_lazy("地址"), lambda p: p.address),
    (gettext_lazy("类别"), lambda p: p.get_category_display()),
    (gettext_lazy("风险等级"), lambda p: p.get_risk_level_display()),
    (gettext_lazy("消防安全重点单位"), lambda p: yes_no(p.is_key_unit)),
    (gettext_lazy("消防安全责任人"), lambda p: p.responsible_person),
    (gettext_lazy("责任人电话"), lambda p: p.responsible_phone),
    (gettext_lazy("辖区派出所"), lambda p: p.police_station.name if p.police_station else ""),
    (gettext_lazy("最近检查日期"), lambda p: p.last_inspected_on),
    (gettext_lazy("下次检查期限"), lambda p: p.next_inspection_due),
]


@roles_required(LIST_ROLES)
def premises_list(request):
    return list_page(
        request,
        selectors.premises_list(user=request.user).order_by("township__name", "name", "id"),
        PremisesPageFilter,
        template="townships/premises_list.html",
        export_name=gettext_lazy("社会单位"),
        columns=PREMISES_COLUMNS,
        context={
            "today": local_today(),
            "may_edit_premises": allowed(access.check_premises_create, by=request.user),
        },
    )


# --- the premises forms (township leads and the guidance center) ----------------------------


def _premises_form_page(request, form, *, premises=None, status: int = 200):
    context = {"form": form, "premises": premises, "township": form.fixed_township}
    return render(request, "townships/premises_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
def premises_create(request):
    """登记社会单位: a township lead registers a premises of their own township (the guidance center
    chooses the township). One call to premises_create; anyone else: 403 with the reason."""
    access.check_premises_create(by=request.user)
    township = request.user.profile.township if user_role(request.user) == Role.TOWNSHIP_LEAD else None
    form = PremisesForm(request.POST or None, user=request.user, township=township)
    if request.method == "POST":
        if form.is_valid():
            try:
                premises = services.premises_create(**form.create_kwargs(), by=request.user)
            except (ApplicationError, ValidationError) as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("已登记社会单位“%(name)s”。") % {"name": premises.name})
                return redirect(f"{reverse('townships:premises-list')}?township={premises.township_id}")
        return _premises_form_page(request, form, status=400)
    return _premises_form_page(request, form)


@require_http_methods(["GET", "POST"])
def premises_update(request, pk: int):
    """修改社会单位: a premises the user sees (404 otherwise), changed through premises_update, which
    refuses (403) a role or a township that may not change it."""
    premises = get_object_or_404(selectors.premises_list(user=request.user), pk=pk)
    access.check_premises_update(by=request.user, premises=premises)
    form = PremisesForm(
        request.POST or None, instance=premises, user=request.user, township=premises.township
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                services.premises_update(premises=premises, data=form.changes(), by=request.user)
            except (ApplicationError, ValidationError) as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("已保存社会单位“%(name)s”。") % {"name": premises.name})
                return redirect(f"{reverse('townships:premises-list')}?township={premises.township_id}")
        return _premises_form_page(request, form, premises=premises, status=400)
    return _premises_form_page(request, form, premises=premises)


def premises_labels_page(request, rows, *, title, issue_url: str = "", back_url: str = ""):
    """The printable sheet (templates/scan/labels.html) of `rows` — (premises, code in force or None)
    — one label per code; those without a code are named above it. The admin's action uses it too."""
    labels = [
        qr.label(request, token=code.token, title=one.name, lines=[one.address, one.township.name])
        for one, code in rows
        if code is not None
    ]
    missing = [one.name for one, code in rows if code is None]
    context = {
        "title": title,
        "labels": labels,
        "missing": missing,
        "issue_url": issue_url,
        "back_url": back_url,
    }
    return render(request, "scan/labels.html", context)


def premises_labels(request, pk: int):
    """The township's premises labels, for its lead or the guidance center (a township outside the
    user's scope: 404). POST gives every premises without a code one, then shows the sheet."""
    township = selectors.township_list(user=request.user).filter(pk=pk).first()
    if township is None:
        raise Http404
    access.check_premises_code(by=request.user, township=township)
    rows = selectors.premises_codes_in_force(user=request.user, township_id=township.pk)
    if request.method == "POST":
        issued = services.premises_codes_issue(
            premises=[one for one, code in rows if code is None], by=request.user
        )
        messages.success(request, gettext("已为 %(n)d 个单位生成二维码。") % {"n": len(issued)})
        return redirect("townships:premises-labels", township.pk)
    return premises_labels_page(
        request,
        rows,
        title=gettext("%(township)s 社会单位二维码标签") % {"township": township.name},
        issue_url=reverse("townships:premises-labels", args=[township.pk]),
        back_url=reverse("homes:township", args=[township.pk]),
    )
