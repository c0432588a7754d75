"""The role homes keep the addresses they had when they lived in their domain apps."""

from django.urls import path

from homes import trace_views, views

app_name = "homes"
urlpatterns = [
    path("townships/police/", views.police_home, name="police"),
    path("townships/<int:pk>/", views.township_detail, name="township"),
    path("inspections/self/", views.self_home, name="self"),
    path("inspections/patrols/", views.patrol_home, name="patrols"),
    path("trace/premises/<int:pk>/", trace_views.premises_trace, name="trace-premises"),
    path("trace/incidents/<int:pk>/", trace_views.incident_trace, name="trace-incident"),
    path("trace/assignments/<int:pk>/", trace_views.assignment_trace, name="trace-assignment"),
]
