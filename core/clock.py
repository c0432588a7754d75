"""The county's calendar. Deadlines, due dates and reminders follow the local day in the project's
TIME_ZONE (Asia/Shanghai), never the UTC date nor a time zone a request may have activated."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def county_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_today(now: dt.datetime | None = None) -> dt.date:
    """The county's calendar day at `now` (default: this moment)."""
    return timezone.localdate(now or timezone.now(), timezone=county_tz())


def local_date(moment: dt.datetime) -> dt.date:
    """The county's calendar date of an aware datetime (a fire, a meeting, a history record)."""
    return timezone.localdate(moment, timezone=county_tz())


def day_start(day: dt.date) -> dt.datetime:
    """The first moment of the county's calendar day `day` (for comparing with stored datetimes)."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=county_tz())


def chinese_date(day: dt.date) -> str:
    """`day` as Chinese text writes it — the 通报, the trace-back's events — and as the pages show a
    date in Chinese (zh-hans DATE_FORMAT, core/templatetags/display.py): 2021年11月1日."""
    return f"{day.year}年{day.month}月{day.day}日"
