"""The hand-over and 挂牌督办 on the hazard page, and the county's list of 挂牌督办: each role sees the
forms it may use, each step goes through its service, and a refused step writes nothing."""

import datetime as dt

import pytest
from django.conf import settings

from core.models import Role
from inspections import services
from inspections.models import HandoverAction, Hazard, HazardHandover, HazardSupervision
from tests.factories import make_user
from tests.inspections.factories import evidence_file, open_hazard, snapshot

pytestmark = pytest.mark.django_db

TODAY = services.local_today()


@pytest.fixture
def lead(township):
    return make_user(Role.TOWNSHIP_LEAD, username="chumiao-lead", township=township)


@pytest.fixture
def fire_rescue(county):
    return make_user(Role.FIRE_RESCUE, username="fire-rescue", county=county)


@pytest.fixture
def office(county):
    return make_user(Role.COUNTY_OFFICIAL, username="office", county=county)


@pytest.fixture
def major(premises, lead):
    return open_hazard(
        premises=premises, by=lead, severity=Hazard.Severity.MAJOR, description="消防通道被占用"
    )


def url(hazard) -> str:
    return f"/inspections/hazards/{hazard.pk}/"


def page(client, user, hazard) -> str:
    client.force_login(user)
    response = client.get(url(hazard))
    assert response.status_code == 200
    return response.content.decode()


def test_each_role_sees_the_escalation_forms_it_may_use(client, major, lead, fire_rescue, office):
    seen = page(client, lead, major)
    assert 'data-testid="hand-over-form"' in seen
    assert 'data-testid="supervise-form"' not in seen
    seen = page(client, office, major)
    assert 'data-testid="supervise-form"' in seen
    assert 'data-testid="hand-over-form"' not in seen
    seen = page(client, fire_rescue, major)  # a major hazard: it reads it, with nothing to act on yet
    assert 'data-testid="handover-action-form"' not in seen
    assert 'data-testid="supervise-form"' not in seen


def test_the_lead_hands_over_and_the_fire_rescue_authority_acts_and_closes_on_the_page(
    client, major, lead, fire_rescue
):
    client.force_login(lead)
    response = client.post(
        url(major),
        {
            "action": "hand_over",
            "hand_over-handed_over_on": TODAY.isoformat(),
            "hand_over-reason": "单位拒不整改，乡镇无执法权",
            "hand_over-evidence": evidence_file(),
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    handover = HazardHandover.objects.get(hazard=major)
    assert handover.handed_over_by == lead

    seen = page(client, fire_rescue, major)
    assert 'data-testid="handover-action-form"' in seen
    assert 'data-testid="handover-close-form"' in seen
    assert 'data-testid="handover-return-form"' in seen
    response = client.post(
        url(major),
        {
            "action": "handover_action",
            "handover_action-kind": HandoverAction.Kind.ORDERED,
            "handover_action-taken_on": TODAY.isoformat(),
            "handover_action-note": "下发责令改正通知书",
        },
    )
    assert response.status_code == 302
    response = client.post(
        url(major),
        {
            "action": "handover_close",
            "handover_close-closed_on": TODAY.isoformat(),
            "handover_close-outcome": "已依法查处",
        },
    )
    assert response.status_code == 302
    handover.refresh_from_db()
    assert (handover.status, handover.outcome, handover.ended_by) == (
        HazardHandover.Status.CLOSED,
        "已依法查处",
        fire_rescue,
    )
    assert [a.kind for a in handover.actions.all()] == [HandoverAction.Kind.ORDERED]
    assert 'data-testid="handover-action-form"' not in page(client, fire_rescue, major)


def test_refused_escalation_steps_on_the_page_write_nothing(client, major, lead, fire_rescue, office):
    before = snapshot()
    client.force_login(lead)
    # No material: the form refuses.
    response = client.post(
        url(major),
        {
            "action": "hand_over",
            "hand_over-handed_over_on": TODAY.isoformat(),
            "hand_over-reason": "拒不整改",
        },
    )
    assert response.status_code == 400
    # Not the lead's to list or to act on.
    assert client.post(url(major), {"action": "supervise", "supervise-leader": "王"}).status_code == 403
    assert (
        client.post(url(major), {"action": "handover_close", "handover_close-outcome": "x"}).status_code
        == 403
    )
    client.force_login(fire_rescue)
    # Nothing handed over yet: the authority has nothing to close.
    response = client.post(
        url(major),
        {
            "action": "handover_close",
            "handover_close-closed_on": TODAY.isoformat(),
            "handover_close-outcome": "已查处",
        },
    )
    assert response.status_code == 400
    assert "没有待办理的移交" in response.content.decode()
    client.force_login(office)
    # A deadline before the listing day.
    response = client.post(
        url(major),
        {
            "action": "supervise",
            "supervise-leader": "王景义",
            "supervise-deadline": (TODAY - dt.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert "督办期限不能早于挂牌日期" in response.content.decode()
    assert snapshot() == before


def test_the_county_lists_lifts_and_reads_its_supervision_list(client, major, office, lead):
    client.force_login(office)
    response = client.post(
        url(major),
        {
            "action": "supervise",
            "supervise-leader": "王景义",
            "supervise-leader_phone": "13800000000",
            "supervise-deadline": (TODAY + dt.timedelta(days=10)).isoformat(),
            "supervise-requirement": "十日内整改",
        },
    )
    assert response.status_code == 302
    listing = HazardSupervision.objects.get(hazard=major)
    assert (listing.leader, listing.listed_by) == ("王景义", office)

    assert 'data-testid="supervision-link"' in client.get("/inspections/hazards/").content.decode()
    listed = client.get("/inspections/supervisions/").content.decode()
    assert "消防通道被占用" in listed
    assert "王景义" in listed
    assert 'data-testid="lift-form"' in page(client, office, major)
    assert client.post(url(major), {"action": "lift", "lift-reason": " "}).status_code == 400
    assert HazardSupervision.objects.get(hazard=major).lifted_on is None
    assert client.post(url(major), {"action": "lift", "lift-reason": "已整改到位"}).status_code == 302
    assert HazardSupervision.objects.get(hazard=major).lift_reason == "已整改到位"
    assert "消防通道被占用" not in client.get("/inspections/supervisions/").content.decode()
    assert "消防通道被占用" in client.get("/inspections/supervisions/", {"listed": "false"}).content.decode()
    assert client.get("/inspections/supervisions/", {"listed": "bogus"}).status_code == 404

    # English reader.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get("/inspections/supervisions/", {"listed": "all"}).content.decode()
    assert "Supervised listings" in english

    client.force_login(lead)
    assert client.get("/inspections/supervisions/").status_code == 403


def test_a_listing_past_its_deadline_is_marked_on_the_list(client, major, office):
    services.hazard_supervise(
        hazard=major,
        leader="王景义",
        deadline=TODAY - dt.timedelta(days=2),
        listed_on=TODAY - dt.timedelta(days=5),
        by=office,
    )
    client.force_login(office)
    listed = client.get("/inspections/supervisions/").content.decode()
    assert 'data-testid="supervision-overdue"' in listed


def test_the_fire_rescue_authority_lands_on_the_hazards_it_answers_for(
    client, major, premises, lead, fire_rescue
):
    general = open_hazard(premises=premises, by=lead, description="灭火器过期")
    client.force_login(fire_rescue)
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0].endswith("/inspections/hazards/")
    listed = response.content.decode()
    assert "消防通道被占用" in listed  # major
    assert "灭火器过期" not in listed  # general, not handed over
    assert 'data-testid="supervision-link"' not in listed
    services.hazard_hand_over(hazard=general, reason="拒不整改", evidence=evidence_file(), by=lead)
    assert "灭火器过期" in client.get("/inspections/hazards/").content.decode()
