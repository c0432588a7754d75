"""Every API refusal in one envelope — {type, code, detail, errors[{attr, code, detail}]} — in the
request's language, with the status that says what kind of refusal it is, and documented so in the
schema (one Error component per status)."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from core.api_schema import REFUSALS
from core.models import Role
from core.services import api_token_issue
from inspections.models import Hazard
from tests import factories as f
from tests.api_errors import field_errors

pytestmark = pytest.mark.django_db

API = "/api/v1"
KEYS = {"type", "code", "detail", "errors"}


def envelope(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == KEYS, body
    assert body["code"] == code, body
    assert body["type"] == ("validation_error" if code == "invalid" else "client_error")
    return body


@pytest.fixture
def center():
    client = APIClient()
    client.force_authenticate(f.make_user(Role.GUIDANCE_CENTER))
    return client


@pytest.fixture
def lead():
    township = f.TownshipFactory(name="北关镇")
    client = APIClient()
    client.force_authenticate(f.make_user(Role.TOWNSHIP_LEAD, township=township))
    client.township = township
    return client


@pytest.mark.parametrize(
    ("language", "message"), [("zh-hans", "该字段是必填项。"), ("en", "This field is required.")]
)
def test_missing_fields_are_each_named_in_the_readers_language(center, language, message):
    body = envelope(
        center.post(f"{API}/checklist-items/", {}, format="json", HTTP_ACCEPT_LANGUAGE=language),
        400,
        "invalid",
    )
    assert {error["attr"] for error in body["errors"]} >= {"code", "text"}
    assert all(error["code"] == "required" and error["detail"] == message for error in body["errors"])
    assert str(len(body["errors"])) in body["detail"]


def test_a_nested_rows_field_is_named_by_its_path(lead):
    premises = f.PremisesFactory(township=lead.township)
    hazard = {"severity": "general", "description": "安全出口堵塞", "responsible_person": "王老板"}
    response = lead.post(
        f"{API}/inspections/",
        {
            "premises": premises.pk,
            "kind": "township",
            "inspected_on": "2021-11-20",
            "inspectors": "赵专干",
            "hazards": [{**hazard, "deadline": "2021-11-30"}, {**hazard, "deadline": "2021-11-01"}],
        },
        format="json",
    )
    assert response.status_code == 400, response.content
    assert field_errors(response) == {"hazards.1.deadline": ["整改期限不能早于发现日期。"]}
    assert response.json()["detail"] == "整改期限不能早于发现日期。"


@pytest.mark.parametrize(("language", "word"), [("zh-hans", "JSON"), ("en", "JSON")])
def test_malformed_json_is_a_parse_error(center, language, word):
    response = center.generic(
        "POST",
        f"{API}/checklist-items/",
        "{not json",
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert word in envelope(response, 400, "parse_error")["detail"]


def test_no_credentials_or_a_bad_token_is_a_401_with_its_challenge():
    anonymous = APIClient().get(f"{API}/hazards/")
    envelope(anonymous, 401, "not_authenticated")
    assert anonymous["WWW-Authenticate"] == "Token"
    bad = APIClient().get(f"{API}/hazards/", HTTP_AUTHORIZATION="Token nope", HTTP_ACCEPT_LANGUAGE="en")
    assert "expired" in envelope(bad, 401, "authentication_failed")["detail"]
    assert bad["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize(
    ("language", "message"),
    [("zh-hans", "未找到该记录，或您无权查看。"), ("en", None)],
)
def test_an_object_out_of_reach_is_a_404_in_words(lead, language, message):
    elsewhere = f.HazardFactory()
    body = envelope(
        lead.get(f"{API}/hazards/{elsewhere.pk}/", HTTP_ACCEPT_LANGUAGE=language), 404, "not_found"
    )
    if message:
        assert body["detail"] == message
    else:
        assert "No Hazard" not in body["detail"]
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"])


def test_a_role_refused_by_the_policy_is_a_403_in_its_words(lead):
    body = envelope(lead.post(f"{API}/meetings/", {}, format="json"), 403, "permission_denied")
    assert body["detail"] == "只有本县消防工作办公室或指导中心可以登记会议。"


def test_a_method_not_served_and_a_format_not_offered(center):
    envelope(center.delete(f"{API}/checklist-items/"), 405, "method_not_allowed")
    envelope(center.post(f"{API}/checklist-items/?format=xlsx", {}, format="json"), 406, "not_acceptable")
    envelope(
        center.generic("POST", f"{API}/checklist-items/", "code=x", content_type="text/plain"),
        415,
        "unsupported_media_type",
    )


def test_a_step_the_hazards_state_refuses_is_a_409_and_changes_nothing(lead):
    premises = f.PremisesFactory(township=lead.township)
    hazard = f.HazardFactory(inspection=f.InspectionFactory(premises=premises))
    response = lead.post(
        f"{API}/hazards/{hazard.pk}/reinspect/",
        {"inspectors": "赵专干", "passed": True, "note": ""},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    body = envelope(response, 409, "conflict")
    assert "re-inspect" in body["detail"].lower() or "awaiting" in body["detail"].lower()
    hazard.refresh_from_db()
    assert hazard.status == Hazard.Status.OPEN


def test_a_stale_if_match_is_a_412(lead):
    premises = f.PremisesFactory(township=lead.township)
    url = f"{API}/premises/{premises.pk}/"
    response = lead.patch(url, {"manager": "钱新"}, format="json", HTTP_IF_MATCH='"stale"')
    envelope(response, 412, "stale")


def test_a_reused_idempotency_key_is_a_422(center):
    url = f"{API}/checklist-items/"
    first = center.post(url, {"code": "X1", "text": "一"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201, first.content
    envelope(
        center.post(url, {"code": "X2", "text": "二"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"),
        422,
        "idempotency_key_reused",
    )


def test_too_large_a_body_is_a_413(center, settings):
    settings.MAX_REQUEST_BYTES = 1024
    response = center.post(f"{API}/checklist-items/", {"text": "x" * 4096}, format="json")
    envelope(response, 413, "too_large")


def test_throttled_and_locked_out_are_429s_that_say_when_to_come_back(settings):
    settings.API_THROTTLE_RATES = {"address": "1000000/minute", "token": "1/hour", "export": "1000000/minute"}
    cache.delete("throttle_token_127.0.0.1")
    client = APIClient()
    client.post(f"{API}/auth/token/", {"username": "x", "password": "y"})
    throttled = client.post(f"{API}/auth/token/", {"username": "x", "password": "y"})
    envelope(throttled, 429, "throttled")
    assert int(throttled["Retry-After"]) > 0

    settings.API_THROTTLE_RATES = {
        "address": "1000000/minute",
        "token": "1000000/minute",
        "export": "1000000/minute",
    }
    user = f.UserFactory(username="robot")
    user.set_password("a-long-test-password-1")
    user.save()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(f"{API}/auth/token/", {"username": "robot", "password": "guess"})
    locked = client.post(f"{API}/auth/token/", {"username": "robot", "password": "a-long-test-password-1"})
    body = envelope(locked, 429, "locked")
    assert "锁定" in body["detail"]
    assert int(locked["Retry-After"]) > 0


def test_the_schema_documents_every_refusal_with_its_error_component(center):
    user = f.make_user(Role.GUIDANCE_CENTER, username="schema-reader")
    schema = (
        APIClient()
        .get(
            f"{API}/schema/?format=json", HTTP_AUTHORIZATION=f"Token {api_token_issue(user=user, by=user)[1]}"
        )
        .json()
    )
    components = schema["components"]["schemas"]
    for status in REFUSALS:
        assert set(components[f"Error{status}"]["required"]) == KEYS
    operations = [(path, method, op) for path, item in schema["paths"].items() for method, op in item.items()]
    assert len(operations) > 90
    for path, method, operation in operations:
        for status in ("400", "401", "403", "429"):
            content = operation["responses"][status]["content"]["application/json"]["schema"]
            assert content == {"$ref": f"#/components/schemas/Error{status}"}, (path, method, status)
        if method in ("post", "put", "patch", "delete"):
            assert "409" in operation["responses"], (path, method)
        if method in ("put", "patch"):
            assert "412" in operation["responses"], (path, method)


def test_an_api_path_that_names_nothing_is_a_json_404_and_a_page_path_the_404_page(center):
    envelope(center.get(f"{API}/hazards/not-a-number/"), 404, "not_found")
    page = center.get("/townships/not-a-page/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")


def test_a_refusal_is_json_even_when_a_workbook_was_asked_for(center):
    response = center.get(f"{API}/hazards/?format=xlsx&deadline_after=not-a-date")
    assert response["Content-Type"].startswith("application/json")
    assert "deadline_after" in field_errors(response)


def test_the_browsable_api_shows_a_refusal_on_its_page(center):
    response = center.get(f"{API}/hazards/999999/", HTTP_ACCEPT="text/html")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert "not_found" in response.content.decode()
