"""Excel import pages: choose a kind, download its template, upload, preview every row, confirm.

Township leads import their own township's rows, the guidance center any; everyone else gets 403.
A job is visible only to its owner (404 otherwise).
"""

from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.exceptions import ApplicationError
from core.imports import services
from core.imports import tasks as _tasks  # noqa: F401 - registers the Celery task wherever URLs load
from core.imports.base import ACTION_LABELS, can_import
from core.imports.columns import column_title
from core.imports.exporters import XLSX, export_queryset, export_xlsx, template_xlsx
from core.imports.forms import ImportUploadForm
from core.imports.jobs import result_errors
from core.imports.reader import MAX_FILE_BYTES, FileRefused, file_too_large
from core.imports.registry import KINDS
from core.middleware import request_length
from core.models import ImportJob

ROWS_PER_PAGE = 100
# An upload's request: the file and the form around it.
MAX_UPLOAD_REQUEST_BYTES = MAX_FILE_BYTES + 64 * 1024
ERRORS_SHOWN = 500


def _require_importer(request) -> None:
    if not can_import(request.user):
        raise PermissionDenied


def _job(request, pk: int, *, with_result: bool = True) -> ImportJob:
    try:
        return services.import_job_for(user=request.user, job_id=pk, with_result=with_result)
    except ImportJob.DoesNotExist as exc:
        raise Http404 from exc


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@require_http_methods(["GET", "POST"])
def import_home(request):
    _require_importer(request)
    status = 200
    if request.method == "POST" and request_length(request) > MAX_UPLOAD_REQUEST_BYTES:
        # Refused before the body is read (it would be spooled to disk whole, then refused).
        messages.error(request, str(file_too_large(request_length(request)).errors[0]))
        form = ImportUploadForm(initial={"kind": request.GET.get("kind", "premises")})
        status = 413
    elif request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                job = services.import_job_create(
                    owner=request.user, kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"]
                )
            except FileRefused as exc:
                for error in exc.errors:
                    form.add_error("file", str(error))
            except ApplicationError as exc:
                form.add_error(None, str(exc.message))
            else:
                return redirect("imports:detail", job.pk)
        status = 400
    else:
        form = ImportUploadForm(initial={"kind": request.GET.get("kind", "premises")})
    kinds = [{"name": name, "label": spec.label, "rule": spec.match_rule} for name, spec in KINDS.items()]
    return render(
        request,
        "imports/home.html",
        {"form": form, "kinds": kinds, "jobs": services.import_job_list(user=request.user)},
        status=status,
    )


@require_GET
def template_download(request, kind: str):
    _require_importer(request)
    if kind not in KINDS:
        raise Http404
    return _xlsx(template_xlsx(kind), _("%(kind)s导入模板.xlsx") % {"kind": KINDS[kind].label})


@require_GET
def export_download(request, kind: str):
    """The user's own data of `kind`, in the import layout (edit it and import it back)."""
    _require_importer(request)
    if kind not in KINDS:
        raise Http404
    content = export_xlsx(kind, export_queryset(kind, user=request.user))
    return _xlsx(content, f"{KINDS[kind].label}-{timezone.localdate().isoformat()}.xlsx")


@require_GET
def import_detail(request, pk: int):
    _require_importer(request)
    job = _job(request, pk)
    result = job.result or {}
    errors = result_errors(result)
    rows = result.get("rows", [])
    only = request.GET.get("only")
    if only in ACTION_LABELS:
        rows = [row for row in rows if row["action"] == only]
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = [_row_lines(row) for row in page.object_list]
    return render(
        request,
        "imports/detail.html",
        {
            "job": job,
            "kind": KINDS[job.kind],
            "errors": errors[:ERRORS_SHOWN],
            "errors_hidden": max(0, len(errors) - ERRORS_SHOWN),
            "page": page,
            "only": only,
            "action_labels": ACTION_LABELS,
            "running": job.status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING),
            "can_confirm": job.status == ImportJob.Status.PREVIEW and job.error_count == 0,
            "can_retry": services.import_job_retryable(job=job),
        },
    )


def _row_lines(row: dict) -> dict:
    """A kept row result with its errors and changes as lines in the reader's language (a column
    named by its header and, in English, its meaning)."""
    empty = _("（空）")
    errors = [
        _("%(column)s：%(message)s") % {"column": column_title(e["column"]), "message": e["message"]}
        if e.get("column")
        else e["message"]
        for e in row.get("errors", [])
    ]
    changes = [
        _("%(column)s：%(old)s → %(new)s")
        % {"column": column_title(column), "old": old or empty, "new": new or empty}
        for column, old, new in row.get("changes", [])
    ]
    return row | {"error_lines": errors, "change_lines": changes}


@require_POST
def import_confirm(request, pk: int):
    _require_importer(request)
    job = _job(request, pk)
    try:
        services.import_job_confirm(job=job, by=request.user)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    return redirect("imports:detail", job.pk)


@require_POST
def import_retry(request, pk: int):
    """重新运行: a job the system failed (interrupted, crashed) runs its step again from its kept file."""
    _require_importer(request)
    job = _job(request, pk, with_result=False)
    try:
        services.import_job_retry(job=job, by=request.user)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    return redirect("imports:detail", job.pk)


@never_cache
@require_GET
def import_status(request, pk: int):
    """Polled every second by static/js/imports.js while a job runs on the worker."""
    _require_importer(request)
    job = _job(request, pk, with_result=False)
    done = job.status not in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING)
    return JsonResponse(
        {
            "id": job.pk,
            "status": job.status,
            "status_label": job.get_status_display(),
            "action": job.action,
            "progress": job.progress,
            "processed_rows": job.processed_rows,
            "total_rows": job.total_rows,
            "done": done,
            "url": reverse("imports:detail", args=[job.pk]),
        }
    )
