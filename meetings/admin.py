"""Admin of the meetings app. Every write with a rule goes through meetings.services: forms call the
service's `*_check` in clean() (refusals become form errors), new rows are created by the service,
state fields are read-only and state changes are admin actions."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin import AuditedAdmin
from core.exceptions import ApplicationError
from meetings import services
from meetings.models import Assignment, Attendance, Directive, Meeting, ProgressReport, Statement

STATE_FIELDS = ["status", "progress_percent", "closed_on"]


def _adopt(obj, created) -> None:
    """The admin goes on with `obj` (inlines, log entry, redirect): make it the row the service created."""
    for model_field in created._meta.concrete_fields:
        setattr(obj, model_field.attname, getattr(created, model_field.attname))
    obj._state.adding = False
    obj._state.db = created._state.db


def _refusal_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc)


class ParentFormSet(BaseInlineFormSet):
    """Gives each inline form the parent object (still unsaved on an add page) as `form.parent`."""

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "parent": self.instance}


class ChildForm(forms.ModelForm):
    def __init__(self, *args, parent=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.parent = parent


def _rows_through_service(formset, create, *, by) -> None:
    """Save an inline formset: new rows through `create(obj)` (a service), edits and deletions as is."""
    instances = formset.save(commit=False)
    for obj in formset.deleted_objects:
        obj._history_user = by
        obj.delete()
    for obj in instances:
        if obj.pk is None:
            create(obj)
        else:
            obj._history_user = by
            obj.save()
    formset.save_m2m()


# -- forms ----------------------------------------------------------------------------------------


class MeetingForm(forms.ModelForm):
    """Model and fields come from MeetingAdmin."""

    def clean(self):
        cleaned = super().clean()
        if "sub_venues" in cleaned:
            try:
                names = services.meeting_sub_venues_parse(
                    cleaned["sub_venues"], main_venue=cleaned.get("main_venue") or ""
                )
            except ApplicationError as exc:
                self.add_error("sub_venues", exc.message)
            else:
                cleaned["sub_venues"] = "\n".join(names)
        return cleaned


def _attendance_clean(form, meeting) -> None:
    cleaned = form.cleaned_data
    if meeting is None or meeting.county_id is None or "venue" not in cleaned:
        return  # the meeting's own form error is shown instead
    try:
        cleaned["venue_name"] = services.attendance_check(
            meeting=meeting,
            township=cleaned.get("township"),
            venue=cleaned["venue"],
            venue_name=cleaned.get("venue_name", ""),
        )
    except ApplicationError as exc:
        raise ValidationError(exc.message) from exc


def _statement_clean(form, meeting) -> None:
    township = form.cleaned_data.get("township")
    if meeting is None or meeting.county_id is None or township is None:
        return
    try:
        services.statement_check(meeting=meeting, township=township)
    except ApplicationError as exc:
        raise ValidationError(exc.message) from exc


def _assign_clean(form, directive) -> None:
    cleaned = form.cleaned_data
    if directive is None or directive.meeting_id is None:
        return
    if cleaned.get("township") is None or cleaned.get("deadline") is None:
        return
    try:
        cleaned["responsible_person"] = services.directive_assign_check(
            directive=directive,
            township=cleaned["township"],
            deadline=cleaned["deadline"],
            responsible_person=cleaned.get("responsible_person"),
        )
    except ApplicationError as exc:
        raise ValidationError(exc.message) from exc


class AttendanceInlineForm(ChildForm):
    def clean(self):
        cleaned = super().clean()
        if self.has_changed():
            _attendance_clean(self, self.parent)
        return cleaned


class StatementInlineForm(ChildForm):
    def clean(self):
        cleaned = super().clean()
        if self.has_changed():
            _statement_clean(self, self.parent)
        return cleaned


class AttendanceForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        _attendance_clean(self, cleaned.get("meeting"))
        return cleaned


class StatementForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        _statement_clean(self, cleaned.get("meeting"))
        return cleaned


class AssignmentInlineForm(ChildForm):
    """New rows follow directive_assign's rules; existing rows keep township and deadline (a later
    deadline is an extension, with a reason, on the assignment's own page)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in ("township", "deadline", "responsible_person"):
                if name in self.fields:
                    self.fields[name].disabled = True
        elif "responsible_person" in self.fields:
            self.fields["responsible_person"].required = False
            self.fields["responsible_person"].help_text = _("留空则为该乡镇主要领导。")

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None and self.has_changed():
            _assign_clean(self, self.parent)
        return cleaned


class AssignmentForm(forms.ModelForm):
    extension_reason = forms.CharField(
        label=_("延期理由"),
        required=False,
        max_length=services.REASON_MAX_LENGTH,
        help_text=_("修改完成时限（只能延后）时必填，记入变更历史。"),
    )
    request_user = None  # set by AssignmentAdmin.get_form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None and "responsible_person" in self.fields:
            self.fields["responsible_person"].required = False
            self.fields["responsible_person"].help_text = _("留空则为该乡镇主要领导。")

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            _assign_clean(self, cleaned.get("directive"))
            return cleaned
        try:
            if "deadline" in self.changed_data and cleaned.get("deadline"):
                services.assignment_extend_deadline_check(
                    assignment=self.instance,
                    new_deadline=cleaned["deadline"],
                    reason=cleaned.get("extension_reason", ""),
                    by=self.request_user,
                )
        except ApplicationError as exc:
            raise ValidationError(exc.message) from exc
        return cleaned


class ProgressReportForm(forms.ModelForm):
    class Meta:
        model = ProgressReport
        fields = ["assignment", "reported_on", "percent", "text", "evidence"]

    def clean(self):
        cleaned = super().clean()
        assignment = cleaned.get("assignment")
        if assignment is not None and cleaned.get("reported_on") and cleaned.get("percent") is not None:
            try:
                services.progress_report_check(
                    assignment=assignment, reported_on=cleaned["reported_on"], percent=cleaned["percent"]
                )
            except ApplicationError as exc:
                raise ValidationError(exc.message) from exc
        return cleaned


class AssignmentActionForm(ActionForm):
    reason = forms.CharField(
        label=_("理由（重新打开时必填）"), required=False, max_length=services.REASON_MAX_LENGTH
    )


# -- inlines --------------------------------------------------------------------------------------


class AttendanceInline(admin.TabularInline):
    model = Attendance
    form = AttendanceInlineForm
    formset = ParentFormSet
    fields = ["township", "unit", "person", "position", "venue", "venue_name", "present"]
    autocomplete_fields = ["township"]
    extra = 0


class StatementInline(admin.TabularInline):
    model = Statement
    form = StatementInlineForm
    formset = ParentFormSet
    fields = ["township", "kind", "speaker", "summary"]
    autocomplete_fields = ["township"]
    extra = 0


class DirectiveInline(admin.TabularInline):
    """New directives are numbered by directive_add; deleting one would delete its assignments."""

    model = Directive
    fields = ["number", "category", "priority", "text"]
    readonly_fields = ["number"]
    show_change_link = True
    can_delete = False
    extra = 0


class AssignmentInline(admin.TabularInline):
    model = Assignment
    form = AssignmentInlineForm
    formset = ParentFormSet
    fields = ["township", "deadline", "responsible_person", *STATE_FIELDS]
    readonly_fields = STATE_FIELDS
    autocomplete_fields = ["township"]
    show_change_link = True
    can_delete = False  # an assignment is part of the record that 责任倒查 reads
    extra = 0


class ProgressReportInline(admin.TabularInline):
    """Reports are records: filed through assignment_report_progress, never edited."""

    model = ProgressReport
    fields = ["reported_on", "percent", "text", "evidence", "reported_by", "created_at"]
    readonly_fields = fields
    can_delete = False
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# -- model admins ---------------------------------------------------------------------------------


@admin.register(Meeting)
class MeetingAdmin(AuditedAdmin):
    form = MeetingForm
    list_display = ["title", "held_at", "chair", "main_venue", "county"]
    list_filter = ["county", "is_demo"]
    search_fields = ["title", "chair", "main_venue", "summary"]
    date_hierarchy = "held_at"
    autocomplete_fields = ["county"]
    list_select_related = ["county"]
    inlines = [AttendanceInline, StatementInline, DirectiveInline]

    def get_readonly_fields(self, request, obj=None):
        # The county ties every statement and assignment of the meeting to its townships.
        return ["is_demo", "county"] if obj else ["is_demo"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        _adopt(
            obj,
            services.meeting_create(
                county=data["county"],
                title=data["title"],
                held_at=data["held_at"],
                chair=data["chair"],
                chair_title=data.get("chair_title", ""),
                main_venue=data["main_venue"],
                sub_venues=data.get("sub_venues", ""),
                summary=data.get("summary", ""),
                source=data.get("source", ""),
                by=request.user,
            ),
        )

    def save_formset(self, request, form, formset, change):
        meeting = form.instance
        user = request.user

        def create(obj):
            if isinstance(obj, Directive):
                services.directive_add(
                    meeting=meeting, category=obj.category, text=obj.text, priority=obj.priority, by=user
                )
            elif isinstance(obj, Attendance):
                services.attendance_record(
                    meeting=meeting,
                    unit=obj.unit,
                    person=obj.person,
                    position=obj.position,
                    venue=obj.venue,
                    venue_name=obj.venue_name,
                    township=obj.township,
                    present=obj.present,
                    by=user,
                )
            else:
                services.statement_record(
                    meeting=meeting,
                    township=obj.township,
                    kind=obj.kind,
                    summary=obj.summary,
                    speaker=obj.speaker,
                    by=user,
                )

        _rows_through_service(formset, create, by=request.user)


@admin.register(Attendance)
class AttendanceAdmin(AuditedAdmin):
    form = AttendanceForm
    list_display = ["meeting", "unit", "person", "position", "venue", "venue_name", "present"]
    list_filter = ["venue", "present", "meeting"]
    search_fields = ["unit", "person", "venue_name", "meeting__title"]
    autocomplete_fields = ["meeting", "township"]
    list_select_related = ["meeting"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        _adopt(
            obj,
            services.attendance_record(
                meeting=obj.meeting,
                unit=obj.unit,
                person=obj.person,
                position=obj.position,
                venue=obj.venue,
                venue_name=obj.venue_name,
                township=obj.township,
                present=obj.present,
                by=request.user,
            ),
        )


@admin.register(Statement)
class StatementAdmin(AuditedAdmin):
    form = StatementForm
    list_display = ["meeting", "township", "kind", "speaker"]
    list_filter = ["kind", "meeting"]
    search_fields = ["summary", "speaker", "township__name", "meeting__title"]
    autocomplete_fields = ["meeting", "township"]
    list_select_related = ["meeting", "township"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        _adopt(
            obj,
            services.statement_record(
                meeting=obj.meeting,
                township=obj.township,
                kind=obj.kind,
                summary=obj.summary,
                speaker=obj.speaker,
                by=request.user,
            ),
        )


@admin.register(Directive)
class DirectiveAdmin(AuditedAdmin):
    list_display = ["__str__", "meeting", "category", "priority", "short_text"]
    list_filter = ["category", "priority", "meeting"]
    search_fields = ["text", "meeting__title"]
    autocomplete_fields = ["meeting"]
    list_select_related = ["meeting"]
    inlines = [AssignmentInline]

    @admin.display(description=_("工作要求"))
    def short_text(self, obj):
        return obj.text if len(obj.text) <= 40 else f"{obj.text[:40]}…"

    def get_fields(self, request, obj=None):
        return (
            ["meeting", "number", "category", "priority", "text"]
            if obj
            else [
                "meeting",
                "category",
                "priority",
                "text",
            ]
        )

    def get_readonly_fields(self, request, obj=None):
        # The number is given by directive_add; moving a directive would renumber another meeting.
        return ["meeting", "number"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        _adopt(
            obj,
            services.directive_add(
                meeting=obj.meeting,
                category=obj.category,
                text=obj.text,
                priority=obj.priority,
                by=request.user,
            ),
        )

    def save_formset(self, request, form, formset, change):
        directive = form.instance

        def create(obj):
            services.directive_assign(
                directive=directive,
                townships=[obj.township],
                deadline=obj.deadline,
                responsible_person=obj.responsible_person or None,
                by=request.user,
            )

        _rows_through_service(formset, create, by=request.user)


@admin.register(Assignment)
class AssignmentAdmin(AuditedAdmin):
    form = AssignmentForm
    action_form = AssignmentActionForm
    actions = ["close_selected", "reopen_selected"]
    list_display = [
        "township",
        "directive",
        "meeting",
        "deadline",
        "responsible_person",
        "status",
        "progress_percent",
        "closed_on",
    ]
    list_filter = [
        "status",
        "directive__category",
        "directive__meeting",
        ("township", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["township__name", "responsible_person", "directive__text", "directive__meeting__title"]
    date_hierarchy = "deadline"
    autocomplete_fields = ["directive", "township"]
    list_select_related = ["township", "directive__meeting"]
    inlines = [ProgressReportInline]

    @admin.display(description=_("会议"), ordering="directive__meeting__held_at")
    def meeting(self, obj):
        return obj.directive.meeting

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.request_user = request.user  # a fresh class per request: the extension needs the actor
        return form

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["directive", "township", "deadline", "responsible_person"]
        if obj.status == Assignment.Status.CLOSED:
            return ["directive", "township", "deadline", "responsible_person", *STATE_FIELDS]
        return ["directive", "township", "deadline", "extension_reason", "responsible_person", *STATE_FIELDS]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return STATE_FIELDS
        if obj.status == Assignment.Status.CLOSED:
            # A closed assignment is a record; reopening it is an action of the county office.
            return ["directive", "township", "deadline", "responsible_person", *STATE_FIELDS]
        return ["directive", "township", *STATE_FIELDS]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            [created] = services.directive_assign(
                directive=obj.directive,
                townships=[obj.township],
                deadline=obj.deadline,
                responsible_person=data.get("responsible_person") or None,
                by=request.user,
            )
            _adopt(obj, created)
            return
        if "deadline" in form.changed_data:
            services.assignment_extend_deadline(
                assignment=obj,
                new_deadline=data["deadline"],
                reason=data.get("extension_reason", ""),
                by=request.user,
            )
        if "responsible_person" in form.changed_data:
            services.assignment_change_responsible_person(
                assignment=obj, responsible_person=data["responsible_person"], by=request.user
            )

    def _run(self, request, queryset, action, done_message) -> None:
        done = 0
        for assignment in queryset.select_related("township", "directive"):
            try:
                action(assignment)
            except (ApplicationError, ValidationError) as exc:
                self.message_user(request, f"{assignment}：{_refusal_text(exc)}", level=messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, done_message % {"n": done}, level=messages.SUCCESS)

    @admin.action(description=_("办结"))
    def close_selected(self, request, queryset):
        today = services.local_today()
        self._run(
            request,
            queryset,
            lambda a: services.assignment_close(assignment=a, closed_on=today, by=request.user),
            gettext("已办结 %(n)d 项任务。"),
        )

    @admin.action(description=_("重新打开"))
    def reopen_selected(self, request, queryset):
        reason = request.POST.get("reason", "")
        self._run(
            request,
            queryset,
            lambda a: services.assignment_reopen(assignment=a, reason=reason, by=request.user),
            gettext("已重新打开 %(n)d 项任务。"),
        )


@admin.register(ProgressReport)
class ProgressReportAdmin(AuditedAdmin):
    """Reports are filed through assignment_report_progress and are never edited or deleted."""

    form = ProgressReportForm
    list_display = ["assignment", "reported_on", "percent", "reported_by", "created_at"]
    list_filter = ["assignment__status", ("assignment__township", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["text", "assignment__township__name", "assignment__directive__text"]
    date_hierarchy = "reported_on"
    autocomplete_fields = ["assignment"]
    list_select_related = ["assignment__township", "assignment__directive", "reported_by"]

    def get_fields(self, request, obj=None):
        fields = ["assignment", "reported_on", "percent", "text", "evidence"]
        return [*fields, "reported_by", "created_at"] if obj else fields

    def get_readonly_fields(self, request, obj=None):
        return (
            ["assignment", "reported_on", "percent", "text", "evidence", "reported_by", "created_at"]
            if obj
            else []
        )

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        _adopt(
            obj,
            services.assignment_report_progress(
                assignment=data["assignment"],
                reported_on=data["reported_on"],
                text=data["text"],
                percent=data["percent"],
                evidence=data.get("evidence") or None,
                by=request.user,
            ),
        )
