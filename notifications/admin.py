from django.contrib import admin

from core.admin import ReadOnlyAdmin
from core.models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """Reminders are written only by the reminder rules; the admin reads them."""

    list_display = ["created_at", "recipient", "rule", "period", "title", "read_at", "email_status"]
    list_filter = ["rule", "email_status", ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "recipient__username"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient"]
