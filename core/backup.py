"""Backups of the database and the uploaded files, for PostgreSQL and SQLite.

A backup is one .tar.gz holding the database (pg_dump's custom format, or a SQLite copy made with
SQLite's online backup API), the media folder, and a manifest with the row count of every table,
which `backup_restore` checks after restoring: nothing lost, or it says what.
"""

import datetime as dt
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection, connections
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError

MANIFEST = "manifest.json"


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in {"postgresql", "sqlite"}:
        raise ApplicationError(_("不支持的数据库：%(vendor)s") % {"vendor": vendor})
    return vendor


def table_counts() -> dict[str, int]:
    counts = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy:
            counts[model._meta.db_table] = model._base_manager.using("default").count()
    return counts


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise ApplicationError(
            _("找不到 %(tool)s：请安装 PostgreSQL 客户端（apt-get install postgresql-client）。")
            % {"tool": name}
        )
    return path


def _pg_run(tool: str, *options: str, last: str | None = None) -> None:
    """Run a PostgreSQL client tool against our database: options, connection arguments, `last`."""
    args, env = _pg_env()
    proc = subprocess.run(  # noqa: S603 - fixed program, arguments from our settings
        [_pg_tool(tool), *options, *args, *([last] if last else [])],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode:
        raise ApplicationError(_("%(tool)s 失败：%(error)s") % {"tool": tool, "error": proc.stderr.strip()})


def _pg_env() -> tuple[list[str], dict[str, str]]:
    db = settings.DATABASES["default"]
    args = ["--dbname", db["NAME"]]
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
    manifest = {
        "engine": engine,
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "counts": table_counts(),
    }
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / ("db.dump" if engine == "postgresql" else "db.sqlite3")
        if engine == "postgresql":
            _pg_run("pg_dump", "--format=custom", "--no-owner", "--file", str(dump))
        else:
            connection.ensure_connection()
            target = sqlite3.connect(dump)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
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


def backup_restore(*, archive: Path) -> dict[str, int]:
    """Replace the database and media with the backup's. Returns the restored row counts.
    Refuses an archive of another engine, and reports any table whose count differs."""
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
    missing = {t: (n, restored.get(t)) for t, n in manifest["counts"].items() if restored.get(t) != n}
    if missing:
        detail = _("；").join(
            _("%(table)s 应有 %(expected)s 行，恢复后 %(found)s 行") % {"table": t, "expected": n, "found": m}
            for t, (n, m) in missing.items()
        )
        raise ApplicationError(_("恢复后数据不一致：%(detail)s") % {"detail": detail})
    return restored
