"""Files sent with a message: stored with it in the outbox, delivered as MIME parts. An invitation
(text/calendar) is the body's alternative, with its iTIP method, and an .ics file besides."""

from __future__ import annotations

import base64

from cercle.outbox import services
from cercle.outbox.models import OutgoingMessage, OutgoingStatus

ICS = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
    b"UID:meeting-1@hub.example\r\nSEQUENCE:0\r\nDTSTAMP:20270101T090000Z\r\n"
    b"DTSTART:20270112T090000Z\r\nDTEND:20270112T100000Z\r\nSUMMARY:Premi\xc3\xa8re r\xc3\xa9union\r\n"
    b"END:VEVENT\r\nEND:VCALENDAR\r\n"
)


def _queue(*attachments: services.Attachment, key: str = "with-files") -> OutgoingMessage:
    return services.outbox_enqueue(
        idempotency_key=key,
        to=["Marc Lefèvre <marc@client.example>"],
        subject="Première réunion",
        body="Bonjour Marc,\nL'invitation est jointe.",
        attachments=list(attachments),
    )


def test_an_attachment_is_stored_with_the_message(db):
    outgoing = _queue(services.Attachment("devis.pdf", "application/pdf", b"%PDF-1.4 \x00\xff"))
    outgoing.refresh_from_db()
    [stored] = outgoing.attachments
    assert stored["filename"] == "devis.pdf"
    assert stored["content_type"] == "application/pdf"
    assert base64.b64decode(stored["content"]) == b"%PDF-1.4 \x00\xff"


def test_an_invitation_travels_as_a_calendar_alternative_and_an_ics_file(db, smtp_server):
    outgoing = _queue(services.Attachment("invitation.ics", "text/calendar; method=REQUEST", ICS))
    assert services.outbox_deliver(outgoing_id=outgoing.pk) == "sent"
    [message] = smtp_server.received()
    assert message.get_content_type() == "multipart/mixed"
    body, file = message.get_payload()
    assert body.get_content_type() == "multipart/alternative"
    text, calendar = body.get_payload()
    assert text.get_content_type() == "text/plain"
    assert "L'invitation est jointe." in text.get_content()
    assert calendar.get_content_type() == "text/calendar"
    assert calendar.get_param("method") == "REQUEST"
    assert calendar.get_content().replace("\r\n", "\n") == ICS.decode().replace("\r\n", "\n")
    assert file.get_filename() == "invitation.ics"
    assert file.get_content_type() == "application/ics"
    assert file.get_payload(decode=True) == ICS


def test_any_other_file_is_attached_as_it_is(db, smtp_server):
    outgoing = _queue(services.Attachment("devis.pdf", "application/pdf", b"%PDF-1.4 \x00\xff"))
    assert services.outbox_deliver(outgoing_id=outgoing.pk) == "sent"
    [message] = smtp_server.received()
    [file] = [p for p in message.walk() if p.get_filename()]
    assert file.get_content_type() == "application/pdf"
    assert file.get_payload(decode=True) == b"%PDF-1.4 \x00\xff"
    assert not [p for p in message.walk() if p.get_content_type() == "text/calendar"]


def test_a_damaged_attachment_fails_the_message_instead_of_retrying_it(db, smtp_server):
    outgoing = _queue()
    OutgoingMessage.objects.filter(pk=outgoing.pk).update(
        attachments=[{"filename": "x.ics", "content_type": "text/calendar", "content": "not base64!"}]
    )
    assert services.outbox_deliver(outgoing_id=outgoing.pk) == "failed"
    outgoing.refresh_from_db()
    assert outgoing.status == OutgoingStatus.FAILED
    assert smtp_server.received() == []
