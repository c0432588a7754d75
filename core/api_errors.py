"""How the API answers a refusal (settings: REST_FRAMEWORK["EXCEPTION_HANDLER"]). Kept apart from
core.api, which DRF's settings load while rest_framework.views is still being imported."""

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.exceptions import AccessDenied, ApplicationError


def exception_handler(exc, context):
    if isinstance(exc, AccessDenied):
        # An access rule of the app's policy, enforced by the service itself: 403, in its own words.
        return Response(
            {"detail": str(exc.message), "code": "permission_denied"}, status=status.HTTP_403_FORBIDDEN
        )
    if isinstance(exc, ApplicationError):
        return Response({"detail": str(exc.message), "code": "refused"}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        data = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response(data, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, RequestDataTooBig):
        # Django's cap on a body held in memory (DATA_UPLOAD_MAX_MEMORY_SIZE), said as the API does.
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return Response(
            {
                "detail": _("请求内容过大，不能超过 %(limit)s MB。") % {"limit": f"{limit / 1024 / 1024:g}"},
                "code": "too_large",
            },
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, Http404):
        # Django's words for a missing object are English and name the model: say it plainly, in
        # the request's language.
        exc = exceptions.NotFound(_("未找到该记录，或您无权查看。"))
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, IntegrityError):
        # A race past the service's own check: the database constraint held; say so, don't 500.
        return Response(
            {"detail": str(_("与已有记录冲突，未保存。")), "code": "conflict"},
            status=status.HTTP_400_BAD_REQUEST,
        )
    return drf_exception_handler(exc, context)
