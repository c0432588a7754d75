"""An export re-imports: export a township's records, import the file into a database without them,
and the same records come back; importing it over the same records changes nothing."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from core.imports.exporters import export_queryset, export_xlsx, template_xlsx
from core.imports.registry import KINDS
from core.imports.runner import run_import
from firebrigade import services as brigade_services
from firebrigade.models import BrigadeMember, Disbursement, EquipmentItem, FundingAllocation
from inspections.models import ChecklistResult, Hazard, Inspection
from tests import factories as f
from tests.imports.conftest import counts
from townships.models import County, Grid, PoliceStation, Premises, Township

PREMISES_FIELDS = (
    "township_id",
    "name",
    "address",
    "category",
    "risk_level",
    "is_key_unit",
    "responsible_person",
    "responsible_phone",
    "manager",
    "manager_phone",
    "grid_id",
    "police_station_id",
)


def _import(kind, content, user):
    result = run_import(kind=kind, fileobj=io.BytesIO(content), user=user, dry_run=False)
    assert result.ok, result.error_lines()
    return result


def test_premises_exported_then_imported_into_an_empty_database_come_back_the_same(county):
    f.PremisesFactory(
        township=county.chumiao,
        name="福民超市",
        address="政府街18号",
        grid=county.grid,
        police_station=county.station,
        risk_level="high",
        is_key_unit=True,
        manager="王小明",
        manager_phone="0370-8123456",
    )
    f.PremisesFactory(
        township=county.chumiao,
        name='=HYPERLINK("x")',
        address="",
        grid=None,
        category="school",
        risk_level="low",
        responsible_phone="13800000001",
    )
    f.PremisesFactory(township=county.chumiao, name="福民超市", address="北街2号", grid=county.grid)
    f.PremisesFactory(township=county.beiguan, name="北关镇供销社")  # another township: not exported
    queryset = export_queryset("premises", user=county.lead)
    assert queryset.count() == 3
    expected = sorted(queryset.values_list(*PREMISES_FIELDS))
    content = export_xlsx("premises", queryset)

    Premises.objects.filter(township=county.chumiao).delete()
    result = _import("premises", content, county.lead)
    assert result.created == 3
    assert sorted(Premises.objects.filter(township=county.chumiao).values_list(*PREMISES_FIELDS)) == expected

    before = counts()
    again = _import("premises", content, county.lead)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert counts() == before


@pytest.mark.django_db
def test_premises_exported_then_imported_into_a_fresh_database_come_back_the_same():
    county = f.CountyFactory(name="民权县")
    township = f.TownshipFactory(county=county, name="褚庙乡")
    grid = f.GridFactory(township=township, name="第一网格")
    station = f.PoliceStationFactory(county=county, name="褚庙派出所")
    station.townships.add(township)
    f.PremisesFactory(
        township=township,
        name="福民超市",
        address="政府街18号",
        grid=grid,
        police_station=station,
        risk_level="high",
        is_key_unit=True,
        manager="王小明",
        manager_phone="0370-8123456",
    )
    f.PremisesFactory(township=township, name="褚庙中学", address="", grid=None, category="school")

    def records():
        return sorted(
            Premises.objects.values_list(
                "township__county__name",
                "township__name",
                "name",
                "address",
                "category",
                "risk_level",
                "is_key_unit",
                "responsible_person",
                "responsible_phone",
                "manager",
                "manager_phone",
                "grid__name",
                "police_station__name",
            )
        )

    expected = records()
    content = export_xlsx("premises", Premises.objects.all())

    # An empty database: nothing of the above is left, then the county's frame is set up again.
    Premises.objects.all().delete()
    Grid.objects.all().delete()
    PoliceStation.objects.all().delete()
    Township.objects.all().delete()
    County.objects.all().delete()
    county = f.CountyFactory(name="民权县")
    township = f.TownshipFactory(county=county, name="褚庙乡")
    f.GridFactory(township=township, name="第一网格")
    f.PoliceStationFactory(county=county, name="褚庙派出所").townships.add(township)
    assert not Premises.objects.exists()

    result = _import("premises", content, None)
    assert result.created == 2
    assert records() == expected


def test_members_equipment_and_funding_round_trip(county):
    member = f.BrigadeMemberFactory(
        brigade=county.brigade,
        name="张强",
        role="captain",
        phone="13900000000",
        certification="五级",
        certified_on=dt.date(2021, 5, 1),
        contract_until=dt.date(2024, 5, 31),
    )
    f.BrigadeMemberFactory(brigade=county.brigade, name="李明", hired_on=dt.date(2020, 1, 1))
    brigade_services.brigade_member_leave(
        member=BrigadeMember.objects.get(name="李明"), left_on=dt.date(2021, 8, 1)
    )
    f.EquipmentItemFactory(
        brigade=county.brigade,
        equipment_type=county.pump,
        quantity=2,
        condition="needs_repair",
        acquired_on=dt.date(2021, 7, 1),
        last_maintained_on=dt.date(2021, 10, 1),
        next_maintenance_on=dt.date(2021, 11, 15),
        note="备用",
    )
    f.EquipmentItemFactory(brigade=county.brigade, equipment_type=county.hose, quantity=20)
    allocation = f.FundingAllocationFactory(
        township=county.chumiao, year=2021, amount=Decimal("360000.00"), source="县级财政", note="按季拨付"
    )
    brigade_services.disbursement_record(
        allocation=allocation,
        amount=Decimal("100000.10"),
        disbursed_on=dt.date(2021, 9, 1),
        voucher_no="A1",
        by=None,
    )
    f.FundingAllocationFactory(township=county.chumiao, year=2021, category="office", amount=Decimal("0"))

    cases = {
        "members": (
            BrigadeMember,
            (
                "brigade_id",
                "name",
                "role",
                "phone",
                "certification",
                "certified_on",
                "hired_on",
                "left_on",
                "contract_until",
                "on_duty",
            ),
        ),
        "equipment": (
            EquipmentItem,
            (
                "brigade_id",
                "equipment_type_id",
                "quantity",
                "condition",
                "acquired_on",
                "last_maintained_on",
                "next_maintenance_on",
                "note",
            ),
        ),
        "funding": (
            FundingAllocation,
            ("township_id", "year", "category", "amount", "disbursed_amount", "source", "note"),
        ),
    }
    exported = {}
    for kind, (_model, fields) in cases.items():
        queryset = export_queryset(kind, user=county.lead)
        exported[kind] = (sorted(queryset.values_list(*fields)), export_xlsx(kind, queryset))
    assert member.pk

    Disbursement.objects.all().delete()
    for model, _fields in cases.values():
        model.objects.all().delete()
    # Budgets are the guidance center's to record (firebrigade.access); the rest the lead's.
    importer = {"funding": county.center}
    for kind, (model, fields) in cases.items():
        expected, content = exported[kind]
        _import(kind, content, importer.get(kind, county.lead))
        assert sorted(model.objects.values_list(*fields)) == expected, kind

    before = counts()
    for kind, (_expected, content) in exported.items():
        again = _import(kind, content, importer.get(kind, county.lead))
        assert again.created == again.updated == 0, kind
    assert counts() == before


def test_inspections_with_hazards_and_failures_round_trip(county):
    premises = f.PremisesFactory(township=county.chumiao, name="福民超市", address="政府街18号")
    other = f.PremisesFactory(township=county.chumiao, name="福民超市", address="北街2号")
    inspection = f.InspectionFactory(
        premises=premises,
        inspected_on=dt.date(2021, 11, 20),
        notes="通道堵塞",
        signed_by="王福民",
        police_station=county.station,
        kind="police",
    )
    ChecklistResult.objects.create(inspection=inspection, item=county.exits, result="fail")
    ChecklistResult.objects.create(inspection=inspection, item=county.extinguishers, result="fail")
    f.HazardFactory(inspection=inspection, description="疏散通道堆放杂物", checklist_item=county.exits)
    f.HazardFactory(
        inspection=inspection, description="灭火器过期", severity="major", deadline=dt.date(2021, 12, 20)
    )
    f.InspectionFactory(premises=other, inspected_on=dt.date(2021, 11, 21), kind="self", inspectors="王福民")

    fields = (
        "premises_id",
        "township_id",
        "kind",
        "inspected_on",
        "inspectors",
        "police_station_id",
        "signed_by",
        "notes",
    )
    hazard_fields = (
        "inspection__premises_id",
        "severity",
        "description",
        "discovered_on",
        "deadline",
        "responsible_person",
        "checklist_item_id",
        "status",
    )
    queryset = export_queryset("inspections", user=county.lead)
    expected = sorted(queryset.values_list(*fields))
    expected_hazards = sorted(Hazard.objects.values_list(*hazard_fields))
    expected_fails = sorted(
        ChecklistResult.objects.values_list("inspection__premises_id", "item_id", "result")
    )
    content = export_xlsx("inspections", queryset)

    Hazard.objects.all().delete()
    Inspection.objects.all().delete()
    # Police and self-inspections among them: only the guidance center records every kind.
    result = _import("inspections", content, county.center)
    assert result.created == 3
    assert sorted(Inspection.objects.values_list(*fields)) == expected
    assert sorted(Hazard.objects.values_list(*hazard_fields)) == expected_hazards
    assert (
        sorted(ChecklistResult.objects.values_list("inspection__premises_id", "item_id", "result"))
        == expected_fails
    )

    before = counts()
    again = _import("inspections", content, county.center)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert counts() == before


def test_each_template_has_the_fixed_sheet_headers_an_example_and_instructions(county):
    for name, spec in KINDS.items():
        workbook = load_workbook(io.BytesIO(template_xlsx(name)))
        assert workbook.sheetnames == [spec.sheet, "填写说明"], name
        sheet = workbook[spec.sheet]
        assert [c.value for c in sheet[1]] == spec.headers
        assert sheet.max_row == 2  # one example row
        assert sheet["A2"].comment is not None
        guide = "\n".join(str(c.value) for row in workbook["填写说明"].iter_rows() for c in row if c.value)
        for column in spec.columns:
            assert column.header in guide
