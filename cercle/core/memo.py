"""Values read once per page, not once per row.

A setting that lives in the database (the clocks' limits) is read by a model property that a list
page calls for every row ("late" badges). Inside a web request, `request_memo` reads it once and
keeps it until the response is written; outside one (the worker, a shell) it reads it each time, so
that a long-running process never keeps a stale value. A context variable, not a module global: each
request (each thread) has its own, and nothing outlives the response.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse

T = TypeVar("T")

_memo: ContextVar[dict[str, Any] | None] = ContextVar("cercle_request_memo", default=None)


def request_memo(key: str, read: Callable[[], T]) -> T:
    """`read()` once per web request (every time outside one)."""
    memo = _memo.get()
    if memo is None:
        return read()
    if key not in memo:
        memo[key] = read()
    return memo[key]  # type: ignore[no-any-return]


def request_memo_forget(key: str) -> None:
    """After a write in the same request (a settings page saved), the next read sees the new value."""
    memo = _memo.get()
    if memo is not None:
        memo.pop(key, None)


class RequestMemoMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _memo.set({})
        try:
            return self.get_response(request)
        finally:
            _memo.reset(token)
