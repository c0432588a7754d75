"""The GET forms of the inspection and hazard list pages: the resources' own FilterSets
(inspections.filters), with the widgets of a page — date pickers, "全部" as the empty choice, one status
at a time, and the filters a page does not offer as hidden fields (they still work from a link, with
the same names and meaning). A township or grid outside the user's scope makes the page answer 404
(core.pages.filtered_queryset)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import BooleanWidget

from inspections.filters import HazardFilter, InspectionFilter

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ALL_LABEL = _("全部")


class OneOfSelect(forms.Select):
    """One <select> for a filter that takes a list of values (the API may ask for several)."""

    def value_from_datadict(self, data, files, name):
        return [value for value in data.getlist(name) if value]


class YesNoSelect(BooleanWidget):
    """A true / false filter as a <select> with "全部" and the page's own words for each answer."""

    def __init__(self, *, yes, no):
        super().__init__()
        self.choices = [("", ALL_LABEL), ("true", yes), ("false", no)]


class PageFilterMixin:
    """Show `shown` filters with page widgets; keep every other filter of the resource as a hidden field."""

    shown: tuple[str, ...] = ()
    # A true / false filter shown as a select: its page label and the words for true and false.
    yes_no: dict[str, tuple] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.order_fields(self.shown)
        for name, field in self.form.fields.items():
            if name not in self.shown:
                hidden = forms.MultipleHiddenInput if isinstance(field, forms.MultipleChoiceField) else None
                field.widget = (hidden or forms.HiddenInput)()
            elif name in self.yes_no:
                field.label, yes, no = self.yes_no[name]
                field.widget = YesNoSelect(yes=yes, no=no)
            elif isinstance(field, forms.MultipleChoiceField):
                field.widget = OneOfSelect(choices=[("", ALL_LABEL), *field.choices])
            elif isinstance(field, forms.DateField):
                field.widget = DATE
            elif isinstance(field, forms.ChoiceField):  # model choices too
                field.empty_label = ALL_LABEL
                field.widget.choices = field.choices  # the widget's copy still names the old label


class InspectionPageFilter(PageFilterMixin, InspectionFilter):
    shown = ("township", "grid", "kind", "inspected_on_after", "inspected_on_before")


class HazardPageFilter(PageFilterMixin, HazardFilter):
    shown = ("township", "grid", "status", "severity", "overdue")
    yes_no = {"overdue": (_("是否逾期"), _("已逾期未销号"), _("未逾期"))}
