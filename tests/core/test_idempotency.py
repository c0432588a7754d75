"""Idempotency-Key on the API: a retried request gets the first answer and writes nothing; the same
key for another request is refused; an answer that wrote nothing is not kept."""

import datetime as dt
import io
import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.test.client import encode_multipart
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from core.models import IdempotencyRecord, Role
from core.services import api_token_issue
from inspections import services as inspection_services
from inspections.models import Hazard, Inspection, Rectification
from inspections.services import local_today
from tests import factories as f
from tests.api_errors import field_errors

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def lead():
    township = f.TownshipFactory(name="北关镇")
    return f.make_user(Role.TOWNSHIP_LEAD, username="beiguan", township=township)


@pytest.fixture
def premises(lead):
    return f.PremisesFactory(township=lead.profile.township, name="北关集贸市场")


def api(user):
    client = APIClient()
    client.force_login(user)
    return client


def inspection_body(premises, **extra):
    return {
        "premises": premises.pk,
        "inspected_on": local_today().isoformat(),
        "inspectors": "赵专干",
        **extra,
    }


def post(client, url, body, key, **kwargs):
    return client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key, **kwargs)


def test_a_retried_create_gets_the_first_answer_and_writes_once(lead, premises):
    client = api(lead)
    first = post(client, f"{API}/inspections/", inspection_body(premises), "phone-8f1c-0001")
    assert first.status_code == 201, first.content
    again = post(client, f"{API}/inspections/", inspection_body(premises), "phone-8f1c-0001")
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Inspection.objects.count() == 1
    # Without a key, or with a new one, the same body is a new record: the key is what says "again".
    assert (
        post(client, f"{API}/inspections/", inspection_body(premises), "phone-8f1c-0002").status_code == 201
    )
    assert Inspection.objects.count() == 2


def test_the_same_key_for_another_request_is_a_422_and_writes_nothing(lead, premises):
    client = api(lead)
    assert post(client, f"{API}/inspections/", inspection_body(premises), "k-1").status_code == 201
    other = post(client, f"{API}/inspections/", inspection_body(premises, inspectors="钱网格员"), "k-1")
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    elsewhere = post(client, f"{API}/checklist-items/", {"code": "X1", "text": "x", "category": "x"}, "k-1")
    assert elsewhere.status_code in (403, 422)  # the route gate refuses the lead before the key is read
    assert Inspection.objects.count() == 1


def test_keys_are_each_users_own(lead, premises):
    other_lead = f.make_user(Role.TOWNSHIP_LEAD, username="beiguan2", township=lead.profile.township)
    assert post(api(lead), f"{API}/inspections/", inspection_body(premises), "same-key").status_code == 201
    theirs = post(api(other_lead), f"{API}/inspections/", inspection_body(premises), "same-key")
    assert theirs.status_code == 201
    assert "Idempotent-Replayed" not in theirs
    assert Inspection.objects.count() == 2


def test_a_refused_request_is_not_kept_and_is_asked_again(lead, premises):
    client = api(lead)
    future = (local_today() + dt.timedelta(days=3)).isoformat()
    refused = post(client, f"{API}/inspections/", inspection_body(premises, inspected_on=future), "k-2")
    assert refused.status_code == 400
    assert not IdempotencyRecord.objects.exists()
    again = post(client, f"{API}/inspections/", inspection_body(premises, inspected_on=future), "k-2")
    assert again.status_code == 400
    assert "Idempotent-Replayed" not in again
    # Corrected, the same key now writes once.
    assert post(client, f"{API}/inspections/", inspection_body(premises), "k-2").status_code == 201
    assert Inspection.objects.count() == 1


def test_a_repeat_while_the_first_is_being_answered_is_a_409_with_retry_after(lead, premises):
    client = api(lead)
    first = post(client, f"{API}/inspections/", inspection_body(premises), "k-3")
    record = IdempotencyRecord.objects.get(key="k-3")
    # The state a first request is in until it is answered: claimed, no answer yet.
    IdempotencyRecord.objects.filter(pk=record.pk).update(status_code=None, content=b"")
    busy = post(client, f"{API}/inspections/", inspection_body(premises), "k-3")
    assert busy.status_code == 409
    assert busy["Retry-After"] == "1"
    assert busy.json()["code"] == "idempotency_in_progress"
    assert first.status_code == 201
    assert Inspection.objects.count() == 1


def test_a_key_is_kept_a_day(lead, premises):
    client = api(lead)
    assert post(client, f"{API}/inspections/", inspection_body(premises), "k-4").status_code == 201
    IdempotencyRecord.objects.update(created_at=timezone.now() - dt.timedelta(days=1, minutes=1))
    later = post(client, f"{API}/inspections/", inspection_body(premises), "k-4")
    assert later.status_code == 201
    assert "Idempotent-Replayed" not in later
    assert Inspection.objects.count() == 2


@pytest.mark.parametrize("key", ["", "x" * 256, "含中文", "tab\tkey"])
def test_a_key_that_is_not_one_is_a_400(lead, premises, key):
    response = post(api(lead), f"{API}/inspections/", inspection_body(premises), key)
    assert response.status_code == 400
    assert "Idempotency-Key" in field_errors(response)
    assert not Inspection.objects.exists()


def png():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(buffer, "PNG")
    return buffer.getvalue()


def test_a_multipart_retry_with_a_new_boundary_is_the_same_request(lead, premises, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    inspection = inspection_services.inspection_record(
        premises=premises,
        inspected_on=local_today(),
        inspectors="赵专干",
        hazards=[
            {
                "severity": "general",
                "description": "出口堵塞",
                "deadline": local_today(),
                "responsible_person": "王",
            }
        ],
        by=lead,
    )
    hazard = inspection.hazards.get()
    inspection_services.hazard_start_rectifying(hazard=hazard, by=lead)
    client = api(lead)
    url = f"{API}/hazards/{hazard.pk}/rectify/"

    def send(boundary, photo):
        data = {
            "rectified_by": "王老板",
            "measures": "清理出口杂物",
            "photo_after": SimpleUploadedFile("after.png", photo, content_type="image/png"),
        }
        return client.post(
            url,
            encode_multipart(boundary, data),
            content_type=f"multipart/form-data; boundary={boundary}",
            HTTP_IDEMPOTENCY_KEY="rectify-1",
        )

    first = send("----phone-boundary-aaaa", png())
    assert first.status_code == 200, first.content
    again = send("----phone-boundary-bbbb", png())
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert Rectification.objects.filter(hazard=hazard).count() == 1
    # Another photo under the same key is another request.
    other = send("----phone-boundary-cccc", png()[:-4] + b"\x00\x00\x00\x00")
    assert other.status_code == 422
    assert Hazard.objects.get().status == "awaiting_verification"


def test_the_schema_documents_the_header_on_posts(lead):
    schema = api(lead).get(f"{API}/schema/").content.decode()
    assert "Idempotency-Key" in schema


@pytest.mark.django_db(transaction=True)
def test_the_same_request_sent_at_once_from_several_threads_writes_once(live_server):
    """A phone that retries before the first answer came: through the real server, at the same time."""
    township = f.TownshipFactory(name="北关镇")
    user = f.make_user(Role.TOWNSHIP_LEAD, township=township)
    premises = f.PremisesFactory(township=township)
    token = api_token_issue(user=user, by=user)[1]
    body = json.dumps(inspection_body(premises)).encode()
    connections.close_all()  # the server threads open their own

    def send(_n):
        request = urllib.request.Request(  # noqa: S310 - http to our own live server
            f"{live_server.url}{API}/inspections/",
            data=body,
            method="POST",
            headers={
                "Authorization": f"Token {token}",
                "Content-Type": "application/json",
                "Idempotency-Key": "sync-0001",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - our own server
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    with ThreadPoolExecutor(max_workers=6) as pool:
        codes = list(pool.map(send, range(6)))
    connections.close_all()
    assert set(codes) <= {201, 409}, codes
    assert 201 in codes
    assert Inspection.objects.count() == 1
    # Once answered, every retry gets the answer.
    assert send(0) == 201
    assert Inspection.objects.count() == 1
