"""What belongs to one person, read once for the export, the erase preview and the erase itself, so that
the preview lists exactly what the erase removes.

A person is their contact and every record merged into it (`merged_into`, chains followed). Their
messages are those of the requests they made, and those they wrote (received from one of their
addresses) anywhere else, request or not. Mail the hub sent stays outside their own requests: it is
the hub's, and a hub address that became a contact by mistake must not take the sent mail with it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from email.utils import getaddresses

from django.db.models import Q
from django.db.models.functions import Lower

from cercle.circle.models import Offer
from cercle.circulation.models import Direction, Event, Message, Request
from cercle.circulation.states import State
from cercle.network.models import Contact, ContactNote, Identity, IdentityKind, Interaction
from cercle.outbox.models import OutgoingMessage, OutgoingStatus
from cercle.projects.models import Project
from cercle.triage.models import RuleScope, SenderRule


def person_live(contact: Contact) -> Contact:
    """The record a merged contact lives in now (merges can chain)."""
    seen = {contact.pk}
    while contact.merged_into_id is not None and contact.merged_into_id not in seen:
        seen.add(contact.merged_into_id)
        contact = Contact.objects.get(pk=contact.merged_into_id)
    return contact


def person_contact_ids(contact: Contact) -> list[int]:
    """The person's contact first, then every record merged into it, however deep the chain."""
    ids = [contact.pk]
    frontier = [contact.pk]
    while frontier:
        found = [
            pk
            for pk in Contact.objects.filter(merged_into_id__in=frontier).values_list("pk", flat=True)
            if pk not in ids
        ]
        ids += found
        frontier = found
    return ids


def person_addresses(contact_ids: list[int]) -> list[str]:
    """Every e-mail address of the person, lower-cased."""
    addresses = {
        e.strip().lower() for e in Contact.objects.filter(pk__in=contact_ids).values_list("email", flat=True)
    }
    addresses |= {
        v.strip().lower()
        for v in Identity.objects.filter(contact_id__in=contact_ids, kind=IdentityKind.EMAIL).values_list(
            "value", flat=True
        )
    }
    addresses.discard("")
    return sorted(addresses)


def recipients_without(entries: list[str], addresses: set[str]) -> list[str]:
    """`To`/`Cc` entries ("Name <a@b>") without those that go to one of `addresses`."""
    kept = []
    for entry in entries:
        parsed = getaddresses([str(entry)])
        if not any(addr.strip().lower() in addresses for _, addr in parsed):
            kept.append(entry)
    return kept


@dataclass(frozen=True)
class RequestLine:
    pk: int
    subject: str
    state: str
    state_label: str


@dataclass(frozen=True)
class Blocker:
    """A request of theirs whose project is still open: erasing would take a running project away."""

    request_id: int
    project_id: int
    subject: str
    lead: str


@dataclass
class PersonScope:
    """The ids of everything that is the person's."""

    contact: Contact
    contact_ids: list[int]
    addresses: list[str]
    requests: list[RequestLine]
    message_ids: list[int]  # their requests' thread and what they wrote elsewhere
    other_message_ids: list[int]  # of those, the ones outside their requests

    @property
    def request_ids(self) -> list[int]:
        return [r.pk for r in self.requests]


def person_scope(contact: Contact) -> PersonScope:
    contact_ids = person_contact_ids(contact)
    addresses = person_addresses(contact_ids)
    requests = [
        RequestLine(pk=r.pk, subject=r.subject, state=r.state, state_label=r.get_state_display())
        for r in Request.objects.filter(requester_id__in=contact_ids).order_by("received_at", "pk")
    ]
    request_ids = [r.pk for r in requests]
    wanted = Q(request_id__in=request_ids)
    if addresses:
        # No index on the sender: a scan, acceptable for a gesture made a few times a year.
        wanted |= Q(direction=Direction.INBOUND, sender__in=addresses)
    found = (
        Message.objects.annotate(sender=Lower("from_email"))
        .filter(wanted)
        .order_by("sent_at", "pk")
        .values_list("pk", "request_id")
    )
    message_ids, other = [], []
    for pk, request_id in found:
        message_ids.append(pk)
        if request_id not in request_ids:
            other.append(pk)
    return PersonScope(
        contact=contact,
        contact_ids=contact_ids,
        addresses=addresses,
        requests=requests,
        message_ids=message_ids,
        other_message_ids=other,
    )


def stored_digests(message_ids: list[int]) -> list[str]:
    """The SHA-256 of every attachment of these messages that was written to disk."""
    digests: set[str] = set()
    for entries in Message.objects.filter(pk__in=message_ids).values_list("attachments", flat=True):
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict) and entry.get("stored") is True:
                digest = str(entry.get("sha256", ""))
                if len(digest) == 64:
                    digests.add(digest)
    return sorted(digests)


def digests_used_elsewhere(digests: list[str], *, excluding: list[int]) -> set[str]:
    """Files are stored once by content: those another message still names stay on disk."""
    others = Message.objects.exclude(pk__in=excluding)
    return {d for d in digests if others.filter(attachments__icontains=d).exists()}


@dataclass
class ErasePlan:
    """Everything an erase removes, counted, with what stops it."""

    scope: PersonScope
    identities: int
    interactions: int
    notes: int
    events: int
    offers: int
    projects: int
    files: list[str]  # digests whose file goes from the disk
    outgoing_ids: list[int]  # the hub's mail about their requests
    outbox_cancel_ids: list[int]  # not sent yet, addressed only to them: cancelled
    outbox_scrub_ids: list[int]  # not sent yet, to them and others: their address removed
    event_scrub_ids: list[int]  # lines of other requests' histories naming their address
    blockers: list[Blocker]
    sender_rules: int  # screener rules naming their address: kept (see the preview)
    merged: int = field(default=0)

    @property
    def blocked(self) -> bool:
        return bool(self.blockers)

    def counts(self) -> dict[str, int]:
        """Counts only: this is what the audit keeps."""
        return {
            "contacts": len(self.scope.contact_ids),
            "identities": self.identities,
            "interactions": self.interactions,
            "notes": self.notes,
            "requests": len(self.scope.requests),
            "events": self.events,
            "offers": self.offers,
            "projects": self.projects,
            "messages": len(self.scope.message_ids),
            "files": len(self.files),
            "outgoing": len(self.outgoing_ids),
            "outbox_cancelled": len(self.outbox_cancel_ids),
            "outbox_scrubbed": len(self.outbox_scrub_ids),
            "history_lines_scrubbed": len(self.event_scrub_ids),
        }

    def fingerprint(self) -> str:
        """Changes when anything the preview listed changes: the erase then asks to look again."""
        data = {
            "contacts": self.scope.contact_ids,
            "requests": self.scope.request_ids,
            "messages": self.scope.message_ids,
            "counts": self.counts(),
        }
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:32]


def _outbox_to_them(addresses: list[str], *, excluding_requests: list[int]) -> tuple[list[int], list[int]]:
    """Mail not sent yet (queued, or failed and waiting for a retry) addressed to them, outside their
    own requests: (cancelled: no `To` left without them, scrubbed: their address removed)."""
    cancel: list[int] = []
    scrub: list[int] = []
    if not addresses:
        return cancel, scrub
    wanted = set(addresses)
    pending = (
        OutgoingMessage.objects.filter(status__in=[OutgoingStatus.QUEUED, OutgoingStatus.FAILED])
        .exclude(request_id__in=excluding_requests)
        .values_list("pk", "to", "cc")
    )
    for pk, to, cc in pending:
        to, cc = list(to or []), list(cc or [])
        to_left, cc_left = recipients_without(to, wanted), recipients_without(cc, wanted)
        if len(to_left) == len(to) and len(cc_left) == len(cc):
            continue
        (scrub if to_left else cancel).append(pk)
    return cancel, scrub


def _events_naming(addresses: list[str], *, excluding_requests: list[int]) -> list[int]:
    """History lines of other requests that name one of their addresses ("New message from …")."""
    if not addresses:
        return []
    naming = Q()
    for address in addresses:
        naming |= Q(note__icontains=address)
    found = Event.objects.filter(naming).exclude(request_id__in=excluding_requests)
    return list(found.values_list("pk", flat=True))


def erase_plan(contact: Contact) -> ErasePlan:
    scope = person_scope(contact)
    request_ids = scope.request_ids
    blockers = [
        Blocker(
            request_id=p.request_id,
            project_id=p.pk,
            subject=p.request.subject,
            lead=p.lead.display_name,
        )
        for p in Project.objects.filter(request_id__in=request_ids)
        .exclude(request__state=State.CLOSED)
        .select_related("request", "lead")
        .order_by("pk")
    ]
    digests = stored_digests(scope.message_ids)
    files = sorted(set(digests) - digests_used_elsewhere(digests, excluding=scope.message_ids))
    cancel, scrub = _outbox_to_them(scope.addresses, excluding_requests=request_ids)
    contact_ids = scope.contact_ids
    return ErasePlan(
        scope=scope,
        identities=Identity.objects.filter(contact_id__in=contact_ids).count(),
        interactions=Interaction.objects.filter(contact_id__in=contact_ids).count(),
        notes=ContactNote.objects.filter(contact_id__in=contact_ids).count(),
        events=Event.objects.filter(request_id__in=request_ids).count(),
        offers=Offer.objects.filter(request_id__in=request_ids).count(),
        projects=Project.objects.filter(request_id__in=request_ids).count(),
        files=files,
        outgoing_ids=list(
            OutgoingMessage.objects.filter(request_id__in=request_ids).values_list("pk", flat=True)
        ),
        outbox_cancel_ids=cancel,
        outbox_scrub_ids=scrub,
        event_scrub_ids=_events_naming(scope.addresses, excluding_requests=request_ids),
        blockers=blockers,
        sender_rules=SenderRule.objects.filter(scope=RuleScope.ADDRESS, value__in=scope.addresses).count(),
        merged=len(contact_ids) - 1,
    )
