"""The brigade archive (一队一档, issue 18): each record through its service, refusals writing nothing
(a drill in the future, an arrival before the call, another township's lead), scoped uploads, the
printable page, the monthly activity counts of the township page and the dashboard, and the
reminders for expiring contracts and certificates and for months without a drill."""

import datetime as dt
import io
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from core.exceptions import AccessDenied, ApplicationError, ConflictError
from core.models import Notification, Role
from firebrigade import selectors, services
from firebrigade.models import (
    Brigade,
    BrigadeDocument,
    BrigadeMember,
    CallOut,
    DutyRosterEntry,
    FireIncident,
    PublicityActivity,
    TrainingRecord,
)
from notifications import services as reminders
from tests.factories import (
    BrigadeFactory,
    BrigadeMemberFactory,
    CampaignFactory,
    CountyFactory,
    FireIncidentFactory,
    FundingAllocationFactory,
    PoliceStationFactory,
    TownshipFactory,
    make_user,
)

pytestmark = pytest.mark.django_db

ARCHIVE_MODELS = (BrigadeDocument, TrainingRecord, DutyRosterEntry, CallOut, PublicityActivity)


def snapshot():
    """Every archive row, its history and the many-to-many links: what a refusal must leave as it was."""
    rows = {m.__name__: list(m.objects.order_by("id").values()) for m in ARCHIVE_MODELS}
    history = {m.__name__: m.history.count() for m in ARCHIVE_MODELS}
    links = (
        list(TrainingRecord.participants.through.objects.values_list("trainingrecord", "brigademember")),
        list(DutyRosterEntry.members.through.objects.values_list("dutyrosterentry", "brigademember")),
    )
    return rows, history, links


def refused(call, error=ApplicationError, match=None):
    before = snapshot()
    with pytest.raises(error, match=match):
        call()
    assert snapshot() == before


@pytest.fixture
def world():
    """民权县: 褚庙乡's established brigade with a captain and two firefighters, 北关镇's brigade with one
    member; a fire in each township; a user of every role."""
    county = CountyFactory(name="民权县")
    chumiao = TownshipFactory(county=county, name="褚庙乡")
    beiguan = TownshipFactory(county=county, name="北关镇")
    brigade = BrigadeFactory(
        township=chumiao,
        name="褚庙乡专职消防队",
        status=Brigade.Status.ESTABLISHED,
        construction_started_on=dt.date(2021, 3, 1),
        established_on=dt.date(2021, 9, 1),
    )
    captain = BrigadeMemberFactory(brigade=brigade, name="褚队长", role=BrigadeMember.Role.CAPTAIN)
    firefighters = [BrigadeMemberFactory(brigade=brigade, name=f"褚队员{i}") for i in (1, 2)]
    other = BrigadeFactory(township=beiguan, name="北关镇专职消防队")
    outsider = BrigadeMemberFactory(brigade=other, name="北队员")
    fire_cm = FireIncidentFactory(township=chumiao, address="褚庙村", cause="electrical")
    fire_bg = FireIncidentFactory(township=beiguan, address="北关村", cause="heating")
    station = PoliceStationFactory(county=county)
    station.townships.add(chumiao)
    users = {
        "center": make_user(Role.GUIDANCE_CENTER, username="center"),
        "office": make_user(Role.COUNTY_OFFICIAL, username="office", county=county),
        "chumiao_lead": make_user(Role.TOWNSHIP_LEAD, username="chumiao-lead", township=chumiao),
        "beiguan_lead": make_user(Role.TOWNSHIP_LEAD, username="beiguan-lead", township=beiguan),
        "police": make_user(Role.POLICE_STATION, username="police", police_station=station),
    }
    return SimpleNamespace(
        county=county,
        chumiao=chumiao,
        beiguan=beiguan,
        brigade=brigade,
        captain=captain,
        firefighters=firefighters,
        other=other,
        outsider=outsider,
        fire_cm=fire_cm,
        fire_bg=fire_bg,
        users=users,
        today=timezone.localdate(),
    )


def pdf(name="建队批复.pdf"):
    return SimpleUploadedFile(
        name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", content_type="application/pdf"
    )


def png(name="执勤制度.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


# -- training and drills ------------------------------------------------------------------------------


def test_the_township_lead_records_a_drill_with_who_took_part(world):
    w = world
    drill = services.training_record(
        brigade=w.brigade,
        kind=TrainingRecord.Kind.DRILL,
        held_on=w.today,
        hours=Decimal("2.5"),
        topic="夜间灭火救援演练",
        participants=[w.captain, *w.firefighters],
        by=w.users["chumiao_lead"],
    )
    assert set(drill.participants.all()) == {w.captain, *w.firefighters}
    assert drill.history.get().history_user == w.users["chumiao_lead"]


def test_a_drill_in_the_future_is_refused_and_nothing_is_written(world):
    w = world
    refused(
        lambda: services.training_record(
            brigade=w.brigade,
            kind=TrainingRecord.Kind.DRILL,
            held_on=w.today + dt.timedelta(days=1),
            hours=Decimal(2),
            topic="计划中的演练",
            participants=[w.captain],
            by=w.users["chumiao_lead"],
        ),
        match="演练日期.*晚于今天",
    )


@pytest.mark.parametrize("hours", [Decimal(0), Decimal(25)])
def test_a_training_of_no_time_or_more_than_a_day_is_refused(world, hours):
    w = world
    refused(
        lambda: services.training_record(
            brigade=w.brigade, kind="training", held_on=w.today, hours=hours, topic="体能", by=None
        ),
        match="时长",
    )


def test_another_brigades_member_cannot_be_a_participant(world):
    w = world
    refused(
        lambda: services.training_record(
            brigade=w.brigade,
            kind="training",
            held_on=w.today,
            hours=Decimal(1),
            topic="水带铺设",
            participants=[w.captain, w.outsider],
            by=w.users["chumiao_lead"],
        ),
        match="不是褚庙乡专职消防队的队员",
    )


@pytest.mark.parametrize("role", ["beiguan_lead", "office", "police"])
def test_only_the_brigades_own_lead_or_the_center_keep_its_archive(world, role):
    """Another township's lead, a county official (who reads) and a police station are refused every
    kind of record, and nothing is written."""
    w = world
    by = w.users[role]
    now = timezone.now()
    calls = [
        lambda: services.training_record(
            brigade=w.brigade, kind="drill", held_on=w.today, hours=Decimal(1), topic="演练", by=by
        ),
        lambda: services.call_out_record(
            brigade=w.brigade, kind="rescue", called_at=now - dt.timedelta(hours=1), address="褚庙村", by=by
        ),
        lambda: services.publicity_record(
            brigade=w.brigade, held_on=w.today, kind="lecture", place="褚庙乡中学", audience=200, by=by
        ),
        lambda: services.duty_roster_add(brigade=w.brigade, duty_on=w.today, leader=w.captain, by=by),
        lambda: services.brigade_document_add(
            brigade=w.brigade, kind="founding", title="建队批复", file=pdf(), by=by
        ),
    ]
    for call in calls:
        refused(call, AccessDenied)


def test_the_center_keeps_any_brigades_archive(world):
    w = world
    services.publicity_record(
        brigade=w.other,
        held_on=w.today,
        kind="door_to_door",
        place="北关村",
        audience=35,
        by=w.users["center"],
    )
    assert PublicityActivity.objects.get().brigade == w.other


# -- call-outs ----------------------------------------------------------------------------------------


def test_a_call_out_records_its_times_and_the_fire_it_answered(world):
    w = world
    called = timezone.now() - dt.timedelta(hours=3)
    call_out = services.call_out_record(
        brigade=w.brigade,
        kind=CallOut.Kind.FIRE,
        called_at=called,
        arrived_at=called + dt.timedelta(minutes=14, seconds=30),
        address="褚庙村",
        outcome="明火扑灭，无人员伤亡",
        incident=w.fire_cm,
        by=w.users["chumiao_lead"],
    )
    assert call_out.response_minutes == 14
    assert list(w.fire_cm.call_outs.all()) == [call_out]


def test_an_arrival_before_the_call_is_refused_and_nothing_is_written(world):
    w = world
    called = timezone.now() - dt.timedelta(hours=1)
    refused(
        lambda: services.call_out_record(
            brigade=w.brigade,
            kind=CallOut.Kind.RESCUE,
            called_at=called,
            arrived_at=called - dt.timedelta(minutes=5),
            address="褚庙村",
            by=w.users["chumiao_lead"],
        ),
        match="到场时间.*早于接警时间",
    )


def test_a_call_out_in_the_future_or_to_another_townships_fire_is_refused(world):
    w = world
    lead = w.users["chumiao_lead"]
    refused(
        lambda: services.call_out_record(
            brigade=w.brigade,
            kind="rescue",
            called_at=timezone.now() + dt.timedelta(hours=1),
            address="褚庙村",
            by=lead,
        ),
        match="接警时间晚于当前时间",
    )
    refused(
        lambda: services.call_out_record(
            brigade=w.brigade,
            kind="fire",
            called_at=timezone.now() - dt.timedelta(hours=1),
            address="北关村",
            incident=w.fire_bg,
            by=lead,
        ),
        match="不在褚庙乡专职消防队的辖区",
    )
    refused(
        lambda: services.call_out_record(
            brigade=w.brigade,
            kind="assistance",
            called_at=timezone.now() - dt.timedelta(hours=1),
            address="褚庙村",
            incident=w.fire_cm,
            by=lead,
        ),
        match="出警类型应为“火灾”",
    )


def test_a_call_out_may_answer_a_fire_it_was_sent_to_in_another_township(world):
    w = world
    w.fire_bg.responding_brigade = w.brigade
    w.fire_bg.save()
    services.call_out_record(
        brigade=w.brigade,
        kind="fire",
        called_at=timezone.now() - dt.timedelta(hours=1),
        address="北关村",
        incident=w.fire_bg,
        by=w.users["chumiao_lead"],
    )
    assert CallOut.objects.get().incident == w.fire_bg


# -- duty, publicity, documents -----------------------------------------------------------------------


def test_a_shift_is_put_on_the_roster_once(world):
    w = world
    lead = w.users["chumiao_lead"]
    tomorrow = w.today + dt.timedelta(days=1)
    entry = services.duty_roster_add(
        brigade=w.brigade, duty_on=tomorrow, shift="night", leader=w.captain, members=w.firefighters, by=lead
    )
    assert set(entry.members.all()) == set(w.firefighters)
    refused(
        lambda: services.duty_roster_add(
            brigade=w.brigade, duty_on=tomorrow, shift="night", leader=w.firefighters[0], by=lead
        ),
        ConflictError,
        match="已排班",
    )
    refused(
        lambda: services.duty_roster_add(brigade=w.brigade, duty_on=w.today, leader=w.outsider, by=lead),
        match="不是褚庙乡专职消防队的队员",
    )


def test_publicity_in_the_future_is_refused(world):
    w = world
    refused(
        lambda: services.publicity_record(
            brigade=w.brigade,
            held_on=w.today + dt.timedelta(days=3),
            kind="lecture",
            place="褚庙乡中学",
            audience=100,
            by=w.users["chumiao_lead"],
        ),
        match="宣传日期",
    )


def test_a_document_is_a_photo_or_a_pdf_and_is_served_only_to_who_sees_the_brigade(
    world, client, settings, tmp_path
):
    w = world
    settings.MEDIA_ROOT = tmp_path
    document = services.brigade_document_add(
        brigade=w.brigade,
        kind="founding",
        title="关于成立褚庙乡专职消防队的批复",
        file=pdf(),
        by=w.users["chumiao_lead"],
    )
    services.brigade_document_add(
        brigade=w.brigade, kind="duty_rules", title="执勤制度", file=png(), by=w.users["chumiao_lead"]
    )
    assert document.file.name.startswith("brigade-documents/")
    assert "批复" not in document.file.name  # a random name, nothing from the user
    fake = SimpleUploadedFile("验收报告.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    refused(
        lambda: services.brigade_document_add(
            brigade=w.brigade, kind="acceptance", title="验收报告", file=fake, by=w.users["chumiao_lead"]
        ),
        ValidationError,
    )
    url = document.file.url
    for role, status in {"chumiao_lead": 200, "office": 200, "center": 200, "beiguan_lead": 404}.items():
        client.force_login(w.users[role])
        assert client.get(url).status_code == status, role


# -- pages --------------------------------------------------------------------------------------------


def fill_archive(w):
    """A record of each kind for 褚庙乡's brigade, by its lead."""
    lead = w.users["chumiao_lead"]
    services.brigade_document_add(
        brigade=w.brigade, kind="founding", title="建队批复文件", file=pdf(), by=lead
    )
    services.training_record(
        brigade=w.brigade,
        kind="drill",
        held_on=w.today,
        hours=Decimal(2),
        topic="夜间灭火救援演练",
        participants=[w.captain, w.firefighters[0]],
        by=lead,
    )
    services.training_record(
        brigade=w.brigade, kind="training", held_on=w.today, hours=Decimal(1), topic="水带铺设训练", by=lead
    )
    services.duty_roster_add(
        brigade=w.brigade, duty_on=w.today, leader=w.captain, members=w.firefighters, by=lead
    )
    services.call_out_record(
        brigade=w.brigade,
        kind="rescue",
        called_at=timezone.now() - dt.timedelta(minutes=40),
        arrived_at=timezone.now() - dt.timedelta(minutes=30),
        address="褚庙村东头",
        outcome="救出被困群众一名",
        by=lead,
    )
    services.publicity_record(
        brigade=w.brigade, held_on=w.today, kind="lecture", place="褚庙乡中学", audience=320, by=lead
    )


def test_the_printable_archive_shows_every_record_and_refuses_other_townships(
    world, client, settings, tmp_path
):
    w = world
    settings.MEDIA_ROOT = tmp_path
    fill_archive(w)
    FundingAllocationFactory(township=w.chumiao, year=w.today.year, amount=Decimal("150000"))
    url = reverse("firebrigade:brigade-archive", args=[w.brigade.pk])
    for role in ("chumiao_lead", "office", "center"):
        client.force_login(w.users[role])
        page = client.get(url)
        assert page.status_code == 200, role
        html = page.content.decode()
        for text in (
            "褚庙乡专职消防队一队一档",
            "褚队长",
            "150000.00",
            "建队批复文件",
            "夜间灭火救援演练",
            "水带铺设训练",
            "褚庙村东头",
            "救出被困群众一名",
            "褚庙乡中学",
        ):
            assert text in html, (role, text)
        assert 'data-testid="activity-drills">1<' in html
        assert "archive.css" in html
    client.force_login(w.users["beiguan_lead"])
    assert client.get(url).status_code == 404
    client.force_login(w.users["police"])
    assert client.get(url).status_code == 403


def test_the_lead_adds_each_record_from_the_brigade_page(world, client, settings, tmp_path):
    w = world
    settings.MEDIA_ROOT = tmp_path
    client.force_login(w.users["chumiao_lead"])
    detail = reverse("firebrigade:brigade-detail", args=[w.brigade.pk])
    page = client.get(detail).content.decode()
    for testid in (
        "training-add-form",
        "call-out-add-form",
        "publicity-add-form",
        "duty-add-form",
        "document-add-form",
    ):
        assert testid in page
    today = w.today.isoformat()
    # The form offers the fires of the last year.
    FireIncident.objects.filter(pk=w.fire_cm.pk).update(
        occurred_at=timezone.now() - dt.timedelta(hours=3), reported_at=timezone.now()
    )
    posts = {
        "training-record": {
            "training-kind": "drill",
            "training-held_on": today,
            "training-hours": "1.5",
            "training-topic": "器材操作演练",
            "training-participants": [w.captain.pk, w.firefighters[1].pk],
        },
        "call-out-record": {
            "call_out-kind": "fire",
            "call_out-called_at": (timezone.localtime() - dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "call_out-arrived_at": (timezone.localtime() - dt.timedelta(hours=1, minutes=45)).strftime(
                "%Y-%m-%dT%H:%M"
            ),
            "call_out-address": "褚庙村",
            "call_out-incident": w.fire_cm.pk,
        },
        "publicity-record": {
            "publicity-held_on": today,
            "publicity-kind": "door_to_door",
            "publicity-place": "褚庙村",
            "publicity-audience": "48",
        },
        "duty-roster-add": {"duty-duty_on": today, "duty-shift": "day", "duty-leader": w.captain.pk},
        "brigade-document-add": {
            "document-kind": "acceptance",
            "document-title": "验收报告",
            "document-file": pdf(),
        },
    }
    for name, data in posts.items():
        response = client.post(reverse(f"firebrigade:{name}", args=[w.brigade.pk]), data)
        assert response.status_code == 302, (
            name,
            re.findall(r"errorlist.*?</ul>", response.content.decode(), re.S),
        )
    assert [m.count() for m in (TrainingRecord.objects, CallOut.objects, PublicityActivity.objects)] == [
        1,
        1,
        1,
    ]
    assert DutyRosterEntry.objects.count() == BrigadeDocument.objects.count() == 1
    assert set(TrainingRecord.objects.get().participants.all()) == {w.captain, w.firefighters[1]}

    # A drill tomorrow: the form again with the reason, nothing written.
    before = snapshot()
    tomorrow = (w.today + dt.timedelta(days=1)).isoformat()
    response = client.post(
        reverse("firebrigade:training-record", args=[w.brigade.pk]),
        {
            "training-kind": "drill",
            "training-held_on": tomorrow,
            "training-hours": "1",
            "training-topic": "演练",
        },
    )
    assert response.status_code == 400
    assert "晚于今天" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(("role", "status"), [("beiguan_lead", 404), ("office", 403), ("police", 403)])
def test_others_cannot_post_to_a_brigades_archive(world, client, role, status):
    w = world
    client.force_login(w.users[role])
    before = snapshot()
    response = client.post(
        reverse("firebrigade:publicity-record", args=[w.brigade.pk]),
        {"publicity-held_on": w.today.isoformat(), "publicity-kind": "lecture", "publicity-place": "x"},
    )
    assert response.status_code == status
    assert snapshot() == before


# -- monthly counts -----------------------------------------------------------------------------------


def test_monthly_counts_equal_the_records_of_the_month(world):
    w = world
    fill_archive(w)
    lead = w.users["chumiao_lead"]
    last_month = w.today.replace(day=1) - dt.timedelta(days=1)
    services.training_record(
        brigade=w.brigade, kind="drill", held_on=last_month, hours=Decimal(1), topic="上月演练", by=lead
    )
    services.publicity_record(brigade=w.brigade, held_on=last_month, kind="leaflets", place="集市", by=lead)
    services.training_record(
        brigade=w.other, kind="drill", held_on=w.today, hours=Decimal(1), topic="北关演练", by=None
    )
    counted = {
        b.pk: b.activity for b in selectors.brigade_month_activity(user=w.users["office"], month=w.today)
    }
    mine = counted[w.brigade.pk]
    assert (mine.drills, mine.trainings, mine.call_outs, mine.publicity) == (1, 1, 1, 1)
    assert mine.month == w.today.replace(day=1)
    assert (counted[w.other.pk].drills, counted[w.other.pk].publicity) == (1, 0)
    before = {
        b.pk: b.activity for b in selectors.brigade_month_activity(user=w.users["office"], month=last_month)
    }
    assert (before[w.brigade.pk].drills, before[w.brigade.pk].publicity, before[w.brigade.pk].call_outs) == (
        1,
        1,
        0,
    )
    # A township lead counts only the brigades of its township.
    assert [b.pk for b in selectors.brigade_month_activity(user=lead, month=w.today)] == [w.brigade.pk]
    # The township's figures read the same counts, with the brigades.
    (gaps,) = selectors.township_brigade_gaps(user=lead, township_ids=[w.chumiao.pk], activity_month=w.today)
    assert gaps.brigades[0].activity == mine


def test_the_township_page_and_the_dashboard_show_the_months_activity(world, client):
    w = world
    fill_archive(w)
    CampaignFactory(
        county=w.county, starts_on=w.today - dt.timedelta(days=40), ends_on=w.today + dt.timedelta(days=60)
    )
    client.force_login(w.users["chumiao_lead"])
    township_page = client.get(reverse("homes:township", args=[w.chumiao.pk])).content.decode()
    assert 'data-testid="brigade-activity"' in township_page
    for testid in ("activity-drills", "activity-trainings", "activity-call-outs", "activity-publicity"):
        assert f'data-testid="{testid}">1<' in township_page

    client.force_login(w.users["office"])
    dashboard = client.get("/dashboard/")
    assert dashboard.status_code == 200
    row = next(r for r in dashboard.context["data"].rows if r.name == "褚庙乡")
    assert (row.drills, row.trainings, row.call_outs, row.publicity) == (1, 1, 1, 1)
    assert "专职队当月活动" in dashboard.content.decode()
    assert dashboard.context["data"].totals.drills == 1


# -- reminders ----------------------------------------------------------------------------------------


def test_reminders_for_expiring_contracts_and_certificates_and_a_month_without_a_drill(world):
    w = world
    lead = w.users["chumiao_lead"]
    on = dt.date(2022, 3, 10)
    BrigadeMember.objects.filter(pk=w.captain.pk).update(
        contract_until=on + dt.timedelta(days=30),
        certification="消防员四级",
        certificate_until=on + dt.timedelta(days=5),
    )
    BrigadeMember.objects.filter(pk=w.firefighters[0].pk).update(contract_until=on + dt.timedelta(days=31))
    BrigadeMember.objects.filter(pk=w.firefighters[1].pk).update(
        contract_until=on + dt.timedelta(days=3), left_on=dt.date(2022, 1, 1), on_duty=False
    )
    rules = ["member_contract_expiring", "member_certificate_expiring", "brigade_no_drill"]
    first = reminders.reminders_run(on=on, rules=rules)
    # The captain's contract (30 days ahead: within); not 31 days ahead, not a member who left.
    assert first == {"member_contract_expiring": 1, "member_certificate_expiring": 1, "brigade_no_drill": 1}
    notes = {n.rule: n for n in Notification.objects.filter(recipient=lead)}
    assert set(notes) == set(rules)
    assert "褚队长" in notes["member_contract_expiring"].text
    assert "消防员四级" in notes["member_certificate_expiring"].text
    assert "2022年2月" in notes["brigade_no_drill"].text
    assert notes["brigade_no_drill"].url == f"/brigades/{w.brigade.pk}/"
    assert notes["member_contract_expiring"].text_en  # written in English too
    # Once per end date and month, however often the rules run.
    assert sum(reminders.reminders_run(on=on, rules=rules).values()) == 0
    # A day later the contract 31 days ahead comes within the 30 days.
    assert reminders.reminders_run(on=on + dt.timedelta(days=1), rules=rules) == {
        "member_contract_expiring": 1,
        "member_certificate_expiring": 0,
        "brigade_no_drill": 0,
    }
    # The planned brigade of 北关镇 does not drill yet: not reminded.
    assert not Notification.objects.filter(rule="brigade_no_drill", object_id=w.other.pk).exists()


def test_a_drill_last_month_spares_the_reminder(world):
    w = world
    on = dt.date(2022, 3, 10)
    TrainingRecord.objects.create(
        brigade=w.brigade, kind="drill", held_on=dt.date(2022, 2, 28), hours=Decimal(2), topic="演练"
    )
    assert reminders.reminders_run(on=on, rules=["brigade_no_drill"]) == {"brigade_no_drill": 0}
    # A training is not a drill; a drill this month is not last month's.
    TrainingRecord.objects.all().update(kind="training")
    TrainingRecord.objects.create(
        brigade=w.brigade, kind="drill", held_on=dt.date(2022, 3, 1), hours=Decimal(2), topic="演练"
    )
    assert reminders.reminders_run(on=on, rules=["brigade_no_drill"]) == {"brigade_no_drill": 1}


def test_a_certificate_cannot_expire_before_it_was_obtained(world):
    w = world
    with pytest.raises(ApplicationError, match="证书有效期至"):
        services.brigade_member_add(
            brigade=w.brigade,
            name="新队员",
            role="firefighter",
            hired_on=dt.date(2021, 6, 1),
            certified_on=dt.date(2021, 5, 1),
            certificate_until=dt.date(2021, 4, 1),
            by=w.users["chumiao_lead"],
        )
    assert not BrigadeMember.objects.filter(name="新队员").exists()
