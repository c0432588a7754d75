"""Expressions shared by the apps' selectors."""

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Expression, Value
from django.db.models.expressions import RawSQL


def compiled_column(expression: Expression, *, model) -> RawSQL:
    """`expression` over a row of `model` (a subquery on OuterRef("pk"), say) compiled to SQL once,
    for a selector to keep and annotate with: the ORM then neither resolves nor compiles it again
    (for the figure columns that took longer than running the query).

    Precondition: annotate a query whose rows are `model`'s read straight from its table, and run
    that query itself: it refers to the table by name, so a query that nests it as a subquery (and
    renames the table) must not filter, order or select by it."""
    query = model._base_manager.annotate(column=expression).query
    compiler, column = query.get_compiler(DEFAULT_DB_ALIAS), query.annotations["column"]
    try:
        sql, params = compiler.compile(column)
    except EmptyResultSet:  # a subquery of no rows (a role that may read none): as the ORM selects it
        sql, params = compiler.compile(Value(column.empty_result_set_value))
    # The SQL is the ORM's own, its values bound as parameters.
    return RawSQL(sql, params, output_field=column.output_field)  # noqa: S611
