"""Backups agree with their manifests even when taken while the county writes, and a restore checks
the archive whole before it replaces anything."""

import io
import json
import tarfile
import threading
import time
import uuid

import pytest
from django.db import connection
from django.db import connections as all_connections

from core.backup import MANIFEST, backup_create, backup_restore, table_counts
from core.exceptions import ApplicationError
from core.models import IdempotencyRecord
from tests import factories as f
from townships.models import Township

pytestmark = pytest.mark.django_db(transaction=True)


def scratch_databases() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", ["%\\_restore\\_check\\_%"])
        return [row[0] for row in cursor.fetchall()]


def test_a_backup_taken_while_a_writer_runs_matches_its_manifest_and_restores(tmp_path):
    user = f.UserFactory(username="writer")
    stop, written = threading.Event(), []

    def writer():
        try:
            while not stop.is_set():
                IdempotencyRecord.objects.create(user=user, key=uuid.uuid4().hex, fingerprint="x")
                written.append(1)
        finally:
            all_connections.close_all()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 20:  # the writer is well under way before the dump starts
            time.sleep(0.01)
        archive = backup_create(output=tmp_path / "busy.tar.gz")
        during = len(written)
    finally:
        stop.set()
        thread.join()
    assert len(written) > during  # it went on writing after the dump's snapshot

    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile(MANIFEST))
    assert 20 <= manifest["counts"]["core_idempotencyrecord"] <= during
    restored = backup_restore(archive=archive)
    assert restored == manifest["counts"]
    assert IdempotencyRecord.objects.count() == manifest["counts"]["core_idempotencyrecord"]
    assert scratch_databases() == []


def tampered(archive, output, table: str):
    """The archive with its manifest claiming one row more in `table`."""
    with tarfile.open(archive) as source, tarfile.open(output, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read() if member.isfile() else None
            if member.name == MANIFEST:
                manifest = json.loads(data)
                manifest["counts"][table] += 1
                data = json.dumps(manifest).encode()
                member.size = len(data)
            target.addfile(member, io.BytesIO(data) if data is not None else None)
    return output


def test_an_archive_that_disagrees_with_its_manifest_replaces_nothing(tmp_path):
    f.TownshipFactory(name="北关镇")
    f.TownshipFactory(name="褚庙乡")
    archive = backup_create(output=tmp_path / "good.tar.gz")
    bad = tampered(archive, tmp_path / "bad.tar.gz", "townships_township")
    Township.objects.filter(name="褚庙乡").delete()
    before = table_counts()

    with pytest.raises(ApplicationError, match="未恢复，当前数据未改动") as refused:
        backup_restore(archive=bad)
    assert "townships_township" in str(refused.value.message)
    assert table_counts() == before
    assert list(Township.objects.values_list("name", flat=True)) == ["北关镇"]
    assert scratch_databases() == []

    backup_restore(archive=archive)
    assert set(Township.objects.values_list("name", flat=True)) == {"北关镇", "褚庙乡"}
