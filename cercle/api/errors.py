"""Errors as JSON: a stable `code`, a `message` in the caller's language (Accept-Language), and for a
validation error the fields at fault. Never a traceback: an unexpected error is logged and answered
with `server_error`."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from cercle.circulation.errors import CirculationError, IllegalTransition, TransitionConflict
from cercle.people.introductions.services import IntroductionError
from cercle.people.services import PeopleError
from cercle.triage.services import TriageError

# Refusals the services explain to the person who tried (a state that does not allow it, a missing
# field the service checks): 409 with the service's own message.
REFUSALS: tuple[type[Exception], ...] = (CirculationError, TriageError, IntroductionError, PeopleError)

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error with its own code and status, raised by the API's own checks."""

    def __init__(self, status: int, code: str, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}


def _answer(
    api: NinjaAPI, request: HttpRequest, status: int, code: str, message: str, **extra: Any
) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": str(message), **extra}, status=status)


def _field_name(loc: list[Any] | tuple[Any, ...]) -> str:
    # ninja's locations start with where the value came from ("body", "query", "path"): the field
    # is what follows ("body", "payload", "subject" → "subject").
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie", "form")]
    if len(parts) > 1 and parts[0] in ("payload", "data", "filters"):
        parts = parts[1:]
    return ".".join(parts) or "body"


def install(api: NinjaAPI) -> None:
    """Attach the handlers to the API."""

    @api.exception_handler(ApiError)
    def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        extra = {"fields": exc.fields} if exc.fields else {}
        return _answer(api, request, exc.status, exc.code, exc.message, **extra)

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        fields: dict[str, list[str]] = {}
        for error in exc.errors:
            fields.setdefault(_field_name(error.get("loc", ())), []).append(str(error.get("msg", "")))
        message = _("Some fields are not valid: %(fields)s.") % {"fields": ", ".join(sorted(fields))}
        return _answer(api, request, 422, "invalid", message, fields=fields)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        message = _("A valid API token is required (header “Authorization: Bearer …”).")
        response = _answer(api, request, 401, "unauthenticated", message)
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(Throttled)
    def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        response = _answer(api, request, 429, "rate_limited", _("Too many requests: slow down and retry."))
        if exc.wait:
            response["Retry-After"] = str(int(exc.wait) + 1)
        return response

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return _answer(api, request, 404, "not_found", str(exc) or _("Not found."))

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return _answer(api, request, 403, "forbidden", str(exc) or _("Your role does not allow this."))

    @api.exception_handler(TransitionConflict)
    def conflict(request: HttpRequest, exc: TransitionConflict) -> HttpResponse:
        return _answer(api, request, 409, "conflict", str(exc))

    @api.exception_handler(IllegalTransition)
    def illegal(request: HttpRequest, exc: IllegalTransition) -> HttpResponse:
        return _answer(api, request, 409, "illegal_transition", str(exc))

    for refusal in REFUSALS:

        @api.exception_handler(refusal)
        def refused(request: HttpRequest, exc: Exception) -> HttpResponse:
            return _answer(api, request, 409, "refused", str(getattr(exc, "message", exc)))

    @api.exception_handler(DjangoValidationError)
    def django_invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        fields = {k: [str(m) for m in v] for k, v in getattr(exc, "message_dict", {}).items()}
        return _answer(api, request, 422, "invalid", " ".join(str(m) for m in exc.messages), fields=fields)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        codes = {400: "bad_request", 405: "method_not_allowed", 413: "too_large"}
        return _answer(api, request, exc.status_code, codes.get(exc.status_code, "error"), str(exc))

    @api.exception_handler(Exception)
    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        log.exception("API error on %s %s", request.method, request.path)
        return _answer(
            api, request, 500, "server_error", _("Something went wrong on our side: it was logged.")
        )
