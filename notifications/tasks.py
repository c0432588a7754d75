"""Thin Celery adapters over the reminder services: take ids and a date, call one service."""

import datetime as dt
import logging

from celery import shared_task
from django.conf import settings
from django.db import OperationalError, transaction
from kombu.exceptions import OperationalError as KombuOperationalError

from core.clock import local_today
from notifications import rules, services

logger = logging.getLogger(__name__)

# Only transient faults are retried: a lost database connection or a broker hiccup.
TRANSIENT = (OperationalError, ConnectionError, TimeoutError)


@shared_task(name="reminders.dispatch", ignore_result=True)
def reminders_dispatch(on: str | None = None) -> int:
    """Beat entry point: split each rule's objects into batches, one task a batch.

    `on` defaults to today's local date (Asia/Shanghai), not the UTC one.
    """
    day = dt.date.fromisoformat(on) if on else local_today()
    batch = settings.REMINDER_BATCH_SIZE
    queued = 0
    for rule in rules.RULES:
        ids = rules.reminder_candidates(rule=rule, on=day)
        for start in range(0, len(ids), batch):
            reminders_evaluate.delay(rule, ids[start : start + batch], day.isoformat())
            queued += 1
    return queued


@shared_task(
    name="reminders.evaluate",
    acks_late=True,  # safe: reminders_create is idempotent
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=8,
    ignore_result=True,
)
def reminders_evaluate(rule: str, object_ids: list[int], on: str) -> int:
    created = services.reminders_create(rule=rule, object_ids=object_ids, on=dt.date.fromisoformat(on))
    if created:
        transaction.on_commit(_queue_emails)
    return created


def _queue_emails() -> None:
    # Best effort: if the broker is down the rows stay pending and the 5-minute beat sends them.
    try:
        notifications_send_emails.delay()
    except KombuOperationalError:
        logger.warning("broker unavailable; pending reminder emails wait for the next outbox run")


@shared_task(
    name="notifications.send_emails",
    acks_late=True,
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    max_retries=8,
    ignore_result=True,
)
def notifications_send_emails() -> int:
    return services.notification_emails_send()
