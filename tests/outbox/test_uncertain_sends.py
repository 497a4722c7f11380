"""A send interrupted mid-way may or may not have left: it is never sent again without a person saying so,
and the request's page says it is uncertain."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from cercle.outbox import services
from cercle.outbox.models import OutgoingMessage, OutgoingStatus
from tests.conftest import login
from tests.factories import RequestFactory


def _interrupted(request=None) -> OutgoingMessage:
    outgoing = services.outbox_enqueue(
        idempotency_key="ack:1",
        request_id=request.pk if request else None,
        to=["Marc Lefèvre <marc@client.example>"],
        subject="Votre demande : levée de fonds",
        body="Bonjour Marc,\nMerci.",
    )
    OutgoingMessage.objects.filter(pk=outgoing.pk).update(
        status=OutgoingStatus.SENDING, claimed_at=timezone.now() - timedelta(hours=1)
    )
    services.outbox_flush()
    outgoing.refresh_from_db()
    return outgoing


def test_an_interrupted_send_is_uncertain_and_needs_a_confirmation_to_go_again(db, smtp_server):
    outgoing = _interrupted()
    assert outgoing.status == OutgoingStatus.FAILED and outgoing.uncertain
    assert services.outbox_retry(outgoing_id=outgoing.pk) == "confirm"
    assert OutgoingMessage.objects.get(pk=outgoing.pk).status == OutgoingStatus.FAILED
    assert services.outbox_retry(outgoing_id=outgoing.pk, confirm_uncertain=True) == "queued"
    retried = OutgoingMessage.objects.get(pk=outgoing.pk)
    assert retried.status == OutgoingStatus.QUEUED and not retried.uncertain
    assert services.outbox_deliver(outgoing_id=outgoing.pk) == "sent"
    assert len(smtp_server.received()) == 1


def test_the_retry_button_says_so_and_asks_first(db, second):
    outgoing = _interrupted()
    client = login(second, "en")
    page = client.get(reverse("outbox:list")).content.decode()
    assert "May already have left." in page and 'name="confirm"' in page and "Send it again anyway" in page
    response = client.post(reverse("outbox:retry", args=[outgoing.pk]), follow=True)
    assert "This message may already have left" in response.content.decode()
    assert OutgoingMessage.objects.get(pk=outgoing.pk).status == OutgoingStatus.FAILED
    client.post(reverse("outbox:retry", args=[outgoing.pk]), {"confirm": "1"})
    assert OutgoingMessage.objects.get(pk=outgoing.pk).status == OutgoingStatus.QUEUED


def test_a_plain_failure_is_retried_without_a_question(db, second):
    outgoing = _interrupted()
    OutgoingMessage.objects.filter(pk=outgoing.pk).update(
        uncertain=False
    )  # refused by the server: never left
    page = login(second, "en").get(reverse("outbox:list")).content.decode()
    assert 'name="confirm"' not in page
    assert services.outbox_retry(outgoing_id=outgoing.pk) == "queued"


def test_the_requests_page_shows_the_uncertain_mail(db, second, leader):
    request = RequestFactory()
    _interrupted(request)
    page = login(leader, "en").get(reverse("circulation:detail", args=[request.pk])).content.decode()
    assert "Sent or not? Uncertain." in page
    assert "“Votre demande : levée de fonds” to Marc Lefèvre &lt;marc@client.example&gt;" in page
    assert "may or may not have left" in page
    OutgoingMessage.objects.update(status=OutgoingStatus.SENT, uncertain=False)
    assert (
        "Uncertain"
        not in login(leader, "en").get(reverse("circulation:detail", args=[request.pk])).content.decode()
    )
