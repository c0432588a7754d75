import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.utils import translation

from config.celery import app as celery_app


@pytest.fixture(autouse=True)
def site_language():
    """Every test starts in the site's language (zh-hans): a request made in English by an earlier
    test leaves English active in the thread (LocaleMiddleware activates, nothing deactivates)."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def celery_worker():
    """A real Celery worker, in this process, consuming from the real Redis broker."""
    celery_app.control.purge()
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker


def _flush():
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
    ContentType.objects.clear_cache()


@pytest.fixture(scope="session")
def _demo_dump(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo county, loaded once per test run through the services (~30 s), dumped, and the
    database emptied again; modules that need it reload the dump in a second or two."""
    from django.core.management import call_command

    from demo.loader import demo_load

    path = tmp_path_factory.mktemp("demo") / "demo.json"
    with django_db_blocker.unblock():
        created = demo_load()
        call_command(
            "dumpdata", "townships", "firebrigade", "inspections", "meetings", "core", "notifications",
            "assessments", "auth.user", "auth.group", natural_foreign=True, output=str(path), verbosity=0,
        )  # fmt: skip
        _flush()
    return created, path


@pytest.fixture(scope="module")
def demo(_demo_dump, django_db_blocker):
    """The demo county committed for one test module (tests still roll back their own writes);
    flushed afterwards so the rest of the suite starts from an empty database."""
    from django.core.management import call_command
    from django.test import override_settings

    created, path = _demo_dump
    with django_db_blocker.unblock():
        # The dump holds the history rows already; loading must not write a second copy.
        with override_settings(SIMPLE_HISTORY_ENABLED=False):
            call_command("loaddata", str(path), verbosity=0)
        yield created
        _flush()


@pytest.fixture
def in_process_wsgi():
    """Serve the real WSGI application inside the test's transaction: like Django's test client, keep
    the request signals from closing the connection (which would end the transaction)."""
    from django.core import signals
    from django.db import close_old_connections

    from config.wsgi import application

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield application
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)
