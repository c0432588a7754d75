from django.utils.translation import gettext as _

from core.models import Role
from core.scoping import user_role


def navigation(request):
    """The menu for the user's role (plain paths: each belongs to the app that serves it)."""
    user = getattr(request, "user", None)
    role = user_role(user) if user is not None else None
    if role is None:
        return {"nav_links": []}
    if role in (Role.COUNTY_OFFICIAL, Role.GUIDANCE_CENTER):
        links = [
            ("/dashboard/", _("县级总览")),
            ("/meetings/", _("会议部署")),
            ("/inspections/hazards/", _("隐患")),
            ("/brigades/", _("专职队")),
            ("/brigades/incidents/", _("火灾")),
            ("/reports/bulletin/", _("通报")),
        ]
        if role == Role.GUIDANCE_CENTER:
            links.append(("/imports/", _("导入")))
    elif role == Role.TOWNSHIP_LEAD:
        links = [
            (f"/townships/{user.profile.township_id}/", _("本乡镇")),
            ("/inspections/record/", _("录入检查")),
            ("/inspections/hazards/", _("隐患")),
            ("/brigades/", _("专职队")),
            ("/meetings/assignments/", _("会议任务")),
            ("/imports/", _("导入")),
        ]
    elif role == Role.POLICE_STATION:
        links = [("/townships/police/", _("辖区单位")), ("/inspections/hazards/", _("隐患"))]
    else:
        links = [("/inspections/self/", _("单位自查"))]
    return {"nav_links": links}
