from django.urls import path

from townships import views

app_name = "townships"
urlpatterns = [
    path("police/", views.police_home, name="police-home"),
    path("premises/", views.premises_list, name="premises-list"),
    path("<int:pk>/", views.township_detail, name="detail"),
]
