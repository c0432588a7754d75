"""pytest: real PostgreSQL and real Redis (started by `make test`)."""

import os
from pathlib import Path

import dj_database_url

from .base import *  # noqa: F403

SECRET_KEY = "test-only-key"  # noqa: S105 - tests only
DEBUG = False
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/firebrigade")
    )
}
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ.get("TEST_CACHE_URL", "redis://127.0.0.1:6379/14"),
        # Runs against different databases share the Redis: keep their entries apart.
        "KEY_PREFIX": f"test-{DATABASES['default']['NAME']}",
    }
}
CELERY_BROKER_URL = os.environ.get("TEST_CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")
CELERY_RESULT_BACKEND = CELERY_BROKER_URL
# A short visibility timeout lets the worker-crash test see unacked work redelivered quickly.
_visibility = int(os.environ.get("TEST_BROKER_VISIBILITY_TIMEOUT", "3600"))
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": _visibility,
    # Sweep for abandoned (unacked) messages every second when the timeout is short.
    "unacked_restore_interval": 1 if _visibility < 60 else 10,
    "unacked_restore_throttle": 1 if _visibility < 60 else 10,
}
COMPILED_QUERIES_STRICT = True  # a selector query that cannot be compiled fails its test (core.compiled)
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; tests only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# A worker process started by a test stores and reads files where that test does.
MEDIA_ROOT = Path(os.environ.get("TEST_MEDIA_ROOT") or VAR_DIR / "test-media")
# The suite sends thousands of API requests from 127.0.0.1: rate limits out of its way, except in
# the tests of the limits themselves (tests/core/test_throttles.py), which set their own.
API_THROTTLE_RATES = {"address": "1000000/minute", "token": "1000000/minute", "export": "1000000/minute"}
