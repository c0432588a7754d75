"""/api/v1/: every resource, token auth, the OpenAPI schema and Swagger UI (served locally)."""

import importlib
import importlib.util

from django.urls import path
from django.utils import translation
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from core.api_tokens import ApiTokenViewSet, TokenView
from core.urls_index import IndexedResolver


class SchemaView(SpectacularAPIView):
    """The schema in English whatever the reader's language: one document for client generators
    (types are named after its titles and enums). The API's own answers follow Accept-Language."""

    def dispatch(self, request, *args, **kwargs):
        with translation.override("en"):
            response = super().dispatch(request, *args, **kwargs)
            return response.render()


router = DefaultRouter()
router.register("auth/tokens", ApiTokenViewSet, basename="api-tokens")
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
    path("schema/", SchemaView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    IndexedResolver(router.urls),  # tried by the path's first segment, not one by one
]
