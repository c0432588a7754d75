"""Admin of the campaign and the hazard closed loop (the guidance center's door).

Every save and delete — of a page's object and of its inlines' rows — is one inspections.services call
with `by` = the admin user (core.admin.ServiceAdmin), so the access policy (inspections.access) and
the rules are the services'. The forms run the services' `*_validate` helpers first, so a refused rule
is a form error before anything is saved; a refusal of the access policy is a 403 with its reason.
State fields (status, verified_on) are read-only, and state moves are admin actions or add pages
calling the loop's services: a hazard is verified only by a passed re-inspection (复查记录 → 增加).
"""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import (
    InlineServices,
    ReadOnlyAdmin,
    RecordAdmin,
    RecordInline,
    RuleCheckedForm,
    ServiceAdmin,
    apply_to_each,
    changed_values,
    form_value,
    instance_values,
    row_services,
)
from core.exceptions import ApplicationError
from inspections import services
from inspections.models import (
    Accountability,
    Campaign,
    ChecklistItem,
    ChecklistResult,
    HandoverAction,
    Hazard,
    HazardDeadlineTally,
    HazardHandover,
    HazardPhoto,
    HazardSupervision,
    HazardTally,
    Inspection,
    InspectionPlan,
    Rectification,
    Reinspection,
)
from townships.models import Premises


def _check(form, field: str | None, check, **kwargs) -> None:
    """Run a service-side check for an inline row; a refusal becomes an error on `field` (or the row)."""
    try:
        check(**kwargs)
    except ApplicationError as exc:
        form.add_error(field, str(exc.message))


def _new_rows(formset):
    """The forms of the rows an inline formset is about to add (filled in, valid so far, not deleted)."""
    for form in formset.forms:
        if not hasattr(form, "cleaned_data") or form.instance.pk is not None or not form.has_changed():
            continue
        if formset.can_delete and formset._should_delete_form(form):
            continue
        yield form


# --- campaigns and plans -------------------------------------------------------------------


class CampaignForm(RuleCheckedForm):
    class Meta:
        model = Campaign
        fields = ["county", "name", "kind", "starts_on", "ends_on", "description", "is_demo"]

    def check_rules(self) -> None:
        services.campaign_validate(
            starts_on=form_value(self, "starts_on"), ends_on=form_value(self, "ends_on")
        )


class InspectionPlanInlineForm(forms.ModelForm):
    """A plan row of a campaign. Its premises (a many-to-many) reach the plan services on the row
    (`form_premises`): an inline's services are given the row, not its form."""

    class Meta:
        model = InspectionPlan
        fields = ["title", "township", "police_station", "due_on", "premises"]

    def clean(self):
        data = super().clean()
        self.instance.form_premises = list(data.get("premises") or [])
        return data


class InspectionPlanInlineFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        campaign = self.instance
        if campaign.starts_on is None or campaign.ends_on is None or campaign.county_id is None:
            return  # the campaign's own form reports what is missing
        for form in self.forms:
            if not hasattr(form, "cleaned_data"):
                continue
            if self.can_delete and self._should_delete_form(form):
                if form.instance.pk is not None:
                    _check(form, None, services.inspection_plan_delete_validate, plan=form.instance)
                continue
            if not form.has_changed():
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


PLAN_FIELDS = ("township", "police_station", "title", "due_on")


def _plan_create(obj, by):
    return services.inspection_plan_create(
        campaign=obj.campaign, **instance_values(obj, PLAN_FIELDS), premises=obj.form_premises, by=by
    )


def _plan_update(obj, changed, by):
    data = instance_values(obj, set(changed) & set(PLAN_FIELDS))
    if "premises" in changed:
        data["premises"] = obj.form_premises
    services.inspection_plan_update(plan=obj, data=data, by=by)


PLAN_SERVICES = InlineServices(
    create=_plan_create,
    update=_plan_update,
    delete=lambda obj, by: services.inspection_plan_delete(plan=obj, by=by),
)


class InspectionPlanInline(admin.StackedInline):
    model = InspectionPlan
    form = InspectionPlanInlineForm
    formset = InspectionPlanInlineFormSet
    fields = ["title", "township", "police_station", "due_on", "premises"]
    autocomplete_fields = ["township", "police_station", "premises"]
    extra = 0
    show_change_link = True


@admin.register(Campaign)
class CampaignAdmin(ServiceAdmin):
    form = CampaignForm
    list_display = ["name", "county", "kind", "starts_on", "ends_on", "is_demo"]
    list_filter = ["kind", "county", "is_demo"]
    search_fields = ["name", "description"]
    date_hierarchy = "starts_on"
    autocomplete_fields = ["county"]
    inlines = [InspectionPlanInline]
    inline_services = {InspectionPlan: PLAN_SERVICES}
    fixed_fields = ["county"]  # its plans' townships are of that county

    writes = row_services(
        row="campaign",
        create=services.campaign_create,
        fields=["county", "name", "kind", "starts_on", "ends_on", "description", "is_demo"],
        update=services.campaign_update,
        allowed=services.CAMPAIGN_UPDATABLE_FIELDS,
        delete=services.campaign_delete,
    )


class InspectionPlanForm(RuleCheckedForm):
    class Meta:
        model = InspectionPlan
        fields = ["campaign", "township", "police_station", "title", "due_on", "premises"]

    def check_rules(self) -> None:
        services.inspection_plan_validate(
            campaign=form_value(self, "campaign"),
            township=form_value(self, "township"),
            due_on=form_value(self, "due_on"),
            premises=self.cleaned_data.get("premises") or [],
            police_station=form_value(self, "police_station"),
        )


@admin.register(InspectionPlan)
class InspectionPlanAdmin(ServiceAdmin):
    form = InspectionPlanForm
    list_display = ["title", "campaign", "township", "police_station", "due_on"]
    list_filter = ["campaign", "township"]
    search_fields = ["title", "township__name", "campaign__name"]
    date_hierarchy = "due_on"
    autocomplete_fields = ["campaign", "township", "police_station", "premises"]

    def create_service(self, obj, form, by):
        return services.inspection_plan_create(
            campaign=obj.campaign,
            **instance_values(obj, PLAN_FIELDS),
            premises=form.cleaned_data["premises"],
            by=by,
        )

    def update_service(self, obj, form, by):
        data = changed_values(obj, form, services.PLAN_UPDATABLE_FIELDS)
        services.inspection_plan_update(plan=obj, data=data, by=by)

    def delete_service(self, obj, by):
        services.inspection_plan_delete(plan=obj, by=by)

    def save_related(self, request, form, formsets, change):
        """The service has set the plan's premises (with the plan's rules): the form must not."""


# --- checklist -----------------------------------------------------------------------------


class ChecklistItemForm(forms.ModelForm):
    """The premises categories an item is asked of, as boxes to tick (none ticked: every category)."""

    premises_categories = forms.MultipleChoiceField(
        label=_("适用单位类别"),
        choices=Premises.Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选即适用于所有类别的单位；已有检查记录的结果不受影响。"),
    )

    class Meta:
        model = ChecklistItem
        fields = ["code", "text", "category", "premises_categories", "order", "is_active"]


@admin.register(ChecklistItem)
class ChecklistItemAdmin(ServiceAdmin):
    """Items are retired (`is_active`), never deleted: recorded results refer to them. Each applies
    to the premises categories ticked (none: all), which the guidance center edits here."""

    form = ChecklistItemForm
    list_display = ["code", "text", "category", "applies_to", "order", "is_active"]
    list_display_links = ["code", "text"]
    list_editable = ["order", "is_active"]
    list_filter = ["is_active", "category"]
    search_fields = ["code", "text", "category"]

    writes = row_services(
        row="item",
        create=services.checklist_item_create,
        fields=services.CHECKLIST_ITEM_FIELDS,
        update=services.checklist_item_update,
        allowed=services.CHECKLIST_ITEM_FIELDS,
    )

    @admin.display(description=_("适用单位类别"))
    def applies_to(self, item):
        labels = dict(Premises.Category.choices)
        return "、".join(str(labels.get(code, code)) for code in item.premises_categories) or _("全部")


class ChecklistResultForm(RuleCheckedForm):
    class Meta:
        model = ChecklistResult
        fields = ["inspection", "item", "result", "note"]

    def check_rules(self) -> None:
        item = self.cleaned_data.get("item")
        if item is not None and "item" in self.changed_data:
            services.checklist_item_active_validate(items=[item])
            inspection = self.cleaned_data.get("inspection") or (
                self.instance.inspection if self.instance.inspection_id else None
            )
            if inspection is not None:
                services.checklist_items_apply_validate(premises=inspection.premises, items=[item])


RESULT_SERVICES = row_services(
    row="result",
    create=services.checklist_result_create,
    fields=["inspection", "item", "result", "note"],
    update=services.checklist_result_update,
    allowed=services.RESULT_UPDATABLE_FIELDS,
    delete=services.checklist_result_delete,
)


@admin.register(ChecklistResult)
class ChecklistResultAdmin(ServiceAdmin):
    form = ChecklistResultForm
    list_display = ["inspection", "item", "result", "note"]
    list_filter = ["result"]
    search_fields = ["inspection__premises__name", "item__code", "item__text", "note"]
    autocomplete_fields = ["inspection", "item"]
    list_select_related = ["inspection__premises", "item"]
    fixed_fields = ["inspection"]
    writes = RESULT_SERVICES


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
        for form in _new_rows(self):
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


HAZARD_FOUND_FIELDS = ("severity", "description", "deadline", "responsible_person", "checklist_item")


def _hazard_create(obj, by):
    return services.hazard_create(
        inspection=obj.inspection,
        **instance_values(obj, HAZARD_FOUND_FIELDS),
        photo_before=obj.photo_before or None,
        by=by,
    )


class HazardInline(admin.StackedInline):
    model = Hazard
    form = HazardInlineForm
    formset = HazardInlineFormSet
    fields = [*HAZARD_FOUND_FIELDS, "photo_before", "status", "verified_on"]
    readonly_fields = ["status", "verified_on"]
    autocomplete_fields = ["checklist_item"]
    extra = 0
    can_delete = False
    show_change_link = True


class InspectionForm(RuleCheckedForm):
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

    def check_rules(self) -> None:
        if self.instance.pk is None:
            services.inspection_validate(
                premises=self.cleaned_data["premises"],
                kind=self.cleaned_data["kind"],
                inspected_on=self.cleaned_data["inspected_on"],
                plan=self.cleaned_data.get("plan"),
                police_station=self.cleaned_data.get("police_station"),
            )


@admin.register(Inspection)
class InspectionAdmin(ServiceAdmin):
    """A new inspection is recorded by the service, then its checklist results and hazards are added
    to it (all in the admin's one transaction); a recorded one's header is fixed but for its
    inspectors, signature and notes. An inspection is evidence for trace-back: never deleted."""

    form = InspectionForm
    list_display = ["inspected_on", "premises", "township", "kind", "inspectors", "plan", "recorded_by"]
    list_filter = ["kind", "township", "inspected_on"]
    search_fields = ["premises__name", "inspectors", "notes", "signed_by"]
    date_hierarchy = "inspected_on"
    autocomplete_fields = ["premises", "plan", "police_station"]
    list_select_related = ["premises", "township", "plan", "recorded_by"]
    inlines = [ChecklistResultInline, HazardInline]
    inline_services = {
        ChecklistResult: RESULT_SERVICES,
        # Recorded hazards are read-only rows here and cannot be deleted: only new ones are written.
        Hazard: InlineServices(create=_hazard_create, update=None, delete=None),
    }
    # Header facts of a recorded inspection feed hazards and the premises' inspection dates: fixed.
    fixed_fields = [
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
            return list(InspectionForm.Meta.fields)
        return [*self.fixed_fields, *services.INSPECTION_UPDATABLE_FIELDS]

    def create_service(self, obj, form, by):
        data = form.cleaned_data
        return services.inspection_record(
            premises=data["premises"],
            kind=data["kind"],
            inspected_on=data["inspected_on"],
            inspectors=data["inspectors"],
            plan=data.get("plan"),
            police_station=data.get("police_station"),
            signed_by=data.get("signed_by", ""),
            notes=data.get("notes", ""),
            by=by,
        )

    def update_service(self, obj, form, by):
        data = changed_values(obj, form, services.INSPECTION_UPDATABLE_FIELDS)
        services.inspection_update(inspection=obj, data=data, by=by)


# --- hazards and the closed loop -----------------------------------------------------------


class RectificationInline(RecordInline):
    """Rectifications are submitted through hazard_rectify (整改记录 → 增加)."""

    model = Rectification
    fields = ["rectified_on", "rectified_by", "measures", "evidence", "submitted_by"]


class HazardPhotoInline(RecordInline):
    """Photos are added through hazard_photo_add (隐患照片 → 增加, or the phone's sync)."""

    model = HazardPhoto
    fields = ["image", "taken_at", "latitude", "longitude", "location_accuracy_m", "uploaded_by"]


class ReinspectionInline(RecordInline):
    """Re-inspections go through hazard_reinspect (复查记录 → 增加)."""

    model = Reinspection
    fields = ["inspected_on", "inspectors", "passed", "note", "rectification", "recorded_by"]


class HazardAdminForm(RuleCheckedForm):
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

    def check_rules(self) -> None:
        data = self.cleaned_data
        if self.instance.pk is None:
            services.checklist_item_active_validate(items=[data.get("checklist_item")])
            services.hazard_deadline_validate(
                discovered_on=data["inspection"].inspected_on, deadline=data["deadline"]
            )
        elif "deadline" in self.changed_data:
            # self.instance still holds the stored deadline and status here.
            services.hazard_extend_deadline_validate(
                hazard=self.instance,
                new_deadline=data["deadline"],
                reason=data.get("deadline_reason", ""),
            )


@admin.register(Hazard)
class HazardAdmin(ServiceAdmin):
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
    inlines = [HazardPhotoInline, RectificationInline, ReinspectionInline]
    actions = ["start_rectifying"]
    add_fields = ["inspection", *HAZARD_FOUND_FIELDS, "photo_before"]
    fixed_fields = [
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
            *self.fixed_fields,
            "severity",
            "description",
            "deadline",
            "deadline_reason",
            "responsible_person",
            "photo_before",
            "photo_after",
        ]

    def create_service(self, obj, form, by):
        return services.hazard_create(
            inspection=obj.inspection,
            **instance_values(obj, HAZARD_FOUND_FIELDS),
            photo_before=form.cleaned_data.get("photo_before") or None,
            by=by,
        )

    def update_service(self, obj, form, by):
        data = changed_values(obj, form, services.HAZARD_UPDATABLE_FIELDS)
        if data:
            services.hazard_update(hazard=obj, data=data, by=by)
        if "deadline" in form.changed_data:
            services.hazard_extend_deadline(
                hazard=obj,
                new_deadline=form.cleaned_data["deadline"],
                reason=form.cleaned_data["deadline_reason"],
                by=by,
            )

    @admin.action(description=_("开始整改"))
    def start_rectifying(self, request, queryset):
        apply_to_each(
            self,
            request,
            queryset,
            lambda hazard: services.hazard_start_rectifying(hazard=hazard, by=request.user),
            done_message=_("已有 %(n)d 处隐患开始整改。"),
            label=str,
        )


class RectificationForm(RuleCheckedForm):
    photo_after = forms.ImageField(label=_("整改后照片"), required=False)

    class Meta:
        model = Rectification
        fields = ["hazard", "rectified_on", "rectified_by", "measures", "evidence"]

    def check_rules(self) -> None:
        services.hazard_rectify_validate(
            hazard=self.cleaned_data["hazard"], rectified_on=self.cleaned_data["rectified_on"]
        )


@admin.register(Rectification)
class RectificationAdmin(RecordAdmin):
    """Adding here submits a rectification (hazard_rectify): the hazard awaits its re-inspection."""

    form = RectificationForm
    step = staticmethod(services.hazard_rectify)
    recorded_fields = ("hazard", "rectified_on", "rectified_by", "measures", "evidence", "submitted_by")
    list_display = ["hazard", "rectified_on", "rectified_by", "submitted_by"]
    list_filter = ["rectified_on"]
    search_fields = ["hazard__description", "hazard__premises__name", "rectified_by", "measures"]
    date_hierarchy = "rectified_on"
    autocomplete_fields = ["hazard"]
    list_select_related = ["hazard__premises", "submitted_by"]


class HazardPhotoForm(forms.ModelForm):
    class Meta:
        model = HazardPhoto
        fields = ["hazard", "image", "taken_at"]


@admin.register(HazardPhoto)
class HazardPhotoAdmin(RecordAdmin):
    """Adding here adds a photo of a hazard (hazard_photo_add); a photo is evidence, viewed only."""

    form = HazardPhotoForm
    step = staticmethod(services.hazard_photo_add)
    recorded_fields = (
        "hazard",
        "image",
        "taken_at",
        "latitude",
        "longitude",
        "location_accuracy_m",
        "uploaded_by",
    )
    list_display = ["hazard", "taken_at", "uploaded_by", "created_at"]
    list_filter = ["taken_at"]
    search_fields = ["hazard__description", "hazard__premises__name"]
    autocomplete_fields = ["hazard"]
    list_select_related = ["hazard__premises", "uploaded_by"]


class ReinspectionForm(RuleCheckedForm):
    class Meta:
        model = Reinspection
        fields = ["hazard", "inspected_on", "inspectors", "passed", "note"]

    def check_rules(self) -> None:
        services.hazard_reinspect_validate(
            hazard=self.cleaned_data["hazard"],
            inspected_on=self.cleaned_data["inspected_on"],
            passed=self.cleaned_data["passed"],
            note=self.cleaned_data["note"],
        )


@admin.register(Reinspection)
class ReinspectionAdmin(RecordAdmin):
    """Adding here is the re-inspection (hazard_reinspect): the only way a hazard is verified."""

    form = ReinspectionForm
    step = staticmethod(services.hazard_reinspect)
    recorded_fields = (
        "hazard",
        "rectification",
        "inspected_on",
        "inspectors",
        "passed",
        "note",
        "recorded_by",
    )
    list_display = ["hazard", "inspected_on", "inspectors", "passed", "recorded_by"]
    list_filter = ["passed", "inspected_on"]
    search_fields = ["hazard__description", "hazard__premises__name", "inspectors", "note"]
    date_hierarchy = "inspected_on"
    autocomplete_fields = ["hazard"]
    list_select_related = ["hazard__premises", "recorded_by"]


# --- accountability ------------------------------------------------------------------------


class AccountabilityForm(RuleCheckedForm):
    class Meta:
        model = Accountability
        fields = list(services.ACCOUNTABILITY_FIELDS)

    def check_rules(self) -> None:
        data = self.cleaned_data
        subjects = {name: data.get(name) for name in ("incident", "premises", "hazard", "assignment")}
        try:
            services.accountability_validate(
                township=data["township"], decided_on=data["decided_on"], **subjects
            )
        except ApplicationError as exc:
            if any(subjects.values()):
                raise
            # On a subject field, so the database constraint is not reported again in its own words.
            self.add_error("premises", str(exc.message))


@admin.register(Accountability)
class AccountabilityAdmin(ServiceAdmin):
    """A decision is recorded and corrected here, never deleted (trace-back reads it)."""

    form = AccountabilityForm
    list_display = ["decided_on", "person", "unit", "township", "sanction", "decided_by"]
    list_filter = ["township", "decided_on"]
    search_fields = ["person", "unit", "finding", "sanction", "decided_by"]
    date_hierarchy = "decided_on"
    autocomplete_fields = ["township", "premises", "hazard", "incident", "assignment"]
    list_select_related = ["township"]

    writes = row_services(
        row="accountability",
        create=services.accountability_record,
        fields=services.ACCOUNTABILITY_FIELDS,
        update=services.accountability_update,
        allowed=services.ACCOUNTABILITY_UPDATABLE_FIELDS,
    )


class FiguresAdmin(ReadOnlyAdmin):
    """The figures the services keep (inspections.tallies): to read, never to edit; a difference
    from the rows is mended with `manage.py rebuild_figures`."""

    list_select_related = ["township", "campaign"]
    list_filter = ["campaign"]
    search_fields = ["township__name"]
    deletable = False


@admin.register(HazardTally)
class HazardTallyAdmin(FiguresAdmin):
    list_display = ["campaign", "township", "found", "major", "rectified", "rectified_late", "carried_open"]


@admin.register(HazardDeadlineTally)
class HazardDeadlineTallyAdmin(FiguresAdmin):
    list_display = ["campaign", "township", "deadline", "open"]


# --- hand-over and 挂牌督办: written on the hazard's page and the API, through their services -------


class ProcessRecordAdmin(ReadOnlyAdmin):
    """Steps of a hazard's hand-over or supervision: each is a service call with its own refusals (the
    hazard's page and the API), so the admin lists them and never writes them."""

    deletable = False


@admin.register(HazardHandover)
class HazardHandoverAdmin(ProcessRecordAdmin):
    list_display = ["hazard", "handed_over_on", "status", "ended_on"]
    list_filter = ["status", "handed_over_on"]
    search_fields = ["hazard__description", "hazard__premises__name", "reason", "outcome"]
    list_select_related = ["hazard__premises"]


@admin.register(HandoverAction)
class HandoverActionAdmin(ProcessRecordAdmin):
    list_display = ["handover", "kind", "taken_on"]
    list_filter = ["kind", "taken_on"]
    list_select_related = ["handover__hazard__premises"]


@admin.register(HazardSupervision)
class HazardSupervisionAdmin(ProcessRecordAdmin):
    list_display = ["hazard", "leader", "listed_on", "deadline", "lifted_on"]
    list_filter = ["listed_on", "lifted_on"]
    search_fields = ["hazard__description", "hazard__premises__name", "leader"]
    list_select_related = ["hazard__premises"]
