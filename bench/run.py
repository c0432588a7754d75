"""Server time of the heavy pages, computed, against the floor (a trivial logged-in template page) and
the limit (hand-written SQL).

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/fb_bench_county   # made by bench/generate.py
    .venv/bin/python bench/run.py --label county [-n 30] [--json] [--explain K] [--write]

For each page, in one process and one run: N requests through django.test.Client (DEBUG off,
config.settings.local, persistent connection CONN_MAX_AGE=600 as a deployment would use), median and
p95 of the wall time around `client.get`; the queries of one request (CaptureQueriesContext, in a
separate pass so that capturing does not slow the timed ones); beside it, interleaved, N runs of the
tightest SQL I could write that returns the same figures / rows on the same PostgreSQL (the limit) and
N requests of the floor through the same client, as the same user:

  floor      /bench/floor/      a template that extends base.html with a one-line content block, so it
                                pays what every page pays: session, user, profile, the context
                                processors (menu, unread reminders) and the base template
  api-floor  /bench/api-floor/  a DRF APIView with the project's authentication and permission
                                classes returning a constant (the floor of the API page)

Pages (county 1 of the database, or --county), every one computed (`cached` false: Django's cache is a
dummy in this process, so nothing can be answered from a cache):
  dashboard          /dashboard/?campaign=<last finished winter-spring campaign>  county official
  dashboard-current  /dashboard/ (the current campaign, inspections.selectors.campaign_current)
  township           /townships/<id>/                            as that township's lead
  hazards-api        /api/v1/hazards/?township=<id>&status=open&overdue=true   that lead, token header
  trace              /trace/premises/<id>/ of the premises with 200 inspections   county official

Targets (issue 14): township ≤ 6× the floor, dashboard ≤ 10× the floor, at every scale.

--json prints one JSON object per page on stdout (and nothing else there; progress goes to stderr):
page, scale (--label), cached, ours/sql/floor ms p50 and p95, queries, the ratios. --explain K prints
EXPLAIN (ANALYZE, BUFFERS) of each page's K slowest queries. --write puts the table in
bench/RESULTS.md between markers (other sections of the file are kept).
"""

import argparse
import datetime as dt
import functools
import json
import logging
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
if __name__ == "__main__":
    os.environ["DEBUG"] = "0"  # timings without DEBUG's query log and debug pages
    os.environ.setdefault("CONN_MAX_AGE", "600")
    hosts = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost")
    os.environ["ALLOWED_HOSTS"] = hosts + ",testserver"

import django

django.setup()

from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.template import engines  # noqa: E402
from django.urls import include, path  # noqa: E402
from rest_framework.response import Response  # noqa: E402
from rest_framework.views import APIView  # noqa: E402

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "RESULTS.md"
SHANGHAI = ZoneInfo("Asia/Shanghai")

# Every measured answer is computed: Django's cache is a dummy for the bench (here and in load.py's
# gunicorn workers), whatever the app still keeps in it.
NO_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

# Which floor each page is measured against, and the issue's target for page / floor (p50).
TARGETS_OVER_FLOOR = {"township": 6.0, "dashboard": 10.0, "dashboard-current": 10.0}


# --- the floors: served with the project's URLs, middleware and authentication -----------------

FLOOR_TEMPLATE = '{% extends "base.html" %}{% block content %}<p>ok</p>{% endblock %}'


@functools.cache
def floor_template():
    """Compiled once, as the cached template loader keeps a page's template."""
    return engines["django"].from_string(FLOOR_TEMPLATE)


def floor(request):
    """A trivial logged-in page: base.html with a one-line content block (the login middleware
    applies; the context processors and the base template run as on any page)."""
    return HttpResponse(floor_template().render({}, request))


class ApiFloor(APIView):
    """A constant API answer with the project's DRF authentication (session / token) and permissions."""

    def get(self, request):
        return Response({"ok": True})


urlpatterns = [
    path("bench/floor/", floor, name="bench-floor"),
    path("bench/api-floor/", ApiFloor.as_view(), name="bench-api-floor"),
    path("", include("config.urls")),
]


# --- helpers -----------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(values: list[float]) -> dict:
    return {"median": statistics.median(values), "p95": pct(values, 0.95), "n": len(values)}


def machine() -> str:
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
        cursor.execute("SELECT current_setting('shared_buffers'), current_setting('work_mem')")
        sb, wm = cursor.fetchone()
    cpu = ""
    try:
        cpu = subprocess.run(["/usr/bin/lscpu"], capture_output=True, text=True, check=False).stdout
        cpu = next((line.split(":", 1)[1].strip() for line in cpu.splitlines() if "Model name" in line), "")
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores ({cpu or platform.processor()}), {mem_gb:.0f} GB RAM, "
        f"PostgreSQL {pg} (shared_buffers {sb}, work_mem {wm}), Python {platform.python_version()}, "
        f"Django {django.get_version()}"
    )


def local_today() -> dt.date:
    from core.clock import local_today as today

    return today()


def at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)


# --- the limit: hand-written SQL ---------------------------------------------------------------

DASHBOARD_SQL = """
WITH t AS (SELECT id, name FROM townships_township WHERE county_id = %(county)s),
b AS (
    SELECT br.id, br.township_id, br.status, br.brigade_class, s.id AS standard_id, s.min_staff,
           (SELECT count(*) FROM firebrigade_brigademember m
             WHERE m.brigade_id = br.id AND m.left_on IS NULL AND m.on_duty) AS staff
    FROM firebrigade_brigade br JOIN t ON t.id = br.township_id
    LEFT JOIN firebrigade_brigadestandard s ON s.brigade_class = br.brigade_class
),
held AS (
    SELECT e.brigade_id, e.equipment_type_id, sum(e.quantity) AS q
    FROM firebrigade_equipmentitem e JOIN b ON b.id = e.brigade_id
    WHERE e.condition = 'good' GROUP BY 1, 2
),
eq AS (
    SELECT b.id AS brigade_id, sum(GREATEST(r.quantity - COALESCE(h.q, 0), 0)) AS gap
    FROM b JOIN firebrigade_equipmentrequirement r ON r.standard_id = b.standard_id
    LEFT JOIN held h ON h.brigade_id = b.id AND h.equipment_type_id = r.equipment_type_id
    GROUP BY 1
),
veh AS (
    SELECT h.brigade_id, sum(h.q) AS n FROM held h
    JOIN firebrigade_equipmenttype et ON et.id = h.equipment_type_id AND et.category = 'vehicle'
    GROUP BY 1
),
bt AS (
    SELECT b.township_id,
           max(array_position(ARRAY['planned','under_construction','established','accepted'], b.status::text)) AS best,
           sum(b.staff) AS staff, sum(b.min_staff) AS min_staff,
           sum(GREATEST(b.min_staff - b.staff, 0)) AS staff_gap,
           sum(COALESCE(eq.gap, 0)) AS equipment_gap, sum(COALESCE(veh.n, 0)) AS vehicles
    FROM b LEFT JOIN eq ON eq.brigade_id = b.id LEFT JOIN veh ON veh.brigade_id = b.id
    GROUP BY 1
),
sh AS (
    SELECT l.township_id, string_agg(br.name, '、' ORDER BY br.name) AS names
    FROM firebrigade_brigade_also_serves l JOIN t ON t.id = l.township_id
    JOIN firebrigade_brigade br ON br.id = l.brigade_id GROUP BY 1
),
f AS (
    SELECT township_id, sum(amount) AS allocated, sum(disbursed_amount) AS disbursed
    FROM firebrigade_fundingallocation
    WHERE year = %(year)s AND township_id IN (SELECT id FROM t) GROUP BY 1
),
pl AS (SELECT id, township_id FROM inspections_inspectionplan WHERE campaign_id = %(campaign)s),
pc AS (
    SELECT pl.township_id, count(*) AS n FROM inspections_inspectionplan_premises pp
    JOIN pl ON pl.id = pp.inspectionplan_id GROUP BY 1
),
ic AS (
    SELECT township_id, sum(n) AS n FROM (
        SELECT pl.township_id, count(DISTINCT i.premises_id) AS n
        FROM inspections_inspection i JOIN pl ON pl.id = i.plan_id GROUP BY pl.id, pl.township_id
    ) x GROUP BY 1
),
hz AS (
    SELECT township_id, count(*) AS found,
           count(*) FILTER (WHERE status = 'verified' AND verified_on <= %(on)s) AS rectified,
           count(*) FILTER (WHERE deadline < %(on)s AND NOT (status = 'verified' AND verified_on <= %(on)s)) AS overdue,
           count(*) FILTER (WHERE severity = 'major') AS major
    FROM inspections_hazard
    WHERE township_id IN (SELECT id FROM t) AND discovered_on >= %(start)s AND discovered_on <= %(found_to)s
    GROUP BY 1
),
fi AS (
    SELECT township_id,
           count(*) FILTER (WHERE occurred_at >= %(this_from)s AND occurred_at < %(this_to)s) AS this,
           count(*) FILTER (WHERE occurred_at >= %(last_from)s AND occurred_at < %(last_to)s) AS last
    FROM firebrigade_fireincident
    WHERE township_id IN (SELECT id FROM t) AND occurred_at >= %(last_from)s AND occurred_at < %(this_to)s
    GROUP BY 1
),
asg AS (
    SELECT township_id, count(*) AS total,
           count(*) FILTER (WHERE status = 'closed' AND closed_on <= %(on)s) AS closed,
           count(*) FILTER (WHERE deadline < %(on)s AND NOT (status = 'closed' AND closed_on <= %(on)s)) AS overdue
    FROM meetings_assignment WHERE township_id IN (SELECT id FROM t) GROUP BY 1
)
SELECT t.id, t.name, bt.best, bt.staff, bt.min_staff, bt.staff_gap, bt.equipment_gap, bt.vehicles, sh.names,
       f.allocated, f.disbursed, pc.n AS planned, ic.n AS inspected,
       hz.found, hz.rectified, hz.overdue, hz.major, fi.this, fi.last, asg.total, asg.closed, asg.overdue
FROM t LEFT JOIN bt ON bt.township_id = t.id LEFT JOIN sh ON sh.township_id = t.id
LEFT JOIN f ON f.township_id = t.id LEFT JOIN pc ON pc.township_id = t.id LEFT JOIN ic ON ic.township_id = t.id
LEFT JOIN hz ON hz.township_id = t.id LEFT JOIN fi ON fi.township_id = t.id LEFT JOIN asg ON asg.township_id = t.id
"""

TOWNSHIP_SQL = [
    # Header figures: brigade(s) with equipment gaps, the current campaign's plans, hazard figures.
    """
WITH c AS (
    SELECT id FROM inspections_campaign WHERE county_id = %(county)s AND starts_on <= %(on)s
    ORDER BY (ends_on >= %(on)s) DESC, kind DESC, starts_on DESC LIMIT 1
),
b AS (
    SELECT br.id, br.name, br.status, br.station_area_m2, s.id AS standard_id, s.min_staff, s.min_vehicles,
           s.min_station_area_m2,
           (SELECT count(*) FROM firebrigade_brigademember m
             WHERE m.brigade_id = br.id AND m.left_on IS NULL AND m.on_duty) AS staff
    FROM firebrigade_brigade br LEFT JOIN firebrigade_brigadestandard s ON s.brigade_class = br.brigade_class
    WHERE br.township_id = %(township)s
),
eq AS (
    SELECT b.id AS brigade_id, et.name, r.quantity,
           COALESCE((SELECT sum(e.quantity) FROM firebrigade_equipmentitem e WHERE e.brigade_id = b.id
                      AND e.equipment_type_id = r.equipment_type_id AND e.condition = 'good'), 0) AS held
    FROM b JOIN firebrigade_equipmentrequirement r ON r.standard_id = b.standard_id
    JOIN firebrigade_equipmenttype et ON et.id = r.equipment_type_id
),
pl AS (
    SELECT p.id, p.title, p.due_on,
           (SELECT count(*) FROM inspections_inspectionplan_premises pp WHERE pp.inspectionplan_id = p.id) AS planned,
           (SELECT count(DISTINCT i.premises_id) FROM inspections_inspection i WHERE i.plan_id = p.id) AS inspected
    FROM inspections_inspectionplan p WHERE p.township_id = %(township)s AND p.campaign_id = (SELECT id FROM c)
),
hz AS (
    SELECT count(*) FILTER (WHERE NOT (status = 'verified' AND verified_on <= %(on)s)) AS open,
           count(*) FILTER (WHERE deadline < %(on)s AND NOT (status = 'verified' AND verified_on <= %(on)s)) AS overdue,
           count(*) FILTER (WHERE severity = 'major' AND NOT (status = 'verified' AND verified_on <= %(on)s)) AS major_open
    FROM inspections_hazard WHERE township_id = %(township)s AND discovered_on <= %(on)s
)
SELECT (SELECT id FROM c), (SELECT json_agg(b) FROM b), (SELECT json_agg(eq) FROM eq),
       (SELECT json_agg(pl) FROM pl), hz.open, hz.overdue, hz.major_open
FROM hz
""",
    # Premises of the current campaign's plans not yet inspected under the plan.
    """
SELECT pp.inspectionplan_id, p.id, p.name
FROM inspections_inspectionplan_premises pp
JOIN inspections_inspectionplan pl ON pl.id = pp.inspectionplan_id
JOIN townships_premises p ON p.id = pp.premises_id
WHERE pl.township_id = %(township)s AND pl.campaign_id = %(current_campaign)s
  AND NOT EXISTS (SELECT 1 FROM inspections_inspection i
                  WHERE i.plan_id = pp.inspectionplan_id AND i.premises_id = pp.premises_id)
ORDER BY p.name, p.id
""",
    # Hazards not verified with a deadline within 3 days or past.
    """
SELECT h.id, h.description, h.deadline, h.status, h.severity, p.name, g.name, i.inspected_on, ci.code
FROM inspections_hazard h JOIN townships_premises p ON p.id = h.premises_id
LEFT JOIN townships_grid g ON g.id = p.grid_id JOIN inspections_inspection i ON i.id = h.inspection_id
LEFT JOIN inspections_checklistitem ci ON ci.id = h.checklist_item_id
WHERE h.township_id = %(township)s AND h.status <> 'verified' AND h.deadline <= %(near)s
ORDER BY h.deadline, h.id LIMIT 50
""",
    # Assignments not closed due within 7 days or past.
    """
SELECT a.id, a.deadline, a.status, a.progress_percent, d.number, d.text, m.title
FROM meetings_assignment a JOIN meetings_directive d ON d.id = a.directive_id
JOIN meetings_meeting m ON m.id = d.meeting_id
WHERE a.township_id = %(township)s AND a.status <> 'closed' AND a.deadline <= %(week)s
ORDER BY a.deadline, d.number, a.id LIMIT 50
""",
    # Equipment (not scrapped) due for maintenance within 7 days or past.
    """
SELECT e.id, e.quantity, e.next_maintenance_on, et.name, br.name
FROM firebrigade_equipmentitem e JOIN firebrigade_brigade br ON br.id = e.brigade_id
JOIN firebrigade_equipmenttype et ON et.id = e.equipment_type_id
WHERE br.township_id = %(township)s AND e.next_maintenance_on <= %(week)s AND e.condition <> 'scrapped'
ORDER BY e.next_maintenance_on, e.id LIMIT 50
""",
]

HAZARD_API_SQL = [
    # status=open implies not verified, so "overdue" is just deadline < today.
    """
SELECT count(*) FROM inspections_hazard
WHERE township_id = %(township)s AND status = 'open' AND deadline < %(on)s
""",
    """
SELECT h.id, h.inspection_id, h.premises_id, p.name, h.township_id, t.name, p.grid_id, g.name,
       h.checklist_item_id, h.severity, h.description, h.discovered_on, h.deadline, h.status,
       h.responsible_person, h.photo_before, h.photo_after, h.verified_on, h.created_at, h.updated_at
FROM inspections_hazard h JOIN townships_premises p ON p.id = h.premises_id
JOIN townships_township t ON t.id = h.township_id LEFT JOIN townships_grid g ON g.id = p.grid_id
WHERE h.township_id = %(township)s AND h.status = 'open' AND h.deadline < %(on)s
ORDER BY h.deadline, h.id LIMIT 50
""",
    """
SELECT r.* FROM inspections_rectification r WHERE r.hazard_id IN (
    SELECT id FROM inspections_hazard WHERE township_id = %(township)s AND status = 'open' AND deadline < %(on)s
    ORDER BY deadline, id LIMIT 50)
ORDER BY r.hazard_id, r.rectified_on, r.id
""",
    """
SELECT r.* FROM inspections_reinspection r WHERE r.hazard_id IN (
    SELECT id FROM inspections_hazard WHERE township_id = %(township)s AND status = 'open' AND deadline < %(on)s
    ORDER BY deadline, id LIMIT 50)
ORDER BY r.hazard_id, r.inspected_on, r.id
""",
]

TRACE_SQL = [
    """
SELECT p.*, t.name, g.name, ps.name FROM townships_premises p JOIN townships_township t ON t.id = p.township_id
LEFT JOIN townships_grid g ON g.id = p.grid_id LEFT JOIN townships_policestation ps ON ps.id = p.police_station_id
WHERE p.id = %(premises)s
""",
    """
SELECT i.id, i.kind, i.inspected_on, i.inspectors, u.username
FROM inspections_inspection i LEFT JOIN auth_user u ON u.id = i.recorded_by_id
WHERE i.premises_id = %(premises)s ORDER BY i.inspected_on, i.id
""",
    """
SELECT h.id, h.inspection_id, h.severity, h.description, h.discovered_on, h.deadline, h.status, h.verified_on,
       h.responsible_person, i.inspectors, u.username,
       (h.deadline < %(on)s AND NOT (h.status = 'verified' AND h.verified_on <= %(on)s)) AS is_overdue,
       (h.verified_on > h.deadline) AS verified_late
FROM inspections_hazard h JOIN inspections_inspection i ON i.id = h.inspection_id
LEFT JOIN auth_user u ON u.id = i.recorded_by_id
WHERE h.premises_id = %(premises)s ORDER BY h.discovered_on, h.id
""",
    """
SELECT r.hazard_id, r.rectified_on, r.rectified_by, r.measures, u.username
FROM inspections_rectification r JOIN inspections_hazard h ON h.id = r.hazard_id
LEFT JOIN auth_user u ON u.id = r.submitted_by_id WHERE h.premises_id = %(premises)s
""",
    """
SELECT r.hazard_id, r.inspected_on, r.inspectors, r.passed, r.note, u.username
FROM inspections_reinspection r JOIN inspections_hazard h ON h.id = r.hazard_id
LEFT JOIN auth_user u ON u.id = r.recorded_by_id WHERE h.premises_id = %(premises)s
""",
    """
SELECT id, status, deadline, history_date, history_change_reason, history_user_id
FROM inspections_historicalhazard WHERE premises_id = %(premises)s ORDER BY id, history_date, history_id
""",
    """
SELECT a.* FROM inspections_accountability a LEFT JOIN inspections_hazard h ON h.id = a.hazard_id
WHERE a.premises_id = %(premises)s OR h.premises_id = %(premises)s ORDER BY a.decided_on, a.id
""",
]


def run_sql(statements: list[str], params: dict) -> int:
    rows = 0
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql, params)
            rows += len(cursor.fetchall())
    return rows


# --- targets -----------------------------------------------------------------------------------


def year_back(day: dt.date) -> dt.date:
    if day.month == 2 and day.day == 29:
        return day.replace(year=day.year - 1, day=28)
    return day.replace(year=day.year - 1)


def dashboard_params(county, campaign, on: dt.date) -> dict:
    """The dashboard SQL's parameters for `campaign` as of `on` (as of its last day once it is over)."""
    this_end = min(campaign.ends_on, on)
    return {
        "county": county.pk,
        "year": campaign.starts_on.year,
        "campaign": campaign.pk,
        "on": on,
        "start": campaign.starts_on,
        "found_to": this_end,
        "this_from": at(campaign.starts_on),
        "this_to": at(this_end + dt.timedelta(days=1)),
        "last_from": at(year_back(campaign.starts_on)),
        "last_to": at(year_back(this_end) + dt.timedelta(days=1)),
    }


def targets(county_number: int) -> dict:
    from django.contrib.auth import get_user_model

    from core.services import api_token_issue
    from inspections.models import Campaign
    from inspections.selectors import campaign_current
    from townships.models import County, Premises

    user_model = get_user_model()
    county = County.objects.get(name=f"基准县{county_number:03d}")
    prefix = f"b{county_number:03d}"
    on = local_today()
    lead = user_model.objects.select_related("profile__township").get(username=f"{prefix}_t01")
    township = lead.profile.township
    _token, token_key = api_token_issue(user=lead, by=lead)
    campaigns = Campaign.objects.filter(county=county, kind=Campaign.Kind.WINTER_SPRING, ends_on__lt=on)
    campaign = campaigns.order_by("-starts_on").first()
    current = campaign_current(on=on, county_id=county.pk)
    sample = Premises.objects.get(township__county=county, name__endswith="（倒查样本）")
    return {
        "county": county,
        "township": township,
        "official": user_model.objects.get(username=f"{prefix}_county"),
        "lead": lead,
        "token": token_key,
        "campaign": campaign,
        "current": current,
        "sample": sample,
        "on": on,
        "dashboard_params": dashboard_params(county, campaign, on),
        "dashboard_current_params": dashboard_params(county, current, on),
        "township_params": {
            "county": county.pk,
            "township": township.pk,
            "on": on,
            "current_campaign": current.pk if current else 0,
            "near": on + dt.timedelta(days=3),
            "week": on + dt.timedelta(days=7),
        },
        "api_params": {"township": township.pk, "on": on},
        "trace_params": {"premises": sample.pk, "on": on},
    }


# --- measuring ---------------------------------------------------------------------------------


def get_ok(client, url: str, headers: dict) -> None:
    response = client.get(url, **headers)
    if response.status_code != 200:
        raise RuntimeError(f"{url}: HTTP {response.status_code}")


def capture(client, url: str, headers: dict):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **headers)
    queries = [{"sql": q["sql"], "ms": float(q["time"]) * 1000} for q in ctx.captured_queries]
    return response, queries


def explain(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def interleaved(n: int, **calls) -> dict[str, list[float]]:
    """Time each call n times, round-robin, so that all of them see the same machine load."""
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(n):
        for name, call in calls.items():
            started = time.perf_counter()
            call()
            times[name].append((time.perf_counter() - started) * 1000)
    return times


def measure_page(client, *, name, url, headers, sql, params, n, floor_url, floor_headers, explain_top, say):
    """One page, computed: n requests of it, n runs of its SQL limit and n requests of its floor,
    interleaved; then the queries of one more request."""
    result = {"page": name, "url": url, "floor_url": floor_url}
    try:
        for _ in range(2):  # warm caches, the connection and the session
            get_ok(client, url, headers)
            get_ok(client, floor_url, floor_headers)
            run_sql(sql, params)
    except Exception as exc:  # a page not there yet is reported, not fatal
        result["skipped"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}"
        return result
    times = interleaved(
        n,
        ours=lambda: get_ok(client, url, headers),
        sql=lambda: run_sql(sql, params),
        floor=lambda: get_ok(client, floor_url, floor_headers),
    )
    for key, values in times.items():
        result[key] = summary(values)
    _response, queries = capture(client, url, headers)  # after the timed runs: warm, like them
    result["queries"] = len(queries)
    result["db_ms"] = sum(q["ms"] for q in queries)
    result["slowest"] = sorted(queries, key=lambda q: -q["ms"])[:3]
    result["sql_rows"] = run_sql(sql, params)
    if explain_top:
        for q in result["slowest"][:explain_top]:
            say(f"\n--- {name}: {q['ms']:.1f} ms ---\n{q['sql'][:1500]}\n{explain(q['sql'])}")
    return result


# Indexes proposed to the lead (see RESULTS.md for the EXPLAIN evidence). --indexes creates them in the
# bench database, under the names the model Meta.indexes would give them, to measure their effect;
# --drop-indexes removes them again (the measured schema is then the repository's).
PROPOSED_INDEXES = {
    "inspection_plan_premises_idx": "inspections_inspection (plan_id, premises_id)",
    "hazard_township_found_cover": "inspections_hazard (township_id, discovered_on) "
    "INCLUDE (id, status, verified_on, deadline, severity)",
    "hazard_unverified_due": "inspections_hazard (township_id, deadline, id) WHERE NOT (status = 'verified')",
}


def proposed_indexes(create: bool, say=print) -> None:
    connection.ensure_connection()
    raw = connection.connection
    autocommit = raw.autocommit
    raw.autocommit = True
    try:
        with raw.cursor() as cursor:
            for name, definition in PROPOSED_INDEXES.items():
                started = time.perf_counter()
                if create:
                    cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")
                else:
                    cursor.execute(f"DROP INDEX IF EXISTS {name}")
                say(f"{'created' if create else 'dropped'} {name} in {time.perf_counter() - started:.1f}s")
            if create:
                cursor.execute("VACUUM (ANALYZE) inspections_hazard")
                cursor.execute("VACUUM (ANALYZE) inspections_inspection")
    finally:
        raw.autocommit = autocommit


def proposed_present() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname = ANY(%s)", [list(PROPOSED_INDEXES)])
        return sorted(row[0] for row in cursor.fetchall())


PAGES = ("dashboard", "dashboard-current", "township", "hazards-api", "trace")


def main() -> None:
    parser = argparse.ArgumentParser(description="pages (computed) vs a trivial template page vs raw SQL")
    parser.add_argument(
        "--label", default="county", help="the scale (quarter / county / province); RESULTS.md section"
    )
    parser.add_argument("--county", type=int, default=1, help="which generated county (基准县NNN) to measure")
    parser.add_argument("-n", type=int, default=30, help="timed requests per page")
    parser.add_argument(
        "--explain", type=int, default=0, metavar="K", help="EXPLAIN ANALYZE the K slowest queries"
    )
    parser.add_argument("--only", help="comma-separated pages: " + ",".join(PAGES))
    parser.add_argument(
        "--json", action="store_true", help="one JSON object per page on stdout, nothing else"
    )
    parser.add_argument("--write", action="store_true", help="write the table into bench/RESULTS.md")
    parser.add_argument(
        "--indexes", action="store_true", help="create the proposed indexes first (bench DB only)"
    )
    parser.add_argument("--drop-indexes", action="store_true", help="drop the proposed indexes first")
    args = parser.parse_args()
    out = sys.stderr if args.json else sys.stdout

    def say(text: str = "") -> None:
        print(text, file=out, flush=True)

    logging.getLogger("axes").setLevel(logging.WARNING)  # force_login would log every session
    only = set(args.only.split(",")) if args.only else None
    if only and only - set(PAGES):
        parser.error(
            f"unknown pages: {', '.join(sorted(only - set(PAGES)))} (choose from {', '.join(PAGES)})"
        )
    if args.indexes or args.drop_indexes:
        proposed_indexes(create=args.indexes, say=say)
    args.index_state = ", ".join(proposed_present()) or "none (the repository's schema)"

    from django.test import Client
    from django.test.utils import override_settings

    args.load = os.getloadavg()
    with override_settings(ROOT_URLCONF=__name__, CACHES=NO_CACHE):
        t = targets(args.county)
        official, lead, api = Client(), Client(), Client()
        official.force_login(t["official"])
        lead.force_login(t["lead"])
        token = {"HTTP_AUTHORIZATION": f"Token {t['token']}"}
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM inspections_hazard")
            hazards = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM townships_county")
            counties = cursor.fetchone()[0]
        say(
            f"{connection.settings_dict['NAME']}: {counties} counties, {hazards:,} hazards; measuring county "
            f"{t['county'].name}, township {t['township'].name}, today {t['on']}, "
            f"campaign {t['campaign'].name}, current {t['current'].name if t['current'] else '—'}, n={args.n}"
        )
        township_url = f"/townships/{t['township'].pk}/"
        api_url = f"/api/v1/hazards/?township={t['township'].pk}&status=open&overdue=true"
        pages = [
            ("dashboard", official, f"/dashboard/?campaign={t['campaign'].pk}", {}, DASHBOARD_SQL,
             "dashboard_params", "/bench/floor/", {}),
            ("dashboard-current", official, "/dashboard/", {}, DASHBOARD_SQL, "dashboard_current_params",
             "/bench/floor/", {}),
            ("township", lead, township_url, {}, TOWNSHIP_SQL, "township_params", "/bench/floor/", {}),
            ("hazards-api", api, api_url, token, HAZARD_API_SQL, "api_params", "/bench/api-floor/", token),
            ("trace", official, f"/trace/premises/{t['sample'].pk}/", {}, TRACE_SQL, "trace_params",
             "/bench/floor/", {}),
        ]  # fmt: skip
        results = []
        for name, client, url, headers, sql, params, floor_url, floor_headers in pages:
            if only and name not in only:
                continue
            r = measure_page(
                client, name=name, url=url, headers=headers, sql=[sql] if isinstance(sql, str) else sql,
                params=t[params], n=args.n, floor_url=floor_url, floor_headers=floor_headers,
                explain_top=args.explain, say=say,
            )  # fmt: skip
            results.append(r)
            say(line(r))
            if args.json:
                print(json.dumps(as_json(r, args, t, hazards, counties), ensure_ascii=False), flush=True)

    table = render(results, args, t, hazards, counties)
    say("\n" + table)
    if args.write:
        write_section(f"run.py:{args.label}", table)
        say(f"written to {RESULTS}")


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a is not None and b else None


def as_json(r: dict, args, t, hazards: int, counties: int) -> dict:
    """The machine-readable line of one page (issue 14's fields first)."""
    base = {"page": r["page"], "scale": args.label, "cached": False}
    context = {
        "database": connection.settings_dict["NAME"],
        "counties": counties,
        "hazards": hazards,
        "county": t["county"].name,
        "url": r["url"],
        "floor": "api" if "api-floor" in r["floor_url"] else "template",
        "n": args.n,
    }
    if "skipped" in r:
        return base | {"skipped": r["skipped"]} | context
    ours, sql, floor = r["ours"], r["sql"], r["floor"]
    target = TARGETS_OVER_FLOOR.get(r["page"])
    over_floor = ratio(ours["median"], floor["median"])
    return (
        base
        | {
            "ours_ms_p50": round(ours["median"], 2),
            "ours_ms_p95": round(ours["p95"], 2),
            "sql_ms_p50": round(sql["median"], 2),
            "sql_ms_p95": round(sql["p95"], 2),
            "floor_ms_p50": round(floor["median"], 2),
            "floor_ms_p95": round(floor["p95"], 2),
            "queries": r["queries"],
            "db_ms": round(r["db_ms"], 2),
            "ours_over_floor": over_floor,
            "ours_over_sql": ratio(ours["median"], sql["median"]),
            "ours_over_floor_p95": ratio(ours["p95"], floor["p95"]),
            "target_over_floor": target,
            "meets_target": None if target is None else over_floor <= target,
        }
        | context
    )


def line(r: dict) -> str:
    if "skipped" in r:
        return f"{r['page']:18} skipped: {r['skipped']}"
    return (
        f"{r['page']:18} ours {r['ours']['median']:8.1f} ms (p95 {r['ours']['p95']:7.1f})  "
        f"sql {r['sql']['median']:7.1f}  floor {r['floor']['median']:6.1f}  "
        f"x floor {r['ours']['median'] / r['floor']['median']:5.1f}  queries {r['queries']}"
    )


def render(results, args, t, hazards, counties) -> str:
    out = [
        f"Run {dt.datetime.now(tz=SHANGHAI):%Y-%m-%d %H:%M} (Asia/Shanghai) on {machine()}.",
        f"Database `{connection.settings_dict['NAME']}`: {counties} counties, {hazards:,} hazards; "
        f"measured county {t['county'].name}, township {t['township'].name}, "
        f"campaign {t['campaign'].name} (dashboard-current: "
        f"{t['current'].name if t['current'] else '—'}), n = {args.n} timed requests per page after warm-up, "
        f"page / SQL / floor interleaved; every page computed (no cache); floor: a logged-in template page "
        f"extending base.html (the API page: a constant DRF answer); load average at start {args.load[0]:.1f} "
        f"(other jobs share the cores).",
        f"Proposed indexes present: {args.index_state}.",
        "",
        "| page | ours median ms | ours p95 ms | queries | DB time in page ms | SQL limit median ms | "
        "floor median ms | ours / SQL | ours / floor | target |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        if "skipped" in r:
            out.append(f"| {r['page']} | skipped: {r['skipped']} | | | | | | | | |")
            continue
        ours, sql, floor = r["ours"]["median"], r["sql"]["median"], r["floor"]["median"]
        target = TARGETS_OVER_FLOOR.get(r["page"])
        verdict = f"≤ {target:g}x: {'met' if ours / floor <= target else 'not met'}" if target else ""
        out.append(
            f"| {r['page']} | {ours:.1f} | {r['ours']['p95']:.1f} | {r['queries']} | {r['db_ms']:.1f} | "
            f"{sql:.1f} | {floor:.1f} | {ours / sql:.1f}x | {ours / floor:.1f}x | {verdict} |"
        )
    out.append("")
    out.append("Slowest queries per page (ms, one captured request):")
    out.append("")
    for r in results:
        for q in r.get("slowest", [])[:2]:
            sql = re.sub(r"\s+", " ", q["sql"])[:160]
            out.append(f"- {r['page']}: {q['ms']:.1f} ms — `{sql}…`")
    data = {
        r["page"]: {k: r[k] for k in ("ours", "sql", "floor", "queries") if k in r} | {"cached": False}
        for r in results
    }
    out.append("")
    out.append(f"<!-- data {json.dumps(data)} -->")
    return "\n".join(out)


def write_section(marker: str, body: str) -> None:
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    start, end = f"<!-- {marker} -->", f"<!-- /{marker} -->"
    block = f"{start}\n{body}\n{end}"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip("\n") + f"\n\n{block}\n"
    RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
