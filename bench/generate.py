"""Synthetic county- or province-scale data, written with PostgreSQL COPY, for bench/run.py and bench/load.py.

Run against a scratch database whose name starts with `fb_bench` (it refuses any other):

    createdb -h 127.0.0.1 -U postgres fb_bench_county
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/fb_bench_county
    .venv/bin/python manage.py migrate -v0
    .venv/bin/python bench/generate.py --size county              # 1 county
    .venv/bin/python bench/generate.py --size province            # 10 counties (see RESULTS.md why)
    .venv/bin/python bench/generate.py --counties 3 --scale 0.01  # a small smoke run

One county: 20 townships, 200 grids (2 members each), 8 police stations, 20,000 premises, two
winter-spring campaigns (the last one, finished, and the running one) with a township plan covering
every premises and a police plan covering the high-risk ones, 200,000 inspections, 500,000 hazards
(statuses by age, deadlines, ~5% overdue, 4% major) with their rectifications and re-inspections,
checklist results for 10% of the inspections, 2,000 fires over two years, 18 brigades with members,
equipment and two years of funding, a 推进会 with 8 directives × 20 townships of assignments and
progress reports, a few accountability decisions, and users of every role (password below). One
premises per county ("trace sample") gets 200 inspections, for the trace-back page.

Dates are relative to today (Asia/Shanghai), so the data stays "current" whenever it is generated.
History tables (django-simple-history) are left EMPTY for bulk data: the pages read history only on
the trace-back page, where it adds one indexed query.

Speed: rows are built in Python as dicts keyed by column, defaults filled from the model, and sent
with `COPY ... FROM STDIN` in chunks; foreign-key triggers are off during the load
(`session_replication_role = replica`, superuser only) because the generator produces consistent
ids itself; CHECK and UNIQUE constraints still apply. VACUUM ANALYZE at the end, as autovacuum would.
"""

import argparse
import datetime as dt
import io
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection, models, transaction  # noqa: E402

from core.models import Role, UserProfile  # noqa: E402
from demo.county import CHECKLIST, EQUIPMENT, GIVEN, HAZARD_TEXT, STANDARDS, SURNAMES  # noqa: E402
from demo.loader import DIRECTIVES, TOWNSHIPS  # noqa: E402
from firebrigade.models import (  # noqa: E402
    Brigade,
    BrigadeMember,
    BrigadeStandard,
    Disbursement,
    EquipmentItem,
    EquipmentRequirement,
    EquipmentType,
    FireIncident,
    FundingAllocation,
    FundingCategory,
)
from inspections import tallies  # noqa: E402
from inspections.models import (  # noqa: E402
    Accountability,
    Campaign,
    ChecklistItem,
    ChecklistResult,
    Hazard,
    Inspection,
    InspectionPlan,
    Rectification,
    Reinspection,
)
from meetings.models import Assignment, Attendance, Directive, Meeting, ProgressReport, Statement  # noqa: E402
from townships.models import (  # noqa: E402
    County,
    Grid,
    GridMember,
    PoliceStation,
    Premises,
    ResponsibilityAgreement,
    Township,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
PASSWORD = "bench-only-password-2026"  # noqa: S105 — every generated account; a scratch database only
SAMPLE_SUFFIX = "（倒查样本）"  # the per-county premises with many inspections
PROVINCE_COUNTIES = 10
User = get_user_model()

# Per county at --scale 1.
COUNTY_SHAPE = {
    "townships": 20,
    "grids_per_township": 10,
    "police_stations": 8,
    "premises": 20_000,
    "inspections": 200_000,
    "hazards": 500_000,
    "incidents": 2_000,
    "sample_inspections": 200,
}
EXTRA_TOWNSHIP = ("双塔镇", Township.Kind.TOWN)
PREMISES_KINDS = [  # (category, label, risk level, weight)
    (Premises.Category.SHOP, "便民超市", Premises.RiskLevel.MEDIUM, 30),
    (Premises.Category.RESIDENTIAL, "村民聚居区", Premises.RiskLevel.LOW, 30),
    (Premises.Category.FACTORY, "加工厂", Premises.RiskLevel.MEDIUM, 10),
    (Premises.Category.WAREHOUSE, "农资仓库", Premises.RiskLevel.HIGH, 6),
    (Premises.Category.MARKET, "集贸市场", Premises.RiskLevel.HIGH, 3),
    (Premises.Category.SCHOOL, "学校", Premises.RiskLevel.HIGH, 4),
    (Premises.Category.MEDICAL, "卫生院敬老院", Premises.RiskLevel.HIGH, 2),
    (Premises.Category.HOTEL, "宾馆饭店", Premises.RiskLevel.MEDIUM, 5),
    (Premises.Category.ENTERTAINMENT, "网吧歌厅", Premises.RiskLevel.HIGH, 3),
    (Premises.Category.OTHER, "其他单位", Premises.RiskLevel.LOW, 7),
]
RISK_WEIGHT = {"high": 3.0, "medium": 1.5, "low": 0.6}
RISK_INTERVAL = {"high": 30, "medium": 90, "low": 180}
INSPECTION_KINDS = [("township", 55), ("police", 20), ("guidance_center", 5), ("self", 20)]


def local_today() -> dt.date:
    return dt.datetime.now(tz=SHANGHAI).date()


def seasons(today: dt.date) -> tuple[tuple[dt.date, dt.date], tuple[dt.date, dt.date]]:
    """(previous, current) winter-spring seasons: 1 November → 30 April; current = the latest started."""
    year = today.year if today >= dt.date(today.year, 11, 1) else today.year - 1
    current = (dt.date(year, 11, 1), dt.date(year + 1, 4, 30))
    previous = (dt.date(year - 1, 11, 1), dt.date(year, 4, 30))
    return previous, current


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def phone(rng: random.Random) -> str:
    return f"13{rng.randrange(10)}{rng.randrange(100_000_000):08d}"


def at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


# --- COPY machinery ---------------------------------------------------------------------------


def _copy_value(value) -> str:
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, str):
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
        return value
    return str(value)


class Loader:
    """Allocates ids per table and COPYs rows (dicts keyed by column name) in chunks."""

    CHUNK = 50_000

    def __init__(self, cursor):
        self.cursor = cursor
        self.next_id: dict[type, int] = {}
        self.counts: dict[str, int] = {}
        self.seconds: dict[str, float] = {}
        self._columns: dict[type, tuple[list[str], dict[str, object]]] = {}

    def ids(self, model, n: int = 1) -> int:
        """The first of `n` fresh ids of `model`'s table."""
        if model not in self.next_id:
            self.cursor.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{model._meta.db_table}"')
            self.next_id[model] = self.cursor.fetchone()[0]
        first = self.next_id[model]
        self.next_id[model] += n
        return first

    def id(self, model) -> int:
        return self.ids(model, 1)

    def _layout(self, model):
        if model not in self._columns:
            columns, defaults = [], {}
            for f in model._meta.concrete_fields:
                columns.append(f.column)
                if f.has_default():
                    default = f.get_default()
                    defaults[f.column] = default
                elif isinstance(f, (models.CharField, models.TextField, models.FileField)) and not f.null:
                    defaults[f.column] = ""
                elif f.null:
                    defaults[f.column] = None
            self._columns[model] = (columns, defaults)
        return self._columns[model]

    def copy(self, model, rows) -> int:
        columns, defaults = self._layout(model)
        table = model._meta.db_table
        started = time.perf_counter()
        now = dt.datetime.now(tz=SHANGHAI)
        auto_ts = [c for c in ("created_at", "updated_at") if c in columns]
        missing = object()
        buffer, n, total = io.StringIO(), 0, 0
        quoted = ", ".join(f'"{c}"' for c in columns)
        sql = f'COPY "{table}" ({quoted}) FROM STDIN'
        for row in rows:
            for c in auto_ts:
                row.setdefault(c, now)
            values = []
            for c in columns:
                v = row.get(c, missing)
                if v is missing:
                    if c not in defaults:
                        raise KeyError(f"{table}.{c} has no value and no default")
                    v = defaults[c]
                values.append(_copy_value(v))
            buffer.write("\t".join(values))
            buffer.write("\n")
            n += 1
            if n >= self.CHUNK:
                self._copy(sql, buffer)
                total += n
                buffer, n = io.StringIO(), 0
        if n:
            self._copy(sql, buffer)
            total += n
        self.counts[table] = self.counts.get(table, 0) + total
        self.seconds[table] = self.seconds.get(table, 0.0) + time.perf_counter() - started
        return total

    def _copy(self, sql: str, buffer: io.StringIO) -> None:
        """COPY ... FROM STDIN (text format) with the buffer's rows (psycopg 3's copy protocol)."""
        with self.cursor.copy(sql) as copy:
            copy.write(buffer.getvalue())

    def fix_sequences(self) -> None:
        for model in self.next_id:
            table = model._meta.db_table
            self.cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'(SELECT COALESCE(MAX(id), 1) FROM "{table}"))'
            )


# --- reference data (global: once per database) ----------------------------------------------


def reference_data():
    """Brigade standards, equipment types and requirements, the checklist and the guidance-center user
    (through the ORM: a few dozen rows, created once)."""
    standards = {}
    for brigade_class, (staff, vehicles, area, notes) in STANDARDS.items():
        standards[brigade_class], _ = BrigadeStandard.objects.get_or_create(
            brigade_class=brigade_class,
            defaults={
                "min_staff": staff,
                "min_vehicles": vehicles,
                "min_station_area_m2": area,
                "notes": notes,
            },
        )
    types, required = {}, {}
    for name, category, unit, days, per_class in EQUIPMENT:
        types[name], _ = EquipmentType.objects.get_or_create(
            name=name, defaults={"category": category, "unit": unit, "maintenance_interval_days": days}
        )
        for brigade_class, quantity in zip(STANDARDS, per_class, strict=True):
            if quantity:
                EquipmentRequirement.objects.get_or_create(
                    standard=standards[brigade_class],
                    equipment_type=types[name],
                    defaults={"quantity": quantity},
                )
                required[(brigade_class, types[name].pk)] = quantity
    checklist = []
    for order, (code, text, category) in enumerate(CHECKLIST, start=1):
        item, _ = ChecklistItem.objects.get_or_create(
            code=code, defaults={"text": text, "category": category, "order": order}
        )
        checklist.append(item)
    if not User.objects.filter(username="bench_center").exists():
        user = User.objects.create(username="bench_center", password=make_password(PASSWORD))
        UserProfile.objects.create(user=user, role=Role.GUIDANCE_CENTER)
    return standards, types, required, checklist


# --- one county --------------------------------------------------------------------------------


def generate_county(loader: Loader, number: int, *, scale: float, refs, password_hash: str, rng) -> dict:
    _standards, types, required, checklist = refs
    shape = {
        k: max(1, round(v * scale)) if k not in ("townships", "police_stations") else v
        for k, v in COUNTY_SHAPE.items()
    }
    shape["grids_per_township"] = max(1, round(COUNTY_SHAPE["grids_per_township"] * min(1.0, scale * 10)))
    today = local_today()
    now = dt.datetime.now(tz=SHANGHAI)
    (prev_start, prev_end), (cur_start, cur_end) = seasons(today)
    timings = {}
    t0 = time.perf_counter()

    # Organisation ---------------------------------------------------------------------------
    county_id = loader.id(County)
    county_name = f"基准县{number:03d}"
    loader.copy(County, [{"id": county_id, "name": county_name, "code": f"41{number:04d}"}])
    names = [*TOWNSHIPS, EXTRA_TOWNSHIP][: shape["townships"]]
    t_first = loader.ids(Township, len(names))
    townships = []
    for i, (name, kind) in enumerate(names):
        townships.append(
            {
                "id": t_first + i,
                "county_id": county_id,
                "name": name,
                "kind": kind,
                "principal_leader": person(rng),
                "principal_leader_phone": phone(rng),
                "fire_deputy": person(rng),
                "fire_deputy_phone": phone(rng),
            }
        )
    loader.copy(Township, townships)
    t_ids = [t["id"] for t in townships]
    t_name = {t["id"]: t["name"] for t in townships}

    # Police stations: one per town / subdistrict (up to 8); every township covered by one.
    stations = []
    station_towns = [t for t in townships if t["kind"] != Township.Kind.TOWNSHIP][: shape["police_stations"]]
    ps_first = loader.ids(PoliceStation, len(station_towns))
    for i, t in enumerate(station_towns):
        stations.append(
            {
                "id": ps_first + i,
                "county_id": county_id,
                "name": f"{t['name'][:-1] if t['name'].endswith('镇') else t['name'][:2]}派出所",
                "chief": person(rng),
                "phone": phone(rng),
            }
        )
    loader.copy(PoliceStation, stations)
    station_of = {t: stations[i % len(stations)]["id"] for i, t in enumerate(t_ids)}
    through = PoliceStation.townships.through
    link_first = loader.ids(through, len(t_ids))
    loader.copy(
        through,
        [
            {"id": link_first + i, "policestation_id": station_of[t], "township_id": t}
            for i, t in enumerate(t_ids)
        ],
    )

    grids, grids_of = [], {}
    g_first = loader.ids(Grid, len(t_ids) * shape["grids_per_township"])
    for i, t in enumerate(t_ids):
        grids_of[t] = []
        for g in range(shape["grids_per_township"]):
            gid = g_first + i * shape["grids_per_township"] + g
            grids_of[t].append(gid)
            grids.append(
                {"id": gid, "township_id": t, "name": f"第{g + 1}网格", "area_description": f"{g + 1}片区"}
            )
    loader.copy(Grid, grids)
    gm_first = loader.ids(GridMember, 2 * len(grids))
    loader.copy(
        GridMember,
        (
            {
                "id": gm_first + 2 * i + k,
                "grid_id": g["id"],
                "name": person(rng),
                "role": "chief" if k == 0 else "member",
                "phone": phone(rng),
                "active": True,
            }
            for i, g in enumerate(grids)
            for k in range(2)
        ),
    )
    timings["organisation"] = time.perf_counter() - t0

    # Users of every role ----------------------------------------------------------------------
    t1 = time.perf_counter()
    user_rows, profile_rows = [], []
    prefix = f"b{number:03d}"

    def add_user(username: str, role: str, **links) -> int:
        uid = loader.id(User)
        user_rows.append(
            {
                "id": uid,
                "password": password_hash,
                "username": username,
                "is_superuser": False,
                "is_staff": False,
                "is_active": True,
                "date_joined": now,
                "last_login": None,
            }
        )
        profile_rows.append(
            {"id": loader.id(UserProfile), "user_id": uid, "role": role, "phone": phone(rng), **links}
        )
        return uid

    add_user(f"{prefix}_county", Role.COUNTY_OFFICIAL, county_id=county_id)
    lead_of = {}
    for i, t in enumerate(t_ids):
        lead_of[t] = add_user(f"{prefix}_t{i + 1:02d}", Role.TOWNSHIP_LEAD, township_id=t)
        add_user(f"{prefix}_t{i + 1:02d}_leader", Role.TOWNSHIP_LEAD, township_id=t, is_principal_leader=True)
    police_user = {}
    for i, s in enumerate(stations):
        police_user[s["id"]] = add_user(f"{prefix}_ps{i + 1}", Role.POLICE_STATION, police_station_id=s["id"])

    # Premises (rows written after the inspections, which set their last / next inspection dates).
    kinds = [k[:3] for k in PREMISES_KINDS]
    weights = [k[3] for k in PREMISES_KINDS]
    n_prem = shape["premises"]
    p_first = loader.ids(Premises, n_prem)
    premises = []
    per_township = n_prem // len(t_ids)
    for i in range(n_prem):
        t = t_ids[min(i // per_township, len(t_ids) - 1)]
        category, label, risk = rng.choices(kinds, weights)[0]
        premises.append(
            {
                "id": p_first + i,
                "township_id": t,
                "grid_id": rng.choice(grids_of[t]),
                "police_station_id": station_of[t],
                "name": f"{t_name[t]}{label}{i + 1:05d}",
                "address": f"{t_name[t]}{rng.randrange(1, 60)}号",
                "category": category,
                "risk_level": risk,
                "is_key_unit": risk == "high",
                "responsible_person": person(rng),
                "responsible_phone": phone(rng),
                "manager": person(rng),
                "manager_phone": phone(rng),
                "responsible_user_id": None,
                "last_inspected_on": None,
                "next_inspection_due": None,
            }
        )
    sample = premises[0]
    sample.update(
        category="market",
        risk_level="high",
        is_key_unit=True,
        name=f"{t_name[sample['township_id']]}集贸市场{SAMPLE_SUFFIX}",
    )
    # One premises responsible person per township: its first premises.
    for t in t_ids:
        first = next(p for p in premises if p["township_id"] == t)
        first["responsible_user_id"] = add_user(
            f"{prefix}_r{t_ids.index(t) + 1:02d}", Role.PREMISES_RESPONSIBLE, premises_id=first["id"]
        )
    loader.copy(User, user_rows)
    loader.copy(UserProfile, profile_rows)
    timings["users"] = time.perf_counter() - t1

    # Campaigns and plans ----------------------------------------------------------------------
    t2 = time.perf_counter()
    camp_prev, camp_cur = loader.ids(Campaign, 2), None
    camp_cur = camp_prev + 1
    loader.copy(
        Campaign,
        [
            {
                "id": camp_prev,
                "county_id": county_id,
                "name": f"{prev_start.year}—{prev_end.year}年度冬春火灾防控",
                "kind": Campaign.Kind.WINTER_SPRING,
                "starts_on": prev_start,
                "ends_on": prev_end,
                "description": "全面排查整治火灾隐患。",
            },
            {
                "id": camp_cur,
                "county_id": county_id,
                "name": f"{cur_start.year}—{cur_end.year}年度冬春火灾防控",
                "kind": Campaign.Kind.WINTER_SPRING,
                "starts_on": cur_start,
                "ends_on": cur_end,
                "description": "全面排查整治火灾隐患。",
            },
        ],
    )
    plans, plan_premises = [], []
    township_plan, police_plan = {}, {}
    plan_first = loader.ids(InspectionPlan, 4 * len(t_ids))
    k = 0
    premises_by_township: dict[int, list[dict]] = {t: [] for t in t_ids}
    for p in premises:
        premises_by_township[p["township_id"]].append(p)
    for campaign_id, (start, _end) in ((camp_prev, (prev_start, prev_end)), (camp_cur, (cur_start, cur_end))):
        for t in t_ids:
            tp, pp = plan_first + k, plan_first + k + 1
            k += 2
            township_plan[(campaign_id, t)], police_plan[(campaign_id, t)] = tp, pp
            plans.append(
                {"id": tp, "campaign_id": campaign_id, "township_id": t, "title": f"{t_name[t]}全面排查",
                 "due_on": start + dt.timedelta(days=75)}
            )  # fmt: skip
            plans.append(
                {"id": pp, "campaign_id": campaign_id, "township_id": t, "police_station_id": station_of[t],
                 "title": f"{t_name[t]}重点单位派出所检查", "due_on": start + dt.timedelta(days=60)}
            )  # fmt: skip
            for p in premises_by_township[t]:
                plan_premises.append((tp, p["id"]))
                if p["risk_level"] == "high":
                    plan_premises.append((pp, p["id"]))
    loader.copy(InspectionPlan, plans)
    pthrough = InspectionPlan.premises.through
    pt_first = loader.ids(pthrough, len(plan_premises))
    loader.copy(
        pthrough,
        (
            {"id": pt_first + i, "inspectionplan_id": a, "premises_id": b}
            for i, (a, b) in enumerate(plan_premises)
        ),
    )
    timings["campaigns"] = time.perf_counter() - t2

    # Inspections --------------------------------------------------------------------------------
    t3 = time.perf_counter()
    days, day_weights = [], []
    d = prev_start
    while d <= today:
        days.append(d)
        in_campaign = prev_start <= d <= prev_end or cur_start <= d <= cur_end
        day_weights.append(1.0 if in_campaign else 0.3)
        d += dt.timedelta(days=1)
    n_insp = shape["inspections"]
    n_sample = min(shape["sample_inspections"], n_insp // 2)
    chosen = [sample] * n_sample + rng.choices(
        premises, [RISK_WEIGHT[p["risk_level"]] for p in premises], k=n_insp - n_sample
    )
    dates = rng.choices(days, day_weights, k=n_insp)
    kind_names = [k[0] for k in INSPECTION_KINDS]
    kind_weights = [k[1] for k in INSPECTION_KINDS]
    insp_kinds = rng.choices(kind_names, kind_weights, k=n_insp)
    i_first = loader.ids(Inspection, n_insp)
    inspections = []  # (id, premises dict, date, kind) kept for hazards
    last_seen: dict[int, dt.date] = {}

    def campaign_of(day: dt.date) -> int | None:
        if prev_start <= day <= prev_end:
            return camp_prev
        if cur_start <= day <= cur_end:
            return camp_cur
        return None

    def inspection_rows():
        for i in range(n_insp):
            p, day, kind = chosen[i], dates[i], insp_kinds[i]
            t = p["township_id"]
            camp = campaign_of(day)
            plan = None
            station = None
            if kind == "police":
                station = p["police_station_id"]
                if camp and p["risk_level"] == "high":
                    plan = police_plan[(camp, t)]
            elif kind == "township" and camp:
                plan = township_plan[(camp, t)]
            recorder = police_user.get(station) if station else lead_of[t]
            iid = i_first + i
            inspections.append((iid, p, day))
            if last_seen.get(p["id"], dt.date.min) < day:
                last_seen[p["id"]] = day
            yield {
                "id": iid,
                "premises_id": p["id"],
                "township_id": t,
                "plan_id": plan,
                "police_station_id": station,
                "kind": kind,
                "inspected_on": day,
                "inspectors": f"{person(rng)}、{person(rng)}",
                "signed_by": p["responsible_person"],
                "notes": "",
                "recorded_by_id": recorder,
                "created_at": at(day, 17),
                "updated_at": at(day, 17),
            }

    loader.copy(Inspection, inspection_rows())
    for p in premises:
        last = last_seen.get(p["id"])
        if last is not None:
            p["last_inspected_on"] = last
            p["next_inspection_due"] = last + dt.timedelta(days=RISK_INTERVAL[p["risk_level"]])
    loader.copy(Premises, premises)
    timings["premises+inspections"] = time.perf_counter() - t3

    # Checklist results for 10% of the inspections and every inspection of the trace sample.
    t4 = time.perf_counter()
    item_ids = [c.pk for c in checklist]
    cr_rows = [iid for iid, p, _day in inspections if p is sample or rng.random() < 0.10]
    cr_first = loader.ids(ChecklistResult, len(cr_rows) * len(item_ids))
    loader.copy(
        ChecklistResult,
        (
            {
                "id": cr_first + n * len(item_ids) + j,
                "inspection_id": iid,
                "item_id": item,
                "result": rng.choices(("pass", "fail", "na"), (80, 15, 5))[0],
                "note": "",
            }
            for n, iid in enumerate(cr_rows)
            for j, item in enumerate(item_ids)
        ),
    )
    timings["checklist results"] = time.perf_counter() - t4

    # Hazards, rectifications, re-inspections ------------------------------------------------------
    t5 = time.perf_counter()
    n_haz = shape["hazards"]
    # The sample's inspections find hazards too (about 2.5 each, like everybody's).
    sources = [inspections[i] for i in range(n_sample) for _ in range(2)] + rng.choices(
        inspections, k=max(0, n_haz - 2 * n_sample)
    )
    h_first = loader.ids(Hazard, len(sources))
    rects, reinsps, overdue_ids = [], [], []
    checklist_codes = [(c.pk, HAZARD_TEXT.get(c.code, c.text)) for c in checklist]

    def hazard_rows():
        for n, (iid, p, day) in enumerate(sources):
            hid = h_first + n
            major = rng.random() < 0.04
            deadline = day + dt.timedelta(days=rng.randint(30, 90) if major else rng.randint(3, 30))
            age = (today - day).days
            if age > 60:
                status = rng.choices(("verified", "awaiting", "rectifying", "open"), (95, 1, 2, 2))[0]
            elif age > 14:
                status = rng.choices(("verified", "awaiting", "rectifying", "open"), (60, 15, 15, 10))[0]
            else:
                status = rng.choices(("verified", "awaiting", "rectifying", "open"), (20, 20, 30, 30))[0]
            verified_on = None
            if status == "verified":
                verified_on = min(today, day + dt.timedelta(days=rng.randint(1, (deadline - day).days + 10)))
            elif deadline < today:
                overdue_ids.append((hid, p["id"], p["township_id"]))
            item, text = rng.choice(checklist_codes)
            if status in ("verified", "awaiting") or (status == "rectifying" and rng.random() < 0.2):
                end = verified_on or today
                done = day + dt.timedelta(days=rng.randint(0, max(0, (end - day).days)))
                rid = len(rects)
                rects.append((hid, done, p["responsible_person"], lead_of[p["township_id"]]))
                if status == "verified":
                    reinsps.append((hid, rid, verified_on, True, lead_of[p["township_id"]]))
                elif status == "rectifying":  # rejected by the re-inspection: back to rectifying
                    reinsps.append(
                        (hid, rid, min(today, done + dt.timedelta(days=2)), False, lead_of[p["township_id"]])
                    )
            yield {
                "id": hid,
                "inspection_id": iid,
                "premises_id": p["id"],
                "township_id": p["township_id"],
                "checklist_item_id": item,
                "severity": "major" if major else "general",
                "description": text,
                "discovered_on": day,
                "deadline": deadline,
                "status": {"awaiting": "awaiting_verification"}.get(status, status),
                "responsible_person": p["responsible_person"],
                "photo_before": "",
                "photo_after": "",
                "verified_on": verified_on,
                "created_at": at(day, 17),
                "updated_at": at(verified_on or day, 17),
            }

    loader.copy(Hazard, hazard_rows())
    r_first = loader.ids(Rectification, len(rects))
    loader.copy(
        Rectification,
        (
            {"id": r_first + n, "hazard_id": hid, "rectified_on": done, "rectified_by": who,
             "measures": "已按要求整改", "submitted_by_id": uid, "created_at": at(done, 16), "updated_at": at(done, 16)}
            for n, (hid, done, who, uid) in enumerate(rects)
        ),
    )  # fmt: skip
    re_first = loader.ids(Reinspection, len(reinsps))
    loader.copy(
        Reinspection,
        (
            {"id": re_first + n, "hazard_id": hid, "rectification_id": r_first + rid, "inspected_on": day,
             "inspectors": "复查组", "passed": passed, "note": "" if passed else "整改不到位",
             "recorded_by_id": uid, "created_at": at(day, 16), "updated_at": at(day, 16)}
            for n, (hid, rid, day, passed, uid) in enumerate(reinsps)
        ),
    )  # fmt: skip
    timings["hazards+rectifications"] = time.perf_counter() - t5

    # Brigades, members, equipment, funding ---------------------------------------------------
    t6 = time.perf_counter()
    brigades, members, items, shared = [], [], [], []
    with_brigade = t_ids[:-2] if len(t_ids) > 2 else t_ids
    b_first = loader.ids(Brigade, len(with_brigade))
    brigade_of = {}
    for i, t in enumerate(with_brigade):
        bid = b_first + i
        brigade_of[t] = bid
        cls = "class1" if i < 4 else "class2" if i < 12 else "volunteer"
        status = ["accepted"] * 8 + ["established"] * 5 + ["under_construction"] * 3 + ["planned"] * 2
        st = status[i % len(status)]
        built = prev_start - dt.timedelta(days=rng.randint(30, 400))
        brigades.append(
            {
                "id": bid, "township_id": t, "name": f"{county_name}{t_name[t]}专职消防队", "brigade_class": cls,
                "status": st, "station_address": f"{t_name[t]}消防站", "station_area_m2": rng.randint(80, 900),
                "duty_phone": phone(rng), "construction_started_on": built - dt.timedelta(days=200),
                "established_on": built if st in ("established", "accepted") else None,
                "accepted_on": built + dt.timedelta(days=60) if st == "accepted" else None,
                "accepted_by": "县消防救援大队" if st == "accepted" else "",
            }
        )  # fmt: skip
        min_staff = STANDARDS[cls][0]
        for m in range(max(2, min_staff + rng.randint(-4, 3))):
            left = rng.random() < 0.1
            hired = built - dt.timedelta(days=rng.randint(0, 300))
            members.append(
                {
                    "id": loader.id(BrigadeMember), "brigade_id": bid, "name": person(rng),
                    "role": ["captain", "deputy_captain", "driver", "driver"][m] if m < 4 else "firefighter",
                    "phone": phone(rng), "certification": "", "hired_on": hired,
                    "left_on": hired + dt.timedelta(days=rng.randint(30, 300)) if left else None,
                    "contract_until": hired + dt.timedelta(days=1095), "on_duty": not left,
                }
            )  # fmt: skip
        for type_obj in types.values():
            need = required.get((cls, type_obj.pk), 0)
            for condition, share in (("good", 0.85), ("needs_repair", 0.15)):
                quantity = max(0, round(need * share * rng.uniform(0.6, 1.2)))
                if quantity == 0 and condition != "good":
                    continue
                last = today - dt.timedelta(days=rng.randint(0, 200))
                items.append(
                    {
                        "id": loader.id(EquipmentItem), "brigade_id": bid, "equipment_type_id": type_obj.pk,
                        "quantity": quantity, "condition": condition, "acquired_on": built,
                        "last_maintained_on": last,
                        "next_maintenance_on": last + dt.timedelta(days=type_obj.maintenance_interval_days or 180),
                        "note": "",
                    }
                )  # fmt: skip
    for t in t_ids[len(with_brigade) :]:
        shared.append(
            {
                "id": loader.id(Brigade.also_serves.through),
                "brigade_id": brigade_of[with_brigade[-1]],
                "township_id": t,
            }
        )
    loader.copy(Brigade, brigades)
    loader.copy(Brigade.also_serves.through, shared)
    loader.copy(BrigadeMember, members)
    loader.copy(EquipmentItem, items)

    allocations, disbursements = [], []
    for t in t_ids:
        for year in (prev_start.year, cur_start.year):
            for category in FundingCategory.values:
                aid = loader.id(FundingAllocation)
                amount = Decimal(rng.randrange(50, 400) * 1000)
                disbursed = Decimal(0)
                for _ in range(rng.randint(0, 3)):
                    part = (amount * Decimal(rng.randint(10, 33)) / 100).quantize(Decimal("0.01"))
                    disbursed += part
                    day = dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(0, 300))
                    disbursements.append(
                        {"id": loader.id(Disbursement), "allocation_id": aid, "amount": part, "disbursed_on": day,
                         "voucher_no": f"PZ{aid}{len(disbursements)}", "recorded_by_id": None}
                    )  # fmt: skip
                allocations.append(
                    {"id": aid, "township_id": t, "year": year, "category": category, "amount": amount,
                     "disbursed_amount": disbursed, "source": "县财政", "note": ""}
                )  # fmt: skip
    loader.copy(FundingAllocation, allocations)
    loader.copy(Disbursement, disbursements)
    loader.copy(
        ResponsibilityAgreement,
        [
            {"id": loader.id(ResponsibilityAgreement), "township_id": t, "premises_id": None, "year": cur_start.year,
             "signatory": person(rng), "counterparty": "县人民政府", "scope": "乡镇消防安全工作负总责",
             "signed_on": cur_start + dt.timedelta(days=5), "document": ""}
            for t in t_ids
        ],
    )  # fmt: skip
    timings["brigades+funding"] = time.perf_counter() - t6

    # Fires over two seasons ---------------------------------------------------------------------
    t7 = time.perf_counter()
    start = prev_start - dt.timedelta(days=365)
    span = (today - start).days
    incidents = []
    n_inc = shape["incidents"]
    inc_first = loader.ids(FireIncident, n_inc)
    for n in range(n_inc):
        p = rng.choice(premises) if rng.random() < 0.7 else None
        if n < 2:
            p = sample
        t = p["township_id"] if p else rng.choice(t_ids)
        day = start + dt.timedelta(days=rng.randrange(span + 1))
        if day.month in (5, 6, 7, 8, 9, 10) and rng.random() < 0.5:  # fires cluster in winter and spring
            day = max(start, dt.date(day.year, rng.choice((1, 2, 3, 12)), min(day.day, 28)))
        occurred = at(min(day, today), rng.randrange(24), rng.randrange(60))
        if occurred > now:
            occurred = now - dt.timedelta(hours=1)
        incidents.append(
            {
                "id": inc_first + n, "township_id": t, "premises_id": p["id"] if p else None, "occurred_at": occurred,
                "address": p["address"] if p else f"{t_name[t]}农田", "cause": rng.choice(FireIncident.Cause.values),
                "deaths": 1 if rng.random() < 0.01 else 0, "injuries": rng.choices((0, 1, 2), (90, 8, 2))[0],
                "direct_loss": Decimal(rng.randrange(0, 500_000)), "responding_brigade_id": brigade_of.get(t),
                "arrival_minutes": rng.randint(5, 40) if brigade_of.get(t) else None, "description": "",
                "created_at": occurred, "updated_at": occurred,
            }
        )  # fmt: skip
    loader.copy(FireIncident, incidents)

    # Accountability after missed deadlines and fires.
    acc = []
    for hid, pid, t in rng.sample(overdue_ids, min(20, len(overdue_ids))):
        acc.append(
            {"id": loader.id(Accountability), "township_id": t, "hazard_id": hid, "premises_id": pid,
             "person": person(rng), "unit": t_name[t], "finding": "隐患逾期未整改", "sanction": "通报批评",
             "decided_by": "县纪委监委", "decided_on": today - dt.timedelta(days=rng.randint(1, 30))}
        )  # fmt: skip
    for inc in incidents[:2]:
        acc.append(
            {"id": loader.id(Accountability), "township_id": inc["township_id"], "incident_id": inc["id"],
             "premises_id": inc["premises_id"], "person": person(rng), "unit": t_name[inc["township_id"]],
             "finding": "火灾前检查发现的隐患未整改到位", "sanction": "诫勉谈话", "decided_by": "县纪委监委",
             "decided_on": today - dt.timedelta(days=3)}
        )  # fmt: skip
    loader.copy(Accountability, acc)
    timings["incidents+accountability"] = time.perf_counter() - t7

    # The 推进会: directives, assignments per township, progress --------------------------------------
    t8 = time.perf_counter()
    meeting_day = min(cur_start + dt.timedelta(days=16), today - dt.timedelta(days=1))
    mid = loader.id(Meeting)
    loader.copy(
        Meeting,
        [
            {"id": mid, "county_id": county_id, "title": "全县专职消防队伍建设暨冬春火灾防控工作推进会",
             "held_at": at(meeting_day, 15), "chair": person(rng), "chair_title": "常务副县长",
             "main_venue": "县政府主会场", "sub_venues": "\n".join(f"{t_name[t]}分会场" for t in t_ids),
             "summary": "部署冬春火灾防控工作。", "source": "bench"}
        ],
    )  # fmt: skip
    directives, assignments, reports = [], [], []
    for number_, (category, priority, text) in enumerate(DIRECTIVES, start=1):
        did = loader.id(Directive)
        directives.append(
            {
                "id": did,
                "meeting_id": mid,
                "number": number_,
                "category": category,
                "text": text,
                "priority": priority,
            }
        )
        for t in t_ids:
            aid = loader.id(Assignment)
            deadline = meeting_day + dt.timedelta(days=rng.randint(7, 60))
            status = rng.choices(("assigned", "in_progress", "closed"), (30, 40, 30))[0]
            percent = {"assigned": 0, "in_progress": rng.randint(10, 90), "closed": 100}[status]
            closed_on = (
                min(today, meeting_day + dt.timedelta(days=rng.randint(1, 12)))
                if status == "closed"
                else None
            )
            assignments.append(
                {"id": aid, "directive_id": did, "township_id": t, "deadline": deadline,
                 "responsible_person": person(rng), "status": status, "progress_percent": percent,
                 "closed_on": closed_on}
            )  # fmt: skip
            if status != "assigned":
                reports.append(
                    {"id": loader.id(ProgressReport), "assignment_id": aid, "reported_on": closed_on or today,
                     "text": "按要求推进", "percent": percent, "reported_by_id": lead_of[t]}
                )  # fmt: skip
    loader.copy(Directive, directives)
    loader.copy(Assignment, assignments)
    loader.copy(ProgressReport, reports)
    loader.copy(
        Attendance,
        [
            {"id": loader.id(Attendance), "meeting_id": mid, "township_id": t, "unit": t_name[t], "person": person(rng),
             "position": "分管副职", "venue": "sub", "venue_name": f"{t_name[t]}分会场", "present": True}
            for t in t_ids
        ],
    )  # fmt: skip
    loader.copy(
        Statement,
        [
            {"id": loader.id(Statement), "meeting_id": mid, "township_id": t, "kind": kind, "speaker": person(rng),
             "summary": "介绍经验做法。" if kind == "typical" else "表态：坚决完成任务。"}
            for t, kind in zip(t_ids[:3], ("typical", "commitment", "commitment"), strict=False)
        ],
    )  # fmt: skip
    timings["meeting"] = time.perf_counter() - t8
    timings["county total"] = time.perf_counter() - t0
    return timings


# --- main ------------------------------------------------------------------------------------------


def check_foreign_keys(cursor) -> int:
    """Orphans per foreign key of the app tables (the load ran without FK triggers): must all be 0."""
    cursor.execute(
        """
        SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, af.attname
        FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1]
        WHERE c.contype = 'f' AND array_length(c.conkey, 1) = 1
        """
    )
    orphans = 0
    for child, column, parent, parent_column in cursor.fetchall():
        cursor.execute(
            f"SELECT count(*) FROM {child} x WHERE x.{column} IS NOT NULL AND NOT EXISTS "
            f"(SELECT 1 FROM {parent} y WHERE y.{parent_column} = x.{column})"
        )
        n = cursor.fetchone()[0]
        if n:
            print(f"  ORPHANS {child}.{column} -> {parent}: {n}")
        orphans += n
    return orphans


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=("county", "province"), default="county")
    parser.add_argument(
        "--counties", type=int, help=f"counties to add (county: 1, province: {PROVINCE_COUNTIES})"
    )
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the per-county row counts")
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--no-vacuum", action="store_true", help="skip VACUUM ANALYZE at the end")
    parser.add_argument("--check", action="store_true", help="count orphaned foreign keys after the load")
    args = parser.parse_args()
    counties = args.counties or (1 if args.size == "county" else PROVINCE_COUNTIES)

    name = connection.settings_dict["NAME"]
    if connection.vendor != "postgresql" or not str(name).startswith("fb_bench"):
        sys.exit(f"refusing: DATABASE_URL must name a PostgreSQL scratch database fb_bench*, not {name!r}")

    started = time.perf_counter()
    rng = random.Random(args.seed)
    refs = reference_data()
    password_hash = make_password(PASSWORD)
    existing = County.objects.count()
    print(f"database {name}: {existing} counties already; adding {counties} (scale {args.scale})")
    with connection.cursor() as cursor:
        # No FK triggers during the load: the generator's ids are consistent by construction (--check).
        cursor.execute("SET session_replication_role = replica")
        loader = Loader(cursor.cursor)
        try:
            for number in range(existing + 1, existing + counties + 1):
                with transaction.atomic():
                    timings = generate_county(
                        loader, number, scale=args.scale, refs=refs, password_hash=password_hash, rng=rng
                    )
                    loader.fix_sequences()
                detail = ", ".join(f"{k} {v:.1f}s" for k, v in timings.items())
                print(f"county {number}: {detail}", flush=True)
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")
    load_seconds = time.perf_counter() - started

    print("\nrows written (this run):")
    for table, n in sorted(loader.counts.items(), key=lambda kv: -kv[1]):
        secs = loader.seconds[table]
        print(f"  {table:42} {n:>11,}  {secs:7.1f}s  {n / secs if secs else 0:>10,.0f} rows/s")
    print(f"total {sum(loader.counts.values()):,} rows in {load_seconds:.1f}s")
    # COPY passes by the services, which keep the county's figures: compute them as rebuild_figures does.
    t = time.perf_counter()
    with transaction.atomic():
        tallies.rebuild()
    print(f"figures (inspections.tallies) rebuilt in {time.perf_counter() - t:.1f}s")

    if not args.no_vacuum:
        t = time.perf_counter()
        connection.ensure_connection()
        raw = connection.connection
        old = raw.autocommit
        raw.autocommit = True
        with raw.cursor() as cur:
            for model in set(loader.next_id):
                cur.execute(f'VACUUM (ANALYZE) "{model._meta.db_table}"')
        raw.autocommit = old
        print(f"VACUUM ANALYZE in {time.perf_counter() - t:.1f}s")
    if args.check:
        t = time.perf_counter()
        with connection.cursor() as cursor:
            orphans = check_foreign_keys(cursor)
        print(f"foreign keys checked in {time.perf_counter() - t:.1f}s: {orphans} orphans")
        if orphans:
            sys.exit(1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        print(f"database size: {cursor.fetchone()[0]}")
    print(
        f"accounts: b001_county (county official), b001_t01 (township lead), bench_center; password {PASSWORD!r}"
    )


if __name__ == "__main__":
    main()
