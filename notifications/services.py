"""Writes of reminders: a rule's notifications for a batch of objects (idempotent), a whole run, the
email outbox, and marking reminders read. Which rule reminds whom of what is notifications.rules."""

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from core.clock import local_today
from core.models import Notification
from notifications.rules import RULES, reminder_candidates, setting


def reminders_create(*, rule: str, object_ids: list[int], on: dt.date) -> int:
    """Write the notifications of `rule` for these objects on local date `on`; return how many were new.

    Commits in chunks of REMINDER_CHUNK_SIZE so a worker killed half-way keeps what it wrote; the
    unique constraint makes the rerun (redelivery, next beat, run_reminders) add only the rest.
    """
    spec = RULES[rule]
    content_type = ContentType.objects.get_for_model(spec.model)
    drafts = list(spec.build(list(object_ids), on))
    emails = dict(
        get_user_model().objects.filter(id__in={d.recipient_id for d in drafts}).values_list("id", "email")
    )
    chunk = setting("REMINDER_CHUNK_SIZE", 500)
    created = 0
    for start in range(0, len(drafts), chunk):
        rows = [
            Notification(
                recipient_id=d.recipient_id,
                rule=rule,
                content_type=content_type,
                object_id=d.object_id,
                period=d.period,
                title=d.title,
                text=d.text,
                url=d.url,
                email_status=(
                    Notification.EmailStatus.PENDING
                    if emails.get(d.recipient_id)
                    else Notification.EmailStatus.NOT_NEEDED
                ),
            )
            for d in drafts[start : start + chunk]
        ]
        # Counted on the chunk's own objects (the unique index's prefix), so the count stays cheap.
        existing = Notification.objects.filter(
            rule=rule, content_type=content_type, object_id__in={r.object_id for r in rows}
        )
        with transaction.atomic():
            before = existing.count()
            Notification.objects.bulk_create(rows, ignore_conflicts=True)
            created += existing.count() - before
    return created


def reminders_run(
    *, on: dt.date | None = None, now: dt.datetime | None = None, rules: Iterable[str] | None = None
) -> dict[str, int]:
    """Evaluate every rule for local date `on` (default: the local date at `now`), in-process."""
    on = on or local_today(now)
    batch = setting("REMINDER_BATCH_SIZE", 1000)
    result = {}
    for name in rules or RULES:
        ids = reminder_candidates(rule=name, on=on)
        result[name] = sum(
            reminders_create(rule=name, object_ids=ids[i : i + batch], on=on)
            for i in range(0, len(ids), batch)
        )
    return result


def notification_emails_send(*, limit: int = 200) -> int:
    """Outbox: mail pending notifications. Rows are claimed with SKIP LOCKED so two senders never
    mail the same row; a failed send leaves the row pending for the next run."""
    sent = 0
    with transaction.atomic():
        pending = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(email_status=Notification.EmailStatus.PENDING)
            .select_related("recipient")
            .order_by("id")[:limit]
        )
        for n in pending:
            try:
                send_mail(n.title, n.text, None, [n.recipient.email], fail_silently=False)
            except OSError:
                n.email_attempts += 1
                n.save(update_fields=["email_attempts"])
                continue
            n.email_status = Notification.EmailStatus.SENT
            n.email_sent_at = timezone.now()
            n.email_attempts += 1
            n.save(update_fields=["email_status", "email_sent_at", "email_attempts"])
            sent += 1
    return sent


def notification_mark_read(*, user, notification_ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(id__in=list(notification_ids))
    return qs.update(read_at=timezone.now())
