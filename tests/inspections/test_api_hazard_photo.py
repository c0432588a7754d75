"""The photo taken when a hazard was found, sent by the API after the inspection (which is JSON):
PATCH /api/v1/hazards/{id}/ — by the township's lead or the guidance center, validated as a photo."""

import io

import pytest
from PIL import Image
from rest_framework.test import APIClient

from core.models import Role
from inspections.models import Hazard
from tests import factories as f
from tests.api_errors import field_errors

pytestmark = pytest.mark.django_db


def png(name="found.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "orange").save(buffer, "PNG")
    buffer.name = name
    buffer.seek(0)
    return buffer


@pytest.fixture
def hazard():
    premises = f.PremisesFactory(township=f.TownshipFactory(name="北关镇"))
    return f.HazardFactory(inspection=f.InspectionFactory(premises=premises))


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_township_lead_attaches_the_photo_taken_when_the_hazard_was_found(hazard):
    lead = f.make_user(Role.TOWNSHIP_LEAD, township=hazard.township)
    response = as_user(lead).patch(
        f"/api/v1/hazards/{hazard.pk}/", {"photo_before": png()}, format="multipart"
    )
    assert response.status_code == 200, response.content
    hazard.refresh_from_db()
    assert hazard.photo_before.name.startswith("hazards/")
    assert hazard.status == Hazard.Status.OPEN
    assert hazard.history.first().history_user == lead


def test_a_file_that_is_not_a_photo_is_refused_naming_the_field(hazard):
    lead = f.make_user(Role.TOWNSHIP_LEAD, township=hazard.township)
    fake = io.BytesIO(b"not an image")
    fake.name = "found.png"
    response = as_user(lead).patch(
        f"/api/v1/hazards/{hazard.pk}/", {"photo_before": fake}, format="multipart"
    )
    assert response.status_code == 400
    assert "photo_before" in field_errors(response)
    hazard.refresh_from_db()
    assert not hazard.photo_before


def test_others_may_not_correct_a_hazard_and_nobody_replaces_one_whole(hazard):
    police = f.make_user(Role.POLICE_STATION, police_station=f.PoliceStationFactory())
    refused = as_user(police).patch(
        f"/api/v1/hazards/{hazard.pk}/", {"photo_before": png()}, format="multipart"
    )
    assert refused.status_code == 403
    other_lead = f.make_user(Role.TOWNSHIP_LEAD, township=f.TownshipFactory(name="褚庙乡"))
    assert (
        as_user(other_lead).patch(f"/api/v1/hazards/{hazard.pk}/", {"description": "改"}).status_code == 404
    )
    center = f.make_user(Role.GUIDANCE_CENTER)
    assert as_user(center).put(f"/api/v1/hazards/{hazard.pk}/", {"description": "改"}).status_code == 405
    hazard.refresh_from_db()
    assert not hazard.photo_before
    assert hazard.description == "安全出口堵塞"


def test_the_status_and_the_deadline_are_refused_by_name_and_nothing_changes(hazard):
    lead = f.make_user(Role.TOWNSHIP_LEAD, township=hazard.township)
    response = as_user(lead).patch(
        f"/api/v1/hazards/{hazard.pk}/",
        {"status": "verified", "deadline": "2099-01-01", "description": "改"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert set(field_errors(response)) == {"status", "deadline"}
    assert "整改、复查、延期" in field_errors(response)["status"][0]
    hazard.refresh_from_db()
    assert (hazard.status, hazard.description) == (Hazard.Status.OPEN, "安全出口堵塞")
