"""The base of every API viewset (kept apart from core.api, which DRF's settings load early).

A resource's viewset is declarative:

    class PremisesViewSet(ServiceCreateMixin, ServiceUpdateMixin, ServiceViewSet):
        selector = staticmethod(selectors.premises_list)   # reads, scoped; applies filterset_class
        filterset_class = PremisesFilter                    # the resource's one filter language
        serializer_class = PremisesSerializer               # every answer; its model is the schema's
        input_serializers = {"create": ..., "update": ...}  # PATCH validates with "update"
        create_service = staticmethod(services.premises_create)   # (**validated, by) -> row
        update_service = staticmethod(services.premises_update)   # (premises=instance, data, by)
        route_checks = {"create": access.check_premises_create, "update": ..., "partial_update": ...}

Who may write is the app's access policy, enforced by the services (AccessDenied: 403 with its reason).
The route gate (core.api.RolePermission) asks the same policy before any input is read: each write
route names its check in `route_checks` (`{action: check}`; core.api.write_routes builds it), called
with only `by`: may this role ever do this?
"""

import hashlib
import inspect
import json
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpResponseNotModified
from django.utils.http import parse_etags
from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, filters, mixins, serializers, status, viewsets
from rest_framework.response import Response

from core.api import JSONRenderer
from core.filters import FilterBackend, OrderingFilter
from core.idempotency import HEADER as IDEMPOTENCY_HEADER
from core.idempotency import IdempotentMixin
from core.json_sql import JSONText


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("记录已被他人修改：请重新读取后再修改。")
    default_code = "stale"


def etag_of(data) -> str:
    """A resource state's entity tag: its answer's data, canonical (the same whatever renderer
    answers, JSON, the browsable API or xlsx), except a list page whose rows PostgreSQL wrote as
    JSON: tagged over that text, so its JSON answer's tag is not the browsable API's (a client
    revalidates in the format it read)."""
    digest = hashlib.sha256()
    if isinstance(data, dict) and any(isinstance(v, JSONText) for v in data.values()):
        # JSON written already (a list page's rows): hashed as it is, after the rest, not escaped
        # again as one long string (~0.15 ms a page).
        written = sorted((k, v) for k, v in data.items() if isinstance(v, JSONText))
        data = {k: v for k, v in data.items() if not isinstance(v, JSONText)}
        for key, text in written:
            digest.update(f"\0{key}\0".encode())
            digest.update(text.utf8)
    digest.update(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode())
    return '"' + digest.hexdigest()[:40] + '"'


def etag_matches(tag: str, header: str | None, *, weak: bool = True) -> bool:
    """Whether an If-None-Match (weak comparison) or If-Match (strong) header names `tag`."""
    if not header:
        return False
    tags = parse_etags(header)
    if "*" in tags:
        return True
    if weak:
        tags = [t.removeprefix("W/") for t in tags]
    return tag in tags


class SelectorFilterBackend(FilterBackend):
    """The view's selector applied the view's `filterset_class` already (core.filters): this backend
    only describes the parameters in the schema."""

    def filter_queryset(self, request, queryset, view):
        return queryset


def instance_parameter(service) -> str:
    """The name a service takes its object by: the first of its keywords, as in the apps' services
    (`brigade_accept(*, brigade, accepted_on, accepted_by, by)`)."""
    return next(iter(inspect.signature(service).parameters))


def input_serializer_of(view) -> type[serializers.Serializer] | None:
    """The serializer `view.input_serializers` gives the current action (PATCH: the one of "update",
    unless it has its own), or None."""
    inputs = getattr(view, "input_serializers", {})
    action = getattr(view, "action", None)
    if action == "partial_update" and action not in inputs:
        action = "update"
    return inputs.get(action)


# The optional request headers the API honours, by method: (methods, header, what it does).
REQUEST_HEADERS = [
    (
        ("POST",),
        IDEMPOTENCY_HEADER,
        _(
            "可选。同一请求重发时带同一个键：返回第一次的应答，不重复写入；同一个键用于不同的请求返回 422。保留一天。"
        ),
    ),
    (("PUT", "PATCH"), "If-Match", _("可选。读取时得到的 ETag：记录此后被他人修改的，返回 412，不作修改。")),
    (("GET",), "If-None-Match", _("可选。上次得到的 ETag：内容未变的，返回 304，不带内容。")),
]


class ServiceSchema(AutoSchema):
    """Requests are described by the action's input serializer, answers by `serializer_class`."""

    def get_request_serializer(self):
        inputs = input_serializer_of(self.view)
        return inputs() if inputs is not None else super().get_request_serializer()

    def get_override_parameters(self):
        headers = [(name, text) for methods, name, text in REQUEST_HEADERS if self.method in methods]
        return [
            *super().get_override_parameters(),
            *(
                OpenApiParameter(name, OpenApiTypes.STR, OpenApiParameter.HEADER, description=str(text))
                for name, text in headers
            ),
        ]

    def get_response_serializers(self):
        if input_serializer_of(self.view) is not None:
            return self.view.serializer_class
        return super().get_response_serializers()


class SchemaQueryset:
    """`ServiceViewSet.queryset`: none of the rows of `serializer_class`'s model — what the router and
    the schema read. A request's rows come from the selector."""

    def __get__(self, instance, owner):
        serializer_class = getattr(owner, "serializer_class", None)
        return None if serializer_class is None else serializer_class.Meta.model.objects.none()


class ServiceViewSet(
    IdempotentMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Reads: `selector(user=..., filters=...)` (or a `get_queryset` of the subclass's own), scoped;
    a list passes the query's parameters, which the selector filters through `filterset_class`.
    Writes: `input_serializers[action]` validates the request, one service call writes, and the
    answer is the written row re-read through the selector (so it carries the same annotations as
    a list row)."""

    selector = None
    queryset = SchemaQueryset()
    input_serializers: dict[str, type[serializers.Serializer]] = {}
    schema = ServiceSchema()

    def get_queryset(self):
        filters = self.request.query_params if self.action == "list" else None
        return self.selector(user=self.request.user, filters=filters)

    @property
    def filter_backends(self):
        backends = [filters.SearchFilter, OrderingFilter]
        # Where the selector filters, the backend only documents; a custom get_queryset is filtered here.
        return [SelectorFilterBackend if self.selector is not None else FilterBackend, *backends]

    def get_serializer_class(self):
        return input_serializer_of(self) or self.serializer_class

    def reads_values(self) -> bool:
        """Whether this list is read as values (its serializer declares ValuesRowsMixin, on
        PostgreSQL: settings.API_LISTS_AS_VALUES)."""
        as_values = settings.API_LISTS_AS_VALUES
        if as_values is None:
            as_values = connection.vendor == "postgresql"
        return as_values and hasattr(self.serializer_class, "values_rows")

    def list(self, request, *args, **kwargs):
        """A serializer that declares its lists read as values (core.serializers.ValuesRowsMixin):
        the page's rows in one query, no model instance built; else DRF's list."""
        if not self.reads_values():
            return super().list(request, *args, **kwargs)
        rows = self.serializer_class.values_rows
        # A page's rows by id, with SQL compiled once (core.serializers.RowsById), where the view says how.
        by_id = self.page_rows_by_id() if hasattr(self, "page_rows_by_id") else None
        # A page's ids from a compiled query (with their filters validated), where the view has one:
        # the list's queryset is then built only if the paginator needs more than a page.
        page_ids = self.page_ids() if by_id is not None and hasattr(self, "page_ids") else None
        if page_ids is None:
            queryset = self.filter_queryset(self.get_queryset())
        else:
            queryset = lambda: self.filter_queryset(self.get_queryset())  # noqa: E731
        json_media = self.json_media() if by_id is not None else None  # (JSON rows are read by id)
        values = rows.queryset(queryset, by_id=by_id, json_media=json_media, page_ids=page_ids)
        page = self.paginate_queryset(values)
        if values.wrote_json:  # the page's rows as PostgreSQL wrote them, put in the answer as they are
            data = JSONText("[" + ",".join(page) + "]")
        else:
            context = self.get_serializer_context()
            data = rows.write(values if page is None else page, context=context, columns=values.columns)
        return Response(data) if page is None else self.get_paginated_response(data)

    def json_media(self) -> str | None:
        """Where a list page may be written as JSON by PostgreSQL (settings.API_LISTS_AS_JSON, an
        answer the API's JSON renderer writes): the absolute media URL its files' URLs start with."""
        renderer = getattr(self.request, "accepted_renderer", None)
        if not settings.API_LISTS_AS_JSON or type(renderer) is not JSONRenderer:
            return None
        return self.request.build_absolute_uri(getattr(default_storage, "base_url", None) or "/")

    def validated_input(self, instance=None, *, partial: bool = False) -> dict[str, Any]:
        serializer = self.get_serializer(instance, data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def finalize_response(self, request, response, *args, **kwargs):
        """An answer that is a resource's state (GET, PUT, PATCH: 200) carries its ETag; a GET whose
        If-None-Match names it is a 304 without a body."""
        response = super().finalize_response(request, response, *args, **kwargs)
        if (
            request.method in ("GET", "HEAD", "PUT", "PATCH")
            and response.status_code == status.HTTP_200_OK
            and isinstance(response, Response)
            and response.data is not None
            # An export is a download, not a state to revalidate (and hashing 100,000 rows costs).
            and getattr(request, "accepted_renderer", None) is not None
            and request.accepted_renderer.format != "xlsx"
        ):
            tag = etag_of(response.data)
            response["ETag"] = tag
            if request.method in ("GET", "HEAD") and etag_matches(tag, request.headers.get("If-None-Match")):
                unchanged = HttpResponseNotModified()
                unchanged["ETag"] = tag
                return unchanged
        return response

    def answer(self, instance, *, status_code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=instance.pk)
        return Response(self.serializer_class(fresh, context=self.get_serializer_context()).data, status_code)

    def act(self, service, *, status_code=status.HTTP_200_OK) -> Response:
        """A detail route's step: `service(<instance>=the object, **the action's validated input,
        by=user)` writes, and the answer is the object, re-read."""
        instance = self.get_object()
        service(**{instance_parameter(service): instance}, **self.validated_input(), by=self.request.user)
        return self.answer(instance, status_code=status_code)


class ServiceUpdateMixin:
    """PUT / PATCH: the input serializer of "update" validates (partially for PATCH) and
    `update_service` (or the subclass's `perform_service_update`) writes. The service is an app's
    `<entity>_update(*, <entity>, data, by)`: its first parameter names the instance."""

    update_service = None

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_update_object()
        self.check_if_match(instance)
        data = self.validated_input(instance, partial=partial)
        self.perform_service_update(instance, data)
        return self.answer(instance)

    def partial_update(self, request, *args, **kwargs):
        kwargs["partial"] = True
        return self.update(request, *args, **kwargs)

    def get_update_object(self):
        return self.get_object()

    def check_if_match(self, instance) -> None:
        """`If-Match` (optional): the change is made only to the state the client read. A stale
        tag — someone changed the record since — is a 412, and nothing is written."""
        header = self.request.headers.get("If-Match")
        if header is None or header.strip() == "*":
            return
        if not etag_matches(etag_of(self.answer(instance).data), header, weak=False):
            raise PreconditionFailed  # its code in the envelope (core.api_errors): the class's own

    def perform_service_update(self, instance, data: dict[str, Any]) -> None:
        service = self.update_service
        service(**{instance_parameter(service): instance}, data=data, by=self.request.user)


class ServiceCreateMixin:
    """POST: `create_service(**validated input, by=user)` writes; 201 with the row."""

    create_service = None

    def create(self, request, *args, **kwargs):
        instance = self.create_service(**self.validated_input(), by=request.user)
        return self.answer(instance, status_code=status.HTTP_201_CREATED)
