"""Checklists per premises category: an item names the premises categories it is asked of (none: all).
One selector (checklist_items_for) gives the checklist of a premises to the inspection and
self-inspection forms and to the API; the services refuse a result or a hazard for an item that is not
asked of the premises; recorded inspections keep their results whatever the item applies to later;
the guidance center ticks the categories in the admin."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from core.clock import local_today
from core.exceptions import AccessDenied, ApplicationError
from core.models import Role
from core.services import user_create_with_role
from inspections import selectors, services
from inspections.models import ChecklistItem, ChecklistResult
from tests.api_errors import field_errors
from tests.factories import ChecklistItemFactory, PremisesFactory, make_user
from townships.models import Premises

from .factories import INSPECTED_ON, hazard_data, record_inspection

pytestmark = pytest.mark.django_db

SCHOOL, SHOP, WAREHOUSE = Premises.Category.SCHOOL, Premises.Category.SHOP, Premises.Category.WAREHOUSE


@pytest.fixture
def checklist():
    """Two common items, one for schools, one for factories and warehouses, one retired school item."""
    return {
        "exits": ChecklistItemFactory(code="A01", text="安全出口畅通", order=1),
        "dorm": ChecklistItemFactory(
            code="S01", text="宿舍无大功率电器", order=2, premises_categories=[SCHOOL]
        ),
        "stock": ChecklistItemFactory(
            code="W01", text="物品分类分垛储存", order=3, premises_categories=["factory", WAREHOUSE]
        ),
        "extinguisher": ChecklistItemFactory(code="A02", text="灭火器在有效期内", order=4),
        "retired": ChecklistItemFactory(
            code="S99", text="已停用的学校项", order=5, premises_categories=[SCHOOL], is_active=False
        ),
    }


@pytest.fixture
def school(township):
    return PremisesFactory(township=township, name="褚庙乡中心小学", category=SCHOOL)


@pytest.fixture
def shop(township):
    return PremisesFactory(township=township, name="褚庙乡供销超市", category=SHOP)


@pytest.fixture
def lead(township):
    return make_user(Role.TOWNSHIP_LEAD, username="chumiao_lead", township=township)


def codes(items) -> list[str]:
    return [item.code for item in items]


# --- the one selector ---------------------------------------------------------------------------


def test_a_school_gets_the_school_items_and_the_common_ones_in_their_order(checklist, school):
    assert codes(selectors.checklist_items_for(premises=school)) == ["A01", "S01", "A02"]


def test_a_shop_gets_only_the_common_items(checklist, shop):
    assert codes(selectors.checklist_items_for(premises=shop)) == ["A01", "A02"]


def test_an_item_may_apply_to_several_categories(checklist):
    assert codes(selectors.checklist_items_for(category=WAREHOUSE)) == ["A01", "W01", "A02"]
    assert codes(selectors.checklist_items_for(category="factory")) == ["A01", "W01", "A02"]


def test_without_a_premises_the_checklist_is_empty(checklist):
    assert list(selectors.checklist_items_for()) == []


# --- the services' rule -------------------------------------------------------------------------


def test_an_inspection_of_a_school_records_its_school_item(checklist, school, lead):
    results = [{"item": item, "result": "pass"} for item in selectors.checklist_items_for(premises=school)]
    inspection = record_inspection(premises=school, results=results, hazards=[], by=lead)
    assert set(inspection.results.values_list("item__code", flat=True)) == {"A01", "S01", "A02"}


def test_a_result_for_an_item_not_asked_of_the_premises_is_refused(checklist, shop, lead, unchanged):
    results = [{"item": checklist["exits"], "result": "pass"}, {"item": checklist["dorm"], "result": "fail"}]
    with pytest.raises(ApplicationError, match="检查项不适用于“褚庙乡供销超市”（商铺）：S01"), unchanged():
        record_inspection(premises=shop, results=results, hazards=[], by=lead)


def test_a_hazard_on_an_item_not_asked_of_the_premises_is_refused(checklist, shop, lead, unchanged):
    hazards = [hazard_data(checklist_item=checklist["stock"])]
    with pytest.raises(ApplicationError, match="W01"), unchanged():
        record_inspection(premises=shop, hazards=hazards, by=lead)


def test_a_result_added_later_for_an_item_not_asked_of_the_premises_is_refused(
    checklist, shop, lead, unchanged
):
    inspection = record_inspection(premises=shop, results=[], hazards=[], by=lead)
    with pytest.raises(ApplicationError, match="S01"), unchanged():
        services.checklist_result_create(
            inspection=inspection, item=checklist["dorm"], result="pass", by=lead
        )
    with pytest.raises(ApplicationError, match="W01"), unchanged():
        services.hazard_create(
            inspection=inspection, **hazard_data(checklist_item=checklist["stock"]), by=lead
        )


def test_a_recorded_inspection_keeps_its_results_when_the_item_is_narrowed_later(checklist, shop, lead, user):
    inspection = record_inspection(
        premises=shop, results=[{"item": checklist["extinguisher"], "result": "fail"}], hazards=[], by=lead
    )
    services.checklist_item_update(
        item=checklist["extinguisher"], data={"premises_categories": [SCHOOL]}, by=user
    )
    result = ChecklistResult.objects.get(inspection=inspection)
    assert (result.item.code, result.result) == ("A02", "fail")
    # Correcting the recorded result's note is no new use of the item: allowed.
    services.checklist_result_update(result=result, data={"note": "已当场更换"}, by=lead)
    assert ChecklistResult.objects.get(pk=result.pk).note == "已当场更换"
    assert codes(selectors.checklist_items_for(premises=shop)) == ["A01"]


def test_the_center_sets_an_items_categories_once_each_in_the_categorys_order(user):
    item = services.checklist_item_create(
        code="H01",
        text="客房内禁止吸烟标识",
        premises_categories=["hotel", "entertainment", "hotel"],
        by=user,
    )
    assert item.premises_categories == ["entertainment", "hotel"]
    services.checklist_item_update(item=item, data={"premises_categories": []}, by=user)
    item.refresh_from_db()
    assert item.premises_categories == []
    assert item.history.count() == 2


def test_an_unknown_category_is_refused(user):
    with pytest.raises(ValidationError, match="未知的单位类别：spaceport"):
        services.checklist_item_create(
            code="X01", text="未知类别", premises_categories=["spaceport"], by=user
        )
    assert not ChecklistItem.objects.filter(code="X01").exists()


def test_a_township_lead_cannot_change_which_premises_an_item_applies_to(checklist, lead):
    with pytest.raises(AccessDenied):
        services.checklist_item_update(
            item=checklist["exits"], data={"premises_categories": [SCHOOL]}, by=lead
        )
    checklist["exits"].refresh_from_db()
    assert checklist["exits"].premises_categories == []


# --- the guidance center in the admin -----------------------------------------------------------


@pytest.fixture
def center_client(client):
    center = user_create_with_role(
        username="center", role=Role.GUIDANCE_CENTER, password="Center-staff-2021-x"
    )
    client.force_login(center)
    client.center = center
    return client


def test_the_center_ticks_an_items_premises_categories_in_the_admin(center_client, checklist):
    item = checklist["exits"]
    url = f"/admin/inspections/checklistitem/{item.pk}/change/"
    page = center_client.get(url).content.decode()
    assert 'name="premises_categories"' in page
    assert 'value="school"' in page
    response = center_client.post(
        url,
        {
            "code": item.code,
            "text": item.text,
            "category": "",
            "premises_categories": [SCHOOL, "medical"],
            "order": 1,
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    item.refresh_from_db()
    assert item.premises_categories == [SCHOOL, "medical"]
    assert item.history.first().history_user == center_client.center
    changelist = center_client.get("/admin/inspections/checklistitem/").content.decode()
    assert "学校、医疗养老机构" in changelist
    assert "全部" in changelist  # the common items


def test_the_center_adds_a_category_item_in_the_admin(center_client):
    response = center_client.post(
        "/admin/inspections/checklistitem/add/",
        {
            "code": "M01",
            "text": "摊位间留有防火间距",
            "category": "通道",
            "premises_categories": ["market"],
            "order": 9,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ChecklistItem.objects.get(code="M01").premises_categories == ["market"]


# --- the API -------------------------------------------------------------------------------------


def api_for(user):
    client = APIClient()
    client.force_login(user)
    return client


def test_the_api_lists_the_checklist_of_a_premises(checklist, school, shop, lead):
    client = api_for(lead)
    listed = client.get("/api/v1/checklist-items/", {"premises": school.pk})
    assert [row["code"] for row in listed.json()["results"]] == ["A01", "S01", "A02"]
    dorm = next(row for row in listed.json()["results"] if row["code"] == "S01")
    assert dorm["premises_categories"] == [SCHOOL]
    by_category = client.get("/api/v1/checklist-items/", {"premises_category": SHOP, "is_active": "true"})
    assert [row["code"] for row in by_category.json()["results"]] == ["A01", "A02"]


def test_the_api_refuses_the_checklist_of_another_townships_premises(checklist, lead, other_township):
    elsewhere = PremisesFactory(township=other_township, category=SCHOOL)
    response = api_for(lead).get("/api/v1/checklist-items/", {"premises": elsewhere.pk})
    assert response.status_code == 400
    assert "premises" in field_errors(response)


def test_the_api_refuses_an_inspection_with_an_item_not_asked_of_the_premises(checklist, shop, lead):
    payload = {
        "premises": shop.pk,
        "inspected_on": INSPECTED_ON.isoformat(),
        "inspectors": "赵专干",
        "results": [
            {"item": checklist["exits"].pk, "result": "pass"},
            {"item": checklist["dorm"].pk, "result": "pass"},
        ],
    }
    response = api_for(lead).post("/api/v1/inspections/", payload, format="json")
    assert response.status_code == 400
    assert any("S01" in message for message in field_errors(response)["results"])
    assert not shop.inspections.exists()


def test_the_center_writes_an_items_categories_through_the_api(user):
    client = api_for(user)
    created = client.post(
        "/api/v1/checklist-items/",
        {"code": "R01", "text": "村内消防水源可用", "premises_categories": ["residential"]},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["premises_categories"] == ["residential"]
    refused = client.patch(
        f"/api/v1/checklist-items/{created.json()['id']}/", {"premises_categories": ["moon"]}, format="json"
    )
    assert refused.status_code == 400
    assert ChecklistItem.objects.get(code="R01").premises_categories == ["residential"]


# --- the pages ------------------------------------------------------------------------------------


def test_the_inspection_form_asks_the_premises_categorys_items(client, checklist, school, shop, lead):
    client.force_login(lead)
    school_page = client.get("/inspections/record/", {"premises": school.pk}).content.decode()
    assert "宿舍无大功率电器" in school_page
    assert "物品分类分垛储存" not in school_page
    shop_page = client.get("/inspections/record/", {"premises": shop.pk}).content.decode()
    assert "宿舍无大功率电器" not in shop_page
    assert "安全出口畅通" in shop_page


def test_the_self_inspection_form_asks_the_own_premises_categorys_items(client, checklist, school):
    boss = make_user(Role.PREMISES_RESPONSIBLE, username="principal", premises=school)
    client.force_login(boss)
    page = client.get("/inspections/record/").content.decode()
    assert "单位自查" in page
    assert "宿舍无大功率电器" in page


def test_without_javascript_a_premises_chosen_in_the_list_brings_its_checklist(
    client, checklist, school, lead
):
    client.force_login(lead)
    first = client.get("/inspections/record/")
    assert 'data-testid="choose-premises-first"' in first.content.decode()
    chosen = client.post(
        "/inspections/record/",
        {"checklist_for": "", "premises": school.pk, "inspectors": "赵专干", "hazards-TOTAL_FORMS": "1"},
    )
    assert chosen.status_code == 200
    page = chosen.content.decode()
    assert "宿舍无大功率电器" in page
    assert 'data-testid="form-errors"' not in page
    assert chosen.context["form"]["inspectors"].value() == "赵专干"
    assert not school.inspections.exists()


def test_a_refused_form_says_where_each_problem_is(client, checklist, school, lead):
    client.force_login(lead)
    items = list(selectors.checklist_items_for(premises=school))
    data = {
        "checklist_for": str(school.pk),
        "premises": school.pk,
        "inspected_on": (local_today() + dt.timedelta(days=3)).isoformat(),
        "inspectors": "赵专干",
        "hazards-TOTAL_FORMS": "1",
        "hazards-INITIAL_FORMS": "0",
        f"result_{items[0].pk}": "pass",
        f"result_{items[2].pk}": "pass",
    }
    response = client.post(f"/inspections/record/?premises={school.pk}", data)
    assert response.status_code == 400
    places = response.context["error_places"]
    assert [(p["anchor"], str(p["message"])) for p in places] == [
        ("id_inspected_on", "检查日期不能晚于今天。"),
        (f"item-{items[1].pk}", "请选择检查结果。"),
    ]
    page = response.content.decode()
    assert f'href="#item-{items[1].pk}"' in page
    assert "检查项 S01 宿舍无大功率电器" in page
    assert not school.inspections.exists()
