"""The inspection and self-inspection forms on a 390 px phone, used with a thumb: every tap target is at
least 44 px high, "全部合格" marks every item 合格, choosing 不合格 opens a hazard entry for that item
under it, and after a refused submit the first problem is scrolled into view and the banner names it.
The checklist is the premises category's (a school's items, not a shop's)."""

import datetime as dt

import pytest
from django.db import connections

from core.clock import local_today
from core.models import Role
from inspections.models import Hazard, Inspection
from tests import factories as f

PASSWORD = "a-long-test-password-1"
MIN_TAP = 44

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Every control a thumb taps in the form (a checklist choice is its whole label), and the page's links.
TAP_TARGETS = """() => {
  const form = document.querySelector("[data-testid=record-form]");
  const targets = [
    ...form.querySelectorAll("label.choice, button, select, textarea, a, input:not([type=radio]):not([type=hidden])"),
    ...document.querySelectorAll(".page-head a"),
  ];
  return targets
    .filter((el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden")
    .map((el) => ({
      what: el.tagName + (el.name ? "[" + el.name + "]" : "") + " " + (el.innerText || "").trim().slice(0, 20),
      height: el.getBoundingClientRect().height,
    }));
}"""

IN_VIEW = """(el) => {
  const box = el.getBoundingClientRect();
  return box.height > 0 && box.top >= 0 && box.bottom <= window.innerHeight;
}"""


def _setup():
    chumiao = f.TownshipFactory(name="褚庙乡")
    school = f.PremisesFactory(township=chumiao, name="褚庙乡中心小学", category="school")
    items = [
        f.ChecklistItemFactory(code="JC01", text="疏散通道、安全出口畅通", order=1),
        f.ChecklistItemFactory(code="JC02", text="灭火器配置齐全且在有效期内", order=2),
        f.ChecklistItemFactory(code="JC03", text="电气线路敷设规范，无私拉乱接", order=3),
        f.ChecklistItemFactory(
            code="JC09", text="学生宿舍无违规使用大功率电器", order=9, premises_categories=["school"]
        ),
    ]
    f.ChecklistItemFactory(code="JC10", text="摊位之间留有防火间距", order=10, premises_categories=["market"])
    f.make_user(Role.TOWNSHIP_LEAD, username="chumiao", township=chumiao)
    f.make_user(Role.PREMISES_RESPONSIBLE, username="principal", premises=school)
    return school, items


def _login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_load_state("networkidle")


def _small_targets(page) -> list:
    targets = page.evaluate(TAP_TARGETS)
    assert len(targets) > 10
    return [t for t in targets if t["height"] < MIN_TAP - 0.5]


def _checked(page) -> list:
    return page.eval_on_selector_all(
        "[data-testid=checklist-item]",
        "items => items.map(i => (i.querySelector('input[type=radio]:checked') || {}).value || '')",
    )


def test_the_inspection_form_is_thumb_friendly_and_a_failed_item_opens_its_hazard(
    live_server, phone, screenshot_dir
):
    school, items = _setup()
    base = live_server.url
    page = phone.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    _login(page, base, "chumiao")
    # No premises yet: choosing one in the list loads its category's checklist.
    page.goto(f"{base}/inspections/record/")
    assert page.locator("[data-testid=choose-premises-first]").is_visible()
    with page.expect_navigation():
        page.select_option("#id_premises", str(school.pk))
    assert f"premises={school.pk}" in page.url

    # The school's checklist: the common items and the school's, not the market's.
    texts = page.locator("[data-testid=checklist-item] .text").all_inner_texts()
    assert [t.split()[0] for t in texts] == ["JC01", "JC02", "JC03", "JC09"]
    assert _small_targets(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # 全部合格 marks every item.
    assert _checked(page) == ["", "", "", ""]
    page.click("[data-testid=all-pass]")
    assert _checked(page) == ["pass"] * 4

    # 不合格 on JC02 (a tap anywhere on its label) opens a hazard entry for JC02 under it.
    jc02 = page.locator(f"#item-{items[1].pk}")
    jc02.locator("[data-testid=choice-fail]").click(position={"x": 5, "y": 5})
    assert _checked(page) == ["pass", "fail", "pass", "pass"]
    entry = jc02.locator("[data-testid=item-hazard] [data-testid=hazard-form]")
    assert entry.is_visible()
    assert entry.locator("select[name$=checklist_item]").input_value() == str(items[1].pk)
    assert "灭火器配置齐全且在有效期内" in entry.locator("textarea[name$=description]").input_value()
    assert page.evaluate("document.activeElement.name").endswith("-severity")
    assert _small_targets(page) == []
    page.screenshot(path=str(screenshot_dir / "record-phone-hazard-entry.png"), full_page=True)

    # Back to 合格: the untouched entry closes; 不合格 again opens it again.
    jc02.locator("[data-testid=choice-pass]").click()
    assert jc02.locator("[data-testid=hazard-form]").count() == 0
    jc02.locator("[data-testid=choice-fail]").click()
    assert entry.is_visible()

    # A refused submit: the deadline is before the inspection. The page comes back scrolled to it.
    page.fill("#id_inspectors", "赵专干")
    entry.locator("select[name$=severity]").select_option("general")
    entry.locator("input[name$=deadline]").fill("2020-01-01")
    entry.locator("input[name$=responsible_person]").fill("王校长")
    page.click("[data-testid=record-submit]")
    page.wait_for_load_state("networkidle")
    banner = page.locator("[data-testid=form-errors]")
    assert banner.is_visible()
    assert "隐患 1 · 整改期限" in banner.inner_text()
    first_error = page.locator("[data-testid=record-form] .errorlist").first
    assert first_error.evaluate(IN_VIEW), page.evaluate("window.scrollY")
    assert page.evaluate("window.scrollY") > 0
    # The entry is back under its item, with what was typed.
    jc02 = page.locator(f"#item-{items[1].pk}")
    assert jc02.locator("[data-testid=hazard-form] input[name$=responsible_person]").input_value() == "王校长"
    page.screenshot(path=str(screenshot_dir / "record-phone-refused.png"))

    jc02.locator("input[name$=deadline]").fill((local_today() + dt.timedelta(days=10)).isoformat())
    page.click("[data-testid=record-submit]")
    page.wait_for_load_state("networkidle")
    assert "/inspections/record/" not in page.url, page.inner_text("main")
    assert errors == []

    connections.close_all()
    inspection = Inspection.objects.get()
    assert dict(inspection.results.values_list("item__code", "result")) == {
        "JC01": "pass",
        "JC02": "fail",
        "JC03": "pass",
        "JC09": "pass",
    }
    hazard = Hazard.objects.get()
    assert (hazard.checklist_item_id, hazard.responsible_person) == (items[1].pk, "王校长")


def test_the_self_inspection_form_is_thumb_friendly_and_marks_all_in_one_tap(live_server, phone):
    _setup()
    base = live_server.url
    page = phone.new_page()
    _login(page, base, "principal")
    page.goto(f"{base}/inspections/record/")
    assert "单位自查" in page.inner_text("h1")
    texts = page.locator("[data-testid=checklist-item] .text").all_inner_texts()
    assert [t.split()[0] for t in texts] == ["JC01", "JC02", "JC03", "JC09"]
    assert _small_targets(page) == []

    # A refused submit (no inspector named, JC03 unanswered): the banner says where, the first problem
    # is in view.
    page.locator("[data-testid=checklist-item] [data-testid=choice-pass]").nth(0).click()
    page.locator("[data-testid=checklist-item] [data-testid=choice-na]").nth(1).click()
    page.locator("[data-testid=checklist-item] [data-testid=choice-pass]").nth(3).click()
    page.click("[data-testid=record-submit]")
    page.wait_for_load_state("networkidle")
    places = page.locator("[data-testid=error-place]").all_inner_texts()
    assert places[-1].startswith("检查项 JC03"), places
    first = page.locator("[data-testid=record-form] .errorlist, [data-testid=record-form] .has-error").first
    assert first.evaluate(IN_VIEW)

    # 全部合格 fills what is left and keeps the 不适用 chosen.
    page.click("[data-testid=all-pass]")
    assert _checked(page) == ["pass", "na", "pass", "pass"]
    assert _small_targets(page) == []
