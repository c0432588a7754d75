"""Reads of reminders: a user's own, and how many are unread."""

from django.db.models import QuerySet

from core.models import Notification


def notification_list(*, user) -> QuerySet[Notification]:
    """The user's own reminders, newest first."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def unread_count(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
