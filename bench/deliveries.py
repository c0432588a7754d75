"""100,000 deliveries over three channels (WeChat Work robot, DingTalk robot, SMS) to a local fake
gateway that fails 20% of requests: total time, deliveries per second, duplicates and losses.

    .venv/bin/python bench/deliveries.py [--json] [--deliveries 100000] [--fail-rate 0.2] [--db fb_bench_deliveries]

It works in a scratch PostgreSQL database of its own (created and migrated when missing; see
import_10k.py for the server it uses), starts the fake gateway (tests/notifications/channel_server.py)
in a process of its own, writes the deliveries as the services queue them, then sends them with the
same service the Celery task calls (`notifications.services.deliveries_send`, a batch at a time, each
batch several requests at once) until none is due. Retries are due at once here (backoff 0 s): the
bench measures sending, not waiting.

Checked: 0 duplicates (no message accepted twice by the gateway), 0 lost (every delivery sent, or given
up with its reason after DELIVERY_MAX_ATTEMPTS, and every sent one accepted by the gateway).
--json prints one JSON object on stdout and nothing else there.
"""

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.import_10k import prepare_database  # noqa: E402

CHANNELS = ("wecom", "dingtalk", "sms")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="deliveries to a failing local gateway")
    parser.add_argument("--deliveries", type=int, default=100_000)
    parser.add_argument("--fail-rate", type=float, default=0.2)
    parser.add_argument(
        "--db", default="fb_bench_deliveries", help="scratch database (name starts with fb_bench)"
    )
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the scratch database first")
    parser.add_argument("--drop", action="store_true", help="drop the scratch database at the end")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout, nothing else")
    args = parser.parse_args()
    if not args.db.startswith("fb_bench") or not args.db.replace("_", "").isalnum():
        parser.error("--db must be a plain name starting with fb_bench (it may be dropped)")
    return args


def start_gateway(fail_rate: float) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "tests.notifications.channel_server", "--fail-rate", str(fail_rate)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    port = process.stdout.readline().strip()
    return process, f"http://127.0.0.1:{port}"


def gateway_stats(base: str) -> dict:
    with urllib.request.urlopen(f"{base}/stats", timeout=30) as answer:  # noqa: S310 - our local fake
        return json.loads(answer.read())


def main() -> None:
    args = parse_args()
    say = (lambda *a: print(*a, file=sys.stderr)) if args.json else print
    os.environ.update(
        DELIVERY_RETRY_BASE_SECONDS="0",
        DELIVERY_THREADS=os.environ.get("DELIVERY_THREADS", "16"),
        DELIVERY_BATCH_SIZE=os.environ.get("DELIVERY_BATCH_SIZE", "500"),
        DELIVERY_HTTP_TIMEOUT="10",
    )
    prepare_database(args, say)

    from django.conf import settings
    from django.utils import timezone

    from notifications import services
    from notifications.models import ChannelEndpoint, Delivery

    gateway, base = start_gateway(args.fail_rate)
    try:
        Delivery.objects.all().delete()
        ChannelEndpoint.objects.all().delete()
        endpoints = {
            kind: ChannelEndpoint.objects.create(
                kind=kind,
                name=f"bench-{kind}",
                url=f"{base}/{kind}?key=bench",
                secret="SECbench",  # noqa: S106 - a fake gateway's secret
                access_key_id="bench",
                sign_name="基准",
                template_code="SMS_1",
            )
            for kind in CHANNELS
        }
        now = timezone.now()
        started = time.perf_counter()
        Delivery.objects.bulk_create(
            (
                Delivery(
                    channel=CHANNELS[i % 3],
                    endpoint=endpoints[CHANNELS[i % 3]],
                    address="13800000000"
                    if CHANNELS[i % 3] == "sms"
                    else f"endpoint:{endpoints[CHANNELS[i % 3]].pk}",
                    key=f"bench:{i}",
                    mentions=["13800000000"],
                    title=f"基准消息 #{i}",
                    text="隐患整改逾期",
                    url="/notifications/",
                    next_attempt_at=now,
                )
                for i in range(args.deliveries)
            ),
            batch_size=5000,
        )
        queued_s = time.perf_counter() - started
        say(f"queued {args.deliveries} deliveries in {queued_s:.1f} s; sending …")

        outcomes: Counter = Counter()
        started = time.perf_counter()
        while True:
            batch = services.deliveries_send()
            if not batch:
                break
            outcomes.update(batch)
        send_s = time.perf_counter() - started

        stats = gateway_stats(base)
        rows = list(Delivery.objects.values_list("id", "channel", "key", "status", "last_error"))
    finally:
        gateway.terminate()
        gateway.wait(timeout=10)

    accepted = Counter(stats["accepted"])
    by_status = Counter(status for _, _, _, status, _ in rows)
    reasons = Counter(error for *_, status, error in rows if status == Delivery.Status.GIVEN_UP)

    def identity(pk, channel, key):
        return f"sms:{pk}" if channel == "sms" else f"{channel}:{key.split(':', 1)[1]}"

    duplicates = sum(1 for n in accepted.values() if n > 1)
    unfinished = sum(n for status, n in by_status.items() if status not in ("sent", "given_up"))
    sent_not_accepted = sum(
        1
        for pk, channel, key, status, _ in rows
        if status == "sent" and not accepted[identity(pk, channel, key)]
    )
    result = {
        "deliveries": len(rows),
        "channels": list(CHANNELS),
        "fail_rate": args.fail_rate,
        "threads": settings.DELIVERY_THREADS,
        "batch": settings.DELIVERY_BATCH_SIZE,
        "max_attempts": settings.DELIVERY_MAX_ATTEMPTS,
        "queue_s": round(queued_s, 2),
        "send_s": round(send_s, 2),
        "per_s": round(len(rows) / send_s, 1) if send_s else None,
        "requests": sum(stats["answered"].values()),
        "answered": stats["answered"],
        "sent": by_status.get("sent", 0),
        "given_up": by_status.get("given_up", 0),
        "given_up_reasons": dict(reasons),
        "duplicates": duplicates,
        "lost": unfinished + sent_not_accepted,
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        for name, value in result.items():
            print(f"{name:>18}: {value}")


if __name__ == "__main__":
    main()
