"""Latency benchmark: from a message's delivery into the leader's mailbox to its request in the triage queue.

What it measures
    A throwaway Dovecot (Debian's dovecot-imapd, as the tests start it) with one user; a fresh Cercle
    data dir (SQLite; PostgreSQL when ``DATABASE_URL`` is set) with one mail account pointing at it; and a
    real ``cercle worker`` in its own process, as in production. Once the worker has synchronised the
    empty mailbox (and, with ``--mode idle``, is listening), N messages are delivered at seeded random
    moments spread over ``--span`` seconds, each by an IMAP APPEND on a connection of its own (what a
    delivery agent does: Dovecot then tells the sessions watching the folder). The bench reads the
    database every 0.1 s: a message counts as arrived when its request is in the triage queue (state
    ``received``). Latency = from just before the APPEND to the first read that sees the request.

    ``--mode idle`` lets the worker listen with IMAP IDLE (``CERCLE_MAIL_IDLE=1``, the default);
    ``--mode poll`` turns listening off (``CERCLE_MAIL_IDLE=0``): only the every-minute sync runs, which
    is what Cercle did before listening existed.

    ``--drop`` cuts the worker's connections on the server side three times during the run, each 0.3 s
    before a delivery (the 1/4th, 2/4th and 3/4th message, which so arrives while the worker
    reconnects): ``doveadm kick`` (the server says BYE), then SIGKILL of the imap processes (no goodbye:
    the socket just ends), then kick again. The worker must reconnect by itself and nothing may be lost
    or doubled.

    At the end the bench waits up to ``--wait`` seconds for the stragglers, then checks: each message
    stored once, one request per message, one ledger entry per UID. "lost" counts messages whose request
    never reached the queue; "doubled" extra messages, requests or ledger entries.

Run (from the project root)
    .venv/bin/python bench/latency.py --mode idle
    .venv/bin/python bench/latency.py --mode poll
    .venv/bin/python bench/latency.py --mode idle --drop

Options: ``--messages N`` (20), ``--span S`` (300 s), ``--seed N``, ``--wait S`` (180 s), ``--keep``.
p50 and p95 are nearest-rank percentiles of the N latencies (p95 of 20 is the 19th smallest).

Last line: ``latency: N messages, p50 X s, p95 Y s, mode idle|poll, lost L``. Exit code 1 when a message
was lost or doubled.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

if not __package__:  # run as a script (python bench/latency.py): the bench's parts import from the root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common.env import child_env, data_dir_from, load_average, log, manage, remove_dirs, setup_django
from tests.dovecot import Dovecot, available

USER = "lea"
ACCOUNT = "bench"


def message(n: int, run: str) -> tuple[str, bytes]:
    """A small request from its own sender (so no two join one request), unique to this run."""
    message_id = f"<latency-{run}-{n}@example.org>"
    raw = (
        f"From: Client {n} <client{n}@{run}.example.org>\r\n"
        f"To: Léa Marchand <lea@hub.example>\r\n"
        f"Subject: Demande de partenariat {run} n°{n}\r\n"
        f"Message-ID: {message_id}\r\n"
        f"Date: {time.strftime('%a, %d %b %Y %H:%M:%S +0000', time.gmtime())}\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n"
        "\r\n"
        f"Bonjour,\r\nNous aimerions vous présenter un projet (réf. {n}).\r\nBien à vous\r\n"
    ).encode()
    return message_id, raw


def deliver(server: Dovecot, raw: bytes) -> None:
    from imapclient import IMAPClient

    client = IMAPClient("127.0.0.1", port=server.port, ssl=False, timeout=30)
    try:
        client.login(USER, server.password)
        client.append("INBOX", raw)
    finally:
        client.logout()


def imap_processes(server: Dovecot) -> list[int]:
    """The pids of the server's imap processes (one per logged-in connection)."""
    assert server.process is not None
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        if comm == "imap" and ppid == server.process.pid:
            pids.append(int(entry.name))
    return pids


def drop(server: Dovecot, how: str) -> str:
    """Cut every connection of the user on the server side; returns what was done."""
    pids = imap_processes(server)
    if how == "kick":
        subprocess.run(
            ["doveadm", "-c", str(server.dir / "dovecot.conf"), "kick", USER],
            check=True,
            capture_output=True,
        )
    else:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    return f"{how} ({len(pids)} imap process{'es' if len(pids) != 1 else ''})"


def percentile(values: list[float], p: float) -> float:
    """Nearest rank: the smallest value with at least p % of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def wait_for(condition: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mode", choices=["idle", "poll"], default="idle")
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument("--span", type=float, default=300.0, help="seconds over which deliveries spread")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--wait", type=float, default=180.0, help="seconds to wait for stragglers")
    parser.add_argument("--drop", action="store_true", help="cut the worker's connections three times")
    parser.add_argument("--keep", action="store_true", help="keep the data dir and the Dovecot dir")
    args = parser.parse_args()
    if not available():
        raise SystemExit("Dovecot is missing: install Debian's dovecot-imapd (make system-deps)")

    run = uuid.uuid4().hex[:8]
    rng = random.Random(args.seed)
    offsets = sorted(rng.uniform(0, args.span) for _ in range(args.messages))
    # Each drop just before a delivery: that message arrives while the worker reconnects.
    drops = [max(0.0, offsets[len(offsets) * k // 4] - 0.3) for k in (1, 2, 3)] if args.drop else []
    server = Dovecot().start()
    data_dir, _created = data_dir_from(None, prefix="cercle-latency-bench-")
    env = child_env(
        data_dir,
        # The throwaway Dovecot listens on loopback, which a real hub refuses unless allowed.
        CERCLE_MAIL_ALLOW_PRIVATE_HOSTS="1",
        CERCLE_MAIL_IDLE="1" if args.mode == "idle" else "0",
    )
    worker: subprocess.Popen[bytes] | None = None
    try:
        server.add_user(USER)
        subprocess.run(manage("migrate", "-v0"), env=env, check=True)
        create = (
            "from cercle.mailsync.models import MailAccount\n"
            f"a = MailAccount(name={ACCOUNT!r}, host='127.0.0.1', port={server.port}, security='none', "
            f"username={USER!r})\n"
            f"a.password = {server.password!r}\n"
            "a.save()\n"
        )
        subprocess.run(manage("shell", "-c", create), env=env, check=True, stdout=subprocess.DEVNULL)
        setup_django(data_dir)  # after the children: this process reads the same database
        from django.db.models import Count

        from cercle.circulation.models import Message, Request
        from cercle.mailsync.models import LedgerEntry, MailAccount

        account = MailAccount.objects.get(name=ACCOUNT)
        worker_log = open(data_dir / "worker.log", "wb")  # noqa: SIM115 - open for the worker's whole life
        worker = subprocess.Popen(manage("worker"), env=env, stdout=worker_log, stderr=subprocess.STDOUT)
        log(
            f"worker pid {worker.pid}, mode {args.mode}, Dovecot on port {server.port}, log {worker_log.name}"
        )

        def ready() -> bool:
            row = MailAccount.objects.filter(pk=account.pk).values("last_sync_at").get()
            if row["last_sync_at"] is None:
                return False
            if args.mode == "idle":
                return MailAccount.objects.filter(pk=account.pk, listen_state="idle").exists()
            return True

        started = time.monotonic()
        wait_for(ready, 150, "the worker's first synchronisation of the empty mailbox")
        log(f"worker ready after {time.monotonic() - started:.1f} s; delivering {args.messages} messages")

        ids: dict[str, int] = {}
        delivered_at: dict[str, float] = {}
        arrived_at: dict[str, float] = {}
        events = [(t, "deliver", n) for n, t in enumerate(offsets)]
        events += [(t, "drop", k) for k, t in enumerate(drops)]
        events.sort()
        queue = Request.objects.filter(state="received")

        def look() -> None:
            waiting = [mid for mid in delivered_at if mid not in arrived_at]
            if not waiting:
                return
            now = time.monotonic()
            seen = Message.objects.filter(message_id__in=waiting, request__in=queue).values_list(
                "message_id", flat=True
            )
            for mid in seen:
                arrived_at[mid] = now
                log(f"  {mid}: {now - delivered_at[mid]:.1f} s")

        begin = time.monotonic()
        for offset, kind, n in events:
            while time.monotonic() < begin + offset:
                look()
                time.sleep(min(0.1, max(0.0, begin + offset - time.monotonic())))
            if kind == "drop":
                log(f"  drop at {offset:.0f} s: {drop(server, ('kick', 'kill', 'kick')[n])}")
                continue
            message_id, raw = message(n, run)
            ids[message_id] = n
            delivered_at[message_id] = time.monotonic()
            deliver(server, raw)
        deadline = time.monotonic() + args.wait
        while len(arrived_at) < len(ids) and time.monotonic() < deadline:
            look()
            time.sleep(0.1)
        # Give a late duplicate (a second import of the same UID) a moment to show before counting.
        time.sleep(2)

        latencies = [arrived_at[mid] - delivered_at[mid] for mid in ids if mid in arrived_at]
        lost = len(ids) - len(latencies)
        mine = Message.objects.filter(from_email__endswith=f"@{run}.example.org")
        stored = mine.count()
        requests = mine.values("request_id").distinct().count()
        per_uid = (
            LedgerEntry.objects.filter(account=account)
            .values("folder", "uidvalidity", "uid")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .count()
        )
        ledger = LedgerEntry.objects.filter(account=account).count()
        arrived = len(ids) - lost
        doubled = max(0, stored - arrived) + max(0, requests - arrived) + per_uid + max(0, ledger - len(ids))
        account.refresh_from_db()
    finally:
        if worker is not None and worker.poll() is None:
            worker.send_signal(signal.SIGINT)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        if args.keep:
            log(f"kept: data dir {data_dir}, Dovecot dir {server.dir}")
            server.stop()
        else:
            server.cleanup()
            remove_dirs([data_dir])

    print(
        f"messages: {len(ids)} delivered over {args.span:.0f} s (seed {args.seed}), "
        f"{len(drops)} drops, stored {stored}, requests {requests}, ledger entries {ledger}, doubled {doubled}"
    )
    if latencies:
        print(f"latencies (s): min {min(latencies):.1f}, max {max(latencies):.1f}")
    print(f"machine: {os.cpu_count()} CPUs, load average {load_average()}")
    p50 = percentile(latencies, 50) if latencies else float("nan")
    p95 = percentile(latencies, 95) if latencies else float("nan")
    print(f"latency: {len(ids)} messages, p50 {p50:.1f} s, p95 {p95:.1f} s, mode {args.mode}, lost {lost}")
    if lost or doubled:
        sys.exit(1)


if __name__ == "__main__":
    main()
