"""Read stored messages again from their raw bytes, after the parser learnt something new.

Every imported message keeps its raw bytes (compressed). When the parser improves (a charset it did
not know, a better HTML sanitiser, a new kind of automatic mail), `messages_reparse` re-reads them and
updates what the parser decides: text, sanitised HTML, sender name, subject, kind, date, attachments.
What people decided stays: the request a message belongs to, its thread, the requests' own fields
and events. Idempotent: a message whose parse gives the same result is left alone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import QuerySet

from cercle.circulation.models import Message
from cercle.mail.attachments import attachments_store
from cercle.mail.parse import ParsedMessage, parse_message

BATCH = 200
# The fields the parser decides (sent_at too, through `_parsed_fields`).
PARSED_FIELDS = ("text", "html", "truncated", "kind", "kind_reason", "from_name", "subject", "attachments")


@dataclass
class ReparseSummary:
    counts: Counter[str] = field(default_factory=Counter)  # updated, unchanged, no_raw, failed
    failed: list[tuple[str, str]] = field(default_factory=list)  # (Message-ID, error)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _parsed_fields(message: Message, parsed: ParsedMessage) -> dict[str, Any]:
    values: dict[str, Any] = {
        "text": parsed.text,
        "html": parsed.html,
        "truncated": parsed.truncated,
        "kind": parsed.kind,
        "kind_reason": parsed.kind_reason[:200],
        "from_name": parsed.from_name[:200],
        "subject": parsed.subject[:300],
        "attachments": attachments_store(parsed.attachments) if parsed.attachments else [],
    }
    if parsed.date is not None:
        # As at import: a sender's clock in the future never moves a message after its arrival.
        values["sent_at"] = min(parsed.date, message.created_at)
    return values


def _reparse_one(message: Message, max_chars: int) -> str:
    raw = message.raw
    if raw is None:
        return "no_raw"  # the public form and demo messages: nothing to read again
    values = _parsed_fields(message, parse_message(raw, max_text_chars=max_chars))
    changed = [name for name, value in values.items() if getattr(message, name) != value]
    if not changed:
        return "unchanged"
    for name in changed:
        setattr(message, name, values[name])
    message.save(update_fields=changed)
    return "updated"


def messages_reparse(
    *,
    messages: QuerySet[Message] | None = None,
    on_message: Callable[[str], None] | None = None,
    batch: int = BATCH,
) -> ReparseSummary:
    """Parse these stored messages (default: all) again and update what the parser decides.

    Batches of `batch` messages, each in one transaction (a savepoint per message: one that fails is
    reported and the others are kept), read in primary-key order with a moving lower bound, so memory
    stays flat and an interrupted run can simply be started again.
    """
    summary = ReparseSummary()
    max_chars: int = settings.CERCLE["MAX_BODY_CHARS"]
    base = (messages if messages is not None else Message.objects.all()).order_by("pk")
    last = 0
    while True:
        chunk = list(base.filter(pk__gt=last)[:batch])
        if not chunk:
            return summary
        last = chunk[-1].pk
        outcomes: list[str] = []
        try:
            with transaction.atomic():
                for message in chunk:
                    try:
                        with transaction.atomic():
                            outcome = _reparse_one(message, max_chars)
                    except Exception as exc:  # one message must not stop the run: report it
                        outcome = "failed"
                        summary.failed.append((message.message_id, f"{type(exc).__name__}: {exc}"))
                    outcomes.append(outcome)
        except DatabaseError as exc:  # the commit failed: nothing of this batch changed
            outcomes = ["failed"] * len(chunk)
            summary.failed += [(m.message_id, f"{type(exc).__name__}: {exc}") for m in chunk]
        for outcome in outcomes:
            summary.counts[outcome] += 1
            if on_message:
                on_message(outcome)
