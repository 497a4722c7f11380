"""A queue card says its sender, its subject and the text that follows: a LinkedIn message has no subject
of its own, so its subject is its text's opening, and the card does not say that opening twice."""

from __future__ import annotations

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cercle.circulation.models import Request
from tests.conftest import login
from tests.factories import RequestFactory
from tests.intake.linkedin import builders as b

pytestmark = pytest.mark.django_db

LONG = (
    "Bonjour Léa, nous sommes une coopérative de douze personnes et nous cherchons quelqu'un pour "
    "nous accompagner dans la transmission de l'entreprise à ses salariés d'ici l'été prochain. "
    "Seriez-vous disponible pour en parler la semaine prochaine ?"
)


def _import(second, *texts: str) -> None:
    export = b.zip_bytes(
        {
            "Profile.csv": b.profile(),
            "messages.csv": b.messages(
                *(b.from_marc(f"c{i}", b.ago(2 + i), text) for i, text in enumerate(texts))
            ),
        }
    )
    upload = SimpleUploadedFile("export.zip", export, content_type="application/zip")
    response = login(second).post(reverse("intake:linkedin_import"), {"export": upload, "since_days": 90})
    assert response.status_code == 200


def _card(page: str, request: Request) -> str:
    start = page.index(f'id="q-{request.pk}"')
    return html.unescape(page[start : page.index("</li>", start)])


def test_a_linkedin_message_s_card_does_not_repeat_its_opening(second):
    _import(second, LONG, "Bonjour Léa, un café jeudi ?")
    page = login(second).get(reverse("triage:queue")).content.decode()

    long_one = Request.objects.get(summary__startswith="Bonjour Léa, nous sommes")
    assert long_one.subject.endswith("…")  # its first sentence, cut at a word
    card = _card(page, long_one)
    assert card.count("nous sommes une coopérative") == 1  # in the subject only
    # The text goes on from the word after the subject.
    said = long_one.subject.removesuffix("…")
    following = LONG[len(said) :].split()[0]
    assert f"…{following}" in card and LONG[len(said) :].strip()[:40] in card.replace("…", "")

    short = Request.objects.get(summary="Bonjour Léa, un café jeudi ?")
    assert _card(page, short).count("un café jeudi") == 1  # the whole text is the subject: said once


def test_a_mail_whose_subject_only_opens_like_its_text_shows_both(second):
    mail = RequestFactory(subject="Bonjour", summary="Bonjour Léa, pouvez-vous nous aider ?")
    card = _card(login(second).get(reverse("triage:queue")).content.decode(), mail)
    assert "Bonjour Léa, pouvez-vous nous aider ?" in card


def test_the_preview_names_a_linkedin_writer_without_an_empty_address(second):
    _import(second, LONG)
    request = Request.objects.get()
    preview = login(second).get(reverse("triage:preview", args=[request.pk]), HTTP_HX_REQUEST="true")
    page = html.unescape(preview.content.decode())
    assert request.requester.email == ""
    assert "Marc Durand ·" in page and "Marc Durand <>" not in page


def test_a_card_goes_on_after_a_title_taken_past_the_greeting():
    request = Request(
        subject="Nous cherchons un accompagnement pour notre transformation",
        summary="Bonjour Léa, Nous cherchons un accompagnement pour notre transformation. Merci, Anne",
    )
    assert request.summary_after_subject == "…Merci, Anne"
