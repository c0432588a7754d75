"""A long import runs on its own queue and worker; reminders on theirs still go out meanwhile."""

import datetime as dt

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.db import connection

from config.celery import app as celery_app
from core.imports.tasks import import_job_run_task
from core.models import ImportJob, Notification
from notifications import tasks as reminder_tasks
from tests import factories as f
from tests.imports.conftest import premises_row, xlsx
from tests.notifications.workers import start_worker_process, wait_for, worker_env
from townships.models import Premises

DAY = dt.date(2021, 12, 10)


def test_each_kind_of_work_is_routed_to_its_queue():
    route = celery_app.amqp.router.route
    assert route({}, "imports.run_job")["queue"].name == "imports"
    assert route({}, "reminders.dispatch")["queue"].name == "reminders"
    assert route({}, "reminders.evaluate")["queue"].name == "reminders"
    assert route({}, "digests.build")["queue"].name == "reminders"
    assert route({}, "deliveries.send")["queue"].name == "deliveries"
    assert route({}, "core.ping")["queue"].name == "celery"


@pytest.mark.django_db(transaction=True)
def test_reminders_go_out_while_a_long_import_holds_its_worker(county, settings):
    # Reminders to produce: 5 overdue hazards of 褚庙乡, whose lead is reminded of each.
    inspection = f.InspectionFactory(
        premises=f.PremisesFactory(township=county.chumiao, name="既有单位"),
        inspected_on=dt.date(2021, 11, 20),
    )
    for i in range(5):
        f.HazardFactory(inspection=inspection, description=f"隐患{i}", deadline=dt.date(2021, 12, 1))
    rows = [premises_row(单位名称=f"新单位{i}") for i in range(3)]
    job = ImportJob.objects.create(owner=county.center, kind="premises", action="confirm", status="queued")
    job.file.save("queues.xlsx", ContentFile(xlsx("premises", rows)))
    celery_app.control.purge()

    # The import is made long: another session holds the premises table against writes.
    db = connection.settings_dict
    blocker = psycopg.connect(dbname=db["NAME"], user=db["USER"], host=db["HOST"], port=db["PORT"])
    env = worker_env(TEST_MEDIA_ROOT=str(settings.MEDIA_ROOT))
    imports_worker = start_worker_process(env, queues="imports")
    messages_worker = start_worker_process(env, queues="celery,reminders,deliveries")
    try:
        with blocker.cursor() as cursor:
            cursor.execute("LOCK TABLE townships_premises IN SHARE ROW EXCLUSIVE MODE")
        import_job_run_task.delay(job.pk)
        wait_for(lambda: ImportJob.objects.get(pk=job.pk).status != "queued", timeout=60)
        assert ImportJob.objects.get(pk=job.pk).status == "running"

        reminder_tasks.reminders_dispatch.delay(DAY.isoformat())
        wait_for(lambda: Notification.objects.filter(rule="hazard_overdue").count() == 5, timeout=60)
        assert ImportJob.objects.get(pk=job.pk).status == "running"  # still held up, and nothing waited on it

        blocker.rollback()
        wait_for(lambda: ImportJob.objects.get(pk=job.pk).status == "confirmed", timeout=60)
        assert Premises.objects.filter(name__startswith="新单位").count() == 3
    finally:
        blocker.close()
        for worker in (imports_worker, messages_worker):
            worker.terminate()
            worker.wait(timeout=15)
