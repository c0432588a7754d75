"""A real HTTP server on 127.0.0.1 standing in for the group robots and the SMS gateway: it records
every request and answers as told (accept, fail, refuse, time out, answer slowly, hold).

Used by the delivery tests and by bench/deliveries.py."""

import argparse
import json
import random
import re
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    query: dict[str, str]
    body: bytes
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)

    @property
    def json(self) -> dict:
        return json.loads(self.body)

    @property
    def form(self) -> dict[str, str]:
        return dict(urllib.parse.parse_qsl(self.body.decode()))


OK_ANSWERS = {
    "/wecom": {"errcode": 0, "errmsg": "ok"},
    "/dingtalk": {"errcode": 0, "errmsg": "ok"},
    "/sms": {"Code": "OK", "Message": "OK", "BizId": "1"},
}
REFUSALS = {
    "/wecom": {"errcode": 93000, "errmsg": "invalid webhook url"},
    "/dingtalk": {"errcode": 310000, "errmsg": "sign not match"},
    "/sms": {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发流控"},
}


class _Server(ThreadingHTTPServer):
    request_queue_size = 256  # many senders at once (the default backlog of 5 drops connections)


class ChannelServer:
    """`mode[path]`: "ok" (default), "http500", "refuse", "timeout" (answers after `hang_seconds`),
    "slow" (answers after `slow_seconds`), "hold" (waits until `release` is set).
    `fail_rate`: the share of requests answered 500 at random (seeded)."""

    def __init__(self, *, fail_rate: float = 0.0, seed: int = 1):
        self.received: list[Received] = []
        self.mode: dict[str, str] = {}
        self.fail_rate = fail_rate
        self.slow_seconds = 0.2
        self.hang_seconds = 3.0
        self.release = threading.Event()
        self.keep_bodies = True  # the bench turns it off: 100k bodies are not needed
        self.accepted: Counter = Counter()  # message identity -> requests answered OK
        self.answered: Counter = Counter()  # status -> requests
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                parts = urllib.parse.urlsplit(self.path)
                item = Received(
                    parts.path, dict(urllib.parse.parse_qsl(parts.query)), body, dict(self.headers)
                )
                with server._lock:
                    if server.keep_bodies:
                        server.received.append(item)
                    fail = server.fail_rate and server._random.random() < server.fail_rate
                mode = server.mode.get(parts.path, "ok")
                if mode == "hold":
                    server.release.wait(60)
                elif mode == "slow":
                    time.sleep(server.slow_seconds)
                elif mode == "timeout":
                    time.sleep(server.hang_seconds)
                if fail or mode == "http500":
                    self._answer(500, {"error": "internal"})
                elif mode == "refuse":
                    self._answer(200, REFUSALS.get(parts.path, {"errcode": 1}))
                else:
                    with server._lock:
                        server.accepted[identity(item)] += 1
                    self._answer(200, OK_ANSWERS.get(parts.path, {"errcode": 0}))

            def do_GET(self):
                """/stats: what the server accepted, for a bench in another process."""
                with server._lock:
                    stats = {"accepted": dict(server.accepted), "answered": dict(server.answered)}
                self._answer(200, stats)

            def _answer(self, status, payload):
                with server._lock:
                    server.answered[status] += 1
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up (timed out or died)

        self.httpd = _Server(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path: str, query: str = "") -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}{path}" + (f"?{query}" if query else "")

    def on(self, path: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.path == path]


def identity(item: Received) -> str:
    """Which message a request carries: the SMS OutId, or the "#n" a robot message's text holds."""
    if item.path == "/sms":
        return f"sms:{item.form.get('OutId', '')}"
    try:
        content = json.loads(item.body)["text"]["content"]
    except (ValueError, KeyError, TypeError):
        return f"{item.path}:?"
    found = re.search(r"#(\d+)", content)
    return f"{item.path.strip('/')}:{found.group(1) if found else '?'}"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="a fake robot/SMS gateway on 127.0.0.1")
    parser.add_argument("--fail-rate", type=float, default=0.0)
    args = parser.parse_args()
    with ChannelServer(fail_rate=args.fail_rate) as running:
        running.keep_bodies = False
        print(running.httpd.server_address[1], flush=True)
        threading.Event().wait()
