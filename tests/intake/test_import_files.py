"""`cercle import`: .eml, mbox and Maildir; idempotent; every malformed file accounted for."""

from __future__ import annotations

import mailbox
import re
from importlib import import_module
from io import StringIO

import pytest
from django.core.management import call_command

from cercle.circulation.models import Message, Request
from cercle.intake.files import count_messages, import_path


def _eml(message_id: str, subject: str, sender: str = "marc@client.example", extra: str = "") -> bytes:
    return (
        f"From: Marc <{sender}>\r\nTo: lea@hub.example\r\nSubject: {subject}\r\n"
        f"Message-ID: {message_id}\r\n{extra}\r\nBonjour, nous avons besoin d'aide.\r\n"
    ).encode()


def test_a_reply_attaches_to_its_request_instead_of_creating_one(db, tmp_path):
    (tmp_path / "1.eml").write_bytes(_eml("<one@x>", "Projet"))
    (tmp_path / "2.eml").write_bytes(_eml("<two@x>", "Re: Projet", extra="In-Reply-To: <one@x>\r\n"))
    summary = import_path(tmp_path)
    assert summary.counts == {"created": 1, "attached": 1}
    request = Request.objects.get()
    assert request.messages.count() == 2
    assert request.events.filter(kind="message").count() == 1


def test_importing_twice_creates_nothing_new(db, tmp_path):
    (tmp_path / "1.eml").write_bytes(_eml("<one@x>", "Projet"))
    import_path(tmp_path)
    again = import_path(tmp_path)
    assert again.counts == {"duplicate": 1}
    assert Request.objects.count() == 1


def test_mbox_and_maildir_are_read(db, tmp_path):
    box = mailbox.mbox(str(tmp_path / "archive.mbox"))
    box.add(_eml("<m1@x>", "Un", "a@client.example"))
    box.add(_eml("<m2@x>", "Deux", "b@client.example"))
    box.flush()
    maildir = mailbox.Maildir(str(tmp_path / "Maildir"), create=True)
    maildir.add(_eml("<d1@x>", "Trois", "c@client.example"))
    assert count_messages(tmp_path) == 3
    summary = import_path(tmp_path)
    assert summary.counts["created"] == 3
    assert set(Request.objects.values_list("subject", flat=True)) == {"Un", "Deux", "Trois"}


def test_a_maildir_is_read_in_delivery_order_across_new_and_cur(db, tmp_path):
    """Maildir names start with the delivery time: a reply delivered later comes after its parent, even
    when the parent was read (`cur`) and the reply not yet (`new`); hidden files and stray folders are
    not messages; sub-folders follow."""
    root = tmp_path / "Maildir"
    for sub in ("new", "cur", "tmp"):
        (root / sub).mkdir(parents=True)
    (root / "cur" / "1700000001.M1P1.host:2,S").write_bytes(_eml("<first@x>", "Projet"))
    (root / "new" / "1700000002.M2P1.host").write_bytes(
        _eml("<second@x>", "Re: Projet", extra="In-Reply-To: <first@x>\r\n")
    )
    (root / "cur" / "1700000003.M3P1.host:2,").write_bytes(_eml("<third@x>", "Autre", "b@client.example"))
    (root / "cur" / ".hidden").write_bytes(_eml("<hidden@x>", "Caché"))
    (root / "cur" / "stray-folder").mkdir()
    (root / "tmp" / "1700000004.M4P1.host").write_bytes(_eml("<tmp@x>", "En cours de livraison"))
    archive = root / ".Archives"
    for sub in ("new", "cur", "tmp"):
        (archive / sub).mkdir(parents=True)
    (archive / "cur" / "1600000000.M0P1.host:2,S").write_bytes(_eml("<old@x>", "Ancien", "c@client.example"))
    assert count_messages(root) == 4
    seen: list[str] = []
    summary = import_path(
        root, on_message=lambda where, status: seen.append(f"{where.rsplit(':', 1)[1]} {status}")
    )
    assert seen == [
        "1700000001.M1P1.host created",
        "1700000002.M2P1.host attached",
        "1700000003.M3P1.host created",
        "1600000000.M0P1.host created",
    ]
    assert summary.counts == {"created": 3, "attached": 1}
    assert not Message.objects.filter(message_id__in=["<hidden@x>", "<tmp@x>"]).exists()


def test_a_message_without_sender_is_reported_as_skipped(db, tmp_path):
    (tmp_path / "x.eml").write_bytes(b"Subject: orphan\r\n\r\nno sender here")
    (tmp_path / "empty.eml").write_bytes(b"")
    summary = import_path(tmp_path)
    assert summary.counts == {"skipped": 2}
    reasons = sorted(why for _where, why in summary.skipped)
    assert reasons == ["empty file", "no sender address"]
    assert not Request.objects.exists()


def test_the_command_prints_a_summary(db, tmp_path):
    (tmp_path / "1.eml").write_bytes(_eml("<one@x>", "Projet"))
    out = StringIO()
    call_command("import", str(tmp_path), stdout=out)
    # The benchmark reads this line: its start stays as it is, new counts go at its end.
    assert (
        "import: 1 messages, 1 new requests, 0 replies attached, 0 duplicates, 0 skipped, "
        "0 stored without a request, 0 failed" in out.getvalue()
    )


def test_a_large_import_refreshes_the_mail_statistics_but_not_the_full_text_expression(
    db, tmp_path, monkeypatch
):
    from django.db import connection

    command = import_module("cercle.intake.management.commands.import")
    # Every column named is one of the mail's (a renamed field would break the command on PostgreSQL).
    columns = {field.column for field in Message._meta.concrete_fields}
    assert set(command.ANALYZED_MAIL_COLUMNS) <= columns
    assert {"text", "html", "raw_compressed"}.isdisjoint(command.ANALYZED_MAIL_COLUMNS)
    monkeypatch.setattr(command, "ANALYZE_AFTER", 2)
    (tmp_path / "1.eml").write_bytes(_eml("<one@x>", "Projet"))
    (tmp_path / "2.eml").write_bytes(_eml("<two@x>", "Autre", "b@client.example"))
    call_command("import", str(tmp_path), stdout=StringIO())
    if connection.vendor != "postgresql":
        return  # SQLite plans without them: nothing to refresh
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname FROM pg_stats WHERE schemaname = current_schema() AND tablename = %s",
            ["intake_message"],
        )
        analysed = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT count(*) FROM pg_statistic s JOIN pg_class c ON c.oid = s.starelid WHERE c.relname = %s",
            ["intake_message_search"],
        )
        expression_rows = cursor.fetchone()[0]
    assert {"sent_at", "request_id", "from_email"} <= analysed
    assert "text" not in analysed
    assert expression_rows == 0


def test_the_command_refuses_a_missing_path(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("import", "/nonexistent/path/for/cercle")


def test_a_message_that_fails_is_reported_failed_and_the_import_goes_on(db, tmp_path, monkeypatch):
    import cercle.intake.files as files

    (tmp_path / "1.eml").write_bytes(_eml("<one@x>", "Un"))
    (tmp_path / "2.eml").write_bytes(_eml("<two@x>", "Deux", "b@client.example"))
    real = files.message_ingest

    def flaky(**kwargs):
        if kwargs["parsed"].message_id == "<one@x>":
            raise RuntimeError("boom")
        return real(**kwargs)

    monkeypatch.setattr(files, "message_ingest", flaky)
    summary = import_path(tmp_path)
    assert summary.counts == {"failed": 1, "created": 1}
    assert summary.skipped == [(str(tmp_path / "1.eml"), "RuntimeError: boom")]
    monkeypatch.setattr(files, "message_ingest", real)
    assert import_path(tmp_path).counts == {"created": 1, "duplicate": 1}


def test_sent_folders_are_imported_as_sent_mail(db, tmp_path, leader):
    box = mailbox.Maildir(str(tmp_path / "Maildir"), create=True)
    box.add(_eml("<in@x>", "Projet"))
    sent = box.add_folder("Sent")
    sent.add(_eml("<out@hub.example>", "Re: Projet", "lea@hub.example", extra="In-Reply-To: <in@x>\r\n"))
    # A message from the leader's own address is sent mail wherever it lies.
    (tmp_path / "loose.eml").write_bytes(_eml("<loose@hub.example>", "Proposition", "lea@hub.example"))
    summary = import_path(tmp_path)
    assert summary.counts == {"created": 1, "attached": 1, "stored": 1}
    assert set(Message.objects.filter(direction="out").values_list("message_id", flat=True)) == {
        "<out@hub.example>",
        "<loose@hub.example>",
    }
    assert Request.objects.count() == 1


def test_folder_names_that_mean_sent():
    from cercle.intake.files import is_sent_folder

    for name in (
        "Sent",
        ".Sent Items",
        "INBOX.Sent",
        "Éléments envoyés",
        "Envoyés",
        "sent_items",
        "enron.allen-p._sent_mail",
        "enron.allen-p.sent",
        "Sent Messages",
    ):
        assert is_sent_folder(name), name
    for name in ("INBOX", "cur", "Consent forms", "enron.allen-p.inbox", "Présentations", ""):
        assert not is_sent_folder(name), name


def test_the_command_can_force_the_direction(db, tmp_path):
    (tmp_path / "1.eml").write_bytes(_eml("<one@x>", "Projet"))
    out = StringIO()
    call_command("import", str(tmp_path), "--direction", "sent", stdout=out)
    assert re.search(r"\b0 new requests, .*\b1 stored without a request\b", out.getvalue()), out.getvalue()
    assert Message.objects.get().direction == "out"


def test_an_mbox_is_streamed_with_its_edge_cases(db, tmp_path):
    """A message larger than the cap is reported, not read, and the next one still comes; the blank line
    before a "From " line is not part of the message; the last message may lack its final newline."""
    from cercle.intake.files import mbox_messages

    path = tmp_path / "takeout.mbox"
    path.write_bytes(
        b"From MAILER-DAEMON Mon Jan  1 00:00:00 2024\n"
        + _eml("<a@x>", "Un", "a@client.example").replace(b"\r\n", b"\n")
        + b"\nFrom huge@x Mon Jan  1 00:00:00 2024\n"
        + _eml("<big@x>", "Gros", "b@client.example").replace(b"\r\n", b"\n")
        + b"x" * 300
        + b"\n\nFrom c@x Mon Jan  1 00:00:00 2024\n"
        + _eml("<c@x>", "Trois", "c@client.example").replace(b"\r\n", b"\n").rstrip(b"\n")
    )
    found = list(mbox_messages(path, max_bytes=200))
    assert [(index, error) for index, _raw, error in found] == [(0, ""), (1, "larger than 50 MB"), (2, "")]
    assert found[0][1] is not None and found[0][1].endswith(b"besoin d'aide.\n")
    assert found[2][1] is not None and found[2][1].endswith(b"besoin d'aide.")
    (tmp_path / "preamble.mbox").write_bytes(b"From \n")  # one empty message: skipped, not a crash
    summary = import_path(tmp_path)
    assert summary.counts == {"created": 3, "skipped": 1}
    assert set(Request.objects.values_list("subject", flat=True)) == {"Un", "Gros", "Trois"}


def test_a_maildir_file_is_read_whole_and_one_over_the_cap_is_reported(tmp_path, monkeypatch) -> None:
    """Maildir files are read with one open and one read: whole, even when the file is larger than the
    size the read asked for (it grew since); over the cap, reported and not read; gone since the listing,
    reported with the system's error."""
    from cercle.intake import files

    small, big = tmp_path / "small.eml", tmp_path / "big.eml"
    small.write_bytes(b"x" * 10)
    big.write_bytes(b"y" * 3000)
    assert files._read_file(small) == b"x" * 10
    assert files._read_file(big) == b"y" * 3000
    monkeypatch.setattr(files, "MAX_MESSAGE_BYTES", 2000)
    assert files._read_file(big) is None

    # A file that grows between the size the read asked for and the read itself.
    fstat = files.os.fstat

    class _Smaller:
        def __init__(self, real) -> None:
            self.st_size = real.st_size // 3

    monkeypatch.setattr(files.os, "fstat", lambda fd: _Smaller(fstat(fd)))
    assert files._read_file(small) == b"x" * 10
    monkeypatch.setattr(files.os, "fstat", fstat)

    maildir = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    (maildir / "cur" / "1.host:2,S").write_bytes(_eml("<one@x>", "Un", "a@client.example"))
    (maildir / "cur" / "2.host:2,S").write_bytes(_eml("<two@x>", "Deux", "b@client.example") + b"z" * 3000)
    sources = files._sources(maildir)
    first = next(sources)
    (maildir / "cur" / "2.host:2,S").unlink()  # a mail client moved it meanwhile
    second = next(sources)
    assert first[1] is not None and first[2] == ""
    assert second[1] is None and "No such file" in second[2]
