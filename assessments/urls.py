from django.urls import path

from assessments import views

app_name = "assessments"
urlpatterns = [
    path("", views.scheme_list, name="list"),
    path("<int:pk>/", views.scheme_detail, name="scheme"),
    path("<int:pk>/publish/", views.scheme_publish, name="publish"),
    path("<int:pk>/pdf/", views.scheme_pdf, name="pdf"),
    path("<int:pk>/townships/<int:township_pk>/", views.township_detail, name="township"),
]
