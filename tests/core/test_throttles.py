"""Rate limits of the API: past them a 429 with Retry-After, per client address (the trusted
proxies' word) and, for Excel exports, per user."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from core.models import Role
from tests import factories as f

pytestmark = pytest.mark.django_db

API = "/api/v1"
RATES = {"address": "1000000/minute", "token": "1000000/minute", "export": "1000000/minute"}


def clear(scope, ident):
    cache.delete(f"throttle_{scope}_{ident}")


def test_token_requests_are_limited_per_address(settings):
    settings.API_THROTTLE_RATES = {**RATES, "token": "3/hour"}
    clear("token", "127.0.0.1")
    client = APIClient()
    answers = [
        client.post(f"{API}/auth/token/", {"username": "x", "password": "y"}).status_code for _ in range(4)
    ]
    assert answers == [400, 400, 400, 429]
    limited = client.post(f"{API}/auth/token/", {"username": "x", "password": "y"})
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0


def test_the_address_is_the_trusted_proxys_word_not_the_clients(settings):
    """Behind one declared proxy, the client's address is the one the proxy appended; an address the
    client wrote itself does not give it a fresh count."""
    settings.API_THROTTLE_RATES = {**RATES, "token": "2/hour"}
    settings.TRUSTED_PROXY_COUNT = 1
    clear("token", "203.0.113.9")
    client = APIClient(REMOTE_ADDR="127.0.0.1")
    codes = [
        client.post(
            f"{API}/auth/token/",
            {"username": "x", "password": "y"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.9",
        ).status_code
        for n in range(3)
    ]
    assert codes == [400, 400, 429]


def test_every_request_is_limited_per_address(settings):
    settings.API_THROTTLE_RATES = {**RATES, "address": "5/minute"}
    clear("address", "127.0.0.1")
    user = f.make_user(Role.GUIDANCE_CENTER)
    client = APIClient()
    client.force_login(user)
    codes = [client.get(f"{API}/townships/").status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]


def test_excel_exports_are_limited_per_user_and_other_reads_are_not(settings):
    settings.API_THROTTLE_RATES = {**RATES, "export": "2/hour"}
    users = [f.make_user(Role.GUIDANCE_CENTER), f.make_user(Role.GUIDANCE_CENTER)]
    for user in users:
        clear("export", user.pk)
    client = APIClient()
    client.force_login(users[0])
    codes = [client.get(f"{API}/townships/", {"format": "xlsx"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert client.get(f"{API}/townships/").status_code == 200  # a JSON read is not an export
    other = APIClient()
    other.force_login(users[1])
    assert other.get(f"{API}/townships/", {"format": "xlsx"}).status_code == 200


def test_missing_or_bad_credentials_are_a_401_with_the_challenge():
    anonymous = APIClient().get(f"{API}/townships/")
    assert anonymous.status_code == 401
    assert anonymous["WWW-Authenticate"] == "Token"
    bad = APIClient().get(f"{API}/townships/", HTTP_AUTHORIZATION="Token not-a-real-token")
    assert bad.status_code == 401
    assert bad["WWW-Authenticate"] == "Token"
    # Logged in without a role: known, but refused (403).
    no_role = APIClient()
    no_role.force_login(f.UserFactory())
    assert no_role.get(f"{API}/townships/").status_code == 403
