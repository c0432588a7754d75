"""ETag on the API's answers: a GET whose If-None-Match names the current state is a 304; a PUT or
PATCH with a stale If-Match is a 412 and changes nothing, so a stale edit never reverts another's."""

import pytest
from rest_framework.test import APIClient

from core.models import Role
from tests import factories as f
from townships.models import Premises

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def premises():
    return f.PremisesFactory(township=f.TownshipFactory(name="北关镇"), name="北关集贸市场", manager="王小明")


def api(premises, username):
    client = APIClient()
    client.force_login(f.make_user(Role.TOWNSHIP_LEAD, username=username, township=premises.township))
    return client


def test_a_stale_edit_is_refused_and_the_others_change_stays(premises):
    url = f"{API}/premises/{premises.pk}/"
    zhao, qian = api(premises, "zhao"), api(premises, "qian")
    read_by_zhao = zhao.get(url)
    tag = read_by_zhao["ETag"]
    assert tag.startswith('"')
    # 钱 changes the manager; 赵, who read it before, then sends his change of the phone.
    changed = qian.patch(url, {"manager": "钱新"}, format="json", HTTP_IF_MATCH=qian.get(url)["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != tag
    stale = zhao.patch(url, {"manager_phone": "13900000001"}, format="json", HTTP_IF_MATCH=tag)
    assert stale.status_code == 412
    assert stale.json()["code"] == "stale"
    premises.refresh_from_db()
    assert (premises.manager, premises.manager_phone) == ("钱新", "")
    # Read again, the same change goes through.
    fresh = zhao.get(url)["ETag"]
    assert (
        zhao.patch(url, {"manager_phone": "13900000001"}, format="json", HTTP_IF_MATCH=fresh).status_code
        == 200
    )
    assert Premises.objects.get().manager == "钱新"


def test_without_if_match_or_with_a_star_the_edit_goes_through(premises):
    url = f"{API}/premises/{premises.pk}/"
    client = api(premises, "zhao")
    assert client.patch(url, {"manager": "甲"}, format="json").status_code == 200
    assert client.patch(url, {"manager": "乙"}, format="json", HTTP_IF_MATCH="*").status_code == 200
    assert Premises.objects.get().manager == "乙"


def test_if_none_match_gives_a_304_until_the_record_changes(premises):
    url = f"{API}/premises/{premises.pk}/"
    client = api(premises, "zhao")
    tag = client.get(url)["ETag"]
    unchanged = client.get(url, HTTP_IF_NONE_MATCH=tag)
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert client.get(url, HTTP_IF_NONE_MATCH=f"W/{tag}").status_code == 304
    client.patch(url, {"manager": "丙"}, format="json")
    assert client.get(url, HTTP_IF_NONE_MATCH=tag).status_code == 200


def test_a_list_carries_an_etag_that_moves_with_its_rows(premises):
    client = api(premises, "zhao")
    url = f"{API}/premises/"
    tag = client.get(url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=tag).status_code == 304
    f.PremisesFactory(township=premises.township, name="北关敬老院")
    assert client.get(url, HTTP_IF_NONE_MATCH=tag).status_code == 200


def test_the_schema_documents_the_precondition_headers(premises):
    schema = api(premises, "zhao").get(f"{API}/schema/").content.decode()
    assert "If-Match" in schema
    assert "If-None-Match" in schema


@pytest.mark.parametrize(("language", "words"), [("zh-hans", "未找到该记录"), ("en", "Not found")])
def test_a_record_out_of_reach_is_a_404_in_the_readers_language(premises, language, words):
    other = f.PremisesFactory(township=f.TownshipFactory(name="褚庙乡"))
    client = api(premises, "zhao")
    response = client.get(f"{API}/premises/{other.pk}/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    assert words in response.json()["detail"]
    assert "Premises" not in response.json()["detail"]
