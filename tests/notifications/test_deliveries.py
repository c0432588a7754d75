"""Deliveries: each channel against a real local HTTP server, retries and giving up, digests."""

import base64
import datetime as dt
import hashlib
import hmac
import json
import signal
import time
import urllib.parse
from collections import Counter

import pytest
from django.core import mail

from config.celery import app as celery_app
from core.exceptions import AccessDenied, ApplicationError
from core.models import Notification, Role
from notifications import services, tasks
from notifications.models import Channel, ChannelEndpoint, ChannelPreference, Delivery
from notifications.rules import Draft
from tests import factories as f
from tests.notifications.channel_server import ChannelServer
from tests.notifications.workers import start_worker_process, wait_for, worker_env

pytestmark = pytest.mark.django_db

DAY = dt.date(2021, 12, 10)
SECRET = "SECtest-signing-secret"
WEBHOOK_KEY = "wecom-key-0123456789"


@pytest.fixture(autouse=True)
def fast_retries(settings):
    settings.DELIVERY_RETRY_BASE_SECONDS = 0  # a failed delivery is due again at once
    settings.DELIVERY_MAX_ATTEMPTS = 3
    settings.DELIVERY_HTTP_TIMEOUT = 1
    settings.SITE_URL = "https://xf.example.gov.cn"


@pytest.fixture
def server():
    with ChannelServer() as running:
        yield running


def _person(role, phone="13800000001", email="", **links):
    user = f.make_user(role, **links)
    user.email = email
    user.save(update_fields=["email"])
    user.profile.phone = phone
    user.profile.save(update_fields=["phone"])
    return user


def _endpoints(server, township=None, kinds=("wecom", "dingtalk", "sms")):
    made = {}
    for kind in kinds:
        made[kind] = ChannelEndpoint.objects.create(
            kind=kind,
            name=f"{kind}-{township.pk if township else 'county'}",
            township=township,
            url=server.url(f"/{kind}", f"key={WEBHOOK_KEY}" if kind == "wecom" else "access_token=tok"),
            secret=SECRET if kind in ("dingtalk", "sms") else "",
            access_key_id="LTAI-test" if kind == "sms" else "",
            sign_name="某县消防" if kind == "sms" else "",
            template_code="SMS_123456" if kind == "sms" else "",
        )
    return made


def _urgent(user, title="【重大火灾隐患】北关镇某市场", township=None, object_id=1):
    """An urgent reminder written the way every event writes one."""
    drafts = [Draft(user.pk, object_id, "event", title, "电气线路私拉乱接", "/hazards/1/", township)]
    services.notifications_write(rule="hazard_major", model=Notification, drafts=drafts, urgent=True)


def _send_all(rounds=10):
    total = {}
    for _ in range(rounds):
        outcome = services.deliveries_send()
        if not outcome:
            break
        for key, n in outcome.items():
            total[key] = total.get(key, 0) + n
    return total


def test_an_urgent_reminder_goes_out_on_every_channel_of_the_person_once(server):
    township = f.TownshipFactory(name="北关镇")
    lead = _person(Role.TOWNSHIP_LEAD, email="lead@example.gov.cn", township=township)
    _endpoints(server, township)
    _urgent(lead, township=township.pk)
    assert sorted(Delivery.objects.values_list("channel", flat=True)) == ["dingtalk", "email", "sms", "wecom"]
    assert _send_all() == {"sent": 4}
    assert _send_all() == {}  # nothing twice
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["lead@example.gov.cn"]
    assert "https://xf.example.gov.cn/hazards/1/" in mail.outbox[0].body

    (wecom,) = server.on("/wecom")
    assert wecom.query == {"key": WEBHOOK_KEY}
    content = wecom.json["text"]
    assert "【重大火灾隐患】北关镇某市场" in content["content"]
    assert "https://xf.example.gov.cn/hazards/1/" in content["content"]
    assert content["mentioned_mobile_list"] == ["13800000001"]


def test_dingtalk_requests_carry_the_robots_signature(server):
    township = f.TownshipFactory()
    lead = _person(Role.TOWNSHIP_LEAD, township=township)
    _endpoints(server, township, kinds=["dingtalk"])
    _urgent(lead)
    _send_all()
    (request,) = server.on("/dingtalk")
    timestamp = request.query["timestamp"]
    # Computed here from DingTalk's documented recipe, not with the code under test.
    expected = base64.b64encode(
        hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(), hashlib.sha256).digest()
    ).decode()
    assert request.query["sign"] == expected
    assert request.query["access_token"] == "tok"
    assert abs(int(timestamp) / 1000 - dt.datetime.now(dt.UTC).timestamp()) < 60
    assert request.json["at"] == {"atMobiles": ["13800000001"], "isAtAll": False}


def test_sms_carries_template_code_parameters_and_a_valid_signature(server):
    township = f.TownshipFactory()
    lead = _person(Role.TOWNSHIP_LEAD, phone="13912345678", township=township)
    _endpoints(server, None, kinds=["sms"])  # the county's gateway serves every township
    _urgent(lead, title="【重大火灾隐患】一个很长很长很长很长很长很长很长很长很长很长很长很长的单位名称")
    _send_all()
    (request,) = server.on("/sms")
    form = request.form
    assert form["PhoneNumbers"] == "13912345678"
    assert form["TemplateCode"] == "SMS_123456"
    assert form["SignName"] == "某县消防"
    assert form["AccessKeyId"] == "LTAI-test"
    params = json.loads(form["TemplateParam"])
    assert params["title"].startswith("【重大火灾隐患】")
    assert len(params["title"]) <= 35
    assert params["link"] == "https://xf.example.gov.cn/hazards/1/"
    assert form["OutId"] == str(Delivery.objects.get(channel="sms").pk)
    signature = form.pop("Signature")

    def enc(value):
        return urllib.parse.quote(value, safe="~")

    canonical = "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted(form.items()))
    string_to_sign = f"POST&%2F&{enc(canonical)}"
    expected = base64.b64encode(
        hmac.new(f"{SECRET}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    )
    assert signature == expected.decode()


def test_a_failing_channel_is_retried_then_given_up_and_the_others_are_not_held_back(server):
    township = f.TownshipFactory()
    lead = _person(Role.TOWNSHIP_LEAD, email="lead@example.gov.cn", township=township)
    _endpoints(server, township)
    server.mode["/wecom"] = "http500"
    server.mode["/dingtalk"] = "refuse"
    _urgent(lead)
    outcome = _send_all()
    assert outcome == {"sent": 2, "failed": 4, "given_up": 2}
    by_channel = {d.channel: d for d in Delivery.objects.all()}
    assert by_channel["email"].status == by_channel["sms"].status == "sent"
    assert by_channel["wecom"].status == by_channel["dingtalk"].status == "given_up"
    assert by_channel["wecom"].attempts == 3
    assert by_channel["wecom"].last_error == "接口返回 HTTP 500"
    assert "310000" in by_channel["dingtalk"].last_error
    # Three tries each for the failing robots, one each for the others: nothing duplicated.
    assert len(server.on("/wecom")) == len(server.on("/dingtalk")) == 3
    assert len(server.on("/sms")) == len(mail.outbox) == 1
    # The stored reasons never carry the webhook's key or a secret.
    for delivery in Delivery.objects.all():
        assert WEBHOOK_KEY not in delivery.last_error
        assert SECRET not in delivery.last_error
        assert "tok" not in delivery.last_error


def test_a_channel_that_times_out_is_retried_and_a_slow_one_is_waited_for(server, settings):
    township = f.TownshipFactory()
    lead = _person(Role.TOWNSHIP_LEAD, township=township)
    _endpoints(server, township, kinds=["wecom", "dingtalk"])
    server.mode["/wecom"] = "timeout"  # answers after 3 s, the client waits 1 s
    server.mode["/dingtalk"] = "slow"  # answers after 0.2 s
    _urgent(lead)
    assert services.deliveries_send() == {"failed": 1, "sent": 1}
    wecom = Delivery.objects.get(channel="wecom")
    assert wecom.status == "failed"
    assert "超时" in wecom.last_error
    server.mode["/wecom"] = "ok"
    assert services.deliveries_send() == {"sent": 1}
    assert Delivery.objects.filter(status="sent").count() == 2


def test_backoff_waits_longer_after_each_failure(settings):
    settings.DELIVERY_RETRY_BASE_SECONDS, settings.DELIVERY_RETRY_MAX_SECONDS = 60, 600
    assert [services.retry_delay(n).total_seconds() for n in (1, 2, 3, 4, 5, 6)] == [
        60,
        120,
        240,
        480,
        600,
        600,
    ]


def test_a_refused_gateway_address_is_given_up_with_a_reason_after_max_attempts():
    township = f.TownshipFactory()
    lead = _person(Role.TOWNSHIP_LEAD, township=township)
    # Nobody listens on port 9 of this machine.
    ChannelEndpoint.objects.create(
        kind="wecom", name="wecom", township=township, url="http://127.0.0.1:9/x?key=k"
    )
    _urgent(lead)
    _send_all()
    (delivery,) = Delivery.objects.all()
    assert delivery.status == "given_up"
    assert delivery.attempts == 3
    assert delivery.last_error.startswith("无法连接接口")
    assert "127.0.0.1" not in delivery.last_error


def test_a_group_robot_posts_an_event_once_mentioning_everyone_it_concerns(server):
    township = f.TownshipFactory()
    first = _person(Role.TOWNSHIP_LEAD, phone="13800000001", township=township)
    second = _person(Role.TOWNSHIP_LEAD, phone="13800000002", township=township)
    _endpoints(server, township, kinds=["wecom"])
    drafts = [Draft(u.pk, 7, "event", "新的会议任务", "……", "/x/", township.pk) for u in (first, second)]
    services.notifications_write(rule="assignment_issued", model=Notification, drafts=drafts, urgent=True)
    _send_all()
    (post,) = server.on("/wecom")
    assert sorted(post.json["text"]["mentioned_mobile_list"]) == ["13800000001", "13800000002"]


def test_people_choose_their_channels(server):
    township = f.TownshipFactory()
    lead = _person(Role.TOWNSHIP_LEAD, email="lead@example.gov.cn", township=township)
    _endpoints(server, township)
    services.channel_preference_set(user=lead, data={"email": False, "sms": "never", "robot": False}, by=lead)
    _urgent(lead)
    assert not Delivery.objects.exists()  # only the inbox
    assert Notification.objects.get().dispatched_at is not None

    other = _person(Role.TOWNSHIP_LEAD, township=f.TownshipFactory())
    with pytest.raises(AccessDenied):
        services.channel_preference_set(user=lead, data={"email": True}, by=other)
    assert ChannelPreference.objects.get(user=lead).email is False


def test_everyday_reminders_arrive_as_one_digest_per_person(server):
    """The county official's 69 separate escalations become one message, by rule and township."""
    county = f.CountyFactory()
    official = _person(Role.COUNTY_OFFICIAL, email="county@example.gov.cn", county=county)
    _endpoints(server, None, kinds=["wecom"])  # the county's work group
    townships = [f.TownshipFactory(county=county, name=name) for name in ("北关镇", "褚庙乡")]
    for township, n in zip(townships, (5, 3), strict=True):
        premises = f.PremisesFactory(township=township)
        inspection = f.InspectionFactory(premises=premises, inspected_on=dt.date(2021, 11, 1))
        for i in range(n):
            f.HazardFactory(inspection=inspection, description=f"隐患{i}", deadline=dt.date(2021, 11, 20))
    services.reminders_run(on=DAY, rules=["hazard_escalate_county"])
    assert Notification.objects.filter(recipient=official).count() == 8
    assert not Delivery.objects.exists()  # nothing at once: these are not urgent

    assert services.digests_build() == 1
    assert services.digests_build() == 0  # rerun: nothing new
    assert sorted(Delivery.objects.values_list("channel", flat=True)) == ["email", "wecom"]
    _send_all()
    (message,) = mail.outbox
    assert "共 8 条" in message.subject
    assert "隐患逾期升级至县：8 条（北关镇 5 条、褚庙乡 3 条）" in message.body
    assert "https://xf.example.gov.cn/notifications/?unread=1" in message.body
    (post,) = server.on("/wecom")
    assert post.json["text"]["mentioned_mobile_list"] == ["13800000001"]
    assert not Notification.objects.filter(dispatched_at__isnull=True).exists()


def test_someone_without_a_digest_gets_each_reminder_from_the_sweep():
    township = f.TownshipFactory()
    lead = _person(Role.TOWNSHIP_LEAD, email="lead@example.gov.cn", township=township)
    services.channel_preference_set(user=lead, data={"digest": False}, by=None)
    premises = f.PremisesFactory(township=township)
    inspection = f.InspectionFactory(premises=premises, inspected_on=dt.date(2021, 11, 1))
    for i in range(2):
        f.HazardFactory(inspection=inspection, description=f"隐患{i}", deadline=dt.date(2021, 11, 20))
    services.reminders_run(on=DAY, rules=["hazard_overdue"])
    assert services.notifications_dispatch_pending() == 2
    assert services.notifications_dispatch_pending() == 0
    _send_all()
    assert len(mail.outbox) == 2
    assert services.digests_build() == 0


def test_a_disabled_endpoint_gives_its_deliveries_up_with_the_reason(server):
    township = f.TownshipFactory()
    lead = _person(Role.TOWNSHIP_LEAD, township=township)
    endpoint = _endpoints(server, township, kinds=["wecom"])["wecom"]
    _urgent(lead)
    endpoint.enabled = False
    endpoint.save()
    _send_all()
    delivery = Delivery.objects.get()
    assert delivery.status == "given_up"
    assert delivery.last_error == "推送渠道已停用或已删除"
    assert server.received == []


def test_the_center_resends_what_was_given_up_and_nobody_else_may(server):
    township = f.TownshipFactory()
    lead = _person(Role.TOWNSHIP_LEAD, township=township)
    _endpoints(server, township, kinds=["wecom"])
    server.mode["/wecom"] = "http500"
    _urgent(lead)
    _send_all()
    delivery = Delivery.objects.get()
    assert delivery.status == "given_up"
    with pytest.raises(AccessDenied):
        services.deliveries_resend(deliveries=[delivery], by=lead)
    delivery.refresh_from_db()
    assert delivery.status == "given_up"
    center = f.make_user(Role.GUIDANCE_CENTER)
    server.mode["/wecom"] = "ok"
    assert services.deliveries_resend(deliveries=[delivery], by=center) == 1
    assert _send_all() == {"sent": 1}
    assert len(server.on("/wecom")) == 4  # three failed tries and the resend


def test_channel_settings_go_through_the_service_and_the_center_only():
    lead = _person(Role.TOWNSHIP_LEAD, township=f.TownshipFactory())
    endpoint = ChannelEndpoint(kind=Channel.SMS, name="短信", url="https://sms.example.com/")
    with pytest.raises(AccessDenied):
        services.channel_endpoint_save(endpoint=endpoint, by=lead)
    center = f.make_user(Role.GUIDANCE_CENTER)
    with pytest.raises(ApplicationError, match="AccessKey ID"):
        services.channel_endpoint_save(endpoint=endpoint, by=center)
    assert not ChannelEndpoint.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_during_a_batch_of_deliveries_sends_each_once_after_restart(server):
    """Killed mid-batch: what it had sent is not sent again, what it had not sent is sent after the
    restart. What has no recorded outcome at the kill is sent again — at least once, never lost — and
    only that may reach the gateway twice: the one message on the wire (the worker sends one at a time
    here) and the one answered just before it, whose outcome the worker was still writing (the sender
    goes on while outcomes are stored). Each answer takes longer than RECORD_EVERY_SECONDS, so every
    earlier outcome is on record and no more than those two can be unrecorded."""
    server.mode["/sms"] = "slow"
    server.slow_seconds = 0.3
    assert server.slow_seconds > 2 * services.RECORD_EVERY_SECONDS
    _endpoints(server, None, kinds=["sms"])
    people = [
        _person(Role.TOWNSHIP_LEAD, phone=f"1390000{i:04d}", township=f.TownshipFactory()) for i in range(30)
    ]
    for person in people:
        _urgent(person)
    assert Delivery.objects.filter(channel="sms").count() == 30
    celery_app.control.purge()
    env = worker_env(
        DELIVERY_THREADS="1",
        DELIVERY_LEASE_SECONDS="2",
        DELIVERY_RETRY_BASE_SECONDS="0",
        DELIVERY_BATCH_SIZE="100",
    )
    tasks.deliveries_send.delay()

    first = start_worker_process(env)
    try:
        wait_for(lambda: len(server.on("/sms")) >= 8, timeout=60)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    sent_before = set(Delivery.objects.filter(status="sent").values_list("id", flat=True))
    # On the wire at the kill: the gateway has it, the database has no outcome for it.
    in_flight = {int(r.form["OutId"]) for r in server.on("/sms")} - sent_before
    assert 0 < len(sent_before) < 30, "the kill should land mid-batch"
    assert len(in_flight) <= 2  # on the wire, and the answer being written
    # The rest of the batch is still claimed by the dead worker (leased), not lost.
    assert Delivery.objects.exclude(status="sent").count() == 30 - len(sent_before)

    second = start_worker_process(env)
    try:
        # The dead worker's claim runs out after its lease; then the killed task, redelivered because
        # it acks late, or the minute's sweep (beat) takes the rest up.
        time.sleep(2.5)
        tasks.deliveries_sweep.delay()
        wait_for(lambda: Delivery.objects.filter(status="sent").count() == 30, timeout=60)
    finally:
        second.terminate()
        second.wait(timeout=15)

    received = Counter(int(r.form["OutId"]) for r in server.on("/sms"))
    assert set(received) == set(Delivery.objects.values_list("id", flat=True))  # none lost
    twice = {delivery_id for delivery_id, n in received.items() if n > 1}
    assert twice <= in_flight
    assert not (twice & sent_before)
    assert max(received.values()) <= 2


def test_the_admin_never_shows_a_channels_key_or_secret_back(client):
    center = f.make_user(Role.GUIDANCE_CENTER)
    center.is_staff = center.is_superuser = True
    center.save()
    endpoint = ChannelEndpoint.objects.create(
        kind="dingtalk",
        name="县级工作群",
        url=f"https://oapi.example.com/robot/send?access_token={WEBHOOK_KEY}",
        secret=SECRET,
    )
    client.force_login(center)
    listing = client.get("/admin/notifications/channelendpoint/").content.decode()
    assert "县级工作群" in listing
    assert "https://oapi.example.com/…" in listing
    change = client.get(f"/admin/notifications/channelendpoint/{endpoint.pk}/change/").content.decode()
    for secret in (WEBHOOK_KEY, SECRET):
        assert secret not in listing
        assert secret not in change

    # Saving with the write-only fields left empty keeps what is stored.
    answer = client.post(
        f"/admin/notifications/channelendpoint/{endpoint.pk}/change/",
        {"kind": "dingtalk", "name": "县级工作群（改）", "url": "", "secret": "", "enabled": "on"},
    )
    assert answer.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.name == "县级工作群（改）"
    assert endpoint.url.endswith(WEBHOOK_KEY)
    assert endpoint.secret == SECRET


def test_the_center_sees_failures_in_the_admin_and_resends_them(client, server):
    township = f.TownshipFactory()
    lead = _person(Role.TOWNSHIP_LEAD, township=township)
    _endpoints(server, township, kinds=["wecom"])
    server.mode["/wecom"] = "http500"
    _urgent(lead)
    _send_all()
    delivery = Delivery.objects.get()
    center = f.make_user(Role.GUIDANCE_CENTER)
    center.is_staff = center.is_superuser = True
    center.save()
    client.force_login(center)
    page = client.get("/admin/notifications/delivery/?status__exact=given_up").content.decode()
    assert "接口返回 HTTP 500" in page
    answer = client.post(
        "/admin/notifications/delivery/", {"action": "resend", "_selected_action": [delivery.pk]}, follow=True
    )
    assert "已重新排队 1 条" in answer.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == "queued"
    assert delivery.attempts == 0
