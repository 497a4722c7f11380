"""A person's mail fills their contact's blank phone and position from their signature; never overwrites.

Only for their own person-to-person mail: not bulk mail, not the hub's own mail to them; and a contact
that already has both is not read at all (the import stays fast).
"""

from __future__ import annotations

import pytest

from cercle.circulation.models import Direction
from cercle.intake import services as intake_services
from cercle.intake.services import message_ingest
from cercle.mail.parse import parse_message
from cercle.network.models import Contact
from cercle.network.services import contact_fill_from_signature
from tests.intake.mails import eml

SOPHIE = "Sophie Martin <sophie.martin@maison-berthier.fr>"
SIGNED = (
    "Bonjour,\n\nNous aimerions organiser un atelier en mars.\n\n"
    "Bien cordialement,\n\n"
    "Sophie Martin\n"
    "Directrice des partenariats\n"
    "Maison Berthier\n"
    "Tél. : 01 42 68 53 00\n"
)


def ingest(raw: bytes, direction: str = Direction.INBOUND):
    return message_ingest(parsed=parse_message(raw), raw=raw, direction=direction)


def sophie() -> Contact:
    return Contact.objects.get(email="sophie.martin@maison-berthier.fr")


def test_a_mail_fills_the_senders_blank_phone_and_position(db):
    ingest(eml(sender=SOPHIE, body=SIGNED))
    assert (sophie().phone, sophie().position) == ("01 42 68 53 00", "Directrice des partenariats")


def test_a_position_someone_typed_is_never_overwritten_a_blank_phone_is_filled(db):
    Contact.objects.create(
        email="sophie.martin@maison-berthier.fr", name="Sophie Martin", position="Présidente"
    )
    ingest(eml(sender=SOPHIE, body=SIGNED))
    assert (sophie().phone, sophie().position) == ("01 42 68 53 00", "Présidente")


def test_a_contact_with_both_is_not_read_and_keeps_them(db, monkeypatch):
    Contact.objects.create(
        email="sophie.martin@maison-berthier.fr", phone="06 00 00 00 01", position="Présidente"
    )

    def unread(*args, **kwargs):
        raise AssertionError("the signature of a contact with both was read")

    monkeypatch.setattr(intake_services, "signature_read", unread)
    ingest(eml(sender=SOPHIE, body=SIGNED))
    assert (sophie().phone, sophie().position) == ("06 00 00 00 01", "Présidente")


def test_bulk_mail_fills_nothing_the_persons_own_mail_does(db):
    ingest(eml(message_id="<news@x>", sender=SOPHIE, body=SIGNED, headers="Precedence: bulk\r\n"))
    assert (sophie().phone, sophie().position) == ("", "")
    ingest(eml(message_id="<own@x>", sender=SOPHIE, body=SIGNED))
    assert sophie().position == "Directrice des partenariats"


def test_the_hubs_signature_never_lands_on_the_person_it_writes_to(db, leader):
    hub_signed = SIGNED.replace("Sophie Martin", "Léa Marchand")
    ingest(
        eml(
            message_id="<out@hub.example>",
            sender="Léa Marchand <lea@hub.example>",
            to=SOPHIE,
            body=hub_signed,
        ),
        Direction.OUTBOUND,
    )
    assert (sophie().phone, sophie().position) == ("", "")
    ingest(
        eml(message_id="<reply@x>", sender=SOPHIE, body=SIGNED, headers="In-Reply-To: <out@hub.example>\r\n")
    )
    assert sophie().position == "Directrice des partenariats"


@pytest.mark.parametrize("field_name", ["phone", "position"])
def test_a_value_typed_while_an_import_held_the_contact_is_not_overwritten(db, field_name):
    held = Contact.objects.create(email="sophie.martin@maison-berthier.fr")  # an import's cached copy
    Contact.objects.filter(pk=held.pk).update(**{field_name: "typed on the profile"})
    filled = contact_fill_from_signature(held, phone="01 42 68 53 00", position="Directrice")
    assert field_name not in filled
    assert getattr(sophie(), field_name) == "typed on the profile"
    assert getattr(held, field_name) == "typed on the profile"
