"""Webhook delivery throughput: N signed deliveries posted to a local receiver by the real delivery function.

What it measures
    1. A throwaway database (fresh ``CERCLE_DATA_DIR``; SQLite, or PostgreSQL with ``DATABASE_URL``), one
       endpoint subscribed to ``request.kept`` on a receiver in a child process (``http.server``,
       threaded, on a free loopback port) that checks every signature as docs/webhooks.md tells a
       receiver to, and answers 200.
    2. Queueing: N ``webhook_emit`` calls in one transaction (what the deciding transactions write) and
       its commit, which hands each delivery to the worker's queue (huey's SQLite file here; the bench
       empties it and delivers itself).
    3. Delivery: ``webhook_deliver`` on each, from ``--threads`` threads (1: one worker): claim, sign,
       resolve and check the address, POST on a new connection, log the attempt. Deliveries per second
       over the wall time, and p50 / p95 of one POST (the attempt log's ``ms``).

Run (from the project root)
    .venv/bin/python bench/webhooks.py                       # 2,000 deliveries, one thread
    .venv/bin/python bench/webhooks.py --deliveries 5000 --threads 2

The last line of stdout is always ``webhooks: N deliveries, W/s``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import socket
import statistics
import sys
import threading
import time
import urllib.request
from pathlib import Path

if not __package__:  # run as a script (python bench/webhooks.py): the bench's parts import from the root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common.env import data_dir_from, load_average, log, remove_dirs, setup_django


def _receive(port: int, secret: str, ready: multiprocessing.Event) -> None:  # type: ignore[valid-type]
    """The receiver (a child process): verifies each signature, counts good and bad ones."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from cercle.outbox.webhooks import webhook_verify

    counts = {"valid": 0, "invalid": 0}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            valid = webhook_verify(
                secret,
                self.headers["Cercle-Webhook-Timestamp"],
                body,
                self.headers["Cercle-Webhook-Signature"],
            )
            with lock:
                counts["valid" if valid else "invalid"] += 1
            self.send_response(200 if valid else 400)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def do_GET(self) -> None:
            with lock:
                data = json.dumps(counts).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    ready.set()
    server.serve_forever()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deliveries", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--data-dir")
    parser.add_argument("--keep", action="store_true")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    data_dir, made = data_dir_from(args.data_dir, prefix="cercle-bench-webhooks-")
    setup_django(data_dir)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import close_old_connections, connection, transaction

    from bench.common.database import ensure_postgres_database
    from cercle.outbox.models import WebhookDelivery, WebhookEndpoint, WebhookStatus
    from cercle.outbox.webhooks import webhook_deliver, webhook_emit, webhook_endpoint_create

    ensure_postgres_database()
    log("migrating the bench database")
    call_command("migrate", interactive=False, verbosity=0)
    WebhookDelivery.objects.all().delete()
    WebhookEndpoint.objects.all().delete()
    settings.CERCLE["WEBHOOKS_ALLOW_PRIVATE"] = True  # the receiver is on loopback
    from huey.contrib.djhuey import HUEY

    port = free_port()
    endpoint, secret = webhook_endpoint_create(url=f"http://127.0.0.1:{port}/hook", events=["request.kept"])
    ready = multiprocessing.Event()
    receiver = multiprocessing.Process(target=_receive, args=(port, secret, ready), daemon=True)
    receiver.start()
    ready.wait(10)
    try:
        started = time.perf_counter()
        with transaction.atomic():
            for n in range(args.deliveries):
                webhook_emit(
                    event="request.kept",
                    key=f"bench-{n}",
                    payload={
                        "request_id": n,
                        "state": "kept",
                        "from_state": "received",
                        "subject": f"Demande {n}",
                    },
                )
        queued = time.perf_counter() - started
        HUEY.flush()  # the worker's tasks the commit enqueued: here the bench delivers
        ids = list(WebhookDelivery.objects.filter(endpoint=endpoint).values_list("pk", flat=True))
        log(f"queued {len(ids)} deliveries in {queued:.2f} s; delivering from {args.threads} thread(s)")

        outcomes: dict[str, int] = {}
        lock = threading.Lock()

        def deliver(share: list[int]) -> None:
            try:
                for pk in share:
                    outcome = webhook_deliver(delivery_id=pk)
                    with lock:
                        outcomes[outcome] = outcomes.get(outcome, 0) + 1
            finally:
                connection.close()

        started = time.perf_counter()
        if args.threads == 1:
            deliver(ids)
        else:
            close_old_connections()
            workers = [
                threading.Thread(target=deliver, args=(ids[i :: args.threads],)) for i in range(args.threads)
            ]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join()
        elapsed = time.perf_counter() - started
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/count", timeout=5) as answer:
            seen = json.loads(answer.read())
        sent = WebhookDelivery.objects.filter(status=WebhookStatus.SENT).count()
        posts = sorted(d.log[-1]["ms"] for d in WebhookDelivery.objects.only("log") if d.log)
        rate = sent / elapsed if elapsed else 0.0
        print(f"database: {connection.vendor}; load average {load_average()}")
        print(
            f"queue: {args.deliveries} webhook_emit in one transaction and its commit (which hands each "
            f"delivery to the worker's queue), {args.deliveries / queued:.0f}/s"
        )
        print(f"outcomes: {outcomes}; receiver: {seen['valid']} valid signatures, {seen['invalid']} invalid")
        if posts:
            p95 = posts[int(len(posts) * 0.95) - 1]
            print(f"one POST: p50 {statistics.median(posts):.0f} ms, p95 {p95} ms")
        print(f"webhooks: {sent} deliveries, {rate:.0f}/s")
    finally:
        receiver.terminate()
        receiver.join(5)
        if made and not args.keep:
            remove_dirs([data_dir])


if __name__ == "__main__":
    main()
