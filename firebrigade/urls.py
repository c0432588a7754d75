from django.urls import path

from firebrigade import views

app_name = "firebrigade"
urlpatterns = [
    path("", views.brigade_list, name="brigade-list"),
    path("incidents/", views.incident_list, name="incident-list"),
    path("incidents/report/", views.incident_report, name="incident-report"),
    path("funding/", views.funding, name="funding"),
    path("<int:pk>/", views.brigade_detail, name="brigade-detail"),
    path("<int:pk>/archive/", views.brigade_archive, name="brigade-archive"),
    path("<int:pk>/archive/documents/add/", views.brigade_document_add, name="brigade-document-add"),
    path("<int:pk>/archive/trainings/add/", views.training_record, name="training-record"),
    path("<int:pk>/archive/duty/add/", views.duty_roster_add, name="duty-roster-add"),
    path("<int:pk>/archive/call-outs/add/", views.call_out_record, name="call-out-record"),
    path("<int:pk>/archive/publicity/add/", views.publicity_record, name="publicity-record"),
    path("<int:pk>/codes/", views.equipment_labels, name="equipment-labels"),
    path("<int:pk>/members/add/", views.brigade_member_add, name="brigade-member-add"),
    path("<int:pk>/members/leave/", views.brigade_member_leave, name="brigade-member-leave"),
    path("<int:pk>/equipment/add/", views.equipment_item_add, name="equipment-item-add"),
    path("<int:pk>/equipment/update/", views.equipment_item_update, name="equipment-item-update"),
    path(
        "<int:pk>/equipment/maintenance/",
        views.equipment_item_record_maintenance,
        name="equipment-item-record-maintenance",
    ),
]
