"""Holes found by probing a running server (issue 20), each through the door it was found at: a
crafted request is refused with a 400 (never a 500) and writes nothing."""

import io

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from core.models import ImportJob, Role
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


# -- the audit trail's client address ---------------------------------------------------------


def _create_item(center, code: str, **headers):
    response = _center_client(center).post(
        f"{API}/checklist-items/",
        {"code": code, "text": "灭火器在有效期内", "order": 1},
        format="json",
        **headers,
    )
    assert response.status_code == 201, response.content
    return ChecklistItem.objects.get(code=code).history.get().ip_address


def test_the_audit_trail_ignores_address_headers_when_no_proxy_is_trusted(center, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    spoofed = {"HTTP_X_REAL_IP": "203.0.113.77", "HTTP_X_FORWARDED_FOR": "203.0.113.78"}
    assert _create_item(center, "C11", REMOTE_ADDR="192.0.2.10", **spoofed) == "192.0.2.10"


@pytest.mark.parametrize(
    "forwarded", ["not-an-ip", "[1.2.3.4, 5.6.7.8]", "9" * 300, "1.2.3.4:80", ", ,", "\x00"]
)
def test_a_malformed_forwarded_address_is_never_a_500(center, settings, forwarded):
    settings.TRUSTED_PROXY_COUNT = 1
    ip = _create_item(
        center, "C12", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR=forwarded, HTTP_X_REAL_IP=forwarded
    )
    assert ip == "192.0.2.10"  # the proxy's own address: the header told nothing usable


def test_the_client_is_read_from_the_trusted_proxies_end_of_the_chain(center, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client claimed 203.0.113.77; our one proxy appended the address it saw.
    chain = {"HTTP_X_FORWARDED_FOR": "203.0.113.77, 198.51.100.7", "REMOTE_ADDR": "10.0.0.2"}
    assert _create_item(center, "C13", **chain) == "198.51.100.7"
    settings.TRUSTED_PROXY_COUNT = 2
    assert _create_item(center, "C14", **chain) == "203.0.113.77"
    settings.TRUSTED_PROXY_COUNT = 3  # a chain shorter than the proxies: the peer
    assert _create_item(center, "C15", **chain) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXIES = ["10.1.0.0/16"]  # a peer that is not our proxy: its header is not read
    assert _create_item(center, "C16", **chain) == "10.0.0.2"
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert _create_item(center, "C17", **chain) == "198.51.100.7"
    assert _create_item(center, "C18", REMOTE_ADDR="fe80::1%eth0") == "fe80::1"


# -- xlsx with control characters ---------------------------------------------------------------

CONTROL = "灭火器\x01过期\x1b两\x0b具"


def _sheet_values(content: bytes) -> list[list]:
    return [list(row) for row in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)]


def test_control_characters_in_stored_data_are_cleaned_from_the_xlsx_export(center):
    client = _center_client(center)
    # It was a 500 after saving the row; Excel is now for reading only: a 406 before any write.
    asked_as_xlsx = client.post(
        f"{API}/checklist-items/?format=xlsx", {"code": "C20", "text": CONTROL, "order": 1}, format="json"
    )
    assert asked_as_xlsx.status_code == 406
    assert not ChecklistItem.objects.filter(code="C20").exists()
    created = client.post(
        f"{API}/checklist-items/", {"code": "C20", "text": CONTROL, "order": 1}, format="json"
    )
    assert created.status_code == 201
    assert ChecklistItem.objects.get(code="C20").text == CONTROL  # stored as given
    listed = client.get(f"{API}/checklist-items/?format=xlsx")
    assert listed.status_code == 200
    rows = _sheet_values(listed.content)
    assert "灭火器过期两具" in rows[1]
    detail = client.get(f"{API}/checklist-items/{ChecklistItem.objects.get(code='C20').pk}/?format=xlsx")
    assert detail.status_code == 200


def test_a_write_asking_for_xlsx_with_control_characters_is_refused_in_json(center):
    """It rendered its error as a workbook and answered 500 on the control characters; a write does
    not answer in Excel at all now: a 406 in JSON, nothing written."""
    before = ChecklistItem.objects.count()
    response = _center_client(center).post(
        f"{API}/checklist-items/?format=xlsx",
        {"code": "\x02" * 30, "text": "x", "order": "\x03"},
        format="json",
    )
    assert response.status_code == 406
    assert response["Content-Type"].startswith("application/json")
    assert ChecklistItem.objects.count() == before


def test_control_characters_are_cleaned_from_the_import_layout_export(client, center):
    county = f.CountyFactory()
    township = f.TownshipFactory(county=county, name="褚庙乡")
    f.PremisesFactory(township=township, name="福民\x07超市")
    client.force_login(center)
    response = client.get("/imports/export/premises.xlsx")
    assert response.status_code == 200
    assert "福民超市" in _sheet_values(response.content)[1]


# -- datetime filters out of the database's range ---------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "2021-11-20T00:00:00+16:00",
        "2021-11-20T00:00:00-23:59",
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:00:00-02:00",
    ],
)
def test_a_datetime_filter_the_database_cannot_take_is_a_400(center, value):
    client = _center_client(center)
    for name in ("created_at__gte", "created_at__lte"):
        response = client.get(f"{API}/notifications/", {name: value})
        assert response.status_code == 400, (name, value, response.content)
        assert "时间超出范围" in response.content.decode()


def test_a_datetime_filter_within_range_still_filters(center):
    client = _center_client(center)
    for value in ("2021-11-20T00:00:00+15:59", "2021-11-20T00:00:00-15:59", "2021-11-20T08:00:00Z"):
        response = client.get(f"{API}/notifications/", {"created_at__gte": value})
        assert response.status_code == 200, (value, response.content)


# -- lockout by username and by address --------------------------------------------------------


def _login(client, username, password, address):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_another_address_buys_no_more_guesses_at_one_username(client, db):
    f.UserFactory(username="lead")
    for i in range(4):
        assert _login(client, "lead", "wrong", f"192.0.2.{i + 1}").status_code == 200
    assert _login(client, "lead", "wrong", "192.0.2.5").status_code == 429  # the fifth locks
    response = _login(client, "lead", "a-long-test-password-1", "198.51.100.9")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_one_address_guessing_many_usernames_is_locked(client, db):
    for name in ("a", "b", "c", "d", "e", "owner"):
        f.UserFactory(username=name)
    for name in ("a", "b", "c", "d", "e"):
        _login(client, name, "wrong", "192.0.2.50")
    assert _login(client, "owner", "a-long-test-password-1", "192.0.2.50").status_code == 429
    # The owner, from its own address, is not locked out by someone else's guessing.
    assert _login(client, "owner", "a-long-test-password-1", "198.51.100.9").status_code == 302


def test_the_token_endpoint_locks_a_username_whatever_the_address(db):
    f.UserFactory(username="robot")
    client = APIClient()
    for i in range(5):
        client.post(
            f"{API}/auth/token/", {"username": "robot", "password": "guess"}, REMOTE_ADDR=f"192.0.2.{i + 1}"
        )
    response = client.post(
        f"{API}/auth/token/",
        {"username": "robot", "password": "a-long-test-password-1"},
        REMOTE_ADDR="203.0.113.1",
    )
    assert response.status_code == 429


# -- request size cap --------------------------------------------------------------------------


def test_a_request_declaring_a_huge_body_is_refused_before_it_is_read(center, settings):
    """The declared length is 200 MB but only a few bytes follow: reading the body would fail, so a
    413 shows it was never read."""
    settings.MAX_REQUEST_BYTES = 40 * 1024 * 1024
    before = ChecklistItem.objects.count()
    response = _center_client(center).post(
        f"{API}/checklist-items/",
        '{"code": "C30", "text": "x"}',
        content_type=JSON,
        CONTENT_LENGTH=str(200 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert response.json()["detail"] == "请求内容过大，不能超过 40 MB。"
    assert ChecklistItem.objects.count() == before


def test_a_json_body_past_the_memory_limit_is_a_413(center):
    before = ChecklistItem.objects.count()
    body = '{"code": "C31", "text": "' + "x" * (3 * 1024 * 1024) + '"}'
    response = _center_client(center).post(f"{API}/checklist-items/", body, content_type=JSON)
    assert response.status_code == 413
    assert "请求内容过大，不能超过 2.5 MB" in response.json()["detail"]
    assert ChecklistItem.objects.count() == before


def test_an_oversized_import_upload_is_refused_before_it_is_read(client, db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(f.make_user(Role.GUIDANCE_CENTER, username="importer"))
    response = client.post(
        "/imports/",
        b"--x--",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(30 * 1024 * 1024),  # under the site-wide cap, over the import's,
    )
    assert response.status_code == 413
    assert "文件过大（30.0 MB），不能超过 5 MB" in response.content.decode()
    assert not ImportJob.objects.exists()
    assert not any(tmp_path.rglob("*"))


@pytest.mark.parametrize("door", ["/accounts/login/", f"{API}/auth/token/"])
def test_a_username_longer_than_any_account_is_a_refused_login_not_a_500(client, db, door):
    for _ in range(5):
        response = client.post(door, {"username": "u" * 300, "password": "guess"})
        assert response.status_code in (200, 400, 429), response.content[:200]
    # Counted as the username cut to its longest possible form: the same name locks.
    assert client.post(door, {"username": "u" * 150, "password": "guess"}).status_code == 429
