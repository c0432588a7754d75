"""Township boundaries for the county map: uploaded by the guidance center as one GeoJSON file,
checked whole, written all or nothing."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.exceptions import AccessDenied, ApplicationError
from core.models import Role
from tests import factories as f
from townships import services
from townships.models import Township

pytestmark = pytest.mark.django_db


def square(west, south, size=0.1):
    ring = [
        [west, south],
        [west + size, south],
        [west + size, south + size],
        [west, south + size],
        [west, south],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def feature(name, geometry):
    return {"type": "Feature", "properties": {"name": name}, "geometry": geometry}


def collection(*features):
    return json.dumps({"type": "FeatureCollection", "features": list(features)}, ensure_ascii=False).encode()


@pytest.fixture
def county():
    beiguan = f.TownshipFactory(name="北关镇")
    f.TownshipFactory(name="褚庙乡", county=beiguan.county)
    f.TownshipFactory(name="林七乡", county=beiguan.county)
    f.TownshipFactory(name="北关镇", county=f.CountyFactory(name="睢县"))  # same name, another county
    return beiguan.county


def boundaries(county):
    return dict(Township.objects.filter(county=county).values_list("name", "boundary"))


def test_an_upload_draws_the_townships_it_names_and_reports_those_it_leaves_out(county):
    multi = {
        "type": "MultiPolygon",
        "coordinates": [square(115.2, 34.5)["coordinates"], square(115.4, 34.5)["coordinates"]],
    }
    result = services.township_boundaries_upload(
        county=county, content=collection(feature("北关镇", square(115.0, 34.5)), feature(" 褚庙乡 ", multi))
    )
    assert sorted(result.drawn) == ["北关镇", "褚庙乡"]
    assert result.left_out == ["林七乡"]
    stored = boundaries(county)
    assert stored["北关镇"] == square(115.0, 34.5)
    assert stored["褚庙乡"] == multi
    assert stored["林七乡"] is None
    # The other county's 北关镇 is untouched.
    assert Township.objects.exclude(county=county).get().boundary is None


def test_a_second_upload_keeps_what_it_leaves_out(county):
    services.township_boundaries_upload(
        county=county,
        content=collection(feature("北关镇", square(115.0, 34.5)), feature("林七乡", square(115.1, 34.5))),
    )
    services.township_boundaries_upload(
        county=county, content=collection(feature("北关镇", square(115.3, 34.5)))
    )
    stored = boundaries(county)
    assert stored["北关镇"] == square(115.3, 34.5)
    assert stored["林七乡"] == square(115.1, 34.5)


def test_every_problem_is_listed_by_feature_and_nothing_is_written(county):
    unclosed = square(115.0, 34.5)
    unclosed["coordinates"][0] = [*unclosed["coordinates"][0][:-1], [115.05, 34.55]]
    content = collection(
        feature("北关镇", square(115.0, 34.5)),  # fine, but not written: the file is refused whole
        {"type": "Feature", "properties": {}, "geometry": square(115.1, 34.5)},
        feature("东风镇", square(115.2, 34.5)),
        feature("北关镇", square(115.3, 34.5)),
        feature("褚庙乡", {"type": "Point", "coordinates": [115.0, 34.5]}),
        feature("林七乡", unclosed),
    )
    with pytest.raises(ApplicationError) as refused:
        services.township_boundaries_upload(county=county, content=content)
    problems = refused.value.extra["problems"]
    assert len(problems) == 5
    assert problems[0].startswith("第 2 个要素")
    assert "缺少乡镇名称" in problems[0]
    assert "第 3 个要素（东风镇）" in problems[1]
    assert "本县没有" in problems[1]
    assert "第 4 个要素（北关镇）" in problems[2]
    assert "与第 1 个要素重复" in problems[2]
    assert "第 5 个要素（褚庙乡）" in problems[3]
    assert "Polygon" in problems[3]
    assert "第 6 个要素（林七乡）" in problems[4]
    assert "闭合" in problems[4]
    assert "5 处问题" in refused.value.message
    assert set(boundaries(county).values()) == {None}


@pytest.mark.parametrize(
    ("geometry", "reason"),
    [
        ({"type": "Polygon", "coordinates": [[[115, 34], [115.1, 34], [115, 34]]]}, "至少需要 4 个"),
        ({"type": "Polygon", "coordinates": [[[115, 95], [115.1, 34], [115.1, 34.1], [115, 95]]]}, "纬度"),
        ({"type": "Polygon", "coordinates": [[[190, 34], [115.1, 34], [115.1, 34.1], [190, 34]]]}, "经度"),
        (
            {"type": "Polygon", "coordinates": [[["115", 34], [115.1, 34], [115.1, 34.1], ["115", 34]]]},
            "[经度, 纬度]",
        ),
        ({"type": "Polygon", "coordinates": []}, "没有坐标"),
        (None, "缺少边界"),
    ],
)
def test_a_geometry_that_is_not_an_area_is_refused_with_its_reason(county, geometry, reason):
    with pytest.raises(ApplicationError) as refused:
        services.township_boundaries_upload(county=county, content=collection(feature("北关镇", geometry)))
    assert reason in refused.value.extra["problems"][0]
    assert boundaries(county)["北关镇"] is None


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"\xff\xfe not utf-8", "UTF-8"),
        (b"{not json", "GeoJSON"),
        (b"[" * 100_000, "GeoJSON"),
        (json.dumps({"type": "Feature"}).encode(), "FeatureCollection"),
        (json.dumps({"type": "FeatureCollection", "features": []}).encode(), "没有任何要素"),
        (b" " * (services.BOUNDARY_FILE_MAX_BYTES + 1), "MB"),
    ],
)
def test_a_file_that_is_not_a_feature_collection_is_refused(county, content, reason):
    with pytest.raises(ApplicationError) as refused:
        services.township_boundaries_upload(county=county, content=content)
    text = refused.value.message + " ".join(refused.value.extra.get("problems", []))
    assert reason in text


@pytest.mark.parametrize("role", [Role.TOWNSHIP_LEAD, Role.COUNTY_OFFICIAL, Role.POLICE_STATION])
def test_only_the_guidance_center_uploads_boundaries(county, role):
    township = Township.objects.get(county=county, name="北关镇")
    links = {
        Role.TOWNSHIP_LEAD: {"township": township},
        Role.COUNTY_OFFICIAL: {"county": county},
        Role.POLICE_STATION: {"police_station": f.PoliceStationFactory(county=county)},
    }
    user = f.make_user(role, **links[role])
    with pytest.raises(AccessDenied):
        services.township_boundaries_upload(
            county=county, content=collection(feature("北关镇", square(115.0, 34.5))), by=user
        )
    assert boundaries(county)["北关镇"] is None


@pytest.fixture
def center_client(client):
    user = f.UserFactory(username="center-admin", is_superuser=True, is_staff=True)
    client.force_login(user)
    return client


def test_the_center_uploads_in_the_admin_and_the_history_says_who(county, center_client):
    url = reverse("admin:townships_county_boundaries", args=[county.pk])
    upload = SimpleUploadedFile("县界.geojson", collection(feature("北关镇", square(115.0, 34.5))))
    response = center_client.post(url, {"file": upload}, follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert "已更新 1 个乡镇的边界" in text
    assert "褚庙乡" in text
    assert "林七乡" in text
    township = Township.objects.get(county=county, name="北关镇")
    assert township.boundary == square(115.0, 34.5)
    assert township.history.first().history_user.username == "center-admin"
    # The county's page counts what is drawn.
    page = center_client.get(reverse("admin:townships_county_change", args=[county.pk])).content.decode()
    assert "已上传 1 / 3 个乡镇" in page


def test_a_refused_file_in_the_admin_lists_its_problems_and_writes_nothing(county, center_client):
    url = reverse("admin:townships_county_boundaries", args=[county.pk])
    upload = SimpleUploadedFile(
        "县界.geojson",
        collection(feature("北关镇", square(115.0, 34.5)), feature("东风镇", square(115.1, 34.5))),
    )
    response = center_client.post(url, {"file": upload})
    assert response.status_code == 200
    text = response.content.decode()
    assert "未作任何修改" in text
    assert "第 2 个要素（东风镇）：本县没有这个乡镇（街道办）。" in text
    assert set(boundaries(county).values()) == {None}


def test_a_township_lead_cannot_reach_the_admin_upload(county, client):
    township = Township.objects.get(county=county, name="北关镇")
    client.force_login(f.make_user(Role.TOWNSHIP_LEAD, township=township))
    url = reverse("admin:townships_county_boundaries", args=[county.pk])
    upload = SimpleUploadedFile("县界.geojson", collection(feature("北关镇", square(115.0, 34.5))))
    response = client.post(url, {"file": upload})
    assert response.status_code in (302, 403)
    assert boundaries(county)["北关镇"] is None
