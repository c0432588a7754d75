from django import forms
from django.utils.translation import gettext_lazy as _

from core.uploads import validate_document


class ScoreForm(forms.Form):
    """One manual item's score: the township's self-assessment (with evidence) or the center's."""

    item = forms.IntegerField(widget=forms.HiddenInput)
    points = forms.DecimalField(label=_("得分"), min_value=0, max_digits=5, decimal_places=1)
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.FileField(label=_("佐证材料"), required=False, validators=[validate_document])
