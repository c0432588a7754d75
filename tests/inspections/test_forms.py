"""Recording an inspection through the page: good input writes the inspection, its checklist and its
hazards (photos under a random name) in one service call; bad input writes nothing and comes back
with what was typed."""

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from core.models import Role
from core.uploads import MAX_PHOTO_BYTES
from inspections.models import ChecklistResult, Hazard, Inspection, Rectification
from inspections.services import local_today
from tests.factories import make_user

pytestmark = pytest.mark.django_db

URL = "/inspections/record/"
RANDOM_PHOTO = re.compile(r"^hazards/\d{4}/\d{2}/[0-9a-f]{32}\.jpg$")


def jpeg(name="现场照片.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), (200, 30, 30)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def html_as_jpeg() -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "photo.jpg", b"<html><body><script>alert(1)</script></body></html>", content_type="image/jpeg"
    )


def oversized_jpeg() -> SimpleUploadedFile:
    return SimpleUploadedFile("big.jpg", b"\xff\xd8\xff" + b"0" * MAX_PHOTO_BYTES, content_type="image/jpeg")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def today():
    return local_today()


@pytest.fixture
def lead(township):
    return make_user(Role.TOWNSHIP_LEAD, username="chumiao_lead", township=township)


@pytest.fixture
def beiguan_lead(other_township):
    return make_user(Role.TOWNSHIP_LEAD, username="beiguan_lead", township=other_township)


def form_data(premises, items, today, *, hazards=1, **overrides) -> dict:
    """What the page posts: the header, every checklist item (the first failed), `hazards` hazard rows."""
    data = {
        "premises": premises.pk,
        "inspected_on": today.isoformat(),
        "inspectors": "赵专干、钱网格员",
        "signed_by": "王老板",
        "notes": "仓库货物堆放杂乱",
        "hazards-TOTAL_FORMS": str(hazards),
        "hazards-INITIAL_FORMS": "0",
        "hazards-MIN_NUM_FORMS": "0",
        "hazards-MAX_NUM_FORMS": "1000",
    }
    for item in items:
        data[f"result_{item.pk}"] = "pass"
        data[f"note_{item.pk}"] = ""
    data[f"result_{items[0].pk}"] = "fail"
    data[f"note_{items[0].pk}"] = "后门被纸箱堵住"
    for i in range(hazards):
        data.update(
            {
                f"hazards-{i}-severity": "major",
                f"hazards-{i}-description": f"安全出口被货物堵塞{i}",
                f"hazards-{i}-deadline": (today + dt.timedelta(days=7)).isoformat(),
                f"hazards-{i}-responsible_person": "王老板",
                f"hazards-{i}-checklist_item": items[0].pk,
            }
        )
    data.update(overrides)
    return data


# --- good input -----------------------------------------------------------------------------


def test_a_township_lead_records_an_inspection_with_checklist_hazards_and_photo(
    client, lead, premises, items, plan, today
):
    client.force_login(lead)
    data = form_data(premises, items, today, hazards=2, plan=plan.pk)
    data["hazards-0-photo_before"] = jpeg()
    response = client.post(f"{URL}?premises={premises.pk}", data)
    assert response.status_code == 302
    inspection = Inspection.objects.get(premises=premises)
    assert inspection.kind == Inspection.Kind.TOWNSHIP
    assert inspection.plan == plan
    assert inspection.recorded_by == lead
    assert inspection.inspectors == "赵专干、钱网格员"
    assert inspection.history.get().history_user == lead
    results = {r.item_id: (r.result, r.note) for r in ChecklistResult.objects.filter(inspection=inspection)}
    assert results == {
        items[0].pk: ("fail", "后门被纸箱堵住"),
        items[1].pk: ("pass", ""),
        items[2].pk: ("pass", ""),
    }
    hazards = list(Hazard.objects.filter(inspection=inspection).order_by("description"))
    assert [h.description for h in hazards] == ["安全出口被货物堵塞0", "安全出口被货物堵塞1"]
    assert all(h.severity == "major" and h.status == "open" and h.discovered_on == today for h in hazards)
    photo = hazards[0].photo_before
    assert RANDOM_PHOTO.match(photo.name), photo.name
    assert "现场照片" not in photo.name
    assert photo.storage.exists(photo.name)
    assert not hazards[1].photo_before
    premises.refresh_from_db()
    assert premises.last_inspected_on == today


def test_an_untouched_blank_hazard_row_is_skipped(client, lead, premises, items, today):
    client.force_login(lead)
    data = form_data(premises, items, today, hazards=2)
    for field in ("severity", "description", "deadline", "responsible_person", "checklist_item"):
        data[f"hazards-1-{field}"] = ""
    assert client.post(URL, data).status_code == 302
    assert Hazard.objects.filter(premises=premises).count() == 1


def test_an_inspection_without_hazards(client, lead, premises, items, today):
    client.force_login(lead)
    assert client.post(URL, form_data(premises, items, today, hazards=0)).status_code == 302
    assert Inspection.objects.filter(premises=premises).count() == 1
    assert not Hazard.objects.exists()


def test_a_police_station_records_a_police_inspection_for_itself(client, station, premises, items, today):
    police = make_user(Role.POLICE_STATION, username="police", police_station=station)
    client.force_login(police)
    data = form_data(premises, items, today, kind="guidance_center", police_station="")
    assert client.post(URL, data).status_code == 302
    inspection = Inspection.objects.get(premises=premises)
    assert (inspection.kind, inspection.police_station) == (Inspection.Kind.POLICE, station)


def test_the_guidance_center_chooses_the_kind(client, station, premises, items, today):
    center = make_user(Role.GUIDANCE_CENTER, username="center")
    client.force_login(center)
    assert client.post(URL, form_data(premises, items, today, kind="guidance_center")).status_code == 302
    data = form_data(premises, items, today, kind="police", police_station=station.pk)
    assert client.post(URL, data).status_code == 302
    kinds = set(Inspection.objects.values_list("kind", "police_station"))
    assert kinds == {("guidance_center", None), ("police", station.pk)}


def test_a_police_inspection_without_a_station_is_refused_for_the_guidance_center(
    client, premises, items, today, unchanged
):
    client.force_login(make_user(Role.GUIDANCE_CENTER, username="center"))
    with unchanged():
        response = client.post(URL, form_data(premises, items, today, kind="police"))
    assert response.status_code == 400
    assert "派出所检查必须填写派出所" in response.content.decode()


# --- refusals: nothing written, the typed values come back ----------------------------------


def _refused(response, unchanged_ctx=None):
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="form-errors"' in page
    assert "赵专干、钱网格员" in page  # typed values are back
    assert "仓库货物堆放杂乱" in page
    return page


def test_a_date_in_the_future_is_refused(client, lead, premises, items, today, unchanged):
    client.force_login(lead)
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    with unchanged():
        response = client.post(URL, form_data(premises, items, today, inspected_on=tomorrow))
    page = _refused(response)
    assert "检查日期不能晚于今天" in page
    assert tomorrow in page
    assert "安全出口被货物堵塞0" in page


def test_a_deadline_before_discovery_is_refused(client, lead, premises, items, today, unchanged):
    client.force_login(lead)
    early = (today - dt.timedelta(days=1)).isoformat()
    with unchanged():
        response = client.post(URL, form_data(premises, items, today, **{"hazards-0-deadline": early}))
    page = _refused(response)
    assert "整改期限不能早于发现日期" in page
    assert early in page


def test_an_unknown_premises_is_refused(client, lead, premises, items, today, unchanged):
    client.force_login(lead)
    with unchanged():
        response = client.post(URL, {**form_data(premises, items, today), "premises": "999999"})
    page = _refused(response)
    assert "选择一个有效的选项" in page


def test_beiguan_lead_cannot_record_an_inspection_at_a_chumiao_premises(
    client, beiguan_lead, premises, items, today, unchanged
):
    client.force_login(beiguan_lead)
    with unchanged():
        in_body = client.post(URL, form_data(premises, items, today))
        in_query = client.post(f"{URL}?premises={premises.pk}", form_data(premises, items, today))
    _refused(in_body)
    assert in_query.status_code == 404
    assert not Inspection.objects.exists()


def test_an_oversized_photo_is_refused(client, lead, premises, items, today, unchanged):
    client.force_login(lead)
    data = form_data(premises, items, today)
    data["hazards-0-photo_before"] = oversized_jpeg()
    with unchanged():
        response = client.post(URL, data)
    page = _refused(response)
    assert "文件过大" in page
    assert 'data-testid="files-dropped"' in page  # the user is told to choose the photo again
    assert "安全出口被货物堵塞0" in page


def test_an_html_file_renamed_jpg_is_refused(client, lead, premises, items, today, unchanged):
    client.force_login(lead)
    data = form_data(premises, items, today)
    data["hazards-0-photo_before"] = html_as_jpeg()
    with unchanged():
        response = client.post(URL, data)
    page = _refused(response)
    assert "该文件不是有效的图片" in page
    assert 'data-testid="files-dropped"' in page
    assert "<script>alert(1)</script>" not in page


def test_a_missing_checklist_result_is_refused(client, lead, premises, items, today, unchanged):
    client.force_login(lead)
    data = form_data(premises, items, today)
    del data[f"result_{items[1].pk}"]
    with unchanged():
        response = client.post(URL, data)
    page = _refused(response)
    assert "请选择检查结果" in page
    assert "后门被纸箱堵住" in page


def test_a_partly_filled_hazard_row_is_refused(client, lead, premises, items, today, unchanged):
    client.force_login(lead)
    data = form_data(premises, items, today, **{"hazards-0-responsible_person": ""})
    with unchanged():
        response = client.post(URL, data)
    _refused(response)


def test_a_plan_of_another_township_is_refused(
    client, premises, items, today, campaign, other_premises, unchanged
):
    from inspections import services

    other_plan = services.inspection_plan_create(
        campaign=campaign,
        township=other_premises.township,
        title="北关镇计划",
        due_on=dt.date(2021, 12, 31),
        premises=[other_premises],
    )
    client.force_login(make_user(Role.GUIDANCE_CENTER, username="center"))
    with unchanged():
        response = client.post(URL, form_data(premises, items, today, kind="township", plan=other_plan.pk))
    page = _refused(response)
    assert "选择一个有效的选项" in page  # the plan is not one of this premises' plans


# --- rectification evidence -----------------------------------------------------------------


@pytest.fixture
def open_hazard(premises, lead, items, today, client):
    client.force_login(lead)
    client.post(URL, form_data(premises, items, today))
    return Hazard.objects.get(premises=premises)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"rectify-rectified_on": "FUTURE"}, "整改完成日期不能晚于今天"),
        ({"rectify-photo_after": "HTML"}, "该文件不是有效的图片"),
        ({"rectify-evidence": "HTML"}, "只能上传照片"),
        ({"rectify-measures": ""}, "该字段是必填项"),
    ],
)
def test_bad_rectification_evidence_is_refused(client, open_hazard, today, overrides, message, unchanged):
    data = {
        "action": "rectify",
        "rectify-rectified_on": today.isoformat(),
        "rectify-rectified_by": "王老板",
        "rectify-measures": "清理出口杂物",
    }
    for key, value in overrides.items():
        if value == "FUTURE":
            value = (today + dt.timedelta(days=1)).isoformat()
        elif value == "HTML":
            value = html_as_jpeg()
        data[key] = value
    with unchanged():
        response = client.post(reverse("inspections:hazard-detail", args=[open_hazard.pk]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "王老板" in page
    assert not Rectification.objects.exists()


# --- self-inspection ------------------------------------------------------------------------


@pytest.fixture
def responsible(premises):
    return make_user(Role.PREMISES_RESPONSIBLE, username="boss", premises=premises)


def test_a_responsible_person_fills_the_checklist_of_their_own_premises(
    client, responsible, premises, items, today
):
    client.force_login(responsible)
    page = client.get(URL).content.decode()
    assert premises.name in page
    assert "单位自查" in page
    response = client.post(URL, form_data(premises, items, today, kind="township"))
    assert response.status_code == 302
    assert response.url == "/"
    inspection = Inspection.objects.get(premises=premises)
    assert inspection.kind == Inspection.Kind.SELF
    assert inspection.recorded_by == responsible
    assert inspection.plan is None


def test_a_responsible_person_cannot_inspect_another_premises(
    client, responsible, other_premises, premises, items, today, unchanged
):
    client.force_login(responsible)
    assert client.get(URL, {"premises": other_premises.pk}).status_code == 404
    with unchanged():
        response = client.post(URL, form_data(other_premises, items, today))
    assert response.status_code == 400
    assert not Inspection.objects.exists()


def test_a_self_inspection_is_confirmed_as_one(client, responsible, premises, items, today):
    client.force_login(responsible)
    page = client.post(URL, form_data(premises, items, today), follow=True).content.decode()
    assert f"已登记“{premises.name}”的自查记录" in page


def test_a_deadline_already_past_is_accepted_with_a_warning(client, lead, premises, items, today):
    client.force_login(lead)
    data = form_data(
        premises,
        items,
        today,
        inspected_on=(today - dt.timedelta(days=20)).isoformat(),
        **{"hazards-0-deadline": (today - dt.timedelta(days=5)).isoformat()},
    )
    page = client.post(URL, data, follow=True).content.decode()
    assert "1 处隐患的整改期限早于今天，登记后即为逾期" in page
    assert Hazard.objects.get().deadline < today  # accepted, not refused
    on_time = client.post(URL, form_data(premises, items, today), follow=True).content.decode()
    assert "整改期限早于今天" not in on_time
