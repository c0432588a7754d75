"""core.compiled: a selector's query compiled once per scope gives what the ORM gives, for every
user and value; a builder whose SQL could depend on anything but its inputs is refused."""

import datetime as dt
import logging

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Case, CharField, Value, When
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import translation

from core.clock import local_today
from core.compiled import CompiledQuery, bound, fetch_prepared, inlined
from core.models import Role
from core.scoping import scope_queryset
from inspections.models import Hazard
from tests.factories import HazardFactory, PremisesFactory, TownshipFactory, make_user

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 12, 1)


@pytest.fixture
def world():
    a, b = TownshipFactory(name="甲乡"), TownshipFactory(name="乙乡")
    hazards = {}
    for township in (a, b):
        premises = PremisesFactory(township=township)
        for days in (1, 5, 9):
            hazard = HazardFactory(
                inspection__premises=premises,
                inspection__township=township,
                inspection__inspected_on=DAY - dt.timedelta(days=10),
                deadline=DAY + dt.timedelta(days=days - 5),
                description=f"{township.name}隐患{days}",
            )
            hazards[(township.name, days)] = hazard
    return {
        "a": a,
        "b": b,
        "hazards": hazards,
        "lead_a": make_user(Role.TOWNSHIP_LEAD, township=a),
        "lead_a2": make_user(Role.TOWNSHIP_LEAD, township=a),
        "lead_b": make_user(Role.TOWNSHIP_LEAD, township=b),
        "official": make_user(Role.COUNTY_OFFICIAL, county=a.county),
        "responsible": make_user(Role.PREMISES_RESPONSIBLE, premises=premises),  # of 乙乡
    }


def due(*, user, due_by: dt.date):
    return (
        scope_queryset(Hazard.objects.all(), user=user, premises_field="premises")
        .filter(deadline__lte=due_by)
        .select_related("premises")
        .order_by("deadline", "id")
    )


DUE = CompiledQuery(Hazard, due)


def names(rows) -> list[str]:
    return [h.description for h in rows]


def test_rows_are_the_orms_for_each_user_and_value(world):
    for user in ("lead_a", "lead_a2", "lead_b", "official", "responsible"):
        for due_by in (DAY - dt.timedelta(days=5), DAY, DAY + dt.timedelta(days=5)):
            given = DUE.rows(user=world[user], due_by=due_by)
            expected = list(due(user=world[user], due_by=due_by))
            assert names(given) == names(expected), (user, due_by)
            # The joined row comes with it, as select_related gives it: no query to read it.
            with CaptureQueriesContext(connection) as ctx:
                assert [h.premises.name for h in given] == [h.premises.name for h in expected]
            assert not ctx.captured_queries


def test_a_scope_never_sees_anothers_rows(world):
    """Two leads of 甲乡 share one compilation; the lead of 乙乡 gets their own, never 甲乡's rows."""
    late = DAY + dt.timedelta(days=30)
    assert {h.township_id for h in DUE.rows(user=world["lead_a"], due_by=late)} == {world["a"].pk}
    assert {h.township_id for h in DUE.rows(user=world["lead_a2"], due_by=late)} == {world["a"].pk}
    assert {h.township_id for h in DUE.rows(user=world["lead_b"], due_by=late)} == {world["b"].pk}
    official = DUE.rows(user=world["official"], due_by=late)
    assert {h.township_id for h in official} == {world["a"].pk, world["b"].pk}
    # The responsible person's scope is read through their premises: built each time, still theirs.
    responsible = DUE.rows(user=world["responsible"], due_by=late)
    assert {h.premises_id for h in responsible} == {world["responsible"].profile.premises_id}


def test_a_compiled_query_is_one_statement_with_no_building(world):
    query = CompiledQuery(Hazard, due)
    query.rows(user=world["lead_a"], due_by=DAY)  # compiles
    built = []
    query.build = lambda **inputs: built.append(inputs) or due(**inputs)
    with CaptureQueriesContext(connection) as ctx:
        rows = query.rows(user=world["lead_a2"], due_by=DAY + dt.timedelta(days=5))
    assert len(ctx.captured_queries) == 1
    assert not built  # the second lead's rows came from the kept SQL
    assert names(rows) == names(due(user=world["lead_a2"], due_by=DAY + dt.timedelta(days=5)))


def test_values_and_values_lists(world):
    def values(*, user, due_by):
        return due(user=user, due_by=due_by).values("description", "township__name")

    def value_list(*, user, due_by):
        return due(user=user, due_by=due_by).values_list("description", "deadline")

    def flat(*, user, due_by):
        return due(user=user, due_by=due_by).values_list("deadline", flat=True)

    for build in (values, value_list, flat):
        for user in ("lead_a", "official"):
            assert CompiledQuery(Hazard, build).rows(user=world[user], due_by=DAY) == list(
                build(user=world[user], due_by=DAY)
            ), build.__name__


def test_none_and_booleans_are_shapes_compiled_each_once(world):
    def maybe(*, user, due_by, township_id=None, major_only: bool):
        qs = due(user=user, due_by=due_by)
        if township_id is not None:
            qs = qs.filter(township_id=township_id)
        if major_only:
            qs = qs.filter(severity=Hazard.Severity.MAJOR)
        return qs

    query = CompiledQuery(Hazard, maybe)
    official, late = world["official"], DAY + dt.timedelta(days=30)
    for township_id in (None, world["a"].pk, world["b"].pk):
        for major_only in (False, True):
            given = query.rows(user=official, due_by=late, township_id=township_id, major_only=major_only)
            expected = list(maybe(user=official, due_by=late, township_id=township_id, major_only=major_only))
            assert names(given) == names(expected)
    assert len(query._compiled) == 4  # (None, an id) × (False, True)


@pytest.mark.parametrize(
    "build",
    [
        # A value derived from an input: the day after is in the query, not the input.
        lambda *, user, on: due(user=user, due_by=on + dt.timedelta(days=1)),
        # The clock read while building: a date that no input gave.
        lambda *, user, on: due(user=user, due_by=local_today()).filter(discovered_on__lte=on),
        # Text of the language active while building.
        lambda *, user, on: due(user=user, due_by=on).annotate(
            label=Case(
                When(severity=Hazard.Severity.MAJOR, then=Value(str(translation.gettext("重大")))),
                default=Value(""),
                output_field=CharField(),
            )
        ),
        # The user's own id.
        lambda *, user, on: due(user=user, due_by=on).filter(inspection__recorded_by_id=user.pk),
        # A query run while building (the townships read into a set).
        lambda *, user, on: due(user=user, due_by=on).filter(
            township_id__in=set(
                scope_queryset(
                    TownshipFactory._meta.model.objects.all(), user=user, township_field="pk"
                ).values_list("pk", flat=True)
            )
        ),
    ],
    ids=["derived-date", "clock", "language", "user-id", "query-while-building"],
)
def test_a_builder_that_depends_on_more_than_its_inputs_is_refused(world, build):
    with pytest.raises(ImproperlyConfigured):
        CompiledQuery(Hazard, build).rows(user=world["lead_a"], on=DAY)


def test_refused_outside_the_tests_it_is_built_each_time_and_logged(world, caplog):
    def derived(*, user, on):
        return due(user=user, due_by=on + dt.timedelta(days=1))

    query = CompiledQuery(Hazard, derived)
    with override_settings(COMPILED_QUERIES_STRICT=False), caplog.at_level(logging.ERROR, "core.compiled"):
        for on in (DAY - dt.timedelta(days=5), DAY):
            assert names(query.rows(user=world["lead_a"], on=on)) == names(
                derived(user=world["lead_a"], on=on)
            )
    assert "not compiled" in caplog.text
    assert caplog.text.count("not compiled") == 1  # refused once, then built without asking again


def test_a_query_of_no_rows_for_a_scope_runs_no_statement(world):
    def none_for_leads(*, user, due_by):
        rows = due(user=user, due_by=due_by)
        return rows.none() if user.profile.role == Role.TOWNSHIP_LEAD else rows

    query = CompiledQuery(Hazard, none_for_leads)
    late = DAY + dt.timedelta(days=30)
    with CaptureQueriesContext(connection) as ctx:
        assert query.rows(user=world["lead_a"], due_by=late) == []
    assert not ctx.captured_queries
    assert names(query.rows(user=world["official"], due_by=late)) == names(
        due(user=world["official"], due_by=late)
    )
    assert len(query.rows(user=world["official"], due_by=late)) == 6


def test_a_statement_to_run_inside_another_is_the_queries_own(world):
    def ids(*, user, due_by):
        return due(user=user, due_by=due_by).values("id")

    query, late = CompiledQuery(Hazard, ids), DAY + dt.timedelta(days=30)
    for user in ("lead_a", "official", "responsible"):  # compiled, compiled, built each time
        sql, params = query.statement(user=world[user], due_by=late)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({sql}) seen", params)  # noqa: S608 - the ORM's own SQL
            (n,) = cursor.fetchone()
        assert n == due(user=world[user], due_by=late).count(), user

    def none(*, user, due_by):
        return due(user=user, due_by=due_by).none()

    assert CompiledQuery(Hazard, none).statement(user=world["lead_a"], due_by=late) is None
    assert CompiledQuery(Hazard, none).statement(user=world["responsible"], due_by=late) is None


def test_constant_texts_and_booleans_are_written_into_the_statement_as_literals():
    """core.compiled.inlined: constants (a text with a quote, a percent sign, a backslash, a
    placeholder's look, Chinese; a boolean) become literals that read back as themselves; inputs,
    numbers and dates stay parameters, in their order."""
    odd = "it's 50% \\ 完成 %s $1 ''"
    places = [(False, odd), (True, "given"), (False, True), (False, 7), (False, False), (False, DAY)]
    sql, kept = inlined("SELECT %s, %s, %s, %s, %s, %s, '%%'", places, using="default")
    assert kept == [(True, "given"), (False, 7), (False, DAY)]
    assert sql.replace("%%", "").count("%s") == 3
    row = fetch_prepared(sql, bound(kept, {"given": "值"}), using="default")
    assert row == [(odd, "值", True, 7, False, DAY, "%")]
