"""GET filters of the inspection and hazard lists (the API's FilterSets live in filters.py, owned
elsewhere). Township and grid choices are limited to what the user may see; a value outside them
makes the page answer 404 (see core.pages.filtered_queryset)."""

import django_filters as df
from django import forms
from django.utils.translation import gettext_lazy as _

from inspections.models import Hazard, Inspection
from townships.page_filters import ALL_LABEL, visible_grids, visible_townships

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def premises_filter():
    """?premises=<id> from the links of the other pages; hidden, and the rows are scoped already,
    so an id outside the scope shows nothing."""
    return df.NumberFilter(field_name="premises_id", widget=forms.HiddenInput, label=_("单位"))


class InspectionPageFilter(df.FilterSet):
    premises = premises_filter()
    township = df.ModelChoiceFilter(label=_("乡镇"), queryset=visible_townships, empty_label=ALL_LABEL)
    grid = df.ModelChoiceFilter(
        label=_("网格"), field_name="premises__grid", queryset=visible_grids, empty_label=ALL_LABEL
    )
    kind = df.ChoiceFilter(label=_("检查类型"), choices=Inspection.Kind.choices, empty_label=ALL_LABEL)
    date_from = df.DateFilter(
        label=_("检查日期起"), field_name="inspected_on", lookup_expr="gte", widget=DATE
    )
    date_to = df.DateFilter(label=_("检查日期止"), field_name="inspected_on", lookup_expr="lte", widget=DATE)

    class Meta:
        model = Inspection
        fields: list[str] = []


class HazardPageFilter(df.FilterSet):
    premises = premises_filter()
    township = df.ModelChoiceFilter(label=_("乡镇"), queryset=visible_townships, empty_label=ALL_LABEL)
    grid = df.ModelChoiceFilter(
        label=_("网格"), field_name="premises__grid", queryset=visible_grids, empty_label=ALL_LABEL
    )
    status = df.ChoiceFilter(label=_("状态"), choices=Hazard.Status.choices, empty_label=ALL_LABEL)
    severity = df.ChoiceFilter(label=_("隐患等级"), choices=Hazard.Severity.choices, empty_label=ALL_LABEL)
    overdue = df.ChoiceFilter(
        label=_("是否逾期"),
        choices=[("yes", _("已逾期未销号")), ("no", _("未逾期"))],
        empty_label=ALL_LABEL,
        method="filter_overdue",
    )

    class Meta:
        model = Hazard
        fields: list[str] = []

    def filter_overdue(self, queryset, name, value):
        # `is_overdue` is annotated by inspections.selectors.hazard_list (today, county time).
        return queryset.filter(is_overdue=(value == "yes"))
