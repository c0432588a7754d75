"""Files of more than 500 rows run on the real Celery worker; the page polls the job's progress."""

import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from core.imports.registry import get_kind
from core.imports.services import ASYNC_ROW_THRESHOLD
from core.imports.tasks import import_job_run_task
from core.models import ImportJob
from tests.imports.conftest import premises_row
from townships.models import Premises

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROWS = ASYNC_ROW_THRESHOLD + 1


def _big_file() -> bytes:
    spec = get_kind("premises")
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = spec.sheet
    sheet.append(spec.headers)
    row = premises_row()
    for i in range(ROWS):
        sheet.append([f"单位{i:04d}" if h == "单位名称" else row.get(h) for h in spec.headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _poll_until_done(client, job_id, timeout=120.0):
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        data = client.get(f"/imports/{job_id}/status").json()
        seen.append(data["progress"])
        if data["done"]:
            return data, seen
        time.sleep(0.2)
    raise AssertionError(f"job not done in time; progress seen: {seen[-5:]}")


@pytest.fixture
def slow_batches(monkeypatch):
    """Rows checked 100 at a time, each batch taking a while: the bulk import of a few hundred rows
    is otherwise over before the page's poll can see the bar between 0 and 100."""
    kind = type(get_kind("premises"))
    prepare = kind.prepare_bulk

    def slowly(self, ctx, rows):
        time.sleep(0.3)
        prepare(self, ctx, rows)

    monkeypatch.setattr(kind, "bulk_batch", 100)
    monkeypatch.setattr(kind, "prepare_bulk", slowly)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("slow_batches")
def test_a_large_file_is_previewed_and_imported_by_the_worker_with_progress(client, county, celery_worker):
    client.force_login(county.lead)
    response = client.post(
        "/imports/",
        {"kind": "premises", "file": SimpleUploadedFile("big.xlsx", _big_file(), content_type=XLSX)},
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    page = client.get(f"/imports/{job.pk}/")
    if job.status in ("queued", "running"):
        assert 'data-testid="import-progress"' in page.text

    data, seen = _poll_until_done(client, job.pk)
    assert data["status"] == "preview"
    assert data["progress"] == 100
    assert seen == sorted(seen)  # the bar never moves backwards
    assert any(0 < p < 100 for p in seen)  # published while the import's transaction was open
    job.refresh_from_db()
    assert (job.total_rows, job.created_count, job.error_count) == (ROWS, ROWS, 0)
    assert not Premises.objects.exists()

    client.post(f"/imports/{job.pk}/confirm")
    data, _seen = _poll_until_done(client, job.pk)
    assert (data["status"], data["progress"], data["processed_rows"]) == ("confirmed", 100, ROWS)
    assert Premises.objects.filter(township=county.chumiao).count() == ROWS
    assert Premises.objects.first().history.latest().history_user == county.lead


@pytest.mark.django_db(transaction=True)
def test_a_redelivered_task_does_nothing_the_second_time(county, celery_worker):
    from core.imports.services import import_job_run

    job = ImportJob.objects.create(
        owner=county.center, kind="premises", file="imports/none.xlsx", status="confirmed"
    )
    import_job_run_task.delay(job.pk)
    time.sleep(1)
    assert import_job_run(job_id=job.pk) is None
    job.refresh_from_db()
    assert job.status == "confirmed"
