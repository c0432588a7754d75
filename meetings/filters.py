"""One filter language per resource of the meetings app (django-filter). The selectors apply these
(core.filters.apply_filterset) and the pages show the same classes (meetings.page_filters changes only
widgets and empty labels), so the API, the pages and the callers in other apps filter with the same
names and the same meaning. Choices — a county, township (core.filters.VisibleTownshipFilter, as in
every app), meeting, directive or assignment — are those the user may see: naming another is an
invalid value (the API answers 400, a page 404). Date ranges are
`<field>_after` / `<field>_before` (inclusive)."""

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from core.filters import VisibleTownshipFilter, date_range
from meetings import scoping
from meetings.models import Assignment, Directive, Meeting
from townships.models import County, CountyDepartment


def _choices(model, visible):
    """A choice queryset for `request.user` (none without a request, e.g. while the schema is built)."""

    def queryset(request):
        if request is None:
            return model.objects.none()
        return visible(request.user)

    return queryset


counties = _choices(County, scoping.visible_counties)
meetings = _choices(Meeting, lambda user: scoping.visible_meetings(user).order_by("-held_at", "id"))
directives = _choices(Directive, scoping.visible_directives)
assignments = _choices(Assignment, scoping.visible_assignments)
departments = _choices(CountyDepartment, scoping.visible_departments)


class MeetingFilter(filters.FilterSet):
    county = filters.ModelChoiceFilter(queryset=counties, label=_("县"))
    title = filters.CharFilter(lookup_expr="icontains", label=_("会议名称"))
    held_at_after, held_at_before = date_range("held_at", _("召开日期起"), _("召开日期止"), of_datetime=True)


class DirectiveFilter(filters.FilterSet):
    meeting = filters.ModelChoiceFilter(queryset=meetings, label=_("会议"))
    category = filters.ChoiceFilter(choices=Directive.Category.choices, label=_("类别"))
    priority = filters.ChoiceFilter(choices=Directive.Priority.choices, label=_("优先级"))


class AssignmentFilter(filters.FilterSet):
    """Filters of `meetings.selectors.assignment_list`, which also takes `on` (a date, from code: the day
    `is_overdue` is judged on; today by default)."""

    township = VisibleTownshipFilter()
    # A county department (县直部门) holding the assignment: one of those whose assignments the user sees.
    department = filters.ModelChoiceFilter(queryset=departments, label=_("县直部门"))
    meeting = filters.ModelChoiceFilter(field_name="directive__meeting", queryset=meetings, label=_("会议"))
    directive = filters.ModelChoiceFilter(queryset=directives, label=_("会议部署"))
    status = filters.ChoiceFilter(choices=Assignment.Status.choices, label=_("状态"))
    # `is_overdue` is annotated by the selector, as of its `on` (assignment_overdue_q).
    overdue = filters.BooleanFilter(field_name="is_overdue", label=_("已逾期"))
    deadline_after, deadline_before = date_range("deadline", _("完成时限起"), _("完成时限止"))


class ProgressReportFilter(filters.FilterSet):
    assignment = filters.ModelChoiceFilter(queryset=assignments, label=_("任务"))
    township = VisibleTownshipFilter(field_name="assignment__township")
    meeting = filters.ModelChoiceFilter(
        field_name="assignment__directive__meeting", queryset=meetings, label=_("会议")
    )
    directive = filters.ModelChoiceFilter(
        field_name="assignment__directive", queryset=directives, label=_("会议部署")
    )
    reported_on_after, reported_on_before = date_range("reported_on", _("报告日期起"), _("报告日期止"))
