"""一店一码 for premises: the label sheet of a township prints one code per premises, each code decodes
(with a real decoder) to the premises' scan address, scanning opens the premises' card for whoever
may see the premises and refuses everybody else, and a revoked code is refused for good while the
code reissued in its place works."""

import datetime as dt

import pytest
from django.urls import reverse

from core.exceptions import AccessDenied, ConflictError
from core.models import Role
from core.services import user_create_with_role
from inspections.models import Hazard, Inspection
from tests.factories import (
    CountyFactory,
    HazardFactory,
    InspectionFactory,
    PoliceStationFactory,
    PremisesFactory,
    TownshipFactory,
    UserFactory,
    make_user,
)
from tests.qr import page_labels
from tests.role_matrix import outsider_users
from townships import services
from townships.models import Premises, PremisesCode

pytestmark = pytest.mark.django_db

BASE = "http://testserver"


@pytest.fixture
def county():
    county = CountyFactory(name="民权县")
    beiguan = TownshipFactory(county=county, name="北关镇")
    chumiao = TownshipFactory(county=county, name="褚庙乡")
    station = PoliceStationFactory(county=county, name="城关派出所")
    station.townships.add(beiguan)
    shop = PremisesFactory(
        township=beiguan, name="北关超市", address="北关镇人民路1号", responsible_person="王老板"
    )
    school = PremisesFactory(township=beiguan, name="北关小学", address="北关镇学府路2号")
    inn = PremisesFactory(township=beiguan, name="北关宾馆", address="")
    barn = PremisesFactory(township=chumiao, name="褚庙仓库")
    users = {
        "center": make_user(Role.GUIDANCE_CENTER, username="center"),
        "office": make_user(Role.COUNTY_OFFICIAL, username="office", county=county),
        "beiguan_lead": make_user(Role.TOWNSHIP_LEAD, username="beiguan-lead", township=beiguan),
        "chumiao_lead": make_user(Role.TOWNSHIP_LEAD, username="chumiao-lead", township=chumiao),
        "police": make_user(Role.POLICE_STATION, username="police", police_station=station),
        "shop_boss": make_user(Role.PREMISES_RESPONSIBLE, username="shop-boss", premises=shop),
        "school_head": make_user(Role.PREMISES_RESPONSIBLE, username="school-head", premises=school),
        "no_role": UserFactory(username="nobody"),
        **outsider_users(county),
    }
    return {
        "beiguan": beiguan,
        "chumiao": chumiao,
        "shop": shop,
        "school": school,
        "inn": inn,
        "barn": barn,
        "users": users,
    }


def login(client, user):
    client.force_login(user)
    return client


def writes(*, models=(PremisesCode, Premises, Inspection, Hazard)):
    """What a refused scan or request must leave as it was: every row and history count."""
    return {m.__name__: (list(m.objects.order_by("id").values()), m.history.count()) for m in models}


def test_the_label_sheet_lists_every_premises_of_the_township_each_code_decoding_to_its_scan_address(
    client, county
):
    login(client, county["users"]["beiguan_lead"])
    url = reverse("townships:premises-labels", args=[county["beiguan"].pk])
    before = client.get(url)
    assert before.status_code == 200
    assert page_labels(before.content.decode()) == []
    assert "还有 3 个没有二维码" in before.content.decode()

    issued = client.post(url)
    assert issued.status_code == 302
    sheet = client.get(url).content.decode()
    labels = page_labels(sheet)
    tokens = {code.premises.name: code.token for code in PremisesCode.objects.filter(revoked_at__isnull=True)}
    # Every premises of 北关镇, none of 褚庙乡; each code holds its own premises' address.
    assert set(tokens) == {"北关超市", "北关小学", "北关宾馆"}
    assert sorted(labels) == sorted((token, f"{BASE}/q/{token}") for token in tokens.values())
    for name in ("北关超市", "北关小学", "北关宾馆", "北关镇人民路1号"):
        assert name in sheet
    assert "褚庙仓库" not in sheet
    # The token is opaque: no database id in it, and long enough not to be guessed.
    for premises_id, token in PremisesCode.objects.values_list("premises_id", "token"):
        assert len(token) >= 20
        assert token != str(premises_id)

    # Printing again prints the same codes: nothing new is issued.
    client.post(url)
    assert PremisesCode.objects.count() == 3


def test_the_township_page_offers_the_label_sheet_to_its_lead_only(client, county):
    page = reverse("homes:township", args=[county["beiguan"].pk])
    assert (
        'data-testid="link-premises-labels"'
        in login(client, county["users"]["beiguan_lead"]).get(page).content.decode()
    )
    assert (
        'data-testid="link-premises-labels"'
        not in login(client, county["users"]["police"]).get(page).content.decode()
    )


def test_another_townships_lead_and_the_police_cannot_print_or_issue_a_townships_codes(client, county):
    url = reverse("townships:premises-labels", args=[county["beiguan"].pk])
    before = writes()
    assert login(client, county["users"]["chumiao_lead"]).post(url).status_code == 404
    assert login(client, county["users"]["police"]).post(url).status_code == 403
    assert login(client, county["users"]["police"]).get(url).status_code == 403
    assert writes() == before
    with pytest.raises(AccessDenied):
        services.premises_code_issue(premises=county["shop"], by=county["users"]["chumiao_lead"])
    with pytest.raises(AccessDenied):
        services.premises_code_issue(premises=county["shop"], by=county["users"]["shop_boss"])
    assert writes() == before


def test_scanning_a_premises_code_shows_its_card_with_the_way_into_an_inspection(client, county):
    shop = county["shop"]
    code = services.premises_code_issue(premises=shop, by=county["users"]["beiguan_lead"])
    InspectionFactory(premises=shop, inspected_on=dt.date(2021, 11, 20), inspectors="赵专干")
    latest = InspectionFactory(premises=shop, inspected_on=dt.date(2021, 12, 2), inspectors="孙民警")
    HazardFactory(inspection=latest, description="灭火器过期未更换")

    card = login(client, county["users"]["beiguan_lead"]).get(f"/q/{code.token}")
    assert card.status_code == 200
    html = card.content.decode()
    assert "北关超市" in html
    assert "王老板" in html
    assert "孙民警" in html
    assert "2021" in html
    assert "赵专干" not in html
    assert "灭火器过期未更换" in html
    assert f"/inspections/record/?premises={shop.pk}" in html
    assert "开始检查" in html

    # The premises' responsible person gets the self-inspection; the police station covering it reads it.
    own = login(client, county["users"]["shop_boss"]).get(f"/q/{code.token}").content.decode()
    assert "填写自查表" in own
    assert f"?premises={shop.pk}" in own
    assert login(client, county["users"]["police"]).get(f"/q/{code.token}").status_code == 200
    assert login(client, county["users"]["center"]).get(f"/q/{code.token}").status_code == 200


def test_scanning_needs_a_login(client, county):
    code = services.premises_code_issue(premises=county["shop"], by=None)
    answer = client.get(f"/q/{code.token}")
    assert answer.status_code == 302
    assert "/accounts/login/" in answer["Location"]


@pytest.mark.parametrize("role", ["chumiao_lead", "school_head", "fire_rescue", "department", "no_role"])
def test_scanning_as_a_user_who_may_not_see_the_premises_is_refused_and_writes_nothing(client, county, role):
    code = services.premises_code_issue(premises=county["shop"], by=None)
    InspectionFactory(premises=county["shop"])
    before = writes()
    answer = login(client, county["users"][role]).get(f"/q/{code.token}")
    assert answer.status_code == 403
    html = answer.content.decode()
    assert "北关超市" not in html
    assert "王老板" not in html
    assert writes() == before


def test_a_revoked_code_is_refused_with_a_clear_page_and_the_reissued_one_works(client, county):
    lead = county["users"]["beiguan_lead"]
    old = services.premises_code_issue(premises=county["shop"], by=lead)
    new = services.premises_code_reissue(premises=county["shop"], by=lead)
    old.refresh_from_db()
    assert new.token != old.token
    assert old.revoked_at is not None
    assert old.revoked_by == lead
    assert new.issued_by == lead

    login(client, lead)
    refused = client.get(f"/q/{old.token}")
    assert refused.status_code == 410
    assert "二维码已作废" in refused.content.decode()
    assert "北关超市" not in refused.content.decode()
    assert client.get(f"/q/{new.token}").status_code == 200

    services.premises_code_revoke(code=new, by=county["users"]["center"])
    assert client.get(f"/q/{new.token}").status_code == 410
    with pytest.raises(ConflictError):
        services.premises_code_revoke(code=new, by=county["users"]["center"])
    assert client.get("/q/no-such-code-at-all").status_code == 404


def test_another_townships_lead_cannot_revoke_or_reissue_and_nothing_changes(county):
    code = services.premises_code_issue(premises=county["shop"], by=None)
    before = writes()
    with pytest.raises(AccessDenied):
        services.premises_code_revoke(code=code, by=county["users"]["chumiao_lead"])
    with pytest.raises(AccessDenied):
        services.premises_code_reissue(premises=county["shop"], by=county["users"]["police"])
    assert writes() == before


def test_the_center_prints_labels_of_chosen_premises_from_the_admin(client, county):
    login(
        client,
        user_create_with_role(username="staff", role=Role.GUIDANCE_CENTER, password="Center-staff-2021-x"),
    )
    chosen = [county["shop"].pk, county["barn"].pk]
    answer = client.post(
        "/admin/townships/premises/", {"action": "print_code_labels", "_selected_action": chosen}
    )
    assert answer.status_code == 200
    labels = page_labels(answer.content.decode())
    tokens = dict(PremisesCode.objects.values_list("premises_id", "token"))
    assert set(tokens) == set(chosen)
    assert sorted(labels) == sorted((t, f"{BASE}/q/{t}") for t in tokens.values())

    client.post(
        "/admin/townships/premises/", {"action": "reissue_codes", "_selected_action": [county["shop"].pk]}
    )
    assert PremisesCode.objects.filter(premises=county["shop"]).count() == 2
    assert PremisesCode.objects.filter(premises=county["shop"], revoked_at__isnull=True).count() == 1
