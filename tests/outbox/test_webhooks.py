"""Signed webhooks against a real local HTTP receiver: written in the deciding transaction, posted after
commit, retried with backoff under one idempotency key, refused toward private addresses, signed."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from cercle.circulation.services import request_create, request_dismiss, request_keep, request_restore
from cercle.outbox.models import WebhookDelivery, WebhookEndpoint, WebhookStatus
from cercle.outbox.webhooks import (
    RETRY_DELAYS,
    WebhookRefused,
    webhook_deliver,
    webhook_emit,
    webhook_endpoint_create,
    webhook_flush,
    webhook_retry,
    webhook_sign,
    webhook_url_check,
    webhook_verify,
)
from cercle.people.merge import contact_merge
from tests.conftest import free_port, login
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


@dataclass
class Receiver:
    url: str
    secret: str = ""
    codes: list[int] = field(default_factory=list)  # answers to give, in order; then 200
    received: list[dict[str, object]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def got(self) -> list[dict[str, object]]:
        with self.lock:
            return list(self.received)


@pytest.fixture
def receiver(settings) -> Iterator[Receiver]:
    """A real HTTP server on a free loopback port that checks each request's signature as documented."""
    settings.CERCLE = {**settings.CERCLE, "WEBHOOKS_ALLOW_PRIVATE": True}
    port = free_port()
    sink = Receiver(url=f"http://127.0.0.1:{port}/hooks/cercle?from=test")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            with sink.lock:
                sink.received.append(
                    {
                        "path": self.path,
                        "headers": dict(self.headers),
                        "body": json.loads(body),
                        "valid": webhook_verify(
                            sink.secret,
                            self.headers["Cercle-Webhook-Timestamp"],
                            body,
                            self.headers["Cercle-Webhook-Signature"],
                        ),
                    }
                )
                code = sink.codes.pop(0) if sink.codes else 200
            self.send_response(code)
            self.end_headers()
            self.wfile.write(b"x" * 2000 if code == 200 else b"busy")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield sink
    finally:
        server.shutdown()
        server.server_close()


def _endpoint(receiver: Receiver, events: list[str]) -> WebhookEndpoint:
    endpoint, receiver.secret = webhook_endpoint_create(url=receiver.url, events=events, description="CRM")
    return endpoint


def _due_now(delivery: WebhookDelivery) -> None:
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())


# --- The outbox pattern ----------------------------------------------------------------------------


def test_a_delivery_is_posted_after_commit_signed_once(receiver, django_capture_on_commit_callbacks):
    _endpoint(receiver, ["request.kept", "contact.merged"])
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        (delivery,) = webhook_emit(event="contact.merged", payload={"kept_id": 1, "merged_id": 2}, key="m-1")
        assert receiver.got() == []  # nothing leaves inside the transaction
    (hit,) = receiver.got()
    assert hit["valid"] is True
    assert hit["path"] == "/hooks/cercle?from=test"
    assert hit["headers"]["Cercle-Webhook-Id"] == delivery.idempotency_key
    assert hit["headers"]["Cercle-Webhook-Event"] == "contact.merged"
    assert hit["body"]["event"] == "contact.merged"
    assert hit["body"]["id"] == delivery.idempotency_key
    assert hit["body"]["data"] == {"kept_id": 1, "merged_id": 2}
    delivery.refresh_from_db()
    assert delivery.status == WebhookStatus.SENT
    assert delivery.last_status_code == 200
    assert delivery.delivered_at is not None
    (entry,) = delivery.log
    assert entry["status_code"] == 200 and entry["attempt"] == 1
    assert len(entry["response"]) == 500  # the answer is kept no longer than that
    # Delivering again (a second worker, a duplicate task) posts nothing more.
    assert webhook_deliver(delivery_id=delivery.pk) == "skipped"
    assert len(receiver.got()) == 1


def test_a_rolled_back_transaction_delivers_nothing(receiver, django_capture_on_commit_callbacks):
    _endpoint(receiver, ["contact.merged"])
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        webhook_emit(event="contact.merged", payload={"kept_id": 1, "merged_id": 2}, key="m-2")
        raise RuntimeError("the deciding step failed")
    assert callbacks == []
    assert WebhookDelivery.objects.count() == 0
    assert receiver.got() == []


def test_only_active_subscribed_endpoints_get_a_delivery_and_a_key_queues_once(receiver):
    subscribed = _endpoint(receiver, ["request.kept"])
    _endpoint(receiver, ["request.approved"])
    inactive = _endpoint(receiver, ["request.kept"])
    WebhookEndpoint.objects.filter(pk=inactive.pk).update(active=False)
    first = webhook_emit(event="request.kept", payload={"request_id": 5}, key="request-event-9")
    again = webhook_emit(event="request.kept", payload={"request_id": 5}, key="request-event-9")
    assert [d.endpoint_id for d in first] == [subscribed.pk]
    assert again == []
    assert WebhookDelivery.objects.count() == 1
    with pytest.raises(ValueError):
        webhook_emit(event="request.eaten", payload={}, key="x")


def test_a_500_is_retried_with_backoff_under_the_same_id_then_sent(
    receiver, django_capture_on_commit_callbacks
):
    receiver.codes = [500]
    _endpoint(receiver, ["contact.merged"])
    with django_capture_on_commit_callbacks(execute=True):
        (delivery,) = webhook_emit(event="contact.merged", payload={"kept_id": 1, "merged_id": 2}, key="m-3")
    delivery.refresh_from_db()
    assert delivery.status == WebhookStatus.QUEUED
    assert delivery.attempts == 1 and delivery.last_status_code == 500
    assert delivery.next_attempt_at > timezone.now() + RETRY_DELAYS[0] - timedelta(seconds=10)
    assert webhook_flush()["retry"] + webhook_flush()["sent"] == 0  # not due yet
    _due_now(delivery)
    assert webhook_flush()["sent"] == 1
    first, second = receiver.got()
    assert first["headers"]["Cercle-Webhook-Id"] == second["headers"]["Cercle-Webhook-Id"]
    assert first["body"] == second["body"]
    assert second["valid"] is True
    delivery.refresh_from_db()
    assert delivery.status == WebhookStatus.SENT
    assert [e["status_code"] for e in delivery.log] == [500, 200]
    assert webhook_flush()["sent"] == 0
    assert len(receiver.got()) == 2


def test_a_refusal_is_not_retried_until_an_administrator_asks(receiver, django_capture_on_commit_callbacks):
    receiver.codes = [404]
    _endpoint(receiver, ["contact.merged"])
    with django_capture_on_commit_callbacks(execute=True):
        (delivery,) = webhook_emit(event="contact.merged", payload={"kept_id": 1, "merged_id": 2}, key="m-4")
    delivery.refresh_from_db()
    assert delivery.status == WebhookStatus.FAILED
    assert delivery.last_error == "HTTP 404"
    _due_now(delivery)
    assert webhook_flush()["sent"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_retry(delivery_id=delivery.pk) == "queued"
    delivery.refresh_from_db()
    assert delivery.status == WebhookStatus.SENT
    assert len(receiver.got()) == 2
    assert webhook_retry(delivery_id=delivery.pk) == "not_retryable"  # sent: never posted again by hand


def test_a_receiver_always_down_is_given_up_after_the_last_delay(receiver):
    receiver.codes = [503] * 10
    _endpoint(receiver, ["contact.merged"])
    (delivery,) = webhook_emit(event="contact.merged", payload={"kept_id": 1, "merged_id": 2}, key="m-5")
    outcomes = []
    for _attempt in range(len(RETRY_DELAYS) + 1):
        _due_now(delivery)
        outcomes.append(webhook_deliver(delivery_id=delivery.pk))
    assert outcomes == ["retry"] * len(RETRY_DELAYS) + ["gave_up"]
    delivery.refresh_from_db()
    assert delivery.status == WebhookStatus.GAVE_UP
    assert len(delivery.log) == len(RETRY_DELAYS) + 1
    _due_now(delivery)
    assert webhook_deliver(delivery_id=delivery.pk) == "skipped"


def test_a_closed_port_is_a_network_error_retried(settings):
    settings.CERCLE = {**settings.CERCLE, "WEBHOOKS_ALLOW_PRIVATE": True}
    webhook_endpoint_create(url=f"http://127.0.0.1:{free_port()}/", events=["contact.merged"])
    (delivery,) = webhook_emit(event="contact.merged", payload={"kept_id": 1, "merged_id": 2}, key="m-6")
    assert webhook_deliver(delivery_id=delivery.pk) == "retry"
    delivery.refresh_from_db()
    assert "ConnectionRefused" in delivery.last_error
    assert delivery.last_status_code is None


# --- Addresses that are refused ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/",
        "http://10.1.2.3/hook",
        "http://192.168.1.10/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "http://localhost/",
    ],
)
def test_loopback_private_and_link_local_addresses_are_refused_by_default(url):
    with pytest.raises(WebhookRefused):
        webhook_url_check(url)
    endpoint = WebhookEndpoint(url=url, events=["request.kept"])
    endpoint.secret = "s"
    with pytest.raises(ValidationError) as refused:
        endpoint.full_clean()
    assert "url" in refused.value.message_dict


@pytest.mark.parametrize("url", ["ftp://93.184.215.14/", "http://user:pw@93.184.215.14/", "http:///nohost"])
def test_other_schemes_and_credentials_are_refused(url):
    with pytest.raises(WebhookRefused):
        webhook_url_check(url)


def test_a_public_address_passes_and_the_setting_allows_a_local_one(settings):
    target = webhook_url_check("https://93.184.215.14/hooks?x=1")
    assert (target.port, target.path, target.addresses) == (443, "/hooks?x=1", ("93.184.215.14",))
    settings.CERCLE = {**settings.CERCLE, "WEBHOOKS_ALLOW_PRIVATE": True}
    assert webhook_url_check("http://127.0.0.1:9/").addresses == ("127.0.0.1",)


def test_the_address_is_checked_again_at_delivery(receiver, settings):
    _endpoint(receiver, ["contact.merged"])  # allowed when it was registered
    settings.CERCLE = {**settings.CERCLE, "WEBHOOKS_ALLOW_PRIVATE": False}
    (delivery,) = webhook_emit(event="contact.merged", payload={"kept_id": 1, "merged_id": 2}, key="m-7")
    assert webhook_deliver(delivery_id=delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert "127.0.0.1" in delivery.last_error
    assert receiver.got() == []


# --- Signature ---------------------------------------------------------------------------------------


def test_the_signature_and_its_replay_window():
    body = b'{"event":"request.kept"}'
    now = 1_800_000_000
    signature = webhook_sign("whsec_abc", now, body)
    assert signature.startswith("v1=") and len(signature) == 3 + 64
    assert webhook_verify("whsec_abc", str(now), body, signature, now=now + 299)
    assert webhook_verify("whsec_abc", now, body.decode(), f"v1=dead, {signature}", now=now)  # several values
    assert not webhook_verify("whsec_abc", now, body, signature, now=now + 301)  # replayed too late
    assert not webhook_verify("whsec_abc", now, body, signature, now=now - 301)  # from the future
    assert not webhook_verify("whsec_abc", now, body + b" ", signature, now=now)  # body changed
    assert not webhook_verify("whsec_abc", now + 1, body, signature, now=now)  # timestamp changed
    assert not webhook_verify("whsec_other", now, body, signature, now=now)
    assert not webhook_verify("whsec_abc", "soon", body, signature, now=now)


def test_the_secret_is_encrypted_at_rest(receiver):
    endpoint, secret = webhook_endpoint_create(url=receiver.url, events=["request.kept"])
    assert secret.startswith("whsec_") and len(secret) > 40
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret_encrypted FROM outbox_webhookendpoint WHERE id = %s", [endpoint.pk])
        (stored,) = cursor.fetchone()
    assert stored and secret not in stored
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret == secret


# --- Emitted by the real services ------------------------------------------------------------------


def test_keeping_a_request_tells_the_webhook(receiver, second, django_capture_on_commit_callbacks):
    _endpoint(receiver, ["request.kept", "request.received"])
    requester = ContactFactory(name="Marc Lefèvre", email="marc@client.example")
    with django_capture_on_commit_callbacks(execute=True):
        request = request_create(requester=requester, subject="Refonte du site", summary="Le corps privé")
    with django_capture_on_commit_callbacks(execute=True):
        request_keep(actor=second, request=request)
    received, kept = receiver.got()
    assert received["body"]["event"] == "request.received"
    assert kept["body"]["event"] == "request.kept"
    assert all(hit["valid"] for hit in receiver.got())
    data = kept["body"]["data"]
    assert data["request_id"] == request.pk
    assert (data["from_state"], data["state"]) == ("received", "kept")
    assert data["subject"] == "Refonte du site"
    assert data["requester_id"] == requester.pk and data["lead_id"] is None
    assert data["url"].endswith(reverse("circulation:detail", args=[request.pk]))
    assert "Le corps privé" not in json.dumps(receiver.got(), ensure_ascii=False)


def test_a_refused_transition_emits_nothing(receiver, second):
    _endpoint(receiver, ["request.kept"])
    request = request_create(requester=ContactFactory(), subject="Sujet")
    request_keep(actor=second, request=request)
    with pytest.raises(Exception):  # noqa: B017 - kept already: the conflict rolls back
        request_keep(actor=second, request=request, expected_state="received")
    assert WebhookDelivery.objects.filter(event="request.kept").count() == 1


def test_merging_contacts_tells_the_webhook(receiver, second, django_capture_on_commit_callbacks):
    _endpoint(receiver, ["contact.merged"])
    kept = ContactFactory(name="Jean Dupont", email="jean@berthier.fr")
    merged = ContactFactory(name="Jean Dupont", email="jean.dupont@gmail.com")
    with django_capture_on_commit_callbacks(execute=True):
        record = contact_merge(actor=second, kept=kept, merged=merged)
    (hit,) = receiver.got()
    assert hit["valid"] is True
    assert hit["body"]["event"] == "contact.merged"
    assert hit["body"]["data"]["kept_id"] == kept.pk
    assert hit["body"]["data"]["merged_id"] == merged.pk
    assert hit["body"]["id"] == f"contact-merge-{record.pk}:{WebhookEndpoint.objects.get().pk}"


# --- The admin ---------------------------------------------------------------------------------------


def test_the_admin_registers_an_endpoint_shows_its_secret_once_and_refuses_private_urls(
    admin_user, settings, receiver
):
    client = login(admin_user)
    add = reverse("admin:outbox_webhookendpoint_add")
    response = client.post(
        add, {"url": receiver.url, "events": ["request.kept", "project.closed"], "active": "on"}, follow=True
    )
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["request.kept", "project.closed"]
    assert endpoint.created_by == admin_user
    assert endpoint.secret in response.content.decode()
    assert (
        endpoint.secret
        not in client.get(reverse("admin:outbox_webhookendpoint_change", args=[endpoint.pk])).content.decode()
    )
    settings.CERCLE = {**settings.CERCLE, "WEBHOOKS_ALLOW_PRIVATE": False}
    refused = client.post(add, {"url": "http://169.254.169.254/", "events": ["request.kept"], "active": "on"})
    assert refused.status_code == 200 and "169.254.169.254" in refused.content.decode()
    assert WebhookEndpoint.objects.count() == 1


def test_the_admin_rotates_a_secret_and_retries_a_delivery(
    admin_user, receiver, django_capture_on_commit_callbacks
):
    receiver.codes = [400]
    endpoint = _endpoint(receiver, ["contact.merged"])
    old = endpoint.secret
    client = login(admin_user)
    response = client.post(
        reverse("admin:outbox_webhookendpoint_changelist"),
        {"action": "rotate_secret", "_selected_action": [endpoint.pk]},
        follow=True,
    )
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.secret in response.content.decode()
    receiver.secret = endpoint.secret
    (delivery,) = webhook_emit(event="contact.merged", payload={"kept_id": 1, "merged_id": 2}, key="m-8")
    assert webhook_deliver(delivery_id=delivery.pk) == "failed"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:outbox_webhookdelivery_changelist"),
            {"action": "retry_now", "_selected_action": [delivery.pk]},
        )
    delivery.refresh_from_db()
    assert delivery.status == WebhookStatus.SENT
    assert [hit["valid"] for hit in receiver.got()] == [True, True]
    assert client.get(reverse("admin:outbox_webhookdelivery_change", args=[delivery.pk])).status_code == 200


def test_an_edge_back_has_its_own_event(receiver, second):
    _endpoint(receiver, ["request.dismissed", "request.restored", "request.received"])
    request = request_create(requester=ContactFactory(), subject="Sujet")
    request_dismiss(actor=second, request=request, reason="spam")
    request_restore(actor=second, request=request)
    emitted = list(WebhookDelivery.objects.order_by("pk").values_list("event", "payload__from_state"))
    assert emitted == [
        ("request.received", None),
        ("request.dismissed", "received"),
        ("request.restored", "dismissed"),
    ]


def test_erasing_a_person_removes_the_deliveries_naming_their_requests(receiver, second):
    from cercle.people.privacy.services import person_erase

    _endpoint(receiver, ["request.received", "request.kept"])
    requester = ContactFactory(name="Marc Lefèvre", email="marc@client.example")
    other = request_create(requester=ContactFactory(), subject="Another one")
    request = request_create(requester=requester, subject="Refonte du site confidentielle")
    assert WebhookDelivery.objects.filter(payload__request_id=request.pk).count() == 1

    person_erase(actor=second, contact=requester, confirmation="ERASE")

    assert not WebhookDelivery.objects.filter(payload__request_id=request.pk).exists()
    assert "confidentielle" not in json.dumps(list(WebhookDelivery.objects.values("payload")), default=str)
    assert WebhookDelivery.objects.filter(payload__request_id=other.pk).count() == 1
