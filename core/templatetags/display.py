"""How the pages write money and dates, once for every page, the 通报 and its PDF.

{% load display %}: `{{ amount|wan_yuan }}` → "82.00" (万元, thousands separators, two decimals);
`{{ amount|money }}` → the amount in a sentence, with its unit (82.00万元 / ¥820,000);
`{{ names|listing }}` → 甲、乙 / 甲, 乙; `{{ user|person }}` → the person's name, or the login when no name
was recorded (core.text.person_name; "" for nobody); `{{ day|day }}` → the one date format of the language (2026年12月3日 / 3 December 2026,
core/formats); `{{ text|css_string }}` → a quoted CSS string (the campaign name in an @page header).
"""

import datetime as dt

from django import template
from django.utils import formats, timezone, translation
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from core import money, text
from core.clock import county_tz

register = template.Library()


@register.filter
def wan_yuan(amount) -> str:
    """`amount` (yuan) in 万元 with thousands separators: 820000 → "82.00"; None → "—"."""
    return money.wan_text(amount)


@register.filter(name="money")
def money_in_sentence(amount) -> str:
    """`amount` (yuan) in a sentence, with its unit: 820000 → "82.00万元" / "¥820,000"; None → "—"."""
    return money.money_text(amount)


# A day without its year, where a cell is narrow (the progress matrix): DATE_FORMAT less the year.
# Django's zh-hans MONTH_DAY_FORMAT pads the month ("09月5日"), which no other date here does.
MONTH_DAY = {"zh-hans": "n月j日"}


def _local(value):
    """A datetime in the county's time zone (core.clock), as its deadlines are counted."""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value, county_tz())
    return value


@register.filter
def day(value, form: str = "") -> str:
    """A date (or a datetime's local date) in the pages' one date format, the active language's
    DATE_FORMAT — as the 通报 writes dates (zh-hans: 2026年12月3日); `day:"short"` leaves out the
    year (12月3日). None → ""."""
    if value in (None, ""):
        return ""
    value = _local(value)
    if form == "short":
        language = translation.get_language() or ""
        return formats.date_format(value, MONTH_DAY.get(language.lower(), "MONTH_DAY_FORMAT"))
    return formats.date_format(value, "DATE_FORMAT")


@register.filter
def day_time(value) -> str:
    """A datetime's local date and time, the date as `day` writes it: 2026年12月3日 14:05."""
    if value in (None, ""):
        return ""
    return formats.date_format(_local(value), "DATETIME_FORMAT")


@register.filter
def listing(items) -> str:
    """`items` as a list inside a sentence of the active language: 甲、乙 / 甲, 乙 (core.text)."""
    return text.listing(items)


@register.filter
def css_string(text) -> SafeString:
    """`text` as a double-quoted CSS string: everything but letters and digits hex-escaped, so no
    quote, backslash or "</style>" in a name can leave the string."""
    escaped = "".join(ch if ch.isalnum() else f"\\{ord(ch):06x}" for ch in str(text))
    return mark_safe(f'"{escaped}"')  # noqa: S308 - only letters, digits and hex escapes


@register.filter
def person(user) -> str:
    """The name of the user who did something (提交人, 录入人): core.text.person_name."""
    return text.person_name(user)


def unlocalized(value) -> str:
    """A value as `{{ value }}` writes it inside `{% localize off %}`: unlocalized, escaped. For
    rows written in Python (leaders/templatetags/ranking.py, homes/templatetags/township_rows.py)."""
    if type(value) is int:  # what localize gives without grouping, digits needing no escape
        return str(value)
    return conditional_escape(localize(value, use_l10n=False))
