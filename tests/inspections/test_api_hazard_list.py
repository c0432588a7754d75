"""The hazard list API's speed work kept honest: the directly built representation equals DRF's
field-by-field one, and the cached list answer (core.list_cache) is dropped by every kind of write,
never crosses scopes, and is only served for what succeeded."""

import datetime as dt
import threading

import pytest
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from rest_framework.authtoken.models import Token
from rest_framework.request import Request
from rest_framework.serializers import ListSerializer
from rest_framework.test import APIClient, APIRequestFactory

from core.list_cache import VERSION_KEY, bump_data_version, data_version
from core.models import Role
from inspections import services
from inspections.api import HazardSerializer, HazardViewSet
from inspections.models import Hazard
from tests.factories import GridFactory, PremisesFactory, make_user
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


def test_a_repeated_list_is_answered_from_the_cache_and_a_write_refreshes_it(world):
    w = world
    lead = client_for(w.users["beiguan_lead"])
    first = _list(lead)
    with CaptureQueriesContext(connection) as cached:
        again = _list(lead)
    assert again == first
    assert len(cached) <= 3  # the session, its user and profile: nothing about hazards

    client_for(w.users["responsible"]).post(f"{HAZARDS}{w.h_bg.pk}/start-rectifying/")
    with CaptureQueriesContext(connection) as fresh:
        after = _list(lead)
    assert len(fresh) > len(cached)
    status = {row["id"]: row["status"] for row in after["results"]}
    assert status[w.h_bg.pk] == "rectifying"


def test_writes_to_related_records_and_scopes_refresh_the_cached_list(world):
    w = world
    lead = client_for(w.users["beiguan_lead"])
    police = client_for(w.users["police"])
    _list(lead), _list(police)

    # A premises renamed, a township renamed: names shown in the list.
    township_services.premises_update(premises=w.p_bg, data={"name": "北关镇供销超市（新址）"})
    names = {row["premises_name"] for row in _list(lead)["results"]}
    assert "北关镇供销超市（新址）" in names
    w.beiguan.name = "北关镇（更名）"
    w.beiguan.save()
    assert {row["township_name"] for row in _list(lead)["results"]} == {"北关镇（更名）"}

    # A police station given another township sees its hazards at once (many-to-many change).
    assert {row["township"] for row in _list(police)["results"]} == {w.beiguan.pk}
    w.station.townships.add(w.chumiao)
    assert {row["township"] for row in _list(police)["results"]} == {w.beiguan.pk, w.chumiao.pk}

    # A lead moved to another township sees that township's list, not the cached one.
    profile = w.users["beiguan_lead"].profile
    profile.township = w.chumiao
    profile.save()
    assert {row["township"] for row in _list(lead)["results"]} == {w.chumiao.pk}


def test_a_cached_answer_never_crosses_scopes_languages_or_days(world, monkeypatch):
    w = world
    beiguan, chumiao = client_for(w.users["beiguan_lead"]), client_for(w.users["chumiao_lead"])
    assert {r["township"] for r in _list(beiguan)["results"]} == {w.beiguan.pk}
    assert {r["township"] for r in _list(chumiao)["results"]} == {w.chumiao.pk}
    other = make_user(Role.TOWNSHIP_LEAD, username="beiguan-deputy", township=w.beiguan)
    deputy = client_for(other)
    assert _list(deputy)["count"] == _list(beiguan)["count"]

    zh = beiguan.get(HAZARDS, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    en = beiguan.get(HAZARDS, HTTP_ACCEPT_LANGUAGE="en").json()
    assert zh["results"][0]["status_display"] != en["results"][0]["status_display"]

    # Overdue is judged by today: a hazard due today becomes overdue tomorrow without any write.
    hazard = w.h_bg
    today = services.local_today()
    Hazard.objects.filter(pk=hazard.pk).update(deadline=today)
    bump_data_version()  # the update above bypasses signals, as the module says
    [row] = [r for r in _list(beiguan)["results"] if r["id"] == hazard.pk]
    assert row["is_overdue"] is False
    by_token = APIClient()  # a session would expire when the clock jumps
    by_token.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=w.users['beiguan_lead']).key}")
    assert [r["is_overdue"] for r in _list(by_token)["results"] if r["id"] == hazard.pk] == [False]
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + dt.timedelta(days=1))
    tomorrow = [r["is_overdue"] for r in _list(by_token)["results"] if r["id"] == hazard.pk]
    assert tomorrow == [True]


def test_refused_and_non_json_answers_are_not_cached(world):
    w = world
    lead = client_for(w.users["beiguan_lead"])
    for _ in range(2):  # refused again, not answered from the cache
        bad = lead.get(HAZARDS, {"status": "lost"})
        assert bad.status_code == 400
        assert "status" in bad.json()
    workbook = lead.get(HAZARDS, {"format": "xlsx"})
    assert workbook.status_code == 200
    assert workbook["Content-Type"].startswith("application/vnd.openxmlformats")
    assert _list(lead)["count"] >= 1


@pytest.mark.django_db(transaction=True)
def test_a_write_committed_by_another_connection_drops_the_cached_answer(county):
    """As a Celery worker or another web worker would: its own connection, its own transaction."""
    premises = PremisesFactory(township__county=county)
    lead = client_for(make_user(Role.TOWNSHIP_LEAD, username="lead-x", township=premises.township))
    record_inspection(premises=premises, hazards=[hazard_data(description="通道堵塞")])
    before = data_version()
    assert [r["description"] for r in _list(lead)["results"]] == ["通道堵塞"]

    def elsewhere():
        try:
            from django.db import transaction

            with transaction.atomic():
                record_inspection(premises=premises, hazards=[hazard_data(description="电线私拉乱接")])
        finally:
            close_old_connections()
            connection.close()

    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join()
    assert data_version() != before
    assert sorted(r["description"] for r in _list(lead)["results"]) == ["电线私拉乱接", "通道堵塞"]


def test_the_data_version_lives_in_the_shared_cache(settings):
    # Web workers and the Celery worker are separate processes: a per-process cache would keep
    # serving answers another process's write has made stale.
    from django.core.cache import caches

    backend = settings.CACHES["default"]["BACKEND"]
    assert "locmem" not in backend
    assert "dummy" not in backend
    assert caches["default"].get(VERSION_KEY) == data_version()


def test_with_the_cache_server_down_lists_are_computed_and_writes_go_on(world, settings):
    w = world
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
        }
    }
    lead = client_for(w.users["beiguan_lead"])
    assert _list(lead)["count"] == 2
    started = client_for(w.users["responsible"]).post(f"{HAZARDS}{w.h_bg.pk}/start-rectifying/")
    assert started.status_code == 200, started.content
    assert {r["id"]: r["status"] for r in _list(lead)["results"]}[w.h_bg.pk] == "rectifying"
    assert client_for(w.users["beiguan_lead"]).get(f"/townships/{w.beiguan.pk}/").status_code == 200


def test_what_a_rolled_back_write_showed_is_not_served_again(world):
    from django.db import transaction

    w = world
    lead = client_for(w.users["beiguan_lead"])
    before = _list(lead)

    def refused_later_in_the_same_request():
        with transaction.atomic():
            services.hazard_start_rectifying(hazard=w.h_bg)
            inside = {r["id"]: r["status"] for r in _list(lead)["results"]}
            assert inside[w.h_bg.pk] == "rectifying"
            raise RuntimeError("refused")

    with pytest.raises(RuntimeError):
        refused_later_in_the_same_request()
    assert _list(lead) == before
