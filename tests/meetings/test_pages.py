"""Meeting pages end to end: the meeting with its directives and the per-township progress matrix
(overdue cells marked), the assignment list and page; who sees what (北关镇 cannot reach 褚庙乡's
assignment), who may post, exports, and a constant number of queries whatever the data size."""

import datetime as dt
import io
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from core.exports import XLSX
from core.models import Role
from meetings import services
from meetings.filters import AssignmentFilter, MeetingFilter
from meetings.models import Assignment, Attendance, Directive, Meeting, ProgressReport, Statement
from meetings.page_filters import AssignmentPageFilter, MeetingPageFilter
from meetings.services import local_today
from tests.factories import (
    CountyFactory,
    MeetingFactory,
    PoliceStationFactory,
    TownshipFactory,
    UserFactory,
    make_user,
)

pytestmark = pytest.mark.django_db

DEADLINE = dt.date(2021, 12, 31)
MEETINGS = reverse("meetings:meeting-list")
ASSIGNMENTS = reverse("meetings:assignment-list")

SHANGHAI = ZoneInfo("Asia/Shanghai")


def make_world():
    """民权县's 推进会 of 2021-11-17 with two sub-venues, statements by 褚庙乡 and 北关镇, and
    three directives:
    1. 专职队伍建设: 北关镇 at 100% and 褚庙乡 at 60%, both past the 2021-12-31 deadline (overdue);
    2. 隐患自查自除: both closed on time;
    3. 装备配备: 褚庙乡 only, with a deadline a month ahead (open, not overdue).
    One user of every role, and an official of another county."""
    county = CountyFactory(name="民权县")
    chumiao = TownshipFactory(county=county, name="褚庙乡", principal_leader="褚书记")
    beiguan = TownshipFactory(county=county, name="北关镇", principal_leader="北书记")
    huayuan = TownshipFactory(county=county, name="花园乡", principal_leader="花书记")
    other_county = CountyFactory(name="宁陵县")

    meeting = services.meeting_create(
        county=county,
        title="全县专职消防队伍建设暨冬春火灾防控工作推进会",
        held_at=dt.datetime(2021, 11, 17, 15, 0, tzinfo=SHANGHAI),
        chair="王景义",
        chair_title="县委常委、常务副县长",
        main_venue="县政府三楼会议室",
        sub_venues="褚庙乡分会场\n北关镇分会场",
        by=None,
    )
    services.statement_record(
        meeting=meeting, township=chumiao, kind="typical", summary="褚庙乡专职消防队建设经验", by=None
    )
    services.statement_record(
        meeting=meeting, township=beiguan, kind="commitment", summary="北关镇表态：年底前建成", by=None
    )
    services.attendance_record(
        meeting=meeting,
        unit="褚庙乡人民政府",
        person="褚书记",
        venue="sub",
        venue_name="褚庙乡分会场",
        by=None,
    )
    d1 = services.directive_add(
        meeting=meeting, category="brigade", text="加快完成乡镇专职消防队伍建设", priority="high", by=None
    )
    d2 = services.directive_add(
        meeting=meeting, category="hazards", text="隐患自查自除", priority="normal", by=None
    )
    d3 = services.directive_add(
        meeting=meeting, category="equipment", text="落实消防装备配备", priority="normal", by=None
    )

    a_bg, a_cm = services.directive_assign(
        directive=d1, townships=[beiguan, chumiao], deadline=DEADLINE, by=None
    )
    services.assignment_report_progress(
        assignment=a_bg, reported_on=dt.date(2021, 12, 20), text="北关镇已完成", percent=100, by=None
    )
    services.assignment_report_progress(
        assignment=a_cm, reported_on=dt.date(2021, 12, 20), text="褚庙乡营房在建", percent=60, by=None
    )
    closed_bg, closed_cm = services.directive_assign(
        directive=d2, townships=[beiguan, chumiao], deadline=DEADLINE, by=None
    )
    for closed in (closed_bg, closed_cm):
        services.assignment_report_progress(
            assignment=closed, reported_on=dt.date(2021, 12, 10), text="已整改", percent=100, by=None
        )
        services.assignment_close(assignment=closed, closed_on=dt.date(2021, 12, 11), by=None)
    (future_cm,) = services.directive_assign(
        directive=d3, townships=[chumiao], deadline=local_today() + dt.timedelta(days=30), by=None
    )

    station = PoliceStationFactory(county=county, name="城关派出所")
    station.townships.add(beiguan)
    users = {
        "center": make_user(Role.GUIDANCE_CENTER, username="center"),
        "office": make_user(Role.COUNTY_OFFICIAL, username="office", county=county),
        "chumiao_lead": make_user(Role.TOWNSHIP_LEAD, username="chumiao-lead", township=chumiao),
        "beiguan_lead": make_user(Role.TOWNSHIP_LEAD, username="beiguan-lead", township=beiguan),
        "police": make_user(Role.POLICE_STATION, username="police", police_station=station),
        "foreign_office": make_user(Role.COUNTY_OFFICIAL, username="ningling", county=other_county),
        "no_role": UserFactory(username="nobody"),
    }
    return SimpleNamespace(
        county=county,
        chumiao=chumiao,
        beiguan=beiguan,
        huayuan=huayuan,
        meeting=meeting,
        d1=d1,
        d2=d2,
        d3=d3,
        a_bg=a_bg,
        a_cm=a_cm,
        closed_bg=closed_bg,
        closed_cm=closed_cm,
        future_cm=future_cm,
        users=users,
    )


@pytest.fixture
def world():
    return make_world()


def login(client, user):
    client.force_login(user)
    return client


def meeting_url(meeting):
    return reverse("meetings:meeting-detail", args=[meeting.pk])


def assignment_url(assignment, action=None):
    name = {None: "assignment-detail", "report": "assignment-report-progress", "close": "assignment-close"}
    return reverse(f"meetings:{name[action]}", args=[assignment.pk])


def snapshot():
    """Everything a refused request must leave as it was: row and history counts, assignment state."""
    counts = {m.__name__: (m.objects.count(), m.history.count()) for m in (Assignment, ProgressReport)}
    states = list(
        Assignment.objects.order_by("id").values_list("id", "status", "closed_on", "progress_percent")
    )
    return counts, states


# -- meetings -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["center", "office", "chumiao_lead", "beiguan_lead", "police"])
def test_meeting_list_and_detail_render_for_every_role_of_the_county(client, world, role):
    login(client, world.users[role])
    page = client.get(MEETINGS).content.decode()
    assert "全县专职消防队伍建设暨冬春火灾防控工作推进会" in page
    assert meeting_url(world.meeting) in page
    response = client.get(meeting_url(world.meeting))
    assert response.status_code == 200
    page = response.content.decode()
    for text in (
        "王景义",
        "县委常委、常务副县长",
        "县政府三楼会议室",
        "褚庙乡分会场",
        "北关镇分会场",
        "褚庙乡专职消防队建设经验",
        "北关镇表态：年底前建成",
        "加快完成乡镇专职消防队伍建设",
    ):
        assert text in page, text


def test_meeting_of_another_county_is_not_found(client, world):
    login(client, world.users["foreign_office"])
    assert client.get(meeting_url(world.meeting)).status_code == 404
    assert list(client.get(MEETINGS).context["page"]) == []


def cell_html(page, assignment):
    """The <td> of the progress matrix that links to `assignment`."""
    link = f'href="{assignment_url(assignment)}"'
    start = page.rindex("<td", 0, page.index(link))
    return page[start : page.index("</td>", start)]


def test_progress_matrix_marks_overdue_cells_and_links_each_to_its_assignment(client, world):
    response = login(client, world.users["office"]).get(meeting_url(world.meeting))
    page = response.content.decode()
    matrix = response.context["page"].progress
    assert [t.name for t in matrix.townships] == sorted(["北关镇", "花园乡", "褚庙乡"])
    for overdue in (world.a_cm, world.a_bg):
        cell = cell_html(page, overdue)
        assert 'class="bad"' in cell
        assert "逾期" in cell
    for on_time in (world.closed_cm, world.future_cm):
        cell = cell_html(page, on_time)
        assert "bad" not in cell
        assert "逾期" not in cell
    assert "60%" in cell_html(page, world.a_cm)
    assert response.context["page"].overdue == 2
    assert page.count('data-testid="matrix-cell"') == 5


def test_township_lead_sees_only_its_own_column_of_the_matrix(client, world):
    response = login(client, world.users["beiguan_lead"]).get(meeting_url(world.meeting))
    page = response.content.decode()
    assert [t.name for t in response.context["page"].progress.townships] == ["北关镇"]
    assert assignment_url(world.a_bg) in page
    assert assignment_url(world.a_cm) not in page


def test_meeting_list_exports_xlsx(client, world):
    response = login(client, world.users["office"]).get(MEETINGS, {"format": "xlsx"})
    assert response["Content-Type"] == XLSX
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][1] == "全县专职消防队伍建设暨冬春火灾防控工作推进会"
    assert rows[1][5] == "褚庙乡分会场、北关镇分会场"
    assert rows[1][6] == 3


# -- assignment list ------------------------------------------------------------------------------


def listed(response):
    assert response.status_code == 200
    return {a.pk for a in response.context["page"]}


def test_assignment_list_is_scoped_to_the_leads_township(client, world):
    response = login(client, world.users["chumiao_lead"]).get(ASSIGNMENTS)
    assert listed(response) == {world.a_cm.pk, world.closed_cm.pk, world.future_cm.pk}
    page = response.content.decode()
    assert f'href="/trace/assignments/{world.a_cm.pk}/"' in page
    assert f'href="{assignment_url(world.a_cm)}"' in page


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"overdue": "true"}, {"a_bg", "a_cm"}),
        ({"overdue": "1"}, {"a_bg", "a_cm"}),
        ({"overdue": "false"}, {"closed_bg", "closed_cm", "future_cm"}),
        ({"status": "closed"}, {"closed_bg", "closed_cm"}),
        ({"township": "beiguan"}, {"a_bg", "closed_bg"}),
        ({"township": "beiguan", "overdue": "true"}, {"a_bg"}),
    ],
)
def test_assignment_list_filters_by_township_status_and_overdue(client, world, params, expected):
    params = {k: (world.beiguan.pk if v == "beiguan" else v) for k, v in params.items()}
    response = login(client, world.users["office"]).get(ASSIGNMENTS, params)
    assert listed(response) == {getattr(world, name).pk for name in expected}


def test_the_pages_filter_with_the_apis_names_and_choices(client, world):
    """One filter language: the pages' filters are the API's FilterSets (widgets aside)."""
    assert issubclass(AssignmentPageFilter, AssignmentFilter)
    assert issubclass(MeetingPageFilter, MeetingFilter)
    login(client, world.users["beiguan_lead"])
    # 褚庙乡 is not one of 北关镇's lead's choices: the page answers 404 (the API, 400).
    assert client.get(ASSIGNMENTS, {"township": world.chumiao.pk}).status_code == 404
    later = listed(client.get(ASSIGNMENTS, {"deadline_after": "2022-01-01", "directive": world.d1.pk}))
    assert later == set()
    assert listed(client.get(ASSIGNMENTS, {"directive": world.d1.pk})) == {world.a_bg.pk}
    assert list(client.get(MEETINGS, {"held_at_after": "2021-11-18"}).context["page_obj"]) == []
    assert list(client.get(MEETINGS, {"held_at_before": "2021-11-17"}).context["page_obj"]) == [world.meeting]


def test_assignment_list_marks_overdue_rows(client, world):
    page = login(client, world.users["office"]).get(ASSIGNMENTS).content.decode()
    assert page.count('data-testid="overdue"') == 2


def test_assignment_list_exports_xlsx_with_the_same_scope_and_filters(client, world):
    response = login(client, world.users["chumiao_lead"]).get(
        ASSIGNMENTS, {"format": "xlsx", "overdue": "true"}
    )
    assert response["Content-Type"] == XLSX
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2
    assert (rows[1][4], rows[1][8], rows[1][10]) == ("褚庙乡", 60, "逾期")


# -- assignment page ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "report_form", "close_form"),
    [("center", True, True), ("office", False, True), ("chumiao_lead", True, True)],
)
def test_assignment_page_shows_reports_and_the_forms_each_role_may_use(
    client, world, role, report_form, close_form
):
    response = login(client, world.users[role]).get(assignment_url(world.a_cm))
    assert response.status_code == 200
    page = response.content.decode()
    assert "褚庙乡营房在建" in page
    assert "加快完成乡镇专职消防队伍建设" in page
    assert f'href="/trace/assignments/{world.a_cm.pk}/"' in page
    assert 'data-testid="overdue"' in page
    assert ('data-testid="report-form"' in page) is report_form
    assert ('data-testid="close-form"' in page) is close_form


def test_a_closed_assignment_shows_no_forms(client, world):
    page = login(client, world.users["chumiao_lead"]).get(assignment_url(world.closed_cm)).content.decode()
    assert 'data-testid="closed-note"' in page
    assert 'data-testid="report-form"' not in page


def test_beiguan_lead_gets_404_on_chumiaos_assignment_and_posts_write_nothing(client, world):
    login(client, world.users["beiguan_lead"])
    assert client.get(assignment_url(world.a_cm)).status_code == 404
    before = snapshot()
    response = client.post(
        assignment_url(world.a_cm, "report"),
        {"report-reported_on": "2022-01-05", "report-text": "越权报告", "report-percent": "100"},
    )
    assert response.status_code == 404
    response = client.post(assignment_url(world.closed_cm, "close"), {"close-closed_on": "2022-01-05"})
    assert response.status_code == 404
    assert (
        client.post(assignment_url(world.a_bg, "close"), {"close-closed_on": "2020-01-01"}).status_code == 400
    )
    assert snapshot() == before


@pytest.mark.parametrize("role", ["office", "police"])
def test_readers_get_403_when_reporting_progress_and_nothing_is_written(client, world, role):
    assignment = world.a_cm if role == "office" else world.a_bg
    login(client, world.users[role])
    before = snapshot()
    response = client.post(
        assignment_url(assignment, "report"),
        {"report-reported_on": "2022-01-05", "report-text": "代报", "report-percent": "100"},
    )
    assert response.status_code == 403
    assert snapshot() == before


def test_police_station_may_not_close_and_a_foreign_official_does_not_see(client, world):
    before = snapshot()
    login(client, world.users["police"])
    assert (
        client.post(assignment_url(world.a_bg, "close"), {"close-closed_on": "2022-01-05"}).status_code == 403
    )
    login(client, world.users["foreign_office"])
    assert (
        client.post(assignment_url(world.a_bg, "close"), {"close-closed_on": "2022-01-05"}).status_code == 404
    )
    assert snapshot() == before


# -- query counts ---------------------------------------------------------------------------------


def grow(world, factor: int, tag: str):
    """`factor` more townships and directives, every directive assigned to every new township,
    each assignment with a report; statements and attendance grow too."""
    townships = [TownshipFactory(county=world.county, name=f"{tag}乡{n}") for n in range(factor)]
    for n in range(factor):
        directive = services.directive_add(
            meeting=world.meeting, category="grid", text=f"{tag}部署{n}", priority="normal", by=None
        )
        for assignment in services.directive_assign(
            directive=directive, townships=townships, deadline=DEADLINE, by=None
        ):
            ProgressReport.objects.create(
                assignment=assignment, reported_on=dt.date(2021, 12, 1), text="推进", percent=10
            )
        Statement.objects.create(
            meeting=world.meeting, township=townships[n], kind="commitment", summary="表态"
        )
        Attendance.objects.create(meeting=world.meeting, unit=f"{tag}单位{n}", person="某人", venue="main")
    MeetingFactory(county=world.county, title=f"{tag}会议")


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ["office", "chumiao_lead"])
@pytest.mark.parametrize("page", ["meeting", "assignments", "meetings", "assignment"])
def test_meeting_pages_run_the_same_queries_for_a_small_and_a_ten_times_larger_dataset(
    client, world, role, page
):
    login(client, world.users[role])
    url = {
        "meeting": meeting_url(world.meeting),
        "assignments": ASSIGNMENTS,
        "meetings": MEETINGS,
        "assignment": assignment_url(world.a_cm),
    }[page]
    grow(world, 2, "小")  # 4 more assignments
    small = count_queries(client, url)
    grow(world, 6, "大")  # 36 more: ten times as many
    ProgressReport.objects.bulk_create(
        ProgressReport(assignment=world.a_cm, reported_on=dt.date(2021, 12, 21), text="补充", percent=60)
        for _ in range(10)
    )
    large = count_queries(client, url)
    assert small == large
    assert Meeting.objects.count() == 3
    assert Directive.objects.count() == 3 + 2 + 6


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_meeting_pages_fit_a_390px_phone_without_sideways_scrolling(live_server, client):
    from tests.firebrigade.test_pages import assert_fit_a_phone

    world = make_world()
    assert_fit_a_phone(
        live_server,
        client,
        {
            world.users["chumiao_lead"]: [
                MEETINGS,
                meeting_url(world.meeting),
                ASSIGNMENTS,
                assignment_url(world.a_cm),
            ],
            world.users["office"]: [meeting_url(world.meeting)],
        },
    )


def test_a_police_station_reads_the_directives_but_not_the_townships_assignments(client, world):
    """Least privilege (meetings.access): a meeting's directives are the county's orders; the
    assignments and progress reports under them are the townships' work, not a police station's."""
    login(client, world.users["police"])
    page = client.get(meeting_url(world.meeting)).content.decode()
    assert "加快完成乡镇专职消防队伍建设" in page
    assert 'data-testid="progress-matrix"' not in page
    assert assignment_url(world.a_bg) not in page
    for url in (assignment_url(world.a_bg), "/meetings/assignments/", f"/trace/assignments/{world.a_bg.pk}/"):
        refused = client.get(url)
        assert refused.status_code == 403, url
        assert "不查看乡镇的会议任务和进度报告" in refused.content.decode()
