"""Who may change what in the notifications app. Reminders and deliveries are written by the rules
and the channels; people may only read their own reminders, choose how they are reached, and the
guidance center keeps the channels and resends what failed. `by=None` is the system itself."""

from django.utils.translation import gettext_lazy as _

from core.access import require
from core.models import Role
from core.scoping import user_role

CHANNEL_KEEPERS = frozenset({Role.GUIDANCE_CENTER})


def check_channel_write(*, by) -> None:
    """Configure a group robot or the SMS gateway, or resend a failed delivery: the guidance center."""
    if by is None:
        return
    require(user_role(by) in CHANNEL_KEEPERS, _("只有消防安全检查指导服务中心可以配置推送渠道和重发消息。"))


def check_preference_write(*, by, user) -> None:
    """How a person is reached: the person themself, or the guidance center for anyone."""
    if by is None:
        return
    require(
        by.pk == user.pk or user_role(by) in CHANNEL_KEEPERS,
        _("只能设置自己的接收方式。"),
    )
