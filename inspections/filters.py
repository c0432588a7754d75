"""The one filter language of each resource of the campaign: campaigns, plans, inspections, hazards,
checklist items, accountabilities. The resource's selector applies its FilterSet (core.filters), so the
API's query string, the pages' GET forms (inspections.page_filters changes only their widgets) and the
callers of the selectors in other apps (`filters={"township": pk}`) name and mean the same things.

Townships (core.filters.VisibleTownshipFilter, as in every app) and grids are chosen among those the
user may see: naming another is an invalid value (the API answers 400, a page 404). Premises, plans,
inspections and hazards may be named freely: the rows are scoped already, so one outside the scope
selects nothing. Date ranges are `<field>_after` /
`<field>_before` (inclusive). Rectified / open / overdue are inspections.selectors' one definitions,
as of today (the county's date)."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from core.clock import local_today
from core.filters import VisibleTownshipFilter, date_range
from inspections.definitions import (
    checklist_items_applying,
    hazard_open_q,
    hazard_overdue_q,
    hazard_rectified_q,
)
from inspections.models import Accountability, Campaign, ChecklistItem, Hazard, Inspection, InspectionPlan
from townships import selectors as township_selectors
from townships.models import County, Grid, PoliceStation, Premises


def visible_grids(request):
    """The grids a filter may name: those of the townships the asking user sees."""
    if request is None:
        return Grid.objects.none()
    return township_selectors.grid_choices(user=request.user)


class OneOrMany(forms.SelectMultiple):
    """A list of choices from a query string (`?status=a&status=b`) or a selector's dict, where one
    value may be given alone (`{"status": "open"}`)."""

    def value_from_datadict(self, data, files, name):
        if hasattr(data, "getlist"):
            return data.getlist(name)
        value = data.get(name)
        return [value] if isinstance(value, str) else value


def grid_filter():
    return filters.ModelChoiceFilter(field_name="premises__grid", queryset=visible_grids, label=_("网格"))


def within_campaign(queryset, campaign, *, date_field: str):
    """Rows of the campaign's county dated within the campaign (what "in a campaign" means)."""
    if not campaign:
        return queryset
    return queryset.filter(
        Q(township__county_id=campaign.county_id)
        & Q(**{f"{date_field}__gte": campaign.starts_on, f"{date_field}__lte": campaign.ends_on})
    )


@extend_schema_field(OpenApiTypes.INT)  # a campaign id, as the API has always described it
class WithinCampaignFilter(filters.ModelChoiceFilter):
    """防控行动: the rows within a campaign (within_campaign), by their `date_field`."""

    def __init__(self, *, date_field: str):
        super().__init__(queryset=Campaign.objects.all(), label=_("防控行动"))
        self.date_field = date_field

    def filter(self, qs, value):
        return within_campaign(qs, value, date_field=self.date_field)


class CampaignFilter(filters.FilterSet):
    county = filters.ModelChoiceFilter(queryset=County.objects.all(), label=_("县"))
    kind = filters.ChoiceFilter(choices=Campaign.Kind.choices, label=_("类型"))
    active_on = filters.DateFilter(method="filter_active_on", label=_("进行中（日期）"))

    class Meta:
        model = Campaign
        fields = ["county", "kind"]

    def filter_active_on(self, queryset, name, value):
        return queryset.filter(starts_on__lte=value, ends_on__gte=value)


class InspectionPlanFilter(filters.FilterSet):
    campaign = filters.ModelChoiceFilter(queryset=Campaign.objects.all(), label=_("防控行动"))
    township = VisibleTownshipFilter()
    police_station = filters.ModelChoiceFilter(queryset=PoliceStation.objects.all(), label=_("派出所"))
    premises = filters.ModelChoiceFilter(queryset=Premises.objects.all(), label=_("检查对象"))
    due_on_after, due_on_before = date_range("due_on", _("完成期限起"), _("完成期限止"))

    class Meta:
        model = InspectionPlan
        fields = ["campaign", "township", "police_station", "premises"]


class InspectionFilter(filters.FilterSet):
    township = VisibleTownshipFilter()
    grid = grid_filter()
    premises = filters.ModelChoiceFilter(queryset=Premises.objects.all(), label=_("检查对象"))
    plan = filters.ModelChoiceFilter(queryset=InspectionPlan.objects.all(), label=_("检查计划"))
    campaign = WithinCampaignFilter(date_field="inspected_on")
    kind = filters.ChoiceFilter(choices=Inspection.Kind.choices, label=_("检查类型"))
    police_station = filters.ModelChoiceFilter(queryset=PoliceStation.objects.all(), label=_("派出所"))
    inspected_on_after, inspected_on_before = date_range("inspected_on", _("检查日期起"), _("检查日期止"))

    class Meta:
        model = Inspection
        fields = ["township", "premises", "plan", "kind", "police_station"]


class HazardFilter(filters.FilterSet):
    township = VisibleTownshipFilter()
    grid = grid_filter()
    premises = filters.ModelChoiceFilter(queryset=Premises.objects.all(), label=_("单位"))
    inspection = filters.ModelChoiceFilter(queryset=Inspection.objects.all(), label=_("发现于检查"))
    campaign = WithinCampaignFilter(date_field="discovered_on")
    # distinct=False: a plain IN on the hazard's own column needs no SELECT DISTINCT (bench: 23 → 53 req/s).
    status = filters.MultipleChoiceFilter(
        choices=Hazard.Status.choices, label=_("状态"), distinct=False, widget=OneOrMany
    )
    severity = filters.ChoiceFilter(choices=Hazard.Severity.choices, label=_("隐患等级"))
    rectified = filters.BooleanFilter(method="filter_rectified", label=_("已整改销号"))
    open = filters.BooleanFilter(method="filter_open", label=_("未整改销号"))
    overdue = filters.BooleanFilter(method="filter_overdue", label=_("已逾期"))
    discovered_on_after, discovered_on_before = date_range("discovered_on", _("发现日期起"), _("发现日期止"))
    deadline_after, deadline_before = date_range("deadline", _("整改期限起"), _("整改期限止"))

    class Meta:
        model = Hazard
        fields = ["township", "premises", "inspection", "severity"]

    @staticmethod
    def _as_of_today(queryset, condition: Q, value: bool):
        return queryset.filter(condition) if value else queryset.exclude(condition)

    def _today(self):
        # The day the selector reads the list on (core.filters.apply_filterset's `on`), else today.
        return getattr(self, "as_of", None) or local_today()

    def filter_rectified(self, queryset, name, value):
        return self._as_of_today(queryset, hazard_rectified_q(self._today()), value)

    def filter_open(self, queryset, name, value):
        return self._as_of_today(queryset, hazard_open_q(self._today()), value)

    def filter_overdue(self, queryset, name, value):
        return self._as_of_today(queryset, hazard_overdue_q(self._today()), value)


def visible_premises(request):
    """The premises a filter may name: those the asking user sees."""
    if request is None:
        return Premises.objects.none()
    return township_selectors.premises_list(user=request.user)


@extend_schema_field(OpenApiTypes.INT)  # a premises id
class PremisesIdFilter(filters.ModelChoiceFilter):
    """A premises named by its id (the schema cannot guess it: ChecklistItem has no premises field)."""


class ChecklistItemFilter(filters.FilterSet):
    category = filters.CharFilter(label=_("分类"))
    is_active = filters.BooleanFilter(label=_("启用"))
    premises_category = filters.ChoiceFilter(
        choices=Premises.Category.choices,
        method="filter_premises_category",
        label=_("适用单位类别"),
        help_text=_("适用于该类别单位的检查项（含适用于所有类别的）。"),
    )
    premises = PremisesIdFilter(
        queryset=visible_premises,
        method="filter_premises",
        label=_("检查对象"),
        help_text=_("检查或自查该单位时填写的检查项：启用的、适用于其类别的检查项。"),
    )

    class Meta:
        model = ChecklistItem
        fields = ["category", "is_active", "premises_category", "premises"]

    def filter_premises_category(self, queryset, name, value):
        return checklist_items_applying(queryset, value) if value else queryset

    def filter_premises(self, queryset, name, value):
        if not value:
            return queryset
        # What the forms ask of it: inspections.selectors.checklist_items_for, on the listed rows.
        return checklist_items_applying(queryset.filter(is_active=True), value.category)


class AccountabilityFilter(filters.FilterSet):
    township = VisibleTownshipFilter()
    premises = filters.ModelChoiceFilter(queryset=Premises.objects.all(), label=_("单位"))
    hazard = filters.ModelChoiceFilter(queryset=Hazard.objects.all(), label=_("隐患"))
    decided_on_after, decided_on_before = date_range("decided_on", _("决定日期起"), _("决定日期止"))

    class Meta:
        model = Accountability
        fields = ["township", "premises", "hazard", "incident", "assignment"]
