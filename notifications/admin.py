from django.contrib import admin

from core.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Reminders are written only by the reminder rules; the admin reads them."""

    list_display = ["created_at", "recipient", "rule", "period", "title", "read_at", "email_status"]
    list_filter = ["rule", "email_status", ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "recipient__username"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
