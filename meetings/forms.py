"""Forms of the assignment page: a township reports progress (进展报告) and the assignment is closed
(办结). Forms check the input; the rules (progress does not go backwards, no date in the future,
closing needs a 100% report, ...) are meetings.services', whose refusals `add_service_error` shows
on the form beside what was typed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput, PlainLabels
from meetings.models import ProgressReport
from meetings.services import local_today


class ProgressReportForm(PlainLabels, forms.ModelForm):
    """assignment_report_progress: date, what was done, percent, evidence (optional)."""

    prefix = "report"

    percent = forms.IntegerField(
        label=_("完成进度（%）"),
        min_value=0,
        max_value=100,
        help_text=_("0–100，不能低于上次报告的进度。"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": 100}),
    )

    class Meta:
        model = ProgressReport
        fields = ["reported_on", "text", "percent", "evidence"]
        widgets = {
            "reported_on": DateInput,
            "text": forms.Textarea(attrs={"rows": 4}),
            "evidence": forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}),
        }
        help_texts = {
            "reported_on": _("不能晚于今天，也不能早于上次报告。"),
            "evidence": _("照片（JPG、PNG、WEBP）或 PDF，不超过 15 MB。提交未成功时，请重新选择文件。"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("reported_on", local_today())


class AssignmentCloseForm(PlainLabels, forms.Form):
    """assignment_close: the assignment is done (办结) on a date."""

    prefix = "close"

    closed_on = forms.DateField(
        label=_("办结日期"),
        widget=DateInput,
        help_text=_("最近一次进展报告须为 100%，办结日期不能晚于今天。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("closed_on", local_today())
