"""Query-string filters of the meetings API (django-filter). They narrow the selectors' scoped querysets:
naming a township, meeting or assignment outside the user's scope returns nothing, never more."""

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from meetings.models import Assignment, Directive, Meeting, ProgressReport
from townships.models import County, Township


class MeetingFilter(filters.FilterSet):
    county = filters.ModelChoiceFilter(queryset=County.objects.all(), label=_("县"))
    held_at_after = filters.DateFilter(field_name="held_at", lookup_expr="date__gte", label=_("召开日期起"))
    held_at_before = filters.DateFilter(field_name="held_at", lookup_expr="date__lte", label=_("召开日期止"))

    class Meta:
        model = Meeting
        fields = ["county"]


class DirectiveFilter(filters.FilterSet):
    meeting = filters.ModelChoiceFilter(queryset=Meeting.objects.all(), label=_("会议"))
    category = filters.ChoiceFilter(choices=Directive.Category.choices, label=_("类别"))
    priority = filters.ChoiceFilter(choices=Directive.Priority.choices, label=_("优先级"))

    class Meta:
        model = Directive
        fields = ["meeting", "category", "priority"]


class AssignmentFilter(filters.FilterSet):
    township = filters.ModelChoiceFilter(queryset=Township.objects.all(), label=_("乡镇"))
    meeting = filters.ModelChoiceFilter(
        field_name="directive__meeting", queryset=Meeting.objects.all(), label=_("会议")
    )
    directive = filters.ModelChoiceFilter(queryset=Directive.objects.all(), label=_("会议部署"))
    status = filters.ChoiceFilter(choices=Assignment.Status.choices, label=_("状态"))
    # `is_overdue` is annotated by meetings.selectors.assignment_list (as of today, Asia/Shanghai).
    overdue = filters.BooleanFilter(field_name="is_overdue", label=_("已逾期"))
    deadline_after = filters.DateFilter(field_name="deadline", lookup_expr="gte", label=_("完成时限起"))
    deadline_before = filters.DateFilter(field_name="deadline", lookup_expr="lte", label=_("完成时限止"))

    class Meta:
        model = Assignment
        fields = ["township", "meeting", "directive", "status"]


class ProgressReportFilter(filters.FilterSet):
    assignment = filters.ModelChoiceFilter(queryset=Assignment.objects.all(), label=_("任务"))
    township = filters.ModelChoiceFilter(
        field_name="assignment__township", queryset=Township.objects.all(), label=_("乡镇")
    )
    meeting = filters.ModelChoiceFilter(
        field_name="assignment__directive__meeting", queryset=Meeting.objects.all(), label=_("会议")
    )
    directive = filters.ModelChoiceFilter(
        field_name="assignment__directive", queryset=Directive.objects.all(), label=_("会议部署")
    )
    reported_on_after = filters.DateFilter(field_name="reported_on", lookup_expr="gte", label=_("报告日期起"))
    reported_on_before = filters.DateFilter(
        field_name="reported_on", lookup_expr="lte", label=_("报告日期止")
    )

    class Meta:
        model = ProgressReport
        fields = ["assignment", "township", "meeting", "directive"]
