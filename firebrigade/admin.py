"""Admin of the firebrigade app. State (brigade status and dates, disbursed amounts, departures)
moves only through firebrigade.services: forms run the services' check helpers (refusals become
form errors), save_model / save_formset call the services, and the brigade lifecycle is three
admin actions."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.admin import AuditedAdmin, RuleCheckedForm, adopt, changed_values, form_value
from core.exceptions import ApplicationError
from firebrigade import services
from firebrigade.models import (
    Brigade,
    BrigadeMember,
    BrigadeStandard,
    Disbursement,
    EquipmentItem,
    EquipmentRequirement,
    EquipmentType,
    FireIncident,
    FundingAllocation,
)

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
        fields = [
            "brigade",
            "name",
            "role",
            "phone",
            "certification",
            "certified_on",
            "hired_on",
            "left_on",
            "contract_until",
            "on_duty",
        ]

    def check_rules(self) -> None:
        left_on = form_value(self, "left_on")
        services.brigade_member_check_dates(
            hired_on=form_value(self, "hired_on"),
            left_on=left_on,
            contract_until=form_value(self, "contract_until"),
        )
        # self.instance still holds the stored values here (the form applies its own later).
        if self.instance.pk and left_on != self.instance.left_on:
            services.brigade_member_check_leave(member=self.instance, left_on=left_on)
        if left_on is not None and "on_duty" in self.fields:
            # Leaving ends duty (the leave service sets it too); spares the constraint error.
            self.cleaned_data["on_duty"] = False


def save_member(obj: BrigadeMember, changed: list[str] | None, by) -> None:
    """Route an admin-edited member through the services (changed is None for a new member)."""
    left_on = obj.left_on
    if changed is None:
        created = services.brigade_member_add(
            brigade=obj.brigade,
            name=obj.name,
            role=obj.role,
            hired_on=obj.hired_on,
            phone=obj.phone,
            certification=obj.certification,
            certified_on=obj.certified_on,
            contract_until=obj.contract_until,
            on_duty=obj.on_duty and left_on is None,
            by=by,
        )
        adopt(obj, created)
        if left_on is not None:
            services.brigade_member_leave(member=obj, left_on=left_on, by=by)
        return
    data = {
        name: getattr(obj, name)
        for name in changed
        if name in services.MEMBER_UPDATABLE_FIELDS and not (name == "on_duty" and left_on is not None)
    }
    if data:
        services.brigade_member_update(member=obj, data=data, by=by)
    if "left_on" in changed and left_on is not None:
        services.brigade_member_leave(member=obj, left_on=left_on, by=by)


class EquipmentItemForm(RuleCheckedForm):
    class Meta:
        model = EquipmentItem
        fields = [
            "brigade",
            "equipment_type",
            "quantity",
            "condition",
            "acquired_on",
            "last_maintained_on",
            "next_maintenance_on",
            "note",
        ]

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


def save_equipment(obj: EquipmentItem, changed: list[str] | None, by) -> None:
    """Route an admin-edited item through the services (changed is None for a new item)."""
    if changed is None:
        created = services.equipment_item_add(
            brigade=obj.brigade,
            equipment_type=obj.equipment_type,
            quantity=obj.quantity,
            condition=obj.condition,
            acquired_on=obj.acquired_on,
            last_maintained_on=obj.last_maintained_on,
            next_maintenance_on=obj.next_maintenance_on,
            note=obj.note,
            by=by,
        )
        adopt(obj, created)
        return
    data = {name: getattr(obj, name) for name in changed if name in services.EQUIPMENT_UPDATABLE_FIELDS}
    if data:
        services.equipment_item_update(item=obj, data=data, by=by)


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
class BrigadeMemberAdmin(AuditedAdmin):
    form = BrigadeMemberForm
    list_display = ["name", "brigade", "role", "phone", "hired_on", "contract_until", "on_duty", "left_on"]
    list_filter = ["role", "on_duty", "brigade__township"]
    list_select_related = ["brigade"]
    search_fields = ["name", "phone", "certification", "brigade__name"]
    autocomplete_fields = ["brigade"]
    date_hierarchy = "hired_on"

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["left_on"]
        # A member moves between brigades by leaving one and joining the other; a departure is final.
        fields = ["brigade"]
        if obj.left_on is not None:
            fields += ["left_on", "on_duty"]
        return fields

    def save_model(self, request, obj, form, change):
        save_member(obj, form.changed_data if change else None, request.user)


@admin.register(EquipmentItem)
class EquipmentItemAdmin(AuditedAdmin):
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
    actions = ["record_maintenance_today"]

    def get_readonly_fields(self, request, obj=None):
        return ["brigade", "equipment_type"] if obj else []

    def save_model(self, request, obj, form, change):
        save_equipment(obj, form.changed_data if change else None, request.user)

    @admin.action(description=_("登记保养（今日）"))
    def record_maintenance_today(self, request, queryset):
        today = timezone.localdate()
        done = 0
        for item in queryset.select_related("equipment_type", "brigade"):
            try:
                services.equipment_item_record_maintenance(item=item, maintained_on=today, by=request.user)
            except (ApplicationError, ValidationError) as exc:
                self.message_user(request, f"{item.brigade}·{item}：{_error_text(exc)}", level=messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, _("已登记 %(n)s 项装备保养。") % {"n": done}, level=messages.SUCCESS)


# --- brigades -------------------------------------------------------------------------------


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ApplicationError):
        return str(exc.message)
    return "；".join(str(m) for m in exc.messages)


class BrigadeForm(RuleCheckedForm):
    class Meta:
        model = Brigade
        fields = [
            "township",
            "name",
            "brigade_class",
            "station_address",
            "station_area_m2",
            "duty_phone",
            "also_serves",
            "is_demo",
        ]

    def check_rules(self) -> None:
        services.brigade_check_also_serves(
            township=form_value(self, "township"), also_serves=self.cleaned_data.get("also_serves") or []
        )
        if self.instance.pk and "brigade_class" in self.changed_data:
            services.brigade_check_class_change(brigade=self.instance)


@admin.register(Brigade)
class BrigadeAdmin(AuditedAdmin):
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
    actions = ["start_construction", "mark_established", "accept"]

    def save_model(self, request, obj, form, change):
        if change:
            services.brigade_update(
                brigade=obj,
                data=changed_values(obj, form, services.BRIGADE_UPDATABLE_FIELDS),
                also_serves=form.cleaned_data.get("also_serves", []),
                by=request.user,
            )
            return
        # also_serves is saved by save_related (form.save_m2m), once the brigade exists.
        created = services.brigade_create(
            township=obj.township,
            name=obj.name,
            brigade_class=obj.brigade_class,
            station_address=obj.station_address,
            station_area_m2=obj.station_area_m2,
            duty_phone=obj.duty_phone,
            is_demo=obj.is_demo,
            by=request.user,
        )
        adopt(obj, created)

    def save_formset(self, request, form, formset, change):
        savers = {BrigadeMember: save_member, EquipmentItem: save_equipment}
        saver = savers.get(formset.model)
        if saver is None:
            super().save_formset(request, form, formset, change)
            return
        formset.save(commit=False)  # fills new_objects / changed_objects / deleted_objects, writes nothing
        for obj in formset.deleted_objects:
            obj._history_user = request.user
            obj.delete()
        for obj in formset.new_objects:
            saver(obj, None, request.user)
        for obj, changed in formset.changed_objects:
            saver(obj, changed, request.user)

    def _transition(self, request, queryset, call, done_message):
        done = 0
        for brigade in queryset.order_by("name"):
            try:
                call(brigade)
            except (ApplicationError, ValidationError) as exc:
                self.message_user(request, _error_text(exc), level=messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, done_message % {"n": done}, level=messages.SUCCESS)

    @admin.action(description=_("开始建设"))
    def start_construction(self, request, queryset):
        today = timezone.localdate()
        self._transition(
            request,
            queryset,
            lambda b: services.brigade_start_construction(brigade=b, started_on=today, by=request.user),
            _("%(n)s 支队伍已开始建设。"),
        )

    @admin.action(description=_("标记建成"))
    def mark_established(self, request, queryset):
        today = timezone.localdate()
        self._transition(
            request,
            queryset,
            lambda b: services.brigade_mark_established(brigade=b, established_on=today, by=request.user),
            _("%(n)s 支队伍已标记建成。"),
        )

    @admin.action(description=_("验收"))
    def accept(self, request, queryset):
        today = timezone.localdate()
        self._transition(
            request,
            queryset,
            lambda b: services.brigade_accept(
                brigade=b, accepted_on=today, accepted_by=services.ACCEPTING_UNIT, by=request.user
            ),
            _("%(n)s 支队伍已通过验收。"),
        )


# --- funding --------------------------------------------------------------------------------


class DisbursementInline(admin.TabularInline):
    """Read-only: disbursements are recorded through the 经费到位 add form (disbursement_record)."""

    model = Disbursement
    fields = ["disbursed_on", "amount", "voucher_no", "recorded_by", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


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
class FundingAllocationAdmin(AuditedAdmin):
    form = FundingAllocationForm
    list_display = ["township", "year", "category", "amount", "disbursed_amount", "disbursed_ratio", "source"]
    list_filter = ["year", "category", "township"]
    list_select_related = ["township"]
    search_fields = ["township__name", "source", "note"]
    autocomplete_fields = ["township"]
    inlines = [DisbursementInline]

    def get_readonly_fields(self, request, obj=None):
        # What was budgeted for whom is fixed once money may have arrived against it.
        return ["township", "year", "category", "disbursed_amount"] if obj else ["disbursed_amount"]

    @admin.display(description=_("到位率"))
    def disbursed_ratio(self, obj) -> str:
        if not obj.amount:
            return "—"
        return f"{obj.disbursed_amount / obj.amount:.0%}"

    def save_model(self, request, obj, form, change):
        if change:
            services.funding_update(
                allocation=obj,
                data=changed_values(obj, form, services.FUNDING_UPDATABLE_FIELDS),
                by=request.user,
            )
            return
        created = services.funding_allocate(
            township=obj.township,
            year=obj.year,
            category=obj.category,
            amount=obj.amount,
            source=obj.source,
            note=obj.note,
            by=request.user,
        )
        adopt(obj, created)


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
class DisbursementAdmin(AuditedAdmin):
    """Added through disbursement_record (so the budget holds); never changed or deleted here."""

    form = DisbursementForm
    list_display = ["allocation", "amount", "disbursed_on", "voucher_no", "recorded_by"]
    list_filter = ["allocation__year", "allocation__category", "allocation__township"]
    list_select_related = ["allocation__township", "recorded_by"]
    search_fields = ["voucher_no", "allocation__township__name"]
    autocomplete_fields = ["allocation"]
    date_hierarchy = "disbursed_on"

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        created = services.disbursement_record(
            allocation=obj.allocation,
            amount=obj.amount,
            disbursed_on=obj.disbursed_on,
            voucher_no=obj.voucher_no,
            by=request.user,
        )
        adopt(obj, created)


# --- fire incidents -------------------------------------------------------------------------


class FireIncidentForm(RuleCheckedForm):
    class Meta:
        model = FireIncident
        fields = [
            "township",
            "premises",
            "occurred_at",
            "address",
            "cause",
            "deaths",
            "injuries",
            "direct_loss",
            "responding_brigade",
            "arrival_minutes",
            "description",
            "is_demo",
        ]

    def check_rules(self) -> None:
        services.fire_incident_check(
            township=form_value(self, "township"),
            premises=form_value(self, "premises"),
            occurred_at=form_value(self, "occurred_at"),
            deaths=form_value(self, "deaths"),
            injuries=form_value(self, "injuries"),
            direct_loss=form_value(self, "direct_loss"),
        )


@admin.register(FireIncident)
class FireIncidentAdmin(AuditedAdmin):
    form = FireIncidentForm
    list_display = [
        "occurred_at",
        "township",
        "address",
        "premises",
        "cause",
        "deaths",
        "injuries",
        "direct_loss",
        "responding_brigade",
        "arrival_minutes",
    ]
    list_filter = ["cause", "township", "is_demo"]
    list_select_related = ["township", "premises", "responding_brigade"]
    search_fields = ["address", "description", "premises__name", "township__name"]
    autocomplete_fields = ["township", "premises", "responding_brigade"]
    date_hierarchy = "occurred_at"

    def get_readonly_fields(self, request, obj=None):
        return ["township"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            services.fire_incident_update(
                incident=obj,
                data=changed_values(obj, form, services.INCIDENT_UPDATABLE_FIELDS),
                by=request.user,
            )
            return
        created = services.fire_incident_record(
            township=obj.township,
            premises=obj.premises,
            occurred_at=obj.occurred_at,
            address=obj.address,
            cause=obj.cause,
            deaths=obj.deaths,
            injuries=obj.injuries,
            direct_loss=obj.direct_loss,
            responding_brigade=obj.responding_brigade,
            arrival_minutes=obj.arrival_minutes,
            description=obj.description,
            is_demo=obj.is_demo,
            by=request.user,
        )
        adopt(obj, created)
