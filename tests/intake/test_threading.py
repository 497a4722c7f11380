"""Replies and follow-ups join their request: by Message-ID, In-Reply-To, References, then by subject.

Both directions: what the leader sends (her sent folder) joins the request it answers and never
creates one; what the correspondent answers joins it too, whichever arrives first.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from cercle.circulation.models import Direction, Message, Request
from cercle.circulation.states import State
from cercle.intake.services import message_ingest
from cercle.mail.parse import parse_message
from cercle.mail.subjects import is_reply_subject, normalise_subject
from tests.intake.mails import eml

MARC = "Marc Lenoir <marc@client.example>"
LEA = "Léa Marchand <lea@hub.example>"


def ingest(raw: bytes, direction: str = Direction.INBOUND):
    return message_ingest(parsed=parse_message(raw), raw=raw, direction=direction)


def ask(
    subject: str = "Projet de transformation",
    message_id: str = "<ask@client.example>",
    date: str | None = None,
):
    kwargs = {"date": date} if date else {}
    return ingest(eml(message_id=message_id, subject=subject, **kwargs))


def test_subjects_are_normalised_in_french_and_english():
    for subject in (
        "Re: Devis",
        "RE : Devis",
        "Réf. : Devis",
        "TR: Devis",
        "Fwd: Devis",
        "FW: RE: Devis",
        "Re[2]: Devis",
        "AW: Devis",
        "[asso] Re: Devis",
        "Réponse automatique : Devis",
        "RE:  devis ",
    ):
        assert is_reply_subject(subject), subject
        assert normalise_subject(subject) == "devis", subject
    assert not is_reply_subject("Devis") and not is_reply_subject("[asso] Devis")
    assert not is_reply_subject("Refonte du site")


def test_a_reply_by_in_reply_to_joins_the_request(db):
    first = ask()
    reply = ingest(
        eml(
            message_id="<r1@x>", subject="Re: something else", headers="In-Reply-To: <ask@client.example>\r\n"
        )
    )
    assert (reply.status, reply.request_id) == ("attached", first.request_id)
    assert Request.objects.get().events.filter(kind="message").count() == 1


def test_a_reply_by_references_only_joins_the_request(db):
    first = ask()
    reply = ingest(
        eml(message_id="<r2@x>", subject="Suite", headers="References: <unknown@x> <ask@client.example>\r\n")
    )
    assert (reply.status, reply.request_id) == ("attached", first.request_id)


def test_a_reply_with_unknown_ids_falls_back_on_the_subject(db):
    first = ask()
    reply = ingest(
        eml(message_id="<r3@x>", subject="RE : Projet de transformation", headers="In-Reply-To: <lost@x>\r\n")
    )
    assert (reply.status, reply.request_id) == ("attached", first.request_id)


def test_the_subject_fallback_needs_a_reply_prefix_the_same_person_and_an_open_recent_request(db):
    first = ask()
    # No prefix: a new request, even with the same subject.
    assert ingest(eml(message_id="<n1@x>", subject="Projet de transformation")).status == "created"
    # Another person's reply with the same subject is not theirs.
    other = ingest(
        eml(message_id="<n2@x>", sender="zoe@other.example", subject="Re: Projet de transformation")
    )
    assert other.status == "created"
    # A closed or dismissed request does not take replies by subject.
    Request.objects.filter(pk__in=[first.request_id]).update(state=State.DISMISSED)
    Request.objects.filter(subject="Projet de transformation").exclude(pk=first.request_id).update(
        state=State.CLOSED
    )
    late = ingest(eml(message_id="<n3@x>", subject="Re: Projet de transformation"))
    assert late.status == "created" and late.request_id != first.request_id


def test_the_subject_fallback_ignores_requests_older_than_30_days(db):
    ask(date="Tue, 01 Sep 2026 09:00:00 +0200")
    reply = ingest(
        eml(
            message_id="<old@x>",
            subject="Re: Projet de transformation",
            date="Thu, 15 Oct 2026 09:00:00 +0200",
        )
    )
    assert reply.status == "created"


def test_the_subject_fallback_takes_the_most_recent_matching_request(db):
    now = timezone.now()
    older = ask(message_id="<a1@x>")
    newer = ask(message_id="<a2@x>")
    Request.objects.filter(pk=older.request_id).update(received_at=now - timedelta(days=3))
    Request.objects.filter(pk=newer.request_id).update(received_at=now - timedelta(days=1))
    reply = ingest(eml(message_id="<a3@x>", subject="Re: Projet de transformation", date=_rfc(now)))
    assert reply.request_id == newer.request_id


def _rfc(moment) -> str:
    from email.utils import format_datetime

    return format_datetime(moment)


def test_the_leaders_sent_reply_joins_the_request_and_records_an_event(db):
    first = ask()
    sent = ingest(
        eml(
            message_id="<sent1@hub.example>",
            sender=LEA,
            to=MARC,
            subject="Re: Projet de transformation",
            headers="In-Reply-To: <ask@client.example>\r\n",
        ),
        Direction.OUTBOUND,
    )
    assert (sent.status, sent.request_id) == ("attached", first.request_id)
    message = Message.objects.get(message_id="<sent1@hub.example>")
    assert message.direction == Direction.OUTBOUND
    assert Request.objects.get().events.filter(kind="message", note__contains="marc@client.example").exists()


def test_a_sent_reply_joins_by_subject_when_ids_are_lost(db):
    first = ask()
    sent = ingest(
        eml(message_id="<sent2@hub.example>", sender=LEA, to=MARC, subject="RE: Projet de transformation"),
        Direction.OUTBOUND,
    )
    assert (sent.status, sent.request_id) == ("attached", first.request_id)


def test_sent_mail_never_creates_a_request(db):
    sent = ingest(
        eml(message_id="<out@hub.example>", sender=LEA, to=MARC, subject="Proposition"), Direction.OUTBOUND
    )
    assert (sent.status, sent.request_id) == ("stored", None) and sent.reason
    assert not Request.objects.exists()
    assert Message.objects.get().direction == Direction.OUTBOUND


def test_the_correspondents_answer_to_sent_mail_becomes_a_request_and_threads_later_replies(db):
    ingest(
        eml(message_id="<out@hub.example>", sender=LEA, to=MARC, subject="Proposition"), Direction.OUTBOUND
    )
    answer = ingest(
        eml(
            message_id="<ans@client.example>",
            subject="Re: Proposition",
            headers="In-Reply-To: <out@hub.example>\r\n",
        )
    )
    assert answer.status == "created"
    follow = ingest(
        eml(
            message_id="<f@hub.example>",
            sender=LEA,
            to=MARC,
            subject="Re: Proposition",
            headers="In-Reply-To: <ans@client.example>\r\nReferences: <out@hub.example> <ans@client.example>\r\n",
        ),
        Direction.OUTBOUND,
    )
    assert (follow.status, follow.request_id) == ("attached", answer.request_id)


def test_a_reply_imported_before_its_parent_joins_the_request_when_the_parent_arrives(db):
    """Sent folder first, inbox second: the order of an import must not split a thread."""
    early = ingest(
        eml(
            message_id="<early@hub.example>",
            sender=LEA,
            to=MARC,
            subject="Re: Projet de transformation",
            headers="In-Reply-To: <ask@client.example>\r\n",
        ),
        Direction.OUTBOUND,
    )
    assert early.status == "stored"
    first = ask()
    assert Message.objects.get(message_id="<early@hub.example>").request_id == first.request_id


def test_a_bounce_joins_the_request_of_the_message_it_reports(db):
    from tests.intake.mails import multipart, text_part

    first = ask()
    bounce = multipart(
        [
            text_part("Delivery failed"),
            b"Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example\r\n\r\nAction: failed\r\n",
            b"Content-Type: text/rfc822-headers\r\n\r\nMessage-ID: <ask@client.example>\r\n",
        ],
        subtype='report; report-type="delivery-status"',
        sender="MAILER-DAEMON@mx.example",
        message_id="<dsn@mx.example>",
        subject="Undelivered Mail Returned to Sender",
    )
    result = ingest(bounce)
    assert (result.status, result.request_id) == ("attached", first.request_id)


def test_the_subject_fallback_with_accents_and_case(db):
    first = ask(subject="Réunion de LANCEMENT à Besançon")
    reply = ingest(eml(message_id="<acc@x>", subject="RE : réunion de lancement à besançon"))
    assert (reply.status, reply.request_id) == ("attached", first.request_id)
    short = ask(subject="Été", message_id="<ete@x>")
    assert ingest(eml(message_id="<ete2@x>", subject="Re: été")).request_id == short.request_id


def test_an_answer_to_our_acknowledgement_joins_its_request(db, second, leader):
    """The requester's client may name only Cercle's own Message-ID (In-Reply-To, no References)."""
    from cercle.circulation import services as circulation
    from cercle.outbox.models import OutgoingMessage

    first = ask(subject="Projet de transformation")
    request = Request.objects.get(pk=first.request_id)
    circulation.request_keep(actor=second, request=request)
    circulation.request_approve(actor=leader, request=request)
    ack = OutgoingMessage.objects.get(idempotency_key=f"ack:{request.pk}")

    answer = ingest(
        eml(
            message_id="<thanks@client.example>",
            subject="Merci !",  # no reply prefix: only the header links it
            headers=f"In-Reply-To: {ack.message_id}\r\n",
        )
    )
    assert (answer.status, answer.request_id) == ("attached", request.pk)
