"""Import 10,000 inspection rows through the services: time of the preview and of the real import.

Run against a scratch PostgreSQL database (bench data from an earlier run is removed first):

    createdb -h 127.0.0.1 -U postgres fb_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fb_bench .venv/bin/python manage.py migrate -v0
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fb_bench .venv/bin/python bench/import_10k.py

It creates 10 townships x 100 premises and 3 checklist items, writes an .xlsx of 10,000 rows
(5,000 inspections: each with two hazard rows, one listing two failed checklist items), previews it
(dry run, rolled back) and imports it (one transaction), as the Celery task does.
"""

import datetime as dt
import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django

django.setup()

from django.db import connection  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from core.imports.registry import get_kind  # noqa: E402
from core.imports.runner import run_import  # noqa: E402
from inspections.models import ChecklistItem, ChecklistResult, Hazard, Inspection  # noqa: E402
from townships.models import County, Premises, Township  # noqa: E402

COUNTY = "基准县（导入）"
TOWNSHIPS, PREMISES, ROWS = 10, 100, 10_000
START = dt.date(2021, 11, 1)


def build() -> None:
    bench = {"township__county__name": COUNTY}
    Hazard.objects.filter(**bench).delete()
    ChecklistResult.objects.filter(inspection__township__county__name=COUNTY).delete()
    Inspection.objects.filter(**bench).delete()
    Premises.objects.filter(**bench).delete()
    Township.objects.filter(county__name=COUNTY).delete()
    County.objects.filter(name=COUNTY).delete()

    county = County.objects.create(name=COUNTY)
    for code, text in [("B01", "安全出口畅通"), ("B02", "灭火器有效"), ("B03", "电气线路规范")]:
        ChecklistItem.objects.get_or_create(code=code, defaults={"text": text})
    for t in range(TOWNSHIPS):
        township = Township.objects.create(county=county, name=f"导入基准乡{t}", kind="township")
        Premises.objects.bulk_create(
            Premises(
                township=township,
                name=f"基准单位{t}-{p}",
                address=f"基准路{p}号",
                category="shop",
                risk_level="medium",
                responsible_person="王老板",
                responsible_phone="13900000000",
            )
            for p in range(PREMISES)
        )


def workbook() -> bytes:
    spec = get_kind("inspections")
    book = Workbook(write_only=True)
    sheet = book.create_sheet(spec.sheet)
    sheet.append(spec.headers)
    for row in range(ROWS):
        visit = row // 2  # two hazard rows per inspection
        t, p = visit % TOWNSHIPS, (visit // TOWNSHIPS) % PREMISES
        day = START + dt.timedelta(days=visit // (TOWNSHIPS * PREMISES))
        values = {
            "乡镇": f"导入基准乡{t}",
            "单位名称": f"基准单位{t}-{p}",
            "单位地址": f"基准路{p}号",
            "检查日期": day,
            "检查类型": "乡镇检查",
            "检查人员": "赵专干、钱网格员",
            "检查情况": "例行检查",
            "不合格检查项": "B01、B02" if row % 2 == 0 else "",
            "隐患描述": f"隐患{row % 2}：疏散通道堆放杂物",
            "隐患等级": "一般隐患",
            "整改期限": day + dt.timedelta(days=7),
            "整改责任人": "王老板",
        }
        sheet.append([values.get(h) for h in spec.headers])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("Run against a scratch PostgreSQL database: set DATABASE_URL (see the docstring).")
    build()
    content = workbook()
    print(f"file: {ROWS} rows, {len(content) / 1024:.0f} KB")
    for dry_run in (True, False):
        started = time.monotonic()
        result = run_import(kind="inspections", fileobj=io.BytesIO(content), dry_run=dry_run)
        elapsed = time.monotonic() - started
        if not result.ok:
            sys.exit("\n".join(result.error_lines()[:20]))
        label = "preview (rolled back)" if dry_run else "import (committed)   "
        print(f"{label}: {ROWS} rows in {elapsed:6.1f} s ({ROWS / elapsed:,.0f} rows/s) — {result.summary()}")
    county = {"township__county__name": COUNTY}
    print(
        f"written: {Inspection.objects.filter(**county).count()} inspections, "
        f"{Hazard.objects.filter(**county).count()} hazards, "
        f"{ChecklistResult.objects.filter(inspection__township__county__name=COUNTY).count()} checklist results"
    )


if __name__ == "__main__":
    main()
