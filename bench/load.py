"""A bounded load run on 127.0.0.1: gunicorn serving the app, N concurrent users for a fixed time.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/fb_bench_county   # made by bench/generate.py
    .venv/bin/python bench/load.py --label county [--workers 3] [--users 8] [--duration 20] [--write]

It starts gunicorn (config.wsgi's application, with bench/run.py's URLconf so that the two floor views
are served too) on a free port of 127.0.0.1 with DEBUG=0 and persistent database connections
(CONN_MAX_AGE=600, as a deployment would set), then drives, one after the other, for --duration
seconds each with --users concurrent connections:

  floor        /bench/floor/          a constant page behind the login middleware (session cookie)
  dashboard    /dashboard/?campaign=… the county official's dashboard (session cookie); its figures
               come from the cache after the first request (core.list_cache; run.py's
               `dashboard-uncached` measures them computed)
  api-floor    /bench/api-floor/      a constant DRF answer, token authentication and role permission
  hazards-api  /api/v1/hazards/?township=…&status=open&overdue=true  (Authorization: Token …), the
               same question again and again: answered from the list cache (core.list_cache)
  hazards-api-uncached  the same with a new `&fresh=…` on every request, which the filters ignore but
               the cache keys on: every answer computed, as the first one after a write

with wrk (apt-get install wrk) and a Lua script that sets the cookie / header and counts every answer
that is not HTTP 200 as an error (a redirect to the login page would otherwise look like success), or
with a Python thread pool when wrk is absent. Throughput, p50 / p99 latency and errors are printed (and
with --write put into bench/RESULTS.md). gunicorn is stopped at the end, whatever happens.
"""

import argparse
import concurrent.futures
import datetime as dt
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

if os.environ.get("BENCH_GUNICORN") == "1":
    # Imported by gunicorn in each worker: the project's WSGI application with bench/run.py's URLconf
    # (the project's URLs plus the two floor views).
    import django
    from django.conf import settings

    django.setup()
    settings.ROOT_URLCONF = "bench.run"
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()


LUA = r"""
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) errors = 0 end
function response(status, headers, body)
  if status ~= 200 then errors = errors + 1 end
end
function done(summary, latency, requests)
  local e = 0
  for _, t in ipairs(threads) do e = e + t:get("errors") end
  local s = summary.errors
  io.write(string.format(
    'JSON {"requests": %d, "duration_us": %d, "non200": %d, "socket_errors": %d, "timeouts": %d, ' ..
    '"p50_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, e, s.connect + s.read + s.write, s.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def credentials(county_number: int) -> dict:
    """Session cookies for the county official and token for the township lead (created in the bench DB)."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from core.clock import local_today
    from inspections.models import Campaign
    from townships.models import County, Township

    user_model = get_user_model()
    county = County.objects.get(name=f"基准县{county_number:03d}")
    prefix = f"b{county_number:03d}"
    official = user_model.objects.get(username=f"{prefix}_county")
    lead = user_model.objects.get(username=f"{prefix}_t01")
    client = Client()
    client.force_login(official)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    token, _ = Token.objects.get_or_create(user=lead)
    campaign = (
        Campaign.objects.filter(county=county, kind=Campaign.Kind.WINTER_SPRING, ends_on__lt=local_today())
        .order_by("-starts_on")
        .first()
    )
    township = Township.objects.filter(county=county).order_by("id").first()
    return {
        "cookie": cookie,
        "token": f"Token {token.key}",
        "dashboard": f"/dashboard/?campaign={campaign.pk}",
        "api": f"/api/v1/hazards/?township={township.pk}&status=open&overdue=true",
        "county": county.name,
    }


def start_gunicorn(port: int, workers: int, conn_max_age: int, config: str | None = None) -> subprocess.Popen:
    env = {
        **os.environ,
        "BENCH_GUNICORN": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "0",
        "CONN_MAX_AGE": str(conn_max_age),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "bench.load:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--timeout",
        "120",
        "--log-level",
        "warning",
        "--chdir",
        str(ROOT),
        *(["--config", config] if config else []),
    ]
    process = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)  # noqa: S603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5) as r:
                if r.status == 200:
                    return process
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    stop(process)
    raise RuntimeError("gunicorn did not answer within 60 s")


def stop(process: subprocess.Popen) -> None:
    """Stop the gunicorn we started (its master, by pid; it stops its own workers)."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


# For the "-uncached" target: a query parameter the filters ignore but the list cache keys on, new on
# every request, so each answer is computed (the first request after a write, every time).
FRESH_LUA = r"""
local counter = 0
function request()
  counter = counter + 1
  return wrk.format(nil, wrk.path .. "&fresh=" .. counter .. "-" .. math.random(1000000000))
end
"""


def with_wrk(url: str, headers: dict, users: int, duration: int, fresh: bool = False) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(LUA)
        if fresh:
            f.write(FRESH_LUA)
        for name, value in headers.items():
            f.write(f'wrk.headers["{name}"] = "{value}"\n')
        script = f.name
    try:
        out = subprocess.run(  # noqa: S603
            [
                shutil.which("wrk"),
                "-t1",
                f"-c{users}",
                f"-d{duration}s",
                "--timeout",
                "60s",
                "-s",
                script,
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script)
    data = json.loads(next(line[5:] for line in out.splitlines() if line.startswith("JSON ")))
    seconds = data["duration_us"] / 1e6
    return {
        "rps": data["requests"] / seconds,
        "requests": data["requests"],
        "p50": data["p50_us"] / 1000,
        "p99": data["p99_us"] / 1000,
        "errors": data["non200"] + data["socket_errors"] + data["timeouts"],
        "tool": "wrk",
    }


def with_threads(url: str, headers: dict, users: int, duration: int, fresh: bool = False) -> dict:
    """Fallback without wrk: `users` threads in a closed loop for `duration` seconds."""
    stop_at = time.monotonic() + duration

    def user() -> tuple[list[float], int]:
        latencies, errors = [], 0
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                address = f"{url}&fresh={time.perf_counter_ns()}" if fresh else url
                request = urllib.request.Request(address, headers=headers)  # noqa: S310
                with urllib.request.urlopen(request, timeout=60) as r:  # noqa: S310
                    r.read()
                    errors += r.status != 200
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                errors += 1
            latencies.append((time.perf_counter() - started) * 1000)
        return latencies, errors

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(users) as pool:
        results = list(pool.map(lambda _: user(), range(users)))
    elapsed = time.monotonic() - started
    latencies = sorted(x for lat, _ in results for x in lat)
    return {
        "rps": len(latencies) / elapsed,
        "requests": len(latencies),
        "p50": latencies[len(latencies) // 2],
        "p99": latencies[min(len(latencies) - 1, round(0.99 * (len(latencies) - 1)))],
        "errors": sum(e for _, e in results),
        "tool": "python threads",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="bounded load run on 127.0.0.1")
    parser.add_argument("--label", default="county")
    parser.add_argument("--county", type=int, default=1)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers (2–4)")
    parser.add_argument("--users", type=int, default=8, help="concurrent connections")
    parser.add_argument("--duration", type=int, default=20, help="seconds per target")
    parser.add_argument("--conn-max-age", type=int, default=600, help="CONN_MAX_AGE of the workers")
    parser.add_argument(
        "--only", help="comma-separated targets: floor,dashboard,api-floor,hazards-api,hazards-api-uncached"
    )
    parser.add_argument("--threads", action="store_true", help="use the Python driver even if wrk is there")
    parser.add_argument("--gunicorn-config", help="a gunicorn config file (e.g. hooks to try a change)")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    logging.getLogger("axes").setLevel(logging.WARNING)  # force_login would log the session it makes
    if not 1 <= args.workers <= 8 or not 1 <= args.users <= 64 or not 1 <= args.duration <= 300:
        sys.exit("keep it bounded: workers 1–8, users 1–64, duration 1–300 s")

    creds = credentials(args.county)
    cookie, token = {"Cookie": creds["cookie"]}, {"Authorization": creds["token"]}
    targets = [
        ("floor", "/bench/floor/", cookie),
        ("dashboard", creds["dashboard"], cookie),
        ("api-floor", "/bench/api-floor/", token),
        ("hazards-api", creds["api"], token),
        ("hazards-api-uncached", creds["api"], token),
    ]
    if args.only:
        targets = [t for t in targets if t[0] in args.only.split(",")]
    drive = with_threads if args.threads or not shutil.which("wrk") else with_wrk
    port = free_port()
    load_before = os.getloadavg()[0]
    process = start_gunicorn(port, args.workers, args.conn_max_age, args.gunicorn_config)
    results = []
    try:
        for name, path, headers in targets:
            url = f"http://127.0.0.1:{port}{path}"
            fresh = name.endswith("-uncached")
            drive(url, headers, min(args.users, 2), 2, fresh)  # warm every worker's connection and caches
            r = drive(url, headers, args.users, args.duration, fresh)
            r["target"] = name
            results.append(r)
            print(
                f"{name:12} {r['rps']:8.1f} req/s  p50 {r['p50']:8.1f} ms  p99 {r['p99']:8.1f} ms  "
                f"errors {r['errors']}  ({r['requests']} requests, {r['tool']})",
                flush=True,
            )
    finally:
        stop(process)
        print("gunicorn stopped")

    floors = {"dashboard": "floor", "hazards-api": "api-floor", "hazards-api-uncached": "api-floor"}
    by_name = {r["target"]: r for r in results}
    lines = [
        f"Run {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} on {os.cpu_count()} cores; gunicorn "
        f"{args.workers} sync workers (CONN_MAX_AGE={args.conn_max_age}, DEBUG=0) and the load driver "
        f"({results[0]['tool'] if results else '—'}) on the same machine; {args.users} concurrent connections, "
        f"{args.duration} s per target; county {creds['county']} of `{os.environ.get('DATABASE_URL', '').rsplit('/', 1)[-1]}`; "
        f"load average before {load_before:.1f}.",
        "",
        "| target | req/s | p50 ms | p99 ms | errors | requests | req/s vs its floor |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        floor = by_name.get(floors.get(r["target"], ""))
        versus = (
            f"{r['rps'] / floor['rps']:.3f} (1/{floor['rps'] / r['rps']:.0f})" if floor and r["rps"] else ""
        )
        lines.append(
            f"| {r['target']} | {r['rps']:.1f} | {r['p50']:.1f} | {r['p99']:.1f} | {r['errors']} | "
            f"{r['requests']} | {versus} |"
        )
    table = "\n".join(lines)
    print("\n" + table)
    if args.write:
        from bench.run import write_section

        write_section(f"load.py:{args.label}", table)


if __name__ == "__main__":
    main()
