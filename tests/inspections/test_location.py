"""Where an inspection was recorded: the phone's place kept on the inspection, placing a premises
that has none yet; a place out of range refused at every door, with nothing written."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from core.exceptions import ApplicationError
from core.models import Role
from inspections import services
from inspections.models import Inspection
from inspections.services import local_today
from tests.api_errors import refused_fields
from tests.factories import PremisesFactory, make_user
from townships import services as township_services
from townships.models import Premises

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(township):
    return make_user(Role.TOWNSHIP_LEAD, username="chumiao_lead", township=township)


def record(premises, lead, location):
    return services.inspection_record(
        premises=premises, inspected_on=local_today(), inspectors="赵专干", location=location, by=lead
    )


def test_the_place_is_kept_and_places_a_premises_that_had_none(premises, lead):
    inspection = record(
        premises, lead, {"latitude": "34.612345", "longitude": "115.123456", "accuracy_m": 12}
    )
    assert (inspection.latitude, inspection.longitude, inspection.location_accuracy_m) == (
        Decimal("34.612345"),
        Decimal("115.123456"),
        12,
    )
    premises.refresh_from_db()
    assert (premises.latitude, premises.longitude) == (Decimal("34.612345"), Decimal("115.123456"))
    assert premises.history.first().history_user == lead


def test_a_located_premises_is_not_moved_by_a_later_inspection(premises, lead):
    record(premises, lead, {"latitude": "34.6", "longitude": "115.1", "accuracy_m": 10})
    second = record(premises, lead, {"latitude": "34.7", "longitude": "115.2", "accuracy_m": 5})
    assert second.latitude == Decimal("34.7")  # the inspection keeps its own place
    premises.refresh_from_db()
    assert (premises.latitude, premises.longitude) == (Decimal("34.6"), Decimal("115.1"))


def test_a_coarse_fix_is_kept_on_the_inspection_but_does_not_place_the_premises(premises, lead):
    inspection = record(premises, lead, {"latitude": "34.6", "longitude": "115.1", "accuracy_m": 900})
    assert inspection.location_accuracy_m == 900
    premises.refresh_from_db()
    assert premises.latitude is None
    assert premises.longitude is None


def test_no_place_is_no_place(premises, lead):
    inspection = record(premises, lead, {"latitude": "", "longitude": "", "accuracy_m": ""})
    assert inspection.latitude is None
    assert inspection.location_accuracy_m is None
    premises.refresh_from_db()
    assert premises.latitude is None


@pytest.mark.parametrize(
    ("location", "reason"),
    [
        ({"latitude": "95", "longitude": "115.1"}, "纬度须在"),
        ({"latitude": "34.6", "longitude": "-181"}, "经度须在"),
        ({"latitude": "34.6", "longitude": ""}, "同时填写"),
        ({"latitude": "北纬34", "longitude": "115.1"}, "须为数字"),
        ({"latitude": "nan", "longitude": "115.1"}, "须为数字"),
        ({"latitude": "34.6", "longitude": "115.1", "accuracy_m": "-3"}, "定位精度"),
        ({"latitude": "34.6", "longitude": "115.1", "accuracy_m": "很准"}, "定位精度"),
    ],
)
def test_a_place_that_is_not_one_is_refused_and_nothing_is_written(premises, lead, location, reason):
    with pytest.raises(ApplicationError) as refused:
        record(premises, lead, location)
    assert reason in str(refused.value.message)
    assert not Inspection.objects.exists()
    premises.refresh_from_db()
    assert premises.latitude is None
    assert premises.last_inspected_on is None


def page_data(premises, items, **extra):
    data = {
        "premises": premises.pk,
        "inspected_on": local_today().isoformat(),
        "inspectors": "赵专干",
        "hazards-TOTAL_FORMS": "0",
        "hazards-INITIAL_FORMS": "0",
        "hazards-MIN_NUM_FORMS": "0",
        "hazards-MAX_NUM_FORMS": "1000",
        **{f"result_{item.pk}": "pass" for item in items},
    }
    data.update(extra)
    return data


def test_the_phone_page_sends_the_place_and_asks_for_it(client, premises, items, lead):
    client.force_login(lead)
    page = client.get(f"/inspections/record/?premises={premises.pk}").content.decode()
    assert 'name="latitude"' in page
    assert "js/locate.js" in page
    response = client.post(
        "/inspections/record/",
        page_data(premises, items, latitude="34.61", longitude="115.12", accuracy_m="8"),
    )
    assert response.status_code == 302
    premises.refresh_from_db()
    assert (premises.latitude, premises.longitude) == (Decimal("34.61"), Decimal("115.12"))


def test_the_page_refuses_a_place_out_of_range_and_writes_nothing(client, premises, items, lead):
    client.force_login(lead)
    response = client.post(
        "/inspections/record/", page_data(premises, items, latitude="134.6", longitude="115.1")
    )
    assert response.status_code == 400
    assert "纬度须在 -90 到 90 之间" in response.content.decode()
    assert not Inspection.objects.exists()


def test_the_api_records_the_place_and_refuses_one_out_of_range(premises, lead):
    api = APIClient()
    api.force_login(lead)
    body = {"premises": premises.pk, "inspected_on": local_today().isoformat(), "inspectors": "赵专干"}
    bad = api.post(
        "/api/v1/inspections/", {**body, "location": {"latitude": 91, "longitude": 115}}, format="json"
    )
    assert bad.status_code == 400
    assert "location" in refused_fields(bad), bad.content
    assert not Inspection.objects.exists()
    good = api.post(
        "/api/v1/inspections/",
        {**body, "location": {"latitude": "34.600001", "longitude": "115.1", "accuracy_m": 20}},
        format="json",
    )
    assert good.status_code == 201, good.content
    assert good.json()["latitude"] == "34.600001"
    assert good.json()["location_accuracy_m"] == 20
    assert Premises.objects.get(pk=premises.pk).latitude == Decimal("34.600001")


def test_a_premises_place_is_corrected_on_purpose_and_checked(lead, township):
    premises = PremisesFactory(township=township)
    township_services.premises_update(
        premises=premises, data={"latitude": Decimal("34.5"), "longitude": Decimal("115.0")}, by=lead
    )
    premises.refresh_from_db()
    assert premises.longitude == Decimal("115.0")
    with pytest.raises(ValidationError):
        township_services.premises_update(premises=premises, data={"latitude": None}, by=lead)
    premises.refresh_from_db()
    assert premises.latitude == Decimal("34.5")
