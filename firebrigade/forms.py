"""Forms of the brigade pages: a township lead keeps the members and equipment of the brigade, and
reports its township's fires.

Forms check the input (required, formats, not in the future, a choice among this brigade's own
members or items); the rules of the process are the services' (firebrigade.services), whose
refusals `add_service_error` puts back on the form so the page shows them beside what was typed.
"""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.exceptions import ApplicationError
from core.forms import DateInput, PlainLabels
from core.scoping import scope_queryset
from firebrigade import services
from firebrigade.models import (
    Brigade,
    BrigadeDocument,
    BrigadeMember,
    CallOut,
    DutyRosterEntry,
    EquipmentCheck,
    EquipmentItem,
    EquipmentType,
    FireIncident,
    PublicityActivity,
    TrainingRecord,
)
from townships.models import Premises, Township


def not_in_future(value):
    if value and value > timezone.localdate():
        raise ValidationError(_("日期不能晚于今天（%(today)s）。"), params={"today": timezone.localdate()})


class BrigadeMemberAddForm(PlainLabels, forms.ModelForm):
    """brigade_member_add: a new member of this brigade."""

    prefix = "member"

    class Meta:
        model = BrigadeMember
        fields = list(services.MEMBER_FIELDS)
        widgets = {
            "certified_on": DateInput,
            "hired_on": DateInput,
            "certificate_until": DateInput,
            "contract_until": DateInput,
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        }
        help_texts = {
            "certification": _("如：消防员国家职业资格证书（四级）。"),
            "contract_until": _("不能早于入职日期。"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", _("请选择岗位")), *BrigadeMember.Role.choices]
        self.fields["hired_on"].validators.append(not_in_future)
        self.fields["certified_on"].validators.append(not_in_future)


class BrigadeMemberLeaveForm(PlainLabels, forms.Form):
    """brigade_member_leave: a serving member of this brigade leaves."""

    prefix = "leave"

    member = forms.ModelChoiceField(
        queryset=BrigadeMember.objects.none(), label=_("离职队员"), empty_label=_("请选择队员")
    )
    left_on = forms.DateField(label=_("离职日期"), widget=DateInput, validators=[not_in_future])

    def __init__(self, *args, brigade, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = BrigadeMember.objects.filter(
            brigade=brigade, left_on__isnull=True
        ).order_by("role", "name", "pk")


class EquipmentItemAddForm(PlainLabels, forms.ModelForm):
    """equipment_item_add: equipment newly held by this brigade."""

    prefix = "equipment"

    class Meta:
        model = EquipmentItem
        fields = ["equipment_type", *services.EQUIPMENT_FIELDS]
        widgets = {
            "acquired_on": DateInput,
            "last_maintained_on": DateInput,
            "next_maintenance_on": DateInput,
            "quantity": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
        }
        help_texts = {
            "next_maintenance_on": _("留空时按该类装备的保养周期从上次保养日期推算。"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["equipment_type"].queryset = EquipmentType.objects.order_by("category", "name")
        self.fields["equipment_type"].empty_label = _("请选择装备类型")
        self.fields["acquired_on"].validators.append(not_in_future)
        self.fields["last_maintained_on"].validators.append(not_in_future)

    def clean(self):
        cleaned = super().clean()
        # The service's own rule, here too: its message beats the database constraint's.
        try:
            services.equipment_item_check(
                quantity=cleaned.get("quantity"),
                last_maintained_on=cleaned.get("last_maintained_on"),
                next_maintenance_on=cleaned.get("next_maintenance_on"),
            )
        except ApplicationError as exc:
            self.add_error("next_maintenance_on", str(exc.message))
        return cleaned


class _ItemChoiceForm(PlainLabels, forms.Form):
    item = forms.ModelChoiceField(
        queryset=EquipmentItem.objects.none(), label=_("装备"), empty_label=_("请选择装备")
    )

    def __init__(self, *args, brigade, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = (
            EquipmentItem.objects.filter(brigade=brigade)
            .select_related("equipment_type")
            .order_by("equipment_type__category", "equipment_type__name", "pk")
        )
        self.fields["item"].label_from_instance = lambda item: (
            f"{item.equipment_type.name}（{item.quantity}{item.equipment_type.unit}，{item.get_condition_display()}）"
        )


class EquipmentItemUpdateForm(_ItemChoiceForm):
    """equipment_item_update: the quantity and condition an item is in now."""

    prefix = "update"

    quantity = forms.IntegerField(
        label=_("数量"), min_value=0, widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0})
    )
    condition = forms.ChoiceField(label=_("状况"), choices=EquipmentItem.Condition.choices)


class EquipmentMaintenanceForm(_ItemChoiceForm):
    """equipment_item_record_maintenance: an item was maintained."""

    prefix = "maintenance"

    maintained_on = forms.DateField(label=_("保养日期"), widget=DateInput, validators=[not_in_future])
    next_maintenance_on = forms.DateField(
        label=_("下次保养"),
        widget=DateInput,
        required=False,
        help_text=_("留空时按该类装备的保养周期推算。"),
    )
    condition = forms.ChoiceField(
        label=_("保养后状况"),
        choices=[("", _("不变")), *EquipmentItem.Condition.choices],
        required=False,
    )


NUMBER = {"inputmode": "numeric", "min": 0}
DECIMAL = {"inputmode": "decimal", "min": 0, "step": "any"}


class DateTimeInput(forms.DateTimeInput):
    """The phone's date-and-time picker; read in the county's time zone (the project's TIME_ZONE)."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class FireReportForm(PlainLabels, forms.ModelForm):
    """fire_incident_record from the fire report page (火灾上报). A township lead reports a fire of their
    own township (no township to choose; premises among their township's); the guidance center
    chooses the township. The time reported is stamped by the service, the grade computed by it."""

    class Meta:
        model = FireIncident
        fields = [
            "township",
            "occurred_at",
            "address",
            "premises",
            "cause",
            "deaths",
            "injuries",
            "serious_injuries",
            "direct_loss",
            "burned_area_m2",
            "responding_brigade",
            "arrival_minutes",
            "description",
        ]
        widgets = {
            "occurred_at": DateTimeInput,
            "deaths": forms.NumberInput(attrs=NUMBER),
            "injuries": forms.NumberInput(attrs=NUMBER),
            "serious_injuries": forms.NumberInput(attrs=NUMBER),
            "direct_loss": forms.NumberInput(attrs=DECIMAL),
            "burned_area_m2": forms.NumberInput(attrs=DECIMAL),
            "arrival_minutes": forms.NumberInput(attrs=NUMBER),
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "occurred_at": _("北京时间。"),
            "direct_loss": _("按火灾直接财产损失统计，单位：元。"),
            "responding_brigade": _("可以是前来支援的外乡镇队伍。"),
        }

    def __init__(self, *args, user, township: Township | None, **kwargs):
        """`township`: the lead's own (fixed); None lets the user choose among those they see."""
        super().__init__(*args, **kwargs)
        self.fixed_township = township
        premises = scope_queryset(
            Premises.objects.all(), user=user, township_field="township", premises_field="pk"
        )
        if township is not None:
            del self.fields["township"]
            premises = premises.filter(township=township)
            county_id = township.county_id
        else:
            townships = scope_queryset(Township.objects.all(), user=user, township_field="pk")
            self.fields["township"].queryset = townships.order_by("name")
            self.fields["township"].empty_label = _("请选择乡镇")
            county_id = None
        self.fields["premises"].queryset = premises.order_by("name")
        self.fields["premises"].empty_label = _("不是社会单位（如住宅、田野）")
        brigades = Brigade.objects.order_by("name")
        if county_id is not None:
            brigades = brigades.filter(township__county_id=county_id)
        self.fields["responding_brigade"].queryset = brigades
        self.fields["responding_brigade"].empty_label = _("未出动专职消防队")
        self.fields["cause"].choices = [("", _("请选择起火原因")), *FireIncident.Cause.choices]

    def service_kwargs(self) -> dict:
        """fire_incident_record's arguments (`by` aside)."""
        data = dict(self.cleaned_data)
        data["township"] = self.fixed_township or data["township"]
        return data


# --- the brigade archive (一队一档): one form per kind of record, for a phone -------------------


def _serving_members(brigade: Brigade):
    return BrigadeMember.objects.filter(brigade=brigade, left_on__isnull=True).order_by("role", "name", "pk")


class BrigadeDocumentForm(PlainLabels, forms.ModelForm):
    """brigade_document_add: a scan or a PDF for this brigade's file."""

    prefix = "document"

    class Meta:
        model = BrigadeDocument
        fields = list(services.DOCUMENT_FIELDS)
        widgets = {"issued_on": DateInput}
        help_texts = {"file": _("照片（JPG、PNG、WEBP）或 PDF，不超过 15 MB。")}

    def __init__(self, *args, brigade=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("请选择文件类别")), *BrigadeDocument.Kind.choices]
        self.fields["issued_on"].validators.append(not_in_future)


class TrainingRecordForm(PlainLabels, forms.ModelForm):
    """training_record: a training or a drill this brigade held, and who took part."""

    prefix = "training"

    class Meta:
        model = TrainingRecord
        fields = list(services.TRAINING_FIELDS)
        widgets = {
            "held_on": DateInput,
            "hours": forms.NumberInput(attrs={**DECIMAL, "max": 24}),
            "participants": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, brigade, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("请选择类型")), *TrainingRecord.Kind.choices]
        self.fields["participants"].queryset = _serving_members(brigade)


class DutyRosterForm(PlainLabels, forms.ModelForm):
    """duty_roster_add: a shift of this brigade, its leader and members."""

    prefix = "duty"

    class Meta:
        model = DutyRosterEntry
        fields = list(services.DUTY_FIELDS)
        widgets = {"duty_on": DateInput, "members": forms.CheckboxSelectMultiple}

    def __init__(self, *args, brigade, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = _serving_members(brigade)
        self.fields["leader"].empty_label = _("请选择带班人")
        self.fields["members"].queryset = _serving_members(brigade)

    def validate_unique(self):
        """One entry per day and shift is the service's rule (it says which one exists)."""


class CallOutForm(PlainLabels, forms.ModelForm):
    """call_out_record: a call-out of this brigade, and the fire it answered if there is one."""

    prefix = "call_out"

    class Meta:
        model = CallOut
        fields = list(services.CALL_OUT_FIELDS)
        widgets = {
            "called_at": DateTimeInput,
            "arrived_at": DateTimeInput,
            "outcome": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"called_at": _("北京时间。"), "arrived_at": _("不能早于接警时间。")}

    def __init__(self, *args, brigade, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("请选择出警类型")), *CallOut.Kind.choices]
        # The fires of its township, of those it also serves, or that name it as responding, of the
        # last year (a call-out is recorded soon after).
        self.fields["incident"].queryset = FireIncident.objects.filter(
            Q(township_id=brigade.township_id)
            | Q(township__in=brigade.also_serves.all())
            | Q(responding_brigade=brigade),
            occurred_at__gte=timezone.now() - dt.timedelta(days=365),
        ).order_by("-occurred_at")
        self.fields["incident"].empty_label = _("无（非火灾或未登记火灾）")


class PublicityActivityForm(PlainLabels, forms.ModelForm):
    """publicity_record: a publicity activity this brigade held."""

    prefix = "publicity"

    class Meta:
        model = PublicityActivity
        fields = list(services.PUBLICITY_FIELDS)
        widgets = {"held_on": DateInput, "audience": forms.NumberInput(attrs=NUMBER)}

    def __init__(self, *args, brigade=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("请选择宣传形式")), *PublicityActivity.Kind.choices]
        self.fields["held_on"].validators.append(not_in_future)


class EquipmentCheckForm(PlainLabels, forms.Form):
    """equipment_check_record: what a maintenance check of one item found (the item is the scanned
    code's)."""

    prefix = "check"

    result = forms.ChoiceField(
        label=_("检查结果"), choices=EquipmentCheck.Result.choices, widget=forms.RadioSelect
    )
    checked_on = forms.DateField(label=_("检查日期"), widget=DateInput, validators=[not_in_future])
    note = forms.CharField(label=_("情况说明"), max_length=200, required=False)
