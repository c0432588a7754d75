"""Production: secrets and hosts must come from the environment; refuses to start without them."""

import os
from importlib.util import find_spec

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = False
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in the environment for production.")
if not os.environ.get("ALLOWED_HOSTS"):
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set in the environment for production.")

# "This request came over HTTPS" is a proxy's word: trusted only when a proxy in front is declared
# (TRUSTED_PROXY_COUNT), which sets X-Forwarded-Proto itself; served directly, a client could claim it.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXY_COUNT > 0 else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# The container healthcheck asks gunicorn itself, over plain HTTP, behind the proxy's back.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Database connections outlive a request, in one of two ways (bench: the framework floor 209 → 770 req/s):
# - DB_POOL_MAX_SIZE unset (default): each worker thread keeps its connection CONN_MAX_AGE seconds (60).
# - DB_POOL_MAX_SIZE=N: a pool of at most N connections per process and alias (psycopg 3's pool, needs
#   psycopg[pool]), at least DB_POOL_MIN_SIZE (1) kept open; a request waits DB_POOL_TIMEOUT seconds (10)
#   for a free one. For threaded or ASGI workers; gunicorn's sync workers gain little over the default.
#   The replica's pool waits REPLICA_CONNECT_TIMEOUT only. The pool replaces CONN_MAX_AGE (Django refuses both).
# Either way a connection is checked before a request reuses it.
DB_POOL_MAX_SIZE = int(os.environ.get("DB_POOL_MAX_SIZE", "0"))
DB_POOL_MIN_SIZE = int(os.environ.get("DB_POOL_MIN_SIZE", "1"))
DB_POOL_TIMEOUT = float(os.environ.get("DB_POOL_TIMEOUT", "10"))
if DB_POOL_MAX_SIZE and not (find_spec("psycopg") and find_spec("psycopg_pool")):
    raise ImproperlyConfigured("DB_POOL_MAX_SIZE needs psycopg 3 and its pool: install psycopg[pool].")
for alias, database in DATABASES.items():
    database["CONN_HEALTH_CHECKS"] = True
    if DB_POOL_MAX_SIZE and database["ENGINE"] == "django.db.backends.postgresql":
        database["CONN_MAX_AGE"] = 0
        database.setdefault("OPTIONS", {})["pool"] = {
            "min_size": min(DB_POOL_MIN_SIZE, DB_POOL_MAX_SIZE),
            "max_size": DB_POOL_MAX_SIZE,
            "timeout": REPLICA_CONNECT_TIMEOUT if alias == "replica" else DB_POOL_TIMEOUT,
        }
    else:
        database["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", "60"))
