"""Health of the parts the app cannot work without: the database and the Celery broker."""

from celery import current_app as celery_app
from django.conf import settings
from django.db import connection


def database_ok() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return False, f"{type(exc).__name__}: {exc}"
    return True, "ok"


def broker_ok() -> tuple[bool, str]:
    timeout = settings.HEALTH_BROKER_TIMEOUT
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
            # Redis answers a connect lazily; a real round-trip proves it is there.
            conn.default_channel  # noqa: B018 - opening the channel is the check
    except Exception as exc:
        return False, f"{type(exc).__name__}: {exc}"
    return True, "ok"
