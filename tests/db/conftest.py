"""A real streaming replica of the test database's server, for the router's tests.

pg_basebackup copies the primary's cluster (after pytest-django has made the test database, so the copy
holds it) and the copy is started on a free port as a hot standby that streams from the primary. The
primary must accept replication connections from 127.0.0.1 (bin/ensure-services sees to it); the
replica runs as the `postgres` OS user when the tests run as root (PostgreSQL refuses root).
"""

import copy
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connections

from config.settings.base import replica_database
from core import db_router

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
START_TIMEOUT = 60  # a hot standby opens once it has a snapshot of the primary's running transactions


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ReplicaServer:
    data: Path
    port: int
    running: bool = True

    def pg_ctl(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603 - PostgreSQL's own tools, fixed arguments
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), *args]),
            capture_output=True,
            text=True,
            check=False,
        )

    def stop(self) -> None:
        if self.running:
            self.pg_ctl("-m", "immediate", "-w", "stop")
            self.running = False


@pytest.fixture(scope="session")
def replica_server(django_db_setup):
    """A hot standby of the primary holding the test database, on its own port; stopped and removed
    at the end of the session."""
    primary = connections["default"].settings_dict
    if not (PG_BIN / "pg_ctl").exists() or shutil.which("pg_basebackup") is None:
        pytest.skip(f"PostgreSQL server binaries not found in {PG_BIN}")
    workdir = Path(tempfile.mkdtemp(prefix="fb-replica-"))
    if os.geteuid() == 0:
        shutil.chown(workdir, "postgres", "postgres")
    data = workdir / "data"
    backup = subprocess.run(  # noqa: S603 - PostgreSQL's own tools, fixed arguments
        _as_postgres(
            [
                "pg_basebackup",
                *("-h", primary["HOST"] or "127.0.0.1", "-p", str(primary["PORT"] or 5432)),
                *("-U", primary["USER"] or "postgres", "-D", str(data)),
                # -R: a standby that streams from the primary; fast checkpoint: no wait for a spread one.
                *("-R", "-X", "stream", "-c", "fast"),
            ]
        ),
        capture_output=True,
        text=True,
        check=False,
    )
    if backup.returncode != 0:
        shutil.rmtree(workdir, ignore_errors=True)
        if "pg_hba.conf" in backup.stderr:
            pytest.skip(
                f"the primary refuses replication connections (run bin/ensure-services): {backup.stderr}"
            )
        pytest.fail(f"pg_basebackup failed: {backup.stderr}")
    port = _free_port()
    # The primary's configuration files live outside its data directory (Debian): the copy gets its own.
    (data / "postgresql.conf").write_text(
        f"listen_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = '{workdir}'\n"
        "hot_standby = on\nfsync = off\n"
    )
    (data / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
    (data / "pg_ident.conf").write_text("")
    if os.geteuid() == 0:
        for path in ("postgresql.conf", "pg_hba.conf", "pg_ident.conf"):
            shutil.chown(data / path, "postgres", "postgres")
    server = ReplicaServer(data=data, port=port)
    started = server.pg_ctl("-l", str(workdir / "log"), "-w", "-t", str(START_TIMEOUT), "start")
    try:
        if started.returncode != 0:
            log = (workdir / "log").read_text() if (workdir / "log").exists() else ""
            pytest.fail(f"the replica did not start: {started.stdout}{started.stderr}\n{log}")
        yield server
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


class Replica:
    """The "replica" alias's server, and a wait for the replication."""

    def __init__(self, server: ReplicaServer):
        self.server = server

    def catch_up(self, timeout: float = 10) -> None:
        """Wait until the replica has applied everything the primary has written so far."""
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()")
            (lsn,) = cursor.fetchone()
        deadline = time.monotonic() + timeout
        while True:
            (caught_up,) = self._run("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
            if caught_up:
                return
            assert time.monotonic() < deadline, f"the replica did not reach {lsn} in {timeout}s"
            time.sleep(0.02)

    def _run(self, sql: str, params=None):
        with connections[db_router.REPLICA].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()


@pytest.fixture(scope="module")
def replica(replica_server, django_db_blocker):
    """The "replica" alias on the replica's copy of the test database, a test mirror of "default" (never
    flushed, never migrated: it follows the primary). Added for the module only: elsewhere the suite
    runs with "default" alone, as without DATABASE_REPLICA_URL."""
    default = connections["default"].settings_dict
    url = f"postgres://{default['USER']}@127.0.0.1:{replica_server.port}/{default['NAME']}"
    alias = {**copy.deepcopy(default), **replica_database(url)}
    alias["TEST"] = {**default["TEST"], "MIRROR": "default"}
    connections.settings[db_router.REPLICA] = alias  # the same dict as settings.DATABASES
    db_router.health.reset()
    replica = Replica(replica_server)
    try:
        yield replica
    finally:
        with django_db_blocker.unblock():
            connections[db_router.REPLICA].close()
        del connections[db_router.REPLICA]
        del connections.settings[db_router.REPLICA]
        db_router.health.reset()
