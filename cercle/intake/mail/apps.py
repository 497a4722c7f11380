from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    """IMAP accounts, their UID ledger and the sync (a Django app of its own inside intake/)."""

    name = "cercle.intake.mail"
    label = "mailsync"
    verbose_name = _("Mailboxes")
    default_auto_field = "django.db.models.BigAutoField"
