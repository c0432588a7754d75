from django.urls import path

from inspections import views

app_name = "inspections"
urlpatterns = [
    path("", views.inspection_list, name="inspection-list"),
    path("record/", views.inspection_record, name="record"),
    path("offline/", views.offline_record, name="offline-record"),
    # A grid member's patrol is recorded on the same phone form (their policy: kind 巡查).
    path("patrols/record/", views.inspection_record, name="patrol-record"),
    path("patrols/ranking/", views.patrol_ranking, name="patrol-ranking"),
    path("hazards/", views.hazard_list, name="hazard-list"),
    path("hazards/<int:pk>/", views.hazard_detail, name="hazard-detail"),
    path("supervisions/", views.supervision_list, name="supervision-list"),
]
