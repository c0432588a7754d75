"""The migrations that add the kept figures fill them from the rows a database already holds."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from inspections import services, tallies
from inspections.models import Hazard, HazardTally
from tests.factories import CampaignFactory, InspectionFactory, PremisesFactory


@pytest.mark.django_db(transaction=True)
def test_migrating_a_database_with_hazards_fills_the_kept_figures():
    call_command("migrate", "inspections", "0003", verbosity=0)
    try:
        campaign = CampaignFactory(starts_on=dt.date(2021, 11, 1), ends_on=dt.date(2022, 4, 30))
        premises = PremisesFactory()
        # The inspection and the hazard as 0003 knew them (later migrations add columns today's
        # models write).
        old_state = MigrationExecutor(connection).loader.project_state(
            ("inspections", "0003_indexes_from_explain")
        )
        inspection = old_state.apps.get_model("inspections", "Inspection").objects.create(
            premises_id=premises.pk,
            township_id=premises.township_id,
            kind="township",
            inspected_on=dt.date(2021, 12, 1),
            inspectors="赵专干",
        )
        old_state.apps.get_model("inspections", "Hazard").objects.create(
            inspection_id=inspection.pk,
            premises_id=inspection.premises_id,
            township_id=inspection.township_id,
            severity="general",
            description="安全出口堵塞",
            responsible_person="王老板",
            status="open",
            discovered_on=dt.date(2021, 12, 1),
            deadline=dt.date(2021, 12, 10),
        )
        assert premises.township.county_id == campaign.county_id
        call_command("migrate", "inspections", verbosity=0)
        tally = HazardTally.objects.get(campaign=campaign, township=premises.township)
        assert (tally.found, tally.rectified, tally.overdue_at_end) == (1, 0, 1)
        assert tallies.differences() == []
    finally:
        call_command("migrate", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_extensions_made_before_they_were_counted_are_counted_from_the_history():
    inspection = InspectionFactory(inspected_on=dt.date(2021, 12, 1))
    hazard = services.hazard_create(
        inspection=inspection,
        severity="general",
        description="安全出口堵塞",
        deadline=dt.date(2021, 12, 10),
        responsible_person="王老板",
    )
    untouched = services.hazard_create(
        inspection=inspection,
        severity="general",
        description="灭火器过期",
        deadline=dt.date(2021, 12, 10),
        responsible_person="王老板",
    )
    services.hazard_extend_deadline(hazard=hazard, new_deadline=dt.date(2021, 12, 20), reason="等配件")
    services.hazard_extend_deadline(hazard=hazard, new_deadline=dt.date(2021, 12, 30), reason="等配件")
    services.hazard_update(hazard=untouched, data={"description": "灭火器过期两具"})
    try:
        call_command("migrate", "inspections", "0005", verbosity=0)
        call_command("migrate", "inspections", "0006", verbosity=0)
        counts = dict(Hazard.objects.values_list("pk", "deadline_extensions"))
        assert counts == {hazard.pk: 2, untouched.pk: 0}
    finally:
        call_command("migrate", verbosity=0)
