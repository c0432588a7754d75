"""Helpers building brigades in a given state (the shared factories stay in tests/factories.py)."""

import datetime as dt

from firebrigade.models import Brigade, EquipmentItem, EquipmentType
from tests.factories import (
    BrigadeFactory,
    BrigadeMemberFactory,
    BrigadeStandardFactory,
    EquipmentItemFactory,
    EquipmentTypeFactory,
)


def vehicle_type(name: str = "水罐消防车") -> EquipmentType:
    return EquipmentTypeFactory(name=name, category=EquipmentType.Category.VEHICLE, unit="辆")


def established_brigade(**kwargs) -> Brigade:
    """A class-2 brigade built and ready for acceptance (the standard itself is not created here)."""
    defaults = {
        "status": Brigade.Status.ESTABLISHED,
        "construction_started_on": dt.date(2021, 3, 1),
        "established_on": dt.date(2021, 9, 1),
        "station_area_m2": 400,
    }
    defaults.update(kwargs)
    return BrigadeFactory(**defaults)


def staff(brigade: Brigade, n: int, **kwargs) -> None:
    for _ in range(n):
        BrigadeMemberFactory(brigade=brigade, **kwargs)


def equip_vehicles(brigade: Brigade, quantity: int, condition=EquipmentItem.Condition.GOOD) -> EquipmentItem:
    return EquipmentItemFactory(
        brigade=brigade, equipment_type=vehicle_type(), quantity=quantity, condition=condition
    )


def class2_standard(**kwargs):
    """二级专职消防队: 8 staff, 1 vehicle, 300 ㎡ unless overridden."""
    return BrigadeStandardFactory(**kwargs)


def brigade_meeting_standard() -> Brigade:
    class2_standard()
    brigade = established_brigade()
    staff(brigade, 8)
    equip_vehicles(brigade, 1)
    return brigade
