import datetime as dt
import signal
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from kombu.exceptions import OperationalError as KombuOperationalError

from config.celery import app as celery_app
from core.clock import local_today
from core.models import Notification, Role
from firebrigade.models import FundingAllocation
from inspections.models import Hazard
from notifications import services as reminders
from notifications import tasks
from notifications.models import Delivery
from tests import factories as f
from tests.notifications.workers import start_worker_process as _start_worker_process
from tests.notifications.workers import wait_for as _wait_for
from tests.notifications.workers import worker_env

ROOT = Path(__file__).resolve().parents[2]
DAY = dt.date(2021, 12, 10)


def _lead(township, email=""):
    user = f.make_user(Role.TOWNSHIP_LEAD, township=township)
    user.email = email
    user.save(update_fields=["email"])
    return user


def _overdue_hazards(township, n, deadline=dt.date(2021, 12, 1)):
    premises = f.PremisesFactory(township=township)
    inspection = f.InspectionFactory(premises=premises, inspected_on=dt.date(2021, 11, 20))
    return [
        f.HazardFactory(inspection=inspection, description=f"隐患{i}", deadline=deadline) for i in range(n)
    ]


def _notifications_are_unique():
    keys = list(Notification.objects.values_list("rule", "content_type", "object_id", "recipient", "period"))
    return len(keys) == len(set(keys))


@pytest.mark.django_db
def test_running_every_rule_twice_for_the_same_day_creates_each_notification_once():
    township = f.TownshipFactory(name="褚庙乡")
    lead = _lead(township)
    f.make_user(Role.COUNTY_OFFICIAL, county=township.county)
    f.make_user(Role.TOWNSHIP_LEAD, township=township, is_principal_leader=True)
    _overdue_hazards(township, 3)
    f.AssignmentFactory(township=township, deadline=DAY - dt.timedelta(days=2))
    plan = f.InspectionPlanFactory(township=township, due_on=DAY + dt.timedelta(days=3))
    plan.premises.add(f.PremisesFactory(township=township))
    f.EquipmentItemFactory(brigade=f.BrigadeFactory(township=township), next_maintenance_on=DAY)
    FundingAllocation.objects.create(township=township, year=2021, category="office", amount=Decimal(1000))

    first = reminders.reminders_run(on=DAY)
    count = Notification.objects.count()
    # The everyday reminders go to the fire lead; the principal leader (whose account has the lead's
    # role) hears of the same hazards only when they are escalated.
    assert first["hazard_overdue"] == 3
    assert first["hazard_escalate_township"] == 3
    assert first["hazard_escalate_county"] == 3
    assert first["campaign_kickoff"] == 1
    assert first["plan_due"] == 1
    assert first["assignment_overdue"] == 1
    assert first["maintenance_due"] == 1
    assert first["funding_not_disbursed"] == 2  # the lead and the county official
    assert count == sum(first.values())

    second = reminders.reminders_run(on=DAY)
    assert sum(second.values()) == 0
    assert Notification.objects.count() == count
    assert _notifications_are_unique()
    assert lead.notifications.filter(rule="hazard_overdue").count() == 3


@pytest.mark.django_db
def test_overdue_reminders_repeat_weekly_but_once_a_week():
    township = f.TownshipFactory()
    _lead(township)
    _overdue_hazards(township, 1)
    assert reminders.reminders_run(on=DAY, rules=["hazard_overdue"])["hazard_overdue"] == 1
    assert (
        reminders.reminders_run(on=DAY + dt.timedelta(days=1), rules=["hazard_overdue"])["hazard_overdue"]
        == 0
    )
    assert (
        reminders.reminders_run(on=DAY + dt.timedelta(days=7), rules=["hazard_overdue"])["hazard_overdue"]
        == 1
    )


@pytest.mark.django_db
def test_verified_hazards_and_closed_assignments_are_not_reminded():
    township = f.TownshipFactory()
    _lead(township)
    hazard = _overdue_hazards(township, 1)[0]
    Hazard.objects.filter(pk=hazard.pk).update(status="verified", verified_on=DAY)
    assert sum(reminders.reminders_run(on=DAY).values()) == 0


@pytest.mark.django_db
def test_a_campaign_starting_on_11_01_triggers_on_the_shanghai_date_not_the_utc_one():
    township = f.TownshipFactory()
    _lead(township)
    campaign = f.CampaignFactory(starts_on=dt.date(2021, 11, 1))
    plan = f.InspectionPlanFactory(campaign=campaign, township=township)
    plan.premises.add(f.PremisesFactory(township=township))
    # 23:59 on 10-31 in Shanghai is 15:59 UTC: not yet.
    before = dt.datetime(2021, 10, 31, 15, 59, tzinfo=dt.UTC)
    assert reminders.reminders_run(now=before, rules=["campaign_kickoff"])["campaign_kickoff"] == 0
    # 00:30 on 11-01 in Shanghai is still 10-31 in UTC: the campaign has started.
    after = dt.datetime(2021, 10, 31, 16, 30, tzinfo=dt.UTC)
    assert local_today(after) == dt.date(2021, 11, 1)
    assert reminders.reminders_run(now=after, rules=["campaign_kickoff"])["campaign_kickoff"] == 1
    notification = Notification.objects.get()
    assert notification.object_id == plan.id
    assert "2021—2022年度冬春火灾防控" in notification.title


@pytest.mark.django_db
def test_run_reminders_command_takes_a_date_and_refuses_a_bad_one(capsys):
    township = f.TownshipFactory()
    _lead(township)
    _overdue_hazards(township, 2)
    call_command("run_reminders", "--date", DAY.isoformat())
    assert "合计新增" in capsys.readouterr().out
    assert Notification.objects.filter(rule="hazard_overdue").count() == 2
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="日期格式不正确"):
        call_command("run_reminders", "--date", "2021-13-45")


@pytest.mark.django_db
def test_a_digest_email_waits_while_the_mail_server_is_down_and_goes_once_it_is_back(settings):
    settings.DELIVERY_RETRY_BASE_SECONDS = 0
    township = f.TownshipFactory()
    _lead(township, email="lead@example.gov.cn")
    _overdue_hazards(township, 1)
    reminders.reminders_run(on=DAY, rules=["hazard_overdue"])
    assert reminders.digests_build() == 1
    delivery = Delivery.objects.get()
    assert delivery.status == "queued"

    # A real SMTP connection to a port nobody listens on.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    assert reminders.deliveries_send() == {"failed": 1}
    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert delivery.attempts == 1
    assert delivery.last_error == "邮件服务器未接收（ConnectionRefusedError）"

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert reminders.deliveries_send() == {"sent": 1}
    assert reminders.deliveries_send() == {}  # sent once
    delivery.refresh_from_db()
    assert delivery.status == "sent"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["lead@example.gov.cn"]


@pytest.mark.django_db(transaction=True)
def test_beat_dispatch_through_a_real_worker_twice_creates_each_notification_once(celery_worker, settings):
    settings.REMINDER_BATCH_SIZE = 4  # several batches
    township = f.TownshipFactory()
    _lead(township)
    _lead(township)
    _overdue_hazards(township, 10)
    for _ in range(2):  # beat fired twice
        tasks.reminders_dispatch.delay(DAY.isoformat()).forget()
    _wait_for(lambda: Notification.objects.filter(rule="hazard_overdue").count() >= 20)
    time.sleep(1)  # let any duplicate batch finish
    assert Notification.objects.filter(rule="hazard_overdue").count() == 20
    assert _notifications_are_unique()


@pytest.mark.django_db(transaction=True)
def test_broker_down_the_site_keeps_serving_and_reminders_catch_up(client, celery_worker, monkeypatch):
    township = f.TownshipFactory()
    lead = _lead(township)
    campaign = f.CampaignFactory(starts_on=DAY - dt.timedelta(days=1))  # kickoff day missed
    plan = f.InspectionPlanFactory(campaign=campaign, township=township, due_on=DAY + dt.timedelta(days=30))
    plan.premises.add(f.PremisesFactory(township=township))

    # Beat tries to enqueue while the broker is down: a clear error, nothing half-written.
    with (
        celery_app.connection_for_write("redis://127.0.0.1:1/0") as dead,
        pytest.raises(KombuOperationalError),
    ):
        tasks.reminders_dispatch.apply_async((DAY.isoformat(),), connection=dead, retry=False)
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    client.force_login(lead)
    assert client.get("/", follow=True).status_code == 200  # the township page
    assert client.get("/notifications/").status_code == 200
    assert client.get("/healthz").status_code == 503
    assert Notification.objects.count() == 0
    monkeypatch.undo()

    # The broker is back: the next beat run delivers the missed kickoff.
    tasks.reminders_dispatch.delay(DAY.isoformat())
    _wait_for(lambda: Notification.objects.filter(rule="campaign_kickoff").exists())
    assert client.get("/healthz").status_code == 200
    assert lead.notifications.filter(rule="campaign_kickoff", object_id=plan.id).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_leaves_every_notification_exactly_once_after_restart():
    township = f.TownshipFactory()
    for _ in range(40):
        _lead(township)
    hazards = _overdue_hazards(township, 50)
    total = 40 * 50
    celery_app.control.purge()

    env = worker_env(REMINDER_CHUNK_SIZE="10")  # many small commits, so the kill lands mid-batch
    # One batch with every hazard, published the way beat's dispatch publishes it.
    tasks.reminders_evaluate.delay("hazard_overdue", [h.id for h in hazards], DAY.isoformat())

    first = _start_worker_process(env)
    try:
        _wait_for(lambda: Notification.objects.count() > 0, timeout=60)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    partial = Notification.objects.count()
    assert 0 < partial < total, "the kill should land mid-batch"

    second = _start_worker_process(env)
    try:
        # Redelivered after the visibility timeout, because the task acks late.
        _wait_for(lambda: Notification.objects.count() >= total, timeout=60)
        # And beat firing again on top of it adds nothing.
        reminders.reminders_run(on=DAY, rules=["hazard_overdue"])
    finally:
        second.terminate()
        second.wait(timeout=15)
    assert Notification.objects.count() == total
    assert _notifications_are_unique()


@pytest.mark.django_db
def test_inbox_shows_only_my_notifications_and_marks_them_read(client):
    township = f.TownshipFactory()
    me, other = _lead(township), _lead(f.TownshipFactory())
    _overdue_hazards(township, 1)
    reminders.reminders_run(on=DAY, rules=["hazard_overdue"])
    Notification.objects.filter(recipient=me).update(title="我的提醒")
    client.force_login(other)
    assert "我的提醒" not in client.get("/notifications/").content.decode()
    client.force_login(me)
    page = client.get("/notifications/").content.decode()
    assert "我的提醒" in page
    assert 'data-testid="unread-count">1<' in page
    assert client.post("/notifications/read/", {"id": "x"}).status_code == 400
    client.post("/notifications/read/")
    assert me.notifications.filter(read_at__isnull=True).count() == 0
    assert 'data-testid="unread-count"' not in client.get("/notifications/").content.decode()


@pytest.mark.django_db
def test_setup_schedules_creates_the_beat_tasks_once_and_keeps_admin_edits():
    from django_celery_beat.models import PeriodicTask

    call_command("setup_schedules")
    task = PeriodicTask.objects.get(task="reminders.dispatch", name__contains="07:30")
    assert task.crontab.timezone.key == "Asia/Shanghai"
    task.enabled = False
    task.save()
    call_command("setup_schedules")
    assert PeriodicTask.objects.filter(task="reminders.dispatch").count() == 2
    assert not PeriodicTask.objects.get(pk=task.pk).enabled


@pytest.mark.django_db
def test_every_scheduled_task_exists_and_the_retired_email_outbox_is_removed():
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    every5, _ = IntervalSchedule.objects.get_or_create(every=5, period=IntervalSchedule.MINUTES)
    PeriodicTask.objects.create(
        name="发送待发提醒邮件（每 5 分钟）", task="notifications.send_emails", interval=every5
    )
    call_command("setup_schedules")
    scheduled = set(PeriodicTask.objects.values_list("task", flat=True))
    assert scheduled == {"reminders.dispatch", "digests.build", "deliveries.sweep", "imports.end_stale_jobs"}
    assert scheduled <= set(celery_app.tasks)  # beat sends nothing a worker does not know


@pytest.mark.django_db
def test_every_reminder_links_to_the_page_of_what_it_is_about_and_its_recipient_may_open_it(client):
    township = f.TownshipFactory(name="褚庙乡")
    _lead(township)
    f.make_user(Role.COUNTY_OFFICIAL, county=township.county)
    f.make_user(Role.TOWNSHIP_LEAD, township=township, is_principal_leader=True)
    (hazard,) = _overdue_hazards(township, 1)
    assignment = f.AssignmentFactory(township=township, deadline=DAY - dt.timedelta(days=2))
    plan = f.InspectionPlanFactory(township=township, due_on=DAY + dt.timedelta(days=3))
    plan.premises.add(f.PremisesFactory(township=township))
    item = f.EquipmentItemFactory(brigade=f.BrigadeFactory(township=township), next_maintenance_on=DAY)
    FundingAllocation.objects.create(township=township, year=2021, category="office", amount=Decimal(1000))
    reminders.reminders_run(on=DAY)

    expected = {
        "hazard_overdue": f"/inspections/hazards/{hazard.pk}/",
        "hazard_escalate_township": f"/inspections/hazards/{hazard.pk}/",
        "hazard_escalate_county": f"/inspections/hazards/{hazard.pk}/",
        "assignment_overdue": f"/meetings/assignments/{assignment.pk}/",
        "campaign_kickoff": f"/townships/{township.pk}/",
        "plan_due": f"/townships/{township.pk}/",
        "maintenance_due": f"/brigades/{item.brigade_id}/",
        "funding_not_disbursed": "/brigades/funding/?year=2021",
    }
    notifications = list(Notification.objects.select_related("recipient"))
    assert {n.rule for n in notifications} == set(expected)
    for n in notifications:
        assert n.url == expected[n.rule], n.rule
        client.force_login(n.recipient)
        assert client.get(n.url).status_code == 200, (n.rule, n.recipient.profile.role)
    inbox = client.get("/notifications/").content.decode()
    assert 'data-testid="notification-link"' in inbox


@pytest.mark.django_db
def test_a_hazards_deadline_reminds_the_unit_and_the_police_station_that_found_it():
    township = f.TownshipFactory()
    lead = _lead(township)
    station = f.PoliceStationFactory(county=township.county)
    station.townships.add(township)
    police = f.make_user(Role.POLICE_STATION, police_station=station)
    f.make_user(
        Role.POLICE_STATION, police_station=f.PoliceStationFactory(county=township.county)
    )  # not theirs
    premises = f.PremisesFactory(township=township)
    unit = f.make_user(Role.PREMISES_RESPONSIBLE, premises=premises)
    inspection = f.InspectionFactory(
        premises=premises, kind="police", police_station=station, inspected_on=dt.date(2021, 11, 20)
    )
    hazard = f.HazardFactory(inspection=inspection, deadline=dt.date(2021, 12, 1))
    center = f.make_user(Role.GUIDANCE_CENTER)

    reminders.reminders_run(on=DAY, rules=["hazard_overdue", "hazard_escalate_county"])
    overdue = set(Notification.objects.filter(rule="hazard_overdue").values_list("recipient", flat=True))
    assert overdue == {lead.pk, unit.pk, police.pk}
    escalated = set(
        Notification.objects.filter(rule="hazard_escalate_county").values_list("recipient", flat=True)
    )
    assert center.pk in escalated
    assert all(n.object_id == hazard.pk for n in Notification.objects.all())
