from django import forms

from notifications.models import ChannelPreference


class ChannelPreferenceForm(forms.ModelForm):
    class Meta:
        model = ChannelPreference
        fields = ["digest", "email", "sms", "robot"]
