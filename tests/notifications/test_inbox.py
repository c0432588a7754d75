"""The inbox page: marking one reminder read marks that one, through the page (not the API)."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from core.models import Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _reminders(user, n: int) -> list[Notification]:
    kind = ContentType.objects.get_for_model(user)
    return [
        Notification.objects.create(
            recipient=user,
            rule="hazard_due",
            content_type=kind,
            object_id=user.pk,
            period=f"2026-12-0{i + 1}",
            title=f"提醒{i}",
            text="整改期限将至",
        )
        for i in range(n)
    ]


def test_marking_one_reminder_read_on_the_page_marks_only_that_one(client):
    user = UserFactory()
    _, second, _ = _reminders(user, 3)
    client.force_login(user)

    page = client.get(reverse("notifications:inbox"))
    assert page.status_code == 200
    # The page's forms post to the page's own route, not the API's mark-read of the same old name.
    assert f'action="{reverse("notifications:mark-read")}"' in page.text
    assert "/api/" not in page.text.split("inbox-list", 1)[1]

    answer = client.post(reverse("notifications:mark-read"), {"id": [second.pk]})
    assert answer.status_code == 302
    assert answer["Location"] == reverse("notifications:inbox")
    read = set(Notification.objects.filter(read_at__isnull=False).values_list("pk", flat=True))
    assert read == {second.pk}


def test_marking_all_read_marks_only_the_users_own(client):
    user, other = UserFactory(), UserFactory()
    _reminders(user, 2)
    (others,) = _reminders(other, 1)
    client.force_login(user)
    client.post(reverse("notifications:mark-read"))
    assert not Notification.objects.filter(recipient=user, read_at__isnull=True).exists()
    others.refresh_from_db()
    assert others.read_at is None


def test_a_malformed_id_is_refused_and_marks_nothing(client):
    user = UserFactory()
    _reminders(user, 2)
    client.force_login(user)
    answer = client.post(reverse("notifications:mark-read"), {"id": ["x"]})
    assert answer.status_code == 400
    assert not Notification.objects.filter(read_at__isnull=False).exists()
