"""A replica that cannot be reached, or that stops: the pages answer from the primary.

Outside a test transaction (transaction=True), as in production: a test transaction would hold the
replica's connection open from the test's start, so a connection could not be refused. Last of the
replica's tests: it stops the server.
"""

import socket
import time

import pytest
from django.db import connections
from django.urls import reverse

from core import db_router
from core.models import Role
from tests import factories as f


def _dashboard(client, campaign):
    """How many queries were sent to the replica for the page (CaptureQueriesContext would connect)."""
    on_replica = []

    def record(execute, sql, params, many, context):
        on_replica.append(sql)
        return execute(sql, params, many, context)

    with connections[db_router.REPLICA].execute_wrapper(record):
        started = time.monotonic()
        response = client.get(reverse("county-dashboard"), {"campaign": campaign.pk})
        took = time.monotonic() - started
    assert response.status_code == 200
    assert "北关镇" in response.content.decode()
    assert took < 3  # never kept waiting by the replica (REPLICA_CONNECT_TIMEOUT is 2)
    return len(on_replica)


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_pages_answer_from_the_primary_when_the_replica_is_unreachable_or_stops(
    client, replica, replica_server
):
    beiguan = f.TownshipFactory(name="北关镇")
    campaign = f.CampaignFactory(county=beiguan.county)
    client.force_login(f.make_user(Role.COUNTY_OFFICIAL, county=beiguan.county))
    replica.catch_up()
    db_router.health.reset()
    assert _dashboard(client, campaign) > 0

    # Nobody listens on the replica's address: the connection is refused, the primary answers, and
    # the next pages do not try the replica again for a while.
    replica_settings = connections[db_router.REPLICA].settings_dict
    port = replica_settings["PORT"]
    connections[db_router.REPLICA].close()
    replica_settings["PORT"] = _closed_port()
    try:
        assert _dashboard(client, campaign) == 0
        assert db_router.health.is_resting()
        assert _dashboard(client, campaign) == 0
    finally:
        replica_settings["PORT"] = port
        connections[db_router.REPLICA].close()
        db_router.health.reset()

    # The server stops while a connection to it is kept: its query fails, the page is made again on
    # the primary. Then a new connection is refused.
    assert _dashboard(client, campaign) > 0
    replica_server.stop()
    assert _dashboard(client, campaign) == 1  # the one query that failed
    assert db_router.health.is_resting()
    db_router.health.reset()
    connections[db_router.REPLICA].close()
    assert _dashboard(client, campaign) == 0
    assert db_router.health.is_resting()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nobody listens once the socket is closed
