from django import forms
from django.contrib import admin
from django.contrib.admin.utils import label_for_field, lookup_field
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from simple_history.admin import SimpleHistoryAdmin

from core.exceptions import AccessDenied, ApplicationError
from core.exports import xlsx_response
from core.models import ImportJob, UserProfile
from core.services import copy_saved


@admin.register(UserProfile)
class UserProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "county", "township", "police_station", "premises", "is_principal_leader"]
    list_filter = ["role", "is_principal_leader", "county"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "township__name"]
    raw_id_fields = ["user", "premises"]
    list_select_related = ["user", "county", "township", "police_station", "premises"]


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


# --- what every app's admin forms share: the services' rules as form errors ----------------


def form_value(form: forms.ModelForm, name: str):
    """The submitted value of `name`, or the instance's when the field is not on the form (read-only)."""
    if name in form.fields:
        return form.cleaned_data.get(name)
    try:
        return getattr(form.instance, name)
    except ObjectDoesNotExist:
        return None


def adopt(obj, saved) -> None:
    """Make the admin's unsaved instance the row a create service saved (pk, values, state)."""
    copy_saved(target=obj, source=saved)


class RuleCheckedForm(forms.ModelForm):
    """A model form that also runs a service-side rule check once the fields themselves are valid."""

    def check_rules(self) -> None:
        """Raise ApplicationError (or AccessDenied) when a service would refuse these values."""

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                self.check_rules()
            except (ApplicationError, AccessDenied) as exc:
                raise ValidationError(str(exc.message)) from exc
        return cleaned


def changed_values(obj, form: forms.ModelForm, allowed: frozenset[str]) -> dict:
    return {name: getattr(obj, name) for name in form.changed_data if name in allowed}


class ServiceAdmin(AuditedAdmin):
    """The guidance center's admin of a model whose writes have services: every save and delete, of
    the page's object and of its inlines' rows, is one service call with `by` = the admin user.
    Subclasses give the steps the model has; a step without a service is not offered.

    - `create_service(obj, form, by)` -> the saved row (its values are copied onto `obj`);
    - `update_service(obj, form, by)`: `changed_values(obj, form, ALLOWED)` says what changed;
    - `delete_service(obj, by)`;
    - `inline_services = {Model: InlineServices(create, update, delete)}`, each `(obj, by)`
      (`update` also gets the names of the changed fields).

    The forms run the services' rule checks in `clean()` (RuleCheckedForm), so a refusal is a form
    error before anything is saved; a refusal at delete time is a 403 with its reason.
    """

    create_service = None
    update_service = None
    delete_service = None
    inline_services: dict = {}

    def has_add_permission(self, request, *args):
        return self.create_service is not None and super().has_add_permission(request, *args)

    def has_delete_permission(self, request, obj=None):
        return self.delete_service is not None and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            self.update_service(obj, form, request.user)
        else:
            copy_saved(target=obj, source=self.create_service(obj, form, request.user))

    def delete_model(self, request, obj):
        try:
            self.delete_service(obj, request.user)
        except (ApplicationError, AccessDenied) as exc:
            raise PermissionDenied(str(exc.message)) from exc

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        steps = self.inline_services.get(formset.model)
        if steps is None:
            super().save_formset(request, form, formset, change)
            return
        formset.save(commit=False)  # fills new / changed / deleted objects, writes nothing
        for obj in formset.deleted_objects:
            steps.delete(obj, request.user)
        for obj in formset.new_objects:
            steps.create(obj, request.user)
        for obj, changed in formset.changed_objects:
            steps.update(obj, changed, request.user)
        formset.save_m2m()


class InlineServices:
    """The services an inline's rows are written with (see ServiceAdmin.inline_services)."""

    def __init__(self, *, create, update, delete):
        self.create, self.update, self.delete = create, update, delete
