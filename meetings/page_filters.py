"""GET filters of the meeting pages (django-filter). They narrow the selectors' scoped querysets;
township and meeting choices are only those the user may see. (meetings/filters.py belongs to the API.)"""

import django_filters
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput
from core.scoping import scope_queryset
from meetings import selectors
from meetings.models import Assignment, Meeting
from townships.models import Township


def visible_townships(request):
    if request is None:
        return Township.objects.none()
    return scope_queryset(Township.objects.all(), user=request.user, township_field="pk").order_by("name")


def visible_meetings(request):
    if request is None:
        return Meeting.objects.none()
    return selectors.meeting_list(user=request.user)


class YesNoWidget(django_filters.widgets.BooleanWidget):
    """?overdue=true / false (also 1 / 0), shown as 是 / 否."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", _("全部")), ("true", _("是")), ("false", _("否"))]


class MeetingPageFilter(django_filters.FilterSet):
    title = django_filters.CharFilter(lookup_expr="icontains", label=_("会议名称"))
    held_from = django_filters.DateFilter(
        field_name="held_at", lookup_expr="date__gte", label=_("召开日期从"), widget=DateInput
    )
    held_to = django_filters.DateFilter(
        field_name="held_at", lookup_expr="date__lte", label=_("召开日期至"), widget=DateInput
    )

    class Meta:
        model = Meeting
        fields = ["title", "held_from", "held_to"]


class AssignmentPageFilter(django_filters.FilterSet):
    township = django_filters.ModelChoiceFilter(
        queryset=visible_townships, label=_("乡镇"), empty_label=_("全部乡镇")
    )
    meeting = django_filters.ModelChoiceFilter(
        field_name="directive__meeting", queryset=visible_meetings, label=_("会议"), empty_label=_("全部会议")
    )
    status = django_filters.ChoiceFilter(
        choices=Assignment.Status.choices, label=_("状态"), empty_label=_("全部状态")
    )
    # `is_overdue` is annotated by meetings.selectors.assignment_list (as of today, Asia/Shanghai).
    overdue = django_filters.BooleanFilter(field_name="is_overdue", label=_("已逾期"), widget=YesNoWidget)

    class Meta:
        model = Assignment
        fields = ["township", "meeting", "status", "overdue"]
