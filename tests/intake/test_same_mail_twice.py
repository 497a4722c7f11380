"""The same mail by IMAP (CRLF) and by file (LF) is one message, with or without a Message-ID; a From:
after a malformed header line is found."""

from __future__ import annotations

import hashlib

from cercle.circulation.models import Direction, Message, Request
from cercle.intake.services import message_ingest
from cercle.mail.parse import parse_message

NO_ID = (
    b"From: Marc Lenoir <marc@client.example>\r\nTo: lea@hub.example\r\nSubject: Sans identifiant\r\n"
    b"Date: Mon, 23 Nov 2026 09:00:00 +0100\r\n\r\nBonjour,\r\nun message sans Message-ID.\r\n"
)


def ingest(raw: bytes):
    return message_ingest(parsed=parse_message(raw), raw=raw, direction=Direction.INBOUND)


def test_crlf_and_lf_copies_without_a_message_id_are_one_message(db):
    assert ingest(NO_ID).status == "created"
    assert ingest(NO_ID.replace(b"\r\n", b"\n")).status == "duplicate"
    assert ingest(NO_ID.replace(b"\r\n", b"\r")).status == "duplicate"
    assert Message.objects.count() == 1 and Request.objects.count() == 1
    assert parse_message(NO_ID).message_id == parse_message(NO_ID.replace(b"\r\n", b"\n")).message_id


def test_mail_stored_by_an_earlier_version_is_still_recognised(db):
    parsed = parse_message(NO_ID)
    earlier = f"<sha256-{hashlib.sha256(NO_ID).hexdigest()[:40]}@cercle.invalid>"  # the old derivation
    parsed.message_id, parsed.alias_ids = earlier, []
    message_ingest(parsed=parsed, raw=NO_ID, direction=Direction.INBOUND)
    assert ingest(NO_ID.replace(b"\r\n", b"\n")).status == "duplicate"
    assert Message.objects.count() == 1


def test_a_from_after_a_malformed_header_line_is_found():
    raw = (
        b"Received: from mx.example by hub.example\r\nthis line is no header\r\n"
        b"From: Marc Lenoir <marc@client.example>\r\nSubject: Projet\r\nMessage-ID: <stray@client.example>\r\n"
        b"\r\nBonjour,\r\nnotre projet.\r\n"
    )
    parsed = parse_message(raw)
    assert (parsed.from_email, parsed.subject, parsed.message_id) == (
        "marc@client.example",
        "Projet",
        "<stray@client.example>",
    )
    assert "Bonjour" in parsed.text and "From:" not in parsed.text
    assert "StrayHeaderLineDropped" in parsed.defects
