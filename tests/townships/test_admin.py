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
from townships.models import CountyDepartment, Grid, Premises, ResponsibilityAgreement, SensitivePeriod
from townships.services import premises_code_issue

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
    SensitivePeriod.objects.create(
        county=township.county, name="春节", starts_on=dt.date(2022, 1, 25), ends_on=dt.date(2022, 2, 15)
    )
    CountyDepartment.objects.create(county=township.county, name="财政局")
    premises_code_issue(premises=premises, by=None)


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


def _inline(prefix, rows, initial=0):
    """An inline formset's POST data: `rows` are dicts of the inline's fields (with `id` for existing)."""
    data = {f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": initial}
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{name}": value for name, value in row.items()})
    return data


def test_grid_admin_adds_changes_and_removes_members_through_the_services(superuser_client):
    grid = GridFactory(name="第一网格")
    leaving = GridMemberFactory(grid=grid, name="赵网格员", phone="13611110000")
    mistaken = GridMemberFactory(grid=grid, name="错录网格员", phone="13611110001")
    url = reverse("admin:townships_grid_change", args=[grid.pk])
    members = [
        {"id": leaving.pk, "grid": grid.pk, "name": "赵网格员", "role": "member", "phone": "13611110000"},
        {
            "id": mistaken.pk,
            "grid": grid.pk,
            "name": "错录网格员",
            "role": "member",
            "phone": "13611110001",
            "active": "on",
            "DELETE": "on",
        },
        {"grid": grid.pk, "name": "孙网格长", "role": "chief", "phone": "13611110002", "active": "on"},
    ]
    data = {"name": "第一网格", "area_description": "北街", **_inline("members", members, initial=2)}

    response = superuser_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    leaving.refresh_from_db()
    assert leaving.active is False
    assert not grid.members.filter(pk=mistaken.pk).exists()
    added = grid.members.get(name="孙网格长")
    for row in (leaving, added, grid):
        assert row.history.order_by("-history_id").first().history_user == superuser_client.user
    assert mistaken.history.order_by("-history_id").first().history_type == "-"


def test_a_grid_with_premises_cannot_be_deleted_in_the_admin(superuser_client):
    premises = PremisesFactory()
    url = reverse("admin:townships_grid_delete", args=[premises.grid_id])

    response = superuser_client.post(url, {"post": "yes"})

    assert response.status_code == 403
    assert "仍有社会单位" in response.content.decode()
    premises.refresh_from_db()
    assert premises.grid is not None


def test_township_admin_registers_a_township_with_its_grids(superuser_client):
    county = TownshipFactory().county
    data = {
        "county": county.pk,
        "name": "程庄镇",
        "kind": "town",
        **_inline("grids", [{"name": "程庄一网格", "area_description": "东街"}]),
    }

    response = superuser_client.post(reverse("admin:townships_township_add"), data)

    assert response.status_code == 302
    grid = Grid.objects.get(name="程庄一网格")
    assert grid.township.name == "程庄镇"
    assert grid.history.get().history_user == superuser_client.user
    assert grid.township.history.get().history_user == superuser_client.user


def test_police_station_admin_sets_the_area_through_the_service(superuser_client):
    township = TownshipFactory()
    station = PoliceStationFactory(county=township.county, name="城关派出所")
    data = {"name": "城关派出所", "chief": "王所长", "phone": "", "townships": [township.pk]}

    response = superuser_client.post(reverse("admin:townships_policestation_change", args=[station.pk]), data)

    assert response.status_code == 302
    assert list(station.townships.all()) == [township]
    assert station.history.order_by("-history_id").first().history_user == superuser_client.user
