from django.utils.translation import gettext_lazy as _

from core.models import Role
from core.scoping import user_role

# Every entry of the menu once (plain paths: each belongs to the app that serves it).
LINKS = {
    "dashboard": ("/dashboard/", _("县级总览")),
    "map": ("/map/", _("地图")),
    "meetings": ("/meetings/", _("会议部署")),
    "hazards": ("/inspections/hazards/", _("隐患")),
    "brigades": ("/brigades/", _("专职队")),
    "incidents": ("/brigades/incidents/", _("火灾")),
    "bulletin": ("/reports/bulletin/", _("通报")),
    "assessment": ("/assessments/", _("考核")),
    "imports": ("/imports/", _("导入")),
    "township": ("/townships/{township_id}/", _("本乡镇")),
    "record": ("/inspections/record/", _("录入检查")),
    "fire_report": ("/brigades/incidents/report/", _("火灾上报")),
    "assignments": ("/meetings/assignments/", _("会议任务")),
    "police": ("/townships/police/", _("辖区单位")),
    "self": ("/inspections/self/", _("单位自查")),
    "patrols": ("/inspections/patrols/", _("网格巡查")),
    "patrol_record": ("/inspections/patrols/record/", _("录入巡查")),
    "patrol_ranking": ("/inspections/patrols/ranking/", _("巡查排行")),
}
COUNTY_MENU = ("dashboard", "map", "meetings", "hazards", "brigades", "incidents", "bulletin", "assessment")
MENUS = {
    Role.COUNTY_OFFICIAL: COUNTY_MENU,
    Role.GUIDANCE_CENTER: (*COUNTY_MENU, "imports"),
    Role.TOWNSHIP_LEAD: (
        "township",
        "record",
        "fire_report",
        "hazards",
        "brigades",
        "assignments",
        "assessment",
        "map",
        "imports",
    ),
    Role.POLICE_STATION: ("police", "hazards"),
    Role.PREMISES_RESPONSIBLE: ("self",),
    # The hazards handed over to it and the major ones (inspections.selectors.visible_hazards).
    Role.FIRE_RESCUE: ("hazards", "meetings"),
    # Its own department's meeting tasks.
    Role.COUNTY_DEPARTMENT: ("assignments", "meetings"),
    # The premises of their grid, their patrols and the hazards found in the grid.
    Role.GRID_MEMBER: ("patrols", "patrol_record", "hazards", "patrol_ranking"),
}


def navigation(request):
    """The menu for the user's role."""
    user = getattr(request, "user", None)
    role = user_role(user) if user is not None else None
    if role is None:
        return {"nav_links": []}
    links = []
    for name in MENUS[role]:
        path, label = LINKS[name]
        if name == "township":
            path = path.format(township_id=user.profile.township_id)
        links.append((path, str(label)))
    return {"nav_links": links}
