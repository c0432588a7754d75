import json

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext

from core.clock import local_today
from core.exports import xlsx_response
from core.models import Role
from core.scoping import user_role
from inspections import selectors as inspection_selectors
from inspections.models import Campaign
from leaders import dashboard

DASHBOARD_ROLES = {Role.COUNTY_OFFICIAL, Role.GUIDANCE_CENTER}


def county_dashboard(request):
    """县级总览 for county officials and the guidance center; ?format=xlsx exports the table."""
    if user_role(request.user) not in DASHBOARD_ROLES:
        raise PermissionDenied
    on = local_today()
    try:
        campaign_id = int(request.GET["campaign"]) if request.GET.get("campaign") else None
        campaign = inspection_selectors.campaign_asked_or_current(
            user=request.user, campaign_id=campaign_id, on=on
        )
    except (ValueError, Campaign.DoesNotExist) as exc:
        raise Http404 from exc
    # The figures are kept as they change (inspections.tallies): computed on every request.
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
            headers=[str(h) for _, h in dashboard.COLUMNS],
            rows=rows,
        )
    by_name = sorted(data.rows, key=lambda r: r.name)
    chart = {
        # Chart text comes from here so that it is translated with the page.
        "labels": {
            "hazards": gettext("各乡镇隐患整改情况"),
            "found": gettext("发现"),
            "rectified": gettext("已销号"),
            "overdue": gettext("逾期"),
            "progress": gettext("检查进度与任务办结率（%）"),
            "plan": gettext("检查进度"),
            "assignment": gettext("任务办结率"),
            "incidents": gettext("火灾起数：本期与上年同期"),
            "this_season": gettext("本期"),
            "last_season": gettext("上年同期"),
        },
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
