"""The template's example row is a row of the demo county (民权县): downloaded as the import page
offers it and uploaded as it stands, it previews without an error — the premises example first, so
that the inspection example has its premises."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import ImportJob

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _upload(client, kind: str, content: bytes) -> ImportJob:
    response = client.post(
        "/imports/", {"kind": kind, "file": SimpleUploadedFile("模板.xlsx", content, content_type=XLSX)}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportJob.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def _template(client, kind: str) -> bytes:
    response = client.get(f"/imports/templates/{kind}.xlsx")
    assert response.status_code == 200
    return response.content


@pytest.mark.django_db
def test_every_templates_example_row_imports_into_the_demo_county(demo, client):
    users = get_user_model().objects
    for username, kinds in [
        ("chumiao", ["premises", "members", "equipment", "inspections"]),
        ("center", ["premises", "members", "equipment", "funding", "inspections"]),
    ]:
        client.force_login(users.get(username=username))
        for kind in kinds:
            job = _upload(client, kind, _template(client, kind))
            assert job.error_count == 0, (username, kind, [e["text"] for e in job.result["errors"]])
            assert job.status == ImportJob.Status.PREVIEW
            if kind == "premises":
                client.post(f"/imports/{job.pk}/confirm")
                job.refresh_from_db()
                assert job.status == ImportJob.Status.CONFIRMED, job.result
