import datetime as dt

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import (
    GridFactory,
    GridMemberFactory,
    PoliceStationFactory,
    PremisesFactory,
    ResponsibilityAgreementFactory,
    TownshipFactory,
    UserFactory,
)
from townships.models import Premises, ResponsibilityAgreement

pytestmark = pytest.mark.django_db

APP = "townships"


@pytest.fixture
def superuser_client(client):
    user = UserFactory(username="center-admin", is_superuser=True, is_staff=True)
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def one_of_each():
    township = TownshipFactory()
    station = PoliceStationFactory(county=township.county)
    station.townships.add(township)
    premises = PremisesFactory(township=township, police_station=station)
    GridMemberFactory(grid=premises.grid)
    ResponsibilityAgreementFactory(township=township, premises=premises)
    ResponsibilityAgreementFactory(township=township)


def _models():
    return sorted(
        (m for m in admin.site._registry if m._meta.app_label == APP), key=lambda m: m._meta.model_name
    )


def test_every_model_of_the_app_is_registered_with_history():
    from django.apps import apps

    registered = set(_models())
    expected = {m for m in apps.get_app_config(APP).get_models() if not m.__name__.startswith("Historical")}
    assert registered == expected
    for model in registered:
        assert hasattr(admin.site._registry[model], "history_view")


@pytest.mark.parametrize("model", _models(), ids=lambda m: m.__name__)
def test_admin_pages_render_for_a_superuser(superuser_client, one_of_each, model):
    opts = model._meta
    obj = model.objects.first()
    urls = [
        reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
        reverse(f"admin:{opts.app_label}_{opts.model_name}_add"),
        reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]),
        reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk]),
    ]
    for url in urls:
        response = superuser_client.get(url)
        assert response.status_code == 200, url


def test_search_works_on_the_searchable_changelists(superuser_client, one_of_each):
    for name in ["county", "township", "policestation", "grid", "premises"]:
        response = superuser_client.get(reverse(f"admin:{APP}_{name}_changelist"), {"q": "测试"})
        assert response.status_code == 200


def _premises_post(township, **overrides):
    data = {
        "township": township.pk,
        "name": "北关镇农贸市场",
        "address": "北关大街",
        "category": Premises.Category.MARKET,
        "risk_level": Premises.RiskLevel.HIGH,
        "responsible_person": "孙经理",
        "responsible_phone": "13700000000",
        "manager": "",
        "manager_phone": "",
    }
    data.update(overrides)
    return data


def test_premises_added_in_admin_goes_through_the_service(superuser_client):
    township = TownshipFactory()
    grid = GridFactory(township=township)

    response = superuser_client.post(
        reverse("admin:townships_premises_add"), _premises_post(township, grid=grid.pk)
    )

    assert response.status_code == 302
    premises = Premises.objects.get(name="北关镇农贸市场")
    assert premises.grid == grid
    assert premises.history.first().history_user == superuser_client.user


def test_premises_admin_refuses_a_grid_of_another_township_and_writes_nothing(superuser_client):
    township = TownshipFactory()

    response = superuser_client.post(
        reverse("admin:townships_premises_add"), _premises_post(township, grid=GridFactory().pk)
    )

    assert response.status_code == 200
    assert "不属于" in response.content.decode()
    assert not Premises.objects.filter(name="北关镇农贸市场").exists()


def test_premises_admin_change_of_risk_level_reschedules_the_inspection(superuser_client):
    premises = PremisesFactory(
        risk_level=Premises.RiskLevel.LOW,
        last_inspected_on=dt.date(2021, 11, 1),
        next_inspection_due=dt.date(2022, 4, 30),
    )
    data = _premises_post(
        premises.township,
        name=premises.name,
        address=premises.address,
        grid=premises.grid.pk,
        risk_level=Premises.RiskLevel.HIGH,
    )
    data.pop("township")  # read-only on change

    response = superuser_client.post(reverse("admin:townships_premises_change", args=[premises.pk]), data)

    assert response.status_code == 302
    premises.refresh_from_db()
    assert premises.next_inspection_due == dt.date(2021, 12, 1)


def test_agreement_admin_refuses_a_second_agreement_for_the_year(superuser_client):
    existing = ResponsibilityAgreementFactory()
    data = {
        "township": existing.township.pk,
        "year": existing.year,
        "signatory": "张书记",
        "counterparty": "县人民政府",
        "scope": "责任",
        "signed_on": "2021-06-01",
    }

    response = superuser_client.post(reverse("admin:townships_responsibilityagreement_add"), data)

    assert response.status_code == 200
    assert "已经签订" in response.content.decode()
    assert ResponsibilityAgreement.objects.count() == 1


def test_police_station_admin_refuses_dropping_a_township_with_its_premises(superuser_client):
    township = TownshipFactory()
    station = PoliceStationFactory(county=township.county, name="城关派出所")
    station.townships.add(township)
    PremisesFactory(township=township, police_station=station)
    data = {"county": station.county.pk, "name": station.name, "chief": "", "phone": "", "townships": []}

    response = superuser_client.post(reverse("admin:townships_policestation_change", args=[station.pk]), data)

    assert response.status_code == 200
    assert "仍有社会单位" in response.content.decode()
    assert list(station.townships.all()) == [township]
