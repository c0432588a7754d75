"""Production settings read from the environment: what they trust depends on what is declared."""

import os
import subprocess
import sys

import pytest

BASE_ENV = {"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "fire.example.gov.cn", "DJANGO_SETTINGS_MODULE": ""}


def production(**env) -> str:
    """SECURE_PROXY_SSL_HEADER as production settings build it with `env`."""
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings.production as p; print(p.SECURE_PROXY_SSL_HEADER)"],
        env={**os.environ, **BASE_ENV, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("proxies", "expected"),
    [("0", "None"), ("1", "('HTTP_X_FORWARDED_PROTO', 'https')")],
)
def test_https_is_taken_from_x_forwarded_proto_only_behind_a_declared_proxy(proxies, expected):
    assert production(TRUSTED_PROXY_COUNT=proxies) == expected
