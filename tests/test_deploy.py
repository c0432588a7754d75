"""What `docker compose up` needs, read from the files themselves (no Docker on these machines): the
smoke test (deploy/smoke.py, `make smoke`) runs the same commands as the compose services, every
setting the app reads is in .env.example, the image is built from the locks and runs unprivileged."""

import re
import subprocess
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from deploy import smoke

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ["init", "web", "worker", "worker-imports", "beat"]
LONG_RUNNING = ["web", "worker", "worker-imports", "beat", "proxy", "db", "redis"]


def test_compose_runs_the_smoke_tests_commands():
    assert {name: SERVICES[name]["command"] for name in APP_SERVICES} == smoke.COMMANDS
    # The proxy: the same Caddy command, on the same Caddyfile mounted where its command reads it.
    command = SERVICES["proxy"]["command"]
    config = command[command.index("--config") + 1]
    assert f"./{smoke.CADDYFILE}:{config}:ro" in SERVICES["proxy"]["volumes"]
    assert command[: command.index("--config")] == smoke.PROXY[: smoke.PROXY.index("--config")]
    assert command[command.index("--config") + 2 :] == smoke.PROXY[smoke.PROXY.index("--config") + 2 :]
    assert [name for name in APP_SERVICES if name != "init"] == smoke.LONG_RUNNING


def test_every_app_service_is_one_image_built_here():
    for name in APP_SERVICES:
        assert SERVICES[name]["image"] == "firebrigade:latest"
        assert SERVICES[name]["build"] == "."
        assert SERVICES[name]["environment"]["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
        assert SERVICES[name]["env_file"] == ".env"


def test_nothing_starts_before_what_it_needs_is_healthy_and_migrated():
    for name in APP_SERVICES:
        needs = SERVICES[name]["depends_on"]
        assert needs["db"] == {"condition": "service_healthy"}
        assert needs["redis"] == {"condition": "service_healthy"}
        if name != "init":
            assert needs["init"] == {"condition": "service_completed_successfully"}
    assert SERVICES["proxy"]["depends_on"] == {"web": {"condition": "service_healthy"}}
    assert smoke.COMMANDS["init"] == ["bin/serve", "init"]
    serve = (ROOT / "bin" / "serve").read_text()
    init = serve[serve.index("init)") : serve.index(";;", serve.index("init)"))]
    assert "migrate --noinput" in init
    assert "setup_schedules" in init


def test_every_long_running_service_has_a_healthcheck_and_restarts():
    for name in LONG_RUNNING:
        assert SERVICES[name]["restart"] == "unless-stopped", name
        assert SERVICES[name]["healthcheck"]["test"][0] == "CMD", name
    assert SERVICES["init"]["restart"] == "no"
    for name in ["web", "worker", "worker-imports", "beat"]:
        assert SERVICES[name]["healthcheck"]["test"] == ["CMD", "bin/serve", "health", name]


def test_only_the_proxy_is_published_and_it_is_trusted_as_the_one_proxy():
    published = {name for name, service in SERVICES.items() if "ports" in service}
    assert published == {"proxy"}
    assert SERVICES["proxy"]["ports"] == ["80:80", "443:443"]
    assert SERVICES["web"]["environment"]["TRUSTED_PROXY_COUNT"] == "1"


def test_state_lives_in_volumes_and_redis_keeps_its_queues():
    assert "--appendonly" in SERVICES["redis"]["command"]
    assert SERVICES["redis"]["command"][SERVICES["redis"]["command"].index("--appendonly") + 1] == "yes"
    volumes = {v.split(":")[1] for v in SERVICES["web"]["volumes"]}
    assert volumes == {"/app/var/media", "/app/var/backups"}
    assert "pgdata:/var/lib/postgresql/data" in SERVICES["db"]["volumes"]
    assert "redisdata:/data" in SERVICES["redis"]["volumes"]
    assert set(COMPOSE["volumes"]) == {"pgdata", "redisdata", "media", "backups", "caddy-data"}


def settings_read() -> set[str]:
    """Every environment variable the production settings read."""
    names = set()
    for module in ("base.py", "production.py"):
        text = (ROOT / "config" / "settings" / module).read_text()
        names |= set(re.findall(r'(?:environ\.get|env_bool|env_list|env=)\(?\s*"([A-Z][A-Z0-9_]+)"', text))
    return names


def test_env_example_documents_every_setting_the_app_reads():
    example = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", example, flags=re.MULTILINE))
    read = settings_read()
    assert {"SECRET_KEY", "DATABASE_URL", "EMAIL_HOST", "MAX_REQUEST_BYTES"} <= read  # the scan works
    # AXES_PROXY_COUNT: the old name of TRUSTED_PROXY_COUNT, still read for installs that set it;
    # DEBUG: production turns it off whatever is set.
    assert read - {"AXES_PROXY_COUNT", "DEBUG"} <= documented, sorted(read - documented)
    # And what compose or the proxy read from .env.
    compose_text = (ROOT / "docker-compose.yml").read_text()
    caddy_text = (ROOT / smoke.CADDYFILE).read_text()
    interpolated = set(re.findall(r"\$\{([A-Z_]+)", compose_text)) | set(
        re.findall(r"\{\$([A-Z_]+)", caddy_text)
    )
    internal = {"UPSTREAM", "HTTP_PORT", "HTTPS_PORT", "PROXY_HEALTH_PORT"}  # fixed by compose
    assert interpolated - internal <= documented, sorted(interpolated - internal - documented)


def test_env_example_must_be_filled_in_before_it_starts():
    example = (ROOT / ".env.example").read_text()
    assert re.search(r"^SECRET_KEY=$", example, flags=re.MULTILINE)
    assert re.search(r"^POSTGRES_PASSWORD=$", example, flags=re.MULTILINE)
    assert ".env" in (ROOT / ".gitignore").read_text().splitlines()
    assert ".env" in (ROOT / ".dockerignore").read_text().splitlines()


def test_the_image_is_built_from_the_locks_and_runs_unprivileged():
    dockerfile = (ROOT / "Dockerfile").read_text()
    stages = re.findall(r"^FROM (\S+)", dockerfile, flags=re.MULTILINE)
    assert stages[0].startswith("node:")
    assert len(stages) == 3
    assert "npm ci" in dockerfile
    assert "COPY package.json package-lock.json" in dockerfile
    assert "pip install --require-hashes -r requirements.txt" in dockerfile
    runtime = dockerfile[dockerfile.rindex("\nFROM ") :]
    for package in ("libpango-1.0-0", "fonts-noto-cjk", "postgresql-client"):
        assert package in runtime
    assert "collectstatic --noinput" in runtime
    assert re.search(r"^USER firebrigade$", runtime, flags=re.MULTILINE)
    assert "COPY --from=assets /build/static/vendor/ static/vendor/" in runtime


def pins(path: str) -> dict[str, str]:
    text = (ROOT / path).read_text()
    return {
        name.lower(): version
        for name, version in re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", text, re.MULTILINE)
    }


def test_dependencies_are_locked_with_hashes_runtime_apart_from_development():
    for path in ("requirements.txt", "requirements-dev.txt"):
        text = (ROOT / path).read_text()
        body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
        entries = re.split(r"\n(?=[A-Za-z0-9])", body.strip())
        assert len(entries) > 40
        for entry in entries:
            assert "--hash=sha256:" in entry, f"{path}: {entry.splitlines()[0]} has no hash"
    runtime, development = pins("requirements.txt"), pins("requirements-dev.txt")
    assert "honcho" not in runtime
    assert "pytest" not in runtime
    assert "playwright" not in runtime
    assert "honcho" in development
    # Development runs the same versions as production.
    assert {name: development.get(name) for name in runtime} == runtime
    # Every top-level requirement is in its lock at the version asked.
    for source, lock in (("requirements.in", runtime), ("requirements-dev.in", development)):
        asked = pins(source)
        assert asked
        assert all(lock[name.lower()] == version for name, version in asked.items())


@pytest.mark.parametrize("role", ["web", "worker", "worker-imports", "beat", "init"])
def test_serve_knows_each_role(role):
    serve = (ROOT / "bin" / "serve").read_text()
    assert re.search(rf"^{re.escape(role)}\)", serve, flags=re.MULTILINE)


def test_serve_refuses_an_unknown_role():
    proc = subprocess.run(
        ["/bin/sh", "bin/serve", "nonsense"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 2
    assert "usage" in proc.stderr


def test_caddyfile_caps_bodies_like_django():
    caddyfile = (ROOT / smoke.CADDYFILE).read_text()
    assert "max_size {$MAX_REQUEST_BYTES:41943040}" in caddyfile
    assert settings.MAX_REQUEST_BYTES == 41943040
