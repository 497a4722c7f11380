"""The embedded default: the demo hub, production checks, French first."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cercle.circulation.models import Request
from cercle.circulation.states import State
from cercle.outbox.models import OutgoingMessage

ROOT = Path(__file__).resolve().parent.parent.parent


def test_the_demo_hub_has_every_role_and_every_stage(db):
    out = StringIO()
    call_command("demo", stdout=out)
    text = out.getvalue()
    assert "lea" in text and "samuel" in text and "claire" in text and "cercle-demo" in text
    assert 35 <= Request.objects.count() <= 45
    states = set(Request.objects.values_list("state", flat=True))
    assert states == set(State.values)
    assert set(Request.objects.values_list("language", flat=True)) == {"fr", "en"}
    # Every state change went through the services, so the audit trail is complete.
    for request in Request.objects.exclude(state="received"):
        assert request.events.filter(kind="transition", to_state=request.state).exists()
    assert OutgoingMessage.objects.filter(idempotency_key__startswith="ack:").exists()
    # The story's mail left when the story says, through the outbox: a request's page does not read
    # "sent on" the moment the demo was loaded.
    sent = OutgoingMessage.objects.filter(status="sent")
    earlier = timezone.now() - timedelta(minutes=5)
    assert sent.count() >= 20
    assert not OutgoingMessage.objects.exclude(status="sent").filter(created_at__lt=earlier).exists()
    assert all(timedelta(0) < m.sent_at - m.created_at <= timedelta(minutes=2) for m in sent)
    assert sent.filter(sent_at__lt=timezone.now() - timedelta(days=2)).exists()
    assert len(mail.outbox) == sent.count()
    # Meetings at the times people set them.
    from cercle.projects.models import Project

    times = {
        timezone.localtime(p.first_meeting_at).strftime("%H:%M")
        for p in Project.objects.exclude(first_meeting_at=None)
    }
    assert times and times <= {"10:00", "14:30"}
    # The leader's queue shows briefs, not raw mail, from the first minute.
    waiting = Request.objects.filter(state__in=["kept", "deferred"])
    assert waiting.exists() and not waiting.filter(triage_brief__isnull=True).exists()
    # Each requester is one person, named from the From header, whose messages never carry another
    # requester's signature.
    from cercle.circulation.models import Message

    names = set(Request.objects.exclude(requester__name="").values_list("requester__name", flat=True))
    assert {"Marc Lefèvre", "Hélène Caron", "Grace Adeyemi"} <= names
    for message in Message.objects.select_related("request__requester").filter(direction="in"):
        requester = message.request.requester
        strangers = [n for n in names - {requester.name} if n in message.text]
        assert not strangers, (requester.name, strangers, message.text[-80:])
    # A LinkedIn message waits in the triage queue, from its writer (not LinkedIn's no-reply box) and
    # titled by their words.
    [linkedin] = Request.objects.filter(channel="linkedin")
    assert linkedin.state == State.RECEIVED and linkedin.language == "fr"
    assert linkedin.requester.name == "Nathalie Garnier" and linkedin.requester.email == ""
    assert linkedin.requester.linkedin_url.endswith("/in/nathalie-garnier-5c2e1a")
    assert linkedin.subject.startswith("Bonjour Léa, je dirige une maison de négoce")


def test_the_demo_refuses_a_database_that_has_users(db, leader):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("demo")


def test_pages_are_in_french_by_default_and_english_on_demand(client, db):
    page = client.get(reverse("intake:ask"), HTTP_ACCEPT_LANGUAGE="").content.decode()
    assert 'lang="fr"' in page
    assert "Envoyer" in page
    client.post(reverse("set_language"), {"language": "en", "next": "/ask/"})
    page = client.get(reverse("intake:ask")).content.decode()
    assert 'lang="en"' in page
    assert "Send a request" in page


def test_pages_name_their_icon_and_it_is_a_static_file(client, db):
    from django.contrib.staticfiles import finders

    page = client.get(reverse("intake:ask")).content.decode()
    assert 'rel="icon"' in page and "cercle/icon.svg" in page
    icon = finders.find("cercle/icon.svg")
    assert icon and Path(icon).read_text().startswith("<svg")


def test_production_settings_pass_the_deploy_check(tmp_path):
    env = {
        **os.environ,
        "CERCLE_ENV": "production",
        "CERCLE_DATA_DIR": str(tmp_path),
        "SECRET_KEY": "x" * 20 + "production-only-secret-key-with-enough-entropy-0123456789",
        "EMAIL_URL": "smtp://cercle:secret@mail.example:587?starttls",
        "ALLOWED_HOSTS": "cercle.example",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    env.pop("DATABASE_URL", None)
    # A test runner may set this for the browser tests; a real deployment never has it.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_development_settings_warn_when_deployed_without_smtp(tmp_path):
    env = {
        **os.environ,
        "CERCLE_ENV": "production",
        "CERCLE_DATA_DIR": str(tmp_path),
        "SECRET_KEY": "y" * 60,
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    env.pop("EMAIL_URL", None)
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "cercle.W001" in result.stdout + result.stderr


def test_email_url_is_translated_into_django_settings():
    from config.env import email_settings_from_url

    smtp = email_settings_from_url("smtp://user%40x:p%2Fw@mail.example:2525?starttls")
    assert smtp["EMAIL_HOST"] == "mail.example" and smtp["EMAIL_PORT"] == 2525
    assert smtp["EMAIL_HOST_USER"] == "user@x" and smtp["EMAIL_HOST_PASSWORD"] == "p/w"
    assert smtp["EMAIL_USE_TLS"] is True and smtp["EMAIL_USE_SSL"] is False
    assert email_settings_from_url("smtps://mail.example")["EMAIL_PORT"] == 465
    with pytest.raises(ValueError):
        email_settings_from_url("http://mail.example")


def test_a_secret_key_is_generated_once_into_the_data_dir(tmp_path, monkeypatch):
    from config.env import secret_key_from

    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = secret_key_from(tmp_path)
    assert len(first) >= 50
    assert secret_key_from(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
