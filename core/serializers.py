"""Serializing many rows fast from the fields a serializer declares, without writing them again.

DRF's generic field-by-field `to_representation` looks every attribute up through `get_attribute`
(calling `inspect.signature` on each `get_*_display`), localizes each datetime through the request's
time zone machinery and re-evaluates nested serializers per row: for a list of 50 rows with nested
lists that was most of the request. `FastRepresentation` reads the serializer's own declared fields
once per serializer instance and turns each into a plain function of the row; its output is DRF's
(a test compares the two, field by field, in both languages).
"""

from collections.abc import Callable
from operator import attrgetter
from typing import Any

from django.db import models
from django.utils import timezone
from rest_framework import ISO_8601, relations, serializers
from rest_framework import fields as drf
from rest_framework.settings import api_settings

Getter = Callable[[Any], Any]


def _path(field) -> Getter:
    """The field's source as a function of the row: None (or the field's default) when a step of the
    path is None, as DRF answers for an empty relation."""
    steps = [attrgetter(step) for step in field.source_attrs]
    default = field.default if field.default is not drf.empty else None

    def get(row):
        value = row
        for step in steps:
            value = step(value)
            if value is None:
                return default
        return value

    return get


def _choices_label(model, field_name: str) -> Getter | None:
    """`get_<field>_display` as a lookup in the model field's choices, translated once."""
    try:
        choices = model._meta.get_field(field_name).flatchoices
    except Exception:  # not a model field: leave it to DRF
        return None
    labels = {value: str(label) for value, label in choices}  # in the language of this request
    return lambda value: labels.get(value, value)


def _datetime(field) -> Callable[[Any], Any]:
    """As DRF's DateTimeField writes it: in the current time zone, ISO 8601, UTC as 'Z'."""
    zone = timezone.get_current_timezone()

    def write(value):
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return write


def _writer(serializer: serializers.Serializer, field) -> Getter:
    """One declared field as a function of the row, giving what DRF's representation gives."""
    if isinstance(field, serializers.ListSerializer):
        child = FastRepresentation.of(field.child)
        manager = attrgetter(field.source)
        return lambda row: [child(item) for item in manager(row).all()]
    if isinstance(field, serializers.SerializerMethodField):
        return getattr(serializer, field.method_name)
    model = getattr(getattr(serializer, "Meta", None), "model", None)
    source = field.source
    if isinstance(field, relations.PrimaryKeyRelatedField) and "." not in source and model is not None:
        return attrgetter(model._meta.get_field(source).attname)  # the id, without loading the row
    if source.startswith("get_") and source.endswith("_display") and model is not None:
        label = _choices_label(model, source[4 : -len("_display")])
        if label is not None:
            value = attrgetter(source[4 : -len("_display")])
            return lambda row: label(value(row))
    get = _path(field)
    if (
        isinstance(field, drf.DateTimeField)
        and getattr(field, "format", api_settings.DATETIME_FORMAT) == ISO_8601
    ):
        write = _datetime(field)
        return lambda row: None if (v := get(row)) is None else write(v)
    if isinstance(field, drf.DateField) and getattr(field, "format", api_settings.DATE_FORMAT) == ISO_8601:
        return lambda row: None if (v := get(row)) is None else v.isoformat()
    if isinstance(field, drf.BooleanField):
        return lambda row: None if (v := get(row)) is None and field.allow_null else bool(v)
    if isinstance(field, (drf.CharField, drf.IntegerField)) and not isinstance(field, drf.ChoiceField):
        kind = str if isinstance(field, drf.CharField) else int
        return lambda row: None if (v := get(row)) is None else kind(v)
    if isinstance(field, drf.FileField):
        return lambda row: field.to_representation(get(row)) if get(row) else None
    return lambda row: None if (v := get(row)) is None else field.to_representation(v)


class FastRepresentation:
    """The representation of a serializer's rows, compiled from its declared readable fields."""

    def __init__(self, serializer: serializers.Serializer):
        self.writers = [(f.field_name, _writer(serializer, f)) for f in serializer._readable_fields]

    @classmethod
    def of(cls, serializer: serializers.Serializer) -> "FastRepresentation":
        compiled = getattr(serializer, "_fast_representation", None)
        if compiled is None:
            compiled = serializer._fast_representation = cls(serializer)
        return compiled

    def __call__(self, row) -> dict:
        return {name: write(row) for name, write in self.writers}


class FastRepresentationMixin:
    """For a read-only ModelSerializer listed many at a time: rows written by FastRepresentation."""

    def to_representation(self, instance: models.Model) -> dict:
        return FastRepresentation.of(self)(instance)
