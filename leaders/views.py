import json

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext

from core.clock import local_today
from core.exports import xlsx_response
from core.models import Role
from core.pages import wants_xlsx
from core.scoping import user_role
from inspections import selectors as inspection_selectors
from inspections.models import Campaign
from leaders import dashboard
from leaders import map as county_maps
from townships import selectors as township_selectors

DASHBOARD_ROLES = {Role.COUNTY_OFFICIAL, Role.GUIDANCE_CENTER}
# The map is also a township lead's, of their own township (the selectors scope it).
MAP_ROLES = {*DASHBOARD_ROLES, Role.TOWNSHIP_LEAD}
# The page lists this many premises beyond cover; the Excel export lists them all.
BEYOND_COVER_SHOWN = 200


def county_dashboard(request):
    """县级总览 for county officials and the guidance center; ?format=xlsx exports the table."""
    if user_role(request.user) not in DASHBOARD_ROLES:
        raise PermissionDenied
    on = local_today()
    # Read once: the choices, and the campaign shown is one of them.
    campaigns = list(dashboard.campaign_choices(user=request.user))
    try:
        campaign_id = int(request.GET["campaign"]) if request.GET.get("campaign") else None
        campaign = inspection_selectors.campaign_asked_or_current(
            user=request.user, campaign_id=campaign_id, on=on, campaigns=campaigns
        )
    except (ValueError, Campaign.DoesNotExist) as exc:
        raise Http404 from exc
    # The figures are kept as they change (inspections.tallies): computed on every request.
    data = dashboard.county_dashboard(user=request.user, campaign=campaign, on=on)
    if wants_xlsx(request):
        title = gettext("县级总览")
        return xlsx_response(
            filename=f"{title}-{campaign.name if campaign else ''}",
            title=title,
            headers=[str(h) for _, h in dashboard.COLUMNS],
            rows=dashboard.export_rows(data),
        )
    return render(
        request,
        "dashboard/county.html",
        {
            "data": data,
            "campaigns": campaigns,
            "chart": json.dumps(_chart(data.rows), ensure_ascii=False),
            "column_groups": dashboard.COLUMN_GROUPS,
            "columns": dashboard.COLUMNS,
        },
    )


def _ranked(rows, *values):
    """Rows for a horizontal bar chart: largest first (drawn on top), then by name."""
    return sorted(rows, key=lambda r: (*(-(v(r) or 0) for v in values), r.name))


def _chart(rows) -> dict:
    """The three charts' data, each in its own order: a township's bar is found by its size."""
    by_hazards = _ranked(rows, lambda r: r.hazards_found, lambda r: r.hazards_overdue)
    by_progress = _ranked(rows, lambda r: r.plan_percent, lambda r: r.assignment_rate)
    by_fires = _ranked(rows, lambda r: r.incidents, lambda r: r.incidents_last_season)
    return {
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
            "this_period": gettext("本期"),
            "last_year": gettext("上年同期"),
        },
        "hazards": {
            "townships": [r.name for r in by_hazards],
            "found": [r.hazards_found for r in by_hazards],
            "rectified": [r.hazards_rectified for r in by_hazards],
            "overdue": [r.hazards_overdue for r in by_hazards],
        },
        "progress": {
            "townships": [r.name for r in by_progress],
            "plan": [r.plan_percent or 0 for r in by_progress],
            "assignment": [r.assignment_rate or 0 for r in by_progress],
        },
        "incidents": {
            "townships": [r.name for r in by_fires],
            "this": [r.incidents for r in by_fires],
            "last": [r.incidents_last_season for r in by_fires],
        },
    }


def county_map(request):
    """地图: the county's townships, premises by risk, open hazards, brigades and their coverage;
    ?format=xlsx exports the premises no built brigade reaches."""
    if user_role(request.user) not in MAP_ROLES:
        raise PermissionDenied
    try:
        county_id = int(request.GET["county"]) if request.GET.get("county") else None
    except ValueError as exc:
        raise Http404 from exc
    counties = township_selectors.county_list(user=request.user)
    county = county_maps.county_choice(counties=counties, county_id=county_id)
    if county is None:
        raise Http404
    data = county_maps.county_map(user=request.user, county=county, on=local_today())
    if wants_xlsx(request):
        title = gettext("消防队覆盖不到的单位")
        return xlsx_response(
            filename=f"{county.name}-{title}",
            title=title,
            headers=[
                gettext("单位名称"),
                gettext("乡镇（街道办）"),
                gettext("风险等级"),
                gettext("最近的已建成队伍"),
                gettext("距离（公里）"),
                gettext("经度"),
                gettext("纬度"),
            ],
            rows=[
                [
                    p.name,
                    p.township,
                    str(p.risk_label),
                    p.nearest_brigade or "",
                    None if p.nearest_km is None else round(p.nearest_km, 1),
                    p.place.longitude,
                    p.place.latitude,
                ]
                for p in data.beyond_cover
            ],
        )
    return render(
        request,
        "dashboard/map.html",
        {
            "data": data,
            "chart": data.chart(),
            "beyond_cover_shown": data.beyond_cover[:BEYOND_COVER_SHOWN],
            "counties": counties,
        },
    )
