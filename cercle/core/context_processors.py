from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def cercle(request: HttpRequest) -> dict[str, Any]:
    # No `role` here on purpose: templates ask `{% if user|may:"triage" %}` (accounts/templatetags),
    # the helper the views use, rather than comparing role strings of their own.
    return {"HUB_NAME": settings.CERCLE["HUB_NAME"]}
