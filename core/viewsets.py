"""The base of every API viewset (kept apart from core.api, which DRF's settings load early)."""

from typing import Any

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
