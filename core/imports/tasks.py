"""The Celery side of imports: a thin adapter that takes a job id and runs its pending action."""

from celery import shared_task
from django.conf import settings

from core.imports.jobs import import_job_run, import_jobs_end_stale


@shared_task(name="imports.run_job", ignore_result=True, time_limit=settings.IMPORT_JOB_TIME_LIMIT)
def import_job_run_task(job_id: int, language: str | None = None) -> None:
    """Preview or confirm ImportJob `job_id`, its messages in `language` (the uploader's; None:
    the default). Idempotent: the job is claimed with a guarded update, so a redelivered message
    finds it no longer queued and does nothing. Not retried: a crash leaves nothing written (the
    import is one transaction) and marks the job failed."""
    import_job_run(job_id=job_id, report_progress=True, language=language)


@shared_task(name="imports.end_stale_jobs", ignore_result=True)
def import_jobs_end_stale_task() -> None:
    """End as failed the jobs a killed worker or a dead request left "running"."""
    import_jobs_end_stale()
