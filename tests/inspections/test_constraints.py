"""The database holds the invariants even when the services are bypassed."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from inspections.models import Accountability, Campaign, Hazard
from tests.factories import HazardFactory

pytestmark = pytest.mark.django_db


def test_database_refuses_a_hazard_deadline_before_discovery(premises):
    hazard = HazardFactory(inspection__premises=premises)
    with pytest.raises(IntegrityError), transaction.atomic():
        Hazard.objects.create(
            inspection=hazard.inspection,
            premises=premises,
            township=premises.township,
            severity=Hazard.Severity.GENERAL,
            description="x",
            discovered_on=dt.date(2021, 11, 20),
            deadline=dt.date(2021, 11, 19),
            responsible_person="王老板",
        )


def test_database_refuses_verified_without_verified_on(premises):
    hazard = HazardFactory(inspection__premises=premises)
    with pytest.raises(IntegrityError), transaction.atomic():
        Hazard.objects.filter(pk=hazard.pk).update(status=Hazard.Status.VERIFIED)


def test_database_refuses_verified_on_without_verified_status(premises):
    hazard = HazardFactory(inspection__premises=premises)
    with pytest.raises(IntegrityError), transaction.atomic():
        Hazard.objects.filter(pk=hazard.pk).update(verified_on=dt.date(2021, 11, 25))


def test_database_refuses_a_campaign_ending_before_it_starts(county):
    with pytest.raises(IntegrityError), transaction.atomic():
        Campaign.objects.create(
            county=county,
            name="倒置",
            kind=Campaign.Kind.SPECIAL,
            starts_on=dt.date(2022, 1, 2),
            ends_on=dt.date(2022, 1, 1),
        )


def test_database_refuses_an_accountability_without_subject(township):
    with pytest.raises(IntegrityError), transaction.atomic():
        Accountability.objects.create(
            township=township,
            person="某人",
            unit="某单位",
            finding="x",
            sanction="x",
            decided_by="x",
            decided_on=dt.date(2022, 1, 1),
        )
