from django.urls import path

from townships import views

app_name = "townships"
urlpatterns = [
    path("premises/", views.premises_list, name="premises-list"),
    path("<int:pk>/codes/", views.premises_labels, name="premises-labels"),
]
