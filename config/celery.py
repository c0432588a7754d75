"""The one Celery app, configured from Django settings (CELERY_* names)."""

import os

from celery import Celery
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("firebrigade")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# core/imports/tasks.py is not an app's tasks.py: name it so every worker knows the import task.
app.autodiscover_tasks(["core.imports"])


def _ensure_filesystem_queue() -> None:
    """kombu's filesystem transport needs its folders to exist before a worker or beat starts."""
    if app.conf.broker_url == "filesystem://":
        for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
            os.makedirs(settings.CELERY_BROKER_TRANSPORT_OPTIONS[key], exist_ok=True)
        os.makedirs(settings.CELERY_QUEUE_DIR / "results", exist_ok=True)


@app.on_after_configure.connect
def _on_after_configure(**_kwargs) -> None:
    _ensure_filesystem_queue()


@app.task(name="core.ping")
def ping() -> str:
    """Round-trips through the broker; used by health checks and tests."""
    return "pong"
