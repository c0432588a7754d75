"""Fan-out of 100,000 reminders: time, batches and duplicates (must be 0).

Run against a scratch PostgreSQL database (it is flushed of bench data first):

    createdb -h 127.0.0.1 -U postgres fb_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fb_bench .venv/bin/python manage.py migrate -v0
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fb_bench .venv/bin/python bench/reminders_fanout.py

It creates 20 townships x 25 fire leads and 200 overdue hazards per township
(20 x 25 x 200 = 100,000 notifications), runs the hazard_overdue rule through the same
batched service the Celery tasks call, runs it again (as if beat fired twice) and counts.
"""

import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402

from core.models import Notification, Role, UserProfile  # noqa: E402
from inspections.models import Hazard, Inspection  # noqa: E402
from notifications import services as reminders  # noqa: E402
from townships.models import County, Premises, Township  # noqa: E402

TOWNSHIPS, LEADS, HAZARDS = 20, 25, 200
DAY = dt.date(2021, 12, 10)


def build() -> None:
    Notification.objects.all().delete()
    Hazard.objects.filter(township__county__name="基准县").delete()
    Inspection.objects.filter(township__county__name="基准县").delete()
    UserProfile.objects.filter(user__username__startswith="bench_").delete()
    get_user_model().objects.filter(username__startswith="bench_").delete()
    Premises.objects.filter(township__county__name="基准县").delete()
    Township.objects.filter(county__name="基准县").delete()
    County.objects.filter(name="基准县").delete()

    county = County.objects.create(name="基准县")
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"bench_{t}_{i}") for t in range(TOWNSHIPS) for i in range(LEADS)
    )
    for t in range(TOWNSHIPS):
        township = Township.objects.create(county=county, name=f"基准乡{t}", kind="township")
        UserProfile.objects.bulk_create(
            UserProfile(user=u, role=Role.TOWNSHIP_LEAD, township=township)
            for u in users[t * LEADS : (t + 1) * LEADS]
        )
        premises = Premises.objects.create(
            township=township,
            name="基准单位",
            category="shop",
            risk_level="high",
            responsible_person="甲",
            responsible_phone="13800000000",
        )
        inspection = Inspection.objects.create(
            premises=premises,
            township=township,
            kind="township",
            inspected_on=dt.date(2021, 11, 20),
            inspectors="乙",
        )
        Hazard.objects.bulk_create(
            Hazard(
                inspection=inspection,
                premises=premises,
                township=township,
                severity="general",
                description=f"隐患{i}",
                discovered_on=dt.date(2021, 11, 20),
                deadline=dt.date(2021, 12, 1),
                responsible_person="甲",
            )
            for i in range(HAZARDS)
        )


def duplicates() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT 1 FROM core_notification GROUP BY rule, content_type_id,"
            " object_id, recipient_id, period HAVING count(*) > 1) d"
        )
        return cursor.fetchone()[0]


def main() -> None:
    build()
    t0 = time.perf_counter()
    first = reminders.reminders_run(on=DAY, rules=["hazard_overdue"])["hazard_overdue"]
    t1 = time.perf_counter()
    second = reminders.reminders_run(on=DAY, rules=["hazard_overdue"])["hazard_overdue"]
    t2 = time.perf_counter()
    total = Notification.objects.count()
    print(f"database: {connection.vendor}")
    print(f"first run:  {first:>7} notifications in {t1 - t0:6.1f} s ({first / (t1 - t0):,.0f}/s)")
    print(f"second run: {second:>7} new in {t2 - t1:6.1f} s (beat fired twice)")
    print(f"total rows: {total}, duplicates: {duplicates()}")
    if total != TOWNSHIPS * LEADS * HAZARDS or duplicates() or second:
        raise SystemExit("FAILED: wrong count or duplicates")


if __name__ == "__main__":
    main()
