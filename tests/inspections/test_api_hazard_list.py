"""The hazard list API's speed work kept honest: the directly built representation equals DRF's
field-by-field one, and the list (computed on every request: nothing is cached) shows a write at once
with the same number of queries however many hazards there are."""

import datetime as dt
import io
import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import load_workbook
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.serializers import ListSerializer
from rest_framework.test import APIRequestFactory

from core.clock import local_today
from core.serializers import RowsById
from inspections.api import HazardSerializer, HazardViewSet, hazard_rows_as_of
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


@pytest.fixture
def filled(world, settings, tmp_path):
    """Hazards with every kind of field filled and empty: photos and none, a rectification with
    evidence, a failed and a passed re-inspection and none, a grid and none, a checklist item and
    none, major and general, verified (late or not) and open."""
    settings.MEDIA_ROOT = tmp_path
    w = world
    client = client_for(w.users["responsible"])
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
    township_services.premises_update(premises=w.p_cm, data={"grid": None})
    major = record_inspection(
        premises=w.p_bg2, hazards=[hazard_data(severity=Hazard.Severity.MAJOR, checklist_item=w.items[1])]
    )
    assert major.hazards.exists()
    return w


def _instances(user, language):
    """The list's rows as model instances (the queryset DRF's own list serializes), and its context."""
    request = Request(APIRequestFactory().get(HAZARDS))
    request.user = user
    view = HazardViewSet(request=request, format_kwarg=None, action="retrieve")
    with translation.override(language):
        return list(view.get_queryset()), view.get_serializer_context()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_direct_representation_equals_drf_field_by_field(filled, language):
    w = filled
    hazards, context = _instances(w.users["center"], language)
    assert len(hazards) == Hazard.objects.count() == 4
    serializer = HazardSerializer(context=context)
    with translation.override(language):
        for hazard in hazards:
            fast = serializer.to_representation(hazard)
            assert fast == generic(serializer, hazard), hazard.description
        verified = next(h for h in hazards if h.pk == w.h_bg.pk)
        body = serializer.to_representation(verified)
    assert body["photo_after"].startswith("http://testserver/")
    assert [r["passed"] for r in body["reinspections"]] == [False, True]
    assert all(r["evidence"] for r in body["rectifications"])
    assert body["grid_name"] == "一网格"


@pytest.mark.parametrize("as_values", [True, False], ids=["as values", "DRF's list (SQLite)"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_list_read_as_values_is_drfs_answer_byte_for_byte(filled, language, settings, as_values):
    """The list page (rows read with values(), nested lists aggregated by PostgreSQL) is the very
    bytes DRF's field-by-field serializer gives for the same rows; and so is DRF's own list, which
    answers where the database is not PostgreSQL (the embedded demo's SQLite)."""
    settings.API_LISTS_AS_VALUES = as_values
    w = filled
    response = client_for(w.users["center"]).get(HAZARDS, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, response.content
    hazards, context = _instances(w.users["center"], language)
    serializer = HazardSerializer(context=context)
    with translation.override(language):
        rows = [generic(serializer, hazard) for hazard in hazards]
    expected = {"count": len(rows), "next": None, "previous": None, "results": rows}
    assert response.content == JSONRenderer().render(expected)
    # Every kind of field was there to compare, filled and empty.
    labels = {row["severity_display"] for row in rows}
    assert labels == (
        {"一般隐患", "重大火灾隐患"} if language == "zh-hans" else {"General hazard", "Major fire hazard"}
    )
    assert {bool(row["photo_after"]) for row in rows} == {True, False}
    assert {bool(row["grid_name"]) for row in rows} == {True, False}
    assert {row["checklist_item"] is None for row in rows} == {True, False}
    assert {row["verified_on"] is None for row in rows} == {True, False}
    assert {len(row["reinspections"]) for row in rows} >= {0, 2}
    assert any(r["evidence"] for row in rows for r in row["rectifications"])


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


class WiderHazardSerializer(HazardSerializer):
    """Fields of kinds HazardSerializer does not declare: a label across a relation, a nullable path
    without a default (DRF leaves the key out when the related row is missing), a default, a date
    and a key across relations, and an annotation."""

    premises_category = serializers.CharField(source="premises.get_category_display", read_only=True)
    item_text = serializers.CharField(source="checklist_item.text", read_only=True)
    item_code = serializers.CharField(source="checklist_item.code", read_only=True, default="—")
    inspected_on = serializers.DateField(source="inspection.inspected_on", read_only=True)
    county = serializers.PrimaryKeyRelatedField(source="township.county", read_only=True)
    overdue_too = serializers.BooleanField(source="is_overdue", read_only=True)

    class Meta(HazardSerializer.Meta):
        fields = [*HazardSerializer.Meta.fields, "premises_category", "item_text", "item_code"]
        fields += ["inspected_on", "county", "overdue_too"]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_field_added_to_the_serializer_is_in_the_values_list(filled, language):
    hazards, context = _instances(filled.users["center"], language)
    rows = WiderHazardSerializer.values_rows
    request = Request(APIRequestFactory().get(HAZARDS))
    request.user = filled.users["center"]
    view = HazardViewSet(request=request, format_kwarg=None, action="list")
    with translation.override(language):
        serializer = WiderHazardSerializer(context=context)
        expected = [generic_skipping(serializer, hazard) for hazard in hazards]
        # Read by id (as the API reads a page) and in one query (a serializer without RowsById).
        for values in (
            rows.queryset(view.get_queryset(), by_id=view.page_rows_by_id()),
            rows.queryset(hazard_rows_as_of(on=local_today()).order_by("deadline", "id")),
        ):
            written = rows.write(list(values), context=context, columns=values.columns)
            assert written == expected
    assert {"item_text" in row for row in written} == {True, False}  # left out as DRF leaves it out
    assert {row["item_code"] for row in written} >= {"—", "A02"}


def generic_skipping(serializer, instance):
    """DRF's Serializer.to_representation itself (a field it cannot get is left out)."""
    return serializers.Serializer.to_representation(serializer, instance)


@pytest.mark.parametrize(
    "field",
    [
        serializers.StringRelatedField(source="premises"),
        serializers.CharField(source="premises.__str__", read_only=True),
        serializers.CharField(source="premises.hazards", read_only=True),
        serializers.SlugRelatedField(source="township", slug_field="name", read_only=True),
    ],
    ids=["a relation as text", "a method", "a reverse relation", "a relation by another field"],
)
def test_a_field_the_values_list_cannot_write_stops_the_start(field):
    with pytest.raises(ImproperlyConfigured, match="extra"):
        type(
            "Refused",
            (HazardSerializer,),
            {"extra": field, "Meta": type("Meta", (HazardSerializer.Meta,), {"fields": ["id", "extra"]})},
        )


def test_a_page_reads_its_ids_count_and_rows_in_one_statement(world, settings):
    """The page's ids and the count through the selector (compiled), and inside the same statement
    every row's columns, rectifications and re-inspections by id, whose SQL is compiled once: the
    same rows' SQL for another township's lead and other filters. Where Python writes the rows, the
    ids and count are one query and the rows one more."""
    lead = client_for(world.users["beiguan_lead"])
    _list(lead)
    for i in range(3):
        record_inspection(premises=world.p_bg, hazards=[hazard_data(description=f"出口堵塞{i}")] * 2)
    with CaptureQueriesContext(connection) as queries:
        assert _list(lead)["count"] > 6
    reads = [q["sql"] for q in queries if "inspections_hazard" in q["sql"]]
    assert len(reads) == 1, reads
    ids, rows = reads[0].split(" LEFT JOIN (", 1)
    assert "COUNT(" in ids
    assert "inspections_rectification" not in ids
    assert "inspections_rectification" in rows
    assert "= ANY(ARRAY(SELECT page.pk FROM page))" in rows
    with CaptureQueriesContext(connection) as other:
        assert _list(client_for(world.users["chumiao_lead"]), status="open")["count"] >= 1
    (other_page,) = [q["sql"] for q in other if "inspections_hazard" in q["sql"]]
    # The same rows' SQL, its parameters numbered after the ids' (the other filters have more).
    numbered = re.compile(r"\$\d+")
    assert numbered.sub("$n", other_page.split(" LEFT JOIN (", 1)[1]) == numbered.sub("$n", rows)

    settings.API_LISTS_AS_JSON = False
    with CaptureQueriesContext(connection) as apart:
        assert _list(lead)["count"] > 6
    ids, rows = [q["sql"] for q in apart if "inspections_hazard" in q["sql"]]
    assert "COUNT(" in ids
    assert "inspections_rectification" not in ids
    assert "inspections_rectification" in rows
    assert "= ANY(" in rows


@pytest.mark.parametrize("prepared", [True, False], ids=["prepared", "not prepared"])
def test_the_answer_is_the_same_with_statements_prepared_or_not(filled, settings, prepared):
    settings.DB_PREPARED_READS = prepared
    center = client_for(filled.users["center"])
    first = center.get(HAZARDS, {"page_size": 2})
    settings.DB_PREPARED_READS = not prepared
    again = center.get(HAZARDS, {"page_size": 2})
    assert first.status_code == again.status_code == 200
    assert first.content == again.content
    assert first.json()["count"] == Hazard.objects.count()


def test_an_export_reads_every_row_by_id(filled):
    center = client_for(filled.users["center"])
    listed = center.get(HAZARDS, {"page_size": 500}).json()["results"]
    exported = center.get(HAZARDS, {"format": "xlsx"})
    assert exported.status_code == 200
    assert exported["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(exported.content), read_only=True)
    cells = list(book.active.iter_rows(values_only=True))
    assert len(cells) == 1 + len(listed) == 1 + Hazard.objects.count()


def _drifting(*, on):
    # A builder whose SQL depends on `on` other than in its place: a day added in Python.
    return hazard_rows_as_of(on=on).filter(deadline__lt=on + dt.timedelta(days=1))


def _shaped(*, on):
    # A builder whose SQL's shape depends on `on`.
    rows = hazard_rows_as_of(on=on)
    return rows.filter(deadline__lt=on) if on.year > 1901 else rows


@pytest.mark.parametrize("build", [_drifting, _shaped], ids=["a value derived", "the shape"])
def test_rows_by_id_refuse_a_builder_whose_sql_depends_on_its_inputs(world, build):
    rows = HazardSerializer.values_rows
    with pytest.raises(ImproperlyConfigured, match="depends on its inputs"):
        RowsById(build, on=dt.date(2026, 12, 1)).read(rows, [world.h_bg.pk], using="default")
