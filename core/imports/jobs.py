"""Running one ImportJob's pending action (preview or confirm), here or on the worker: claimed with a
guarded UPDATE, the outcome and progress kept on the job.

Language: a run's messages (the reasons a row or the file was refused) are made in the language of
the request that asked for it (passed to the worker with the task) and kept in the job's result as
made; how they are framed ("Row N, column ...") follows whoever reads them (`result_errors`). A
job ended by the system (interrupted, never picked up, crashed) keeps the message's source text
and is translated when read, since no user's language is known then; it is marked `retryable`:
nothing was wrong with its file, which can be run again as it is."""

import datetime as dt
import logging
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.imports.reader import RowError
from core.imports.runner import ImportResult, run_import
from core.models import ImportJob

logger = logging.getLogger(__name__)


def import_job_run(
    *, job_id: int, report_progress: bool = False, language: str | None = None
) -> ImportJob | None:
    """Run the job's pending action (preview or confirm) if it is queued; None if another run has
    it or it is done (a redelivered task does nothing). Never raises for a bad file or row: the
    outcome is kept on the job. Its messages are in `language` (None: the active one)."""
    if language:
        with translation.override(language):
            return import_job_run(job_id=job_id, report_progress=report_progress)
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    job = ImportJob.objects.select_related("owner__profile").get(pk=job_id)
    dry_run = job.action == ImportJob.Action.PREVIEW
    reporter = ProgressReporter(job_id=job.pk) if report_progress else None

    def finish(result: ImportResult) -> None:
        _save_outcome(job, result)

    try:
        with job.file.open("rb") as fileobj:
            result = run_import(
                kind=job.kind,
                fileobj=fileobj,
                user=job.owner,
                dry_run=dry_run,
                progress=reporter,
                # A confirmed import and its job's status commit together.
                before_commit=None if dry_run else finish,
            )
    except Exception:
        logger.exception("import job %s crashed", job_id)
        fail(
            job_id,
            gettext_noop(
                "处理文件时出现系统错误，未写入任何数据。文件已保存：请稍后点“重新运行”，或联系指导中心。"
            ),
        )
        return ImportJob.objects.get(pk=job_id)
    finally:
        if reporter is not None:
            reporter.close()
    if not result.committed:
        _save_outcome(job, result)
    return job


# What jobs ended by the system said before they could be run again: kept on old jobs, and still
# translated when read.
EARLIER_MESSAGES = (
    gettext_noop("处理文件时出现系统错误，未写入任何数据。请稍后重试或联系指导中心。"),
    gettext_noop("处理过程中断（超时或后台服务重启），未写入任何数据。请重新上传文件再试。"),
    gettext_noop("后台服务一直没有处理这个文件（可能已重启），未写入任何数据。请重新上传文件再试。"),
    gettext_noop("后台任务服务暂时不可用，文件未处理、未写入任何数据。请稍后重新上传，或联系指导中心。"),
)


def fail(job_id: int, message: str) -> None:
    """End the job as failed for a system reason with `message`: a source text (gettext_noop),
    translated when read. Its file was not at fault, so the job can be run again."""
    ImportJob.objects.filter(pk=job_id).update(**_failed(message))


def import_jobs_end_stale(*, owner=None) -> int:
    """End as failed every job (of `owner`, or anyone's) still "running" IMPORT_JOB_STALE_MINUTES
    after it was claimed: its worker was killed or its request died (a crashed run ends itself).
    Its transaction died with it, so nothing was written; its owner runs it again (retryable).
    Likewise a job still "queued" IMPORT_JOB_QUEUED_STALE_MINUTES after it was queued: its task was
    lost on the way (a broker restarted without its queue), and no worker will ever claim it.
    Guarded updates: a run that claims or ends a job meanwhile keeps its own outcome. Returns how
    many ended."""
    now = timezone.now()
    running = ImportJob.objects.filter(
        status=ImportJob.Status.RUNNING,
        started_at__lt=now - dt.timedelta(minutes=settings.IMPORT_JOB_STALE_MINUTES),
    )
    queued_before = now - dt.timedelta(minutes=settings.IMPORT_JOB_QUEUED_STALE_MINUTES)
    queued = ImportJob.objects.filter(status=ImportJob.Status.QUEUED).filter(
        Q(queued_at__lt=queued_before) | Q(queued_at__isnull=True, created_at__lt=queued_before)
    )
    if owner is not None:
        running, queued = running.filter(owner=owner), queued.filter(owner=owner)
    ended = running.update(
        **_failed(
            gettext_noop("处理过程中断（超时或后台服务重启），未写入任何数据。文件已保存，可点“重新运行”。")
        )
    )
    ended += queued.update(
        **_failed(
            gettext_noop(
                "后台服务一直没有处理这个文件（可能已重启），未写入任何数据。文件已保存，可点“重新运行”。"
            )
        )
    )
    if ended:
        logger.warning("%s interrupted import job(s) ended as failed", ended)
    return ended


def _failed(message: str) -> dict:
    # "source": the message is a source text, translated when read (result_errors).
    error = {"row": None, "column": None, "message": message, "text": message, "source": True}
    return {
        "status": ImportJob.Status.FAILED,
        "retryable": True,
        "progress": 100,
        "error_count": 1,
        "finished_at": timezone.now(),
        "result": {"errors": [error], "rows": []},
    }


def result_errors(result: dict) -> list[dict]:
    """The errors kept in a job's `result`, each with its `text` in the reader's language: the
    frame ("Row N, column ...") translated now, the message as the run made it (a system's source
    text translated now)."""
    errors = []
    for error in result.get("errors", []):
        message = _(error["message"]) if error.get("source") else error["message"]
        text = str(RowError(error.get("row"), error.get("column"), message))
        errors.append(error | {"message": message, "text": text})
    return errors


def _save_outcome(job: ImportJob, result: ImportResult) -> None:
    if result.committed:
        job.status = ImportJob.Status.CONFIRMED
    elif result.ok and result.dry_run:
        job.status = ImportJob.Status.PREVIEW
    else:
        job.status = ImportJob.Status.FAILED
    job.created_count = result.created
    job.updated_count = result.updated
    job.unchanged_count = result.unchanged
    job.error_count = len(result.errors)
    # A refused file or row is the file's fault; and a run outliving the stale sweep keeps its outcome.
    job.retryable = False
    job.result = result.as_dict()
    if result.rows:
        job.total_rows = len(result.rows)  # the declared size was an estimate
    job.processed_rows = len(result.rows)
    job.progress = 100
    job.finished_at = timezone.now()
    job.save(
        update_fields=[
            "status",
            "created_count",
            "updated_count",
            "unchanged_count",
            "error_count",
            "retryable",
            "result",
            "total_rows",
            "processed_rows",
            "progress",
            "finished_at",
        ]
    )


class ProgressReporter:
    """Writes ImportJob.progress while the import's own transaction is still open.

    The import runs in one transaction (all or nothing), so its connection cannot publish
    anything; progress goes through a second, autocommitting connection (PostgreSQL). SQLite
    allows one writer at a time, so there the bar only moves when the run ends.
    """

    MIN_INTERVAL = 0.5  # seconds between writes

    def __init__(self, *, job_id: int):
        self.job_id = job_id
        self.last_percent = -1
        self.last_write = 0.0
        self.side = None
        if connection.vendor == "postgresql":
            self.side = connections.create_connection(DEFAULT_DB_ALIAS)

    def __call__(self, done: int, total: int) -> None:
        percent = min(99, done * 100 // max(total, 1))  # 100 only once the outcome is saved
        now = time.monotonic()
        if percent == self.last_percent or (now - self.last_write < self.MIN_INTERVAL and done < total):
            return
        self.last_percent, self.last_write = percent, now
        if self.side is None:
            if not connection.in_atomic_block:
                ImportJob.objects.filter(pk=self.job_id).update(
                    progress=percent, processed_rows=done, total_rows=total
                )
            return
        with self.side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {ImportJob._meta.db_table} "  # noqa: S608 - our own table name, values bound
                "SET progress = %s, processed_rows = %s, total_rows = %s WHERE id = %s",
                [percent, done, total, self.job_id],
            )

    def close(self) -> None:
        if self.side is not None:
            self.side.close()
            self.side = None
