"""Ties between contacts: from person-to-person mail (each pair of correspondents, each message once)
and from what the team records; their strength from how often and how recently."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cercle.circulation.models import Direction
from cercle.intake.files import import_path
from cercle.intake.services import message_ingest
from cercle.mail.parse import parse_message
from cercle.network.models import Contact, ContactTie
from cercle.network.ties import MANUAL_STRENGTH, tie_record_manual, tie_strength, ties_record_message
from tests.factories import ContactFactory
from tests.intake.mails import eml

pytestmark = pytest.mark.django_db

LEA = "Léa Marchand <lea@hub.example>"


def ingest(raw: bytes, direction: str = Direction.INBOUND):
    return message_ingest(parsed=parse_message(raw), raw=raw, direction=direction)


def _tie(x: str, y: str) -> ContactTie:
    one, two = (Contact.objects.get(email=e).pk for e in (x, y))
    return ContactTie.objects.get(a_id=min(one, two), b_id=max(one, two))


def test_a_sent_mail_to_two_people_ties_them_as_in_copy_together_and_never_the_hub(leader, second):
    ingest(
        eml(
            message_id="<intro@hub.example>",
            sender=LEA,
            to="Marc Lenoir <marc@client.example>, Samuel <samuel@hub.example>",
            headers="Cc: Zoé Martin <zoe@partner.example>\r\n",
        ),
        Direction.OUTBOUND,
    )
    tie = _tie("marc@client.example", "zoe@partner.example")
    assert (tie.count, tie.a_wrote, tie.b_wrote, tie.manual) == (1, 0, 0, False)
    assert tie.last_at.isoformat() == "2026-11-23T08:00:00+00:00"
    assert ContactTie.objects.count() == 1  # the hub's own people are nobody's tie


def test_a_received_mail_ties_its_sender_to_the_known_people_in_copy(leader):
    zoe = ContactFactory(email="zoe@partner.example", name="Zoé Martin")
    ingest(
        eml(
            to="Léa Marchand <lea@hub.example>",
            headers="Cc: Zoé Martin <zoe@partner.example>, Inconnu <nobody@else.example>\r\n",
        )
    )
    marc = Contact.objects.get(email="marc@client.example")
    tie = ContactTie.objects.get()
    wrote = tie.a_wrote if tie.a_id == marc.pk else tie.b_wrote
    assert {tie.a_id, tie.b_id} == {marc.pk, zoe.pk} and (tie.count, wrote) == (1, 1)
    # Someone only in copy does not become a contact.
    assert not Contact.objects.filter(email="nobody@else.example").exists()


def test_an_import_run_twice_counts_each_message_once(leader, tmp_path):
    ContactFactory(email="zoe@partner.example")
    (tmp_path / "1.eml").write_bytes(eml(message_id="<one@x>", headers="Cc: zoe@partner.example\r\n"))
    (tmp_path / "2.eml").write_bytes(
        eml(
            message_id="<two@x>",
            subject="Re: Projet",
            headers="Cc: zoe@partner.example\r\nIn-Reply-To: <one@x>\r\n",
        )
    )
    import_path(tmp_path)
    import_path(tmp_path)
    tie = _tie("marc@client.example", "zoe@partner.example")
    assert (tie.count, tie.a_wrote + tie.b_wrote) == (2, 2)
    # The same message recorded again by any path is still one message.
    marc, zoe = (
        Contact.objects.get(email="marc@client.example"),
        Contact.objects.get(email="zoe@partner.example"),
    )
    assert ties_record_message(message_key="<one@x>", sender=marc, recipients=[zoe], at=timezone.now()) == 0
    assert _tie("marc@client.example", "zoe@partner.example").count == 2


def test_mail_to_many_people_or_bulk_mail_ties_nobody(leader):
    many = ", ".join(f"p{i}@client.example" for i in range(11))
    ingest(eml(message_id="<m@x>", sender=LEA, to=many), Direction.OUTBOUND)
    ingest(
        eml(
            message_id="<l@x>", sender=LEA, to="a@x.example, b@x.example", headers="List-Id: <n.example>\r\n"
        ),
        Direction.OUTBOUND,
    )
    assert not ContactTie.objects.exists()


def test_strength_grows_with_messages_fades_with_time_and_a_recorded_tie_holds():
    now = timezone.now()

    def strength(count: int, wrote: int, days: int, manual: bool = False) -> int:
        last = now - timedelta(days=days)
        return tie_strength(count=count, a_wrote=wrote, b_wrote=0, last_at=last, manual=manual, at=now)

    assert 0 < strength(1, 0, 0) < strength(1, 1, 0) < strength(3, 3, 0) < strength(10, 10, 0) <= 100
    assert strength(3, 3, 365) < strength(3, 3, 30)
    assert strength(3, 3, 365) == pytest.approx(strength(3, 3, 0) / 2, abs=1)
    assert tie_strength(count=0, a_wrote=0, b_wrote=0, last_at=None, manual=False, at=now) == 0
    assert strength(1, 0, 2000, manual=True) == MANUAL_STRENGTH
    assert strength(10, 10, 0, manual=True) > MANUAL_STRENGTH


def test_the_team_records_that_two_people_know_each_other_but_not_a_person_and_themself(second):
    marc, zoe = ContactFactory(), ContactFactory()
    tie = tie_record_manual(actor=second, contact=zoe, other=marc)
    assert (tie.a_id, tie.b_id, tie.manual, tie.manual_by) == (
        min(marc.pk, zoe.pk),
        max(marc.pk, zoe.pk),
        True,
        second,
    )
    tie_record_manual(actor=second, contact=marc, other=zoe)
    assert ContactTie.objects.count() == 1
    with pytest.raises(ValueError):
        tie_record_manual(actor=second, contact=marc, other=marc)
