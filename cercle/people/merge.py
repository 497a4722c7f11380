"""Merging two records of one person, and undoing it exactly.

Everything of the merged record moves to the kept one: exchanges, requests (each one's history says
so), notes, addresses, profiles and names, and whom they know (network/ties.py `ties_merge`); the kept
record's blank fields take the merged one's values.
What moved is written down (`ContactMerge.moved`), so the undo puts back exactly that. An exchange both
records already had (the same mail to two of the person's addresses) stays where it was: counted once.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cercle.accounts.models import User
from cercle.accounts.permissions import NETWORK_ALL_ROLES, require_role
from cercle.circulation.models import EventKind, Request
from cercle.circulation.services import event_record
from cercle.core.notes import Note
from cercle.network.models import Contact, ContactMerge, ContactNote, ContactSearch, Identity, Interaction
from cercle.network.search import search_index
from cercle.network.strength import counts_in_network, strength_recompute
from cercle.network.ties import ties_merge, ties_merge_undo
from cercle.outbox.webhooks import webhook_emit
from cercle.people.services import PeopleError

FILLABLE = (
    "name",
    "organisation",
    "position",
    "phone",
    "what_they_do",
    "offers",
    "needs",
    "tags",
    "how_we_met",
    "linkedin_url",
    "email",
)


def _blank_fill(kept: Contact, merged: Contact) -> dict[str, str]:
    previous = {}
    for field in FILLABLE:
        if not getattr(kept, field) and getattr(merged, field):
            if field in ("email", "linkedin_url"):
                continue  # unique: the merged record keeps it, lookups follow `merged_into`
            previous[field] = getattr(kept, field)
            setattr(kept, field, getattr(merged, field))
    return previous


def contact_merge(
    *, actor: User, kept: Contact, merged: Contact, evidence: list[str] | None = None
) -> ContactMerge:
    require_role(actor, NETWORK_ALL_ROLES)
    if kept.pk == merged.pk:
        raise PeopleError(_("A person cannot be merged with themselves."))
    with transaction.atomic():
        kept = Contact.objects.select_for_update().get(pk=kept.pk)
        merged = Contact.objects.select_for_update().get(pk=merged.pk)
        if kept.merged_into_id is not None or merged.merged_into_id is not None:
            raise PeopleError(_("One of these records was merged already: open it again."))
        already = set(Interaction.objects.filter(contact=kept).values_list("source_key", flat=True))
        interactions = [
            pk
            for pk, key in Interaction.objects.filter(contact=merged).values_list("pk", "source_key")
            if key not in already
        ]
        requests = list(Request.objects.filter(requester=merged).values_list("pk", flat=True))
        notes = list(ContactNote.objects.filter(contact=merged).values_list("pk", flat=True))
        identities = list(Identity.objects.filter(contact=merged).values_list("pk", flat=True))
        # Identities the kept record has already (a name both share) would clash: leave those behind.
        kept_values = set(Identity.objects.filter(contact=kept).values_list("kind", "value"))
        identities = [
            pk
            for pk, kind, value in Identity.objects.filter(pk__in=identities).values_list(
                "pk", "kind", "value"
            )
            if (kind, value) not in kept_values
        ]
        Interaction.objects.filter(pk__in=interactions).update(contact=kept)
        Request.objects.filter(pk__in=requests).update(requester=kept)
        ContactNote.objects.filter(pk__in=notes).update(contact=kept)
        Identity.objects.filter(pk__in=identities).update(contact=kept)
        ties = ties_merge(merged_id=merged.pk, kept_id=kept.pk)
        previous = _blank_fill(kept, merged)
        kept.chosen = kept.chosen or merged.chosen
        kept.spam = kept.spam and merged.spam
        kept.save()
        merged.merged_into = kept
        merged.in_network = False
        merged.save(update_fields=["merged_into", "in_network"])
        record = ContactMerge.objects.create(
            kept=kept,
            merged=merged,
            by=actor,
            evidence=evidence or [],
            moved={
                "interactions": interactions,
                "requests": requests,
                "notes": notes,
                "identities": identities,
                **ties,
            },
            previous=previous,
        )
        for request in Request.objects.filter(pk__in=requests):
            event_record(
                request=request,
                actor=actor,
                kind=EventKind.NOTE,
                note=Note(
                    gettext_noop("Requester's records merged into one person (%(name)s)."),
                    name=kept.display_name,
                ),
            )
        ContactSearch.objects.filter(contact=merged).delete()
        strength_recompute(contact_ids=[kept.pk, merged.pk])
        kept.refresh_from_db()
        search_index([kept])
        webhook_emit(
            event="contact.merged",
            key=f"contact-merge-{record.pk}",
            payload={"kept_id": kept.pk, "merged_id": merged.pk, "merge_id": record.pk, "at": record.at},
        )
    return record


def merge_undo(*, actor: User, merge: ContactMerge) -> Contact:
    """Put back exactly what the merge moved; the kept record's filled blanks are emptied again."""
    require_role(actor, NETWORK_ALL_ROLES)
    with transaction.atomic():
        merge = ContactMerge.objects.select_for_update().get(pk=merge.pk)
        if merge.undone_at is not None:
            raise PeopleError(_("This merge was undone already."))
        kept = Contact.objects.select_for_update().get(pk=merge.kept_id)
        merged = Contact.objects.select_for_update().get(pk=merge.merged_id)
        if kept.merged_into_id is not None:
            raise PeopleError(_("The person was merged again since: undo that merge first."))
        moved = merge.moved
        Interaction.objects.filter(pk__in=moved.get("interactions", []), contact=kept).update(contact=merged)
        Request.objects.filter(pk__in=moved.get("requests", []), requester=kept).update(requester=merged)
        ContactNote.objects.filter(pk__in=moved.get("notes", []), contact=kept).update(contact=merged)
        Identity.objects.filter(pk__in=moved.get("identities", []), contact=kept).update(contact=merged)
        ties_merge_undo(moved)
        for field, value in merge.previous.items():
            if getattr(kept, field) == getattr(merged, field):  # not edited since
                setattr(kept, field, value)
        kept.save()
        merged.merged_into = None
        merged.save(update_fields=["merged_into"])
        merge.undone_at = timezone.now()
        merge.save(update_fields=["undone_at"])
        for request in Request.objects.filter(pk__in=moved.get("requests", [])):
            event_record(
                request=request,
                actor=actor,
                kind=EventKind.NOTE,
                note=Note(gettext_noop("Merge of the requester's records undone.")),
            )
        strength_recompute(contact_ids=[kept.pk, merged.pk])
        for contact in (kept, merged):
            contact.refresh_from_db()
            contact.in_network = counts_in_network(contact) or (contact.in_network and not contact.spam)
            contact.save(update_fields=["in_network"])
        search_index([kept, merged])
    return merged
