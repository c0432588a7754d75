"""Each role's home: where the user lands after login, the township page (the township lead's home,
with its to-do list), the police station's home and the premises responsible person's home."""

from django.http import Http404
from django.shortcuts import redirect, render

from core.clock import local_today
from core.models import Role
from core.pages import roles_required
from core.scoping import user_role
from homes import selectors


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
    return render(request, "townships/detail.html", {"home": home})


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


@roles_required({Role.GRID_MEMBER})
def patrol_home(request):
    """The grid member's home: their grid's premises, this month's patrols and figures."""
    home = selectors.grid_member_home(user=request.user, on=local_today())
    if home is None:
        raise Http404
    return render(request, "inspections/patrol_home.html", {"home": home})
