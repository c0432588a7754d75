"""The whole loop in a real browser: a township fire lead records an inspection with a hazard on
a phone, and the county official's dashboard shows it."""

import datetime as dt
import io

import pytest
from django.db import connections
from django.utils import timezone
from PIL import Image

from core.models import Role
from inspections import services as inspection_services
from inspections.models import Hazard, Inspection
from tests import factories as f

PASSWORD = "a-long-test-password-1"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _setup():
    today = timezone.localdate()
    beiguan = f.TownshipFactory(name="北关镇")
    f.TownshipFactory(name="褚庙乡", county=beiguan.county)
    campaign = f.CampaignFactory(
        county=beiguan.county,
        name="本季冬春火灾防控",
        starts_on=today - dt.timedelta(days=20),
        ends_on=today + dt.timedelta(days=150),
    )
    premises = f.PremisesFactory(township=beiguan, name="北关集贸市场")
    inspection_services.inspection_plan_create(
        campaign=campaign,
        township=beiguan,
        title="北关镇冬春检查计划",
        due_on=today + dt.timedelta(days=30),
        premises=[premises],
    )
    for code, text in (("JC01", "疏散通道、安全出口畅通"), ("JC02", "灭火器配置齐全且在有效期内")):
        f.ChecklistItemFactory(code=code, text=text)
    f.make_user(Role.TOWNSHIP_LEAD, username="beiguan", township=beiguan)
    f.make_user(Role.COUNTY_OFFICIAL, username="county", county=beiguan.county)
    return premises, today


def _login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_load_state("networkidle")


def test_a_township_lead_records_a_hazard_on_a_phone_and_the_county_dashboard_shows_it(
    live_server, browser, phone, desktop, screenshot_dir, tmp_path
):
    premises, today = _setup()
    photo = tmp_path / "出口堵塞.png"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "orange").save(buffer, "PNG")
    photo.write_bytes(buffer.getvalue())
    base = live_server.url

    # The county official's dashboard before: nothing found yet.
    official = desktop.new_page()
    _login(official, base, "county")
    assert official.url.rstrip("/").endswith("/dashboard")
    assert official.inner_text("[data-testid=total-hazards]").strip() == "0"
    assert official.inner_text("[data-testid=total-inspected]").strip() == "0/1"

    # The township lead, on a phone, lands on the township page and records the inspection.
    lead = phone.new_page()
    _login(lead, base, "beiguan")
    assert f"/townships/{premises.township_id}/" in lead.url
    lead.screenshot(path=str(screenshot_dir / "township-page-phone.png"), full_page=True)
    lead.goto(f"{base}/inspections/record/?premises={premises.pk}")
    lead.fill("#id_inspectors", "赵专干、钱网格员")
    items = lead.locator("[data-testid=checklist-item]")
    assert items.count() == 2
    items.nth(0).locator("input[value=fail]").check()
    items.nth(1).locator("input[value=pass]").check()
    row = lead.locator("[data-testid=hazard-form]").first
    row.locator("select[name$=severity]").select_option("major")
    row.locator("textarea[name$=description]").fill("安全出口堆放杂物，疏散通道堵塞")
    row.locator("input[name$=deadline]").fill((today + dt.timedelta(days=7)).isoformat())
    row.locator("input[name$=responsible_person]").fill("王老板")
    row.locator("input[type=file]").set_input_files(str(photo))
    lead.screenshot(path=str(screenshot_dir / "record-inspection-phone.png"), full_page=True)
    lead.click("[data-testid=record-submit]")
    lead.wait_for_load_state("networkidle")
    assert "/inspections/record/" not in lead.url, lead.inner_text("main")
    # Nothing on a phone page may need sideways scrolling.
    assert lead.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    # The dashboard now counts the inspection and the major hazard.
    official.reload()
    official.wait_for_load_state("networkidle")
    assert official.inner_text("[data-testid=total-hazards]").strip() == "1"
    assert official.inner_text("[data-testid=total-inspected]").strip() == "1/1"
    assert "北关镇" in official.inner_text("[data-testid=ranking]")
    assert official.locator("#chart-hazards svg").count() == 1  # ECharts drew from static/vendor
    official.screenshot(path=str(screenshot_dir / "county-dashboard.png"), full_page=True)

    connections.close_all()
    hazard = Hazard.objects.get()
    assert hazard.severity == "major"
    assert hazard.township_id == premises.township_id
    assert hazard.photo_before.name.startswith("hazards/")
    assert Inspection.objects.get().recorded_by.username == "beiguan"
    for name in ("township-page-phone.png", "record-inspection-phone.png", "county-dashboard.png"):
        assert (screenshot_dir / name).stat().st_size > 5000
