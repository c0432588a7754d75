"""The hazard list's page written as JSON by PostgreSQL (core.json_sql) and its ids read by a compiled
query (inspections.api.HAZARD_PAGE_IDS): the very bytes DRF's serializer gives for the same rows —
texts of every kind of character, datetimes in every kind of time zone, files, labels in both
languages — the same answers as the query built on each request, and the same refusals."""

import datetime as dt
import json
import zoneinfo

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Value
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from rest_framework.renderers import JSONRenderer

from core import json_sql
from core.compiled import _numbered
from inspections.api import HazardSerializer
from inspections.models import Hazard

from . import test_api, test_api_hazard_list
from .factories import hazard_data, record_inspection
from .test_api import client_for
from .test_api_hazard_list import HAZARDS, _instances, generic

pytestmark = pytest.mark.django_db

world = test_api.world
filled = test_api_hazard_list.filled  # the fixture: hazards with every kind of field filled and empty

# Every kind of character a text may hold: quotes, backslashes, control characters, the two line
# separators DRF escapes for JavaScript, non-BMP characters, Chinese.
AWKWARD = 'He said "出口\\堵塞"\n\t\x01\x1f\u2028\u2029 🔥 — /end/'


def _drf_page(user, language, **params):
    """The page as DRF's own serializer and renderer write it."""
    hazards, context = _instances(user, language)
    serializer = HazardSerializer(context=context)
    with translation.override(language):
        rows = [generic(serializer, hazard) for hazard in hazards]
    return JSONRenderer().render({"count": len(rows), "next": None, "previous": None, "results": rows})


def _writes_json(sql: str) -> bool:
    """Whether a statement has PostgreSQL write the rows as JSON (core.serializers.ValuesRows.json_row)."""
    return 'AS "values_rows_json"' in sql


def _get(client, language="zh-hans", **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(HAZARDS, params, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, response.content
    return response, [q["sql"] for q in queries]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_page_postgresql_writes_is_drfs_answer_byte_for_byte(filled, language):
    w = filled
    Hazard.objects.filter(pk=w.h_cm.pk).update(description=AWKWARD, responsible_person="王'老板")
    center = client_for(w.users["center"])
    response, queries = _get(center, language)
    assert any(_writes_json(q) for q in queries), "the rows were not written by PostgreSQL"
    # The page's ids and count are read inside that same statement: one round trip for the page.
    (page,) = [q for q in queries if "inspections_hazard" in q]
    assert page.startswith("WITH page AS MATERIALIZED")
    assert "COUNT(*)" in page
    assert _writes_json(page)
    assert response.content == _drf_page(w.users["center"], language)
    assert "\\u2028" in response.content.decode()  # escaped, as DRF escapes it
    listed = {row["id"]: row for row in response.json()["results"]}
    assert listed[w.h_cm.pk]["description"] == AWKWARD


def test_python_writes_the_page_where_postgresql_is_not_asked_to(filled, settings):
    settings.API_LISTS_AS_JSON = False
    center = client_for(filled.users["center"])
    response, queries = _get(center)
    assert not any(_writes_json(q) for q in queries)
    assert response.content == _drf_page(filled.users["center"], "zh-hans")


def test_a_file_name_a_url_would_quote_has_the_page_written_by_python(filled):
    """A stored name with a space and Chinese (an upload kept under its own name): PostgreSQL marks
    it, and the page is written by Python, exactly as DRF writes it."""
    w = filled
    Hazard.objects.filter(pk=w.h_cm.pk).update(photo_before="hazards/现场 照片.png")
    center = client_for(w.users["center"])
    response, queries = _get(center)
    assert any(_writes_json(q) for q in queries)  # asked, then written by Python
    assert response.content == _drf_page(w.users["center"], "zh-hans")
    row = next(r for r in response.json()["results"] if r["id"] == w.h_cm.pk)
    assert (
        row["photo_before"] == "http://testserver/media/hazards/%E7%8E%B0%E5%9C%BA%20%E7%85%A7%E7%89%87.png"
    )


def test_an_indented_answer_asked_for_is_indented_as_drf_indents_it(filled):
    center = client_for(filled.users["center"])
    response = center.get(HAZARDS, HTTP_ACCEPT="application/json; indent=2")
    assert response.status_code == 200
    expected = json.loads(_drf_page(filled.users["center"], "zh-hans"))
    assert response.content == JSONRenderer().render(expected, "application/json; indent=2")
    assert b'\n  "count"' in response.content


def test_the_etag_names_the_page_and_a_304_answers_it_unchanged(filled):
    center = client_for(filled.users["center"])
    first = center.get(HAZARDS)
    again = center.get(HAZARDS, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    Hazard.objects.filter(pk=filled.h_cm.pk).update(description="改过了")
    changed = center.get(HAZARDS, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]


def _iso_in_sql(value: dt.datetime, zone: str) -> str:
    """IsoDateTime of `value` in `zone`, as PostgreSQL writes it."""
    query = get_user_model().objects.all().query
    expression = json_sql.IsoDateTime(Value(value), zone).resolve_expression(query)
    sql, params = expression.as_sql(query.get_compiler("default"), connection)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {sql}", params)
        return cursor.fetchone()[0]


@pytest.mark.parametrize(
    "zone",
    ["Asia/Shanghai", "UTC", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "America/St_Johns"],
)
@pytest.mark.parametrize(
    "moment",
    [
        dt.datetime(2026, 12, 3, 10, 0, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 3, 10, 0, 0, 500, tzinfo=dt.UTC),
        dt.datetime(2026, 7, 1, 23, 59, 59, 999999, tzinfo=dt.UTC),
        dt.datetime(1988, 6, 1, 12, 30, tzinfo=dt.UTC),  # China's summer time: +09:00
        dt.datetime(2001, 1, 1, 0, 0, 0, 1, tzinfo=dt.UTC),
    ],
)
def test_a_datetime_is_written_as_python_writes_it_in_the_zone(zone, moment):
    text = moment.astimezone(zoneinfo.ZoneInfo(zone)).isoformat()
    expected = text[:-6] + "Z" if text.endswith("+00:00") else text
    assert _iso_in_sql(moment, zone) == json.dumps(expected)


def test_a_local_mean_time_offset_is_left_to_python():
    # Shanghai before 1901 kept its local mean time, +08:05:43: not a quarter hour.
    moment = dt.datetime(1900, 6, 1, tzinfo=dt.UTC)
    assert moment.astimezone(zoneinfo.ZoneInfo("Asia/Shanghai")).utcoffset().seconds % 900
    assert _iso_in_sql(moment, "Asia/Shanghai").endswith(json_sql.UNWRITTEN)


def test_statements_are_numbered_once_with_their_percent_signs():
    assert _numbered("SELECT %s, '10%%', %s") == "SELECT $1, '10%', $2"
    with pytest.raises(ValueError, match="placeholder"):
        _numbered("SELECT %(name)s")


# --- the page's ids, compiled ---------------------------------------------------------------------


def _ids_query(queries):
    return next(q for q in queries if '"values_rows_count"' in q)


FILTERS = [
    {},
    {"status": "open"},
    {"status": ["open", "rectifying"], "overdue": "true"},
    {"overdue": "false", "severity": "major"},
    {"deadline_after": "2020-01-01", "deadline_before": "2099-12-31"},
    {"open": "true", "page_size": "1"},
    {"page_size": "1", "page": "2"},
]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: "&".join(f) or "none")
@pytest.mark.parametrize("who", ["center", "beiguan_lead", "office", "police", "responsible"])
def test_the_compiled_page_is_the_page_built_each_time(world, settings, who, filters):
    record_inspection(
        premises=world.p_bg, hazards=[hazard_data(description=f"出口堵塞{i}") for i in range(3)]
    )
    user = world.users[who]
    compiled, _ = _get(client_for(user), **filters)
    settings.COMPILED_QUERIES = False
    built, _ = _get(client_for(user), **filters)
    assert compiled.content == built.content
    assert compiled.json()["count"] == built.json()["count"]


def test_two_leads_read_their_pages_with_one_statement(world):
    _response, queries = _get(client_for(world.users["beiguan_lead"]), status="open")
    other, other_queries = _get(client_for(world.users["chumiao_lead"]), status="open")
    assert _ids_query(queries) == _ids_query(other_queries)
    assert {row["township"] for row in other.json()["results"]} == {world.chumiao.pk}


def test_a_page_reads_its_rows_where_it_found_them_and_sees_them_changed(world):
    """The rows are fetched at the addresses the page's statement found them at (their ctid), not
    looked up again by id: a row changed since (a new row version, at a new address) is read as it
    is now, and the page is what DRF writes for the rows as they are."""
    inspection = record_inspection(
        premises=world.p_bg, hazards=[hazard_data(description=f"出口堵塞{i}") for i in range(3)]
    )
    lead = client_for(world.users["beiguan_lead"])
    before, queries = _get(lead, status="open")
    (statement,) = [q for q in queries if _writes_json(q)]
    assert "ctid = ANY(ARRAY(SELECT page.address FROM page))" in statement
    assert '"inspections_hazard"."id" = ANY(ARRAY(SELECT page.pk FROM page))' not in statement
    hazard = inspection.hazards.order_by("id").first()
    Hazard.objects.filter(pk=hazard.pk).update(description="消防通道已清理一半")  # a new row version
    after, _ = _get(lead, status="open")
    rows = {row["id"]: row for row in after.json()["results"]}
    assert rows[hazard.pk]["description"] == "消防通道已清理一半"
    assert after.json()["count"] == before.json()["count"]
    assert [r["id"] for r in after.json()["results"]] == [r["id"] for r in before.json()["results"]]


@pytest.mark.parametrize(
    "params",
    [{"search": "出口"}, {"ordering": "-deadline"}, {"premises": "PREMISES"}, {"campaign": "CAMPAIGN"}],
    ids=["search", "ordering", "a premises", "a campaign"],
)
def test_a_page_searched_reordered_or_filtered_by_a_row_is_read_as_before(world, settings, params):
    values = {"PREMISES": world.p_bg.pk, "CAMPAIGN": world.campaign.pk}
    params = {k: values.get(v, v) for k, v in params.items()}
    center = client_for(world.users["center"])
    compiled, _ = _get(center, **params)
    settings.COMPILED_QUERIES = False
    built, _ = _get(center, **params)
    assert compiled.content == built.content
    assert compiled.json()["count"] >= 1


@pytest.mark.parametrize(
    "params",
    [{"township": "CHUMIAO"}, {"township": "x"}, {"status": "lost"}, {"deadline_after": "2026-13-01"}],
    ids=["another township", "not a number", "not a status", "not a date"],
)
def test_a_bad_filter_is_refused_as_before(world, settings, params):
    params = {k: world.chumiao.pk if v == "CHUMIAO" else v for k, v in params.items()}
    lead = client_for(world.users["beiguan_lead"])
    refused = lead.get(HAZARDS, params)
    assert refused.status_code == 400, refused.content
    assert set(params) <= set(json.dumps(refused.json(), ensure_ascii=False).split('"'))
    settings.COMPILED_QUERIES = False
    assert lead.get(HAZARDS, params).content == refused.content
