"""API tokens: kept as digests, one per login, expiring, revocable by their owner and by the
guidance center — refused with a 401 that says why once expired or revoked."""

import datetime as dt
import hashlib

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import ApiToken, Role
from core.services import user_create_with_role
from tests import factories as f

API = "/api/v1"
PASSWORD = "Token-user-2021-x"


def log_in(username: str, name: str = "") -> str:
    response = APIClient().post(
        f"{API}/auth/token/", {"username": username, "password": PASSWORD, "name": name}
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def as_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def people(db):
    township = f.TownshipFactory(name="北关镇")
    lead = f.make_user(Role.TOWNSHIP_LEAD, township=township, username="beiguan")
    other = f.make_user(Role.TOWNSHIP_LEAD, township=township, username="beiguan2")
    center = user_create_with_role(username="center", role=Role.GUIDANCE_CENTER, password=PASSWORD)
    for user in (lead, other):
        user.set_password(PASSWORD)
        user.save()
    return lead, other, center


def test_a_login_gives_a_key_that_is_kept_only_as_its_digest(people):
    key = log_in("beiguan", name="张三的手机")
    token = ApiToken.objects.get()
    assert token.name == "张三的手机"
    assert token.digest == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {token.digest, token.prefix, token.name}
    assert key.startswith(token.prefix)
    assert token.expires_at > timezone.now() + dt.timedelta(days=29)
    assert as_token(key).get(f"{API}/townships/").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=None)
    as_token(key).get(f"{API}/townships/")
    assert ApiToken.objects.get().last_used_at is not None


def test_logging_out_one_phone_revokes_its_key_only(people):
    phone, tablet = log_in("beiguan"), log_in("beiguan")
    assert phone != tablet
    assert as_token(phone).delete(f"{API}/auth/token/").status_code == 204
    refused = as_token(phone).get(f"{API}/townships/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"] == "Token"
    assert "已撤销" in refused.json()["detail"]
    assert as_token(tablet).get(f"{API}/townships/").status_code == 200
    revoked = ApiToken.objects.get(revoked_at__isnull=False)
    assert revoked.revoked_by.username == "beiguan"


def test_an_expired_key_or_a_deactivated_user_is_refused_with_a_401(people):
    lead, _other, _center = people
    key = log_in("beiguan")
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    expired = as_token(key).get(f"{API}/townships/", HTTP_ACCEPT_LANGUAGE="en")
    assert expired.status_code == 401
    assert "expired" in expired.json()["detail"]
    fresh = log_in("beiguan")
    lead.is_active = False
    lead.save()
    assert as_token(fresh).get(f"{API}/townships/").status_code == 401
    assert as_token("not-a-key-at-all").get(f"{API}/townships/").status_code == 401


def test_a_person_lists_and_revokes_only_their_own_keys_and_the_center_anyones(people):
    lead_key, other_key, center_key = log_in("beiguan"), log_in("beiguan2"), log_in("center")
    mine = as_token(lead_key).get(f"{API}/auth/tokens/").json()["results"]
    assert [row["user"] for row in mine] == ["beiguan"]
    assert "digest" not in mine[0]
    everyone = as_token(center_key).get(f"{API}/auth/tokens/").json()["results"]
    assert {row["user"] for row in everyone} == {"beiguan", "beiguan2", "center"}

    others = ApiToken.objects.get(user__username="beiguan2")
    # Another lead's token is not even visible to a lead: a 404, and it still works.
    assert as_token(lead_key).delete(f"{API}/auth/tokens/{others.pk}/").status_code == 404
    assert as_token(other_key).get(f"{API}/townships/").status_code == 200

    assert as_token(center_key).delete(f"{API}/auth/tokens/{others.pk}/").status_code == 204
    assert as_token(other_key).get(f"{API}/townships/").status_code == 401
    others.refresh_from_db()
    assert others.revoked_by.username == "center"
    # Revoking twice changes nothing.
    when = others.revoked_at
    assert as_token(center_key).delete(f"{API}/auth/tokens/{others.pk}/").status_code == 204
    others.refresh_from_db()
    assert others.revoked_at == when


def test_the_center_revokes_keys_in_the_admin(people, client):
    key = log_in("beiguan")
    center = people[2]
    client.force_login(center)
    page = client.get("/admin/core/apitoken/")
    assert page.status_code == 200
    assert key not in page.content.decode()
    token = ApiToken.objects.get()
    client.post(
        "/admin/core/apitoken/", {"action": "revoke_tokens", "_selected_action": [token.pk]}, follow=True
    )
    assert as_token(key).get(f"{API}/townships/").status_code == 401


@pytest.mark.django_db(transaction=True)
def test_migrating_turns_plain_keys_into_digests_and_deletes_them():
    call_command("migrate", "core", "0008", verbosity=0)
    try:
        user = f.UserFactory(username="old-client")
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO authtoken_token (key, user_id, created) VALUES (%s, %s, now())",
                ["a" * 40, user.pk],
            )
        call_command("migrate", "core", verbosity=0)
        token = ApiToken.objects.get(user=user)
        assert token.digest == hashlib.sha256(b"a" * 40).hexdigest()
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM authtoken_token")
            assert cursor.fetchone()[0] == 0
    finally:
        call_command("migrate", verbosity=0)
