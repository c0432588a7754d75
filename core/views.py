from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from core import health, reminders
from core.models import Role
from core.scoping import user_role


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """For load balancers and operators: 200 when the database and broker answer, else 503."""
    db_ok, db_detail = health.database_ok()
    broker_ok, broker_detail = health.broker_ok()
    healthy = db_ok and broker_ok
    return JsonResponse(
        {
            "status": "ok" if healthy else "unhealthy",
            "database": db_detail,
            "broker": broker_detail,
        },
        status=200 if healthy else 503,
    )


def home(request):
    """Each role lands where its work is."""
    role = user_role(request.user)
    if role in (Role.COUNTY_OFFICIAL, Role.GUIDANCE_CENTER):
        return redirect("county-dashboard")
    if role == Role.TOWNSHIP_LEAD:
        return redirect("townships:detail", request.user.profile.township_id)
    if role == Role.POLICE_STATION:
        return redirect("townships:police-home")
    if role == Role.PREMISES_RESPONSIBLE:
        return redirect("inspections:self-home")
    return render(request, "home.html")


def notification_inbox(request):
    notifications = list(request.user.notifications.select_related("content_type")[:200])
    return render(request, "core/inbox.html", {"notifications": notifications})


@require_POST
def notification_mark_read(request):
    ids = request.POST.getlist("id")
    try:
        ids = [int(i) for i in ids] or None
    except ValueError:
        return HttpResponseBadRequest("提醒编号不正确。")
    reminders.notification_mark_read(user=request.user, notification_ids=ids)
    return redirect("notification-inbox")


@login_not_required
def lockout(request, original_response=None, credentials=None):
    """django-axes lockout: tell the person plainly that the account is locked and for how long."""
    from axes.helpers import get_client_username, get_cool_off

    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else None
    context = {"username": get_client_username(request, credentials) or "", "minutes": minutes}
    if request.path_info.startswith("/api/"):
        return JsonResponse(
            {"detail": f"登录失败次数过多，账号已暂时锁定，请 {minutes} 分钟后再试。", "code": "locked"},
            status=429,
        )
    return render(request, "registration/locked.html", context, status=429)
