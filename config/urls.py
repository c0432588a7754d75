from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from core import media_views, trace_views
from core import views as core_views

admin.site.site_header = "消防安全检查指导服务中心 · 管理后台"
admin.site.site_title = "firebrigade 管理后台"
admin.site.index_title = "乡镇专职消防队建设与冬春火灾防控"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("notifications/", core_views.notification_inbox, name="notification-inbox"),
    path("notifications/read/", core_views.notification_mark_read, name="notification-mark-read"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("trace/premises/<int:pk>/", trace_views.premises_trace, name="trace-premises"),
    path("trace/incidents/<int:pk>/", trace_views.incident_trace, name="trace-incident"),
    path("trace/assignments/<int:pk>/", trace_views.assignment_trace, name="trace-assignment"),
    path("media/<path:path>", media_views.protected_media, name="protected-media"),
    path("reports/", include("core.bulletin_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
