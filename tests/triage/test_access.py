"""Every triage page is for the second and the leader: a member or an outsider gets 403, a visitor who
is not signed in is sent to the login page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cercle.triage import services
from tests.conftest import login


@pytest.fixture
def pages(incoming, second):  # type: ignore[no-untyped-def]
    services.suggestion_compute(request=incoming)
    rule = services.rule_create(actor=second, request=incoming, scope="address", action="keep").rule
    return [
        ("get", reverse("triage:quality")),
        ("post", reverse("triage:retrain")),
        ("get", reverse("triage:rules")),
        ("post", reverse("triage:rule_delete", args=[rule.pk])),
        ("post", reverse("triage:rule_create", args=[incoming.pk])),
        ("post", reverse("triage:bulk_dismiss", args=[incoming.pk])),
        ("get", reverse("triage:brief", args=[incoming.pk])),
        ("post", reverse("triage:brief", args=[incoming.pk])),
    ]


def test_members_and_outsiders_get_403(pages, member, outsider):
    for user in (member, outsider):
        client = login(user)
        for method, url in pages:
            assert getattr(client, method)(url).status_code == 403, (user, url)


def test_visitors_are_sent_to_the_login_page(pages, client):
    for method, url in pages:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_the_admin_reads_but_does_not_triage(pages, admin_user):
    client = login(admin_user)
    for method, url in pages:
        assert getattr(client, method)(url).status_code == 403, url


def test_the_second_and_the_leader_open_the_pages(second, leader, incoming):
    services.suggestion_compute(request=incoming)
    for user in (second, leader):
        client = login(user)
        for url in (
            reverse("triage:quality"),
            reverse("triage:rules"),
            reverse("triage:brief", args=[incoming.pk]),
        ):
            assert client.get(url).status_code == 200, (user, url)


def test_a_service_refuses_a_member_even_without_the_view(member, incoming):
    from cercle.accounts.permissions import NotAllowed

    services.suggestion_compute(request=incoming)
    with pytest.raises(NotAllowed):
        services.rule_create(actor=member, request=incoming, scope="address", action="dismiss", reason="spam")
    with pytest.raises(NotAllowed):
        services.bulk_dismiss(actor=member, sender_key=incoming.triage_suggestion.sender_key, reason="spam")
