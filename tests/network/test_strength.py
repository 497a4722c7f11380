"""Relationship strength: decay, reciprocity, depth, the incremental fold and the full recompute agree."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cercle.network.models import Contact, Interaction, InteractionKind
from cercle.network.services import interaction_record, interaction_record_many
from cercle.network.strength import (
    contact_score,
    interaction_weight,
    reciprocity,
    strength_fold,
    strength_recompute,
    tallies_until,
)
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def _exchanges(contact: Contact, *, days_ago: list[int], inbound: list[bool], audience: int = 1) -> None:
    now = timezone.now()
    interaction_record_many(
        interactions=[
            Interaction(
                contact=contact,
                kind=InteractionKind.MAIL,
                inbound=way,
                at=now - timedelta(days=days),
                source_key=f"<{contact.pk}-{i}@test>",
                audience=audience,
            )
            for i, (days, way) in enumerate(zip(days_ago, inbound, strict=True))
        ]
    )


def test_recent_exchanges_both_ways_make_a_stronger_tie_than_old_or_one_way_ones() -> None:
    recent, old, one_way = ContactFactory(), ContactFactory(), ContactFactory()
    _exchanges(recent, days_ago=[3, 10, 20, 40], inbound=[True, False, True, False])
    _exchanges(old, days_ago=[400, 410, 420, 440], inbound=[True, False, True, False])
    _exchanges(one_way, days_ago=[3, 10, 20, 40], inbound=[True, True, True, True])
    strength_fold()
    scores = {c.pk: contact_score(Contact.objects.get(pk=c.pk)) for c in (recent, old, one_way)}
    assert scores[recent.pk] > scores[one_way.pk] > 0
    assert scores[recent.pk] > scores[old.pk]
    assert scores[old.pk] < 15  # a year of silence: about a sixteenth of the weight


def test_a_personal_mail_weighs_more_than_one_to_many_and_a_meeting_more_than_a_mail() -> None:
    assert interaction_weight(InteractionKind.MAIL, 1) == 2 * interaction_weight(InteractionKind.MAIL, 4)
    assert interaction_weight(InteractionKind.MEETING, 1) > interaction_weight(InteractionKind.MAIL, 1)
    assert reciprocity(5, 5) > reciprocity(9, 1) > reciprocity(0, 5) > reciprocity(5, 0)


def test_the_score_decays_with_time_without_any_write() -> None:
    contact = ContactFactory()
    _exchanges(contact, days_ago=[1, 2], inbound=[True, False])
    strength_fold()
    contact.refresh_from_db()
    now = timezone.now()
    today, in_three_months = (
        contact_score(contact, at=now),
        contact_score(contact, at=now + timedelta(days=90)),
    )
    assert 0 < in_three_months < today


def test_folding_in_several_batches_gives_the_same_strength_as_a_full_recompute() -> None:
    contact = ContactFactory()
    _exchanges(contact, days_ago=[50, 5], inbound=[True, False])
    strength_fold()
    _exchanges_later = [200, 30, 1]  # older and newer than what was folded
    now = timezone.now()
    for i, days in enumerate(_exchanges_later):
        interaction_record(
            contact=contact,
            kind=InteractionKind.MAIL,
            inbound=bool(i % 2),
            at=now - timedelta(days=days),
            source_key=f"<late-{i}@test>",
        )
    strength_fold()
    contact.refresh_from_db()
    folded = (contact.rank_key, contact.count_in, contact.count_out, contact.first_at, contact.last_at)
    Contact.objects.filter(pk=contact.pk).update(rank_key=0, count_in=0, count_out=0)
    strength_recompute()
    contact.refresh_from_db()
    assert contact.rank_key == pytest.approx(folded[0], abs=1e-9)
    assert (contact.count_in, contact.count_out, contact.first_at, contact.last_at) == folded[1:]
    assert (contact.count_in, contact.count_out) == (2, 3)


def test_an_interaction_is_folded_once_even_when_recorded_twice_and_folded_again() -> None:
    contact = ContactFactory()
    _exchanges(contact, days_ago=[3], inbound=[False])
    _exchanges(contact, days_ago=[3], inbound=[False])  # the same import again
    assert strength_fold() == 1
    assert strength_fold() == 0
    contact.refresh_from_db()
    assert contact.count_out == 1


def test_the_score_at_a_date_counts_only_interactions_before_it() -> None:
    contact = ContactFactory()
    _exchanges(contact, days_ago=[300, 200, 5], inbound=[True, False, True])
    cutoff = timezone.now() - timedelta(days=100)
    tallies = dict(tallies_until(cutoff))
    assert tallies[contact.pk].count_in + tallies[contact.pk].count_out == 2
    assert tallies[contact.pk].last_at < cutoff


def test_the_recompute_command_rebuilds_what_was_lost() -> None:
    import io

    from django.core.management import call_command

    contact = ContactFactory()
    _exchanges(contact, days_ago=[3, 4], inbound=[True, False])
    strength_fold()
    Contact.objects.filter(pk=contact.pk).update(rank_key=-1e9, count_in=0, count_out=0)
    out = io.StringIO()
    call_command("recompute_strength", stdout=out, stderr=io.StringIO())
    contact.refresh_from_db()
    assert (contact.count_in, contact.count_out) == (1, 1) and contact_score(contact) > 0
    assert "contacts recomputed" in out.getvalue()


def test_the_recompute_command_can_rebuild_every_search_text() -> None:
    import io

    from django.core.management import call_command

    from cercle.network.models import ContactSearch
    from cercle.network.search import contact_document, search_index

    contact = ContactFactory(offers="Géothermie et forages", in_network=True)
    search_index([contact])
    ContactSearch.objects.filter(contact=contact).update(document="stale")
    call_command("recompute_strength", stdout=io.StringIO(), stderr=io.StringIO())
    assert ContactSearch.objects.get(contact=contact).document == "stale"  # strengths only, by default
    out = io.StringIO()
    call_command("recompute_strength", "--search", stdout=out, stderr=io.StringIO())
    assert ContactSearch.objects.get(contact=contact).document == contact_document(contact)
    assert "Search texts rebuilt: 1." in out.getvalue()
