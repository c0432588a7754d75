"""Who may change what in the brigades app: the one access policy that the services enforce for their
`by`, and that the API, the pages, the admin and the imports ask (core.access.allowed) before they
offer a door.

`by=None` is the system (tasks, commands, the demo, data migrations) and passes every check; a
superuser counts as the guidance center (core.scoping.user_role). Who *sees* what is core.scoping's:
a record outside the user's scope answers 404 before any of these checks runs. Checks that take an
object (a brigade, a township) accept None for it: then they answer for `by`'s role alone (may this
role ever do it?), which is how the API's route gate (core.api.RolePermission) asks before any input
is read, in the same words.

| write                                              | who                                         |
|----------------------------------------------------|---------------------------------------------|
| register a brigade                                 | the guidance center                         |
| change a brigade's name, station, duty phone       | its township's lead, the guidance center    |
| change its township, class, shared townships       | the guidance center                         |
| start construction, mark established, accept       | the guidance center                         |
| members: add, change, leave                        | the brigade's township lead, the center     |
| equipment: add, change, record maintenance         | the brigade's township lead, the center     |
| funding: allocate, change, record a disbursement   | the guidance center                         |
| fires: record, correct, report (报告)              | the township's lead, the guidance center    |
| archive: documents, training and drills, duty,     | the brigade's township lead, the center     |
|   call-outs, publicity (一队一档)                   |                                             |
| fires: set or correct the time reported            | the guidance center (paper reports)         |
| fires: the reporting deadlines                     | the guidance center (admin)                 |
| delete a record entered by mistake (admin)         | the guidance center                         |
"""

from django.utils.translation import gettext_lazy as _

from core.access import require, require_reader
from core.models import Role
from core.scoping import can_see_township, user_role

CENTER = frozenset({Role.GUIDANCE_CENTER})
# A township's own lead keeps its brigade, members, equipment and fires; the center keeps everything.
KEEPERS = frozenset({Role.TOWNSHIP_LEAD, Role.GUIDANCE_CENTER})

# What only the guidance center may change on a brigade: where it belongs, which townships it also
# serves, its class (the standard it is built and accepted against), and whether it is demo data.
CENTER_ONLY_BRIGADE_FIELDS = frozenset({"township", "brigade_class", "also_serves", "is_demo"})

OTHER_TOWNSHIP = _("不能操作其他乡镇的数据。")
BRIGADE_KEEPERS_ONLY = _("只有本乡镇消防专干（分管副职）或指导中心可以修改消防队。")
CENTER_ONLY_FIELDS = _(
    "所属乡镇、队伍等级和共建（兼管）乡镇由指导中心调整；乡镇可修改队伍名称、营房和值班电话。"
)
CENTER_CREATES_BRIGADES = _("新建消防队由指导中心登记。")
CENTER_MOVES_CONSTRUCTION = _("消防队的开工、建成和验收由指导中心登记。")
UPKEEP_KEEPERS_ONLY = _("只有本乡镇消防专干（分管副职）或指导中心可以修改消防队的队员和装备。")
CENTER_KEEPS_FUNDING = _("经费预算和经费到位由指导中心登记。")
INCIDENT_KEEPERS_ONLY = _("只有本乡镇消防专干（分管副职）或指导中心可以登记和更正火灾。")
CENTER_SETS_REPORT_TIME = _(
    "报告时间在乡镇上报时由系统自动记录，不能填写或修改；纸质报告的报告时间由指导中心登记和更正。"
)
# Reading, by least privilege. Everyone in scope reads the brigades (name, status, station, duty
# phone: what a police station needs at a fire) and the fires of its area. A brigade's members
# (people and their phone numbers), its equipment and the townships' funding are the townships' and
# the county's to keep: a police station, whose work is the premises of its area, reads none of them.
MEMBERS_READ_WITHHELD = frozenset({Role.POLICE_STATION})
EQUIPMENT_READ_WITHHELD = frozenset({Role.POLICE_STATION})
FUNDING_READ_WITHHELD = frozenset({Role.POLICE_STATION})
# The fire rescue authority and a county department hold no township (core.scoping): brigades, fires,
# members, equipment and funding are none of their work here, and they read none of them (empty
# lists, not a refusal: their scope, not a rule of this app, leaves them out). They write nothing.
NOT_FOR_POLICE = _("派出所不查看消防队的队员、装备和乡镇经费；这些由乡镇和县里掌握。")

ARCHIVE_KEEPERS_ONLY = _(
    "只有本乡镇消防专干（分管副职）或指导中心可以登记消防队的档案（文件、训练演练、执勤、出警、宣传）。"
)
# A brigade's archive names its members (who trained, who was on duty): read as its members are.
ARCHIVE_READ_WITHHELD = MEMBERS_READ_WITHHELD

CENTER_DELETES = _("只有指导中心可以删除记录；队员离职请登记离职，装备报废请把状况改为“报废”。")


def _require_center(by, message) -> None:
    require(by is None or user_role(by) == Role.GUIDANCE_CENTER, message)


def _require_township_keeper(by, township_id: int | None, message) -> None:
    """`by` is the guidance center, or a township lead (whose own township is `township_id`, if given)."""
    if by is None:
        return
    role = user_role(by)
    require(role in KEEPERS, message)
    if role == Role.TOWNSHIP_LEAD and township_id is not None:
        require(can_see_township(by, township_id), OTHER_TOWNSHIP)


def _township_id(brigade) -> int | None:
    return None if brigade is None else brigade.township_id


def check_brigade_create(*, by) -> None:
    """Brigades are registered by the guidance center."""
    _require_center(by, CENTER_CREATES_BRIGADES)


def check_brigade_update(*, by, brigade=None, changed=()) -> None:
    """A brigade's township lead changes its name, station and duty phone; only the guidance center
    changes CENTER_ONLY_BRIGADE_FIELDS. `changed`: the names of the fields whose value changes
    (compared with the stored row)."""
    _require_township_keeper(by, _township_id(brigade), BRIGADE_KEEPERS_ONLY)
    if by is not None and user_role(by) != Role.GUIDANCE_CENTER:
        require(not CENTER_ONLY_BRIGADE_FIELDS.intersection(changed), CENTER_ONLY_FIELDS)


def check_brigade_lifecycle(*, by, brigade=None) -> None:
    """A brigade's construction moves (start, established, accepted) are the guidance center's."""
    _require_center(by, CENTER_MOVES_CONSTRUCTION)


def check_brigade_upkeep(*, by, brigade=None) -> None:
    """A brigade's members (add, change, leave) and equipment (add, change, maintain) are kept by
    the lead of the brigade's own township or by the guidance center."""
    _require_township_keeper(by, _township_id(brigade), UPKEEP_KEEPERS_ONLY)


def check_funding_change(*, by) -> None:
    """Funding is budgeted, changed and its arrivals recorded by the guidance center."""
    _require_center(by, CENTER_KEEPS_FUNDING)


def check_incident_change(*, by, township=None, premises=None) -> None:
    """A fire is recorded and corrected by the lead of its township (the premises too must be in a
    township the lead keeps) or by the guidance center."""
    _require_township_keeper(by, getattr(township, "pk", None), INCIDENT_KEEPERS_ONLY)
    if premises is not None:
        _require_township_keeper(by, premises.township_id, INCIDENT_KEEPERS_ONLY)


def check_incident_report_time(*, by, **_ignored) -> None:
    """The time a fire was reported is stamped when the township reports it in the system; only the
    guidance center types one in (a report that came on paper or by phone) or corrects it, and
    corrects the time of a fire once reported (the two decide whether the report was late)."""
    _require_center(by, CENTER_SETS_REPORT_TIME)


def check_record_delete(*, by) -> None:
    """A record entered by mistake (brigade, member, item, budget, fire) is deleted by the guidance
    center; the process itself never deletes (members leave, equipment is scrapped)."""
    _require_center(by, CENTER_DELETES)


def check_members_read(*, by, **_ignored) -> None:
    """Read a brigade's members or its whole record page: not a police station."""
    require_reader(by, MEMBERS_READ_WITHHELD, NOT_FOR_POLICE)


def check_equipment_read(*, by, **_ignored) -> None:
    require_reader(by, EQUIPMENT_READ_WITHHELD, NOT_FOR_POLICE)


def check_funding_read(*, by, **_ignored) -> None:
    require_reader(by, FUNDING_READ_WITHHELD, NOT_FOR_POLICE)


def check_archive_change(*, by, brigade=None) -> None:
    """A brigade's archive (documents, training and drill records, duty roster, call-outs, publicity)
    is kept by the lead of the brigade's own township or by the guidance center; county officials
    read it."""
    _require_township_keeper(by, _township_id(brigade), ARCHIVE_KEEPERS_ONLY)


def check_archive_read(*, by, **_ignored) -> None:
    """Read a brigade's archive (it names its members): not a police station."""
    require_reader(by, ARCHIVE_READ_WITHHELD, NOT_FOR_POLICE)


def check_equipment_code(*, by, brigade=None) -> None:
    """Issue, revoke or reissue an equipment item's QR code, or print a brigade's labels: as for
    the equipment itself, the brigade's township lead or the guidance center."""
    _require_township_keeper(by, _township_id(brigade), UPKEEP_KEEPERS_ONLY)


def check_equipment_check(*, by, brigade=None) -> None:
    """Record a maintenance check of an item (scanning its code): the brigade's township lead or the
    guidance center, who keep its equipment."""
    _require_township_keeper(by, _township_id(brigade), UPKEEP_KEEPERS_ONLY)
