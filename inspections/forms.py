"""Forms of the inspection pages: record an inspection (checklist + hazards), and the hazard loop
(rectification evidence, re-inspection). They check what a form can check and show the services'
refusals; the rules themselves are the services' (inspections.services)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.exceptions import ApplicationError
from core.uploads import validate_document, validate_photo
from core.validators import phone_validator
from inspections import services
from inspections.models import ChecklistResult, HandoverAction, Hazard, Inspection

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CHOOSE = ("", _("—请选择—"))
FILE_AGAIN = _("如提交后页面提示有错误，请重新选择照片或文件（出于安全原因，浏览器不会保留已选的文件）。")


def date_until_today(label, *, late: str) -> forms.DateField:
    """A date field, today unless the user changes it, that refuses a day after today (`late`)."""

    def not_after_today(value) -> None:
        if value > services.local_today():
            raise ValidationError(late)

    return forms.DateField(
        label=label, widget=DATE, initial=services.local_today, validators=[not_after_today]
    )


def photo_field(label) -> forms.FileField:
    """An optional photo (core.uploads.validate_photo says which files are)."""
    return forms.FileField(
        label=label,
        required=False,
        validators=[validate_photo],
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("JPG、PNG 或 WEBP，不超过 8 MB。"),
    )


def service_errors(exc: Exception) -> list[str]:
    """The messages of a service's refusal (ApplicationError or a full_clean ValidationError)."""
    if isinstance(exc, ApplicationError):
        return [str(exc.message)]
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return [str(m) for messages in exc.message_dict.values() for m in messages]
        return [str(m) for m in exc.messages]
    raise TypeError(exc)


class PremisesChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.township.name} · {obj.name}"


class PlanChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.campaign.name} · {obj.title}（{_('期限')} {obj.due_on:%Y-%m-%d}）"


class InspectionForm(forms.Form):
    """The header and the checklist of an inspection. One pass/fail/na field and one note per active
    checklist item (`result_<id>`, `note_<id>`). The kind, the police station and the plan fields
    exist only when the user's RecordingPolicy (inspections.access) lets them choose; left out, the
    service records the user's own kind and police station."""

    premises = PremisesChoiceField(label=_("检查对象"), queryset=None, empty_label=CHOOSE[1])
    kind = forms.ChoiceField(label=_("检查类型"))
    police_station = forms.ModelChoiceField(
        label=_("派出所"),
        queryset=None,
        required=False,
        empty_label=_("（非派出所检查不填）"),
        help_text=_("派出所检查须选择执行检查的派出所。"),
    )
    plan = PlanChoiceField(
        label=_("检查计划"),
        queryset=None,
        required=False,
        empty_label=_("（不属于检查计划）"),
        help_text=_("按检查计划检查的，请选择计划，计划进度才会更新。"),
    )
    inspected_on = date_until_today(_("检查日期"), late=_("检查日期不能晚于今天。"))
    inspectors = forms.CharField(
        label=_("检查人员"), max_length=120, help_text=_("多人用顿号分隔，例如：赵专干、钱网格员")
    )
    signed_by = forms.CharField(label=_("被检查单位签字人"), max_length=50, required=False)
    notes = forms.CharField(
        label=_("检查情况"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    # Filled by the phone (static/js/locate.js) where its user allows it; checked by the service.
    latitude = forms.CharField(required=False, widget=forms.HiddenInput, max_length=32)
    longitude = forms.CharField(required=False, widget=forms.HiddenInput, max_length=32)
    accuracy_m = forms.CharField(required=False, widget=forms.HiddenInput, max_length=32)

    def __init__(self, *args, policy, premises_qs, plan_qs, station_qs, items, fixed_premises=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.policy = policy
        self.items = list(items)
        self.fixed_premises = fixed_premises
        self.fields["premises"].queryset = premises_qs
        if fixed_premises is not None:
            self.fields["premises"].widget = forms.HiddenInput()
            self.fields["premises"].initial = fixed_premises.pk
        if len(policy.kinds) > 1:
            labels = dict(Inspection.Kind.choices)
            self.fields["kind"].choices = [(k, labels[k]) for k in policy.kinds]
            self.fields["kind"].initial = policy.kinds[0]
        else:
            del self.fields["kind"]
        if policy.may_choose_station:
            self.fields["police_station"].queryset = station_qs
        else:
            del self.fields["police_station"]
        if policy.may_use_plan:
            self.fields["plan"].queryset = plan_qs
        else:
            del self.fields["plan"]
        self.is_patrol = policy.kinds == (Inspection.Kind.PATROL,)
        if self.is_patrol:
            # A patrol is the grid member's own round (services.patrol_record names them): nobody signs.
            del self.fields["inspectors"], self.fields["signed_by"]
            self.fields["inspected_on"].label = _("巡查日期")
            self.fields["notes"].label = _("巡查情况")
            self.fields["premises"].label = _("巡查单位")
        for item in self.items:
            self.fields[f"result_{item.pk}"] = forms.ChoiceField(
                label=item.text,
                choices=ChecklistResult.Result.choices,
                widget=forms.RadioSelect(attrs={"class": "result"}),
                error_messages={"required": _("请选择检查结果。")},
            )
            self.fields[f"note_{item.pk}"] = forms.CharField(
                label=_("说明"),
                max_length=200,
                required=False,
                widget=forms.TextInput(attrs={"placeholder": _("说明（选填）")}),
            )

    @property
    def item_rows(self):
        """(item, result field, note field) per checklist item, for the template."""
        return [(item, self[f"result_{item.pk}"], self[f"note_{item.pk}"]) for item in self.items]

    def error_places(self) -> list[dict]:
        """Where each refused field is, in the page's order, for the banner: {"where", "message",
        "anchor"} (the anchor is the field's id, or the checklist item's row)."""
        items = {str(item.pk): item for item in self.items}
        places = []
        for name in self.fields:
            for message in self.errors.get(name, ()):
                kind, _sep, pk = name.partition("_")
                if kind in ("result", "note") and pk in items:
                    item = items[pk]
                    where = f"{_('检查项')} {item.code} {item.text}"
                    anchor = f"item-{pk}"
                else:
                    where, anchor = self.fields[name].label or name, self[name].auto_id
                places.append({"where": where, "message": message, "anchor": anchor})
        return places

    def cleaned_location(self) -> dict:
        return {key: self.cleaned_data.get(key) for key in ("latitude", "longitude", "accuracy_m")}

    def cleaned_results(self) -> list[dict]:
        return [
            {
                "item": item,
                "result": self.cleaned_data[f"result_{item.pk}"],
                "note": self.cleaned_data.get(f"note_{item.pk}", ""),
            }
            for item in self.items
        ]


class HazardForm(forms.Form):
    """One hazard found by the inspection. An untouched blank row is skipped."""

    severity = forms.ChoiceField(label=_("隐患等级"), choices=[CHOOSE, *Hazard.Severity.choices])
    description = forms.CharField(
        label=_("隐患描述"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    deadline = forms.DateField(
        label=_("整改期限"), widget=DATE, help_text=_("不能早于发现日期（即本次检查日期）。")
    )
    responsible_person = forms.CharField(label=_("整改责任人"), max_length=50)
    checklist_item = forms.ModelChoiceField(
        label=_("对应检查项"), queryset=None, required=False, empty_label=_("（无）")
    )
    photo_before = photo_field(_("整改前照片"))

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["checklist_item"].queryset = items

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "severity": data["severity"],
            "description": data["description"],
            "deadline": data["deadline"],
            "responsible_person": data["responsible_person"],
            "checklist_item": data.get("checklist_item"),
            "photo_before": data.get("photo_before"),
        }


class BaseHazardFormSet(forms.BaseFormSet):
    """Set `inspected_on` (the header's date, once valid) before validating: each deadline is then
    checked against it with the service's own rule."""

    inspected_on = None

    def clean(self):
        if self.inspected_on is None:
            return
        for form in self.forms:
            deadline = getattr(form, "cleaned_data", {}).get("deadline")
            if not form.has_changed() or deadline is None:
                continue
            try:
                services.hazard_deadline_validate(discovered_on=self.inspected_on, deadline=deadline)
            except ApplicationError as exc:
                form.add_error("deadline", str(exc.message))

    def service_data(self) -> list[dict]:
        return [form.service_data() for form in self.forms if form.has_changed()]

    def error_places(self) -> list[dict]:
        """As InspectionForm.error_places, for each hazard row ("隐患 2 · 整改期限")."""
        places = []
        for number, form in enumerate(self.forms, start=1):
            for name, messages in form.errors.items():
                field = form.fields.get(name)
                label = field.label if field is not None else ""
                where = _("隐患 %(number)d · %(field)s") % {"number": number, "field": label}
                anchor = form[name].auto_id if field is not None else f"hazard-{number}"
                places.extend({"where": where, "message": m, "anchor": anchor} for m in messages)
        return places


HazardFormSet = forms.formset_factory(HazardForm, formset=BaseHazardFormSet, extra=1, max_num=50)


class RectifyForm(forms.Form):
    """整改完成，申请复查: its fields are hazard_rectify's arguments."""

    rectified_on = date_until_today(_("整改完成日期"), late=_("整改完成日期不能晚于今天。"))
    rectified_by = forms.CharField(label=_("整改人"), max_length=50)
    measures = forms.CharField(label=_("整改措施"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    evidence = forms.FileField(
        label=_("整改佐证（照片或 PDF）"),
        required=False,
        validators=[validate_document],
        help_text=_("照片或 PDF，不超过 15 MB。"),
    )
    photo_after = photo_field(_("整改后照片"))


class ReinspectForm(forms.Form):
    """复查: its fields are hazard_reinspect's arguments; passed verifies the hazard, failed sends
    it back to rectifying."""

    inspected_on = date_until_today(_("复查日期"), late=_("复查日期不能晚于今天。"))
    inspectors = forms.CharField(label=_("复查人员"), max_length=120)
    passed = forms.TypedChoiceField(
        label=_("复查结论"),
        choices=[("yes", _("合格，销号")), ("no", _("不合格，退回整改"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("复查意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("不合格时必须写明未整改到位的问题。"),
    )


# --- hand-over and 挂牌督办 (their fields are the services' arguments) ----------------------------


class HandOverForm(forms.Form):
    """移交消防救援机构: why the township cannot resolve it, with material (hazard_hand_over)."""

    handed_over_on = date_until_today(_("移交日期"), late=_("移交日期不能晚于今天。"))
    reason = forms.CharField(
        label=_("移交理由（乡镇为何无法解决）"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    evidence = forms.FileField(
        label=_("移交材料（照片或 PDF）"),
        validators=[validate_document],
        help_text=_("照片或 PDF，不超过 15 MB。"),
    )


class HandoverActionForm(forms.Form):
    """消防救援大队登记办理措施 (handover_record_action)."""

    kind = forms.ChoiceField(label=_("办理措施"), choices=[CHOOSE, *HandoverAction.Kind.choices])
    taken_on = date_until_today(_("措施日期"), late=_("措施日期不能晚于今天。"))
    note = forms.CharField(
        label=_("情况说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class HandoverCloseForm(forms.Form):
    """办结移交, with its outcome (handover_close)."""

    closed_on = date_until_today(_("办结日期"), late=_("办结日期不能晚于今天。"))
    outcome = forms.CharField(label=_("办理结果"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class HandoverReturnForm(forms.Form):
    """退回乡镇, with why (handover_return)."""

    returned_on = date_until_today(_("退回日期"), late=_("退回日期不能晚于今天。"))
    reason = forms.CharField(label=_("退回理由"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class SuperviseForm(forms.Form):
    """挂牌督办 a major hazard (hazard_supervise)."""

    leader = forms.CharField(label=_("督办责任领导"), max_length=50)
    leader_phone = forms.CharField(
        label=_("责任领导电话"), max_length=20, required=False, validators=[phone_validator]
    )
    deadline = forms.DateField(label=_("督办期限"), widget=DATE)
    requirement = forms.CharField(
        label=_("督办要求"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class LiftForm(forms.Form):
    """摘牌, with a reason (supervision_lift)."""

    reason = forms.CharField(label=_("摘牌理由"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
