"""The "Test the connection" button's work, done by the worker (tasks.check_mail_connection).

The web request only stores what to test (services.connection_test_start) and the page polls for the
result: a server that does not answer holds a worker thread for a few seconds
(MAIL_TEST_TIMEOUT_SECONDS), never a web thread, and no web request opens a socket to a host a form named.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from cercle.mailsync.imap import check_account
from cercle.mailsync.models import ConnectionTest, ConnectionTestStatus, MailAccount

# What a test reads from the form (the password travels apart, encrypted).
DRAFT_FIELDS = ("host", "port", "security", "username", "inbox_folder", "sent_folder")


def timeout_seconds() -> int:
    return int(settings.CERCLE["MAIL_TEST_TIMEOUT_SECONDS"])


def connection_test_run(*, test_id: int) -> str:
    """Test the connection a page asked for and store the result; the status it ended with."""
    test = ConnectionTest.objects.filter(pk=test_id, status=ConnectionTestStatus.PENDING).first()
    if test is None:
        return "gone"
    draft = MailAccount(password_encrypted=test.password_encrypted)
    for name in DRAFT_FIELDS:
        if name in test.draft:
            setattr(draft, name, test.draft[name])
    report = check_account(draft, timeout=timeout_seconds())
    status = ConnectionTestStatus.OK if report.ok else ConnectionTestStatus.FAILED
    ConnectionTest.objects.filter(pk=test.pk, status=ConnectionTestStatus.PENDING).update(
        status=status,
        message=report.message,
        message_note=report.note.to_json() if report.note else None,
        password_encrypted="",  # tested: the password is not kept
        finished_at=timezone.now(),
    )
    return str(status)
