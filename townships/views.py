"""Pages of the township fire lead and the police station: the township page (the lead's home,
with its to-do list), the police station's home and the premises list.

Views translate HTTP: they check the role may use the page, call a selector, render. Scope is the
selectors' (core.scoping): a record outside it answers 404. The small helpers here (role check,
GET filters, pagination, xlsx export) are shared with inspections.views.
"""

from collections.abc import Callable, Iterable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from core.exports import xlsx_response
from core.list_cache import remember
from core.models import Role
from core.scoping import user_role
from inspections.services import inspection_recording_policy, local_today
from townships import selectors
from townships.page_filters import PremisesPageFilter

PAGE_SIZE = 50
# Everybody with a role but a premises' responsible person, who has only their own pages.
LIST_ROLES = frozenset({Role.COUNTY_OFFICIAL, Role.GUIDANCE_CENTER, Role.TOWNSHIP_LEAD, Role.POLICE_STATION})
# Filters whose choices are the user's scope: a value outside it is a record the user may not see.
SCOPED_FILTERS = ("township", "grid", "premises")


def roles_required(roles: Iterable[str]):
    """403 unless the user's role is one of `roles`."""
    roles = frozenset(roles)

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if user_role(request.user) not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def filtered_queryset(filterset):
    """The filtered rows; 404 when a township/grid/premises filter names one outside the scope
    (or none at all). Other invalid values (a malformed date) are shown on the form and ignored."""
    errors = filterset.form.errors
    if any(name in errors for name in SCOPED_FILTERS):
        raise Http404
    return filterset.qs


def paginate(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def list_page(
    request,
    *,
    filterset,
    template: str,
    export_name: str,
    columns: list[tuple[str, Callable]],
    context: dict | None = None,
):
    """Render a filtered, paginated list, or with ?format=xlsx export all its filtered rows."""
    rows = filtered_queryset(filterset)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(
            filename=str(export_name),
            title=str(export_name),
            headers=[str(header) for header, _value in columns],
            rows=([value(row) for _header, value in columns] for row in rows.iterator(chunk_size=500)),
        )
    page = paginate(request, rows)
    return render(
        request,
        template,
        {"filter": filterset, "page_obj": page, "may_record": may_record(request.user), **(context or {})},
    )


def may_record(user) -> bool:
    return inspection_recording_policy(user=user) is not None


def yes_no(value) -> str:
    return str(_("是") if value else _("否"))


# --- pages ----------------------------------------------------------------------------------


def township_detail(request, pk: int):
    """The township page: figures and the to-do list. County officials, the guidance center, the
    township's lead and the police stations covering it; anybody else 404."""
    # Asked for again and again between writes (leads open it as their home): kept until any write.
    today = local_today()
    home = remember(
        request.user,
        "township_home",
        pk,
        compute=lambda: selectors.township_home(user=request.user, township_id=pk, on=today),
    )
    if home is None:
        raise Http404
    return render(request, "townships/detail.html", {"home": home, "may_record": may_record(request.user)})


@roles_required({Role.POLICE_STATION})
def police_home(request):
    home = selectors.police_home(user=request.user, on=local_today())
    return render(request, "townships/police_home.html", {"home": home})


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
    queryset = selectors.premises_list(user=request.user).order_by("township__name", "name", "id")
    filterset = PremisesPageFilter(request.GET, queryset=queryset, request=request)
    return list_page(
        request,
        filterset=filterset,
        template="townships/premises_list.html",
        export_name=_("社会单位"),
        columns=PREMISES_COLUMNS,
        context={"today": local_today()},
    )
