"""The inspection and hazard lists, the hazard page and its closed loop, the record page (who may
open it) and the premises' responsible person's self-inspection home."""

import datetime as dt
import io
import os
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from core.models import Role
from inspections import services
from inspections.models import Hazard, Inspection, Rectification, Reinspection
from inspections.services import local_today
from tests.factories import CampaignFactory, UserFactory, make_user
from tests.townships.test_pages import populate

pytestmark = pytest.mark.django_db
S = Hazard.Status


@pytest.fixture
def today():
    return local_today()


@pytest.fixture
def current_campaign(county, today):
    return CampaignFactory(
        county=county,
        name="本年度冬春火灾防控",
        starts_on=today - dt.timedelta(days=60),
        ends_on=today + dt.timedelta(days=120),
    )


@pytest.fixture
def data(township, other_township, current_campaign, station, today):
    return {
        "chumiao": populate(township, n=2, campaign=current_campaign, station=station, today=today),
        "beiguan": populate(other_township, n=2, campaign=current_campaign, today=today),
    }


@pytest.fixture
def users(county, township, other_township, station, data):
    return {
        "chumiao_lead": make_user(Role.TOWNSHIP_LEAD, username="chumiao_lead", township=township),
        "beiguan_lead": make_user(Role.TOWNSHIP_LEAD, username="beiguan_lead", township=other_township),
        "official": make_user(Role.COUNTY_OFFICIAL, username="official", county=county),
        "center": make_user(Role.GUIDANCE_CENTER, username="center"),
        "police": make_user(Role.POLICE_STATION, username="police", police_station=station),
        "responsible": make_user(
            Role.PREMISES_RESPONSIBLE, username="boss", premises=data["chumiao"]["premises"][0]
        ),
        "no_role": UserFactory(username="nobody"),
    }


def _get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def _hazard(township, *, description_start: str) -> Hazard:
    return Hazard.objects.get(township=township, description__startswith=description_start)


# --- lists ----------------------------------------------------------------------------------

LISTS = ["inspections:inspection-list", "inspections:hazard-list"]


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("who", ["chumiao_lead", "official", "center", "police"])
def test_lists_render_for_the_roles_that_may_see_them(client, users, name, who):
    response = _get(client, users[who], reverse(name))
    assert response.status_code == 200
    assert 'data-testid="filter-form"' in response.content.decode()


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("who", ["responsible", "no_role"])
def test_lists_are_forbidden_to_a_responsible_person_and_users_without_a_role(client, users, name, who):
    assert _get(client, users[who], reverse(name)).status_code == 403


@pytest.mark.parametrize("name", LISTS)
def test_lists_show_only_the_users_township(client, users, township, other_township, name):
    rows = list(_get(client, users["beiguan_lead"], reverse(name)).context["page_obj"])
    assert rows
    assert {r.township_id for r in rows} == {other_township.pk}


@pytest.mark.parametrize("name", LISTS)
def test_lists_of_another_township_or_its_grid_are_not_found(client, users, township, data, name):
    user = users["beiguan_lead"]
    assert _get(client, user, reverse(name), township=township.pk).status_code == 404
    assert _get(client, user, reverse(name), grid=data["chumiao"]["grid"].pk).status_code == 404
    assert _get(client, user, reverse(name), township=999999).status_code == 404


def test_hazard_list_filters_by_status_severity_overdue_and_grid(client, users, township, data):
    url = reverse("inspections:hazard-list")
    user = users["center"]
    overdue = list(_get(client, user, url, overdue="true").context["page_obj"])
    assert overdue
    assert all(h.is_overdue for h in overdue)
    assert not any(h.is_overdue for h in _get(client, user, url, overdue="false").context["page_obj"])
    first = Hazard.objects.filter(township=township).order_by("id").first()
    services.hazard_start_rectifying(hazard=first)
    assert [h.pk for h in _get(client, user, url, status=S.RECTIFYING).context["page_obj"]] == [first.pk]
    Hazard.objects.filter(pk=first.pk).update(severity=Hazard.Severity.MAJOR)
    assert [h.pk for h in _get(client, user, url, severity="major").context["page_obj"]] == [first.pk]
    grid = data["chumiao"]["grid"]
    rows = _get(client, user, url, grid=grid.pk).context["page_obj"]
    assert {h.premises.grid_id for h in rows} == {grid.pk}


def test_inspection_list_filters_by_kind_and_dates(client, users, today):
    url = reverse("inspections:inspection-list")
    rows = list(_get(client, users["center"], url, kind="police").context["page_obj"])
    assert [i.kind for i in rows] == [Inspection.Kind.POLICE]
    since = (today - dt.timedelta(days=3)).isoformat()
    rows = _get(client, users["center"], url, inspected_on_after=since).context["page_obj"]
    assert all(i.inspected_on >= today - dt.timedelta(days=3) for i in rows)


def test_a_malformed_date_filter_is_shown_not_an_error(client, users):
    response = _get(
        client, users["center"], reverse("inspections:inspection-list"), inspected_on_after="yesterday"
    )
    assert response.status_code == 200
    assert "yesterday" in response.content.decode()


@pytest.mark.parametrize("name", LISTS)
def test_lists_export_the_scoped_filtered_rows_as_xlsx(client, users, other_township, name):
    response = _get(client, users["beiguan_lead"], reverse(name), format="xlsx")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) > 1
    township_column = rows[0].index("乡镇")
    assert {r[township_column] for r in rows[1:]} == {"北关镇"}


@pytest.mark.parametrize("name", LISTS)
def test_lists_run_the_same_queries_for_10x_the_data(
    client, users, township, current_campaign, station, today, name
):
    url = reverse(name)
    client.force_login(users["chumiao_lead"])
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    populate(township, n=20, campaign=current_campaign, station=station, today=today)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries)


# --- the hazard page ------------------------------------------------------------------------


@pytest.fixture
def hazard(township, data):
    return _hazard(township, description_start="安全出口堵塞")


@pytest.fixture
def police_hazard(township, data):
    return _hazard(township, description_start="派出所发现")


@pytest.mark.parametrize("who", ["chumiao_lead", "official", "center", "police", "responsible"])
def test_hazard_page_renders_for_those_who_may_see_it(client, users, hazard, who):
    response = _get(client, users[who], reverse("inspections:hazard-detail", args=[hazard.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert hazard.description in page
    assert f"/trace/premises/{hazard.premises_id}/" in page


@pytest.mark.parametrize("who", ["beiguan_lead", "no_role"])
def test_hazard_page_is_not_found_outside_the_scope(client, users, hazard, who):
    assert _get(client, users[who], reverse("inspections:hazard-detail", args=[hazard.pk])).status_code == 404


def test_a_responsible_person_cannot_see_another_premises_hazard(client, users, township):
    other = Hazard.objects.filter(township=township).exclude(premises=users["responsible"].profile.premises)
    url = reverse("inspections:hazard-detail", args=[other.first().pk])
    assert _get(client, users["responsible"], url).status_code == 404


def test_the_hazard_forms_shown_follow_role_and_state(client, users, hazard, police_hazard):
    url = reverse("inspections:hazard-detail", args=[hazard.pk])
    lead_page = _get(client, users["chumiao_lead"], url).content.decode()
    assert 'data-testid="start-form"' in lead_page
    assert 'data-testid="rectify-form"' in lead_page
    official_page = _get(client, users["official"], url).content.decode()
    assert '<form method="post" data-testid' not in official_page
    # The police see the township's hazard but take no step on it. On their own hazard they
    # re-inspect (once it awaits verification), but report no rectification: that is the unit's, the
    # township's or the center's step (inspections.access).
    assert 'data-testid="rectify-form"' not in _get(client, users["police"], url).content.decode()
    police_url = reverse("inspections:hazard-detail", args=[police_hazard.pk])
    assert 'data-testid="rectify-form"' not in _get(client, users["police"], police_url).content.decode()
    services.hazard_rectify(
        hazard=police_hazard, rectified_on=local_today(), rectified_by="王老板", measures="清理"
    )
    assert 'data-testid="reinspect-form"' in _get(client, users["police"], police_url).content.decode()


def test_the_closed_loop_through_the_hazard_page(client, users, hazard, today, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    url = reverse("inspections:hazard-detail", args=[hazard.pk])
    client.force_login(users["chumiao_lead"])

    assert client.post(url, {"action": "start"}).status_code == 302
    hazard.refresh_from_db()
    assert hazard.status == S.RECTIFYING

    response = client.post(
        url,
        {
            "action": "rectify",
            "rectify-rectified_on": today.isoformat(),
            "rectify-rectified_by": "王老板",
            "rectify-measures": "清理出口杂物，张贴禁止堆放标识",
        },
    )
    assert response.status_code == 302
    hazard.refresh_from_db()
    assert hazard.status == S.AWAITING_VERIFICATION  # = re-inspection requested
    page = client.get(url).content.decode()
    assert 'data-testid="reinspect-form"' in page
    assert "清理出口杂物" in page

    response = client.post(
        url,
        {
            "action": "reinspect",
            "reinspect-inspected_on": today.isoformat(),
            "reinspect-inspectors": "赵专干",
            "reinspect-passed": "yes",
        },
    )
    assert response.status_code == 302
    hazard.refresh_from_db()
    assert hazard.status == S.VERIFIED
    assert hazard.verified_on == today
    assert Reinspection.objects.get(hazard=hazard).recorded_by == users["chumiao_lead"]


def test_a_failed_reinspection_without_a_note_is_refused_and_writes_nothing(
    client, users, hazard, today, unchanged
):
    services.hazard_rectify(hazard=hazard, rectified_on=today, rectified_by="王老板", measures="清理")
    client.force_login(users["center"])
    url = reverse("inspections:hazard-detail", args=[hazard.pk])
    with unchanged():
        response = client.post(
            url,
            {
                "action": "reinspect",
                "reinspect-inspected_on": today.isoformat(),
                "reinspect-inspectors": "指导中心孙工",
                "reinspect-passed": "no",
                "reinspect-note": "",
            },
        )
    assert response.status_code == 400
    page = response.content.decode()
    assert "复查不合格时必须在复查意见中写明" in page
    assert "指导中心孙工" in page


def test_a_step_the_state_does_not_allow_is_refused_on_the_page(client, users, hazard, today, unchanged):
    client.force_login(users["chumiao_lead"])
    url = reverse("inspections:hazard-detail", args=[hazard.pk])
    with unchanged():
        response = client.post(
            url,
            {
                "action": "reinspect",
                "reinspect-inspected_on": today.isoformat(),
                "reinspect-inspectors": "赵专干",
                "reinspect-passed": "yes",
            },
        )
    assert response.status_code == 400
    assert "只有“待复查”的隐患才能复查" in response.content.decode()


@pytest.mark.parametrize(
    ("who", "action"),
    [("official", "start"), ("police", "start"), ("responsible", "reinspect"), ("chumiao_lead", "nonsense")],
)
def test_steps_the_role_may_not_take_are_refused(client, users, hazard, today, who, action, unchanged):
    services.hazard_rectify(hazard=hazard, rectified_on=today, rectified_by="王老板", measures="清理")
    client.force_login(users[who])
    url = reverse("inspections:hazard-detail", args=[hazard.pk])
    with unchanged():
        response = client.post(
            url,
            {
                "action": action,
                "reinspect-inspected_on": today.isoformat(),
                "reinspect-inspectors": "王老板",
                "reinspect-passed": "yes",
            },
        )
    assert response.status_code == (400 if action == "nonsense" else 403)


def test_the_police_reinspect_hazards_their_own_inspections_found(client, users, police_hazard, today):
    services.hazard_rectify(hazard=police_hazard, rectified_on=today, rectified_by="王老板", measures="清理")
    client.force_login(users["police"])
    response = client.post(
        reverse("inspections:hazard-detail", args=[police_hazard.pk]),
        {
            "action": "reinspect",
            "reinspect-inspected_on": today.isoformat(),
            "reinspect-inspectors": "孙民警",
            "reinspect-passed": "no",
            "reinspect-note": "通道仍有车辆停放",
        },
    )
    assert response.status_code == 302
    police_hazard.refresh_from_db()
    assert police_hazard.status == S.RECTIFYING


def test_beiguan_lead_cannot_post_to_a_chumiao_hazard(client, users, hazard, unchanged):
    client.force_login(users["beiguan_lead"])
    with unchanged():
        response = client.post(reverse("inspections:hazard-detail", args=[hazard.pk]), {"action": "start"})
    assert response.status_code == 404


def test_hazard_page_runs_the_same_queries_whatever_the_history(client, users, hazard, today):
    url = reverse("inspections:hazard-detail", args=[hazard.pk])
    client.force_login(users["chumiao_lead"])
    services.hazard_rectify(hazard=hazard, rectified_on=today, rectified_by="王老板", measures="第一次")
    services.hazard_reinspect(
        hazard=hazard, inspected_on=today, inspectors="赵专干", passed=False, note="未到位"
    )
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for i in range(10):
        services.hazard_rectify(hazard=hazard, rectified_on=today, rectified_by="王老板", measures=f"第{i}次")
        services.hazard_reinspect(
            hazard=hazard, inspected_on=today, inspectors="赵专干", passed=False, note="未到位"
        )
    assert Rectification.objects.filter(hazard=hazard).count() == 11
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries)


# --- the record page: who may open it -------------------------------------------------------


@pytest.mark.parametrize("who", ["chumiao_lead", "center", "police", "responsible"])
def test_record_page_renders_for_those_who_record(client, users, data, items, who):
    premises = data["chumiao"]["premises"][0]
    response = _get(client, users[who], reverse("inspections:record"), premises=premises.pk)
    assert response.status_code == 200
    page = response.content.decode()
    assert premises.name in page
    assert 'data-testid="record-form"' in page
    assert all(item.text in page for item in items)


def test_record_page_names_the_kind_the_role_records(client, users, data, items):
    premises = data["chumiao"]["premises"][0]
    url = reverse("inspections:record")
    assert "乡镇检查" in _get(client, users["chumiao_lead"], url, premises=premises.pk).content.decode()
    police_page = _get(client, users["police"], url, premises=premises.pk).content.decode()
    assert "派出所检查" in police_page
    assert "褚庙派出所" in police_page
    assert "单位自查" in _get(client, users["responsible"], url).content.decode()
    center_form = _get(client, users["center"], url, premises=premises.pk).context["form"]
    assert {"kind", "police_station", "plan"} <= set(center_form.fields)


@pytest.mark.parametrize("who", ["official", "no_role"])
def test_record_page_is_forbidden_to_those_who_do_not_record(client, users, who):
    assert _get(client, users[who], reverse("inspections:record")).status_code == 403


def test_record_page_of_another_townships_premises_is_not_found(client, users, data):
    premises = data["chumiao"]["premises"][0]
    response = _get(client, users["beiguan_lead"], reverse("inspections:record"), premises=premises.pk)
    assert response.status_code == 404
    assert _get(client, users["beiguan_lead"], reverse("inspections:record"), premises="x").status_code == 404


def test_record_page_preselects_the_plan_from_the_to_do_link(client, users, data):
    premises, plan = data["chumiao"]["premises"][1], data["chumiao"]["plan"]
    response = _get(
        client, users["chumiao_lead"], reverse("inspections:record"), premises=premises.pk, plan=plan.pk
    )
    assert response.context["form"]["plan"].value() == plan.pk


# --- the premises' responsible person -------------------------------------------------------


def test_self_home_shows_the_own_premises_and_its_open_hazards(client, users, data):
    response = _get(client, users["responsible"], reverse("homes:self"))
    assert response.status_code == 200
    home = response.context["home"]
    own = users["responsible"].profile.premises
    assert home.premises == own
    assert home.open_hazards
    assert {h.premises_id for h in home.open_hazards} == {own.pk}
    page = response.content.decode()
    assert reverse("inspections:record") in page


def test_home_sends_the_responsible_person_to_the_self_inspection_page(client, users):
    client.force_login(users["responsible"])
    assert client.get("/").url == reverse("homes:self")


@pytest.mark.parametrize("who", ["chumiao_lead", "official", "center", "police", "no_role"])
def test_self_home_is_forbidden_to_other_roles(client, users, who):
    assert _get(client, users[who], reverse("homes:self")).status_code == 403


def test_the_responsible_person_reaches_no_other_page(client, users, township, data):
    client.force_login(users["responsible"])
    other = data["chumiao"]["premises"][1]
    assert client.get(reverse("homes:township", args=[township.pk])).status_code == 404
    assert client.get(reverse("homes:police")).status_code == 403
    assert client.get(reverse("townships:premises-list")).status_code == 403
    assert client.get(reverse("inspections:inspection-list")).status_code == 403
    assert client.get(reverse("inspections:hazard-list")).status_code == 403
    assert client.get(reverse("inspections:record"), {"premises": other.pk}).status_code == 404


def test_the_responsible_person_uploads_rectification_evidence_for_an_own_hazard(
    client, users, today, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    from tests.inspections.test_forms import jpeg

    own = users["responsible"].profile.premises
    hazard = Hazard.objects.filter(premises=own, status=S.OPEN).first()
    client.force_login(users["responsible"])
    response = client.post(
        reverse("inspections:hazard-detail", args=[hazard.pk]),
        {
            "action": "rectify",
            "rectify-rectified_on": today.isoformat(),
            "rectify-rectified_by": "王老板",
            "rectify-measures": "更换灭火器",
            "rectify-evidence": jpeg("发票.jpg"),
            "rectify-photo_after": jpeg("整改后.jpg"),
        },
    )
    assert response.status_code == 302
    hazard.refresh_from_db()
    assert hazard.status == S.AWAITING_VERIFICATION
    rectification = Rectification.objects.get(hazard=hazard)
    assert rectification.submitted_by == users["responsible"]
    assert rectification.evidence.name.startswith("rectifications/")
    assert hazard.photo_after.name.startswith("hazards/")
    assert "整改后" not in hazard.photo_after.name


# --- phone-sized pages (a real browser) -----------------------------------------------------

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_pages_fit_a_390px_phone_without_sideways_scrolling(
    live_server, client, users, township, data, items
):
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    hazard = _hazard(township, description_start="安全出口堵塞")
    premises = data["chumiao"]["premises"][0]
    pages = {
        "chumiao_lead": [
            reverse("homes:township", args=[township.pk]),
            reverse("townships:premises-list"),
            reverse("inspections:inspection-list"),
            reverse("inspections:hazard-list"),
            reverse("inspections:hazard-detail", args=[hazard.pk]),
            f"{reverse('inspections:record')}?premises={premises.pk}",
        ],
        "police": [reverse("homes:police")],
        "responsible": [reverse("homes:self"), reverse("inspections:record")],
    }
    # Log in before the browser starts: inside Playwright's sync API the ORM would open a database
    # connection of its own that nobody closes.
    sessions = {}
    for who in pages:
        client.force_login(users[who])
        sessions[who] = client.cookies["sessionid"].value
    host = live_server.url.split("://", 1)[1].split(":")[0]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=args)
        try:
            for who, urls in pages.items():
                context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
                context.add_cookies(
                    [{"name": "sessionid", "value": sessions[who], "domain": host, "path": "/"}]
                )
                page = context.new_page()
                for url in urls:
                    response = page.goto(live_server.url + url)
                    assert response.status == 200, url
                    name = url.strip("/").replace("/", "-").replace("?", "-").replace("=", "") or "home"
                    page.screenshot(path=str(SCREENSHOTS / f"p1-{who}-{name}.png"), full_page=True)
                    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                    assert overflow <= 0, f"{url} scrolls sideways by {overflow}px"
                context.close()
        finally:
            browser.close()


def test_lists_follow_a_premises_link_within_the_scope(client, users, data):
    own, other = data["beiguan"]["premises"][0], data["chumiao"]["premises"][0]
    url = reverse("inspections:hazard-list")
    rows = _get(client, users["beiguan_lead"], url, premises=own.pk).context["page_obj"]
    assert rows
    assert {h.premises_id for h in rows} == {own.pk}
    assert list(_get(client, users["beiguan_lead"], url, premises=other.pk).context["page_obj"]) == []
