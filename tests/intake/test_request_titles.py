"""A request's title says what it is about: the form's subject, else the first meaningful sentence — never
"Bonjour,"."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from cercle.circulation.models import Message, Request
from cercle.intake.services import FormSubmission, request_submit_form
from cercle.intake.titles import title_from_text

NEED_FR = (
    "Bonjour,\n\nNous sommes une coopérative énergétique et cherchons un accompagnement pour notre levée "
    "de fonds. Pouvez-vous nous aider ?\n\nMerci"
)


def submit(need: str, subject: str = "", language: str = "fr") -> Request:
    return request_submit_form(
        submission=FormSubmission(
            name="Jeanne Martin",
            email="jeanne@coop.example",
            organisation="Coop",
            need=need,
            deadline=None,
            language=language,
            subject=subject,
        )
    )


@pytest.mark.parametrize(
    ("text", "title"),
    [
        (
            NEED_FR,
            "Nous sommes une coopérative énergétique et cherchons un accompagnement pour notre levée de fonds",
        ),
        (
            "Hello team,\nWe need help with our carbon footprint. Thanks",
            "We need help with our carbon footprint",
        ),
        ("Madame, Monsieur,\n\nUn partenariat ?", "Un partenariat ?"),
        (
            "Bonjour Léa !\nAvez-vous un mentor pour une jeune pousse de la tech sociale",
            "Avez-vous un mentor pour une jeune pousse de la tech sociale",
        ),
        # The greeting opens the line the request starts on.
        (
            "Bonjour ! Nous aimerions un atelier d'une journée. Merci",
            "Nous aimerions un atelier d'une journée",
        ),
        ("Hi Léa. Could you mentor our founder?", "Could you mentor our founder?"),
    ],
)
def test_the_title_skips_the_greeting_and_takes_the_first_sentence(text, title):
    assert title_from_text(text) == title


def test_a_long_sentence_is_cut_at_a_word():
    title = title_from_text(
        "Bonjour,\n" + "Nous voudrions présenter notre programme d'innovation sociale " * 4
    )
    assert len(title) <= 121 and title.endswith("…") and not title[:-1].endswith(" ")
    assert title.startswith("Nous voudrions présenter notre programme")


def test_a_form_request_is_titled_by_its_subject_or_its_content(db):
    assert submit(NEED_FR).subject.startswith("Nous sommes une coopérative énergétique")
    assert submit(NEED_FR, subject="Levée de fonds coopérative").subject == "Levée de fonds coopérative"
    assert not Request.objects.filter(subject__istartswith="Bonjour").exists()


def test_the_public_form_has_an_optional_subject(client, db):
    page = client.get(reverse("intake:ask"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="subject"' in page and "Subject (optional)" in page


def test_existing_form_requests_titled_bonjour_are_retitled(db):
    request = submit(NEED_FR)
    Request.objects.filter(pk=request.pk).update(subject="Bonjour,")
    Message.objects.filter(request=request).update(subject="Bonjour,")
    kept = submit("Merci pour votre aide sur notre projet de ressourcerie solidaire.", subject="Ressourcerie")
    migration = importlib.import_module("cercle.intake.migrations.0005_form_titles")
    migration.retitle(django_apps, None)
    request.refresh_from_db()
    assert request.subject.startswith("Nous sommes une coopérative énergétique")
    assert Message.objects.get(request=request).subject == request.subject
    kept.refresh_from_db()
    assert kept.subject == "Ressourcerie"


def test_a_heading_line_stands_alone_and_a_wrapped_sentence_is_read_whole():
    heading = "Accompagnement de la transition énergétique de notre coopérative\nNous sommes 40 salariés."
    assert title_from_text(heading) == "Accompagnement de la transition énergétique de notre coopérative"
    wrapped = (
        "Bonjour,\nnous sommes une coopérative énergétique de quarante salariés et nous cherchons\n"
        "un accompagnement pour notre levée de fonds. Merci"
    )
    assert title_from_text(wrapped) == (
        "nous sommes une coopérative énergétique de quarante salariés et nous cherchons un accompagnement "
        "pour notre levée de…"
    )
