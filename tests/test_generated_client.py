"""A Python client generated from the served schema (openapi-python-client) does what a phone app or
a province platform would: logs in, lists hazards with a filter, records an inspection and retries it
with the same idempotency key (one record), sends the photo taken of its hazard and a rectification
with its photo, and reads the documented error for an object outside its township. Calls go to the
real WSGI application in process (httpx's WSGI transport)."""

import datetime as dt
import importlib
import io
import subprocess
import sys

import httpx
import pytest
from django.test import Client as DjangoClient
from PIL import Image

from core.clock import local_today
from core.models import Role
from inspections.models import Hazard, Inspection
from tests import factories as f

PASSWORD = "Generated-client-2021"


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def generated(tmp_path, db):
    """The client package generated from /api/v1/schema/ as served, imported as `fbclient`."""
    reader = f.make_user(Role.GUIDANCE_CENTER, username="schema-reader")
    django = DjangoClient()
    django.force_login(reader)
    schema = tmp_path / "schema.json"
    schema.write_bytes(django.get("/api/v1/schema/?format=json").content)
    (tmp_path / "config.yaml").write_text("post_hooks: []\n")
    subprocess.run(  # noqa: S603  (our own fixed command line)
        [
            sys.executable, "-m", "openapi_python_client", "generate", "--path", str(schema),
            "--config", str(tmp_path / "config.yaml"), "--meta", "none", "--output-path", str(tmp_path / "fbclient"),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    sys.path.insert(0, str(tmp_path))
    try:
        yield lambda name: importlib.import_module(f"fbclient{name}")
    finally:
        sys.path.remove(str(tmp_path))
        for name in [
            module for module in sys.modules if module == "fbclient" or module.startswith("fbclient.")
        ]:
            del sys.modules[name]


def test_a_generated_client_logs_in_lists_records_retries_and_is_refused_in_the_documented_shape(
    generated, in_process_wsgi
):
    township = f.TownshipFactory(name="北关镇")
    premises = f.PremisesFactory(township=township, name="北关农贸市场")
    mine = f.HazardFactory(inspection=f.InspectionFactory(premises=premises))
    elsewhere = f.HazardFactory()
    lead = f.make_user(Role.TOWNSHIP_LEAD, township=township, username="beiguan")
    lead.set_password(PASSWORD)
    lead.save()

    client_module = generated("")
    models = generated(".models")
    types = generated(".types")
    transport = {"transport": httpx.WSGITransport(app=in_process_wsgi)}
    anonymous = client_module.Client(base_url="http://testserver", httpx_args=transport)

    # Log in.
    token_create = generated(".api.auth.auth_token_create")
    issued = token_create.sync(
        client=anonymous, body=models.AuthTokenRequest(username="beiguan", password=PASSWORD)
    )
    assert isinstance(issued, models.IssuedToken)
    api = client_module.AuthenticatedClient(
        base_url="http://testserver", token=issued.token, prefix="Token", httpx_args=transport
    )

    # List hazards with a filter: only the lead's township's open ones.
    hazards_list = generated(".api.hazards.hazards_list")
    page = hazards_list.sync(client=api, status=[models.HazardsListStatusItem.OPEN])
    assert [hazard.id for hazard in page.results] == [mine.pk]

    # Record an inspection; the retry with the same key writes nothing and answers the same.
    inspections_create = generated(".api.inspections.inspections_create")
    body = models.InspectionRecordRequest(
        premises=premises.pk,
        inspected_on=local_today(),
        inspectors="赵专干",
        hazards=[
            models.HazardInputRequest(
                severity=models.HazardSeverityEnum.GENERAL,
                description="灭火器过期",
                deadline=local_today() + dt.timedelta(days=7),
                responsible_person="王老板",
            )
        ],
    )
    first = inspections_create.sync_detailed(client=api, body=body, idempotency_key="phone-0001")
    again = inspections_create.sync_detailed(client=api, body=body, idempotency_key="phone-0001")
    assert first.status_code == again.status_code == 201
    assert again.parsed.id == first.parsed.id
    assert Inspection.objects.filter(premises=premises, inspected_on=local_today()).count() == 1

    # The photo taken when the hazard was found, sent after the inspection (multipart).
    new_hazard = Hazard.objects.get(description="灭火器过期")
    correct = generated(".api.hazards.hazards_partial_update")
    photographed = correct.sync_detailed(
        new_hazard.pk,
        client=api,
        body=models.PatchedHazardCorrectRequest(
            photo_before=types.File(payload=io.BytesIO(png()), file_name="found.png", mime_type="image/png")
        ),
    )
    assert photographed.status_code == 200, photographed.content
    new_hazard.refresh_from_db()
    assert new_hazard.photo_before.name.startswith("hazards/")

    # Rectify it with an after-photo (multipart).
    rectify = generated(".api.hazards.hazards_rectify_create")
    answer = rectify.sync_detailed(
        new_hazard.pk,
        client=api,
        body=models.HazardRectifyRequest(
            rectified_on=local_today(),
            rectified_by="王老板",
            measures="更换灭火器",
            photo_after=types.File(payload=io.BytesIO(png()), file_name="after.png", mime_type="image/png"),
        ),
    )
    assert answer.status_code == 200, answer.content
    new_hazard.refresh_from_db()
    assert new_hazard.status == Hazard.Status.AWAITING_VERIFICATION
    assert new_hazard.photo_after.name.startswith("hazards/")

    # Another township's hazard: the documented 404, parsed into its model.
    retrieve = generated(".api.hazards.hazards_retrieve")
    refused = retrieve.sync_detailed(elsewhere.pk, client=api)
    assert refused.status_code == 404
    assert isinstance(refused.parsed, models.Error404)
    assert refused.parsed.code == "not_found"
    assert refused.parsed.detail == "未找到该记录，或您无权查看。"
