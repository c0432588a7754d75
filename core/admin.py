from collections.abc import Callable, Iterable, Sequence

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import label_for_field, lookup_field
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.authtoken.models import TokenProxy
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from core import services
from core.exceptions import AccessDenied, ApplicationError
from core.exports import xlsx_response
from core.models import ApiToken, ImportJob, UserProfile
from core.services import copy_saved


@admin.register(UserProfile)
class UserProfileAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "role",
        "county",
        "township",
        "police_station",
        "premises",
        "department",
        "grid_member",
        "is_principal_leader",
    ]
    list_filter = ["role", "is_principal_leader", "county"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "township__name"]
    raw_id_fields = ["user", "premises", "grid_member"]
    list_select_related = [
        "user",
        "county",
        "township",
        "police_station",
        "premises",
        "department",
        "grid_member",
    ]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows something else writes (the services' figures, the reminder rules, the import runner): the
    admin reads them. `deletable`: whether the center may still delete them."""

    deletable = True

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self.deletable and super().has_delete_permission(request, obj)


class RecordInline(admin.TabularInline):
    """Rows filed by a step of their own (a disbursement, a rectification, a progress report): shown on
    their parent's page, every field read-only, never added, changed or deleted there."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


DEMO_FLAG = "is_demo"


class ChangeShownInWords(HistoricalRecordContextHelper):
    """A field's change in the history as the reader's words: a choice by its label, yes / no, and
    nothing as a dash, not the stored code ("under_construction", True, None)."""

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        field = self.model._meta.get_field(change.field)
        if value is None or value == "":
            return "—"
        if isinstance(value, bool):
            return _("是") if value else _("否")
        if field.choices and not isinstance(value, list):
            return dict(field.flatchoices).get(value, value)
        return value


class AuditedAdmin(SimpleHistoryAdmin):
    """Base of every domain ModelAdmin: history is shown, never reverted or edited. The audit
    trail is evidence for 责任倒查, read-only for everyone, the guidance center included.

    The demo flag (演示数据) is shown — column, filter and form field — only where the table holds
    demo rows: a county working with its own data never meets it."""

    def get_historical_record_context_helper(self, request, historical_record):
        return ChangeShownInWords(self.model, historical_record)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs)
        for record in historical_records:
            # A write without a stated reason reads as blank, not as the word "None".
            if record.history_change_reason is None:
                record.history_change_reason = ""

    def _demo_rows_present(self, request) -> bool:
        seen = request.__dict__.setdefault("_demo_rows_present", {})
        if self.model not in seen:
            seen[self.model] = self.model._default_manager.filter(**{DEMO_FLAG: True}).exists()
        return seen[self.model]

    def _without_demo_flag(self, request, names):
        names = list(names)
        if DEMO_FLAG not in names or self._demo_rows_present(request):
            return names
        return [name for name in names if name != DEMO_FLAG]

    def get_list_display(self, request):
        return self._without_demo_flag(request, super().get_list_display(request))

    def get_list_filter(self, request):
        return self._without_demo_flag(request, super().get_list_filter(request))

    def get_fields(self, request, obj=None):
        return self._without_demo_flag(request, super().get_fields(request, obj))

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.action(description=gettext_lazy("导出所选为 Excel"))
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
class ImportJobAdmin(ReadOnlyAdmin):
    """Imports are run from the import pages or `import_xlsx`; the admin reads them."""

    list_display = ["created_at", "owner", "kind", "status", "progress"]
    list_filter = ["kind", "status"]
    search_fields = ["owner__username"]
    date_hierarchy = "created_at"
    list_select_related = ["owner"]


# --- what every app's admin forms share: the services' rules as form errors ----------------


def form_value(form: forms.ModelForm, name: str):
    """The submitted value of `name`, or the instance's when the field is not on the form (read-only)."""
    if name in form.fields:
        return form.cleaned_data.get(name)
    try:
        return getattr(form.instance, name)
    except ObjectDoesNotExist:
        return None


def instance_values(obj, names: Iterable[str]) -> dict:
    """The admin's instance's values of `names` (the form has set them), as a service takes them."""
    return {name: getattr(obj, name) for name in names}


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
    """The form's changes among `allowed`, as an update service's `data`: the values the form has set
    on `obj`; for a many-to-many field (set only when saved), the form's."""
    many = {field.name for field in obj._meta.many_to_many}
    return {
        name: form.cleaned_data[name] if name in many else getattr(obj, name)
        for name in form.changed_data
        if name in allowed
    }


class ServiceAdmin(AuditedAdmin):
    """The guidance center's admin of a model whose writes have services: every save and delete, of
    the page's object and of its inlines' rows, is one service call with `by` = the admin user.
    Subclasses give the steps the model has; a step without a service is not offered.

    - `create_service(obj, form, by)` -> the saved row (its values are copied onto `obj`);
    - `update_service(obj, form, by)`: `changed_values(obj, form, ALLOWED)` says what changed;
    - `delete_service(obj, by)`;
    - `inline_services = {Model: InlineServices(create, update, delete)}`, each `(obj, by)`
      (`update` also gets the names of the changed fields; `create` returns the saved row).

    A page whose row is written with the same steps as an inline's rows names them once instead:
    `writes = InlineServices(...)` gives create_service, update_service and delete_service (those
    it has); `row_services(...)` makes them from services that take the row the usual way.

    `fixed_fields` are given when the row is created and read-only once it is saved (the rows filed
    under it, or the record it is, depend on them).

    The forms run the services' rule checks in `clean()` (RuleCheckedForm), so a refusal is a form
    error before anything is saved; a refusal at delete time is a 403 with its reason.
    """

    create_service = None
    update_service = None
    delete_service = None
    inline_services: dict = {}
    writes: "InlineServices | None" = None
    fixed_fields: Sequence[str] = ()

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        writes = self.writes
        if writes is None:
            return
        if writes.create is not None:
            self.create_service = lambda obj, form, by: writes.create(obj, by)
        if writes.update is not None:
            self.update_service = lambda obj, form, by: writes.update(obj, form.changed_data, by)
        if writes.delete is not None:
            self.delete_service = writes.delete

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is None:
            return readonly
        return [*self.fixed_fields, *(name for name in readonly if name not in self.fixed_fields)]

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
            # The formset's row becomes the saved one (pk, values): its many-to-many rows follow.
            copy_saved(target=obj, source=steps.create(obj, request.user))
        for obj, changed in formset.changed_objects:
            steps.update(obj, changed, request.user)
        formset.save_m2m()


class InlineServices:
    """The services an inline's rows are written with (see ServiceAdmin.inline_services): `create(obj,
    by)` returns the row it saved, `update(obj, changed, by)`, `delete(obj, by)`."""

    def __init__(self, *, create, update, delete):
        self.create, self.update, self.delete = create, update, delete


def row_services(
    *,
    row: str,
    create: Callable | None = None,
    fields: Iterable[str] = (),
    update: Callable | None = None,
    allowed: Iterable[str] = (),
    delete: Callable | None = None,
) -> InlineServices:
    """The steps of a row whose services take it the usual way: `create(**<the row's values of
    fields>, by=by)`, `update(<row>=obj, data=<its changed fields among allowed>, by=by)` and
    `delete(<row>=obj, by=by)` (those given). Plain fields: a many-to-many one needs its form."""
    fields, allowed = tuple(fields), frozenset(allowed)

    def created(obj, by):
        return create(**instance_values(obj, fields), by=by)

    def updated(obj, changed, by):
        update(**{row: obj}, data=instance_values(obj, allowed.intersection(changed)), by=by)

    def deleted(obj, by):
        delete(**{row: obj}, by=by)

    return InlineServices(
        create=created if create else None,
        update=updated if update else None,
        delete=deleted if delete else None,
    )


class RecordAdmin(ServiceAdmin):
    """Rows a step of the process files (a disbursement, a rectification, a re-inspection): adding
    one is the step's service, called with the add form's fields; a filed row is evidence, to be
    viewed only. `recorded_fields`: what its page shows once filed (default: the form's fields)."""

    step: Callable | None = None  # the service, e.g. staticmethod(services.disbursement_record)
    recorded_fields: tuple[str, ...] = ()

    def get_fields(self, request, obj=None):
        if obj is None or not self.recorded_fields:
            return super().get_fields(request, obj)
        return list(self.recorded_fields)

    def has_change_permission(self, request, obj=None):
        return False

    def create_service(self, obj, form, by):
        return self.step(**form.cleaned_data, by=by)


# --- admin actions that run a service on every selected row ----------------------------------

REFUSALS = (ApplicationError, AccessDenied, ValidationError)


def refusal_text(exc: Exception) -> str:
    """A refusal in its own words: an ApplicationError's or AccessDenied's message, a ValidationError's
    messages."""
    if isinstance(exc, ValidationError):
        return "；".join(str(message) for message in exc.messages)
    return str(exc.message)


def apply_to_each(
    modeladmin,
    request,
    rows: Iterable,
    step: Callable,
    *,
    done_message: str,
    label: Callable | None = None,
) -> None:
    """`step(row)` (one service call) for each selected row. A refusal writes nothing for its row and
    is reported in its own words (after `label(row)`, if given); then how many were done
    (`done_message % {"n": done}`)."""
    done = 0
    for row in rows:
        try:
            step(row)
        except REFUSALS as exc:
            text = refusal_text(exc) if label is None else f"{label(row)}：{refusal_text(exc)}"
            modeladmin.message_user(request, text, level=messages.ERROR)
        else:
            done += 1
    if done:
        modeladmin.message_user(request, done_message % {"n": done}, level=messages.SUCCESS)


# DRF's plain-text tokens are not used (core.models.ApiToken keeps digests): no empty page for them.
admin.site.unregister(TokenProxy)


@admin.action(description=gettext_lazy("撤销所选令牌"))
def revoke_tokens(modeladmin, request, queryset):
    apply_to_each(
        modeladmin,
        request,
        queryset,
        lambda token: services.api_token_revoke(token=token, by=request.user),
        done_message=_("已撤销 %(n)d 个令牌。"),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """The guidance center sees who holds API tokens, when each was last used, and revokes them
    (a lost phone, a person who left). Keys are never shown: only their first characters."""

    list_display = [
        "prefix",
        "user",
        "name",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
        "revoked_by",
    ]
    list_filter = ["revoked_at", "expires_at"]
    search_fields = ["user__username", "name", "prefix"]
    list_select_related = ["user", "revoked_by"]
    actions = [revoke_tokens]
    deletable = False  # a revoked token stays, with who revoked it and when
