"""Query-string filters of the townships API (django-filter). They narrow the selectors' scoped querysets:
naming a township, grid or station outside the user's scope returns nothing, never more."""

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from townships.models import County, Grid, PoliceStation, Premises, Township


class TownshipFilter(filters.FilterSet):
    county = filters.ModelChoiceFilter(queryset=County.objects.all(), label=_("县"))
    kind = filters.ChoiceFilter(choices=Township.Kind.choices, label=_("类型"))

    class Meta:
        model = Township
        fields = ["county", "kind"]


class GridFilter(filters.FilterSet):
    township = filters.ModelChoiceFilter(queryset=Township.objects.all(), label=_("乡镇"))

    class Meta:
        model = Grid
        fields = ["township"]


class PremisesFilter(filters.FilterSet):
    township = filters.ModelChoiceFilter(queryset=Township.objects.all(), label=_("乡镇"))
    grid = filters.ModelChoiceFilter(queryset=Grid.objects.all(), label=_("网格"))
    police_station = filters.ModelChoiceFilter(queryset=PoliceStation.objects.all(), label=_("辖区派出所"))
    risk_level = filters.ChoiceFilter(choices=Premises.RiskLevel.choices, label=_("风险等级"))
    category = filters.ChoiceFilter(choices=Premises.Category.choices, label=_("类别"))
    is_key_unit = filters.BooleanFilter(label=_("消防安全重点单位"))
    never_inspected = filters.BooleanFilter(
        field_name="last_inspected_on", lookup_expr="isnull", label=_("从未检查")
    )
    next_inspection_due_after = filters.DateFilter(
        field_name="next_inspection_due", lookup_expr="gte", label=_("下次检查期限起")
    )
    next_inspection_due_before = filters.DateFilter(
        field_name="next_inspection_due", lookup_expr="lte", label=_("下次检查期限止")
    )
    last_inspected_on_after = filters.DateFilter(
        field_name="last_inspected_on", lookup_expr="gte", label=_("最近检查日期起")
    )
    last_inspected_on_before = filters.DateFilter(
        field_name="last_inspected_on", lookup_expr="lte", label=_("最近检查日期止")
    )

    class Meta:
        model = Premises
        fields = ["township", "grid", "police_station", "risk_level", "category", "is_key_unit"]


class PoliceStationFilter(filters.FilterSet):
    county = filters.ModelChoiceFilter(queryset=County.objects.all(), label=_("县"))
    # A station covers several townships: `distinct` keeps each station once.
    township = filters.ModelChoiceFilter(
        field_name="townships", queryset=Township.objects.all(), distinct=True, label=_("辖区乡镇")
    )

    class Meta:
        model = PoliceStation
        fields = ["county", "township"]
