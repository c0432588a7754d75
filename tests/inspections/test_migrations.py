"""The migrations that add the kept figures fill them from the rows a database already holds."""

import datetime as dt

import pytest
from django.core.management import call_command

from inspections import tallies
from inspections.models import HazardTally
from tests.factories import CampaignFactory, HazardFactory, InspectionFactory


@pytest.mark.django_db(transaction=True)
def test_migrating_a_database_with_hazards_fills_the_kept_figures():
    call_command("migrate", "inspections", "0003", verbosity=0)
    try:
        campaign = CampaignFactory(starts_on=dt.date(2021, 11, 1), ends_on=dt.date(2022, 4, 30))
        inspection = InspectionFactory(inspected_on=dt.date(2021, 12, 1))
        HazardFactory(
            inspection=inspection,
            premises=inspection.premises,
            township=inspection.township,
            discovered_on=dt.date(2021, 12, 1),
            deadline=dt.date(2021, 12, 10),
        )
        assert inspection.township.county_id == campaign.county_id
        call_command("migrate", "inspections", verbosity=0)
        tally = HazardTally.objects.get(campaign=campaign, township=inspection.township)
        assert (tally.found, tally.rectified, tally.overdue_at_end) == (1, 0, 1)
        assert tallies.differences() == []
    finally:
        call_command("migrate", verbosity=0)
