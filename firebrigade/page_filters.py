"""GET filters of the brigade pages (django-filter). They narrow the selectors' scoped querysets;
the township choices are only the townships the user may see, so naming another one is refused
as an invalid choice, never widened. (firebrigade/filters.py belongs to the API.)"""

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput
from core.scoping import scope_queryset
from firebrigade.models import Brigade, BrigadeClass, FireIncident
from townships.models import Township


def visible_townships(request):
    if request is None:
        return Township.objects.none()
    return scope_queryset(Township.objects.all(), user=request.user, township_field="pk").order_by("name")


class BrigadePageFilter(django_filters.FilterSet):
    township = django_filters.ModelChoiceFilter(
        queryset=visible_townships, label=_("乡镇"), empty_label=_("全部乡镇")
    )
    status = django_filters.ChoiceFilter(
        choices=Brigade.Status.choices, label=_("建设状态"), empty_label=_("全部状态")
    )
    brigade_class = django_filters.ChoiceFilter(
        choices=BrigadeClass.choices, label=_("队伍等级"), empty_label=_("全部等级")
    )

    class Meta:
        model = Brigade
        fields = ["township", "status", "brigade_class"]


class IncidentFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            raise forms.ValidationError(_("起始日期晚于截止日期。"))
        return cleaned


class IncidentPageFilter(django_filters.FilterSet):
    township = django_filters.ModelChoiceFilter(
        queryset=visible_townships, label=_("乡镇"), empty_label=_("全部乡镇")
    )
    date_from = django_filters.DateFilter(
        field_name="occurred_at", lookup_expr="date__gte", label=_("起火日期从"), widget=DateInput
    )
    date_to = django_filters.DateFilter(
        field_name="occurred_at", lookup_expr="date__lte", label=_("起火日期至"), widget=DateInput
    )
    cause = django_filters.ChoiceFilter(
        choices=FireIncident.Cause.choices, label=_("起火原因"), empty_label=_("全部原因")
    )

    class Meta:
        model = FireIncident
        form = IncidentFilterForm
        fields = ["township", "date_from", "date_to", "cause"]


class FundingYearForm(forms.Form):
    """The funding page shows one year (a parameter of funding_summary, not a row filter)."""

    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100, required=False)

    def year_or_current(self) -> int:
        if self.is_valid() and self.cleaned_data.get("year"):
            return self.cleaned_data["year"]
        return timezone.localdate().year
