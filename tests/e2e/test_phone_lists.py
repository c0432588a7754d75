"""Lists on a 390 px phone: the hazard and assignment lists become one card per row, every column
named and on screen (单位 of a hazard; 时限 / 状态 / 进度 of a task), the filter button's label on one
line, and the buttons and links a thumb taps at least 44 px high."""

import pytest

from core.models import Role
from tests import factories as f
from tests.inspections.factories import open_hazard

PASSWORD = "a-long-test-password-1"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The cell of the row labelled `label` (data-label): how it is shown and where it lies.
CELL = """([row, label]) => {
  const td = [...row.querySelectorAll('td')].find((c) => c.dataset.label === label);
  if (!td) return null;
  const box = td.getBoundingClientRect();
  return {text: td.innerText, display: getComputedStyle(td).display, left: box.left, right: box.right,
          height: box.height, before: getComputedStyle(td, '::before').content};
}"""
# How many lines a button's label takes (one rectangle per line of its text).
LINES = """(el) => { const r = document.createRange(); r.selectNodeContents(el);
  return new Set([...r.getClientRects()].map((x) => Math.round(x.top))).size; }"""


def _login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_load_state("networkidle")


def _cell(page, row_selector, label):
    row = page.locator(row_selector).first
    return row.evaluate(f"(row) => ({CELL})([row, {label!r}])")


def _check_filters(page):
    button = page.locator("[data-testid=filter-submit]")
    assert button.evaluate(LINES) == 1  # "筛选", not "筛/选"
    for el in page.locator("[data-testid=filters] .button, [data-testid=filter-form] .button").all():
        assert el.bounding_box()["height"] >= 44


def test_hazard_and_assignment_lists_are_cards_on_a_phone(live_server, phone, screenshot_dir):
    township = f.TownshipFactory(name="北关镇")
    premises = f.PremisesFactory(township=township, name="北关镇中心幼儿园附属食堂")
    open_hazard(premises=premises, description="厨房灭火器压力不足，需更换")
    f.AssignmentFactory(township=township, responsible_person="王副镇长")
    f.FireIncidentFactory(township=township, premises=premises, reported_at=None)
    f.make_user(Role.TOWNSHIP_LEAD, username="beiguan", township=township)

    page = phone.new_page()
    _login(page, live_server.url, "beiguan")

    page.goto(f"{live_server.url}/inspections/hazards/")
    unit = _cell(page, "[data-testid=hazard-row]", "单位")
    assert unit["display"] == "flow-root"  # a card's line, not a table cell
    assert "北关镇中心幼儿园附属食堂" in unit["text"]
    assert unit["before"] == '"单位"'
    assert unit["left"] >= 0
    assert unit["right"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing off screen
    link = page.locator("[data-testid=hazard-row] a").first
    assert link.bounding_box()["height"] >= 44
    _check_filters(page)
    page.screenshot(path=str(screenshot_dir / "phone-hazard-cards.png"), full_page=True)

    page.goto(f"{live_server.url}/meetings/assignments/")
    for label, value in (("完成时限", "2021年12月31日"), ("状态", "已分解"), ("进度", "0%")):
        cell = _cell(page, "[data-testid=assignment-row]", label)
        assert cell["display"] == "flow-root"
        assert value in cell["text"]
        assert cell["right"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    _check_filters(page)
    page.screenshot(path=str(screenshot_dir / "phone-assignment-cards.png"), full_page=True)

    page.goto(f"{live_server.url}/brigades/incidents/")
    for label, value in (("报告时间", "迟报"), ("直接损失（万元）", "")):
        cell = _cell(page, "[data-testid=incident-row]", label)
        assert value in cell["text"]
        assert cell["right"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(screenshot_dir / "phone-incident-cards.png"), full_page=True)


def test_the_desktop_keeps_the_table(live_server, desktop):
    township = f.TownshipFactory(name="北关镇")
    f.AssignmentFactory(township=township)
    f.make_user(Role.TOWNSHIP_LEAD, username="beiguan", township=township)
    page = desktop.new_page()
    _login(page, live_server.url, "beiguan")
    page.goto(f"{live_server.url}/meetings/assignments/")
    assert _cell(page, "[data-testid=assignment-row]", "状态")["display"] == "table-cell"
    assert page.locator("[data-testid=assignment-table] thead").is_visible()
