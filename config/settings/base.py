"""Settings shared by every environment; everything secret or per-machine comes from the environment."""

import hashlib
import json
import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("FIREBRIGADE_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "simple_history",
    "core.apps.LoginSecurityConfig",  # django-axes, named in Chinese
    "core",
    "townships",
    "firebrigade",
    "inspections",
    "meetings",
    # Above the domain apps: they read several of them (arrows only go down, see the README).
    "leaders",
    "notifications",
    "assessments",
    "homes",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the body: a request larger than MAX_REQUEST_BYTES is a 413.
    "core.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Every view needs a login unless marked @login_not_required (login, /healthz).
    "core.middleware.SiteLoginRequiredMiddleware",
    # Below the login check (whose reads stay on the primary): sends the leaders' read-only pages to
    # the replica when one is configured (core.db_router), else drops out of the stack.
    "core.db_router.ReplicaMiddleware",
    # Last: turns a lockout raised during login into the "account locked" page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Brute-force protection: 5 failures for a username from one address lock it for 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.5"))
# Locked by username (from any address: another address buys no more guesses) and by address (one
# address guessing many usernames). The address is core.signals.client_ip's (trusted proxies only).
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "core.views.lockout"
# The client address (audit trail and lockout) is read by core.signals.client_ip: X-Forwarded-For is
# trusted only from the number of proxies declared here (0: none, the peer's address is the client's),
# and, if TRUSTED_PROXIES lists networks, only when the peer is in one of them.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", os.environ.get("AXES_PROXY_COUNT", "0")))
TRUSTED_PROXIES = [n.strip() for n in os.environ.get("TRUSTED_PROXIES", "").split(",") if n.strip()]
AXES_CLIENT_IP_CALLABLE = "core.signals.client_ip"
AXES_USERNAME_CALLABLE = "core.signals.lockout_username"

SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))  # a working day
SESSION_COOKIE_HTTPONLY = True
# Audit records are evidence for 责任倒查: nobody reverts them from the admin.
SIMPLE_HISTORY_REVERT_DISABLED = True

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "notifications.context_processors.unread",
                "inspections.context_processors.recording",
                "core.context_processors.navigation",
            ],
        },
    },
]

# Embedded default: a SQLite file under var/, so `make run` needs no server.
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'firebrigade.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Pages' compiled queries and the API's list pages run as statements prepared on the connection
# (core.compiled.fetch_prepared): planned once per connection. Off (0) behind a pooler that cannot
# keep prepared statements (pgbouncer in transaction mode before 1.21).
DB_PREPARED_READS = env_bool("DB_PREPARED_READS", True)
# The pages' selector queries compiled once per scope and shape (core.compiled); 0 builds every one
# on every request, as the ORM does (the same answers, slower): a switch to tell the two apart.
COMPILED_QUERIES = env_bool("COMPILED_QUERIES", True)
# A selector query that fails core.compiled's check is built on every call and logged as an error;
# the tests raise instead, so that a builder that cannot be compiled is fixed.
COMPILED_QUERIES_STRICT = False
# API lists whose serializer declares it are read as values, their nested lists aggregated by
# PostgreSQL (core.serializers.ValuesRows); on another database (the embedded SQLite), DRF's own list.
# None: as the database is (True on PostgreSQL).
API_LISTS_AS_VALUES = None
# Such a list's page, answered as JSON, is written by PostgreSQL where every field of the serializer
# can be (core.json_sql): Python joins the rows. False: Python writes each row.
API_LISTS_AS_JSON = True

# A streaming replica of the primary (docs/deploy-replica.md). With DATABASE_REPLICA_URL set, the read-only
# pages of REPLICA_VIEWS and every Excel export (?format=xlsx) read from it; writes, and a user's pages for
# REPLICA_STICKY_SECONDS after they wrote, use the primary; a replica that does not answer within
# REPLICA_CONNECT_TIMEOUT seconds is left alone for REPLICA_RETRY_SECONDS (core.db_router).
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
REPLICA_CONNECT_TIMEOUT = int(os.environ.get("REPLICA_CONNECT_TIMEOUT", "2"))  # libpq's least is 2
REPLICA_STICKY_SECONDS = int(os.environ.get("REPLICA_STICKY_SECONDS", "10"))
REPLICA_RETRY_SECONDS = int(os.environ.get("REPLICA_RETRY_SECONDS", "30"))


def replica_database(url: str) -> dict:
    """The "replica" alias for `url`: a short connect timeout (a page never waits long for it), and in
    tests a mirror of "default" (the same test database, seen through replication)."""
    database = dj_database_url.parse(url, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")))
    database["OPTIONS"] = {**database.get("OPTIONS", {}), "connect_timeout": REPLICA_CONNECT_TIMEOUT}
    database["TEST"] = {"MIRROR": "default"}
    return database


if DATABASE_REPLICA_URL:
    DATABASES["replica"] = replica_database(DATABASE_REPLICA_URL)
# Without a "replica" alias the router has no opinion and its middleware drops out: only "default".
DATABASE_ROUTERS = ["core.db_router.ReplicaRouter"]
# Read-only GET pages and API reads of the leaders' figures, a second's lag harmless (URL names).
REPLICA_VIEWS = [
    "county-dashboard",
    "county-map",
    "bulletin:page",
    "bulletin:pdf",
    "assessments:list",
    "assessments:scheme",
    "assessments:pdf",
    "homes:township",
    "homes:trace-premises",
    "homes:trace-incident",
    "homes:trace-assignment",
    "township-figures-list",
]

# Django's cache (for what libraries keep in it: no page or figure of the app is cached — the county's
# figures are kept by the services, inspections.tallies). Redis when CACHE_URL is set, else files
# under var/. The prefix keeps two databases on one cache apart.
CACHE_URL = os.environ.get("CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    )
    | {"KEY_PREFIX": hashlib.sha256(str(DATABASES["default"].get("NAME")).encode()).hexdigest()[:12]}
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The one date format of each language (core/templatetags/display.py): English as 3 December 2026.
FORMAT_MODULE_PATH = ["core.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Email: console by default; SMTP when EMAIL_HOST is given.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "firebrigade@localhost")
# With EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend: one file per message here
# (`make smoke` reads what the worker sent).
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery. Embedded default: kombu's filesystem transport under var/, so no broker server is needed.
CELERY_QUEUE_DIR = VAR_DIR / "celery"
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
CELERY_RESULT_BACKEND = os.environ.get(
    "CELERY_RESULT_BACKEND",
    f"file://{CELERY_QUEUE_DIR / 'results'}" if CELERY_BROKER_URL == "filesystem://" else None,
)
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(CELERY_QUEUE_DIR / "queue"),
        "data_folder_out": str(CELERY_QUEUE_DIR / "queue"),
        "processed_folder": str(CELERY_QUEUE_DIR / "processed"),
        # Broadcast (worker control) files: under var/, not in the folder the worker starts in.
        "control_folder": str(CELERY_QUEUE_DIR / "control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL == "filesystem://"
    else {"visibility_timeout": 3600}
)
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# One queue per kind of work, so a long import never delays reminders or messages. A worker takes
# the queues it is started with (-Q); `make run` starts one worker for all of them, compose two.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "reminders.*": {"queue": "reminders"},
    "digests.*": {"queue": "reminders"},
    "deliveries.*": {"queue": "deliveries"},
    "imports.*": {"queue": "imports"},
}
CELERY_WORKER_QUEUES = ("celery", "reminders", "deliveries", "imports")
# Declared, so a worker started without -Q takes them all and a purge empties them all.
CELERY_TASK_QUEUES = [Queue(name, routing_key=name) for name in CELERY_WORKER_QUEUES]
# An import run is stopped after IMPORT_JOB_TIME_LIMIT seconds (the worker's hard limit); a job
# still "running" IMPORT_JOB_STALE_MINUTES after it started was interrupted and is ended as failed.
IMPORT_JOB_TIME_LIMIT = int(os.environ.get("IMPORT_JOB_TIME_LIMIT", "1200"))
IMPORT_JOB_STALE_MINUTES = int(os.environ.get("IMPORT_JOB_STALE_MINUTES", "30"))
# A job still "queued" this long after it was queued was lost on its way to a worker (its queue is
# served within minutes, however busy): ended as failed too.
IMPORT_JOB_QUEUED_STALE_MINUTES = int(os.environ.get("IMPORT_JOB_QUEUED_STALE_MINUTES", "60"))
# Files one user may upload for import in an hour (core.imports.services.import_uploads_check).
IMPORT_UPLOADS_PER_HOUR = int(os.environ.get("IMPORT_UPLOADS_PER_HOUR", "60"))
# A township lead extends a hazard's deadline by at most this many days at a time, this many times;
# beyond, the guidance center extends (inspections.access.check_hazard_extend_deadline).
HAZARD_EXTENSION_MAX_DAYS = int(os.environ.get("HAZARD_EXTENSION_MAX_DAYS", "90"))
HAZARD_EXTENSION_MAX_COUNT = int(os.environ.get("HAZARD_EXTENSION_MAX_COUNT", "2"))
# The largest request body read at all (the proxy should cap at the same size): a hazard's photos or a
# meeting's documents fit; anything larger is a 413 before it is read. Bodies held in memory (forms,
# JSON) stop at DATA_UPLOAD_MAX_MEMORY_SIZE; uploaded files past FILE_UPLOAD_MAX_MEMORY_SIZE go to disk.
MAX_REQUEST_BYTES = int(os.environ.get("MAX_REQUEST_BYTES", str(40 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# No request body of the API nests deeper than this; a deeper one is refused before it is parsed.
API_JSON_MAX_DEPTH = 32
# How long /healthz waits for the broker before calling it down.
HEALTH_BROKER_TIMEOUT = float(os.environ.get("HEALTH_BROKER_TIMEOUT", "2"))

REST_FRAMEWORK = {
    # Token first: its challenge (WWW-Authenticate: Token) makes missing or bad credentials a 401,
    # as a client expects; a browser's session is still tried when no token is sent.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.authentication.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "core.api.RolePermission",
    ],
    "EXCEPTION_HANDLER": "core.api_errors.exception_handler",
    # JSON nested deeper than API_JSON_MAX_DEPTH is a 400 (core.api.JSONParser), not a 500.
    "DEFAULT_PARSER_CLASSES": [
        "core.api.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "core.filters.FilterBackend",
        "rest_framework.filters.SearchFilter",
        "core.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": [
        "core.api.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
        "core.api.XLSXRenderer",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "core.api.ContentNegotiation",
    "DEFAULT_THROTTLE_CLASSES": ["core.throttles.AddressThrottle", "core.throttles.ExportThrottle"],
}
# Rows an API Excel export (?format=xlsx) holds at most; beyond, it says it was cut (core.api.Pagination).
API_EXPORT_MAX_ROWS = int(os.environ.get("API_EXPORT_MAX_ROWS", "100000"))
# An API token (core.models.ApiToken) expires this many days after it was given.
API_TOKEN_TTL_DAYS = int(os.environ.get("API_TOKEN_TTL_DAYS", "30"))
# Requests per client address (a county office's users share one), token requests per address,
# Excel exports per user (core.throttles).
API_THROTTLE_RATES = {
    "address": os.environ.get("API_THROTTLE_ADDRESS", "3000/minute"),
    "token": os.environ.get("API_THROTTLE_TOKEN", "30/hour"),
    "export": os.environ.get("API_THROTTLE_EXPORT", "120/hour"),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "firebrigade API",
    "DESCRIPTION": "乡镇专职消防队建设与冬春火灾防控",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Every operation's refusals, each status with its Error component (core.api_errors' envelope).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api_schema.errors_in_schema",
        "core.api_schema.schema_for_generators",
    ],
    # Inputs and answers as separate components: read-only fields are not asked for, files are binary.
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "kind", "status", "category" or "role": name each choice set once.
    "ENUM_NAME_OVERRIDES": {
        "TownshipKindEnum": "townships.models.Township.Kind",
        "PremisesCategoryEnum": "townships.models.Premises.Category",
        "RiskLevelEnum": "townships.models.Premises.RiskLevel",
        "GridMemberRoleEnum": "townships.models.GridMember.Role",
        "BrigadeClassEnum": "firebrigade.models.BrigadeClass",
        "BrigadeStatusEnum": "firebrigade.models.Brigade.Status",
        "BrigadeMemberRoleEnum": "firebrigade.models.BrigadeMember.Role",
        "EquipmentCategoryEnum": "firebrigade.models.EquipmentType.Category",
        "EquipmentConditionEnum": "firebrigade.models.EquipmentItem.Condition",
        "FundingCategoryEnum": "firebrigade.models.FundingCategory",
        "FireCauseEnum": "firebrigade.models.FireIncident.Cause",
        "EquipmentCheckResultEnum": "firebrigade.models.EquipmentCheck.Result",
        "BrigadeDocumentKindEnum": "firebrigade.models.BrigadeDocument.Kind",
        "TrainingKindEnum": "firebrigade.models.TrainingRecord.Kind",
        "DutyShiftEnum": "firebrigade.models.DutyRosterEntry.Shift",
        "CallOutKindEnum": "firebrigade.models.CallOut.Kind",
        "PublicityKindEnum": "firebrigade.models.PublicityActivity.Kind",
        "CampaignKindEnum": "inspections.models.Campaign.Kind",
        "InspectionKindEnum": "inspections.models.Inspection.Kind",
        "ChecklistResultEnum": "inspections.models.ChecklistResult.Result",
        "HazardSeverityEnum": "inspections.models.Hazard.Severity",
        "HazardStatusEnum": "inspections.models.Hazard.Status",
        "HandoverActionKindEnum": "inspections.models.HandoverAction.Kind",
        "AttendanceVenueEnum": "meetings.models.Attendance.Venue",
        "StatementKindEnum": "meetings.models.Statement.Kind",
        "DirectiveCategoryEnum": "meetings.models.Directive.Category",
        "DirectivePriorityEnum": "meetings.models.Directive.Priority",
        "AssignmentStatusEnum": "meetings.models.Assignment.Status",
        "RoleEnum": "core.models.Role",
    },
}

SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint logs a line per page at INFO.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}},
}

# Reminders (notifications.rules): windows in days, escalation after N days overdue, batch sizes.
REMINDER_PLAN_DUE_DAYS = int(os.environ.get("REMINDER_PLAN_DUE_DAYS", "7"))
REMINDER_HAZARD_NEAR_DAYS = int(os.environ.get("REMINDER_HAZARD_NEAR_DAYS", "3"))
REMINDER_HAZARD_ESCALATE_DAYS = int(os.environ.get("REMINDER_HAZARD_ESCALATE_DAYS", "7"))
REMINDER_ASSIGNMENT_NEAR_DAYS = int(os.environ.get("REMINDER_ASSIGNMENT_NEAR_DAYS", "3"))
REMINDER_MAINTENANCE_DAYS = int(os.environ.get("REMINDER_MAINTENANCE_DAYS", "7"))
REMINDER_BATCH_SIZE = int(os.environ.get("REMINDER_BATCH_SIZE", "1000"))
REMINDER_CHUNK_SIZE = int(os.environ.get("REMINDER_CHUNK_SIZE", "500"))

# Deliveries (notifications.channels): email, group robots and SMS leave the site through these.
# Links in messages read on phones must be absolute: the address users open the site with.
SITE_URL = (os.environ.get("SITE_URL") or "http://127.0.0.1:8000").rstrip("/")
DELIVERY_BATCH_SIZE = int(os.environ.get("DELIVERY_BATCH_SIZE", "200"))
DELIVERY_THREADS = int(os.environ.get("DELIVERY_THREADS", "8"))  # requests in flight per worker
DELIVERY_HTTP_TIMEOUT = float(os.environ.get("DELIVERY_HTTP_TIMEOUT", "5"))
DELIVERY_MAX_ATTEMPTS = int(os.environ.get("DELIVERY_MAX_ATTEMPTS", "6"))
# Retry after base, 2×base, 4×base … seconds, at most DELIVERY_RETRY_MAX_SECONDS apart.
DELIVERY_RETRY_BASE_SECONDS = float(os.environ.get("DELIVERY_RETRY_BASE_SECONDS", "60"))
DELIVERY_RETRY_MAX_SECONDS = float(os.environ.get("DELIVERY_RETRY_MAX_SECONDS", "3600"))
# A delivery claimed by a worker that died is taken up again after this long.
DELIVERY_LEASE_SECONDS = float(os.environ.get("DELIVERY_LEASE_SECONDS", "120"))
# Secrets kept out of the database: endpoint name -> secret, as JSON in the environment.
CHANNEL_SECRETS = json.loads(os.environ.get("CHANNEL_SECRETS") or "{}")
AXES_VERBOSE = False

# The covering index on hazards is a PostgreSQL optimisation; on SQLite (make run) its key columns
# still index and the included ones are dropped, which is fine.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
