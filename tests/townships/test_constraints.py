"""PostgreSQL holds the invariants even when a write bypasses the services."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from tests.factories import GridFactory, PremisesFactory, ResponsibilityAgreementFactory, TownshipFactory
from townships.models import Grid, Premises, ResponsibilityAgreement, Township

pytestmark = pytest.mark.django_db


def test_database_refuses_a_duplicate_township_name_in_a_county():
    township = TownshipFactory(name="褚庙乡")

    with pytest.raises(IntegrityError), transaction.atomic():
        Township.objects.create(county=township.county, name="褚庙乡", kind=Township.Kind.TOWNSHIP)


def test_database_refuses_a_duplicate_grid_name_in_a_township():
    grid = GridFactory(name="第一网格")

    with pytest.raises(IntegrityError), transaction.atomic():
        Grid.objects.create(township=grid.township, name="第一网格")


def test_database_refuses_the_same_premises_twice_in_a_township():
    premises = PremisesFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Premises.objects.create(
            township=premises.township,
            name=premises.name,
            address=premises.address,
            category=Premises.Category.SHOP,
            risk_level=Premises.RiskLevel.LOW,
            responsible_person="某人",
            responsible_phone="13900000000",
        )


def test_database_refuses_a_second_township_agreement_in_a_year():
    agreement = ResponsibilityAgreementFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        ResponsibilityAgreementFactory(township=agreement.township, year=agreement.year)


def test_database_refuses_a_second_premises_agreement_in_a_year():
    premises = PremisesFactory()
    ResponsibilityAgreementFactory(township=premises.township, premises=premises)

    with pytest.raises(IntegrityError), transaction.atomic():
        ResponsibilityAgreementFactory(township=premises.township, premises=premises)


def test_database_refuses_an_agreement_year_out_of_range():
    agreement = ResponsibilityAgreementFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        ResponsibilityAgreement.objects.filter(pk=agreement.pk).update(
            year=1999, signed_on=dt.date(1999, 1, 1)
        )
