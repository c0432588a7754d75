"""Admin of the firebrigade app (the guidance center's). Every save and delete of brigades, members,
equipment, funding and fires is one firebrigade.services call with `by` = the admin user
(core.admin.ServiceAdmin), so the access policy (firebrigade.access) and the process rules hold here
as at every other door: forms run the services' check helpers (refusals become form errors), and
the brigade lifecycle and maintenance are admin actions calling their services.

Standards, equipment types and requirements are reference data without a process rule: the
center edits them as plain audited rows."""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.admin import (
    REFUSALS,
    AuditedAdmin,
    InlineServices,
    RecordAdmin,
    RecordInline,
    RuleCheckedForm,
    ServiceAdmin,
    apply_to_each,
    changed_values,
    form_value,
    instance_values,
    refusal_text,
    row_services,
)
from firebrigade import services
from firebrigade.models import (
    Brigade,
    BrigadeDocument,
    BrigadeMember,
    BrigadeStandard,
    CallOut,
    Disbursement,
    DutyRosterEntry,
    EquipmentCheck,
    EquipmentCode,
    EquipmentItem,
    EquipmentRequirement,
    EquipmentType,
    FireIncident,
    FireReportingRule,
    FundingAllocation,
    PublicityActivity,
    TrainingRecord,
)
from firebrigade.views import equipment_labels_page

# --- standards and equipment types ----------------------------------------------------------


class EquipmentRequirementInline(admin.TabularInline):
    model = EquipmentRequirement
    fields = ["equipment_type", "quantity"]
    autocomplete_fields = ["equipment_type"]
    extra = 0


@admin.register(BrigadeStandard)
class BrigadeStandardAdmin(AuditedAdmin):
    list_display = ["brigade_class", "min_staff", "min_vehicles", "min_station_area_m2"]
    search_fields = ["brigade_class", "notes"]
    inlines = [EquipmentRequirementInline]


@admin.register(EquipmentType)
class EquipmentTypeAdmin(AuditedAdmin):
    list_display = ["name", "category", "unit", "maintenance_interval_days"]
    list_filter = ["category"]
    search_fields = ["name"]


@admin.register(EquipmentRequirement)
class EquipmentRequirementAdmin(AuditedAdmin):
    list_display = ["standard", "equipment_type", "quantity"]
    list_filter = ["standard", "equipment_type__category"]
    list_select_related = ["standard", "equipment_type"]
    search_fields = ["equipment_type__name"]
    autocomplete_fields = ["equipment_type"]


# --- members and equipment (own pages and brigade inlines) ----------------------------------


class BrigadeMemberForm(RuleCheckedForm):
    class Meta:
        model = BrigadeMember
        fields = ["brigade", *services.MEMBER_FIELDS, "left_on"]

    def check_rules(self) -> None:
        left_on = form_value(self, "left_on")
        services.brigade_member_check_dates(
            hired_on=form_value(self, "hired_on"),
            left_on=left_on,
            contract_until=form_value(self, "contract_until"),
            certified_on=form_value(self, "certified_on"),
            certificate_until=form_value(self, "certificate_until"),
        )
        # self.instance still holds the stored values here (the form applies its own later).
        if self.instance.pk and left_on != self.instance.left_on:
            services.brigade_member_check_leave(member=self.instance, left_on=left_on)
        if left_on is not None and "on_duty" in self.fields:
            # Leaving ends duty (the leave service sets it too); spares the constraint error.
            self.cleaned_data["on_duty"] = False


def member_create(obj: BrigadeMember, by) -> BrigadeMember:
    """An admin-added member, through brigade_member_add (and brigade_member_leave when the form
    already says they left)."""
    values = instance_values(obj, services.MEMBER_FIELDS)
    values["on_duty"] = obj.on_duty and obj.left_on is None
    member = services.brigade_member_add(brigade=obj.brigade, **values, by=by)
    if obj.left_on is not None:
        services.brigade_member_leave(member=member, left_on=obj.left_on, by=by)
    return member


def member_update(obj: BrigadeMember, changed: list[str], by) -> None:
    """An admin-edited member: the changed details through brigade_member_update, a departure
    through brigade_member_leave."""
    left_on = obj.left_on
    data = {
        name: getattr(obj, name)
        for name in changed
        if name in services.MEMBER_UPDATABLE_FIELDS and not (name == "on_duty" and left_on is not None)
    }
    if data:
        services.brigade_member_update(member=obj, data=data, by=by)
    if "left_on" in changed and left_on is not None:
        services.brigade_member_leave(member=obj, left_on=left_on, by=by)


def member_delete(obj: BrigadeMember, by) -> None:
    services.brigade_member_delete(member=obj, by=by)


class EquipmentItemForm(RuleCheckedForm):
    class Meta:
        model = EquipmentItem
        fields = ["brigade", "equipment_type", *services.EQUIPMENT_FIELDS]

    def check_rules(self) -> None:
        last = form_value(self, "last_maintained_on")
        next_on = form_value(self, "next_maintenance_on")
        equipment_type = form_value(self, "equipment_type")
        if next_on is None and equipment_type is not None:
            next_on = services.equipment_next_maintenance(
                equipment_type=equipment_type, last_maintained_on=last
            )
        services.equipment_item_check(
            quantity=form_value(self, "quantity"), last_maintained_on=last, next_maintenance_on=next_on
        )


def equipment_create(obj: EquipmentItem, by) -> EquipmentItem:
    return services.equipment_item_add(
        brigade=obj.brigade,
        equipment_type=obj.equipment_type,
        **instance_values(obj, services.EQUIPMENT_FIELDS),
        by=by,
    )


def equipment_update(obj: EquipmentItem, changed: list[str], by) -> None:
    data = {name: getattr(obj, name) for name in changed if name in services.EQUIPMENT_UPDATABLE_FIELDS}
    if data:
        services.equipment_item_update(item=obj, data=data, by=by)


def equipment_delete(obj: EquipmentItem, by) -> None:
    services.equipment_item_delete(item=obj, by=by)


MEMBER_STEPS = InlineServices(create=member_create, update=member_update, delete=member_delete)
EQUIPMENT_STEPS = InlineServices(create=equipment_create, update=equipment_update, delete=equipment_delete)


class BrigadeMemberInline(admin.TabularInline):
    model = BrigadeMember
    form = BrigadeMemberForm
    fields = ["name", "role", "phone", "certification", "hired_on", "contract_until", "on_duty", "left_on"]
    extra = 0
    show_change_link = True


class EquipmentItemInline(admin.TabularInline):
    model = EquipmentItem
    form = EquipmentItemForm
    fields = ["equipment_type", "quantity", "condition", "last_maintained_on", "next_maintenance_on", "note"]
    autocomplete_fields = ["equipment_type"]
    extra = 0
    show_change_link = True


@admin.register(BrigadeMember)
class BrigadeMemberAdmin(ServiceAdmin):
    form = BrigadeMemberForm
    list_display = ["name", "brigade", "role", "phone", "hired_on", "contract_until", "on_duty", "left_on"]
    list_filter = ["role", "on_duty", "brigade__township"]
    list_select_related = ["brigade"]
    search_fields = ["name", "phone", "certification", "brigade__name"]
    autocomplete_fields = ["brigade"]
    date_hierarchy = "hired_on"
    writes = MEMBER_STEPS

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["left_on"]
        # A member moves between brigades by leaving one and joining the other; a departure is final.
        fields = ["brigade"]
        if obj.left_on is not None:
            fields += ["left_on", "on_duty"]
        return fields


@admin.register(EquipmentItem)
class EquipmentItemAdmin(ServiceAdmin):
    form = EquipmentItemForm
    list_display = [
        "equipment_type",
        "brigade",
        "quantity",
        "condition",
        "last_maintained_on",
        "next_maintenance_on",
    ]
    list_filter = ["condition", "equipment_type__category", "brigade__township"]
    list_select_related = ["equipment_type", "brigade"]
    search_fields = ["equipment_type__name", "brigade__name", "note"]
    autocomplete_fields = ["brigade", "equipment_type"]
    date_hierarchy = "next_maintenance_on"
    actions = ["record_maintenance_today", "print_code_labels", "reissue_codes"]
    fixed_fields = ["brigade", "equipment_type"]
    writes = EQUIPMENT_STEPS

    @admin.action(description=_("登记保养（今日）"))
    def record_maintenance_today(self, request, queryset):
        today = timezone.localdate()
        apply_to_each(
            self,
            request,
            queryset.select_related("equipment_type", "brigade"),
            lambda item: services.equipment_item_record_maintenance(
                item=item, maintained_on=today, by=request.user
            ),
            done_message=_("已登记 %(n)s 项装备保养。"),
            label=lambda item: f"{item.brigade}·{item}",
        )

    @admin.action(description=_("打印二维码标签（没有码的先生成）"))
    def print_code_labels(self, request, queryset):
        items = list(
            queryset.select_related("equipment_type", "brigade__township").order_by(
                "brigade__township__name", "brigade__name", "equipment_type__name", "id"
            )
        )
        try:
            codes = services.equipment_codes_issue(items=items, by=request.user)
        except REFUSALS as exc:
            self.message_user(request, refusal_text(exc), level=messages.ERROR)
            return None
        return equipment_labels_page(request, list(zip(items, codes, strict=True)), title=_("装备二维码标签"))

    @admin.action(description=_("补发二维码（旧码作废）"))
    def reissue_codes(self, request, queryset):
        apply_to_each(
            self,
            request,
            queryset.select_related("brigade", "equipment_type"),
            lambda item: services.equipment_code_reissue(item=item, by=request.user),
            done_message=_("已为 %(n)s 件装备补发二维码，旧码已作废。"),
            label=lambda item: f"{item.brigade}·{item}",
        )


# --- brigades -------------------------------------------------------------------------------


class BrigadeForm(RuleCheckedForm):
    class Meta:
        model = Brigade
        fields = [*services.BRIGADE_DETAILS, "also_serves", "is_demo"]

    def check_rules(self) -> None:
        services.brigade_check_also_serves(
            township=form_value(self, "township"), also_serves=self.cleaned_data.get("also_serves") or []
        )
        if self.instance.pk and "brigade_class" in self.changed_data:
            services.brigade_check_class_change(brigade=self.instance)


def _lifecycle_action(name: str, description, step, done_message):
    """An admin action moving each selected brigade one construction step today, through `step`
    (brigade, day, by); a refusal is reported per brigade and writes nothing for it."""

    def act(modeladmin, request, queryset):
        today = timezone.localdate()
        apply_to_each(
            modeladmin,
            request,
            queryset.order_by("name"),
            lambda brigade: step(brigade, today, request.user),
            done_message=done_message,
        )

    act.__name__ = name
    return admin.action(description=description)(act)


LIFECYCLE_ACTIONS = [
    _lifecycle_action(
        "start_construction",
        _("开始建设"),
        lambda b, day, by: services.brigade_start_construction(brigade=b, started_on=day, by=by),
        _("%(n)s 支队伍已开始建设。"),
    ),
    _lifecycle_action(
        "mark_established",
        _("标记建成"),
        lambda b, day, by: services.brigade_mark_established(brigade=b, established_on=day, by=by),
        _("%(n)s 支队伍已标记建成。"),
    ),
    _lifecycle_action(
        "accept",
        _("验收"),
        lambda b, day, by: services.brigade_accept(
            brigade=b, accepted_on=day, accepted_by=services.ACCEPTING_UNIT, by=by
        ),
        _("%(n)s 支队伍已通过验收。"),
    ),
]


@admin.register(Brigade)
class BrigadeAdmin(ServiceAdmin):
    form = BrigadeForm
    list_display = [
        "name",
        "township",
        "brigade_class",
        "status",
        "construction_started_on",
        "established_on",
        "accepted_on",
    ]
    list_filter = ["status", "brigade_class", "township"]
    list_select_related = ["township"]
    search_fields = ["name", "township__name", "station_address"]
    autocomplete_fields = ["township", "also_serves"]
    readonly_fields = ["status", "construction_started_on", "established_on", "accepted_on", "accepted_by"]
    date_hierarchy = "established_on"
    inlines = [BrigadeMemberInline, EquipmentItemInline]
    actions = LIFECYCLE_ACTIONS
    inline_services = {BrigadeMember: MEMBER_STEPS, EquipmentItem: EQUIPMENT_STEPS}

    def create_service(self, obj, form, by):
        return services.brigade_create(
            **instance_values(obj, services.BRIGADE_UPDATABLE_FIELDS),
            also_serves=form.cleaned_data.get("also_serves", []),
            by=by,
        )

    def update_service(self, obj, form, by):
        services.brigade_update(
            brigade=obj,
            data=changed_values(obj, form, services.BRIGADE_UPDATABLE_FIELDS),
            also_serves=form.cleaned_data.get("also_serves", []),
            by=by,
        )

    def delete_service(self, obj, by):
        services.brigade_delete(brigade=obj, by=by)


# --- funding --------------------------------------------------------------------------------


class DisbursementInline(RecordInline):
    """Disbursements are recorded through the 经费到位 add form (disbursement_record)."""

    model = Disbursement
    fields = ["disbursed_on", "amount", "voucher_no", "recorded_by", "created_at"]


class FundingAllocationForm(RuleCheckedForm):
    class Meta:
        model = FundingAllocation
        fields = ["township", "year", "category", "amount", "source", "note"]

    def check_rules(self) -> None:
        amount = form_value(self, "amount")
        if self.instance.pk:
            services.funding_check_amount(allocation=self.instance, amount=amount)
        else:
            services.funding_check_allocation(
                township=form_value(self, "township"),
                year=form_value(self, "year"),
                category=form_value(self, "category"),
                amount=amount,
            )


@admin.register(FundingAllocation)
class FundingAllocationAdmin(ServiceAdmin):
    form = FundingAllocationForm
    list_display = ["township", "year", "category", "amount", "disbursed_amount", "disbursed_ratio", "source"]
    list_filter = ["year", "category", "township"]
    list_select_related = ["township"]
    search_fields = ["township__name", "source", "note"]
    autocomplete_fields = ["township"]
    inlines = [DisbursementInline]
    readonly_fields = ["disbursed_amount"]
    # What was budgeted for whom is fixed once money may have arrived against it.
    fixed_fields = ["township", "year", "category"]

    @admin.display(description=_("到位率"))
    def disbursed_ratio(self, obj) -> str:
        if not obj.amount:
            return "—"
        return f"{obj.disbursed_amount / obj.amount:.0%}"

    writes = row_services(
        row="allocation",
        create=services.funding_allocate,
        fields=["township", "year", "category", "amount", "source", "note"],
        update=services.funding_update,
        allowed=services.FUNDING_UPDATABLE_FIELDS,
        delete=services.funding_allocation_delete,
    )


class DisbursementForm(RuleCheckedForm):
    class Meta:
        model = Disbursement
        fields = ["allocation", "amount", "disbursed_on", "voucher_no"]

    def check_rules(self) -> None:
        services.disbursement_check(
            allocation=self.cleaned_data["allocation"],
            amount=self.cleaned_data["amount"],
            disbursed_on=self.cleaned_data["disbursed_on"],
        )


@admin.register(Disbursement)
class DisbursementAdmin(RecordAdmin):
    """Added through disbursement_record (so the budget holds); never changed or deleted here."""

    form = DisbursementForm
    step = staticmethod(services.disbursement_record)
    list_display = ["allocation", "amount", "disbursed_on", "voucher_no", "recorded_by"]
    list_filter = ["allocation__year", "allocation__category", "allocation__township"]
    list_select_related = ["allocation__township", "recorded_by"]
    search_fields = ["voucher_no", "allocation__township__name"]
    autocomplete_fields = ["allocation"]
    date_hierarchy = "disbursed_on"


# --- fire incidents -------------------------------------------------------------------------


@admin.register(FireReportingRule)
class FireReportingRuleAdmin(AuditedAdmin):
    """The reporting deadlines, per grade: reference data the guidance center edits. A grade has one
    rule; without one it follows the defaults (firebrigade.models.DEFAULT_REPORT_HOURS), so rules are
    changed, not deleted."""

    list_display = ["grade", "hours", "hours_with_deaths", "note"]

    def has_delete_permission(self, request, obj=None):
        return False


class FireIncidentForm(RuleCheckedForm):
    class Meta:
        model = FireIncident
        fields = ["township", *services.INCIDENT_FIELDS, "is_demo"]

    def check_rules(self) -> None:
        services.fire_incident_check(
            township=form_value(self, "township"),
            premises=form_value(self, "premises"),
            occurred_at=form_value(self, "occurred_at"),
            deaths=form_value(self, "deaths"),
            injuries=form_value(self, "injuries"),
            direct_loss=form_value(self, "direct_loss"),
            serious_injuries=form_value(self, "serious_injuries"),
            burned_area_m2=form_value(self, "burned_area_m2"),
            reported_at=form_value(self, "reported_at"),
        )


@admin.register(FireIncident)
class FireIncidentAdmin(ServiceAdmin):
    """The grade is the services' (fire_grade), shown, never typed; the time reported is the one of a
    report on paper or by phone (blank: the township has not reported yet)."""

    form = FireIncidentForm
    list_display = [
        "occurred_at",
        "reported_at",
        "township",
        "address",
        "premises",
        "grade",
        "cause",
        "deaths",
        "injuries",
        "direct_loss",
        "responding_brigade",
        "arrival_minutes",
    ]
    readonly_fields = ["grade"]
    list_filter = ["grade", "cause", "township", "is_demo"]
    list_select_related = ["township", "premises", "responding_brigade"]
    search_fields = ["address", "description", "premises__name", "township__name"]
    autocomplete_fields = ["township", "premises", "responding_brigade"]
    date_hierarchy = "occurred_at"
    fixed_fields = ["township"]

    writes = row_services(
        row="incident",
        create=services.fire_incident_record,
        fields=["township", *services.INCIDENT_FIELDS, "is_demo"],
        update=services.fire_incident_update,
        allowed=services.INCIDENT_UPDATABLE_FIELDS,
        delete=services.fire_incident_delete,
    )


# --- the brigade archive (一队一档) ------------------------------------------------------------


class ArchiveRecordAdmin(RecordAdmin):
    """An archive record is added through its service (the access policy and the rules hold) and is
    then evidence, viewed only; one entered by mistake is deleted through archive_record_delete."""

    list_select_related = ["brigade__township"]
    autocomplete_fields = ["brigade"]

    def delete_service(self, obj, by):
        services.archive_record_delete(record=obj, by=by)


class BrigadeDocumentForm(RuleCheckedForm):
    class Meta:
        model = BrigadeDocument
        fields = ["brigade", *services.DOCUMENT_FIELDS]


@admin.register(BrigadeDocument)
class BrigadeDocumentAdmin(ArchiveRecordAdmin):
    form = BrigadeDocumentForm
    step = staticmethod(services.brigade_document_add)
    list_display = ["title", "brigade", "kind", "issued_on", "created_at"]
    list_filter = ["kind", "brigade__township"]
    search_fields = ["title", "brigade__name"]


class TrainingRecordForm(RuleCheckedForm):
    class Meta:
        model = TrainingRecord
        fields = ["brigade", *services.TRAINING_FIELDS]

    def check_rules(self) -> None:
        services.training_check(
            kind=form_value(self, "kind"),
            held_on=form_value(self, "held_on"),
            hours=form_value(self, "hours"),
        )


@admin.register(TrainingRecord)
class TrainingRecordAdmin(ArchiveRecordAdmin):
    form = TrainingRecordForm
    step = staticmethod(services.training_record)
    list_display = ["held_on", "brigade", "kind", "hours", "topic"]
    list_filter = ["kind", "brigade__township"]
    search_fields = ["topic", "place", "brigade__name"]
    autocomplete_fields = ["brigade", "participants"]
    date_hierarchy = "held_on"


@admin.register(DutyRosterEntry)
class DutyRosterEntryAdmin(ArchiveRecordAdmin):
    step = staticmethod(services.duty_roster_add)
    fields = ["brigade", *services.DUTY_FIELDS]
    list_display = ["duty_on", "shift", "brigade", "leader"]
    list_filter = ["shift", "brigade__township"]
    list_select_related = ["brigade__township", "leader"]
    search_fields = ["brigade__name", "leader__name", "note"]
    autocomplete_fields = ["brigade", "leader", "members"]
    date_hierarchy = "duty_on"


class CallOutForm(RuleCheckedForm):
    class Meta:
        model = CallOut
        fields = ["brigade", *services.CALL_OUT_FIELDS]

    def check_rules(self) -> None:
        services.call_out_check(
            brigade=form_value(self, "brigade"),
            kind=form_value(self, "kind"),
            called_at=form_value(self, "called_at"),
            arrived_at=form_value(self, "arrived_at"),
            incident=form_value(self, "incident"),
        )


@admin.register(CallOut)
class CallOutAdmin(ArchiveRecordAdmin):
    form = CallOutForm
    step = staticmethod(services.call_out_record)
    list_display = ["called_at", "arrived_at", "brigade", "kind", "address", "incident"]
    list_filter = ["kind", "brigade__township"]
    list_select_related = ["brigade__township", "incident"]
    search_fields = ["address", "outcome", "brigade__name"]
    autocomplete_fields = ["brigade", "incident"]
    date_hierarchy = "called_at"


@admin.register(PublicityActivity)
class PublicityActivityAdmin(ArchiveRecordAdmin):
    step = staticmethod(services.publicity_record)
    fields = ["brigade", *services.PUBLICITY_FIELDS]
    list_display = ["held_on", "brigade", "kind", "place", "audience"]
    list_filter = ["kind", "brigade__township"]
    search_fields = ["place", "note", "brigade__name"]
    date_hierarchy = "held_on"


# --- 一店一码 and maintenance checks ------------------------------------------------------------


@admin.action(description=_("作废所选二维码"))
def revoke_equipment_codes(modeladmin, request, queryset):
    apply_to_each(
        modeladmin,
        request,
        queryset.filter(revoked_at__isnull=True).select_related("item__brigade", "item__equipment_type"),
        lambda code: services.equipment_code_revoke(code=code, by=request.user),
        done_message=_("已作废 %(n)s 个二维码。"),
        label=str,
    )


@admin.register(EquipmentCode)
class EquipmentCodeAdmin(ServiceAdmin):
    """Equipment QR codes: issued here, from the equipment (打印二维码标签) or the brigade page;
    revoked here or reissued from the equipment. A code is never edited or deleted: a revoked one
    stays, with who revoked it and when."""

    fields = ["item", "token", "issued_by", "revoked_at", "revoked_by"]
    readonly_fields = ["token", "issued_by", "revoked_at", "revoked_by"]
    list_display = ["item", "brigade", "short_token", "created_at", "issued_by", "revoked_at", "revoked_by"]
    list_filter = ["revoked_at", "item__brigade__township"]
    search_fields = ["item__equipment_type__name", "item__brigade__name", "token"]
    list_select_related = ["item__equipment_type", "item__brigade", "issued_by", "revoked_by"]
    autocomplete_fields = ["item"]
    actions = [revoke_equipment_codes]

    def create_service(self, obj, form, by):
        return services.equipment_code_issue(item=obj.item, by=by)

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("消防队"))
    def brigade(self, obj):
        return obj.item.brigade

    @admin.display(description=_("令牌"))
    def short_token(self, obj):
        return f"{obj.token[:6]}…"


@admin.register(EquipmentCheck)
class EquipmentCheckAdmin(ServiceAdmin):
    """Maintenance checks, mostly recorded by scanning an item's code; the center may record one
    here. A check is a record of what was found: never edited or deleted."""

    fields = ["item", "checked_on", "result", "note", "checked_by"]
    readonly_fields = ["checked_by"]
    list_display = ["item", "brigade", "checked_on", "result", "checked_by", "note"]
    list_filter = ["result", "item__brigade__township"]
    search_fields = ["item__equipment_type__name", "item__brigade__name", "note"]
    list_select_related = ["item__equipment_type", "item__brigade", "checked_by"]
    autocomplete_fields = ["item"]
    date_hierarchy = "checked_on"

    def create_service(self, obj, form, by):
        return services.equipment_check_record(
            item=obj.item, result=obj.result, checked_on=obj.checked_on, note=obj.note, by=by
        )

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("消防队"))
    def brigade(self, obj):
        return obj.item.brigade
