"""Automatic replies, bounces and bulk mail are recognised from their headers, a person's mail is not."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from cercle.intake.files import iter_sources
from cercle.mail.parse import parse_message
from tests.conftest import corpus_path
from tests.intake.mails import eml, multipart, text_part


def kind_of(raw: bytes) -> tuple[str, str]:
    parsed = parse_message(raw)
    return parsed.kind, parsed.kind_reason


def test_a_persons_mail_is_normal():
    assert kind_of(eml()) == ("normal", "")
    # Writing about one's holidays in a subject is not an automatic reply.
    assert kind_of(eml(subject="Absence du bureau la semaine prochaine"))[0] == "normal"
    assert kind_of(eml(subject="Out of office policy question"))[0] == "normal"


@pytest.mark.parametrize(
    ("headers", "subject"),
    [
        ("Auto-Submitted: auto-replied\r\n", "Projet"),
        ("Auto-Submitted: auto-generated\r\n", "Notification"),
        ("X-Autoreply: yes\r\n", "Re: Projet"),
        ("X-Autorespond: Projet\r\n", "Re: Projet"),
        ("Precedence: auto_reply\r\n", "Re: Projet"),
        ("Return-Path: <>\r\n", "Réponse automatique : Projet"),
        ("X-Auto-Response-Suppress: All\r\n", "Réponse automatique : Projet"),
        ("X-Auto-Response-Suppress: OOF\r\n", "Automatic reply: Projet"),
        ("Precedence: junk\r\n", "Absence du bureau : Projet"),
    ],
)
def test_automatic_replies_fr_and_en(headers, subject):
    kind, reason = kind_of(eml(headers=headers, subject=subject))
    assert kind == "auto_reply"
    assert reason


def test_auto_submitted_no_is_a_person():
    assert kind_of(eml(headers="Auto-Submitted: no\r\n"))[0] == "normal"


def test_an_automatic_subject_without_an_agreeing_header_is_not_enough():
    assert kind_of(eml(subject="Réponse automatique : Projet"))[0] == "normal"


@pytest.mark.parametrize(
    ("headers", "sender", "subject"),
    [
        ("", "Mail Delivery System <MAILER-DAEMON@mx.example>", "Undelivered Mail Returned to Sender"),
        ("", "postmaster@client.example", "Non remis : Projet"),
        ("Return-Path: <>\r\n", "Microsoft Outlook <outlook@client.example>", "Non remis : Projet"),
        ("X-Failed-Recipients: nobody@client.example\r\n", "mail@mx.example", "Mail delivery failed"),
    ],
)
def test_bounces(headers, sender, subject):
    assert kind_of(eml(headers=headers, sender=sender, subject=subject))[0] == "bounce"


def test_a_delivery_status_report_is_a_bounce_and_names_the_original_message():
    report = (
        b"Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example\r\n\r\n"
        b"Final-Recipient: rfc822; nobody@client.example\r\nAction: failed\r\nStatus: 5.1.1\r\n"
    )
    original = b"Content-Type: text/rfc822-headers\r\n\r\nMessage-ID: <ack-1@hub.example>\r\nSubject: Votre demande\r\n"
    raw = multipart(
        [text_part("Delivery failed"), report, original],
        subtype='report; report-type="delivery-status"',
        sender="mx@mx.example",
        subject="Delivery Status Notification (Failure)",
    )
    parsed = parse_message(raw)
    assert (parsed.kind, parsed.kind_reason) == (
        "bounce",
        "Content-Type: multipart/report; report-type=delivery-status",
    )
    assert parsed.thread_ids == ["<ack-1@hub.example>"]


def test_a_read_receipt_is_an_automatic_reply():
    raw = multipart(
        [
            text_part("Read"),
            b"Content-Type: message/disposition-notification\r\n\r\nFinal-Recipient: rfc822; x@y\r\n",
        ],
        subtype='report; report-type="disposition-notification"',
    )
    assert kind_of(raw)[0] == "auto_reply"


@pytest.mark.parametrize(
    "headers",
    [
        "Precedence: bulk\r\n",
        "Precedence: list\r\n",
        "List-Id: <annonces.asso.example>\r\n",
        "List-Unsubscribe: <mailto:unsubscribe@news.example>\r\n",
    ],
)
def test_bulk_mail(headers):
    assert kind_of(eml(headers=headers))[0] == "bulk"


def test_the_bounce_corpus_is_recognised():
    """sisimai's collection is ~800 real bounces and auto-replies from many MTAs (incl. French ones)."""
    root = Path(corpus_path("email-fixtures", "sisimai-set-of-emails", "maildir", "bsd"))
    kinds = Counter(parse_message(raw).kind for _where, raw, _err in iter_sources(root) if raw)
    automatic = kinds["bounce"] + kinds["auto_reply"]
    assert automatic / sum(kinds.values()) > 0.9, kinds
    not_bounces = Path(corpus_path("email-fixtures", "sisimai-set-of-emails", "maildir", "not"))
    persons = [p for p in not_bounces.iterdir() if p.name.startswith("is-not-bounce")]
    assert persons and {parse_message(p.read_bytes()).kind for p in persons} == {"normal"}


def test_mailing_lists_of_the_spamassassin_ham_are_bulk():
    root = Path(corpus_path("spamassassin", "easy_ham"))
    kinds = Counter(parse_message(p.read_bytes()).kind for p in sorted(root.iterdir())[:400])
    assert kinds["bulk"] > 300, kinds
