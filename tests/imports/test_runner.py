"""Rows become creates and updates through the services; a preview, or any error, writes nothing."""

import datetime as dt
import io
from decimal import Decimal

import pytest

from core.imports.registry import get_kind
from core.imports.runner import run_import
from firebrigade.models import BrigadeMember, Disbursement, EquipmentItem, FundingAllocation
from inspections.models import ChecklistResult, Hazard, Inspection
from tests import factories as f
from tests.imports.conftest import (
    counts,
    equipment_row,
    funding_row,
    inspection_row,
    member_row,
    premises_row,
    xlsx,
)
from townships.models import Premises


def run(kind, rows, *, user=None, dry_run=False, **kwargs):
    return run_import(kind=kind, fileobj=io.BytesIO(xlsx(kind, rows, **kwargs)), user=user, dry_run=dry_run)


def errors(result):
    return [(e.row, e.column, e.message) for e in result.errors]


def test_premises_rows_are_created_then_matched_and_updated_with_the_changes_listed(county):
    result = run(
        "premises",
        [premises_row(), premises_row(单位名称="褚庙中学", 类别="学校", 地址="")],
        user=county.lead,
    )
    assert result.ok, result.error_lines()
    assert (result.created, result.updated) == (2, 0)
    shop = Premises.objects.get(name="福民超市")
    assert (shop.township, shop.grid, shop.police_station, shop.risk_level) == (
        county.chumiao,
        county.grid,
        county.station,
        "medium",
    )
    assert shop.history.latest().history_user == county.lead

    result = run(
        "premises",
        [premises_row(风险等级="高风险", 网格=None), premises_row(单位名称="褚庙中学", 类别="学校", 地址="")],
    )
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert [(c.column, c.old, c.new) for c in result.rows[0].changes] == [
        ("风险等级", "中风险", "高风险"),
        ("网格", "第一网格", ""),
    ]
    shop.refresh_from_db()
    assert (shop.risk_level, shop.grid) == ("high", None)
    assert Premises.objects.count() == 2


def test_a_preview_reports_every_row_and_writes_nothing(county):
    before = counts()
    result = run("premises", [premises_row(), premises_row(单位名称="褚庙中学")], dry_run=True)
    assert result.ok
    assert result.created == 2
    assert not result.committed
    assert counts() == before


@pytest.mark.parametrize(
    ("kind", "rows", "expected"),
    [
        pytest.param(
            "premises", [premises_row(乡镇="花园乡")], (2, "乡镇", "未知乡镇“花园乡”"), id="unknown-township"
        ),
        pytest.param(
            "inspections",
            [inspection_row(单位名称="不存在的单位")],
            (2, "单位名称", "没有名为“不存在的单位”"),
            id="unknown-premises",
        ),
        pytest.param(
            "members",
            [member_row(消防队="花园乡专职消防队")],
            (2, "消防队", "未知消防队"),
            id="unknown-brigade",
        ),
        pytest.param(
            "members",
            [member_row(消防队="北关镇专职消防队")],
            (2, "消防队", "不属于褚庙乡"),
            id="brigade-of-another-township",
        ),
        pytest.param(
            "equipment",
            [equipment_row(装备名称="云梯")],
            (2, "装备名称", "未知装备类型“云梯”"),
            id="unknown-equipment-type",
        ),
        pytest.param(
            "members", [member_row(入职日期="2021-13-45")], (2, "入职日期", "不是有效日期"), id="bad-date"
        ),
        pytest.param(
            "equipment", [equipment_row(数量=-3)], (2, "数量", "不能为负数"), id="negative-quantity"
        ),
        pytest.param("equipment", [equipment_row(数量="两台")], (2, "数量", "不是整数"), id="not-a-number"),
        pytest.param(
            "premises",
            [premises_row(), premises_row(风险等级="高风险")],
            (3, "单位名称", "与第 2 行重复"),
            id="duplicate-row",
        ),
        pytest.param(
            "funding",
            [funding_row(), funding_row(**{"预算金额（元）": 1})],
            (3, "经费类别", "与第 2 行重复"),
            id="duplicate-funding",
        ),
        pytest.param(
            "premises", [premises_row(责任人电话=None)], (2, "责任人电话", "必填"), id="missing-required"
        ),
        pytest.param(
            "premises",
            [premises_row(风险等级='=IF(1,"高风险","低风险")')],
            (2, "风险等级", "公式"),
            id="formula",
        ),
        pytest.param("premises", [premises_row(类别="饭馆")], (2, "类别", "不是允许的值"), id="bad-choice"),
        pytest.param(
            "premises",
            [premises_row(网格="第九网格")],
            (2, "网格", "没有名为“第九网格”的网格"),
            id="unknown-grid",
        ),
        # Refusals of the services themselves, in their own words.
        pytest.param(
            "premises",
            [premises_row(责任人电话="12345")],
            (2, "责任人电话", "请输入正确的电话号码"),
            id="service-phone",
        ),
        pytest.param(
            "inspections",
            [inspection_row(检查日期="2099-01-01", 整改期限="2099-01-08")],
            (2, "检查日期", "检查日期不能晚于今天"),
            id="service-future-inspection",
        ),
        pytest.param(
            "inspections",
            [inspection_row(整改期限="2021-11-01")],
            (2, "整改期限", "整改期限不能早于发现日期"),
            id="service-deadline-before-discovery",
        ),
        pytest.param(
            "inspections",
            [inspection_row(检查类型="派出所检查")],
            (2, "派出所", "派出所检查必须填写派出所"),
            id="service-police-inspection-without-station",
        ),
        pytest.param(
            "funding",
            [funding_row(**{"已到位（元）": 400000, "到位日期": "2021-10-01"})],
            (2, "已到位（元）", "到位金额超过预算"),
            id="service-disbursed-beyond-budget",
        ),
        pytest.param(
            "funding",
            [funding_row(**{"已到位（元）": 1000})],
            (2, "到位日期", "请填写到位日期"),
            id="disbursed-without-date",
        ),
        pytest.param(
            "members",
            [member_row(入职日期="2099-01-01")],
            (2, "入职日期", "入职日期 2099-01-01 晚于今天"),
            id="service-future-hire",
        ),
    ],
)
def test_each_bad_row_is_reported_with_row_column_and_reason_and_nothing_is_written(
    county, kind, rows, expected
):
    f.PremisesFactory(township=county.chumiao, name="福民超市", address="政府街18号")
    before = counts()
    result = run(kind, [*rows], user=county.center)
    row, column, reason = expected
    assert not result.ok
    assert not result.committed
    assert any(e.row == row and e.column == column and reason in e.message for e in result.errors), errors(
        result
    )
    assert counts() == before


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        pytest.param(
            lambda: xlsx("premises", [premises_row()], sheet="Sheet1"),
            (None, None, "找不到名为“社会单位”的工作表（本文件的工作表：“Sheet1”）"),
            id="wrong-sheet",
        ),
        pytest.param(
            lambda: xlsx("premises", [premises_row()], headers=[*get_headers("premises"), "备注"]),
            (1, "备注", "不是本模板的列"),
            id="unknown-header",
        ),
        pytest.param(
            lambda: xlsx(
                "premises", [premises_row()], headers=[h for h in get_headers("premises") if h != "风险等级"]
            ),
            (1, "风险等级", "缺少此列"),
            id="missing-header",
        ),
        pytest.param(lambda: xlsx("premises", []), (None, None, "没有数据行"), id="no-rows"),
    ],
)
def test_a_file_with_the_wrong_sheet_or_headers_is_refused_as_a_whole(county, build, expected):
    before = counts()
    result = run_import(kind="premises", fileobj=io.BytesIO(build()), user=county.center, dry_run=False)
    assert [(e.row, e.column) for e in result.errors] == [expected[:2]]
    assert expected[2] in result.errors[0].message
    assert counts() == before


def get_headers(kind):
    return get_kind(kind).headers


def test_one_bad_row_among_good_ones_writes_nothing_at_all(county):
    before = counts()
    rows = [premises_row(单位名称=f"单位{i}") for i in range(5)] + [
        premises_row(单位名称="坏单位", 责任人电话="123")
    ]
    result = run("premises", rows)
    assert result.created == 5
    assert [(e.row, e.column) for e in result.errors] == [(7, "责任人电话")]
    assert counts() == before


FOREIGN = "不能操作其他乡镇的数据。"


def test_a_township_lead_cannot_import_rows_of_another_township(county):
    before = counts()
    result = run(
        "premises",
        [premises_row(), premises_row(乡镇="北关镇", 网格=None, 辖区派出所=None)],
        user=county.lead,
    )
    assert errors(result) == [(3, "乡镇", FOREIGN)]
    assert counts() == before
    assert run(
        "premises", [premises_row(乡镇="北关镇", 网格=None, 辖区派出所=None)], user=county.beiguan_lead
    ).ok


@pytest.mark.parametrize(
    ("kind", "row", "message"),
    [
        ("premises", premises_row(), FOREIGN),
        ("members", member_row(), FOREIGN),
        ("equipment", equipment_row(), FOREIGN),
        ("inspections", inspection_row(), "不能操作其他乡镇或其他单位的数据。"),
    ],
)
def test_every_kind_refuses_a_row_of_another_township_in_its_policys_words(county, kind, row, message):
    """The import has no township check of its own: the app's service refuses the row as it refuses
    the API or a page, the refusal lands on the township's column, and nothing is written."""
    f.PremisesFactory(township=county.chumiao, name="福民超市")
    before = counts()
    result = run(kind, [row], user=county.beiguan_lead)
    assert errors(result) == [(2, "乡镇", message)]
    assert not result.committed
    assert counts() == before


def test_a_user_without_an_import_role_is_refused(county):
    result = run("premises", [premises_row()], user=county.official)
    assert not result.ok
    assert "无权导入" in result.errors[0].message
    assert not Premises.objects.exists()


def test_members_are_added_updated_and_recorded_as_leaving(county):
    assert run("members", [member_row(), member_row(姓名="李明", 岗位="驾驶员")], user=county.lead).ok
    zhang = BrigadeMember.objects.get(name="张强")
    assert (zhang.brigade, zhang.role, zhang.on_duty, zhang.hired_on) == (
        county.brigade,
        "firefighter",
        True,
        dt.date(2021, 6, 1),
    )
    assert zhang.history.latest().history_user == county.lead

    result = run(
        "members", [member_row(岗位="队长", 离职日期="2021-10-31"), member_row(姓名="李明", 岗位="驾驶员")]
    )
    assert result.ok, result.error_lines()
    assert (result.updated, result.unchanged) == (1, 1)
    zhang.refresh_from_db()
    assert (zhang.role, zhang.left_on, zhang.on_duty) == ("captain", dt.date(2021, 10, 31), False)

    result = run("members", [member_row(岗位="队长")])
    assert errors(result) == [
        (2, "离职日期", "该队员已于 2021-10-31 离职，离职记录不能通过导入撤销，请填写离职日期")
    ]


def test_equipment_is_matched_by_brigade_and_type_and_its_maintenance_follows_the_service(county):
    result = run(
        "equipment", [equipment_row(上次保养="2021-10-01"), equipment_row(装备名称="消防水带", 数量=20)]
    )
    assert result.ok, result.error_lines()
    pump = EquipmentItem.objects.get(equipment_type=county.pump)
    assert pump.next_maintenance_on == dt.date(2021, 12, 30)  # 90 days, computed by the service

    result = run(
        "equipment",
        [equipment_row(数量=3, 上次保养="2021-10-01"), equipment_row(装备名称="消防水带", 数量=20)],
    )
    assert (result.updated, result.unchanged) == (1, 1)
    assert [(c.column, c.old, c.new) for c in result.rows[0].changes] == [("数量", "2", "3")]
    assert EquipmentItem.objects.count() == 2


def test_funding_allocates_then_records_the_increase_of_the_disbursed_total(county):
    row = funding_row(**{"已到位（元）": 100000, "到位日期": "2021-09-01", "凭证号": "A1"})
    assert run("funding", [row], user=county.center).ok  # budgets are the guidance center's
    allocation = FundingAllocation.objects.get()
    assert (allocation.amount, allocation.disbursed_amount) == (Decimal("360000.00"), Decimal("100000.00"))

    result = run(
        "funding", [funding_row(**{"已到位（元）": 150000.5, "到位日期": "2021-10-01", "凭证号": "A2"})]
    )
    assert result.updated == 1, result.error_lines()
    allocation.refresh_from_db()
    assert allocation.disbursed_amount == Decimal("150000.50")
    assert sorted(Disbursement.objects.values_list("amount", "voucher_no")) == [
        (Decimal("50000.50"), "A2"),
        (Decimal("100000.00"), "A1"),
    ]
    assert Disbursement.objects.get(voucher_no="A2").recorded_by is None  # an operator's import

    result = run("funding", [funding_row(**{"已到位（元）": 1000})])
    assert errors(result) == [
        (2, "已到位（元）", "已到位金额不能减少：系统中已登记到位 150000.50 元，本行填写 1000.00 元")
    ]


def test_inspection_rows_of_one_visit_make_one_inspection_with_its_hazards(county):
    premises = f.PremisesFactory(township=county.chumiao, name="福民超市", address="政府街18号")
    rows = [
        inspection_row(不合格检查项="C01、C02"),
        inspection_row(
            不合格检查项="C02", 隐患描述="灭火器过期两具", 隐患等级="重大火灾隐患", 隐患对应检查项="C02"
        ),
        inspection_row(
            单位名称="福民超市",
            检查日期="2021-11-21",
            不合格检查项=None,
            隐患描述=None,
            隐患等级=None,
            整改期限=None,
            整改责任人=None,
        ),
    ]
    result = run("inspections", rows, user=county.lead)
    assert result.ok, result.error_lines()
    assert result.created == 3
    first = Inspection.objects.get(inspected_on=dt.date(2021, 11, 20))
    assert (first.premises, first.township, first.recorded_by) == (premises, county.chumiao, county.lead)
    assert set(first.results.values_list("item__code", "result")) == {("C01", "fail"), ("C02", "fail")}
    assert sorted(first.hazards.values_list("description", "severity", "status")) == [
        ("灭火器过期两具", "major", "open"),
        ("疏散通道堆放杂物", "general", "open"),
    ]
    assert Inspection.objects.count() == 2
    premises.refresh_from_db()
    assert premises.last_inspected_on == dt.date(2021, 11, 21)  # through the townships service

    # The same file again changes nothing; a new hazard row is added to the recorded inspection.
    again = run("inspections", [*rows, inspection_row(隐患描述="电线私拉乱接", 不合格检查项=None)])
    assert again.ok, again.error_lines()
    assert (again.created, again.updated, again.unchanged) == (0, 1, 3)
    assert Hazard.objects.count() == 3
    assert ChecklistResult.objects.count() == 2

    changed = run("inspections", [inspection_row(整改期限="2021-12-31")])
    assert errors(changed) == [
        (2, "整改期限", "该隐患已登记，整改期限不能通过导入修改（延长整改期限请在隐患页面办理）")
    ]


def test_a_refused_hazard_is_reported_on_its_own_row(county):
    f.PremisesFactory(township=county.chumiao, name="福民超市")
    rows = [inspection_row(), inspection_row(隐患描述="灭火器过期", 整改期限="2021-11-01")]
    result = run("inspections", rows)
    assert errors(result) == [(3, "整改期限", "整改期限不能早于发现日期。")]
    assert result.rows[0].outcome == "create"
    assert not Inspection.objects.exists()


def test_hazard_columns_without_a_description_are_refused(county):
    f.PremisesFactory(township=county.chumiao, name="福民超市")
    result = run("inspections", [inspection_row(隐患描述=None)])
    assert errors(result) == [(2, "隐患描述", "填写了隐患等级、整改期限等隐患信息，但缺少隐患描述")]
    result = run("inspections", [inspection_row(整改期限=None)])
    assert errors(result) == [(2, "整改期限", "填写隐患描述时必填")]
