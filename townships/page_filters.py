"""GET filters of the township pages (the API's FilterSets live in filters.py, owned elsewhere).

Choices of townships and grids are limited to what the user may see; a value outside them makes
the page answer 404 (see core.pages.filtered_queryset)."""

import datetime as dt

import django_filters as df
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.clock import local_today
from townships import selectors
from townships.models import Premises

ALL_LABEL = _("全部")


def visible_townships(request):
    return selectors.township_choices(user=request.user)


def visible_grids(request):
    return selectors.grid_choices(user=request.user)


class PremisesPageFilter(df.FilterSet):
    q = df.CharFilter(label=_("单位名称或地址"), method="filter_q")
    township = df.ModelChoiceFilter(label=_("乡镇"), queryset=visible_townships, empty_label=ALL_LABEL)
    grid = df.ModelChoiceFilter(label=_("网格"), queryset=visible_grids, empty_label=ALL_LABEL)
    risk_level = df.ChoiceFilter(
        label=_("风险等级"), choices=Premises.RiskLevel.choices, empty_label=ALL_LABEL
    )
    category = df.ChoiceFilter(label=_("类别"), choices=Premises.Category.choices, empty_label=ALL_LABEL)
    due = df.ChoiceFilter(
        label=_("检查期限"),
        choices=[("overdue", _("已到期（含从未检查）")), ("week", _("7 日内到期（含从未检查）"))],
        empty_label=ALL_LABEL,
        method="filter_due",
    )

    class Meta:
        model = Premises
        fields: list[str] = []

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(address__icontains=value))

    def filter_due(self, queryset, name, value):
        today = local_today()
        until = today if value == "overdue" else today + dt.timedelta(days=7)
        return queryset.filter(Q(next_inspection_due__lte=until) | Q(next_inspection_due__isnull=True))
