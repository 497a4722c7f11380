"""The reason an "always dismiss" rule files messages under comes from the gesture: the reason the second
chose, else what the machine reads the message as — never a fixed "Newsletter"."""

from __future__ import annotations

import re

from django.urls import reverse

from cercle.circulation.models import Request
from cercle.triage import services
from cercle.triage.models import SenderRule, Suggestion
from tests.triage.conftest import PITCH_EN, SERIOUS_FR, ingest, login_en, mail


def _arrive(raw: bytes, capture) -> Request:  # type: ignore[no-untyped-def]
    with capture(execute=True):
        request = ingest(raw)
    request.refresh_from_db()
    return request


def _pitch(capture, n: int = 1, headers: dict[str, str] | None = None) -> Request:  # type: ignore[no-untyped-def]
    return _arrive(
        mail(
            sender="Ryan Cole <ryan@pipelinehero.example>",
            subject=f"Quick question {n}",
            body=PITCH_EN,
            headers=headers,
        ),
        capture,
    )


def _selected_reason(html: str) -> str:
    select = re.search(r'<select name="reason".*?</select>', html, re.S)
    assert select, "the dismiss gestures have a reason to choose"
    chosen = re.findall(r'<option value="(\w+)" selected>', select.group(0))
    assert len(chosen) == 1
    return chosen[0]


def test_always_dismiss_from_the_preview_files_a_pitch_as_solicitation(
    second, db, django_capture_on_commit_callbacks
):
    first = _pitch(django_capture_on_commit_callbacks, 1)
    waiting = _pitch(django_capture_on_commit_callbacks, 2)
    client = login_en(second)
    preview = client.get(reverse("triage:preview", args=[first.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert _selected_reason(preview) == "solicitation"
    # What the browser sends when the second presses "Always dismiss ryan@…": the form's reason and the
    # pressed button's scope.
    client.post(
        reverse("triage:rule_create", args=[first.pk]),
        {"action": "dismiss", "scope": "address", "reason": "solicitation", "apply_waiting": "on"},
    )
    rule = SenderRule.objects.get(value="ryan@pipelinehero.example")
    assert rule.reason == "solicitation"
    for request in (first, waiting):
        request.refresh_from_db()
        assert (request.state, request.dismiss_reason) == ("dismissed", "solicitation")
    rules_page = client.get(reverse("triage:rules")).content.decode()
    row = re.search(rf'<tr id="rule-{rule.pk}">.*?</tr>', rules_page, re.S)
    assert row and "Solicitation" in row.group(0) and "Newsletter" not in row.group(0)


def test_without_a_chosen_reason_the_rule_takes_the_machines_not_newsletter(
    second, db, django_capture_on_commit_callbacks
):
    first = _pitch(django_capture_on_commit_callbacks)
    result = services.rule_create(actor=second, request=first, scope="domain", action="dismiss")
    assert result.rule.reason == "solicitation"
    first.refresh_from_db()
    assert first.dismiss_reason == "solicitation"


def test_the_reason_the_second_chooses_is_the_one_the_rule_applies(
    second, db, django_capture_on_commit_callbacks
):
    # Sent with a sequencing tool: as spam, a rule never dismisses a message that reads as a person
    # writing (test_people_first.py), so the second's "spam" is applied to mass mail.
    sequenced = {"X-Mailer": "lemlist", "List-Unsubscribe": "<mailto:unsubscribe@pipelinehero.example>"}
    first = _pitch(django_capture_on_commit_callbacks, 1, sequenced)
    login_en(second).post(
        reverse("triage:rule_create", args=[first.pk]),
        {"action": "dismiss", "scope": "domain", "reason": "spam", "apply_waiting": "on"},
    )
    later = _pitch(django_capture_on_commit_callbacks, 2, sequenced)
    assert (later.state, later.dismiss_reason) == ("dismissed", "spam")


def test_overruling_a_keep_suggestion_takes_the_likeliest_kind_of_noise():
    # The machine said "network" (87 %); the second says "always dismiss": the rule files the sender
    # under what the message most looks like among the kinds of noise.
    promo = Suggestion(
        category="network",
        probabilities={
            "serious": 0.05,
            "network": 0.87,
            "solicitation": 0.06,
            "newsletter": 0.015,
            "spam": 0.005,
        },
        signals={"headers": []},
    )
    assert promo.dismiss_reason == ""
    assert promo.noise_reason == "solicitation"
    automated = Suggestion(
        category="serious",
        probabilities={"serious": 0.6, "network": 0.1, "solicitation": 0.05, "newsletter": 0.2, "spam": 0.05},
        signals={"headers": ["noreply"]},
    )
    assert automated.noise_reason == "notification"
    assert Suggestion(category="spam", probabilities={}, signals={}).noise_reason == "spam"
    assert Suggestion(category="serious", probabilities={}, signals={}).noise_reason == "not_relevant"


def test_the_preview_preselects_the_likeliest_noise_for_a_message_suggested_keep(
    second, db, django_capture_on_commit_callbacks
):
    request = _arrive(
        mail(sender="Claire Arnaud <claire@maison-arnaud.fr>", subject="Réorganisation", body=SERIOUS_FR),
        django_capture_on_commit_callbacks,
    )
    suggestion = Suggestion.objects.get(request=request)
    assert suggestion.suggests_keep
    preview = (
        login_en(second)
        .get(reverse("triage:preview", args=[request.pk]), HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert _selected_reason(preview) == suggestion.noise_reason
    assert "Always keep claire@maison-arnaud.fr" in preview
    assert "Always dismiss @maison-arnaud.fr" in preview


def test_bulk_dismissal_sits_in_the_same_form_and_takes_the_chosen_reason(
    second, db, django_capture_on_commit_callbacks
):
    first = _pitch(django_capture_on_commit_callbacks, 1)
    _pitch(django_capture_on_commit_callbacks, 2)
    client = login_en(second)
    preview = client.get(reverse("triage:preview", args=[first.pk]), HTTP_HX_REQUEST="true").content.decode()
    form = re.search(r'<form[^>]*class="gestures dismiss-gestures".*?</form>', preview, re.S)
    assert form
    assert f'formaction="{reverse("triage:bulk_dismiss", args=[first.pk])}"' in form.group(0)
    assert "Dismiss all 2 messages from this sender" in form.group(0)
    client.post(
        reverse("triage:bulk_dismiss", args=[first.pk]),
        {"action": "dismiss", "sender_key": "ryan@pipelinehero.example", "reason": "solicitation"},
    )
    assert set(Request.objects.values_list("dismiss_reason", flat=True)) == {"solicitation"}
