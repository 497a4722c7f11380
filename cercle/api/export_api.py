"""/api/v1/exports: requests and projects as CSV or JSON (the list's filters, no pages), the first
meetings as one iCalendar file. Streamed; what the caller sees, as in the lists. docs/exports.md."""

from __future__ import annotations

from django.http import HttpRequest, StreamingHttpResponse
from ninja import Query, Router

from cercle.accounts.models import User
from cercle.api import exports
from cercle.api import schemas as S
from cercle.api.export_views import download

router = Router(tags=["exports"])


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _also(media_type: str, description: str) -> dict:
    """The 200 response's other content type, next to the JSON one ninja describes."""
    return {
        "responses": {
            200: {
                "description": description,
                "content": {media_type: {"schema": {"type": "string"}}},
            }
        }
    }


@router.get(
    "/requests",
    response={200: list[S.RequestItem], **S.ERRORS},
    summary="Export requests",
    openapi_extra=_also(
        "text/csv", "With `format=json`, an array of the list's items; with `format=csv`, CSV."
    ),
)
def export_requests(
    request: HttpRequest, filters: Query[exports.RequestExportFilters]
) -> StreamingHttpResponse:
    """Every request the caller sees that matches the filters (those of the list), newest first, in one
    streamed response: CSV (UTF-8, a header line of the keys below) or a JSON array of the list's items."""
    pieces = exports.requests_export(_user(request), filters)
    return download(pieces, name="requests", extension=filters.format)


@router.get(
    "/projects",
    response={200: list[S.ProjectItem], **S.ERRORS},
    summary="Export projects",
    openapi_extra=_also(
        "text/csv", "With `format=json`, an array of the list's items; with `format=csv`, CSV."
    ),
)
def export_projects(
    request: HttpRequest, filters: Query[exports.ProjectExportFilters]
) -> StreamingHttpResponse:
    """Every project the caller sees that matches the filters (those of the list), newest first, in one
    streamed response: CSV or a JSON array of the list's items."""
    pieces = exports.projects_export(_user(request), filters)
    return download(pieces, name="projects", extension=filters.format)


@router.get(
    "/meetings.ics",
    response={200: None, **S.ERRORS},
    summary="First meetings (iCalendar)",
    openapi_extra=_also("text/calendar", "One calendar (RFC 5545), a VEVENT per first meeting."),
)
def export_meetings(request: HttpRequest) -> StreamingHttpResponse:
    """The first meeting of each project the caller sees, as one calendar: the UID of the invitations
    (a calendar that holds an invitation updates that event), the project lead and the requester by name."""
    return download(
        exports.meetings_ics(exports.meetings_for_export(_user(request))), name="meetings", extension="ics"
    )
