"""The meeting pages' GET filters: meetings.filters' classes, with the page's widgets and empty labels
only (same names, same meaning, same choices: what the user may see). A filter the page does not show
(the county of a meeting, the directive of an assignment) keeps working in a link, as a hidden field."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput
from core.models import Role
from core.scoping import user_role
from meetings.filters import AssignmentFilter, MeetingFilter


class YesNoWidget(django_filters.widgets.BooleanWidget):
    """?overdue=true / false (also 1 / 0), shown as 全部 / 是 / 否."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", _("全部")), ("true", _("是")), ("false", _("否"))]


class PageWidgets:
    """Give a FilterSet the page's widgets and empty labels (each instance has its own filters)."""

    widgets: dict = {}
    empty_labels: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, widget in self.widgets.items():
            self.filters[name].extra["widget"] = widget
        for name, label in self.empty_labels.items():
            self.filters[name].extra["empty_label"] = label


# The roles that see county departments' assignments (meetings.scoping.visible_departments).
DEPARTMENT_READERS = frozenset({Role.GUIDANCE_CENTER, Role.COUNTY_OFFICIAL, Role.COUNTY_DEPARTMENT})


class MeetingPageFilter(PageWidgets, MeetingFilter):
    widgets = {"county": forms.HiddenInput, "held_at_after": DateInput, "held_at_before": DateInput}


class AssignmentPageFilter(PageWidgets, AssignmentFilter):
    widgets = {
        "directive": forms.HiddenInput,
        "overdue": YesNoWidget,
        "deadline_after": DateInput,
        "deadline_before": DateInput,
    }
    empty_labels = {
        "township": _("全部乡镇"),
        "department": _("全部县直部门"),
        "meeting": _("全部会议"),
        "status": _("全部状态"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Offered to those who may see a department's assignments; for the others (a township, a
        # police station) it stays a hidden filter a link may set, which then matches nothing.
        if user_role(getattr(self.request, "user", None)) not in DEPARTMENT_READERS:
            self.filters["department"].extra["widget"] = forms.HiddenInput
