"""The replica's settings and the router's rules, without a replica server.

Without DATABASE_REPLICA_URL nothing changes: one database, no middleware, a router with no opinion.
"""

import json
import os
import subprocess
import sys

import pytest
from django.core.exceptions import MiddlewareNotUsed
from django.db import connections, router
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import resolve, reverse

from core import db_router
from core.models import Role
from tests import factories as f
from townships.models import Township

SHOW = """
import json, config.settings.{module} as s
print(json.dumps({{alias: {{k: db.get(k) for k in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS", "OPTIONS", "TEST", "PORT")}}
                  for alias, db in s.DATABASES.items()}}))
"""
PRODUCTION = {"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "fire.example.gov.cn"}
PRIMARY_URL = "postgres://fb@db.example:5432/firebrigade"
REPLICA_URL = "postgres://fb@replica.example:5433/firebrigade"


def databases(module: str, **env) -> dict:
    """settings.DATABASES as `module` builds it from `env` (and no replica unless `env` names one)."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "DB_POOL_", "CONN_"))}
    result = subprocess.run(  # noqa: S603 - our own interpreter and fixed arguments
        [sys.executable, "-c", SHOW.format(module=module)],
        env={**environ, "DJANGO_SETTINGS_MODULE": "", "DATABASE_URL": PRIMARY_URL, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_without_a_replica_url_there_is_only_the_default_database():
    assert list(databases("base")) == ["default"]
    assert list(databases("production", **PRODUCTION)) == ["default"]


def test_a_replica_url_adds_a_replica_never_waited_for_long_that_tests_mirror():
    replica = databases("base", DATABASE_REPLICA_URL=REPLICA_URL)["replica"]
    assert replica["PORT"] == 5433
    assert replica["OPTIONS"] == {"connect_timeout": 2}
    assert replica["TEST"] == {"MIRROR": "default"}


def test_production_keeps_connections_or_pools_them_when_a_pool_size_is_given():
    kept = databases("production", **PRODUCTION, DATABASE_REPLICA_URL=REPLICA_URL)
    for alias in ("default", "replica"):
        assert kept[alias]["CONN_MAX_AGE"] == 60
        assert kept[alias]["CONN_HEALTH_CHECKS"] is True
        assert "pool" not in (kept[alias]["OPTIONS"] or {})
    pooled = databases("production", **PRODUCTION, DATABASE_REPLICA_URL=REPLICA_URL, DB_POOL_MAX_SIZE="8")
    assert pooled["default"]["CONN_MAX_AGE"] == pooled["replica"]["CONN_MAX_AGE"] == 0  # Django refuses both
    assert pooled["default"]["OPTIONS"]["pool"] == {"min_size": 1, "max_size": 8, "timeout": 10.0}
    assert pooled["replica"]["OPTIONS"]["pool"] == {"min_size": 1, "max_size": 8, "timeout": 2}


def test_without_a_replica_the_middleware_drops_out_and_the_router_has_no_opinion():
    assert db_router.REPLICA not in connections
    with pytest.raises(MiddlewareNotUsed):
        db_router.ReplicaMiddleware(lambda request: None)
    assert router.db_for_read(Township) == "default"
    assert router.db_for_write(Township) == "default"


@pytest.mark.django_db
def test_without_a_replica_a_write_sets_no_cookie_and_the_dashboard_reads_the_default(client):
    center = f.make_user(Role.GUIDANCE_CENTER)
    client.force_login(center)
    county = f.CountyFactory()
    response = client.post(
        "/api/v1/townships/",
        {"county": county.pk, "name": "程庄镇", "kind": "town"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert db_router.STICKY_COOKIE not in response.cookies
    assert client.get(reverse("county-dashboard")).status_code == 200


def test_writes_go_to_the_primary_and_the_replica_is_never_migrated():
    rules = db_router.ReplicaRouter()
    township = Township(pk=1)
    township._state.db = db_router.REPLICA  # read from the replica: saved to the primary all the same
    assert rules.db_for_write(Township, instance=township) == "default"
    assert rules.allow_migrate("replica", "townships") is False
    assert rules.allow_migrate("default", "townships") is None
    other = Township(pk=2)
    other._state.db = "default"
    assert rules.allow_relation(township, other) is True


def test_outside_a_request_reads_are_left_to_django():
    assert db_router.ReplicaRouter().db_for_read(Township) is None


def _request(method: str, path: str, **cookies):
    request = getattr(RequestFactory(), method)(path)
    request.COOKIES.update(cookies)
    request.resolver_match = resolve(request.path_info)
    return request


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("get", "/dashboard/", True),
        ("head", "/dashboard/", True),
        ("get", "/reports/bulletin/", True),
        ("get", "/api/v1/township-figures/", True),
        ("get", "/inspections/hazards/?format=xlsx", True),  # any Excel export
        ("get", "/inspections/hazards/", False),
        ("get", "/api/v1/hazards/", False),
        ("post", "/dashboard/", False),
    ],
)
def test_only_read_only_leaders_pages_and_exports_may_read_the_replica(method, path, expected):
    assert db_router.eligible(_request(method, path)) is expected


def test_a_user_who_wrote_lately_reads_the_primary():
    response = HttpResponse()
    response.set_signed_cookie(db_router.STICKY_COOKIE, "1", salt=db_router.STICKY_SALT)
    signed = response.cookies[db_router.STICKY_COOKIE].value
    assert db_router.eligible(_request("get", "/dashboard/", **{db_router.STICKY_COOKIE: signed})) is False
    # A cookie the site did not sign is ignored.
    assert db_router.eligible(_request("get", "/dashboard/", **{db_router.STICKY_COOKIE: "1"})) is True
