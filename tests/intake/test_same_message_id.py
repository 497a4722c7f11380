"""A Message-ID does not prove a message is known: the same ID with other content is another message."""

from __future__ import annotations

from django.core.management import call_command

from cercle.circulation.models import Direction, Message, Request
from cercle.intake.files import import_path
from cercle.intake.services import message_ingest
from cercle.mail.parse import parse_message
from tests.intake.mails import eml

SQUATTED = "<real-request@client.example>"


def ingest(raw: bytes):
    return message_ingest(parsed=parse_message(raw), raw=raw, direction=Direction.INBOUND)


def squatter() -> bytes:
    return eml(message_id=SQUATTED, sender="Spam <promo@spam.example>", subject="Promo", body="Achetez !")


def real() -> bytes:
    return eml(
        message_id=SQUATTED,
        sender="Marc Lenoir <marc@client.example>",
        subject="Levée de fonds",
        body="Bonjour, nous préparons une levée de fonds et aimerions votre regard.",
    )


def test_a_real_message_behind_a_squatted_message_id_is_not_lost(db):
    first = ingest(squatter())
    second = ingest(real())
    assert (first.status, second.status) == ("created", "created")
    kept = Message.objects.get(from_email="marc@client.example")
    assert kept.message_id != SQUATTED and kept.message_id.startswith("<real-request@client.example.same-id-")
    assert kept.same_id_as == Message.objects.get(message_id=SQUATTED)
    assert second.same_id_as == kept.same_id_as_id
    assert "kept apart" in str(second.reason)
    assert Request.objects.get(pk=second.request_id).subject == "Levée de fonds"


def test_importing_it_again_changes_nothing(db):
    ingest(squatter())
    ingest(real())
    assert [ingest(squatter()).status, ingest(real()).status] == ["duplicate", "duplicate"]
    assert Message.objects.count() == 2 and Request.objects.count() == 2


def test_the_same_message_with_other_line_ends_and_spacing_is_a_duplicate(db):
    ingest(real())
    again = real().replace(b"\r\n", b"\n").replace(b"Bonjour, nous", b"Bonjour,  nous")
    assert ingest(again).status == "duplicate"
    assert Message.objects.count() == 1


def test_the_import_summary_says_which_messages_were_kept_apart(db, tmp_path, capsys):
    (tmp_path / "1.eml").write_bytes(squatter())
    (tmp_path / "2.eml").write_bytes(real())
    summary = import_path(tmp_path)
    assert summary.counts["created"] == 2
    assert [where.rsplit("/", 1)[-1] for where in summary.kept_apart] == ["2.eml"]
    call_command("import", str(tmp_path))
    out = capsys.readouterr().out
    assert "2 duplicates" in out and "0 kept apart (same Message-ID, other content)" in out
