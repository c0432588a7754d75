"""The inbox page: a user's own reminders (filtered by rule or unread), marking one or all read
without leaving the page, and how the user wants to be reached outside the site."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import AccessDenied, ApplicationError
from core.forms import add_service_error
from notifications import selectors, services
from notifications.forms import ChannelPreferenceForm
from notifications.models import ChannelPreference
from notifications.rules import RULE_LABELS


def _filters(params) -> dict[str, str]:
    rule = params.get("rule", "")
    return {
        **({"rule": rule} if rule in RULE_LABELS else {}),
        **({"unread": "1"} if params.get("unread") == "1" else {}),
    }


def _inbox_url(filters: dict[str, str]) -> str:
    return reverse("notifications:inbox") + (f"?{urlencode(filters)}" if filters else "")


def notification_inbox(request):
    filters = _filters(request.GET)
    notifications = list(
        selectors.notification_list(
            user=request.user, rule=filters.get("rule", ""), unread=bool(filters.get("unread"))
        ).select_related("content_type")[:200]
    )
    preference = ChannelPreference.objects.filter(user=request.user).first() or ChannelPreference()
    form = ChannelPreferenceForm(request.POST or None, instance=preference, prefix="pref")
    if request.method == "POST" and form.is_valid():
        try:
            services.channel_preference_set(user=request.user, data=form.cleaned_data, by=request.user)
        except (ApplicationError, AccessDenied, ValidationError) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("接收方式已保存。"))
            return redirect(_inbox_url(filters))
    rules = [
        (name, RULE_LABELS.get(name, name)) for name in selectors.notification_rules_of(user=request.user)
    ]
    return render(
        request,
        "notifications/inbox.html",
        {
            "notifications": notifications,
            "filters": filters,
            "rules": rules,
            "rule_labels": RULE_LABELS,
            "here": _inbox_url(filters),
            "form": form,
        },
    )


@require_POST
def notification_mark_read(request):
    """Mark the posted reminders read (all of mine when none is posted), then back to the inbox with
    the same filters."""
    try:
        ids = [int(i) for i in request.POST.getlist("id")] or None
    except ValueError:
        return HttpResponseBadRequest(_("提醒编号不正确。"))
    services.notification_mark_read(user=request.user, notification_ids=ids)
    return redirect(_inbox_url(_filters(request.POST)))
