"""Which meetings, directives and assignments a user sees, built on core.scoping. Meetings and their
directives are county-wide; assignments and progress reports belong to a township or to a county
department (县直部门). The selectors read through these and the filters offer them as choices, so
both see the same rows."""

from django.db.models import Q, QuerySet

from core.models import Role
from core.scoping import (
    ALL,
    scope_queryset,
    sees_every_township,
    user_department_id,
    user_role,
    visible_county_id,
    visible_township_ids,
)
from meetings.models import Assignment, Directive, Meeting
from townships.models import County, CountyDepartment, Township

# Users of the county itself: their county is their profile's, not their townships'. A county
# department and the fire rescue authority hold no township; they read their county's meetings and
# directives (the county's orders, read county-wide like every role).
COUNTY_LEVEL = frozenset({Role.COUNTY_OFFICIAL, Role.COUNTY_DEPARTMENT, Role.FIRE_RESCUE})


def scope_by_county(queryset: QuerySet, *, user, county_id_field: str) -> QuerySet:
    """Rows of the counties `user` sees (`county_id_field`: the lookup of the row's county id): a
    county official those of their county, everybody else those of the counties their townships are
    in (the guidance center: every county)."""
    township_ids = visible_township_ids(user)
    if township_ids is ALL:
        return queryset
    if user_role(user) in COUNTY_LEVEL and visible_county_id(user) is not None:
        return queryset.filter(**{county_id_field: visible_county_id(user)})
    counties = Township.objects.filter(pk__in=township_ids).values("county_id")
    return queryset.filter(**{f"{county_id_field}__in": counties})


def visible_counties(user) -> QuerySet[County]:
    return scope_by_county(County.objects.order_by("name"), user=user, county_id_field="id")


def visible_meetings(user) -> QuerySet[Meeting]:
    return scope_by_county(Meeting.objects.all(), user=user, county_id_field="county_id")


def visible_directives(user) -> QuerySet[Directive]:
    return scope_by_county(Directive.objects.all(), user=user, county_id_field="meeting__county_id")


def scope_assignments(queryset: QuerySet, *, user, prefix: str = "") -> QuerySet:
    """Rows of `queryset` tied to an assignment `user` sees (`prefix`: the lookup path to the
    assignment, e.g. "assignment__"): a county department's user those of its department; a county
    official those of their county, townships' and departments' alike; the guidance center all;
    everybody else those of the townships they see (core.scoping), never a department's."""
    role = user_role(user)
    if role == Role.COUNTY_DEPARTMENT:
        department_id = user_department_id(user)
        return (
            queryset.filter(**{f"{prefix}department_id": department_id}) if department_id else queryset.none()
        )
    if sees_every_township(user):
        return queryset
    county_id = visible_county_id(user)
    if role == Role.COUNTY_OFFICIAL and county_id is not None:
        return queryset.filter(
            Q(**{f"{prefix}township__county_id": county_id})
            | Q(**{f"{prefix}department__county_id": county_id})
        )
    return scope_queryset(queryset, user=user, township_field=f"{prefix}township")


def visible_assignments(user) -> QuerySet[Assignment]:
    return scope_assignments(Assignment.objects.all(), user=user)


def visible_departments(user) -> QuerySet[CountyDepartment]:
    """The county departments whose assignments `user` sees (scope_assignments): a department's user
    its own, a county official those of their county, the guidance center all, anybody else none."""
    departments = CountyDepartment.objects.order_by("name", "id")
    role = user_role(user)
    if role == Role.COUNTY_DEPARTMENT:
        department_id = user_department_id(user)
        return departments.filter(pk=department_id) if department_id else departments.none()
    if sees_every_township(user):
        return departments
    county_id = visible_county_id(user)
    if role == Role.COUNTY_OFFICIAL and county_id is not None:
        return departments.filter(county_id=county_id)
    return departments.none()
