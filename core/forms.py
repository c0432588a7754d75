"""Form pieces every app's pages share."""

from django import forms
from django.core.exceptions import ValidationError

from core.exceptions import ApplicationError


class DateInput(forms.DateInput):
    """The phone's date picker; ISO dates whatever the language's display format."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def add_service_error(form: forms.BaseForm, exc: Exception) -> None:
    """Show a service's refusal on `form`: an ApplicationError above the fields, a model
    ValidationError beside the field it names (or above the fields when the form lacks it)."""
    if isinstance(exc, ApplicationError):
        form.add_error(None, str(exc.message))
        return
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return
    form.add_error(None, getattr(exc, "messages", [str(exc)]))


class PlainLabels:
    """Labels above the inputs without Django's trailing colon."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
