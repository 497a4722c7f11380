"""The real corpora beside the project go through the parser and the import without a crash.

Every message ends imported (created, attached, stored), a duplicate, or skipped/failed with a
reason. Corpora (see each SOURCE.md under ../shared/corpus): email-fixtures (messy and malformed MIME
from parser test suites, ~1,400 files), SpamAssassin (easy_ham, hard_ham, spam: 3,249 messages) and
the Enron mbox subset (66 mbox files, 18,251 messages).

Every Enron message goes through the parser; the import (the database part, the slow one) takes two
whole users, chosen once and for all (holst-k and kuykendall-t: every folder, inbox and sent, about
1,600 messages), so that the suite stays within a few minutes.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from cercle.circulation.models import Message, Request
from cercle.intake.files import count_messages, import_path, iter_sources
from cercle.mail.parse import parse_message
from cercle.network.models import Interaction
from tests.conftest import corpus_path

ENRON_IMPORTED = ("holst-k", "kuykendall-t")
IMPORTED = ("created", "attached", "stored")


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path  # attachments land here
    return tmp_path


def parse_all(root: Path) -> Counter[str]:
    kinds: Counter[str] = Counter()
    for where, raw, error in iter_sources(root):
        if raw is None:
            assert error, where
            continue
        parsed = parse_message(raw)  # raises = the test fails and names nothing: keep it that way
        assert parsed.message_id.startswith("<"), where
        kinds[parsed.kind] += 1
    return kinds


def assert_accounted_for(summary, seen: int) -> None:
    assert summary.total == seen
    for where, why in summary.skipped:
        assert why, f"{where} skipped without a reason"
    assert set(summary.counts) <= {*IMPORTED, "duplicate", "skipped", "failed"}


@pytest.mark.parametrize("corpus", ["email-fixtures", "spamassassin", "enron-mbox"])
def test_every_message_of_the_corpus_parses(corpus):
    kinds = parse_all(Path(corpus_path(corpus)))
    assert sum(kinds.values()) > 1000


def test_the_messy_fixtures_are_imported_or_skipped_with_a_reason_and_a_second_run_adds_nothing(db, data_dir):
    root = Path(corpus_path("email-fixtures"))
    seen = sum(1 for _ in iter_sources(root))
    summary = import_path(root)
    assert_accounted_for(summary, seen)
    assert summary.counts["failed"] == 0, summary.skipped
    assert summary.counts["created"] > 250  # people's mail; the ~800 bounces are stored without a request
    assert summary.counts["stored"] > 500
    # Skipped only for a reason that is not a crash: no sender (raw TNEF, images…), empty, unreadable.
    assert {why for _w, why in summary.skipped} <= {"no sender address", "empty file"}
    # Nothing stored without its message.
    imported = sum(summary.counts[s] for s in IMPORTED)
    assert Message.objects.count() == imported
    again = import_path(root)
    assert again.counts["created"] == again.counts["attached"] == again.counts["stored"] == 0
    assert again.counts["skipped"] == summary.counts["skipped"]
    # Attachments of the fixtures are on disk, once each.
    stored = {a["sha256"] for m in Message.objects.all() for a in m.attachments if a["stored"]}
    assert stored and len([p for p in (data_dir / "attachments").rglob("*") if p.is_file()]) == len(stored)


def test_the_maildir_of_the_corpus_with_nested_folders(db, data_dir):
    root = Path(corpus_path("email-fixtures", "stalwart-mail-parser", "resources", "maildir"))
    expected = count_messages(root)
    summary = import_path(root)
    assert summary.total == expected > 0


def test_spamassassin_ham_and_spam_are_all_accounted_for(db, data_dir):
    root = Path(corpus_path("spamassassin"))
    seen = sum(1 for _ in iter_sources(root))
    summary = import_path(root)
    assert_accounted_for(summary, seen)
    assert summary.counts["failed"] == 0, summary.skipped[:5]
    assert summary.counts["created"] > 1500
    # Mailing-list traffic is marked bulk and records no relationship.
    assert Message.objects.filter(kind="bulk").count() > 1500
    bulk_senders = set(Message.objects.filter(kind="bulk").values_list("from_email", flat=True))
    normal_senders = set(Message.objects.filter(kind="normal").values_list("from_email", flat=True))
    assert not set(Interaction.objects.values_list("contact__email", flat=True)) & (
        bulk_senders - normal_senders
    )


def test_enron_mailboxes_in_both_directions(db, data_dir):
    """Two whole Enron users (every folder): received messages become requests or replies, the sent
    folders (`sent`, `sent_items`, `_sent_mail`) are sent mail that joins a request or is stored.
    (The CMU release gave each file its own Message-ID, so the Lotus Notes copies are not duplicates.)"""
    root = Path(corpus_path("enron-mbox"))
    summary = Counter()
    seen = 0
    for user in ENRON_IMPORTED:
        seen += sum(1 for _ in iter_sources(root / user))
        result = import_path(root / user)
        assert result.counts["failed"] == 0, result.skipped[:5]
        for where, why in result.skipped:
            assert why, where
        summary.update(result.counts)
    assert sum(summary.values()) == seen
    assert summary["created"] > 500 and summary["attached"] > 50 and summary["stored"] > 400
    assert Message.objects.filter(direction="out").count() > 400
    # Sent mail never created a request: every request starts with a received message.
    assert not Request.objects.exclude(messages__direction="in").exists()
    # Both directions of the relationships were recorded, once per message.
    assert (
        Interaction.objects.filter(inbound=True).exists()
        and Interaction.objects.filter(inbound=False).exists()
    )
    keys = list(Interaction.objects.values_list("contact_id", "source_key"))
    assert len(keys) == len(set(keys))


def test_the_streaming_mbox_reader_gives_what_the_standard_library_gives():
    """Every Enron mbox file, message by message, byte for byte, against `mailbox.mbox`."""
    import mailbox

    from cercle.intake.files import mbox_messages

    files = sorted(p for p in Path(corpus_path("enron-mbox")).rglob("enron.*") if p.is_file())
    assert len(files) > 50, "the Enron corpus has 66 mbox files"
    for path in files:
        box = mailbox.mbox(str(path), factory=None, create=False)
        expected = [box.get_bytes(key) for key in box.iterkeys()]
        assert [raw for _index, raw, _error in mbox_messages(path)] == expected, path
