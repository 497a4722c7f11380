from __future__ import annotations

from django.db.models import QuerySet

from cercle.outbox.models import OutgoingMessage, OutgoingStatus


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
