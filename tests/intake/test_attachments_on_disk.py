"""Attachments are written under the data dir, named by their SHA-256, once, and never above the cap."""

from __future__ import annotations

import hashlib

import pytest

from cercle.circulation.models import Message
from cercle.intake.services import message_ingest
from cercle.mail.attachments import attachment_path
from cercle.mail.parse import parse_message
from tests.conftest import corpus_path
from tests.intake.mails import file_part, multipart, text_part

PDF = b"%PDF-1.4\n" + b"x" * 2000


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def ingest(raw: bytes):
    return message_ingest(parsed=parse_message(raw), raw=raw)


def test_an_attachment_is_stored_by_its_digest_with_its_metadata(db, data_dir):
    ingest(multipart([text_part("Voir PJ"), file_part(PDF, filename="../../devis.pdf")]))
    [entry] = Message.objects.get().attachments
    digest = hashlib.sha256(PDF).hexdigest()
    assert entry == {
        "name": "devis.pdf",
        "type": "application/pdf",
        "size": len(PDF),
        "sha256": digest,
        "stored": True,
        "reason": "",
        "role": "file",
    }
    path = data_dir / "attachments" / digest[:2] / digest[2:4] / digest
    assert path.read_bytes() == PDF
    # The sender's name never became a path.
    assert not list(data_dir.rglob("devis.pdf"))


def test_the_same_file_sent_twice_is_stored_once(db, data_dir):
    ingest(multipart([text_part("1"), file_part(PDF)], message_id="<one@x>"))
    ingest(multipart([text_part("2"), file_part(PDF, filename="copie.pdf")], message_id="<two@x>"))
    files = [p for p in (data_dir / "attachments").rglob("*") if p.is_file()]
    assert len(files) == 1
    assert {m.attachments[0]["sha256"] for m in Message.objects.all()} == {files[0].name}


def test_an_attachment_above_the_cap_is_listed_with_the_reason_not_written(db, data_dir, settings):
    settings.CERCLE = {**settings.CERCLE, "MAX_ATTACHMENT_BYTES": 1000}
    ingest(
        multipart(
            [
                text_part("Gros fichier"),
                file_part(PDF),
                file_part(b"small", filename="note.txt", content_type="text/plain"),
            ]
        )
    )
    big, small = Message.objects.get().attachments
    assert (big["stored"], big["reason"], big["size"]) == (False, "too_large", len(PDF))
    assert (small["stored"], small["reason"]) == (True, "")
    assert not attachment_path(big["sha256"], root=data_dir / "attachments").exists()
    # The raw message still holds it: nothing is lost.
    assert PDF[:9] in parse_message(Message.objects.get().raw).attachments[0].payload


def test_inline_images_calendars_and_tnef_are_stored_and_described(db, data_dir):
    tnef = (corpus_path("email-fixtures", "tnefparse", "tests", "examples") / "one-file.tnef").read_bytes()
    ics = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTART:20261201T090000Z\r\nSUMMARY:Point\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ingest(
        multipart(
            [
                text_part("Invitation et logo"),
                file_part(
                    b"\x89PNG\r\n\x1a\n",
                    content_type="image/png",
                    filename="logo.png",
                    disposition="inline",
                    content_id="logo@x",
                ),
                file_part(
                    ics,
                    content_type="text/calendar",
                    filename=None,
                    disposition="",
                    extra_params="; method=REQUEST",
                ),
                file_part(tnef, content_type="application/ms-tnef", filename="winmail.dat"),
            ]
        )
    )
    image, calendar, winmail = Message.objects.get().attachments
    assert image["inline"] is True and image["content_id"] == "logo@x" and image["stored"]
    assert calendar["role"] == "calendar" and calendar["name"] == "invitation.ics"
    assert calendar["calendar"]["summary"] == "Point" and calendar["calendar"]["method"] == "REQUEST"
    assert winmail["role"] == "tnef" and winmail["name"] == "winmail.dat" and winmail["size"] == len(tnef)


def test_an_unwritable_disk_keeps_the_message_and_says_why(db, settings, tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_bytes(b"")
    settings.DATA_DIR = blocker  # attachments/ cannot be created under a file
    result = ingest(multipart([text_part("x"), file_part(PDF)]))
    assert result.status == "created"
    [entry] = Message.objects.get().attachments
    assert (entry["stored"], entry["reason"]) == (False, "not_written")


def test_digests_are_checked_before_becoming_paths():
    with pytest.raises(ValueError):
        attachment_path("../../etc/passwd")
