from __future__ import annotations

from django.db.models import QuerySet

from cercle.outbox.models import OutgoingMessage


def outbox_list(*, status: str | None = None, limit: int = 100) -> QuerySet[OutgoingMessage]:
    qs = OutgoingMessage.objects.select_related("request").order_by("-created_at")
    if status:
        qs = qs.filter(status=status)
    return qs[:limit]
