"""core/bulk.py: rows written by one prepared statement read back as the ORM writes them; reserved keys
are nobody else's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, transaction

from cercle.circulation.models import Event, EventKind, Message, Request
from cercle.core.bulk import keys_reserve, objects_insert
from cercle.network.models import Contact


@pytest.mark.django_db
def test_objects_insert_writes_what_save_writes(incoming: Request) -> None:
    at = datetime(2026, 3, 29, 1, 30, 15, 123456, tzinfo=UTC)
    fields = dict(
        request=incoming,
        subject="Sujet é",
        from_email="a@b.example",
        sent_at=at,
        text="texte",
        attachments=[{"name": "f.pdf", "size": 3}],
        raw_compressed=b"\x00\x01raw",
        truncated=True,
    )
    saved = Message.objects.create(message_id="<orm@x>", **fields)
    objects_insert([Message(message_id="<bulk@x>", **fields)])
    bulk = Message.objects.get(message_id="<bulk@x>")
    for name in ("request_id", "subject", "from_email", "sent_at", "text", "attachments", "truncated"):
        assert getattr(bulk, name) == getattr(saved, name), name
    assert bytes(bulk.raw_compressed) == b"\x00\x01raw"
    assert bulk.created_at is not None  # auto_now_add filled as save() fills it


@pytest.mark.django_db
def test_related_objects_saved_in_between_give_their_keys(incoming: Request) -> None:
    request = Request(requester=incoming.requester, subject="Nouvelle", received_at=incoming.received_at)
    event = Event(request=request, kind=EventKind.CREATED, note="x")
    with transaction.atomic():
        request.pk = keys_reserve(Request, 1)[0]
        objects_insert([request])
        objects_insert([event])
    assert Event.objects.get(note="x").request_id == request.pk
    assert Request.objects.get(pk=request.pk).subject == "Nouvelle"


@pytest.mark.django_db
def test_ignore_conflicts_skips_a_duplicate_and_without_it_the_insert_fails(incoming: Request) -> None:
    Message.objects.create(message_id="<same@x>", request=incoming)
    objects_insert([Message(message_id="<same@x>", request=incoming)], ignore_conflicts=True)
    assert Message.objects.filter(message_id="<same@x>").count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        objects_insert([Message(message_id="<same@x>", request=incoming)])


@pytest.mark.django_db
def test_reserved_keys_follow_the_highest_ever_given() -> None:
    first = Contact.objects.create(email="one@x.example")
    last = Contact.objects.create(email="two@x.example")
    last_key = last.pk
    last.delete()  # a deleted key is never given again
    with transaction.atomic():
        keys = keys_reserve(Contact, 3)
    assert len(set(keys)) == 3 and min(keys) > last_key > first.pk
    with transaction.atomic():
        objects_insert([Contact(pk=k, email=f"{k}@x.example") for k in keys])
        again = keys_reserve(Contact, 1)
    assert again[0] > max(keys)
    # The ORM's own next key comes after them too.
    assert Contact.objects.create(email="next@x.example").pk > max(keys)


@pytest.mark.django_db(transaction=True)
def test_keys_are_reserved_only_inside_a_transaction() -> None:
    with pytest.raises(RuntimeError):
        keys_reserve(Contact, 2)
