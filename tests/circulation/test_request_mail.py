"""Every mail about a request is queued by one helper, inside the transaction that decides it."""

from __future__ import annotations

import pytest

from cercle.circulation.mail import NotInTransaction, request_mail_queue, thread_headers
from cercle.circulation.models import Direction, Message
from cercle.outbox.models import OutgoingMessage
from tests.factories import RequestFactory


def _queue(request, key="test:1"):
    return request_mail_queue(
        request=request,
        template="acknowledgement",
        language="en",
        context={"requester_name": "Marc", "leader_name": "Léa", "subject": "Hello", "hub_name": "Hub"},
        idempotency_key=key,
        to=["marc@client.example"],
        threaded=True,
    )


@pytest.mark.django_db(transaction=True)
def test_queueing_outside_a_transaction_is_refused():
    request = RequestFactory()
    with pytest.raises(NotInTransaction):
        _queue(request)
    assert not OutgoingMessage.objects.exists()


def test_a_threaded_mail_answers_the_requesters_first_message(db):
    request = RequestFactory()
    Message.objects.create(
        request=request,
        message_id="<first@client.example>",
        references="<earlier@client.example>",
        direction=Direction.INBOUND,
    )
    Message.objects.create(
        request=request, message_id="<our-answer@hub.example>", direction=Direction.OUTBOUND
    )
    assert thread_headers(request) == {
        "In-Reply-To": "<first@client.example>",
        "References": "<earlier@client.example> <first@client.example>",
    }
    mail = _queue(request)
    assert mail.headers["In-Reply-To"] == "<first@client.example>"
    assert mail.request_id == request.pk
    assert mail.subject == "Your request: Hello"  # the editable template, in the language asked for


def test_the_same_key_queues_one_mail(db):
    request = RequestFactory()
    assert _queue(request, "k").pk == _queue(request, "k").pk
    assert OutgoingMessage.objects.count() == 1
