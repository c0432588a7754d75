"""The one filter language of each resource of the brigades app (django-filter). The selectors apply
them (core.filters.apply_filterset) for the API, the pages, the exports and every other caller; the
pages only dress them (firebrigade/page_filters.py: widgets and empty labels).

A township (core.filters.VisibleTownshipFilter, as in every app), brigade or premises to filter by is
chosen among those the user may see (the choice querysets read `request.user`): naming another one is
an invalid choice — the API answers 400, a page 404 — never a wider list. Dates are the county's local dates, both ends inclusive.
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from core.filters import VisibleTownshipFilter, date_range
from core.scoping import scope_queryset
from firebrigade.models import (
    Brigade,
    BrigadeClass,
    BrigadeDocument,
    BrigadeMember,
    CallOut,
    DutyRosterEntry,
    EquipmentCheck,
    EquipmentItem,
    EquipmentType,
    FireGrade,
    FireIncident,
    FundingAllocation,
    FundingCategory,
    PublicityActivity,
    TrainingRecord,
)
from townships.models import Premises


def _user(request):
    return getattr(request, "user", None)


def visible_brigades(request):
    return scope_queryset(Brigade.objects.all(), user=_user(request), township_field="township").order_by(
        "name"
    )


def visible_premises(request):
    return scope_queryset(
        Premises.objects.all(), user=_user(request), township_field="township", premises_field="pk"
    ).order_by("name")


class DateRangeForm(forms.Form):
    """Refuses a range whose start is after its end (pairs: DATE_RANGES of the FilterSet)."""

    date_ranges: tuple[tuple[str, str], ...] = ()

    def clean(self):
        cleaned = super().clean()
        for start, end in self.date_ranges:
            if cleaned.get(start) and cleaned.get(end) and cleaned[start] > cleaned[end]:
                raise forms.ValidationError(_("起始日期晚于截止日期。"))
        return cleaned


def date_range_form(*pairs: tuple[str, str]) -> type[DateRangeForm]:
    return type("DateRangeForm", (DateRangeForm,), {"date_ranges": pairs})


class BrigadeFilter(filters.FilterSet):
    township = VisibleTownshipFilter(label=_("所属乡镇"))
    status = filters.ChoiceFilter(choices=Brigade.Status.choices, label=_("建设状态"))
    brigade_class = filters.ChoiceFilter(choices=BrigadeClass.choices, label=_("队伍等级"))
    established_on_after, established_on_before = date_range(
        "established_on", _("建成日期起"), _("建成日期止")
    )
    accepted_on_after, accepted_on_before = date_range("accepted_on", _("验收日期起"), _("验收日期止"))

    class Meta:
        model = Brigade
        fields = ["township", "status", "brigade_class"]
        form = date_range_form(
            ("established_on_after", "established_on_before"), ("accepted_on_after", "accepted_on_before")
        )


class BrigadeMemberFilter(filters.FilterSet):
    brigade = filters.ModelChoiceFilter(queryset=visible_brigades, label=_("消防队"))
    township = VisibleTownshipFilter(field_name="brigade__township")
    role = filters.ChoiceFilter(choices=BrigadeMember.Role.choices, label=_("岗位"))
    on_duty = filters.BooleanFilter(label=_("在岗执勤"))
    # True: not left; False: left.
    active = filters.BooleanFilter(field_name="left_on", lookup_expr="isnull", label=_("未离职"))
    hired_on_after, hired_on_before = date_range("hired_on", _("入职日期起"), _("入职日期止"))
    contract_until_after, contract_until_before = date_range(
        "contract_until", _("合同到期起"), _("合同到期止")
    )

    class Meta:
        model = BrigadeMember
        fields = ["brigade", "township", "role", "on_duty"]
        form = date_range_form(
            ("hired_on_after", "hired_on_before"), ("contract_until_after", "contract_until_before")
        )


class EquipmentTypeFilter(filters.FilterSet):
    category = filters.ChoiceFilter(choices=EquipmentType.Category.choices, label=_("类别"))

    class Meta:
        model = EquipmentType
        fields = ["category"]


class EquipmentItemFilter(filters.FilterSet):
    brigade = filters.ModelChoiceFilter(queryset=visible_brigades, label=_("消防队"))
    township = VisibleTownshipFilter(field_name="brigade__township")
    equipment_type = filters.ModelChoiceFilter(queryset=EquipmentType.objects.all(), label=_("装备类型"))
    category = filters.ChoiceFilter(
        field_name="equipment_type__category", choices=EquipmentType.Category.choices, label=_("装备类别")
    )
    condition = filters.ChoiceFilter(choices=EquipmentItem.Condition.choices, label=_("状况"))
    # Maintenance due by a date: next maintenance on or before it.
    next_maintenance_on_after, next_maintenance_on_before = date_range(
        "next_maintenance_on", _("下次保养起"), _("下次保养止")
    )
    acquired_on_after, acquired_on_before = date_range("acquired_on", _("配备日期起"), _("配备日期止"))

    class Meta:
        model = EquipmentItem
        fields = ["brigade", "township", "equipment_type", "category", "condition"]
        form = date_range_form(
            ("next_maintenance_on_after", "next_maintenance_on_before"),
            ("acquired_on_after", "acquired_on_before"),
        )


class EquipmentCheckFilter(filters.FilterSet):
    item = filters.NumberFilter(field_name="item_id", label=_("装备"))
    brigade = filters.ModelChoiceFilter(
        field_name="item__brigade", queryset=visible_brigades, label=_("消防队")
    )
    township = VisibleTownshipFilter(field_name="item__brigade__township")
    result = filters.ChoiceFilter(choices=EquipmentCheck.Result.choices, label=_("检查结果"))
    checked_on_after, checked_on_before = date_range("checked_on", _("检查日期起"), _("检查日期止"))

    class Meta:
        model = EquipmentCheck
        fields = ["item", "brigade", "township", "result"]
        form = date_range_form(("checked_on_after", "checked_on_before"))


class FundingAllocationFilter(filters.FilterSet):
    township = VisibleTownshipFilter()
    year = filters.NumberFilter(label=_("年度"))
    year_after = filters.NumberFilter(field_name="year", lookup_expr="gte", label=_("年度起"))
    year_before = filters.NumberFilter(field_name="year", lookup_expr="lte", label=_("年度止"))
    category = filters.ChoiceFilter(choices=FundingCategory.choices, label=_("经费类别"))

    class Meta:
        model = FundingAllocation
        fields = ["township", "year", "category"]


class FireIncidentFilter(filters.FilterSet):
    township = VisibleTownshipFilter()
    premises = filters.ModelChoiceFilter(queryset=visible_premises, label=_("起火单位"))
    # A brigade from another township may have come to help: any brigade narrows the fires seen.
    responding_brigade = filters.ModelChoiceFilter(queryset=Brigade.objects.all(), label=_("出动队伍"))
    cause = filters.ChoiceFilter(choices=FireIncident.Cause.choices, label=_("起火原因"))
    grade = filters.ChoiceFilter(choices=FireGrade.choices, label=_("火灾等级"))
    # The selector's annotation (firebrigade.selectors.with_report_deadline): reported late or overdue.
    late = filters.BooleanFilter(field_name="is_late_report", label=_("迟报"))
    occurred_at_after, occurred_at_before = date_range(
        "occurred_at", _("起火日期起"), _("起火日期止"), of_datetime=True
    )
    # The same range under the names the pages and the 通报 (leaders.bulletin) use.
    date_from, date_to = date_range("occurred_at", _("起火日期从"), _("起火日期至"), of_datetime=True)

    class Meta:
        model = FireIncident
        fields = ["township", "premises", "responding_brigade", "cause", "grade"]
        form = date_range_form(("occurred_at_after", "occurred_at_before"), ("date_from", "date_to"))


# --- the brigade archive: each record by brigade, township, kind and dates ---------------------


def _archive_filter(model, date_field: str, date_labels, *, kind_label=None, of_datetime=False, extra=()):
    """The FilterSet of an archive record: brigade, township (the brigade's), its kind if it has one,
    and a range of its date (`<date_field>_after` / `_before`)."""
    after, before = date_range(date_field, *date_labels, of_datetime=of_datetime)
    attrs = {
        "brigade": filters.ModelChoiceFilter(queryset=visible_brigades, label=_("消防队")),
        "township": VisibleTownshipFilter(field_name="brigade__township"),
        f"{date_field}_after": after,
        f"{date_field}_before": before,
    }
    names = ["brigade", "township"]
    if kind_label is not None:
        attrs["kind"] = filters.ChoiceFilter(choices=model.Kind.choices, label=kind_label)
        names.append("kind")
    for name, flt in extra:
        attrs[name] = flt
        names.append(name)
    attrs["Meta"] = type(
        "Meta",
        (),
        {
            "model": model,
            "fields": names,
            "form": date_range_form((f"{date_field}_after", f"{date_field}_before")),
        },
    )
    return type(f"{model.__name__}Filter", (filters.FilterSet,), attrs)


BrigadeDocumentFilter = _archive_filter(
    BrigadeDocument, "issued_on", (_("文件日期起"), _("文件日期止")), kind_label=_("文件类别")
)
TrainingRecordFilter = _archive_filter(
    TrainingRecord, "held_on", (_("日期起"), _("日期止")), kind_label=_("类型")
)
DutyRosterEntryFilter = _archive_filter(
    DutyRosterEntry,
    "duty_on",
    (_("值班日期起"), _("值班日期止")),
    extra=[("shift", filters.ChoiceFilter(choices=DutyRosterEntry.Shift.choices, label=_("班次")))],
)
CallOutFilter = _archive_filter(
    CallOut, "called_at", (_("接警日期起"), _("接警日期止")), kind_label=_("出警类型"), of_datetime=True
)
PublicityActivityFilter = _archive_filter(
    PublicityActivity, "held_on", (_("日期起"), _("日期止")), kind_label=_("宣传形式")
)
