"""Reads of the leaders' read-only pages from a streaming replica of the database.

Active only when settings.DATABASES has a "replica" alias (DATABASE_REPLICA_URL; docs/deploy-replica.md);
without it the middleware drops out of the stack and the router has no opinion, so everything is on
"default" as before.

- Only a GET or HEAD of a view named in settings.REPLICA_VIEWS, or an Excel export (?format=xlsx), reads
  from the replica: pages whose figures may lag the primary by a second without harm. Every other
  request, every write, and all work outside a request (Celery, commands) use the primary.
- Who the reader is (user, session, API token) is always read from the primary: a logout, a revoked
  token or a deactivated account is never seen late.
- Read-your-own-writes: a request that wrote (a non-safe method that succeeded, or any ORM write) reads
  the primary for the rest of the request, and its user's next requests do too for
  REPLICA_STICKY_SECONDS (a signed, timestamped cookie, so that no database is needed to read it).
- Fallback: the replica is tried once per request (connect_timeout is short, settings); when it cannot
  be reached, the page reads the primary and the replica is left alone for REPLICA_RETRY_SECONDS. A
  query that fails on the replica part-way (it went away, or a recovery conflict cancelled it) runs the
  whole view again on the primary: these views only read.
"""

import logging
import time
from contextlib import suppress
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.core.signing import BadSignature
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from django.db import Error as DBError

logger = logging.getLogger(__name__)

PRIMARY = DEFAULT_DB_ALIAS
REPLICA = "replica"
READ_METHODS = frozenset({"GET", "HEAD"})  # what may be sent to the replica
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})  # what is no write, whatever it answered
STICKY_COOKIE = "read_primary"
STICKY_SALT = "core.db_router.sticky"
# Who is asking is read where it was last written: see the module's docstring.
PRIMARY_ONLY_MODELS = frozenset({"auth.user", "sessions.session", "core.apitoken"})


@dataclass
class RequestReads:
    """Where one request's reads may go; set by ReplicaMiddleware for the request's duration."""

    eligible: bool = False  # a read-only view of REPLICA_VIEWS, and its user wrote nothing lately
    wrote: bool = False  # the ORM was asked to write during this request
    reachable: bool | None = None  # the replica answered (None: not tried yet in this request)
    used_replica: bool = False  # a read was sent to the replica
    view: tuple = field(default=(), repr=False)  # (view_func, args, kwargs) to run again on the primary


_reads: ContextVar[RequestReads | None] = ContextVar("replica_reads", default=None)


class ReplicaHealth:
    """The replica's state as this process saw it last: down until a moment (monotonic clock)."""

    def __init__(self) -> None:
        self.down_until = 0.0

    def is_resting(self) -> bool:
        return time.monotonic() < self.down_until

    def failed(self, exc: Exception) -> None:
        logger.warning(
            "replica unavailable, reading the primary for %ss: %s", settings.REPLICA_RETRY_SECONDS, exc
        )
        self.down_until = time.monotonic() + settings.REPLICA_RETRY_SECONDS
        with suppress(DBError):  # a connection that broke closes with an error; it is gone either way
            connections[REPLICA].close()

    def reset(self) -> None:
        self.down_until = 0.0


health = ReplicaHealth()


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def _replica_reachable(reads: RequestReads) -> bool:
    """Whether the replica answers; asked once per request, not at all while it rests after a failure."""
    if reads.reachable is None:
        reads.reachable = False
        if not health.is_resting():
            connection = connections[REPLICA]
            try:
                # A kept connection (CONN_MAX_AGE) is checked once per request when CONN_HEALTH_CHECKS;
                # a new one is opened (connect_timeout) or taken from the pool (its timeout).
                connection.close_if_health_check_failed()
                connection.ensure_connection()
                reads.reachable = True
            except DBError as exc:
                health.failed(exc)
    return reads.reachable


class ReplicaRouter:
    """The replica for the reads of an eligible request; the primary for everything else."""

    def db_for_read(self, model, **hints):
        reads = _reads.get()
        if reads is None:
            return None  # outside a request: Django's default (the primary, or an instance's own alias)
        if (
            not reads.eligible
            or reads.wrote
            or model._meta.label_lower in PRIMARY_ONLY_MODELS
            or not _replica_reachable(reads)
        ):
            return PRIMARY
        reads.used_replica = True
        return REPLICA

    def db_for_write(self, model, **hints):
        reads = _reads.get()
        if reads is not None:
            reads.wrote = True
        # Explicitly: an object read from the replica is saved to the primary, never to its own alias.
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        if {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA}:
            return True  # the same data: the replica is a copy of the primary
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if db == REPLICA:
            return False  # the replica follows the primary's migrations through replication
        return None


def sticky(request) -> bool:
    """The user wrote less than REPLICA_STICKY_SECONDS ago: their pages read the primary."""
    try:
        request.get_signed_cookie(STICKY_COOKIE, salt=STICKY_SALT, max_age=settings.REPLICA_STICKY_SECONDS)
    except (KeyError, BadSignature):  # no cookie; tampered with or expired (SignatureExpired)
        return False
    return True


def eligible(request) -> bool:
    """A read-only view whose figures may be a second old: REPLICA_VIEWS, or an Excel export."""
    if request.method not in READ_METHODS or sticky(request):
        return False
    if request.GET.get("format") == "xlsx":
        return True
    match = request.resolver_match
    return match is not None and match.view_name in settings.REPLICA_VIEWS


class ReplicaMiddleware:
    """Marks the request for ReplicaRouter. Below the login check, so that the check's reads are the
    primary's; drops out of the stack when no replica is configured."""

    def __init__(self, get_response):
        if not replica_configured():
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        reads = RequestReads()
        token = _reads.set(reads)
        try:
            response = self.get_response(request)
        finally:
            _reads.reset(token)
        succeeded_write = request.method not in SAFE_METHODS and response.status_code < 400
        if reads.wrote or succeeded_write:
            response.set_signed_cookie(
                STICKY_COOKIE,
                "1",
                salt=STICKY_SALT,
                max_age=settings.REPLICA_STICKY_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        reads = _reads.get()
        if reads is not None and eligible(request):
            reads.eligible = True
            reads.view = (view_func, view_args, view_kwargs)
        return None

    def process_exception(self, request, exception):
        """A replica query failed part-way: the same (read-only) view once more, on the primary."""
        reads = _reads.get()
        if (
            reads is None
            or not reads.used_replica
            or not isinstance(exception, OperationalError | InterfaceError)
        ):
            return None
        replica = connections[REPLICA]
        if replica.connection is None or not replica.is_usable():
            health.failed(exception)
        else:
            logger.warning("replica query failed, reading the primary: %s", exception)
        reads.eligible = False
        view_func, args, kwargs = reads.view
        return view_func(request, *args, **kwargs)
