"""How the API answers a refusal (settings: REST_FRAMEWORK["EXCEPTION_HANDLER"]): every 4xx in one
envelope, in the request's language —

    {"type": "validation_error" | "client_error",
     "code": "<what went wrong, stable>",
     "detail": "<one sentence a person can read>",
     "errors": [{"attr": "<field path, e.g. hazards.1.deadline>" | null, "code": "...", "detail": "..."}]}

`errors` lists every problem with the input (a validation error), one per field message (`attr` null:
the request as a whole); it is empty for other refusals, whose `detail` says it all. Statuses: 400
input or a rule of the county's process, 401 no or bad credentials (with `WWW-Authenticate`), 403
the access policy, 404, 405, 406, 409 a step the record's state refuses now or a conflict with
another record, 412 a stale `If-Match`, 413, 415, 422 a reused idempotency key, 429 with
`Retry-After`. Kept apart from core.api, which DRF's settings load while rest_framework.views is
still being imported."""

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from core.exceptions import AccessDenied, ApplicationError, ConflictError

VALIDATION_ERROR = "validation_error"
CLIENT_ERROR = "client_error"


class Refused(exceptions.APIException):
    """A rule of the county's process refused the request as sent (ApplicationError)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "refused"


class StateConflict(exceptions.APIException):
    """The record's state refuses the step now, or another record conflicts (ConflictError, or a database
    constraint that a race past the service's own check met)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("与已有记录冲突，未保存。")
    default_code = "conflict"


class TooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


def too_large_message(limit: int) -> str:
    return gettext("请求内容过大，不能超过 %(limit)s MB。") % {"limit": f"{limit / 1024 / 1024:g}"}


def error_body(*, code: str, detail, errors: list | None = None, kind: str = CLIENT_ERROR) -> dict:
    """The envelope (for answers made outside DRF's handler too: the size cap, the lockout)."""
    return {"type": kind, "code": code, "detail": str(detail), "errors": errors or []}


def field_errors(detail, attr: str | None = None) -> list[dict]:
    """DRF's nested error detail as a flat list: a field's messages under its dotted path, the
    request's own (non_field_errors) under null."""
    if isinstance(detail, dict):
        found = []
        for key, value in detail.items():
            whole = key in (api_settings.NON_FIELD_ERRORS_KEY, NON_FIELD_ERRORS)
            found += field_errors(value, attr if whole else _path(attr, key))
        return found
    if isinstance(detail, list):
        found = []
        for index, item in enumerate(detail):
            nested = isinstance(item, dict | list)
            found += field_errors(item, _path(attr, index) if nested else attr)
        return found
    return [{"attr": attr, "code": getattr(detail, "code", None) or "invalid", "detail": str(detail)}]


def _path(attr: str | None, key) -> str:
    return f"{attr}.{key}" if attr else str(key)


def as_api_exception(exc: Exception) -> Exception:
    """What the county's own exceptions, and Django's, are as API refusals."""
    if isinstance(exc, AccessDenied):
        # An access rule of the app's policy, enforced by the service itself: 403, in its own words.
        return exceptions.PermissionDenied(str(exc.message))
    if isinstance(exc, ConflictError):
        return StateConflict(str(exc.message))
    if isinstance(exc, ApplicationError):
        return Refused(str(exc.message))
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, RequestDataTooBig):
        # Django's cap on a body held in memory (DATA_UPLOAD_MAX_MEMORY_SIZE), said as the API does.
        return TooLarge(too_large_message(settings.DATA_UPLOAD_MAX_MEMORY_SIZE))
    if isinstance(exc, Http404):
        # Django's words for a missing object are English and name the model: say it plainly.
        return exceptions.NotFound(_("未找到该记录，或您无权查看。"))
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, IntegrityError):
        # A race past the service's own check: the database constraint held; say so, don't 500.
        return StateConflict()
    return exc


def exception_handler(exc, context):
    exc = as_api_exception(exc)
    response = drf_exception_handler(exc, context)  # its headers: WWW-Authenticate, Retry-After
    if response is None:
        return None  # not a refusal: a server error, left to Django (logged, the 500 page)
    request = context.get("request")
    if getattr(getattr(request, "accepted_renderer", None), "format", None) == "xlsx":
        # A refusal is JSON even when the request asked for a workbook (?format=xlsx); the browsable
        # API keeps showing it on its page.
        request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
    if isinstance(exc, exceptions.ValidationError):
        errors = field_errors(exc.detail)
        detail = (
            errors[0]["detail"]
            if len(errors) == 1
            else gettext("提交的内容有 %(n)s 处问题，见各字段的说明。") % {"n": len(errors)}
        )
        response.data = error_body(code="invalid", detail=detail, errors=errors, kind=VALIDATION_ERROR)
    else:
        detail = exc.detail if not isinstance(exc.detail, dict | list) else exc.default_detail
        code = getattr(detail, "code", None) or exc.default_code
        response.data = error_body(code=code, detail=detail)
    return response
