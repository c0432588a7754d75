import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from config.celery import app as celery_app
from config.celery import ping
from tests import factories as f

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db(transaction=True)
def test_celery_round_trips_a_task_through_a_real_worker_on_redis(celery_worker):
    assert celery_app.conf.broker_url.startswith("redis://")
    result = ping.delay()
    assert result.get(timeout=20) == "pong"


@pytest.mark.django_db
def test_migrations_are_complete():
    # Raises SystemExit(1) when a model change has no migration.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
def test_healthz_is_ok_when_database_and_broker_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_healthz_reports_a_dead_broker_as_unhealthy(client, monkeypatch, settings):
    settings.HEALTH_BROKER_TIMEOUT = 0.5
    # Nothing listens on port 1: a real connection attempt that fails.
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    # Anyone may ask; why it is down (hosts, ports, exception text) is not theirs to read.
    assert body == {"status": "unhealthy", "database": "ok", "broker": "down"}
    # Staff logged in read the reason.
    client.force_login(f.UserFactory(username="ops", is_staff=True))
    detail = client.get("/healthz").json()["broker"]
    assert detail not in ("ok", "down")
    assert "Error" in detail


def _all_plain_urls(resolver=None, prefix=""):
    """Every URL of the project that takes no argument, as a path."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = str(pattern.pattern)
        if "<" in route or "(?P" in route or route.startswith("^"):
            if isinstance(pattern, URLResolver) and "(?P" not in route and "<" not in route:
                pass
            else:
                continue
        route = route.lstrip("^").rstrip("$")
        if isinstance(pattern, URLResolver):
            yield from _all_plain_urls(pattern, prefix + route)
        elif isinstance(pattern, URLPattern):
            yield "/" + prefix + route


# The token endpoint is public by design (POST only); every other API view answers 401/403.
# Public on purpose: logging in, health, the language switch, the token endpoint, and the site icon
# (browsers fetch it before login; it holds no data).
PUBLIC = {
    "/accounts/login/",
    "/healthz",
    "/admin/login/",
    "/i18n/setlang/",
    "/api/v1/auth/token/",
    "/favicon.ico",
    # The offline app's worker and manifest (homes/pwa.py): a phone fetches them with no session;
    # they hold no data, and the page they keep still needs a login.
    "/sw.js",
    "/manifest.webmanifest",
}


@pytest.mark.django_db
def test_every_page_but_login_and_health_requires_login(client):
    urls = sorted(set(_all_plain_urls()))
    assert "/" in urls
    assert "/admin/" in urls
    checked = 0
    for url in urls:
        if url in PUBLIC:
            continue
        response = client.get(url)
        checked += 1
        assert response.status_code in (302, 401, 403), (
            f"{url} answered {response.status_code} to an anonymous user"
        )
        if response.status_code == 302:
            assert "login" in response["Location"], f"{url} redirects to {response['Location']}"
    assert checked >= 2


@pytest.mark.django_db
def test_login_page_and_health_are_public(client):
    assert client.get(reverse("login")).status_code == 200
    assert client.get("/healthz").status_code in (200, 503)


@pytest.mark.django_db
def test_login_page_speaks_chinese_by_default(client):
    response = client.get(reverse("login"))
    assert "登录" in response.content.decode()


@pytest.mark.django_db
def test_a_logged_in_user_reaches_home_and_can_log_out(client, django_user_model):
    user = django_user_model.objects.create_user("lead", password="a-long-password-1")
    client.force_login(user)
    assert client.get("/").status_code == 200
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_check_deploy_is_clean_with_production_settings():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},  # set by browser tests
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x" * 20 + "-production-like-secret-key-with-enough-entropy-9f8e7d",
        "ALLOWED_HOSTS": "fire.example.gov.cn",
    }
    proc = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no issues" in proc.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.production", ALLOWED_HOSTS="fire.example.gov.cn")
    proc = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert proc.returncode != 0
    assert "SECRET_KEY" in proc.stderr


def test_ci_runs_exactly_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    commands = [
        line.strip() for line in ci.splitlines() if line.strip() and not line.startswith(("#", "set ", "cd "))
    ]
    assert commands == ["make test"]
    assert "make test" in readme
    assert "make run" in readme


@pytest.mark.django_db
def test_the_site_has_an_icon_before_login(client):
    answer = client.get("/favicon.ico")
    assert answer.status_code == 302
    assert answer["Location"].endswith("favicon.ico")
    assert "/accounts/login/" not in answer["Location"]
    with open(finders.find("favicon.ico"), "rb") as icon:  # served with the static files
        assert icon.read(4) == b"\x00\x00\x01\x00"  # an ICO file
