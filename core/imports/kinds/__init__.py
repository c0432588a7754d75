"""The five importable kinds, by ImportJob.Kind value."""

from core.imports.base import ImportKind
from core.imports.kinds.brigades import EquipmentKind, MembersKind
from core.imports.kinds.funding import FundingKind
from core.imports.kinds.inspections import InspectionsKind
from core.imports.kinds.premises import PremisesKind

KINDS: dict[str, ImportKind] = {
    kind.name: kind
    for kind in (PremisesKind(), MembersKind(), EquipmentKind(), FundingKind(), InspectionsKind())
}


def get_kind(name: str) -> ImportKind:
    try:
        return KINDS[name]
    except KeyError:
        raise ValueError(f"未知的导入类型：{name}（可选：{'、'.join(KINDS)}）") from None
