"""Who may do what in the assessment: the guidance center keeps the scheme, scores every township and
publishes; a township's fire lead scores its own township (self-assessment) while the scheme is being
scored; county officials read. Before publication a township sees only itself. `by=None` is the
system itself."""

from django.utils.translation import gettext_lazy as _

from core.access import require
from core.models import Role
from core.scoping import can_see_township, user_role

ASSESSORS = frozenset({Role.GUIDANCE_CENTER})
READERS = frozenset({Role.GUIDANCE_CENTER, Role.COUNTY_OFFICIAL, Role.TOWNSHIP_LEAD})


def check_scheme_write(*, by) -> None:
    """Create or change a scheme and its items, score as the center, publish: the guidance center."""
    if by is None:
        return
    require(
        user_role(by) in ASSESSORS, _("只有消防安全检查指导服务中心可以制定考核细则、考评和发布考核结果。")
    )


def check_self_score(*, by, township=None) -> None:
    """A township's self-assessment: its own fire lead (or the center on its behalf)."""
    if by is None:
        return
    role = user_role(by)
    require(
        role in (Role.TOWNSHIP_LEAD, Role.GUIDANCE_CENTER), _("只有乡镇消防专干可以填报本乡镇的考核自评。")
    )
    if township is not None and role == Role.TOWNSHIP_LEAD:
        require(by.profile.township_id == township.pk, _("只能填报本乡镇的考核自评。"))


def check_read(*, by, scheme=None, township_id: int | None = None) -> None:
    """Read a scheme's results: county officials and the center all of them; a township's lead its own
    before publication, every township's once published."""
    role = user_role(by)
    require(role in READERS, _("无权查看考核结果。"))
    if (
        scheme is not None
        and role == Role.TOWNSHIP_LEAD
        and township_id is not None
        and not scheme.is_published
    ):
        require(can_see_township(by, township_id), _("考核结果发布前只能查看本乡镇。"))
