"""Pages of the townships app: the premises list (filtered, paginated, exported) and the township's
sheet of QR code labels (一店一码)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import qr
from core.clock import local_today
from core.pages import LIST_ROLES, list_page, roles_required, yes_no
from townships import access, selectors, services
from townships.page_filters import PremisesPageFilter

PREMISES_COLUMNS = [
    (_("乡镇"), lambda p: p.township.name),
    (_("网格"), lambda p: p.grid.name if p.grid else ""),
    (_("单位名称"), lambda p: p.name),
    (_("地址"), lambda p: p.address),
    (_("类别"), lambda p: p.get_category_display()),
    (_("风险等级"), lambda p: p.get_risk_level_display()),
    (_("消防安全重点单位"), lambda p: yes_no(p.is_key_unit)),
    (_("消防安全责任人"), lambda p: p.responsible_person),
    (_("责任人电话"), lambda p: p.responsible_phone),
    (_("辖区派出所"), lambda p: p.police_station.name if p.police_station else ""),
    (_("最近检查日期"), lambda p: p.last_inspected_on),
    (_("下次检查期限"), lambda p: p.next_inspection_due),
]


@roles_required(LIST_ROLES)
def premises_list(request):
    return list_page(
        request,
        selectors.premises_list(user=request.user).order_by("township__name", "name", "id"),
        PremisesPageFilter,
        template="townships/premises_list.html",
        export_name=_("社会单位"),
        columns=PREMISES_COLUMNS,
        context={"today": local_today()},
    )


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
