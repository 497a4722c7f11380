"""The second enters a request by hand (a phone call, a meeting): the public form's fields, audited."""

from __future__ import annotations

from django.urls import reverse

from cercle.circulation.models import Channel, EventKind, Request
from cercle.circulation.states import State
from tests.conftest import login

CALL = {
    "name": "Paul Girard",
    "email": "paul.girard@atelier.example",
    "organisation": "Atelier Girard",
    "language": "fr",
    "subject": "",
    "need": "Bonjour,\nNous voulons ouvrir un second atelier et cherchons un appui pour le financement.",
    "deadline": "",
    "origin": "appel téléphonique du 3 décembre",
    "keep": "on",
}


def test_the_second_enters_a_phone_call_and_it_goes_to_the_leader(db, second):
    client = login(second, "en")
    assert "Enter a request by hand" in client.get(reverse("triage:queue")).content.decode()
    response = client.post(reverse("intake:manual"), CALL)
    request = Request.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "circulation:detail", args=[request.pk]
    )
    assert (request.channel, request.state, request.language) == (Channel.MANUAL, State.KEPT, "fr")
    assert (
        request.subject == "Nous voulons ouvrir un second atelier et cherchons un appui pour le financement"
    )
    assert (request.requester.email, request.requester.organisation) == (
        "paul.girard@atelier.example",
        "Atelier Girard",
    )
    assert request.messages.get().text.startswith("Bonjour,\nNous voulons")
    note = request.events.get(kind=EventKind.NOTE)
    assert note.actor == second and "appel téléphonique du 3 décembre" in note.note


def test_unticked_it_waits_in_the_triage_queue(db, second):
    login(second).post(reverse("intake:manual"), {**CALL, "keep": ""})
    assert Request.objects.get().state == State.RECEIVED


def test_bad_input_comes_back_with_what_was_typed(db, second):
    response = login(second, "en").post(reverse("intake:manual"), {**CALL, "email": "not-an-address"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Atelier Girard" in page and "Enter a valid e-mail address." in page
    assert not Request.objects.exists()


def test_a_member_cannot_enter_requests(db, member):
    client = login(member)
    assert client.get(reverse("intake:manual")).status_code == 403
    assert client.post(reverse("intake:manual"), CALL).status_code == 403
    assert not Request.objects.exists()
