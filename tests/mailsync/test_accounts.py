"""Mail accounts: passwords encrypted at rest, the connection test's clear errors, pages and roles."""

from __future__ import annotations

import re
import socket

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from cercle.core import crypto
from cercle.mailsync.imap import check_account
from cercle.mailsync.models import LedgerEntry, LedgerStatus, MailAccount, Security
from tests.conftest import free_port, login
from tests.dovecot import make_message
from tests.mailsync.conftest import press_test_button

pytestmark = pytest.mark.django_db


def test_the_password_is_encrypted_at_rest(stored_account):
    stored = MailAccount.objects.values_list("password_encrypted", flat=True).get(pk=stored_account.pk)
    assert "secret-imap" not in stored
    assert MailAccount.objects.get(pk=stored_account.pk).password == "secret-imap"


def test_a_changed_secret_key_asks_for_the_password_again(stored_account, settings):
    settings.SECRET_KEY = "another-secret-key-entirely-" * 2
    crypto._fernet.cache_clear()
    report = check_account(MailAccount.objects.get(pk=stored_account.pk))
    assert not report.ok
    assert "type it again" in report.message


def test_an_encryption_key_can_be_rotated(stored_account, settings):
    from cryptography.fernet import Fernet

    old = crypto.derive_key(settings.SECRET_KEY).decode()
    new = Fernet.generate_key().decode()
    settings.ENCRYPTION_KEY = f"{new},{old}"  # the new key first; the old one still reads
    assert MailAccount.objects.get(pk=stored_account.pk).password == "secret-imap"
    stored_account.password = "rotated"
    assert crypto._fernet(new, "").decrypt(stored_account.password_encrypted.encode()) == b"rotated"


def test_connection_ok_counts_the_messages(dovecot, mailbox_user, account):
    dovecot.put_messages(mailbox_user, [make_message(1), make_message(2)])
    report = check_account(account)
    assert report.ok, report.message
    assert report.counts == {"INBOX": 2}


def test_wrong_password(account):
    account.password = "nope"
    report = check_account(account)
    assert not report.ok and "password" in report.message


def test_unknown_host(stored_account):
    stored_account.host = "imap.does-not-exist.invalid"
    report = check_account(stored_account)
    assert not report.ok and "Unknown server" in report.message


def test_refused_port(stored_account):
    stored_account.port = free_port()  # nothing listens there
    report = check_account(stored_account)
    assert not report.ok and "refused the connection" in report.message


def test_tls_refused_by_a_plain_server(account, settings):
    settings.CERCLE = {**settings.CERCLE, "MAIL_TIMEOUT_SECONDS": 3}
    account.security = Security.SSL  # Dovecot here speaks plain IMAP on this port
    report = check_account(account)
    assert not report.ok and "TLS" in report.message


def test_starttls_refused(account):
    account.security = Security.STARTTLS  # this Dovecot has no TLS: STARTTLS is not offered
    with translation.override("en"):
        report = check_account(account)
    assert not report.ok
    assert report.message.startswith(f"The IMAP server 127.0.0.1:{account.port} answered with an error: ")
    assert "STARTTLS" in report.message


def test_missing_folder_lists_the_real_ones(dovecot, mailbox_user, account):
    dovecot.put_messages(mailbox_user, [make_message(1)], folder="Sent")
    account.sent_folder = "Éléments envoyés"
    report = check_account(account)
    assert not report.ok
    assert "Éléments envoyés" in report.message and "Sent" in report.message


def test_a_silent_server_times_out_with_a_clear_message(stored_account, settings):
    settings.CERCLE = {**settings.CERCLE, "MAIL_TIMEOUT_SECONDS": 1}
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # accepts the connection, never says hello
    stored_account.port = silent.getsockname()[1]
    try:
        report = check_account(stored_account)
    finally:
        silent.close()
    assert not report.ok and "did not answer in time" in report.message


# --- Pages and roles ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["member", "outsider"])
def test_members_cannot_see_mailboxes(request, who, stored_account):
    user = request.getfixturevalue(who)
    client = login(user)
    assert client.get(reverse("mailsync:list")).status_code == 403
    assert client.post(reverse("mailsync:test", args=[stored_account.pk])).status_code == 403
    assert client.post(reverse("mailsync:test_new"), _form_data(stored_account)).status_code == 403
    assert client.get(reverse("mailsync:edit", args=[stored_account.pk])).status_code == 403


def test_anonymous_is_sent_to_the_login_page(client):
    response = client.get(reverse("mailsync:list"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_second_adds_a_mailbox_and_the_password_is_not_shown_back(second, dovecot):
    client = login(second)
    response = client.post(
        reverse("mailsync:new"),
        {
            "name": "Léa",
            "host": "127.0.0.1",
            "port": dovecot.port,
            "security": "none",
            "username": "lea",
            "password": "s3cret-pass",
            "inbox_folder": "INBOX",
            "sent_folder": "",
            "after_import": "none",
            "enabled": "on",
        },
    )
    account = MailAccount.objects.get(name="Léa")
    assert response.status_code == 302
    assert account.password == "s3cret-pass"
    page = client.get(reverse("mailsync:edit", args=[account.pk])).content.decode()
    assert "s3cret-pass" not in page


def test_saving_without_a_password_keeps_the_stored_one(second, stored_account):
    client = login(second)
    data = {
        "name": stored_account.name,
        "host": stored_account.host,
        "port": stored_account.port,
        "security": stored_account.security,
        "username": stored_account.username,
        "password": "",
        "inbox_folder": "INBOX",
        "sent_folder": "",
        "after_import": "none",
    }
    client.post(reverse("mailsync:edit", args=[stored_account.pk]), data)
    stored_account.refresh_from_db()
    assert stored_account.password == "secret-imap"
    assert stored_account.enabled is False  # the unchecked box was saved


def test_bad_input_is_explained_and_nothing_is_saved(second):
    response = login(second, language="en").post(
        reverse("mailsync:new"),
        {"name": "X", "host": "imap://bad host", "port": 70000, "security": "ssl", "username": "u"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert escape("Give the server's name only, e.g. imap.example.org.") in html
    assert "65535" in html
    assert not MailAccount.objects.filter(name="X").exists()
    # Below the range: the same one message, not the model's "greater than or equal to 0" as well.
    below = login(second, language="en").post(
        reverse("mailsync:new"),
        {"name": "X", "host": "imap.example.org", "port": -5, "security": "ssl", "username": "u"},
    )
    assert "A port is a number between 1 and 65535." in below.content.decode()
    assert "greater than or equal" not in below.content.decode()


def test_the_test_button_answers_in_place_with_htmx(second, account, django_capture_on_commit_callbacks):
    account.password = "wrong"
    account.save()
    url = reverse("mailsync:test", args=[account.pk])
    assert 'role="alert"' in press_test_button(login(second), url, None, django_capture_on_commit_callbacks)


def _form_data(account: MailAccount, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": account.name, "host": account.host, "port": account.port, "security": account.security,
        "username": account.username, "password": "", "inbox_folder": account.inbox_folder,
        "sent_folder": account.sent_folder, "after_import": account.after_import, "enabled": "on",
    }  # fmt: skip
    return {**data, **changes}


def test_the_test_button_tests_what_the_form_says_without_saving_it(
    second, account, dovecot, django_capture_on_commit_callbacks
):
    account.host = "imap.does-not-exist.invalid"
    account.save()
    client = login(second, language="en")
    url = reverse("mailsync:test", args=[account.pk])

    def press(data: dict[str, object]) -> str:
        return press_test_button(client, url, data, django_capture_on_commit_callbacks)

    # The form now says the right host: that is what is tested, and nothing is saved.
    fixed = press(_form_data(account, host="127.0.0.1"))
    assert "✓" in fixed and "Unknown server" not in fixed
    account.refresh_from_db()
    assert account.host == "imap.does-not-exist.invalid"
    # A typed password is tried, the stored one kept.
    wrong = press(_form_data(account, host="127.0.0.1", password="nope"))
    assert "password" in wrong
    account.refresh_from_db()
    assert account.password == "secret-imap"
    # A form with mistakes says so instead of testing.
    bad = press(_form_data(account, port=0))
    assert "Correct the form first" in bad and "65535" in bad and "Port" in bad  # which field, said


def test_a_new_mailbox_can_be_tested_before_it_is_saved(
    second, account, dovecot, django_capture_on_commit_callbacks
):
    data = _form_data(account, name="Nouvelle boîte", password="secret-imap")
    client = login(second, language="en")
    answer = press_test_button(client, reverse("mailsync:test_new"), data, django_capture_on_commit_callbacks)
    assert "✓" in answer
    assert not MailAccount.objects.filter(name="Nouvelle boîte").exists()
    page = login(second, language="en").get(reverse("mailsync:new")).content.decode()
    assert reverse("mailsync:test_new") in page


def test_failures_page_lists_and_retries(second, account):
    entry = LedgerEntry.objects.create(
        account=account, folder="INBOX", uidvalidity=1, uid=42, status=LedgerStatus.FAILED, error="boom"
    )
    client = login(second, language="en")
    page = client.get(reverse("mailsync:failures", args=[account.pk])).content.decode()
    assert "boom" in page
    response = client.post(reverse("mailsync:failure_retry", args=[entry.pk]), follow=True)
    entry.refresh_from_db()
    # UIDVALIDITY 1 is not the folder's: the retry explains instead of importing something else.
    assert "renumbered" in entry.error
    assert response.status_code == 200
    # The explanation is kept untranslated: the French reader gets it in French.
    french = login(second, language="fr").get(reverse("mailsync:failures", args=[account.pk]))
    assert "renuméroté entre-temps" in french.content.decode()


def test_the_list_shows_counts_and_the_last_error(second, stored_account):
    stored_account.last_error = "The server refused the login"
    stored_account.save()
    LedgerEntry.objects.create(
        account=stored_account, folder="INBOX", uidvalidity=1, uid=1, status="imported"
    )
    html = login(second, language="fr").get(reverse("mailsync:list")).content.decode()
    assert "The server refused the login" in html  # the stored error, as the server's words were kept
    assert re.search(r"\b1 message importé,", html), html


def test_a_second_mailbox_with_the_same_name_is_refused_in_plain_words(second, stored_account):
    data = _form_data(stored_account, password="x")
    response = login(second, language="en").post(reverse("mailsync:new"), data)
    assert response.status_code == 200
    assert "A mailbox already has this name" in response.content.decode()
    shouted = login(second, language="en").post(
        reverse("mailsync:new"), {**data, "name": stored_account.name.upper()}
    )
    assert "A mailbox already has this name" in shouted.content.decode()
    assert MailAccount.objects.count() == 1


def test_a_connection_error_reads_filled_in_in_logs() -> None:
    from django.utils import translation
    from django.utils.translation import gettext_noop

    from cercle.core.notes import Note
    from cercle.mailsync.imap import MailConnectionError

    error = MailConnectionError(
        Note(
            gettext_noop("Unknown server: %(host)s cannot be found. Check the name."),
            host="imap.nowhere.example",
        )
    )
    with translation.override("fr"):
        assert str(error) == "Unknown server: imap.nowhere.example cannot be found. Check the name."
        assert "imap.nowhere.example" in error.message and "%(" not in error.message  # the reader's language
