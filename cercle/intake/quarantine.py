"""Quarantine: what an import could not take keeps its bytes, and is taken again after a fix."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction

from cercle.intake.context import IngestContext
from cercle.intake.models import QuarantinedMessage
from cercle.intake.services import message_ingest
from cercle.mail.parse import parse_message
from cercle.mail.source import source_compress

TAKEN = ("created", "attached", "stored", "duplicate")


def quarantine_keep(messages: Iterable[tuple[str, bytes, str]]) -> int:
    """Keep these (source, raw bytes, reason); the same bytes twice are kept once. Returns how many are new."""
    rows = [
        QuarantinedMessage(
            digest=hashlib.sha256(raw).hexdigest(),
            source=source[:1000],
            reason=reason,
            raw_compressed=source_compress(raw),
            size=len(raw),
        )
        for source, raw, reason in messages
        if raw
    ]
    if not rows:
        return 0
    before = QuarantinedMessage.objects.count()
    QuarantinedMessage.objects.bulk_create(rows, ignore_conflicts=True)
    return QuarantinedMessage.objects.count() - before


def quarantine_retry() -> Counter[str]:
    """Parse and ingest each quarantined message again: taken ones leave the quarantine."""
    counts: Counter[str] = Counter()
    context = IngestContext.load(live=False)  # old mail: never a receipt
    max_chars = settings.CERCLE["MAX_BODY_CHARS"]
    for row in QuarantinedMessage.objects.order_by("id").iterator(chunk_size=200):
        raw = row.raw
        try:
            with transaction.atomic():
                result = message_ingest(
                    parsed=parse_message(raw, max_text_chars=max_chars), raw=raw, context=context
                )
                if result.status in TAKEN:
                    row.delete()
        except Exception as exc:  # still not readable: it stays, with the new reason
            context.forget()
            QuarantinedMessage.objects.filter(pk=row.pk).update(
                reason=f"{type(exc).__name__}: {exc}"[:2000], attempts=row.attempts + 1
            )
            counts["still quarantined"] += 1
            continue
        if result.status in TAKEN:
            counts["taken"] += 1
        else:
            QuarantinedMessage.objects.filter(pk=row.pk).update(
                reason=str(result.reason), attempts=row.attempts + 1
            )
            counts["still quarantined"] += 1
    return counts
