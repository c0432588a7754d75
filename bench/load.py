"""A bounded load run on 127.0.0.1: gunicorn serving the app, concurrent users for a fixed time.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/fb_bench_county   # made by bench/generate.py
    .venv/bin/python bench/load.py --label county [--workers 3] [--users 8] [--duration 20]
                                   [--mixed-duration 30] [--only …] [--json] [--write]

It starts gunicorn (config.wsgi's application, with bench/run.py's URLconf so that the two floor views
are served too) on a free port of 127.0.0.1 with DEBUG=0 and persistent database connections
(CONN_MAX_AGE=600, as a deployment would set). Django's cache is a dummy in the workers: every answer
is computed (`cached` false). Then:

Throughput, --duration seconds each with --users concurrent connections, in --slices turns (4): the
targets take turns, so that a machine whose speed drifts meanwhile drifts under each target alike:
  floor        /bench/floor/          a logged-in template page extending base.html (official's cookie)
  township     /townships/<id>/       the township page (its lead's session cookie)
  dashboard    /dashboard/?campaign=… the county official's dashboard, last finished winter-spring
               campaign (session cookie)
  api-floor    /bench/api-floor/      a constant DRF answer, token authentication and role permission
  hazards-api  /api/v1/hazards/?township=…&status=open&overdue=true (Authorization: Token …), 50 rows
Target (issue 14): hazards-api req/s ≥ 0.5 × api-floor req/s.

mixed, --mixed-duration seconds per phase: the 20 township leads b001_t01…t20 (--leads) each reading
their own township page and the county official reading the dashboard (current campaign), 21 users
in a closed loop, concurrently; once with a write every --write-every seconds (3) and once without,
the same reads (--rounds R alternates the order: without/with, with/without, …). The write is a real
service write through the API: a township lead, in turn, records an inspection of one of its own
township's premises with one hazard (POST /api/v1/inspections/, token; 201 expected). It adds those
rows to the bench database. p50 / p99 of the reads with and without writes, and their ratio.
Target (issue 14): reads' p50 with writes ≤ 1.5 × without.

Throughput uses wrk (apt-get install wrk) with a Lua script that counts every answer that is not
HTTP 200 as an error, or a Python thread pool when wrk is absent (--threads forces it); the mixed run
always uses Python threads (one per user, redirects not followed: a login redirect is an error).
Throughput, p50 / p99 latency and errors are printed (with --json: one JSON object per line on stdout
and nothing else there; progress on stderr) and with --write put into bench/RESULTS.md. gunicorn is
stopped at the end, whatever happens.
"""

import argparse
import concurrent.futures
import datetime as dt
import itertools
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

NO_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

if os.environ.get("BENCH_GUNICORN") == "1":
    # Imported by gunicorn in each worker: the project's WSGI application with bench/run.py's URLconf
    # (the project's URLs plus the two floor views), and no cache (every answer computed).
    import django
    from django.test.utils import override_settings

    django.setup()
    override_settings(ROOT_URLCONF="bench.run", CACHES=NO_CACHE).enable()
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()

THROUGHPUT = ("floor", "township", "dashboard", "api-floor", "hazards-api")
FLOORS = {"township": "floor", "dashboard": "floor", "hazards-api": "api-floor"}
HAZARDS_API_TARGET = 0.5  # hazards-api req/s over api-floor req/s, at least
MIXED_TARGET = 1.5  # reads' p50 with writes over without, at most


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


def credentials(county_number: int, leads: int) -> dict:
    """Session cookies of the county official and of each township lead, the leads' tokens (created in
    the bench DB) and the premises each lead may write to (its own township's)."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from core.clock import local_today
    from core.services import api_token_issue
    from inspections.models import Campaign
    from townships.models import County, Premises

    user_model = get_user_model()
    county = County.objects.get(name=f"基准县{county_number:03d}")
    prefix = f"b{county_number:03d}"

    def cookie(user) -> str:
        client = Client()
        client.force_login(user)
        return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"

    official = user_model.objects.get(username=f"{prefix}_county")
    names = [f"{prefix}_t{k:02d}" for k in range(1, leads + 1)]
    users = user_model.objects.filter(username__in=names).select_related("profile").order_by("username")
    lead_list = []
    for user in users:
        township_id = user.profile.township_id
        premises = list(
            Premises.objects.filter(township_id=township_id)
            .exclude(name__endswith="（倒查样本）")  # run.py's trace sample keeps its 200 inspections
            .order_by("id")
            .values_list("id", flat=True)[:50]
        )
        _token, token_key = api_token_issue(user=user, by=user)
        lead_list.append(
            {
                "username": user.username,
                "township": township_id,
                "cookie": cookie(user),
                "token": f"Token {token_key}",
                "premises": premises,
            }
        )
    if not lead_list:
        raise SystemExit(f"no township leads {names[0]}… in this database")
    campaign = (
        Campaign.objects.filter(county=county, kind=Campaign.Kind.WINTER_SPRING, ends_on__lt=local_today())
        .order_by("-starts_on")
        .first()
    )
    first = lead_list[0]
    return {
        "official": cookie(official),
        "leads": lead_list,
        "dashboard": f"/dashboard/?campaign={campaign.pk}",
        "dashboard_current": "/dashboard/",
        "township": f"/townships/{first['township']}/",
        "api": f"/api/v1/hazards/?township={first['township']}&status=open&overdue=true",
        "county": county.name,
        "today": local_today(),
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


def with_wrk(url: str, headers: dict, users: int, duration: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(LUA)
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


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect (to the login page) is an answer that is not 200: an error, not followed."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def fetch(url: str, headers: dict, data: bytes | None = None, expect: int = 200) -> tuple[float, bool, str]:
    """One request: (ms, ok, error text)."""
    started = time.perf_counter()
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310
    try:
        with OPENER.open(request, timeout=60) as r:
            r.read()
            ok, text = r.status == expect, f"HTTP {r.status}"
    except urllib.error.HTTPError as exc:
        ok, text = False, f"HTTP {exc.code}: {exc.read()[:300].decode('utf-8', 'replace')}"
    except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
        ok, text = False, f"{type(exc).__name__}: {exc}"
    return (time.perf_counter() - started) * 1000, ok, text


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else None


def stats(latencies: list[float], errors: int, seconds: float) -> dict:
    return {
        "rps": len(latencies) / seconds if seconds else 0.0,
        "requests": len(latencies),
        "p50": pct(latencies, 0.50),
        "p99": pct(latencies, 0.99),
        "errors": errors,
    }


def with_threads(url: str, headers: dict, users: int, duration: int) -> dict:
    """Fallback without wrk: `users` threads in a closed loop for `duration` seconds."""
    stop_at = time.monotonic() + duration

    def user() -> tuple[list[float], int]:
        latencies, errors = [], 0
        while time.monotonic() < stop_at:
            ms, ok, _text = fetch(url, headers)
            latencies.append(ms)
            errors += not ok
        return latencies, errors

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(users) as pool:
        results = list(pool.map(lambda _: user(), range(users)))
    elapsed = time.monotonic() - started
    latencies = [x for lat, _ in results for x in lat]
    return stats(latencies, sum(e for _, e in results), elapsed) | {"tool": "python threads"}


# --- the mixed load: 20 leads on their township pages, the official on the dashboard, writes ------


def inspection_body(premises_id: int, today: dt.date, number: int) -> bytes:
    """A township lead's inspection of one of its own premises, with one hazard (乡镇检查, its kind)."""
    return json.dumps(
        {
            "premises": premises_id,
            "inspected_on": today.isoformat(),
            "inspectors": "压测检查员甲、压测检查员乙",
            "notes": f"bench/load.py mixed load, write {number}",
            "hazards": [
                {
                    "severity": "general",
                    "description": "疏散通道堆放杂物（压测写入）",
                    "deadline": (today + dt.timedelta(days=7)).isoformat(),
                    "responsible_person": "王老板",
                }
            ],
        },
        ensure_ascii=False,
    ).encode()


def mixed_phase(base: str, creds: dict, duration: float, write_every: float | None, say) -> dict:
    """One phase of the mixed load: every reader in a closed loop for `duration` seconds, and, when
    `write_every` is given, one write every `write_every` seconds by the leads in turn."""
    readers = [("dashboard", creds["dashboard_current"], {"Cookie": creds["official"]})]
    readers += [
        ("township", f"/townships/{lead['township']}/", {"Cookie": lead["cookie"]}) for lead in creds["leads"]
    ]
    stop_at = time.monotonic() + duration
    reads: dict[str, list[float]] = {"township": [], "dashboard": []}
    errors = {"township": 0, "dashboard": 0}
    first_error: list[str] = []
    lock = threading.Lock()

    def reader(page: str, path: str, headers: dict) -> None:
        while time.monotonic() < stop_at:
            ms, ok, text = fetch(base + path, headers)
            with lock:
                reads[page].append(ms)
                errors[page] += not ok
                if not ok and not first_error:
                    first_error.append(f"{path}: {text}")

    writes: list[float] = []
    write_errors: list[str] = []

    def writer() -> None:
        leads = itertools.cycle(creds["leads"])
        started = time.monotonic()
        for number in itertools.count():
            due = started + number * write_every
            if due >= stop_at:
                return
            time.sleep(max(0.0, due - time.monotonic()))
            lead = next(leads)
            premises = lead["premises"][(number // len(creds["leads"])) % len(lead["premises"])]
            headers = {"Authorization": lead["token"], "Content-Type": "application/json"}
            ms, ok, text = fetch(
                base + "/api/v1/inspections/",
                headers,
                data=inspection_body(premises, creds["today"], number),
                expect=201,
            )
            writes.append(ms)
            if not ok:
                write_errors.append(f"{lead['username']}: {text}")

    threads = [threading.Thread(target=reader, args=r) for r in readers]
    if write_every:
        threads.append(threading.Thread(target=writer))
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    if first_error:
        say(f"  first read error: {first_error[0]}")
    if write_errors:
        say(f"  {len(write_errors)} writes refused, first: {write_errors[0]}")
    return {
        "reads": stats(
            reads["township"] + reads["dashboard"], errors["township"] + errors["dashboard"], elapsed
        ),
        "township": stats(reads["township"], errors["township"], elapsed),
        "dashboard": stats(reads["dashboard"], errors["dashboard"], elapsed),
        "write": stats(writes, len(write_errors), elapsed),
        "latencies": reads,
        "write_latencies": writes,
        "elapsed": elapsed,
    }


def mixed(base: str, creds: dict, args, say) -> dict:
    """Both phases, `args.rounds` times, the order alternating; latencies pooled per phase."""
    pooled = {
        kind: {"township": [], "dashboard": [], "write": [], "errors": dict.fromkeys(("township", "dashboard", "write"), 0), "seconds": 0.0}
        for kind in ("without", "with")
    }  # fmt: skip
    mixed_phase(base, creds, 3, None, say)  # warm every worker with every page
    for round_number in range(args.rounds):
        order = ("without", "with") if round_number % 2 == 0 else ("with", "without")
        for kind in order:
            every = args.write_every if kind == "with" else None
            r = mixed_phase(base, creds, args.mixed_duration, every, say)
            p = pooled[kind]
            p["township"] += r["latencies"]["township"]
            p["dashboard"] += r["latencies"]["dashboard"]
            p["write"] += r["write_latencies"]
            for page in ("township", "dashboard", "write"):
                p["errors"][page] += r[page]["errors"]
            p["seconds"] += r["elapsed"]
            say(
                f"mixed {kind:7} writes: reads p50 {fmt(r['reads']['p50']):>7} ms  p99 {fmt(r['reads']['p99']):>7} ms  "
                f"{r['reads']['rps']:6.1f} req/s  errors {r['reads']['errors']}  "
                f"(township p50 {fmt(r['township']['p50'])}, dashboard p50 {fmt(r['dashboard']['p50'])}; "
                f"{r['write']['requests']} writes, {r['write']['errors']} refused)"
            )
    out = {}
    for kind, p in pooled.items():
        e = p["errors"]
        out[kind] = {
            "reads": stats(p["township"] + p["dashboard"], e["township"] + e["dashboard"], p["seconds"]),
            "township": stats(p["township"], e["township"], p["seconds"]),
            "dashboard": stats(p["dashboard"], e["dashboard"], p["seconds"]),
            "write": stats(p["write"], e["write"], p["seconds"]),
        }
    return out


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a is not None and b else None


def pooled(runs: list[dict]) -> dict:
    """One target's slices as one run: its requests over its seconds; the slices' median p50 and
    their worst p99."""
    seconds = sum(r["requests"] / r["rps"] for r in runs if r["rps"])
    p50s = sorted(r["p50"] for r in runs)
    return {
        "rps": sum(r["requests"] for r in runs) / seconds if seconds else 0.0,
        "requests": sum(r["requests"] for r in runs),
        "p50": p50s[len(p50s) // 2],
        "p99": max(r["p99"] for r in runs),
        "errors": sum(r["errors"] for r in runs),
        "tool": runs[0]["tool"],
    }


def ms(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description="bounded load run on 127.0.0.1")
    parser.add_argument("--label", default="county", help="the scale (quarter / county / province)")
    parser.add_argument("--county", type=int, default=1)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers (2–4)")
    parser.add_argument("--users", type=int, default=8, help="concurrent connections (throughput)")
    parser.add_argument("--duration", type=int, default=20, help="seconds per throughput target")
    parser.add_argument(
        "--slices", type=int, default=4, help="throughput: each target's seconds in this many turns"
    )
    parser.add_argument("--leads", type=int, default=20, help="township leads in the mixed load")
    parser.add_argument("--mixed-duration", type=int, default=30, help="seconds per mixed phase")
    parser.add_argument("--write-every", type=float, default=3.0, help="seconds between writes (mixed)")
    parser.add_argument("--rounds", type=int, default=1, help="mixed: pairs of phases, order alternating")
    parser.add_argument("--conn-max-age", type=int, default=600, help="CONN_MAX_AGE of the workers")
    parser.add_argument("--only", help="comma-separated: " + ",".join((*THROUGHPUT, "mixed")))
    parser.add_argument("--threads", action="store_true", help="use the Python driver even if wrk is there")
    parser.add_argument("--gunicorn-config", help="a gunicorn config file (e.g. hooks to try a change)")
    parser.add_argument("--json", action="store_true", help="JSON lines on stdout, nothing else")
    parser.add_argument("--write", action="store_true", help="write the tables into bench/RESULTS.md")
    args = parser.parse_args()
    out = sys.stderr if args.json else sys.stdout

    def say(text: str = "") -> None:
        print(text, file=out, flush=True)

    def emit(obj: dict) -> None:
        if args.json:
            print(json.dumps({"scale": args.label, "cached": False} | obj, ensure_ascii=False), flush=True)

    logging.getLogger("axes").setLevel(logging.WARNING)  # force_login would log the session it makes
    bounded = (
        1 <= args.workers <= 8
        and 1 <= args.users <= 64
        and 1 <= args.duration <= 300
        and 1 <= args.leads <= 40
        and 1 <= args.mixed_duration <= 300
        and 0.5 <= args.write_every <= 60
        and 1 <= args.rounds <= 5
        and 1 <= args.slices <= 10
        and args.duration // args.slices >= 1
    )
    if not bounded:
        sys.exit(
            "keep it bounded: workers 1–8, users 1–64, duration 1–300 s, leads 1–40, mixed-duration 1–300 s, "
            "write-every 0.5–60 s, rounds 1–5, slices 1–10 of at least 1 s"
        )
    chosen = args.only.split(",") if args.only else [*THROUGHPUT, "mixed"]
    unknown = set(chosen) - {*THROUGHPUT, "mixed"}
    if unknown:
        parser.error(f"unknown targets: {', '.join(sorted(unknown))}")

    creds = credentials(args.county, args.leads)
    official, lead = {"Cookie": creds["official"]}, {"Cookie": creds["leads"][0]["cookie"]}
    token = {"Authorization": creds["leads"][0]["token"]}
    paths = {
        "floor": ("/bench/floor/", official),
        "township": (creds["township"], lead),
        "dashboard": (creds["dashboard"], official),
        "api-floor": ("/bench/api-floor/", token),
        "hazards-api": (creds["api"], token),
    }
    drive = with_threads if args.threads or not shutil.which("wrk") else with_wrk
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    load_before = os.getloadavg()[0]
    process = start_gunicorn(port, args.workers, args.conn_max_age, args.gunicorn_config)
    results, mixed_result = [], None
    try:
        names = [n for n in THROUGHPUT if n in chosen]
        for name in names:
            path, headers = paths[name]
            drive(base + path, headers, min(args.users, 2), 2)  # warm every worker's connection
        # Each target in --slices turns with the others, so that a machine whose speed drifts (a
        # shared host) drifts under all of them alike: a ratio to a floor compares like with like.
        slices: dict[str, list[dict]] = {name: [] for name in names}
        for _ in range(args.slices):
            for name in names:
                path, headers = paths[name]
                slices[name].append(drive(base + path, headers, args.users, args.duration // args.slices))
        for name in names:
            r = pooled(slices[name])
            r["target"] = name
            results.append(r)
            say(
                f"{name:12} {r['rps']:8.1f} req/s  p50 {fmt(r['p50']):>8} ms  p99 {fmt(r['p99']):>8} ms  "
                f"errors {r['errors']}  ({r['requests']} requests, {r['tool']})"
            )
        if "mixed" in chosen:
            mixed_result = mixed(base, creds, args, say)
    finally:
        stop(process)
        say("gunicorn stopped")

    by_name = {r["target"]: r for r in results}
    for r in results:
        floor = by_name.get(FLOORS.get(r["target"], ""))
        r["over_floor"] = ratio(r["rps"], floor["rps"]) if floor else None
        target = HAZARDS_API_TARGET if r["target"] == "hazards-api" else None
        # Met only with every answer a 200 (a page failing fast must not look fast).
        r["meets"] = (
            None
            if target is None or r["over_floor"] is None
            else r["over_floor"] >= target and not r["errors"] and not floor["errors"]
        )
        emit(
            {
                "scenario": "throughput",
                "target": r["target"],
                "rps": round(r["rps"], 2),
                "p50_ms": ms(r["p50"]),
                "p99_ms": ms(r["p99"]),
                "errors": r["errors"],
                "requests": r["requests"],
                "floor": FLOORS.get(r["target"]),
                "rps_over_floor": r["over_floor"],
                "target_rps_over_floor": target,
                "meets_target": r["meets"],
                "users": args.users,
                "duration_s": args.duration,
                "slices": args.slices,
                "workers": args.workers,
                "tool": r["tool"],
            }
        )
    if mixed_result:
        for kind, phase in mixed_result.items():
            for page in ("reads", "township", "dashboard", "write"):
                s = phase[page]
                emit(
                    {
                        "scenario": "mixed",
                        "writes": kind == "with",
                        "page": page,
                        "rps": round(s["rps"], 2),
                        "p50_ms": ms(s["p50"]),
                        "p99_ms": ms(s["p99"]),
                        "errors": s["errors"],
                        "requests": s["requests"],
                    }
                )
        with_, without = mixed_result["with"], mixed_result["without"]
        p50_ratio = mixed_result["p50_ratio"] = ratio(with_["reads"]["p50"], without["reads"]["p50"])
        # Met only with every read a 200 and every write done (201).
        mixed_result["meets"] = (
            None
            if p50_ratio is None
            else p50_ratio <= MIXED_TARGET
            and not with_["reads"]["errors"]
            and not without["reads"]["errors"]
            and with_["write"]["requests"] > 0
            and not with_["write"]["errors"]
        )
        emit(
            {
                "scenario": "mixed-ratio",
                "p50_with_over_without": p50_ratio,
                "p99_with_over_without": ratio(with_["reads"]["p99"], without["reads"]["p99"]),
                "township_p50_with_over_without": ratio(with_["township"]["p50"], without["township"]["p50"]),
                "dashboard_p50_with_over_without": ratio(
                    with_["dashboard"]["p50"], without["dashboard"]["p50"]
                ),
                "target_p50_ratio": MIXED_TARGET,
                "meets_target": mixed_result["meets"],
                "read_errors": with_["reads"]["errors"] + without["reads"]["errors"],
                "readers": len(creds["leads"]) + 1,
                "writes_done": with_["write"]["requests"],
                "writes_refused": with_["write"]["errors"],
                "write_every_s": args.write_every,
                "phase_s": args.mixed_duration,
                "rounds": args.rounds,
                "workers": args.workers,
            }
        )

    table = render(results, mixed_result, args, creds, load_before)
    say("\n" + table)
    if args.write:
        from bench.run import write_section

        write_section(f"load.py:{args.label}", table)
        say("written to bench/RESULTS.md")


def render(results: list[dict], mixed_result: dict | None, args, creds: dict, load_before: float) -> str:
    database = os.environ.get("DATABASE_URL", "").rsplit("/", 1)[-1]
    lines = [
        f"Run {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} on {os.cpu_count()} cores; gunicorn "
        f"{args.workers} sync workers (CONN_MAX_AGE={args.conn_max_age}, DEBUG=0, no cache: every answer "
        f"computed) and the load driver on the same machine; county {creds['county']} of `{database}`; "
        f"load average before {load_before:.1f}.",
    ]
    if results:
        lines += [
            "",
            f"Throughput ({results[0]['tool']}): {args.users} concurrent connections, {args.duration} s per "
            f"target in {args.slices} turns taken in rotation with the other targets (p50: the turns' median, "
            f"p99: their worst); floor = a logged-in template page extending base.html, api-floor = a constant "
            f"DRF answer.",
            "",
            "| target | req/s | p50 ms | p99 ms | errors | requests | req/s vs its floor |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for r in results:
            versus = f"{r['over_floor']:.3f}" if r.get("over_floor") else ""
            if r.get("meets") is not None:
                met = "met" if r["meets"] else "not met"
                versus += f" (target ≥ {HAZARDS_API_TARGET}: {met})"
            lines.append(
                f"| {r['target']} | {r['rps']:.1f} | {fmt(r['p50'])} | {fmt(r['p99'])} | {r['errors']} | "
                f"{r['requests']} | {versus} |"
            )
    if mixed_result:
        with_, without = mixed_result["with"], mixed_result["without"]
        p50_ratio = mixed_result.get("p50_ratio")
        lines += [
            "",
            f"Mixed load (python threads): {len(creds['leads'])} township leads each on their own township page "
            f"and the county official on the dashboard (current campaign), closed loop, {args.mixed_duration} s "
            f"per phase, {args.rounds} round(s); writes: one inspection with a hazard recorded through "
            f"POST /api/v1/inspections/ every {args.write_every:g} s by the leads in turn.",
            "",
            "| reads | writes | req/s | p50 ms | p99 ms | errors | requests |",
            "|---|---|---:|---:|---:|---:|---:|",
        ]
        for page in ("reads", "township", "dashboard"):
            for kind, phase in (("none", without), (f"every {args.write_every:g} s", with_)):
                s = phase[page]
                lines.append(
                    f"| {page} | {kind} | {s['rps']:.1f} | {fmt(s['p50'])} | {fmt(s['p99'])} | {s['errors']} | "
                    f"{s['requests']} |"
                )
        w = with_["write"]
        meets = mixed_result.get("meets")
        met = "" if meets is None else f" (target ≤ {MIXED_TARGET}: {'met' if meets else 'not met'})"
        lines += [
            "",
            f"Reads' p50 with writes / without: {p50_ratio}{met}; p99: "
            f"{ratio(with_['reads']['p99'], without['reads']['p99'])}. Writes: {w['requests']} "
            f"(p50 {fmt(w['p50'])} ms, p99 {fmt(w['p99'])} ms), {w['errors']} refused.",
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
