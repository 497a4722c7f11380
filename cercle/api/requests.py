"""/api/v1/requests: the list (filters, cursor pages), one request with its thread and history, a new
request typed in, and the gestures — each the very service the screens call, with its role checks."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Literal

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field, field_validator

from cercle.accounts.models import User
from cercle.api import schemas as S
from cercle.api.errors import ApiError
from cercle.circle import services as circle_services
from cercle.circle.models import Offer
from cercle.circulation import selectors, services
from cercle.circulation.models import Direction, Request
from cercle.intake.services import FormSubmission, request_enter_manually

router = Router(tags=["requests"])

PAGE_MAX = 100


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def person_ref(contact) -> dict:  # type: ignore[no-untyped-def]
    return {
        "id": contact.pk,
        "name": contact.display_name,
        "email": contact.email,
        "organisation": contact.organisation,
    }


def user_ref(user: User | None) -> dict | None:
    return {"id": user.pk, "name": user.display_name} if user is not None else None


def request_item(r: Request) -> dict:
    return {
        "id": r.pk,
        "subject": r.subject,
        "state": r.state,
        "channel": r.channel,
        "language": r.language,
        "received_at": r.received_at,
        "state_changed_at": r.state_changed_at,
        "deadline": r.deadline,
        "requester": person_ref(r.requester),
        "lead": user_ref(r.lead),
        "outcome": r.outcome,
        "outcome_value": r.outcome_value,
        "lead_kind": r.lead_kind,
    }


# --- Cursor pages: the (received_at, id) of the last item, newest first ------------------------------
# "<microseconds since the epoch>.<id>": any such value is a place in the list, so a cursor that matches
# the pattern is always valid (a page after it, maybe empty).

CURSOR_PATTERN = r"^[0-9]{1,16}\.[0-9]{1,18}$"


def _cursor_make(r: Request) -> str:
    micros = int(r.received_at.timestamp()) * 1_000_000 + r.received_at.microsecond
    return f"{micros}.{r.pk}"


def _cursor_read(cursor: str) -> tuple[datetime, int]:
    micros, pk = cursor.split(".")
    seconds, rest = divmod(int(micros), 1_000_000)
    return datetime.fromtimestamp(seconds, tz=UTC).replace(microsecond=rest), int(pk)


class RequestFilters(Schema):
    state: (
        Literal[
            "received",
            "kept",
            "dismissed",
            "approved",
            "declined",
            "deferred",
            "offered",
            "accepted",
            "kicked_off",
            "closed",
        ]
        | None
    ) = None
    channel: Literal["mail", "form", "linkedin", "manual"] | None = None
    received_after: datetime | None = None
    received_before: datetime | None = None
    q: str | None = Field(None, max_length=200, pattern=S.TEXT, description="Words of the subject.")
    limit: int = Field(50, ge=1, le=PAGE_MAX)

    _dates_iso = field_validator("received_after", "received_before", mode="before")(S.iso_only)
    _dates_utc = field_validator("received_after", "received_before")(S.utc)
    cursor: str | None = Field(None, pattern=CURSOR_PATTERN, description="`next_cursor` of the page before.")


def requests_filtered(user: User, filters: RequestFilters) -> QuerySet[Request]:
    found = selectors.requests_visible_to(user)
    if filters.state:
        found = found.filter(state=filters.state)
    if filters.channel:
        found = found.filter(channel=filters.channel)
    if filters.received_after:
        found = found.filter(received_at__gte=filters.received_after)
    if filters.received_before:
        found = found.filter(received_at__lt=filters.received_before)
    if filters.q:
        for word in filters.q.split()[:8]:
            found = found.filter(subject__icontains=word)
    return found


@router.get("/", response={200: S.RequestPage, **S.ERRORS}, summary="List requests")
def request_list(request: HttpRequest, filters: Query[RequestFilters]) -> dict:
    """Newest first, a page at a time: follow `next_cursor` until it is null. A member sees the requests
    offered to them, the ones they lead and the projects they are in."""
    found = requests_filtered(_user(request), filters)
    if filters.cursor:
        at, pk = _cursor_read(filters.cursor)
        found = found.filter(Q(received_at__lt=at) | Q(received_at=at, pk__lt=pk))
    page = list(
        found.select_related("requester", "lead").order_by("-received_at", "-pk")[: filters.limit + 1]
    )
    more = len(page) > filters.limit
    page = page[: filters.limit]
    return {"items": [request_item(r) for r in page], "next_cursor": _cursor_make(page[-1]) if more else None}


def _detail(user: User, pk: int) -> dict:
    r = selectors.request_get_for_user(user=user, request_id=pk)
    messages = [
        {
            "id": m.pk,
            "direction": "out" if m.direction == Direction.OUTBOUND else "in",
            "from_name": m.from_name,
            "from_email": m.from_email,
            "subject": m.subject,
            "sent_at": m.sent_at,
            "text": m.text,
        }
        for m in r.messages.defer("raw_compressed").order_by("sent_at", "id")[:200]
    ]
    history = [
        {
            "at": e.at,
            "kind": e.kind,
            "from_state": e.from_state,
            "to_state": e.to_state,
            "actor": user_ref(e.actor),
            "note": e.note,
        }
        for e in selectors.history_for_user(request=r, user=user)
    ]
    return {**request_item(r), "summary": r.summary, "messages": messages, "history": history}


@router.get("/{request_id}", response={200: S.RequestDetail, **S.ERRORS}, summary="One request")
def request_detail(request: HttpRequest, request_id: S.Id) -> dict:
    """The request, its thread (the messages received and sent) and its history, as the caller may read it."""
    return _detail(_user(request), request_id)


@router.post(
    "/",
    response={201: S.RequestDetail, **S.ERRORS},
    summary="Enter a request",
)
def request_enter(request: HttpRequest, payload: S.RequestIn) -> Status:
    """A request typed in, as the second's manual entry (second and leader)."""
    user = _user(request)
    created = request_enter_manually(
        actor=user,
        submission=FormSubmission(
            name=payload.name,
            email=str(payload.email),
            organisation=payload.organisation,
            need=payload.need,
            deadline=payload.deadline,
            language=payload.language,
            subject=payload.subject,
        ),
        origin=payload.origin or "API",
        keep=payload.keep,
    )
    return Status(201, _detail(user, created.pk))


# --- Gestures -----------------------------------------------------------------------------------

GESTURE = {200: S.RequestDetail, **S.ERRORS}


def _get(request: HttpRequest, pk: int) -> tuple[User, Request]:
    user = _user(request)
    return user, selectors.request_get_for_user(user=user, request_id=pk)


@router.post("/{request_id}/keep", response=GESTURE, summary="Keep (first filter)")
def keep(request: HttpRequest, request_id: S.Id, payload: S.Note) -> dict:
    user, r = _get(request, request_id)
    services.request_keep(actor=user, request=r, note=payload.note, expected_state=payload.expected_state)
    return _detail(user, r.pk)


@router.post("/{request_id}/dismiss", response=GESTURE, summary="Dismiss (first filter)")
def dismiss(request: HttpRequest, request_id: S.Id, payload: S.DismissIn) -> dict:
    user, r = _get(request, request_id)
    services.request_dismiss(
        actor=user, request=r, reason=payload.reason, note=payload.note, expected_state=payload.expected_state
    )
    return _detail(user, r.pk)


@router.post("/{request_id}/approve", response=GESTURE, summary="Approve (the leader)")
def approve(request: HttpRequest, request_id: S.Id, payload: S.Note) -> dict:
    user, r = _get(request, request_id)
    services.request_approve(actor=user, request=r, note=payload.note, expected_state=payload.expected_state)
    return _detail(user, r.pk)


@router.post("/{request_id}/decline", response=GESTURE, summary="Decline (the leader)")
def decline(request: HttpRequest, request_id: S.Id, payload: S.Note) -> dict:
    user, r = _get(request, request_id)
    services.request_decline(actor=user, request=r, note=payload.note, expected_state=payload.expected_state)
    return _detail(user, r.pk)


@router.post("/{request_id}/later", response=GESTURE, summary="Later (the leader)")
def later(request: HttpRequest, request_id: S.Id, payload: S.Note) -> dict:
    user, r = _get(request, request_id)
    services.request_defer(actor=user, request=r, note=payload.note, expected_state=payload.expected_state)
    return _detail(user, r.pk)


@router.post("/{request_id}/route", response=GESTURE, summary="Offer to the circle")
def route(request: HttpRequest, request_id: S.Id, payload: S.RouteIn) -> dict:
    user, r = _get(request, request_id)
    members = list(User.objects.filter(pk__in=payload.members, is_active=True))
    by_id = {m.pk: m for m in members}
    missing = [pk for pk in payload.members if pk not in by_id]
    if missing:
        raise ApiError(
            404, "not_found", _("Unknown member: %(ids)s.") % {"ids": ", ".join(map(str, missing))}
        )
    circle_services.request_route(
        actor=user,
        request=r,
        members=[by_id[pk] for pk in payload.members],
        brief=payload.brief,
        expected_state=payload.expected_state,
        mode=payload.mode,
        answer_hours=payload.answer_hours,
    )
    return _detail(user, r.pk)


@router.post("/{request_id}/close", response=GESTURE, summary="Close the project with its outcome")
def close(request: HttpRequest, request_id: S.Id, payload: S.CloseIn) -> dict:
    user, r = _get(request, request_id)
    value = Decimal(str(round(payload.value, 2))) if payload.value is not None else None
    services.request_close(actor=user, request=r, outcome=payload.outcome, value=value, note=payload.note)
    return _detail(user, r.pk)


# --- Offers: the member's answer ----------------------------------------------------------------

offers = Router(tags=["offers"])


def offer_out(o: Offer) -> dict:
    return {
        "id": o.pk,
        "request_id": o.request_id,
        "member": user_ref(o.member),
        "state": o.state,
        "created_at": o.created_at,
    }


@offers.get("/", response={200: list[S.OfferOut], **S.ERRORS}, summary="My offers")
def offer_list(request: HttpRequest) -> list[dict]:
    """The offers made to the caller (a member), newest first."""
    found = Offer.objects.filter(member=_user(request)).select_related("member").order_by("-created_at")[:200]
    return [offer_out(o) for o in found]


@offers.post("/{offer_id}/accept", response=GESTURE, summary="Accept an offer: become project lead")
def offer_accept(request: HttpRequest, offer_id: S.Id) -> dict:
    user = _user(request)
    offer = circle_services.offer_get_for_member(user=user, offer_id=offer_id)
    r = circle_services.offer_accept(actor=user, offer=offer)
    return _detail(user, r.pk)


@offers.post(
    "/{offer_id}/decline",
    response={200: S.OfferOut, **S.ERRORS},
    summary="Decline an offer",
)
def offer_decline(request: HttpRequest, offer_id: S.Id, payload: S.DeclineOfferIn) -> dict:
    user = _user(request)
    offer = circle_services.offer_get_for_member(user=user, offer_id=offer_id)
    return offer_out(circle_services.offer_decline(actor=user, offer=offer, reason=payload.reason))
