"""{% load reminders %}: `{{ n|reminder_title }}`, `{{ n|reminder_text }}` — a reminder's title and
text in the reader's language (notifications.selectors.notification_title / notification_text)."""

from django import template

from notifications import selectors

register = template.Library()


@register.filter
def reminder_title(notification) -> str:
    return selectors.notification_title(notification)


@register.filter
def reminder_text(notification) -> str:
    return selectors.notification_text(notification)
