"""Serializing many rows fast from the fields a serializer declares, without writing them again.

DRF's generic field-by-field `to_representation` looks every attribute up through `get_attribute`
(calling `inspect.signature` on each `get_*_display`), localizes each datetime through the request's
time zone machinery and re-evaluates nested serializers per row. Two writers compiled from the
serializer's own declared fields, each giving DRF's output (tests compare them, in both languages):

- `FastRepresentation`: one model instance (a detail, a written row) as a plain function of the row;
- `ValuesRows`: a list page read with values() — no model instance built, its nested lists
  aggregated by PostgreSQL in the same query — for a serializer declaring `ValuesRowsMixin`."""

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from operator import attrgetter
from typing import Any

from django.contrib.postgres.aggregates import JSONBAgg, StringAgg
from django.core.exceptions import EmptyResultSet, FieldDoesNotExist, ImproperlyConfigured
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection, connections, models, router
from django.db.models import Case, F, Func, OuterRef, Prefetch, Q, Subquery, TextField, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone, translation
from django.utils.functional import cached_property
from rest_framework import ISO_8601, relations, serializers
from rest_framework import fields as drf
from rest_framework.settings import api_settings

from core import json_sql
from core.compiled import bound, fetch_prepared, inlined, input_places, with_input_sql

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


# -- lists read as values ---------------------------------------------------------------------------
#
# A list row built as a model instance costs more than its database time: the instance, the related
# instances select_related joins, one prefetch query per nested list and a manager per row and list.
# `ValuesRows` compiles a serializer's declared readable fields once into the lookups of one
# `values_list()` query — its nested lists aggregated by PostgreSQL as JSON in the same query — and
# one writer per field giving what DRF gives for that field. A field it cannot write exactly (a
# relation shown other than by its id, a model property or method, a nested object) is refused when
# the serializer class is created, so a field added to the serializer either shows in the fast list
# or stops the API from starting; tests compare the two writers' output row by row.

_SKIP = object()  # DRF leaves a field out of the row (a read-only field without a default or null)


class _Env:
    """What a request's rows are written with: its time zone, its request (for absolute file URLs),
    its language (choice labels) and a serializer instance (for SerializerMethodFields)."""

    def __init__(self, serializer_class, context: dict):
        self.zone = timezone.get_current_timezone()
        self.request = context.get("request")
        self.language = translation.get_language()
        self.serializer = serializer_class(context=context)
        self._labels: dict = {}

    def labels(self, model_field) -> dict:
        labels = self._labels.get(model_field)
        if labels is None:
            labels = self._labels[model_field] = _labels(model_field, self.language)
        return labels


_LABELS: dict = {}


def _labels(model_field, language) -> dict:
    """`get_<field>_display`'s labels, in `language` (the active one), kept per language."""
    key = (model_field, language)
    labels = _LABELS.get(key)
    if labels is None:
        labels = _LABELS[key] = {value: str(label) for value, label in model_field.flatchoices}
    return labels


def _refuse(serializer_class, field_name: str, why: str):
    return ImproperlyConfigured(
        f"{serializer_class.__name__}.{field_name}: {why}; the list read as values (core.serializers."
        "ValuesRows) cannot write it as DRF would — declare it differently or drop ValuesRowsMixin."
    )


# How a value comes out of PostgreSQL's JSON (a nested list's row) as values() would give it.
_FROM_JSON = [
    (models.DateTimeField, dt.datetime.fromisoformat),
    (models.DateField, dt.date.fromisoformat),
    (models.DecimalField, lambda v: v if isinstance(v, Decimal) else Decimal(v)),
    (models.FloatField, float),
    (models.FileField, None),
    (models.BooleanField, None),
    (models.IntegerField, None),
    (models.AutoField, None),
    (models.CharField, None),
    (models.TextField, None),
]


def _json_decoder(model_field):
    for kind, decode in _FROM_JSON:
        if isinstance(model_field, kind):
            return decode
    return _SKIP  # not written exactly from JSON


def _stock(field, kind) -> bool:
    """Whether `field` writes a value as DRF's `kind` does (its class does not override it)."""
    return isinstance(field, kind) and type(field).to_representation is kind.to_representation


def _converter(field, model_field):
    """The field's writing of a value that is not None, as a function of the request's `_Env`."""
    if isinstance(field, relations.PrimaryKeyRelatedField):
        return lambda env: lambda v: v
    if isinstance(field, drf.FileField):
        storage = model_field.storage
        use_url = getattr(field, "use_url", api_settings.UPLOADED_FILES_USE_URL)

        def file(env):
            request = env.request

            def write(name):
                if not name:
                    return None
                if not use_url:
                    return name
                url = storage.url(name)
                return request.build_absolute_uri(url) if request is not None else url

            return write

        return file
    if _stock(field, drf.ChoiceField):
        strings = field.choice_strings_to_values
        return lambda env: lambda v: v if v == "" else strings.get(str(v), v)
    if _stock(field, drf.CharField):
        return lambda env: str
    if _stock(field, drf.IntegerField):
        return lambda env: int
    if _stock(field, drf.BooleanField):
        return lambda env: lambda v: v if v is True or v is False else field.to_representation(v)
    iso = ISO_8601
    if _stock(field, drf.DateTimeField) and getattr(field, "format", api_settings.DATETIME_FORMAT) == iso:
        if hasattr(field, "timezone"):
            return lambda env: field.to_representation

        def datetime(env):
            zone = env.zone

            def write(v):
                if timezone.is_naive(v):
                    return field.to_representation(v)
                text = v.astimezone(zone).isoformat()
                return text[:-6] + "Z" if text.endswith("+00:00") else text

            return write

        return datetime
    if _stock(field, drf.DateField) and getattr(field, "format", api_settings.DATE_FORMAT) == iso:
        return lambda env: lambda v: v.isoformat() if v else None
    return lambda env: field.to_representation


def _json_of(field, model_field, display, lookup: str, media):
    """`field`'s value at `lookup` as JSON text written by PostgreSQL exactly as DRF writes it, or
    None for a kind of field or column it is not written for (the page is then written by Python)."""
    ref = F(lookup)
    if display is not None:  # get_<field>_display: the label in the active language
        if not _stock(field, drf.CharField):
            return None
        labels = _labels(display, translation.get_language())
        # Each label written as JSON here, as DRF's renderer writes it; a value without one as itself.
        whens = [
            When(Q(**{lookup: value}), then=Value(json.dumps(label, ensure_ascii=False)))
            for value, label in labels.items()
            if value is not None
        ]
        return Case(*whens, default=json_sql.json_value(Cast(ref, TextField())), output_field=TextField())
    if isinstance(field, relations.PrimaryKeyRelatedField):
        model_field = model_field.target_field if model_field.is_relation else model_field
    integer = isinstance(model_field, models.IntegerField | models.AutoField)
    text = isinstance(model_field, models.CharField | models.TextField)
    if isinstance(field, relations.PrimaryKeyRelatedField):  # the related row's key
        return json_sql.json_literal(ref) if integer else None
    if isinstance(field, drf.FileField):
        if not isinstance(model_field, models.FileField) or model_field.storage is not default_storage:
            return None
        if not getattr(field, "use_url", api_settings.UPLOADED_FILES_USE_URL):
            return json_sql.FileName(ref)
        if default_storage.__class__ is not FileSystemStorage:
            return None  # another storage's URLs are not its base URL and the name
        return json_sql.FileUrl(ref, media)
    if _stock(field, drf.ChoiceField):
        return json_sql.json_value(ref) if text or integer else None
    if _stock(field, drf.CharField):
        if text:
            return json_sql.json_value(ref)
        return json_sql.json_value(json_sql.as_text(ref)) if integer else None
    big_as_number = not getattr(field, "coerce_to_string", api_settings.COERCE_BIGINT_TO_STRING)
    if _stock(field, drf.IntegerField) or (_stock(field, drf.BigIntegerField) and big_as_number):
        return json_sql.json_literal(ref) if integer else None
    if _stock(field, drf.BooleanField):
        return json_sql.json_literal(ref) if isinstance(model_field, models.BooleanField) else None
    iso = ISO_8601
    if _stock(field, drf.DateTimeField) and getattr(field, "format", api_settings.DATETIME_FORMAT) == iso:
        zone = timezone.get_current_timezone()
        name = getattr(zone, "key", None)
        if hasattr(field, "timezone") or name is None or not isinstance(model_field, models.DateTimeField):
            return None
        return json_sql.or_null(json_sql.IsoDateTime(ref, name))
    if _stock(field, drf.DateField) and getattr(field, "format", api_settings.DATE_FORMAT) == iso:
        plain_date = isinstance(model_field, models.DateField) and not isinstance(
            model_field, models.DateTimeField
        )
        return json_sql.json_value(ref) if plain_date else None
    if _stock(field, drf.DecimalField):
        written_at_scale = (
            isinstance(model_field, models.DecimalField)
            and field.decimal_places == model_field.decimal_places
            and not field.localize
            and not field.normalize_output
            and getattr(field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)
        )
        # A column of the field's scale holds the digits DRF's quantize writes.
        return json_sql.json_value(json_sql.as_text(ref)) if written_at_scale else None
    return None


class _Leaf:
    """One declared field read from the row's columns: `lookup` gives its value; `guards` are the
    nullable relations on its path (None when the row has no such related row, as DRF finds it)."""

    def __init__(
        self, name, lookup, guards, convert, missing, decode, *, field=None, model_field=None, display=None
    ):
        self.name, self.lookup, self.guards = name, lookup, guards
        self.convert, self.missing, self.decode = convert, missing, decode
        self.field, self.model_field, self.display = field, model_field, display

    def json(self, queryset, media):
        """The field's JSON, written by PostgreSQL (core.json_sql), or None where it is not written
        exactly so: a key DRF would leave out, a default other than null."""
        if self.guards and self.missing is not None:
            return None
        model_field = self.model_field
        if model_field is None:  # an annotation: its type is the query's
            annotation = queryset.query.annotations.get(self.lookup)
            model_field = getattr(annotation, "output_field", None)
            if model_field is None:
                return None
        return _json_of(self.field, model_field, self.display, self.lookup, media)

    def lookups(self) -> list[str]:
        return [self.lookup, *self.guards]

    def bind(self, env, index):
        at, guards = index[self.lookup], [index[g] for g in self.guards]
        convert, missing = self.convert(env), self.missing
        if missing is not _SKIP and missing is not None:
            missing = convert(missing)  # a declared default, written as DRF writes it
        if not guards:
            return lambda row: None if (v := row[at]) is None else convert(v)

        def write(row):
            for g in guards:
                if row[g] is None:
                    return missing
            v = row[at]
            return None if v is None else convert(v)

        return write


class _Method:
    """A SerializerMethodField: the serializer's method called with the row's columns and
    annotations as attributes (values as values() gives them: a file is its name, a relation its id)."""

    def __init__(self, name, method_name):
        self.name, self.method_name = name, method_name

    def lookups(self) -> list[str]:
        return []

    def json(self, queryset, media):
        return None  # a Python method: the page is written by Python

    def bind(self, env, index):
        method = getattr(env.serializer, self.method_name)
        at = {name: index[name] for name in index.proxy}  # the row's columns by name
        return lambda row: method(_RowAttributes(row, at))


class _RowAttributes:
    """A values row's columns as attributes (for a SerializerMethodField), looked up when read."""

    __slots__ = ("_values_rows_at", "_values_rows_row")  # names no column has

    def __init__(self, row, at: dict[str, int]):
        self._values_rows_row, self._values_rows_at = row, at

    def __getattr__(self, name):
        try:
            return self._values_rows_row[self._values_rows_at[name]]
        except KeyError:
            raise AttributeError(name) from None


class _Nested:
    """A nested list (`many=True` over a reverse foreign key): its rows aggregated by PostgreSQL into
    one JSON array per row (the prefetch the queryset declares for it gives the filter and order)."""

    def __init__(self, name, accessor, child: "ValuesRows", relation):
        self.name, self.accessor, self.child, self.relation = name, accessor, child, relation
        self.alias = f"values_rows_{name}"
        self.built: dict[tuple, Subquery] = {}

    def lookups(self) -> list[str]:
        return [self.alias]

    def _rows(self, queryset):
        """The nested rows as the queryset's prefetch for this list declares them, and their order."""
        related = self.relation.related_model
        prefetch = next(
            (
                p
                for p in queryset._prefetch_related_lookups
                if isinstance(p, Prefetch) and p.prefetch_through == self.accessor and p.to_attr is None
            ),
            None,
        )
        rows = prefetch.queryset if prefetch is not None and prefetch.queryset is not None else None
        rows = related._default_manager.all() if rows is None else rows
        order = tuple(rows.query.order_by) or (
            tuple(related._meta.ordering) if rows.query.default_ordering else ()
        )
        return rows, order

    def json(self, queryset, media, ids):
        """The nested list as a JSON array, its rows written by PostgreSQL (in the prefetch's order).
        `ids`: the outer rows' ids (a list: RowsById reads its rows by id); the nested rows of all of
        them are read in one scan and looked up per outer row (json_sql.PageLists), not probed row
        by row."""
        rows, order = self._rows(queryset)
        row = self.child.json_row(rows, media)
        if row is None:
            return None
        joined = StringAgg(row, delimiter=",", order_by=[*order, "pk"])
        key = self.relation.field
        keyed = rows.filter(json_sql.any_of(key.attname, ids)).order_by()
        grouped = keyed.values(key.name).annotate(values_rows=joined).values_list(key.name, "values_rows")
        lists = json_sql.PageLists(Subquery(grouped), F(key.target_field.attname))
        return json_sql.concat(Value("["), Coalesce(lists, Value("")), Value("]"))

    def annotation(self, queryset):
        rows, order = self._rows(queryset)
        # Rows only ordered (the usual prefetch): the subquery is built once per ordering.
        plain = not rows.query.where and not rows.query.annotations and all(isinstance(o, str) for o in order)
        if plain and order in self.built:
            return self.built[order]
        key = self.relation.field.name
        rows = rows.filter(**{key: OuterRef(self.relation.field.target_field.attname)}).order_by()
        columns = Func(*(F(lookup) for lookup in self.child.lookups), function="JSONB_BUILD_ARRAY")
        aggregate = JSONBAgg(columns, order_by=[*order, "pk"])
        rows = rows.values(key).annotate(values_rows=aggregate).values("values_rows")
        subquery = Subquery(rows, output_field=TextField())  # parsed by json.loads (decimals exact)
        if plain:
            self.built[order] = subquery
        return subquery

    def bind(self, env, index):
        at, write = index[self.alias], self.child.writer(env)
        loads = json.loads
        return lambda row: [] if (v := row[at]) is None else write(loads(v, parse_float=Decimal))


class _Index(dict):
    """Lookup → position in the row, and the columns a method field's row proxy carries."""

    proxy: list[str]


class RowsById:
    """A list's rows read by their ids with SQL compiled once per process, not per request.

    Building and compiling the query of a page's written columns through the ORM (its joins, the
    nested lists' subqueries, the annotations) cost more than running it. `build(ids=..., **inputs)`
    gives the rows' queryset; it is compiled twice with two sets of stand-in values, and kept only if
    the two differ in nothing but those values' places — so a request's values are put in their
    places and nothing else of the query can depend on them. A builder whose SQL depends on its
    inputs otherwise is refused (ImproperlyConfigured), never run wrong."""

    _compiled: dict = {}

    # Two stand-ins per kind of input: values no request gives.
    _STAND_INS = {
        "ids": ([-7301], [-7302, -7303]),
        dt.date: (dt.date(1901, 1, 1), dt.date(1902, 2, 2)),
        int: (-7304, -7305),
        str: ("http://stand-in-one.invalid/media/", "http://stand-in-two.invalid/m/"),
    }
    MEDIA = "values_rows_media"  # the input of the absolute media URL (JSON rows: files' URLs)

    def __init__(self, build: Callable[..., models.QuerySet], **inputs):
        self.build, self.inputs = build, inputs

    def compiled(self, values_rows: "ValuesRows", *, as_json: bool = False):
        key = (values_rows, self.build, tuple(sorted((n, type(v)) for n, v in self.inputs.items())))
        if as_json:
            # Labels in the active language and datetimes in the current time zone are in the SQL.
            key += (translation.get_language(), getattr(timezone.get_current_timezone(), "key", None))
        key += (as_json,)
        if key not in self._compiled:
            self._compiled[key] = self._compile(values_rows, as_json=as_json)
        return self._compiled[key]

    def _compile(self, values_rows: "ValuesRows", *, as_json: bool = False):
        names = ["ids", *sorted(self.inputs)]
        kinds = ["ids", *(type(self.inputs[n]) for n in names[1:])]
        if any(kind not in self._STAND_INS for kind in kinds) or self.MEDIA in names:
            raise ImproperlyConfigured(f"RowsById: inputs of kinds {kinds}: only dates, integers and text")
        if as_json:
            names, kinds = [*names, self.MEDIA], [*kinds, str]
        builds = []
        for which in (0, 1):
            stand_ins = {n: self._STAND_INS[k][which] for n, k in zip(names, kinds, strict=True)}
            if as_json:
                rows = self._rows({n: v for n, v in stand_ins.items() if n != self.MEDIA})
                row = values_rows.json_row(rows, Value(stand_ins[self.MEDIA]), ids=stand_ins["ids"])
                if row is None:
                    return None  # a field PostgreSQL does not write: the rows are written by Python
                columns = ["values_rows_json"]
                values = (
                    rows.prefetch_related(None).annotate(values_rows_json=row).values_list(*columns, "pk")
                )
            else:
                query = values_rows.queryset(self._rows(stand_ins))
                columns = query.columns
                values = query.rows.values_list(*columns, "pk")
            compiler = values.query.get_compiler(values.db)
            sql, params = compiler.as_sql()
            builds.append((stand_ins, compiler, sql, params, columns))
        (one, compiler, sql, params, columns), (two, _, sql_two, params_two, _) = builds
        refused = ImproperlyConfigured(f"RowsById: {self.build.__qualname__}'s SQL depends on its inputs")
        if sql != sql_two or len(params) != len(params_two):
            raise refused
        places = input_places(params, params_two, one, two, dates_constant=True)
        if places is None:
            raise refused
        sql, places = inlined(sql, places, using=values.db)
        fields = [s[0] for s in compiler.select[: compiler.col_count]]
        return sql, places, compiler, compiler.get_converters(fields), columns

    def _rows(self, inputs: dict) -> models.QuerySet:
        inputs = dict(inputs)
        ids = inputs.pop("ids")
        rows = self.build(**inputs).order_by()  # in the order of the ids given (read)
        # Names from the model, quoted; the ids a parameter.
        where = RawSQL(_of_ids(rows.model, "%s"), (ids,), output_field=models.BooleanField())  # noqa: S611
        return rows.filter(where)

    def read_json(self, values_rows: "ValuesRows", ids: list, *, media: str, using: str) -> list[str] | None:
        """The rows of `ids`, in that order, each the JSON object DRF would write, written by
        PostgreSQL (`media`: the absolute media URL); None where the serializer has a field
        PostgreSQL does not write (read() then)."""
        compiled = self.compiled(values_rows, as_json=True)
        if compiled is None:
            return None
        if not ids:
            return []
        sql, places, _compiler, _converters, _columns = compiled
        given = {**self.inputs, "ids": list(ids), self.MEDIA: media}
        params = bound(places, given)
        by_id = {i: text for text, i in fetch_prepared(sql, params, using=using)}
        return [by_id[i] for i in ids if i in by_id]

    def read_json_page(
        self, values_rows: "ValuesRows", page: tuple[str, list], *, media: str, using: str
    ) -> list[tuple] | None:
        """A page's rows as read_json writes them, in one statement with the query of their ids
        (`page`: counted_page's SQL and parameters, with the rows' addresses, run inside it): one
        round trip instead of two.
        `(text, id, count)` per id, in the page's order (text None for a row deleted since); None
        where the serializer has a field PostgreSQL does not write."""
        compiled = self.compiled(values_rows, as_json=True)
        if compiled is None:
            return None
        rows_sql, rows_places = _rows_of_page(compiled[0], compiled[1], values_rows.model)
        page_sql, page_params = page
        statement = (
            "WITH page AS MATERIALIZED (SELECT ROW_NUMBER() OVER () AS n, p.pk, p.count, p.address"  # noqa: S608 - the ORM's SQL
            f" FROM ({page_sql}) AS p(pk, count, address))"
            " SELECT r.json, page.pk, page.count FROM page"
            f" LEFT JOIN ({rows_sql}) AS r(json, pk) ON r.pk = page.pk ORDER BY page.n"
        )
        params = [*page_params, *bound(rows_places, {**self.inputs, self.MEDIA: media})]
        return fetch_prepared(statement, params, using=using)

    def read(self, values_rows: "ValuesRows", ids: list, *, using: str) -> tuple[list, list[str]]:
        """The rows of `ids`, in that order, as tuples of the returned columns (a row deleted since
        its id was read is left out)."""
        sql, places, compiler, converters, columns = self.compiled(values_rows)
        if not ids:
            return [], columns
        given = {**self.inputs, "ids": list(ids)}
        params = bound(places, given)
        fetched = fetch_prepared(sql, params, using=using)
        if converters:
            fetched = compiler.apply_converters(fetched, converters)
        by_id = {row[-1]: row[:-1] for row in fetched}
        return [by_id[i] for i in ids if i in by_id], columns


def _of_ids(model: type[models.Model], ids: str) -> str:
    """The SQL condition of `model`'s rows whose ids are in the array `ids` (SQL)."""
    quote = connection.ops.quote_name
    return f"{quote(model._meta.db_table)}.{quote(model._meta.pk.column)} = ANY({ids})"


_ROWS_OF_PAGE: dict[tuple[str, str], tuple[str, list]] = {}
_PAGE_IDS = "ARRAY(SELECT page.pk FROM page)"


def _rows_of_page(sql: str, places: list, model: type[models.Model]) -> tuple[str, list]:
    """RowsById's rows SQL reading the rows of the statement's `page` (read_json_page), in the order
    counted_page gave them (ROW_NUMBER over its ordered rows); kept per compiled statement.

    The rows are fetched at the addresses the page read them at (PostgreSQL's ctid), not looked up
    again by id in the primary key's index (bench: ~0.2 ms of a page of 50 hazards). One statement
    reads both with one snapshot, so each address holds the very row version the page found. Their
    nested lists are read by the page's ids."""
    key = (sql, repr(places))  # (a constant may be a list: not hashable)
    if key not in _ROWS_OF_PAGE:
        rows_sql, rows_places = with_input_sql(sql, places, "ids", _PAGE_IDS)
        by_id = _of_ids(model, _PAGE_IDS)
        if rows_sql.count(by_id) != 1:  # (RowsById._rows writes it once)
            raise ImproperlyConfigured(f"RowsById: no single condition on the ids of {model.__name__}")
        table = connection.ops.quote_name(model._meta.db_table)
        at = f"{table}.ctid = ANY(ARRAY(SELECT page.address FROM page))"  # noqa: S608 - a quoted name
        _ROWS_OF_PAGE[key] = rows_sql.replace(by_id, at), rows_places
    return _ROWS_OF_PAGE[key]


def _count(queryset: models.QuerySet) -> Subquery | None:
    """How many rows `queryset` has, as one plain COUNT to put beside its rows (the number an
    InitPlan of PostgreSQL's, counted once); None when it cannot be written so (a DISTINCT, a
    GROUP BY, a union, a slice)."""
    query = queryset.query
    if query.distinct or query.combinator or query.group_by is not None or query.is_sliced:
        return None
    if any(getattr(a, "contains_aggregate", False) for a in query.annotations.values()):
        return None
    # COUNT(*), not COUNT(id): an index holding the filtered columns answers it alone.
    number = Func(template="COUNT(*)", output_field=models.IntegerField())
    return Subquery(queryset.order_by().values(values_rows_count=number))


def counted_page(
    queryset: models.QuerySet, bottom: int, top: int, *, address: bool = False
) -> models.QuerySet | None:
    """The ids of rows `bottom` to `top` of `queryset`, each with how many rows there are in all
    (`(pk, count)`); None when the count cannot be written as one plain COUNT (_count). With
    `address`, on PostgreSQL, each with where the row was read too (its ctid: `(pk, count, ctid)`),
    for the statement it is run inside (RowsById.read_json_page)."""
    count = _count(queryset)
    if count is None:
        return None
    columns = {"values_rows_count": count}
    db = connections[queryset.db]
    if address and db.vendor == "postgresql":
        table = db.ops.quote_name(queryset.model._meta.db_table)
        columns["values_rows_address"] = RawSQL(f"{table}.ctid", ())  # noqa: S611 - a quoted name
    return queryset.annotate(**columns).values_list("pk", *columns)[bottom:top]


class ValuesQuery:
    """A list's rows as values (what a paginator slices) and their number, counted on the list's own
    queryset: without the joins and subqueries that only the written columns need. `page()` reads a
    page and the number in one query (core.api.Pagination).

    With `by_id` (a RowsById, and the ValuesRows it reads for), the rows are read in two steps: their
    ids (and for a page their number) from `counted` — the list's scope, filters and order — then the
    written columns of those ids by `by_id`, whose SQL is compiled once; `columns` is known once a
    row has been read. With `json_media` too (the absolute media URL), a page's rows are read as
    the JSON DRF would write, written by PostgreSQL (`wrote_json`), where the serializer's fields
    allow it (RowsById.read_json) — else as tuples, as without. With `page_ids` too (a function of
    `bottom, top` giving the SQL and parameters of counted_page's query of the list, from a compiled
    query; None for no rows), a page's ids are read by it — inside the statement of their JSON rows
    where PostgreSQL writes them — and `counted` (then a function giving the queryset) is built only
    if asked for."""

    CHUNK = 2000  # ids read by id in one statement (an export reads up to API_EXPORT_MAX_ROWS)

    def __init__(
        self,
        rows: models.QuerySet | None,
        *,
        counted,
        columns: list[str] | None = None,
        by_id: "tuple[RowsById, ValuesRows] | None" = None,
        json_media: str | None = None,
        page_ids: Callable[[int, int], list[tuple]] | None = None,
    ):
        self.rows, self.columns, self.by_id = rows, columns, by_id
        self.json_media = json_media if by_id is not None else None
        self.page_ids = page_ids if by_id is not None else None
        self.wrote_json = False
        self._counted = counted

    @cached_property
    def counted(self) -> models.QuerySet:
        counted = self._counted() if callable(self._counted) else self._counted
        # Only ids are read from `counted` by id: a prefetch would have nothing to attach to.
        return counted if self.by_id is None else counted.prefetch_related(None)

    @cached_property
    def values(self) -> models.QuerySet:
        return self.rows.values_list(*self.columns)

    @property
    def ordered(self) -> bool:
        # The rows are the counted ones, in the same order (a compiled page's ids are ordered).
        return True if self.page_ids is not None else self.counted.ordered

    @property
    def using(self) -> str:
        return router.db_for_read(self.by_id[1].model) if self.page_ids is not None else self.counted.db

    def count(self) -> int:
        return self.counted.count()

    def page(self, bottom: int, top: int) -> tuple[list, int] | None:
        """Rows `bottom` to `top` and how many there are in all, in one query (counted_page); None
        when there are no such rows or the count cannot be written so: ask `count()`."""
        if self.page_ids is not None:
            ids = self._page_ids(bottom, top)
            if ids is None:
                return None
            if self.wrote_json:
                return ids  # the page's rows and their number, as PostgreSQL wrote them
        else:
            if self.by_id is None:  # the rows with the count of the counted ones
                count = _count(self.counted)
                if count is None:
                    return None
                rows = self.rows.annotate(values_rows_count=count).values_list(
                    *self.columns, "values_rows_count"
                )
                rows = list(rows[bottom:top])
                return (rows, rows[0][-1]) if rows else None
            query = counted_page(self.counted, bottom, top)
            if query is None:
                return None
            try:
                ids = fetch_prepared(*query.query.get_compiler(query.db).as_sql(), using=query.db)
            except EmptyResultSet:  # a query the ORM knows selects nothing (none(), an empty IN)
                return None
        if not ids:
            return None
        number = ids[0][1]
        rows = self._read([i for i, _ in ids])
        return (rows if self.wrote_json else [(*row, number) for row in rows]), number

    def _page_ids(self, bottom: int, top: int) -> "list[tuple] | tuple[list[str], int] | None":
        """A page's ids and their number (`(id, count)` each) by `page_ids`' statement; or, where
        PostgreSQL writes the page, its rows and their number read with it in one statement
        (RowsById.read_json_page: `wrote_json`). None for no rows."""
        statement = self.page_ids(bottom, top)
        if statement is None:
            return None
        if self.json_media is not None:
            by_id, values_rows = self.by_id
            read = by_id.read_json_page(values_rows, statement, media=self.json_media, using=self.using)
            self.json_media = None  # (if not written here: written by Python)
            if read is not None:
                texts = [text for text, _, _ in read if text is not None]
                if read and not any(json_sql.UNWRITTEN in text for text in texts):
                    self.wrote_json = True
                    return texts, read[0][2]
                return [(pk, count) for _, pk, count in read]
        return [(pk, count) for pk, count, *_address in fetch_prepared(*statement, using=self.using)]

    def _read(self, ids: list) -> list:
        by_id, values_rows = self.by_id
        if self.json_media is not None:
            texts = by_id.read_json(values_rows, ids, media=self.json_media, using=self.using)
            if texts is not None and not any(json_sql.UNWRITTEN in text for text in texts):
                self.wrote_json = True
                return texts
            # A field or a value PostgreSQL does not write: this page is written by Python.
            self.json_media = None
        rows, self.columns = by_id.read(values_rows, ids, using=self.using)
        return rows

    def __getitem__(self, key):
        if self.by_id is None:
            return self.values[key]
        if not isinstance(key, slice):
            return self[key : key + 1][0]
        ids = list(self.counted.values_list("pk", flat=True)[key])
        if len(ids) > self.CHUNK:
            self.json_media = None  # rows of one kind, whatever a chunk holds: tuples
        rows = []
        for at in range(0, len(ids), self.CHUNK):
            rows += self._read(ids[at : at + self.CHUNK])
        if self.columns is None:  # no rows: the columns all the same
            self._read([])  # (no query)
        return rows

    def __iter__(self):
        return iter(self[:] if self.by_id is not None else self.values)

    def __len__(self) -> int:
        return self.count() if self.by_id is not None else len(self.values)


class ValuesRows:
    """A serializer's rows read with `values_list()`: `queryset(qs)` gives the query (the nested
    lists aggregated in it), `write(rows, context)` the dicts DRF's `serializer.data` would be."""

    def __init__(self, serializer_class, *, nested: bool = False):
        self.serializer_class = serializer_class
        self.model = serializer_class.Meta.model
        self.nested = nested
        self.fields = [self._compile(f) for f in serializer_class()._readable_fields]
        lookups: list[str] = []
        for compiled in self.fields:
            lookups += [lookup for lookup in compiled.lookups() if lookup not in lookups]
        self.has_methods = any(isinstance(f, _Method) for f in self.fields)
        if self.has_methods:  # a method sees the row's columns (and annotations: see queryset())
            columns = [f.attname if f.is_relation else f.name for f in self.model._meta.concrete_fields]
            lookups += [column for column in columns if column not in lookups]
        self.lookups = lookups
        if nested:
            self.decoders = [self._decoder(lookup) for lookup in lookups]

    # -- compiling ---------------------------------------------------------------------------------

    def _compile(self, field):
        name, cls = field.field_name, self.serializer_class
        if isinstance(field, serializers.ListSerializer):
            if self.nested:
                raise _refuse(cls, name, "a list nested in a nested list")
            try:
                relation = self.model._meta.get_field(field.source)
            except FieldDoesNotExist:
                relation = None
            if relation is None or not relation.one_to_many or relation.concrete:
                raise _refuse(cls, name, "a nested list not over a reverse foreign key")
            child = type(field.child)
            if getattr(getattr(child, "Meta", None), "model", None) is not relation.related_model:
                raise _refuse(cls, name, "a nested serializer of another model")
            return _Nested(name, field.source, ValuesRows(child, nested=True), relation)
        if isinstance(field, serializers.BaseSerializer):
            raise _refuse(cls, name, "a nested object")
        if isinstance(field, serializers.SerializerMethodField):
            if self.nested:
                raise _refuse(cls, name, "a method field in a nested list")
            return _Method(name, field.method_name)
        if field.source == "*":
            raise _refuse(cls, name, "source='*'")
        if isinstance(field, relations.RelatedField | relations.ManyRelatedField) and not isinstance(
            field, relations.PrimaryKeyRelatedField
        ):
            raise _refuse(cls, name, "a relation shown other than by its id")
        if isinstance(field, relations.PrimaryKeyRelatedField) and field.pk_field is not None:
            raise _refuse(cls, name, "a primary key written through pk_field")
        lookup, guards, model_field, display = self._path(field)
        if isinstance(field, relations.PrimaryKeyRelatedField) != bool(
            model_field and model_field.is_relation
        ):
            raise _refuse(cls, name, "a relation and its field do not match")
        if isinstance(field, drf.FileField) and not isinstance(model_field, models.FileField):
            raise _refuse(cls, name, "a file field not over a model's file field")
        convert = _converter(field, model_field)
        if display is not None:
            # get_<field>_display: the label in the request's language, then written as the field does.
            label_convert = convert
            convert = lambda env: (  # noqa: E731
                lambda labels, write: lambda v: write(labels.get(v, v))
            )(env.labels(display), label_convert(env))
        if field.default is not drf.empty:
            missing = field.default
            if callable(missing):
                raise _refuse(cls, name, "a callable default")
        elif field.allow_null:
            missing = None
        elif not field.required:
            missing = _SKIP
        else:
            missing = None
        decode = self._decoder_of(model_field, name) if self.nested else None
        return _Leaf(
            name,
            lookup,
            guards,
            convert,
            missing,
            decode,
            field=field,
            model_field=model_field,
            display=display,
        )

    def _path(self, field):
        """The field's source as a values() lookup: (lookup, guard lookups, the model field or None
        for an annotation, the choices field of get_<f>_display or None)."""
        cls, name = self.serializer_class, field.field_name
        model, steps, guards, display = self.model, field.source.split("."), [], None
        for i, step in enumerate(steps):
            last = i == len(steps) - 1
            if last and step.startswith("get_") and step.endswith("_display"):
                try:
                    display = model._meta.get_field(step[4 : -len("_display")])
                except FieldDoesNotExist:
                    raise _refuse(cls, name, f"{step} is not a choice field's label") from None
                if not display.choices:
                    raise _refuse(cls, name, f"{step} is not a choice field's label")
                steps[i] = display.name
                return "__".join(steps), guards, display, display
            try:
                model_field = model._meta.get_field(step)
            except FieldDoesNotExist:
                model_field = None
            if last and model_field is not None and model_field.is_relation and step != model_field.name:
                # A foreign key's attname (`grid_id`): its value is the related row's key.
                return "__".join(steps), guards, model_field.target_field, None
            if model_field is None:
                if i == 0 and last:
                    return step, guards, None, None  # an annotation: queryset() checks it is there
                raise _refuse(cls, name, f"{'.'.join(steps[: i + 1])} is not a model field")
            if last:
                if not model_field.concrete:
                    raise _refuse(cls, name, f"{field.source} is not a column")
                return "__".join(steps), guards, model_field, None
            if not (model_field.many_to_one or model_field.one_to_one) or not model_field.concrete:
                raise _refuse(cls, name, f"{step} is not a forward relation")
            if model_field.null:
                guards.append("__".join(steps[: i + 1]))
            model = model_field.related_model
        raise AssertionError("unreachable")

    def _decoder_of(self, model_field, name):
        if model_field is None:
            raise _refuse(self.serializer_class, name, "an annotation in a nested list")
        decode = _json_decoder(model_field.target_field if model_field.is_relation else model_field)
        if decode is _SKIP:
            raise _refuse(self.serializer_class, name, f"a {type(model_field).__name__} in a nested list")
        return decode

    def _decoder(self, lookup):
        for compiled in self.fields:
            if isinstance(compiled, _Leaf) and compiled.lookup == lookup:
                return compiled.decode
        return None  # a guard: only ever compared with None

    # -- reading and writing -----------------------------------------------------------------------

    def queryset(
        self,
        queryset,
        *,
        by_id: RowsById | None = None,
        json_media: str | None = None,
        page_ids: Callable[[int, int], list[tuple]] | None = None,
    ) -> ValuesQuery:
        """`queryset` (a list's rows, filtered and ordered) read as the tuples `write` takes; with
        `by_id`, the rows' ids read from `queryset`, then their columns read by `by_id` (with
        `json_media`, a page as JSON where PostgreSQL writes it; with `page_ids`, a page's ids read
        by it, `queryset` a function giving the queryset where else needed: ValuesQuery)."""
        if by_id is not None:
            by_id = (by_id, self)
            return ValuesQuery(None, counted=queryset, by_id=by_id, json_media=json_media, page_ids=page_ids)
        if callable(queryset):
            queryset = queryset()
        annotations = [a for a in queryset.query.annotations if not a.startswith("values_rows_")]
        for compiled in self.fields:
            lookup = getattr(compiled, "lookup", "")
            if lookup and "__" not in lookup and lookup not in annotations and not self._is_field(lookup):
                raise _refuse(self.serializer_class, compiled.name, f"{lookup} is not annotated")
        nested = {f.alias: f.annotation(queryset) for f in self.fields if isinstance(f, _Nested)}
        columns = list(self.lookups)
        if self.has_methods:
            columns += [a for a in annotations if a not in columns]
        rows = queryset.prefetch_related(None).annotate(**nested)
        return ValuesQuery(rows, counted=queryset, columns=columns)

    def json_row(self, queryset: models.QuerySet, media, *, ids=None) -> Func | None:
        """One row of `queryset` as the JSON object DRF writes for it, as an SQL expression (its
        nested lists inside), or None when a field is not written by PostgreSQL (core.json_sql).
        `media` is the expression of the absolute media URL (files' URLs); `ids`, the list of the
        rows' ids `queryset` reads (its nested lists are read for all of them at once; a nested
        list's own rows hold no list)."""
        parts = []
        for compiled in self.fields:
            if isinstance(compiled, _Nested):
                value = compiled.json(queryset, media, ids)
            else:
                value = compiled.json(queryset, media)
            if value is None:
                return None
            key = json.dumps(compiled.name, ensure_ascii=False)
            parts += [Value(("," if parts else "{") + key + ":"), value]
        return json_sql.concat(*parts, Value("}")) if parts else Value("{}")

    def _is_field(self, name) -> bool:
        try:
            self.model._meta.get_field(name)  # a name or a foreign key's attname
        except FieldDoesNotExist:
            return False
        return True

    def writer(self, env: _Env, columns: list[str] | None = None) -> Callable[[list], list[dict]]:
        """The rows' writer for one request (a nested list's rows come as JSON arrays)."""
        columns = self.lookups if columns is None else columns
        index = _Index((column, i) for i, column in enumerate(columns))
        index.proxy = [c for c in columns if "__" not in c and not c.startswith("values_rows_")]
        writers = [(f.name, f.bind(env, index)) for f in self.fields]
        skippable = [f.name for f in self.fields if isinstance(f, _Leaf) and f.missing is _SKIP and f.guards]
        decoders = [(i, d) for i, d in enumerate(getattr(self, "decoders", [])) if d is not None]

        def write(rows):
            out = []
            for row in rows:
                for i, decode in decoders:
                    if row[i] is not None:
                        row[i] = decode(row[i])
                data = {name: write(row) for name, write in writers}
                for name in skippable:
                    if data[name] is _SKIP:
                        del data[name]
                out.append(data)
            return out

        return write

    def write(self, rows, *, context: dict, columns: list[str]) -> list[dict]:
        """`rows` (tuples of `columns`, as `queryset` gave them) as `serializer_class(many=True).data`."""
        return self.writer(_Env(self.serializer_class, context), columns)(rows)


class ValuesRowsMixin(FastRepresentationMixin):
    """For a read-only ModelSerializer whose lists are read with values() (core.viewsets): compiled
    when the class is created, so a field the values path cannot write exactly stops the start."""

    values_rows: ValuesRows

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.values_rows = ValuesRows(cls)
