"""Admin of the meetings app, on core.admin.ServiceAdmin: every save and delete — of the page's row and
of its inlines' rows — is one meetings.services call with `by` = the admin user, so the admin meets the
same access policy (meetings.access) and the same rules as the API and the pages. Forms run the
policy's check and the service's `*_check` in clean() (refusals become form errors before anything is
saved); state fields are read-only and state changes are admin actions."""

from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import ActionForm
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin import (
    InlineServices,
    RecordInline,
    RuleCheckedForm,
    ServiceAdmin,
    apply_to_each,
    form_value,
    row_services,
)
from meetings import access, services
from meetings.models import Assignment, Attendance, Directive, Meeting, ProgressReport, Statement

STATE_FIELDS = ["status", "progress_percent", "closed_on"]


# -- forms ----------------------------------------------------------------------------------------


class UserForm(RuleCheckedForm):
    """A form of a MeetingsAdmin page: it knows who acts, for the access policy's checks."""

    request_user = None  # set by MeetingsAdmin.get_form on the class made for the request


class ParentFormSet(BaseInlineFormSet):
    """Gives each inline form the parent object (still unsaved on an add page) as `form.parent`."""

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "parent": self.instance}


class ChildForm(RuleCheckedForm):
    """An inline row: its rules are checked when it was added or changed. Who may change the
    parent's rows is the parent form's check (the same policy rule, for the same meeting)."""

    def __init__(self, *args, parent=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.parent = parent

    def check_rules(self) -> None:
        if self.has_changed():
            self.check_row(self.parent)

    def check_row(self, parent) -> None:
        """Raise ApplicationError when the row's service would refuse it."""


def _meeting_of(form) -> Meeting | None:
    meeting = form_value(form, "meeting")
    return meeting if meeting is not None and meeting.county_id is not None else None


def _check_attendance(form, meeting) -> None:
    if meeting is None or "venue" not in form.cleaned_data:
        return  # the meeting's own form error is shown instead
    cleaned = form.cleaned_data
    cleaned["venue_name"] = services.attendance_check(
        meeting=meeting,
        township=cleaned.get("township"),
        venue=cleaned["venue"],
        venue_name=cleaned.get("venue_name", ""),
    )


def _check_statement(form, meeting) -> None:
    township = form.cleaned_data.get("township")
    if meeting is not None and township is not None:
        services.statement_check(meeting=meeting, township=township)


def _check_assign(form, directive) -> None:
    cleaned = form.cleaned_data
    if directive is None or directive.meeting_id is None:
        return
    if cleaned.get("deadline") is None:
        return
    cleaned["responsible_person"] = services.directive_assign_check(
        directive=directive,
        township=cleaned.get("township"),
        department=cleaned.get("department"),
        deadline=cleaned["deadline"],
        responsible_person=cleaned.get("responsible_person"),
    )


class MeetingForm(UserForm):
    """Model and fields come from MeetingAdmin."""

    def check_rules(self) -> None:
        by, cleaned = self.request_user, self.cleaned_data
        if self.instance.pk is None:
            access.check_meeting_create(by=by, county=cleaned.get("county"))
        else:
            access.check_meeting_change(by=by, meeting=self.instance)
        if "sub_venues" in cleaned:
            names = services.meeting_sub_venues_parse(
                cleaned["sub_venues"], main_venue=cleaned.get("main_venue") or ""
            )
            cleaned["sub_venues"] = "\n".join(names)


class MeetingRowForm(UserForm):
    """An attendance or statement row on its own page: the policy for its meeting, then its rules."""

    check_row = None  # (form, meeting) -> None, raising ApplicationError

    def check_rules(self) -> None:
        meeting = _meeting_of(self)
        if meeting is not None:
            access.check_meeting_change(
                by=self.request_user, meeting=meeting, townships=[self.cleaned_data.get("township")]
            )
        self.check_row(meeting)


class AttendanceForm(MeetingRowForm):
    check_row = _check_attendance


class StatementForm(MeetingRowForm):
    check_row = _check_statement


class DirectiveForm(UserForm):
    def check_rules(self) -> None:
        meeting = _meeting_of(self)
        if meeting is not None:
            access.check_directive_change(by=self.request_user, meeting=meeting)


class AttendanceInlineForm(ChildForm):
    def check_row(self, parent) -> None:
        _check_attendance(self, parent if parent is not None and parent.county_id else None)


class StatementInlineForm(ChildForm):
    def check_row(self, parent) -> None:
        _check_statement(self, parent if parent is not None and parent.county_id else None)


class AssignmentInlineForm(ChildForm):
    """New rows follow directive_assign's rules; existing rows keep township and deadline (a later
    deadline is an extension, with a reason, on the assignment's own page)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in ("township", "department", "deadline", "responsible_person"):
                if name in self.fields:
                    self.fields[name].disabled = True
        elif "responsible_person" in self.fields:
            self.fields["responsible_person"].required = False
            self.fields["responsible_person"].help_text = _("留空则为该乡镇主要领导；县直部门须填写。")

    def check_row(self, parent) -> None:
        if self.instance.pk is None:
            _check_assign(self, parent)


class AssignmentForm(UserForm):
    extension_reason = forms.CharField(
        label=_("延期理由"),
        required=False,
        max_length=services.REASON_MAX_LENGTH,
        help_text=_("修改完成时限（只能延后）时必填，记入变更历史。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None and "responsible_person" in self.fields:
            self.fields["responsible_person"].required = False
            self.fields["responsible_person"].help_text = _("留空则为该乡镇主要领导；县直部门须填写。")

    def check_rules(self) -> None:
        by, cleaned, assignment = self.request_user, self.cleaned_data, self.instance
        if assignment.pk is None:
            directive = cleaned.get("directive")
            if directive is not None:
                access.check_directive_assign(by=by, directive=directive, townships=[cleaned.get("township")])
            _check_assign(self, directive)
            return
        if "deadline" in self.changed_data and cleaned.get("deadline"):
            access.check_assignment_extend_deadline(by=by, assignment=assignment)
            services.assignment_extend_deadline_check(
                assignment=assignment,
                new_deadline=cleaned["deadline"],
                reason=cleaned.get("extension_reason", ""),
            )
        if "responsible_person" in self.changed_data:
            access.check_assignment_change_responsible_person(by=by, assignment=assignment)
            services.assignment_change_responsible_person_check(
                assignment=assignment, responsible_person=cleaned.get("responsible_person", "")
            )


class ProgressReportForm(UserForm):
    class Meta:
        model = ProgressReport
        fields = ["assignment", "reported_on", "percent", "text", "evidence"]

    def check_rules(self) -> None:
        cleaned = self.cleaned_data
        assignment = cleaned.get("assignment")
        if assignment is None or not cleaned.get("reported_on") or cleaned.get("percent") is None:
            return
        access.check_assignment_report_progress(by=self.request_user, assignment=assignment)
        services.progress_report_check(
            assignment=assignment, reported_on=cleaned["reported_on"], percent=cleaned["percent"]
        )


class AssignmentActionForm(ActionForm):
    reason = forms.CharField(
        label=_("理由（重新打开时必填）"), required=False, max_length=services.REASON_MAX_LENGTH
    )


# -- the services each page writes with -----------------------------------------------------------


def _rows(entity: str, *, create, parent: str) -> InlineServices:
    """The services a row of `entity` is written with: `create(<its parent and fields>, by)`, then, by
    the services' naming, `<entity>_update(<entity>=row, data=<its changed fields among
    <ENTITY>_FIELDS>, by)` and `<entity>_delete(<entity>=row, by)`."""
    allowed = getattr(services, f"{entity.upper()}_FIELDS")
    return row_services(
        row=entity,
        create=create,
        fields=(parent, *allowed),
        update=getattr(services, f"{entity}_update"),
        allowed=allowed,
        delete=getattr(services, f"{entity}_delete"),
    )


ROWS = {
    Meeting: _rows("meeting", create=services.meeting_create, parent="county"),
    Attendance: _rows("attendance", create=services.attendance_record, parent="meeting"),
    Statement: _rows("statement", create=services.statement_record, parent="meeting"),
    Directive: _rows("directive", create=services.directive_add, parent="meeting"),
}


def _assignment_create(obj, by):
    [created] = services.directive_assign(
        directive=obj.directive,
        townships=[obj.township] if obj.township_id else [],
        departments=[obj.department] if obj.department_id else [],
        deadline=obj.deadline,
        responsible_person=obj.responsible_person or None,
        by=by,
    )
    return created


# Existing assignment rows are read-only in the inline (no field can change, none is deleted): their
# deadline, responsible person and state change on the assignment's own page, through their services.
ASSIGNMENT_ROWS = InlineServices(create=_assignment_create, update=None, delete=None)


class MeetingsAdmin(ServiceAdmin):
    """The meetings app's admin pages. Forms know who acts (the access policy's checks in clean());
    `writes` names the services the page's own row is written with, as `inline_services` do for the
    inlines' rows (a step without a service is not offered)."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.request_user = request.user  # a class made for this request: safe to set
        return form


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
    """New directives are numbered by directive_add; one is deleted on its own page (unassigned only)."""

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
    fields = ["township", "department", "deadline", "responsible_person", *STATE_FIELDS]
    readonly_fields = STATE_FIELDS
    autocomplete_fields = ["township", "department"]
    show_change_link = True
    can_delete = False  # an assignment is part of the record that 责任倒查 reads
    extra = 0


class ProgressReportInline(RecordInline):
    """Reports are records: filed through assignment_report_progress, never edited."""

    model = ProgressReport
    fields = ["reported_on", "percent", "text", "evidence", "reported_by", "created_at"]


# -- model admins ---------------------------------------------------------------------------------


@admin.register(Meeting)
class MeetingAdmin(MeetingsAdmin):
    form = MeetingForm
    list_display = ["title", "held_at", "chair", "main_venue", "county"]
    list_filter = ["county", "is_demo"]
    search_fields = ["title", "chair", "main_venue", "summary"]
    date_hierarchy = "held_at"
    autocomplete_fields = ["county"]
    list_select_related = ["county"]
    inlines = [AttendanceInline, StatementInline, DirectiveInline]
    inline_services = {model: ROWS[model] for model in (Attendance, Statement, Directive)}
    readonly_fields = ["is_demo"]
    # The county ties every statement and assignment of the meeting to its townships.
    fixed_fields = ["is_demo", "county"]
    writes = ROWS[Meeting]


class MeetingRowAdmin(MeetingsAdmin):
    """Attendance and statements on their own pages: a row stays with the meeting it was entered for."""

    fixed_fields = ["meeting"]


@admin.register(Attendance)
class AttendanceAdmin(MeetingRowAdmin):
    form = AttendanceForm
    list_display = ["meeting", "unit", "person", "position", "venue", "venue_name", "present"]
    list_filter = ["venue", "present", "meeting"]
    search_fields = ["unit", "person", "venue_name", "meeting__title"]
    autocomplete_fields = ["meeting", "township"]
    list_select_related = ["meeting"]
    writes = ROWS[Attendance]


@admin.register(Statement)
class StatementAdmin(MeetingRowAdmin):
    form = StatementForm
    list_display = ["meeting", "township", "kind", "speaker"]
    list_filter = ["kind", "meeting"]
    search_fields = ["summary", "speaker", "township__name", "meeting__title"]
    autocomplete_fields = ["meeting", "township"]
    list_select_related = ["meeting", "township"]
    writes = ROWS[Statement]


@admin.register(Directive)
class DirectiveAdmin(MeetingsAdmin):
    form = DirectiveForm
    list_display = ["__str__", "meeting", "category", "priority", "short_text"]
    list_filter = ["category", "priority", "meeting"]
    search_fields = ["text", "meeting__title"]
    autocomplete_fields = ["meeting"]
    list_select_related = ["meeting"]
    inlines = [AssignmentInline]
    inline_services = {Assignment: ASSIGNMENT_ROWS}

    @admin.display(description=_("工作要求"))
    def short_text(self, obj):
        return obj.text if len(obj.text) <= 40 else f"{obj.text[:40]}…"

    def get_fields(self, request, obj=None):
        if obj:
            return ["meeting", "number", "category", "priority", "text"]
        return ["meeting", "category", "priority", "text"]

    # The number is given by directive_add; moving a directive would renumber another meeting.
    fixed_fields = ["meeting", "number"]
    writes = ROWS[Directive]


@admin.register(Assignment)
class AssignmentAdmin(MeetingsAdmin):
    """Assignments are added here or from their directive (任务分解), never deleted (责任倒查 reads
    them); the deadline moves only later, with a reason; closing and reopening are actions."""

    form = AssignmentForm
    action_form = AssignmentActionForm
    actions = ["close_selected", "reopen_selected"]
    list_display = [
        "township",
        "department",
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
        ("department", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = [
        "township__name",
        "department__name",
        "responsible_person",
        "directive__text",
        "directive__meeting__title",
    ]
    date_hierarchy = "deadline"
    autocomplete_fields = ["directive", "township", "department"]
    list_select_related = ["township", "department", "directive__meeting"]
    inlines = [ProgressReportInline]
    writes = ASSIGNMENT_ROWS  # added here too; the page's edits are the two services below

    @admin.display(description=_("会议"), ordering="directive__meeting__held_at")
    def meeting(self, obj):
        return obj.directive.meeting

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["directive", "township", "department", "deadline", "responsible_person"]
        if obj.status == Assignment.Status.CLOSED:
            return ["directive", "township", "department", "deadline", "responsible_person", *STATE_FIELDS]
        return [
            "directive",
            "township",
            "department",
            "deadline",
            "extension_reason",
            "responsible_person",
            *STATE_FIELDS,
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return STATE_FIELDS
        if obj.status == Assignment.Status.CLOSED:
            # A closed assignment is a record; reopening it is an action of the county office.
            return ["directive", "township", "department", "deadline", "responsible_person", *STATE_FIELDS]
        return ["directive", "township", "department", *STATE_FIELDS]

    @staticmethod
    def update_service(obj, form, by):
        data = form.cleaned_data
        if "deadline" in form.changed_data:
            services.assignment_extend_deadline(
                assignment=obj, new_deadline=data["deadline"], reason=data.get("extension_reason", ""), by=by
            )
        if "responsible_person" in form.changed_data:
            services.assignment_change_responsible_person(
                assignment=obj, responsible_person=data["responsible_person"], by=by
            )

    def _run(self, request, queryset, action, done_message) -> None:
        rows = queryset.select_related("township", "directive")
        apply_to_each(self, request, rows, action, done_message=done_message, label=str)

    @admin.action(description=_("办结"))
    def close_selected(self, request, queryset):
        self._run(
            request,
            queryset,
            lambda a: services.assignment_close(assignment=a, by=request.user),
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
class ProgressReportAdmin(MeetingsAdmin):
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

    @staticmethod
    def create_service(obj, form, by):
        return services.assignment_report_progress(
            assignment=obj.assignment,
            reported_on=obj.reported_on,
            text=obj.text,
            percent=obj.percent,
            evidence=form.cleaned_data.get("evidence") or None,
            by=by,
        )
