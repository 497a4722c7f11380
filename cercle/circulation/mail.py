"""Every mail Cercle writes about a request goes through `request_mail_queue`.

It renders the editable template in the recipient's language, threads it on the requester's first
message when asked, and writes it to the outbox *inside the transaction that decides it*: a crash can
never keep the decision (approval, offer, new project lead) and lose the mail, nor the reverse. Delivery
is the outbox's business, after commit.
"""

from __future__ import annotations

from django.db import transaction

from cercle.circulation.models import Direction, Request
from cercle.outbox.models import OutgoingMessage
from cercle.outbox.services import outbox_enqueue, template_render


class NotInTransaction(RuntimeError):
    """A request's mail was queued outside the transaction that decides it (a programming error)."""


def thread_headers(request: Request) -> dict[str, str]:
    """In-Reply-To/References so the requester's answer threads back onto the request."""
    first = request.messages.filter(direction=Direction.INBOUND).order_by("sent_at", "id").first()
    if first is None:
        return {}
    refs = " ".join(filter(None, [first.references.strip(), first.message_id]))
    return {"In-Reply-To": first.message_id, "References": refs[-2000:]}


def request_mail_queue(
    *,
    request: Request,
    template: str,
    language: str,
    context: dict[str, object],
    idempotency_key: str,
    to: list[str],
    cc: list[str] | None = None,
    reply_to: list[str] | None = None,
    threaded: bool = False,
) -> OutgoingMessage:
    """Write one mail about `request` to the outbox, in the caller's (deciding) transaction."""
    _require_transaction(template)
    mail = template_render(key=template, language=language, context=context)
    return request_mail_write(
        request=request,
        subject=mail.subject,
        body=mail.body,
        idempotency_key=idempotency_key,
        to=to,
        cc=cc,
        reply_to=reply_to,
        threaded=threaded,
    )


def request_mail_write(
    *,
    request: Request,
    subject: str,
    body: str,
    idempotency_key: str,
    to: list[str],
    cc: list[str] | None = None,
    reply_to: list[str] | None = None,
    threaded: bool = False,
) -> OutgoingMessage:
    """Write one mail about `request` whose text is already written (a person typed it): never rendered
    as a template (what a person types is text, not code), in the caller's transaction."""
    _require_transaction(idempotency_key)
    return outbox_enqueue(
        idempotency_key=idempotency_key,
        request_id=request.pk,
        to=to,
        cc=cc,
        reply_to=reply_to,
        subject=subject,
        body=body,
        headers=thread_headers(request) if threaded else None,
    )


def _require_transaction(what: str) -> None:
    if not transaction.get_connection().in_atomic_block:
        raise NotInTransaction(f"the {what!r} mail must be queued inside the transaction that decides it")
