"""`cercle export ties` and the contacts' CSV and vCard."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import vobject
from django.core.management import CommandError, call_command
from django.utils import timezone

from cercle.network.models import Interaction
from cercle.network.services import identities_add, interaction_record_many
from cercle.network.strength import strength_fold
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def _mails(contact, days_ago: list[int]) -> None:
    now = timezone.now()
    interaction_record_many(
        interactions=[
            Interaction(
                contact=contact,
                kind="mail",
                inbound=i % 2 == 0,
                at=now - timedelta(days=d),
                source_key=f"<{contact.pk}-{d}@t>",
            )
            for i, d in enumerate(days_ago)
        ]
    )


def _export(*args: str) -> list[dict[str, str]]:
    out = io.StringIO()
    call_command("export", *args, stdout=out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def test_ties_are_sorted_by_score_and_placed_in_layers(settings) -> None:
    settings.CERCLE = {**settings.CERCLE, "NETWORK": {**settings.CERCLE["NETWORK"], "LAYERS": [1, 2, 3, 150]}}
    people = [ContactFactory(name=f"P{i}") for i in range(4)]
    for i, person in enumerate(people):
        _mails(person, [1 + d for d in range(2 * (4 - i))])  # P0 writes the most
    no_address = ContactFactory(email="", name="LinkedIn only")
    _mails(no_address, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    rows = _export("ties")
    assert list(rows[0]) == ["email", "name", "score", "layer"]
    assert [r["name"] for r in rows] == ["P0", "P1", "P2", "P3"]
    assert [r["layer"] for r in rows] == ["1", "2", "3", "4"]
    scores = [int(r["score"]) for r in rows]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1]


def test_ties_at_a_date_count_only_what_came_before() -> None:
    old_friend, new_friend = ContactFactory(name="Old"), ContactFactory(name="New")
    _mails(old_friend, [400, 390, 380, 370])
    _mails(new_friend, [5, 4, 3, 2, 1, 6, 7, 8])
    at = (timezone.now() - timedelta(days=300)).date().isoformat()
    assert [r["name"] for r in _export("ties", "--at", at)] == ["Old"]
    assert _export("ties")[0]["name"] == "New"
    with pytest.raises(CommandError):
        _export("ties", "--at", "04/12/2026")


def test_contacts_export_as_csv_and_vcard_with_every_address() -> None:
    person = ContactFactory(
        name="Zoé Export", email="zoe@atelier.fr", organisation="Atelier", tags="design, bois"
    )
    identities_add(person, emails=["zoe.perso@gmail.com"])
    person.in_network = True
    person.save()
    _mails(person, [1, 2])
    strength_fold()
    [row] = _export("contacts")
    assert (row["name"], row["email"], row["other_emails"], row["tags"]) == (
        "Zoé Export",
        "zoe@atelier.fr",
        "zoe.perso@gmail.com",
        "design, bois",
    )
    out = io.StringIO()
    call_command("export", "contacts", "--format", "vcard", stdout=out)
    card = vobject.readOne(out.getvalue())
    assert card.fn.value == "Zoé Export"
    assert {e.value for e in card.contents["email"]} == {"zoe@atelier.fr", "zoe.perso@gmail.com"}
    assert card.org.value == ["Atelier"]


def test_a_sender_nobody_answered_is_no_tie() -> None:
    answered, ignored = ContactFactory(name="Answered"), ContactFactory(name="Ignored")
    _mails(answered, [1, 2])  # one received, one sent
    now = timezone.now()
    interaction_record_many(
        interactions=[
            Interaction(
                contact=ignored, kind="mail", inbound=True, at=now - timedelta(days=d), source_key=f"<i{d}@t>"
            )
            for d in range(1, 30)
        ]
    )
    assert [r["name"] for r in _export("ties")] == ["Answered"]
