"""The premises trace-back (责任倒查) with a long history: a fixed number of queries whatever its
length, and the same timeline as before it was made fast (events, order, who)."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from core.models import Role
from inspections import selectors, services
from inspections.models import Hazard, Inspection
from tests.factories import (
    CountyFactory,
    FireIncidentFactory,
    PremisesFactory,
    TownshipFactory,
    make_user,
)
from tests.inspections.factories import hazard_data, record_inspection

pytestmark = pytest.mark.django_db

D = dt.date
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _stamp(hazard, day: dt.date) -> None:
    """Date the hazard's latest history row (the services stamp it now) so that the timeline is fixed."""
    latest = Hazard.history.filter(id=hazard.pk).order_by("-history_id").first()
    Hazard.history.filter(history_id=latest.history_id).update(
        history_date=dt.datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI)
    )


@pytest.fixture
def township():
    return TownshipFactory(county=CountyFactory(), name="褚庙乡")


@pytest.fixture
def premises(township):
    return PremisesFactory(township=township, name="褚庙乡供销超市")


@pytest.fixture
def people():
    return {
        "lead": make_user(Role.GUIDANCE_CENTER, username="zhao"),
        "inspector": make_user(Role.GUIDANCE_CENTER, username="qian"),
    }


@pytest.fixture
def history(premises, people):
    """Two inspections with hazards that went round the loop: deadline extended twice, started,
    rectified, failed re-inspection, rectified again, verified late; one verified directly; one left
    open past its deadline whose status and deadline changed in the same history row; an inspection
    without hazards; accountability for a hazard and for the premises."""
    lead, inspector = people["lead"], people["inspector"]
    first = record_inspection(
        premises=premises,
        by=lead,
        hazards=[
            hazard_data(deadline=D(2021, 11, 27)),
            hazard_data(
                severity=Hazard.Severity.MAJOR, description="电气线路私拉乱接", deadline=D(2021, 11, 30)
            ),
        ],
    )
    late, direct = first.hazards.order_by("id")
    for hazard in (late, direct):
        _stamp(hazard, D(2021, 11, 20))
    services.hazard_extend_deadline(
        hazard=late, new_deadline=D(2021, 12, 5), reason="线路需整体更换", by=lead
    )
    _stamp(late, D(2021, 11, 24))
    services.hazard_extend_deadline(hazard=late, new_deadline=D(2021, 12, 6), reason="材料未到", by=lead)
    _stamp(late, D(2021, 11, 26))
    services.hazard_start_rectifying(hazard=late, by=lead)
    _stamp(late, D(2021, 11, 27))
    services.hazard_rectify(
        hazard=late, rectified_on=D(2021, 11, 30), rectified_by="王老板", measures="更换", by=lead
    )
    _stamp(late, D(2021, 11, 30))
    services.hazard_reinspect(
        hazard=late,
        inspected_on=D(2021, 12, 2),
        inspectors="赵专干",
        passed=False,
        note="未接地",
        by=inspector,
    )
    _stamp(late, D(2021, 12, 2))
    services.hazard_rectify(
        hazard=late, rectified_on=D(2021, 12, 8), rectified_by="王老板", measures="接地", by=lead
    )
    _stamp(late, D(2021, 12, 8))
    services.hazard_reinspect(
        hazard=late, inspected_on=D(2021, 12, 10), inspectors="赵专干", passed=True, by=inspector
    )
    _stamp(late, D(2021, 12, 10))
    services.hazard_rectify(
        hazard=direct, rectified_on=D(2021, 11, 25), rectified_by="李电工", measures="重新布线"
    )
    _stamp(direct, D(2021, 11, 25))
    services.hazard_reinspect(hazard=direct, inspected_on=D(2021, 11, 26), inspectors="钱网格员", passed=True)
    _stamp(direct, D(2021, 11, 26))

    second = record_inspection(
        premises=premises,
        by=inspector,
        kind=Inspection.Kind.GUIDANCE_CENTER,
        inspected_on=D(2021, 12, 15),
        inspectors="县指导中心",
        hazards=[hazard_data(description="灭火器过期", deadline=D(2021, 12, 20))],
    )
    still_open = second.hazards.get()
    _stamp(still_open, D(2021, 12, 15))
    still_open.status, still_open.deadline = Hazard.Status.RECTIFYING, D(2021, 12, 25)
    still_open._history_user, still_open._change_reason = lead, "后台更正"
    still_open.save()
    _stamp(still_open, D(2021, 12, 16))
    record_inspection(premises=premises, by=lead, inspected_on=D(2021, 12, 15), hazards=[])

    for hazard, person in ((late, "王老板"), (None, "褚庙乡供销超市负责人")):
        services.accountability_record(
            township=premises.township,
            premises=premises,
            hazard=hazard,
            person=person,
            unit=premises.name,
            finding="逾期整改",
            sanction="警告",
            decided_by="县消防工作办公室",
            decided_on=D(2021, 12, 20),
        )
    return premises


def _grow(premises, *, by, n: int) -> None:
    """n more inspections with two hazards each, each extended, started, rectified and sent back."""
    for i in range(n):
        inspection = record_inspection(
            premises=premises,
            by=by,
            inspected_on=D(2021, 12, 1 + i),
            hazards=[hazard_data(deadline=D(2021, 12, 31)), hazard_data(deadline=D(2021, 12, 31))],
        )
        for hazard in inspection.hazards.all():
            services.hazard_extend_deadline(hazard=hazard, new_deadline=D(2022, 1, 10), reason="x", by=by)
            services.hazard_start_rectifying(hazard=hazard, by=by)
            services.hazard_rectify(
                hazard=hazard, rectified_on=D(2021, 12, 20), rectified_by="x", measures="x"
            )
            services.hazard_reinspect(
                hazard=hazard, inspected_on=D(2021, 12, 21), inspectors="x", passed=False, note="x", by=by
            )


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_trace_page_runs_the_same_queries_however_long_the_history(history, client):
    client.force_login(make_user(Role.GUIDANCE_CENTER))
    url = f"/trace/premises/{history.pk}/"
    assert client.get(url).status_code == 200  # warm the session and the user's profile
    small = _queries(lambda: client.get(url))
    assert _queries(lambda: selectors.premises_trace(premises=history)) == 10  # 7 + hand-overs, actions, 督办
    _grow(history, by=make_user(Role.GUIDANCE_CENTER, username="sun"), n=5)
    _grow(history, by=None, n=2)
    large = _queries(lambda: client.get(url))
    assert large == small
    assert _queries(lambda: selectors.premises_trace(premises=history)) == 10  # 7 + hand-overs, actions, 督办
    assert client.get(url).content.decode().count('<tr class="kind-') == 19 + 7 + 14 * 5


def test_trace_objects_are_tied_together_without_further_queries(history, django_assert_num_queries):
    trace = selectors.premises_trace(premises=history, on=D(2022, 1, 1))
    with django_assert_num_queries(0):
        inspections = [(i.recorded_by.username, len(i.trace_hazards)) for i in trace.inspections]
        for hazard in trace.hazards:
            assert hazard.premises is history
            assert hazard in hazard.inspection.trace_hazards
            assert hazard.inspection.recorded_by.username
            for rectification in hazard.trace_rectifications:
                assert rectification.hazard is hazard
                assert rectification.submitted_by is None or rectification.submitted_by.username
            for reinspection in hazard.trace_reinspections:
                assert reinspection.hazard is hazard
                assert reinspection.rectification in hazard.trace_rectifications
                assert reinspection.recorded_by is None or reinspection.recorded_by.username
        for event in trace.events:
            assert event.user is None or event.user.username
        late = trace.hazards[0]
        assert [r.submitted_by.username for r in late.trace_rectifications] == ["zhao", "zhao"]
        assert [(r.passed, r.recorded_by.username) for r in late.trace_reinspections] == [
            (False, "qian"),
            (True, "qian"),
        ]
    assert inspections == [("zhao", 2), ("qian", 1), ("zhao", 0)]


def test_trace_timeline_is_unchanged_events_order_and_who(history):
    trace = selectors.premises_trace(premises=history, on=D(2022, 1, 1))
    timeline = [(e.date, e.kind, e.title, e.people, e.user and e.user.username) for e in trace.events]
    assert timeline == [
        (D(2021, 11, 20), "inspection", "乡镇检查，发现隐患 2 处", "赵专干、钱网格员", "zhao"),
        (D(2021, 11, 20), "hazard", "发现一般隐患：安全出口堵塞（整改期限 2021年12月6日，责任人 王老板）", "赵专干、钱网格员", "zhao"),
        (D(2021, 11, 20), "hazard", "发现重大火灾隐患：电气线路私拉乱接（整改期限 2021年11月30日，责任人 王老板）", "赵专干、钱网格员", "zhao"),
        (D(2021, 11, 24), "deadline_extended", "整改期限由 2021年11月27日 调整为 2021年12月5日（延长整改期限：线路需整体更换）", "", "zhao"),
        (D(2021, 11, 25), "rectification", "整改完成：重新布线", "李电工", None),
        (D(2021, 11, 26), "deadline_extended", "整改期限由 2021年12月5日 调整为 2021年12月6日（延长整改期限：材料未到）", "", "zhao"),
        (D(2021, 11, 26), "reinspection", "复查合格，销号", "钱网格员", None),
        (D(2021, 11, 27), "started", "开始整改", "", "zhao"),
        (D(2021, 11, 30), "rectification", "整改完成：更换", "王老板", "zhao"),
        (D(2021, 12, 2), "reinspection", "复查不合格：未接地", "赵专干", "qian"),
        (D(2021, 12, 8), "rectification", "整改完成：接地", "王老板", "zhao"),
        (D(2021, 12, 10), "reinspection", "复查合格，销号", "赵专干", "qian"),
        (D(2021, 12, 15), "inspection", "指导中心检查，发现隐患 1 处", "县指导中心", "qian"),
        (D(2021, 12, 15), "inspection", "乡镇检查，发现隐患 0 处", "赵专干、钱网格员", "zhao"),
        (D(2021, 12, 15), "hazard", "发现一般隐患：灭火器过期（整改期限 2021年12月25日，责任人 王老板）", "县指导中心", "qian"),
        (D(2021, 12, 16), "started", "开始整改", "", "zhao"),
        (D(2021, 12, 16), "deadline_extended", "整改期限由 2021年12月20日 调整为 2021年12月25日（后台更正）", "", "zhao"),
        (D(2021, 12, 20), "accountability", "责任追究：王老板（褚庙乡供销超市）警告", "县消防工作办公室", None),
        (D(2021, 12, 20), "accountability", "责任追究：褚庙乡供销超市负责人（褚庙乡供销超市）警告", "县消防工作办公室", None),
    ]  # fmt: skip
    assert [e.obj for e in trace.events if e.kind == "started"] == [
        Hazard.history.get(id=e.hazard.pk, history_date__date=e.date, status="rectifying")
        for e in trace.events
        if e.kind == "started"
    ]


ROW = (
    r'<tr class="([^"]*)">\s*<td>([^<]*)</td>\s*<td>(.*?)</td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>\s*</tr>'
)
LATE = ' <strong class="bad">（超期销号）</strong>'
OVERDUE = ' <strong class="bad">（逾期）</strong>'
# The rows as the page showed them before the trace was made fast (same template output).
PAGE_ROWS = [
    ("kind-inspection", "2021年11月20日", "乡镇检查，发现隐患 2 处", "赵专干、钱网格员", "zhao"),
    ("kind-hazard", "2021年11月20日", "发现一般隐患：安全出口堵塞（整改期限 2021年12月6日，责任人 王老板）" + LATE, "赵专干、钱网格员", "zhao"),
    ("kind-hazard", "2021年11月20日", "发现重大火灾隐患：电气线路私拉乱接（整改期限 2021年11月30日，责任人 王老板）", "赵专干、钱网格员", "zhao"),
    ("kind-deadline_extended", "2021年11月24日", "整改期限由 2021年11月27日 调整为 2021年12月5日（延长整改期限：线路需整体更换）", "—", "zhao"),
    ("kind-rectification", "2021年11月25日", "整改完成：重新布线", "李电工", "—"),
    ("kind-deadline_extended", "2021年11月26日", "整改期限由 2021年12月5日 调整为 2021年12月6日（延长整改期限：材料未到）", "—", "zhao"),
    ("kind-reinspection", "2021年11月26日", "复查合格，销号", "钱网格员", "—"),
    ("kind-started", "2021年11月27日", "开始整改", "—", "zhao"),
    ("kind-rectification", "2021年11月30日", "整改完成：更换", "王老板", "zhao"),
    ("kind-reinspection", "2021年12月2日", "复查不合格：未接地", "赵专干", "qian"),
    ("kind-rectification", "2021年12月8日", "整改完成：接地", "王老板", "zhao"),
    ("kind-reinspection", "2021年12月10日", "复查合格，销号", "赵专干", "qian"),
    ("kind-inspection", "2021年12月15日", "指导中心检查，发现隐患 1 处", "县指导中心", "qian"),
    ("kind-inspection", "2021年12月15日", "乡镇检查，发现隐患 0 处", "赵专干、钱网格员", "zhao"),
    ("kind-hazard bad", "2021年12月15日", "发现一般隐患：灭火器过期（整改期限 2021年12月25日，责任人 王老板）" + OVERDUE, "县指导中心", "qian"),
    ("kind-started", "2021年12月16日", "开始整改", "—", "zhao"),
    ("kind-deadline_extended", "2021年12月16日", "整改期限由 2021年12月20日 调整为 2021年12月25日（后台更正）", "—", "zhao"),
    ("kind-accountability", "2021年12月20日", "责任追究：王老板（褚庙乡供销超市）警告", "县消防工作办公室", "—"),
    ("kind-accountability", "2021年12月20日", "责任追究：褚庙乡供销超市负责人（褚庙乡供销超市）警告", "县消防工作办公室", "—"),
]  # fmt: skip


def test_trace_pages_show_the_same_rows_as_before(history, client):
    client.force_login(make_user(Role.GUIDANCE_CENTER))
    page = client.get(f"/trace/premises/{history.pk}/").content.decode()
    assert re.findall(ROW, page) == PAGE_ROWS

    # The day of the fire: later rows marked, nothing overdue yet (the late hazard was verified by then).
    fire = FireIncidentFactory(
        township=history.township,
        premises=history,
        occurred_at=dt.datetime(2021, 12, 12, 20, tzinfo=SHANGHAI),
    )
    page = client.get(f"/trace/incidents/{fire.pk}/").content.decode()
    fire_day = dt.date(2021, 12, 12)
    expected = [
        (
            css.replace(" bad", "")
            + (" after-fire" if dt.date(*map(int, re.findall(r"\d+", day))) > fire_day else ""),
            day,
            title.replace(OVERDUE, ""),
            people,
            user,
        )
        for css, day, title, people, user in PAGE_ROWS
    ]
    assert re.findall(ROW, page) == expected


@pytest.fixture
def _chinese_afterwards():
    """A request in English leaves English active in this thread; later tests expect Chinese."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.mark.usefixtures("_chinese_afterwards")
def test_trace_rows_escape_what_users_typed_and_follow_the_language(premises, client):
    """The rows are written by homes.trace_views, not the template: they must escape and translate too."""
    typist = make_user(Role.GUIDANCE_CENTER, username="<b>typist</b>")
    inspection = record_inspection(
        premises=premises,
        by=typist,
        inspectors='<img src=x onerror="alert(1)">',
        hazards=[hazard_data(description="<script>alert('x')</script>", deadline=D(2021, 11, 27))],
    )
    client.force_login(make_user(Role.GUIDANCE_CENTER))
    page = client.get(f"/trace/premises/{premises.pk}/").content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page
    assert "<b>typist</b>" not in page
    assert "&lt;b&gt;typist&lt;/b&gt;" in page
    assert '<strong class="bad">（逾期）</strong>' in page

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(f"/trace/premises/{inspection.premises_id}/").content.decode()
    assert '<strong class="bad">(overdue)</strong>' in page


def test_trace_of_a_premises_without_records_says_so(premises, client):
    client.force_login(make_user(Role.GUIDANCE_CENTER))
    page = client.get(f"/trace/premises/{premises.pk}/").content.decode()
    assert '<tr><td colspan="4">暂无记录。</td></tr>' in page
    assert '<tr class="kind-' not in page


HAN = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


@pytest.mark.usefixtures("_chinese_afterwards")
def test_trace_timeline_reads_in_english_for_an_english_reader(history, client):
    """The timeline's phrases and dates are the reader's language; what people typed stays as typed."""
    with translation.override("en"):
        trace = selectors.premises_trace(premises=history, on=D(2022, 1, 1))
    titles = [e.title for e in trace.events]
    assert titles[:4] == [
        "Township inspection, 2 hazards found",
        "General hazard found: 安全出口堵塞 (rectification deadline 6 December 2021, responsible: 王老板)",
        "Major fire hazard found: 电气线路私拉乱接 (rectification deadline 30 November 2021, responsible: 王老板)",
        "Rectification deadline changed from 27 November 2021 to 5 December 2021 (延长整改期限：线路需整体更换)",
    ]
    assert "Re-inspection passed, closed" in titles
    assert "Re-inspection failed: 未接地" in titles
    assert "Rectified: 重新布线" in titles
    assert "Accountability: 王老板 (褚庙乡供销超市), 警告" in titles
    assert "Guidance center inspection, 1 hazard found" in titles

    client.force_login(make_user(Role.GUIDANCE_CENTER))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(f"/trace/premises/{history.pk}/").content.decode()
    rows = re.findall(ROW, page)
    assert len(rows) == len(PAGE_ROWS)
    typed = {
        "安全出口堵塞",
        "电气线路私拉乱接",
        "灭火器过期",
        "重新布线",
        "更换",
        "接地",
        "未接地",
        "王老板",
        "李电工",
    }
    typed |= {
        "赵专干",
        "钱网格员",
        "县指导中心",
        "县消防工作办公室",
        "褚庙乡供销超市",
        "褚庙乡供销超市负责人",
        "警告",
    }
    typed |= {"延长整改期限：线路需整体更换", "延长整改期限：材料未到", "后台更正"}
    for _css, day, title, _people, _user in rows:
        assert not HAN.search(day), day
        for words in sorted(typed, key=len, reverse=True):
            title = title.replace(words, "")
        assert not HAN.search(title), title
    assert rows[0][1] == "20 November 2021"
    summary = re.search(r'<ul class="summary">.*?</ul>', page, re.S).group(0)
    assert not HAN.search(summary), summary
    assert "3 inspections" in summary
