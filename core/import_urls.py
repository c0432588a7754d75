from django.urls import path

from core import import_views

app_name = "imports"

urlpatterns = [
    path("", import_views.import_home, name="home"),
    path("templates/<str:kind>.xlsx", import_views.template_download, name="template"),
    path("export/<str:kind>.xlsx", import_views.export_download, name="export"),
    path("<int:pk>/", import_views.import_detail, name="detail"),
    path("<int:pk>/confirm", import_views.import_confirm, name="confirm"),
    path("<int:pk>/retry", import_views.import_retry, name="retry"),
    path("<int:pk>/status", import_views.import_status, name="status"),
]
