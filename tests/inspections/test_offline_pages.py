"""The offline entry (PWA): the page a phone keeps, the service worker that keeps it (served from the
site's root, public, with the scope header) and the web app manifest (public)."""

import pytest

from core.models import Role
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_the_township_lead_opens_the_offline_entry_with_the_premises_and_checklist(
    client, township, premises, items
):
    other = f.PremisesFactory(township=f.TownshipFactory(name="别的乡"), name="别乡的单位")
    client.force_login(f.make_user(Role.TOWNSHIP_LEAD, township=township))
    page = client.get("/inspections/offline/")
    assert page.status_code == 200
    html = page.content.decode()
    assert premises.name in html
    assert other.name not in html
    assert html.count('data-testid="off-item"') == len(items)
    assert "/manifest.webmanifest" in html
    assert "offline-texts" in html


def test_a_role_that_records_no_inspections_is_refused_the_offline_entry(client):
    client.force_login(f.make_user(Role.COUNTY_OFFICIAL))
    assert client.get("/inspections/offline/").status_code == 403


def test_the_offline_entry_needs_a_login_but_the_worker_and_manifest_do_not(client):
    assert client.get("/inspections/offline/").status_code == 302
    worker = client.get("/sw.js")
    assert worker.status_code == 200
    assert worker["Content-Type"].startswith("text/javascript")
    assert worker["Service-Worker-Allowed"] == "/"
    assert "no-cache" in worker["Cache-Control"] or "max-age=0" in worker["Cache-Control"]
    body = worker.content.decode()
    assert '"/inspections/offline/"' in body
    assert "/static/js/offline/entry.js" in body
    manifest = client.get("/manifest.webmanifest")
    assert manifest.status_code == 200
    assert manifest["Content-Type"] == "application/manifest+json"
    data = manifest.json()
    assert data["start_url"] == "/inspections/offline/"
    assert {icon["sizes"] for icon in data["icons"]} == {"192x192", "512x512"}
    # The login page stays public.
    assert client.get("/accounts/login/").status_code == 200


def test_the_offline_checklist_carries_each_items_categories_for_the_phone_to_choose(
    client, township, premises, items
):
    """Offline the phone chooses the premises' checklist itself (entry.js): each item names the
    categories it applies to (none: every premises) and each premises its category, as
    inspections.selectors.checklist_items_for decides on the server."""
    only_hotels = f.ChecklistItemFactory(code="ZZ01", text="客房烟感", premises_categories=["hotel"])
    client.force_login(f.make_user(Role.TOWNSHIP_LEAD, township=township))
    html = client.get("/inspections/offline/").content.decode()
    assert f'data-item="{only_hotels.pk}" data-categories="hotel"' in html
    assert f'data-item="{items[0].pk}" data-categories=""' in html
    assert f'value="{premises.pk}" data-category="{premises.category}"' in html
