"""Admin of the townships app. Writes with rules go through townships.services: the forms run the
services' check helpers (refusals become form errors) and save_model calls the service."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from core.admin import AuditedAdmin, RuleCheckedForm, adopt, changed_values, form_value
from townships import services
from townships.models import (
    County,
    Grid,
    GridMember,
    PoliceStation,
    Premises,
    ResponsibilityAgreement,
    Township,
)

# --- county / township / police station -----------------------------------------------------


@admin.register(County)
class CountyAdmin(AuditedAdmin):
    list_display = ["name", "code", "is_demo"]
    list_filter = ["is_demo"]
    search_fields = ["name", "code"]


class GridInline(admin.TabularInline):
    model = Grid
    fields = ["name", "area_description"]
    extra = 0
    show_change_link = True


@admin.register(Township)
class TownshipAdmin(AuditedAdmin):
    list_display = [
        "name",
        "county",
        "kind",
        "principal_leader",
        "fire_deputy",
        "fire_deputy_phone",
        "is_demo",
    ]
    list_filter = ["county", "kind", "is_demo"]
    list_select_related = ["county"]
    search_fields = ["name", "principal_leader", "fire_deputy"]
    autocomplete_fields = ["county"]
    inlines = [GridInline]


class PoliceStationForm(RuleCheckedForm):
    class Meta:
        model = PoliceStation
        fields = ["county", "name", "chief", "phone", "is_demo", "townships"]

    def check_rules(self) -> None:
        services.police_station_check_coverage(
            police_station=self.instance, townships=self.cleaned_data.get("townships") or []
        )


@admin.register(PoliceStation)
class PoliceStationAdmin(AuditedAdmin):
    form = PoliceStationForm
    list_display = ["name", "county", "chief", "phone", "is_demo"]
    list_filter = ["county", "is_demo"]
    list_select_related = ["county"]
    search_fields = ["name", "chief", "phone"]
    autocomplete_fields = ["county", "townships"]


# --- grids ----------------------------------------------------------------------------------


class GridMemberInline(admin.TabularInline):
    model = GridMember
    fields = ["name", "role", "phone", "active"]
    extra = 0


@admin.register(Grid)
class GridAdmin(AuditedAdmin):
    list_display = ["name", "township", "area_description", "member_count"]
    list_filter = ["township"]
    search_fields = ["name", "township__name", "area_description"]
    autocomplete_fields = ["township"]
    inlines = [GridMemberInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("township").annotate(_members=Count("members"))

    def get_readonly_fields(self, request, obj=None):
        # Premises in the grid belong to its township: moving the grid would break that.
        return ["township"] if obj else []

    @admin.display(description=_("网格员人数"), ordering="_members")
    def member_count(self, obj) -> int:
        return obj._members


@admin.register(GridMember)
class GridMemberAdmin(AuditedAdmin):
    list_display = ["name", "role", "grid", "phone", "active"]
    list_filter = ["role", "active", "grid__township"]
    list_select_related = ["grid__township"]
    search_fields = ["name", "phone", "grid__name"]
    autocomplete_fields = ["grid"]


# --- premises -------------------------------------------------------------------------------


class PremisesForm(RuleCheckedForm):
    class Meta:
        model = Premises
        fields = [
            "township",
            "grid",
            "police_station",
            "name",
            "address",
            "category",
            "risk_level",
            "is_key_unit",
            "responsible_person",
            "responsible_phone",
            "manager",
            "manager_phone",
            "responsible_user",
            "is_demo",
        ]

    def check_rules(self) -> None:
        services.premises_check_links(
            township=form_value(self, "township"),
            grid=form_value(self, "grid"),
            police_station=form_value(self, "police_station"),
        )


@admin.register(Premises)
class PremisesAdmin(AuditedAdmin):
    form = PremisesForm
    list_display = [
        "name",
        "township",
        "grid",
        "category",
        "risk_level",
        "is_key_unit",
        "responsible_person",
        "last_inspected_on",
        "next_inspection_due",
    ]
    list_filter = ["risk_level", "category", "is_key_unit", "township", "is_demo"]
    list_select_related = ["township", "grid__township"]
    search_fields = ["name", "address", "responsible_person", "manager", "township__name"]
    autocomplete_fields = ["township", "grid", "police_station", "responsible_user"]
    date_hierarchy = "next_inspection_due"

    def get_readonly_fields(self, request, obj=None):
        # The schedule moves only through inspections; the township is fixed once registered.
        fields = ["last_inspected_on", "next_inspection_due"]
        return ["township", *fields] if obj else fields

    def save_model(self, request, obj, form, change):
        if change:
            services.premises_update(
                premises=obj,
                data=changed_values(obj, form, services.PREMISES_UPDATABLE_FIELDS),
                by=request.user,
            )
            return
        created = services.premises_create(
            township=obj.township,
            grid=obj.grid,
            police_station=obj.police_station,
            name=obj.name,
            address=obj.address,
            category=obj.category,
            risk_level=obj.risk_level,
            is_key_unit=obj.is_key_unit,
            responsible_person=obj.responsible_person,
            responsible_phone=obj.responsible_phone,
            manager=obj.manager,
            manager_phone=obj.manager_phone,
            responsible_user=obj.responsible_user,
            is_demo=obj.is_demo,
            by=request.user,
        )
        adopt(obj, created)


# --- responsibility agreements --------------------------------------------------------------


class ResponsibilityAgreementForm(RuleCheckedForm):
    class Meta:
        model = ResponsibilityAgreement
        fields = [
            "township",
            "premises",
            "year",
            "signatory",
            "counterparty",
            "scope",
            "signed_on",
            "document",
        ]

    def check_rules(self) -> None:
        services.responsibility_agreement_check(
            township=form_value(self, "township"),
            premises=form_value(self, "premises"),
            year=form_value(self, "year"),
            signed_on=form_value(self, "signed_on"),
            exclude_pk=self.instance.pk,
        )


@admin.register(ResponsibilityAgreement)
class ResponsibilityAgreementAdmin(AuditedAdmin):
    form = ResponsibilityAgreementForm
    list_display = ["year", "township", "premises", "signatory", "counterparty", "signed_on"]
    list_filter = ["year", "township"]
    list_select_related = ["township", "premises"]
    search_fields = ["signatory", "counterparty", "township__name", "premises__name"]
    autocomplete_fields = ["township", "premises"]
    date_hierarchy = "signed_on"

    def get_readonly_fields(self, request, obj=None):
        # Who signed for which year is fixed once recorded.
        return ["township", "premises", "year"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            services.responsibility_agreement_update(
                agreement=obj,
                data=changed_values(obj, form, services.AGREEMENT_UPDATABLE_FIELDS),
                by=request.user,
            )
            return
        created = services.responsibility_agreement_sign(
            township=obj.township,
            premises=obj.premises,
            year=obj.year,
            signatory=obj.signatory,
            counterparty=obj.counterparty,
            scope=obj.scope,
            signed_on=obj.signed_on,
            document=obj.document or None,
            by=request.user,
        )
        adopt(obj, created)
