"""A selector's query compiled to SQL once per process, then run with each request's values.

Building a page's querysets and compiling them (joins, scope subqueries, the figures' aggregates
and filters) took longer than PostgreSQL took to run them: on the dashboard and the township page,
a fifth of the request. A `CompiledQuery` builds and compiles its queryset the first time it meets
a shape (the user's scope, the names and kinds of the inputs), keeps the SQL, and afterwards only
puts the request's values in their places and runs the statement prepared on the connection
(fetch_prepared, below: planned once per connection too).

Safety rests on the compilation, not on trust in the builder. The builder is compiled twice, with
two different sets of stand-in values, under two languages and for two users of the same scope
that differ in their id, with queries forbidden while it builds. It is kept only if the two SQL
texts are equal and their parameters differ exactly where an input's stand-in stands. Otherwise
it is refused, never run wrong: built on every call instead, with an error logged (and
raised where settings.COMPILED_QUERIES_STRICT, as in the tests):
- a value derived from an input (`on + 7 days`) or the clock (`timezone.now()`) differs in
  neither place or in a place of no input: refused; a date or datetime constant is refused too
  (it could be today's, read at compile time);
- text that depends on the language (a label in a CASE) differs between the two languages;
- the user's id used in the query differs between the two users;
- a query run while building (a scope turned into a set of ids) raises.
What the check cannot see is a builder that branches in Python on an input's value; builders
take their inputs as plain values and only put them in the query (each builder says so).

PostgreSQL only: on another database (the embedded SQLite demo) every query is built each time,
as everywhere with settings.COMPILED_QUERIES off.
Users whose scope is not a function of their profile's ids alone (a premises' responsible person,
a grid member: their premises are read through other rows) get their query built each time.
"""

import copy
import datetime as dt
import functools
import logging
import re
import threading
from collections.abc import Callable

import psycopg
from django.conf import settings
from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import (
    FlatValuesListIterable,
    ModelIterable,
    ValuesIterable,
    ValuesListIterable,
    get_related_populators,
)
from django.utils import translation

from core.models import Role
from core.scoping import user_role

# Roles whose scope (core.scoping) is a function of the profile's own ids: their queries compile
# once per scope. The others' are built on every call.
_COMPILED_ROLES = {
    Role.GUIDANCE_CENTER,
    Role.COUNTY_OFFICIAL,
    Role.TOWNSHIP_LEAD,
    Role.POLICE_STATION,
    Role.COUNTY_DEPARTMENT,
    Role.FIRE_RESCUE,
}


def scope_key(user) -> tuple | None:
    """What a compiled query may depend on of `user`: their role and their profile's ids (None when
    their scope depends on more, and their queries are built each time)."""
    if user is None:
        return ()
    role = user_role(user)
    if role not in _COMPILED_ROLES:
        return None
    if user.is_superuser:
        return (role, True)
    p = user.profile
    return (role, False, p.county_id, p.township_id, p.police_station_id, p.department_id)


def _stand_in(kind: type, index: int, which: int):
    """Two stand-ins per input, values no request gives, spaced so that no value derived from one
    input (a day later) is another input's stand-in in both compilations."""
    step = (37, 53)[which] * index
    if kind is int:
        return -7300 - step if which == 0 else -91000 - step
    if kind is dt.date:
        return dt.date(1901 + which, 1 + which, 1 + which) + dt.timedelta(days=step)
    if kind is dt.datetime:
        base = dt.datetime(1901 + which, 1 + which, 1 + which, 3, 7, 11, tzinfo=dt.UTC)
        return base + dt.timedelta(days=step)
    raise ImproperlyConfigured(
        f"CompiledQuery: an input of kind {kind.__name__}: ints, dates, datetimes only"
    )


def _kind(value) -> type:
    if isinstance(value, bool):  # a bool is an int to Python, and a shape here
        return bool
    if isinstance(value, dt.datetime):
        return dt.datetime
    if isinstance(value, dt.date):
        return dt.date
    return type(value)


class _NoQueries:
    def __call__(self, execute, sql, params, many, context):
        raise ImproperlyConfigured(f"CompiledQuery: the builder ran a query while building: {sql[:200]}")


_REFUSED = object()  # a shape the builder's SQL failed the check for

logger = logging.getLogger(__name__)


class _Compiled:
    __slots__ = ("compiler", "iterable", "model_rows", "names", "places", "sql")


class CompiledQuery:
    """`build(user=..., **inputs)` (a queryset of `model`) — or `build(**inputs)` when no user is given — compiled once per
    shape; `rows(...)` gives what iterating the queryset would (model instances, dicts or tuples).

    Shape: the user's scope (scope_key), the names of the inputs, their kinds, and the inputs that
    are not values but shapes (None, booleans, strings, tuples of those): these are passed to the
    builder as they are and the SQL is kept per value of them."""

    # Scopes × shapes kept per query: a compiled query holds ~30 KB (its compiler, for the ORM's
    # converters and model rows), so a process keeps at most ~8 MB per query; past that it starts
    # again (compiling costs what the ORM pays on every request anyway).
    MAX_SHAPES = 256

    def __init__(self, model: type[Model], build: Callable[..., QuerySet]):
        self.model, self.build = model, build
        self._compiled: dict[tuple, _Compiled] = {}
        self._lock = threading.Lock()

    def rows(self, *, user=..., **inputs) -> list:
        compiled, params, using = self._find(user, inputs)
        if compiled is None:  # built each time, as any queryset
            return list(self._built(user, inputs))
        if compiled.sql is None:
            return []
        return self._convert(compiled, fetch_prepared(compiled.sql, params, using=using), using)

    def statement(self, *, user=..., **inputs) -> tuple[str, list] | None:
        """The SQL and parameters of the query, to run inside another statement (the ORM's own SQL
        for the database at hand); None when it has no rows."""
        compiled, params, using = self._find(user, inputs)
        if compiled is None:
            query = self._built(user, inputs).query
            try:
                sql, params = query.get_compiler(using).as_sql()
            except EmptyResultSet:
                return None
            return sql, list(params)
        return None if compiled.sql is None else (compiled.sql, params)

    def _built(self, user, inputs: dict) -> QuerySet:
        return self.build(**inputs) if user is ... else self.build(user=user, **inputs)

    def _find(self, user, inputs: dict) -> tuple["_Compiled | None", list, str]:
        """The compiled query of this shape and the request's parameters; None when the query is
        built each time (a scope not compiled, a builder refused)."""
        with_user = user is not ...
        scope = scope_key(user) if with_user else ()
        # The database the router reads `model` from (a replica, core.db_router): compiled per vendor.
        using = router.db_for_read(self.model)
        if scope is None or not settings.COMPILED_QUERIES or connections[using].vendor != "postgresql":
            # Elsewhere (the embedded SQLite demo) dates go into the SQL as text, where the check
            # could not tell a date of the clock's from a constant: built each time.
            return None, [], using
        values = {n: v for n, v in inputs.items() if _kind(v) in (int, dt.date, dt.datetime)}
        shapes = {n: v for n, v in inputs.items() if n not in values}
        key = (
            connections[using].vendor,
            with_user,
            scope,
            tuple(sorted((n, _kind(v)) for n, v in values.items())),
            tuple(sorted(shapes.items())),
        )
        compiled = self._compiled.get(key)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(key)
                if compiled is None:
                    if len(self._compiled) >= self.MAX_SHAPES:  # shapes of ids given by a page: bounded
                        self._compiled.clear()
                    compiled = self._compiled[key] = self._compile_or_refuse(
                        user, with_user, values, shapes, using
                    )
        if compiled is _REFUSED:
            return None, [], using
        if compiled.sql is None:
            return compiled, [], using
        return compiled, bound(compiled.places, values), using

    def _compile_or_refuse(self, user, with_user: bool, values: dict, shapes: dict, using: str):
        try:
            return self._compile(user, with_user, values, shapes, using)
        except ImproperlyConfigured:
            if settings.COMPILED_QUERIES_STRICT:  # the tests: a builder to fix
                raise
            # Built on every call, as any queryset: slower, never wrong.
            logger.exception("%s: not compiled, built on every call", self.build.__qualname__)
            return _REFUSED

    def _compile(self, user, with_user: bool, values: dict, shapes: dict, using: str) -> _Compiled:
        names = sorted(values)
        builds = []
        for which, language in ((0, "zh-hans"), (1, "en")):
            stand_ins = {n: _stand_in(_kind(values[n]), i, which) for i, n in enumerate(names)}
            inputs = {**shapes, **stand_ins}
            if with_user:
                inputs["user"] = user if which == 0 else _other_user(user)
            with translation.override(language), connections[using].execute_wrapper(_NoQueries()):
                queryset = self.build(**inputs)
                if queryset.model is not self.model:
                    raise ImproperlyConfigured(
                        f"CompiledQuery: {self.build.__qualname__} reads {queryset.model}"
                    )
                compiler = queryset.query.get_compiler(using)
                try:
                    sql, params = compiler.as_sql()
                except EmptyResultSet:  # no rows, whatever the values (`.none()`: a role that reads none)
                    sql, params = None, ()
            builds.append((stand_ins, queryset, compiler, sql, list(params)))
        (one, queryset, compiler, sql, params), (two, _, _, sql_two, params_two) = builds
        refused = ImproperlyConfigured(
            f"CompiledQuery: {self.build.__qualname__}'s SQL depends on more than its inputs"
        )
        if sql != sql_two or len(params) != len(params_two):
            raise refused
        compiled = _Compiled()
        compiled.sql, compiled.compiler, compiled.iterable = sql, compiler, queryset._iterable_class
        if sql is None:
            return compiled
        if queryset._prefetch_related_lookups or queryset._known_related_objects:
            raise ImproperlyConfigured(f"CompiledQuery: {self.build.__qualname__} prefetches: not compiled")
        places = input_places(params, params_two, one, two)
        if places is None:
            raise refused
        # Its constants stay parameters: the generic plan PostgreSQL keeps for a prepared statement
        # is estimated without them, and one (a status) written in chose a worse plan (bench).
        compiled.places = places
        query = compiler.query
        compiled.names = [*query.extra_select, *query.values_select, *query.annotation_select]
        if compiled.iterable is ValuesListIterable and queryset._fields:
            fields = [*queryset._fields, *(f for f in query.annotation_select if f not in queryset._fields)]
            if fields != compiled.names:
                raise ImproperlyConfigured(f"CompiledQuery: {self.build.__qualname__}: reordered values_list")
        if compiled.iterable not in (
            ModelIterable,
            ValuesIterable,
            ValuesListIterable,
            FlatValuesListIterable,
        ):
            raise ImproperlyConfigured(
                f"CompiledQuery: {self.build.__qualname__}: {compiled.iterable.__name__}"
            )
        if compiled.iterable is ModelIterable:
            klass_info = compiler.klass_info
            select_fields = klass_info["select_fields"]
            start, end = select_fields[0], select_fields[-1] + 1
            compiled.model_rows = (
                klass_info["model"],
                start,
                end,
                [f[0].target.attname for f in compiler.select[start:end]],
                compiler.annotation_col_map,
            )
        return compiled

    @staticmethod
    def _convert(compiled: _Compiled, fetched: list[tuple], using: str) -> list:
        compiler = compiled.compiler
        rows = compiler.results_iter([fetched])  # the ORM's converters, as it applies them
        if compiled.iterable is FlatValuesListIterable:
            return [row[0] for row in rows]
        if compiled.iterable is ValuesListIterable:
            return [tuple(row) for row in rows]
        if compiled.iterable is ValuesIterable:
            names = compiled.names
            return [dict(zip(names, row, strict=True)) for row in rows]
        model, start, end, init_list, annotations = compiled.model_rows
        populators = get_related_populators(compiler.klass_info, compiler.select, using)
        objects = []
        for row in rows:
            obj = model.from_db(using, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for name, at in annotations.items():
                setattr(obj, name, row[at])
            objects.append(obj)
        return objects


def input_places(params, params_two, one: dict, two: dict, *, dates_constant: bool = False) -> list | None:
    """The parameters of two compilations of one query, made with the stand-in inputs `one` and
    `two` ({name: value}): per parameter (True, the input's name) where an input stands, or (False,
    the value) where both compilations agree; None when a parameter is neither, and the SQL depends
    on more than its inputs. A date both agree on is refused too, as it could be the clock's
    (`dates_constant` accepts it: core.serializers.RowsById, whose only date is its input)."""
    places = []
    for a, b in zip(params, params_two, strict=True):
        if a == b and (dates_constant or not isinstance(a, dt.date)):
            places.append((False, a))
            continue
        name = next((n for n in one if one[n] == a and two[n] == b), None)
        if name is None:
            return None
        places.append((True, name))
    return places


def _replaced(sql: str, places: list, replace: Callable[[tuple], str | None]) -> tuple[str, list]:
    """`sql` with each placeholder whose place `replace` gives SQL for replaced by it, and the
    places left, in their order."""
    kept, given = [], iter(places)

    def put(placeholder: re.Match) -> str:
        if placeholder.group() == "%%":
            return "%%"
        place = next(given)
        written = replace(place)
        if written is None:
            kept.append(place)
            return "%s"
        return written

    return _PLACEHOLDER.sub(put, sql), kept


def with_input_sql(sql: str, places: list, name: str, expression: str) -> tuple[str, list]:
    """`sql` with SQL `expression` where the input `name` stands (input_places), and the places
    left: a statement run inside another, given a value the outer one reads."""
    return _replaced(sql, places, lambda place: expression if place == (True, name) else None)


def inlined(sql: str, places: list, *, using: str) -> tuple[str, list]:
    """`sql` with its constant texts and booleans written into it as literals, and the `places`
    (input_places) left: a page's rows had ~100 parameters, nearly all constant (JSON keys, labels,
    a time zone), each dumped by psycopg and bound by PostgreSQL on every run. Inputs, numbers and
    dates stay parameters. On PostgreSQL only (its literals: standard strings, as it has by default)."""
    if connections[using].vendor != "postgresql":
        return sql, places

    def literal(place):
        is_input, value = place
        written = None if is_input else _literal(value)
        return None if written is None else written.replace("%", "%%")

    return _replaced(sql, places, literal)


def _literal(value) -> str | None:
    """A constant as an SQL literal of the type PostgreSQL gives its parameter (a text's is unknown
    until the context types it, as psycopg sends it); None for a value that stays a parameter."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and "\x00" not in value:
        return "'" + str.__str__(value).replace("'", "''") + "'"
    return None


def bound(places: list, inputs: dict) -> list:
    """A statement's parameters: `places` (input_places) with the request's `inputs` in theirs."""
    return [inputs[value] if is_input else value for is_input, value in places]


def _other_user(user):
    """`user` under another id, scope unchanged: a query that reads the user's id differs."""
    other = copy.copy(user)
    other.pk = other.id = -7399
    return other


_PLACEHOLDER = re.compile(r"%[%s]")


@functools.lru_cache(maxsize=1024)
def _numbered(sql: str) -> str:
    """Django's SQL (`%s` placeholders, `%%` for %) with PostgreSQL's `$1, $2, …`, worked out once per
    statement: psycopg splits a statement longer than 4 kB again on every run (~0.3 ms a page's)."""
    numbers = iter(range(1, sql.count("%") + 1))
    numbered = _PLACEHOLDER.sub(lambda m: "%" if m.group() == "%%" else f"${next(numbers)}", sql)
    if _PLACEHOLDER.sub("", sql).count("%"):
        raise ValueError("a placeholder other than %s in compiled SQL")
    return numbered


class _PreparedCursor(psycopg.RawCursor):
    """Server-side binding, the statement prepared on the connection at its first run; its
    placeholders numbered once (_numbered), not on each run."""

    logged = True  # whether Django's query log reads this cursor's statement (fetch_prepared says)

    def execute(self, query, params=None, *, prepare=None, binary=None):
        numbered = query if params is None else _numbered(query)
        super().execute(numbered, params, prepare=True, binary=binary)
        if self._query is None and self.logged:
            # A prepared run leaves it unset, and Django's query log reads it. Only then: converting
            # dumps every parameter again (~0.35 ms of a hazard page).
            self._query = self._convert_query(numbered, params)
        return self


def fetch_prepared(sql: str, params: list, *, using: str) -> list[tuple]:
    """The rows of `sql`, run as a prepared statement of the connection (PostgreSQL, settings.
    DB_PREPARED_READS): a list page's queries are planned once per connection, not per request
    (planning the page's rows cost more than running them). Logged and wrapped as Django's cursors
    are, so query counts and errors read the same."""
    db = connections[using]
    if not (settings.DB_PREPARED_READS and db.vendor == "postgresql"):
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    db.close_if_health_check_failed()
    db.ensure_connection()
    if db.connection.prepare_threshold is None:
        # Django turns psycopg's preparing off; allowed again, only statements run here ask for it
        # (`prepare=True`): Django's own cursors bind client-side and never prepare.
        db.connection.prepare_threshold = 1 << 30
    prepared = _PreparedCursor(db.connection)
    prepared.logged = db.queries_logged
    with db.wrap_database_errors:
        cursor = db._prepare_cursor(prepared)  # Django's logging and checks
    with cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
