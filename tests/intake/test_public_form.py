"""The public request form: validation, honeypot, rate limit, CSRF; nothing lost on bad input."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from cercle.circulation.models import Request
from cercle.network.models import Contact

VALID = {
    "name": "Marc Lefèvre",
    "email": "Marc.Lefevre@Menuiserie.example",
    "organisation": "Menuiserie Lefèvre",
    "need": "Nous voulons engager la transition écologique de notre menuiserie.",
    "deadline": "",
    "website": "",
}


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()


def test_a_valid_submission_creates_a_request_for_the_contact(db, client):
    response = client.post(reverse("intake:ask"), VALID)
    assert response.status_code == 302
    request = Request.objects.get()
    assert request.channel == "form"
    assert request.requester.email == "marc.lefevre@menuiserie.example"
    assert request.requester.organisation == "Menuiserie Lefèvre"
    assert request.language == "fr"
    assert request.messages.get().text == VALID["need"]
    assert [e.kind for e in request.events.order_by("id")] == ["created", "mail"]  # and the receipt


def test_the_same_person_twice_is_one_contact(db, client):
    client.post(reverse("intake:ask"), VALID)
    client.post(reverse("intake:ask"), {**VALID, "email": "marc.lefevre@menuiserie.example"})
    assert Contact.objects.count() == 1
    assert Request.objects.count() == 2


def test_the_request_is_in_the_language_it_is_written_in_else_the_pages(db):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.post(
        reverse("intake:ask"), {**VALID, "need": "We would like help with the transition of our workshop."}
    )
    client.post(reverse("intake:ask"), VALID)  # French words on the English page: a French request
    client.post(
        reverse("intake:ask"), {**VALID, "need": "Menuiserie Lefèvre, transition 2027 ?"}
    )  # no telling words
    assert list(Request.objects.order_by("pk").values_list("language", flat=True)) == ["en", "fr", "en"]


def test_an_invalid_form_keeps_what_was_typed_and_explains(db, client):
    response = client.post(reverse("intake:ask"), {**VALID, "email": "not-an-address", "need": "court"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Lef&#x27;" not in body
    assert "Menuiserie Lefèvre" in body  # nothing typed is lost
    assert "email" in body
    assert not Request.objects.exists()


def test_a_deadline_in_the_past_is_refused(db, client):
    response = client.post(reverse("intake:ask"), {**VALID, "deadline": "2001-01-01"})
    assert response.status_code == 400
    assert not Request.objects.exists()


def test_bots_filling_the_honeypot_are_thanked_and_ignored(db, client):
    response = client.post(reverse("intake:ask"), {**VALID, "website": "http://spam.example"})
    assert response.status_code == 302
    assert not Request.objects.exists()


def test_too_many_submissions_from_one_address_are_refused(db, client, settings):
    settings.CERCLE = {**settings.CERCLE, "FORM_RATE_LIMIT": 2}
    for _ in range(2):
        assert client.post(reverse("intake:ask"), VALID).status_code == 302
    response = client.post(reverse("intake:ask"), VALID)
    assert response.status_code == 429
    assert Request.objects.count() == 2
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.post(reverse("intake:ask"), VALID).status_code == 302


def test_forms_sent_back_for_a_mistake_do_not_use_up_the_limit(db, client, settings):
    settings.CERCLE = {**settings.CERCLE, "FORM_RATE_LIMIT": 2}
    for _ in range(5):  # typos: the form comes back with its errors, nothing counted against the limit
        assert client.post(reverse("intake:ask"), {**VALID, "email": "pas-une-adresse"}).status_code == 400
    for _ in range(2):
        assert client.post(reverse("intake:ask"), VALID).status_code == 302
    assert Request.objects.count() == 2
    assert client.post(reverse("intake:ask"), VALID).status_code == 429  # the limit: requests sent
    # Hammering with wrong forms has its own, wider limit (ten times).
    hammer = Client(REMOTE_ADDR="10.0.0.7")
    statuses = [hammer.post(reverse("intake:ask"), {**VALID, "need": ""}).status_code for _ in range(21)]
    assert statuses == [400] * 20 + [429]


def test_the_form_requires_the_csrf_token(db):
    client = Client(enforce_csrf_checks=True)
    assert client.post(reverse("intake:ask"), VALID).status_code == 403
    assert not Request.objects.exists()
