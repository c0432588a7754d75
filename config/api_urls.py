"""/api/v1/: every resource, token auth, the OpenAPI schema and Swagger UI (served locally)."""

import importlib
import importlib.util

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.routers import DefaultRouter
from rest_framework.settings import api_settings

from core.throttles import AddressThrottle, TokenThrottle
from core.views import lockout


class TokenView(ObtainAuthToken):
    """POST username/password, get a token for `Authorization: Token <key>`."""

    permission_classes = [AllowAny]
    throttle_classes = [AddressThrottle, TokenThrottle]
    # ObtainAuthToken names DRF's own parsers: use the project's (JSON depth limited).
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError:
            # django-axes marks the request it was given (DRF's wrapper), which its middleware never sees.
            if getattr(request, "axes_locked_out", False):
                return lockout(request._request)
            raise


router = DefaultRouter()
# Each app's api module contributes ROUTES = [(prefix, viewset, basename), ...].
API_MODULES = [
    "townships.api",
    "firebrigade.api",
    "inspections.api",
    "meetings.api",
    "leaders.api",
    "notifications.api",
]
for module_name in API_MODULES:
    if importlib.util.find_spec(module_name) is None:  # an app without an API yet
        continue
    for prefix, viewset, basename in importlib.import_module(module_name).ROUTES:
        router.register(prefix, viewset, basename=basename)

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include(router.urls)),
]
