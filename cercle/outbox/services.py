"""Outgoing mail: every message is stored first, then delivered by the worker with retries.

Delivery claims a message with a conditional update (QUEUED → SENDING), so two workers, a retry
and a double click never send it twice. A message left in SENDING by a crash is not resent
blindly (it may have left): it is marked failed with an explanation, for a person to retry.
"""

from __future__ import annotations

import base64
import logging
import re
import smtplib
import uuid
from dataclasses import dataclass
from datetime import timedelta
from email.headerregistry import Address
from email.message import Message
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import BadHeaderError, EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template import Context, Template
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from cercle.accounts.models import User
from cercle.accounts.permissions import TRIAGE_ROLES, require_role
from cercle.accounts.selectors import hub_leader
from cercle.core.notes import Note, note_stored
from cercle.core.text import elide_before_names, visible
from cercle.outbox.defaults import DEFAULT_TEMPLATES
from cercle.outbox.models import HubIdentity, MailTemplate, OutgoingMessage, OutgoingStatus
from cercle.outbox.selectors import sender_identity

logger = logging.getLogger(__name__)

STALE_SENDING_AFTER = timedelta(minutes=15)


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    body: str


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message. `content_type` may carry parameters: "text/calendar; method=REQUEST"."""

    filename: str
    content_type: str
    content: bytes

    def to_json(self) -> dict[str, str]:
        return {
            "filename": _one_line(self.filename)[:200],
            "content_type": _one_line(self.content_type),
            "content": base64.b64encode(self.content).decode("ascii"),
        }


_BREAKS = re.compile(r"[\s]+")


def _one_line(text: str) -> str:
    # A header never carries a line break: this is where header injection would happen. Every run of
    # white space becomes one space, except a no-break space alone (French typography: « Votre demande : … »).
    return _BREAKS.sub(lambda run: "\u00a0" if run.group() == "\u00a0" else " ", text).strip()[:300]


def address(name: str, email: str) -> str:
    """'Name <email>', quoted when needed; Django encodes non-ASCII names when it sends."""
    email = email.strip()
    if not name:
        return email
    try:
        return str(Address(display_name=_one_line(name), addr_spec=email))
    except (ValueError, IndexError):
        return email


def hub_context() -> dict[str, object]:
    """What every template may say of the hub: its name, its leader, the leader's signature and offer."""
    leader = hub_leader()
    return {
        "hub_name": settings.CERCLE["HUB_NAME"],
        "leader_name": leader.display_name if leader else settings.CERCLE["HUB_NAME"],
        "leader_signature": sender_identity().signature,
        "leader_offer": leader.offer_statement.strip() if leader else "",
    }


def template_render(*, key: str, language: str, context: dict[str, object]) -> RenderedMail:
    row = MailTemplate.objects.filter(key=key, language=language).first()
    if row is not None:
        subject_src, body_src = row.subject, row.body
    else:
        subject_src, body_src = DEFAULT_TEMPLATES.get((key, language)) or DEFAULT_TEMPLATES[(key, "fr")]
    # Plain-text mail: no HTML escaping of names such as "Dupont & Fils". What the caller says wins over
    # the hub's identity (a meeting's mail names its own `hub_name`, the acknowledgement its leader).
    ctx = Context({**hub_context(), **context}, autoescape=False)
    # In the recipient's language, whoever's request or task writes it: {{ when|date:"DATETIME_FORMAT" }}
    # gives "12 janvier 2027 à 10 h 00" to a French reader and "20 March 2027 at 14:30" to an English one.
    with translation.override(language):
        subject = _one_line(Template(subject_src).render(ctx))
        body = Template(body_src).render(ctx).strip() + "\n"
    if language.startswith("fr"):  # "le premier cercle d’Inès", "ce qu’Inès propose"
        names = [v for k, v in ctx.flatten().items() if str(k).endswith("name") and isinstance(v, str)]
        subject, body = elide_before_names(subject, *names), elide_before_names(body, *names)
    return RenderedMail(subject=subject, body=body)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes, capped at six hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def outbox_enqueue(
    *,
    idempotency_key: str,
    to: list[str],
    subject: str,
    body: str,
    cc: list[str] | None = None,
    reply_to: list[str] | None = None,
    headers: dict[str, str] | None = None,
    request_id: int | None = None,
    from_email: str | None = None,
    attachments: list[Attachment] | None = None,
) -> OutgoingMessage:
    """Store a message for delivery; the same idempotency key always yields the same message.

    Without `from_email` it leaves from the hub's sender (settings page, else DEFAULT_FROM_EMAIL); with
    `reply_to` None, answers go to the hub's reply-to address when one is set (an empty list: none).
    """
    existing = OutgoingMessage.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    sender = sender_identity()
    if reply_to is None:
        reply_to = [sender.reply_to] if sender.reply_to else []
    now = timezone.now()  # the service's clock, read at the call (a field's default is bound at import)
    try:
        with transaction.atomic():
            outgoing = OutgoingMessage.objects.create(
                created_at=now,
                next_attempt_at=now,
                idempotency_key=idempotency_key,
                request_id=request_id,
                message_id=make_msgid(idstring=uuid.uuid4().hex[:12], domain=sender.domain),
                from_email=from_email or address(sender.name, sender.email),
                to=to,
                cc=cc or [],
                reply_to=reply_to,
                subject=_one_line(subject),
                body=body,
                headers={k: _one_line(v) for k, v in (headers or {}).items()},
                attachments=[a.to_json() for a in attachments or []],
            )
    except IntegrityError:
        return OutgoingMessage.objects.get(idempotency_key=idempotency_key)
    transaction.on_commit(lambda: _schedule_delivery(outgoing.pk))
    return outgoing


def _schedule_delivery(outgoing_id: int) -> None:
    from cercle.outbox.tasks import deliver_outgoing

    deliver_outgoing(outgoing_id)


def outbox_deliver(*, outgoing_id: int) -> str:
    """Try to send one message now. Returns 'sent', 'retry', 'failed' or 'skipped'."""
    now = timezone.now()
    claimed = OutgoingMessage.objects.filter(
        pk=outgoing_id, status=OutgoingStatus.QUEUED, next_attempt_at__lte=now
    ).update(status=OutgoingStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if claimed != 1:
        return "skipped"
    outgoing = OutgoingMessage.objects.get(pk=outgoing_id)
    try:
        _email_of(outgoing).send(fail_silently=False)
    except (BadHeaderError, ValueError, KeyError) as exc:
        # The message itself is wrong (a damaged attachment too): retrying cannot help.
        _mark_failed(outgoing, Note(gettext_noop("Invalid message: %(error)s"), error=exc))
        return "failed"
    except (smtplib.SMTPException, OSError) as exc:
        error = f"{type(exc).__name__}: {exc}"
        if outgoing.attempts >= int(settings.CERCLE["OUTBOX_MAX_ATTEMPTS"]):
            _mark_failed(outgoing, error)
            return "failed"
        OutgoingMessage.objects.filter(pk=outgoing.pk, status=OutgoingStatus.SENDING).update(
            status=OutgoingStatus.QUEUED,
            next_attempt_at=timezone.now() + backoff(outgoing.attempts),
            last_error=error[:2000],
            last_error_note=None,
        )
        logger.warning("outbox: message %s not sent (attempt %s): %s", outgoing.pk, outgoing.attempts, error)
        return "retry"
    OutgoingMessage.objects.filter(pk=outgoing.pk).update(
        status=OutgoingStatus.SENT, sent_at=timezone.now(), last_error="", last_error_note=None
    )
    return "sent"


class _Email(EmailMultiAlternatives):
    """Sets the iTIP method (REQUEST, CANCEL…) on an invitation's text/calendar part, as a parameter of
    its Content-Type: that parameter, not the file, is what makes a calendar client offer to add the
    event (or update it, for a later SEQUENCE of the same UID)."""

    calendar_method = ""

    def message(self, *args: object, **kwargs: object) -> Message:
        msg = super().message(*args, **kwargs)
        if self.calendar_method:
            for part in msg.walk():
                if part.get_content_type() == "text/calendar":
                    part.set_param("method", self.calendar_method)
        return msg


def _content_type(value: str) -> tuple[str, dict[str, str]]:
    header = Message()
    header["Content-Type"] = value
    return header.get_content_type(), {k.lower(): str(v) for k, v in (header.get_params() or [])[1:]}


def _email_of(outgoing: OutgoingMessage) -> _Email:
    """The MIME message. An invitation travels twice, as calendar clients expect: as the text/calendar
    alternative of the body (read by Outlook, Gmail, Apple Mail, Thunderbird) and as an .ics file
    (application/ics, so that it is not a second text/calendar part) for those who add it by hand."""
    email = _Email(
        subject=outgoing.subject,
        body=outgoing.body,
        from_email=outgoing.from_email,
        to=outgoing.to,
        cc=outgoing.cc,
        reply_to=outgoing.reply_to,
        headers={**outgoing.headers, "Message-ID": outgoing.message_id},
    )
    for stored in outgoing.attachments:
        content = base64.b64decode(stored["content"], validate=True)  # binascii.Error is a ValueError
        ctype, params = _content_type(stored["content_type"])
        if ctype == "text/calendar":
            email.attach_alternative(content.decode("utf-8"), "text/calendar")
            email.calendar_method = params.get("method", "").upper() or "PUBLISH"
            email.attach(stored["filename"], content, "application/ics")
        else:
            email.attach(stored["filename"], content, ctype)
    return email


def _mark_failed(outgoing: OutgoingMessage, error: str | Note) -> None:
    text, note = note_stored(error)
    OutgoingMessage.objects.filter(pk=outgoing.pk).update(
        status=OutgoingStatus.FAILED, last_error=text[:2000], last_error_note=note
    )
    logger.error("outbox: message %s failed: %s", outgoing.pk, text)


def _interrupted() -> dict[str, object]:
    text, note = note_stored(
        Note(
            gettext_noop("Delivery was interrupted; the message may or may not have left. Check, then retry.")
        )
    )
    return {"last_error": text, "last_error_note": note}


def outbox_flush(*, limit: int = 200) -> dict[str, int]:
    """Deliver what is due and surface messages a crash left in SENDING. Run every minute."""
    counts = {"sent": 0, "retry": 0, "failed": 0, "skipped": 0, "stale": 0}
    stale_before = timezone.now() - STALE_SENDING_AFTER
    counts["stale"] = OutgoingMessage.objects.filter(
        status=OutgoingStatus.SENDING, claimed_at__lt=stale_before
    ).update(status=OutgoingStatus.FAILED, uncertain=True, **_interrupted())
    due = OutgoingMessage.objects.filter(
        status=OutgoingStatus.QUEUED, next_attempt_at__lte=timezone.now()
    ).values_list("pk", flat=True)[:limit]
    for pk in list(due):
        counts[outbox_deliver(outgoing_id=pk)] += 1
    return counts


def outbox_retry(*, outgoing_id: int, confirm_uncertain: bool = False) -> str:
    """Put a failed message back in the queue (a person asked for it).

    Returns "queued"; "confirm" when the message may already have left (an interrupted send) and the
    person has not confirmed that sending it again is right; "not_failed" when there is nothing to retry.
    """
    failed = OutgoingMessage.objects.filter(pk=outgoing_id, status=OutgoingStatus.FAILED)
    if not confirm_uncertain:
        failed = failed.filter(uncertain=False)
    done = failed.update(
        status=OutgoingStatus.QUEUED, attempts=0, next_attempt_at=timezone.now(), uncertain=False
    )
    if done:
        transaction.on_commit(lambda: _schedule_delivery(outgoing_id))
        return "queued"
    if OutgoingMessage.objects.filter(pk=outgoing_id, status=OutgoingStatus.FAILED, uncertain=True).exists():
        return "confirm"
    return "not_failed"


def hub_identity_update(
    *, actor: User, from_name: str, from_email: str, reply_to: str, signature: str
) -> HubIdentity:
    """The second or the leader sets how the hub's mail presents itself (empty: the environment's default)."""
    require_role(actor, TRIAGE_ROLES)
    with transaction.atomic():
        identity, _created = HubIdentity.objects.select_for_update().get_or_create(pk=1)
        identity.from_name = _one_line(from_name)[:200]
        identity.from_email = from_email.strip()
        identity.reply_to = reply_to.strip()
        lines = [line.rstrip() for line in visible(signature).splitlines()]  # \r\n from a browser's textarea
        identity.signature = "\n".join(lines).strip()[:1000]
        identity.updated_at, identity.updated_by = timezone.now(), actor
        identity.save()
    return identity
