from django.contrib import admin
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

from core.models import ImportJob, Notification, UserProfile


@admin.register(UserProfile)
class UserProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "county", "township", "police_station", "premises", "is_principal_leader"]
    list_filter = ["role", "is_principal_leader", "county"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "township__name"]
    raw_id_fields = ["user", "premises"]
    list_select_related = ["user", "county", "township", "police_station", "premises"]


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


class AuditedAdmin(SimpleHistoryAdmin):
    """Base of every domain ModelAdmin: history is shown, never reverted or edited. The audit
    trail is evidence for 责任倒查, read-only for everyone, the guidance center included."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.action(description="导出所选为 Excel")
def export_selected_xlsx(modeladmin, request, queryset):
    """Every changelist can export what is selected, with the columns it shows."""
    from django.contrib.admin.utils import label_for_field, lookup_field

    from core.exports import xlsx_response

    fields = [f for f in modeladmin.get_list_display(request) if f != "action_checkbox"]
    headers = [str(label_for_field(f, modeladmin.model, modeladmin)) for f in fields]
    rows = []
    for obj in queryset:
        row = []
        for name in fields:
            _field, _attr, value = lookup_field(name, obj, modeladmin)
            row.append(value)
        rows.append(row)
    title = str(modeladmin.model._meta.verbose_name_plural)
    return xlsx_response(filename=title, title=title, headers=headers, rows=rows)


admin.site.add_action(export_selected_xlsx, "export_selected_xlsx")


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Imports are run from the import pages or `import_xlsx`; the admin reads them."""

    list_display = ["created_at", "owner", "kind", "status", "progress"]
    list_filter = ["kind", "status"]
    search_fields = ["owner__username"]
    date_hierarchy = "created_at"
    list_select_related = ["owner"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
