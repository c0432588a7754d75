"""Import 10,000 premises rows (社会单位) from one .xlsx through the app's import runner, as the guidance
center: the time of the import against the time openpyxl takes only to read the same workbook.

    .venv/bin/python bench/import_10k.py [--json] [--rows 10000] [--db fb_bench_import] [--fresh] [--drop]

It works in a scratch PostgreSQL database of its own (--db, a name starting with fb_bench; created and
migrated when missing, dropped and made anew with --fresh, dropped at the end with --drop) on the
server of $BENCH_PG_SERVER (default postgres://postgres@127.0.0.1:5432); DATABASE_URL is not read.
There it makes a county 基准县（导入） with 10 townships, 10 grids each, 5 police stations covering 2
townships each and a guidance-center account (bench_import_center), and removes the premises an
earlier run imported. The workbook: --rows new premises spread over the 10 townships, every column
filled (grid and police station on most rows, so the coverage rule is checked).

Measured:
  read_only_s  openpyxl.load_workbook(read_only=True) and every row's values, median of 3
  import_s     core.imports.runner.run_import(kind="premises", dry_run=False, user=<guidance center>):
               one transaction, committed only if every row passed (all or nothing), the rows written
               through the townships services as the import page's Celery task does
Checked: every row created and in the database, none refused. --refusal first imports the same
workbook with one bad row added at the end and checks that it is reported and nothing is written.

Targets (issue 14): import_s ≤ 10 s and ≤ 5 × read_only_s. --json prints one JSON object on stdout
(rows, import_s, read_only_s, rows_per_s, import_over_read_only, queries, …) and nothing else there.
"""

import argparse
import io
import os
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COUNTY = "基准县（导入）"
TOWNSHIPS, GRIDS, STATIONS = 10, 10, 5
CENTER = "bench_import_center"
PASSWORD = "bench-only-password-2026"  # noqa: S105 - a scratch database's account
TARGET_SECONDS, TARGET_OVER_READ = 10.0, 5.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="import 10k premises rows vs openpyxl reading them")
    parser.add_argument("--rows", type=int, default=10_000, help="premises rows in the workbook")
    parser.add_argument(
        "--db", default="fb_bench_import", help="scratch database (name starts with fb_bench)"
    )
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the scratch database first")
    parser.add_argument("--drop", action="store_true", help="drop the scratch database at the end")
    parser.add_argument("--refusal", action="store_true", help="first check that one bad row writes nothing")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout, nothing else")
    args = parser.parse_args()
    if not args.db.startswith("fb_bench") or not args.db.replace("_", "").isalnum():
        parser.error("--db must be a plain name starting with fb_bench (it may be dropped)")
    if not 1 <= args.rows <= 200_000:
        parser.error("--rows: 1–200,000")
    return args


def server() -> dict:
    url = urllib.parse.urlparse(os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432"))
    return {
        "host": url.hostname or "127.0.0.1",
        "port": url.port or 5432,
        "user": urllib.parse.unquote(url.username or "postgres"),
        "password": urllib.parse.unquote(url.password or ""),
    }


def admin(sql_statements: list[str]) -> None:
    """Run statements on the server's `postgres` database (CREATE / DROP DATABASE need autocommit)."""
    import psycopg

    conn = psycopg.connect(dbname="postgres", **server())
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            for sql in sql_statements:
                cursor.execute(sql)
    finally:
        conn.close()


def database_exists(name: str) -> bool:
    import psycopg

    conn = psycopg.connect(dbname="postgres", **server())
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            return cursor.fetchone() is not None
    finally:
        conn.close()


def prepare_database(args, say) -> None:
    if args.fresh and database_exists(args.db):
        admin([f'DROP DATABASE "{args.db}" WITH (FORCE)'])
        say(f"dropped {args.db}")
    if not database_exists(args.db):
        admin([f'CREATE DATABASE "{args.db}"'])
        say(f"created {args.db}")
    s = server()
    auth = urllib.parse.quote(s["user"]) + (f":{urllib.parse.quote(s['password'])}" if s["password"] else "")
    os.environ["DATABASE_URL"] = f"postgres://{auth}@{s['host']}:{s['port']}/{args.db}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["DEBUG"] = "0"
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    say(f"migrated {args.db} in {time.perf_counter() - started:.1f} s")


def build(say):
    """The county, its townships, grids, police stations and the guidance-center account; the premises
    of an earlier run removed. Returns the account and the lookups the workbook uses."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from core.models import Role, UserProfile
    from townships.models import County, Grid, PoliceStation, Premises, Township

    started = time.perf_counter()
    with transaction.atomic():
        county, _ = County.objects.get_or_create(name=COUNTY)
        # An earlier run's rows, in SQL: the ORM would write a history row for each deleted one.
        with connection.cursor() as cursor:
            for model in (Premises.history.model, Premises):
                cursor.execute(
                    f"DELETE FROM {model._meta.db_table} WHERE township_id IN "
                    "(SELECT id FROM townships_township WHERE county_id = %s)",
                    [county.pk],
                )
                removed = cursor.rowcount
        townships = []
        for t in range(TOWNSHIPS):
            township, _ = Township.objects.get_or_create(
                county=county, name=f"导入基准乡{t:02d}", defaults={"kind": Township.Kind.TOWNSHIP}
            )
            townships.append(township)
            for g in range(GRIDS):
                Grid.objects.get_or_create(township=township, name=f"第{g + 1}网格")
        stations = {}
        for k in range(STATIONS):
            station, _ = PoliceStation.objects.get_or_create(county=county, name=f"导入基准派出所{k}")
            covered = townships[k * TOWNSHIPS // STATIONS : (k + 1) * TOWNSHIPS // STATIONS]
            station.townships.set(covered)
            for township in covered:
                stations[township.name] = station.name
        user, created = get_user_model().objects.get_or_create(username=CENTER)
        if created:
            user.set_password(PASSWORD)
            user.save()
        UserProfile.objects.update_or_create(
            user=user, defaults={"role": Role.GUIDANCE_CENTER, "county": county}
        )
    say(f"set up {COUNTY} ({removed} earlier rows removed) in {time.perf_counter() - started:.1f} s")
    return get_user_model().objects.select_related("profile").get(pk=user.pk), townships, stations


def workbook(rows: int, townships, stations, bad_row: bool = False) -> bytes:
    from openpyxl import Workbook

    from core.imports.registry import get_kind
    from townships.models import Premises

    spec = get_kind("premises")
    categories = [str(label) for label in Premises.Category.labels]
    risks = [str(label) for label in Premises.RiskLevel.labels]
    book = Workbook(write_only=True)
    sheet = book.create_sheet(spec.sheet)
    sheet.append(spec.headers)
    columns = {c.key: c.header for c in spec.columns}
    for row in range(rows):
        township = townships[row % len(townships)].name
        p = row // len(townships)
        values = {
            "township": township,
            "name": f"导入基准单位{row % len(townships):02d}-{p:05d}",
            "address": f"{township}基准路{p}号",
            "category": categories[row % len(categories)],
            "risk_level": risks[row % len(risks)],
            "is_key_unit": "是" if row % 7 == 0 else "否",
            "responsible_person": f"负责人{row % 997}",
            "responsible_phone": f"139{row:08d}",
            "manager": f"管理人{row % 991}" if row % 2 == 0 else "",
            "manager_phone": f"138{row:08d}" if row % 2 == 0 else "",
            "grid": f"第{p % GRIDS + 1}网格" if row % 10 else "",
            "police_station": stations[township] if row % 5 else "",
        }
        by_header = {columns[key]: value for key, value in values.items()}
        sheet.append([by_header.get(h, "") for h in spec.headers])
    if bad_row:
        sheet.append(
            [{columns["township"]: "不存在的乡镇", columns["name"]: "坏行"}.get(h, "") for h in spec.headers]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def read_only(content: bytes) -> tuple[float, int]:
    """openpyxl alone reading the workbook, as the import's reader opens it: (seconds, data rows)."""
    from openpyxl import load_workbook

    started = time.perf_counter()
    book = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    count = sum(1 for _ in book.worksheets[0].iter_rows(min_row=2, values_only=True))
    book.close()
    return time.perf_counter() - started, count


def import_rows(content: bytes, user) -> tuple[float, int, object]:
    """The app's import runner, committed when every row passes: (seconds, queries, result)."""
    from django.db import connection

    from core.imports.runner import run_import

    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    started = time.perf_counter()
    with connection.execute_wrapper(count):
        result = run_import(kind="premises", fileobj=io.BytesIO(content), user=user, dry_run=False)
    return time.perf_counter() - started, queries, result


def main() -> None:
    import json

    args = parse_args()
    out = sys.stderr if args.json else sys.stdout

    def say(text: str = "") -> None:
        print(text, file=out, flush=True)

    prepare_database(args, say)
    from django.db import connection

    from townships.models import Premises

    try:
        center, townships, stations = build(say)
        imported = Premises.objects.filter(township__county__name=COUNTY)
        content = workbook(args.rows, townships, stations)
        say(f"workbook: {args.rows:,} premises rows, {len(content) / 1024:.0f} KB")

        refusal = None
        if args.refusal:
            seconds, _queries, result = import_rows(
                workbook(args.rows, townships, stations, bad_row=True), center
            )
            written = imported.count()
            refusal = {
                "refusal_s": round(seconds, 2),
                "refusal_errors": len(result.errors),
                "refusal_rows_written": written,
                "refusal_ok": (not result.ok) and not result.committed and written == 0,
            }
            say(
                f"refusal: {len(result.errors)} error(s) ({'; '.join(result.error_lines()[:2])}), "
                f"{written} rows written, {seconds:.1f} s"
            )

        reads = [read_only(content) for _ in range(3)]
        if any(n != args.rows for _, n in reads):
            sys.exit(f"openpyxl read {reads[0][1]} rows, expected {args.rows}")
        read_s = statistics.median(s for s, _ in reads)
        say(f"openpyxl read only: {read_s:.2f} s (median of 3)")

        import_s, queries, result = import_rows(content, center)
        written = imported.count()
        if not result.ok or not result.committed or result.created != args.rows or written != args.rows:
            say("\n".join(result.error_lines()[:20]))
            sys.exit(
                f"import failed: ok={result.ok} committed={result.committed} created={result.created} "
                f"in the database {written} of {args.rows}"
            )
        say(
            f"import (committed): {args.rows:,} rows in {import_s:.1f} s ({args.rows / import_s:,.0f} rows/s), "
            f"{queries:,} queries ({queries / args.rows:.1f} per row) — {result.summary()}"
        )
        over = import_s / read_s
        report = {
            "rows": args.rows,
            "import_s": round(import_s, 2),
            "read_only_s": round(read_s, 3),
            "rows_per_s": round(args.rows / import_s, 1),
            "import_over_read_only": round(over, 2),
            "queries": queries,
            "queries_per_row": round(queries / args.rows, 2),
            "created": result.created,
            "committed": result.committed,
            "target_import_s": TARGET_SECONDS,
            "target_import_over_read_only": TARGET_OVER_READ,
            "meets_target": import_s <= TARGET_SECONDS and over <= TARGET_OVER_READ,
            "kind": "premises",
            "user_role": center.profile.role,
            "database": args.db,
            "file_kb": round(len(content) / 1024),
        } | (refusal or {})
        say(
            f"import / read only: {over:.1f}x (targets: ≤ {TARGET_SECONDS:g} s and ≤ {TARGET_OVER_READ:g}x: "
            f"{'met' if report['meets_target'] else 'not met'})"
        )
        if args.json:
            print(json.dumps(report, ensure_ascii=False), flush=True)
    finally:
        connection.close()
        if args.drop:
            admin([f'DROP DATABASE "{args.db}" WITH (FORCE)'])
            say(f"dropped {args.db}")


if __name__ == "__main__":
    main()
