from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from core import views as core_views
from homes import pwa
from homes import views as home_views
from leaders import views as leader_views

handler404 = "core.views.page_not_found"

admin.site.site_header = _("消防安全检查指导服务中心 · 管理后台")
admin.site.site_title = _("firebrigade 管理后台")
admin.site.index_title = _("乡镇专职消防队建设与冬春火灾防控")

urlpatterns = [
    # First: the API's calls come many at a time (a phone's sync), and every pattern before a match is tried.
    path("api/v1/", include("config.api_urls")),
    path("", home_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    # The offline app (PWA): its worker's scope is the whole site, so it is served from the root.
    path("sw.js", pwa.service_worker, name="pwa-service-worker"),
    path("manifest.webmanifest", pwa.manifest, name="pwa-manifest"),
    path("notifications/", include("notifications.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Choosing a language is allowed before logging in (the login page offers it).
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("media/<path:path>", core_views.protected_media, name="protected-media"),
    path("dashboard/", leader_views.county_dashboard, name="county-dashboard"),
    path("map/", leader_views.county_map, name="county-map"),
    path("", include("homes.urls")),
    # 一店一码: the short address a QR label carries (core.qr.scan_path).
    path("q/<slug:token>", home_views.scan, name="scan"),
    path("townships/", include("townships.urls")),
    path("inspections/", include("inspections.urls")),
    path("brigades/", include("firebrigade.urls")),
    path("meetings/", include("meetings.urls")),
    path("imports/", include("core.import_urls")),
    path("reports/", include("leaders.urls")),
    path("assessments/", include("assessments.urls")),
    path("admin/", admin.site.urls),
]
