"""A fixed-window rate limit per client IP, kept in the cache shared by every process."""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    # Behind a reverse proxy, REMOTE_ADDR is the proxy: the proxy must set it right (see docs).
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _key(request: HttpRequest, scope: str, subject: str | None = None) -> str:
    """Per client IP, or per `subject` (an address asked about) when given."""
    who = client_ip(request) if subject is None else subject.strip().lower()
    return "rl:" + scope + ":" + hashlib.sha256(who.encode()).hexdigest()[:32]


def allowed(request: HttpRequest, *, scope: str, limit: int) -> bool:
    """Whether one more hit would still be within the limit (counts nothing)."""
    return int(cache.get(_key(request, scope), 0)) < limit


def hit(
    request: HttpRequest, *, scope: str, limit: int, window_s: int = 3600, subject: str | None = None
) -> bool:
    """Count one hit; return False when the client (or the subject) is over the limit."""
    key = _key(request, scope, subject)
    cache.add(key, 0, timeout=window_s)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window_s)
        count = 1
    return count <= limit
