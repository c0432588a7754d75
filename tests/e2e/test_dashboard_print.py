"""The county dashboard on paper and at 1366 px: printed to PDF by Chromium, as 打印 does, every page
is headed with the campaign and the day and numbered, the charts fit on the first page and the
whole ranking follows; on a 1366 px screen the township column stays in sight."""

import datetime as dt
import io
import re
import unicodedata
from decimal import Decimal

import pytest
from django.db import connections
from django.utils import timezone
from pypdf import PdfReader

from core.models import Role
from firebrigade import services as brigade_services
from inspections import services as inspection_services
from leaders.dashboard import COLUMNS
from tests import factories as f

PASSWORD = "a-long-test-password-1"
# The 19 townships of the demo county: long names, as in the issue.
NAMES = [
    "北关镇", "褚庙乡", "花园乡", "人和镇", "龙塘镇", "程庄镇", "王庄寨镇", "孙六镇", "白云寺镇",
    "老颜集乡", "野岗镇", "伯党回族乡", "顺河乡", "双塔镇", "胡集回族乡", "王桥镇", "庄子镇",
    "南华街道办事处", "绿洲街道办事处",
]  # fmt: skip
CAMPAIGN = "本季冬春火灾防控"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _county():
    today = timezone.localdate()
    first = f.TownshipFactory(name=NAMES[0])
    townships = [first] + [f.TownshipFactory(name=n, county=first.county) for n in NAMES[1:]]
    campaign = f.CampaignFactory(
        county=first.county,
        name=CAMPAIGN,
        starts_on=today - dt.timedelta(days=20),
        ends_on=today + dt.timedelta(days=150),
    )
    for index, township in enumerate(townships[:8]):
        premises = [f.PremisesFactory(township=township) for _ in range(2)]
        plan = inspection_services.inspection_plan_create(
            campaign=campaign,
            township=township,
            title=f"{township.name}冬春检查计划",
            due_on=today + dt.timedelta(days=30),
            premises=premises,
        )
        inspection_services.inspection_record(
            premises=premises[0],
            kind="township",
            inspected_on=today - dt.timedelta(days=5),
            inspectors="专干",
            plan=plan,
            hazards=[
                {
                    "severity": "major" if n == 0 else "general",
                    "description": "疏散通道堵塞",
                    "deadline": today + dt.timedelta(days=10),
                    "responsible_person": "王",
                }
                for n in range(index % 3 + 1)
            ],
        )
    allocation = brigade_services.funding_allocate(
        township=first, year=campaign.starts_on.year, category="personnel", amount=Decimal(820000)
    )
    center = f.make_user(Role.GUIDANCE_CENTER)
    brigade_services.disbursement_record(
        allocation=allocation, amount=Decimal(410000), disbursed_on=campaign.starts_on, by=center
    )
    f.make_user(Role.COUNTY_OFFICIAL, username="county", county=first.county)
    return campaign, today


def _login(page, base):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "county")
    page.fill("#id_password", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_load_state("networkidle")


# The CJK fonts map some characters to radicals in the PDF's text: NFKC undoes the Kangxi ones
# (⽕ for 火), this table the simplified radicals NFKC leaves alone (⻰ for 龙).
RADICALS = str.maketrans("⻰⻅⻓⻛⻔⻢⻋⻚⻘⻜⻥⻩⻬⻮⻳⻄", "龙见长风门马车页青飞鱼黄齐齿龟西")


def _flat(text: str) -> str:
    """PDF text without the line breaks a wrapped header or name gets, and without radicals."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).translate(RADICALS))


def test_the_printed_dashboard_is_a4_landscape_headed_numbered_and_holds_every_column(
    live_server, browser, desktop, screenshot_dir
):
    campaign, today = _county()
    page = desktop.new_page()
    _login(page, live_server.url)
    page.goto(f"{live_server.url}/dashboard/?campaign={campaign.pk}")
    page.wait_for_load_state("networkidle")
    # What the browser does on 打印 (window.print()) before it lays the page out for paper.
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    connections.close_all()
    (screenshot_dir / "county-dashboard.pdf").write_bytes(pdf)  # to look at

    reader = PdfReader(io.BytesIO(pdf))
    pages = [_flat(p.extract_text()) for p in reader.pages]
    # The township table, the brigades' month of activity and the grid members' patrol ranking.
    assert 2 <= len(pages) <= 4, [len(p) for p in pages]
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (297, 210)  # A4 landscape

    as_of = f"数据截至{today.year}年{today.month}月{today.day}日"
    for number, text in enumerate(pages, start=1):
        assert CAMPAIGN in text, number
        assert as_of in text, (number, text[:200])
        assert f"{number}/{len(pages)}" in text, number
        assert len(text) > 200, f"page {number} is nearly blank"

    # Page one: the county's figures and the three charts, whole (their titles and every township).
    first = pages[0]
    for title in ("各乡镇隐患整改情况", "检查进度与任务办结率", "火灾起数：本期与上年同期"):
        assert _flat(title) in first, title
    assert all(first.count(_flat(name)) >= 3 for name in NAMES), "a chart lost a township"

    # Then the whole ranking: every column's header, every township, money in 万元.
    ranking = "".join(pages[1:])
    for _attr, header in COLUMNS:
        assert _flat(str(header)) in ranking, header
    for name in NAMES:
        assert _flat(name) in ranking, name
    assert "82.00" in ranking  # 820000 yuan budgeted
    assert "41.00" in ranking
    assert "820000" not in "".join(pages)


def test_the_township_column_stays_in_sight_when_the_ranking_scrolls_at_1366px(
    live_server, browser, screenshot_dir
):
    campaign, _today = _county()
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    _login(page, live_server.url)
    page.goto(f"{live_server.url}/dashboard/?campaign={campaign.pk}")
    page.wait_for_load_state("networkidle")
    scroller = page.locator("[data-testid=ranking]").locator("xpath=..")
    assert scroller.evaluate("e => e.scrollWidth > e.clientWidth"), "the ranking fits: nothing to test"
    name = page.locator("[data-testid=ranking] tbody th.name").first
    before = name.bounding_box()
    scroller.evaluate("e => { e.scrollLeft = e.scrollWidth; }")
    after = name.bounding_box()
    box = scroller.bounding_box()
    assert after["x"] == pytest.approx(box["x"], abs=2)  # pinned to the scroller's left edge
    assert after["x"] <= before["x"] + 1
    # and it is the last columns that came into view
    score = page.locator("[data-testid=ranking] thead th", has_text="综合得分")
    assert score.bounding_box()["x"] + score.bounding_box()["width"] <= box["x"] + box["width"] + 2
    assert page.locator("#chart-hazards svg").count() == 1
    page.screenshot(path=str(screenshot_dir / "county-dashboard-1366.png"), full_page=True)
    context.close()
    connections.close_all()
