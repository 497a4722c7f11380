"""Signed webhooks: the hub tells other systems what happened, the way it sends mail.

`webhook_emit` writes one `WebhookDelivery` per active endpoint subscribed to the event, inside the
caller's transaction (no network there); after commit the worker delivers it (`webhook_deliver`),
claiming it with a conditional update (QUEUED → SENDING) so that two workers never post it twice at
once. A failure is retried with backoff (1 min, 5 min, 30 min, 2 h, 12 h, then "gave up"); every
attempt is logged with its response code. The receiver may still see a delivery twice (a crash after its
answer, a "retry now"): `Cercle-Webhook-Id` is the same every time, so it can ignore repeats.

Each request is signed: `Cercle-Webhook-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`
with `Cercle-Webhook-Timestamp` in unix seconds (`webhook_verify` is the receiver's check). URLs that
resolve to loopback, link-local, private or otherwise non-public addresses are refused, when the
endpoint is saved and again at each delivery (DNS may change), unless `CERCLE["WEBHOOKS_ALLOW_PRIVATE"]`.
See docs/webhooks.md.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import secrets
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cercle.accounts.models import User
from cercle.core.crypto import SecretUnreadable
from cercle.outbox.models import WebhookDelivery, WebhookEndpoint, WebhookEvent, WebhookStatus

logger = logging.getLogger(__name__)

SIGNATURE_VERSION = "v1"
HEADER_ID = "Cercle-Webhook-Id"
HEADER_EVENT = "Cercle-Webhook-Event"
HEADER_TIMESTAMP = "Cercle-Webhook-Timestamp"
HEADER_SIGNATURE = "Cercle-Webhook-Signature"
REPLAY_WINDOW_SECONDS = 300
TIMEOUT_SECONDS = 5
RESPONSE_KEPT_CHARS = 500
LOG_KEPT_ATTEMPTS = 50
# After the first attempt fails, wait this long before each next one; when they are spent: gave up.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
# Answers that say "later" rather than "no": retried like a 5xx or a network error.
RETRYABLE_CODES = frozenset({408, 425, 429})
STALE_SENDING_AFTER = timedelta(minutes=15)


class WebhookRefused(Exception):
    """The URL may not be called (scheme, address): retrying cannot help."""


class WebhookUnreachable(Exception):
    """The host cannot be resolved now: retried later."""


# --- Signing --------------------------------------------------------------------------------------


def webhook_secret_new() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def _bytes(body: bytes | str) -> bytes:
    return body.encode("utf-8") if isinstance(body, str) else body


def webhook_sign(secret: str, timestamp: int | str, body: bytes | str) -> str:
    """The `Cercle-Webhook-Signature` value: v1=hex(HMAC-SHA256(secret, "<timestamp>.<body>"))."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + _bytes(body), hashlib.sha256)
    return f"{SIGNATURE_VERSION}={mac.hexdigest()}"


def webhook_verify(
    secret: str,
    timestamp: str | int,
    body: bytes | str,
    signature: str,
    now: float | None = None,
    *,
    window: int = REPLAY_WINDOW_SECONDS,
) -> bool:
    """The receiver's check: the timestamp is within `window` seconds of `now` (a replayed request is
    refused) and one of the signature's `v1=` values matches, compared in constant time."""
    try:
        stamp = int(str(timestamp).strip())
    except ValueError:
        return False
    now = time.time() if now is None else now
    if abs(now - stamp) > window:
        return False
    expected = webhook_sign(secret, stamp, body)
    candidates = [part.strip() for part in signature.replace(",", " ").split()]
    return any(hmac.compare_digest(expected, candidate) for candidate in candidates)


# --- Where we may post ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


def _not_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    return (
        not address.is_global
        or address.is_loopback
        or address.is_link_local
        or address.is_private
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def webhook_url_check(url: str, *, resolve_errors: bool = False) -> Target:
    """Where a POST to `url` would go. Raises WebhookRefused for a scheme other than http(s), credentials
    in the URL, or an address that is not public (unless WEBHOOKS_ALLOW_PRIVATE); WebhookUnreachable when
    the host is not found (WebhookRefused with `resolve_errors`, as when an administrator saves it)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise WebhookRefused(_("This URL is not valid.")) from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookRefused(_("Only http:// and https:// URLs may receive webhooks."))
    if parts.username or parts.password:
        raise WebhookRefused(
            _("Put no user name or password in the URL: the signature authenticates Cercle.")
        )
    host = parts.hostname
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        message = _("%(host)s cannot be found.") % {"host": host}
        raise (WebhookRefused if resolve_errors else WebhookUnreachable)(message) from exc
    addresses = tuple(dict.fromkeys(str(info[4][0]).split("%", 1)[0] for info in infos))
    if not settings.CERCLE.get("WEBHOOKS_ALLOW_PRIVATE"):
        for text in addresses:
            if _not_public(ipaddress.ip_address(text)):
                raise WebhookRefused(
                    _(
                        "%(host)s is a local or private address (%(address)s): Cercle does not send webhooks "
                        "there unless the administrator allows it (CERCLE_WEBHOOKS_ALLOW_PRIVATE=1)."
                    )
                    % {"host": host, "address": text}
                )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, host, port, path, addresses)


def _connect(addresses: tuple[str, ...], port: int, timeout: float) -> socket.socket:
    """A connection to one of the addresses that were checked, never to a fresh resolution of the name."""
    error: OSError = OSError("no address")
    for address in addresses:
        try:
            return socket.create_connection((address, port), timeout)
        except OSError as exc:
            error = exc
    raise error


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._addresses = target.addresses

    def connect(self) -> None:
        self.sock = _connect(self._addresses, self.port, self.timeout)  # type: ignore[arg-type]


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self._addresses = target.addresses

    def connect(self) -> None:
        sock = _connect(self._addresses, self.port, self.timeout)  # type: ignore[arg-type]
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    """POST once, no redirect followed; the status and the start of the answer."""
    target = webhook_url_check(url)
    kind = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = kind(target, TIMEOUT_SECONDS)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read(RESPONSE_KEPT_CHARS * 4).decode("utf-8", "replace")[:RESPONSE_KEPT_CHARS]
        return response.status, text
    finally:
        connection.close()


# --- Writing and delivering ----------------------------------------------------------------------


def webhooks_wanted(event: str) -> bool:
    """Whether any active endpoint listens to `event`: a batch asks once instead of once per fact."""
    return any(event in e.events for e in WebhookEndpoint.objects.filter(active=True).only("pk", "events"))


def webhook_emit(*, event: str, payload: dict[str, Any], key: str) -> list[WebhookDelivery]:
    """Queue `event` for every active endpoint subscribed to it, in the caller's transaction; delivery
    starts after commit (nothing leaves if it rolls back). `key` names the fact (one per event: the same
    key twice queues nothing more); the payload holds ids, states, subjects and dates, never a message."""
    if event not in WebhookEvent.values:
        raise ValueError(f"unknown webhook event {event!r}")
    endpoints = [
        e for e in WebhookEndpoint.objects.filter(active=True).only("pk", "events") if event in e.events
    ]
    if not endpoints:
        return []
    data = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    created = []
    for endpoint in endpoints:
        idempotency_key = f"{key}:{endpoint.pk}"[-200:]
        try:
            with transaction.atomic():
                delivery = WebhookDelivery.objects.create(
                    endpoint=endpoint, event=event, payload=data, idempotency_key=idempotency_key
                )
        except IntegrityError:
            continue
        created.append(delivery)
        transaction.on_commit(partial(_schedule, delivery.pk))
    return created


def _schedule(delivery_id: int) -> None:
    from cercle.outbox.tasks import deliver_webhook

    deliver_webhook(delivery_id)


def webhook_body(delivery: WebhookDelivery) -> bytes:
    """What is posted: the same bytes at every attempt."""
    envelope = {
        "id": delivery.idempotency_key,
        "event": delivery.event,
        "created_at": delivery.created_at.isoformat(),
        "data": delivery.payload,
    }
    return json.dumps(envelope, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def webhook_headers(delivery: WebhookDelivery, secret: str, body: bytes, timestamp: int) -> dict[str, str]:
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Cercle-Webhooks/1",
        HEADER_ID: delivery.idempotency_key,
        HEADER_EVENT: delivery.event,
        HEADER_TIMESTAMP: str(timestamp),
        HEADER_SIGNATURE: webhook_sign(secret, timestamp, body),
    }


def webhook_deliver(*, delivery_id: int) -> str:
    """Post one delivery now. Returns 'sent', 'retry', 'failed', 'gave_up' or 'skipped' (not due, taken)."""
    now = timezone.now()
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status=WebhookStatus.QUEUED, next_attempt_at__lte=now
    ).update(status=WebhookStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if claimed != 1:
        return "skipped"
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    code: int | None = None
    response = ""
    started = time.monotonic()
    if not endpoint.active:
        return _record(delivery, "failed", None, _("The webhook was deactivated."), "", started)
    try:
        secret = endpoint.secret
    except SecretUnreadable:
        return _record(
            delivery, "failed", None, _("The webhook's secret cannot be read: rotate it."), "", started
        )
    body = webhook_body(delivery)
    timestamp = int(time.time())
    try:
        code, response = _post(endpoint.url, body, webhook_headers(delivery, secret, body, timestamp))
    except WebhookRefused as exc:
        return _record(delivery, "failed", None, str(exc), "", started)
    except WebhookUnreachable as exc:
        return _record(delivery, "retry", None, str(exc), "", started)
    except (OSError, http.client.HTTPException) as exc:
        return _record(delivery, "retry", None, f"{type(exc).__name__}: {exc}", "", started)
    if 200 <= code < 300:
        return _record(delivery, "sent", code, "", response, started)
    if code >= 500 or code in RETRYABLE_CODES:
        return _record(delivery, "retry", code, f"HTTP {code}", response, started)
    # A redirect (not followed) or a refusal (400, 401, 404…): the same request would get the same answer.
    return _record(delivery, "failed", code, f"HTTP {code}", response, started)


def _record(
    delivery: WebhookDelivery, outcome: str, code: int | None, error: str, response: str, started: float
) -> str:
    now = timezone.now()
    entry = {
        "at": now.isoformat(),
        "attempt": delivery.attempts,
        "status_code": code,
        "error": error[:RESPONSE_KEPT_CHARS],
        "response": response[:RESPONSE_KEPT_CHARS],
        "ms": int((time.monotonic() - started) * 1000),
    }
    fields: dict[str, Any] = {
        "last_status_code": code,
        "last_error": error[:2000],
        "log": [*delivery.log, entry][-LOG_KEPT_ATTEMPTS:],
    }
    if outcome == "sent":
        fields.update(status=WebhookStatus.SENT, delivered_at=now)
    elif outcome == "retry" and delivery.attempts <= len(RETRY_DELAYS):
        fields.update(status=WebhookStatus.QUEUED, next_attempt_at=now + RETRY_DELAYS[delivery.attempts - 1])
    elif outcome == "retry":
        outcome = "gave_up"
        fields.update(status=WebhookStatus.GAVE_UP)
    else:
        fields.update(status=WebhookStatus.FAILED)
    WebhookDelivery.objects.filter(pk=delivery.pk, status=WebhookStatus.SENDING).update(**fields)
    if outcome != "sent":
        logger.warning(
            "webhooks: delivery %s (%s) %s at attempt %s: %s",
            delivery.pk,
            delivery.event,
            outcome,
            delivery.attempts,
            error,
        )
    return outcome


def webhook_flush(*, limit: int = 200) -> dict[str, int]:
    """Deliver what is due; put back in the queue what a crashed worker left in SENDING (the receiver
    knows a repeat by its `Cercle-Webhook-Id`). Run every minute."""
    counts = {"sent": 0, "retry": 0, "failed": 0, "gave_up": 0, "skipped": 0, "stale": 0}
    counts["stale"] = WebhookDelivery.objects.filter(
        status=WebhookStatus.SENDING, claimed_at__lt=timezone.now() - STALE_SENDING_AFTER
    ).update(status=WebhookStatus.QUEUED, next_attempt_at=timezone.now())
    due = WebhookDelivery.objects.filter(
        status=WebhookStatus.QUEUED, next_attempt_at__lte=timezone.now()
    ).values_list("pk", flat=True)[:limit]
    for pk in list(due):
        counts[webhook_deliver(delivery_id=pk)] += 1
    return counts


def webhook_retry(*, delivery_id: int) -> str:
    """ "Retry now" (an administrator asked): a failed or given-up delivery starts its retries again, a
    queued one is due at once. Returns "queued", or "not_retryable" for one sent or being sent."""
    now = timezone.now()
    done = WebhookDelivery.objects.filter(
        pk=delivery_id, status__in=[WebhookStatus.FAILED, WebhookStatus.GAVE_UP]
    ).update(status=WebhookStatus.QUEUED, attempts=0, next_attempt_at=now)
    done += WebhookDelivery.objects.filter(pk=delivery_id, status=WebhookStatus.QUEUED).update(
        next_attempt_at=now
    )
    if not done:
        return "not_retryable"
    transaction.on_commit(partial(_schedule, delivery_id))
    return "queued"


def webhook_endpoint_create(
    *, url: str, events: list[str], description: str = "", created_by: User | None = None
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint (checked like the admin form does); returns it and its new secret, which
    is shown once and stored encrypted."""
    endpoint = WebhookEndpoint(
        url=url.strip(), events=list(events), description=description, created_by=created_by
    )
    secret = webhook_secret_new()
    endpoint.secret = secret
    endpoint.full_clean()
    endpoint.save()
    return endpoint, secret


def webhook_secret_rotate(*, endpoint: WebhookEndpoint) -> str:
    """A new secret for the endpoint (the old one stops working at once); returned to be shown once."""
    secret = webhook_secret_new()
    endpoint.secret = secret
    endpoint.save(update_fields=["secret_encrypted"])
    return secret
