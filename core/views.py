import functools
import logging
import mimetypes
from pathlib import Path

from axes.helpers import get_client_username, get_cool_off
from django.apps import apps
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db.models import FileField, Q
from django.http import FileResponse, Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import gettext
from django.views import defaults
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET

from core import health
from core.api_errors import error_body
from core.scoping import can_see_record
from core.uploads import RandomName, media_reader_allows

logger = logging.getLogger(__name__)


@login_not_required
@require_GET
def favicon(request):
    """Browsers and chat apps ask for /favicon.ico before anyone logs in: the site's icon."""
    return HttpResponseRedirect(static("favicon.ico"))


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """For load balancers and operators: 200 when the database and broker answer, else 503. Why a
    part is down (an exception's text: hosts, ports, versions) is logged, and shown only to staff
    logged in; anyone else reads "down"."""
    db_ok, db_detail = health.database_ok()
    broker_ok, broker_detail = health.broker_ok()
    healthy = db_ok and broker_ok
    if not healthy:
        logger.warning("healthz: database %s; broker %s", db_detail, broker_detail)
    if not request.user.is_staff:
        db_detail = "ok" if db_ok else "down"
        broker_detail = "ok" if broker_ok else "down"
    return JsonResponse(
        {
            "status": "ok" if healthy else "unhealthy",
            "database": db_detail,
            "broker": broker_detail,
        },
        status=200 if healthy else 503,
    )


def page_not_found(request, exception=None):
    """settings.handler404: under /api/ a path that names nothing (an id that is not a number) is
    answered like every API refusal, in JSON; pages get the 404 page."""
    if request.path_info.startswith("/api/"):
        return JsonResponse(
            error_body(code="not_found", detail=gettext("未找到该记录，或您无权查看。")), status=404
        )
    return defaults.page_not_found(request, exception)


@login_not_required
def lockout(request, original_response=None, credentials=None):
    """django-axes lockout: tell the person plainly that the account is locked and for how long."""
    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else None
    context = {"username": get_client_username(request, credentials) or "", "minutes": minutes}
    if request.path_info.startswith("/api/"):
        message = gettext("登录失败次数过多，账号已暂时锁定，请 %(minutes)s 分钟后再试。") % {
            "minutes": minutes
        }
        response = JsonResponse(error_body(code="locked", detail=message), status=429)
        if cool_off:
            response["Retry-After"] = str(max(1, round(cool_off.total_seconds())))
        return response
    return render(request, "registration/locked.html", context, status=429)


# --- uploaded files --------------------------------------------------------------------------


@functools.cache
def _file_owners() -> dict[str, list[tuple[type, list[str]]]]:
    """Upload prefix -> [(model, its file fields with that prefix)], for every model that declares
    `media_scope = (township lookup, premises lookup or None)`: whose record a file is."""
    owners: dict[str, list[tuple[type, list[str]]]] = {}
    for model in apps.get_models():
        if not hasattr(model, "media_scope"):
            continue
        by_prefix: dict[str, list[str]] = {}
        for field in model._meta.concrete_fields:
            if isinstance(field, FileField) and isinstance(field.upload_to, RandomName):
                by_prefix.setdefault(field.upload_to.prefix, []).append(field.name)
        for prefix, names in by_prefix.items():
            owners.setdefault(prefix, []).append((model, names))
    return owners


def _owner(name: str) -> tuple[int, int | None, bool, type, int]:
    """(township id, premises id, whether the record belongs to a premises, its model, its id) of the
    record that holds the file `name`; Http404 if none."""
    for model, fields in _file_owners().get(name.split("/", 1)[0], []):
        township_lookup, premises_lookup = model.media_scope
        holds = Q()
        for field in fields:
            holds |= Q(**{field: name})
        lookups = ["pk", township_lookup] + ([premises_lookup] if premises_lookup else [])
        row = model.objects.filter(holds).values_list(*lookups).first()
        if row is not None:
            premises_id = row[2] if premises_lookup else None
            return row[1], premises_id, premises_lookup is not None, model, row[0]
    raise Http404


@cache_control(private=True, max_age=3600)
def protected_media(request, path: str):
    """Uploaded files are served only to users who may see the record they belong to."""
    root = Path(settings.MEDIA_ROOT).resolve()
    full = (root / path).resolve()
    if root not in full.parents or not full.is_file():
        raise Http404
    township_id, premises_id, of_premises, model, pk = _owner(path)
    # A file of a township's record (an assignment's evidence) is not tied to a premises.
    premises = {"premises_id": premises_id} if of_premises else {}
    if not can_see_record(request.user, township_id=township_id, **premises) and not media_reader_allows(
        request.user, model, pk
    ):
        raise Http404
    content_type = mimetypes.guess_type(full.name)[0] or "application/octet-stream"
    response = FileResponse(full.open("rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline" if content_type.startswith("image/") else "attachment"
    return response
