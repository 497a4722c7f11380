"""The order the second chooses for the triage queue (oldest first, or likely opportunities first) is
kept on their account: it is the order of their next visit, from another session or another device,
until they choose another; an order in the address is shown and becomes theirs."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cercle.accounts.models import User
from cercle.triage import services
from tests.conftest import login
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db


def shown_order(client) -> str:  # type: ignore[no-untyped-def]
    response = client.get(reverse("triage:queue"))
    assert response.status_code == 200
    return str(response.context["order"])


def test_the_chosen_order_follows_the_second_to_another_session(second):
    RequestFactory()
    assert shown_order(login(second)) == "age"  # nothing chosen yet: oldest first

    laptop = login(second)
    page = laptop.get(reverse("triage:queue") + "?order=score").content.decode()
    assert '<a href="?order=score" aria-current="true">' in page
    assert User.objects.get(pk=second.pk).triage_order == "score"

    phone = login(second)  # another session: the same order
    assert shown_order(phone) == "score"
    page = phone.get(reverse("triage:queue")).content.decode()
    assert '<a href="?order=score" aria-current="true">' in page

    laptop.get(reverse("triage:queue") + "?order=age")  # changed again
    assert shown_order(login(second)) == "age"


def test_each_person_has_their_own_order(second, leader):
    login(second).get(reverse("triage:queue") + "?order=score")
    assert shown_order(login(leader)) == "age"
    assert shown_order(login(second)) == "score"


def test_an_unknown_order_changes_nothing(second):
    client = login(second)
    client.get(reverse("triage:queue") + "?order=score")
    client.get(reverse("triage:queue") + "?order=random")
    assert User.objects.get(pk=second.pk).triage_order == "score"
    assert shown_order(login(second)) == "score"


def test_the_order_is_written_only_when_it_changes(second, django_assert_num_queries):
    services.queue_order_set(actor=second, order="score")
    assert services.queue_order_set(actor=second, order="score") is False
    with django_assert_num_queries(0):
        services.queue_order_set(actor=second, order="score")


def test_a_member_has_no_queue_order_to_set(member):
    from cercle.accounts.permissions import NotAllowed

    with pytest.raises(NotAllowed):
        services.queue_order_set(actor=member, order="score")
