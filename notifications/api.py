from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.answers import AnswerSerializer
from core.api import ALL_ROLES
from core.idempotency import IdempotentMixin
from core.models import Notification
from core.viewsets import ServiceSchema
from notifications import selectors, services


class NotificationSerializer(AnswerSerializer):
    """A reminder as the request's language (Accept-Language) reads it: its English title and text,
    or the Chinese it was written in."""

    title = serializers.SerializerMethodField()
    text = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "rule", "period", "title", "text", "url", "created_at", "read_at"]

    def get_title(self, notification) -> str:
        return selectors.notification_title(notification)

    def get_text(self, notification) -> str:
        return selectors.notification_text(notification)


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, allow_empty=False
    )


class MarkReadResultSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many reminders were marked read now.")
    detail = serializers.CharField()


class NotificationViewSet(
    IdempotentMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """My reminders (提醒). Everybody sees only their own."""

    schema = ServiceSchema()  # documents Idempotency-Key on its POST
    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()  # for the schema; get_queryset gives the real rows
    filterset_fields = {"rule": ["exact"], "read_at": ["isnull"], "created_at": ["gte", "lte"]}
    ordering_fields = ["created_at"]
    search_fields = ["title", "text", "title_en", "text_en"]  # found in either language
    action_roles = {"mark_read": ALL_ROLES}

    def get_queryset(self):
        return selectors.notification_list(user=self.request.user)

    @extend_schema(request=MarkReadSerializer, responses={200: MarkReadResultSerializer})
    @action(detail=False, methods=["post"], serializer_class=MarkReadSerializer, url_path="mark-read")
    def mark_read(self, request):
        """Mark the given reminders (or all of mine) as read."""
        serializer = MarkReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        count = services.notification_mark_read(
            user=request.user, notification_ids=serializer.validated_data.get("ids")
        )
        return Response({"marked": count, "detail": _("已标为已读。")})


ROUTES = [("notifications", NotificationViewSet, "notification")]
