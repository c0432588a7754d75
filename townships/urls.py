from django.urls import path

from townships import views

app_name = "townships"
urlpatterns = [
    path("premises/", views.premises_list, name="premises-list"),
    path("premises/new/", views.premises_create, name="premises-create"),
    path("premises/<int:pk>/edit/", views.premises_update, name="premises-update"),
    path("<int:pk>/codes/", views.premises_labels, name="premises-labels"),
]
