import re

import pytest
from django.contrib import admin

from core.models import Role
from core.services import user_create_with_role
from tests import factories as f
from townships.models import Township
from townships.services import township_update

DOMAIN_APPS = {"townships", "firebrigade", "inspections", "meetings"}


@pytest.mark.django_db
def test_guidance_center_staff_reach_every_domain_changelist_and_add_page_in_the_admin(client):
    user = user_create_with_role(username="center", role=Role.GUIDANCE_CENTER, password="Center-staff-2021-x")
    assert user.is_staff
    assert not user.is_superuser
    client.force_login(user)
    index = client.get("/admin/")
    assert index.status_code == 200
    checked = 0
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in DOMAIN_APPS:
            continue
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        assert client.get(base).status_code == 200, base
        add = client.get(base + "add/")
        allowed = model_admin.has_add_permission(index.wsgi_request)
        assert add.status_code == (200 if allowed else 403), base
        checked += 1
    assert checked >= 25


@pytest.mark.django_db
def test_a_county_official_has_no_admin(client):
    user = user_create_with_role(username="official", role=Role.COUNTY_OFFICIAL, password="Official-2021-xyz")
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_the_demo_flag_is_shown_only_where_the_table_holds_demo_rows(client):
    client.force_login(
        user_create_with_role(username="center", role=Role.GUIDANCE_CENTER, password="Center-staff-2021-x")
    )
    f.TownshipFactory(name="北关镇")
    for page in ("/admin/townships/township/", "/admin/townships/township/add/"):
        assert "演示数据" not in client.get(page).content.decode(), page
    f.TownshipFactory(name="褚庙乡", is_demo=True)
    changelist = client.get("/admin/townships/township/").content.decode()
    assert "演示数据" in changelist
    assert "is_demo" in client.get("/admin/townships/township/add/").content.decode()


@pytest.mark.django_db
def test_a_records_history_names_choices_and_blanks_in_words(client):
    center = user_create_with_role(
        username="center", role=Role.GUIDANCE_CENTER, password="Center-staff-2021-x"
    )
    client.force_login(center)
    township = f.TownshipFactory(name="北关镇", kind=Township.Kind.TOWNSHIP)
    township_update(township=township, data={"kind": Township.Kind.TOWN}, by=center)
    page = client.get(f"/admin/townships/township/{township.pk}/history/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = page.content.decode()
    assert re.search(r"乡\s*&nbsp;&rarr;&nbsp;&nbsp;镇", text)
    assert not re.search(r"\btown\b", text)
    assert ">None<" not in text.replace(" ", "").replace("\n", "")
    assert "变更内容" in text
    record = township.history.order_by("history_id").last()
    form = client.get(f"/admin/townships/township/{township.pk}/history/{record.pk}/").content.decode()
    assert "Townships" not in form
    assert "istorical 乡" not in form  # not "Historical 乡镇（街道办）"
