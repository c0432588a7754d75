"""A reminder reads in its reader's language: each is written in Chinese and in English at once, the
inbox page and the API show the one the reader asks for (language cookie / Accept-Language), and
what leaves the site (email, robots, SMS, digests) is in the county's language, Chinese, whatever the
language of the request that caused it. Only the data in a reminder (township, premises, plan names,
the hazard's description) stays as it was entered."""

import datetime as dt
import html
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from core.clock import local_today
from core.models import Notification, Role
from firebrigade.models import Brigade, FundingAllocation
from inspections import services as inspections
from meetings.models import Assignment
from notifications import services
from notifications.rules import RULE_LABELS
from tests import factories as f

pytestmark = pytest.mark.django_db

DAY = dt.date(2021, 12, 10)
HAN = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")  # Han, CJK and full-width punctuation


@pytest.fixture(autouse=True)
def _restore_language():
    """A request through LocaleMiddleware leaves its language active in this thread: put the default
    back so later tests (which expect Chinese) are not affected."""
    before = translation.get_language()
    yield
    translation.activate(before or settings.LANGUAGE_CODE)


def han_beyond(text: str, data: list[str]) -> list[str]:
    """The Chinese characters in `text` once the data in it (names, descriptions) is taken out."""
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, "")
    return HAN.findall(text)


def _lead(township, **extra):
    user = f.make_user(Role.TOWNSHIP_LEAD, township=township, **extra)
    user.email = f"{user.username}@example.gov.cn"
    user.save(update_fields=["email"])
    return user


def _overdue_hazard(township):
    premises = f.PremisesFactory(township=township, name="北关农贸市场")
    inspection = f.InspectionFactory(premises=premises, inspected_on=dt.date(2021, 11, 20))
    return f.HazardFactory(
        inspection=inspection, description="电气线路私拉乱接", deadline=dt.date(2021, 12, 1)
    )


def _inbox(client, language: str) -> str:
    page = client.get(reverse("notifications:inbox"), HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200
    return html.unescape(page.content.decode().split('class="inbox-list"', 1)[1].split("</ul>", 1)[0])


def _api(user, language: str) -> list[dict]:
    client = APIClient()
    client.force_authenticate(user)
    answer = client.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE=language)
    assert answer.status_code == 200
    return answer.json()["results"]


def test_a_rule_reminder_reads_in_english_and_in_chinese_in_the_inbox_and_the_api(client):
    township = f.TownshipFactory(name="北关镇")
    lead = _lead(township)
    _overdue_hazard(township)
    assert services.reminders_run(on=DAY, rules=["hazard_overdue"]) == {"hazard_overdue": 1}
    data = ["北关农贸市场", "电气线路私拉乱接"]

    client.force_login(lead)
    english = _inbox(client, "en")
    assert "Hazard rectification 9 days overdue: 北关农贸市场" in english
    assert (
        "General hazard “电气线路私拉乱接”: the rectification deadline, 2021-12-01, has passed; "
        "status: Awaiting rectification."
    ) in english
    assert "View" in english
    chinese = _inbox(client, "zh-hans")
    assert "隐患整改逾期 9 天：北关农贸市场" in chinese
    assert "一般隐患“电气线路私拉乱接”整改期限 2021-12-01 已过，当前状态：待整改。" in chinese
    assert "overdue" not in chinese

    (row,) = _api(lead, "en")
    assert row["title"] == "Hazard rectification 9 days overdue: 北关农贸市场"
    assert han_beyond(row["title"] + row["text"], data) == []
    (row,) = _api(lead, "zh-hans")
    assert row["title"] == "隐患整改逾期 9 天：北关农贸市场"
    assert "当前状态：待整改" in row["text"]


def test_an_event_reminder_reads_in_english_and_in_chinese_in_the_inbox_and_the_api(client):
    """A unit reports a hazard through its self-inspection: its township's fire lead is reminded."""
    township = f.TownshipFactory(name="北关镇")
    premises = f.PremisesFactory(township=township, name="北关农贸市场")
    lead = _lead(township)
    unit = f.make_user(Role.PREMISES_RESPONSIBLE, premises=premises)
    hazard = {
        "severity": "major",
        "description": "电气线路私拉乱接",
        "deadline": local_today() + dt.timedelta(days=5),
        "responsible_person": "王老板",
    }
    inspections.inspection_record(
        premises=premises, inspected_on=local_today(), inspectors="自查", hazards=[hazard], by=unit
    )
    notification = Notification.objects.get(recipient=lead)
    assert notification.rule == "hazard_reported"
    data = ["北关镇", "北关农贸市场", "电气线路私拉乱接", "王老板"]
    deadline = f"{hazard['deadline']:%Y-%m-%d}"

    client.force_login(lead)
    english = _inbox(client, "en")
    assert "Hazard reported by a self-inspection: 北关农贸市场" in english
    assert (
        f"北关农贸市场, 北关镇: Major fire hazard “电气线路私拉乱接”; rectification deadline {deadline}; "
        "person responsible: 王老板."
    ) in english
    assert "单位自查上报隐患" not in english
    chinese = _inbox(client, "zh-hans")
    assert "单位自查上报隐患：北关农贸市场" in chinese
    assert (
        f"北关镇北关农贸市场：重大火灾隐患“电气线路私拉乱接”，整改期限 {deadline}，责任人 王老板。" in chinese
    )

    (row,) = _api(lead, "en")
    assert han_beyond(row["title"] + row["text"], data) == []
    assert row["title"] == "Hazard reported by a self-inspection: 北关农贸市场"
    (row,) = _api(lead, "zh-hans")
    assert row["title"] == "单位自查上报隐患：北关农贸市场"


def test_every_rule_writes_english_and_its_label_is_english():
    """Every daily rule at once: no Chinese left in any English title or text beyond the data."""
    township = f.TownshipFactory(name="褚庙乡")
    _lead(township)
    f.make_user(Role.COUNTY_OFFICIAL, county=township.county)
    f.make_user(Role.TOWNSHIP_LEAD, township=township, is_principal_leader=True)
    _overdue_hazard(township)
    f.AssignmentFactory(township=township, deadline=DAY - dt.timedelta(days=2))
    f.AssignmentFactory(township=township, deadline=DAY + dt.timedelta(days=2))
    plan = f.InspectionPlanFactory(
        township=township, title="褚庙乡冬季检查", due_on=DAY + dt.timedelta(days=3)
    )
    plan.premises.add(f.PremisesFactory(township=township, name="褚庙乡敬老院"))
    overdue_plan = f.InspectionPlanFactory(
        township=township, title="褚庙乡秋季检查", due_on=DAY - dt.timedelta(days=3)
    )
    overdue_plan.premises.add(f.PremisesFactory(township=township, name="褚庙乡中学"))
    brigade = f.BrigadeFactory(township=township, name="褚庙乡专职消防队")
    # Built long ago, no drill last month, a member whose contract and certificate run out soon.
    Brigade.objects.filter(pk=brigade.pk).update(status="established", established_on=dt.date(2020, 1, 1))
    f.BrigadeMemberFactory(
        brigade=brigade,
        name="褚队长",
        contract_until=DAY + dt.timedelta(days=10),
        certificate_until=DAY + dt.timedelta(days=10),
    )
    f.EquipmentItemFactory(
        brigade=brigade, equipment_type=f.EquipmentTypeFactory(name="手抬机动消防泵"), next_maintenance_on=DAY
    )
    FundingAllocation.objects.create(township=township, year=2021, category="office", amount=Decimal(1000))
    near = f.HazardFactory(
        inspection=f.InspectionFactory(premises=f.PremisesFactory(township=township, name="褚庙乡超市")),
        description="灭火器过期",
        deadline=DAY + dt.timedelta(days=1),
    )

    major = f.HazardFactory(
        inspection=f.InspectionFactory(premises=f.PremisesFactory(township=township, name="褚庙乡烟花仓库")),
        severity="major",
        description="仓库与住人混设",
        deadline=DAY + dt.timedelta(days=20),
    )
    inspections.hazard_supervise(
        hazard=major, leader="王景义", deadline=DAY + dt.timedelta(days=1), listed_on=DAY
    )

    first = services.reminders_run(on=DAY)
    assert all(first[rule] for rule in first), first  # every rule had something to say
    data = [
        "褚庙乡",
        "北关农贸市场",
        "电气线路私拉乱接",
        near.premises.name,
        near.description,
        major.premises.name,
        major.description,
        "王景义",
        "2021—2022年度冬春火灾防控",
        plan.title,
        overdue_plan.title,
        brigade.name,
        "褚队长",
        "手抬机动消防泵",
        *{a.directive.meeting.title for a in Assignment.objects.select_related("directive__meeting")},
    ]
    rows = list(Notification.objects.all())
    for n in rows:
        assert n.title_en, n.rule
        assert n.text_en, n.rule
        assert han_beyond(n.title_en + n.text_en, data) == [], (n.rule, n.title_en, n.text_en)
        assert HAN.search(n.title), n.rule  # the Chinese is still Chinese
    with translation.override("en"):
        assert {rule: han_beyond(str(label), []) for rule, label in RULE_LABELS.items()} == {
            rule: [] for rule in RULE_LABELS
        }

    # Writing both languages changes nothing of the once-only key: a rerun adds nothing.
    assert sum(services.reminders_run(on=DAY).values()) == 0
    assert Notification.objects.count() == len(rows)


def test_a_reminder_written_before_english_was_stored_reads_in_chinese(client):
    user = _lead(f.TownshipFactory())
    Notification.objects.create(
        recipient=user,
        rule="hazard_overdue",
        content_type=ContentType.objects.get_for_model(user),
        object_id=user.pk,
        period="2021-W49",
        title="隐患整改逾期 3 天：北关农贸市场",
        text="一般隐患“电气线路私拉乱接”整改期限 2021-12-01 已过。",
    )
    client.force_login(user)
    english = _inbox(client, "en")
    assert "隐患整改逾期 3 天：北关农贸市场" in english
    assert "电气线路私拉乱接" in english
    (row,) = _api(user, "en")
    assert row["title"] == "隐患整改逾期 3 天：北关农贸市场"


def test_deliveries_are_in_chinese_whatever_the_language_of_the_request():
    """The fire lead's email about a unit's self-reported hazard, caused and sent while English is
    active, is in Chinese: deliveries go to the county's channels in the county's language."""
    township = f.TownshipFactory(name="北关镇")
    premises = f.PremisesFactory(township=township, name="北关农贸市场")
    _lead(township)
    unit = f.make_user(Role.PREMISES_RESPONSIBLE, premises=premises)
    hazard = {
        "severity": "general",
        "description": "电气线路私拉乱接",
        "deadline": local_today() + dt.timedelta(days=5),
        "responsible_person": "王老板",
    }
    with translation.override("en"):
        inspections.inspection_record(
            premises=premises, inspected_on=local_today(), inspectors="自查", hazards=[hazard], by=unit
        )
        services.deliveries_send()
    (message,) = mail.outbox
    assert message.subject == "单位自查上报隐患：北关农贸市场"
    assert "整改期限" in message.body
    assert "查看：" in message.body
    assert "rectification" not in message.body.lower()
