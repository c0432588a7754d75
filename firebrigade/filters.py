"""Query-string filters of the firebrigade API (django-filter). They narrow the selectors' scoped
querysets: naming a township, brigade or premises outside the user's scope returns nothing, never more."""

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from firebrigade.models import (
    Brigade,
    BrigadeClass,
    BrigadeMember,
    EquipmentItem,
    EquipmentType,
    FireIncident,
    FundingAllocation,
    FundingCategory,
)
from townships.models import Premises, Township


class BrigadeFilter(filters.FilterSet):
    township = filters.ModelChoiceFilter(queryset=Township.objects.all(), label=_("所属乡镇"))
    status = filters.ChoiceFilter(choices=Brigade.Status.choices, label=_("建设状态"))
    brigade_class = filters.ChoiceFilter(choices=BrigadeClass.choices, label=_("队伍等级"))
    established_on_after = filters.DateFilter(
        field_name="established_on", lookup_expr="gte", label=_("建成日期起")
    )
    established_on_before = filters.DateFilter(
        field_name="established_on", lookup_expr="lte", label=_("建成日期止")
    )
    accepted_on_after = filters.DateFilter(field_name="accepted_on", lookup_expr="gte", label=_("验收日期起"))
    accepted_on_before = filters.DateFilter(
        field_name="accepted_on", lookup_expr="lte", label=_("验收日期止")
    )

    class Meta:
        model = Brigade
        fields = ["township", "status", "brigade_class"]


class BrigadeMemberFilter(filters.FilterSet):
    brigade = filters.ModelChoiceFilter(queryset=Brigade.objects.all(), label=_("消防队"))
    township = filters.ModelChoiceFilter(
        field_name="brigade__township", queryset=Township.objects.all(), label=_("乡镇")
    )
    role = filters.ChoiceFilter(choices=BrigadeMember.Role.choices, label=_("岗位"))
    on_duty = filters.BooleanFilter(label=_("在岗执勤"))
    active = filters.BooleanFilter(field_name="left_on", lookup_expr="isnull", label=_("未离职"))
    hired_on_after = filters.DateFilter(field_name="hired_on", lookup_expr="gte", label=_("入职日期起"))
    hired_on_before = filters.DateFilter(field_name="hired_on", lookup_expr="lte", label=_("入职日期止"))
    contract_until_after = filters.DateFilter(
        field_name="contract_until", lookup_expr="gte", label=_("合同到期起")
    )
    contract_until_before = filters.DateFilter(
        field_name="contract_until", lookup_expr="lte", label=_("合同到期止")
    )

    class Meta:
        model = BrigadeMember
        fields = ["brigade", "township", "role", "on_duty"]


class EquipmentTypeFilter(filters.FilterSet):
    category = filters.ChoiceFilter(choices=EquipmentType.Category.choices, label=_("类别"))

    class Meta:
        model = EquipmentType
        fields = ["category"]


class EquipmentItemFilter(filters.FilterSet):
    brigade = filters.ModelChoiceFilter(queryset=Brigade.objects.all(), label=_("消防队"))
    township = filters.ModelChoiceFilter(
        field_name="brigade__township", queryset=Township.objects.all(), label=_("乡镇")
    )
    equipment_type = filters.ModelChoiceFilter(queryset=EquipmentType.objects.all(), label=_("装备类型"))
    category = filters.ChoiceFilter(
        field_name="equipment_type__category", choices=EquipmentType.Category.choices, label=_("装备类别")
    )
    condition = filters.ChoiceFilter(choices=EquipmentItem.Condition.choices, label=_("状况"))
    next_maintenance_on_after = filters.DateFilter(
        field_name="next_maintenance_on", lookup_expr="gte", label=_("下次保养起")
    )
    next_maintenance_on_before = filters.DateFilter(
        field_name="next_maintenance_on", lookup_expr="lte", label=_("下次保养止")
    )
    acquired_on_after = filters.DateFilter(field_name="acquired_on", lookup_expr="gte", label=_("配备日期起"))
    acquired_on_before = filters.DateFilter(
        field_name="acquired_on", lookup_expr="lte", label=_("配备日期止")
    )

    class Meta:
        model = EquipmentItem
        fields = ["brigade", "township", "equipment_type", "category", "condition"]


class FundingAllocationFilter(filters.FilterSet):
    township = filters.ModelChoiceFilter(queryset=Township.objects.all(), label=_("乡镇"))
    year = filters.NumberFilter(label=_("年度"))
    year_after = filters.NumberFilter(field_name="year", lookup_expr="gte", label=_("年度起"))
    year_before = filters.NumberFilter(field_name="year", lookup_expr="lte", label=_("年度止"))
    category = filters.ChoiceFilter(choices=FundingCategory.choices, label=_("经费类别"))

    class Meta:
        model = FundingAllocation
        fields = ["township", "year", "category"]


class FireIncidentFilter(filters.FilterSet):
    township = filters.ModelChoiceFilter(queryset=Township.objects.all(), label=_("乡镇"))
    premises = filters.ModelChoiceFilter(queryset=Premises.objects.all(), label=_("起火单位"))
    responding_brigade = filters.ModelChoiceFilter(queryset=Brigade.objects.all(), label=_("出动队伍"))
    cause = filters.ChoiceFilter(choices=FireIncident.Cause.choices, label=_("起火原因"))
    # Local dates (Asia/Shanghai), both ends inclusive.
    occurred_at_after = filters.DateFilter(
        field_name="occurred_at", lookup_expr="date__gte", label=_("起火日期起")
    )
    occurred_at_before = filters.DateFilter(
        field_name="occurred_at", lookup_expr="date__lte", label=_("起火日期止")
    )

    class Meta:
        model = FireIncident
        fields = ["township", "premises", "responding_brigade", "cause"]
