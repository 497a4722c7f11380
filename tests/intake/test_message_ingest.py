"""message_ingest: what happens to one parsed message, by kind and direction. Nothing is lost."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import translation

from cercle.circulation.models import Direction, Message, Request
from cercle.intake.context import IngestContext
from cercle.intake.services import message_ingest
from cercle.mail.parse import parse_message
from tests.intake.mails import eml


def ingest(raw: bytes, direction: str = Direction.INBOUND, **kwargs):
    return message_ingest(parsed=parse_message(raw), raw=raw, direction=direction, **kwargs)


def test_a_new_message_becomes_a_request_and_keeps_its_raw_bytes(db):
    raw = eml(subject="Besoin d'un accompagnement")
    result = ingest(raw)
    assert result.status == "created"
    request = Request.objects.get(pk=result.request_id)
    assert request.subject == "Besoin d'un accompagnement"
    assert request.requester.email == "marc@client.example" and request.requester.name == "Marc Lenoir"
    message = request.messages.get()
    assert message.kind == "normal" and message.raw == raw


def test_bulk_mail_still_creates_a_request_but_is_marked(db):
    result = ingest(eml(headers="List-Unsubscribe: <mailto:u@news.example>\r\n"))
    assert result.status == "created"
    message = Message.objects.get()
    assert (message.kind, message.kind_reason) == ("bulk", "List-Unsubscribe")
    assert message.request_id == result.request_id


def test_an_auto_reply_that_threads_joins_its_request_with_an_event(db):
    first = ingest(eml(message_id="<ask@client.example>"))
    result = ingest(
        eml(
            message_id="<oof@client.example>",
            subject="Réponse automatique : Projet",
            headers="Auto-Submitted: auto-replied\r\nIn-Reply-To: <ask@client.example>\r\n",
        )
    )
    assert (result.status, result.request_id) == ("attached", first.request_id)
    request = Request.objects.get()
    assert request.events.filter(kind="message", note__contains="Automatic reply").count() == 1


def test_an_auto_reply_or_bounce_answering_nothing_is_stored_without_a_request(db):
    oof = ingest(eml(message_id="<oof@x>", headers="Auto-Submitted: auto-replied\r\n"))
    bounce = ingest(eml(message_id="<b@x>", sender="MAILER-DAEMON@mx.example", subject="Undelivered Mail"))
    assert (oof.status, oof.request_id) == ("stored", None) and oof.reason
    assert (bounce.status, bounce.request_id) == ("stored", None) and bounce.reason
    assert not Request.objects.exists()
    assert set(Message.objects.values_list("kind", "request")) == {("auto_reply", None), ("bounce", None)}


def test_a_bounce_without_any_sender_address_is_still_kept(db):
    raw = b"From: MAILER-DAEMON <>\r\nSubject: Mail delivery failed\r\nMessage-ID: <nd@x>\r\n\r\nfailed"
    assert ingest(raw).status == "stored"


def test_a_person_without_sender_address_is_skipped_with_a_reason(db):
    result = ingest(b"Subject: orphan\r\n\r\nno sender here")
    with translation.override("en"):
        assert (result.status, str(result.reason)) == ("skipped", "no sender address")
    assert not Message.objects.exists()


def test_the_same_message_twice_is_a_duplicate(db):
    ingest(eml())
    again = ingest(eml())
    assert again.status == "duplicate"
    assert Message.objects.count() == 1


def test_a_date_in_the_future_does_not_jump_the_queue(db):
    result = ingest(eml(date="Mon, 23 Nov 2099 09:00:00 +0100"))
    from django.utils import timezone

    assert Request.objects.get(pk=result.request_id).received_at <= timezone.now()


def test_a_date_with_an_impossible_offset_is_stored_in_utc(db):
    """Seen in the SpamAssassin corpus: "-1600", which PostgreSQL refuses as a time zone."""
    from datetime import UTC, datetime

    result = ingest(eml(date="Wed, 21 Aug 2002 20:31:57 -1600"))
    assert result.status == "created"
    message = Message.objects.get()
    assert message.sent_at == datetime(2002, 8, 22, 12, 31, 57, tzinfo=UTC)


def test_a_failure_inside_an_outer_transaction_rolls_back_only_that_message(db, monkeypatch):
    """The IMAP sync calls message_ingest inside its own transaction, with its ledger row."""
    import cercle.intake.services as services

    with transaction.atomic():
        ok = ingest(eml(message_id="<ok@x>"))
        real = services.request_create

        def broken(**kwargs):
            real(**kwargs)  # the request row is written, then the failure: the savepoint undoes it
            raise RuntimeError("disk on fire")

        monkeypatch.setattr(services, "request_create", broken)
        with pytest.raises(RuntimeError):
            ingest(eml(message_id="<ko@x>", sender="other@client.example"))
        monkeypatch.setattr(services, "request_create", real)
        # The outer transaction is still usable and keeps the first message.
        later = ingest(eml(message_id="<later@x>", sender="third@client.example"))
    assert ok.status == later.status == "created"
    assert set(Message.objects.values_list("message_id", flat=True)) == {"<ok@x>", "<later@x>"}
    assert Request.objects.count() == 2


def test_a_context_is_read_once_and_reused(db, django_assert_max_num_queries, leader):
    context = IngestContext.load()
    assert "lea@hub.example" in context.hub_addresses and "lea@hub.example" in context.leader_addresses
    ingest(eml(message_id="<warm@x>"), context=context)  # the sender is now in the context's cache
    # Known sender: lookup, savepoint, request + event, message, interaction, release.
    with django_assert_max_num_queries(8):
        ingest(eml(message_id="<second@x>", subject="Autre sujet"), context=context)


def test_forms_of_existing_callers_still_work(db):
    """The demo and the IMAP sync build ParsedMessage or call without the new keywords."""
    from cercle.mail.parse import ParsedMessage

    parsed = ParsedMessage(
        message_id="<demo@x>",
        subject="Démo",
        from_name="Demo",
        from_email="demo@client.example",
        to=["lea@hub.example"],
        cc=[],
        date=None,
        in_reply_to="",
        references=[],
        text="Bonjour",
        html="",
    )
    assert message_ingest(parsed=parsed, raw=None).status == "created"
