"""The brigade pages' GET filters: the resources' own FilterSets (firebrigade/filters.py), dressed for
a page — the filters a page offers get date pickers and "all" empty labels, the others stay in effect
as hidden inputs. Same names, same meaning, same scope as the API's."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import DateFilter
from django_filters.widgets import BooleanWidget

from core.forms import DateInput
from firebrigade.filters import BrigadeFilter, FireIncidentFilter


class YesNoSelect(BooleanWidget):
    """A true / false filter as a <select>: "全部" and the page's own word for each answer."""

    def __init__(self, *, yes, no):
        super().__init__()
        self.choices = [("", _("全部")), ("true", yes), ("false", no)]


class PageFilterMixin:
    """`shown`: the filters the page offers, each with its empty label (None: not a list); `yes_no`:
    a true / false filter's words for true and false."""

    shown: dict[str, str | None] = {}
    yes_no: dict[str, tuple] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, one in self.filters.items():
            one.__dict__.pop("_field", None)  # built again with the page's widget and empty label
            if name not in self.shown:
                one.extra["widget"] = forms.HiddenInput
            elif name in self.yes_no:
                yes, no = self.yes_no[name]
                one.extra["widget"] = YesNoSelect(yes=yes, no=no)
            elif isinstance(one, DateFilter):
                one.extra["widget"] = DateInput
            elif self.shown[name] is not None:
                one.extra["empty_label"] = self.shown[name]


class BrigadePageFilter(PageFilterMixin, BrigadeFilter):
    shown = {"township": _("全部乡镇"), "status": _("全部状态"), "brigade_class": _("全部等级")}


class IncidentPageFilter(PageFilterMixin, FireIncidentFilter):
    shown = {
        "township": _("全部乡镇"),
        "date_from": None,
        "date_to": None,
        "cause": _("全部原因"),
        "grade": _("全部等级"),
        "late": None,
    }
    yes_no = {"late": (_("迟报"), _("按时报告"))}


class FundingYearForm(forms.Form):
    """The funding page shows one year (a parameter of funding_summary, not a row filter)."""

    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100, required=False)

    def year_or_current(self) -> int:
        if self.is_valid() and self.cleaned_data.get("year"):
            return self.cleaned_data["year"]
        return timezone.localdate().year
