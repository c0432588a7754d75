"""Cached API list answers (and page figures), dropped whenever any county record changes.

A hazard list page costs ~50 hazards built and serialized per request, ten times what the framework
itself costs (bench/RESULTS.md); phones and the dashboard ask for the same pages again and again
between writes. So a list answer is kept in the cache under a key made of:

- the *data version*: one token, replaced on every save, delete or many-to-many change of a model of
  the county's apps (townships, firebrigade, inspections, meetings) and of accounts and profiles.
  Replaced, not incremented: two processes writing at once cannot lose a change. It is replaced when
  the writing transaction commits (at once outside a transaction): an answer read before that, even
  if kept a moment later, sits under the old version, which nobody asks for any more. A connection
  that reads inside its own transaction after writing in it keys on its own writes instead (tests
  run that way). Writes that bypass signals (`QuerySet.update`, `bulk_create`, raw SQL, `flush`,
  restoring a backup) must call `bump_data_version()`;
- who asks, as far as it decides what they may see (user, role, county, township, police station,
  premises), so nobody is served another scope's answer;
- the language, today's local date (overdue is judged by it) and the full URL with its query.

The answer is cached only when it succeeded and is rendered as JSON. A missed invalidation would be
a bug; the expiry (`LIST_CACHE_SECONDS`) only bounds how long one could last. When the cache server
cannot be reached, writes go on and answers are computed (and the failure logged).
"""

import hashlib
import logging
import os
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import get_language
from rest_framework.response import Response

from core.clock import local_today

logger = logging.getLogger(__name__)

VERSION_KEY = "firebrigade:data-version"
WATCHED_APPS = frozenset({"townships", "firebrigade", "inspections", "meetings", "auth"})
WATCHED_MODELS = frozenset({("core", "userprofile")})


def data_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY)
    return version


def bump_data_version() -> None:
    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, None)
    except Exception:  # the cache server down must not stop a write; nothing is served from it then
        logger.exception("list cache: could not replace the data version")


def _record_write() -> None:
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        bump_data_version()  # autocommit: the row is committed already
        return
    # In a transaction, other connections see the write when it commits: the version is replaced
    # then, once per transaction (an import saves thousands of rows in one). Until then, this
    # connection's own reads key on its count of writes (`_own_writes`).
    connection.list_cache_writes = getattr(connection, "list_cache_writes", 0) + 1
    if not _commit_pending(connection):

        def replace_version():
            bump_data_version()

        connection.list_cache_commit = replace_version
        transaction.on_commit(replace_version)


def _commit_pending(connection) -> bool:
    """Whether this transaction has written (its commit callback is still waiting; a rollback,
    of the transaction or of the savepoint that registered it, discards it)."""
    marker = getattr(connection, "list_cache_commit", None)
    return marker is not None and any(func is marker for _, func, _ in connection.run_on_commit)


def _own_writes():
    """Part of every key: None, unless this connection reads inside a transaction after writing in
    it — then what it sees is its own, and so is the key."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and _commit_pending(connection):
        # The savepoints too: after one is rolled back, what was read inside it is not asked for again.
        return (os.getpid(), id(connection), connection.list_cache_writes, tuple(connection.savepoint_ids))
    return None


def _record_changed(sender, update_fields=None, **kwargs) -> None:
    if update_fields is not None and set(update_fields) == {"last_login"}:
        return  # a login changes no record anybody lists
    meta = sender._meta
    if meta.app_label in WATCHED_APPS or (meta.app_label, meta.model_name) in WATCHED_MODELS:
        _record_write()


def _relation_changed(sender, action, instance, **kwargs) -> None:
    if action.startswith("post_"):
        _record_changed(type(instance))


def connect() -> None:
    post_save.connect(_record_changed, dispatch_uid="list_cache_save")
    post_delete.connect(_record_changed, dispatch_uid="list_cache_delete")
    m2m_changed.connect(_relation_changed, dispatch_uid="list_cache_m2m")


def _scope(user) -> tuple:
    profile = getattr(user, "profile", None) if not user.is_superuser else None
    if profile is None:
        return (user.pk, user.is_superuser)
    return (
        user.pk,
        False,
        profile.role,
        profile.county_id,
        profile.township_id,
        profile.police_station_id,
        profile.premises_id,
    )


def _key(kind: str, user, *parts) -> str:
    parts = (data_version(), _own_writes(), _scope(user), get_language(), local_today(), *parts)
    return f"firebrigade:{kind}:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def list_key(request) -> str:
    return _key("list", request.user, request.build_absolute_uri())


def _get(key_of):
    """(key, cached value or None); (None, None) when the cache cannot be reached: then the answer is
    computed and not kept, as if there were no cache."""
    try:
        key = key_of()
        return key, cache.get(key)
    except Exception:
        logger.exception("list cache: unreachable, answering without it")
        return None, None


def _set(key, value) -> None:
    if key is None:
        return
    try:
        cache.set(key, value, settings.LIST_CACHE_SECONDS)
    except Exception:
        logger.exception("list cache: could not keep an answer")


def remember(user, name: str, *parts, compute):
    """`compute()`'s result for this user's scope, language and day, computed again after any write.
    For a page's figures (dashboard, township page), keyed like a list answer; None is kept too."""
    key, found = _get(lambda: _key("page", user, name, parts))
    if found is not None:
        return found[0]
    value = compute()
    _set(key, (value,))
    return value


class CachedListMixin:
    """For a DRF list action: answer from the cache when nothing changed since the same question."""

    def list(self, request, *args, **kwargs):
        if request.accepted_renderer.format != "json":  # the workbook and the browsable API: as is
            return super().list(request, *args, **kwargs)
        key, data = _get(lambda: list_key(request))
        if data is not None:
            return Response(data)
        response = super().list(request, *args, **kwargs)
        if response.status_code == 200:
            _set(key, response.data)
        return response
