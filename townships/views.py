"""Pages of the townships app: the premises list (filtered, paginated, exported)."""

from django.utils.translation import gettext_lazy as _

from core.clock import local_today
from core.pages import LIST_ROLES, list_page, roles_required, yes_no
from townships import selectors
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
