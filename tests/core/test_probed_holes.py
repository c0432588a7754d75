"""Holes found by probing a running server (issue 20), each through the door it was found at: a
crafted request is refused with a 400 (never a 500) and writes nothing."""

import pytest
from rest_framework.test import APIClient

from core.models import Role
from inspections.models import ChecklistItem
from tests import factories as f

API = "/api/v1"
JSON = "application/json"
TOO_DEEP = "JSON 嵌套层数过多，不能超过 32 层。"


@pytest.fixture
def center(db):
    return f.make_user(Role.GUIDANCE_CENTER, username="center")


def _center_client(center) -> APIClient:
    client = APIClient()
    client.force_login(center)
    return client


# -- nested JSON --------------------------------------------------------------------------------


def test_deeply_nested_json_on_the_token_endpoint_is_a_400_not_a_500(db):
    client = APIClient()
    response = client.post(f"{API}/auth/token/", "[" * 3000, content_type=JSON)
    assert response.status_code == 400
    assert TOO_DEEP in response.content.decode()
    # A well-formed body still logs in.
    f.UserFactory(username="robot")
    body = '{"username": "robot", "password": "a-long-test-password-1"}'
    response = client.post(f"{API}/auth/token/", body, content_type=JSON)
    assert response.status_code == 200, response.content
    assert response.json()["token"]


@pytest.mark.parametrize(
    "body",
    [
        "[" * 3000,
        "{" + '"a":{' * 3000,
        '{"code": "C09", "text": ' + "[" * 33 + "]" * 33 + "}",
    ],
    ids=["arrays", "objects", "33-deep"],
)
def test_deeply_nested_json_on_a_json_endpoint_is_a_400_and_writes_nothing(center, body):
    before = ChecklistItem.objects.count()
    response = _center_client(center).post(f"{API}/checklist-items/", body, content_type=JSON)
    assert response.status_code == 400
    assert TOO_DEEP in response.content.decode()
    assert ChecklistItem.objects.count() == before


def test_brackets_inside_strings_do_not_count_and_malformed_json_is_a_400(center):
    client = _center_client(center)
    text = "[" * 60 + '\\"{' * 40
    response = client.post(
        f"{API}/checklist-items/", {"code": "C09", "text": text, "order": 9}, format="json"
    )
    assert response.status_code == 201, response.content
    assert ChecklistItem.objects.get(code="C09").text == text
    for broken in ('{"code": "C10", ', '"\\"\\"\\"' * 1000, "\xff"):
        response = client.post(f"{API}/checklist-items/", broken.encode("latin-1"), content_type=JSON)
        assert response.status_code == 400, broken
    assert not ChecklistItem.objects.filter(code="C10").exists()
