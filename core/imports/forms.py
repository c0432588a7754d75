from django import forms
from django.utils.translation import gettext_lazy as _

from core.imports.reader import FileRefused, check_upload
from core.models import ImportJob


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("数据类型"), choices=ImportJob.Kind.choices)
    file = forms.FileField(
        label=_("Excel 文件（.xlsx）"),
        help_text=_("使用本页下载的导入模板填写；不超过 5 MB、20000 行。出错后需要重新选择文件。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_upload(name=upload.name, size=upload.size)
        except FileRefused as exc:
            raise forms.ValidationError([str(error) for error in exc.errors]) from None
        return upload
