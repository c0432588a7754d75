"""重新运行: a job the system failed (interrupted, never picked up, crashed) is run again by its owner
from its kept file, the same step it failed in; a job whose file or rows were refused is not (the same
file would be refused again), and nobody else's job can be touched."""

import datetime as dt
import importlib
import time

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone, translation

from core.exceptions import ApplicationError, ConflictError
from core.imports import jobs
from core.imports.services import ASYNC_ROW_THRESHOLD, import_job_retry
from core.models import ImportJob
from firebrigade.access import CENTER_KEEPS_FUNDING
from firebrigade.models import FundingAllocation
from tests.imports.conftest import funding_row, premises_row, xlsx
from townships.models import Premises

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BUTTON = 'data-testid="import-retry"'
EXPLAINED = "上次处理被中断，文件已保存，可重新运行。"


@pytest.fixture(autouse=True)
def _restore_language():
    """A request through LocaleMiddleware leaves its language active in this thread."""
    before = translation.get_language()
    yield
    translation.activate(before or django_settings.LANGUAGE_CODE)


@pytest.fixture
def lead_client(client, county):
    client.force_login(county.lead)
    return client


def upload(client, kind, content):
    return client.post(
        "/imports/", {"kind": kind, "file": SimpleUploadedFile("单位.xlsx", content, content_type=XLSX)}
    )


def stored_job(owner, kind: str, content: bytes, *, rows: int = 1, **fields) -> ImportJob:
    job = ImportJob(owner=owner, kind=kind, original_name="导入.xlsx", total_rows=rows, **fields)
    job.file.save("upload.xlsx", ContentFile(content), save=True)
    return job


def interrupted(owner, kind: str, content: bytes, *, action=ImportJob.Action.PREVIEW, rows: int = 1):
    """A job whose run was claimed long ago and never ended: its worker was killed."""
    return stored_job(
        owner,
        kind,
        content,
        rows=rows,
        action=action,
        status=ImportJob.Status.RUNNING,
        started_at=timezone.now() - dt.timedelta(days=1),
    )


def state(job: ImportJob) -> tuple:
    job = ImportJob.objects.get(pk=job.pk)
    return (
        job.status,
        job.action,
        job.retryable,
        job.error_count,
        job.result,
        job.queued_at,
        job.started_at,
        job.finished_at,
    )


def test_an_interrupted_preview_is_run_again_by_its_owner_and_imported_once(lead_client, county):
    job = interrupted(county.lead, "premises", xlsx("premises", [premises_row()]))
    page = lead_client.get(f"/imports/{job.pk}/")
    job.refresh_from_db()
    assert (job.status, job.retryable) == ("failed", True)
    assert "处理过程中断" in page.text
    assert BUTTON in page.text
    assert EXPLAINED in page.text

    response = lead_client.post(f"/imports/{job.pk}/retry")
    assert response.status_code == 302
    assert response["Location"] == f"/imports/{job.pk}/"
    job.refresh_from_db()
    assert (job.status, job.action, job.retryable) == ("preview", "preview", False)
    assert (job.created_count, job.error_count, job.progress) == (1, 0, 100)
    assert job.result["counts"]["create"] == 1
    assert job.started_at > timezone.now() - dt.timedelta(minutes=1)
    assert not Premises.objects.exists()  # a preview writes nothing
    assert BUTTON not in lead_client.get(f"/imports/{job.pk}/").text

    lead_client.post(f"/imports/{job.pk}/confirm")
    job.refresh_from_db()
    assert job.status == "confirmed"
    assert Premises.objects.filter(township=county.chumiao, name="福民超市").count() == 1

    again = lead_client.post(f"/imports/{job.pk}/retry", follow=True)
    assert "不能重新运行" in again.text
    assert Premises.objects.count() == 1


def test_an_interrupted_confirmation_is_run_again_as_a_confirmation(lead_client, county):
    upload(lead_client, "premises", xlsx("premises", [premises_row()]))
    job = ImportJob.objects.get()
    assert job.status == "preview"
    # Confirmed, claimed by a worker that was then killed: its transaction died with it.
    ImportJob.objects.filter(pk=job.pk).update(
        status="running", action="confirm", started_at=timezone.now() - dt.timedelta(days=1)
    )
    assert BUTTON in lead_client.get(f"/imports/{job.pk}/").text
    assert not Premises.objects.exists()

    lead_client.post(f"/imports/{job.pk}/retry")
    job.refresh_from_db()
    assert (job.status, job.action, job.created_count) == ("confirmed", "confirm", 1)
    premises = Premises.objects.get()
    assert premises.history.latest().history_user == county.lead

    with pytest.raises(ConflictError):
        import_job_retry(job=job, by=county.lead)
    assert Premises.objects.count() == 1


def test_a_crashed_run_is_run_again_once_the_fault_is_gone(lead_client, county, monkeypatch):
    run_import = jobs.run_import

    def crash(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(jobs, "run_import", crash)
    upload(lead_client, "premises", xlsx("premises", [premises_row()]))
    job = ImportJob.objects.get()
    assert (job.status, job.retryable) == ("failed", True)
    assert BUTTON in lead_client.get(f"/imports/{job.pk}/").text

    monkeypatch.setattr(jobs, "run_import", run_import)
    lead_client.post(f"/imports/{job.pk}/retry")
    job.refresh_from_db()
    assert (job.status, job.created_count, job.error_count) == ("preview", 1, 0)


def test_a_job_refused_for_its_rows_cannot_be_run_again(lead_client, county):
    upload(lead_client, "premises", xlsx("premises", [premises_row(乡镇="不存在乡")]))
    job = ImportJob.objects.get()
    assert (job.status, job.retryable, job.error_count) == ("failed", False, 1)
    page = lead_client.get(f"/imports/{job.pk}/")
    assert BUTTON not in page.text
    assert EXPLAINED not in page.text
    assert 'data-testid="import-errors"' in page.text
    before = state(job)

    response = lead_client.post(f"/imports/{job.pk}/retry", follow=True)
    assert response.status_code == 200
    assert "重新运行结果相同" in response.text
    assert state(job) == before
    with pytest.raises(ConflictError):
        import_job_retry(job=job, by=county.lead)
    assert state(job) == before
    assert not Premises.objects.exists()


def test_the_access_policy_still_refuses_at_run_time(lead_client, county):
    """A lead's interrupted funding file runs again as the lead: the policy refuses its row as it
    refuses an upload, and that refusal is the file's, not to be run again."""
    job = interrupted(county.lead, "funding", xlsx("funding", [funding_row()]))
    assert BUTTON in lead_client.get(f"/imports/{job.pk}/").text

    lead_client.post(f"/imports/{job.pk}/retry")
    job.refresh_from_db()
    assert (job.status, job.retryable) == ("failed", False)
    assert [e["message"] for e in job.result["errors"]] == [str(CENTER_KEEPS_FUNDING)]
    assert not FundingAllocation.objects.exists()
    assert BUTTON not in lead_client.get(f"/imports/{job.pk}/").text


@pytest.mark.parametrize("who", ["beiguan_lead", "center"])
def test_nobody_but_the_owner_can_run_a_job_again(client, county, who):
    job = interrupted(county.lead, "premises", xlsx("premises", [premises_row()]))
    jobs.import_jobs_end_stale()
    before = state(job)
    client.force_login(getattr(county, who))
    assert client.get(f"/imports/{job.pk}/").status_code == 404
    assert client.post(f"/imports/{job.pk}/retry").status_code == 404
    with pytest.raises(ApplicationError):
        import_job_retry(job=job, by=getattr(county, who))
    assert state(job) == before
    assert not Premises.objects.exists()


def test_a_role_that_may_not_import_is_refused(client, county):
    job = interrupted(county.lead, "premises", xlsx("premises", [premises_row()]))
    jobs.import_jobs_end_stale()
    before = state(job)
    client.force_login(county.official)
    assert client.post(f"/imports/{job.pk}/retry").status_code == 403
    assert state(job) == before


def test_run_again_answers_only_post(lead_client, county):
    job = interrupted(county.lead, "premises", xlsx("premises", [premises_row()]))
    jobs.import_jobs_end_stale()
    before = state(job)
    assert lead_client.get(f"/imports/{job.pk}/retry").status_code == 405
    assert state(job) == before


def test_run_again_needs_the_csrf_token(county):
    job = interrupted(county.lead, "premises", xlsx("premises", [premises_row()]))
    jobs.import_jobs_end_stale()
    before = state(job)
    client = Client(enforce_csrf_checks=True)
    client.force_login(county.lead)
    assert client.post(f"/imports/{job.pk}/retry").status_code == 403
    assert state(job) == before


def test_two_clicks_queue_a_large_job_once(lead_client, county, settings, django_capture_on_commit_callbacks):
    """A large job lost on its way to the worker: two clicks on 重新运行 queue one task."""
    settings.IMPORT_JOB_QUEUED_STALE_MINUTES = 60
    job = stored_job(
        county.lead,
        "premises",
        xlsx("premises", [premises_row()]),
        rows=ASYNC_ROW_THRESHOLD + 1,
        status=ImportJob.Status.QUEUED,
    )
    ImportJob.objects.filter(pk=job.pk).update(queued_at=timezone.now() - dt.timedelta(minutes=61))
    assert BUTTON in lead_client.get(f"/imports/{job.pk}/").text  # ended as never picked up

    with django_capture_on_commit_callbacks() as queued:
        lead_client.post(f"/imports/{job.pk}/retry")
        second = lead_client.post(f"/imports/{job.pk}/retry", follow=True)
    assert len(queued) == 1
    assert "排队中" in second.text
    job.refresh_from_db()
    assert (job.status, job.action, job.retryable, job.result) == ("queued", "preview", False, {})
    assert job.queued_at > timezone.now() - dt.timedelta(minutes=1)
    assert (job.started_at, job.finished_at, job.error_count, job.progress) == (None, None, 0, 0)


@pytest.mark.django_db(transaction=True)
def test_a_large_job_run_again_goes_to_the_worker(client, county, celery_worker):
    rows = [premises_row(单位名称=f"单位{i:04d}") for i in range(ASYNC_ROW_THRESHOLD + 1)]
    job = interrupted(county.lead, "premises", xlsx("premises", rows), rows=len(rows))
    client.force_login(county.lead)
    assert BUTTON in client.get(f"/imports/{job.pk}/").text

    client.post(f"/imports/{job.pk}/retry")
    deadline = time.monotonic() + 120
    while not client.get(f"/imports/{job.pk}/status").json()["done"]:
        assert time.monotonic() < deadline, "the worker did not run the job"
        time.sleep(0.2)
    job.refresh_from_db()
    assert (job.status, job.created_count, job.error_count) == ("preview", len(rows), 0)
    assert not Premises.objects.exists()


def test_run_again_speaks_the_readers_language(county):
    job = interrupted(county.lead, "premises", xlsx("premises", [premises_row()]))
    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    english.force_login(county.lead)
    page = english.get(f"/imports/{job.pk}/").text
    assert BUTTON in page
    assert "Run again" in page
    assert "The last run was interrupted. The file is kept and can be run again." in page
    assert "重新运行" not in page
    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    chinese.force_login(county.lead)
    page = chinese.get(f"/imports/{job.pk}/").text
    assert BUTTON in page
    assert "重新运行</button>" in page
    assert EXPLAINED in page

    refused = stored_job(county.lead, "premises", b"", status=ImportJob.Status.CONFIRMED)
    answer = english.post(f"/imports/{refused.pk}/retry", follow=True).text
    assert "cannot be run again" in answer


def test_only_a_failed_job_can_be_marked_retryable(county):
    job = stored_job(county.lead, "premises", b"", status=ImportJob.Status.PREVIEW)
    with pytest.raises(IntegrityError), transaction.atomic():
        ImportJob.objects.filter(pk=job.pk).update(retryable=True)


def test_jobs_the_system_ended_before_retrying_existed_become_retryable(county):
    migration = importlib.import_module("core.migrations.0011_importjob_retryable")
    ended = stored_job(county.lead, "premises", b"")
    jobs.fail(ended.pk, "处理文件时出现系统错误，未写入任何数据。请稍后重试或联系指导中心。")
    ImportJob.objects.filter(pk=ended.pk).update(retryable=False)
    refused = stored_job(
        county.lead,
        "premises",
        b"",
        status=ImportJob.Status.FAILED,
        error_count=1,
        result={"errors": [{"row": 2, "column": "乡镇", "message": "未知乡镇", "text": "未知乡镇"}]},
    )
    migration.mark_system_failures(apps, None)
    ended.refresh_from_db()
    refused.refresh_from_db()
    assert (ended.retryable, refused.retryable) == (True, False)
