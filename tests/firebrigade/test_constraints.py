"""PostgreSQL holds the invariants even when a write bypasses the services."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F

from firebrigade.models import (
    Brigade,
    BrigadeMember,
    BrigadeStandard,
    Disbursement,
    EquipmentItem,
    EquipmentRequirement,
    EquipmentType,
    FundingAllocation,
)
from tests.factories import (
    BrigadeFactory,
    BrigadeMemberFactory,
    EquipmentItemFactory,
    EquipmentRequirementFactory,
    EquipmentTypeFactory,
    FundingAllocationFactory,
)

pytestmark = pytest.mark.django_db


def _refused(write):
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


def test_database_refuses_disbursed_beyond_the_allocation():
    allocation = FundingAllocationFactory(amount=Decimal("1000"))

    _refused(
        lambda: FundingAllocation.objects.filter(pk=allocation.pk).update(disbursed_amount=F("amount") + 1)
    )


def test_database_refuses_a_negative_allocation():
    allocation = FundingAllocationFactory()

    _refused(lambda: FundingAllocation.objects.filter(pk=allocation.pk).update(amount=Decimal("-1")))


def test_database_refuses_a_second_allocation_of_a_category_in_a_year():
    allocation = FundingAllocationFactory()

    _refused(lambda: FundingAllocationFactory(township=allocation.township))


def test_database_refuses_a_disbursement_of_zero():
    allocation = FundingAllocationFactory()

    _refused(
        lambda: Disbursement.objects.create(
            allocation=allocation, amount=0, disbursed_on=dt.date(2021, 12, 1)
        )
    )


def test_database_refuses_a_negative_equipment_quantity():
    item = EquipmentItemFactory()

    _refused(lambda: EquipmentItem.objects.filter(pk=item.pk).update(quantity=-1))


def test_database_refuses_a_next_maintenance_before_the_last():
    item = EquipmentItemFactory()

    _refused(
        lambda: EquipmentItem.objects.filter(pk=item.pk).update(
            last_maintained_on=dt.date(2021, 11, 1), next_maintenance_on=dt.date(2021, 10, 1)
        )
    )


def test_database_refuses_a_requirement_of_zero():
    requirement = EquipmentRequirementFactory()

    _refused(lambda: EquipmentRequirement.objects.filter(pk=requirement.pk).update(quantity=0))


def test_database_refuses_the_same_equipment_type_twice_in_a_standard():
    requirement = EquipmentRequirementFactory()

    _refused(
        lambda: EquipmentRequirementFactory(
            standard=requirement.standard, equipment_type=requirement.equipment_type
        )
    )


def test_database_refuses_a_member_who_left_before_being_hired():
    member = BrigadeMemberFactory(hired_on=dt.date(2021, 6, 1))

    _refused(
        lambda: BrigadeMember.objects.filter(pk=member.pk).update(left_on=dt.date(2021, 5, 1), on_duty=False)
    )


def test_database_refuses_a_member_who_left_but_is_on_duty():
    member = BrigadeMemberFactory(hired_on=dt.date(2021, 6, 1))

    _refused(lambda: BrigadeMember.objects.filter(pk=member.pk).update(left_on=dt.date(2021, 9, 1)))


def test_database_refuses_an_accepted_brigade_without_an_acceptance_date():
    brigade = BrigadeFactory(established_on=dt.date(2021, 9, 1))

    _refused(lambda: Brigade.objects.filter(pk=brigade.pk).update(status=Brigade.Status.ACCEPTED))


def test_database_refuses_an_established_brigade_without_an_establishment_date():
    brigade = BrigadeFactory()

    _refused(lambda: Brigade.objects.filter(pk=brigade.pk).update(status=Brigade.Status.ESTABLISHED))


def test_database_refuses_acceptance_before_establishment():
    brigade = BrigadeFactory()

    _refused(
        lambda: Brigade.objects.filter(pk=brigade.pk).update(
            status=Brigade.Status.ACCEPTED,
            established_on=dt.date(2021, 9, 1),
            accepted_on=dt.date(2021, 8, 1),
        )
    )


def test_database_refuses_a_duplicate_brigade_name():
    brigade = BrigadeFactory()

    _refused(lambda: BrigadeFactory(name=brigade.name))


def test_database_refuses_two_standards_for_one_class():
    BrigadeStandard.objects.create(
        brigade_class="class1", min_staff=15, min_vehicles=2, min_station_area_m2=600
    )

    _refused(
        lambda: BrigadeStandard.objects.create(
            brigade_class="class1", min_staff=1, min_vehicles=1, min_station_area_m2=1
        )
    )


def test_database_refuses_a_duplicate_equipment_type_name():
    EquipmentTypeFactory(name="水罐消防车")

    _refused(lambda: EquipmentType.objects.create(name="水罐消防车", category=EquipmentType.Category.VEHICLE))
