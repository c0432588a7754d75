from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Reminder rules over every app's records, the inbox, and delivery by Celery."""

    name = "notifications"
    verbose_name = _("提醒")
