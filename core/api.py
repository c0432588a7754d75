"""What every API viewset shares: role permissions, scoping, and refusals as clean 400s."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import BaseRenderer

from core.exports import xlsx_bytes
from core.models import Role
from core.scoping import can_see_township, user_role

ALL_ROLES = frozenset(Role.values)
CENTER = frozenset({Role.GUIDANCE_CENTER})
# A township's own lead writes its records; the guidance center writes everything.
TOWNSHIP_WRITERS = frozenset({Role.TOWNSHIP_LEAD, Role.GUIDANCE_CENTER})


class RolePermission(permissions.BasePermission):
    """Reads: any user with a role (scoping limits what they see). Writes: the view's `write_roles`,
    or for a custom action, `action_roles[action]`."""

    message = _("您的角色无权执行此操作。")

    def has_permission(self, request, view):
        role = user_role(request.user)
        if role is None:
            return False
        action = getattr(view, "action", None)
        action_roles = getattr(view, "action_roles", {})
        if action in action_roles:
            return role in action_roles[action]
        if request.method in permissions.SAFE_METHODS:
            return True
        return role in getattr(view, "write_roles", CENTER)


def ensure_township_writable(user, township_id: int | None) -> None:
    """A write naming a township outside the user's scope is forbidden (403), not silently moved."""
    if township_id is not None and not can_see_township(user, township_id):
        raise exceptions.PermissionDenied(_("不能操作其他乡镇的数据。"))


class Pagination(PageNumberPagination):
    """Pages of 50 (page_size up to 500); an xlsx export takes every row the filters select."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    export_limit = 100_000

    def paginate_queryset(self, queryset, request, view=None):
        if (
            getattr(request, "accepted_renderer", None) is not None
            and request.accepted_renderer.format == "xlsx"
        ):
            return None
        return super().paginate_queryset(queryset, request, view)


class XLSXRenderer(BaseRenderer):
    """`?format=xlsx` on any list endpoint: the same rows, scope and filters, as a spreadsheet."""

    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if isinstance(data, dict) and "results" in data:
            rows = data["results"]
        elif isinstance(data, list):
            rows = data
        else:
            rows = [data] if isinstance(data, dict) else []  # a single object, or an error
        rows = [row for row in rows if isinstance(row, dict)]
        headers = list(rows[0].keys()) if rows else []
        body = [[_flatten(row.get(h)) for h in headers] for row in rows]
        view = (renderer_context or {}).get("view")
        name = getattr(view, "basename", None) or "export"
        if response is not None:
            response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return xlsx_bytes(title=name, headers=headers, rows=body)


def _flatten(value):
    if isinstance(value, (list, tuple)):
        return "、".join(str(_flatten(v)) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}：{_flatten(v)}" for k, v in value.items())
    return value
