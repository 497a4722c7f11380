from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cercle.mail.source import source_decompress


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
        return source_decompress(self.raw_compressed)


class IntakeSettings(models.Model):
    """The hub's choices about what arrives, set by the second or the leader on the settings page.

    One row (pk 1); until someone saves the page, the defaults below apply.
    """

    first_mail_receipt = models.BooleanField(
        _("Send the receipt to a first mail"),
        default=False,
        help_text=_(
            "Someone who writes for the first time gets the receipt at once, in their language, saying "
            "when they will hear back. Never automatic mail, mailing lists, no-reply addresses, LinkedIn "
            "notices or senders you always dismiss."
        ),
    )
    hub_aliases = models.TextField(
        _("Other addresses of the hub"),
        blank=True,
        default="",
        help_text=_(
            "The leader's other addresses, an assistant who writes on the leader's behalf: one per line. "
            "Their mail counts as the hub's own (sent, not received), and they are never contacts."
        ),
    )
    # When the receipt was turned on: mail dated before it never gets one (turning it on must not
    # answer a whole mailbox).
    first_mail_receipt_since = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("changed at"), null=True, blank=True, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("intake settings")
        verbose_name_plural = _("intake settings")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @property
    def alias_list(self) -> list[str]:
        return [line.strip().lower() for line in self.hub_aliases.splitlines() if line.strip()]

    @classmethod
    def current(cls) -> IntakeSettings:
        """The saved settings, or the defaults (unsaved) when nobody changed them yet."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)
