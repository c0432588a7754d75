"""Events: each write that concerns someone reminds exactly them, at once when urgent, and a refused
or rolled-back write reminds nobody. The writes go through the real services with real users."""

import datetime as dt
import time

import pytest
from django.core import mail
from django.db import transaction

from core.clock import local_today
from core.exceptions import AccessDenied
from core.models import Notification, Role
from inspections import services as inspections
from meetings import services as meetings
from notifications.models import Delivery
from tests import factories as f


@pytest.fixture
def county():
    """北关镇 with its fire lead, principal leader, a unit and its responsible person; the county's
    official and the guidance center. Everybody has an email address (a channel to count)."""
    county = f.CountyFactory()
    township = f.TownshipFactory(county=county, name="北关镇", principal_leader="张书记")
    premises = f.PremisesFactory(township=township, name="北关农贸市场")

    def person(role, name, **links):
        user = f.make_user(role, username=name, **links)
        user.email = f"{name}@example.gov.cn"
        user.save(update_fields=["email"])
        return user

    station = f.PoliceStationFactory(county=county, name="北关派出所")
    station.townships.add(township)
    people = {
        "police": person(Role.POLICE_STATION, "police", police_station=station),
        "lead": person(Role.TOWNSHIP_LEAD, "lead", township=township),
        "principal": person(Role.TOWNSHIP_LEAD, "principal", township=township, is_principal_leader=True),
        "official": person(Role.COUNTY_OFFICIAL, "official", county=county),
        "center": person(Role.GUIDANCE_CENTER, "center"),
        "unit": person(Role.PREMISES_RESPONSIBLE, "unit", premises=premises),
    }
    # Someone in another township, who must hear nothing.
    people["elsewhere"] = person(Role.TOWNSHIP_LEAD, "elsewhere", township=f.TownshipFactory(county=county))
    return {"township": township, "premises": premises, **people}


def _hazard(severity="general", days=5):
    today = local_today()
    return {
        "severity": severity,
        "description": "电气线路私拉乱接",
        "deadline": today + dt.timedelta(days=days),
        "responsible_person": "王老板",
    }


def _record(county, by, *, severity="general", inspected_on=None):
    return inspections.inspection_record(
        premises=county["premises"],
        inspected_on=inspected_on or local_today(),
        inspectors="自查",
        hazards=[_hazard(severity)],
        by=county[by],
    )


def _reminded() -> set[tuple[str, str, bool]]:
    return set(Notification.objects.values_list("rule", "recipient__username", "urgent"))


def _emailed() -> set[tuple[str, str]]:
    return set(
        Delivery.objects.filter(channel="email").values_list("notification__rule", "recipient__username")
    )


@pytest.mark.django_db
def test_a_unit_reporting_a_hazard_reminds_its_township_lead_at_once(county):
    _record(county, "unit")
    assert _reminded() == {("hazard_reported", "lead", True)}
    assert _emailed() == {("hazard_reported", "lead")}
    text = Notification.objects.get().text
    assert "北关镇北关农贸市场" in text
    assert "王老板" in text


@pytest.mark.django_db
def test_a_major_hazard_reaches_the_county_and_the_principal_leader(county):
    _record(county, "police", severity="major")
    assert _reminded() == {
        ("hazard_reported", "lead", False),  # found by an inspection: the lead's digest
        ("hazard_major", "principal", True),
        ("hazard_major", "official", True),
        ("hazard_major", "center", True),
    }
    assert _emailed() == {
        ("hazard_major", "principal"),
        ("hazard_major", "official"),
        ("hazard_major", "center"),
    }


@pytest.mark.django_db
def test_reclassifying_a_hazard_as_major_reaches_the_county(county):
    inspection = _record(county, "lead")
    assert _reminded() == set()  # the lead found it: nobody else is told at once
    hazard = inspection.hazards.get()
    inspections.hazard_update(hazard=hazard, data={"severity": "major"}, by=county["lead"])
    assert _reminded() == {
        ("hazard_major", "principal", True),
        ("hazard_major", "official", True),
        ("hazard_major", "center", True),
    }


@pytest.mark.django_db
def test_the_rectification_and_the_failed_reinspection_go_to_whoever_acts_next(county):
    hazard = _record(county, "lead").hazards.get()
    inspections.hazard_rectify(
        hazard=hazard,
        rectified_on=local_today(),
        rectified_by="王老板",
        measures="重新布线",
        by=county["unit"],
    )
    assert _reminded() == {("rectification_submitted", "lead", True)}
    inspections.hazard_reinspect(
        hazard=hazard,
        inspected_on=local_today(),
        inspectors="赵专干",
        passed=False,
        note="仍有飞线",
        by=county["lead"],
    )
    assert _reminded() == {("rectification_submitted", "lead", True), ("reinspection_failed", "unit", True)}
    assert "仍有飞线" in Notification.objects.get(rule="reinspection_failed").text

    # A second round is a new event, reminded again.
    inspections.hazard_rectify(
        hazard=hazard,
        rectified_on=local_today(),
        rectified_by="王老板",
        measures="更换线槽",
        by=county["unit"],
    )
    assert Notification.objects.filter(rule="rectification_submitted").count() == 2


@pytest.mark.django_db
def test_a_rectification_of_what_the_police_found_reaches_the_police_station_too(county):
    hazard = _record(county, "police").hazards.get()
    Notification.objects.all().delete()
    inspections.hazard_rectify(
        hazard=hazard,
        rectified_on=local_today(),
        rectified_by="王老板",
        measures="清理通道",
        by=county["unit"],
    )
    assert _reminded() == {
        ("rectification_submitted", "lead", True),
        ("rectification_submitted", "police", True),
    }


@pytest.mark.django_db
def test_an_assignment_issued_or_moved_reaches_the_township(county):
    directive = f.DirectiveFactory(meeting=f.MeetingFactory(county=county["township"].county))
    deadline = local_today() + dt.timedelta(days=20)
    (assignment,) = meetings.directive_assign(
        directive=directive, townships=[county["township"]], deadline=deadline, by=county["center"]
    )
    assert _reminded() == {("assignment_issued", "lead", True), ("assignment_issued", "principal", True)}
    meetings.assignment_extend_deadline(
        assignment=assignment,
        new_deadline=deadline + dt.timedelta(days=10),
        reason="汛期顺延",
        by=county["center"],
    )
    changed = Notification.objects.filter(rule="assignment_deadline_changed")
    assert set(changed.values_list("recipient__username", flat=True)) == {"lead", "principal"}
    assert "完成时限调整为" in changed.first().text


@pytest.mark.django_db
def test_a_refused_write_reminds_nobody(county):
    hazard = _record(county, "lead").hazards.get()
    with pytest.raises(AccessDenied):  # another township's lead
        inspections.hazard_rectify(
            hazard=hazard, rectified_on=local_today(), rectified_by="x", measures="x", by=county["elsewhere"]
        )
    with pytest.raises(AccessDenied):  # a unit does not record inspections of other units' kinds
        inspections.inspection_record(
            premises=county["premises"],
            inspected_on=local_today(),
            inspectors="x",
            kind="township",
            hazards=[_hazard("major")],
            by=county["unit"],
        )
    assert not Notification.objects.exists()
    assert not Delivery.objects.exists()


@pytest.mark.django_db
def test_a_rolled_back_write_reminds_nobody(county):
    def write_then_fail():
        with transaction.atomic():
            _record(county, "unit", severity="major")
            assert Notification.objects.exists()  # written inside the transaction …
            raise RuntimeError("the request failed later")

    with pytest.raises(RuntimeError):
        write_then_fail()
    assert not Notification.objects.exists()  # … and gone with it
    assert not Delivery.objects.exists()


@pytest.mark.django_db
def test_records_typed_in_late_remind_nobody(county):
    _record(county, "unit", severity="major", inspected_on=local_today() - dt.timedelta(days=30))
    assert not Notification.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_messages_leave_after_the_commit(county, celery_worker):
    with transaction.atomic():
        _record(county, "unit")
        assert Delivery.objects.get().status == "queued"
        time.sleep(0.5)
        assert mail.outbox == []  # nothing leaves before the commit
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not Delivery.objects.filter(status="sent").exists():
        time.sleep(0.05)
    assert Delivery.objects.get().status == "sent"
    assert [m.to for m in mail.outbox] == [["lead@example.gov.cn"]]
