from __future__ import annotations

import zlib

from django.db import models
from django.utils.translation import gettext_lazy as _


class QuarantinedMessage(models.Model):
    """A message an import could not take (unreadable, no sender, empty, an error): its bytes are kept
    so that `cercle reparse` takes it again after a fix. Nothing skipped is thrown away."""

    digest = models.CharField(max_length=64, unique=True)  # sha256 of the bytes: kept once
    source = models.CharField(_("source"), max_length=1000)  # the file, or the mbox and its index
    reason = models.TextField(_("why it was not imported"))
    raw_compressed = models.BinaryField(editable=False)
    size = models.PositiveIntegerField(default=0)
    attempts = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("quarantined message")
        verbose_name_plural = _("quarantined messages")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"

    @property
    def raw(self) -> bytes:
        return zlib.decompress(bytes(self.raw_compressed))
