"""The weekly keep-in-touch plan: bounded, with reasons, never the same person twice in a row, reset by
any real exchange, and a warning before writing to someone too often."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cercle.network.keep_in_touch import plan_for_week, reason_text, too_soon
from cercle.network.models import Contact, Interaction
from cercle.network.services import interaction_record_many
from cercle.network.strength import strength_fold
from tests.conftest import login
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def _history(contact: Contact, *, last_days_ago: int, n: int = 10, every: int = 7) -> None:
    now = timezone.now()
    interaction_record_many(
        interactions=[
            Interaction(
                contact=contact,
                kind="mail",
                inbound=i % 2 == 0,
                at=now - timedelta(days=last_days_ago + i * every),
                source_key=f"<{contact.pk}-{i}@t>",
            )
            for i in range(n)
        ]
    )


def _network(count: int, *, last_days_ago: int) -> list[Contact]:
    people = [ContactFactory(name=f"P{i}") for i in range(count)]
    for person in people:
        _history(person, last_days_ago=last_days_ago)
    strength_fold()
    return people


def test_the_plan_is_bounded_explained_and_never_the_same_person_two_weeks_in_a_row(settings) -> None:
    settings.CERCLE = {
        **settings.CERCLE,
        "NETWORK": {**settings.CERCLE["NETWORK"], "KEEP_IN_TOUCH_PER_WEEK": 3},
    }
    _network(8, last_days_ago=40)
    now = timezone.now()
    first = plan_for_week(at=now)
    assert len(first) == 3
    assert all("the last exchange was 40 days ago" in reason_text(i) for i in first)
    assert [i.pk for i in plan_for_week(at=now)] == [i.pk for i in first]  # made once a week
    second = plan_for_week(at=now + timedelta(days=7))
    assert len(second) == 3
    assert not {i.contact_id for i in first} & {i.contact_id for i in second}


def test_a_real_exchange_resets_the_rhythm_and_writing_too_often_is_flagged() -> None:
    [fed, unfed] = _network(2, last_days_ago=40)
    interaction_record_many(
        interactions=[
            Interaction(
                contact=fed,
                kind="mail",
                inbound=False,
                at=timezone.now() - timedelta(days=2),
                source_key="<fresh@t>",
            )
        ]
    )
    strength_fold()
    assert [i.contact_id for i in plan_for_week()] == [unfed.pk]
    assert too_soon(Contact.objects.get(pk=fed.pk)) == 2
    assert too_soon(unfed) is None


def test_the_plan_page_marks_done_and_skipped_in_french(second, member) -> None:
    _network(2, last_days_ago=40)
    client = login(second)
    page = client.get(reverse("people:plan")).content.decode()
    assert "vous échangez d’habitude tous les" in page
    items = plan_for_week()
    client.post(reverse("people:plan_mark", args=[items[0].pk]), {"action": "done"})
    client.post(reverse("people:plan_mark", args=[items[1].pk]), {"action": "skip"})
    items = plan_for_week()
    assert items[0].done_at is not None and items[1].skipped_at is not None
    assert Interaction.objects.filter(
        contact=items[0].contact, source_key__startswith="keep-in-touch"
    ).exists()
    assert login(member).get(reverse("people:plan")).status_code == 403
