"""Reads of reminders: a user's own, how many are unread, and how a person is reached outside the
site (their channel choices, addresses and work-group robots)."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import translation

from core.models import Notification, Role, UserProfile
from notifications.models import ROBOTS, Channel, ChannelEndpoint, ChannelPreference, Delivery


def _reads_english(language: str | None) -> bool:
    return (language or translation.get_language() or "").lower().split("-")[0] == "en"


def notification_title(n: Notification, language: str | None = None) -> str:
    """A reminder's title as `language` (default: the active language, the reader's) reads it: its
    English when the reader reads English and the reminder has one, else the Chinese it was written
    in (rows written before English was stored have none). The inbox, the API, the admin and the
    deliveries all read a reminder through this and `notification_text`."""
    return (_reads_english(language) and n.title_en) or n.title


def notification_text(n: Notification, language: str | None = None) -> str:
    """A reminder's text in `language`, like `notification_title`."""
    return (_reads_english(language) and n.text_en) or n.text


def notification_list(*, user, rule: str = "", unread: bool = False) -> QuerySet[Notification]:
    """The user's own reminders, newest first; optionally of one rule, or only the unread."""
    qs = Notification.objects.filter(recipient=user)
    if rule:
        qs = qs.filter(rule=rule)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def notification_rules_of(*, user) -> list[str]:
    """The rules the user has reminders of (for the inbox's filter)."""
    return sorted(set(Notification.objects.filter(recipient=user).values_list("rule", flat=True)))


def unread_count(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


@dataclass(frozen=True)
class Route:
    """Where one message to one person goes: (channel, address, endpoint) per channel that applies."""

    email: str = ""
    phone: str = ""
    sms_endpoint: ChannelEndpoint | None = None
    sms_urgent_only: bool = True
    sms_never: bool = False
    robots: tuple[ChannelEndpoint, ...] = ()
    digest: bool = True

    def targets(self, *, urgent: bool) -> list[tuple[str, str, ChannelEndpoint | None]]:
        found = []
        if self.email:
            found.append((Channel.EMAIL, self.email, None))
        if self.phone and self.sms_endpoint and not self.sms_never and (urgent or not self.sms_urgent_only):
            found.append((Channel.SMS, self.phone, self.sms_endpoint))
        for robot in self.robots:
            found.append((robot.kind, f"endpoint:{robot.pk}", robot))
        return found


def routes(user_ids: Iterable[int]) -> dict[int, Route]:
    """User id -> Route, in four queries whatever the number of users.

    Group robots reach township people (fire leads, principal leaders) in their township's work group
    and county officials and the guidance center in the county's; a robot @-mentions by mobile, so it
    applies only to people with a phone number. SMS uses the township's gateway, else the county's.
    """
    user_ids = set(user_ids)
    users = dict(get_user_model().objects.filter(id__in=user_ids, is_active=True).values_list("id", "email"))
    profiles = {
        p["user_id"]: p
        for p in UserProfile.objects.filter(user_id__in=users).values(
            "user_id", "role", "township_id", "phone"
        )
    }
    prefs = {p.user_id: p for p in ChannelPreference.objects.filter(user_id__in=users)}
    endpoints = list(ChannelEndpoint.objects.filter(enabled=True))
    sms = {e.township_id: e for e in endpoints if e.kind == Channel.SMS}
    robots: dict[int | None, list[ChannelEndpoint]] = {}
    for e in endpoints:
        if e.kind in ROBOTS:
            robots.setdefault(e.township_id, []).append(e)
    result = {}
    for user_id, email in users.items():
        pref = prefs.get(user_id) or ChannelPreference()
        profile = profiles.get(user_id) or {"role": "", "township_id": None, "phone": ""}
        township_id, phone = profile["township_id"], profile["phone"].strip()
        county_level = profile["role"] in (Role.COUNTY_OFFICIAL, Role.GUIDANCE_CENTER) and township_id is None
        group = robots.get(township_id, []) if township_id else (robots.get(None, []) if county_level else [])
        result[user_id] = Route(
            email=email if pref.email else "",
            phone=phone,
            sms_endpoint=sms.get(township_id) or sms.get(None),
            sms_urgent_only=pref.sms == ChannelPreference.Sms.URGENT,
            sms_never=pref.sms == ChannelPreference.Sms.NEVER,
            robots=tuple(group) if pref.robot and phone else (),
            digest=pref.digest,
        )
    return result


def delivery_due_q(now) -> Q:
    """Deliveries a sender may take now: queued or failed and due, or claimed by a worker whose lease
    ran out (it died or hung)."""
    waiting = Q(status__in=[Delivery.Status.QUEUED, Delivery.Status.FAILED], next_attempt_at__lte=now)
    abandoned = Q(status=Delivery.Status.SENDING, lease_until__lt=now)
    return waiting | abandoned


def delivery_failures() -> QuerySet[Delivery]:
    return Delivery.objects.filter(status__in=[Delivery.Status.FAILED, Delivery.Status.GIVEN_UP])
