"""A small county for import tests: two townships (褚庙乡, 北关镇), their grids, a police station,
a brigade each, equipment types, checklist items, and one user per role."""

import io
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from openpyxl import Workbook

from core.imports.registry import get_kind
from core.models import Role
from firebrigade.models import EquipmentType
from tests import factories as f

APPS = ("townships", "firebrigade", "inspections", "meetings", "core")


@dataclass
class County:
    chumiao: Any
    beiguan: Any
    grid: Any
    station: Any
    brigade: Any
    beiguan_brigade: Any
    pump: Any
    hose: Any
    exits: Any
    extinguishers: Any
    lead: Any
    beiguan_lead: Any
    center: Any
    official: Any
    police: Any


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def county(db) -> County:
    county = f.CountyFactory(name="民权县")
    chumiao = f.TownshipFactory(county=county, name="褚庙乡")
    beiguan = f.TownshipFactory(county=county, name="北关镇", kind="town")
    station = f.PoliceStationFactory(county=county, name="褚庙派出所")
    station.townships.add(chumiao)
    return County(
        chumiao=chumiao,
        beiguan=beiguan,
        grid=f.GridFactory(township=chumiao, name="第一网格"),
        station=station,
        brigade=f.BrigadeFactory(township=chumiao, name="褚庙乡专职消防队"),
        beiguan_brigade=f.BrigadeFactory(township=beiguan, name="北关镇专职消防队"),
        pump=f.EquipmentTypeFactory(name="手抬机动消防泵", maintenance_interval_days=90),
        hose=f.EquipmentTypeFactory(
            name="消防水带", category=EquipmentType.Category.HOSE, maintenance_interval_days=None
        ),
        exits=f.ChecklistItemFactory(code="C01", text="安全出口、疏散通道畅通", order=1),
        extinguishers=f.ChecklistItemFactory(code="C02", text="灭火器在有效期内", order=2),
        lead=f.make_user(Role.TOWNSHIP_LEAD, username="lead_chumiao", township=chumiao),
        beiguan_lead=f.make_user(Role.TOWNSHIP_LEAD, username="lead_beiguan", township=beiguan),
        center=f.make_user(Role.GUIDANCE_CENTER, username="center"),
        official=f.make_user(Role.COUNTY_OFFICIAL, username="official", county=county),
        police=f.make_user(Role.POLICE_STATION, username="police", police_station=station),
    )


def xlsx(
    kind: str,
    rows: list[dict[str, Any]],
    *,
    sheet: str | None = None,
    headers: list[str] | None = None,
) -> bytes:
    """A workbook in `kind`'s layout: `rows` are {header: value}; a str starting with = is a formula."""
    spec = get_kind(kind)
    headers = headers if headers is not None else spec.headers
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = sheet or spec.sheet
    worksheet.append(headers)
    for row in rows:
        worksheet.append([row.get(h) for h in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def premises_row(**overrides) -> dict[str, Any]:
    row = {
        "乡镇": "褚庙乡",
        "单位名称": "福民超市",
        "地址": "政府街18号",
        "类别": "商铺",
        "风险等级": "中风险",
        "消防安全重点单位": "否",
        "消防安全责任人": "王福民",
        "责任人电话": "13903700000",
        "网格": "第一网格",
        "辖区派出所": "褚庙派出所",
    }
    row.update(overrides)
    return row


def member_row(**overrides) -> dict[str, Any]:
    row = {
        "乡镇": "褚庙乡",
        "消防队": "褚庙乡专职消防队",
        "姓名": "张强",
        "岗位": "战斗员",
        "入职日期": "2021-06-01",
        "电话": "13903700002",
    }
    row.update(overrides)
    return row


def equipment_row(**overrides) -> dict[str, Any]:
    row = {
        "乡镇": "褚庙乡",
        "消防队": "褚庙乡专职消防队",
        "装备名称": "手抬机动消防泵",
        "数量": 2,
        "状况": "完好",
    }
    row.update(overrides)
    return row


def funding_row(**overrides) -> dict[str, Any]:
    row = {
        "乡镇": "褚庙乡",
        "年度": 2021,
        "经费类别": "人员经费",
        "预算金额（元）": 360000,
        "资金来源": "县级财政",
    }
    row.update(overrides)
    return row


def inspection_row(**overrides) -> dict[str, Any]:
    row = {
        "乡镇": "褚庙乡",
        "单位名称": "福民超市",
        "检查日期": "2021-11-20",
        "检查类型": "乡镇检查",
        "检查人员": "赵专干、钱网格员",
        "不合格检查项": "C01",
        "隐患描述": "疏散通道堆放杂物",
        "隐患等级": "一般隐患",
        "整改期限": "2021-11-27",
        "整改责任人": "王福民",
    }
    row.update(overrides)
    return row


def counts() -> dict[str, int]:
    """Rows in every table of the domain apps and core (history tables included)."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in APPS
    }
