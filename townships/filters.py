"""The filter language of the townships app: one FilterSet per resource, applied by its selector
(core.filters.apply_filterset), so the API, the pages and every other caller filter with the same
names and the same meaning.

Townships (core.filters.VisibleTownshipFilter, as in every app), grids and police stations to filter by
are those the user may see (the choices below); naming another is an invalid value: the API answers
400 naming the parameter, a page 404.
"""

import datetime as dt

import django_filters as df
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from core.clock import local_today
from core.filters import VisibleTownshipFilter, date_range
from core.filters import township_choices as township_choices
from core.scoping import scope_queryset
from townships.models import County, Grid, PoliceStation, Premises, Township

# --- what the user may pick (filters and forms) -----------------------------------------------


def grid_choices(*, user) -> QuerySet[Grid]:
    """Grids of the townships the user may see (with their township, which names them). One query."""
    grids = Grid.objects.select_related("township")
    return scope_queryset(grids, user=user, township_field="township").order_by("township__name", "name")


def police_station_choices(*, user) -> QuerySet[PoliceStation]:
    """Police stations covering a township the user may see (the guidance center: all), by name.
    One query."""
    stations = scope_queryset(PoliceStation.objects.all(), user=user, township_field="townships")
    return stations.distinct().order_by("name")


def visible_grids(request):
    return grid_choices(user=request.user)


def visible_police_stations(request):
    return police_station_choices(user=request.user)


# --- one FilterSet per resource ---------------------------------------------------------------


class TownshipFilter(df.FilterSet):
    county = df.ModelChoiceFilter(queryset=County.objects.all(), label=_("县"))
    kind = df.ChoiceFilter(choices=Township.Kind.choices, label=_("类型"))

    class Meta:
        model = Township
        fields = ["county", "kind"]


class GridFilter(df.FilterSet):
    township = VisibleTownshipFilter()

    class Meta:
        model = Grid
        fields = ["township"]


class PremisesFilter(df.FilterSet):
    q = df.CharFilter(label=_("单位名称或地址"), method="filter_q")
    township = VisibleTownshipFilter()
    grid = df.ModelChoiceFilter(queryset=visible_grids, label=_("网格"))
    police_station = df.ModelChoiceFilter(queryset=visible_police_stations, label=_("辖区派出所"))
    risk_level = df.ChoiceFilter(choices=Premises.RiskLevel.choices, label=_("风险等级"))
    category = df.ChoiceFilter(choices=Premises.Category.choices, label=_("类别"))
    is_key_unit = df.BooleanFilter(label=_("消防安全重点单位"))
    due = df.ChoiceFilter(
        label=_("检查期限"),
        choices=[("overdue", _("已到期（含从未检查）")), ("week", _("7 日内到期（含从未检查）"))],
        method="filter_due",
    )
    never_inspected = df.BooleanFilter(
        field_name="last_inspected_on", lookup_expr="isnull", label=_("从未检查")
    )
    # A premises never inspected has no due date: these two leave it out (`due` takes it in).
    next_inspection_due_after, next_inspection_due_before = date_range(
        "next_inspection_due", _("下次检查期限起"), _("下次检查期限止")
    )
    last_inspected_on_after, last_inspected_on_before = date_range(
        "last_inspected_on", _("最近检查日期起"), _("最近检查日期止")
    )

    class Meta:
        model = Premises
        fields = ["township", "grid", "police_station", "risk_level", "category", "is_key_unit"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(address__icontains=value))

    def filter_due(self, queryset, name, value):
        today = local_today()
        until = today if value == "overdue" else today + dt.timedelta(days=7)
        return queryset.filter(Q(next_inspection_due__lte=until) | Q(next_inspection_due__isnull=True))


class PoliceStationFilter(df.FilterSet):
    county = df.ModelChoiceFilter(queryset=County.objects.all(), label=_("县"))
    # A station covers several townships: `distinct` keeps each station once.
    township = VisibleTownshipFilter(field_name="townships", distinct=True, label=_("辖区乡镇"))

    class Meta:
        model = PoliceStation
        fields = ["county", "township"]
