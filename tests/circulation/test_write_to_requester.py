"""The second writes to the requester from the request page: the mail leaves through the outbox, threaded
on the requester's message, shows in the thread and the history; members cannot; a refused message
comes back with everything typed in it."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from cercle.accounts.permissions import NotAllowed
from cercle.circulation import services
from cercle.circulation.errors import CirculationError
from cercle.circulation.models import Direction, EventKind, Message, Request
from cercle.network.models import Contact
from cercle.outbox.models import OutgoingMessage
from tests.conftest import login
from tests.factories import RequestFactory

BODY = "Bonjour Marc,\n\nMerci pour votre message : pouvons-nous en parler jeudi à 10 h ?\n\nSamuel"


@pytest.fixture
def asked(db) -> Request:
    """A request received by mail, its first message stored: what the answer threads on."""
    request = RequestFactory(
        subject="Accompagnement stratégique",
        requester=Contact.objects.create(name="Marc Lenoir", email="marc@client.example", language="fr"),
    )
    Message.objects.create(
        request=request,
        message_id="<ask@client.example>",
        references="<earlier@client.example>",
        direction=Direction.INBOUND,
        from_email="marc@client.example",
        subject=request.subject,
        text="Bonjour, pouvez-vous nous aider ?",
    )
    return request


def detail(request: Request) -> str:
    return reverse("circulation:detail", args=[request.pk])


def write(client: Client, request: Request, **data: str):
    return client.post(reverse("circulation:write", args=[request.pk]), data)


def form_fields(page: str) -> dict[str, str]:
    form = re.search(r'<form method="post" action="[^"]*/write/[^"]*".*?</form>', page, re.S)
    assert form, "the page offers to write to the requester"
    html = form.group(0)
    fields = {m[0]: unescape(m[1]) for m in re.findall(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', html)}
    body = re.search(r'<textarea[^>]*name="body"[^>]*>(.*?)</textarea>', html, re.S)
    fields["body"] = unescape(body.group(1)).strip("\n") if body else ""
    return fields


def test_the_second_writes_to_the_requester_from_the_request_page(second, leader, asked):
    client = login(second, language="en")
    fields = form_fields(client.get(detail(asked)).content.decode())
    assert fields["subject"] == "Re: Accompagnement stratégique"
    response = write(client, asked, subject=fields["subject"], body=BODY, token=fields["token"])
    mail = OutgoingMessage.objects.get(request=asked)
    assert response.status_code == 302 and response["Location"].endswith(f"#out-{mail.pk}")
    assert (mail.subject, mail.body) == ("Re: Accompagnement stratégique", BODY + "\n")
    assert mail.to == ["Marc Lenoir <marc@client.example>"]
    assert mail.reply_to == ["Léa Marchand <lea@hub.example>"]  # answers come back to the synced mailbox
    assert mail.headers == {
        "In-Reply-To": "<ask@client.example>",
        "References": "<earlier@client.example> <ask@client.example>",
    }
    event = asked.events.get(kind=EventKind.MAIL)
    assert (event.actor, event.outgoing_id) == (second, mail.pk)
    assert "marc@client.example" in event.note and "Re: Accompagnement stratégique" in event.note
    # A person answered: the clock of "a human answer within 48 h" stops.
    asked.refresh_from_db()
    assert asked.answered_at is not None
    page = unescape(client.get(detail(asked)).content.decode())
    assert f'id="out-{mail.pk}"' in page and "pouvons-nous en parler jeudi" in page
    assert "Your message to Marc Lenoir is on its way." in page


def test_the_leader_may_write_too_a_member_may_not(leader, member, asked):
    from cercle.circle import services as circle

    assert write(login(leader), asked, subject="Re: x", body=BODY).status_code == 302
    services.request_keep(actor=leader, request=asked)
    services.request_approve(actor=leader, request=Request.objects.get(pk=asked.pk))
    circle.request_route(actor=leader, request=Request.objects.get(pk=asked.pk), members=[member], brief="b")
    before = OutgoingMessage.objects.count()
    client = login(member)
    page = client.get(detail(asked)).content.decode()
    assert page and reverse("circulation:write", args=[asked.pk]) not in page
    assert write(client, asked, subject="Re: x", body=BODY).status_code == 403
    with pytest.raises(NotAllowed):
        services.request_write(actor=member, request=asked, subject="Re: x", body=BODY)
    assert OutgoingMessage.objects.count() == before


def test_writing_needs_the_csrf_token(second, asked):
    client = Client(enforce_csrf_checks=True)
    client.force_login(second)
    assert write(client, asked, subject="Re: x", body=BODY).status_code == 403
    assert not OutgoingMessage.objects.exists()


@pytest.mark.parametrize(
    ("language", "error"),
    [("en", "Write your message before sending it."), ("fr", "Écrivez votre message avant de l'envoyer.")],
)
def test_an_empty_message_is_refused_and_nothing_typed_is_lost(second, asked, language, error):
    client = login(second, language=language)
    token = form_fields(client.get(detail(asked)).content.decode())["token"]
    response = write(client, asked, subject="Re: notre rendez-vous de jeudi", body="  \n ", token=token)
    assert response.status_code == 400
    page = unescape(response.content.decode())
    assert error in page
    kept = form_fields(response.content.decode())
    assert (kept["subject"], kept["token"]) == ("Re: notre rendez-vous de jeudi", token)
    assert not OutgoingMessage.objects.exists()
    assert not asked.events.filter(kind=EventKind.MAIL).exists()
    # An empty subject: the body typed comes back as typed.
    response = write(client, asked, subject="", body=BODY, token=token)
    assert response.status_code == 400 and form_fields(response.content.decode())["body"] == BODY
    assert not OutgoingMessage.objects.exists()


def test_the_same_form_sent_twice_queues_one_mail(second, asked):
    client = login(second)
    token = form_fields(client.get(detail(asked)).content.decode())["token"]
    write(client, asked, subject="Re: x", body=BODY, token=token)
    write(client, asked, subject="Re: x", body=BODY, token=token)
    assert OutgoingMessage.objects.count() == 1
    assert asked.events.filter(kind=EventKind.MAIL).count() == 1
    # A new form is a new message.
    write(
        client,
        asked,
        subject="Re: x",
        body="Autre chose.",
        token=form_fields(client.get(detail(asked)).content.decode())["token"],
    )
    assert OutgoingMessage.objects.count() == 2


def test_no_address_no_form_and_a_clear_refusal(second, db):
    linkedin_only = RequestFactory(
        requester=Contact.objects.create(name="Jean Dupont", linkedin_url="https://www.linkedin.com/in/jd")
    )
    assert (
        reverse("circulation:write", args=[linkedin_only.pk])
        not in login(second).get(detail(linkedin_only)).content.decode()
    )
    with pytest.raises(CirculationError, match="LinkedIn"):
        services.request_write(actor=second, request=linkedin_only, subject="Re: x", body=BODY)


def test_the_form_speaks_french(second, asked):
    page = unescape(login(second, language="fr").get(detail(asked)).content.decode())
    assert "Écrire à Marc Lenoir" in page
    assert "Envoyer" in page
