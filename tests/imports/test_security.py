"""Holes found by probing the import door (issue 20): a township lead may import only what the API
lets it write, and a hostile workbook is refused before it is parsed, with nothing written."""

import datetime as dt
import io
import re
import tracemalloc
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.imports.jobs import import_job_run
from core.imports.reader import MAX_CELL_CHARS, MAX_SHARED_STRINGS_BYTES
from core.imports.runner import run_import
from core.imports.tasks import import_jobs_end_stale_task
from core.models import ImportJob
from firebrigade.access import CENTER_KEEPS_FUNDING
from inspections.models import Inspection
from tests import factories as f
from tests.imports.conftest import counts, funding_row, inspection_row, premises_row, xlsx

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


# -- hostile workbooks: refused before they are parsed -----------------------------------------------


def _with_members(content: bytes, members: dict[str, bytes]) -> bytes:
    """`content` (an .xlsx) with `members` replaced or added, deflated as Excel does."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in source.namelist():
            if name not in members:
                archive.writestr(name, source.read(name))
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def _shared_string_bomb(size: int) -> bytes:
    """A valid premises workbook with a shared-strings part (as Excel writes them) whose first
    string is `size` bytes long, used by a cell: tiny packed, `size` unpacked."""
    content = xlsx("premises", [premises_row()])
    source = zipfile.ZipFile(io.BytesIO(content))
    types = source.read("[Content_Types].xml").decode()
    types = types.replace(
        "</Types>",
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHARED_STRINGS_TYPE}"/></Types>',
    )
    sheet = source.read("xl/worksheets/sheet1.xml").decode()
    sheet, found = re.subn(
        r'<c r="D2" t="inlineStr"><is><t>[^<]*</t></is></c>', '<c r="D2" t="s"><v>0</v></c>', sheet
    )
    assert found == 1
    huge = b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    huge += b"<si><t>" + b"A" * size + b"</t></si></sst>"
    return _with_members(
        content,
        {
            "[Content_Types].xml": types.encode(),
            "xl/worksheets/sheet1.xml": sheet.encode(),
            "xl/sharedStrings.xml": huge,
        },
    )


def test_a_shared_string_bomb_is_refused_before_it_is_parsed(lead_client, county):
    bomb = _shared_string_bomb(64 * 1024 * 1024)
    assert len(bomb) < 1024 * 1024  # it passes the 5 MB upload limit
    before = counts()
    tracemalloc.start()
    try:
        result = run_import(kind="premises", fileobj=io.BytesIO(bomb), user=county.lead, dry_run=False)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [(e.row, e.message[:7]) for e in result.errors] == [(None, "文件解压后过大")]
    assert peak < 16 * 1024 * 1024  # the 64 MB string was never unpacked
    response = upload(lead_client, "premises", bomb)
    assert response.status_code == 400
    assert "文件解压后过大" in response.text
    assert counts() == before  # no job kept, no row written


def test_shared_strings_over_their_own_limit_are_refused(county):
    bomb = _shared_string_bomb(MAX_SHARED_STRINGS_BYTES)
    result = run_import(kind="premises", fileobj=io.BytesIO(bomb), user=county.lead)
    assert "文件解压后过大" in result.errors[0].message


def test_a_cell_longer_than_excel_allows_is_refused_on_its_row_and_column(county):
    # openpyxl truncates what it writes to Excel's limit: lengthen the cell in the sheet's XML.
    content = xlsx("premises", [premises_row(), premises_row(单位名称="长")])
    sheet = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    sheet, found = re.subn(
        r'(<c r="B3" t="inlineStr"><is><t>)长(</t>)', rf"\g<1>{'长' * (MAX_CELL_CHARS + 1)}\2", sheet
    )
    assert found == 1
    content = _with_members(content, {"xl/worksheets/sheet1.xml": sheet.encode()})
    before = counts()
    result = run_import(kind="premises", fileobj=io.BytesIO(content), user=county.lead, dry_run=False)
    assert [(e.row, e.column) for e in result.errors] == [(3, "单位名称")]
    assert "单元格内容过长" in result.errors[0].message
    assert counts() == before


def test_rows_beyond_an_under_declared_dimension_are_read(lead_client, county):
    """A sheet whose <dimension> says A1:J2 but holds 5 data rows previews 5 rows, not 1."""
    rows = [premises_row(单位名称=f"单位{i}") for i in range(5)]
    content = xlsx("premises", rows)
    sheet = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    short, found = re.subn(r'<dimension ref="[^"]+"\s*/>', '<dimension ref="A1:J2"/>', sheet)
    assert found == 1
    content = _with_members(content, {"xl/worksheets/sheet1.xml": short.encode()})
    upload(lead_client, "premises", content)
    job = ImportJob.objects.get()
    assert (job.status, job.total_rows, job.created_count) == ("preview", 5, 5)


# -- interrupted jobs end as failed ----------------------------------------------------------------


def test_a_job_left_running_by_a_killed_worker_ends_failed_and_the_file_can_be_imported_again(
    lead_client, county, settings
):
    settings.IMPORT_JOB_STALE_MINUTES = 30
    now = timezone.now()
    stale = ImportJob.objects.create(
        owner=county.lead,
        kind="premises",
        file="imports/x.xlsx",
        status="running",
        started_at=now - dt.timedelta(minutes=31),
    )
    fresh = ImportJob.objects.create(
        owner=county.lead, kind="premises", file="imports/y.xlsx", status="running", started_at=now
    )
    others = ImportJob.objects.create(
        owner=county.center,
        kind="premises",
        file="imports/z.xlsx",
        status="running",
        started_at=now - dt.timedelta(hours=2),
    )
    status = lead_client.get(f"/imports/{stale.pk}/status").json()
    assert (status["status"], status["done"]) == ("failed", True)
    stale.refresh_from_db()
    assert stale.finished_at is not None
    assert "处理过程中断" in stale.result["errors"][0]["message"]
    assert lead_client.get(f"/imports/{fresh.pk}/status").json()["status"] == "running"
    others.refresh_from_db()
    assert others.status == "running"  # another owner's: left to the scheduled sweep
    import_jobs_end_stale_task()
    others.refresh_from_db()
    assert others.status == "failed"
    fresh.refresh_from_db()
    assert fresh.status == "running"
    # Nothing was written by the interrupted run; the same file goes through again.
    upload(lead_client, "premises", xlsx("premises", [premises_row()]))
    assert ImportJob.objects.latest("pk").status == "preview"


def test_a_claimed_run_records_when_it_started(county):
    job = ImportJob.objects.create(owner=county.lead, kind="premises", status="queued")
    job.file.save("upload.xlsx", ContentFile(xlsx("premises", [premises_row()])))
    import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "preview"
    assert job.started_at is not None


def test_a_job_whose_task_was_lost_on_the_way_ends_as_failed(settings, county, lead_client):
    """A broker that restarted without its queue: the job stays "queued" and no worker will ever claim
    it. The sweep ends it with a reason once it has waited IMPORT_JOB_QUEUED_STALE_MINUTES; a job
    queued recently, or confirmed recently after an old upload, is left to its worker."""
    settings.IMPORT_JOB_QUEUED_STALE_MINUTES = 60
    now = timezone.now()
    lost = ImportJob.objects.create(
        owner=county.lead, kind="premises", file="imports/a.xlsx", status="queued"
    )
    ImportJob.objects.filter(pk=lost.pk).update(queued_at=now - dt.timedelta(minutes=61))
    waiting = ImportJob.objects.create(
        owner=county.lead, kind="premises", file="imports/b.xlsx", status="queued", queued_at=now
    )
    confirmed_now = ImportJob.objects.create(
        owner=county.lead, kind="premises", file="imports/c.xlsx", status="queued", action="confirm"
    )
    ImportJob.objects.filter(pk=confirmed_now.pk).update(created_at=now - dt.timedelta(days=1), queued_at=now)
    import_jobs_end_stale_task()
    lost.refresh_from_db()
    assert lost.status == "failed"
    assert lost.finished_at is not None
    assert "一直没有处理" in lost.result["errors"][0]["message"]
    waiting.refresh_from_db()
    confirmed_now.refresh_from_db()
    assert (waiting.status, confirmed_now.status) == ("queued", "queued")
    # Its owner sees why on the job's page and uploads again.
    assert lead_client.get(f"/imports/{lost.pk}/status").json()["status"] == "failed"


def test_uploading_and_confirming_record_when_the_job_was_queued(county, lead_client):
    before = timezone.now()
    upload(lead_client, "premises", xlsx("premises", [premises_row()]))
    job = ImportJob.objects.get()
    assert job.queued_at >= before
    lead_client.post(f"/imports/{job.pk}/confirm")
    job.refresh_from_db()
    assert job.status == "confirmed"
    assert job.queued_at >= before


def test_uploads_are_limited_per_user_and_hour(settings, county, lead_client):
    settings.IMPORT_UPLOADS_PER_HOUR = 2
    for _ in range(2):
        assert upload(lead_client, "premises", xlsx("premises", [premises_row()])).status_code == 302
    refused = upload(lead_client, "premises", xlsx("premises", [premises_row()]))
    assert refused.status_code == 400
    assert "每小时最多上传 2 个文件" in refused.content.decode()
    assert ImportJob.objects.count() == 2
    # An hour on, the lead uploads again.
    ImportJob.objects.update(created_at=timezone.now() - dt.timedelta(minutes=61))
    assert upload(lead_client, "premises", xlsx("premises", [premises_row()])).status_code == 302
