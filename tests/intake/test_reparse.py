"""`cercle reparse`: stored raw bytes read again; what the parser decides is updated, nothing else."""

from __future__ import annotations

from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cercle.circulation.models import Event, Message, Request
from cercle.intake import reparse
from cercle.intake.services import FormSubmission, message_ingest, request_submit_form
from cercle.mail.parse import parse_message
from tests.intake.mails import eml, file_part, multipart, text_part


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path  # attachments land here


def ingest(raw: bytes) -> int:
    result = message_ingest(parsed=parse_message(raw), raw=raw)
    assert result.request_id is not None
    return result.request_id


def test_what_an_older_parser_stored_is_brought_up_to_date_and_decisions_stay(db):
    raw = eml(
        subject="Demande d’accompagnement",
        date="Wed, 21 Aug 2002 20:31:57 -1600",  # an offset the parser once kept as is
        headers="List-Unsubscribe: <mailto:u@news.example>\r\n",
        body="Bonjour, nous préparons un projet régional.",
    )
    request_id = ingest(raw)
    # What an older parser might have stored: mojibake, no kind, a wrong date, no attachment list.
    Message.objects.update(
        text="Bonjour, nous prÃ©parons", kind="normal", kind_reason="", subject="Demande d?accompagnement",
        sent_at=datetime(2002, 8, 21, 20, 31, 57, tzinfo=UTC),
    )  # fmt: skip
    Request.objects.filter(pk=request_id).update(subject="Sujet corrigé par la seconde")
    events = Event.objects.count()

    summary = reparse.messages_reparse()

    assert summary.counts == {"updated": 1}
    message = Message.objects.get()
    assert message.text == "Bonjour, nous préparons un projet régional."
    assert (message.kind, message.kind_reason) == ("bulk", "List-Unsubscribe")
    assert message.subject == "Demande d’accompagnement"
    assert message.sent_at == datetime(2002, 8, 22, 12, 31, 57, tzinfo=UTC)
    # People's work is not the parser's: the request, its subject and its history are untouched.
    assert message.request_id == request_id
    assert Request.objects.get(pk=request_id).subject == "Sujet corrigé par la seconde"
    assert Event.objects.count() == events
    # A second run finds nothing to change.
    assert reparse.messages_reparse().counts == {"unchanged": 1}


def test_attachments_are_stored_again(db, settings):
    raw = multipart([text_part("Voici le devis."), file_part(b"%PDF-1.4 devis", filename="devis.pdf")])
    ingest(raw)
    Message.objects.update(attachments=[])
    assert reparse.messages_reparse().counts == {"updated": 1}
    (entry,) = Message.objects.get().attachments
    assert entry["name"] == "devis.pdf" and entry["stored"] is True


def test_one_message_that_fails_is_reported_and_the_others_are_updated(db, monkeypatch):
    for i in range(3):
        ingest(eml(message_id=f"<m{i}@client.example>", sender=f"p{i}@client.example", subject=f"Sujet {i}"))
    Message.objects.update(text="")
    real = reparse.parse_message

    def fragile(raw: bytes, **kwargs):  # type: ignore[no-untyped-def]
        if b"<m1@client.example>" in raw:
            raise RecursionError("maximum recursion depth exceeded")
        return real(raw, **kwargs)

    monkeypatch.setattr(reparse, "parse_message", fragile)
    summary = reparse.messages_reparse(batch=2)  # the failure sits in the first of two batches
    assert summary.counts == {"updated": 2, "failed": 1}
    assert summary.failed == [("<m1@client.example>", "RecursionError: maximum recursion depth exceeded")]
    assert sorted(Message.objects.exclude(text="").values_list("message_id", flat=True)) == [
        "<m0@client.example>",
        "<m2@client.example>",
    ]


def test_messages_without_raw_bytes_are_left_alone(db):
    request_submit_form(
        submission=FormSubmission(
            name="Anne", email="anne@client.example", organisation="", need="Un besoin", deadline=None,
            language="fr",
        )
    )  # fmt: skip
    assert reparse.messages_reparse().counts == {"no_raw": 1}
    assert Message.objects.get().text == "Un besoin"


def test_the_command_selects_a_request_and_ends_with_one_line(db):
    first = ingest(eml(message_id="<a@client.example>", sender="a@client.example", subject="Un"))
    ingest(eml(message_id="<b@client.example>", sender="b@client.example", subject="Deux"))
    Message.objects.update(text="")
    out = StringIO()
    call_command("reparse", "--request", str(first), stdout=out)
    assert out.getvalue().strip().splitlines()[-1] == "reparse: 1 messages, 1 updated, 0 unchanged, 0 failed"
    assert list(Message.objects.exclude(text="").values_list("message_id", flat=True)) == [
        "<a@client.example>"
    ]
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("reparse", "--since", "23/11/2026", stdout=StringIO())
    out = StringIO()
    call_command("reparse", "--since", "2020-01-01", stdout=out)
    assert out.getvalue().strip().splitlines()[-1] == "reparse: 2 messages, 1 updated, 1 unchanged, 0 failed"
