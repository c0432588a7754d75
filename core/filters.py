"""One filter language per resource. Each app declares one FilterSet per resource (its filters.py);
the resource's selector applies it (`apply_filterset`), so the API, the pages, the exports, the
reminders and the imports filter with the same names and the same meaning.

A township to filter by is one the user may see, judged the same way by every FilterSet
(VisibleTownshipFilter): naming another is an invalid value, which the API answers with 400 and a
page with 404 (core.pages.filtered_queryset)."""

import datetime as dt
import functools
from copy import copy, deepcopy
from types import SimpleNamespace

import django_filters
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField, ModelChoiceField
from django_filters.filters import QuerySetRequestMixin
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.rest_framework import FilterSet as RestFilterSet
from rest_framework.filters import OrderingFilter as DRFOrderingFilter

from core.scoping import can_see_township, scope_queryset, township_model


def apply_filterset(
    filterset_class, queryset: QuerySet, filters, *, user, strict: bool = True, on: dt.date | None = None
) -> QuerySet:
    """`queryset` filtered by `filters` (a dict or a request's query) through `filterset_class`.

    Choices of scoped filters (a township, a grid) are those `user` may see: the FilterSet's choice
    querysets read `request.user`. An invalid value raises ValidationError (the API answers 400),
    unless `strict` is false: then it is left out, as a page's form shows it and ignores it.
    `on`: the day filters "as of today" read (the FilterSet's `as_of`; default today).
    A `CleanedFilters` (filter_values) is applied as it is, without being validated again.
    """
    if not filters:
        return queryset
    if not isinstance(filters, CleanedFilters):
        filters = filter_values(filterset_class, filters, user=user, strict=strict, queryset=queryset)
    filterset = filters.filterset or filters.filterset_class(
        queryset=queryset, request=SimpleNamespace(user=user)
    )
    filterset.as_of = on
    for name, value in filters.items():
        queryset = filterset.filters[name].filter(queryset, value)
    return queryset


class CleanedFilters(dict):
    """A FilterSet's validated values ({filter name: value}), as `filter_values` gives them."""

    filterset_class: type
    filterset = None  # the FilterSet that validated them, where filter_values did

    @classmethod
    def of(cls, filterset_class, values: dict) -> "CleanedFilters":
        """`values` of `filterset_class`'s filters, validated already (by filter_values)."""
        cleaned = cls(values)
        cleaned.filterset_class = _narrowed(filterset_class, frozenset(values))
        return cleaned


def filter_values(filterset_class, filters, *, user, strict: bool = True, queryset=None) -> CleanedFilters:
    """`filters` validated by `filterset_class` (ValidationError: the API's 400; with `strict` false
    an invalid value is left out), their values kept apart from applying them: `apply_filterset`
    (through the resource's selector) applies them without validating again — a compiled query
    takes them as inputs (core.compiled). `queryset`: the rows they are for (by default the
    FilterSet's model's)."""
    filterset_class = _narrowed(filterset_class, _named(filterset_class, filters or {}))
    values = CleanedFilters()
    values.filterset_class = filterset_class
    if not filters:
        return values
    form_class = _validating_form(filterset_class)
    if form_class is not None:  # the FilterSet's own form, built once; the FilterSet when applied
        form = form_class(filters)
        for name in form_class.township_fields:  # the form's own copy, given this call's user
            form.fields[name] = copy(form.fields[name])
            form.fields[name].user = user
    else:
        values.filterset = filterset_class(
            data=filters, queryset=queryset, request=SimpleNamespace(user=user)
        )
        form = values.filterset.form
    if not form.is_valid() and strict:
        raise ValidationError(form.errors)
    values.update(form.cleaned_data)  # without the invalid values
    return values


@functools.lru_cache(maxsize=256)
def _validating_form(filterset_class):
    """The form class `filterset_class` (narrowed: _narrowed) validates its values with, built once:
    building it per request (a class, a field per filter, a choice queryset) cost more than the
    validating (bench: ~0.4 ms of a hazard list's 0.6). Only where no field depends on the request
    but the townships', whose form is given the user (VisibleTownshipField checks by scope, not by
    its queryset); None otherwise: a FilterSet then validates as django-filter does."""
    if filterset_class._meta.model is None:
        return None
    for f in filterset_class.base_filters.values():
        if (
            isinstance(f, QuerySetRequestMixin)
            and callable(f.queryset)
            and not isinstance(f, VisibleTownshipFilter)
        ):
            return None
    form_class = filterset_class(request=None).get_form_class()
    form_class.township_fields = []
    for name, field in form_class.base_fields.items():
        if isinstance(field, VisibleTownshipField):
            field.queryset = None  # never rendered, only validating: no queryset cloned per form
            form_class.township_fields.append(name)
    # Its forms share its fields, never rendered or changed, only validating with them (but the
    # townships', each form's copy: filter_values), not deep copies of each (~0.15 ms a hazard list).
    form_class.base_fields = _SharedFields(form_class.base_fields)
    return form_class


class _SharedFields(dict):
    """A form class's fields, which `copy.deepcopy` (a form's __init__) copies only as a dict."""

    def __deepcopy__(self, memo):
        return dict(self)


def _named(filterset_class, filters) -> frozenset[str]:
    """The filters `filters` names: by their own name, or a widget's suffixed one (`<name>_min`);
    and every required filter (its absence is an error)."""
    return _named_by(filterset_class, frozenset(filters))


@functools.lru_cache(maxsize=1024)
def _named_by(filterset_class, keys: frozenset[str]) -> frozenset[str]:
    # Worked out once per set of names asked with (each filter against each name: ~30 µs a list).
    return frozenset(
        name
        for name, f in filterset_class.base_filters.items()
        if name in keys or f.extra.get("required") or any(k.startswith(f"{name}_") for k in keys)
    )


@functools.lru_cache(maxsize=256)
def _narrowed(filterset_class, names: frozenset[str]):
    """`filterset_class` with only the filters in `names`. A filter given no value filters nothing,
    but its form field was built all the same (a deep copy, a choice queryset): on a list asked with
    two filters of fifteen, most of the time spent filtering (bench: ~4 ms of a hazard list)."""
    if len(names) == len(filterset_class.base_filters):
        return filterset_class
    narrowed = type(filterset_class.__name__, (filterset_class,), {"__module__": filterset_class.__module__})
    narrowed.base_filters = {n: f for n, f in filterset_class.base_filters.items() if n in names}
    return narrowed


def date_range(
    field_name: str, after: str, before: str, *, of_datetime: bool = False
) -> tuple[django_filters.DateFilter, django_filters.DateFilter]:
    """The filters `<name>_after` and `<name>_before` of a date range on `field_name`, both ends
    inclusive (of a datetime field: its date), labelled `after` and `before`. Assign them as a pair:
    `inspected_on_after, inspected_on_before = date_range("inspected_on", ...)`."""
    lookup = "date__" if of_datetime else ""
    return (
        django_filters.DateFilter(field_name=field_name, lookup_expr=f"{lookup}gte", label=after),
        django_filters.DateFilter(field_name=field_name, lookup_expr=f"{lookup}lte", label=before),
    )


def township_choices(*, user) -> QuerySet:
    """Townships the user may see, by name, for a filter or a form select. One query."""
    return scope_queryset(township_model().objects.all(), user=user, township_field="pk").order_by("name")


def visible_townships(request) -> QuerySet:
    """The townships a filter offers: those the asking user sees (none while the schema is built)."""
    if request is None:
        return township_model().objects.none()
    return township_choices(user=request.user)


class VisibleTownshipField(ModelChoiceField):
    """A township the user sees, checked by core.scoping — no query for a township lead or the center,
    so a selector's `filters={"township": pk}` costs nothing — and given on as its id."""

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        pk = value.pk if isinstance(value, township_model()) else value
        if not str(pk).isdigit() or not can_see_township(self.user, int(pk)):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return int(pk)


class VisibleTownshipFilter(django_filters.ModelChoiceFilter):
    """乡镇 (by default): one of the townships the asking user sees — the page lists them, a value is
    checked by scope. `field_name` is the path to the township (`brigade__township`, ...)."""

    field_class = VisibleTownshipField

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("乡镇"))
        super().__init__(queryset=visible_townships, **kwargs)

    @property
    def field(self):
        self.extra["user"] = getattr(self.get_request(), "user", None)
        return super().field


# PostgreSQL's timestamptz takes UTC offsets up to ±15:59; Python's datetime up to ±23:59. A filter
# value between the two reached the database as a DataError, a 500.
MAX_UTC_OFFSET = dt.timedelta(hours=15, minutes=59)


def check_datetime_in_range(value: dt.datetime | None) -> dt.datetime | None:
    """`value` if the database can compare with it; ValidationError (the API's 400) otherwise."""
    if value is None:
        return value
    offset = value.utcoffset()
    try:
        if offset is not None and abs(offset) > MAX_UTC_OFFSET:
            raise ValueError
        value.astimezone(dt.UTC)  # years 1 and 9999 may leave the calendar once moved to UTC
    except (ValueError, OverflowError):
        raise ValidationError(
            _("时间超出范围：时区偏移须在 ±15:59 以内，且日期在公元 1 年至 9999 年之间。"), code="invalid"
        ) from None
    return value


class BoundedIsoDateTimeField(IsoDateTimeField):
    def to_python(self, value):
        return check_datetime_in_range(super().to_python(value))


class BoundedIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = BoundedIsoDateTimeField


FILTER_DEFAULTS = deepcopy(RestFilterSet.FILTER_DEFAULTS)
FILTER_DEFAULTS[models.DateTimeField] = {"filter_class": BoundedIsoDateTimeFilter}


class FilterSet(RestFilterSet):
    """The API's FilterSet for `filterset_fields`: a datetime the database cannot take is a 400."""

    FILTER_DEFAULTS = FILTER_DEFAULTS


class FilterBackend(DjangoFilterBackend):
    """DRF's django-filter backend, building `filterset_fields` on FilterSet above."""

    filterset_base = FilterSet


class OrderingFilter(DRFOrderingFilter):
    """DRF's ordering, its schema listing the fields it takes (each also with "-", descending), so
    that a generated client offers them instead of a free string."""

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        fields = getattr(view, "ordering_fields", None)
        if isinstance(fields, list | tuple):
            names = [name if isinstance(name, str) else name[0] for name in fields]
            for parameter in parameters:
                parameter["schema"] = {"type": "string", "enum": [*names, *(f"-{name}" for name in names)]}
        return parameters
