"""What every app's access policy shares. Each app has one `access` module saying who may change
what (scope — who sees what — is core.scoping's). Its rules are `check_*` functions that raise
AccessDenied with the reason; the app's services call them with their `by` (None is the system
itself: a task, a command, the demo, a data migration), so the API, the pages, the admin and imports
all meet the same refusal. Pages and API permissions ask `allowed(check, ...)` to show or gate a
door before any input is read."""

from collections.abc import Callable

from django.utils.translation import gettext as _

from core.exceptions import AccessDenied
from core.models import Role
from core.scoping import user_role


def allowed(check: Callable[..., None], **kwargs) -> bool:
    """Whether `check(**kwargs)` lets the user through (to show a button, gate a route)."""
    try:
        check(**kwargs)
    except AccessDenied:
        return False
    return True


def withhold(queryset, *, user, roles: frozenset):
    """None of `queryset` for a role the app's access policy does not let read it (least privilege:
    the app's `*_READ_WITHHELD` sets say who and why). A selector's last word on who reads."""
    return queryset.none() if user_role(user) in roles else queryset


def require_reader(by, roles: frozenset, message) -> None:
    """Refuse a role that may not read a kind of record (the route gate and the pages ask this, so
    that the refusal is a 403 in words, not an empty list)."""
    if by is not None:
        require(user_role(by) not in roles, message)


def require(condition: bool, message) -> None:
    """Refuse with `message` unless `condition` holds."""
    if not condition:
        raise AccessDenied(message)


def check_token_revoke(*, by, token=None) -> None:
    """Anyone logged in may revoke their own API tokens (a lost phone); the guidance center, which
    runs the accounts, anyone's. Without `token`: the route, open to every role."""
    if by is None or token is None:
        return
    require(
        token.user_id == by.pk or user_role(by) == Role.GUIDANCE_CENTER,
        _("只能撤销自己的接口令牌；他人的令牌由县消防安全检查指导服务中心撤销。"),
    )
