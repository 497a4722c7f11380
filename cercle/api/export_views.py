"""Downloads from the screens: requests and projects (`?format=csv|json` and the API list's filters),
the first meetings as a calendar. Each person downloads what they see (`requests_visible_to`).

CSV downloads start with a byte order mark: spreadsheet apps then read the accents right."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from pydantic import BaseModel, ValidationError

from cercle.accounts.models import User
from cercle.api import exports
from cercle.core.spreadsheet import BOM

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "ics": "text/calendar; charset=utf-8",
}


def download(pieces: Iterator[str], *, name: str, extension: str, bom: bool = False) -> StreamingHttpResponse:
    """A streamed attachment named `<name>-<date>.<extension>`."""
    if bom:
        pieces = _after(BOM, pieces)
    response = StreamingHttpResponse(pieces, content_type=CONTENT_TYPES[extension])
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{name}-{day}.{extension}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _after(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


M = TypeVar("M", bound=BaseModel)


def _filters(request: HttpRequest, model: type[M]) -> M | HttpResponse:
    """The query's filters, as the API reads them; an invalid one is a 400 that says which."""
    known = {k: v for k, v in request.GET.items() if k in model.model_fields and k not in ("limit", "cursor")}
    try:
        return model.model_validate(known)
    except ValidationError as error:
        fields = ", ".join(str(e["loc"][0]) for e in error.errors() if e["loc"])
        return HttpResponseBadRequest(
            _("Invalid filter: %(fields)s.") % {"fields": fields}, content_type="text/plain; charset=utf-8"
        )


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@never_cache
@require_GET
@login_required
def export_requests(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    filters = _filters(request, exports.RequestExportFilters)
    if isinstance(filters, HttpResponse):
        return filters
    pieces = exports.requests_export(_user(request), filters)
    return download(pieces, name="requests", extension=filters.format, bom=filters.format == "csv")


@never_cache
@require_GET
@login_required
def export_projects(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    filters = _filters(request, exports.ProjectExportFilters)
    if isinstance(filters, HttpResponse):
        return filters
    pieces = exports.projects_export(_user(request), filters)
    return download(pieces, name="projects", extension=filters.format, bom=filters.format == "csv")


@never_cache
@require_GET
@login_required
def export_meetings(request: HttpRequest) -> StreamingHttpResponse:
    return download(
        exports.meetings_ics(exports.meetings_for_export(_user(request))), name="meetings", extension="ics"
    )
