"""The base of every API viewset (kept apart from core.api, which DRF's settings load early)."""

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from core.api import ensure_township_writable


class ServiceViewSet(viewsets.GenericViewSet):
    """Reads: the scoped selector of `get_queryset`. Writes: `input_serializers[action]` validates the
    request, one service call writes, and the answer is the written row re-read through the selector
    (so it carries the same annotations as a list row)."""

    input_serializers: dict[str, type[serializers.Serializer]] = {}

    def get_serializer_class(self):
        return self.input_serializers.get(self.action, self.serializer_class)

    def validated_input(self, instance=None, *, partial: bool = False) -> dict[str, Any]:
        serializer = self.get_serializer(instance, data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def answer(self, instance, *, status_code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=instance.pk)
        return Response(self.serializer_class(fresh, context=self.get_serializer_context()).data, status_code)

    def writable_object(self, township_id_of):
        """The scoped object of this detail route (404 outside scope), refused (403) when its
        township — `township_id_of(obj)` — is outside what the user may write."""
        instance = self.get_object()
        ensure_township_writable(self.request.user, township_id_of(instance))
        return instance


class ServiceUpdateMixin:
    """PUT / PATCH: the action's input serializer validates (partially for PATCH) and
    `perform_service_update(instance, data)` writes through the service."""

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
        raise NotImplementedError


def update_schema(request_serializer, response_serializer):
    """The OpenAPI description of PUT and PATCH for a viewset whose updates go through a service."""
    return extend_schema_view(
        update=extend_schema(request=request_serializer, responses={200: response_serializer}),
        partial_update=extend_schema(request=request_serializer, responses={200: response_serializer}),
    )
