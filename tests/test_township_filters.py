"""Every FilterSet judges "a township outside the user's area" the same way: its township filter is
core.filters.VisibleTownshipFilter, so naming a township the user may not see is an invalid value —
the API answers 400 naming the parameter, a page 404 — and the user's own township filters, without
a query of its own for a township lead."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from config.api_urls import router
from core.filters import VisibleTownshipFilter, apply_filterset, filter_values
from core.models import Role
from tests.api_errors import field_errors
from tests.factories import CountyFactory, TownshipFactory, make_user

pytestmark = pytest.mark.django_db

PAGES = [
    "townships:premises-list",
    "firebrigade:brigade-list",
    "firebrigade:incident-list",
    "meetings:assignment-list",
    "inspections:inspection-list",
    "inspections:hazard-list",
]


def township_filtersets():
    """(prefix, FilterSet, model) of every API list whose FilterSet filters by township (the pages'
    forms are these classes, dressed)."""
    for prefix, viewset, _basename in router.registry:
        filterset_class = getattr(viewset, "filterset_class", None)
        if filterset_class is not None and "township" in filterset_class.base_filters:
            yield prefix, filterset_class, viewset.queryset.model


@pytest.fixture
def area():
    county = CountyFactory(name="民权县")
    own = TownshipFactory(county=county, name="北关镇")
    other = TownshipFactory(county=county, name="褚庙乡")
    return own, other, make_user(Role.TOWNSHIP_LEAD, township=own)


def test_every_township_filter_is_the_one_of_core():
    found = list(township_filtersets())
    assert len(found) >= 12
    for prefix, filterset_class, _model in found:
        assert isinstance(filterset_class.base_filters["township"], VisibleTownshipFilter), prefix


def test_the_api_answers_400_for_a_township_outside_the_users_area(area):
    own, other, lead = area
    client = APIClient()
    client.force_login(lead)
    for prefix, _filterset_class, _model in township_filtersets():
        refused = client.get(f"/api/v1/{prefix}/", {"township": other.pk})
        assert refused.status_code == 400, prefix
        assert "township" in field_errors(refused), prefix
        assert client.get(f"/api/v1/{prefix}/", {"township": own.pk}).status_code == 200, prefix


@pytest.mark.parametrize("name", PAGES)
def test_a_page_answers_404_for_a_township_outside_the_users_area(client, area, name):
    own, other, lead = area
    client.force_login(lead)
    assert client.get(reverse(name), {"township": other.pk}).status_code == 404
    assert client.get(reverse(name), {"township": own.pk}).status_code == 200


def test_the_users_own_township_is_judged_without_a_query(area, django_assert_num_queries):
    own, _other, lead = area
    for _prefix, filterset_class, model in township_filtersets():
        with django_assert_num_queries(0):
            apply_filterset(filterset_class, model.objects.all(), {"township": own.pk}, user=lead)


def test_a_form_kept_between_requests_judges_each_user_by_their_own_area(area):
    """core.filters.filter_values validates with a form class built once per FilterSet: each call's
    user is the one its township field judges by, whoever asked before, through every FilterSet."""
    own, other, lead = area
    other_lead = make_user(Role.TOWNSHIP_LEAD, township=other)
    for prefix, filterset_class, model in township_filtersets():
        rows = model.objects.all()
        for user, allowed, refused in ((lead, own, other), (other_lead, other, own), (lead, own, other)):
            assert filter_values(
                filterset_class, {"township": str(allowed.pk)}, user=user, queryset=rows
            ) == {"township": allowed.pk}, prefix
            with pytest.raises(ValidationError) as error:
                filter_values(filterset_class, {"township": str(refused.pk)}, user=user, queryset=rows)
            assert "township" in error.value.message_dict, prefix
