"""Holes found by probing the import door (issue 20): a township lead may import only what the API
lets it write, and a hostile workbook is refused before it is parsed, with nothing written."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import ImportJob
from firebrigade.access import CENTER_KEEPS_FUNDING
from inspections.models import Inspection
from tests import factories as f
from tests.imports.conftest import counts, funding_row, inspection_row, xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TOWNSHIP_KIND_ONLY = "按您的角色，检查类型只能是“乡镇检查”。"


def upload(client, kind, content, name="导入.xlsx"):
    return client.post(
        "/imports/", {"kind": kind, "file": SimpleUploadedFile(name, content, content_type=XLSX)}
    )


@pytest.fixture
def lead_client(client, county):
    client.force_login(county.lead)
    return client


def test_a_lead_cannot_import_funding_even_for_its_own_township(lead_client, county):
    """The API answers 403 to a lead's funding; the import page refuses the same row in the same
    words, the preview cannot be confirmed, and no budget is written."""
    before = counts()
    upload(lead_client, "funding", xlsx("funding", [funding_row(**{"预算金额（元）": 1_000_000})]))
    job = ImportJob.objects.get()
    assert (job.status, job.error_count) == ("failed", 1)
    assert [e["message"] for e in job.result["errors"]] == [str(CENTER_KEEPS_FUNDING)]
    response = lead_client.post(f"/imports/{job.pk}/confirm", follow=True)
    assert "不能导入" in response.text
    assert {k: v for k, v in counts().items() if k != "core.ImportJob"} == {
        k: v for k, v in before.items() if k != "core.ImportJob"
    }


@pytest.mark.parametrize(
    ("kind", "station"), [("派出所检查", "褚庙派出所"), ("指导中心检查", None), ("单位自查", None)]
)
def test_a_lead_imports_township_inspections_only(lead_client, county, kind, station):
    f.PremisesFactory(township=county.chumiao, name="福民超市")
    before = counts()
    upload(lead_client, "inspections", xlsx("inspections", [inspection_row(检查类型=kind, 派出所=station)]))
    job = ImportJob.objects.get()
    assert job.status == "failed"
    assert (TOWNSHIP_KIND_ONLY, "检查类型") in {(e["message"], e["column"]) for e in job.result["errors"]}
    assert not Inspection.objects.exists()
    assert counts()["inspections.Hazard"] == before["inspections.Hazard"]
    # Its own kind goes through.
    upload(lead_client, "inspections", xlsx("inspections", [inspection_row()]))
    assert ImportJob.objects.latest("pk").status == "preview"


def test_the_center_may_import_funding_and_every_inspection_kind(client, county):
    client.force_login(county.center)
    f.PremisesFactory(township=county.chumiao, name="福民超市")
    upload(client, "funding", xlsx("funding", [funding_row()]))
    assert ImportJob.objects.latest("pk").status == "preview"
    rows = [inspection_row(检查类型="指导中心检查"), inspection_row(检查类型="单位自查", 检查人员="王福民")]
    upload(client, "inspections", xlsx("inspections", rows))
    job = ImportJob.objects.latest("pk")
    assert job.status == "preview", job.result["errors"]
