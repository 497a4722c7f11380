"""Every person-to-person message records an interaction with each correspondent, once.

Not for bulk mail, mailing lists, automatic replies, bounces or messages to many people; never with
the hub's own people.
"""

from __future__ import annotations

from cercle.circulation.models import Direction
from cercle.intake.files import import_path
from cercle.intake.services import message_ingest
from cercle.mail.parse import parse_message
from cercle.network.models import Contact, Interaction
from tests.intake.mails import eml

LEA = "Léa Marchand <lea@hub.example>"


def ingest(raw: bytes, direction: str = Direction.INBOUND):
    return message_ingest(parsed=parse_message(raw), raw=raw, direction=direction)


def test_a_received_message_records_one_inbound_interaction_with_its_sender(db, leader):
    ingest(eml(subject="Projet", date="Mon, 23 Nov 2026 09:00:00 +0100"))
    interaction = Interaction.objects.get()
    assert interaction.contact.email == "marc@client.example"
    assert (interaction.kind, interaction.inbound, interaction.subject) == ("mail", True, "Projet")
    assert interaction.source_key == "<m1@client.example>"
    assert interaction.at.isoformat() == "2026-11-23T08:00:00+00:00"


def test_a_sent_message_records_one_outbound_interaction_per_recipient_but_not_with_the_hub(
    db, leader, second
):
    ingest(
        eml(
            message_id="<out@hub.example>",
            sender=LEA,
            to="Marc <marc@client.example>, Samuel <samuel@hub.example>",
            headers="Cc: =?utf-8?q?Zo=C3=A9?= <zoe@client.example>\r\n",
        ),
        Direction.OUTBOUND,
    )
    assert set(Interaction.objects.values_list("contact__email", "inbound")) == {
        ("marc@client.example", False),
        ("zoe@client.example", False),
    }
    assert Contact.objects.get(email="zoe@client.example").name == "Zoé"
    assert not Contact.objects.filter(email__endswith="@hub.example").exists()


def test_a_message_from_a_hub_user_records_nothing(db, member):
    ingest(eml(sender="Claire <claire@hub.example>"))
    assert not Interaction.objects.exists()


def test_replies_attached_to_a_request_count_too(db):
    ingest(eml(message_id="<a@x>"))
    ingest(eml(message_id="<b@x>", headers="In-Reply-To: <a@x>\r\n"))
    assert Interaction.objects.filter(contact__email="marc@client.example").count() == 2


def test_no_interaction_for_bulk_automatic_bounces_or_many_recipients(db, settings):
    ingest(eml(message_id="<l@x>", headers="List-Id: <news.example>\r\n"))
    ingest(eml(message_id="<p@x>", headers="Precedence: bulk\r\n"))
    ingest(eml(message_id="<o@x>", headers="Auto-Submitted: auto-replied\r\n"))
    ingest(eml(message_id="<d@x>", sender="MAILER-DAEMON@mx.example", subject="Undelivered Mail"))
    many = ", ".join(f"p{i}@client.example" for i in range(11))
    ingest(eml(message_id="<m@x>", to=many))
    assert not Interaction.objects.exists()
    settings.CERCLE = {**settings.CERCLE, "INTERACTION_MAX_RECIPIENTS": 20}
    ingest(eml(message_id="<m2@x>", to=many))
    assert Interaction.objects.count() == 1


def test_reimporting_a_mailbox_counts_each_message_once(db, tmp_path, leader):
    (tmp_path / "1.eml").write_bytes(eml(message_id="<one@x>"))
    (tmp_path / "2.eml").write_bytes(
        eml(message_id="<two@x>", subject="Re: Projet", headers="In-Reply-To: <one@x>\r\n")
    )
    sent = tmp_path / "Sent"
    sent.mkdir()
    (sent / "3.eml").write_bytes(
        eml(message_id="<three@hub.example>", sender=LEA, to="marc@client.example", subject="Re: Projet")
    )
    first = import_path(tmp_path)
    assert first.counts == {"created": 1, "attached": 2}
    again = import_path(tmp_path)
    assert again.counts == {"duplicate": 3}
    assert sorted(Interaction.objects.values_list("source_key", "inbound")) == [
        ("<one@x>", True),
        ("<three@hub.example>", False),
        ("<two@x>", True),
    ]
