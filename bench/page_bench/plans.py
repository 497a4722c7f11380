"""Where each request of the fill ends, and when: its final state, the states it went through (with
their delays) and its arrival over the last two years.

Requests are spread over every state (most dismissed or closed, a few hundred to a few thousand in
each open state); open ones have waited at their stage about as long as the stage's limit.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from .texts import DISMISS_WEIGHTS

# Share of requests ending in each state; "dismissed" takes the rest (~70 %).
STATE_SHARES = {
    "received": 0.015,
    "kept": 0.008,
    "deferred": 0.006,
    "approved": 0.004,
    "offered": 0.005,
    "accepted": 0.004,
    "kicked_off": 0.006,
    "declined": 0.10,
    "closed": 0.15,
}
OPEN = ("received", "kept", "deferred", "approved", "offered", "accepted", "kicked_off")
# Mean time (hours) taken to reach a state from the previous one.
STEP_MEAN_HOURS = {
    "kept": 8,
    "dismissed": 6,
    "approved": 30,
    "declined": 30,
    "deferred": 30,
    "offered": 12,
    "accepted": 36,
    "kicked_off": 120,
    "closed": 900,
}
# Who acts for each transition.
ACTOR_OF = {
    "kept": "second",
    "dismissed": "second",
    "approved": "leader",
    "declined": "leader",
    "deferred": "leader",
    "offered": "second",
    "accepted": "lead",
    "kicked_off": "lead",
    "closed": "lead",
}
TWO_YEARS = timedelta(days=730)


@dataclass
class Plan:
    """Where one request ends and when it got there (offsets in seconds from its arrival)."""

    received_at: datetime
    final: str
    steps: list[tuple[str, float]]
    junk: str = ""  # dismiss reason of a message that is not a real request


def _hours(rng: random.Random, mean: float, cap_days: float = 120) -> float:
    """A delay in seconds, exponential around `mean` hours, at least five minutes."""
    return min(max(rng.expovariate(1.0 / mean) * 3600, 300.0), cap_days * 86400)


def _path(rng: random.Random, final: str) -> list[str]:
    if final == "received":
        return []
    if final in ("dismissed", "kept"):
        return [final]
    if final == "deferred":
        return ["kept", "deferred"]
    head = ["kept", "deferred"] if rng.random() < 0.2 else ["kept"]
    if final == "declined":
        return [*head, "declined"]
    path = [*head, "approved"]
    for state in ("offered", "accepted"):
        if final == path[-1]:
            return path
        path.append(state)
    if final == "accepted":
        return path
    if final == "kicked_off":
        return [*path, "kicked_off"]
    return [*path, "kicked_off", "closed"] if rng.random() < 0.8 else [*path, "closed"]


def make_plans(rng: random.Random, n: int, now: datetime, limits: dict[str, int]) -> list[Plan]:
    counts = {state: max(1, round(n * share)) for state, share in STATE_SHARES.items()}
    counts["dismissed"] = n - sum(counts.values())
    finals = [state for state, count in counts.items() for _ in range(count)]
    plans = []
    for final in finals:
        steps: list[tuple[str, float]] = []
        offset, prev = 0.0, "received"
        for state in _path(rng, final):
            if prev == "deferred":
                mean = 120.0
            elif state == "closed" and prev == "accepted":
                mean = 240.0
            else:
                mean = STEP_MEAN_HOURS[state]
            offset += _hours(rng, mean)
            steps.append((state, offset))
            prev = state
        if final in OPEN:
            # How long it has been waiting at its current stage: about a third are over the limit.
            wait = _hours(rng, 0.8 * limits.get(final, 30 * 24), cap_days=90)
            received_at = now - timedelta(seconds=offset + wait)
        else:
            latest = now - timedelta(seconds=offset + 60)
            spread = max((latest - (now - TWO_YEARS)).total_seconds(), 0.0)
            received_at = latest - timedelta(seconds=rng.uniform(0, spread))
        junk = ""
        if final == "dismissed" or (final == "received" and rng.random() < 0.4):
            junk = rng.choices(list(DISMISS_WEIGHTS), weights=list(DISMISS_WEIGHTS.values()))[0]
        plans.append(Plan(received_at, final, steps, junk))
    # Ids grow with arrival time, as they do in a real hub.
    plans.sort(key=lambda p: p.received_at)
    return plans
