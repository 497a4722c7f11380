"""Importing a LinkedIn export: contacts, interactions, requests for new inbound messages, idempotence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from cercle.accounts.permissions import NotAllowed
from cercle.circulation.models import Channel, Event, Message, Request
from cercle.intake.linkedin import services
from cercle.intake.linkedin.export import read_export
from cercle.intake.linkedin.services import linkedin_export_import
from cercle.network.models import Contact, Interaction
from tests.conftest import corpus_path
from tests.factories import ContactFactory
from tests.intake.linkedin import builders as b


def run(tmp_path, files, name="export", **options):
    return linkedin_export_import(export=read_export(b.write_folder(tmp_path / name, files)), **options)


def snapshot() -> dict[str, int]:
    return {
        "contacts": Contact.objects.count(),
        "interactions": Interaction.objects.count(),
        "requests": Request.objects.count(),
        "messages": Message.objects.count(),
        "events": Event.objects.count(),
    }


# --- Connections -----------------------------------------------------------------------------


def test_connections_create_contacts_with_a_normalised_linkedin_url_and_a_connection_date(db, tmp_path):
    connections = (
        b.NOTES + b.CONNECTIONS_HEADER + "\n"
        "Marc,Durand,http://fr.linkedin.com/in/marc-durand/?trk=people,Marc@Durand.example,Durand & Fils,Gérant,15 Jan 2024\n"
        "Anna,Schmidt,https://www.linkedin.com/in/anna-schmidt,,Schmidt GmbH,CEO,02 Feb 2025\n"
    )
    summary = run(tmp_path, {"Connections.csv": connections})
    marc = Contact.objects.get(linkedin_url="https://www.linkedin.com/in/marc-durand")
    assert (marc.name, marc.email, marc.organisation, marc.position) == (
        "Marc Durand",
        "marc@durand.example",
        "Durand & Fils",
        "Gérant",
    )
    anna = Contact.objects.get(name="Anna Schmidt")
    assert anna.email == ""  # LinkedIn hides most addresses; still a contact, found by URL next time
    connection = marc.interactions.get()
    assert connection.kind == "connection"
    assert timezone.localdate(connection.at).isoformat() == "2024-01-15"
    assert summary.counts["contacts_created"] == 2
    assert summary.counts["interactions"] == 2
    assert Request.objects.count() == 0


def test_a_contact_known_by_e_mail_gets_its_linkedin_url_and_keeps_what_it_had(db, tmp_path):
    known = ContactFactory(email="marc@durand.example", name="Marc D.", organisation="Ancienne SARL")
    connections = (
        b.CONNECTIONS_HEADER + "\n"
        "Marc,Durand,https://www.linkedin.com/in/marc-durand,marc@durand.example,Durand & Fils,Gérant,15 Jan 2024\n"
    )
    summary = run(tmp_path, {"Connections.csv": connections})
    known.refresh_from_db()
    assert known.linkedin_url == b.MARC_URL
    assert known.position == "Gérant"  # a blank is filled
    assert (known.name, known.organisation) == ("Marc D.", "Ancienne SARL")  # never overwritten
    assert Contact.objects.count() == 1
    assert summary.counts["contacts_updated"] == 1
    assert summary.counts["contacts_created"] == 0


def test_the_2016_corpus_sample_gives_contacts_found_by_address_on_the_next_import(db, tmp_path):
    sample = corpus_path("linkedin-export", "2016-gsnaveen")
    first = linkedin_export_import(export=read_export(sample))
    assert first.counts["contacts_created"] == 3
    assert set(Contact.objects.values_list("email", flat=True)) == {
        "joe_frank@noemail.com",
        "laura_tippet@noemail.com",
        "tom_tob@noemail.com",
    }
    laura = Contact.objects.get(email="laura_tippet@noemail.com")
    assert (laura.organisation, laura.position) == ("Company B", "CEO")
    assert laura.interactions.get().at == datetime(2016, 11, 21, 12, 39, tzinfo=UTC)
    before = snapshot()
    again = linkedin_export_import(export=read_export(sample))
    assert snapshot() == before
    assert again.counts["contacts_created"] == again.counts["interactions"] == 0


# --- Messages become requests ----------------------------------------------------------------


def test_a_recent_inbound_message_opens_a_linkedin_request_in_the_triage_queue(db, tmp_path):
    when = b.ago(2)
    text = "Hello Léa, we would need your help for our company project. Could we talk next week?"
    summary = run(
        tmp_path, {"Profile.csv": b.profile(), "messages.csv": b.messages(b.from_marc("c1", when, text))}
    )
    request = Request.objects.get()
    assert request.channel == Channel.LINKEDIN
    assert request.state == "received"
    assert request.language == "en"
    assert request.received_at == when
    assert request.subject.startswith("Hello Léa, we would need your help")
    assert request.requester.linkedin_url == b.MARC_URL
    assert request.requester.name == "Marc Durand"
    message = request.messages.get()
    assert message.direction == "in"
    assert message.message_id.startswith("<li-") and message.message_id.endswith("@linkedin.invalid>")
    assert message.text == text
    interaction = request.requester.interactions.get()
    assert (interaction.kind, interaction.inbound, interaction.at) == ("linkedin", True, when)
    assert summary.counts["requests_created"] == 1


def test_a_conversation_keeps_one_request_with_both_sides_of_the_thread(db, tmp_path):
    rows = [
        b.from_marc("c1", b.ago(5), "Bonjour Léa, nous avons besoin d'un accompagnement pour notre projet."),
        b.to_marc("c1", b.ago(4), "Bonjour Marc, avec plaisir : quand êtes-vous disponible ?"),
        b.from_marc("c1", b.ago(3), "Jeudi ?"),
        b.from_marc("c2", b.ago(2), "Autre sujet : une conférence en juin, seriez-vous disponible ?"),
    ]
    summary = run(tmp_path, {"Profile.csv": b.profile(), "messages.csv": b.messages(*rows)})
    first, other = Request.objects.order_by("received_at")
    assert first.language == "fr"
    assert [(m.direction, m.text) for m in first.messages.all()] == [
        ("in", rows[0][8]),
        ("out", rows[1][8]),
        ("in", "Jeudi ?"),
    ]
    assert other.messages.get().text.startswith("Autre sujet")
    assert first.requester == other.requester
    # Only the new inbound message is an event for the second; the owner's answer is not.
    assert first.events.filter(kind="message").count() == 1
    assert summary.counts["requests_created"] == 2
    assert summary.counts["messages_attached"] == 2


def test_the_owner_s_messages_are_outbound_and_never_open_a_request(db, tmp_path):
    group = b.message(
        "c9",
        b.OWNER,
        b.OWNER_URL,
        "Marc Durand,Anna Schmidt",
        f"{b.MARC_URL},{b.ANNA_URL}",
        b.ago(1),
        "Je vous présente l'un à l'autre.",
    )
    summary = run(tmp_path, {"Profile.csv": b.profile(), "messages.csv": b.messages(group)})
    assert Request.objects.count() == 0
    assert Message.objects.count() == 0
    sent = Interaction.objects.order_by("contact__name")
    assert [(i.contact.name, i.inbound, i.kind) for i in sent] == [
        ("Anna Schmidt", False, "linkedin"),
        ("Marc Durand", False, "linkedin"),
    ]
    assert not Contact.objects.filter(linkedin_url=b.OWNER_URL).exists()  # the leader is not a contact
    assert summary.counts["messages_without_request"] == 1


def test_when_the_owner_wrote_first_the_reply_opens_a_request_with_the_whole_thread(db, tmp_path):
    files = {
        "Profile.csv": b.profile(),
        "messages.csv": b.messages(
            b.to_marc("c1", b.ago(200), "Bonjour Marc, il y a longtemps."),
            b.to_marc("c1", b.ago(6), "Bonjour Marc, je prépare un atelier : seriez-vous intéressé ?"),
            b.from_marc("c1", b.ago(5), "Oui, nous avons besoin de vous pour notre équipe."),
        ),
    }
    summary = run(tmp_path, files)
    request = Request.objects.get()
    assert request.summary.startswith("Oui, nous avons besoin")  # opened by Marc's reply
    assert [m.direction for m in request.messages.all()] == ["out", "in"]  # the old one stays out
    assert request.requester.linkedin_url == b.MARC_URL
    assert summary.counts["messages_attached"] == 1
    assert summary.counts["messages_without_request"] == 0
    before = snapshot()
    again = run(tmp_path, files, name="again")
    assert snapshot() == before
    assert again.counts["messages_attached"] == again.counts["requests_created"] == 0


def test_messages_older_than_the_cut_off_only_feed_contacts_and_interactions(db, tmp_path):
    files = {
        "Profile.csv": b.profile(),
        "messages.csv": b.messages(
            b.from_marc("old", b.ago(200), "Bonjour, un vieux projet de 2024."),
            b.from_marc("new", b.ago(10), "Bonjour, un projet récent."),
        ),
    }
    summary = run(tmp_path, files)
    assert list(Request.objects.values_list("summary", flat=True)) == ["Bonjour, un projet récent."]
    assert Interaction.objects.filter(kind="linkedin").count() == 2
    assert summary.counts["messages_before_cutoff"] == 1
    assert summary.since == pytest.approx(timezone.now() - timedelta(days=90), abs=timedelta(minutes=1))
    # The cut-off is a parameter: a longer window brings the old conversation in, once.
    wider = run(tmp_path, files, since=timezone.now() - timedelta(days=365))
    assert wider.counts["requests_created"] == 1
    assert wider.counts["messages_duplicate"] == 1
    assert Request.objects.count() == 2


def test_an_empty_message_is_skipped_with_a_reason(db, tmp_path):
    summary = run(
        tmp_path, {"Profile.csv": b.profile(), "messages.csv": b.messages(b.from_marc("c1", b.ago(1), ""))}
    )
    assert Request.objects.count() == 0
    assert summary.skipped == [("messages.csv:2", "empty message (an attachment or a deleted message)")]


def test_without_a_way_to_tell_the_owner_messages_are_skipped_but_connections_kept(db, tmp_path):
    files = {
        "messages.csv": b.messages(
            b.from_marc("c1", b.ago(2), "Bonjour"), b.to_marc("c1", b.ago(1), "Salut")
        ),
        "Connections.csv": b.CONNECTIONS_HEADER
        + "\nMarc,Durand,https://www.linkedin.com/in/marc-durand,,,,\n",
    }
    summary = run(tmp_path, files)
    assert Request.objects.count() == 0
    assert Contact.objects.count() == 1
    assert summary.counts["skipped"] == 2
    assert all("Profile.csv" in why for _where, why in summary.skipped)


# --- Invitations -----------------------------------------------------------------------------


def test_invitations_record_an_interaction_with_the_other_party(db, tmp_path):
    invitations = b.csv_text(
        b.INVITATIONS_HEADER,
        [
            ["Anna Schmidt", b.OWNER, "3/15/25, 10:22 AM", "Hello Léa!", "INCOMING", b.ANNA_URL, b.OWNER_URL],
            [b.OWNER, "Marc Durand", "3/16/25, 9:00 PM", "", "OUTGOING", b.OWNER_URL, b.MARC_URL],
        ],
    )
    summary = run(tmp_path, {"Invitations.csv": invitations})
    anna = Contact.objects.get(linkedin_url=b.ANNA_URL)
    received = anna.interactions.get()
    assert (received.kind, received.inbound, received.subject) == ("invitation", True, "Hello Léa!")
    assert received.at == datetime(2025, 3, 15, 10, 22, tzinfo=UTC)
    sent = Contact.objects.get(linkedin_url=b.MARC_URL).interactions.get()
    assert (sent.inbound, sent.at) == (False, datetime(2025, 3, 16, 21, 0, tzinfo=UTC))
    assert summary.counts["interactions"] == 2
    assert Request.objects.count() == 0


# --- Idempotence -----------------------------------------------------------------------------


def _export_files(*rows: list[str], newline: str = "\n") -> dict[str, str | bytes]:
    return {
        "Profile.csv": b.profile(),
        "Connections.csv": b.NOTES
        + b.CONNECTIONS_HEADER
        + "\nMarc,Durand,https://www.linkedin.com/in/marc-durand,,Durand & Fils,Gérant,15 Jan 2024\n",
        "messages.csv": b.messages(*rows, newline=newline),
    }


def test_importing_the_same_export_twice_creates_nothing_twice(db, tmp_path):
    files = _export_files(
        b.from_marc("c1", b.ago(3), "Bonjour Léa, un projet ?"),
        b.to_marc("c1", b.ago(2), "Oui, parlons-en."),
        b.from_marc("c1", b.ago(1), "Merci !"),
    )
    zipped = b.write_zip(tmp_path / "export.zip", files)
    linkedin_export_import(export=read_export(zipped))
    before = snapshot()
    again = linkedin_export_import(export=read_export(zipped))
    assert snapshot() == before
    assert again.counts["messages_duplicate"] == 3
    for key in (
        "contacts_created",
        "contacts_updated",
        "interactions",
        "requests_created",
        "messages_attached",
    ):
        assert again.counts[key] == 0, key


def test_a_newer_overlapping_export_adds_only_the_new_messages(db, tmp_path):
    first, reply = b.ago(6), b.ago(2)
    run(tmp_path, _export_files(b.from_marc("c1", first, "Bonjour Léa,\nun projet ?")), name="january")
    request = Request.objects.get()
    # The newer export, newest first as LinkedIn writes it, re-saved with CRLF and a BOM: the known
    # message moved to another line, a reply in its conversation, and a new conversation.
    newer = _export_files(
        b.message("c2", "Anna Schmidt", b.ANNA_URL, b.OWNER, b.OWNER_URL, b.ago(1), "Hello, new topic."),
        b.from_marc("c1", reply, "Je relance : avez-vous vu mon message ?"),
        b.from_marc("c1", first, "Bonjour Léa,\r\nun projet ?"),
        newline="\r\n",
    )
    newer["messages.csv"] = b"\xef\xbb\xbf" + str(newer["messages.csv"]).encode()
    summary = run(tmp_path, newer, name="march")
    assert summary.counts["messages_duplicate"] == 1
    assert summary.counts["messages_attached"] == 1
    assert summary.counts["requests_created"] == 1
    assert [m.sent_at for m in request.messages.all()] == [first, reply]
    assert Request.objects.count() == 2
    assert Contact.objects.filter(linkedin_url=b.MARC_URL).count() == 1


def test_a_2018_export_without_urls_threads_by_people_and_reimports_cleanly(db, tmp_path):
    root = corpus_path("linkedin-export", "2018-abhishekwebcode-headers")

    def us(moment: datetime) -> str:
        return f"{moment.month}/{moment.day}/{moment:%y}, {moment.hour % 12 or 12}:{moment:%M} {moment:%p}"

    rows = (
        f'Marc Durand,Léa Marchand,"{us(b.ago(3))}",Projet,"Bonjour Léa, un projet pour vous.",INCOMING,INBOX\n'
        f'Léa Marchand,Marc Durand,"{us(b.ago(2))}",RE: Projet,"Avec plaisir.",OUTGOING,INBOX\n'
    )
    files = {
        "Profile.csv": (root / "Profile.csv").read_bytes() + "Léa,Marchand,,,,,,,,,,,,,\n".encode(),
        "Messages.csv": (root / "Messages.csv").read_bytes() + rows.encode(),
        "Connections.csv": (root / "Connections.csv").read_bytes()
        + b"Marc,Durand,,Durand & Fils,Gerant,01 Nov 2018\n",
    }
    run(tmp_path, files)
    request = Request.objects.get()
    assert request.subject == "Projet"
    assert [m.direction for m in request.messages.all()] == ["in", "out"]
    marc = Contact.objects.get()  # one Marc: the connection and the messages are the same person
    assert (marc.name, marc.linkedin_url, marc.organisation) == ("Marc Durand", "", "Durand & Fils")
    before = snapshot()
    run(tmp_path, files, name="again")
    assert snapshot() == before


# --- Failures stay local ---------------------------------------------------------------------


def test_a_row_failing_in_the_database_is_skipped_and_leaves_nothing_behind(db, tmp_path, monkeypatch):
    real = services.request_open

    def fragile(**kwargs):
        if "boom" in kwargs["summary"]:
            raise RuntimeError("disk on fire")
        return real(**kwargs)

    monkeypatch.setattr(services, "request_open", fragile)
    rows = [
        b.message("c1", "Anna Schmidt", b.ANNA_URL, b.OWNER, b.OWNER_URL, b.ago(2), "boom"),
        b.from_marc("c2", b.ago(1), "Bonjour, tout va bien."),
    ]
    summary = run(tmp_path, {"Profile.csv": b.profile(), "messages.csv": b.messages(*rows)})
    assert summary.skipped == [("messages.csv:2", "RuntimeError: disk on fire")]
    assert Request.objects.get().requester.linkedin_url == b.MARC_URL
    # The failed row's contact and interaction were rolled back with it.
    assert not Contact.objects.filter(linkedin_url=b.ANNA_URL).exists()
    assert Interaction.objects.count() == 1


def test_only_the_triage_roles_may_import(db, member, second, tmp_path):
    export = read_export(b.write_folder(tmp_path, _export_files(b.from_marc("c1", b.ago(1), "Bonjour"))))
    with pytest.raises(NotAllowed):
        linkedin_export_import(export=export, actor=member)
    assert snapshot()["contacts"] == 0
    assert linkedin_export_import(export=export, actor=second).counts["requests_created"] == 1


def test_a_large_export_imports_in_bounded_time(db, tmp_path):
    """500 connections and 2,000 messages in 200 conversations: the queries stay per row, not per table."""
    connections = (
        b.CONNECTIONS_HEADER
        + "\n"
        + "".join(
            f"P{i},Nom,https://www.linkedin.com/in/p{i},,Org {i},Poste,15 Jan 2024\n" for i in range(500)
        )
    )
    rows = []
    for i in range(2000):
        person = i % 200
        url = f"https://www.linkedin.com/in/p{person}"
        when = b.ago(400 - i * 0.2)
        if i % 3:
            rows.append(
                b.message(f"c{person}", f"P{person} Nom", url, b.OWNER, b.OWNER_URL, when, f"Message {i}")
            )
        else:
            rows.append(
                b.message(f"c{person}", b.OWNER, b.OWNER_URL, f"P{person} Nom", url, when, f"Réponse {i}")
            )
    files = {"Profile.csv": b.profile(), "Connections.csv": connections, "messages.csv": b.messages(*rows)}
    started = timezone.now()
    summary = run(tmp_path, files)
    elapsed = (timezone.now() - started).total_seconds()
    assert summary.counts["contacts_created"] == 500
    assert summary.counts["interactions"] == 2500
    assert Request.objects.count() == 200
    assert elapsed < 60, elapsed
