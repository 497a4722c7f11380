"""The screener: "always keep" / "always dismiss" per address or per domain, made in one gesture from
the queue; bulk dismissal of a newsletter. A known correspondent is never dismissed automatically."""

from __future__ import annotations

import re

from django.urls import reverse

from cercle.circulation import services as circulation
from cercle.circulation.models import Event, Request
from cercle.triage import services
from cercle.triage.models import SenderRule, Suggestion
from tests.triage.conftest import (
    NEWSLETTER_FR,
    NEWSLETTER_HEADERS,
    SERIOUS_FR,
    ingest,
    login_en,
    mail,
    make_known,
)


def _arrive(raw: bytes, capture) -> Request:  # type: ignore[no-untyped-def]
    with capture(execute=True):
        request = ingest(raw)
    request.refresh_from_db()
    return request


def _newsletter(n: int, sender: str = "newsletter@example-media.fr") -> bytes:
    return mail(
        sender=f"La lettre <{sender}>",
        subject=f"Lettre n° {n}",
        body=NEWSLETTER_FR,
        headers=NEWSLETTER_HEADERS,
    )


def test_always_dismiss_from_the_queue_dismisses_this_one_and_the_waiting_ones(
    second, db, django_capture_on_commit_callbacks
):
    first, other, third = (_arrive(_newsletter(i), django_capture_on_commit_callbacks) for i in range(3))
    response = login_en(second).post(
        reverse("triage:rule_create", args=[first.pk]),
        {"scope": "address", "action": "dismiss", "reason": "newsletter", "apply_waiting": "on"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "2 more waiting messages dismissed" in response.content.decode()
    for request in (first, other, third):
        request.refresh_from_db()
        assert (request.state, request.dismiss_reason) == ("dismissed", "newsletter")
    # The gesture is the second's own decision on the message they were reading …
    mine = Event.objects.get(request=first, to_state="dismissed")
    assert mine.actor == second and "Sender rule created" in mine.note
    # … the others are automatic, audited in the name of the rule's author, and marked as such.
    auto = Event.objects.get(request=other, to_state="dismissed")
    assert auto.actor == second and "Automatic: sender rule" in auto.note
    assert Suggestion.objects.get(request=other).rule_event_id == auto.pk
    assert SenderRule.objects.get(value="newsletter@example-media.fr").hits == 2


def test_a_rule_decides_the_next_message_as_it_arrives(second, db, django_capture_on_commit_callbacks):
    first = _arrive(_newsletter(1), django_capture_on_commit_callbacks)
    services.rule_create(actor=second, request=first, scope="domain", action="dismiss", reason="newsletter")
    later = _arrive(_newsletter(2, sender="events@example-media.fr"), django_capture_on_commit_callbacks)
    assert later.state == "dismissed"
    suggestion = Suggestion.objects.get(request=later)
    assert suggestion.rule_id is not None
    assert any("sender rule" in t for t in suggestion.reason_texts)


def test_always_dismiss_never_dismisses_a_known_correspondent(second, db, django_capture_on_commit_callbacks):
    first = _arrive(_newsletter(1), django_capture_on_commit_callbacks)
    services.rule_create(actor=second, request=first, scope="domain", action="dismiss", reason="newsletter")
    make_known("jeanne@example-media.fr", exchanges=6, name="Jeanne Roux")
    personal = _arrive(
        mail(sender="Jeanne Roux <jeanne@example-media.fr>", subject="Notre projet", body=SERIOUS_FR),
        django_capture_on_commit_callbacks,
    )
    assert personal.state == "received"
    texts = Suggestion.objects.get(request=personal).reason_texts
    assert any("known correspondent is never dismissed automatically" in t for t in texts)
    assert not Event.objects.filter(request=personal, to_state="dismissed").exists()


def test_a_sender_kept_before_is_a_known_correspondent(second, db, django_capture_on_commit_callbacks):
    earlier = _arrive(
        mail(sender="Marc <marc@client.example>", subject="Première demande", body=SERIOUS_FR),
        django_capture_on_commit_callbacks,
    )
    circulation.request_keep(actor=second, request=earlier)
    other = _arrive(
        mail(sender="Ann <ann@client.example>", subject="Newsletter", body=NEWSLETTER_FR),
        django_capture_on_commit_callbacks,
    )
    services.rule_create(actor=second, request=other, scope="domain", action="dismiss", reason="newsletter")
    again = _arrive(
        mail(sender="Marc <marc@client.example>", subject="Deuxième demande", body=SERIOUS_FR),
        django_capture_on_commit_callbacks,
    )
    assert again.state == "received"


def test_always_keep_sends_the_next_message_to_the_leader(second, db, django_capture_on_commit_callbacks):
    first = _arrive(
        mail(sender="Claire <claire@maison-arnaud.fr>", subject="Demande", body=SERIOUS_FR),
        django_capture_on_commit_callbacks,
    )
    result = services.rule_create(actor=second, request=first, scope="address", action="keep")
    assert result.rule.action == "keep"
    first.refresh_from_db()
    assert first.state == "kept"
    later = _arrive(
        mail(
            sender="Claire <claire@maison-arnaud.fr>",
            subject="Autre sujet",
            body="Bonjour, un point rapide ?",
        ),
        django_capture_on_commit_callbacks,
    )
    assert later.state == "kept"


def test_no_domain_rule_for_a_public_mail_service(second, db, django_capture_on_commit_callbacks):
    request = _arrive(
        mail(sender="Tom <tom.becker@gmail.com>", subject="Hello", body=SERIOUS_FR),
        django_capture_on_commit_callbacks,
    )
    response = login_en(second).post(
        reverse("triage:rule_create", args=[request.pk]),
        {"scope": "domain", "action": "dismiss", "reason": "spam"},
        follow=True,
    )
    assert "public mail service" in response.content.decode()
    assert not SenderRule.objects.exists()
    request.refresh_from_db()
    assert request.state == "received"


def test_dismiss_all_37_messages_from_a_newsletter_in_one_gesture(
    second, db, django_capture_on_commit_callbacks
):
    requests = [
        _arrive(_newsletter(i, sender=f"n{i % 3}@example-media.fr"), django_capture_on_commit_callbacks)
        for i in range(37)
    ]
    # A known person also posts on the list: their message stays for a person to read.
    make_known("jeanne@example-media.fr", exchanges=6)
    known = _arrive(_newsletter(99, sender="jeanne@example-media.fr"), django_capture_on_commit_callbacks)
    client = login_en(second)
    preview = client.get(
        reverse("triage:preview", args=[requests[0].pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Dismiss all 38 messages from this sender" in preview
    response = client.post(
        reverse("triage:bulk_dismiss", args=[requests[0].pk]),
        {"sender_key": "list:dirigeant.example-media.fr", "reason": "newsletter"},
        follow=True,
    )
    assert re.search(r"\b37 messages dismissed\b", response.content.decode())
    assert re.search(r"\b1 from a known correspondent left for you\b", response.content.decode())
    assert Request.objects.filter(pk__in=[r.pk for r in requests], state="dismissed").count() == 37
    assert Event.objects.filter(request__in=requests, to_state="dismissed", actor=second).count() == 37
    known.refresh_from_db()
    assert known.state == "received"


def test_a_stale_bulk_form_changes_nothing(second, db, django_capture_on_commit_callbacks):
    request = _arrive(_newsletter(1), django_capture_on_commit_callbacks)
    _arrive(_newsletter(2), django_capture_on_commit_callbacks)
    login_en(second).post(
        reverse("triage:bulk_dismiss", args=[request.pk]),
        {"sender_key": "list:other.example", "reason": "newsletter"},
    )
    assert Request.objects.filter(state="dismissed").count() == 0


def test_rules_page_lists_and_removes_rules(second, db, django_capture_on_commit_callbacks):
    request = _arrive(_newsletter(1), django_capture_on_commit_callbacks)
    result = services.rule_create(
        actor=second, request=request, scope="address", action="dismiss", reason="newsletter"
    )
    client = login_en(second)
    assert "newsletter@example-media.fr" in client.get(reverse("triage:rules")).content.decode()
    client.post(reverse("triage:rule_delete", args=[result.rule.pk]))
    assert not SenderRule.objects.filter(active=True).exists()
    later = _arrive(_newsletter(2), django_capture_on_commit_callbacks)
    assert later.state == "received"


def test_the_rule_named_in_the_history_reads_in_each_reader_s_language(
    second, db, django_capture_on_commit_callbacks
):
    from django.utils import translation

    from tests.conftest import login

    first = _arrive(
        mail(sender="Claire <claire@maison-arnaud.fr>", subject="Demande", body=SERIOUS_FR),
        django_capture_on_commit_callbacks,
    )
    with translation.override("en"):  # made from the English queue
        services.rule_create(actor=second, request=first, scope="address", action="keep")
    with translation.override("en"):  # applied by the worker, in whatever language
        later = _arrive(
            mail(sender="Claire <claire@maison-arnaud.fr>", subject="Autre", body="Bonjour, un point ?"),
            django_capture_on_commit_callbacks,
        )
    for request in (first, later):
        page = (
            login(second, language="fr")
            .get(reverse("circulation:detail", args=[request.pk]))
            .content.decode()
        )
        assert "Toujours retenir · claire@maison-arnaud.fr" in page and "Always keep" not in page
