"""Errors as JSON: a stable `code`, a `message` in the caller's language (Accept-Language), and for a
validation error the fields at fault. Never a traceback: an unexpected error is logged and answered
with `server_error`."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from cercle.api.schemas import EMAIL_PATTERN, TEXT
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


# Pydantic says in English why a value is refused: the field's detail is said again in the caller's
# language, from the error's type and its context (the limit, the choices). A type not listed here keeps
# pydantic's words, which a client can still read.
_ISO = gettext_lazy("An ISO 8601 date or date-time is expected.")
_WHOLE = gettext_lazy("A whole number is expected.")
_NUMBER = gettext_lazy("A number is expected.")
_BOOLEAN = gettext_lazy("true or false is expected.")
_OBJECT = gettext_lazy("An object is expected.")
_CHOICES = gettext_lazy("One of: %(expected)s.")
FIELD_ERRORS: dict[str, Any] = {
    "missing": gettext_lazy("This field is required."),
    "string_type": gettext_lazy("A text is expected."),
    "int_type": _WHOLE,
    "int_parsing": _WHOLE,
    "int_from_float": _WHOLE,
    "float_type": _NUMBER,
    "float_parsing": _NUMBER,
    "finite_number": _NUMBER,
    "bool_type": _BOOLEAN,
    "bool_parsing": _BOOLEAN,
    "greater_than_equal": gettext_lazy("At least %(ge)s."),
    "greater_than": gettext_lazy("More than %(gt)s."),
    "less_than_equal": gettext_lazy("At most %(le)s."),
    "less_than": gettext_lazy("Less than %(lt)s."),
    "list_type": gettext_lazy("A list is expected."),
    "literal_error": _CHOICES,
    "enum": _CHOICES,
    "datetime_type": _ISO,
    "datetime_parsing": _ISO,
    "datetime_from_date_parsing": _ISO,
    "date_type": _ISO,
    "date_parsing": _ISO,
    "date_from_datetime_parsing": _ISO,
    "dict_type": _OBJECT,
    "model_type": _OBJECT,
    "model_attributes_type": _OBJECT,
    "extra_forbidden": gettext_lazy("This field is not known."),
    "json_invalid": gettext_lazy("The body is not valid JSON."),
}
# Limits said with a number of characters or items: plural forms, chosen by "n", said as "shown".
COUNTED_ERRORS: dict[str, tuple[str, Any]] = {
    "string_too_long": (
        "max_length",
        ngettext_lazy("At most %(shown)s character.", "At most %(shown)s characters.", "n"),
    ),
    "string_too_short": (
        "min_length",
        ngettext_lazy("At least %(shown)s character.", "At least %(shown)s characters.", "n"),
    ),
    "too_long": ("max_length", ngettext_lazy("At most %(shown)s item.", "At most %(shown)s items.", "n")),
    "too_short": ("min_length", ngettext_lazy("At least %(shown)s item.", "At least %(shown)s items.", "n")),
}
_PATTERNS = {
    TEXT: gettext_lazy("The NUL character is not allowed."),
    EMAIL_PATTERN: gettext_lazy("Enter a valid e-mail address."),
}


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _number(value: float | Decimal) -> str:
    """20000 as "20,000" in English and "20 000" in French."""
    return formats.number_format(value, force_grouping=True)


def field_message(error: dict[str, Any]) -> str:
    """One of pydantic's errors, said in the active language."""
    kind, context = error.get("type", ""), error.get("ctx") or {}
    if kind == "value_error" and "error" in context:
        return str(context["error"])  # our validators' own words, translated when raised
    if kind == "string_pattern_mismatch":
        return str(_PATTERNS.get(context.get("pattern", ""), _("The value is not in the expected format.")))
    if kind in COUNTED_ERRORS and isinstance(context.get(COUNTED_ERRORS[kind][0]), int):
        key, template = COUNTED_ERRORS[kind]
        return str(template % {"n": context[key], "shown": _number(context[key])})
    if kind not in FIELD_ERRORS:
        return str(error.get("msg", ""))
    values = {key: _number(value) if _is_number(value) else str(value) for key, value in context.items()}
    if "expected" in values:  # "'won', 'lost' or 'no_go'": the choices, without pydantic's English "or"
        values["expected"] = values["expected"].replace("' or '", "', '")
    try:
        return str(FIELD_ERRORS[kind]) % values
    except (KeyError, TypeError, ValueError):
        return str(error.get("msg", ""))


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
            fields.setdefault(_field_name(error.get("loc", ())), []).append(field_message(error))
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
