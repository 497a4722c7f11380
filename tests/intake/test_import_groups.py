"""A large import's writer commits several batches at once (intake/files.py `_Writer`, GROUP_BATCHES),
each batch in a savepoint. The batches decided meanwhile cannot read the uncommitted ones in the
database: they see them through what the import carries (`_carry`). These tests run outside a test
transaction (the writer's connection must commit for the deciding one to see)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from django.db import DatabaseError
from django.db.backends.base.base import BaseDatabaseWrapper

from cercle.circulation.models import Message
from cercle.intake import context as context_module
from cercle.intake import files
from cercle.intake.files import import_path
from cercle.network.models import Contact
from tests.intake.mails import eml
from tests.intake.test_import_batches import _hand_written, _one_by_one, _snapshot, _wipe

pytestmark = pytest.mark.django_db(transaction=True)


class _Commits:
    """Counts the writer's commits, and the batches in each."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.sizes: list[int] = []
        commit = files._Writer._commit

        def counted(writer: files._Writer) -> files._Written:
            written = commit(writer)
            if written.committed:
                self.sizes.append(len(written.committed))
            return written

        monkeypatch.setattr(files._Writer, "_commit", counted)


def _alone(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[dict, dict]:
    _wipe()
    with monkeypatch.context() as patch:
        patch.setattr(files, "_may_write_ahead", lambda: False)
        _one_by_one(patch)
        summary = import_path(path)
    return summary.counts, _snapshot()


def _by_address(key: str, rows: list) -> list:
    """Ties and their evidence by the order of the two addresses, not of the two contacts' keys (which
    follow the order the import met them in)."""
    if key == "ties":
        rows = [
            (b, a, n, bw, aw, *rest) if a > b else (a, b, n, aw, bw, *rest) for a, b, n, aw, bw, *rest in rows
        ]
    elif key == "evidence":
        rows = [(message, *sorted((a, b))) for message, a, b in rows]
    return sorted(rows)


@pytest.mark.parametrize("group", [3, 16])
def test_batches_committed_together_store_what_one_by_one_stores(
    tmp_path: Path, monkeypatch, leader, group: int
) -> None:
    monkeypatch.setattr(files, "BATCH_MESSAGES", 1)
    monkeypatch.setattr(files, "GROUP_BATCHES", group)
    monkeypatch.setattr(files, "GROUP_SECONDS", 600)
    with monkeypatch.context() as patch:
        commits = _Commits(patch)
        grouped = import_path(_hand_written(tmp_path))
    state = _snapshot()
    alone_counts, alone = _alone(tmp_path, monkeypatch)
    # Several batches a commit; fewer than the group when a batch must be decided again after a commit
    # (a LinkedIn notice, a Message-ID met again).
    assert 1 < max(commits.sizes) <= group and len(commits.sizes) > 1
    assert grouped.counts == alone_counts and grouped.counts["failed"] == 0
    for key in state:
        assert state[key] == alone[key], key


def test_a_contact_of_an_uncommitted_batch_is_not_created_twice(tmp_path: Path, monkeypatch, leader) -> None:
    """The cache of contacts has let her go (it holds one here), and the batch that created her is not
    committed: the import finds her in what it carries, not in the database."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    people = ["Ines <ines@atelier.example>", "Paul <paul@partner.example>", "Zoe <zoe@studio.example>"]
    for i, sender in enumerate([people[0], people[1], people[2], people[0], people[1], people[0]]):
        (inbox / f"{i:02}.eml").write_bytes(
            eml(
                message_id=f"<m{i}@example.org>",
                sender=sender,
                subject=f"Question {i}",
                date=f"Mon, 0{i + 1} Nov 2026 09:00:00 +0100",
            )
        )
    monkeypatch.setattr(files, "BATCH_MESSAGES", 1)
    monkeypatch.setattr(files, "GROUP_SECONDS", 600)
    monkeypatch.setattr(context_module._ContactCache.__init__, "__defaults__", (1,))
    with monkeypatch.context() as patch:
        commits = _Commits(patch)
        summary = import_path(tmp_path)
    assert commits.sizes == [6]  # one transaction
    assert summary.counts == {"created": 6}
    for email in ("ines@atelier.example", "paul@partner.example", "zoe@studio.example"):
        assert Contact.objects.filter(email=email).count() == 1, email


def test_a_group_whose_commit_fails_is_reported_failed_and_a_new_run_stores_it(
    tmp_path: Path, monkeypatch, leader
) -> None:
    """The database refuses the writer's first commit: every message of that group is reported failed,
    none of them is stored half-way, and running the import again stores exactly what one run stores."""
    monkeypatch.setattr(files, "BATCH_MESSAGES", 2)
    monkeypatch.setattr(files, "GROUP_BATCHES", 3)
    monkeypatch.setattr(files, "GROUP_SECONDS", 600)
    commit, refused = BaseDatabaseWrapper.commit, []

    def refusing_once(wrapper: BaseDatabaseWrapper) -> None:
        if threading.current_thread().name.startswith("cercle-import-writer") and not refused:
            refused.append(True)
            raise DatabaseError("disk I/O error")
        commit(wrapper)

    path = _hand_written(tmp_path)
    with monkeypatch.context() as patch:
        patch.setattr(BaseDatabaseWrapper, "commit", refusing_once)
        first = import_path(path)
    assert refused
    assert first.counts["failed"] == 6  # three batches of two
    assert sum("disk I/O error" in reason for _where, reason in first.skipped) == 6
    stored = set(Message.objects.values_list("message_id", flat=True))
    again = import_path(path)
    assert again.counts["failed"] == 0 and again.counts["created"] + again.counts["attached"] >= 1
    assert (
        len(stored) + sum(again.counts[s] for s in ("created", "attached", "stored"))
        == Message.objects.count()
    )
    state = _snapshot()
    _alone_counts, alone = _alone(path, monkeypatch)
    # The same mail, requests, events, interactions and ties. (A contact's name comes from the first
    # message that names them, and the new run met them in another order.)
    for key in state:
        if key not in ("contacts", "identities"):
            assert _by_address(key, state[key]) == _by_address(key, alone[key]), key
    assert [c[0] for c in state["contacts"]] == [c[0] for c in alone["contacts"]]
