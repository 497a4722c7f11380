"""Nothing skipped is thrown away: an import keeps the bytes of what it could not take, `cercle reparse
--quarantine` takes them again; Mac files with CR line ends are read as messages."""

from __future__ import annotations

from django.core.management import call_command

import cercle.intake.files as files
from cercle.circulation.models import Message
from cercle.intake.files import import_path
from cercle.intake.models import QuarantinedMessage
from tests.intake.mails import eml


def _folder(tmp_path):
    (tmp_path / "ok.eml").write_bytes(eml(message_id="<ok@client.example>", subject="Bien reçu"))
    (tmp_path / "broken.eml").write_bytes(eml(message_id="<broken@client.example>", subject="Cassé"))
    (tmp_path / "nobody.eml").write_bytes(b"Subject: sans expediteur\r\nMessage-ID: <n@x>\r\n\r\nBonjour\r\n")
    return tmp_path


def test_what_an_import_cannot_take_keeps_its_bytes_and_is_taken_again_after_a_fix(db, tmp_path, monkeypatch):
    real = files.message_ingest

    def broken(**kwargs):  # a bug in this version, fixed in the next
        if kwargs["parsed"].message_id == "<broken@client.example>":
            raise RuntimeError("parser bug")
        return real(**kwargs)

    monkeypatch.setattr(files, "message_ingest", broken)
    summary = import_path(_folder(tmp_path))
    assert summary.counts == {"created": 1, "failed": 1, "skipped": 1}
    assert summary.quarantined == 2
    kept = {row.source.rsplit("/", 1)[-1]: row for row in QuarantinedMessage.objects.all()}
    assert set(kept) == {"broken.eml", "nobody.eml"}
    assert kept["broken.eml"].reason == "RuntimeError: parser bug"
    assert kept["broken.eml"].raw == (tmp_path / "broken.eml").read_bytes()

    # The same import again keeps each once.
    assert import_path(tmp_path).quarantined == 0
    assert QuarantinedMessage.objects.count() == 2

    monkeypatch.setattr(files, "message_ingest", real)  # the fix
    call_command("reparse", "--quarantine")
    assert Message.objects.filter(message_id="<broken@client.example>").exists()
    still = QuarantinedMessage.objects.get()
    assert still.source.endswith("nobody.eml") and still.attempts == 2


def test_the_import_summary_names_the_files_and_the_quarantine(db, tmp_path, capsys):
    (tmp_path / "nobody.eml").write_bytes(b"Subject: sans expediteur\r\nMessage-ID: <n@x>\r\n\r\nBonjour\r\n")
    call_command("import", str(tmp_path))
    # The console wraps long lines where it likes (a space at the wrap goes): compare without spaces.
    out = "".join(capsys.readouterr().out.split())
    assert "".join(f"skipped {tmp_path / 'nobody.eml'}: no sender address".split()) in out
    assert "1newlykeptinquarantine" in out


def test_a_mac_mbox_with_cr_line_ends_is_read_as_messages(db, tmp_path):
    one = eml(message_id="<mac1@client.example>", subject="Premier").replace(b"\r\n", b"\r")
    two = eml(message_id="<mac2@client.example>", subject="Second").replace(b"\r\n", b"\r")
    mbox = tmp_path / "Mac.mbox"
    mbox.write_bytes(
        b"From marc@client.example Mon Nov 23 09:00:00 2026\r"
        + one
        + b"\rFrom marc@client.example Mon Nov 23 10:00:00 2026\r"
        + two
    )
    summary = import_path(mbox)
    assert summary.counts == {"created": 2}
    assert set(Message.objects.values_list("subject", flat=True)) == {"Premier", "Second"}
