"""Guessing passwords is stopped: wrong passwords in a row pause sign-in for the account and for the
connection (django-axes), with a page that says so; password-reset mails are limited too."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse

from cercle.outbox.models import OutgoingMessage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def axes_on():
    cache.clear()
    with override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=5):
        yield


def sign_in(client: Client, username: str, password: str, ip: str = "203.0.113.7"):
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_wrong_passwords_in_a_row_pause_the_account(second):
    client = Client()
    codes = [sign_in(client, "samuel", "guess").status_code for _ in range(5)]
    assert codes == [200, 200, 200, 200, 429]  # the form again with its error, then the pause
    locked = sign_in(client, "samuel", "secret-pass-123", ip="198.51.100.9")  # even the right one, elsewhere
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Sign-in paused" in page and "15\u00a0min" in page
    assert "_auth_user_id" not in client.session


def test_one_connection_guessing_many_accounts_is_paused(second, leader):
    client = Client()
    for name in ("a", "b", "c", "d", "e"):
        sign_in(client, name, "guess")
    assert sign_in(client, "lea", "secret-pass-123").status_code == 429


def test_a_success_before_the_limit_starts_the_count_again(second):
    client = Client()
    for _ in range(4):
        sign_in(client, "samuel", "guess")
    assert sign_in(client, "samuel", "secret-pass-123").status_code == 302
    other = Client()
    for _ in range(4):
        assert sign_in(other, "samuel", "guess").status_code == 200
    assert sign_in(other, "samuel", "secret-pass-123").status_code == 302


@override_settings(PASSWORD_RESET_LIMIT_PER_HOUR=3)
def test_password_reset_requests_are_limited(second, django_capture_on_commit_callbacks):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    url = reverse("accounts:password_reset")
    codes = [client.post(url, {"email": "samuel@hub.example"}).status_code for _ in range(3)]
    assert codes == [302, 302, 302]
    mails = OutgoingMessage.objects.filter(idempotency_key__startswith="pwreset:").count()
    assert 1 <= mails <= 3  # the same link within the same second is one mail (idempotency)
    assert client.post(url, {"email": "samuel@hub.example"}).status_code == 429
    assert OutgoingMessage.objects.filter(idempotency_key__startswith="pwreset:").count() == mails
    refused = client.post(url, {"email": "samuel@hub.example"})
    assert "Too many requests for a new password" in refused.content.decode()
