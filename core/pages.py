"""What every app's pages share: the role gate, GET filters whose choices are the user's scope,
pagination, and a filtered list that exports itself as xlsx with ?format=xlsx.

Views translate HTTP: they check the role may use the page, call a selector, render. Scope is the
selectors' (core.scoping): a record outside it answers 404.
"""

from collections.abc import Callable, Iterable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from core.exports import xlsx_response
from core.models import Role
from core.scoping import user_role

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


def allowed(check, **kwargs) -> bool:
    """Whether a permission check passes (to show or hide a form or a button)."""
    try:
        check(**kwargs)
    except PermissionDenied:
        return False
    return True


def filtered_queryset(filterset):
    """The filtered rows; 404 when a township/grid/premises filter names one outside the scope
    (or none at all). Other invalid values (a malformed date) are shown on the form and ignored."""
    errors = filterset.form.errors
    if any(name in errors for name in SCOPED_FILTERS):
        raise Http404
    return filterset.qs


def paginate(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def wants_xlsx(request) -> bool:
    return request.GET.get("format") == "xlsx"


def list_page(
    request,
    rows,
    filterset_class,
    template: str,
    export_name: str,
    columns: list[tuple[str, Callable]],
    *,
    context: dict | None = None,
):
    """A selector's `rows` filtered by the query through the resource's (page) FilterSet, rendered
    paginated, or with ?format=xlsx all of them exported with `columns`."""
    filterset = filterset_class(request.GET, queryset=rows, request=request)
    rows = filtered_queryset(filterset)
    if wants_xlsx(request):
        return xlsx_response(
            filename=str(export_name),
            title=str(export_name),
            headers=[str(header) for header, _value in columns],
            rows=([value(row) for _header, value in columns] for row in rows.iterator(chunk_size=500)),
        )
    page = paginate(request, rows)
    return render(request, template, {"filter": filterset, "page_obj": page, **(context or {})})


def yes_no(value) -> str:
    return str(_("是") if value else _("否"))
