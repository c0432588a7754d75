"""Forms of the townships pages: a township lead registers and edits the premises (社会单位) of their
own township from a phone; the guidance center may do so for any township.

The forms check the input (required, formats, a choice among the township's own grids and the police
stations covering it); the rules are the services' (townships.services.premises_create / _update,
as for the admin, the API and the import), whose refusals `add_service_error` shows on the form.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import PlainLabels
from core.scoping import scope_queryset
from townships import services
from townships.models import Grid, PoliceStation, Premises, Township

# The premises' details a page sets: what each door writes (services.PREMISES_DETAILS), less the
# map position, which comes from an inspection's location fix (premises_place_from_fix).
PAGE_FIELDS = [name for name in services.PREMISES_DETAILS if name not in ("latitude", "longitude")]


class PremisesForm(PlainLabels, forms.ModelForm):
    """premises_create / premises_update from the premises pages. `township`: the lead's own, or the
    premises' when editing (fixed); None lets the guidance center choose among those it sees."""

    class Meta:
        model = Premises
        fields = ["township", *PAGE_FIELDS]
        widgets = {
            "responsible_phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            "manager_phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        }
        help_texts = {
            "police_station": _("只能选择辖区包括本乡镇的派出所。"),
            "is_key_unit": _("消防安全重点单位按县里确定的名单勾选。"),
        }

    def __init__(self, *args, user, township: Township | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fixed_township = township
        grids = Grid.objects.select_related("township")
        stations = PoliceStation.objects.all()
        if township is not None:
            del self.fields["township"]
            grids = grids.filter(township=township)
            stations = stations.filter(townships=township)
        else:
            townships = scope_queryset(Township.objects.all(), user=user, township_field="pk")
            self.fields["township"].queryset = townships.order_by("name")
            self.fields["township"].empty_label = _("请选择乡镇")
            grids = grids.filter(township__in=townships)
            stations = stations.filter(townships__in=townships).distinct()
        self.fields["grid"].queryset = grids.order_by("township__name", "name")
        self.fields["grid"].empty_label = _("未划分网格")
        if township is None:
            self.fields["grid"].label_from_instance = lambda g: f"{g.township.name} · {g.name}"
        self.fields["police_station"].queryset = stations.order_by("name")
        self.fields["police_station"].empty_label = _("未指定派出所")
        self.fields["category"].choices = [("", _("请选择类别")), *Premises.Category.choices]
        self.fields["risk_level"].choices = [("", _("请选择风险等级")), *Premises.RiskLevel.choices]

    def _post_clean(self):
        """The model's checks are the service's (called by the view), not the form's."""

    def create_kwargs(self) -> dict:
        """premises_create's arguments (`by` aside)."""
        data = {name: self.cleaned_data[name] for name in PAGE_FIELDS}
        data["township"] = self.fixed_township or self.cleaned_data["township"]
        return data

    def changes(self) -> dict:
        """premises_update's `data`: the fields the user changed."""
        return {name: self.cleaned_data[name] for name in PAGE_FIELDS if name in self.changed_data}
