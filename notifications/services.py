"""Writes of reminders and of what leaves the site.

- `notifications_write`: a rule's notifications (idempotent); urgent ones are handed to the channels
  at once, in the same transaction;
- `reminders_create` / `reminders_run`: the daily rules (notifications.rules);
- `digests_build`: everything not urgent, one summary per person;
- `deliveries_send`: put due deliveries on the wire, record each outcome, retry with backoff, give up
  after DELIVERY_MAX_ATTEMPTS with the reason;
- `deliveries_resend`, `channel_preference_set`, `notification_mark_read`.
Which rule reminds whom of what is notifications.rules; events are notifications.events.
"""

import datetime as dt
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.clock import local_today
from core.exceptions import ApplicationError
from core.models import Notification
from core.services import model_update
from notifications import access, channels, selectors
from notifications.models import ROBOTS, Channel, ChannelEndpoint, ChannelPreference, Delivery
from notifications.rules import RULE_LABELS, RULES, Draft, reminder_candidates, setting

logger = logging.getLogger(__name__)


def notification_key(n: Notification) -> str:
    """A message's identity on a channel: the notification's once-only key without its recipient
    (the address stands for the recipient), so a group robot posts an event once for everyone."""
    return f"n:{n.rule}:{n.content_type_id}:{n.object_id}:{n.period}"


def notifications_write(*, rule: str, model: type, drafts: Sequence[Draft], urgent: bool = False) -> int:
    """Write the notifications of `rule` (the unique constraint drops repeats); return how many were
    new. Urgent ones get their deliveries at once; the rest wait for the person's digest."""
    content_type = ContentType.objects.get_for_model(model)
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
                township_id=d.township_id,
                title=d.title[:200],
                text=d.text,
                title_en=d.title_en[:200],
                text_en=d.text_en,
                url=d.url,
                urgent=urgent,
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
            if urgent:
                notifications_dispatch(
                    existing.filter(
                        dispatched_at__isnull=True, recipient_id__in={r.recipient_id for r in rows}
                    )
                )
    return created


def reminders_create(*, rule: str, object_ids: list[int], on: dt.date) -> int:
    """Write the notifications of `rule` for these objects on local date `on`; return how many were new.

    Commits in chunks of REMINDER_CHUNK_SIZE so a worker killed half-way keeps what it wrote; the
    unique constraint makes the rerun (redelivery, next beat, run_reminders) add only the rest.
    """
    spec = RULES[rule]
    return notifications_write(rule=rule, model=spec.model, drafts=list(spec.build(list(object_ids), on)))


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


# -- handing notifications to the channels ---------------------------------------------------------


def _deliveries_for(
    route: selectors.Route, *, key: str, urgent: bool, title: str, text: str, url: str, **links
) -> list[Delivery]:
    now = timezone.now()
    return [
        Delivery(
            channel=channel,
            address=address,
            endpoint=endpoint,
            key=key,
            mentions=[route.phone] if channel in ROBOTS else [],
            title=title[:200],
            text=text,
            url=url[:300],
            urgent=urgent,
            next_attempt_at=now,
            **links,
        )
        for channel, address, endpoint in route.targets(urgent=urgent)
    ]


def notifications_dispatch(notifications: Iterable[Notification]) -> int:
    """Give each notification its own deliveries (urgent ones, and everything for people who chose no
    digest) and mark them handed out; the rest are left to `digests_build`. Returns deliveries made.
    They say the reminder in the deliveries' language (channels.DELIVERY_LANGUAGE).

    A group robot posts one message for a notification's object however many of the group it
    concerns, @-mentioning each of them."""
    notifications = list(notifications)
    routes = selectors.routes({n.recipient_id for n in notifications})
    handed: list[int] = []
    personal: list[Delivery] = []
    robots: dict[tuple[str, str], Delivery] = {}
    for n in notifications:
        route = routes.get(n.recipient_id)
        if route is not None and not n.urgent and route.digest:
            continue  # the digest takes it
        handed.append(n.id)
        if route is None:
            continue  # an inactive account: the inbox keeps it, nothing leaves the site
        for d in _deliveries_for(
            route,
            key=notification_key(n),
            urgent=n.urgent,
            title=selectors.notification_title(n, channels.DELIVERY_LANGUAGE),
            text=selectors.notification_text(n, channels.DELIVERY_LANGUAGE),
            url=n.url,
            notification_id=n.id,
            recipient_id=n.recipient_id,
        ):
            if d.channel not in ROBOTS:
                personal.append(d)
                continue
            group = robots.setdefault((d.address, d.key), d)
            if group is not d and route.phone not in group.mentions:
                group.mentions.append(route.phone)
    for group in robots.values():
        group.recipient_id = None  # a group message: the mentions are its recipients
    made = Delivery.objects.bulk_create([*personal, *robots.values()], ignore_conflicts=True)
    Notification.objects.filter(id__in=handed).update(dispatched_at=timezone.now())
    return len(made)


def notifications_dispatch_pending() -> int:
    """Hand out what is waiting for people who want each reminder at once (no digest), and urgent
    notifications whose hand-out did not happen (written before a channel existed, say)."""
    waiting = Notification.objects.filter(dispatched_at__isnull=True).filter(
        Q(urgent=True) | Q(recipient__channel_preference__digest=False)
    )
    return notifications_dispatch(waiting.order_by("id")[: settings.DELIVERY_BATCH_SIZE * 5])


def digest_text(rows: Sequence[Notification], *, on: dt.date) -> tuple[str, str]:
    """One message for many reminders: how many of each kind, and in which townships. In the active
    language: `digests_build` writes it in the deliveries' language (channels.DELIVERY_LANGUAGE)."""
    by_rule: dict[str, Counter] = defaultdict(Counter)
    for n in rows:
        by_rule[n.rule][n.township.name if n.township_id else ""] += 1
    lines = []
    for rule, townships in sorted(by_rule.items(), key=lambda item: -sum(item[1].values())):
        # Translators: what separates the townships of a list.
        where = _("、").join(
            _("%(township)s %(n)s 条") % {"township": name, "n": count}
            for name, count in townships.most_common()
            if name
        )
        values = {"label": RULE_LABELS.get(rule, rule), "n": sum(townships.values()), "where": where}
        line = _("· %(label)s：%(n)s 条（%(where)s）") if where else _("· %(label)s：%(n)s 条")
        lines.append(line % values)
    title = ngettext(
        "消防工作提醒汇总（%(day)s）：共 %(n)s 条", "消防工作提醒汇总（%(day)s）：共 %(n)s 条", len(rows)
    ) % {"day": f"{on:%Y-%m-%d}", "n": len(rows)}
    return title, "\n".join(lines)


def digests_build(*, now: dt.datetime | None = None) -> int:
    """One summary per person of everything not yet handed out, with a link to their unread
    reminders; the notifications are then handed out. Returns how many digests were made.

    Each person's rows are locked (SKIP LOCKED) while their digest is written, so two runs at once
    never send one reminder twice; the digest's key is its last reminder, so a rerun adds nothing."""
    now = now or timezone.now()
    on = local_today(now)
    url = f"{reverse('notifications:inbox')}?unread=1"
    recipients = sorted(
        set(Notification.objects.filter(dispatched_at__isnull=True).values_list("recipient_id", flat=True))
    )
    routes = selectors.routes(recipients)
    made = 0
    for recipient_id in recipients:
        with transaction.atomic():
            rows = list(
                Notification.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(recipient_id=recipient_id, dispatched_at__isnull=True)
                .select_related("township")
                .order_by("id")
            )
            if not rows:
                continue
            route = routes.get(recipient_id)
            if route is not None:
                with translation.override(channels.DELIVERY_LANGUAGE):
                    title, text = digest_text(rows, on=on)
                deliveries = _deliveries_for(
                    route,
                    key=f"d:{recipient_id}:{rows[-1].id}",
                    urgent=False,
                    title=title,
                    text=text,
                    url=url,
                    recipient_id=recipient_id,
                )
                made += bool(Delivery.objects.bulk_create(deliveries, ignore_conflicts=True))
            Notification.objects.filter(id__in=[n.id for n in rows]).update(dispatched_at=now)
    return made


# -- sending ---------------------------------------------------------------------------------------


def _deliveries_claim(*, limit: int, now: dt.datetime) -> list[Delivery]:
    """Take up to `limit` due deliveries for this worker: marked sending, with a lease, one attempt
    more — committed before anything is sent, so another worker never takes the same ones."""
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(selectors.delivery_due_q(now))
            .order_by("next_attempt_at", "id")
            .values_list("id", flat=True)[:limit]
        )
        Delivery.objects.filter(id__in=ids).update(
            status=Delivery.Status.SENDING,
            lease_until=now + dt.timedelta(seconds=settings.DELIVERY_LEASE_SECONDS),
            attempts=F("attempts") + 1,
            updated_at=now,
        )
    return list(Delivery.objects.filter(id__in=ids).select_related("endpoint").order_by("id"))


def _attempt(delivery: Delivery) -> str | None:
    """Send one; None when the channel took it, else the reason (no database access: runs in a thread).
    The message and the stored reason are in the deliveries' language (channels.DELIVERY_LANGUAGE)."""
    with translation.override(channels.DELIVERY_LANGUAGE):
        try:
            channels.send(delivery)
        except channels.SendError as exc:
            return str(exc)
        except Exception as exc:
            logger.exception("delivery %s: unexpected error", delivery.pk)
            return _("发送程序出错（%(error)s）") % {"error": type(exc).__name__}
    return None


def retry_delay(attempts: int) -> dt.timedelta:
    """Backoff after the `attempts`-th failure: base, 2×base, 4×base …, capped."""
    seconds = settings.DELIVERY_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=min(seconds, settings.DELIVERY_RETRY_MAX_SECONDS))


def _outcome(delivery: Delivery, error: str | None) -> tuple[str, str, int]:
    """(status, reason, attempts) for one delivery's result."""
    if error is None:
        return Delivery.Status.SENT, "", delivery.attempts
    if delivery.attempts >= settings.DELIVERY_MAX_ATTEMPTS:
        logger.warning("delivery %s given up after %s attempts: %s", delivery.id, delivery.attempts, error)
        return Delivery.Status.GIVEN_UP, error[:300], delivery.attempts
    return Delivery.Status.FAILED, error[:300], delivery.attempts


def _outcomes_record(results: list[tuple[Delivery, str | None]]) -> Counter:
    """Store outcomes, one UPDATE per kind of outcome; only rows still claimed are touched."""
    now = timezone.now()
    groups: dict[tuple[str, str, int], list[int]] = defaultdict(list)
    for delivery, error in results:
        groups[_outcome(delivery, error)].append(delivery.id)
    counts: Counter = Counter()
    for (status, reason, attempts), ids in groups.items():
        values = {"status": status, "last_error": reason, "lease_until": None, "updated_at": now}
        if status == Delivery.Status.SENT:
            values["sent_at"] = now
        elif status == Delivery.Status.FAILED:
            values["next_attempt_at"] = now + retry_delay(attempts)
        Delivery.objects.filter(id__in=ids, status=Delivery.Status.SENDING).update(**values)
        counts[status] += len(ids)
    return counts


# Outcomes are written at least this often while a batch is sending: what a killed worker had sent
# is then on record, bar the last moment's.
RECORD_EVERY_SECONDS = 0.1
RECORD_EVERY_ROWS = 50


def deliveries_send(*, limit: int | None = None) -> Counter:
    """Send one batch of due deliveries, several at once (DELIVERY_THREADS); return the outcomes.

    Outcomes are recorded as they come (every RECORD_EVERY_SECONDS or RECORD_EVERY_ROWS). A channel
    that fails or times out costs only its own deliveries a retry; after DELIVERY_MAX_ATTEMPTS one is
    given up with the last reason. A delivery whose worker died while sending is taken up again when
    its lease runs out: at least once, never lost."""
    claimed = _deliveries_claim(limit=limit or settings.DELIVERY_BATCH_SIZE, now=timezone.now())
    outcomes: Counter = Counter()
    if not claimed:
        return outcomes
    pending: list[tuple[Delivery, str | None]] = []
    last = time.monotonic()
    with ThreadPoolExecutor(max_workers=max(1, min(settings.DELIVERY_THREADS, len(claimed)))) as pool:
        futures = {pool.submit(_attempt, d): d for d in claimed}
        for future in as_completed(futures):
            pending.append((futures[future], future.result()))
            if len(pending) >= RECORD_EVERY_ROWS or time.monotonic() - last >= RECORD_EVERY_SECONDS:
                outcomes.update(_outcomes_record(pending))
                pending, last = [], time.monotonic()
    outcomes.update(_outcomes_record(pending))
    return outcomes


def deliveries_resend(*, deliveries: Iterable[Delivery], by=None) -> int:
    """Queue failed or given-up deliveries again, from the first attempt (the center, from the admin)."""
    access.check_channel_write(by=by)
    ids = [d.pk for d in deliveries]
    return Delivery.objects.filter(
        id__in=ids, status__in=[Delivery.Status.FAILED, Delivery.Status.GIVEN_UP]
    ).update(status=Delivery.Status.QUEUED, attempts=0, next_attempt_at=timezone.now(), last_error="")


PREFERENCE_FIELDS = frozenset({"email", "sms", "robot", "digest"})


@transaction.atomic
def channel_preference_set(*, user, data: dict, by=None) -> ChannelPreference:
    """How `user` is reached (keys of PREFERENCE_FIELDS)."""
    access.check_preference_write(by=by, user=user)
    preference, _created = ChannelPreference.objects.get_or_create(user=user)
    return model_update(preference, data=data, allowed=PREFERENCE_FIELDS, by=by)


def notification_mark_read(*, user, notification_ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(id__in=list(notification_ids))
    return qs.update(read_at=timezone.now())


def channel_endpoint_validate(*, endpoint: ChannelEndpoint) -> None:
    if endpoint.kind == Channel.SMS:
        missing = [
            str(ChannelEndpoint._meta.get_field(name).verbose_name)
            for name in ("access_key_id", "sign_name", "template_code")
            if not getattr(endpoint, name).strip()
        ]
        if missing:
            raise ApplicationError(_("短信渠道须填写：%(fields)s。") % {"fields": "、".join(missing)})


@transaction.atomic
def channel_endpoint_save(*, endpoint: ChannelEndpoint, by=None) -> ChannelEndpoint:
    """Create or change a group robot or the SMS gateway (the guidance center)."""
    access.check_channel_write(by=by)
    channel_endpoint_validate(endpoint=endpoint)
    endpoint.full_clean()
    endpoint.save()
    return endpoint


@transaction.atomic
def channel_endpoint_delete(*, endpoint: ChannelEndpoint, by=None) -> None:
    """Its deliveries stay on record; those not yet sent are given up when their turn comes."""
    access.check_channel_write(by=by)
    endpoint.delete()
