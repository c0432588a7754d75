"""`make smoke`: production as docker-compose.yml runs it, on this machine, without Docker.

The same commands the compose services run (`bin/serve init|web|worker|worker-imports|beat`, Caddy
with deploy/Caddyfile) with the production settings, against the local PostgreSQL and Redis; then,
over HTTPS through the proxy: log in, the dashboard and its chart script, the 通报 PDF, an API token
and a list, a body over the cap refused by the proxy, a reminder made by beat and e-mailed by the
worker, `backup` and `restore` into a fresh database. Everything it started is stopped, and its
databases dropped, whatever happens. tests/test_deploy.py checks COMMANDS against docker-compose.yml.

    python deploy/smoke.py [--keep]     (--keep: leave the temporary directory for reading the logs)
"""

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent

# Service -> command, exactly as in docker-compose.yml (tests/test_deploy.py).
COMMANDS = {
    "init": ["bin/serve", "init"],
    "web": ["bin/serve", "web"],
    "worker": ["bin/serve", "worker"],
    "worker-imports": ["bin/serve", "worker-imports"],
    "beat": ["bin/serve", "beat"],
}
CADDYFILE = "deploy/Caddyfile"
PROXY = ["caddy", "run", "--config", CADDYFILE, "--adapter", "caddyfile"]
LONG_RUNNING = ["web", "worker", "worker-imports", "beat"]

DATABASE = "firebrigade_smoke"
RESTORED = "firebrigade_smoke_restored"
SERVER = os.environ.get("SMOKE_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("SMOKE_REDIS", "redis://127.0.0.1:6379")
REDIS_DBS = (7, 8, 9)  # broker, results, cache
LEAD = "beiguan"  # a township lead of the demo county with hazards coming due


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def say(message: str) -> None:
    print(f"smoke: {message}", flush=True)


class Smoke:
    def __init__(self, work: Path):
        self.work = work
        self.processes: dict[str, subprocess.Popen] = {}
        self.web_port, self.https_port, self.http_port, self.health_port = (free_port() for _ in range(4))
        self.origin = f"https://localhost:{self.https_port}"
        self.mail = work / "mail"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TEST_"))},
            "PYTHON": sys.executable,
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "localhost",
            "SITE_URL": self.origin,
            "CSRF_TRUSTED_ORIGINS": self.origin,
            "DATABASE_URL": f"{SERVER}/{DATABASE}",
            "CELERY_BROKER_URL": f"{REDIS}/{REDIS_DBS[0]}",
            "CELERY_RESULT_BACKEND": f"{REDIS}/{REDIS_DBS[1]}",
            "CACHE_URL": f"{REDIS}/{REDIS_DBS[2]}",
            "TRUSTED_PROXY_COUNT": "1",
            "FIREBRIGADE_VAR_DIR": str(work / "var"),
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(self.mail),
            "WEB_BIND": f"127.0.0.1:{self.web_port}",
            "WEB_WORKERS": "2",
            "WORKER_CONCURRENCY": "2",
            # The proxy (deploy/Caddyfile), its certificates under the work directory.
            "SITE_ADDRESS": f"localhost:{self.https_port}",
            "TLS": "internal",
            "UPSTREAM": f"127.0.0.1:{self.web_port}",
            "HTTP_PORT": str(self.http_port),
            "HTTPS_PORT": str(self.https_port),
            "PROXY_HEALTH_PORT": str(self.health_port),
            "XDG_DATA_HOME": str(work / "caddy-data"),
            "XDG_CONFIG_HOME": str(work / "caddy-config"),
        }

    # -- processes -------------------------------------------------------------------------------

    def run(self, *command: str, env: dict | None = None, check: bool = True) -> str:
        proc = subprocess.run(
            list(command), cwd=ROOT, env=env or self.env, capture_output=True, text=True, check=False
        )
        if check and proc.returncode != 0:
            raise AssertionError(
                f"{' '.join(command)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
            )
        return proc.stdout

    def manage(self, *args: str, env: dict | None = None) -> str:
        return self.run(sys.executable, "manage.py", *args, env=env)

    def start(self, name: str, command: list[str]) -> None:
        log = open(self.work / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        self.processes[name] = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def stop_all(self) -> None:
        for proc in self.processes.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for proc in self.processes.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    def check_alive(self) -> None:
        for name, proc in self.processes.items():
            if proc.poll() is not None:
                log = (self.work / f"{name}.log").read_text(errors="replace")[-3000:]
                raise AssertionError(f"{name} stopped (exit {proc.returncode}):\n{log}")

    def wait_for(self, what: str, condition, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                if condition():
                    return
            except (httpx.HTTPError, OSError):
                pass
            time.sleep(0.5)
        raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")

    # -- databases and broker ----------------------------------------------------------------------

    def psql(self, sql: str) -> None:
        self.run("psql", f"{SERVER}/postgres", "-qAtc", sql)

    def fresh_databases(self) -> None:
        for name in (DATABASE, RESTORED):
            self.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.psql(f'CREATE DATABASE "{DATABASE}"')
        for db in REDIS_DBS:
            self.run("redis-cli", "-u", f"{REDIS}/{db}", "FLUSHDB")

    def drop_databases(self) -> None:
        for name in (DATABASE, RESTORED):
            self.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        for db in REDIS_DBS:
            self.run("redis-cli", "-u", f"{REDIS}/{db}", "FLUSHDB", check=False)

    # -- the run -----------------------------------------------------------------------------------

    def prepare(self) -> None:
        self.fresh_databases()
        say("collectstatic (as the image's build does)")
        self.manage("collectstatic", "--noinput")
        say("init: " + " ".join(COMMANDS["init"]))
        self.run(*COMMANDS["init"])
        say("the demo county, two passwords, an e-mail address for a lead")
        self.manage("load_demo")
        self.password = secrets.token_urlsafe(16)
        self.manage("shell", "-c", SETUP.format(password=self.password, lead=LEAD))

    def start_everything(self) -> None:
        for name in LONG_RUNNING:
            say("start " + name + ": " + " ".join(COMMANDS[name]))
            self.start(name, COMMANDS[name])
        say("start proxy: " + " ".join(PROXY))
        self.start("proxy", PROXY)
        root = self.work / "caddy-data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"
        self.wait_for("the proxy's local certificate authority", root.exists, 60)
        context = ssl.create_default_context(cafile=str(root))
        self.client = httpx.Client(base_url=self.origin, verify=context, timeout=60)
        # An API client (a phone app, another system) has no session: only its token.
        self.api = httpx.Client(base_url=self.origin, verify=context, timeout=60)
        self.wait_for("https /healthz", lambda: self.client.get("/healthz").status_code == 200, 90)

    def check_https(self) -> None:
        answer = httpx.get(f"http://localhost:{self.http_port}/accounts/login/", timeout=10)
        assert answer.status_code in (301, 308), answer.status_code
        # Caddy names no port in the redirect (in production it is 443).
        assert answer.headers["location"].startswith("https://localhost"), answer.headers["location"]
        answer = self.client.get("/healthz")
        assert answer.json() == {"status": "ok", "database": "ok", "broker": "ok"}, answer.text
        assert "max-age=" in answer.headers["strict-transport-security"]
        say("https: http redirects to https, /healthz ok, HSTS sent")

    def log_in(self, username: str) -> None:
        self.client.cookies.clear()
        page = self.client.get("/accounts/login/")
        assert page.status_code == 200, page.status_code
        token = self.client.cookies["csrftoken"]
        answer = self.client.post(
            "/accounts/login/",
            data={"username": username, "password": self.password, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.origin}/accounts/login/"},
        )
        assert answer.status_code == 302, (answer.status_code, answer.text[:500])
        assert "sessionid" in self.client.cookies

    def check_pages(self) -> None:
        self.log_in("county")
        dashboard = self.client.get("/dashboard/")
        assert dashboard.status_code == 200, dashboard.status_code
        script = re.search(r'src="([^"]*echarts\.min[^"]*\.js)"', dashboard.text)
        assert script, "the dashboard names no chart script"
        js = self.client.get(script.group(1))
        assert js.status_code == 200, js.status_code
        assert "javascript" in js.headers["content-type"], js.headers["content-type"]
        assert len(js.content) > 100_000
        say(f"dashboard 200, its chart script {script.group(1)} served ({len(js.content)} bytes)")
        pdf = self.client.get("/reports/bulletin.pdf")
        assert pdf.status_code == 200, (pdf.status_code, pdf.text[:300])
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF")
        say(f"通报 PDF 200 ({len(pdf.content)} bytes)")

    def check_api(self) -> None:
        answer = self.api.post(
            "/api/v1/auth/token/", json={"username": LEAD, "password": self.password, "name": "smoke"}
        )
        assert answer.status_code in (200, 201), (answer.status_code, answer.text)
        key = answer.json()["token"]
        api = {"Authorization": f"Token {key}"}
        hazards = self.api.get("/api/v1/hazards/", params={"page_size": 5}, headers=api)
        assert hazards.status_code == 200, (hazards.status_code, hazards.text[:300])
        assert hazards.json()["results"], "the lead's hazard list is empty"
        say(f"API token for {LEAD}, hazards list 200 ({hazards.json()['count']} hazards)")
        cap = int(os.environ.get("MAX_REQUEST_BYTES", 41943040))
        too_big = self.api.post(
            "/api/v1/inspections/",
            content=b"x" * (cap + 1),
            headers={**api, "Content-Type": "application/json"},
        )
        # Django's own 413 is a JSON error; this is the proxy's, before gunicorn saw any of it. (A body
        # that declares no length is cut off at the cap by the proxy, and Django reads none of it.)
        assert too_big.status_code == 413, too_big.status_code
        assert b"too large" in too_big.content, too_big.content[:200]
        say(f"a body over {cap} bytes refused by the proxy (413)")

    def check_reminders(self) -> None:
        def mailed() -> bool:
            return any(self.mail.glob("*.log")) and any(
                f"{LEAD}@smoke.invalid" in p.read_text(errors="replace") for p in self.mail.glob("*.log")
            )

        self.wait_for("a reminder made by beat and e-mailed by the worker", mailed, 120)
        say(
            f"beat ran the reminders, the worker e-mailed {LEAD} ({len(list(self.mail.glob('*.log')))} files)"
        )

    def check_backup(self) -> None:
        archive = self.work / "backup.tar.gz"
        self.manage("backup", "--output", str(archive))
        self.psql(f'CREATE DATABASE "{RESTORED}"')
        restored = {**self.env, "DATABASE_URL": f"{SERVER}/{RESTORED}"}
        out = self.manage("restore", str(archive), "--yes", env=restored)
        users = self.manage("shell", "-c", COUNT, env=restored)
        original = self.manage("shell", "-c", COUNT)
        last = [json.loads(out.strip().splitlines()[-1]) for out in (users, original)]
        assert last[0] == last[1], (users, original)
        say(f"backup {archive.stat().st_size} bytes, restored into a fresh database: {out.strip()}")

    def main(self) -> None:
        started = time.monotonic()
        self.prepare()
        self.start_everything()
        self.check_https()
        self.check_pages()
        self.check_api()
        self.check_reminders()
        self.check_backup()
        say(f"passed in {time.monotonic() - started:.0f} s")


# Run in the smoke's own database before the processes start: passwords for the county official and a
# lead; the lead reachable by e-mail, each reminder at once (no digest); the daily reminder run every
# five seconds instead of at 07:30, so that beat sends it while the smoke waits.
SETUP = """
from django.contrib.auth import get_user_model
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from notifications.models import ChannelPreference
User = get_user_model()
for name in ("county", "{lead}"):
    user = User.objects.get(username=name)
    user.set_password("{password}")
    user.save()
lead = User.objects.get(username="{lead}")
lead.email = "{lead}@smoke.invalid"
lead.save()
ChannelPreference.objects.update_or_create(user=lead, defaults={{"digest": False}})
every, _ = IntervalSchedule.objects.get_or_create(every=5, period=IntervalSchedule.SECONDS)
task = PeriodicTask.objects.filter(task="reminders.dispatch").order_by("id").first()
task.crontab = None
task.interval = every
task.save()
"""

COUNT = """
import json
from django.contrib.auth import get_user_model
from inspections.models import Hazard
print(json.dumps([get_user_model().objects.count(), Hazard.objects.count()]))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs)")
    args = parser.parse_args()
    for tool in ("caddy", "psql", "pg_dump", "redis-cli"):
        if shutil.which(tool) is None:
            print(
                f"smoke: {tool} not found (bin/ensure-caddy, postgresql-client, redis-tools)", file=sys.stderr
            )
            return 2
    work = Path(tempfile.mkdtemp(prefix="firebrigade-smoke-"))
    smoke = Smoke(work)
    try:
        smoke.main()
        return 0
    except AssertionError as exc:
        print(f"smoke: FAILED: {exc}\n(logs in {work})", file=sys.stderr)
        args.keep = True
        return 1
    finally:
        smoke.stop_all()
        smoke.drop_databases()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
