"""挂牌督办 reminders (rule `supervision_due`): a listed major hazard's supervision deadline near or
passed reaches the township's leads and principal leaders and the county, once per period, in both
languages; a lifted listing or a verified hazard is reminded no more."""

import datetime as dt

import pytest

from core.models import Notification, Role
from inspections import services as inspections
from inspections.models import Hazard
from notifications import services as reminders
from notifications.rules import week_period
from tests import factories as f

pytestmark = pytest.mark.django_db

LISTED = dt.date(2021, 12, 1)


@pytest.fixture
def listed():
    township = f.TownshipFactory(name="褚庙乡")
    people = {
        "lead": f.make_user(Role.TOWNSHIP_LEAD, township=township),
        "principal": f.make_user(Role.TOWNSHIP_LEAD, township=township, is_principal_leader=True),
        "office": f.make_user(Role.COUNTY_OFFICIAL, county=township.county),
        "center": f.make_user(Role.GUIDANCE_CENTER),
        "fire_rescue": f.make_user(Role.FIRE_RESCUE, county=township.county),
    }
    inspection = f.InspectionFactory(premises=f.PremisesFactory(township=township, name="褚庙乡烟花仓库"))
    hazard = f.HazardFactory(
        inspection=inspection, severity=Hazard.Severity.MAJOR, description="仓库与住人混设"
    )
    supervision = inspections.hazard_supervise(
        hazard=hazard, leader="王景义", deadline=LISTED + dt.timedelta(days=10), listed_on=LISTED
    )
    return supervision, people


def _reminded(supervision):
    return set(
        Notification.objects.filter(rule="supervision_due", object_id=supervision.pk).values_list(
            "recipient_id", "period"
        )
    )


def test_near_deadline_reminds_township_and_county_once_in_both_languages(listed):
    supervision, people = listed
    on = supervision.deadline - dt.timedelta(days=2)
    reminders.reminders_run(on=on, rules=["supervision_due"])
    reminders.reminders_run(on=on, rules=["supervision_due"])
    expected = {people[k].pk for k in ("lead", "principal", "office", "center")}
    assert _reminded(supervision) == {(user_id, "near") for user_id in expected}
    n = Notification.objects.filter(rule="supervision_due").first()
    assert n.title == "【挂牌督办】即将到期：褚庙乡烟花仓库"
    assert n.title_en == "[Supervised listing] deadline near: 褚庙乡烟花仓库"


def test_overdue_is_reminded_weekly_until_lifted(listed):
    supervision, _people = listed
    late = supervision.deadline + dt.timedelta(days=3)
    reminders.reminders_run(on=late, rules=["supervision_due"])
    assert {period for _user, period in _reminded(supervision)} == {week_period(late)}
    assert (
        Notification.objects.filter(rule="supervision_due").first().title.startswith("【挂牌督办】逾期 3 天")
    )
    inspections.supervision_lift(supervision=supervision, reason="已整改并复查合格", lifted_on=late)
    reminders.reminders_run(on=late + dt.timedelta(days=7), rules=["supervision_due"])
    assert {period for _user, period in _reminded(supervision)} == {week_period(late)}
