"""What a township lead reads on a phone: the wide lists are marked up as cards (each cell names
its column, for lists.css at phone widths; tests/e2e/test_phone_lists.py looks at them in the
browser), and the person who entered a record is shown by name, not by login."""

import datetime as dt

import pytest
from django.urls import reverse

from core.models import Role
from core.text import person_name
from meetings import services as meeting_services
from tests.factories import AssignmentFactory, PremisesFactory, TownshipFactory, make_user
from tests.inspections.factories import awaiting_hazard, verified_hazard

pytestmark = pytest.mark.django_db


@pytest.fixture
def township():
    return TownshipFactory(name="北关镇")


@pytest.fixture
def lead(township):
    user = make_user(Role.TOWNSHIP_LEAD, username="beiguan_zhao", township=township)
    user.first_name = "赵建国"
    user.save()
    return user


def test_person_name_falls_back_to_the_login():
    user = make_user(Role.GUIDANCE_CENTER, username="center_li")
    assert person_name(user) == "center_li"
    user.first_name, user.last_name = "Wei", "Li"
    assert person_name(user) == "Wei Li"
    assert person_name(None) == ""


def test_lists_are_cards_with_their_columns_named(client, township, lead):
    premises = PremisesFactory(township=township, name="北关粮站")
    awaiting_hazard(premises=premises, by=lead)
    AssignmentFactory(township=township)
    client.force_login(lead)
    hazards = client.get(reverse("inspections:hazard-list")).content.decode()
    assert 'class="list cards" data-testid="hazard-table"' in hazards
    assert 'data-label="单位"><a href="/trace/premises/' in hazards
    assignments = client.get(reverse("meetings:assignment-list")).content.decode()
    assert 'class="list cards" data-testid="assignment-table"' in assignments
    for label in ("完成时限", "状态", "进度"):
        assert f'data-label="{label}"' in assignments
    for url in (reverse("inspections:inspection-list"), reverse("townships:premises-list")):
        assert 'class="list cards"' in client.get(url).content.decode()
    assert "/static/css/lists.css" in hazards


def test_names_not_logins_on_the_hazard_and_inspection_pages(client, township, lead):
    premises = PremisesFactory(township=township)
    hazard = verified_hazard(premises=premises, by=lead)
    client.force_login(lead)
    detail = client.get(reverse("inspections:hazard-detail", args=[hazard.pk])).content.decode()
    assert "提交人 赵建国" in detail
    assert "录入人 赵建国" in detail
    inspections = client.get(reverse("inspections:inspection-list")).content.decode()
    assert '<td data-label="录入人">赵建国</td>' in inspections
    assert "beiguan_zhao" not in detail
    assert "beiguan_zhao" not in inspections
    trace = client.get(f"/trace/premises/{premises.pk}/").content.decode()
    assert "赵建国" in trace
    assert "beiguan_zhao" not in trace


def test_names_not_logins_on_the_assignment_pages(client, township, lead):
    assignment = AssignmentFactory(township=township, deadline=dt.date(2099, 1, 1))
    meeting_services.assignment_report_progress(assignment=assignment, text="已招录队员", percent=40, by=lead)
    client.force_login(lead)
    for url in (
        reverse("meetings:assignment-detail", args=[assignment.pk]),
        reverse("homes:trace-assignment", args=[assignment.pk]),
    ):
        body = client.get(url).content.decode()
        assert "赵建国" in body
        assert "beiguan_zhao" not in body
