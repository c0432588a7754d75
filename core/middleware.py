from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpResponse, JsonResponse

from core.api_errors import error_body, too_large_message


class SiteLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Every page needs a login. The API answers for itself: DRF authenticates sessions and tokens
    and answers 401/403 as JSON, where a redirect to the login page would be wrong."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class RequestSizeLimitMiddleware:
    """Refuse (413) a request whose declared body is larger than MAX_REQUEST_BYTES before anything
    reads it: a 200 MB upload used to be read whole, to disk, before the form said it was too large.
    The proxy in front should cap at the same size (client_max_body_size); this is the cap when
    there is none. A body without a length is bounded by DATA_UPLOAD_MAX_MEMORY_SIZE and the
    upload validators as before."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.MAX_REQUEST_BYTES
        if limit and request_length(request) > limit:
            return too_large(request, limit)
        return self.get_response(request)


def request_length(request) -> int:
    """The body's declared length (0 when none, or not a number)."""
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


def too_large(request, limit: int) -> HttpResponse:
    message = too_large_message(limit)
    if request.path_info.startswith("/api/"):
        response = JsonResponse(error_body(code="too_large", detail=message), status=413)
    else:
        response = HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
    # The body was not read: the connection cannot carry another request.
    response["Connection"] = "close"
    return response
