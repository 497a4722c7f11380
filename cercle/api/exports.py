"""Requests and projects as CSV and JSON, the first meetings as one iCalendar file: streamed.

Each export is a generator of text: rows are read with `.iterator(chunk_size=CHUNK)` and written as they
come, so that memory stays flat and the number of queries grows with the chunks, never with the rows
(the people of each row come with it: `select_related`; a project's team with a prefetch per chunk).

What a person exports is what they see: the same filters as the API list, on `requests_visible_to`.
The command line acts as an operator of the server: it sees everything (`operator()`).
docs/exports.md is the guide (columns, formats, encoding)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Literal, TypeVar

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.responses import NinjaJSONEncoder
from pydantic import Field
from pydantic.json_schema import SkipJsonSchema

from cercle.accounts.models import Role, User
from cercle.api.network import ProjectFilters, project_item, projects_filtered
from cercle.api.requests import RequestFilters, request_item, requests_filtered
from cercle.circulation.models import Request
from cercle.circulation.selectors import requests_visible_to
from cercle.core.spreadsheet import csv_line
from cercle.outbox.selectors import sender_identity
from cercle.projects.invitations import MEETING_DURATION
from cercle.projects.models import Project

CHUNK = 500  # rows per database round trip
LINES_PER_PIECE = 100  # lines joined into one piece of the response (fewer, larger writes)

Format = Literal["csv", "json"]

# --- Filters: the API list's, without its pages ----------------------------------------------------


class RequestExportFilters(RequestFilters):
    """The request list's filters; an export is the whole list, so it has no `limit` nor `cursor`."""

    limit: SkipJsonSchema[int] = 50
    cursor: SkipJsonSchema[str | None] = None
    format: Format = Field("csv", description="`csv` (a header line, then one line per request) or `json`.")


class ProjectExportFilters(ProjectFilters):
    """The project list's filters, without `limit`."""

    limit: SkipJsonSchema[int] = 50
    format: Format = Field("csv", description="`csv` (a header line, then one line per project) or `json`.")


def operator() -> User:
    """The command line's point of view: an operator on the server sees every request and project.
    Never saved; it only answers `requests_visible_to` as the leader would."""
    return User(username="cercle-cli", role=Role.LEADER)


# --- Requests -------------------------------------------------------------------------------------

REQUEST_COLUMNS = [
    "id",
    "subject",
    "state",
    "channel",
    "language",
    "received_at",
    "state_changed_at",
    "deadline",
    "requester_name",
    "requester_email",
    "requester_organisation",
    "lead",
    "outcome",
    "outcome_value",
    "lead_kind",
]


def requests_for_export(user: User, filters: RequestFilters) -> Iterator[Request]:
    """The requests `user` sees that match `filters`, newest first (as the list), chunk by chunk."""
    found = requests_filtered(user, filters).select_related("requester", "lead")
    return found.order_by("-received_at", "-pk").iterator(chunk_size=CHUNK)


def _when(value: datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value is not None else ""


def request_row(r: Request) -> list[object]:
    return [
        r.pk,
        r.subject,
        r.state,
        r.channel,
        r.language,
        _when(r.received_at),
        _when(r.state_changed_at),
        r.deadline.isoformat() if r.deadline else "",
        r.requester.display_name,
        r.requester.email,
        r.requester.organisation,
        r.lead.display_name if r.lead else "",
        r.outcome,
        r.outcome_value,
        r.lead_kind,
    ]


def requests_csv(rows: Iterable[Request]) -> Iterator[str]:
    return _pieces(_csv(REQUEST_COLUMNS, rows, request_row))


def requests_json(rows: Iterable[Request]) -> Iterator[str]:
    """A JSON array of the API list's items (`RequestItem`), one per line."""
    return _pieces(_json_array(request_item(r) for r in rows))


def requests_export(user: User, filters: RequestExportFilters) -> Iterator[str]:
    rows = requests_for_export(user, filters)
    return requests_json(rows) if filters.format == "json" else requests_csv(rows)


# --- Projects -------------------------------------------------------------------------------------

PROJECT_COLUMNS = [
    "id",
    "request_id",
    "subject",
    "state",
    "lead",
    "team",
    "first_meeting_at",
    "created_at",
    "outcome",
    "outcome_value",
]


def projects_for_export(user: User, filters: ProjectFilters) -> Iterator[Project]:
    found = projects_filtered(user, filters).select_related("request", "lead").prefetch_related("team")
    return found.order_by("-created_at", "-pk").iterator(chunk_size=CHUNK)


def project_row(p: Project) -> list[object]:
    r = p.request
    return [
        p.pk,
        r.pk,
        r.subject,
        r.state,
        p.lead.display_name,
        ", ".join(u.display_name for u in p.team.all()),
        _when(p.first_meeting_at),
        _when(p.created_at),
        r.outcome,
        r.outcome_value,
    ]


def projects_csv(rows: Iterable[Project]) -> Iterator[str]:
    return _pieces(_csv(PROJECT_COLUMNS, rows, project_row))


def projects_json(rows: Iterable[Project]) -> Iterator[str]:
    """A JSON array of the API list's items (`ProjectItem`), one per line."""
    return _pieces(_json_array(project_item(p) for p in rows))


def projects_export(user: User, filters: ProjectExportFilters) -> Iterator[str]:
    rows = projects_for_export(user, filters)
    return projects_json(rows) if filters.format == "json" else projects_csv(rows)


# --- First meetings as one calendar ---------------------------------------------------------------

PRODID = "-//Cercle//Cercle meetings//EN"


def meetings_for_export(user: User) -> Iterator[Project]:
    """The projects `user` sees that have a first meeting, the earliest first."""
    found = Project.objects.filter(
        request__in=requests_visible_to(user).values("pk"), first_meeting_at__isnull=False
    )
    found = found.select_related("request", "request__requester", "lead")
    return found.order_by("first_meeting_at", "pk").iterator(chunk_size=CHUNK)


def meeting_uid(project: Project, domain: str) -> str:
    """The UID of the invitations when one went out (so that a calendar holding the invitation updates
    that event), else one derived from the project, the same on every export."""
    return project.meeting_uid or f"first-meeting-{project.pk}@{domain}"


def meetings_ics(projects: Iterable[Project]) -> Iterator[str]:
    """One VCALENDAR with a VEVENT per first meeting: summary, times (UTC), the project lead and the
    requester by name, a link to the project. No attendee addresses. The words are translated now, in
    the active language (a streamed response is read after the view has returned)."""
    domain = sender_identity().email.rpartition("@")[2] or "cercle.local"
    summary = _("First meeting: %(subject)s")
    lead_line = _("Project lead: %(name)s")
    requester_line = _("Requester: %(name)s")
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", _("Cercle: first meetings"))
    head = calendar.to_ical().decode().removesuffix("END:VCALENDAR\r\n")
    stamp = timezone.now()

    def events() -> Iterator[str]:
        yield head
        for p in projects:
            assert p.first_meeting_at is not None
            r = p.request
            requester = r.requester.display_name
            if r.requester.organisation:
                requester = f"{requester} ({r.requester.organisation})"
            event = icalendar.Event()
            event.add("uid", meeting_uid(p, domain))
            event.add("sequence", p.meeting_sequence)
            event.add("dtstamp", stamp)
            event.add("dtstart", p.first_meeting_at.astimezone(UTC))
            event.add("dtend", (p.first_meeting_at + MEETING_DURATION).astimezone(UTC))
            event.add("summary", summary % {"subject": r.subject})
            event.add(
                "description",
                "\n".join([lead_line % {"name": p.lead.display_name}, requester_line % {"name": requester}]),
            )
            event.add("url", settings.SITE_URL + reverse("projects:detail", args=[r.pk]))
            event.add("status", "CONFIRMED")
            yield event.to_ical().decode()
        yield "END:VCALENDAR\r\n"

    return _pieces(events())


# --- Writing ------------------------------------------------------------------------------------

T = TypeVar("T")


def _csv(columns: list[str], rows: Iterable[T], row: Callable[[T], list[object]]) -> Iterator[str]:
    yield csv_line(columns)
    for item in rows:
        yield csv_line(row(item))


def _json_array(items: Iterable[dict]) -> Iterator[str]:
    """A JSON array written an item at a time: valid JSON however it ends (`[]` when empty)."""
    yield "["
    separator = "\n"
    for item in items:
        yield separator + json.dumps(item, cls=NinjaJSONEncoder, ensure_ascii=False)
        separator = ",\n"
    yield "\n]\n"


def _pieces(lines: Iterable[str]) -> Iterator[str]:
    """Lines joined a hundred at a time: a large export is a few thousand writes, not a million."""
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= LINES_PER_PIECE:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)
