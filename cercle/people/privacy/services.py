"""Privacy gestures on one person: export everything about them, erase them.

Both are for the leader and the second, and both leave a `PrivacyAction` (who, when, counts), never
the person's name or address. An erase is one transaction; the attachment files go after it commits
(a rollback must not leave messages naming files that are gone).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from cercle.accounts.models import User
from cercle.accounts.permissions import NETWORK_ALL_ROLES, require_role
from cercle.circulation.models import Event, Message, Request
from cercle.mail.attachments import attachment_path
from cercle.network.models import Contact, ContactNote, ContactSearch, Identity, Interaction
from cercle.outbox.models import OutgoingMessage, WebhookDelivery
from cercle.people.introductions.services import introductions_erase
from cercle.people.models import PrivacyAction, PrivacyActionKind
from cercle.people.privacy.export import person_document, zip_stream
from cercle.people.privacy.selectors import (
    Blocker,
    ErasePlan,
    digests_used_elsewhere,
    erase_plan,
    person_contact_ids,
    person_scope,
    recipients_without,
)

log = logging.getLogger(__name__)

# Typed to confirm an erase, besides the person's name (any case).
CONFIRM_WORDS = frozenset({"erase", "effacer"})


class PrivacyError(Exception):
    """An export or an erase that cannot be done; the message says why, in the reader's language."""


class ConfirmationMismatch(PrivacyError):
    pass


class PersonBlocked(PrivacyError):
    def __init__(self, blockers: list[Blocker]) -> None:
        self.blockers = blockers
        super().__init__(_("This person cannot be erased while a project of theirs is open: close it first."))


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


def confirmation_matches(contact: Contact, typed: str) -> bool:
    typed = _folded(typed)
    return bool(typed) and (typed in CONFIRM_WORDS or typed == _folded(contact.display_name))


@dataclass(frozen=True)
class PersonExport:
    filename: str
    chunks: Iterator[bytes]


def person_export(*, actor: User, contact: Contact) -> PersonExport:
    """The zip of everything about this person, to stream; the export is recorded before it starts."""
    require_role(actor, NETWORK_ALL_ROLES)
    scope = person_scope(contact)
    document, entries = person_document(scope)
    PrivacyAction.objects.create(
        action=PrivacyActionKind.EXPORT,
        actor=actor,
        person_id=contact.pk,
        counts={
            "contacts": len(scope.contact_ids),
            "identities": len(document["identities"]),
            "notes": len(document["notes"]),
            "interactions": len(document["interactions"]),
            "requests": len(scope.requests),
            "messages": len(scope.message_ids),
            "originals": sum(1 for e in entries if e.message_id is not None),
            "files": sum(1 for e in entries if e.message_id is None),
        },
    )
    return PersonExport(filename=f"person-{contact.pk}.zip", chunks=zip_stream(document, entries))


def _files_remove(digests: list[str]) -> None:
    for digest in digests:
        try:
            attachment_path(digest).unlink(missing_ok=True)
        except OSError as exc:  # the rows are gone already; say so for whoever sweeps the disk
            log.warning("attachment %s could not be removed after an erase: %s", digest, exc)


def _outbox_scrub(plan: ErasePlan) -> None:
    """Their address leaves the mail still to send; a mail left with nobody in `To` is cancelled."""
    addresses = set(plan.scope.addresses)
    OutgoingMessage.objects.filter(pk__in=plan.outbox_cancel_ids).delete()
    for outgoing in OutgoingMessage.objects.select_for_update().filter(pk__in=plan.outbox_scrub_ids):
        outgoing.to = recipients_without(list(outgoing.to), addresses)
        outgoing.cc = recipients_without(list(outgoing.cc), addresses)
        outgoing.save(update_fields=["to", "cc"])


ERASED = "—"  # what stands where an erased address was, in any language


def _without(value: object, addresses: list[str]) -> object:
    if isinstance(value, str):
        for address in addresses:
            value = re.sub(re.escape(address), ERASED, value, flags=re.IGNORECASE)
        return value
    if isinstance(value, dict):
        return {k: _without(v, addresses) for k, v in value.items()}
    if isinstance(value, list):
        return [_without(v, addresses) for v in value]
    return value


def _events_scrub(plan: ErasePlan) -> None:
    """Their address leaves the history of requests that stay (the line itself stays: it is the audit)."""
    addresses = plan.scope.addresses
    for event in Event.objects.filter(pk__in=plan.event_scrub_ids):
        event.note = str(_without(event.note, addresses))
        event.note_source = _without(event.note_source, addresses)
        event.save(update_fields=["note", "note_source"])


def person_erase(*, actor: User, contact: Contact, confirmation: str, seen: str = "") -> dict[str, int]:
    """Erase the person and everything that is theirs (see `selectors.erase_plan`); returns the counts.

    `confirmation` is their name or ERASE / EFFACER; `seen` is the plan's fingerprint on the preview the
    actor read: when it no longer matches, nothing is erased and they are asked to look again.
    """
    require_role(actor, NETWORK_ALL_ROLES)
    if not confirmation_matches(contact, confirmation):
        raise ConfirmationMismatch(_("Type the person's name, or ERASE, to confirm."))
    try:
        with transaction.atomic():
            locked = Contact.objects.select_for_update().filter(pk=contact.pk).first()
            if locked is None:
                raise PrivacyError(_("This person was erased already."))
            # Lock their requests: a project cannot open (an offer accepted) halfway through.
            list(Request.objects.select_for_update().filter(requester_id__in=person_contact_ids(locked)))
            plan = erase_plan(locked)
            if plan.blocked:
                raise PersonBlocked(plan.blockers)
            if seen and seen != plan.fingerprint():
                raise PrivacyError(
                    _(
                        "Something about this person changed since the preview: check what goes, then confirm again."
                    )
                )
            scope = plan.scope
            OutgoingMessage.objects.filter(pk__in=plan.outgoing_ids).delete()
            _outbox_scrub(plan)
            _events_scrub(plan)
            Message.objects.filter(pk__in=scope.message_ids).delete()
            # The webhook deliveries about their requests hold the requests' subjects: gone too.
            WebhookDelivery.objects.filter(payload__request_id__in=scope.request_ids).delete()
            # Events, offers, the closed project, the triage's brief and suggestion go with each request.
            Request.objects.filter(pk__in=scope.request_ids).delete()
            Interaction.objects.filter(contact_id__in=scope.contact_ids).delete()
            ContactNote.objects.filter(contact_id__in=scope.contact_ids).delete()
            introductions_erase(scope.contact_ids)
            Identity.objects.filter(contact_id__in=scope.contact_ids).delete()
            ContactSearch.objects.filter(contact_id__in=scope.contact_ids).delete()
            Contact.objects.filter(pk__in=scope.contact_ids).delete()
            # Checked again now that their messages are gone: a file another message names stays.
            files = sorted(set(plan.files) - digests_used_elsewhere(plan.files, excluding=[]))
            counts = {**plan.counts(), "files": len(files)}
            PrivacyAction.objects.create(
                action=PrivacyActionKind.ERASE, actor=actor, person_id=contact.pk, counts=counts
            )
            transaction.on_commit(lambda: _files_remove(files))
    except (ProtectedError, IntegrityError):
        # Something of theirs arrived while erasing (a new request): nothing was erased.
        raise PrivacyError(
            _("Something about this person changed since the preview: check what goes, then confirm again.")
        ) from None
    return counts
