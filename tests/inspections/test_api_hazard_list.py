"""The hazard list API's speed work kept honest: the directly built representation equals DRF's
field-by-field one, and the list (computed on every request: nothing is cached) shows a write at once
with the same number of queries however many hazards there are."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from rest_framework.request import Request
from rest_framework.serializers import ListSerializer
from rest_framework.test import APIRequestFactory

from inspections.api import HazardSerializer, HazardViewSet
from inspections.models import Hazard
from tests.factories import GridFactory
from townships import services as township_services

from . import test_api
from .factories import INSPECTED_ON, hazard_data, record_inspection
from .test_api import _upload, client_for, png_bytes

pytestmark = pytest.mark.django_db

HAZARDS = "/api/v1/hazards/"
world = test_api.world  # the fixture: 北关镇 and 褚庙乡 with a user of every role


def generic(serializer, instance):
    """DRF's own Serializer.to_representation, field by field, nested lists included."""
    out = {}
    for field in serializer._readable_fields:
        attribute = field.get_attribute(instance)
        if isinstance(field, ListSerializer):
            out[field.field_name] = [generic(field.child, item) for item in attribute.all()]
            continue
        check = attribute.pk if hasattr(attribute, "pk") and not hasattr(attribute, "_meta") else attribute
        out[field.field_name] = None if check is None else field.to_representation(attribute)
    return out


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_direct_representation_equals_drf_field_by_field(world, settings, tmp_path, language):
    settings.MEDIA_ROOT = tmp_path
    w = world
    center = w.users["center"]
    client = client_for(w.users["responsible"])
    # A hazard with photos, a rectification with evidence, a failed and a passed re-inspection.
    client.post(f"{HAZARDS}{w.h_bg.pk}/start-rectifying/")
    for attempt in range(2):
        response = client.post(
            f"{HAZARDS}{w.h_bg.pk}/rectify/",
            {
                "rectified_on": str(INSPECTED_ON + dt.timedelta(days=2 + 2 * attempt)),
                "rectified_by": "王老板",
                "measures": "清理出口杂物",
                "evidence": _upload("evidence.pdf", b"%PDF-1.4 evidence", "application/pdf"),
                "photo_after": _upload("after.png", png_bytes(), "image/png"),
            },
            format="multipart",
        )
        assert response.status_code == 200, response.content
        verdict = client_for(w.users["beiguan_lead"]).post(
            f"{HAZARDS}{w.h_bg.pk}/reinspect/",
            {
                "inspected_on": str(INSPECTED_ON + dt.timedelta(days=3 + 2 * attempt)),
                "inspectors": "李四",
                "passed": attempt == 1,
                "note": "" if attempt else "仍有杂物",
            },
            format="json",
        )
        assert verdict.status_code == 200, verdict.content
    township_services.premises_update(
        premises=w.p_bg, data={"grid": GridFactory(township=w.beiguan, name="一网格")}
    )
    major = record_inspection(
        premises=w.p_bg2, hazards=[hazard_data(severity=Hazard.Severity.MAJOR, checklist_item=w.items[1])]
    )
    assert major.hazards.exists()

    request = Request(APIRequestFactory().get(HAZARDS))
    request.user = center
    view = HazardViewSet(request=request, format_kwarg=None, action="list")
    with translation.override(language):
        hazards = list(view.get_queryset())
        assert len(hazards) == Hazard.objects.count() == 4
        serializer = HazardSerializer(context=view.get_serializer_context())
        for hazard in hazards:
            fast = serializer.to_representation(hazard)
            assert fast == generic(serializer, hazard), hazard.description
        verified = next(h for h in hazards if h.pk == w.h_bg.pk)
        body = serializer.to_representation(verified)
        assert body["photo_after"].startswith("http://testserver/")
        assert [r["passed"] for r in body["reinspections"]] == [False, True]
        assert all(r["evidence"] for r in body["rectifications"])
        assert body["grid_name"] == "一网格"


def _list(client, **params):
    response = client.get(HAZARDS, params)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_list_shows_a_write_at_once(world):
    w = world
    lead = client_for(w.users["beiguan_lead"])
    before = {row["id"]: row["status"] for row in _list(lead)["results"]}
    assert before[w.h_bg.pk] == "open"
    client_for(w.users["responsible"]).post(f"{HAZARDS}{w.h_bg.pk}/start-rectifying/")
    after = {row["id"]: row["status"] for row in _list(lead)["results"]}
    assert after[w.h_bg.pk] == "rectifying"


def test_the_list_runs_the_same_queries_for_ten_times_the_hazards(world):
    w = world
    lead = client_for(w.users["beiguan_lead"])
    _list(lead)
    with CaptureQueriesContext(connection) as small:
        _list(lead)
    for i in range(10):
        record_inspection(premises=w.p_bg, hazards=[hazard_data(description=f"出口堵塞{i}")] * 3)
    with CaptureQueriesContext(connection) as large:
        assert _list(lead)["count"] > 30
    assert len(large) == len(small)
