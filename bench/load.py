"""Serving under load: logged-in users of every role against `cercle run` on a hub holding real mail.

    python bench/load.py [--users 20] [--seconds 120] [--corpus ../shared/corpus] [--think 0.3]

It builds a throwaway hub (the demo's people, then the shared SpamAssassin corpus imported as real mail,
with the triage's suggestions computed), starts `cercle run` (gunicorn + the worker) on a free loopback
port, measures each page alone (one user), then with `--users` users at once (second, leader, members,
admin in proportion), each loading a page, waiting `--think` seconds, loading the next. Prints per page:
requests, errors, p50/p95/p99 in ms, alone and under load. Goal: 0 errors and every page's p95 under load
at most 4× its p95 alone. The last line:

    load: N users, R req/s, errors E, worst p95 X ms (PAGE), single-user p95 Y ms
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common.env import DEFAULT_CORPUS, child_env, data_dir_from, load_average, log, manage, remove_dirs

# Who uses Cercle at once, in proportion, and what each role opens (names of PAGES below).
ROLE_MIX = [("samuel", "second", 6), ("lea", "leader", 4), ("member", "member", 8), ("admin", "admin", 2)]
ROLE_PAGES = {
    "second": ["triage", "preview", "triage", "routing", "request", "dashboard", "outbox"],
    "leader": ["validation", "triage", "preview", "request", "dashboard"],
    "member": ["opportunities", "project", "opportunities"],
    "admin": ["dashboard", "outbox", "mailboxes"],
}
MEMBERS = ["claire", "karim", "ines", "tom", "nadia", "oliver"]

PREPARE = """
import json
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from cercle.circulation.models import Request
from cercle.projects.models import Project
from cercle.triage.services import suggestions_compute_pending

if {suggest}:
    while suggestions_compute_pending():
        pass
sessions = {{}}
for user in get_user_model().objects.all():
    store = SessionStore()
    store["_auth_user_id"] = str(user.pk)
    store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    store["_auth_user_hash"] = user.get_session_auth_hash()
    store.create()
    sessions[user.username] = store.session_key
received = list(Request.objects.filter(state="received").order_by("received_at").values_list("pk", flat=True)[:200])
requests = list(Request.objects.order_by("-pk").values_list("pk", flat=True)[:200])
projects = {{}}
for project in Project.objects.select_related("lead"):
    projects.setdefault(project.lead.username, []).append(project.request_id)
print("PREPARED " + json.dumps({{"sessions": sessions, "received": received, "requests": requests,
                                 "projects": projects, "total": Request.objects.count()}}))
"""


@dataclass
class Hub:
    sessions: dict[str, str]
    received: list[int]
    requests: list[int]
    projects: dict[str, list[int]]
    total: int


@dataclass
class Results:
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, page: str, seconds: float, ok: bool) -> None:
        with self.lock:
            self.times[page].append(seconds)
            if not ok:
                self.errors[page] += 1

    @property
    def count(self) -> int:
        return sum(len(t) for t in self.times.values())


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def path_for(page: str, username: str, hub: Hub, rng: random.Random) -> tuple[str, dict[str, str]]:
    """The URL of one page for this user, and extra headers (htmx for the preview)."""
    if page == "preview":
        return f"/triage/{rng.choice(hub.received)}/", {"HX-Request": "true"}
    if page == "request":
        return f"/requests/{rng.choice(hub.requests)}/", {}
    if page == "project":
        mine = hub.projects.get(username)
        return (f"/projects/{rng.choice(mine)}/", {}) if mine else ("/opportunities/", {})
    return {
        "triage": "/triage/",
        "validation": "/validation/",
        "routing": "/routing/",
        "dashboard": "/dashboard/",
        "outbox": "/outbox/",
        "mailboxes": "/mailboxes/",
        "opportunities": "/opportunities/",
    }[page], {}


class User:
    """One logged-in person with a kept-alive connection, going round their role's pages."""

    def __init__(self, port: int, username: str, role: str, hub: Hub, seed: int) -> None:
        self.port, self.username, self.role, self.hub = port, username, role, hub
        self.rng = random.Random(seed)
        self.cookie = f"sessionid={hub.sessions[username]}"
        self.connection: http.client.HTTPConnection | None = None

    def get(self, path: str, headers: dict[str, str]) -> bool:
        for attempt in (1, 2):  # a kept-alive connection the server closed: open a new one once
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.connection.request("GET", path, headers={"Cookie": self.cookie, **headers})
                response = self.connection.getresponse()
                response.read()
                return response.status == 200
            except (http.client.HTTPException, OSError):
                self.connection.close()
                self.connection = None
                if attempt == 2:
                    return False
        return False

    def run(self, until: float, think: float, results: Results) -> None:
        pages = ROLE_PAGES[self.role]
        i = self.rng.randrange(len(pages))
        while time.monotonic() < until:
            page = pages[i % len(pages)]
            i += 1
            path, headers = path_for(page, self.username, self.hub, self.rng)
            started = time.perf_counter()
            ok = self.get(path, headers)
            results.add(page, time.perf_counter() - started, ok)
            if think:
                time.sleep(self.rng.uniform(0.5 * think, 1.5 * think))


def people(n: int) -> list[tuple[str, str]]:
    """`n` users in the roles' proportions (members take turns among the demo's members)."""
    weights = [(name, role) for name, role, weight in ROLE_MIX for _ in range(weight)]
    chosen = [weights[i * len(weights) // n] for i in range(n)] if n < len(weights) else weights
    while len(chosen) < n:
        chosen.append(weights[len(chosen) % len(weights)])
    out, member = [], 0
    for name, role in chosen:
        if role == "member":
            name, member = MEMBERS[member % len(MEMBERS)], member + 1
        out.append((name, role))
    return out


def wait_listening(port: int, process: subprocess.Popen[bytes], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("cercle run stopped at start")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("cercle run did not start listening")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build_hub(data_dir: Path, corpus: Path, suggest: bool) -> Hub:
    env = child_env(data_dir)
    subprocess.run(manage("migrate", "-v0"), env=env, check=True)
    subprocess.run(manage("demo"), env=env, check=True, stdout=subprocess.DEVNULL)
    source = corpus / "spamassassin"
    if source.is_dir():
        log(f"importing {source} …")
        subprocess.run(manage("import", str(source)), env=env, check=True, stdout=subprocess.DEVNULL)
    else:
        log(f"no corpus at {source}: the hub holds the demo only")
    log("computing the triage's suggestions …" if suggest else "suggestions left to the worker")
    out = subprocess.run(
        manage("shell", "-c", PREPARE.format(suggest=suggest)),
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("PREPARED "))
    return Hub(**json.loads(line.removeprefix("PREPARED ")))


def measure(port: int, hub: Hub, users: list[tuple[str, str]], seconds: float, think: float) -> Results:
    results = Results()
    until = time.monotonic() + seconds
    threads = [
        threading.Thread(target=User(port, name, role, hub, seed=i).run, args=(until, think, results))
        for i, (name, role) in enumerate(users)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def alone(port: int, hub: Hub, rounds: int) -> Results:
    """Each role's pages, one request at a time, `rounds` times."""
    results = Results()
    for name, role, _weight in ROLE_MIX:
        username = MEMBERS[0] if role == "member" else name
        user = User(port, username, role, hub, seed=7)
        for _ in range(rounds):
            for page in dict.fromkeys(ROLE_PAGES[role]):
                path, headers = path_for(page, username, hub, user.rng)
                started = time.perf_counter()
                ok = user.get(path, headers)
                results.add(page, time.perf_counter() - started, ok)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--think", type=float, default=0.3, help="seconds between a user's pages (mean)")
    parser.add_argument("--alone-rounds", type=int, default=20)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument(
        "--web-workers", type=int, default=None, help="gunicorn workers (default: cercle run's)"
    )
    parser.add_argument("--no-suggest", action="store_true", help="leave the suggestions to the worker")
    parser.add_argument("--data-dir", help="keep the hub here (built when empty)")
    args = parser.parse_args()

    data_dir, created = data_dir_from(args.data_dir, prefix="cercle-load-")
    try:
        hub = build_hub(data_dir, args.corpus, suggest=not args.no_suggest)
        log(f"hub: {hub.total} requests, {len(hub.received)} shown waiting; load average {load_average()}")
        port = free_port()
        command = manage("run", "--port", str(port), "--no-demo")
        if args.web_workers:
            command += ["--web-workers", str(args.web_workers)]
        server = subprocess.Popen(
            command, env=child_env(data_dir), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            wait_listening(port, server)
            alone(port, hub, 2)  # warm every worker's caches
            single = alone(port, hub, args.alone_rounds)
            log(f"{args.users} users for {args.seconds:.0f} s …")
            started = time.monotonic()
            loaded = measure(port, hub, people(args.users), args.seconds, args.think)
            elapsed = time.monotonic() - started
        finally:
            server.terminate()
            server.wait(timeout=30)
    finally:
        if created and not args.data_dir:
            remove_dirs([data_dir])

    print(f"{'page':<14}{'alone p95':>10}{'n':>7}{'err':>5}{'p50':>9}{'p95':>9}{'p99':>9}{'p95/alone':>10}")
    worst: tuple[float, str] = (0.0, "")
    within = True
    for page in sorted(loaded.times):
        times = [t * 1000 for t in loaded.times[page]]
        solo = percentile([t * 1000 for t in single.times.get(page, [])], 95)
        p95 = percentile(times, 95)
        ratio = p95 / solo if solo else float("nan")
        within = within and ratio <= 4
        worst = max(worst, (p95, page))
        print(
            f"{page:<14}{solo:>10.1f}{len(times):>7}{loaded.errors.get(page, 0):>5}"
            f"{percentile(times, 50):>9.1f}{p95:>9.1f}{percentile(times, 99):>9.1f}{ratio:>10.1f}"
        )
    errors = sum(loaded.errors.values()) + sum(single.errors.values())
    print(f"goal (0 errors, every page p95 ≤ 4× alone): {'met' if within and not errors else 'NOT met'}")
    worst_page = worst[1]
    print(
        f"load: {args.users} users, {loaded.count / elapsed:.0f} req/s, errors {errors}, "
        f"worst p95 {worst[0]:.0f} ms ({worst_page}), "
        f"single-user p95 {percentile([t * 1000 for t in single.times.get(worst_page, [])], 95):.0f} ms"
    )


if __name__ == "__main__":
    main()
