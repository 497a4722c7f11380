"""Every keep/dismiss decision is a training example: the hub's own model, retrained on them, changes the
suggestions, and its quality on the most recent decisions (held out) is shown to the second."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from cercle.circulation import services as circulation
from cercle.circulation.models import Request
from cercle.triage import selectors, services
from cercle.triage.models import Suggestion, TrainingRun
from tests.triage.conftest import NEWSLETTER_FR, NEWSLETTER_HEADERS, SERIOUS_FR, ingest, login_en, mail

REGIONS = ["Auvergne", "Bretagne", "Occitanie", "Normandie", "Grand Est", "Hauts-de-France", "Provence", "Centre",
           "Bourgogne", "Corse", "Savoie", "Vendée", "Alsace", "Picardie"]  # fmt: skip
THEMES = ["industrie du futur", "transition écologique", "innovation sociale", "export des PME", "économie circulaire",
          "numérique responsable", "tourisme durable", "mobilités douces", "santé connectée", "agriculture locale",
          "formation des dirigeants", "artisanat d'art", "sobriété énergétique", "inclusion"]  # fmt: skip


def funding_call(i: int) -> bytes:
    """A bulk newsletter announcing a call for projects: this hub keeps them (they are opportunities)."""
    region, theme = REGIONS[i % len(REGIONS)], THEMES[i % len(THEMES)]
    return mail(
        sender=f"Région {region} <appels@region-{i}.example.fr>",
        subject=f"Appel à projets {theme} : jusqu'à {20 + i} 000 € par lauréat",
        body=(
            f"La Région {region} lance son appel à projets « {theme} ».\n\nDotation : jusqu'à {20 + i} 000 € par "
            f"lauréat. Éligibilité : entreprises et associations du territoire. Dépôt des candidatures avant le "
            f"{10 + i % 18} juin.\n\nConsultez le cahier des charges en ligne.\n\nSe désinscrire de cette lettre."
        ),
        headers={
            "List-Unsubscribe": f"<https://region-{i}.example.fr/unsub>",
            "List-Id": f"<appels.region-{i}.example.fr>",
            "X-Mailer": "Sendinblue",
        },
    )


def newsletter(i: int) -> bytes:
    headers = dict(NEWSLETTER_HEADERS, **{"List-Id": f"<lettre{i}.media-{i}.example.fr>"})
    return mail(
        sender=f"Média {i} <lettre@media-{i}.example.fr>",
        subject=f"La lettre n° {i}",
        body=NEWSLETTER_FR,
        headers=headers,
    )


def pitch(i: int) -> bytes:
    return mail(
        sender=f"Sales {i} <sales{i}@vendor-{i}.example.com>",
        subject=f"Quick question #{i}",
        body="Hi Léa,\n\nWe help firms like yours book more meetings. Free demo, 15 minutes next week?\n\nBest",
    )


def serious(i: int) -> bytes:
    return mail(
        sender=f"Dirigeant {i} <dg{i}@pme-{i}.example.fr>",
        subject=f"Demande d'accompagnement {i}",
        body=SERIOUS_FR,
    )


def _arrive(raw: bytes, capture) -> Request:  # type: ignore[no-untyped-def]
    with capture(execute=True):
        request = ingest(raw)
    request.refresh_from_db()
    return request


@pytest.fixture
def few_decisions_needed(settings):  # type: ignore[no-untyped-def]
    settings.CERCLE = {**settings.CERCLE, "TRIAGE_MIN_DECISIONS": 20, "TRIAGE_RETRAIN_MIN_NEW": 5}


def _decide_like_this_hub(second, capture) -> None:  # type: ignore[no-untyped-def]
    """Funding calls are kept; other newsletters and pitches dismissed; requests kept. Interleaved in time."""
    for i in range(12):
        circulation.request_keep(actor=second, request=_arrive(funding_call(i), capture))
        if i < 8:
            circulation.request_dismiss(
                actor=second, request=_arrive(newsletter(i), capture), reason="newsletter"
            )
        if i < 6:
            circulation.request_dismiss(
                actor=second, request=_arrive(pitch(i), capture), reason="solicitation"
            )
            circulation.request_keep(actor=second, request=_arrive(serious(i), capture))


def test_the_machine_learns_what_this_hub_keeps(
    second, few_decisions_needed, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    waiting = _arrive(funding_call(40), capture)
    before = Suggestion.objects.get(request=waiting)
    assert not before.suggests_keep  # the base model reads bulk mail about money
    _decide_like_this_hub(second, capture)

    run = services.model_retrain(force=True)
    assert run is not None and run.status == TrainingRun.Status.ACTIVE, run and run.message
    assert run.decisions == 32
    assert run.metrics["hub"]["keep_dismiss_accuracy"] > run.metrics["base"]["keep_dismiss_accuracy"]

    # The waiting funding call was re-read with the new model, and a new one is suggested "keep" too.
    after = Suggestion.objects.get(request=waiting)
    assert (
        after.suggests_keep
        and after.model_version.startswith(("base", "signals"))
        and "+hub" in after.model_version
    )
    fresh = Suggestion.objects.get(request=_arrive(funding_call(41), capture))
    assert fresh.suggests_keep
    # What it was already right about stays right.
    assert Suggestion.objects.get(request=_arrive(newsletter(50), capture)).category == "newsletter"

    page = login_en(second).get(reverse("triage:quality")).content.decode()
    assert "With what it learnt from you" in page
    assert 'id="hub-accuracy"' in page


def test_too_few_decisions_keep_the_base_model(second, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    circulation.request_keep(actor=second, request=_arrive(serious(1), capture))
    circulation.request_dismiss(actor=second, request=_arrive(pitch(1), capture), reason="solicitation")
    run = services.model_retrain(force=True)
    assert run is not None and run.status == TrainingRun.Status.SKIPPED
    assert selectors.active_run_id() is None
    page = login_en(second).get(reverse("triage:quality")).content.decode()
    assert "suggests until you have made 30 decisions" in page


def test_enough_decisions_before_any_training_say_when_the_machine_will_learn(
    second, few_decisions_needed, django_capture_on_commit_callbacks
):
    _decide_like_this_hub(second, django_capture_on_commit_callbacks)
    assert selectors.active_run_id() is None
    page = login_en(second).get(reverse("triage:quality")).content.decode()
    assert "are enough for the machine to learn from" in page
    assert "suggests until you have made" not in page


def test_retraining_waits_for_new_decisions_unless_asked(
    second, few_decisions_needed, django_capture_on_commit_callbacks
):
    _decide_like_this_hub(second, django_capture_on_commit_callbacks)
    assert services.model_retrain(force=True) is not None
    assert services.model_retrain() is None  # nothing new since: the hourly task does nothing


def test_the_second_can_retrain_on_demand(second, few_decisions_needed, django_capture_on_commit_callbacks):
    _decide_like_this_hub(second, django_capture_on_commit_callbacks)
    response = login_en(second).post(reverse("triage:retrain"), follow=True)
    assert response.status_code == 200
    assert TrainingRun.objects.filter(status=TrainingRun.Status.ACTIVE).exists()


def test_automatic_decisions_are_not_training_examples(second, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    first = _arrive(newsletter(1), capture)
    other = _arrive(
        mail(sender="Média 1 <lettre@media-1.example.fr>", subject="Encore", body=NEWSLETTER_FR), capture
    )
    services.rule_create(actor=second, request=first, scope="address", action="dismiss", reason="newsletter")
    other.refresh_from_db()
    assert other.state == "dismissed"
    examples = selectors.training_examples()
    assert [e.request_id for e in examples] == [first.pk]  # the person's gesture only
    assert examples[0].label == "newsletter"


def test_not_relevant_is_not_a_category_and_a_restored_request_is_undecided(
    second, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    a = _arrive(serious(1), capture)
    b = _arrive(serious(2), capture)
    circulation.request_dismiss(actor=second, request=a, reason="not_relevant")
    circulation.request_dismiss(actor=second, request=b, reason="spam")
    circulation.request_restore(actor=second, request=b)
    assert selectors.training_examples() == []


def test_agreement_with_the_second_is_measured_on_the_suggestions_they_saw(
    second, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    circulation.request_keep(actor=second, request=_arrive(serious(1), capture))  # agreed
    circulation.request_keep(
        actor=second, request=_arrive(newsletter(1), capture)
    )  # kept, machine said dismiss
    circulation.request_dismiss(
        actor=second, request=_arrive(pitch(1), capture), reason="solicitation"
    )  # agreed
    agreement = selectors.live_agreement()
    assert (agreement.decisions, agreement.agreed, agreement.kept_but_suggested_dismiss) == (3, 2, 1)


def test_a_model_that_did_worse_is_said_not_used_not_replaced(second, few_decisions_needed):
    from django.utils import timezone

    TrainingRun.objects.create(
        status=TrainingRun.Status.REJECTED,
        finished_at=timezone.now(),
        decisions=40,
        held_out=8,
        metrics={"base": {"keep_dismiss_accuracy": 0.9}, "hub": {"keep_dismiss_accuracy": 0.7}},
    )
    page = login_en(second).get(reverse("triage:quality")).content.decode()
    assert "Not used: worse than the base model" in page and "Replaced" not in page
    assert "did worse than it on your latest ones, so it was not put in use" in page
    assert "it will at its next hourly training" not in page  # it just did, and said no


def test_why_the_machine_waits_reads_in_the_reader_s_language(second, django_capture_on_commit_callbacks):
    from django.utils import translation

    capture = django_capture_on_commit_callbacks
    circulation.request_keep(actor=second, request=_arrive(serious(1), capture))
    with translation.override("fr"):  # the hourly task runs in the hub's language
        run = services.model_retrain(force=True)
    assert run is not None and run.status == TrainingRun.Status.SKIPPED
    page = login_en(second).get(reverse("triage:quality")).content.decode()
    assert re.search(r"\b1 usable decision so far\b", page)
    assert "exploitable" not in page
    assert "No decision on a suggested message yet." not in page  # the kept one had a suggestion
