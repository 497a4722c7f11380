"""htmx helpers: render a partial for htmx requests, the full page otherwise."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def render_page_or_partial(
    request: HttpRequest, page: str, partial: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    template = partial if getattr(request, "htmx", False) else page
    return render(request, template, context, status=status)
