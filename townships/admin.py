"""Admin of the townships app (the guidance center's door). Every save and delete of a township,
police station, grid, grid member, premises or responsibility agreement is one townships.services
call with `by` = the admin user (core.admin.ServiceAdmin), so the access policy and the rules are
the services'; the forms run the services' check helpers so a refused rule is a form error."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin import (
    REFUSALS,
    RuleCheckedForm,
    ServiceAdmin,
    apply_to_each,
    changed_values,
    form_value,
    instance_values,
    refusal_text,
    row_services,
)
from core.exceptions import AccessDenied, ApplicationError
from townships import access, services
from townships.models import (
    County,
    CountyDepartment,
    Grid,
    GridMember,
    PoliceStation,
    Premises,
    PremisesCode,
    ResponsibilityAgreement,
    SensitivePeriod,
    Township,
)
from townships.views import premises_labels_page

# --- county / township / police station -----------------------------------------------------


class BoundaryUploadForm(forms.Form):
    file = forms.FileField(
        label=_("乡镇边界文件（GeoJSON）"),
        help_text=_(
            "FeatureCollection，每个乡镇（街道办）一个 Polygon 或 MultiPolygon 要素，"
            "properties.name 为乡镇名称（与系统中的名称一致）。坐标为 WGS-84 经纬度。"
        ),
    )


COUNTY_SERVICES = row_services(
    row="county",
    create=services.county_create,
    fields=[*services.COUNTY_DETAILS, "is_demo"],
    update=services.county_update,
    allowed=services.COUNTY_UPDATABLE_FIELDS,
)


SENSITIVE_PERIOD_SERVICES = row_services(
    row="period",
    create=services.sensitive_period_create,
    fields=["county", *services.SENSITIVE_PERIOD_DETAILS],
    update=services.sensitive_period_update,
    allowed=services.SENSITIVE_PERIOD_DETAILS,
    delete=services.sensitive_period_delete,
)


class SensitivePeriodInline(admin.TabularInline):
    """元旦, 春节, 两会 …: high-risk premises are inspected more often while one lasts."""

    model = SensitivePeriod
    fields = list(services.SENSITIVE_PERIOD_DETAILS)
    extra = 0


@admin.register(SensitivePeriod)
class SensitivePeriodAdmin(ServiceAdmin):
    fields = ["county", *services.SENSITIVE_PERIOD_DETAILS]
    list_display = ["name", "county", "starts_on", "ends_on", "high_risk_days"]
    list_filter = ["county", "name"]
    date_hierarchy = "starts_on"
    writes = SENSITIVE_PERIOD_SERVICES
    fixed_fields = ["county"]


@admin.register(County)
class CountyAdmin(ServiceAdmin):
    fieldsets = [
        (None, {"fields": ["name", "code", "brigade_coverage_km", "is_demo", "boundaries"]}),
        (
            _("检查周期"),
            {
                "fields": ["inspection_days_high", "inspection_days_medium", "inspection_days_low"],
                "description": _(
                    "单位上次检查后多少天内须再次检查；修改后全县单位的下次检查期限随即重新计算。"
                    "重点时段（元旦、春节、全国两会等）内高风险单位检查更密，见下表。"
                ),
            },
        ),
    ]
    list_display = ["name", "code", "brigade_coverage_km", "boundaries", "is_demo"]
    list_filter = ["is_demo"]
    search_fields = ["name", "code"]
    readonly_fields = ["boundaries"]
    writes = COUNTY_SERVICES
    inlines = [SensitivePeriodInline]
    inline_services = {SensitivePeriod: SENSITIVE_PERIOD_SERVICES}

    @admin.display(description=_("乡镇边界"))
    def boundaries(self, obj):
        if obj.pk is None:
            return "—"
        drawn = obj.townships.filter(boundary__isnull=False).count()
        return format_html(
            '{} · <a href="{}">{}</a>',
            _("已上传 %(drawn)d / %(total)d 个乡镇") % {"drawn": drawn, "total": obj.townships.count()},
            reverse("admin:townships_county_boundaries", args=[obj.pk]),
            _("上传乡镇边界"),
        )

    def get_urls(self):
        upload = path(
            "<int:object_id>/boundaries/",
            self.admin_site.admin_view(self.boundaries_view),
            name="townships_county_boundaries",
        )
        return [upload, *super().get_urls()]

    def boundaries_view(self, request, object_id):
        """Upload the county's township boundaries: one call to township_boundaries_upload, which
        checks the whole file and writes all of it or nothing."""
        county = get_object_or_404(County, pk=object_id)
        if not self.has_change_permission(request, county):
            raise PermissionDenied
        form = BoundaryUploadForm(request.POST or None, request.FILES or None)
        problems = []
        if request.method == "POST" and form.is_valid():
            try:
                result = services.township_boundaries_upload(
                    county=county, content=form.cleaned_data["file"].read(), by=request.user
                )
            except AccessDenied as exc:
                form.add_error(None, exc.message)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
                problems = exc.extra.get("problems", [])
            else:
                messages.success(request, _("已更新 %(count)d 个乡镇的边界。") % {"count": len(result.drawn)})
                if result.left_out:
                    messages.warning(
                        request,
                        _("文件未包含以下乡镇，其边界保持不变：%(names)s")
                        % {"names": "、".join(result.left_out)},
                    )
                return redirect("admin:townships_county_change", county.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": county,
            "title": _("上传乡镇边界：%(county)s") % {"county": county.name},
            "form": form,
            "problems": problems,
        }
        return TemplateResponse(request, "admin/townships/county/boundaries.html", context)


GRID_SERVICES = row_services(
    row="grid",
    create=services.grid_create,
    fields=["township", *services.GRID_DETAILS],
    update=services.grid_update,
    allowed=services.GRID_DETAILS,
    delete=services.grid_delete,
)


@admin.register(CountyDepartment)
class CountyDepartmentAdmin(ServiceAdmin):
    fields = ["county", "name", "is_demo"]
    list_display = ["name", "county", "is_demo"]
    list_filter = ["county", "is_demo"]
    list_select_related = ["county"]
    search_fields = ["name"]
    autocomplete_fields = ["county"]
    fixed_fields = ["county"]
    writes = row_services(
        row="department",
        create=services.department_create,
        fields=["county", "name", "is_demo"],
        update=services.department_update,
        allowed=services.DEPARTMENT_UPDATABLE_FIELDS,
    )


class GridInline(admin.TabularInline):
    model = Grid
    fields = list(services.GRID_DETAILS)
    extra = 0
    show_change_link = True


@admin.register(Township)
class TownshipAdmin(ServiceAdmin):
    fields = ["county", *services.TOWNSHIP_DETAILS, "is_demo"]
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
    inline_services = {Grid: GRID_SERVICES}
    fixed_fields = ["county"]  # once registered, as in the API

    writes = row_services(
        row="township",
        create=services.township_create,
        fields=["county", *services.TOWNSHIP_DETAILS, "is_demo"],
        update=services.township_update,
        allowed=services.TOWNSHIP_UPDATABLE_FIELDS,
    )


class PoliceStationForm(RuleCheckedForm):
    class Meta:
        model = PoliceStation
        fields = ["county", "name", "chief", "phone", "is_demo", "townships"]

    def check_rules(self) -> None:
        services.police_station_check_coverage(
            police_station=self.instance, townships=self.cleaned_data.get("townships") or []
        )


@admin.register(PoliceStation)
class PoliceStationAdmin(ServiceAdmin):
    form = PoliceStationForm
    list_display = ["name", "county", "chief", "phone", "is_demo"]
    list_filter = ["county", "is_demo"]
    list_select_related = ["county"]
    search_fields = ["name", "chief", "phone"]
    autocomplete_fields = ["county", "townships"]
    fixed_fields = ["county"]  # once registered, as in the API

    def create_service(self, obj, form, by):
        return services.police_station_create(
            county=obj.county,
            **instance_values(obj, ["name", "chief", "phone", "is_demo"]),
            townships=form.cleaned_data["townships"],
            by=by,
        )

    def update_service(self, obj, form, by):
        data = changed_values(obj, form, services.POLICE_STATION_UPDATABLE_FIELDS)
        services.police_station_update(police_station=obj, data=data, by=by)

    def save_related(self, request, form, formsets, change):
        # The service has set the station's townships (with the coverage rule): the form must not.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


# --- grids ----------------------------------------------------------------------------------


GRID_MEMBER_SERVICES = row_services(
    row="member",
    create=services.grid_member_add,
    fields=["grid", *services.GRID_MEMBER_DETAILS, "active"],
    update=services.grid_member_update,
    allowed=services.GRID_MEMBER_UPDATABLE_FIELDS,
    delete=services.grid_member_remove,
)


class GridMemberInline(admin.TabularInline):
    model = GridMember
    fields = [*services.GRID_MEMBER_DETAILS, "active"]
    extra = 0


@admin.register(Grid)
class GridAdmin(ServiceAdmin):
    fields = ["township", *services.GRID_DETAILS]
    list_display = ["name", "township", "area_description", "member_count"]
    list_filter = ["township"]
    search_fields = ["name", "township__name", "area_description"]
    autocomplete_fields = ["township"]
    inlines = [GridMemberInline]
    inline_services = {GridMember: GRID_MEMBER_SERVICES}
    writes = GRID_SERVICES
    # Premises in the grid belong to its township: moving the grid would break that.
    fixed_fields = ["township"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("township").annotate(_members=Count("members"))

    @admin.display(description=_("网格员人数"), ordering="_members")
    def member_count(self, obj) -> int:
        return obj._members


@admin.register(GridMember)
class GridMemberAdmin(ServiceAdmin):
    fields = ["grid", *services.GRID_MEMBER_DETAILS, "active"]
    list_display = ["name", "role", "grid", "phone", "active"]
    list_filter = ["role", "active", "grid__township"]
    list_select_related = ["grid__township"]
    search_fields = ["name", "phone", "grid__name"]
    autocomplete_fields = ["grid"]
    writes = GRID_MEMBER_SERVICES


# --- premises -------------------------------------------------------------------------------


class PremisesForm(RuleCheckedForm):
    by = None  # the admin user (PremisesAdmin.get_form)

    class Meta:
        model = Premises
        fields = ["township", *services.PREMISES_DETAILS, *access.CENTER_PREMISES_FIELDS]

    def check_rules(self) -> None:
        # The policy depends on the values (the township, the grid, the center's fields): check it
        # first, as the services do, so the form says what the service would.
        values = {name: self.cleaned_data.get(name) for name in self.changed_data}
        if self.instance.pk is None:
            access.check_premises_create(by=self.by, township=self.cleaned_data["township"], data=values)
        else:
            access.check_premises_update(by=self.by, premises=self.instance, data=values)
        services.premises_check_links(
            township=form_value(self, "township"),
            grid=form_value(self, "grid"),
            police_station=form_value(self, "police_station"),
        )


@admin.register(Premises)
class PremisesAdmin(ServiceAdmin):
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
    # The schedule moves only through inspections; the township is fixed once registered.
    readonly_fields = ["last_inspected_on", "next_inspection_due"]
    fixed_fields = ["township"]
    actions = ["print_code_labels", "reissue_codes"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.by = request.user
        return form

    @admin.action(description=_("打印二维码标签（没有码的先生成）"))
    def print_code_labels(self, request, queryset):
        premises = list(queryset.select_related("township").order_by("township__name", "name", "id"))
        try:
            codes = services.premises_codes_issue(premises=premises, by=request.user)
        except REFUSALS as exc:
            self.message_user(request, refusal_text(exc), level=messages.ERROR)
            return None
        return premises_labels_page(
            request, list(zip(premises, codes, strict=True)), title=_("社会单位二维码标签")
        )

    @admin.action(description=_("补发二维码（旧码作废）"))
    def reissue_codes(self, request, queryset):
        apply_to_each(
            self,
            request,
            queryset,
            lambda premises: services.premises_code_reissue(premises=premises, by=request.user),
            done_message=_("已为 %(n)s 个单位补发二维码，旧码已作废。"),
            label=str,
        )

    writes = row_services(
        row="premises",
        create=services.premises_create,
        fields=["township", *services.PREMISES_UPDATABLE_FIELDS],
        update=services.premises_update,
        allowed=services.PREMISES_UPDATABLE_FIELDS,
    )


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
class ResponsibilityAgreementAdmin(ServiceAdmin):
    form = ResponsibilityAgreementForm
    list_display = ["year", "township", "premises", "signatory", "counterparty", "signed_on"]
    list_filter = ["year", "township"]
    list_select_related = ["township", "premises"]
    search_fields = ["signatory", "counterparty", "township__name", "premises__name"]
    autocomplete_fields = ["township", "premises"]
    date_hierarchy = "signed_on"
    fixed_fields = ["township", "premises", "year"]  # who signed for which year

    def create_service(self, obj, form, by):
        fields = ["township", "premises", "year", "signatory", "counterparty", "scope", "signed_on"]
        return services.responsibility_agreement_sign(
            **instance_values(obj, fields), document=obj.document or None, by=by
        )

    def update_service(self, obj, form, by):
        data = changed_values(obj, form, services.AGREEMENT_UPDATABLE_FIELDS)
        services.responsibility_agreement_update(agreement=obj, data=data, by=by)

    def delete_service(self, obj, by):
        services.responsibility_agreement_delete(agreement=obj, by=by)


# --- 一店一码 ---------------------------------------------------------------------------------


@admin.action(description=_("作废所选二维码"))
def revoke_premises_codes(modeladmin, request, queryset):
    apply_to_each(
        modeladmin,
        request,
        queryset.filter(revoked_at__isnull=True).select_related("premises"),
        lambda code: services.premises_code_revoke(code=code, by=request.user),
        done_message=_("已作废 %(n)s 个二维码。"),
        label=str,
    )


@admin.register(PremisesCode)
class PremisesCodeAdmin(ServiceAdmin):
    """Premises QR codes: issued here (a premises without one), from the premises (打印二维码标签) or
    the township page; revoked here or reissued from the premises. A code is never edited or
    deleted: a revoked one stays, with who revoked it and when."""

    fields = ["premises", "token", "issued_by", "revoked_at", "revoked_by"]
    readonly_fields = ["token", "issued_by", "revoked_at", "revoked_by"]
    list_display = ["premises", "short_token", "created_at", "issued_by", "revoked_at", "revoked_by"]
    list_filter = ["revoked_at", "premises__township"]
    search_fields = ["premises__name", "token"]
    list_select_related = ["premises", "issued_by", "revoked_by"]
    autocomplete_fields = ["premises"]
    actions = [revoke_premises_codes]

    def create_service(self, obj, form, by):
        return services.premises_code_issue(premises=obj.premises, by=by)

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("令牌"))
    def short_token(self, obj):
        return f"{obj.token[:6]}…"
