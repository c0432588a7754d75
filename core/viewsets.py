"""The base of every API viewset (kept apart from core.api, which DRF's settings load early).

A resource's viewset is declarative:

    class PremisesViewSet(ServiceCreateMixin, ServiceUpdateMixin, ServiceViewSet):
        selector = staticmethod(selectors.premises_list)   # reads, scoped; applies filterset_class
        filterset_class = PremisesFilter                    # the resource's one filter language
        serializer_class = PremisesSerializer               # every answer
        input_serializers = {"create": ..., "update": ..., "partial_update": ...}
        create_service = staticmethod(services.premises_create)   # (**validated, by) -> row
        update_service = staticmethod(services.premises_update_from_api)  # (instance, data, by)
        route_checks = {"create": access.check_premises_create, "update": ..., "partial_update": ...}

Who may write is the app's access policy, enforced by the services (AccessDenied: 403 with its reason).
The route gate (core.api.RolePermission) asks the same policy before any input is read: each write
route names its check in `route_checks` (`{action: check}`; core.api.write_routes builds it), called
with only `by`: may this role ever do this?
"""

from typing import Any

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.openapi import AutoSchema
from rest_framework import filters, mixins, serializers, status, viewsets
from rest_framework.response import Response


class SelectorFilterBackend(DjangoFilterBackend):
    """The view's selector applied the view's `filterset_class` already (core.filters): this backend
    only describes the parameters in the schema."""

    def filter_queryset(self, request, queryset, view):
        return queryset


class ServiceSchema(AutoSchema):
    """Requests are described by `input_serializers[action]`, answers by `serializer_class`."""

    def get_request_serializer(self):
        inputs = getattr(self.view, "input_serializers", {})
        action = getattr(self.view, "action", None)
        return inputs[action]() if action in inputs else super().get_request_serializer()

    def get_response_serializers(self):
        if getattr(self.view, "action", None) in getattr(self.view, "input_serializers", {}):
            return self.view.serializer_class
        return super().get_response_serializers()


class ServiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Reads: `selector(user=..., filters=...)` (or a `get_queryset` of the subclass's own), scoped;
    a list passes the query's parameters, which the selector filters through `filterset_class`.
    Writes: `input_serializers[action]` validates the request, one service call writes, and the
    answer is the written row re-read through the selector (so it carries the same annotations as
    a list row)."""

    selector = None
    input_serializers: dict[str, type[serializers.Serializer]] = {}
    schema = ServiceSchema()

    def get_queryset(self):
        filters = self.request.query_params if self.action == "list" else None
        return self.selector(user=self.request.user, filters=filters)

    @property
    def filter_backends(self):
        backends = [filters.SearchFilter, filters.OrderingFilter]
        # Where the selector filters, the backend only documents; a custom get_queryset is filtered here.
        return [SelectorFilterBackend if self.selector is not None else DjangoFilterBackend, *backends]

    def get_serializer_class(self):
        return self.input_serializers.get(self.action, self.serializer_class)

    def validated_input(self, instance=None, *, partial: bool = False) -> dict[str, Any]:
        serializer = self.get_serializer(instance, data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def answer(self, instance, *, status_code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=instance.pk)
        return Response(self.serializer_class(fresh, context=self.get_serializer_context()).data, status_code)


class ServiceUpdateMixin:
    """PUT / PATCH: the action's input serializer validates (partially for PATCH) and
    `update_service(instance, data, by=user)` (or the subclass's `perform_service_update`) writes."""

    update_service = None

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_update_object()
        data = self.validated_input(instance, partial=partial)
        self.perform_service_update(instance, data)
        return self.answer(instance)

    def partial_update(self, request, *args, **kwargs):
        kwargs["partial"] = True
        return self.update(request, *args, **kwargs)

    def get_update_object(self):
        return self.get_object()

    def perform_service_update(self, instance, data: dict[str, Any]) -> None:
        self.update_service(instance, data, by=self.request.user)


class ServiceCreateMixin:
    """POST: `create_service(**validated input, by=user)` writes; 201 with the row."""

    create_service = None

    def create(self, request, *args, **kwargs):
        instance = self.create_service(**self.validated_input(), by=request.user)
        return self.answer(instance, status_code=status.HTTP_201_CREATED)
