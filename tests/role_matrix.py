"""What the role × endpoint matrices share about the county-level roles that hold no township: the
fire rescue authority (县消防救援大队) and a county department (县直部门). Neither reads a township's
records through the township scope nor writes them, so unless a matrix row names their answer, each
answers as a user with nothing of it in scope: a list is empty (200), a record is not found (404), a
write is refused by the route's rule (403), a method that is not routed is a 405."""

from core.models import Role
from tests.factories import make_user
from townships.models import CountyDepartment

OUTSIDERS = ("fire_rescue", "department")


def outsider_users(county) -> dict:
    """The fire rescue authority of `county` and a user of its guidance center department."""
    department, _created = CountyDepartment.objects.get_or_create(
        county=county, name="县消防安全检查指导服务中心"
    )
    return {
        "fire_rescue": make_user(Role.FIRE_RESCUE, username="fire-rescue", county=county),
        "department": make_user(
            Role.COUNTY_DEPARTMENT, username="department", department=department, county=county
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
