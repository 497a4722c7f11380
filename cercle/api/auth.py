"""Who calls the API: a personal token (`Authorization: Bearer crc_…`), its person and its scope.

A token acts as its person, with their role: the endpoints use the same fetch-and-authorize helpers
and services as the screens, so a member's token sees what the member sees. A read-only token may
only read (GET, HEAD, OPTIONS). Each token has its own rate limit (`TokenRateThrottle`)."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer
from ninja.throttling import SimpleRateThrottle

from cercle.api.errors import ApiError
from cercle.api.models import ApiToken, TokenScope
from cercle.api.tokens import token_authenticate

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = token_authenticate(token)
        if found is None:
            return None
        if request.method not in SAFE_METHODS and found.scope != TokenScope.WRITE:
            raise ApiError(403, "read_only_token", _("This token is read only: create a read-and-write one."))
        repeated = sorted(k for k, values in request.GET.lists() if len(values) > 1)
        if repeated:
            message = _("Give each parameter once: %(names)s.") % {"names": ", ".join(repeated)}
            raise ApiError(422, "invalid", message, {k: [_("given more than once")] for k in repeated})
        if request.method not in SAFE_METHODS and request.body:
            _an_object(request.body)
        request.user = found.user
        request.api_token = found  # type: ignore[attr-defined]
        return found


def _an_object(body: bytes) -> None:
    """A request's JSON body is one object (`{…}`): a list or a bare value is refused, whatever the
    operation (pydantic would otherwise let an empty payload take every default)."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(422, "invalid", _("The body is not valid JSON."), {"body": [_("not JSON")]}) from None
    if not isinstance(data, dict):
        raise ApiError(422, "invalid", _("The body must be a JSON object."), {"body": [_("not an object")]})


class TokenRateThrottle(SimpleRateThrottle):
    """Requests per token (`CERCLE["API_RATE"]`, e.g. "120/m")."""

    scope = "api_token"

    def __init__(self) -> None:
        super().__init__(settings.CERCLE.get("API_RATE", "120/m"))

    def allow_request(self, request: HttpRequest) -> bool:
        # Read at each call: the setting can change without a restart of the class (tests, settings).
        self.rate = settings.CERCLE.get("API_RATE", "120/m")
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str | None:
        token: Any = getattr(request, "auth", None)
        if not isinstance(token, ApiToken):
            return None  # not authenticated: refused before any work anyway
        return self.cache_format % {"scope": self.scope, "ident": token.pk}
