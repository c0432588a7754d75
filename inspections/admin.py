"""Admin of the campaign and the hazard closed loop.

Nothing here bypasses a service rule: forms run the same `*_validate` helpers the services use
(a refusal becomes a form error), new records are written by the services (`save_model` /
`save_related` / `save_formset` call them), state fields (status, verified_on) are read-only,
and state moves are admin actions calling the services. A hazard can only be verified by a passed
re-inspection (Reinspection add page → `hazard_reinspect`).
"""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from core.admin import AuditedAdmin
from core.exceptions import ApplicationError
from inspections import services
from inspections.models import (
    Accountability,
    Campaign,
    ChecklistItem,
    ChecklistResult,
    Hazard,
    Inspection,
    InspectionPlan,
    Rectification,
    Reinspection,
)


def _check(form, field: str | None, check, **kwargs):
    """Run a service-side check; a refusal becomes an error on `field` (or the whole form)."""
    try:
        return check(**kwargs)
    except ApplicationError as exc:
        form.add_error(field, str(exc.message))
        return None


def _adopt(obj, saved) -> None:
    """The admin keeps working with its own `obj` after a service wrote the row: give it the row."""
    for model_field in saved._meta.concrete_fields:
        setattr(obj, model_field.attname, getattr(saved, model_field.attname))
    obj._state.adding = False
    obj._state.db = saved._state.db


def _is_new_row(formset, form) -> bool:
    return (
        form.instance.pk is None
        and form.has_changed()
        and not (formset.can_delete and formset._should_delete_form(form))
    )


def _record_formset_changes(formset, *, new=(), changed=(), deleted=()) -> None:
    """What the admin's change message reads after a formset was saved by a service."""
    formset.new_objects = list(new)
    formset.changed_objects = list(changed)
    formset.deleted_objects = list(deleted)


# --- campaigns and plans -------------------------------------------------------------------


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["county", "name", "kind", "starts_on", "ends_on", "description", "is_demo"]

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on"):
            _check(
                self,
                "ends_on",
                services.campaign_validate,
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
            )
        return data


class InspectionPlanInlineFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        campaign = self.instance
        if campaign.starts_on is None or campaign.ends_on is None or campaign.county_id is None:
            return  # the campaign's own form reports what is missing
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.has_changed():
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            data = form.cleaned_data
            if not (data.get("township") and data.get("due_on")):
                continue
            _check(
                form,
                None,
                services.inspection_plan_validate,
                campaign=campaign,
                township=data["township"],
                due_on=data["due_on"],
                premises=data.get("premises") or [],
                police_station=data.get("police_station"),
            )


class InspectionPlanInline(admin.StackedInline):
    model = InspectionPlan
    formset = InspectionPlanInlineFormSet
    fields = ["title", "township", "police_station", "due_on", "premises"]
    autocomplete_fields = ["township", "police_station", "premises"]
    extra = 0
    show_change_link = True


@admin.register(Campaign)
class CampaignAdmin(AuditedAdmin):
    form = CampaignForm
    list_display = ["name", "county", "kind", "starts_on", "ends_on", "is_demo"]
    list_filter = ["kind", "county", "is_demo"]
    search_fields = ["name", "description"]
    date_hierarchy = "starts_on"
    autocomplete_fields = ["county"]
    inlines = [InspectionPlanInline]

    def save_model(self, request, obj, form, change):
        if change:
            obj._history_user = request.user
            super().save_model(request, obj, form, change)
            return
        campaign = services.campaign_create(
            county=obj.county,
            name=obj.name,
            kind=obj.kind,
            starts_on=obj.starts_on,
            ends_on=obj.ends_on,
            description=obj.description,
            by=request.user,
        )
        if obj.is_demo:
            campaign.is_demo = True
            campaign._history_user = request.user
            campaign.save(update_fields=["is_demo"])
        _adopt(obj, campaign)

    def save_formset(self, request, form, formset, change):
        """New plans are created by the service; edits of existing plans were checked by the
        formset with the same rules and are saved as they are."""
        if formset.model is not InspectionPlan:
            super().save_formset(request, form, formset, change)
            return
        new, changed, deleted = [], [], []
        for plan_form in formset.forms:
            if plan_form.instance.pk is None:
                if _is_new_row(formset, plan_form):
                    data = plan_form.cleaned_data
                    new.append(
                        services.inspection_plan_create(
                            campaign=form.instance,
                            township=data["township"],
                            title=data["title"],
                            due_on=data["due_on"],
                            premises=data["premises"],
                            police_station=data.get("police_station"),
                            by=request.user,
                        )
                    )
            elif formset.can_delete and formset._should_delete_form(plan_form):
                plan_form.instance._history_user = request.user
                plan_form.instance.delete()
                deleted.append(plan_form.instance)
            elif plan_form.has_changed():
                plan_form.instance._history_user = request.user
                changed.append((plan_form.save(), plan_form.changed_data))
        _record_formset_changes(formset, new=new, changed=changed, deleted=deleted)


class InspectionPlanForm(forms.ModelForm):
    class Meta:
        model = InspectionPlan
        fields = ["campaign", "township", "police_station", "title", "due_on", "premises"]

    def clean(self):
        data = super().clean()
        if all(data.get(name) for name in ("campaign", "township", "due_on")):
            _check(
                self,
                None,
                services.inspection_plan_validate,
                campaign=data["campaign"],
                township=data["township"],
                due_on=data["due_on"],
                premises=data.get("premises") or [],
                police_station=data.get("police_station"),
            )
        return data


@admin.register(InspectionPlan)
class InspectionPlanAdmin(AuditedAdmin):
    form = InspectionPlanForm
    list_display = ["title", "campaign", "township", "police_station", "due_on"]
    list_filter = ["campaign", "township"]
    search_fields = ["title", "township__name", "campaign__name"]
    date_hierarchy = "due_on"
    autocomplete_fields = ["campaign", "township", "police_station", "premises"]

    def save_model(self, request, obj, form, change):
        if change:
            obj._history_user = request.user
            super().save_model(request, obj, form, change)
            return
        plan = services.inspection_plan_create(
            campaign=obj.campaign,
            township=obj.township,
            title=obj.title,
            due_on=obj.due_on,
            premises=form.cleaned_data["premises"],
            police_station=obj.police_station,
            by=request.user,
        )
        _adopt(obj, plan)


# --- checklist -----------------------------------------------------------------------------


@admin.register(ChecklistItem)
class ChecklistItemAdmin(AuditedAdmin):
    list_display = ["code", "text", "category", "order", "is_active"]
    list_display_links = ["code", "text"]
    list_editable = ["order", "is_active"]
    list_filter = ["is_active", "category"]
    search_fields = ["code", "text", "category"]


def _item_changed_to_inactive(form) -> bool:
    item = form.cleaned_data.get("item")
    return item is not None and "item" in form.changed_data and not item.is_active


class ChecklistResultForm(forms.ModelForm):
    class Meta:
        model = ChecklistResult
        fields = ["inspection", "item", "result", "note"]

    def clean(self):
        data = super().clean()
        if _item_changed_to_inactive(self):
            _check(self, "item", services.checklist_item_active_validate, items=[data["item"]])
        return data


@admin.register(ChecklistResult)
class ChecklistResultAdmin(AuditedAdmin):
    form = ChecklistResultForm
    list_display = ["inspection", "item", "result", "note"]
    list_filter = ["result"]
    search_fields = ["inspection__premises__name", "item__code", "item__text", "note"]
    autocomplete_fields = ["inspection", "item"]
    list_select_related = ["inspection__premises", "item"]

    def get_readonly_fields(self, request, obj=None):
        return ["inspection"] if obj else []


# --- inspections ---------------------------------------------------------------------------


class ChecklistResultInline(admin.TabularInline):
    model = ChecklistResult
    form = ChecklistResultForm
    fields = ["item", "result", "note"]
    autocomplete_fields = ["item"]
    extra = 0


class HazardInlineForm(forms.ModelForm):
    """New hazards are written by the service; a recorded hazard is shown, not edited, here
    (its own page extends the deadline with a reason; status moves only through the loop)."""

    class Meta:
        model = Hazard
        fields = [
            "severity",
            "description",
            "deadline",
            "responsible_person",
            "checklist_item",
            "photo_before",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for form_field in self.fields.values():
                form_field.disabled = True


class HazardInlineFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        discovered_on = self.instance.inspected_on
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not _is_new_row(self, form):
                continue
            data = form.cleaned_data
            if data.get("checklist_item"):
                _check(
                    form,
                    "checklist_item",
                    services.checklist_item_active_validate,
                    items=[data["checklist_item"]],
                )
            if discovered_on and data.get("deadline"):
                _check(
                    form,
                    "deadline",
                    services.hazard_deadline_validate,
                    discovered_on=discovered_on,
                    deadline=data["deadline"],
                )


class HazardInline(admin.StackedInline):
    model = Hazard
    form = HazardInlineForm
    formset = HazardInlineFormSet
    fields = [
        "severity",
        "description",
        "deadline",
        "responsible_person",
        "checklist_item",
        "photo_before",
        "status",
        "verified_on",
    ]
    readonly_fields = ["status", "verified_on"]
    autocomplete_fields = ["checklist_item"]
    extra = 0
    can_delete = False
    show_change_link = True


class InspectionForm(forms.ModelForm):
    class Meta:
        model = Inspection
        fields = [
            "premises",
            "kind",
            "inspected_on",
            "inspectors",
            "plan",
            "police_station",
            "signed_by",
            "notes",
        ]

    def clean(self):
        data = super().clean()
        if (
            self.instance.pk is None
            and data.get("premises")
            and data.get("kind")
            and data.get("inspected_on")
        ):
            _check(
                self,
                None,
                services.inspection_validate,
                premises=data["premises"],
                kind=data["kind"],
                inspected_on=data["inspected_on"],
                plan=data.get("plan"),
                police_station=data.get("police_station"),
            )
        return data


@admin.register(Inspection)
class InspectionAdmin(AuditedAdmin):
    form = InspectionForm
    list_display = ["inspected_on", "premises", "township", "kind", "inspectors", "plan", "recorded_by"]
    list_filter = ["kind", "township", "inspected_on"]
    search_fields = ["premises__name", "inspectors", "notes", "signed_by"]
    date_hierarchy = "inspected_on"
    autocomplete_fields = ["premises", "plan", "police_station"]
    list_select_related = ["premises", "township", "plan", "recorded_by"]
    inlines = [ChecklistResultInline, HazardInline]
    # Header facts of a recorded inspection feed hazards and the premises' inspection dates: fixed.
    recorded_readonly = [
        "premises",
        "township",
        "kind",
        "inspected_on",
        "plan",
        "police_station",
        "recorded_by",
    ]

    def get_fields(self, request, obj=None):
        if obj is None:
            return [
                "premises",
                "kind",
                "inspected_on",
                "inspectors",
                "plan",
                "police_station",
                "signed_by",
                "notes",
            ]
        return [*self.recorded_readonly, "inspectors", "signed_by", "notes"]

    def get_readonly_fields(self, request, obj=None):
        return self.recorded_readonly if obj else []

    def has_delete_permission(self, request, obj=None):
        return False  # an inspection is evidence for trace-back

    def save_model(self, request, obj, form, change):
        if change:
            obj._history_user = request.user
            super().save_model(request, obj, form, change)
        # A new inspection is written with its inlines, in one service call (save_related).

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)
            return
        results_formset = next(fs for fs in formsets if fs.model is ChecklistResult)
        hazards_formset = next(fs for fs in formsets if fs.model is Hazard)
        results = [
            {
                "item": f.cleaned_data["item"],
                "result": f.cleaned_data["result"],
                "note": f.cleaned_data["note"],
            }
            for f in results_formset.forms
            if _is_new_row(results_formset, f)
        ]
        hazards = [
            {
                "severity": f.cleaned_data["severity"],
                "description": f.cleaned_data["description"],
                "deadline": f.cleaned_data["deadline"],
                "responsible_person": f.cleaned_data["responsible_person"],
                "checklist_item": f.cleaned_data.get("checklist_item"),
                "photo_before": f.cleaned_data.get("photo_before") or None,
            }
            for f in hazards_formset.forms
            if _is_new_row(hazards_formset, f)
        ]
        data = form.cleaned_data
        inspection = services.inspection_record(
            premises=data["premises"],
            kind=data["kind"],
            inspected_on=data["inspected_on"],
            inspectors=data["inspectors"],
            results=results,
            hazards=hazards,
            plan=data.get("plan"),
            police_station=data.get("police_station"),
            signed_by=data.get("signed_by", ""),
            notes=data.get("notes", ""),
            by=request.user,
        )
        _adopt(form.instance, inspection)
        _record_formset_changes(results_formset, new=inspection.results.all())
        _record_formset_changes(hazards_formset, new=inspection.hazards.all())

    def save_formset(self, request, form, formset, change):
        if formset.model is not Hazard:
            super().save_formset(request, form, formset, change)
            return
        created = [
            services.hazard_create(
                inspection=form.instance,
                severity=f.cleaned_data["severity"],
                description=f.cleaned_data["description"],
                deadline=f.cleaned_data["deadline"],
                responsible_person=f.cleaned_data["responsible_person"],
                checklist_item=f.cleaned_data.get("checklist_item"),
                photo_before=f.cleaned_data.get("photo_before") or None,
                by=request.user,
            )
            for f in formset.forms
            if _is_new_row(formset, f)
        ]
        _record_formset_changes(formset, new=created)


# --- hazards and the closed loop -----------------------------------------------------------


class RectificationInline(admin.TabularInline):
    model = Rectification
    fields = ["rectified_on", "rectified_by", "measures", "evidence", "submitted_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # rectifications are submitted through hazard_rectify (整改记录 → 增加)

    def has_change_permission(self, request, obj=None):
        return False


class ReinspectionInline(admin.TabularInline):
    model = Reinspection
    fields = ["inspected_on", "inspectors", "passed", "note", "rectification", "recorded_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # re-inspections go through hazard_reinspect (复查记录 → 增加)

    def has_change_permission(self, request, obj=None):
        return False


class HazardAdminForm(forms.ModelForm):
    deadline_reason = forms.CharField(
        label=_("延期理由"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("修改整改期限时必填：期限只能延后，并记入历史。"),
    )

    class Meta:
        model = Hazard
        fields = [
            "inspection",
            "checklist_item",
            "severity",
            "description",
            "deadline",
            "responsible_person",
            "photo_before",
            "photo_after",
        ]

    def clean(self):
        data = super().clean()
        if self.instance.pk is None:
            inspection = data.get("inspection")
            if data.get("checklist_item"):
                _check(
                    self,
                    "checklist_item",
                    services.checklist_item_active_validate,
                    items=[data["checklist_item"]],
                )
            if inspection is not None and data.get("deadline"):
                _check(
                    self,
                    "deadline",
                    services.hazard_deadline_validate,
                    discovered_on=inspection.inspected_on,
                    deadline=data["deadline"],
                )
        elif "deadline" in self.changed_data and data.get("deadline"):
            # self.instance still holds the stored deadline and status here.
            _check(
                self,
                "deadline",
                services.hazard_extend_deadline_validate,
                hazard=self.instance,
                new_deadline=data["deadline"],
                reason=data.get("deadline_reason", ""),
            )
        return data


@admin.register(Hazard)
class HazardAdmin(AuditedAdmin):
    form = HazardAdminForm
    list_display = [
        "description_short",
        "premises",
        "township",
        "severity",
        "status",
        "discovered_on",
        "deadline",
        "verified_on",
        "responsible_person",
    ]
    list_filter = ["status", "severity", "township", "discovered_on", "deadline"]
    search_fields = ["description", "premises__name", "responsible_person", "township__name"]
    date_hierarchy = "discovered_on"
    autocomplete_fields = ["inspection", "checklist_item"]
    list_select_related = ["premises", "township"]
    inlines = [RectificationInline, ReinspectionInline]
    actions = ["start_rectifying"]
    add_fields = [
        "inspection",
        "checklist_item",
        "severity",
        "description",
        "deadline",
        "responsible_person",
        "photo_before",
    ]
    recorded_readonly = [
        "inspection",
        "premises",
        "township",
        "checklist_item",
        "discovered_on",
        "status",
        "verified_on",
    ]

    @admin.display(description=_("隐患描述"))
    def description_short(self, obj):
        return obj.description[:40]

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.add_fields
        return [
            *self.recorded_readonly,
            "severity",
            "description",
            "deadline",
            "deadline_reason",
            "responsible_person",
            "photo_before",
            "photo_after",
        ]

    def get_readonly_fields(self, request, obj=None):
        return self.recorded_readonly if obj else []

    def has_delete_permission(self, request, obj=None):
        return False  # a hazard and its loop are the trace-back record

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            hazard = services.hazard_create(
                inspection=data["inspection"],
                severity=data["severity"],
                description=data["description"],
                deadline=data["deadline"],
                responsible_person=data["responsible_person"],
                checklist_item=data.get("checklist_item"),
                photo_before=data.get("photo_before") or None,
                by=request.user,
            )
            _adopt(obj, hazard)
            return
        new_deadline = None
        if "deadline" in form.changed_data:
            new_deadline, obj.deadline = obj.deadline, form.initial["deadline"]
        obj._history_user = request.user
        super().save_model(request, obj, form, change)
        if new_deadline is not None:
            hazard = services.hazard_extend_deadline(
                hazard=obj, new_deadline=new_deadline, reason=data["deadline_reason"], by=request.user
            )
            _adopt(obj, hazard)

    @admin.action(description=_("开始整改"))
    def start_rectifying(self, request, queryset):
        started = 0
        for hazard in queryset:
            try:
                services.hazard_start_rectifying(hazard=hazard, by=request.user)
            except ApplicationError as exc:
                self.message_user(request, f"{hazard}：{exc.message}", level=messages.ERROR)
            else:
                started += 1
        if started:
            self.message_user(
                request, _("已有 %(n)d 处隐患开始整改。") % {"n": started}, level=messages.SUCCESS
            )


class RectificationForm(forms.ModelForm):
    photo_after = forms.ImageField(label=_("整改后照片"), required=False)

    class Meta:
        model = Rectification
        fields = ["hazard", "rectified_on", "rectified_by", "measures", "evidence"]

    def clean(self):
        data = super().clean()
        if self.instance.pk is None and data.get("hazard") and data.get("rectified_on"):
            _check(
                self,
                None,
                services.hazard_rectify_validate,
                hazard=data["hazard"],
                rectified_on=data["rectified_on"],
            )
        return data


@admin.register(Rectification)
class RectificationAdmin(AuditedAdmin):
    """Adding here submits a rectification (hazard_rectify); a submitted one is evidence: view only."""

    form = RectificationForm
    list_display = ["hazard", "rectified_on", "rectified_by", "submitted_by"]
    list_filter = ["rectified_on"]
    search_fields = ["hazard__description", "hazard__premises__name", "rectified_by", "measures"]
    date_hierarchy = "rectified_on"
    autocomplete_fields = ["hazard"]
    list_select_related = ["hazard__premises", "submitted_by"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["hazard", "rectified_on", "rectified_by", "measures", "evidence", "photo_after"]
        return ["hazard", "rectified_on", "rectified_by", "measures", "evidence", "submitted_by"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        rectification = services.hazard_rectify(
            hazard=data["hazard"],
            rectified_on=data["rectified_on"],
            rectified_by=data["rectified_by"],
            measures=data["measures"],
            evidence=data.get("evidence") or None,
            photo_after=data.get("photo_after") or None,
            by=request.user,
        )
        _adopt(obj, rectification)


class ReinspectionForm(forms.ModelForm):
    class Meta:
        model = Reinspection
        fields = ["hazard", "inspected_on", "inspectors", "passed", "note"]

    def clean(self):
        data = super().clean()
        if self.instance.pk is None and data.get("hazard") and data.get("inspected_on"):
            _check(
                self,
                None,
                services.hazard_reinspect_validate,
                hazard=data["hazard"],
                inspected_on=data["inspected_on"],
                passed=bool(data.get("passed")),
                note=data.get("note", ""),
            )
        return data


@admin.register(Reinspection)
class ReinspectionAdmin(AuditedAdmin):
    """Adding here is the re-inspection (hazard_reinspect): the only way a hazard is verified."""

    form = ReinspectionForm
    list_display = ["hazard", "inspected_on", "inspectors", "passed", "recorded_by"]
    list_filter = ["passed", "inspected_on"]
    search_fields = ["hazard__description", "hazard__premises__name", "inspectors", "note"]
    date_hierarchy = "inspected_on"
    autocomplete_fields = ["hazard"]
    list_select_related = ["hazard__premises", "recorded_by"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["hazard", "inspected_on", "inspectors", "passed", "note"]
        return ["hazard", "rectification", "inspected_on", "inspectors", "passed", "note", "recorded_by"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        reinspection = services.hazard_reinspect(
            hazard=data["hazard"],
            inspected_on=data["inspected_on"],
            inspectors=data["inspectors"],
            passed=bool(data.get("passed")),
            note=data.get("note", ""),
            by=request.user,
        )
        _adopt(obj, reinspection)


# --- accountability ------------------------------------------------------------------------


class AccountabilityForm(forms.ModelForm):
    class Meta:
        model = Accountability
        fields = [
            "township",
            "incident",
            "premises",
            "hazard",
            "assignment",
            "person",
            "unit",
            "finding",
            "sanction",
            "decided_by",
            "decided_on",
        ]

    def clean(self):
        data = super().clean()
        if data.get("township") and data.get("decided_on"):
            subjects = [data.get(name) for name in ("incident", "premises", "hazard", "assignment")]
            # With no subject at all the error sits on a subject field, so the database constraint
            # is not reported a second time in its generic wording.
            _check(
                self,
                None if any(subjects) else "premises",
                services.accountability_validate,
                township=data["township"],
                decided_on=data["decided_on"],
                incident=data.get("incident"),
                premises=data.get("premises"),
                hazard=data.get("hazard"),
                assignment=data.get("assignment"),
            )
        return data


@admin.register(Accountability)
class AccountabilityAdmin(AuditedAdmin):
    form = AccountabilityForm
    list_display = ["decided_on", "person", "unit", "township", "sanction", "decided_by"]
    list_filter = ["township", "decided_on"]
    search_fields = ["person", "unit", "finding", "sanction", "decided_by"]
    date_hierarchy = "decided_on"
    autocomplete_fields = ["township", "premises", "hazard", "incident", "assignment"]
    list_select_related = ["township"]

    def save_model(self, request, obj, form, change):
        if change:
            obj._history_user = request.user
            super().save_model(request, obj, form, change)
            return
        accountability = services.accountability_record(
            township=obj.township,
            person=obj.person,
            unit=obj.unit,
            finding=obj.finding,
            sanction=obj.sanction,
            decided_by=obj.decided_by,
            decided_on=obj.decided_on,
            incident=obj.incident,
            premises=obj.premises,
            hazard=obj.hazard,
            assignment=obj.assignment,
            by=request.user,
        )
        _adopt(obj, accountability)
