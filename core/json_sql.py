"""A serializer's field values written as JSON text by PostgreSQL, exactly as DRF's JSONRenderer
writes them (compact separators, non-ASCII as is): a list page's rows come out of the database
as finished JSON, and Python only joins them (core.serializers.ValuesRows.json_row).

Each function here gives an expression of SQL type text holding one JSON value. PostgreSQL's
TO_JSON escapes strings as Python's json module does without ensure_ascii (`"`, `\\`, the control
characters; U+2028 / U+2029 are escaped by the renderer afterwards, as DRF does: core.api).
A text column cannot hold NUL, so `"\\u0000"` never comes out of data: it marks a value written
here that Python must write instead (a file name a URL would percent-encode)."""

import datetime as dt
import functools
import zoneinfo

from django.db.models import BooleanField, F, Func, TextField, Value

# What a value this module cannot write exactly is written as (the page is then written by Python).
UNWRITTEN = '"\\u0000"'

# A stored file name that is its own URL path: ASCII letters, digits, '_', '-', dot-separated
# within a segment, no empty or dot-only segment (storage.url() would quote or normalize others).
_PLAIN_FILE_NAME = r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*(/[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*)*$"


class _Text(Func):
    output_field = TextField()


def json_value(expression) -> Func:
    """The value as JSON (numbers, booleans, strings, ISO dates as PostgreSQL writes them), null
    for NULL."""
    return _Text(expression, template="COALESCE(TO_JSON(%(expressions)s)::text, 'null')")


def json_literal(expression) -> Func:
    """An integer or a boolean as JSON: its text (digits, true / false), null for NULL."""
    return _Text(expression, template="COALESCE((%(expressions)s)::text, 'null')")


def or_null(expression) -> Func:
    """JSON text, null for NULL."""
    return _Text(expression, template="COALESCE(%(expressions)s, 'null')")


def as_text(expression) -> Func:
    """The value cast to text (a decimal at its column's scale, an integer in digits)."""
    return _Text(expression, template="(%(expressions)s)::text")


def any_of(column: str, ids: list) -> Func:
    """`column = ANY(<ids>)` as a filter's condition: the list one parameter (one statement
    whatever its length)."""
    return Func(
        F(column),
        Value(ids),
        arg_joiner=" = ANY(",
        template="(%(expressions)s))",
        output_field=BooleanField(),
    )


class PageLists(Func):
    """A nested list's JSON rows of a page's outer rows, read in one scan: `grouped` (a subquery of
    (outer id, its rows' JSON text) pairs) gathered once into a JSON object keyed by id, and the
    text of the outer row's id (`pk`, an expression) taken from it (NULL for none). A correlated
    subquery probed each outer row's index entries (bench: ~0.2 ms of a page of 50 hazards)."""

    output_field = TextField()

    def as_sql(self, compiler, connection, **extra):
        grouped, grouped_params = compiler.compile(self.source_expressions[0])
        pk, pk_params = compiler.compile(self.source_expressions[1])
        sql = f"((SELECT JSONB_OBJECT_AGG(m.k, m.v) FROM {grouped} AS m(k, v)) ->> ({pk})::text)"  # noqa: S608
        return sql, [*grouped_params, *pk_params]


class _Concat(Func):
    output_field = TextField()

    def as_sql(self, compiler, connection, **extra):
        sql, params = [], []
        for part in self.source_expressions:
            part_sql, part_params = compiler.compile(part)
            sql.append(f"({part_sql})::text")  # a parameter's type is text: CONCAT takes any type
            params += part_params
        return f"CONCAT({', '.join(sql)})", params


def concat(*parts) -> Func:
    """Text expressions (or Values) joined in one call (a NULL part counts as empty text)."""
    return _Concat(*parts)


@functools.lru_cache(maxsize=32)
def zone_offsets(zone: str) -> tuple[int, ...]:
    """The UTC offsets (seconds) `zone` has had since 1900 as far as twice-monthly samples show,
    the current one first: what IsoDateTime writes in SQL (any other is left to Python)."""
    tz = zoneinfo.ZoneInfo(zone)
    now = dt.datetime.now(dt.UTC).astimezone(tz).utcoffset()
    seen = {now}
    for year in range(1900, 2101):
        for month in range(1, 13):
            for day in (1, 15):
                seen.add(dt.datetime(year, month, day, 12, tzinfo=dt.UTC).astimezone(tz).utcoffset())
    return tuple(int(o.total_seconds()) for o in sorted(seen, key=lambda o: o != now))


class IsoDateTime(Func):
    """A timestamp with time zone as JSON, as DRF writes it: Python's `astimezone(zone).isoformat()`
    ('Z' for UTC), microseconds only when there are any. The offset is one of zone_offsets(zone) in
    whole minutes; another (a local mean time's seconds) is UNWRITTEN."""

    output_field = TextField()

    def __init__(self, expression, zone: str):
        super().__init__(expression)
        self.zone = zone

    @staticmethod
    def offset_text(seconds: int) -> str:
        if seconds == 0:
            return "Z"
        sign, minutes = ("-" if seconds < 0 else "+"), abs(seconds) // 60
        return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"

    def as_sql(self, compiler, connection, **extra):
        value, params = compiler.compile(self.source_expressions[0])
        # Integers and fixed texts written into the statement: no value of a request's.
        whens = " ".join(
            f"WHEN {int(s)} THEN '{self.offset_text(s)}\"'" for s in zone_offsets(self.zone) if s % 60 == 0
        )
        sql = (
            f"'\"' || TO_CHAR(({value}) AT TIME ZONE %s, 'YYYY-MM-DD\"T\"HH24:MI:SS')"
            f" || CASE MOD(DATE_PART('microseconds', {value})::bigint, 1000000) WHEN 0 THEN ''"
            f" ELSE TO_CHAR({value}, '.US') END"
            f" || CASE DATE_PART('epoch', (({value}) AT TIME ZONE %s) - (({value}) AT TIME ZONE 'UTC'))::int"
            f" {whens} ELSE '{UNWRITTEN}' END"
        )
        return sql, [*params, self.zone, *params, *params, *params, self.zone, *params]


class FileUrl(Func):
    """A stored file's URL as DRF's FileField writes it for FileSystemStorage: `prefix` (the
    absolute media URL, an expression) and the name; null for no file; UNWRITTEN for a name
    storage.url() would change."""

    output_field = TextField()

    def as_sql(self, compiler, connection, **extra):
        name, name_params = compiler.compile(self.source_expressions[0])
        prefix, prefix_params = compiler.compile(self.source_expressions[1])
        sql = (
            f"CASE WHEN ({name}) IS NULL OR ({name}) = '' THEN 'null'"
            f" WHEN ({name}) ~ '{_PLAIN_FILE_NAME}' THEN TO_JSON(({prefix}) || ({name}))::text"
            f" ELSE '{UNWRITTEN}' END"
        )
        return sql, [*name_params, *name_params, *name_params, *prefix_params, *name_params]


class FileName(Func):
    """A stored file's name as DRF writes it without URLs: null for no file."""

    output_field = TextField()

    def as_sql(self, compiler, connection, **extra):
        name, params = compiler.compile(self.source_expressions[0])
        sql = f"CASE WHEN COALESCE({name}, '') = '' THEN 'null' ELSE TO_JSON({name})::text END"
        return sql, [*params, *params]


class JSONText(str):
    """JSON already written (a list page's rows, by PostgreSQL): the API's JSON renderer puts it
    in the answer as it is (core.api.JSONRenderer)."""

    @functools.cached_property
    def utf8(self) -> bytes:
        """Its UTF-8 bytes, encoded once: the ETag hashes them and the renderer writes them (a
        page's 30 kB cost ~40 µs to encode each time)."""
        return self.encode()
