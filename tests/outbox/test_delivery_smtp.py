"""The outbox against a real SMTP server (aiosmtpd): delivery, idempotency, retries, visible failures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cercle.outbox import services
from cercle.outbox.models import OutgoingMessage, OutgoingStatus
from tests.conftest import free_port


def _queue(key: str = "k1", **extra) -> OutgoingMessage:
    return services.outbox_enqueue(
        idempotency_key=key,
        to=["Marc Lefèvre <marc@client.example>"],
        subject="Votre demande",
        body="Bonjour Marc,\nMerci.",
        **extra,
    )


def test_a_queued_message_reaches_the_smtp_server_once(db, smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        outgoing = _queue()
    outgoing.refresh_from_db()
    assert outgoing.status == OutgoingStatus.SENT
    received = smtp_server.received()
    assert len(received) == 1
    assert received[0]["Subject"] == "Votre demande"
    assert received[0]["Message-ID"] == outgoing.message_id
    assert "marc@client.example" in received[0]["X-Envelope-To"]
    # Delivering again (a retry, a second worker) sends nothing more.
    assert services.outbox_deliver(outgoing_id=outgoing.pk) == "skipped"
    assert len(smtp_server.received()) == 1


def test_enqueueing_twice_with_the_same_key_stores_one_message(db):
    first = _queue("ack:42")
    second = _queue("ack:42")
    assert first.pk == second.pk
    assert OutgoingMessage.objects.count() == 1


def test_smtp_down_means_retry_later_with_backoff_and_nothing_lost(db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    outgoing = _queue()
    assert services.outbox_deliver(outgoing_id=outgoing.pk) == "retry"
    outgoing.refresh_from_db()
    assert outgoing.status == OutgoingStatus.QUEUED
    assert outgoing.attempts == 1
    assert "ConnectionRefused" in outgoing.last_error
    assert outgoing.next_attempt_at > timezone.now() + timedelta(seconds=30)
    # Not due yet: the flush leaves it alone.
    assert services.outbox_flush()["retry"] == 0


def test_after_the_last_attempt_the_message_is_failed_and_can_be_retried(db, settings, smtp_server):
    settings.CERCLE = {**settings.CERCLE, "OUTBOX_MAX_ATTEMPTS": 2}
    good_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()
    outgoing = _queue()
    for _ in range(2):
        OutgoingMessage.objects.filter(pk=outgoing.pk).update(next_attempt_at=timezone.now())
        services.outbox_deliver(outgoing_id=outgoing.pk)
    outgoing.refresh_from_db()
    assert outgoing.status == OutgoingStatus.FAILED
    assert outgoing.attempts == 2
    # The SMTP server is back; a person retries from the outbox page.
    settings.EMAIL_PORT = good_port
    assert services.outbox_retry(outgoing_id=outgoing.pk) == "queued"
    assert services.outbox_deliver(outgoing_id=outgoing.pk) == "sent"
    assert len(smtp_server.received()) == 1


def test_a_message_left_sending_by_a_crash_is_surfaced_not_resent(db, smtp_server):
    outgoing = _queue()
    OutgoingMessage.objects.filter(pk=outgoing.pk).update(
        status=OutgoingStatus.SENDING, claimed_at=timezone.now() - timedelta(hours=1)
    )
    counts = services.outbox_flush()
    outgoing.refresh_from_db()
    assert counts["stale"] == 1
    assert outgoing.status == OutgoingStatus.FAILED
    assert smtp_server.received() == []


def test_the_worker_s_error_reads_in_each_reader_s_language(db, second):
    from django.urls import reverse
    from django.utils import translation

    from tests.conftest import login

    outgoing = _queue()
    OutgoingMessage.objects.filter(pk=outgoing.pk).update(
        status=OutgoingStatus.SENDING, claimed_at=timezone.now() - timedelta(hours=1)
    )
    with translation.override("fr"):  # the worker runs in the hub's language
        services.outbox_flush()
    english = login(second, language="en").get(reverse("outbox:list")).content.decode()
    french = login(second, language="fr").get(reverse("outbox:list")).content.decode()
    assert "Delivery was interrupted" in english and "interrompu" not in english
    assert "interrompu" in french


def test_no_header_injection_through_a_subject(db, smtp_server):
    outgoing = services.outbox_enqueue(
        idempotency_key="inj",
        to=["a@client.example"],
        subject="Hello\r\nBcc: victim@evil.example",
        body="x",
        headers={"In-Reply-To": "<a@b>\r\nBcc: victim@evil.example"},
    )
    assert services.outbox_deliver(outgoing_id=outgoing.pk) == "sent"
    message = smtp_server.received()[0]
    assert message["Bcc"] is None
    assert "victim@evil.example" not in message["X-Envelope-To"]
    assert "\n" not in message["Subject"]


def test_backoff_grows_and_is_capped():
    assert services.backoff(1) == timedelta(minutes=1)
    assert services.backoff(4) == timedelta(minutes=8)
    assert services.backoff(30) == timedelta(hours=6)


@pytest.mark.django_db
def test_templates_render_in_the_requester_language():
    fr = services.template_render(
        key="acknowledgement",
        language="fr",
        context={
            "requester_name": "Marc",
            "leader_name": "Léa",
            "subject": "Transition",
            "hub_name": "Cercle",
        },
    )
    en = services.template_render(
        key="acknowledgement",
        language="en",
        context={
            "requester_name": "James",
            "leader_name": "Léa",
            "subject": "Governance",
            "hub_name": "Cercle",
        },
    )
    assert fr.subject == "Votre demande : Transition"
    assert "membre officiel du cercle" in fr.body
    assert en.subject == "Your request: Governance"
    assert "official member of the circle" in en.body


@pytest.mark.django_db
def test_a_template_edited_in_the_admin_is_used():
    from cercle.outbox.models import MailTemplate

    MailTemplate.objects.filter(key="acknowledgement", language="fr").update(
        subject="Bien reçu : {{ subject }}"
    )
    mail = services.template_render(
        key="acknowledgement", language="fr", context={"subject": "Dupont & Fils"}
    )
    assert mail.subject == "Bien reçu : Dupont & Fils"  # plain text: no HTML escaping


def test_the_outbox_page_says_when_the_next_try_is_and_the_second_retries_a_failure(db, settings, second):
    from django.urls import reverse

    from tests.conftest import login

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    waiting = _queue("waiting")
    services.outbox_deliver(outgoing_id=waiting.pk)
    failed = _queue("failed")
    OutgoingMessage.objects.filter(pk=failed.pk).update(status=OutgoingStatus.FAILED, attempts=5)
    client = login(second, language="en")
    page = client.get(reverse("outbox:list")).content.decode()
    assert "next try" in page and "ConnectionRefused" in page
    assert reverse("outbox:retry", args=[failed.pk]) in page
    assert reverse("outbox:retry", args=[waiting.pk]) not in page  # still being retried by the worker
    client.post(reverse("outbox:retry", args=[failed.pk]))
    failed.refresh_from_db()
    assert failed.status == OutgoingStatus.QUEUED


def test_a_french_subject_keeps_its_no_break_spaces_and_loses_its_line_breaks(db, smtp_server):
    outgoing = services.outbox_enqueue(
        idempotency_key="nbsp",
        to=["a@client.example"],
        subject="Votre demande\u00a0: «\u00a0Bilan carbone\u00a0»\u2028Bcc: victim@evil.example",
        body="x",
    )
    assert outgoing.subject == "Votre demande\u00a0: «\u00a0Bilan carbone\u00a0» Bcc: victim@evil.example"
    assert services.outbox_deliver(outgoing_id=outgoing.pk) == "sent"
    message = smtp_server.received()[0]
    assert message["Bcc"] is None
    assert str(message["Subject"]).strip().startswith("Votre demande\u00a0: «\u00a0Bilan")
