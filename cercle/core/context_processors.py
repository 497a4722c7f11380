from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def cercle(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "HUB_NAME": settings.CERCLE["HUB_NAME"],
        "role": getattr(user, "role", None) if user is not None and user.is_authenticated else None,
    }
