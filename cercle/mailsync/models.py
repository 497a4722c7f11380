"""IMAP mail accounts and the UID ledger: what was fetched from which folder, and what became of it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cercle.core import crypto
from cercle.core.notes import note_shown


class Security(models.TextChoices):
    SSL = "ssl", _("TLS (IMAPS, port 993)")
    STARTTLS = "starttls", _("STARTTLS (port 143)")
    NONE = "none", _("None (local servers only)")


class AfterImport(models.TextChoices):
    NOTHING = "none", _("Leave the message untouched")
    SEEN = "seen", _("Mark it as read")


class ListenState(models.TextChoices):
    """Whether a worker listens to the account's inbox (IMAP IDLE) and new mail arrives within seconds."""

    IDLE = "idle", _("listening")
    POLLING = "polling", _("checking every minute")
    RECONNECTING = "reconnecting", _("reconnecting")
    OFF = "off", _("not listening")


class MailAccount(models.Model):
    """A mailbox Cercle reads (never deletes from): the leader's inbox, and the sent folder for history."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    host = models.CharField(_("IMAP server"), max_length=255)
    port = models.PositiveIntegerField(_("port"), default=993)
    security = models.CharField(_("security"), max_length=8, choices=Security.choices, default=Security.SSL)
    username = models.CharField(_("login"), max_length=255)
    password_encrypted = models.TextField(blank=True, editable=False)
    inbox_folder = models.CharField(_("folder to triage"), max_length=255, default="INBOX")
    sent_folder = models.CharField(
        _("sent folder"),
        max_length=255,
        blank=True,
        help_text=_("Feeds the relationship history; leave empty to skip."),
    )
    after_import = models.CharField(
        _("after import"), max_length=8, choices=AfterImport.choices, default=AfterImport.NOTHING
    )
    enabled = models.BooleanField(_("synchronise automatically"), default=True)
    listen = models.BooleanField(
        _("receive new mail within seconds"),
        default=True,
        help_text=_(
            "The worker keeps a connection open and the server says when mail arrives (IMAP IDLE). "
            "Untick it if the server limits connections: Cercle then checks every minute."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # The last run, for the account page.
    last_sync_at = models.DateTimeField(_("last synchronisation"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    # The same error untranslated (a Note), so each reader sees it in their own language.
    last_error_note = models.JSONField(null=True, blank=True, editable=False)
    # Progress of the running sync (a long first sync shows how far it is).
    sync_total = models.PositiveIntegerField(default=0)
    sync_done = models.PositiveIntegerField(default=0)
    sync_running_since = models.DateTimeField(null=True, blank=True)
    # The inbox's listener (listen.py): its state, since when, its last error (a Note, like last_error),
    # when it tries again after a lost connection; and when the last new message was imported.
    listen_state = models.CharField(max_length=12, choices=ListenState.choices, default=ListenState.OFF)
    listen_since = models.DateTimeField(null=True, blank=True)
    listen_error = models.TextField(blank=True)
    listen_error_note = models.JSONField(null=True, blank=True, editable=False)
    listen_retry_at = models.DateTimeField(null=True, blank=True)
    last_mail_at = models.DateTimeField(_("last mail arrived"), null=True, blank=True)

    class Meta:
        verbose_name = _("mail account")
        verbose_name_plural = _("mail accounts")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def password(self) -> str:
        return crypto.decrypt(self.password_encrypted)

    @password.setter
    def password(self, value: str) -> None:
        self.password_encrypted = crypto.encrypt(value)

    @property
    def last_error_text(self) -> str:
        return note_shown(self.last_error, self.last_error_note)

    @property
    def listen_error_text(self) -> str:
        return note_shown(self.listen_error, self.listen_error_note)

    @property
    def folders(self) -> list[str]:
        return [f for f in (self.inbox_folder, self.sent_folder) if f]


class ConnectionTestStatus(models.TextChoices):
    PENDING = "pending", _("Testing")
    OK = "ok", _("Connected")
    FAILED = "failed", _("Failed")


class ConnectionTest(models.Model):
    """One press of "Test the connection": the settings the form had, tested by the worker, and the
    result the page polls for. Never in a web request: a server that does not answer would hold a web
    thread (and the hub's network is probed from the worker only)."""

    account = models.ForeignKey(
        MailAccount, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # Host, port, security, login and folders as the form had them (saved or not); never the password.
    draft = models.JSONField(default=dict)
    # The password to try, encrypted like the account's; erased once tested.
    password_encrypted = models.TextField(blank=True, editable=False)
    status = models.CharField(
        max_length=8, choices=ConnectionTestStatus.choices, default=ConnectionTestStatus.PENDING
    )
    message = models.TextField(blank=True)
    message_note = models.JSONField(null=True, blank=True, editable=False)  # `message`, untranslated
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("connection test")
        verbose_name_plural = _("connection tests")

    def __str__(self) -> str:
        return f"{self.draft.get('host', '')} {self.status}"

    @property
    def pending(self) -> bool:
        return self.status == ConnectionTestStatus.PENDING

    @property
    def ok(self) -> bool:
        return self.status == ConnectionTestStatus.OK

    @property
    def message_text(self) -> str:
        return note_shown(self.message, self.message_note)


class FolderState(models.Model):
    """The UIDVALIDITY seen last time for one folder: a change means the UIDs were renumbered."""

    account = models.ForeignKey(MailAccount, on_delete=models.CASCADE, related_name="folder_states")
    folder = models.CharField(max_length=255)
    uidvalidity = models.BigIntegerField()
    rescans = models.PositiveIntegerField(default=0)
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "folder"], name="folder_state_once")]

    def __str__(self) -> str:
        return f"{self.account_id}:{self.folder} ({self.uidvalidity})"


class LedgerStatus(models.TextChoices):
    IMPORTED = "imported", _("Imported")
    DUPLICATE = "duplicate", _("Already known")
    SKIPPED = "skipped", _("Skipped")
    FAILED = "failed", _("Failed")


class LedgerEntry(models.Model):
    """One message of one folder, as the server numbers it. Written in the same transaction as the message.

    The sync never fetches a (folder, UIDVALIDITY, UID) that has an entry, so a crash at any moment
    loses nothing (the uncommitted batch is fetched again) and duplicates nothing (what committed is
    skipped; the Message-ID is unique besides).
    """

    account = models.ForeignKey(MailAccount, on_delete=models.CASCADE, related_name="ledger")
    folder = models.CharField(max_length=255)
    uidvalidity = models.BigIntegerField()
    uid = models.BigIntegerField()
    message_id = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=LedgerStatus.choices)
    error = models.TextField(blank=True)
    error_note = models.JSONField(null=True, blank=True, editable=False)  # `error`, untranslated
    attempts = models.PositiveSmallIntegerField(default=1)
    request = models.ForeignKey(
        "circulation.Request", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "folder", "uidvalidity", "uid"], name="ledger_uid_once"
            )
        ]
        indexes = [models.Index(fields=["account", "status"], name="ledger_account_status")]

    def __str__(self) -> str:
        return f"{self.account_id}:{self.folder}:{self.uidvalidity}:{self.uid} {self.status}"

    @property
    def error_text(self) -> str:
        return note_shown(self.error, self.error_note)


def sync_batch_size() -> int:
    return max(1, int(settings.CERCLE["MAIL_SYNC_BATCH"]))
