"""The map in a real browser: a township lead's phone gives its place when recording an inspection,
the premises is placed there, and the county official's map draws it among the boundaries."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import connections

from core.models import Role
from inspections.models import Inspection
from tests import factories as f
from townships import services as township_services
from townships.models import Premises

PASSWORD = "a-long-test-password-1"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE_AT = {"latitude": 34.612345, "longitude": 115.123456, "accuracy": 8}


def _setup():
    beiguan = f.TownshipFactory(name="北关镇")
    ring = [[115.0, 34.5], [115.2, 34.5], [115.2, 34.7], [115.0, 34.7], [115.0, 34.5]]
    township_services.township_boundaries_upload(
        county=beiguan.county,
        content=json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"name": "北关镇"},
                        "geometry": {"type": "Polygon", "coordinates": [ring]},
                    }
                ],
            }
        ).encode(),
    )
    f.BrigadeFactory(
        township=beiguan,
        name="北关镇专职消防队",
        status="established",
        established_on=dt.date(2021, 6, 1),
        latitude=Decimal("34.6"),
        longitude=Decimal("115.1"),
    )
    premises = f.PremisesFactory(township=beiguan, name="北关集贸市场")
    f.ChecklistItemFactory(code="JC01", text="疏散通道、安全出口畅通")
    f.make_user(Role.TOWNSHIP_LEAD, username="beiguan", township=beiguan)
    f.make_user(Role.COUNTY_OFFICIAL, username="county", county=beiguan.county)
    return premises


def _login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_load_state("networkidle")


def test_the_phone_places_the_premises_and_the_county_map_draws_it(
    live_server, browser, desktop, screenshot_dir
):
    premises = _setup()
    base = live_server.url
    phone = browser.new_context(
        viewport={"width": 390, "height": 844},
        locale="zh-CN",
        geolocation=PHONE_AT,
        permissions=["geolocation"],
    )
    lead = phone.new_page()
    _login(lead, base, "beiguan")
    lead.goto(f"{base}/inspections/record/?premises={premises.pk}")
    lead.wait_for_function("document.getElementById('id_latitude').value !== ''")
    assert "已记录检查地点" in lead.inner_text("[data-testid=location-status]")
    lead.fill("#id_inspectors", "赵专干")
    lead.locator("[data-testid=checklist-item] input[value=pass]").check()
    lead.click("[data-testid=record-submit]")
    lead.wait_for_load_state("networkidle")
    assert "/inspections/record/" not in lead.url, lead.inner_text("main")
    phone.close()

    connections.close_all()
    inspection = Inspection.objects.get()
    assert (inspection.latitude, inspection.longitude) == (Decimal("34.612345"), Decimal("115.123456"))
    assert inspection.location_accuracy_m == 8
    placed = Premises.objects.get(pk=premises.pk)
    assert (placed.latitude, placed.longitude) == (Decimal("34.612345"), Decimal("115.123456"))

    official = desktop.new_page()
    errors = []
    official.on("pageerror", lambda e: errors.append(str(e)))
    official.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _login(official, base, "county")
    official.goto(f"{base}/map/")
    official.wait_for_selector("#county-map[data-ready='1'] canvas")
    assert errors == []
    data = json.loads(official.inner_text("#map-data"))
    assert [p[2] for p in data["premises"]] == ["北关集贸市场"]
    assert len(data["circles"]) == 1
    official.screenshot(path=str(screenshot_dir / "county-map.png"), full_page=True)
