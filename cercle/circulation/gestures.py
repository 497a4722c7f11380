"""Running one gesture from a page: the form the person sent, the service it calls, the error to show.

Shared by the pages that carry gestures on a request (triage queue, validation, request and project
pages), so that each view stays a parse-call-render of a few lines.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import HttpRequest

from cercle.accounts.models import User
from cercle.circulation import selectors
from cercle.circulation.errors import CirculationError
from cercle.circulation.forms import DecisionForm
from cercle.circulation.models import Message, Request
from cercle.mail.html import has_remote_content, mail_document
from cercle.network.models import Contact
from cercle.network.services import normalize_email
from cercle.outbox.models import OutgoingMessage


def gesture_run(
    request: HttpRequest, pk: int, form_class: type[DecisionForm], action: Callable[..., Any], **extra: Any
) -> tuple[Request, str | None]:
    """Run one decision; returns the request and an error message for the actor, if any."""
    req = selectors.request_get_for_user(user=request.user, request_id=pk)  # type: ignore[arg-type]
    form = form_class(request.POST)
    if not form.is_valid():
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        return req, errors
    data = {k: v for k, v in form.cleaned_data.items() if k not in ("value",)}
    data["expected_state"] = data.get("expected_state") or None
    data.update(extra)
    if "value" in form.cleaned_data:
        data["value"] = form.cleaned_data["value"]
    try:
        action(actor=request.user, request=req, **data)
    except CirculationError as exc:
        return req, exc.message
    return req, None


def thread_for_page(req: Request, *, user: User | None = None) -> list[Message | OutgoingMessage]:
    """The request's messages for a page; each says whether its original bytes are stored (`has_raw`).

    A message shown as HTML gets `document`, its frame's document, with images and styles from the
    internet blocked unless its sender's contact allows them, and `remote_blocked` when something was.

    With `user`, the mail Cercle wrote about the request joins the thread in its place (`is_outgoing`),
    as that user may read it, with its delivery status read from the outbox now: the thread is the
    whole conversation, whatever wrote each message.
    """
    # The raw bytes stay in the database (they can be large): the page only needs to know they exist.
    has_raw = ExpressionWrapper(Q(raw_compressed__isnull=False), output_field=BooleanField())
    thread: list[Message | OutgoingMessage] = list(
        req.messages.defer("raw_compressed").annotate(has_raw=has_raw).order_by("sent_at", "id")[:50]
    )
    if user is not None:
        thread = _with_mail_sent(thread, selectors.mail_sent_for_user(request=req, user=user))
    _html_documents([m for m in thread if isinstance(m, Message)])
    return thread


def _with_mail_sent(
    thread: list[Message | OutgoingMessage], sent: list[OutgoingMessage]
) -> list[Message | OutgoingMessage]:
    """Messages and outgoing mail in one timeline. A copy of our own mail that came back through a
    mailbox (the leader's Sent folder) is the same message: it shows once, with its delivery status."""
    if not sent:
        return thread
    ours = {o.message_id for o in sent}
    for o in sent:
        o.is_outgoing = True  # type: ignore[attr-defined]
    merged = [m for m in thread if m.message_id not in ours] + list(sent)

    def when(m: Message | OutgoingMessage) -> tuple[datetime, int, int]:
        if isinstance(m, OutgoingMessage):
            return (m.created_at, 1, m.pk)
        return (m.sent_at, 0, m.pk)

    return sorted(merged, key=when)


def _html_documents(thread: list[Message]) -> None:
    shown_as_html = [m for m in thread if m.html and not m.text]
    allowed = (
        set(
            Contact.objects.filter(
                email__in={normalize_email(m.from_email) for m in shown_as_html}, remote_images=True
            ).values_list("email", flat=True)
        )
        if shown_as_html
        else set()
    )
    for m in shown_as_html:
        remote = has_remote_content(m.html)
        m.remote_allowed = normalize_email(m.from_email) in allowed  # type: ignore[attr-defined]
        m.remote_blocked = remote and not m.remote_allowed  # type: ignore[attr-defined]
        m.document = mail_document(m.html, remote_allowed=m.remote_allowed)  # type: ignore[attr-defined]
