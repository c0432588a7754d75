from django.urls import path

from notifications import views

# Namespaced: the API's router names its routes "notification-…" too, and an un-namespaced
# "notification-mark-read" here resolved to the API's mark-read (every reminder, a JSON answer).
app_name = "notifications"
urlpatterns = [
    path("", views.notification_inbox, name="inbox"),
    path("read/", views.notification_mark_read, name="mark-read"),
]
