"""Every incoming message gets a category, a confidence and reasons in plain words, computed once in the
background (after the intake commits) and read by the queue."""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import escape

from cercle.circulation.models import Request
from cercle.triage import services
from cercle.triage.models import Suggestion
from tests.triage.conftest import (
    NEWSLETTER_FR,
    NEWSLETTER_HEADERS,
    PITCH_EN,
    SERIOUS_FR,
    ingest,
    login_en,
    mail,
    make_known,
)


def _suggest(raw: bytes, django_capture_on_commit_callbacks) -> Suggestion:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        request = ingest(raw)
    return Suggestion.objects.get(request=request)


def test_a_new_request_is_read_after_the_intake_commits(db, django_capture_on_commit_callbacks):
    raw = mail(
        sender="Claire Arnaud <claire@maison-arnaud.fr>",
        subject="Réorganisation commerciale",
        body=SERIOUS_FR,
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        request = ingest(raw)
    # Nothing yet: the message row is written after the request, in the same transaction.
    assert not Suggestion.objects.filter(request=request).exists()
    for callback in callbacks:
        callback()
    assert Suggestion.objects.filter(request=request).exists()


def test_a_newsletter_is_recognised_from_its_headers_with_the_header_quoted(
    db, django_capture_on_commit_callbacks
):
    raw = mail(
        sender="La lettre du dirigeant <newsletter@example-media.fr>",
        subject="Financer sa croissance en 2025",
        body=NEWSLETTER_FR,
        headers=NEWSLETTER_HEADERS,
    )
    suggestion = _suggest(raw, django_capture_on_commit_callbacks)
    assert suggestion.category == "newsletter"
    assert not suggestion.suggests_keep
    assert suggestion.dismiss_reason == "newsletter"
    texts = suggestion.reason_texts
    assert "sent to a list (List-Unsubscribe)" in texts
    assert any("Sarbacane" in t for t in texts)
    assert suggestion.sender_key == "list:dirigeant.example-media.fr"


def test_a_french_request_is_serious_and_says_why(db, django_capture_on_commit_callbacks):
    raw = mail(
        sender="Claire Arnaud <claire@maison-arnaud.fr>",
        subject="Réorganisation commerciale",
        body=SERIOUS_FR,
    )
    suggestion = _suggest(raw, django_capture_on_commit_callbacks)
    assert suggestion.category == "serious"
    assert suggestion.suggests_keep
    texts = suggestion.reason_texts
    assert "first message from this sender" in texts
    assert suggestion.first_time_sender  # the screener asks: decide once for this sender?
    assert any("asks for a meeting" in t and "mentions a budget" in t for t in texts), texts
    assert 0 < suggestion.confidence <= 1 and suggestion.score > 0.5


def test_a_cold_pitch_is_a_solicitation(db, django_capture_on_commit_callbacks):
    raw = mail(sender="Ryan Cole <ryan@pipelinehero.example>", subject="Quick question, Léa", body=PITCH_EN)
    suggestion = _suggest(raw, django_capture_on_commit_callbacks)
    assert suggestion.category == "solicitation"
    assert suggestion.dismiss_reason == "solicitation"
    assert any("sales pitch" in t for t in suggestion.reason_texts)


def test_a_known_correspondent_is_network_with_the_count_of_exchanges(db, django_capture_on_commit_callbacks):
    make_known("pierre.vasseur@example.fr", exchanges=14, name="Pierre Vasseur")
    raw = mail(
        sender="Pierre Vasseur <pierre.vasseur@example.fr>",
        subject="Dîner jeudi ?",
        body="Salut Léa,\n\nJeudi soir chez nous, ça te dirait ? Anne fait son gratin.\n\nPierre\n",
    )
    suggestion = _suggest(raw, django_capture_on_commit_callbacks)
    assert suggestion.known_sender
    assert suggestion.category in ("network", "serious")
    assert "you have exchanged 14 messages with this person" in suggestion.reason_texts
    assert "first message from this sender" not in suggestion.reason_texts
    assert not suggestion.first_time_sender


def test_reasons_are_shown_in_the_readers_language(db, django_capture_on_commit_callbacks):
    from django.utils import translation

    raw = mail(
        sender="Claire Arnaud <claire@maison-arnaud.fr>",
        subject="Réorganisation commerciale",
        body=SERIOUS_FR,
    )
    suggestion = _suggest(raw, django_capture_on_commit_callbacks)
    with translation.override("fr"):
        french = suggestion.reason_texts
    with translation.override("en"):
        english = suggestion.reason_texts
    assert "first message from this sender" in english
    assert len(french) == len(english)


def test_the_worker_sweep_reads_requests_that_have_no_suggestion(db):
    from tests.factories import RequestFactory

    requests = [RequestFactory() for _ in range(3)]
    assert services.suggestions_compute_pending() == 3
    assert Suggestion.objects.filter(request__in=requests).count() == 3
    assert services.suggestions_compute_pending() == 0


def test_the_queue_shows_the_suggestion_and_its_first_reason(second, db, django_capture_on_commit_callbacks):
    raw = mail(
        sender="La lettre du dirigeant <newsletter@example-media.fr>",
        subject="Financer sa croissance en 2025",
        body=NEWSLETTER_FR,
        headers=NEWSLETTER_HEADERS,
    )
    suggestion = _suggest(raw, django_capture_on_commit_callbacks)
    page = login_en(second).get(reverse("triage:queue")).content.decode()
    assert "Newsletter or notification" in page
    assert f'data-suggest="{suggestion.dismiss_reason}"' in page
    preview = (
        login_en(second)
        .get(reverse("triage:preview", args=[suggestion.request_id]), HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert escape("sent to a list (List-Unsubscribe)") in preview
    assert "Always dismiss newsletter@example-media.fr" in preview
    assert "First message from this sender: decide once for all their messages?" in preview


def test_the_queue_can_put_likely_opportunities_first_in_a_constant_number_of_queries(
    second, db, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    newsletter = mail(
        sender="Lettre <newsletter@example-media.fr>",
        subject="N° 1",
        body=NEWSLETTER_FR,
        headers=NEWSLETTER_HEADERS,
    )
    first = _suggest(newsletter, django_capture_on_commit_callbacks)  # the oldest
    pitch = _suggest(
        mail(sender="Ryan <ryan@pipelinehero.example>", subject="Quick question", body=PITCH_EN),
        django_capture_on_commit_callbacks,
    )
    serious = _suggest(
        mail(sender="Claire Arnaud <claire@maison-arnaud.fr>", subject="Réorganisation", body=SERIOUS_FR),
        django_capture_on_commit_callbacks,
    )
    for i in range(40):
        raw = mail(
            sender=f"Lettre <news{i}@example-media.fr>",
            subject=f"N° {i + 2}",
            body=NEWSLETTER_FR,
            headers=NEWSLETTER_HEADERS,
        )
        _suggest(raw, django_capture_on_commit_callbacks)
    client = login_en(second)
    by_age = client.get(reverse("triage:queue")).content.decode()
    assert by_age.index(f'id="q-{first.request_id}"') < by_age.index(f'id="q-{serious.request_id}"')
    with django_assert_max_num_queries(12):
        by_score = client.get(reverse("triage:queue") + "?order=score").content.decode()
    assert by_score.index(f'id="q-{serious.request_id}"') < by_score.index(f'id="q-{pitch.request_id}"')
    assert by_score.index(f'id="q-{serious.request_id}"') < by_score.index(f'id="q-{first.request_id}"')
    # The order sticks for the session, also after a decision (htmx re-renders the queue).
    response = client.post(
        reverse("triage:dismiss", args=[pitch.request_id]),
        {"reason": "solicitation", "expected_state": "received"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert body.index(f'id="q-{serious.request_id}"') < body.index(f'id="q-{first.request_id}"')
    assert Request.objects.get(pk=pitch.request_id).state == "dismissed"
