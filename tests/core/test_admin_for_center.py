import pytest
from django.contrib import admin

from core.models import Role
from core.services import user_create_with_role

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
