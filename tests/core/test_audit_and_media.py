import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.models import Role
from inspections import services as inspection_services
from inspections.models import Hazard
from tests import factories as f


def _photo():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "orange").save(buffer, "JPEG")
    return SimpleUploadedFile("出口堵塞.jpg", buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def two_townships(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    beiguan = f.TownshipFactory(name="北关镇")
    chumiao = f.TownshipFactory(name="褚庙乡", county=beiguan.county)
    return beiguan, chumiao


def _hazard_with_photo(township):
    premises = f.PremisesFactory(township=township)
    inspection = inspection_services.inspection_record(
        premises=premises,
        kind="township",
        inspected_on=__import__("datetime").date(2021, 11, 20),
        inspectors="赵专干",
        hazards=[
            {
                "severity": "general",
                "description": "安全出口堵塞",
                "deadline": __import__("datetime").date(2021, 11, 30),
                "responsible_person": "王老板",
                "photo_before": _photo(),
            }
        ],
    )
    return inspection.hazards.get()


@pytest.mark.django_db
def test_a_hazard_photo_is_stored_under_a_random_name_and_served_to_its_township(client, two_townships):
    beiguan, _ = two_townships
    hazard = _hazard_with_photo(beiguan)
    assert "出口堵塞" not in hazard.photo_before.name
    assert hazard.photo_before.name.startswith("hazards/")
    client.force_login(f.make_user(Role.TOWNSHIP_LEAD, township=beiguan))
    response = client.get(f"/media/{hazard.photo_before.name}")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_a_photo_of_another_townships_hazard_is_not_served_to_a_township_lead(client, two_townships):
    beiguan, chumiao = two_townships
    hazard = _hazard_with_photo(chumiao)
    client.force_login(f.make_user(Role.TOWNSHIP_LEAD, township=beiguan))
    assert client.get(f"/media/{hazard.photo_before.name}").status_code == 404
    client.logout()
    assert client.get(f"/media/{hazard.photo_before.name}").status_code == 302  # to the login page


@pytest.mark.django_db
def test_media_outside_any_record_or_root_is_not_served(client, two_townships, settings):
    client.force_login(f.make_user(Role.GUIDANCE_CENTER))
    (settings.MEDIA_ROOT / "hazards").mkdir()
    (settings.MEDIA_ROOT / "hazards" / "orphan.jpg").write_bytes(b"x")
    assert client.get("/media/hazards/orphan.jpg").status_code == 404
    assert client.get("/media/../../etc/passwd").status_code == 404


@pytest.mark.django_db
def test_an_html_file_renamed_jpg_is_refused_by_the_service_and_nothing_is_written(two_townships):
    from django.core.exceptions import ValidationError

    beiguan, _ = two_townships
    premises = f.PremisesFactory(township=beiguan)
    fake = SimpleUploadedFile(
        "photo.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg"
    )
    with pytest.raises(ValidationError):
        inspection_services.inspection_record(
            premises=premises,
            kind="township",
            inspected_on=__import__("datetime").date(2021, 11, 20),
            inspectors="赵专干",
            hazards=[
                {
                    "severity": "general",
                    "description": "x",
                    "deadline": __import__("datetime").date(2021, 11, 30),
                    "responsible_person": "王",
                    "photo_before": fake,
                }
            ],
        )
    assert not Hazard.objects.exists()
    assert not premises.inspections.exists()


@pytest.mark.django_db
def test_every_write_through_the_site_is_audited_with_user_and_ip(client):
    user = f.UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    township = f.TownshipFactory()
    response = client.post(
        f"/admin/townships/township/{township.pk}/change/",
        {
            "county": township.county_id,
            "name": township.name,
            "kind": township.kind,
            "principal_leader": "新书记",
            "principal_leader_phone": "",
            "fire_deputy": township.fire_deputy,
            "fire_deputy_phone": "",
            "grids-TOTAL_FORMS": "0",
            "grids-INITIAL_FORMS": "0",
            "grids-MIN_NUM_FORMS": "0",
            "grids-MAX_NUM_FORMS": "1000",
        },
        REMOTE_ADDR="10.20.30.40",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    record = township.history.order_by("-history_id").first()
    assert record.principal_leader == "新书记"
    assert record.history_user == user
    assert record.ip_address == "10.20.30.40"


@pytest.mark.django_db
def test_the_audit_cannot_be_reverted_or_edited_in_the_admin(client):
    client.force_login(f.UserFactory(is_staff=True, is_superuser=True))
    township = f.TownshipFactory()
    record = township.history.first()
    township.name = "后来的名字"
    township.save()
    url = f"/admin/townships/township/{township.pk}/history/{record.history_id}/"
    client.post(url, {"name": record.name, "county": township.county_id, "kind": township.kind})
    township.refresh_from_db()
    assert township.name == "后来的名字"  # the old version was not restored
    assert township.history.count() == 2
