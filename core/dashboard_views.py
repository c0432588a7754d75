import json

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from core import dashboard
from core.exports import xlsx_response
from core.models import Role
from core.scoping import user_role
from inspections.models import Campaign
from inspections.services import local_today

DASHBOARD_ROLES = {Role.COUNTY_OFFICIAL, Role.GUIDANCE_CENTER}


def county_dashboard(request):
    """县级总览 for county officials and the guidance center; ?format=xlsx exports the table."""
    if user_role(request.user) not in DASHBOARD_ROLES:
        raise PermissionDenied
    on = local_today()
    campaign_id = request.GET.get("campaign")
    if campaign_id:
        try:
            campaign = dashboard.campaign_choices(user=request.user).get(pk=int(campaign_id))
        except (ValueError, Campaign.DoesNotExist) as exc:
            raise Http404 from exc
    else:
        campaign = dashboard.current_campaign(on=on, user=request.user)
    data = dashboard.county_dashboard(user=request.user, campaign=campaign, on=on)
    if request.GET.get("format") == "xlsx":
        rows = [[getattr(r, attr) for attr, _ in dashboard.COLUMNS] for r in data.rows]
        if data.totals:
            rows.append(
                [getattr(data.totals, attr) if attr != "rank" else "" for attr, _ in dashboard.COLUMNS]
            )
        return xlsx_response(
            filename=f"县级总览-{campaign.name if campaign else ''}",
            title="县级总览",
            headers=[h for _, h in dashboard.COLUMNS],
            rows=rows,
        )
    by_name = sorted(data.rows, key=lambda r: r.name)
    chart = {
        "townships": [r.name for r in by_name],
        "found": [r.hazards_found for r in by_name],
        "rectified": [r.hazards_rectified for r in by_name],
        "overdue": [r.hazards_overdue for r in by_name],
        "plan": [r.plan_percent or 0 for r in by_name],
        "assignment": [r.assignment_rate or 0 for r in by_name],
        "incidents": [r.incidents for r in by_name],
        "incidents_last": [r.incidents_last_season for r in by_name],
    }
    return render(
        request,
        "dashboard/county.html",
        {
            "data": data,
            "campaigns": dashboard.campaign_choices(user=request.user),
            "chart": json.dumps(chart, ensure_ascii=False),
            "columns": dashboard.COLUMNS,
        },
    )
