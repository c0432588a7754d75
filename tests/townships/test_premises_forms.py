"""The premises forms: a township lead registers and edits the premises of their own township from
the web, through premises_create / premises_update (the admin's, the API's and the import's rules);
another township's premises, grid or police station is refused and nothing is written."""

import pytest
from django.urls import reverse

from core.models import Role
from tests.factories import (
    CountyFactory,
    GridFactory,
    PoliceStationFactory,
    PremisesFactory,
    TownshipFactory,
    make_user,
)
from townships.models import Premises

pytestmark = pytest.mark.django_db

CREATE = reverse("townships:premises-create")


@pytest.fixture
def place():
    county = CountyFactory()
    own = TownshipFactory(county=county, name="城关镇")
    other = TownshipFactory(county=county, name="北关镇")
    station = PoliceStationFactory(county=county, name="城关派出所")
    station.townships.set([own])
    far_station = PoliceStationFactory(county=county, name="北关派出所")
    far_station.townships.set([other])
    lead = make_user(Role.TOWNSHIP_LEAD, township=own)
    return {
        "own": own,
        "other": other,
        "grid": GridFactory(township=own, name="东街网格"),
        "other_grid": GridFactory(township=other, name="北街网格"),
        "station": station,
        "far_station": far_station,
        "lead": lead,
    }


def _post_data(**overrides):
    data = {
        "name": "红星超市",
        "address": "城关镇人民路1号",
        "category": Premises.Category.SHOP,
        "risk_level": Premises.RiskLevel.HIGH,
        "responsible_person": "刘红星",
        "responsible_phone": "13700000001",
        "manager": "",
        "manager_phone": "",
    }
    data.update(overrides)
    return data


def test_lead_registers_a_premises_of_their_township(client, place):
    client.force_login(place["lead"])
    page = client.get(CREATE)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-testid="premises-form"' in body
    assert "东街网格" in body
    assert "北街网格" not in body
    assert "城关派出所" in body
    assert "北关派出所" not in body
    response = client.post(
        CREATE, _post_data(grid=place["grid"].pk, police_station=place["station"].pk, is_key_unit="on")
    )
    assert response.status_code == 302
    premises = Premises.objects.get(name="红星超市")
    assert premises.township == place["own"]
    assert premises.grid == place["grid"]
    assert premises.police_station == place["station"]
    assert premises.is_key_unit
    assert premises.next_inspection_due is None
    assert premises.history.get().history_user == place["lead"]


def test_lead_cannot_use_another_townships_grid_or_station(client, place):
    client.force_login(place["lead"])
    for extra in ({"grid": place["other_grid"].pk}, {"police_station": place["far_station"].pk}):
        response = client.post(CREATE, _post_data(**extra))
        assert response.status_code == 400
    assert not Premises.objects.exists()


def test_a_station_not_covering_the_township_is_refused_by_the_service(client, place):
    """The center chooses the township; the service applies the police station's area."""
    center = make_user(Role.GUIDANCE_CENTER)
    client.force_login(center)
    response = client.post(CREATE, _post_data(township=place["other"].pk, police_station=place["station"].pk))
    assert response.status_code == 400
    assert "辖区不包括北关镇" in response.content.decode()
    assert not Premises.objects.exists()
    response = client.post(
        CREATE, _post_data(township=place["other"].pk, police_station=place["far_station"].pk)
    )
    assert response.status_code == 302
    assert Premises.objects.get().township == place["other"]


def test_missing_fields_are_shown_and_nothing_written(client, place):
    client.force_login(place["lead"])
    response = client.post(CREATE, _post_data(name="", category=""))
    assert response.status_code == 400
    assert "必填项" in response.content.decode()
    assert not Premises.objects.exists()


def test_lead_edits_a_premises_of_their_township(client, place):
    premises = PremisesFactory(township=place["own"], grid=place["grid"], name="老字号饭店")
    client.force_login(place["lead"])
    url = reverse("townships:premises-update", args=[premises.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "老字号饭店" in page.content.decode()
    data = _post_data(
        name="老字号饭店（新址）",
        category=premises.category,
        risk_level=premises.risk_level,
        grid=place["grid"].pk,
        police_station=place["station"].pk,
    )
    response = client.post(url, data)
    assert response.status_code == 302
    premises.refresh_from_db()
    assert premises.name == "老字号饭店（新址）"
    assert premises.police_station == place["station"]
    assert premises.history.first().history_user == place["lead"]


def test_another_townships_premises_is_refused_and_unchanged(client, place):
    premises = PremisesFactory(township=place["other"], grid=place["other_grid"], name="北关粮站")
    client.force_login(place["lead"])
    url = reverse("townships:premises-update", args=[premises.pk])
    assert client.get(url).status_code == 404
    response = client.post(url, _post_data(name="改名", category=premises.category, risk_level="low"))
    assert response.status_code == 404
    premises.refresh_from_db()
    assert premises.name == "北关粮站"
    assert premises.risk_level == Premises.RiskLevel.MEDIUM


def test_police_sees_but_may_not_edit(client, place):
    premises = PremisesFactory(township=place["own"], grid=place["grid"], name="城关网吧")
    police = make_user(Role.POLICE_STATION, police_station=place["station"])
    client.force_login(police)
    url = reverse("townships:premises-update", args=[premises.pk])
    response = client.post(url, _post_data(name="改名", category=premises.category, risk_level="low"))
    assert response.status_code == 403
    assert client.get(CREATE).status_code == 403
    premises.refresh_from_db()
    assert premises.name == "城关网吧"
    listing = client.get(reverse("townships:premises-list")).content.decode()
    assert 'data-testid="premises-edit"' not in listing


def test_lead_pages_link_to_the_forms(client, place):
    premises = PremisesFactory(township=place["own"], grid=place["grid"])
    client.force_login(place["lead"])
    listing = client.get(reverse("townships:premises-list")).content.decode()
    assert CREATE in listing
    assert reverse("townships:premises-update", args=[premises.pk]) in listing
    home = client.get(reverse("homes:township", args=[place["own"].pk])).content.decode()
    assert 'data-testid="link-premises-create"' in home
    # 火灾上报 is in the lead's menu.
    assert 'href="/brigades/incidents/report/"' in home
