"""The API's typed shapes (pydantic, through django-ninja): what goes out and what comes in."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from ninja import Path, Schema
from pydantic import Field, field_validator


class Error(Schema):
    code: str = Field(description="A stable code: not_found, forbidden, invalid, conflict, …")
    message: str = Field(description="For a person, in the caller's language (Accept-Language).")
    fields: dict[str, list[str]] | None = Field(None, description="For `invalid`: the fields at fault.")


# Every answer an operation may give besides its success: all JSON `Error`s.
ERRORS = {code: Error for code in (400, 401, 403, 404, 409, 422, 429)}

ID_MAX = 2**53 - 1  # ids fit a JSON number exactly
Id = Annotated[int, Path(ge=1, le=ID_MAX)]
MemberId = Annotated[int, Field(ge=1, le=ID_MAX)]


def iso_only(value: object) -> object:
    """Dates and times as ISO 8601 text only: a bare number is not a date (pydantic would read it as a
    Unix time)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError(_("An ISO 8601 date or date-time is expected."))
    if isinstance(value, str) and re.fullmatch(r"\s*[-+]?[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?\s*", value):
        raise ValueError(_("An ISO 8601 date or date-time is expected."))
    return value


def utc(value: datetime | None) -> datetime | None:
    """A date-time as UTC (one without an offset is read as UTC). Databases keep offsets within a day
    and years within 1–9999: an offset or a year outside that is refused here, not in the database."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ValueError(_("This date is out of range once in UTC.")) from None


# Text as typed: anything but NUL, which no text field can hold (PostgreSQL refuses it; Django's forms
# refuse it too). Stated in the description so that a client knows before sending.
TEXT = r"^[^\x00]*$"

EMAIL_PATTERN = (
    r"^[A-Za-z0-9_%+-]+(\.[A-Za-z0-9_%+-]+)*@"
    r"([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}$"
)


class PersonRef(Schema):
    id: int
    name: str
    email: str
    organisation: str


class UserRef(Schema):
    id: int
    name: str


class RequestItem(Schema):
    id: int
    subject: str
    state: str
    channel: str
    language: str
    received_at: datetime
    state_changed_at: datetime
    deadline: date | None
    requester: PersonRef
    lead: UserRef | None
    outcome: str
    outcome_value: Decimal | None
    lead_kind: str


class RequestPage(Schema):
    items: list[RequestItem]
    next_cursor: str | None = Field(
        None, description="Pass it as `cursor` for the next page; null at the end."
    )


class ThreadMessage(Schema):
    id: int
    direction: Literal["in", "out"]
    from_name: str
    from_email: str
    subject: str
    sent_at: datetime
    text: str


class HistoryLine(Schema):
    at: datetime
    kind: str
    from_state: str
    to_state: str
    actor: UserRef | None
    note: str


class RequestDetail(RequestItem):
    summary: str
    messages: list[ThreadMessage]
    history: list[HistoryLine]


class RequestIn(Schema):
    """A request typed in (as the second's manual entry) — the same fields as the public form."""

    name: str = Field(min_length=1, max_length=200, pattern=TEXT)
    email: str = Field(max_length=254, pattern=EMAIL_PATTERN)
    organisation: str = Field("", max_length=200, pattern=TEXT)
    need: str = Field(min_length=1, max_length=20000, pattern=TEXT)
    subject: str = Field("", max_length=120, pattern=TEXT)
    deadline: date | None = None
    language: Literal["fr", "en"] = "fr"
    origin: str = Field(
        "", max_length=200, pattern=TEXT, description="Where it came from: a call, a meeting…"
    )
    keep: bool = Field(
        True, description="Send it to the leader at once (it was triaged by whoever typed it)."
    )

    _deadline_iso = field_validator("deadline", mode="before")(iso_only)

    @field_validator("keep", mode="before")
    @classmethod
    def _a_boolean(cls, value: object) -> object:
        if not isinstance(value, bool):  # not 0, 1, "yes": JSON true or false
            raise ValueError(_("true or false is expected."))
        return value

    @field_validator("email")
    @classmethod
    def _an_address(cls, value: str) -> str:
        try:
            validate_email(value.strip())
        except DjangoValidationError:
            raise ValueError(_("Enter a valid e-mail address.")) from None
        return value.strip()


class Note(Schema):
    note: str = Field("", max_length=2000, pattern=TEXT)
    expected_state: str | None = Field(
        None,
        max_length=20,
        pattern=TEXT,
        description="The state you saw: if someone acted since, nothing changes and you get 409.",
    )


class DismissIn(Note):
    reason: Literal["solicitation", "newsletter", "notification", "spam", "not_relevant"]


class RouteIn(Schema):
    members: list[MemberId] = Field(
        min_length=1, max_length=20, description="Member ids, in the order to ask them."
    )
    brief: str = Field(min_length=1, max_length=5000, pattern=TEXT)
    mode: Literal["parallel", "sequential"] = "parallel"
    answer_hours: int | None = Field(None, ge=1, le=24 * 30)
    expected_state: str | None = Field(None, max_length=20, pattern=TEXT)


class OfferOut(Schema):
    id: int
    request_id: int
    member: UserRef
    state: str
    created_at: datetime


class DeclineOfferIn(Schema):
    reason: str = Field("", max_length=2000, pattern=TEXT)


class CloseIn(Schema):
    outcome: Literal["won", "lost", "no_go"]
    value: float | None = Field(None, ge=0, le=9_999_999_999.99, description="In the hub's currency.")
    note: str = Field("", max_length=2000, pattern=TEXT)


class ProjectItem(Schema):
    id: int
    request_id: int
    subject: str
    state: str
    lead: UserRef
    team: list[UserRef]
    first_meeting_at: datetime | None
    created_at: datetime
    outcome: str
    outcome_value: Decimal | None


class ContactItem(Schema):
    id: int
    name: str
    email: str
    organisation: str
    position: str
    score: int = Field(description="Relationship strength 0–100.")
    layer: int | None = Field(None, description="Dunbar circle 1–4 (5, 15, 50, 150 people), or none.")


class ContactDetail(ContactItem):
    what_they_do: str
    offers: str
    needs: str
    tags: str
    how_we_met: str
    language: str
    reasons: list[str] = Field(description="Why the score is what it is, in the caller's language.")
    first_at: datetime | None
    last_at: datetime | None


class Evidence(Schema):
    label: str
    text: str


class SearchHit(Schema):
    contact: ContactItem
    fit: float
    rank: float
    evidence: list[Evidence]


class IntroductionItem(Schema):
    id: int
    kind: str
    state: str
    connector: PersonRef
    target: PersonRef
    beneficiary: UserRef | None
    purpose: str
    created_at: datetime
    closed_at: datetime | None


class StageFigure(Schema):
    state: str
    count: int
    overdue: int


class DashboardOut(Schema):
    window_days: int
    serious: int
    answered_in_time: int
    answer_rate: float | None
    median_lead_delay_hours: float | None
    leads_named: int
    closed: dict[str, int]
    stages: list[StageFigure]
