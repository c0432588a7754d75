from django.urls import path

from notifications import views

urlpatterns = [
    path("", views.notification_inbox, name="notification-inbox"),
    path("read/", views.notification_mark_read, name="notification-mark-read"),
]
