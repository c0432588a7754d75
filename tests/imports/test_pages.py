"""The import pages: who may use them, upload → preview (nothing written) → confirm (all written)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from core.imports.reader import MAX_FILE_BYTES
from core.imports.registry import get_kind
from core.models import ImportJob, Role
from tests import factories as f
from tests.imports.conftest import counts, premises_row, xlsx
from townships.models import Premises

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(client, kind, content, name="单位.xlsx"):
    return client.post(
        "/imports/", {"kind": kind, "file": SimpleUploadedFile(name, content, content_type=XLSX)}
    )


@pytest.fixture
def lead_client(client, county):
    client.force_login(county.lead)
    return client


@pytest.mark.parametrize("who", ["lead", "center"])
def test_importers_see_the_import_page_and_download_every_template(client, county, who):
    client.force_login(getattr(county, who))
    response = client.get("/imports/")
    assert response.status_code == 200
    assert 'data-testid="import-form"' in response.text
    for kind, sheet in [
        ("premises", "社会单位"),
        ("members", "专职队员"),
        ("equipment", "消防装备"),
        ("funding", "经费预算"),
        ("inspections", "检查记录"),
    ]:
        response = client.get(f"/imports/templates/{kind}.xlsx")
        assert response.status_code == 200
        assert response["Content-Type"] == XLSX
        assert load_workbook(io.BytesIO(response.content)).sheetnames == [sheet, "填写说明"]
    assert client.get("/imports/templates/nothing.xlsx").status_code == 404


@pytest.mark.parametrize("who", ["official", "police", "responsible", "nobody"])
def test_other_roles_are_refused_every_import_page(client, county, who):
    users = {
        "official": county.official,
        "police": county.police,
        "responsible": f.make_user(
            Role.PREMISES_RESPONSIBLE, premises=f.PremisesFactory(township=county.chumiao)
        ),
        "nobody": f.UserFactory(),
    }
    client.force_login(users[who])
    job = ImportJob.objects.create(owner=users[who], kind="premises", file="imports/x.xlsx")
    before = counts()
    assert client.get("/imports/").status_code == 403
    assert upload(client, "premises", xlsx("premises", [premises_row()])).status_code == 403
    assert client.get("/imports/templates/premises.xlsx").status_code == 403
    assert client.get("/imports/export/premises.xlsx").status_code == 403
    assert client.get(f"/imports/{job.pk}/").status_code == 403
    assert client.get(f"/imports/{job.pk}/status").status_code == 403
    assert client.post(f"/imports/{job.pk}/confirm").status_code == 403
    assert counts() == before


def test_upload_previews_every_row_without_writing_then_confirm_writes_them(lead_client, county, settings):
    f.PremisesFactory(
        township=county.chumiao,
        name="福民超市",
        address="政府街18号",
        risk_level="low",
        grid=county.grid,
        police_station=county.station,
    )
    content = xlsx("premises", [premises_row(), premises_row(单位名称="褚庙中学", 类别="学校")])
    before = Premises.objects.count()
    response = upload(lead_client, "premises", content)
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/imports/{job.pk}/"
    assert (job.status, job.total_rows, job.created_count, job.updated_count) == ("preview", 2, 1, 1)
    assert job.owner == county.lead
    assert job.file.name.startswith("imports/")
    assert (settings.MEDIA_ROOT / job.file.name).is_file()
    assert Premises.objects.count() == before

    page = lead_client.get(f"/imports/{job.pk}/")
    assert page.status_code == 200
    assert 'data-testid="import-confirm"' in page.text
    assert 'data-testid="row-2" data-action="update"' in page.text
    assert "风险等级：低风险 → 中风险" in page.text
    assert 'data-testid="row-3" data-action="create"' in page.text

    response = lead_client.post(f"/imports/{job.pk}/confirm")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == "confirmed"
    assert Premises.objects.count() == before + 1
    assert Premises.objects.get(name="福民超市").risk_level == "medium"
    assert Premises.objects.get(name="褚庙中学").history.latest().history_user == county.lead

    # A second confirmation (a double click, a replayed form) writes nothing more.
    again = lead_client.post(f"/imports/{job.pk}/confirm", follow=True)
    assert "不能导入" in again.text
    assert Premises.objects.count() == before + 1


def test_a_file_with_errors_shows_them_first_and_cannot_be_confirmed(lead_client, county):
    content = xlsx(
        "premises",
        [premises_row(), premises_row(单位名称="北关供销社", 乡镇="北关镇", 网格=None, 辖区派出所=None)],
    )
    before = counts()
    upload(lead_client, "premises", content)
    job = ImportJob.objects.get()
    assert (job.status, job.error_count) == ("failed", 1)
    page = lead_client.get(f"/imports/{job.pk}/")
    text = page.text
    assert "行 3，列 乡镇：不能操作其他乡镇的数据。" in text
    assert text.index('data-testid="import-errors"') < text.index('data-testid="import-rows"')
    assert 'data-testid="import-confirm"' not in text
    assert lead_client.post(f"/imports/{job.pk}/confirm").status_code == 302
    job.refresh_from_db()
    assert job.status == "failed"
    after = counts()
    assert after.pop("core.ImportJob") == before.pop("core.ImportJob") + 1
    assert after == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        pytest.param("单位.xlsx", lambda: b"\0" * (MAX_FILE_BYTES + 1), "文件过大", id="oversize"),
        pytest.param(
            "单位.xls", lambda: xlsx("premises", [premises_row()]), "只能导入 .xlsx 格式", id="xls-name"
        ),
        pytest.param("单位.xlsx", lambda: b"not a workbook", "文件不是有效的 .xlsx 格式", id="not-xlsx"),
        pytest.param(
            "单位.xlsx", lambda: xlsx("premises", [premises_row()])[:-200], "不是有效的 .xlsx", id="corrupt"
        ),
        pytest.param(
            "单位.xlsx",
            lambda: xlsx("premises", [premises_row()], sheet="Sheet1"),
            "找不到名为“社会单位”的工作表",
            id="wrong-sheet",
        ),
        pytest.param(
            "单位.xlsx",
            lambda: xlsx("premises", [premises_row()], headers=get_kind("members").headers),
            "行 1，列 消防队：不是本模板的列",
            id="headers-of-another-kind",
        ),
    ],
)
def test_a_refused_file_is_shown_on_the_form_and_nothing_is_kept(lead_client, county, name, content, message):
    before = counts()
    response = upload(lead_client, "premises", content(), name=name)
    assert response.status_code == 400
    assert message in response.text
    assert '<option value="premises" selected>' in response.text
    assert "需要重新选择文件" in response.text
    assert counts() == before


def test_a_job_is_visible_only_to_its_owner(client, county):
    client.force_login(county.lead)
    upload(client, "premises", xlsx("premises", [premises_row()]))
    job = ImportJob.objects.get()
    client.force_login(county.center)
    assert client.get(f"/imports/{job.pk}/").status_code == 404
    assert client.get(f"/imports/{job.pk}/status").status_code == 404
    assert client.post(f"/imports/{job.pk}/confirm").status_code == 404
    job.refresh_from_db()
    assert job.status == "preview"
    assert not Premises.objects.exists()


def test_the_status_endpoint_reports_progress_as_json(lead_client, county):
    upload(lead_client, "premises", xlsx("premises", [premises_row()]))
    job = ImportJob.objects.get()
    data = lead_client.get(f"/imports/{job.pk}/status").json()
    assert data == {
        "id": job.pk,
        "status": "preview",
        "status_label": "待确认",
        "action": "preview",
        "progress": 100,
        "processed_rows": 1,
        "total_rows": 1,
        "done": True,
        "url": f"/imports/{job.pk}/",
    }


def test_a_running_job_shows_a_progress_bar_polling_the_status(lead_client, county):
    job = ImportJob.objects.create(
        owner=county.lead,
        kind="premises",
        file="imports/x.xlsx",
        total_rows=800,
        status="running",
        progress=40,
        processed_rows=320,
    )
    page = lead_client.get(f"/imports/{job.pk}/")
    assert f'data-status-url="/imports/{job.pk}/status"' in page.text
    assert 'value="40"' in page.text
    assert "/static/js/imports.js" in page.text
    assert 'data-testid="import-confirm"' not in page.text


def test_a_lead_exports_only_their_own_township_in_the_import_layout(lead_client, county):
    f.PremisesFactory(township=county.chumiao, name="福民超市")
    f.PremisesFactory(township=county.beiguan, name="北关供销社")
    response = lead_client.get("/imports/export/premises.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))["社会单位"]
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["福民超市"]


def test_the_preview_page_runs_a_fixed_number_of_queries(lead_client, county):
    def queries(n):
        ImportJob.objects.all().delete()
        upload(
            lead_client, "premises", xlsx("premises", [premises_row(单位名称=f"单位{i}") for i in range(n)])
        )
        job = ImportJob.objects.get()
        with CaptureQueriesContext(connection) as captured:
            assert lead_client.get(f"/imports/{job.pk}/").status_code == 200
        return len(captured)

    assert queries(3) == queries(30)


def test_the_preview_page_fits_a_phone(lead_client, county):
    upload(lead_client, "premises", xlsx("premises", [premises_row()]))
    page = lead_client.get(f"/imports/{ImportJob.objects.get().pk}/")
    assert 'name="viewport" content="width=device-width' in page.text
    assert '<div class="table-scroll">' in page.text


def test_a_large_file_is_refused_cleanly_when_the_broker_is_down(
    lead_client, county, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    from core.imports import tasks
    from core.imports.services import ASYNC_ROW_THRESHOLD

    def broker_down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(tasks.import_job_run_task, "apply_async", broker_down)
    rows = [premises_row(单位名称=f"单位{i}") for i in range(ASYNC_ROW_THRESHOLD + 1)]
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(lead_client, "premises", xlsx("premises", rows))
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert job.status == "failed"
    assert "后台任务服务暂时不可用" in lead_client.get(f"/imports/{job.pk}/").text
    assert not Premises.objects.exists()


def test_an_unexpected_crash_fails_the_job_and_writes_nothing(lead_client, county, monkeypatch):
    from core.imports import jobs

    def crash(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(jobs, "run_import", crash)
    upload(lead_client, "premises", xlsx("premises", [premises_row()]))
    job = ImportJob.objects.get()
    assert (job.status, job.error_count) == ("failed", 1)
    assert "处理文件时出现系统错误" in lead_client.get(f"/imports/{job.pk}/").text
    assert not Premises.objects.exists()
