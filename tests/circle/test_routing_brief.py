"""The routing page proposes, as the members' brief, the triage brief the second checked and edited —
not the raw message."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
from django.urls import reverse

from cercle.circle.models import Offer
from cercle.circulation import services as circulation
from cercle.circulation.models import Request
from cercle.triage import services as triage
from cercle.triage.models import Brief
from tests.conftest import login
from tests.triage.conftest import SERIOUS_FR, ingest, mail


def _approved(second, leader, capture) -> Request:  # type: ignore[no-untyped-def]
    with capture(execute=True):
        request = ingest(
            mail(sender="Claire Arnaud <claire@maison-arnaud.fr>", subject="Réorganisation", body=SERIOUS_FR)
        )
    request.refresh_from_db()
    circulation.request_keep(actor=second, request=request)
    circulation.request_approve(actor=leader, request=request)
    return request


def _proposed_brief(user, request: Request) -> str:  # type: ignore[no-untyped-def]
    page = login(user, "en").get(reverse("circle:route", args=[request.pk])).content.decode()
    textarea = re.search(r'<textarea name="brief"[^>]*>(.*?)</textarea>', page, re.S)
    assert textarea, "the routing form has a brief"
    return unescape(textarea.group(1)).strip()


def test_the_routing_form_proposes_the_brief_the_second_edited(
    second, leader, member, db, django_capture_on_commit_callbacks
):
    request = _approved(second, leader, django_capture_on_commit_callbacks)
    triage.brief_update(
        actor=second,
        request=request,
        fields=triage.BriefFields(
            person="Claire Arnaud",
            organisation="Maison Arnaud SAS",
            role="Directrice générale",
            need="Réorganiser la direction commerciale (120 personnes) avant l'été.",
            deadline=date(2031, 4, 30),
            urgency="avant le 30 avril",
            budget="35 000 €",
            language="fr",
        ),
    )
    proposed = _proposed_brief(second, request)
    assert proposed.startswith("Réorganiser la direction commerciale (120 personnes) avant l'été.")
    assert "Who: Claire Arnaud, Directrice générale · Maison Arnaud SAS" in proposed
    assert "When: 30 April 2031 · avant le 30 avril" in proposed  # written out: no 04/30 vs 30/04
    assert "Budget: 35 000 €" in proposed
    assert "Language: French" in proposed
    assert "Bonjour Madame Marchand" not in proposed  # not the raw mail
    # Sent as proposed, it is what the members read.
    response = login(second, "en").post(
        reverse("circle:route", args=[request.pk]),
        {"members": [member.pk], "brief": proposed, "expected_state": "approved"},
    )
    assert response.status_code == 302
    assert Offer.objects.get(request=request, member=member).brief == proposed


def test_the_drafted_brief_is_proposed_when_nobody_edited_it(
    second, leader, db, django_capture_on_commit_callbacks
):
    request = _approved(second, leader, django_capture_on_commit_callbacks)
    brief = Brief.objects.get(request=request)
    assert brief.edited_by_id is None and brief.need
    proposed = _proposed_brief(second, request)
    assert proposed.startswith(brief.need.strip())
    assert "Language: " in proposed


@pytest.mark.parametrize("role", ["second", "leader"])
def test_without_a_brief_the_summary_is_proposed(role, request, leader, second, approved_without_brief):
    user = request.getfixturevalue(role)
    assert _proposed_brief(user, approved_without_brief) == approved_without_brief.summary[:1500].strip()


@pytest.fixture
def approved_without_brief(second, leader, incoming) -> Request:  # type: ignore[no-untyped-def]
    circulation.request_keep(actor=second, request=incoming)
    circulation.request_approve(actor=leader, request=incoming)
    Brief.objects.filter(request=incoming).delete()
    return incoming


def test_the_proposed_brief_follows_french_typography_and_names_an_agency_once(
    second, leader, db, django_capture_on_commit_callbacks
):
    request = _approved(second, leader, django_capture_on_commit_callbacks)
    triage.brief_update(
        actor=second,
        request=request,
        fields=triage.BriefFields(
            person="Agence Visibilité",
            organisation="Agence Visibilité",
            role="",
            need="Refaire notre site.",
            deadline=date(2031, 4, 30),
            urgency="",
            budget="",
            language="fr",
        ),
    )
    page = login(second, "fr").get(reverse("circle:route", args=[request.pk])).content.decode()
    brief = unescape(re.search(r"<textarea[^>]*>(.*?)</textarea>", page, re.S).group(1))  # type: ignore[union-attr]
    assert "Qui\u00a0: Agence Visibilité\n" in brief
    assert "Quand\u00a0: 30 avril 2031" in brief


def test_the_leaders_note_is_shown_where_the_second_routes_and_carried_into_the_brief(
    second, leader, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = ingest(
            mail(sender="Claire Arnaud <claire@maison-arnaud.fr>", subject="Réorganisation", body=SERIOUS_FR)
        )
    request.refresh_from_db()
    circulation.request_keep(actor=second, request=request)
    circulation.request_approve(actor=leader, request=request, note="Priorité : c'est une amie de Karim.")
    brief = _proposed_brief(second, request)
    assert brief.splitlines()[-1] == "The leader's note: Priorité : c'est une amie de Karim."
    client = login(second, "en")
    for page in (reverse("circle:route", args=[request.pk]), reverse("circle:routing")):
        html = unescape(client.get(page).content.decode())
        assert "The leader's note</strong> Priorité : c'est une amie de Karim." in html


def test_without_a_triage_brief_the_note_follows_the_summary(second, leader, approved_without_brief):
    Request.objects.filter(pk=approved_without_brief.pk).update(decision_note="À traiter avant lundi.")
    brief = _proposed_brief(second, Request.objects.get(pk=approved_without_brief.pk))
    assert brief.endswith("\n\nThe leader's note: À traiter avant lundi.")
