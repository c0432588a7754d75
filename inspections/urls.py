from django.urls import path

from inspections import views

app_name = "inspections"
urlpatterns = [
    path("", views.inspection_list, name="inspection-list"),
    path("record/", views.inspection_record, name="record"),
    path("offline/", views.offline_record, name="offline-record"),
    path("hazards/", views.hazard_list, name="hazard-list"),
    path("hazards/<int:pk>/", views.hazard_detail, name="hazard-detail"),
    path("supervisions/", views.supervision_list, name="supervision-list"),
]
