"""What the role × endpoint matrices share about the roles that hold no township's records: the fire
rescue authority (县消防救援大队) and a county department (县直部门), county-level, and a grid member
(网格员), who holds a grid of the county's first township. None reads a township's records through
the township scope nor writes them (a grid member: only what sits on their grid's premises, which a
matrix names), so unless a matrix row names their answer, each answers as a user with nothing of it
in scope: a list is empty (200), a record is not found (404), a write is refused by the route's rule
(403), a method that is not routed is a 405."""

from core.models import Role
from tests.factories import GridFactory, GridMemberFactory, TownshipFactory, make_user
from townships.models import CountyDepartment

OUTSIDERS = ("fire_rescue", "department", "grid_member")


def outsider_users(county, *, grid=None) -> dict:
    """The fire rescue authority of `county`, a user of its guidance center department, and a grid
    member of `grid` (by default a grid of the county's first township holding no premises)."""
    department, _created = CountyDepartment.objects.get_or_create(
        county=county, name="县消防安全检查指导服务中心"
    )
    if grid is None:
        township = county.townships.order_by("name").first() or TownshipFactory(county=county)
        grid = GridFactory(township=township, name="无单位网格")
    return {
        "fire_rescue": make_user(Role.FIRE_RESCUE, username="fire-rescue", county=county),
        "department": make_user(
            Role.COUNTY_DEPARTMENT, username="department", department=department, county=county
        ),
        "grid_member": make_user(
            Role.GRID_MEMBER,
            username="grid-member",
            grid_member=GridMemberFactory(grid=grid, name="钱网格员"),
        ),
    }


def with_outsiders(expected: dict, verb: str) -> dict:
    """`expected` with the outsiders' answer to `verb` wherever the row does not name it."""
    others = {code for role, code in expected.items() if role != "no_role"}
    if others == {405}:
        default = 405
    elif verb == "list":
        default = 200
    elif verb == "retrieve":
        default = 404
    else:
        default = 403
    return {**dict.fromkeys(OUTSIDERS, default), **expected}
