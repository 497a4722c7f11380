"""A large import decides each batch while the previous one is written, in a thread of its own on its
own connection (intake/files.py `_Writer`). It must store exactly what writing message by message
stores, including where a message depends on one of the batch still being written: a reply to it,
a same-subject reply, its new contact, an orphan it adopts, a Message-ID met again. These tests run
outside a test transaction (a second connection must see what the first commits)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.db import DatabaseError

from cercle.circulation.models import Message
from cercle.intake import files
from cercle.intake.files import import_path
from cercle.network.models import Contact
from tests.conftest import corpus_path
from tests.intake.test_import_batches import _hand_written, _one_by_one, _snapshot, _wipe

pytestmark = pytest.mark.django_db(transaction=True)


class _Watch:
    """Counts what the pipeline did: batches handed to the writer, and batches it could not decide ahead."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.written = 0
        self.not_ahead = 0
        submit, decide = files._Writer.submit, files._decide_ahead

        def counted_submit(writer: files._Writer, decided: files._Decided) -> None:
            self.written += 1
            submit(writer, decided)

        def counted_decide(*args, **kwargs):
            decided = decide(*args, **kwargs)
            self.not_ahead += decided is None
            return decided

        monkeypatch.setattr(files._Writer, "submit", counted_submit)
        monkeypatch.setattr(files, "_decide_ahead", counted_decide)


def _ahead_and_alone(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[_Watch, dict, dict, dict, dict]:
    with monkeypatch.context() as patch:
        watch = _Watch(patch)
        ahead = import_path(path)
    decided_ahead = _snapshot()
    _wipe()
    with monkeypatch.context() as patch:
        patch.setattr(files, "_may_write_ahead", lambda: False)
        _one_by_one(patch)
        alone = import_path(path)
    return watch, ahead.counts, alone.counts, decided_ahead, _snapshot()


@pytest.mark.parametrize("batch", [1, 2, 3])
def test_batches_decided_ahead_store_what_one_by_one_stores(
    tmp_path: Path, monkeypatch, leader, batch: int
) -> None:
    monkeypatch.setattr(files, "BATCH_MESSAGES", batch)
    watch, ahead_counts, alone_counts, ahead, alone = _ahead_and_alone(_hand_written(tmp_path), monkeypatch)
    # The pipeline ran: batches went to the writer, and some (the LinkedIn notices, a Message-ID of the
    # batch in flight) were decided again once it had committed.
    assert watch.written >= 16 // (2 * batch)
    assert watch.not_ahead >= 1
    assert ahead_counts == alone_counts
    for key in ahead:
        assert ahead[key] == alone[key], key
    # With one message a batch, every one of these crossed a batch boundary.
    assert Message.objects.get(message_id="<reply@hub.example>").request.subject == "Projet de toiture"
    assert Message.objects.get(message_id="<toit-3@client.example>").request.subject == "Projet de toiture"
    assert Message.objects.filter(same_id_as__isnull=False).count() == 1
    assert Contact.objects.filter(email="ines@atelier.example").count() == 1
    assert Contact.objects.get(email="marc@client.example").phone


def test_real_mail_decided_ahead_and_one_by_one_agree(tmp_path: Path, monkeypatch) -> None:
    mailbox = tmp_path / "mail"
    mailbox.mkdir()
    for name in sorted(p.name for p in corpus_path("spamassassin", "easy_ham").iterdir())[:150]:
        shutil.copy(corpus_path("spamassassin", "easy_ham", name), mailbox / name)
    shutil.copy(corpus_path("enron-mbox", "allen-p", "enron.allen-p._sent_mail"), mailbox / "sent_mail")
    shutil.copy(corpus_path("enron-mbox", "allen-p", "enron.allen-p.inbox"), mailbox / "inbox")
    monkeypatch.setattr(files, "BATCH_MESSAGES", 20)
    watch, ahead_counts, alone_counts, ahead, alone = _ahead_and_alone(mailbox, monkeypatch)
    assert watch.written > 10
    assert ahead_counts == alone_counts
    assert ahead_counts["created"] > 100 and ahead_counts["attached"] > 10
    for key in ahead:
        assert ahead[key] == alone[key], key


def test_a_batch_that_fails_in_the_writer_is_written_again_and_the_next_decided_again(
    tmp_path: Path, monkeypatch, leader
) -> None:
    """The writer's transaction fails (here: the second batch it gets): that batch is rolled back and
    written again message by message, and the batch decided meanwhile, which counted on it, is decided
    again. Nothing is lost or doubled."""
    monkeypatch.setattr(files, "BATCH_MESSAGES", 2)
    write, calls = files._write_decided, []

    def failing_once(decided: files._Decided) -> None:
        calls.append(len(decided.items))
        if len(calls) == 2:
            raise DatabaseError("disk I/O error")
        write(decided)

    with monkeypatch.context() as patch:
        patch.setattr(files, "_write_decided", failing_once)
        failed_once = import_path(_hand_written(tmp_path))
    state = _snapshot()
    _wipe()
    with monkeypatch.context() as patch:
        patch.setattr(files, "_may_write_ahead", lambda: False)
        _one_by_one(patch)
        alone = import_path(tmp_path)
    assert len(calls) > 2
    assert failed_once.counts == alone.counts
    assert failed_once.counts["failed"] == 0
    for key in state:
        assert state[key] == _snapshot()[key], key


def test_an_import_inside_a_transaction_is_not_written_ahead(tmp_path: Path, monkeypatch, leader) -> None:
    """A caller's transaction holds its import's batches: no second connection writes them."""
    from django.db import transaction

    monkeypatch.setattr(files, "BATCH_MESSAGES", 2)
    watch = _Watch(monkeypatch)
    with transaction.atomic():
        summary = import_path(_hand_written(tmp_path))
    assert watch.written == 0
    assert summary.counts["created"] >= 6


def test_a_same_subject_reply_to_the_batch_in_flight_joins_its_request(tmp_path: Path, monkeypatch) -> None:
    """One message a batch: each reply (no Message-ID of its parent, only the subject) is decided while
    the request it answers is still being written; its new contact too."""
    from tests.intake.mails import eml

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for i in range(4):
        person = f"Client {i} <client{i}@example.org>"
        (inbox / f"{i}-a.eml").write_bytes(
            eml(
                message_id=f"<q{i}@example.org>",
                sender=person,
                subject=f"Devis {i}",
                date=f"Mon, 0{i + 1} Nov 2026 09:00:00 +0100",
                body="Pouvez-vous nous aider ?",
            )
        )
        (inbox / f"{i}-b.eml").write_bytes(
            eml(
                message_id=f"<r{i}@example.org>",
                sender=person,
                subject=f"Re: Devis {i}",
                date=f"Mon, 0{i + 1} Nov 2026 10:00:00 +0100",
                body="Une précision.",
            )
        )
    monkeypatch.setattr(files, "BATCH_MESSAGES", 1)
    watch, ahead_counts, alone_counts, ahead, alone = _ahead_and_alone(tmp_path, monkeypatch)
    assert watch.written == 8 and watch.not_ahead == 0
    assert ahead_counts == alone_counts == {"created": 4, "attached": 4}
    for key in ahead:
        assert ahead[key] == alone[key], key


def test_a_database_error_while_deciding_ahead_decides_that_batch_again(
    tmp_path: Path, monkeypatch, leader
) -> None:
    """A look-up that fails while a batch is decided ahead (the database said no): that batch is decided
    again the usual way once the previous one has committed, and nothing is lost."""
    from cercle.intake.context import IngestContext

    monkeypatch.setattr(files, "BATCH_MESSAGES", 2)
    prefetch, failures = IngestContext.contacts_prefetch, []

    def failing_once(context: IngestContext, emails: list[str]) -> None:
        if context.writes is not None and context.writes.ahead and not failures:
            failures.append(emails)
            raise DatabaseError("the server closed the connection")
        prefetch(context, emails)

    with monkeypatch.context() as patch:
        patch.setattr(IngestContext, "contacts_prefetch", failing_once)
        once = import_path(_hand_written(tmp_path))
    state = _snapshot()
    _wipe()
    with monkeypatch.context() as patch:
        patch.setattr(files, "_may_write_ahead", lambda: False)
        _one_by_one(patch)
        alone = import_path(tmp_path)
    assert failures
    assert once.counts == alone.counts and once.counts["failed"] == 0
    for key in state:
        assert state[key] == _snapshot()[key], key
