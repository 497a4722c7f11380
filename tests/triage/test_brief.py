"""The brief: who, what they need, deadline or urgency, budget, language — read from the message, edited
by the second, shown on the leader's card instead of the raw mail."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from cercle.circulation import services as circulation
from cercle.triage import services
from cercle.triage.brief import extract_brief
from cercle.triage.features import doc_from_fields
from cercle.triage.models import Brief
from tests.triage.conftest import SERIOUS_FR, ingest, login_en, mail

FRENCH = """Bonjour Madame Marchand,

J'espère que vous allez bien. Je suis directrice de la transformation chez Maison Berthier, une PME familiale
de 180 personnes dans la Drôme.

Nous cherchons à être accompagnés pour repenser notre organisation commerciale et former nos managers.
Pourriez-vous nous consacrer une heure la semaine prochaine pour en parler ? Nous avons prévu un budget
d'environ 40 000 € et aimerions démarrer avant le 15 mars.

Bien à vous,

Hélène Berthier
Directrice de la transformation, Maison Berthier SAS
06 12 34 56 78
"""

ENGLISH = """Hi Léa,

I hope this finds you well. I lead the partnerships team at Northwind Health and we are organising our annual
leadership summit in Lyon on June 12th.

We would like to invite you to give the opening keynote (45 minutes). We can offer a speaker fee of $8,000 plus
travel. Could you let us know by April 30 whether you would be available?

Best regards,
Daniel Okafor
Head of Partnerships at Northwind Health
+1 415 555 0199
"""


def test_a_french_brief_from_the_message_and_its_signature():
    doc = doc_from_fields(
        subject="Accompagnement de notre transformation",
        text=FRENCH,
        from_email="h.berthier@maison-berthier.fr",
        from_name="Hélène Berthier",
    )
    brief = extract_brief(doc, sent_at=date(2025, 2, 3))
    assert brief.person == "Hélène Berthier"
    assert brief.role == "Directrice de la transformation"
    assert brief.organisation == "Maison Berthier SAS"
    assert brief.need.startswith("Nous cherchons à être accompagnés")
    assert "Pourriez-vous" in brief.need
    assert brief.deadline == date(2025, 3, 15)
    assert "avant le 15 mars" in brief.urgency
    assert "40 000 €" in brief.budget
    assert brief.language == "fr"


def test_an_english_brief_from_the_message_and_its_signature():
    doc = doc_from_fields(
        subject="Keynote invitation - Northwind Leadership Summit",
        text=ENGLISH,
        from_email="daniel@northwind-health.com",
        from_name="Daniel Okafor",
    )
    brief = extract_brief(doc, sent_at=date(2025, 3, 3))
    assert (brief.person, brief.role, brief.organisation) == (
        "Daniel Okafor",
        "Head of Partnerships",
        "Northwind Health",
    )
    assert "opening keynote" in brief.need
    assert brief.deadline == date(2025, 4, 30)
    assert "$8,000" in brief.budget
    assert brief.language == "en"


def test_an_urgent_request_without_a_date_says_so():
    doc = doc_from_fields(
        subject="Urgent : conflit entre associés",
        text="Bonjour,\n\nMon associé et moi sommes bloqués. Pourriez-vous nous recevoir rapidement ?\n\nArnaud Leclerc",
        from_email="a.leclerc@leclerc-transports.fr",
    )
    brief = extract_brief(doc, sent_at=date(2025, 3, 3))
    assert brief.deadline is None
    assert "rapidement" in brief.urgency.lower() or "urgent" in brief.urgency.lower()
    assert brief.organisation == "leclerc-transports.fr"  # the sender's own domain, not a mail service


def test_a_kept_request_reaches_the_leader_as_its_brief(
    second, leader, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = ingest(
            mail(sender="Claire Arnaud <claire@maison-arnaud.fr>", subject="Réorganisation", body=SERIOUS_FR)
        )
    brief = Brief.objects.get(request=request)
    assert brief.role == "Directrice générale"
    assert "35 000 €" in brief.budget
    # The second corrects the brief before keeping the request.
    response = login_en(second).post(
        reverse("triage:brief", args=[request.pk]),
        {
            "person": "Claire Arnaud",
            "organisation": "Maison Arnaud",
            "role": "DG",
            "need": "Réorganiser la direction commerciale (120 personnes), démarrage avant fin avril.",
            "deadline": "2025-04-30",
            "urgency": "avant le 30 avril",
            "budget": "35 k€",
            "language": "fr",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Brief saved" in response.content.decode()
    brief.refresh_from_db()
    assert brief.edited_by == second and brief.budget == "35 k€"
    assert request.events.filter(kind="note", note__contains="Brief").exists()
    circulation.request_keep(actor=second, request=request)
    card = login_en(leader).get(reverse("circulation:validation")).content.decode()
    assert "Réorganiser la direction commerciale (120 personnes)" in card
    assert "35 k€" in card
    assert "Nous cherchons à être" not in card  # the brief, not the raw mail


def test_an_edited_brief_is_never_overwritten_by_the_machine(second, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = ingest(
            mail(sender="Claire Arnaud <claire@maison-arnaud.fr>", subject="Réorganisation", body=SERIOUS_FR)
        )
    services.brief_update(
        actor=second,
        request=request,
        fields=services.BriefFields("Claire", "MA", "DG", "Ce que dit la seconde", None, "", "", "fr"),
    )
    services.suggestion_compute(request=request)
    assert Brief.objects.get(request=request).need == "Ce que dit la seconde"


def test_the_brief_form_opens_in_the_preview(second, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = ingest(
            mail(sender="Claire Arnaud <claire@maison-arnaud.fr>", subject="Réorganisation", body=SERIOUS_FR)
        )
    client = login_en(second)
    preview = client.get(
        reverse("triage:preview", args=[request.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Brief for the leader" in preview and reverse("triage:brief", args=[request.pk]) in preview
    form = client.get(reverse("triage:brief", args=[request.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'name="need"' in form and "Directrice générale" in form
    page = client.get(reverse("triage:brief", args=[request.pk])).content.decode()
    assert "<html" in page


def test_a_brief_with_errors_comes_back_with_its_errors(second, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = ingest(
            mail(sender="Claire Arnaud <claire@maison-arnaud.fr>", subject="Réorganisation", body=SERIOUS_FR)
        )
    response = login_en(second).post(
        reverse("triage:brief", args=[request.pk]),
        {"person": "Claire", "need": "x", "deadline": "not a date", "language": "fr"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200  # htmx swaps it in
    assert 'name="deadline"' in response.content.decode()
    assert Brief.objects.get(request=request).edited_by is None


def test_a_funding_word_without_an_amount_is_no_budget_and_the_subject_is_not_repeated():
    doc = doc_from_fields(
        subject="Grant application for the 12 December workshop",
        text="Hi,\n\nWe are preparing a grant application and would love your support.\n\nPriya Nair",
        from_email="priya@openlab.example",
    )
    brief = extract_brief(doc, sent_at=date(2026, 11, 20))
    assert brief.budget == ""
    # The date comes from the subject: the deadline carries it, the "when" words do not repeat the subject.
    assert brief.deadline == date(2026, 12, 12)
    assert "Grant application" not in brief.urgency


def test_a_sentence_about_money_without_an_amount_is_still_a_budget_hint():
    doc = doc_from_fields(
        subject="Intervention",
        text="Bonjour,\n\nL'intervention serait rémunérée selon vos honoraires habituels.\n\nMarc",
        from_email="marc@client.example",
    )
    assert "honoraires habituels" in extract_brief(doc, sent_at=date(2026, 11, 20)).budget


def test_the_when_is_the_whole_sentence_not_a_fragment():
    doc = doc_from_fields(
        subject="Workshop",
        text="Hello,\n\nWe would like a workshop for our team. Our budget is 4,500 € and the deadline is "
        "the 15th of March.\n\nBest,\nAnna",
        from_email="anna@x.example",
    )
    brief = extract_brief(doc, sent_at=date(2026, 11, 20))
    assert brief.deadline == date(2027, 3, 15)
    assert brief.urgency == "Our budget is 4,500 € and the deadline is the 15th of March."


GOAL_FR = """Bonjour Madame Marchand,

Je dirige l'Atelier Roux, une menuiserie de 25 personnes à Lyon. L'objectif est de réduire de 30 % nos délais
de livraison d'ici fin 2027. Pourriez-vous nous accompagner sur ce chantier ? Budget envisagé : 18 000 € HT sur
six mois.

Bien cordialement,
Marion Roux
Gérante, Atelier Roux
"""

GOAL_EN = """Hi Léa,

Our goal is to halve the onboarding time of our new engineers. Could you run two workshops for our team leads?
We have a budget of $12,000 per month over three months, excluding VAT.

Best regards,
Tom Baker
Head of Engineering at Acme Ltd
"""


def _brief(text: str, subject: str = "Demande"):  # type: ignore[no-untyped-def]
    doc = doc_from_fields(subject=subject, text=text, from_email="x@atelier-roux.example", from_name="")
    return extract_brief(doc, sent_at=date(2026, 11, 20))


def test_the_requesters_goal_is_kept_in_their_words_beside_what_they_need():
    brief = _brief(GOAL_FR)
    # Their own "L'objectif est de" is left to the brief's label; the rest is their sentence, untouched.
    assert brief.goal == "réduire de 30 % nos délais de livraison d'ici fin 2027."
    assert "Pourriez-vous nous accompagner sur ce chantier ?" in brief.need
    assert "objectif" not in brief.need.lower()  # said once, under its own label
    english = _brief(GOAL_EN, subject="Workshops")
    assert english.goal == "halve the onboarding time of our new engineers."
    assert "Could you run two workshops" in english.need


def test_a_goal_said_with_nous_souhaitons_is_kept_whole_but_an_invitation_is_a_need():
    wish = _brief(
        "Bonjour,\n\nNous souhaitons moderniser l'accueil de nos patients. Pourriez-vous nous aider ?\n\nPaul"
    )
    assert wish.goal == "Nous souhaitons moderniser l'accueil de nos patients."
    invitation = _brief(
        "Bonjour,\n\nNous souhaitons vous inviter à intervenir lors de notre congrès annuel. Seriez-vous "
        "disponible ?\n\nPaul"
    )
    assert invitation.goal == ""
    assert "Nous souhaitons vous inviter" in invitation.need


def test_the_budget_keeps_its_qualifiers_and_drops_the_requesters_own_label():
    assert _brief(GOAL_FR).budget == "18 000 € HT sur six mois"
    assert _brief(GOAL_EN).budget == "$12,000 per month over three months, excluding VAT"
    ranged = _brief("Bonjour,\n\nNous avons un budget de 15 000 à 20 000 € TTC pour la refonte.\n\nPaul")
    assert ranged.budget == "15 000 à 20 000 € TTC pour la refonte"
    # A long clause after the amount is not the budget: only its tax and period words are.
    long_clause = _brief(
        "Bonjour,\n\nLe budget est de 9 000 € HT par an que nous pourrions revoir si le projet avance bien "
        "au premier trimestre.\n\nPaul"
    )
    assert long_clause.budget == "9 000 € HT par an"
