"""The inbox page: a user's own reminders, and marking them read."""

from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from notifications import selectors, services


def notification_inbox(request):
    notifications = list(selectors.notification_list(user=request.user).select_related("content_type")[:200])
    return render(request, "notifications/inbox.html", {"notifications": notifications})


@require_POST
def notification_mark_read(request):
    ids = request.POST.getlist("id")
    try:
        ids = [int(i) for i in ids] or None
    except ValueError:
        return HttpResponseBadRequest("提醒编号不正确。")
    services.notification_mark_read(user=request.user, notification_ids=ids)
    return redirect("notifications:inbox")
