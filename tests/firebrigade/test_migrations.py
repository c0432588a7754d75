"""The migration that keeps a brigade's staff and vehicles counts them for the brigades already there."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from firebrigade import tallies
from firebrigade.models import Brigade
from tests.factories import TownshipFactory

BEFORE = ("firebrigade", "0002_audit_ip_and_safe_uploads")


@pytest.mark.django_db(transaction=True)
def test_migrating_a_database_with_members_counts_each_brigades_staff():
    call_command("migrate", *BEFORE, verbosity=0)
    try:
        old = MigrationExecutor(connection).loader.project_state(BEFORE).apps  # the models as they were
        township = TownshipFactory()
        brigade = old.get_model("firebrigade", "Brigade").objects.create(
            township_id=township.pk, name="北关镇专职消防队", brigade_class="class_2"
        )
        member = old.get_model("firebrigade", "BrigadeMember")
        for name, on_duty in (("甲", True), ("乙", True), ("丙", False)):
            member.objects.create(
                brigade_id=brigade.pk,
                name=name,
                role="firefighter",
                hired_on=dt.date(2021, 1, 1),
                on_duty=on_duty,
            )
        call_command("migrate", "firebrigade", verbosity=0)
        assert Brigade.objects.get(pk=brigade.pk).active_staff == 2
        assert tallies.differences() == []
    finally:
        call_command("migrate", verbosity=0)
