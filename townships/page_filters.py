"""The premises list page's form of townships.filters.PremisesFilter: the same filters with the same
meaning; only the widgets differ (the page shows the common filters with a "全部" choice and carries
the others, given in its address, as hidden fields)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from townships.filters import PremisesFilter

ALL_LABEL = _("全部")


class PremisesPageFilter(PremisesFilter):
    SHOWN = ("q", "township", "grid", "risk_level", "category", "due")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, filter_ in self.filters.items():
            if name not in self.SHOWN:
                filter_.extra["widget"] = forms.HiddenInput
            elif name != "q":
                filter_.extra["empty_label"] = ALL_LABEL
