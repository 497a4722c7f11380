"""The receipt: the requester hears at once that their request arrived and when they will hear back.

Whether a first mail gets the receipt: the hub chose it, and the sender is a person writing for the
first time, who can read an answer.

The form's receipt is always sent (the person just asked for it on our page). A mail's is the hub's
choice (`IntakeSettings.first_mail_receipt`), and it must never answer a machine (an automatic reply,
a list, a no-reply address, a LinkedIn notice), a sender the hub always dismisses, someone the hub
already talks to, nor old mail that an import or a first sync brings in.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_noop

from cercle.accounts.selectors import hub_leader
from cercle.circulation.mail import request_mail_queue
from cercle.circulation.models import EventKind, Request
from cercle.circulation.services import event_record
from cercle.circulation.states import State
from cercle.core.notes import Note
from cercle.intake.context import IngestContext
from cercle.mail import kinds
from cercle.mail.parse import ParsedMessage
from cercle.network.models import Contact, Interaction
from cercle.network.services import normalize_email
from cercle.outbox.selectors import hub_reply_to
from cercle.outbox.services import address
from cercle.triage.models import RuleAction
from cercle.triage.selectors import rule_for

# Local parts that no person reads ("noreply", "ne-pas-repondre", "notifications", "mailer-daemon"…).
_NO_REPLY = re.compile(r"no[-_.]?reply|do[-_.]?not[-_.]?reply|ne[-_.]?pas[-_.]?r[eé]pondre", re.I)
_MACHINE = re.compile(
    r"^(notifications?|notify|alerts?|mailer|mailer-daemon|postmaster|bounces?|daemon|automated|robot)\b",
    re.I,
)
# Headers of mass-mailing services and LinkedIn's own (headers.WANTED reads them): not a person writing.
_MACHINE_HEADERS = (
    "feedback-id",
    "x-campaign",
    "x-campaignid",
    "x-csa-complaints",
    "x-mailjet-campaign",
    "x-mc-user",
    "x-linkedin-class",
)
CLOCK_SKEW = timedelta(minutes=5)
_LINKEDIN_DOMAIN = re.compile(r"(^|\.)linkedin\.com$", re.I)


def no_reply_address(email: str) -> bool:
    """An address nobody reads: a no-reply, a notification or a bounce address, or LinkedIn's own."""
    local, _at, domain = normalize_email(email).rpartition("@")
    if not local:
        return True
    return bool(_NO_REPLY.search(local) or _MACHINE.match(local) or _LINKEDIN_DOMAIN.search(domain))


def first_mail_receipt_due(
    *, parsed: ParsedMessage, request_id: int, sender: Contact | None, at: datetime, ctx: IngestContext
) -> bool:
    """A received mail just became request `request_id`: does its sender get the receipt?"""
    since = ctx.first_mail_receipt_since
    if since is None or sender is None or not sender.email:
        return False
    # Mail from before the hub turned it on (give or take clocks that differ), or older than the
    # promise (a first sync of a mailbox): it is too late to say "you will hear from us within …".
    target = timedelta(hours=settings.CERCLE["ANSWER_TARGET_HOURS"])
    if at < since - CLOCK_SKEW or at < timezone.now() - target:
        return False
    if parsed.kind != kinds.NORMAL or parsed.linkedin is not None:
        return False
    if any(name in parsed.headers for name in _MACHINE_HEADERS):
        return False
    email = normalize_email(sender.email)
    if email in ctx.hub_addresses or no_reply_address(email):
        return False
    rule = rule_for(email)
    if rule is not None and rule.action == RuleAction.DISMISS:
        return False
    return _first_time(sender=sender, request_id=request_id, message_id=parsed.message_id, ctx=ctx)


def _first_time(*, sender: Contact, request_id: int, message_id: str, ctx: IngestContext) -> bool:
    """Nobody at the hub ever exchanged with this person: no other request, no mail either way
    (interactions of the batch not written yet included)."""
    if any(i.contact_id == sender.pk for i in ctx.pending_interactions or []):
        return False
    if Request.objects.filter(requester=sender).exclude(pk=request_id).exists():
        return False
    return not Interaction.objects.filter(contact=sender).exclude(source_key=message_id).exists()


def receipt_queue(*, request: Request) -> None:
    """The requester hears at once that their request arrived, and when they will hear back (the
    hub's promise, ANSWER_TARGET_HOURS), in their language; in the transaction that creates the request.
    Once per request (its idempotency key), and never for a request already dismissed."""
    requester = request.requester
    if not requester.email or request.state == State.DISMISSED:
        return
    leader = hub_leader()
    mail = request_mail_queue(
        request=request,
        template="receipt",
        language=request.language,
        context={
            "requester_name": requester.display_name,
            "subject": request.subject,
            "hours": settings.CERCLE["ANSWER_TARGET_HOURS"],
            "hub_name": settings.CERCLE["HUB_NAME"],
        },
        idempotency_key=f"receipt:{request.pk}",
        to=[address(requester.name, requester.email)],
        # The receipt says "simply reply": the answer goes where the settings page says answers go (the
        # hub's reply-to address, else the leader's, whose mailbox Cercle reads), never to the hub's
        # sender address, which nobody may read.
        reply_to=hub_reply_to(
            default=[address(leader.display_name, leader.email)] if leader and leader.email else []
        ),
        threaded=True,
    )
    event_record(
        request=request,
        actor=None,
        kind=EventKind.MAIL,
        note=Note(gettext_noop("Receipt queued for %(email)s"), email=requester.email),
        outgoing=mail,
    )
