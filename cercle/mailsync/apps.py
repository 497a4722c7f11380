from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    """IMAP accounts, their UID ledger, the sync and the mailbox pages. It feeds intake's `message_ingest`."""

    name = "cercle.mailsync"
    label = "mailsync"
    verbose_name = _("Mailboxes")
    default_auto_field = "django.db.models.BigAutoField"
