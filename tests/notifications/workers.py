"""Real Celery worker processes for the crash tests: started with our interpreter on pytest's test
database, killed with SIGKILL, started again."""

import os
import subprocess
import sys
import time
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def wait_for(condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def worker_env(**extra: str) -> dict[str, str]:
    db = connection.settings_dict
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        # The worker process must use pytest's test database, not the configured one.
        "TEST_DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        # Unacknowledged work comes back after 2 s, so a killed worker's task is redelivered quickly.
        "TEST_BROKER_VISIBILITY_TIMEOUT": "2",
        **extra,
    }


def start_worker_process(env, queues: str = ""):
    """A worker process; `queues` ("imports", "celery,reminders") as for `celery worker -Q`."""
    return subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"crash{time.monotonic_ns()}@%h",
            *(["-Q", queues] if queues else []),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
