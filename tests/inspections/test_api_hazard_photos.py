"""Several photos of a hazard, each with the time it was taken and the place, sent by a phone's sync
after the inspection: POST /api/v1/hazards/{id}/photos/ (multipart, one photo a request) with an
`Idempotency-Key`, so that a sync repeated because the answer was lost adds each photo once. The
inspection itself is recorded the same way; a refusal is the API's envelope in Chinese, kept by the
phone on its queued record, and is not kept by the server: the retry is asked again."""

import datetime as dt
import io
import uuid

import pytest
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from core.models import Role
from inspections.models import HazardPhoto, Inspection
from tests import factories as f
from tests.api_errors import field_errors
from tests.inspections.factories import open_hazard, verified_hazard

pytestmark = pytest.mark.django_db

API = "/api/v1"


def jpeg(name="photo.jpg", colour="orange"):
    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), colour).save(buffer, "JPEG")
    buffer.name = name
    buffer.seek(0)
    return buffer


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def lead(township):
    return f.make_user(Role.TOWNSHIP_LEAD, township=township)


@pytest.fixture
def hazard(premises, lead):
    return open_hazard(premises=premises, by=lead)


def send_photo(client, hazard, key, **fields):
    body = {"image": jpeg(), **fields}
    return client.post(
        f"{API}/hazards/{hazard.pk}/photos/", body, format="multipart", HTTP_IDEMPOTENCY_KEY=key
    )


def test_the_township_lead_adds_two_photos_with_their_time_and_place(hazard, lead):
    client = as_user(lead)
    taken = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=5)
    first = send_photo(
        client,
        hazard,
        "rec-1.h0.p0",
        taken_at=taken.isoformat(),
        latitude="34.648100",
        longitude="115.145200",
        accuracy_m="12",
    )
    assert first.status_code == 201, first.content
    second = send_photo(client, hazard, "rec-1.h0.p1", taken_at=(taken + dt.timedelta(minutes=1)).isoformat())
    assert second.status_code == 201, second.content

    photos = second.json()["photos"]
    assert len(photos) == 2
    assert photos[0]["latitude"] == "34.648100"
    assert photos[0]["location_accuracy_m"] == 12
    assert photos[1]["latitude"] is None  # the user did not allow the place for this one
    assert dt.datetime.fromisoformat(photos[0]["taken_at"]) == taken
    stored = list(HazardPhoto.objects.filter(hazard=hazard).order_by("taken_at"))
    assert [p.uploaded_by for p in stored] == [lead, lead]
    assert all(p.image.name.startswith("hazard-photos/") for p in stored)
    # The photo a form sends as before stays the hazard's own, untouched.
    hazard.refresh_from_db()
    assert not hazard.photo_before
    # And the photos are in the hazard's record as every client reads it.
    detail = client.get(f"{API}/hazards/{hazard.pk}/").json()
    assert [p["id"] for p in detail["photos"]] == [p.pk for p in stored]


def test_a_repeated_upload_with_the_same_key_adds_the_photo_once(hazard, lead):
    client = as_user(lead)
    first = send_photo(client, hazard, "rec-2.h0.p0")
    again = send_photo(client, hazard, "rec-2.h0.p0")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert HazardPhoto.objects.filter(hazard=hazard).count() == 1


def test_a_file_that_is_not_a_photo_is_refused_naming_the_field_and_nothing_is_kept(hazard, lead, unchanged):
    fake = io.BytesIO(b"not an image at all")
    fake.name = "photo.jpg"
    client = as_user(lead)
    with unchanged():
        response = client.post(
            f"{API}/hazards/{hazard.pk}/photos/",
            {"image": fake},
            format="multipart",
            HTTP_IDEMPOTENCY_KEY="rec-3.h0.p0",
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    assert response.status_code == 400
    assert "不是有效的图片" in " ".join(field_errors(response)["image"])
    # The refusal is not kept: the same key is asked again (and now succeeds with a real photo).
    assert send_photo(client, hazard, "rec-3.h0.p1").status_code == 201


def test_a_photo_taken_in_the_future_is_refused(hazard, lead, unchanged):
    later = (timezone.now() + dt.timedelta(hours=2)).isoformat()
    with unchanged():
        response = send_photo(as_user(lead), hazard, "rec-4", taken_at=later, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert "拍摄时间不能晚于现在" in response.json()["detail"]


def test_others_may_not_add_photos_and_nothing_is_written(hazard, other_township, station, unchanged):
    other_lead = f.make_user(Role.TOWNSHIP_LEAD, township=other_township)
    police = f.make_user(Role.POLICE_STATION, police_station=station)
    official = f.make_user(Role.COUNTY_OFFICIAL)
    with unchanged():
        # Another township's hazard is not there for them at all.
        assert send_photo(as_user(other_lead), hazard, "x-1").status_code == 404
        # The police station sees the premises but did not record this (the township's) inspection.
        assert send_photo(as_user(police), hazard, "x-2").status_code == 403
        # A county official records no inspections.
        assert send_photo(as_user(official), hazard, "x-3").status_code == 403


def test_a_verified_hazard_takes_no_more_photos(premises, lead, unchanged):
    hazard = verified_hazard(premises=premises, by=lead)
    with unchanged():
        response = send_photo(as_user(lead), hazard, "rec-5", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 409
    assert "已复查销号" in response.json()["detail"]


def test_the_police_station_adds_photos_to_the_hazards_its_inspection_found(premises, station):
    police = f.make_user(Role.POLICE_STATION, police_station=station)
    client = as_user(police)
    recorded = client.post(
        f"{API}/inspections/",
        {
            "premises": premises.pk,
            "inspected_on": timezone.localdate().isoformat(),
            "inspectors": "李警官",
            "hazards": [
                {
                    "severity": "general",
                    "description": "电动车室内充电",
                    "deadline": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
                    "responsible_person": "店主",
                }
            ],
        },
        format="json",
    )
    assert recorded.status_code == 201, recorded.content
    hazard_id = recorded.json()["hazards"][0]["id"]
    response = client.post(f"{API}/hazards/{hazard_id}/photos/", {"image": jpeg()}, format="multipart")
    assert response.status_code == 201, response.content
    assert HazardPhoto.objects.filter(hazard_id=hazard_id, uploaded_by=police).count() == 1


def offline_record(premises, item, **extra):
    """What the phone queued: an inspection with a checklist result and a hazard found on that item."""
    today = timezone.localdate()
    return {
        "premises": premises.pk,
        "inspected_on": today.isoformat(),
        "inspectors": "赵专干",
        "results": [{"item": item.pk, "result": "fail", "note": "堵塞"}],
        "hazards": [
            {
                "severity": "general",
                "description": "安全出口堵塞",
                "deadline": (today + dt.timedelta(days=7)).isoformat(),
                "responsible_person": "王老板",
                "checklist_item": item.pk,
            }
        ],
        "location": {"latitude": "34.648100", "longitude": "115.145200", "accuracy_m": 20},
        **extra,
    }


def test_a_whole_queued_record_synced_twice_is_one_inspection_with_one_hazard_and_its_photos(
    premises, lead, items
):
    client = as_user(lead)
    record_id = str(uuid.uuid4())
    body = offline_record(premises, items[0])

    def sync():
        answer = client.post(f"{API}/inspections/", body, format="json", HTTP_IDEMPOTENCY_KEY=record_id)
        assert answer.status_code == 201, answer.content
        hazard_id = answer.json()["hazards"][0]["id"]
        for n, colour in enumerate(("red", "blue")):
            sent = client.post(
                f"{API}/hazards/{hazard_id}/photos/",
                {"image": jpeg(colour=colour), "taken_at": timezone.now().isoformat()},
                format="multipart",
                HTTP_IDEMPOTENCY_KEY=f"{record_id}.h0.p{n}",
            )
            assert sent.status_code == 201, sent.content
        return answer

    first = sync()
    # The phone never saw the answers (the connection dropped) and syncs the same record again;
    # the photo's time is read again from the queue, so only a byte-identical retry is the same one.
    Inspection.objects.get()  # exactly one
    again = client.post(f"{API}/inspections/", body, format="json", HTTP_IDEMPOTENCY_KEY=record_id)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    inspection = Inspection.objects.get()
    hazard = inspection.hazards.get()
    assert hazard.photos.count() == 2
    assert inspection.results.get().result == "fail"
    assert inspection.latitude is not None


def test_a_record_refused_at_sync_gets_the_chinese_reason_and_is_asked_again_later(
    premises, lead, items, unchanged
):
    """The center retired a checklist item while the phone was offline: the queued record is refused
    with the reason (the phone keeps it on the item); nothing is written and the key is free."""
    client = as_user(lead)
    record_id = str(uuid.uuid4())
    body = offline_record(premises, items[0])
    items[0].is_active = False
    items[0].save()
    with unchanged():
        refused = client.post(
            f"{API}/inspections/",
            body,
            format="json",
            HTTP_IDEMPOTENCY_KEY=record_id,
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    assert refused.status_code == 400
    envelope = refused.json()
    assert "检查项已停用" in envelope["detail"]
    assert not refused.has_header("Idempotent-Replayed")
    # The user corrects the record on the phone (another item) and syncs it again with the same id.
    body["results"][0]["item"] = items[1].pk
    body["hazards"][0]["checklist_item"] = items[1].pk
    retried = client.post(f"{API}/inspections/", body, format="json", HTTP_IDEMPOTENCY_KEY=record_id)
    assert retried.status_code == 201, retried.content
    assert Inspection.objects.count() == 1
