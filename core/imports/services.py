"""ImportJob: an uploaded file kept under MEDIA_ROOT/imports/, previewed (dry run), then confirmed.

Files of more than ASYNC_ROW_THRESHOLD rows run on the Celery worker (core.imports.tasks), which
reports progress on the job; smaller files run within the request. A job moves
queued → running → preview (no error) | failed, and after confirmation queued → running →
confirmed | failed; each step is claimed with a guarded UPDATE, so a task delivered twice or two
clicks on 确认导入 run it once. A job the system failed (interrupted, never picked up, crashed) is
run again from its kept file, the same step, on its owner's 重新运行: failed → queued.
"""

import datetime as dt
import functools
import logging

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from kombu.exceptions import OperationalError as KombuOperationalError

from core.exceptions import ApplicationError, ConflictError
from core.imports.base import can_import
from core.imports.jobs import fail, import_job_run, import_jobs_end_stale
from core.imports.reader import MAX_ROWS, FileRefused, check_upload, inspect_sheet, read_sheet
from core.imports.registry import get_kind
from core.imports.tasks import import_job_run_task
from core.models import ImportJob

logger = logging.getLogger(__name__)

ASYNC_ROW_THRESHOLD = 500


def import_uploads_check(*, owner) -> None:
    """At most IMPORT_UPLOADS_PER_HOUR files an hour per user: each is read whole, and a
    scripted flood of uploads would hold the workers from everyone else's."""
    limit = settings.IMPORT_UPLOADS_PER_HOUR
    since = timezone.now() - dt.timedelta(hours=1)
    if ImportJob.objects.filter(owner=owner, created_at__gte=since).count() >= limit:
        raise ApplicationError(_("每小时最多上传 %(n)d 个文件，请稍后再试。") % {"n": limit})


def import_job_create(*, owner, kind: str, upload: UploadedFile) -> ImportJob:
    """Keep `upload` as a new ImportJob of `kind` owned by `owner` and preview it.

    Preconditions: `owner` may import (township lead or guidance center; views answer 403
    otherwise). Refuses with FileRefused, storing nothing, a file that is not .xlsx, too large,
    corrupt, without the kind's sheet or headers, empty or beyond the row limit. Up to
    ASYNC_ROW_THRESHOLD rows the preview runs now; beyond, on the worker once this commits.
    """
    if not can_import(owner):
        raise ApplicationError(_("您的账号无权导入数据（仅限乡镇消防专干和指导中心）。"))
    import_uploads_check(owner=owner)
    spec = get_kind(kind)
    check_upload(name=upload.name, size=upload.size)
    # A large file is only looked at here (sheet, headers, declared size): the worker reads its
    # rows. A small one, one that does not declare its size, or one that declares more rows than
    # allowed (refused now, with the limit's message, unless those rows are blank) is read now.
    total = inspect_sheet(upload, sheet=spec.sheet, headers=spec.headers)
    if total is None or total <= ASYNC_ROW_THRESHOLD or total > MAX_ROWS:
        total = len(read_sheet(upload, sheet=spec.sheet, headers=spec.headers))
    upload.seek(0)
    job = ImportJob(
        owner=owner,
        kind=spec.name,
        original_name=(upload.name or "")[-200:],
        total_rows=total,
        status=ImportJob.Status.QUEUED,
        action=ImportJob.Action.PREVIEW,
        queued_at=timezone.now(),
    )
    job.file.save("upload.xlsx", upload, save=False)
    job.save()
    _run_or_queue(job)
    return job


def import_job_confirm(*, job: ImportJob, by) -> ImportJob:
    """Import a previewed job for real: all rows or nothing. Only the owner; only once.

    Refuses a job that is not awaiting confirmation (still running, had errors, already
    confirmed). The rows are checked again against the data as it is now.
    """
    if by is None or job.owner_id != by.pk:
        raise ApplicationError(_("只能确认自己上传的导入。"))
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PREVIEW, error_count=0).update(
        status=ImportJob.Status.QUEUED,
        action=ImportJob.Action.CONFIRM,
        progress=0,
        processed_rows=0,
        queued_at=timezone.now(),
    )
    if not claimed:
        job.refresh_from_db()
        raise ApplicationError(
            _("该文件当前为“%(status)s”，不能导入：只有预览无误、尚未导入的文件才能确认导入。")
            % {"status": job.get_status_display()}
        )
    job.refresh_from_db()
    _run_or_queue(job)
    job.refresh_from_db()
    return job


def import_job_retryable(*, job: ImportJob) -> bool:
    """Whether `job` can be run again as it is: it failed for a system reason (interrupted, never
    picked up, crashed: jobs.fail), not because its file or rows were refused — that file would be
    refused again — and its file is still kept."""
    return (
        job.status == ImportJob.Status.FAILED
        and job.retryable
        and bool(job.file.name)
        and job.file.storage.exists(job.file.name)
    )


def import_job_retry(*, job: ImportJob, by) -> ImportJob:
    """Run a job the system failed again from its kept file: the same kind and step (a failed
    preview is previewed, a failed confirmation imported), queued like an upload. Only the owner.

    Preconditions: `by` may import (views answer 403 otherwise); the run checks again, as every run
    does, what `by` may write. Refuses a job that is not retryable (import_job_retryable). Claimed
    with a guarded UPDATE, so two clicks queue it once.
    """
    if by is None or job.owner_id != by.pk:
        raise ApplicationError(_("只能重新运行自己上传的导入。"))
    claimed = import_job_retryable(job=job) and ImportJob.objects.filter(
        pk=job.pk, status=ImportJob.Status.FAILED, retryable=True
    ).update(
        status=ImportJob.Status.QUEUED,
        retryable=False,
        progress=0,
        processed_rows=0,
        created_count=0,
        updated_count=0,
        unchanged_count=0,
        error_count=0,
        result={},
        queued_at=timezone.now(),
        started_at=None,
        finished_at=None,
    )
    job.refresh_from_db()
    if not claimed:
        raise ConflictError(_retry_refusal(job))
    _run_or_queue(job)
    job.refresh_from_db()
    return job


def _retry_refusal(job: ImportJob) -> str:
    if job.status == ImportJob.Status.FAILED and job.retryable:
        return _("上传的文件已不在服务器上，不能重新运行，请重新上传。")
    if job.status == ImportJob.Status.FAILED:
        return _("这个文件因文件本身或数据行有错误而未通过，重新运行结果相同：请在 Excel 中改正后重新上传。")
    return _("该文件当前为“%(status)s”，不能重新运行：只有处理中断或出现系统错误的导入才能重新运行。") % {
        "status": job.get_status_display()
    }


def _run_or_queue(job: ImportJob) -> None:
    if job.total_rows > ASYNC_ROW_THRESHOLD:
        # What Task.delay_on_commit does, plus a failed job (not a 500) when the broker is down.
        # The worker writes the job's messages in the language of the request that queued it.
        transaction.on_commit(functools.partial(_queue, job.pk, translation.get_language()))
    else:
        import_job_run(job_id=job.pk)


def _queue(job_id: int, language: str | None = None) -> None:
    try:
        import_job_run_task.delay(job_id, language)
    except KombuOperationalError:
        logger.warning("broker unavailable; import job %s not queued", job_id)
        fail(
            job_id,
            gettext_noop(
                "后台任务服务暂时不可用，文件未处理、未写入任何数据。文件已保存：请稍后点“重新运行”，或联系指导中心。"
            ),
        )


def import_job_for(*, user, job_id: int, with_result: bool = True) -> ImportJob:
    """The job `job_id` if `user` owns it; ImportJob.DoesNotExist otherwise (views answer 404).
    Without its row results (large) when `with_result` is false. A run of the user's that was
    interrupted is ended first, so it is shown failed, not running forever."""
    import_jobs_end_stale(owner=user)
    queryset = ImportJob.objects.filter(owner=user)
    if not with_result:
        queryset = queryset.defer("result")
    return queryset.get(pk=job_id)


def import_job_list(*, user, limit: int = 20) -> list[ImportJob]:
    """The user's latest jobs, without their (large) row results."""
    import_jobs_end_stale(owner=user)
    return list(ImportJob.objects.filter(owner=user).defer("result")[:limit])


__all__ = [
    "ASYNC_ROW_THRESHOLD",
    "FileRefused",
    "import_job_confirm",
    "import_job_create",
    "import_job_for",
    "import_job_list",
    "import_job_retry",
    "import_job_retryable",
    "import_job_run",
    "import_jobs_end_stale",
]
