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
        transaction.on_commit(queue_deliveries)
    return created


def queue_deliveries() -> None:
    """Ask a worker to send what is due now. Best effort: if the broker is down the deliveries stay
    queued and the minute's sweep sends them."""
    try:
        deliveries_send.delay()
    except KombuOperationalError:
        logger.warning("broker unavailable; queued deliveries wait for the next sweep")


@shared_task(
    name="deliveries.send",
    acks_late=True,  # a batch lost with its worker is taken up again: each delivery is leased
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    max_retries=8,
    ignore_result=True,
)
def deliveries_send() -> int:
    """Send one batch of due deliveries; when the batch was full, queue the next one."""
    outcomes = services.deliveries_send()
    handled = sum(outcomes.values())
    if handled >= settings.DELIVERY_BATCH_SIZE:
        queue_deliveries()
    return handled


@shared_task(name="deliveries.sweep", ignore_result=True)
def deliveries_sweep() -> int:
    """Every minute (beat): hand out what waits for people without a digest, then send what is due —
    retries whose backoff has passed and deliveries abandoned by a dead worker."""
    services.notifications_dispatch_pending()
    return deliveries_send()


@shared_task(name="digests.build", ignore_result=True)
def digests_build() -> int:
    made = services.digests_build()
    if made:
        queue_deliveries()
    return made
