from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import parseaddr

from django.conf import settings
from django.db.models import QuerySet

from cercle.outbox.models import HubIdentity, OutgoingMessage, OutgoingStatus


def outbox_list(*, status: str | None = None, limit: int = 100) -> QuerySet[OutgoingMessage]:
    qs = OutgoingMessage.objects.select_related("request").order_by("-created_at")
    if status:
        qs = qs.filter(status=status)
    return qs[:limit]


def uncertain_for_request(*, request_id: int) -> list[OutgoingMessage]:
    """Mail about this request whose delivery was interrupted: it may or may not have left."""
    return list(
        OutgoingMessage.objects.filter(
            request_id=request_id, status=OutgoingStatus.FAILED, uncertain=True
        ).order_by("created_at")
    )


@dataclass(frozen=True)
class Sender:
    """Who the hub's mail comes from, where answers to it go, and the leader's signature: what the
    settings page saved, else the environment's defaults."""

    name: str
    email: str
    reply_to: str  # "" when neither the page nor the environment names one
    signature: str

    @property
    def domain(self) -> str:
        return self.email.rpartition("@")[2].strip() or "cercle.local"


def sender_identity() -> Sender:
    saved = HubIdentity.current()
    env_name, env_email = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return Sender(
        name=saved.from_name.strip() or env_name or settings.CERCLE["HUB_NAME"],
        email=saved.from_email.strip() or env_email or "cercle@localhost",
        reply_to=saved.reply_to.strip() or str(settings.CERCLE.get("REPLY_TO", "")).strip(),
        signature=_without_separator(saved.signature),
    )


def _without_separator(signature: str) -> str:
    """The signature as typed, without a separator line of its own ("--" or "-- "): the templates put one
    before it, and two would show."""
    return re.sub(r"\A\s*--[ \t]*(\r?\n|\Z)", "", signature).strip()


def sender_is_local(sender: Sender) -> bool:
    """Mail from `…@localhost` (the out-of-the-box default) is refused or dropped by most servers, and
    nobody can answer it: the settings page says so."""
    return sender.domain.lower() in {"localhost", "localhost.localdomain", "cercle.local"}


def hub_reply_to(*, default: list[str]) -> list[str]:
    """Where a requester's answer to the hub's mail goes: the reply-to address the hub set, else `default`
    (the leader's address, for the mail written in the leader's name)."""
    configured = sender_identity().reply_to
    return [configured] if configured else default
