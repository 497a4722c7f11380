"""The measuring loop: each page through the real Django stack, timed, and its SQL queries counted.

``django.test.Client`` with ``force_login``, every middleware, the real templates: the triage queue as
the second, the validation queue as the leader, the opportunities of the member with the most
pending offers, and the dashboard as the leader. Each page is warmed up, then timed over many
iterations (p50 / p95 latency in ms, ``time.perf_counter``); one extra iteration runs under
``CaptureQueriesContext`` to count its SQL queries.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from typing import Any

from ..common.env import log

# (page name, url, who looks at it)
PAGES = [
    ("triage", "/triage/", "second"),
    ("validation", "/validation/", "leader"),
    ("opportunities", "/opportunities/", "member"),
    ("dashboard", "/dashboard/", "leader"),
]
# A marker counted in each page's HTML: how many items the page shows (a sanity check).
ITEM_MARKERS = {
    "triage": 'role="option"',
    "validation": '<article id="card-',
    "opportunities": '<article id="offer-',
    "dashboard": '<tr id="stage-',
}


@dataclass
class PageResult:
    page: str
    url: str
    user: str
    items: int
    p50: float
    p95: float
    worst: float
    cpu_p50: float
    queries: int
    sql: list[dict[str, str]] = field(default_factory=list)


def pick_member() -> Any:
    """The member with the most pending offers (the heaviest opportunities page)."""
    from django.db.models import Count, Q

    from cercle.accounts.models import Role, User
    from cercle.circle.models import OfferState

    member = (
        User.objects.filter(role=Role.MEMBER)
        .annotate(pending=Count("offers", filter=Q(offers__state=OfferState.PENDING)))
        .order_by("-pending", "id")
        .first()
    )
    if member is None or member.pending == 0:  # type: ignore[attr-defined]
        raise SystemExit("no member has a pending offer: the fill is inconsistent")
    return member


def allow_test_host() -> None:
    """The bench's client asks for localhost: let it in whatever ALLOWED_HOSTS says."""
    from django.conf import settings

    if "localhost" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]


def measure(iterations: int, warmup: int) -> list[PageResult]:
    """Every page of PAGES, warmed up then timed; one result a page."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from cercle.accounts.models import Role, User

    allow_test_host()
    people = {
        "leader": User.objects.get(role=Role.LEADER),
        "second": User.objects.get(role=Role.SECOND),
        "member": pick_member(),
    }
    results = []
    for page, url, who in PAGES:
        user = people[who]
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)

        def get(client: Client = client, url: str = url) -> Any:
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(
                    f"{url} as {client.session.get('_auth_user_id')}: HTTP {response.status_code}"
                )
            return response

        for _ in range(warmup):
            get()
        with CaptureQueriesContext(connection) as captured:
            response = get()
        # Read the log now: the next request's request_started signal empties it.
        sql = list(captured.captured_queries)
        items = response.content.decode().count(ITEM_MARKERS[page])
        timings, cpu = [], []
        for _ in range(iterations):
            started, cpu_started = time.perf_counter(), time.process_time()
            get()
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
        p95 = statistics.quantiles(timings, n=20, method="inclusive")[-1] if len(timings) > 1 else timings[0]
        results.append(
            PageResult(
                page=page,
                url=url,
                user=user.username,
                items=items,
                p50=statistics.median(timings),
                p95=p95,
                worst=max(timings),
                cpu_p50=statistics.median(cpu),
                queries=len(sql),
                sql=sql,
            )
        )
        log(f"  measured {page}: p50 {results[-1].p50:.1f} ms, p95 {p95:.1f} ms")
    return results
