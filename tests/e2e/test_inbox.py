"""The inbox in a real browser, on a phone: marking one reminder read marks that one, on the page."""

import pytest
from django.contrib.contenttypes.models import ContentType

from core.models import Notification, Role
from tests import factories as f
from tests.e2e.test_township_to_dashboard import _login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_marking_one_reminder_read_on_a_phone_keeps_the_others_unread(live_server, phone):
    lead = f.make_user(Role.TOWNSHIP_LEAD, username="beiguan", township=f.TownshipFactory(name="北关镇"))
    kind = ContentType.objects.get_for_model(lead)
    for i, title in enumerate(
        ["隐患整改逾期：北关集贸市场", "会议任务即将到期：队伍建设", "装备保养到期：北关镇专职消防队"]
    ):
        Notification.objects.create(
            recipient=lead,
            rule="hazard_overdue",
            content_type=kind,
            object_id=i,
            period="p",
            title=title,
            text="…",
        )
    page = phone.new_page()
    _login(page, live_server.url, "beiguan")
    page.goto(f"{live_server.url}/notifications/?unread=1")
    assert page.text_content("[data-testid=unread-count]") == "3"

    item = page.locator("[data-testid=notification]", has_text="会议任务即将到期")
    item.locator("[data-testid=mark-read]").click()
    page.wait_for_load_state("networkidle")

    # Still the inbox, still filtered to the unread, one fewer.
    assert page.url.endswith("/notifications/?unread=1")
    assert page.text_content("[data-testid=unread-count]") == "2"
    titles = page.locator("[data-testid=notification] strong").all_text_contents()
    assert sorted(titles) == ["装备保养到期：北关镇专职消防队", "隐患整改逾期：北关集贸市场"]
    read = Notification.objects.filter(read_at__isnull=False).values_list("title", flat=True)
    assert list(read) == ["会议任务即将到期：队伍建设"]
