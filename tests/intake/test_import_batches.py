"""The file import holds each batch's rows and writes them together (intake/batch.py). It must store
exactly what writing message by message stores: the same requests, threads, events, contacts,
identities, interactions and ties, whatever the batch size — on hand-written mail full of the cases
where a later message depends on an earlier one of the same batch, and on real mail from the corpus."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.db import DatabaseError

from cercle.circulation.models import Event, Message, Request
from cercle.intake import batch as batch_module
from cercle.intake import files
from cercle.intake.files import import_path
from cercle.network.models import Contact, ContactTie, Identity, Interaction, TieEvidence
from tests.conftest import corpus_path
from tests.intake.mails import eml
from tests.intake.test_linkedin_notifications import notification_en

pytestmark = pytest.mark.django_db

HUB = "Léa Marchand <lea@hub.example>"


def _hand_written(root: Path) -> Path:
    inbox, sent = root / "inbox", root / "Sent"
    inbox.mkdir()
    sent.mkdir()
    mails = {
        # A sent reply stored before its parent (an orphan), then the parent adopts it.
        sent / "01.eml": eml(
            message_id="<reply@hub.example>",
            sender=HUB,
            to="Marc Lenoir <marc@client.example>",
            subject="Re: Projet de toiture",
            date="Mon, 02 Nov 2026 10:00:00 +0100",
            headers="In-Reply-To: <toit@client.example>\r\n",
            body="Bonjour Marc, avec plaisir. Léa",
        ),
        inbox / "02.eml": eml(
            message_id="<toit@client.example>",
            subject="Projet de toiture",
            to=f"{HUB}, Paul Durand <paul@partner.example>",
            date="Mon, 02 Nov 2026 09:00:00 +0100",
            body="Bonjour, nous avons un projet de toiture.\n\n--\nMarc Lenoir\nDirecteur technique\nTél. 06 12 34 56 78",
        ),
        # Replies in the same batch: by Message-ID, and by subject without ids.
        inbox / "03.eml": eml(
            message_id="<toit-2@client.example>",
            subject="RE: Projet de toiture",
            date="Mon, 02 Nov 2026 11:00:00 +0100",
            headers="In-Reply-To: <reply@hub.example>\r\nReferences: <toit@client.example> <reply@hub.example>\r\n",
            body="Merci !",
        ),
        inbox / "04.eml": eml(
            message_id="<toit-3@client.example>",
            subject="Re: Projet de toiture",
            date="Tue, 03 Nov 2026 09:00:00 +0100",
            body="Une précision sur le budget.",
        ),
        # A new person, twice in the batch (one contact), who names someone in copy.
        inbox / "05.eml": eml(
            message_id="<a1@atelier.example>",
            sender="Inès Roy <ines@atelier.example>",
            to=f"{HUB}, Marc Lenoir <marc@client.example>",
            subject="Bilan carbone",
            date="Wed, 04 Nov 2026 09:00:00 +0100",
            body="We need a carbon footprint assessment.",
        ),
        inbox / "06.eml": eml(
            message_id="<a2@atelier.example>",
            sender="Ines Roy <INES@atelier.example>",
            subject="Formation",
            date="Wed, 04 Nov 2026 10:00:00 +0100",
            body="Une autre question, sur une formation.",
        ),
        # The same message twice, and another message under an id already used.
        inbox / "07.eml": eml(
            message_id="<a2@atelier.example>",
            sender="Ines Roy <INES@atelier.example>",
            subject="Formation",
            date="Wed, 04 Nov 2026 10:00:00 +0100",
            body="Une autre question, sur une formation.",
        ),
        inbox / "08.eml": eml(
            message_id="<a2@atelier.example>",
            sender="Someone Else <squat@elsewhere.example>",
            subject="Autre chose",
            date="Wed, 04 Nov 2026 11:00:00 +0100",
            body="Un tout autre message.",
        ),
        # Sent mail to two people (ties, interactions), answering nothing known.
        sent / "09.eml": eml(
            message_id="<intro@hub.example>",
            sender=HUB,
            to="Marc Lenoir <marc@client.example>, Inès Roy <ines@atelier.example>",
            subject="Je vous présente",
            date="Thu, 05 Nov 2026 09:00:00 +0100",
            body="Marc, Inès : je vous présente l'un à l'autre.",
        ),
        # Automatic mail: a bounce about our sent mail, an out-of-office about nothing known.
        inbox / "10.eml": eml(
            message_id="<bounce@mx.example>",
            sender="MAILER-DAEMON <mailer-daemon@mx.example>",
            subject="Undelivered Mail Returned to Sender",
            date="Thu, 05 Nov 2026 09:05:00 +0100",
            headers="Auto-Submitted: auto-replied\r\nIn-Reply-To: <intro@hub.example>\r\n",
            body="Delivery failed.",
        ),
        inbox / "11.eml": eml(
            message_id="<ooo@far.example>",
            sender="Far Away <far@far.example>",
            subject="Réponse automatique : absent",
            date="Thu, 05 Nov 2026 09:06:00 +0100",
            headers="Auto-Submitted: auto-replied\r\n",
            body="Je suis absent.",
        ),
        # A LinkedIn message notification, then the next message of that conversation.
        inbox / "12.eml": notification_en("<li-1@linkedin.com>"),
        inbox / "13.eml": notification_en("<li-2@linkedin.com>", body="Avez-vous pu regarder ?"),
        # A newsletter (a request marked bulk), no sender address, an empty file.
        inbox / "14.eml": eml(
            message_id="<news@letter.example>",
            sender="La Lettre <news@letter.example>",
            subject="Les nouvelles de novembre",
            date="Fri, 06 Nov 2026 09:00:00 +0100",
            headers="List-Unsubscribe: <mailto:u@letter.example>\r\nPrecedence: bulk\r\n",
            body="Au sommaire ce mois-ci…",
        ),
        inbox / "15.eml": b"Subject: sans expediteur\r\nMessage-ID: <nofrom@x.example>\r\n\r\nTexte.\r\n",
        inbox / "16.eml": b"",
    }
    for path, raw in mails.items():
        path.write_bytes(raw)
    return root


def _snapshot() -> dict[str, list]:
    """The stored state by natural keys (primary keys differ between two imports)."""
    email = {c.pk: c.email or c.linkedin_url or c.name for c in Contact.objects.all()}
    mid = dict(Message.objects.values_list("pk", "message_id"))
    subject = {
        r.pk: (r.subject, email[r.requester_id], r.received_at.isoformat()) for r in Request.objects.all()
    }
    return {
        "requests": sorted(
            (*subject[r.pk], r.channel, r.language, r.state, r.summary) for r in Request.objects.all()
        ),
        "messages": sorted(
            (
                m.message_id,
                subject.get(m.request_id),
                m.direction,
                m.kind,
                m.from_email,
                m.text,
                mid.get(m.same_id_as_id),
                bool(m.raw_compressed),
            )
            for m in Message.objects.all()
        ),
        "events": sorted(
            (subject[e.request_id], e.kind, e.to_state, e.note, str(e.note_source), e.actor_id)
            for e in Event.objects.all()
        ),
        "contacts": sorted(
            (c.email, c.linkedin_url, c.name, c.organisation, c.phone, c.position, c.language, c.hub_own)
            for c in Contact.objects.all()
        ),
        "identities": sorted((email[i.contact_id], i.kind, i.value) for i in Identity.objects.all()),
        "interactions": sorted(
            (email[i.contact_id], i.kind, i.inbound, i.at.isoformat(), i.source_key, i.subject, i.audience)
            for i in Interaction.objects.all()
        ),
        "ties": sorted(
            (email[t.a_id], email[t.b_id], t.count, t.a_wrote, t.b_wrote, t.first_at, t.last_at)
            for t in ContactTie.objects.all()
        ),
        "evidence": sorted((e.message_key, email[e.a_id], email[e.b_id]) for e in TieEvidence.objects.all()),
    }


def _wipe() -> None:
    Message.objects.all().delete()
    Request.objects.all().delete()
    Contact.objects.all().delete()


def _one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the import write message by message (each in its own savepoint), as before batches."""
    write = files._write
    monkeypatch.setattr(
        files,
        "_write",
        lambda items, context, *, channel, direction, held, with_batch=None: write(
            items, context, channel=channel, direction=direction, held=False, with_batch=with_batch
        ),
    )


def _both_ways(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[dict, dict, dict, dict]:
    held = import_path(path)
    batched = _snapshot()
    _wipe()
    with monkeypatch.context() as patch:
        _one_by_one(patch)
        alone = import_path(path)
    return held.counts, alone.counts, batched, _snapshot()


@pytest.mark.parametrize("batch", [200, 3, 1])
def test_batches_store_what_one_by_one_stores(tmp_path: Path, monkeypatch, leader, batch: int) -> None:
    monkeypatch.setattr(files, "BATCH_MESSAGES", batch)
    held_counts, alone_counts, batched, alone = _both_ways(_hand_written(tmp_path), monkeypatch)
    assert held_counts == alone_counts
    assert held_counts["created"] >= 6 and held_counts["attached"] >= 3 and held_counts["duplicate"] == 1
    for key in batched:
        assert batched[key] == alone[key], key
    # The cases this mailbox is about did happen.
    assert Message.objects.get(message_id="<reply@hub.example>").request.subject == "Projet de toiture"
    assert Message.objects.filter(same_id_as__isnull=False).count() == 1
    assert Contact.objects.get(email="marc@client.example").phone
    assert ContactTie.objects.filter(count__gte=1).exists()


def test_real_mail_batched_and_one_by_one_agree(tmp_path: Path, monkeypatch) -> None:
    mailbox = tmp_path / "mail"
    mailbox.mkdir()
    for name in sorted(p.name for p in corpus_path("spamassassin", "easy_ham").iterdir())[:150]:
        shutil.copy(corpus_path("spamassassin", "easy_ham", name), mailbox / name)
    shutil.copy(corpus_path("enron-mbox", "allen-p", "enron.allen-p._sent_mail"), mailbox / "sent_mail")
    shutil.copy(corpus_path("enron-mbox", "allen-p", "enron.allen-p.inbox"), mailbox / "inbox")
    monkeypatch.setattr(files, "BATCH_MESSAGES", 50)
    held_counts, alone_counts, batched, alone = _both_ways(mailbox, monkeypatch)
    assert held_counts == alone_counts
    assert held_counts["created"] > 100
    for key in batched:
        assert batched[key] == alone[key], key


def test_a_batch_that_fails_to_write_is_written_again_one_by_one(tmp_path: Path, monkeypatch, leader) -> None:
    """A held batch whose write fails (here: the ties' statement) is rolled back whole and written
    message by message: nothing lost, nothing doubled."""
    calls = {"n": 0}
    real = batch_module.ties_record_many

    def failing(items: list) -> int:
        calls["n"] += 1
        raise DatabaseError("simulated failure of the batch's write")

    monkeypatch.setattr(batch_module, "ties_record_many", failing)
    first, again = tmp_path / "first", tmp_path / "again"
    first.mkdir()
    again.mkdir()
    summary = import_path(_hand_written(first))
    assert calls["n"] == 1
    assert summary.counts["failed"] == 0
    after_fallback = _snapshot()
    monkeypatch.setattr(batch_module, "ties_record_many", real)
    _wipe()
    import_path(_hand_written(again))  # held, and writing fine this time: the same rows
    assert _snapshot() == after_fallback


def test_a_batch_whose_messages_clash_on_writing_is_written_again_one_by_one(
    tmp_path: Path, monkeypatch, leader
) -> None:
    """The batch's messages are written in one statement (a COPY on PostgreSQL): when one of them clashes
    with a row stored meanwhile, that statement fails whole, the batch rolls back and is written message
    by message: nothing lost, nothing doubled, the same rows as a batch that wrote fine."""
    clean = tmp_path / "clean"
    clean.mkdir()
    import_path(_hand_written(clean))
    expected = _snapshot()
    _wipe()
    real = batch_module.objects_insert
    clashes = []

    def clashing(objects: list, **kwargs) -> None:
        if not clashes and objects and isinstance(objects[0], Message):
            # Another writer stores one of these Message-IDs between the batch's look-up and its write.
            clashes.append(Message.objects.create(message_id=objects[-1].message_id))
        real(objects, **kwargs)

    monkeypatch.setattr(batch_module, "objects_insert", clashing)
    again = tmp_path / "again"
    again.mkdir()
    summary = import_path(_hand_written(again))
    assert clashes  # the clash happened, in the held batch's write
    assert summary.counts["failed"] == 0
    assert _snapshot() == expected
