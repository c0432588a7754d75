"""The leaders' read-only pages against a real streaming replica (tests/db/conftest.py).

The county is committed once for the module, and the replica has it once it has caught up. What a test
writes stays in its transaction, seen by the primary's connection only and never by the replica: what a
page shows then tells which server answered, and the queries recorded on each connection say it again.
A replica that is down: test_replica_down.py.
"""

import time
from types import SimpleNamespace

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import OperationalError, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import db_router
from core.models import Role
from tests import factories as f
from townships.models import Township

pytestmark = pytest.mark.django_db(databases=["default", "replica"])

OLD, NEW = "北关镇", "程庄镇"  # committed for the module; written by a test, on the primary only


@pytest.fixture(scope="module")
def county(replica, django_db_blocker):
    with django_db_blocker.unblock():
        beiguan = f.TownshipFactory(name=OLD)
        county = SimpleNamespace(
            county=beiguan.county,
            campaign=f.CampaignFactory(county=beiguan.county),
            official=f.make_user(Role.COUNTY_OFFICIAL, username="official", county=beiguan.county),
            center=f.make_user(Role.GUIDANCE_CENTER, username="center"),
        )
        replica.catch_up()
        yield county
        call_command("flush", interactive=False, verbosity=0)
        ContentType.objects.clear_cache()


@pytest.fixture(autouse=True)
def _replica_answers():
    db_router.health.reset()


def _get(client, url, data=None):
    """The response, and the SQL each server answered while it was made."""
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[db_router.REPLICA]) as replica,
    ):
        response = client.get(url, data)
    return response, [q["sql"] for q in primary], [q["sql"] for q in replica]


def _dashboard(client, county):
    return _get(client, reverse("county-dashboard"), {"campaign": county.campaign.pk})


def test_the_dashboard_reads_the_replica(client, county):
    client.force_login(county.official)
    f.TownshipFactory(name=NEW, county=county.county)
    response, primary, on_replica = _dashboard(client, county)
    assert response.status_code == 200
    page = response.content.decode()
    assert OLD in page  # streamed from the primary
    assert NEW not in page  # not committed: only the primary could show it
    assert on_replica
    # The primary answered who the reader is, nothing of the page.
    assert primary
    assert all('"django_session"' in sql or '"auth_user"' in sql for sql in primary), primary


def test_excel_exports_and_the_figures_api_read_the_replica(client, county):
    client.force_login(county.official)
    for url, data in (
        (reverse("county-dashboard"), {"campaign": county.campaign.pk, "format": "xlsx"}),
        (reverse("townships:premises-list"), {"format": "xlsx"}),
        ("/api/v1/township-figures/", {"campaign": county.campaign.pk}),
    ):
        response, _primary, on_replica = _get(client, url, data)
        assert response.status_code == 200, url
        assert on_replica, url


def test_other_pages_read_the_primary_only(client, county):
    client.force_login(county.official)
    response, _primary, on_replica = _get(client, reverse("inspections:hazard-list"))
    assert response.status_code == 200
    assert on_replica == []


def test_the_writer_reads_the_primary_for_a_few_seconds_after_writing(client, county, settings):
    settings.REPLICA_STICKY_SECONDS = 1
    client.force_login(county.center)
    other = type(client)()
    other.force_login(county.official)
    response = client.post(
        "/api/v1/townships/",
        {"county": county.county.pk, "name": NEW, "kind": "town"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert db_router.STICKY_COOKIE in response.cookies
    assert Township.objects.using("default").filter(name=NEW).exists()
    assert not Township.objects.using(db_router.REPLICA).filter(name=NEW).exists()

    response, _primary, on_replica = _dashboard(client, county)
    assert NEW in response.content.decode()  # the writer sees their write: the primary answered
    assert on_replica == []
    response, _primary, on_replica = _dashboard(other, county)
    assert NEW not in response.content.decode()  # anybody else reads the replica
    assert on_replica

    time.sleep(2.1)  # the cookie's timestamp counts whole seconds
    response, _primary, on_replica = _dashboard(client, county)
    assert NEW not in response.content.decode()  # back on the replica
    assert on_replica


def test_a_query_failing_on_the_replica_runs_the_page_again_on_the_primary(client, county):
    client.force_login(county.official)
    f.TownshipFactory(name=NEW, county=county.county)

    failed = []

    def recovery_conflict(execute, sql, params, many, context):
        failed.append(sql)
        raise OperationalError("canceling statement due to conflict with recovery")

    with connections[db_router.REPLICA].execute_wrapper(recovery_conflict):
        response, _primary, _on_replica = _dashboard(client, county)
    assert len(failed) == 1  # the replica was asked once, then the primary did the whole page
    assert response.status_code == 200
    assert NEW in response.content.decode()
    assert not db_router.health.is_resting()  # the replica still answers: only that query failed
