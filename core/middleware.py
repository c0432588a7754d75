from django.contrib.auth.middleware import LoginRequiredMiddleware


class SiteLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Every page needs a login. The API answers for itself: DRF authenticates sessions and tokens
    and answers 401/403 as JSON, where a redirect to the login page would be wrong."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
