"""The base of every API answer's serializer: a ModelSerializer that only writes, where a field is
named once, in `Meta.fields`.

- Every field is read-only: an answer is never parsed (input serializers are separate).
- `<choice field>_display` is the label of the row's choice (`get_<field>_display`).
- `<relation>_name` is the related row's name (`<relation>.name`), null where the relation may be
  empty.

A field that means anything else is declared on the serializer, as DRF has it.
"""

from django.core.exceptions import FieldDoesNotExist
from rest_framework import serializers

# The stamps every audited row ends its answer with (core.models.TimeStampedModel).
STAMPS = ("created_at", "updated_at")


class AnswerSerializer(serializers.ModelSerializer):
    def get_extra_kwargs(self):
        extra = super().get_extra_kwargs()
        for name in self.Meta.fields:
            extra[name] = {**extra.get(name, {}), "read_only": True}
        return extra

    def build_unknown_field(self, field_name, model_class):
        named = _named_field(model_class, field_name)
        if named is None:
            return super().build_unknown_field(field_name, model_class)
        return serializers.CharField, named


def _named_field(model, field_name: str) -> dict | None:
    """The CharField arguments of a `<choice>_display` or `<relation>_name` field of `model`, or None."""
    for suffix in ("_display", "_name"):
        if not field_name.endswith(suffix):
            continue
        try:
            field = model._meta.get_field(field_name.removesuffix(suffix))
        except FieldDoesNotExist:
            return None
        if suffix == "_display" and field.choices:
            return {"source": f"get_{field.name}_display"}
        if suffix == "_name" and field.many_to_one:
            return {"source": f"{field.name}.name", "allow_null": field.null}
    return None
