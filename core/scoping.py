"""Who sees which part of the county. Every selector, view, API and export scopes through here.

`visible_township_ids(user)` is the one rule: None means "no township limit" (county officials
see their county, guidance-center staff and superusers everything), otherwise the set of township
ids the user may see. Premises responsible persons are narrower still: see `visible_premises_ids`.
"""

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet

from core.models import Role, UserProfile

ALL = None


def township_model():
    """The township model, as a profile links to it (the kernel imports no domain app)."""
    return UserProfile._meta.get_field("township").related_model


def premises_model():
    """The premises model, as a profile links to it."""
    return UserProfile._meta.get_field("premises").related_model


def user_role(user) -> str | None:
    if not user or not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.GUIDANCE_CENTER
    profile = getattr(user, "profile", None)
    return profile.role if profile else None


def _profile(user):
    if user is None or not user.is_authenticated:
        return None
    try:
        return user.profile
    except ObjectDoesNotExist:  # a user with no role sees nothing
        return None


def visible_county_id(user) -> int | None:
    """The county a county official is limited to (None: not limited by county)."""
    profile = _profile(user)
    if profile is None or user.is_superuser:
        return None
    return profile.county_id


def _visible_townships(user) -> QuerySet | set[int] | None:
    """What `user` may see, as cheaply as it can be said: ALL, a set of ids known without a query,
    or a queryset of the ids (a subquery for the database; one query when made a set)."""
    if not user or not user.is_authenticated:
        return set()
    if user.is_superuser:
        return ALL
    profile = _profile(user)
    if profile is None:
        return set()
    if profile.role == Role.GUIDANCE_CENTER:
        return ALL
    if profile.role == Role.COUNTY_OFFICIAL:
        if profile.county_id is None:
            return ALL
        return township_model().objects.filter(county_id=profile.county_id).values("id")
    if profile.role == Role.TOWNSHIP_LEAD:
        return {profile.township_id}
    if profile.role == Role.POLICE_STATION:
        covered = township_model().police_stations.through.objects
        return covered.filter(policestation_id=profile.police_station_id).values("township_id")
    if profile.role == Role.PREMISES_RESPONSIBLE:
        return {profile.premises.township_id}
    if profile.role == Role.GRID_MEMBER:
        # Their grid's township, narrowed to the grid's premises by visible_premises_ids.
        return township_model().objects.filter(grids__members=profile.grid_member_id).values("id")
    # The fire rescue authority and a county department see no township's records through here:
    # what each reads is granted record by record by the app that keeps it (hazards handed over or
    # major, a department's own assignments), so a list built on this scope shows them nothing.
    return set()


def visible_township_ids(user) -> set[int] | None:
    """Township ids the user may see; None means no township limit. Empty set: nothing."""
    townships = _visible_townships(user)
    if isinstance(townships, QuerySet):
        return set(townships.values_list(townships.query.values_select[0], flat=True))
    return townships


def visible_townships(user) -> QuerySet | set[int] | None:
    """The townships `user` may see for a filter `__in`: ALL (None), a set of ids, or a query of ids
    (a subquery: no query of its own)."""
    return _visible_townships(user)


def sees_every_township(user) -> bool:
    """No township limit (visible_township_ids is ALL), told without reading any township."""
    return _visible_townships(user) is ALL


def user_department_id(user) -> int | None:
    """The county department a department user answers for (None for every other role)."""
    profile = _profile(user)
    if profile is None or user.is_superuser or profile.role != Role.COUNTY_DEPARTMENT:
        return None
    return profile.department_id


def visible_premises_ids(user) -> set[int] | QuerySet | None:
    """Premises a responsible person or a grid member may see; None means: whatever their townships
    allow. A grid member's are the premises of their grid, as a query of ids (a subquery where it is
    used in a filter)."""
    profile = _profile(user)
    if profile is None or user.is_superuser:
        return ALL
    if profile.role == Role.PREMISES_RESPONSIBLE:
        return {profile.premises_id}
    if profile.role == Role.GRID_MEMBER:
        return (
            premises_model().objects.filter(grid__members=profile.grid_member_id).values_list("id", flat=True)
        )
    return ALL


def user_grid_member_id(user) -> int | None:
    """The grid registry entry (townships.GridMember) a grid member answers as (None for others)."""
    profile = _profile(user)
    if profile is None or user.is_superuser or profile.role != Role.GRID_MEMBER:
        return None
    return profile.grid_member_id


def scope_queryset(
    queryset: QuerySet, *, user, township_field: str = "township", premises_field: str | None = None
) -> QuerySet:
    """Limit `queryset` to what `user` may see, through its township (and premises) lookup path. A
    county official's or a police station's townships go into the query as a subquery: no query
    of their own, however many lists a page shows."""
    township_ids = _visible_townships(user)
    if township_ids is not ALL:
        queryset = queryset.filter(**{f"{township_field}__in": township_ids})
    if premises_field is not None:
        premises_ids = visible_premises_ids(user)
        if premises_ids is not ALL:
            queryset = queryset.filter(**{f"{premises_field}__in": premises_ids})
    elif visible_premises_ids(user) is not ALL:
        # A responsible person sees only records tied to their premises; others have none.
        return queryset.none()
    return queryset


def can_see_township(user, township_id: int) -> bool:
    township_ids = visible_township_ids(user)
    return township_ids is ALL or township_id in township_ids


def can_see_record(user, *, township_id: int, premises_id: int | None = None) -> bool:
    """A record tied to a township (and maybe a premises): may `user` see it?"""
    if not can_see_township(user, township_id):
        return False
    premises_ids = visible_premises_ids(user)
    return premises_ids is ALL or premises_id in premises_ids
