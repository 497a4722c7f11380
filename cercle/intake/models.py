from __future__ import annotations

import zlib

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    INBOUND = "in", _("Received")
    OUTBOUND = "out", _("Sent")


class MessageKind(models.TextChoices):
    """Decided from the headers at import (intake/mail/kinds.py)."""

    NORMAL = "normal", _("Written by a person")
    AUTO_REPLY = "auto_reply", _("Automatic reply")
    BOUNCE = "bounce", _("Delivery failure")
    BULK = "bulk", _("Bulk mail or mailing list")


class Message(models.Model):
    """One message, received or sent, deduplicated by Message-ID.

    Most belong to a request's thread; automatic replies, bounces and sent mail that answer no known
    request are kept without one (nothing is lost, and a later message may still thread on them).
    """

    # No index of its own: `message_request_sent` (request, sent_at) serves it, one index less per insert.
    request = models.ForeignKey(
        "circulation.Request",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="messages",
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=12, choices=MessageKind.choices, default=MessageKind.NORMAL)
    kind_reason = models.CharField(_("why this kind"), max_length=200, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=500, unique=True)
    in_reply_to = models.CharField(max_length=500, blank=True)
    references = models.TextField(blank=True)
    direction = models.CharField(max_length=3, choices=Direction.choices, default=Direction.INBOUND)
    from_name = models.CharField(_("sender name"), max_length=200, blank=True)
    from_email = models.CharField(_("sender address"), max_length=254, blank=True)
    to = models.TextField(_("to"), blank=True)
    cc = models.TextField(_("cc"), blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    sent_at = models.DateTimeField(_("date"), default=timezone.now)
    text = models.TextField(_("text"), blank=True)
    html = models.TextField(_("sanitised HTML"), blank=True)
    truncated = models.BooleanField(default=False)
    # One entry per file: name, type, size, sha256, stored (bool), reason, inline, role… (see mail/attachments.py)
    attachments = models.JSONField(default=list, blank=True)
    raw_compressed = models.BinaryField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["sent_at", "id"]
        indexes = [
            models.Index(fields=["request", "sent_at"], name="message_request_sent"),
            # Replies stored before their parent, found again when the parent arrives (few rows).
            models.Index(
                fields=["in_reply_to"], condition=models.Q(request__isnull=True), name="message_orphan_reply"
            ),
        ]

    def __str__(self) -> str:
        return self.subject or self.message_id

    @property
    def raw(self) -> bytes | None:
        return zlib.decompress(bytes(self.raw_compressed)) if self.raw_compressed else None
