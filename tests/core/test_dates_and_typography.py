"""Dates, times and wording as each reader's language writes them: "12 janvier 2027 à 10 h 00" in French,
"20 March 2027 at 14:30" in English (day before month, 24 hours), on pages and in mails alike, through
Django's format localisation (cercle/core/formats) — never a format spelt out in a template."""

from __future__ import annotations

import re
from datetime import datetime
from html import unescape
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format, time_format

from cercle.circle import services as circle
from cercle.circulation import services as circulation
from cercle.outbox.defaults import DEFAULT_TEMPLATES
from cercle.outbox.models import MailTemplate
from cercle.outbox.services import template_render
from cercle.projects.models import Project
from tests.conftest import login

ROOT = Path(__file__).resolve().parents[2]
PARIS = ZoneInfo("Europe/Paris")
JANUARY = datetime(2027, 1, 12, 10, 0, tzinfo=PARIS)
MARCH = datetime(2027, 3, 20, 14, 30, tzinfo=PARIS)
TWELVE_HOUR = re.compile(r"\b(a\.m\.|p\.m\.|AM|PM|noon|midnight)\b")


@pytest.fixture(autouse=True)
def _paris(settings):  # type: ignore[no-untyped-def]
    settings.TIME_ZONE = "Europe/Paris"


def test_the_named_formats_write_dates_as_each_language_does():
    with translation.override("fr"):
        assert date_format(JANUARY, "DATETIME_FORMAT") == "12 janvier 2027 à 10 h 00"
        assert date_format(JANUARY, "DATE_FORMAT") == "12 janvier 2027"
        assert time_format(JANUARY, "TIME_FORMAT") == "10 h 00"
    with translation.override("en"):
        assert date_format(MARCH, "DATE_FORMAT") == "20 March 2027"
        assert date_format(MARCH, "DATETIME_FORMAT") == "20 March 2027 at 14:30"
        assert time_format(MARCH, "TIME_FORMAT") == "14:30"
        # Short forms too: no month/day order to guess, no 12-hour clock.
        short = date_format(MARCH, "SHORT_DATETIME_FORMAT")
        assert "14:30" in short and "20" in short and "03/20" not in short
        assert not TWELVE_HOUR.search(short)


def _page_text(client, url: str) -> str:  # type: ignore[no-untyped-def]
    html = client.get(url).content.decode()
    main = re.search(r"<main.*?</main>", html, re.S)
    assert main, url
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", main.group(0))).split())


@pytest.fixture
def project(second, leader, member, incoming) -> Project:  # type: ignore[no-untyped-def]
    circulation.request_keep(actor=second, request=incoming)
    circulation.request_approve(actor=leader, request=incoming)
    [offer] = circle.request_route(actor=second, request=incoming, members=[member], brief="B")
    circle.offer_accept(actor=member, offer=offer)
    incoming.refresh_from_db()
    return incoming.project


def test_the_project_page_writes_the_first_meeting_in_the_readers_language(project, member):
    url = reverse("projects:detail", args=[project.request_id])
    Project.objects.filter(pk=project.pk).update(first_meeting_at=JANUARY)
    assert "12 janvier 2027 à 10 h 00" in _page_text(login(member, "fr"), url)
    Project.objects.filter(pk=project.pk).update(first_meeting_at=MARCH)
    english = _page_text(login(member, "en"), url)
    assert "20 March 2027 at 14:30" in english
    assert not TWELVE_HOUR.search(english)


@pytest.mark.parametrize(("language", "label"), [("fr", "Chef de projet"), ("en", "Project lead")])
def test_the_project_page_names_its_lead_once(project, member, language, label):
    text = _page_text(login(member, language), reverse("projects:detail", args=[project.request_id]))
    assert re.search(rf"{label}[\s\u00a0]?: {member.display_name}", text), text[:300]
    # Not "Chef de projet désigné Chef de projet : Claire" (the state, then the same label).
    assert not re.search(rf"{label}\S*( \S+)? {label}", text, re.I), text[:300]


def test_a_mail_is_written_in_its_recipients_language_whoever_sends_it(db):
    MailTemplate.objects.update_or_create(
        key="reminder",
        language="fr",
        defaults={"subject": "Rappel", "body": 'Le {{ when|date:"DATETIME_FORMAT" }}.'},
    )
    MailTemplate.objects.update_or_create(
        key="reminder",
        language="en",
        defaults={"subject": "Reminder", "body": "On {{ when|date }}, {{ when|time }}."},
    )
    # A task or a request in the other language renders it: the recipient's language decides.
    with translation.override("en"):
        french = template_render(key="reminder", language="fr", context={"when": JANUARY}).body
    with translation.override("fr"):
        english = template_render(key="reminder", language="en", context={"when": MARCH}).body
    assert french == "Le 12 janvier 2027 à 10 h 00.\n"
    assert english == "On 20 March 2027, 14:30.\n"


def test_the_member_mail_writes_the_deadline_as_the_member_reads_it(
    second, leader, member, incoming, django_capture_on_commit_callbacks
):
    from cercle.outbox.models import OutgoingMessage
    from cercle.triage import services as triage

    member.language = "en"
    member.save(update_fields=["language"])
    circulation.request_keep(actor=second, request=incoming)
    circulation.request_approve(actor=leader, request=incoming)
    triage.brief_update(
        actor=second,
        request=incoming,
        fields=triage.BriefFields("Anne", "", "", "Un atelier.", MARCH.date(), "", "", "fr"),
    )
    with translation.override("fr"):  # the second works in French
        brief = login(second, "fr").get(reverse("circle:route", args=[incoming.pk])).content.decode()
        sent = unescape(re.search(r"<textarea[^>]*>(.*?)</textarea>", brief, re.S).group(1))  # type: ignore[union-attr]
        assert "20 mars 2027" in sent
        with django_capture_on_commit_callbacks(execute=True):
            circle.request_route(actor=second, request=incoming, members=[member], brief=sent)
    body = OutgoingMessage.objects.get(idempotency_key__startswith="offer:").body
    assert "When: 20 March 2027" in body and "mars" not in body


# --- French wording ------------------------------------------------------------------------------


def _french_texts() -> dict[str, str]:
    """Every French text a reader meets: the mail templates and the catalogue's translations."""
    texts = {
        f"mail {key}": subject + "\n" + body
        for (key, lang), (subject, body) in DEFAULT_TEMPLATES.items()
        if lang == "fr"
    }
    po = (ROOT / "cercle" / "locale" / "fr" / "LC_MESSAGES" / "django.po").read_text()
    for i, entry in enumerate(po.split("\n\n")):
        strings = re.findall(r'msgstr(?:\[\d\])? ((?:".*"\n?)+)', entry)
        msgstr = "".join("".join(re.findall(r'"(.*)"', s)) for s in strings)
        if msgstr:
            texts[f"po entry {i}"] = msgstr.replace("\\n", "\n")
    return texts


def test_french_says_chef_de_projet_one_way():
    texts = _french_texts()
    assert any("chef de projet" in text for text in texts.values())
    for where, text in texts.items():
        assert not re.search(r"cheffe|chef·fe|chef\(fe\)|responsable de projet|Chef de Projet", text), where


def test_french_mails_do_not_repeat_avec_vous():
    for where, text in _french_texts().items():
        assert text.count("avec vous") <= 1, (where, text)


def test_a_request_just_arrived_waits_for_less_than_a_minute_not_zero_minutes(second):
    from tests.factories import RequestFactory

    RequestFactory(subject="Tout juste arrivée")
    french = _page_text(login(second, "fr"), reverse("triage:queue"))
    assert "depuis moins d’une minute" in french and "0\u00a0minute" not in french
    english = _page_text(login(second, "en"), reverse("triage:queue"))
    assert "waiting for less than a minute" in english
