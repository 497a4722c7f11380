"""The thread is the truth: every mail Cercle writes about a request shows in its thread, and its lines
(in the thread and in the history) say whether it is waiting, left, or failed — read from the outbox."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from cercle.circle import services as circle
from cercle.circulation import services
from cercle.circulation.models import Direction, EventKind, Message, Request
from cercle.intake.services import FormSubmission, request_submit_form
from cercle.outbox import services as outbox
from cercle.outbox.models import OutgoingMessage, OutgoingStatus
from tests.conftest import login


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def article(page: str, mail: OutgoingMessage) -> str:
    found = re.search(rf'<article id="out-{mail.pk}".*?</article>', page, re.S)
    assert found, f"mail {mail.pk} is in the thread"
    return text_of(found.group(0))


def history(page: str) -> str:
    found = re.search(r'<ul class="timeline">.*?</ul>', page, re.S)
    assert found
    return text_of(found.group(0))


@pytest.fixture
def form_request(db) -> Request:
    return request_submit_form(
        submission=FormSubmission(
            name="Jeanne Martin",
            email="jeanne@coop.example",
            organisation="Coop",
            need="Nous cherchons un accompagnement pour notre levée de fonds coopérative.",
            deadline=None,
            language="fr",
            subject="Levée de fonds",
        )
    )


def page_of(user, request: Request, language: str = "en") -> str:
    return (
        login(user, language=language).get(reverse("circulation:detail", args=[request.pk])).content.decode()
    )


def test_the_receipt_shows_in_the_thread_waiting_then_sent(second, form_request, settings):
    receipt = OutgoingMessage.objects.get(request=form_request)
    page = page_of(second, form_request)
    shown = article(page, receipt)
    assert receipt.subject in shown and "Bonjour Jeanne Martin" in shown
    assert "Waiting to be sent" in shown
    assert "Receipt queued for jeanne@coop.example Waiting to be sent" in history(page)
    # The worker delivers it: both lines say so, with the time it left.
    assert outbox.outbox_deliver(outgoing_id=receipt.pk) == "sent"
    receipt.refresh_from_db()
    page = page_of(second, form_request)
    when = timezone.localtime(receipt.sent_at)
    assert f"Sent on {when.day} " in article(page, receipt)
    assert f"{when:%H:%M}" in article(page, receipt)
    assert "Waiting to be sent" not in article(page, receipt)
    assert "Sent on" in history(page)


def test_a_failed_mail_says_why_in_the_thread_and_the_history(second, form_request):
    receipt = OutgoingMessage.objects.get(request=form_request)
    OutgoingMessage.objects.filter(pk=receipt.pk).update(
        status=OutgoingStatus.FAILED, last_error="SMTPRecipientsRefused: 550 no such user"
    )
    page = page_of(second, form_request)
    assert "Failed: SMTPRecipientsRefused: 550 no such user" in article(page, receipt)
    assert "Failed: SMTPRecipientsRefused" in history(page)
    # A failed attempt that will be retried is still waiting, and says what happened.
    OutgoingMessage.objects.filter(pk=receipt.pk).update(
        status=OutgoingStatus.QUEUED, last_error="ConnectionRefusedError: [Errno 111]"
    )
    shown = article(page_of(second, form_request), receipt)
    assert "Waiting to be sent" in shown and "ConnectionRefusedError" in shown


def test_the_thread_speaks_french(second, form_request):
    receipt = OutgoingMessage.objects.get(request=form_request)
    assert "En attente d'envoi" in article(page_of(second, form_request, "fr"), receipt)
    outbox.outbox_deliver(outgoing_id=receipt.pk)
    receipt.refresh_from_db()
    when = timezone.localtime(receipt.sent_at)
    shown = article(page_of(second, form_request, "fr"), receipt)
    assert f"Envoyé le {when.day} " in shown and f"à {when.hour} h {when:%M}" in shown


def test_every_mail_about_the_request_is_in_its_thread_in_order(second, leader, member, form_request):
    services.request_keep(actor=second, request=form_request)
    services.request_approve(actor=leader, request=Request.objects.get(pk=form_request.pk))
    circle.request_route(
        actor=second, request=Request.objects.get(pk=form_request.pk), members=[member], brief="Pour toi"
    )
    mails = list(OutgoingMessage.objects.filter(request=form_request).order_by("created_at", "id"))
    assert len(mails) == 3  # receipt, acknowledgement, offer
    page = page_of(second, form_request)
    positions = [page.index(f'id="out-{m.pk}"') for m in mails]
    assert positions == sorted(positions)
    assert page.index('id="message-') < positions[0]  # after the requester's own message
    ack = Request.objects.get(pk=form_request.pk).events.get(note__startswith="Acknowledgement")
    assert ack.outgoing_id == mails[1].pk


def test_a_member_sees_the_mail_to_the_requester_not_the_offers_to_colleagues(
    second, leader, member, other_member, form_request
):
    services.request_keep(actor=second, request=form_request)
    services.request_approve(actor=leader, request=Request.objects.get(pk=form_request.pk))
    circle.request_route(
        actor=second,
        request=Request.objects.get(pk=form_request.pk),
        members=[member, other_member],
        brief="Brief",
    )
    to_karim = OutgoingMessage.objects.get(request=form_request, to__icontains="karim")
    to_claire = OutgoingMessage.objects.get(request=form_request, to__icontains="claire")
    receipt = OutgoingMessage.objects.get(idempotency_key=f"receipt:{form_request.pk}")
    page = page_of(member, form_request)
    assert f'id="out-{receipt.pk}"' in page and f'id="out-{to_claire.pk}"' in page
    assert f'id="out-{to_karim.pk}"' not in page
    everything = page_of(second, form_request)
    assert f'id="out-{to_karim.pk}"' in everything


def test_our_own_mail_imported_back_from_the_sent_folder_shows_once(second, form_request):
    receipt = OutgoingMessage.objects.get(request=form_request)
    Message.objects.create(
        request=form_request,
        message_id=receipt.message_id,
        direction=Direction.OUTBOUND,
        from_email="cercle@localhost",
        subject=receipt.subject,
        text=receipt.body,
    )
    page = page_of(second, form_request)
    assert page.count(receipt.subject) == 1
    assert f'id="out-{receipt.pk}"' in page


def test_the_triage_preview_is_unchanged(second, form_request):
    # The preview in the triage queue shows what arrived, not what we answered.
    from cercle.circulation.gestures import thread_for_page

    assert [type(m) for m in thread_for_page(form_request)] == [Message]
    assert OutgoingMessage in {type(m) for m in thread_for_page(form_request, user=second)}


def test_an_outgoing_mail_deleted_from_the_outbox_leaves_its_event(second, form_request):
    assert form_request.events.get(kind=EventKind.MAIL).outgoing_id is not None
    OutgoingMessage.objects.all().delete()
    assert form_request.events.get(kind=EventKind.MAIL).outgoing_id is None
    assert "Receipt queued for jeanne@coop.example" in history(page_of(second, form_request))
