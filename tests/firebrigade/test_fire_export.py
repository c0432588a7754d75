"""The fire statistics export (火灾 → 导出 Excel) on the demo county: the national statistics' columns,
in order, and the values of the demo's fires — graded, with their times in Beijing time and the one
reported late (褚庙乡, December 2021) flagged."""

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from openpyxl import load_workbook

from firebrigade.models import FireGrade, FireIncident
from tests.factories import SHANGHAI

pytestmark = pytest.mark.django_db

HEADERS = [
    "起火时间",
    "乡镇",
    "起火地点",
    "起火单位",
    "起火场所类型",
    "火灾等级",
    "起火原因",
    "死亡人数",
    "受伤人数",
    "其中重伤人数",
    "直接财产损失（元）",
    "过火面积（㎡）",
    "报告时间",
    "报告时限（小时）",
    "是否迟报",
    "出动专职队",
    "到场用时（分钟）",
    "责任倒查",
]
HEADERS_EN = [
    "Time of fire",
    "Township",
    "Location of fire",
    "Premises on fire",
    "Type of place",
    "Fire grade",
    "Cause of fire",
    "Deaths",
    "Injuries",
    "Of whom seriously injured",
    "Direct property loss (yuan)",
    "Burned area (㎡)",
    "Time reported",
    "Reporting deadline (hours)",
    "Reported late",
    "Responding full-time fire brigade",
]


def beijing(*args) -> dt.datetime:
    """A time as the workbook holds it: Beijing wall-clock time (a cell has no time zone)."""
    return dt.datetime(*args, tzinfo=SHANGHAI).replace(tzinfo=None)


def export(language: str = "zh-hans", **query):
    client = Client()
    client.cookies["django_language"] = language
    client.force_login(get_user_model().objects.get(username="center"))
    response = client.get("/brigades/incidents/", {"format": "xlsx", **query})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    return list(rows[0]), [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_every_demo_fire_is_graded_and_reported_through_the_services(demo):
    fires = FireIncident.objects.filter(is_demo=True)
    assert fires.count() >= 5
    assert not fires.filter(reported_at__isnull=True).exists()
    assert set(fires.values_list("grade", flat=True)) == {FireGrade.GENERAL}


def test_the_export_has_the_national_statistics_columns_and_the_demo_values(demo):
    headers, rows = export()
    assert headers == HEADERS
    assert len(rows) == FireIncident.objects.count()
    late = [row for row in rows if row["是否迟报"] == "是"]
    assert [(row["乡镇"], row["起火时间"]) for row in late] == [("褚庙乡", beijing(2021, 12, 12, 14, 5))]
    (chumiao,) = late
    assert chumiao["报告时间"] == beijing(2021, 12, 14, 9, 30)  # Beijing time, as the county reads it
    assert (chumiao["火灾等级"], chumiao["报告时限（小时）"], chumiao["死亡人数"]) == ("一般火灾", 24, 0)

    warehouse = next(row for row in rows if row["起火单位"] and "农资仓库" in row["起火单位"])
    stored = FireIncident.objects.get(premises__name=warehouse["起火单位"])
    assert warehouse == {
        "起火时间": beijing(2022, 1, 9, 21, 40),
        "乡镇": "花园乡",
        "起火地点": stored.address,
        "起火单位": stored.premises.name,
        "起火场所类型": stored.premises.get_category_display(),
        "火灾等级": "一般火灾",
        "起火原因": "电气火灾",
        "死亡人数": 0,
        "受伤人数": 1,
        "其中重伤人数": 1,
        "直接财产损失（元）": 186000,
        "过火面积（㎡）": 320,
        "报告时间": beijing(2022, 1, 9, 23, 5),
        "报告时限（小时）": 24,
        "是否迟报": "否",
        "出动专职队": stored.responding_brigade.name,
        "到场用时（分钟）": 14,
        "责任倒查": f"http://testserver/trace/incidents/{stored.pk}/",
    }
    assert stored.occurred_at == dt.datetime(2022, 1, 9, 21, 40, tzinfo=SHANGHAI)


def test_the_export_follows_the_filters_and_the_readers_language(demo):
    _headers, late = export(late="true")
    assert [row["乡镇"] for row in late] == ["褚庙乡"]
    headers, rows = export("en", late="true")
    assert headers[: len(HEADERS_EN)] == HEADERS_EN
    assert (rows[0]["Fire grade"], rows[0]["Reported late"]) == ("Ordinary fire", "Yes")
