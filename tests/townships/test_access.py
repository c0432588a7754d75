"""The townships access policy (townships.access), refused the same way through every door.

Each rule: the service refuses `by` (AccessDenied, in the policy's words) and writes nothing; the API
answers 403 with the same reason (a role that may never write there is turned away by the route gate
first); the admin, the guidance center's door, writes through the services, so a staff user the
policy refuses meets the same reason there (a 403 page that says why); the premises import reports
it on the row. The allowed path is shown next to each refusal.
"""

import datetime as dt
import html
import io
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from rest_framework.test import APIClient

from core.exceptions import AccessDenied
from core.imports.runner import run_import
from core.models import Role
from tests.factories import (
    CountyFactory,
    GridFactory,
    PoliceStationFactory,
    PremisesFactory,
    ResponsibilityAgreementFactory,
    TownshipFactory,
    UserFactory,
    make_user,
)
from tests.imports.conftest import premises_row, xlsx
from tests.townships.test_api import snapshot as api_snapshot
from townships import access, services
from townships.api import GridViewSet, PoliceStationViewSet, PremisesViewSet, TownshipViewSet
from townships.models import GridMember, Premises, ResponsibilityAgreement

pytestmark = pytest.mark.django_db

API = "/api/v1"

FOREIGN = "不能操作其他乡镇的数据。"
TOWNSHIPS_CENTER_ONLY = "只有县消防指导中心可以登记和修改乡镇（街道办）。"
STATIONS_CENTER_ONLY = "只有县消防指导中心可以登记派出所和调整派出所辖区。"
GRID_WRITERS_ONLY = "只有乡镇消防专干和县消防指导中心可以维护网格和网格员。"
PREMISES_WRITERS_ONLY = "只有乡镇消防专干和县消防指导中心可以登记和修改社会单位。"
AGREEMENTS_CENTER_ONLY = "只有县消防指导中心可以登记和修改消防安全责任书。"
CENTER_FIELDS = "以下字段只有县消防指导中心可以修改："


def snapshot():
    """Every row and history row count of the app (test_api's, and the agreements), each station's area."""
    agreements = list(ResponsibilityAgreement.objects.order_by("id").values())
    return api_snapshot(), agreements, ResponsibilityAgreement.history.count()


@pytest.fixture
def w():
    """北关镇 (城关派出所) and 褚庙乡 (褚庙派出所), a grid and a premises in each, a 2021 agreement of
    北关镇; the guidance center, 北关镇's lead, a police station and a county official; and 北关镇's
    lead made staff with every townships permission, to show the admin refuses what the policy does."""
    county = CountyFactory(name="民权县")
    beiguan = TownshipFactory(county=county, name="北关镇")
    chumiao = TownshipFactory(county=county, name="褚庙乡")
    chengguan = PoliceStationFactory(county=county, name="城关派出所")
    chengguan.townships.add(beiguan)
    chumiao_station = PoliceStationFactory(county=county, name="褚庙派出所")
    chumiao_station.townships.add(chumiao)
    grid_bg = GridFactory(township=beiguan, name="北关一网格")
    grid_cm = GridFactory(township=chumiao, name="褚庙一网格")
    staff_lead = make_user(Role.TOWNSHIP_LEAD, username="staff-lead", township=beiguan)
    staff_lead.is_staff = True
    staff_lead.save()
    staff_lead.user_permissions.set(Permission.objects.filter(content_type__app_label="townships"))
    return SimpleNamespace(
        county=county,
        beiguan=beiguan,
        chumiao=chumiao,
        chengguan=chengguan,
        chumiao_station=chumiao_station,
        grid_bg=grid_bg,
        grid_cm=grid_cm,
        p_bg=PremisesFactory(township=beiguan, grid=grid_bg, police_station=chengguan, name="北关超市"),
        p_cm=PremisesFactory(township=chumiao, grid=grid_cm, police_station=chumiao_station, name="褚庙仓库"),
        agreement=ResponsibilityAgreementFactory(township=beiguan),
        center=make_user(Role.GUIDANCE_CENTER, username="center"),
        lead=make_user(Role.TOWNSHIP_LEAD, username="beiguan-lead", township=beiguan),
        police=make_user(Role.POLICE_STATION, username="police", police_station=chengguan),
        official=make_user(Role.COUNTY_OFFICIAL, username="office", county=county),
        staff_lead=staff_lead,
    )


def api(user):
    client = APIClient()
    client.force_login(user)
    return client


def refused(call, message):
    """`call()` is refused by the policy with `message`."""
    with pytest.raises(AccessDenied) as excinfo:
        call()
    assert str(excinfo.value.message) == message


def assert_api_refuses(response, message):
    assert response.status_code == 403, response.content
    assert response.json()["detail"] == message


def assert_page_refuses(response, message):
    assert response.status_code == 403
    assert message in response.content.decode()


def page_refusal(response) -> str:
    """The reason a 403 page gives."""
    assert response.status_code == 403, response.content
    page = response.content.decode()
    return html.unescape(page.split('data-testid="refusal"><strong>', 1)[1].split("</strong>", 1)[0])


def assert_form_refuses(response, message):
    """The admin form shows the refusal (the premises form runs the policy in clean())."""
    assert response.status_code == 200
    assert message in response.context["adminform"].form.non_field_errors()


def premises_payload(township, **extra):
    return {
        "township": township.pk,
        "name": "新开饭店",
        "address": "北关大街 8 号",
        "category": "hotel",
        "risk_level": "medium",
        "responsible_person": "周老板",
        "responsible_phone": "13712345678",
        **extra,
    }


def admin_premises_post(premises, **changes):
    """The premises admin's change form as submitted, with `changes`."""
    data = {
        "grid": premises.grid_id or "",
        "police_station": premises.police_station_id or "",
        "name": premises.name,
        "address": premises.address,
        "category": premises.category,
        "risk_level": premises.risk_level,
        "responsible_person": premises.responsible_person,
        "responsible_phone": premises.responsible_phone,
        "manager": premises.manager,
        "manager_phone": premises.manager_phone,
        "responsible_user": "",
    }
    data.update(changes)
    return data


# --- the API's route gate asks the policy ---------------------------------------------------------


def test_the_api_gates_each_write_route_with_the_policys_check():
    plain = {"create", "update", "partial_update"}
    assert TownshipViewSet.route_checks == dict.fromkeys(plain, access.check_township_change)
    assert PoliceStationViewSet.route_checks == dict.fromkeys(plain, access.check_police_station_change)
    assert GridViewSet.route_checks == dict.fromkeys({*plain, "add_member"}, access.check_grid_change)
    assert PremisesViewSet.route_checks == {
        "create": access.check_premises_create,
        "update": access.check_premises_update,
        "partial_update": access.check_premises_update,
    }


def test_a_role_that_may_never_change_townships_hears_one_rule_from_the_api_the_admin_and_the_service(
    w, client
):
    """A township lead may never change a township's details: the API's route gate (before it reads
    the input, here none), the admin page (the app has no page of its own that writes) and the service
    each ask townships.access and answer in the same words, and nothing is written."""
    before = snapshot()
    from_api = api(w.staff_lead).patch(f"{API}/townships/{w.beiguan.pk}/", {}, format="json")
    assert from_api.status_code == 403, from_api.content
    client.force_login(w.staff_lead)
    from_admin = client.post(
        reverse("admin:townships_township_change", args=[w.beiguan.pk]),
        {
            "name": "北关镇",
            "kind": "township",
            "fire_deputy": "冒名",
            "grids-TOTAL_FORMS": 0,
            "grids-INITIAL_FORMS": 0,
        },
    )
    assert from_admin.status_code == 403
    with pytest.raises(AccessDenied) as from_service:
        services.township_update(township=w.beiguan, data={"fire_deputy": "冒名"}, by=w.staff_lead)
    assert from_api.json()["detail"] == page_refusal(from_admin) == str(from_service.value.message)
    assert from_api.json()["detail"] == TOWNSHIPS_CENTER_ONLY
    assert snapshot() == before


# --- townships: the guidance center only ------------------------------------------------------


def test_only_the_guidance_center_registers_and_changes_townships(w, client):
    before = snapshot()
    for user in (w.lead, w.police, w.official):
        refused(
            lambda u=user: services.township_create(county=w.county, name="程庄镇", kind="town", by=u),
            TOWNSHIPS_CENTER_ONLY,
        )
        refused(
            lambda u=user: services.township_update(township=w.beiguan, data={"fire_deputy": "x"}, by=u),
            TOWNSHIPS_CENTER_ONLY,
        )
        patched = api(user).patch(f"{API}/townships/{w.beiguan.pk}/", {"fire_deputy": "x"}, format="json")
        assert_api_refuses(patched, TOWNSHIPS_CENTER_ONLY)  # by the route gate, before the input is read
    client.force_login(w.staff_lead)
    url = reverse("admin:townships_township_change", args=[w.beiguan.pk])
    form = {
        "name": "北关镇",
        "kind": "township",
        "fire_deputy": "冒名",
        "grids-TOTAL_FORMS": 0,
        "grids-INITIAL_FORMS": 0,
    }
    assert_page_refuses(client.post(url, form), TOWNSHIPS_CENTER_ONLY)
    assert snapshot() == before

    changed = api(w.center).patch(
        f"{API}/townships/{w.beiguan.pk}/", {"fire_deputy": "新副镇长"}, format="json"
    )
    assert changed.status_code == 200
    assert w.beiguan.history.first().history_user == w.center


# --- police stations: the guidance center only ------------------------------------------------


def test_only_the_guidance_center_registers_stations_and_sets_their_area(w, client):
    before = snapshot()
    for user in (w.lead, w.police):
        refused(
            lambda u=user: services.police_station_create(county=w.county, name="花园派出所", by=u),
            STATIONS_CENTER_ONLY,
        )
        refused(
            lambda u=user: services.police_station_update(
                police_station=w.chengguan, data={"townships": [w.beiguan, w.chumiao]}, by=u
            ),
            STATIONS_CENTER_ONLY,
        )
        area = {"townships": [w.beiguan.pk, w.chumiao.pk]}
        assert (
            api(user).patch(f"{API}/police-stations/{w.chengguan.pk}/", area, format="json").status_code
            == 403
        )
    client.force_login(w.staff_lead)
    url = reverse("admin:townships_policestation_change", args=[w.chengguan.pk])
    form = {"name": "城关派出所", "chief": "", "phone": "", "townships": [w.beiguan.pk, w.chumiao.pk]}
    assert_page_refuses(client.post(url, form), STATIONS_CENTER_ONLY)
    assert snapshot() == before

    area = {"townships": [w.beiguan.pk, w.chumiao.pk]}
    assert (
        api(w.center).patch(f"{API}/police-stations/{w.chengguan.pk}/", area, format="json").status_code
        == 200
    )
    assert set(w.chengguan.townships.all()) == {w.beiguan, w.chumiao}


# --- grids: a township's lead in its own township, the center anywhere ----------------------------


def test_a_lead_keeps_the_grids_of_its_own_township_only(w, client):
    before = snapshot()
    refused(lambda: services.grid_create(township=w.chumiao, name="越界网格", by=w.lead), FOREIGN)
    refused(lambda: services.grid_update(grid=w.grid_cm, data={"name": "改名"}, by=w.lead), FOREIGN)
    refused(
        lambda: services.grid_member_add(grid=w.grid_cm, name="冒名", phone="13611112222", by=w.lead), FOREIGN
    )
    refused(lambda: services.grid_delete(grid=w.grid_cm, by=w.lead), FOREIGN)
    refused(
        lambda: services.grid_create(township=w.beiguan, name="派出所的网格", by=w.police), GRID_WRITERS_ONLY
    )
    assert_api_refuses(
        api(w.lead).post(f"{API}/grids/", {"township": w.chumiao.pk, "name": "越界网格"}, format="json"),
        FOREIGN,
    )
    assert (
        api(w.police)
        .post(f"{API}/grids/", {"township": w.beiguan.pk, "name": "x"}, format="json")
        .status_code
        == 403
    )
    client.force_login(w.staff_lead)
    added = client.post(
        reverse("admin:townships_grid_add"),
        {"township": w.chumiao.pk, "name": "越界网格", "members-TOTAL_FORMS": 0, "members-INITIAL_FORMS": 0},
    )
    assert_page_refuses(added, FOREIGN)
    assert snapshot() == before

    created = api(w.lead).post(
        f"{API}/grids/", {"township": w.beiguan.pk, "name": "北关二网格"}, format="json"
    )
    assert created.status_code == 201
    member = api(w.lead).post(
        f"{API}/grids/{created.json()['id']}/add-member/",
        {"name": "李网格员", "phone": "13611112222"},
        format="json",
    )
    assert member.status_code == 201
    assert GridMember.objects.get(pk=member.json()["id"]).history.get().history_user == w.lead


def test_a_member_cannot_be_moved_into_another_townships_grid(w):
    member = services.grid_member_add(grid=w.grid_bg, name="钱网格员", phone="13611112222", by=w.lead)
    before = snapshot()
    refused(lambda: services.grid_member_update(member=member, data={"grid": w.grid_cm}, by=w.lead), FOREIGN)
    assert snapshot() == before
    services.grid_member_update(member=member, data={"active": False}, by=w.lead)
    assert GridMember.objects.get(pk=member.pk).active is False


# --- premises: a township's lead in its own township, the center anywhere ------------------------


def test_a_lead_cannot_register_a_premises_in_another_township(w, client):
    before = snapshot()
    refused(
        lambda: services.premises_create(
            township=w.chumiao,
            name="越界饭店",
            category="hotel",
            risk_level="medium",
            responsible_person="周老板",
            responsible_phone="13712345678",
            by=w.lead,
        ),
        FOREIGN,
    )
    assert_api_refuses(
        api(w.lead).post(f"{API}/premises/", premises_payload(w.chumiao), format="json"), FOREIGN
    )
    client.force_login(w.staff_lead)
    added = client.post(
        reverse("admin:townships_premises_add"),
        {
            "township": w.chumiao.pk,
            **admin_premises_post(w.p_cm, name="越界饭店", grid="", police_station=""),
        },
    )
    assert_form_refuses(added, FOREIGN)
    assert snapshot() == before


def test_the_premises_import_refuses_another_townships_rows_and_writes_nothing(w):
    def run(user):
        rows = [premises_row(乡镇="褚庙乡", 网格=None, 辖区派出所=None)]
        return run_import(
            kind="premises", fileobj=io.BytesIO(xlsx("premises", rows)), user=user, dry_run=False
        )

    before = snapshot()
    # The import has no scope check of its own: the service refuses the row in the policy's words,
    # on the township's column.
    assert [(e.row, e.column, e.message) for e in run(w.lead).errors] == [(2, "乡镇", FOREIGN)]
    assert snapshot() == before

    assert run(w.center).ok
    assert Premises.objects.get(name="福民超市").history.get().history_user == w.center


def test_a_lead_cannot_file_its_premises_under_another_townships_grid(w, client):
    before = snapshot()
    refused(lambda: services.premises_update(premises=w.p_bg, data={"grid": w.grid_cm}, by=w.lead), FOREIGN)
    moved = api(w.lead).patch(f"{API}/premises/{w.p_bg.pk}/", {"grid": w.grid_cm.pk}, format="json")
    assert_api_refuses(moved, FOREIGN)
    client.force_login(w.staff_lead)
    url = reverse("admin:townships_premises_change", args=[w.p_bg.pk])
    assert_form_refuses(client.post(url, admin_premises_post(w.p_bg, grid=w.grid_cm.pk)), FOREIGN)
    assert snapshot() == before

    grid = GridFactory(township=w.beiguan, name="北关二网格")
    assert (
        api(w.lead).patch(f"{API}/premises/{w.p_bg.pk}/", {"grid": grid.pk}, format="json").status_code == 200
    )
    assert Premises.objects.get(pk=w.p_bg.pk).grid == grid


def test_only_the_center_links_an_account_to_a_premises(w, client):
    owner = make_user(Role.PREMISES_RESPONSIBLE, username="owner", premises=w.p_bg)
    message = CENTER_FIELDS + "责任人账号"
    before = snapshot()
    refused(
        lambda: services.premises_update(premises=w.p_bg, data={"responsible_user": owner}, by=w.lead),
        message,
    )
    refused(
        lambda: services.premises_create(
            township=w.beiguan,
            name="新开饭店",
            category="hotel",
            risk_level="medium",
            responsible_person="周老板",
            responsible_phone="13712345678",
            responsible_user=owner,
            by=w.lead,
        ),
        message,
    )
    client.force_login(w.staff_lead)
    url = reverse("admin:townships_premises_change", args=[w.p_bg.pk])
    assert_form_refuses(client.post(url, admin_premises_post(w.p_bg, responsible_user=owner.pk)), message)
    assert snapshot() == before

    client.force_login(UserFactory(username="center-admin", is_superuser=True, is_staff=True))
    assert client.post(url, admin_premises_post(w.p_bg, responsible_user=owner.pk)).status_code == 302
    assert Premises.objects.get(pk=w.p_bg.pk).responsible_user == owner


def test_only_leads_and_the_center_write_premises(w):
    before = snapshot()
    for user in (w.police, w.official):
        refused(
            lambda u=user: services.premises_update(premises=w.p_bg, data={"manager": "吴店长"}, by=u),
            PREMISES_WRITERS_ONLY,
        )
        refused(
            lambda u=user: services.premises_set_risk_level(premises=w.p_bg, risk_level="high", by=u),
            PREMISES_WRITERS_ONLY,
        )
        assert (
            api(user).patch(f"{API}/premises/{w.p_bg.pk}/", {"manager": "吴店长"}, format="json").status_code
            == 403
        )
    assert snapshot() == before

    services.premises_update(premises=w.p_bg, data={"manager": "吴店长"}, by=w.lead)
    assert Premises.objects.get(pk=w.p_bg.pk).history.first().history_user == w.lead


def test_the_system_is_not_refused(w):
    """by=None: a task, a command, the demo data."""
    services.premises_update(premises=w.p_cm, data={"manager": "系统"}, by=None)
    services.grid_create(township=w.chumiao, name="系统网格", by=None)
    services.township_update(township=w.chumiao, data={"fire_deputy": "系统"}, by=None)


# --- responsibility agreements: the guidance center only ------------------------------------------


def test_only_the_guidance_center_records_responsibility_agreements(w, client):
    before = snapshot()
    refused(
        lambda: services.responsibility_agreement_sign(
            township=w.beiguan,
            year=2022,
            signatory="张书记",
            counterparty="县人民政府",
            scope="责任",
            signed_on=dt.date(2022, 3, 1),
            by=w.lead,
        ),
        AGREEMENTS_CENTER_ONLY,
    )
    refused(
        lambda: services.responsibility_agreement_update(
            agreement=w.agreement, data={"scope": "改"}, by=w.lead
        ),
        AGREEMENTS_CENTER_ONLY,
    )
    client.force_login(w.staff_lead)
    url = reverse("admin:townships_responsibilityagreement_change", args=[w.agreement.pk])
    form = {"signatory": "冒名", "counterparty": "县人民政府", "scope": "责任", "signed_on": "2021-03-01"}
    assert_page_refuses(client.post(url, form), AGREEMENTS_CENTER_ONLY)
    deleted = client.post(
        reverse("admin:townships_responsibilityagreement_delete", args=[w.agreement.pk]), {"post": "yes"}
    )
    assert_page_refuses(deleted, AGREEMENTS_CENTER_ONLY)
    assert snapshot() == before

    services.responsibility_agreement_update(agreement=w.agreement, data={"scope": "补充"}, by=w.center)
    assert w.agreement.history.first().history_user == w.center
