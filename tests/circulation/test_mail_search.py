"""Search the mail (circulation/search.py): imported mail is found by its words at once, every word must
match, each reader finds only what they may read, erased mail leaves the index; the page in FR and EN."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from cercle.circulation.models import Message, Request
from cercle.circulation.search import PG_DOCUMENT, messages_search
from cercle.intake.files import import_path
from tests.conftest import login
from tests.intake.mails import eml

pytestmark = pytest.mark.django_db


def _mailbox(tmp_path: Path) -> Path:
    mails = {
        "1.eml": eml(
            message_id="<devis@berthier.example>",
            sender="Claude Berthier <claude@berthier.example>",
            subject="Devis pour la charpente",
            body="Bonjour, pourriez-vous nous envoyer un devis pour la rénovation de la charpente ?",
        ),
        "2.eml": eml(
            message_id="<carbone@atelier.example>",
            sender="Inès Roy <ines@atelier.example>",
            subject="Bilan carbone",
            body="We need a carbon footprint assessment for our workshop before March.",
        ),
        "3.eml": eml(
            message_id="<bounce@hub.example>",
            sender="MAILER-DAEMON <mailer-daemon@hub.example>",
            subject="Undelivered Mail Returned to Sender",
            headers="Auto-Submitted: auto-replied\r\nIn-Reply-To: <gone@hub.example>\r\n",
            body="Your message about the charpente could not be delivered.",
        ),
    }
    for name, raw in mails.items():
        (tmp_path / name).write_bytes(raw)
    return tmp_path


def _subjects(found: list[Message]) -> set[str]:
    return {m.subject for m in found}


def test_imported_mail_is_found_by_its_words_at_once(tmp_path: Path, second) -> None:
    import_path(_mailbox(tmp_path))
    assert _subjects(messages_search(user=second, query="charpente devis")) == {"Devis pour la charpente"}
    assert _subjects(messages_search(user=second, query="FOOTPRINT")) == {"Bilan carbone"}
    # By the sender's name or address too.
    assert _subjects(messages_search(user=second, query="berthier")) == {"Devis pour la charpente"}


def test_every_word_must_match_and_syntax_is_not_an_operator(tmp_path: Path, second) -> None:
    import_path(_mailbox(tmp_path))
    assert messages_search(user=second, query="charpente footprint") == []
    # FTS operators and quotes are plain words here, not a syntax error.
    assert _subjects(messages_search(user=second, query='devis" OR NEAR(')) == set()
    assert _subjects(messages_search(user=second, query='"devis"')) == {"Devis pour la charpente"}
    assert messages_search(user=second, query="   ") == []


def test_accents_are_ignored(tmp_path: Path, second) -> None:
    import_path(_mailbox(tmp_path))
    for query in ("renovation", "rénovation", "RÉNOVATION", "Inès"):
        assert messages_search(user=second, query=query), query
    assert _subjects(messages_search(user=second, query="renovation")) == {"Devis pour la charpente"}
    assert _subjects(messages_search(user=second, query="ines roy")) == {"Bilan carbone"}


def test_a_member_finds_only_the_threads_they_may_read(tmp_path: Path, second, member) -> None:
    import_path(_mailbox(tmp_path))
    # The second finds the bounce kept without a request; a member never does.
    assert "Undelivered Mail Returned to Sender" in _subjects(messages_search(user=second, query="charpente"))
    assert messages_search(user=member, query="charpente") == []
    carbon = Request.objects.get(subject="Bilan carbone")
    carbon.lead = member
    carbon.save(update_fields=["lead"])
    assert _subjects(messages_search(user=member, query="carbon")) == {"Bilan carbone"}
    assert messages_search(user=member, query="devis") == []


def test_erased_and_edited_mail_follow_in_the_index(tmp_path: Path, second) -> None:
    import_path(_mailbox(tmp_path))
    Message.objects.filter(message_id="<carbone@atelier.example>").update(text="Nothing about it any more.")
    assert messages_search(user=second, query="footprint") == []
    assert _subjects(messages_search(user=second, query="nothing")) == {"Bilan carbone"}
    Request.objects.filter(subject="Devis pour la charpente").delete()  # its messages go with it
    assert "Devis pour la charpente" not in _subjects(messages_search(user=second, query="charpente"))


@pytest.mark.parametrize(
    ("language", "heading"),
    [("fr", "1 message contient «\u00a0devis\u00a0»"), ("en", "1 message holds “devis”")],
)
def test_the_page_in_each_language(tmp_path: Path, second, language: str, heading: str) -> None:
    import_path(_mailbox(tmp_path))
    page = login(second, language).get(reverse("circulation:search"), {"q": "devis"})
    assert page.status_code == 200
    html = page.content.decode()
    assert heading in html
    detail = reverse("circulation:detail", args=[Request.objects.get(subject="Devis pour la charpente").pk])
    assert detail in html


def test_the_page_needs_a_sign_in(client) -> None:
    page = client.get(reverse("circulation:search"), {"q": "devis"})
    assert page.status_code == 302


def test_accents_are_folded_in_mail_that_has_some_and_the_index_answers(tmp_path: Path, second) -> None:
    """Accents folded only in text that has a character outside ASCII (circulation 0011): plain mail and
    accented mail are both found either way; on PostgreSQL the question is the index's own expression."""
    import_path(_mailbox(tmp_path))
    assert _subjects(messages_search(user=second, query="renovation")) == {"Devis pour la charpente"}
    assert _subjects(messages_search(user=second, query="rénovation")) == {"Devis pour la charpente"}
    assert _subjects(messages_search(user=second, query="workshop")) == {"Bilan carbone"}
    assert _subjects(messages_search(user=second, query="inès")) == {"Bilan carbone"}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan TO off")
            cursor.execute(
                f"EXPLAIN SELECT id FROM intake_message WHERE {PG_DOCUMENT} @@ plainto_tsquery('simple', 'devis')"  # noqa: S608
            )
            assert "intake_message_search" in " ".join(row[0] for row in cursor.fetchall())
        else:
            cursor.execute(
                "SELECT count(*) FROM intake_message_fts WHERE intake_message_fts MATCH '\"renovation\"'"
            )
            assert cursor.fetchone()[0] == 1
