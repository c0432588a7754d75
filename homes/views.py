"""Each role's home: where the user lands after login, the township page (the township lead's home,
with its to-do list), the police station's home and the premises responsible person's home."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.access import allowed
from core.clock import local_today
from core.exceptions import ApplicationError
from core.models import Role
from core.pages import roles_required
from core.scoping import user_role
from firebrigade import access as brigade_access
from firebrigade import services as brigade_services
from firebrigade.forms import EquipmentCheckForm
from homes import selectors
from inspections import access as inspection_access
from townships import access as township_access


def home(request):
    """Each role lands where its work is."""
    role = user_role(request.user)
    if role in (Role.COUNTY_OFFICIAL, Role.GUIDANCE_CENTER):
        return redirect("county-dashboard")
    if role == Role.TOWNSHIP_LEAD:
        return redirect("homes:township", request.user.profile.township_id)
    if role == Role.POLICE_STATION:
        return redirect("homes:police")
    if role == Role.PREMISES_RESPONSIBLE:
        return redirect("homes:self")
    if role == Role.FIRE_RESCUE:
        return redirect("inspections:hazard-list")
    if role == Role.COUNTY_DEPARTMENT:
        return redirect("meetings:assignment-list")
    if role == Role.GRID_MEMBER:
        return redirect("homes:patrols")
    return render(request, "home.html")


def township_detail(request, pk: int):
    """The township page: a campaign's figures (?campaign=<id>, default the current one) and the
    to-do list. County officials, the guidance center, the township's lead and the police stations
    covering it; anybody else 404 (a campaign of another county too)."""
    campaign_id = _int_or_404(request.GET.get("campaign"))
    home = selectors.township_home(
        user=request.user, township_id=pk, on=local_today(), campaign_id=campaign_id
    )
    if home is None:
        raise Http404
    may_edit_premises = allowed(
        township_access.check_premises_create, by=request.user, township=home.township
    )
    may_label = allowed(township_access.check_premises_code, by=request.user, township=home.township)
    return render(
        request,
        "townships/detail.html",
        {"home": home, "may_edit_premises": may_edit_premises, "may_label": may_label},
    )


def _int_or_404(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return int(value)
    except ValueError as exc:
        raise Http404 from exc


@roles_required({Role.POLICE_STATION})
def police_home(request):
    home = selectors.police_home(user=request.user, on=local_today())
    return render(request, "townships/police_home.html", {"home": home})


@roles_required({Role.PREMISES_RESPONSIBLE})
def self_home(request):
    home = selectors.responsible_home(user=request.user)
    if home is None:
        raise Http404
    return render(request, "inspections/self_home.html", {"home": home})


def scan(request, token: str):
    """一店一码: what a scanned QR code opens. A premises code: its card (responsible person, last
    inspection, open hazards) and the way into a pre-filled inspection or self-inspection; an
    equipment code: the item, its last check and the form to record a maintenance check (POST).
    Login required (the site's); a revoked code is refused (410), a record outside the user's scope
    too (403), and neither writes anything."""
    found = selectors.scan(user=request.user, token=token)
    if found.state == "unknown":
        raise Http404(_("没有找到这个二维码，请核对后重新扫描。"))
    if found.state == "revoked":
        return render(request, "scan/revoked.html", status=410)
    if found.state == "refused":
        raise PermissionDenied(_("这个二维码所属的单位或装备不在您的管辖范围内，不能查看。"))
    if found.state == "premises":
        premises = found.premises
        return render(
            request,
            "scan/premises.html",
            {
                "scan": found,
                "p": premises,
                "may_inspect": allowed(
                    inspection_access.check_inspection_record, by=request.user, premises=premises
                ),
                "self_inspection": user_role(request.user) == Role.PREMISES_RESPONSIBLE,
            },
        )
    item = found.item
    may_check = allowed(brigade_access.check_equipment_check, by=request.user, brigade=item.brigade)
    form = EquipmentCheckForm(initial={"checked_on": local_today()})
    if request.method == "POST":
        if not may_check:
            raise PermissionDenied(_("只有本乡镇消防专干（分管副职）或指导中心可以登记装备维护检查。"))
        form = EquipmentCheckForm(request.POST)
        if form.is_valid():
            try:
                brigade_services.equipment_check_record(item=item, **form.cleaned_data, by=request.user)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("已登记“%(item)s”的维护检查。") % {"item": item})
                return redirect("scan", token)
    return render(
        request, "scan/equipment.html", {"scan": found, "item": item, "form": form, "may_check": may_check}
    )


@roles_required({Role.GRID_MEMBER})
def patrol_home(request):
    """The grid member's home: their grid's premises, this month's patrols and figures."""
    home = selectors.grid_member_home(user=request.user, on=local_today())
    if home is None:
        raise Http404
    return render(request, "inspections/patrol_home.html", {"home": home})
