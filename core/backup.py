"""Backups of the database and the uploaded files, for PostgreSQL and SQLite.

A backup is one .tar.gz holding the database (pg_dump's custom format, or a SQLite copy made with
SQLite's online backup API), the media folder, and a manifest with the row count of every table,
counted in the very snapshot that was dumped (so a backup taken while the county works is still
consistent with its manifest).

`backup_restore` first restores the dump into a scratch database (PostgreSQL) or reads the copy
(SQLite) and compares its counts with the manifest: a damaged or inconsistent archive is refused
before anything is replaced. Then it replaces the data and checks the counts again.
"""

import datetime as dt
import io
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection, connections
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError

MANIFEST = "manifest.json"


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in {"postgresql", "sqlite"}:
        raise ApplicationError(_("不支持的数据库：%(vendor)s") % {"vendor": vendor})
    return vendor


def _tables() -> list[str]:
    return sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.managed and not model._meta.proxy
        }
    )


def _count(cursor, quote, tables, *, missing_ok: bool = False) -> dict[str, int | None]:
    """Rows per table; with `missing_ok` (an autocommit connection), a table that is not there counts
    None instead of failing."""
    counts = {}
    for table in tables:
        try:
            cursor.execute(f"SELECT count(*) FROM {quote(table)}")  # noqa: S608 - our own table names
        except (DatabaseError, sqlite3.DatabaseError):
            if not missing_ok:
                raise
            counts[table] = None
        else:
            counts[table] = cursor.fetchone()[0]
    return counts


def table_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        return _count(cursor, connection.ops.quote_name, _tables())


def _sqlite_counts(path: Path, tables) -> dict[str, int]:
    database = sqlite3.connect(path)
    try:
        return _count(database.cursor(), lambda name: f'"{name}"', tables, missing_ok=True)
    finally:
        database.close()


def _connection_to(name: str | None = None):
    """A connection of its own to our PostgreSQL server (to database `name`, by default ours)."""
    ours = connections["default"]
    return type(ours)({**ours.settings_dict, **({"NAME": name} if name else {})}, "backup")


def _pg_dump_with_counts(dump: Path) -> dict[str, int]:
    """pg_dump and the row counts read in one snapshot: a read-only REPEATABLE READ transaction on a
    connection of its own exports its snapshot, counts every table in it, and pg_dump dumps that
    same snapshot while the transaction stays open."""
    snapshot_connection = _connection_to()
    try:
        snapshot_connection.set_autocommit(False)
        with snapshot_connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _count(cursor, snapshot_connection.ops.quote_name, _tables())
            _pg_run("pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot}", "--file", str(dump))
        snapshot_connection.rollback()
    finally:
        snapshot_connection.close()
    return counts


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise ApplicationError(
            _("找不到 %(tool)s：请安装 PostgreSQL 客户端（apt-get install postgresql-client）。")
            % {"tool": name}
        )
    return path


def _pg_run(tool: str, *options: str, last: str | None = None, database: str | None = None) -> None:
    """Run a PostgreSQL client tool against our database (or `database` on our server): options,
    connection arguments, `last`."""
    args, env = _pg_env(database)
    proc = subprocess.run(  # noqa: S603 - fixed program, arguments from our settings
        [_pg_tool(tool), *options, *args, *([last] if last else [])],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode:
        raise ApplicationError(_("%(tool)s 失败：%(error)s") % {"tool": tool, "error": proc.stderr.strip()})


def _pg_env(database: str | None = None) -> tuple[list[str], dict[str, str]]:
    db = settings.DATABASES["default"]
    args = ["--dbname", database or db["NAME"]]
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def backup_create(*, output: Path | None = None) -> Path:
    engine = _engine()
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    output = Path(output or Path(settings.VAR_DIR) / "backups" / f"firebrigade-{stamp}.tar.gz")
    # The archive holds password hashes, tokens and sessions: readable by its owner only.
    output.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    manifest = {"engine": engine, "created_at": dt.datetime.now(dt.UTC).isoformat()}
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / ("db.dump" if engine == "postgresql" else "db.sqlite3")
        if engine == "postgresql":
            manifest["counts"] = _pg_dump_with_counts(dump)
        else:
            connection.ensure_connection()
            target = sqlite3.connect(dump)
            try:
                connection.connection.backup(target)  # one consistent copy; counted from the copy
            finally:
                target.close()
            manifest["counts"] = _sqlite_counts(dump, _tables())
        descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(descriptor, 0o600)  # also when the file was there already
        with os.fdopen(descriptor, "wb") as archive, tarfile.open(fileobj=archive, mode="w:gz") as tar:
            tar.add(dump, arcname=dump.name)
            media = Path(settings.MEDIA_ROOT)
            if media.exists():
                tar.add(media, arcname="media")
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return output


def _differences(expected: dict[str, int], found: dict[str, int]) -> str:
    """What differs between the manifest's counts and those found, in words ("" if nothing)."""
    wrong = {t: (n, found.get(t)) for t, n in expected.items() if found.get(t) != n}
    return _("；").join(
        _("%(table)s 应有 %(expected)s 行，恢复后 %(found)s 行") % {"table": t, "expected": n, "found": m}
        for t, (n, m) in wrong.items()
    )


def _pg_counts_in_scratch(dump: Path, tables) -> dict[str, int | None]:
    """Restore `dump` into a scratch database and count `tables` there; the scratch database is
    dropped whatever happens. Nothing of ours is touched."""
    scratch = f"{settings.DATABASES['default']['NAME']}_restore_check_{secrets.token_hex(4)}"
    admin = _connection_to()
    quote = admin.ops.quote_name
    try:
        with admin.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {quote(scratch)}")
    except Exception as exc:
        admin.close()
        raise ApplicationError(
            _("无法创建用于核对的临时数据库（%(error)s）：未恢复，当前数据未改动。") % {"error": exc}
        ) from exc
    try:
        _pg_run("pg_restore", "--no-owner", "--single-transaction", last=str(dump), database=scratch)
        checked = _connection_to(scratch)
        try:
            with checked.cursor() as cursor:
                found = _count(cursor, quote, tables, missing_ok=True)
        finally:
            checked.close()
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(scratch)}")
        admin.close()
    return found


def backup_restore(*, archive: Path) -> dict[str, int]:
    """Replace the database and media with the backup's, once the backup has been checked whole
    (in a scratch database, or its SQLite copy) against its manifest. Returns the restored row
    counts. Refuses an archive of another engine, or one that does not match its manifest, before
    replacing anything; reports any table whose count differs after replacing."""
    engine = _engine()
    archive = Path(archive)
    if not archive.exists():
        raise ApplicationError(_("备份文件不存在：%(archive)s") % {"archive": archive})
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(archive, "r:gz") as tar:
        tar.extractall(tmp, filter="data")
        manifest = json.loads((Path(tmp) / MANIFEST).read_text())
        if manifest["engine"] != engine:
            raise ApplicationError(
                _("备份来自 %(source)s 数据库，当前为 %(engine)s，不能直接恢复。")
                % {"source": manifest["engine"], "engine": engine}
            )
        if engine == "postgresql":
            archived = _pg_counts_in_scratch(Path(tmp) / "db.dump", manifest["counts"])
        else:
            archived = _sqlite_counts(Path(tmp) / "db.sqlite3", manifest["counts"])
        if wrong := _differences(manifest["counts"], archived):
            raise ApplicationError(
                _("备份文件与其清单不一致，未恢复，当前数据未改动：%(detail)s") % {"detail": wrong}
            )
        connections.close_all()
        if engine == "postgresql":
            _pg_run(
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                last=str(Path(tmp) / "db.dump"),
            )
        else:
            source = sqlite3.connect(Path(tmp) / "db.sqlite3")
            try:
                connection.ensure_connection()
                source.backup(connection.connection)
            finally:
                source.close()
        media = Path(tmp) / "media"
        if media.exists():
            shutil.copytree(media, settings.MEDIA_ROOT, dirs_exist_ok=True)
    restored = table_counts()
    if wrong := _differences(manifest["counts"], restored):
        raise ApplicationError(_("恢复后数据不一致：%(detail)s") % {"detail": wrong})
    return restored
