"""One filter language per resource. Each app declares one FilterSet per resource (its filters.py);
the resource's selector applies it (`apply_filterset`), so the API, the pages, the exports, the
reminders and the imports filter with the same names and the same meaning."""

from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.db.models import QuerySet


def apply_filterset(filterset_class, queryset: QuerySet, filters, *, user, strict: bool = True) -> QuerySet:
    """`queryset` filtered by `filters` (a dict or a request's query) through `filterset_class`.

    Choices of scoped filters (a township, a grid) are those `user` may see: the FilterSet's choice
    querysets read `request.user`. An invalid value raises ValidationError (the API answers 400),
    unless `strict` is false: then it is left out, as a page's form shows it and ignores it.
    """
    if not filters:
        return queryset
    filterset = filterset_class(data=filters, queryset=queryset, request=SimpleNamespace(user=user))
    if strict and not filterset.is_valid():
        raise ValidationError(filterset.errors)
    return filterset.qs
