"""A batch's same-subject replies find their requests two ways (intake/context.py `replies_prefetch`):
the requests older than the import's first look-up by a query per batch, the ones created since (the
import's own, and any other writer's) from what the import read of them batch after batch. Either way
the state is the database's at the moment of the batch."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cercle.circulation.states import State
from cercle.intake.context import IngestContext
from cercle.mail.parse import parse_message
from tests.factories import ContactFactory, RequestFactory
from tests.intake.mails import eml

pytestmark = pytest.mark.django_db


def _reply(sender: str, subject: str, message_id: str) -> object:
    date = timezone.now().strftime("%a, %d %b %Y %H:%M:%S +0000")
    return parse_message(eml(message_id=message_id, sender=sender, subject=subject, date=date))


def _found(context: IngestContext, contact_pk: int, key: str) -> list[tuple[int, str]]:
    return sorted((pk, state) for _at, pk, state in context.by_subject.get((contact_pk, key), []))


def test_older_and_newer_requests_are_found_with_their_state_of_now(leader) -> None:
    marc = ContactFactory(email="marc@client.example")
    older = RequestFactory(requester=marc, subject="Devis toiture")
    context = IngestContext.load(live=False)
    replies = [_reply("Marc <marc@client.example>", "Re: Devis toiture", "<r1@client.example>")]
    context.contacts_prefetch(["marc@client.example"])
    context.replies_prefetch(replies, days=30)
    assert _found(context, marc.pk, "devis toiture") == [(older.pk, older.state)]
    assert context.recent_requests is not None and context.recent_requests.older_up_to == older.pk

    # Created after the import's first look-up: found from memory, not by the per-batch query.
    newer = RequestFactory(requester=marc, subject="RE: devis  TOITURE")
    other = RequestFactory(requester=ContactFactory(), subject="Devis toiture")  # someone else's
    too_old = RequestFactory(
        requester=marc, subject="Devis toiture", received_at=timezone.now() - timedelta(days=90)
    )
    context.end_batch()
    context.replies_prefetch(replies, days=30)
    assert _found(context, marc.pk, "devis toiture") == sorted(
        [(older.pk, older.state), (newer.pk, newer.state)]
    )
    assert other.pk not in {pk for found in context.by_subject.values() for _at, pk, _state in found}
    assert too_old.pk not in {pk for _at, pk, _state in context.by_subject[(marc.pk, "devis toiture")]}

    # Closed meanwhile (the second at work during the import): the next batch sees it closed.
    type(newer).objects.filter(pk=newer.pk).update(state=State.DISMISSED)
    context.end_batch()
    context.replies_prefetch(replies, days=30)
    assert (newer.pk, State.DISMISSED) in _found(context, marc.pk, "devis toiture")


def test_a_request_deleted_meanwhile_is_not_found(leader) -> None:
    marc = ContactFactory(email="marc@client.example")
    context = IngestContext.load(live=False)
    replies = [_reply("Marc <marc@client.example>", "Re: Devis", "<r1@client.example>")]
    context.contacts_prefetch(["marc@client.example"])
    context.replies_prefetch(replies, days=30)  # the first look-up: nothing older
    created = RequestFactory(requester=marc, subject="Devis")
    context.end_batch()
    context.replies_prefetch(replies, days=30)
    assert _found(context, marc.pk, "devis") == [(created.pk, created.state)]
    created.delete()
    context.end_batch()
    context.replies_prefetch(replies, days=30)
    assert _found(context, marc.pk, "devis") == []


def test_an_address_nobody_has_is_asked_again_only_after_a_while(leader) -> None:
    """Most recipients of a mailbox are nobody's contact: a batch does not ask about them again for
    ABSENT_BATCHES batches; then it does (someone may have added them)."""
    from cercle.intake.context import ABSENT_BATCHES

    context = IngestContext.load(live=False)
    context.contacts_prefetch(["Nobody@Example.org"])
    assert context.contacts.get("nobody@example.org") is None
    assert "nobody@example.org" in context.no_contact
    added = ContactFactory(email="nobody@example.org")
    for _ in range(ABSENT_BATCHES - 1):
        context.end_batch()
        context.contacts_prefetch(["nobody@example.org"])
        assert context.contacts.get("nobody@example.org") is None
        assert "nobody@example.org" in context.no_contact  # not asked: still nobody's, for now
    context.end_batch()
    context.contacts_prefetch(["nobody@example.org"])
    assert context.contacts.get("nobody@example.org") == added


def test_contacts_of_many_addresses_by_main_address_other_address_and_merge(leader) -> None:
    from cercle.network.models import Identity, IdentityKind
    from cercle.network.services import contacts_by_email_many

    marc = ContactFactory(email="marc@client.example")
    Identity.objects.create(contact=marc, kind=IdentityKind.EMAIL, value="marc.lenoir@perso.example")
    Identity.objects.create(contact=marc, kind=IdentityKind.NAME, value="nobody@nowhere.example")  # a name
    old = ContactFactory(email="ines@old.example")
    ines = ContactFactory(email="ines@atelier.example")
    type(old).objects.filter(pk=old.pk).update(merged_into=ines)
    found = contacts_by_email_many(
        ["MARC@client.example", "marc.lenoir@perso.example", "ines@old.example", "nobody@nowhere.example", ""]
    )
    assert found == {
        "marc@client.example": marc,
        "marc.lenoir@perso.example": marc,
        "ines@old.example": ines,
    }
    assert contacts_by_email_many([]) == {}
