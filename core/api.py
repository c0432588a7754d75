"""What every API viewset shares: the route gate (the apps' access policies), pagination, the JSON
parser, xlsx."""

import re
from itertools import accumulate

from django.conf import settings
from django.core.paginator import Paginator as DjangoPaginator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import parsers, permissions, renderers
from rest_framework.exceptions import NotAcceptable, ParseError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils import json

from core.exports import xlsx_bytes
from core.json_sql import JSONText
from core.models import Role
from core.scoping import user_role
from core.serializers import ValuesQuery

ALL_ROLES = frozenset(Role.values)
CENTER = frozenset({Role.GUIDANCE_CENTER})
# The plain write routes of a viewset (no viewset routes a delete: records are deleted in the admin).
WRITE_ACTIONS = ("create", "update", "partial_update")
# The reads a policy may gate too, when a role may not read a kind of record at all (least privilege).
READ_ACTIONS = ("list", "retrieve")


def write_routes(check, *actions: str) -> dict:
    """`route_checks` where one rule of the app's access policy gates several routes: `{action: check}`
    for `actions`, by default the plain write routes (WRITE_ACTIONS)."""
    return dict.fromkeys(actions or WRITE_ACTIONS, check)


class RolePermission(permissions.BasePermission):
    """The route gate of every viewset, asked before any input is read.

    A user without a role is turned away. A route the view lists in `route_checks` asks the app's
    access policy (`<app>.access.check_*`, called with only `by`): may this user's role ever do this?
    A refusal is AccessDenied, a 403 in the policy's own words — the words the pages, the admin, the
    imports and the service give — and the service asks again about the object itself. Reads pass
    (scoping limits what they see), unless the view routes them to the policy's read check: a kind
    of record a role may not read at all is a 403 in words, not an empty list. A method the view
    does not route passes on to its 405. Only a route that no policy check covers is gated by role:
    `action_roles[action]`, else `write_roles` for a write (the guidance center by default)."""

    message = _("您的角色无权执行此操作。")

    def has_permission(self, request, view):
        role = user_role(request.user)
        if role is None:
            return False
        action = getattr(view, "action", None)
        check = getattr(view, "route_checks", {}).get(action)
        if check is not None:
            check(by=request.user)  # AccessDenied: 403 with the reason
            return True
        action_roles = getattr(view, "action_roles", {})
        if action in action_roles:
            return role in action_roles[action]
        if request.method in permissions.SAFE_METHODS or _not_routed(request, view):
            return True
        return role in getattr(view, "write_roles", CENTER)


def _not_routed(request, view) -> bool:
    """A viewset has no route for this method here: nothing to gate, the view answers 405."""
    action_map = getattr(view, "action_map", None)
    return action_map is not None and request.method.lower() not in action_map


class Paginator(DjangoPaginator):
    """Django's paginator; a page of a list read as values (core.serializers.ValuesQuery) is read with
    the list's count in one query — the count asked apart only when the page has no rows."""

    def page(self, number):
        rows = self.object_list
        if isinstance(rows, ValuesQuery) and "count" not in self.__dict__ and _whole(number):
            number = int(number)
            bottom = (number - 1) * self.per_page
            read = rows.page(bottom, bottom + self.per_page) if number >= 1 else None
            if read is not None:
                self.__dict__["count"] = read[1]  # the cached_property, as Django would fill it
                if self.orphans and bottom + self.per_page + self.orphans >= read[1]:
                    return super().page(number)  # the orphans join this page: Django's slicing
                return self._get_page(read[0], number, self)
        return super().page(number)


def _whole(number) -> bool:
    return isinstance(number, int) or (isinstance(number, str) and number.isascii() and number.isdigit())


class Pagination(PageNumberPagination):
    """Pages of 50 (page_size up to 500). An xlsx export takes the rows the filters select, up to
    API_EXPORT_MAX_ROWS, and says so: `X-Export-Limit`, and `X-Export-Truncated: true` when there
    were more (narrow the filters to get the rest)."""

    django_paginator_class = Paginator
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def paginate_queryset(self, queryset, request, view=None):
        self.export = (
            getattr(request, "accepted_renderer", None) is not None
            and request.accepted_renderer.format == "xlsx"
        )
        if self.export:
            limit = settings.API_EXPORT_MAX_ROWS
            rows = list(queryset[: limit + 1])
            self.truncated = len(rows) > limit
            return rows[:limit]
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        if getattr(self, "export", False):
            response = Response(data)
            response["X-Export-Limit"] = str(settings.API_EXPORT_MAX_ROWS)
            if self.truncated:
                response["X-Export-Truncated"] = "true"
            return response
        return super().get_paginated_response(data)


class ContentNegotiation(DefaultContentNegotiation):
    """`?format=xlsx` is for reading (GET): on a write it is a 406 before anything is written, not a
    spreadsheet of the written row or of an error."""

    def select_renderer(self, request, renderers, format_suffix=None):
        wanted = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        if wanted == XLSXRenderer.format and request.method not in ("GET", "HEAD"):
            raise NotAcceptable(gettext("Excel 导出只用于读取（GET）。"))
        return super().select_renderer(request, renderers, format_suffix)


# A string, or an unterminated one to the end (so that every match consumes: linear time).
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"?', re.DOTALL)
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")


def json_depth(text: str) -> int:
    """How deeply `text`'s arrays and objects nest (brackets inside strings do not count)."""
    brackets = _NOT_A_BRACKET.sub("", _JSON_STRING.sub("", text))
    return max(accumulate(1 if b in "[{" else -1 for b in brackets), default=0)


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing (400) a body nested deeper than API_JSON_MAX_DEPTH before it is
    parsed: `[` × 3000 made the parser recurse past Python's limit, a 500 on every JSON endpoint."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding)
        except UnicodeDecodeError as exc:
            raise ParseError(gettext("JSON 格式错误：%(error)s") % {"error": exc}) from None
        depth = settings.API_JSON_MAX_DEPTH
        if json_depth(text) > depth:
            raise ParseError(gettext("JSON 嵌套层数过多，不能超过 %(limit)d 层。") % {"limit": depth})
        strict = api_settings.STRICT_JSON
        try:
            return json.loads(text, parse_constant=json.strict_constant if strict else None)
        except (ValueError, RecursionError) as exc:
            raise ParseError(gettext("JSON 格式错误：%(error)s") % {"error": exc}) from None


class JSONRenderer(renderers.JSONRenderer):
    """DRF's JSON renderer; an answer holding JSON already written (core.json_sql.JSONText: a list
    page's rows written by PostgreSQL) has it put in as it is, where the answer is compact JSON as
    PostgreSQL writes it, else parsed and written again (an `indent` asked for in Accept)."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if not isinstance(data, dict) or not any(isinstance(v, JSONText) for v in data.values()):
            return super().render(data, accepted_media_type, renderer_context)
        indent = self.get_indent(accepted_media_type, renderer_context or {})
        if indent is not None or not self.compact or self.ensure_ascii:
            data = {k: json.loads(v) if isinstance(v, JSONText) else v for k, v in data.items()}
            return super().render(data, accepted_media_type, renderer_context)
        encoder = self.encoder_class(ensure_ascii=False, allow_nan=not self.strict, separators=(",", ":"))
        members = (
            _js_safe(encoder.encode(k)).encode()
            + b":"
            + (_written(v) if isinstance(v, JSONText) else _js_safe(encoder.encode(v)).encode())
            for k, v in data.items()
        )
        return b"{" + b",".join(members) + b"}"


def _js_safe(text: str) -> str:
    """`text` with U+2028 and U+2029 escaped, as DRF's renderer escapes them (JSON allows them raw,
    JavaScript before ES2019 did not)."""
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _written(text: JSONText) -> bytes:
    # Looked for before replacing: a page's 30 kB without either cost ~75 µs to replace, ~2 µs to
    # search. Without either, its bytes as encoded once for its ETag too (JSONText.utf8).
    return _js_safe(text).encode() if "\u2028" in text or "\u2029" in text else text.utf8


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
