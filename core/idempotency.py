"""`Idempotency-Key` on the API's POSTs (creates and state actions): a phone that sends a record
again because it never saw the answer (a lost connection, a retried sync) gets the first answer and
writes nothing.

The first request with a key claims it (a row, unique per user and key, committed before the view
runs); a successful answer (2xx) is kept with it for a day. A repeat with the same key and the same
request — method, path and body, files by their content — gets that answer again, marked
`Idempotent-Replayed: true`. The same key with another request is a 422; a repeat while the first is
still being answered is a 409 with `Retry-After`. An answer that wrote nothing (a refusal, an error)
is not kept: the claim is let go, and a retry is asked again.
"""

import datetime as dt
import hashlib
import json

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status

from core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
KEPT_FOR = dt.timedelta(days=1)
MAX_KEY_LENGTH = 255


class KeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _("这个幂等键（Idempotency-Key）已用于另一个请求；新的请求请换一个键。")
    default_code = "idempotency_key_reused"


class StillAnswering(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("使用这个幂等键（Idempotency-Key）的请求正在处理，请稍后重试。")
    default_code = "idempotency_in_progress"


def _refusal(kind: type[exceptions.APIException]) -> exceptions.APIException:
    # The envelope (core.api_errors) names its code: the class's own.
    return kind()


class Replay(Exception):  # noqa: N818 - not an error: the kept answer, given instead
    """The kept answer to give instead of running the view."""

    def __init__(self, response):
        super().__init__("replay")
        self.response = response


def key_of(request) -> str | None:
    """The request's key (None without one); a key that is not 1–255 visible ASCII characters is
    refused (400)."""
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not 0 < len(key) <= MAX_KEY_LENGTH or not all("!" <= c <= "~" for c in key):
        raise exceptions.ValidationError(
            {HEADER: [_("幂等键须为 1 到 %(n)d 个可见的 ASCII 字符。") % {"n": MAX_KEY_LENGTH}]}
        )
    return key


def fingerprint(request) -> str:
    """What makes two requests the same: method, path with query, and the parsed body (JSON in a
    canonical form; form fields and files by content, so a multipart retry with a new boundary is
    the same request)."""
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.get_full_path()}\n".encode())
    data = request.data
    files = getattr(request, "FILES", None) or {}
    if hasattr(data, "lists"):
        fields = sorted((name, values) for name, values in data.lists() if name not in files)
        digest.update(json.dumps(fields, ensure_ascii=False, default=str).encode())
        for name in sorted(files):
            for upload in files.getlist(name):
                digest.update(f"\n{name}:{upload.name}:".encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    else:
        digest.update(json.dumps(data, ensure_ascii=False, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def claim(*, user, key: str, request_fingerprint: str) -> IdempotencyRecord:
    """Claim `key` for this request; raises Replay with the kept answer of the same request,
    KeyReused for another request, StillAnswering while the first is not answered yet."""
    IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - KEPT_FOR).delete()
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(user=user, key=key, fingerprint=request_fingerprint)
    except IntegrityError:
        pass
    kept = IdempotencyRecord.objects.filter(user=user, key=key).first()
    if kept is None:  # let go between our insert and this read: a retry will find it free
        raise _refusal(StillAnswering)
    if kept.fingerprint != request_fingerprint:
        raise _refusal(KeyReused)
    if kept.status_code is None:
        raise _refusal(StillAnswering)
    response = HttpResponse(bytes(kept.content), status=kept.status_code, content_type=kept.content_type)
    response[REPLAYED] = "true"
    raise Replay(response)


def settle(record: IdempotencyRecord | None, response) -> None:
    """Keep a successful answer with its claim; let go of the claim otherwise."""
    if record is None:
        return
    if 200 <= response.status_code < 300:
        if hasattr(response, "render") and not getattr(response, "is_rendered", True):
            response.render()
        record.status_code = response.status_code
        record.content_type = response.get("Content-Type", "")
        record.content = response.content
        record.save(update_fields=["status_code", "content_type", "content"])
    else:
        release(record)


def release(record: IdempotencyRecord | None) -> None:
    if record is not None and record.pk is not None:
        IdempotencyRecord.objects.filter(pk=record.pk).delete()


class IdempotentMixin:
    """For an API viewset: honour `Idempotency-Key` on POST (see the module)."""

    def dispatch(self, request, *args, **kwargs):
        self._idempotency_record = None
        try:
            return super().dispatch(request, *args, **kwargs)
        except BaseException:
            release(self._idempotency_record)
            raise

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authenticated, permitted, not throttled
        if request.method != "POST":
            return
        key = key_of(request)
        if key is not None:
            self._idempotency_record = claim(
                user=request.user, key=key, request_fingerprint=fingerprint(request)
            )

    def handle_exception(self, exc):
        if isinstance(exc, Replay):
            return exc.response
        response = super().handle_exception(exc)
        if isinstance(exc, StillAnswering):
            response["Retry-After"] = "1"
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if not response.has_header(REPLAYED):
            settle(getattr(self, "_idempotency_record", None), response)
            self._idempotency_record = None
        return response
