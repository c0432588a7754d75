"""The assignment page's forms: a township reports progress (date, text, percent, evidence) and the
assignment is closed. Good input writes the rows with the acting user; each refusal (progress going
backwards, over 100%, a date in the future, closing without a 100% report, a file that is not a
photo or PDF) is shown on the form, nothing is written, and what was typed is shown again."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from meetings.models import Assignment, ProgressReport
from meetings.services import local_today
from tests.meetings.test_pages import assignment_url, make_world, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def lead_client(client, world):
    client.force_login(world.users["chumiao_lead"])
    return client


def pdf():
    return SimpleUploadedFile(
        "营房照片说明.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n", content_type="application/pdf"
    )


def png():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    return SimpleUploadedFile("现场.png", buffer.getvalue(), content_type="image/png")


def report_data(**changes):
    data = {
        "report-reported_on": "2022-01-05",
        "report-text": "营房主体完工，车辆已到位",
        "report-percent": "80",
    }
    data.update({f"report-{k}": v for k, v in changes.items()})
    return data


def assert_refused(response, before, *typed):
    assert response.status_code == 400
    page = response.content.decode()
    assert "errorlist" in page
    for value in typed:
        assert str(value) in page, value
    assert snapshot() == before


# -- report progress ------------------------------------------------------------------------------


def test_lead_reports_progress_with_evidence_and_the_report_is_recorded(lead_client, world):
    response = lead_client.post(assignment_url(world.a_cm, "report"), report_data(evidence=pdf()))
    assert response.status_code == 302
    assert response["Location"] == assignment_url(world.a_cm)
    report = ProgressReport.objects.get(text="营房主体完工，车辆已到位")
    assert (report.assignment, report.reported_on, report.percent) == (world.a_cm, dt.date(2022, 1, 5), 80)
    assert report.reported_by == world.users["chumiao_lead"]
    assert report.evidence.name.startswith("progress/")
    assert report.history.get().history_user == world.users["chumiao_lead"]
    world.a_cm.refresh_from_db()
    assert (world.a_cm.status, world.a_cm.progress_percent) == (Assignment.Status.IN_PROGRESS, 80)
    page = lead_client.get(response["Location"]).content.decode()
    assert "已报告进展" in page
    assert report.evidence.url in page


def test_guidance_center_may_report_for_the_township(client, world):
    client.force_login(world.users["center"])
    response = client.post(assignment_url(world.a_cm, "report"), report_data(evidence=png()))
    assert response.status_code == 302
    assert ProgressReport.objects.get(text="营房主体完工，车辆已到位").reported_by == world.users["center"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"percent": "50"}, "进度不能倒退：上次报告已达 60%，本次为 50%"),
        ({"percent": "150"}, "100"),
        ({"percent": "-5"}, "0"),
        ({"reported_on": "future"}, "报告日期不能晚于今天"),
        ({"reported_on": "2021-12-01"}, "报告日期不能早于上次报告（2021-12-20）"),
        ({"reported_on": "2021-11-01"}, "报告日期不能早于会议日期 2021-11-17"),
        ({"text": ""}, "必填项"),
        ({"percent": "八十"}, "整数"),
    ],
)
def test_report_refuses_bad_input_keeps_what_was_typed_and_writes_nothing(
    lead_client, world, changes, message
):
    if changes.get("reported_on") == "future":
        changes["reported_on"] = (local_today() + dt.timedelta(days=1)).isoformat()
    data = report_data(**changes)
    before = snapshot()
    response = lead_client.post(assignment_url(world.a_cm, "report"), data)
    assert_refused(response, before, data["report-reported_on"], data["report-percent"])
    page = response.content.decode()
    assert message in page
    if data["report-text"]:
        assert data["report-text"] in page


def test_report_refuses_evidence_that_is_not_a_photo_or_pdf_and_asks_for_the_file_again(lead_client, world):
    bogus = SimpleUploadedFile("证明.pdf", b"MZ\x90\x00 not a pdf at all", content_type="application/pdf")
    before = snapshot()
    response = lead_client.post(assignment_url(world.a_cm, "report"), report_data(evidence=bogus))
    assert_refused(response, before, "营房主体完工，车辆已到位")
    page = response.content.decode()
    assert "只能上传照片（JPG、PNG、WEBP）或 PDF 文件" in page
    assert 'data-testid="file-again"' in page
    assert "请重新选择文件" in page


def test_reporting_on_a_closed_assignment_is_refused(lead_client, world):
    before = snapshot()
    response = lead_client.post(assignment_url(world.closed_cm, "report"), report_data(percent="100"))
    assert_refused(response, before)
    assert "任务已办结，不能再报告进展" in response.content.decode()


# -- close ----------------------------------------------------------------------------------------


def test_closing_without_a_100_percent_report_is_refused_on_the_form(lead_client, world):
    before = snapshot()
    response = lead_client.post(assignment_url(world.a_cm, "close"), {"close-closed_on": "2022-01-06"})
    assert_refused(response, before, "2022-01-06")
    assert "最近一次进展报告为 60%，完成 100% 后才能办结" in response.content.decode()


def test_closing_an_assignment_without_any_report_is_refused(lead_client, world):
    before = snapshot()
    response = lead_client.post(
        assignment_url(world.future_cm, "close"), {"close-closed_on": local_today().isoformat()}
    )
    assert_refused(response, before)
    assert "没有进展报告的任务不能办结" in response.content.decode()


@pytest.mark.parametrize(
    ("closed_on", "message"),
    [
        ("future", "办结日期不能晚于今天"),
        ("2021-12-01", "办结日期不能早于最近一次进展报告（2021-12-20）"),
        ("", "必填项"),
    ],
)
def test_closing_refuses_a_bad_date(client, world, closed_on, message):
    client.force_login(world.users["beiguan_lead"])
    if closed_on == "future":
        closed_on = (local_today() + dt.timedelta(days=1)).isoformat()
    before = snapshot()
    response = client.post(assignment_url(world.a_bg, "close"), {"close-closed_on": closed_on})
    assert_refused(response, before, closed_on)
    assert message in response.content.decode()


@pytest.mark.parametrize("role", ["beiguan_lead", "office", "center"])
def test_lead_county_office_and_center_close_a_finished_assignment(client, world, role):
    client.force_login(world.users[role])
    response = client.post(assignment_url(world.a_bg, "close"), {"close-closed_on": "2022-01-10"})
    assert response.status_code == 302
    world.a_bg.refresh_from_db()
    assert (world.a_bg.status, world.a_bg.closed_on) == (Assignment.Status.CLOSED, dt.date(2022, 1, 10))
    assert world.a_bg.history.first().history_user == world.users[role]
    page = client.get(response["Location"]).content.decode()
    assert "任务已办结" in page
    assert 'data-testid="close-form"' not in page


def test_report_then_close_from_the_page(lead_client, world):
    assert (
        lead_client.post(assignment_url(world.a_cm, "report"), report_data(percent="100")).status_code == 302
    )
    response = lead_client.post(assignment_url(world.a_cm, "close"), {"close-closed_on": "2022-01-05"})
    assert response.status_code == 302
    world.a_cm.refresh_from_db()
    assert world.a_cm.status == Assignment.Status.CLOSED
