"""Offline entry on a phone (PWA), in a real browser with the network switched off: the page opened
once online is kept by the service worker, an inspection with a hazard and two photos is queued on
the phone (IndexedDB), survives a reload, and is sent once when the network is back — also when the
sync is repeated because the phone never saw the server's answers. A refusal stays on the queued
record with the server's reason."""

import io

import pytest
from PIL import Image

from core.models import Role
from inspections.models import ChecklistResult, Hazard, HazardPhoto, Inspection
from tests import factories as f
from tests.e2e.test_township_to_dashboard import _login
from townships.models import Premises

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PLACE = {"latitude": 34.6481, "longitude": 115.1452, "accuracy": 15}


def _photo(colour: str) -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", (2400, 1800), colour).save(buffer, "JPEG")
    return {"name": f"{colour}.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


@pytest.fixture
def field_phone(browser):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        locale="zh-CN",
        geolocation=PLACE,
        permissions=["geolocation"],
    )
    yield context
    context.close()


def _setup():
    township = f.TownshipFactory(name="北关镇")
    f.make_user(Role.TOWNSHIP_LEAD, username="beiguan", township=township)
    premises = f.PremisesFactory(township=township, name="北关集贸市场")
    items = [
        f.ChecklistItemFactory(code="A01", text="安全出口畅通", order=1),
        f.ChecklistItemFactory(code="A02", text="灭火器在有效期内", order=2),
    ]
    return premises, items


def _open_entry_online(page, base, username="beiguan"):
    """Log in and open the entry page once online, until the service worker controls it."""
    _login(page, base, username)
    page.goto(f"{base}/inspections/offline/")
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null || false")
    page.wait_for_selector("#offline-entry[data-ready=true]")


def _record_offline(page, premises, items, *, photos):
    page.select_option("#off-premises", str(premises.pk))
    page.fill("#off-inspectors", "赵专干")
    page.click("[data-testid=all-pass]")
    page.check(f"input[name=item-{items[0].pk}][value=fail]")
    page.click("[data-testid=off-add-hazard]")
    hazard = page.locator("[data-testid=off-hazard]").last
    hazard.locator("[name=description]").fill("安全出口堵塞")
    hazard.locator("[name=responsible_person]").fill("王老板")
    hazard.locator("[name=checklist_item]").select_option(str(items[0].pk))
    if photos:
        hazard.locator("[data-testid=off-photos]").set_input_files(photos)
        page.wait_for_function(
            "document.querySelector('[data-testid=off-photo-count]').textContent.includes('"
            + str(len(photos))
            + "')"
        )
    page.click("[data-testid=off-save]")
    page.wait_for_selector("[data-testid=queue-item]")


def test_an_inspection_recorded_offline_with_two_photos_is_synced_once(live_server, field_phone):
    premises, items = _setup()
    page = field_phone.new_page()
    _open_entry_online(page, live_server.url)

    field_phone.set_offline(True)
    page.reload()  # the page comes from the service worker's cache
    page.wait_for_selector("#offline-entry[data-ready=true]")
    assert "当前无网络连接" in page.text_content("[data-testid=net-status]")
    _record_offline(page, premises, items, photos=[_photo("red"), _photo("blue")])

    page.reload()  # still offline: the queue is on the phone
    page.wait_for_selector("#offline-entry[data-ready=true]")
    queued = page.locator("[data-testid=queue-item]")
    assert queued.count() == 1
    assert "待同步" in queued.text_content()
    assert "照片 2 张" in queued.text_content()
    assert Inspection.objects.count() == 0

    # A copy of the queued record as it is before any sync, to send it again later.
    queued_copy = page.evaluate(
        """async () => {
            const queue = await import('/static/js/offline/queue.js');
            const [record] = await queue.list('beiguan');
            window.__queued = record;
            return JSON.stringify({...record, photos: []});
        }"""
    )

    # Back online, the first answers are lost on the way back (the server wrote, the phone never
    # heard): the record stays queued, and the repeated sync must not write it again.
    lost = []

    def lose_answer(route):
        if route.request.method == "POST" and len(lost) < 2:
            route.fetch()  # reaches the server, which writes
            lost.append(route.request.url)
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route("**/api/v1/**", lose_answer)
    field_phone.set_offline(False)
    page.click("[data-testid=sync-now]")
    # The phone tries again by itself while it is online.
    page.wait_for_function(
        "document.querySelectorAll('[data-testid=queue-item]').length === 0", timeout=30000
    )
    assert len(lost) == 2  # the inspection's answer and the first photo's were lost
    assert page.locator("[data-testid=synced-item]").count() == 1

    inspection = Inspection.objects.get()
    hazard = Hazard.objects.get()
    assert hazard.inspection == inspection
    assert hazard.description == "安全出口堵塞"
    assert hazard.checklist_item == items[0]
    assert inspection.results.get(item=items[0]).result == ChecklistResult.Result.FAIL
    assert inspection.latitude is not None
    photos = list(HazardPhoto.objects.filter(hazard=hazard))
    assert len(photos) == 2
    for photo in photos:
        assert photo.taken_at is not None
        assert float(photo.latitude) == pytest.approx(PLACE["latitude"], abs=1e-5)
        with Image.open(photo.image) as image:  # shrunk on the phone
            assert max(image.size) == 1600
            assert image.format == "JPEG"

    # The phone sends the whole record once more from the start (a second tab, a restored backup of
    # the queue): every step is answered from the first answers, nothing is written again.
    page.unroute("**/api/v1/**")
    page.evaluate(
        """async (copy) => {
            const queue = await import('/static/js/offline/queue.js');
            const record = JSON.parse(copy);
            record.photos = window.__queued.photos;  // the same photo blobs
            await queue.put(record);
        }""",
        queued_copy,
    )
    page.reload()
    page.wait_for_selector("#offline-entry[data-ready=true]")
    page.click("[data-testid=sync-now]")
    page.wait_for_function(
        "document.querySelectorAll('[data-testid=queue-item]').length === 0", timeout=20000
    )
    assert Inspection.objects.count() == 1
    assert Hazard.objects.count() == 1
    assert HazardPhoto.objects.count() == 2


def test_a_record_the_server_refuses_stays_queued_with_the_reason(live_server, field_phone):
    premises, items = _setup()
    page = field_phone.new_page()
    _open_entry_online(page, live_server.url)
    field_phone.set_offline(True)
    _record_offline(page, premises, items, photos=[])

    # While the phone is offline the center retires the checklist item the hazard names.
    items[0].is_active = False
    items[0].save()

    field_phone.set_offline(False)
    page.click("[data-testid=sync-now]")
    page.wait_for_selector("[data-testid=queue-item][data-state=refused]", timeout=20000)
    item = page.locator("[data-testid=queue-item]")
    assert "同步被拒绝" in item.text_content()
    assert "检查项已停用" in item.locator("[data-testid=queue-message]").text_content()
    assert Inspection.objects.count() == 0

    page.reload()  # the refusal is kept with the record
    page.wait_for_selector("[data-testid=queue-item][data-state=refused]")
    assert "检查项已停用" in page.text_content("[data-testid=queue-message]")


def test_a_patrol_recorded_offline_by_a_grid_member_is_synced_once(live_server, field_phone):
    """The same for a grid member's patrol (巡查): only their grid's premises are offered, only the
    checklist of the premises' category is asked and sent, and a repeated sync writes nothing twice."""
    township = f.TownshipFactory(name="褚庙乡")
    grid = f.GridFactory(township=township, name="第一网格")
    premises = f.PremisesFactory(township=township, grid=grid, name="褚庙商铺")
    elsewhere = f.PremisesFactory(
        township=township, grid=f.GridFactory(township=township, name="第二网格"), name="褚庙仓库"
    )
    member = f.make_user(
        Role.GRID_MEMBER, username="gridli", grid_member=f.GridMemberFactory(grid=grid, name="李网格员")
    )
    items = [
        f.ChecklistItemFactory(code="A01", text="安全出口畅通", order=1),
        f.ChecklistItemFactory(code="A02", text="灭火器在有效期内", order=2),
    ]
    other_category = next(c for c in Premises.Category.values if c != premises.category)
    not_asked = f.ChecklistItemFactory(
        code="H01", text="客房烟感", order=3, premises_categories=[other_category]
    )
    page = field_phone.new_page()
    _open_entry_online(page, live_server.url, "gridli")
    offered = " ".join(page.locator("#off-premises option").all_text_contents())
    assert premises.name in offered
    assert elsewhere.name not in offered

    field_phone.set_offline(True)
    page.reload()
    page.wait_for_selector("#offline-entry[data-ready=true]")
    page.select_option("#off-premises", str(premises.pk))
    assert not page.locator(f"[data-testid=off-item][data-item='{not_asked.pk}']").is_visible()
    _record_offline(page, premises, items, photos=[_photo("red"), _photo("blue")])
    page.reload()
    page.wait_for_selector("#offline-entry[data-ready=true]")
    assert page.locator("[data-testid=queue-item]").count() == 1
    queued_copy = page.evaluate(
        """async () => {
            const queue = await import('/static/js/offline/queue.js');
            const [record] = await queue.list('gridli');
            window.__queued = record;
            return JSON.stringify({...record, photos: []});
        }"""
    )

    field_phone.set_offline(False)
    page.click("[data-testid=sync-now]")
    page.wait_for_function(
        "document.querySelectorAll('[data-testid=queue-item]').length === 0", timeout=30000
    )
    patrol = Inspection.objects.get()
    assert patrol.kind == Inspection.Kind.PATROL
    assert patrol.recorded_by == member
    assert set(patrol.results.values_list("item__code", flat=True)) == {"A01", "A02"}
    hazard = Hazard.objects.get(inspection=patrol)
    assert HazardPhoto.objects.filter(hazard=hazard).count() == 2

    page.evaluate(
        """async (copy) => {
            const queue = await import('/static/js/offline/queue.js');
            const record = JSON.parse(copy);
            record.photos = window.__queued.photos;
            await queue.put(record);
        }""",
        queued_copy,
    )
    page.reload()
    page.wait_for_selector("#offline-entry[data-ready=true]")
    page.click("[data-testid=sync-now]")
    page.wait_for_function(
        "document.querySelectorAll('[data-testid=queue-item]').length === 0", timeout=20000
    )
    assert (Inspection.objects.count(), Hazard.objects.count(), HazardPhoto.objects.count()) == (1, 1, 2)
