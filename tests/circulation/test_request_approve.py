"""The leader approves: the requester is reassured in their language, threaded onto their message."""

from __future__ import annotations

from cercle.circulation import services
from cercle.circulation.models import Event, EventKind
from cercle.intake.services import message_ingest
from cercle.mail.parse import ParsedMessage
from cercle.outbox.models import OutgoingMessage, OutgoingStatus


def _mail_request(language_text: str, message_id: str = "<first@client.example>"):
    result = message_ingest(
        parsed=ParsedMessage(
            message_id=message_id,
            subject="Help with our governance",
            from_name="James Whitaker",
            from_email="james@coop.example",
            to=["lea@hub.example"],
            cc=[],
            date=None,
            in_reply_to="",
            references=["<earlier@client.example>"],
            text=language_text,
            html="",
        ),
        raw=None,
    )
    from cercle.circulation.models import Request

    return Request.objects.get(pk=result.request_id)


def test_approval_sends_an_english_acknowledgement_threaded_on_the_request(
    second, leader, smtp_server, django_capture_on_commit_callbacks
):
    request = _mail_request("Hello, we would like your help. Could we book a call next week? Thanks, James")
    assert request.language == "en"
    services.request_keep(actor=second, request=request)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_approve(actor=leader, request=request, note="Go")
    request.refresh_from_db()
    assert request.answered_at is not None and request.answer_delay_s is not None
    outgoing = OutgoingMessage.objects.get(idempotency_key=f"ack:{request.pk}")
    assert outgoing.status == OutgoingStatus.SENT
    [mail] = smtp_server.received()
    assert mail["Subject"] == "Your request: Help with our governance"
    assert mail["In-Reply-To"] == "<first@client.example>"
    assert "<earlier@client.example>" in mail["References"]
    assert mail["Reply-To"] == "Léa Marchand <lea@hub.example>"
    assert "official member of the circle" in mail.get_content()
    assert Event.objects.filter(request=request, kind=EventKind.MAIL).exists()


def test_french_requesters_get_the_french_template(second, leader, django_capture_on_commit_callbacks):
    request = _mail_request(
        "Bonjour, nous souhaitons être accompagnés pour notre projet. Merci, Marc", "<fr@x>"
    )
    services.request_keep(actor=second, request=request)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_approve(actor=leader, request=request)
    outgoing = OutgoingMessage.objects.get(request=request)
    assert outgoing.subject.startswith("Votre demande : ")


def test_a_declined_request_sends_nothing(second, leader, incoming, django_capture_on_commit_callbacks):
    services.request_keep(actor=second, request=incoming)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_decline(actor=leader, request=incoming, note="Hors sujet")
    assert not OutgoingMessage.objects.exists()
