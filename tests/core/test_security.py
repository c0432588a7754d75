import io
import stat
import tarfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from PIL import Image

from core.backup import MANIFEST, backup_create, table_counts
from core.uploads import RandomName, validate_document, validate_photo
from meetings.models import Meeting
from tests import factories as f
from townships.models import GridMember, Township


def _login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


@pytest.mark.django_db
def test_repeated_failed_logins_lock_the_account_and_the_user_is_told(client):
    f.UserFactory(username="lead")
    for _ in range(5):
        response = _login(client, "lead", "wrong-password")
    assert response.status_code == 429
    page = response.content.decode()
    assert "锁定" in page
    assert "30 分钟" in page
    # Even the right password is refused while locked.
    response = _login(client, "lead", "a-long-test-password-1")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_few_failed_logins_do_not_lock_and_success_resets_the_count(client):
    f.UserFactory(username="lead")
    for _ in range(4):
        assert _login(client, "lead", "wrong").status_code == 200
    assert _login(client, "lead", "a-long-test-password-1").status_code == 302
    client.logout()
    for _ in range(4):
        assert _login(client, "lead", "wrong").status_code == 200


@pytest.mark.django_db
def test_the_token_endpoint_is_locked_out_too(client):
    f.UserFactory(username="robot")
    for _ in range(5):
        client.post("/api/v1/auth/token/", {"username": "robot", "password": "guess"})
    response = client.post("/api/v1/auth/token/", {"username": "robot", "password": "a-long-test-password-1"})
    assert response.status_code == 429
    assert "锁定" in response.json()["detail"]


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_not_found_page_is_chinese_and_leaks_nothing(client):
    client.force_login(f.UserFactory())
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body
    assert "Traceback" not in body
    assert "urlpatterns" not in body


def test_server_error_page_is_plain_chinese():
    from django.template.loader import render_to_string

    body = render_to_string("500.html")
    assert "系统暂时出错" in body
    assert "{%" not in body


def _png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()


def test_a_real_photo_passes_the_content_check():
    validate_photo(SimpleUploadedFile("hazard.png", _png_bytes(), content_type="image/png"))


@pytest.mark.parametrize(
    "content",
    [
        b"<html><script>alert(1)</script></html>",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b"",
    ],
)
def test_html_or_svg_renamed_to_jpg_is_refused(content):
    fake = SimpleUploadedFile("photo.jpg", content, content_type="image/jpeg")
    with pytest.raises(ValidationError, match="不是有效的图片"):
        validate_photo(fake)


def test_an_oversized_photo_is_refused_with_its_size(monkeypatch):
    big = SimpleUploadedFile("big.png", _png_bytes(), content_type="image/png")
    monkeypatch.setattr("core.uploads.MAX_PHOTO_BYTES", 10)
    with pytest.raises(ValidationError, match="文件过大"):
        validate_photo(big)


def test_evidence_may_be_a_pdf_but_not_a_script():
    validate_document(SimpleUploadedFile("a.pdf", b"%PDF-1.4\n...", content_type="application/pdf"))
    with pytest.raises(ValidationError):
        validate_document(SimpleUploadedFile("a.pdf", b"#!/bin/sh\nrm -rf /", content_type="application/pdf"))


def test_uploads_are_stored_under_a_random_name():
    upload_to = RandomName("hazards")
    first, second = upload_to(None, "王老板家 出口.JPG"), upload_to(None, "王老板家 出口.JPG")
    assert first != second
    assert first.startswith("hazards/")
    assert first.endswith(".jpg")
    assert "王老板" not in first
    assert upload_to(None, "x.html").endswith(tuple("0123456789abcdef"))


@pytest.mark.django_db(transaction=True)
def test_backup_then_wipe_then_restore_loses_nothing(tmp_path, demo):
    before = table_counts()
    names = set(Township.objects.values_list("name", flat=True))
    archive = tmp_path / "demo.tar.gz"
    call_command("backup", "--output", str(archive))
    assert archive.exists()

    Meeting.objects.all().delete()  # with its directives, assignments and progress reports
    # A grid member with a login (core.UserProfile.grid_member) is kept; the rest of the register goes.
    GridMember.objects.filter(user_profiles__isnull=True).delete()
    assert table_counts() != before

    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(archive))
    call_command("restore", str(archive), "--yes")
    assert table_counts() == before
    assert set(Township.objects.values_list("name", flat=True)) == names
    assert Meeting.objects.get(held_at__year=2021).directives.count() == 8


@pytest.mark.django_db
def test_restore_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="不存在"):
        call_command("restore", str(tmp_path / "none.tar.gz"), "--yes")


@pytest.mark.django_db
def test_a_backup_archive_is_readable_by_its_owner_only(tmp_path):
    archive = tmp_path / "backups" / "b.tar.gz"
    archive.parent.mkdir()
    archive.write_bytes(b"an older file, world-readable")
    archive.chmod(0o644)
    backup_create(output=archive)
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    with tarfile.open(archive, "r:gz") as tar:  # and a real archive was written into it
        assert MANIFEST in tar.getnames()
