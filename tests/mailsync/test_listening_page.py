"""The mailbox page says whether each account is listening (new mail within seconds), since when, why
not, and when the last mail arrived — in French and in English, to the roles that manage mailboxes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cercle.core.leases import lease_acquire
from cercle.mailsync.listen import listen_lease_name, listen_state_set, lost_while_listening
from cercle.mailsync.models import ListenState, MailAccount
from tests.conftest import login

pytestmark = pytest.mark.django_db


def page(user, language: str) -> str:
    response = login(user, language).get(reverse("mailsync:list"))
    assert response.status_code == 200
    return response.content.decode()


def listening_now(account: MailAccount) -> None:
    """As a live worker's listener leaves it: the state, and the lease its process renews."""
    lease_acquire(listen_lease_name(account.pk))
    listen_state_set(account.pk, ListenState.IDLE)


def test_a_listening_account_says_so_in_both_languages(stored_account, second):
    listening_now(stored_account)
    MailAccount.objects.filter(pk=stored_account.pk).update(
        last_mail_at=timezone.now() - timedelta(minutes=3)
    )
    english = page(second, "en")
    assert "Listening: new mail arrives within seconds" in english
    assert "Last mail arrived 3\xa0minutes ago" in english
    french = page(second, "fr")
    assert "À l'écoute : un nouveau message arrive en quelques secondes" in french
    assert "Dernier message arrivé il y a 3\xa0minutes" in french


def test_a_listener_left_by_a_dead_worker_is_not_shown_as_listening(stored_account, second):
    listen_state_set(stored_account.pk, ListenState.IDLE)  # no live lease: its process is gone
    english = page(second, "en")
    assert "Listening:" not in english
    assert "Not listening: the background worker does not seem to be running" in english
    assert "Pas à l'écoute" in page(second, "fr")


def test_a_reconnecting_account_shows_the_error_and_the_next_attempt(stored_account, second):
    lease_acquire(listen_lease_name(stored_account.pk))
    stored_account.host, stored_account.port = "imap.example.org", 993
    lost = lost_while_listening(stored_account)
    listen_state_set(
        stored_account.pk,
        ListenState.RECONNECTING,
        error=lost,
        retry_at=timezone.now() + timedelta(seconds=90),
    )
    english = page(second, "en")
    assert "reconnecting" in english
    assert "The connection to imap.example.org:993 was lost while listening for new mail" in english
    assert "Next attempt a minute from now" in english
    french = page(second, "fr")
    assert "La connexion à imap.example.org:993 a été perdue" in french
    assert "Prochaine tentative dans une minute" in french


def test_a_server_without_idle_is_checked_every_minute(stored_account, second):
    lease_acquire(listen_lease_name(stored_account.pk))
    listen_state_set(stored_account.pk, ListenState.POLLING)
    assert "the server does not offer IMAP IDLE" in page(second, "en")
    assert "le serveur ne propose pas IMAP IDLE" in page(second, "fr")


def test_listening_turned_off_for_the_mailbox_or_the_hub(stored_account, second, settings):
    MailAccount.objects.filter(pk=stored_account.pk).update(listen=False)
    assert "listening is off in this mailbox" in page(second, "en")
    MailAccount.objects.filter(pk=stored_account.pk).update(listen=True)
    settings.CERCLE = {**settings.CERCLE, "MAIL_IDLE": False}
    assert "listening is turned off for the whole hub" in page(second, "en")
    assert "l'écoute est désactivée pour tout le hub" in page(second, "fr")


@pytest.mark.parametrize("who", ["leader", "admin_user"])
def test_the_leader_and_admins_see_the_listening_state(request, who, stored_account):
    listening_now(stored_account)
    assert "Listening: new mail arrives within seconds" in page(request.getfixturevalue(who), "en")


@pytest.mark.parametrize("who", ["member", "outsider"])
def test_members_do_not_see_the_mailboxes(request, who, stored_account):
    listening_now(stored_account)
    client = login(request.getfixturevalue(who), "en")
    assert client.get(reverse("mailsync:list")).status_code == 403


def test_listening_can_be_unticked_in_the_mailbox_settings(stored_account, second):
    data = {
        "name": stored_account.name,
        "host": stored_account.host,
        "port": stored_account.port,
        "security": stored_account.security,
        "username": stored_account.username,
        "inbox_folder": "INBOX",
        "after_import": "none",
        "enabled": "on",
        # "listen" unticked: absent from the form
    }
    response = login(second, "en").post(reverse("mailsync:edit", args=[stored_account.pk]), data)
    assert response.status_code == 302
    assert MailAccount.objects.get(pk=stored_account.pk).listen is False
    form = login(second, "en").get(reverse("mailsync:edit", args=[stored_account.pk])).content.decode()
    assert "Receive new mail within seconds" in form
    assert 'name="listen"' in form and 'id="id_listen" checked' not in form


def test_a_failed_sync_says_its_attempt_and_its_error_once(stored_account, second):
    error = "Unknown server: imap.nowhere.example cannot be found. Check the name."
    MailAccount.objects.filter(pk=stored_account.pk).update(
        last_sync_at=timezone.now() - timedelta(minutes=2),
        last_error=error,
        listen_state=ListenState.RECONNECTING,
        listen_error=error,
        listen_since=timezone.now() - timedelta(minutes=2),
    )
    lease_acquire(listen_lease_name(stored_account.pk))
    english = page(second, "en")
    assert "Last attempt 2\xa0minutes ago." in english and "Last synchronisation" not in english
    assert english.count("imap.nowhere.example cannot be found") == 1
    assert "Dernière tentative il y a 2\xa0minutes." in page(second, "fr")
