from django.urls import path

from leaders import bulletin_views

app_name = "bulletin"

urlpatterns = [
    path("bulletin/", bulletin_views.bulletin_page, name="page"),
    path("bulletin.pdf", bulletin_views.bulletin_pdf, name="pdf"),
]
