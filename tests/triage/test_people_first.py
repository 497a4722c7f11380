"""Issue 14: a first filter that never drops a request.

- A LinkedIn message notification is the person writing: the category follows what they wrote, not
  LinkedIn's List-Id / List-Unsubscribe / no-reply headers, and it is never a newsletter.
- Spam is for deception: the decision weighs what each mistake costs, so a message that may be a
  person's request is not suggested as spam, and a sender rule never dismisses as spam a message that
  reads as a person writing (dismissing as spam also marks the sender as spam).
- The shipped model, as shipped, on the hard test part frozen before tuning: "needs a human" F1 ≥ 0.92
  and no request or network message called spam.
"""

from __future__ import annotations

import numpy as np

from cercle.circulation.models import Event, Request
from cercle.mail.parse import parse_message
from cercle.network.models import Contact
from cercle.triage import classifier as K
from cercle.triage import dataset, engine, evaluation, services
from cercle.triage.features import doc_from_parsed
from cercle.triage.header_signals import header_signals
from cercle.triage.models import Suggestion
from tests.triage.conftest import NEWSLETTER_FR, NEWSLETTER_HEADERS, ingest, mail

LINKEDIN_HEADERS = {
    "List-Unsubscribe": "<https://www.linkedin.com/comm/psettings/email-unsubscribe?lipi=t1>",
    "List-Id": "<messages.linkedin.com>",
    "Precedence": "bulk",
    "Feedback-ID": "msg_notif:linkedin",
}
REQUEST_FR = (
    "Bertille Vasseur\nDirectrice générale, Biscuiterie Vasseur\n\n"
    "Bonjour Madame Marchand, nous sommes trois cousins à diriger la biscuiterie familiale depuis le décès "
    "de mon oncle et nous n'arrivons plus à décider ensemble. Pourriez-vous nous accompagner pour mettre "
    "en place une gouvernance familiale ? Nous aimerions vous rencontrer avant la fin du mois.\n\n"
    "Répondre\nhttps://www.linkedin.com/comm/messaging/thread/2-VGVzdA==/\n\n"
    "Cet e-mail était destiné à Léa Marchand\nVous recevez les notifications de LinkedIn.\n"
    "Se désabonner\n© 2025 LinkedIn Ireland Unlimited Company\n"
)
FRIEND_EN = (
    "Owen Price\nTeacher at Cardiff High School\n\n"
    "Léa! It's Owen from the Cardiff exchange year, I can't believe I found you here. I'm in Lyon with my "
    "wife in October, would you and your family like to have dinner with us one evening? Would be lovely.\n\n"
    "Reply\nhttps://www.linkedin.com/comm/messaging/thread/2-T3dlbg==/\n\n"
    "This email was intended for Léa Marchand\nYou are receiving LinkedIn notification emails.\n"
)
REQUEST_FIRST_TIME = """Bonjour,

Vous ne me connaissez pas : je dirige une petite entreprise de menuiserie près de Vienne (9 salariés) et
je dois préparer mon départ à la retraite. Aucun de mes enfants ne veut reprendre. Est-ce que vous
pourriez m'aider à trouver la bonne façon de transmettre l'entreprise à mes salariés ?

Merci d'avance,
Gérard Lachaux
06 71 20 33 18
"""


def _linkedin(
    subject: str, body: str, sender: str = "messages-noreply@linkedin.com", name: str = ""
) -> bytes:
    display = f"{name} via LinkedIn" if name else "LinkedIn"
    return mail(sender=f"{display} <{sender}>", subject=subject, body=body, headers=LINKEDIN_HEADERS)


def _arrive(raw: bytes, capture) -> Request:  # type: ignore[no-untyped-def]
    with capture(execute=True):
        request = ingest(raw)
    request.refresh_from_db()
    return request


# --- LinkedIn: the person's message, not LinkedIn's notification -----------------------------------


def test_the_triage_reads_a_linkedin_notification_as_the_person_s_message():
    doc = doc_from_parsed(parse_message(_linkedin("Bertille Vasseur vous a envoyé un message", REQUEST_FR)))
    assert doc.via == "linkedin" and doc.from_name == "Bertille Vasseur" and doc.from_email == ""
    assert doc.text.startswith("Bonjour Madame Marchand") and "Se désabonner" not in doc.text
    assert doc.subject == ""  # LinkedIn's words, not hers
    codes = {s.code for s in header_signals(doc)}
    assert not codes & {"list_unsubscribe", "list_id", "precedence", "noreply", "campaign"}
    # An InMail keeps the subject the person chose.
    inmail = doc_from_parsed(
        parse_message(
            mail(
                sender="Bertille Vasseur via LinkedIn <inmail-hit-reply@linkedin.com>",
                subject="Gouvernance de notre biscuiterie",
                body=REQUEST_FR,
                headers=LINKEDIN_HEADERS,
            )
        )
    )
    assert inmail.via == "linkedin" and inmail.subject == "Gouvernance de notre biscuiterie"


def test_a_linkedin_request_is_kept_for_a_human_not_filed_as_newsletter(
    db, django_capture_on_commit_callbacks
):
    request = _arrive(
        _linkedin("Bertille Vasseur vous a envoyé un message", REQUEST_FR), django_capture_on_commit_callbacks
    )
    suggestion = Suggestion.objects.get(request=request)
    assert suggestion.category == "serious"
    assert suggestion.probabilities["newsletter"] < 0.2
    # The sender is the person, not LinkedIn's no-reply box: a rule on linkedin.com cannot touch her.
    assert suggestion.sender_email == "" and suggestion.sender_domain == ""
    assert suggestion.signals["via"] == "linkedin" and suggestion.signals["person"] is True
    texts = suggestion.reason_texts
    assert any("LinkedIn message from Bertille Vasseur" in t for t in texts)
    assert not any("List-Unsubscribe" in t or "no-reply" in t for t in texts)


def test_a_friend_writing_on_linkedin_needs_a_human(db, django_capture_on_commit_callbacks):
    request = _arrive(
        _linkedin("Owen just messaged you", FRIEND_EN, name="Owen Price"), django_capture_on_commit_callbacks
    )
    suggestion = Suggestion.objects.get(request=request)
    assert suggestion.category in ("serious", "network")
    assert request.requester.name == "Owen Price"


def test_a_linkedin_message_is_never_a_newsletter_even_when_the_model_says_so():
    row = K.Encoded(np.zeros(0, dtype=np.int64), np.zeros(0), via="linkedin")
    bulk = K.Encoded(np.zeros(0, dtype=np.int64), np.zeros(0))
    p = np.array([[0.05, 0.05, 0.05, 0.80, 0.05], [0.05, 0.05, 0.05, 0.80, 0.05]])
    assert [K.CATEGORIES[k] for k in engine.decide(p, [row, bulk])] == ["solicitation", "newsletter"]


# --- Spam is for deception -------------------------------------------------------------------------


def test_the_decision_weighs_the_cost_of_calling_a_person_spam():
    p = np.array(
        [
            [0.30, 0.00, 0.00, 0.00, 0.70],  # likeliest spam, but maybe a person's request
            [0.02, 0.00, 0.00, 0.00, 0.98],  # plainly spam
            [0.10, 0.05, 0.05, 0.05, 0.75],  # spam or some noise: not worth marking the sender as spam
        ]
    )
    assert p.argmax(axis=1).tolist() == [4, 4, 4]
    assert [K.CATEGORIES[k] for k in engine.decide(p)] == ["serious", "spam", "solicitation"]


def test_a_first_time_sender_asking_for_help_is_not_spam(db, django_capture_on_commit_callbacks):
    request = _arrive(
        mail(
            sender="Gérard Lachaux <g.lachaux@menuiserie-lachaux.fr>",
            subject="besoin d'aide",
            body=REQUEST_FIRST_TIME,
        ),
        django_capture_on_commit_callbacks,
    )
    suggestion = Suggestion.objects.get(request=request)
    assert suggestion.first_time_sender
    assert suggestion.category in ("serious", "network")


def test_a_spam_rule_never_dismisses_a_person_writing(second, db, django_capture_on_commit_callbacks):
    """A phishing campaign from a domain made the second dismiss it as spam with a rule; then a real
    person of that domain writes for the first time. The rule leaves her message to a person, and she is
    not marked as spam. Bulk mail from the domain is still dismissed by the rule."""
    phishing = _arrive(
        mail(
            sender="Support <support@ateliers-rhone.fr>",
            subject="Votre boîte est pleine",
            body=NEWSLETTER_FR,
            headers=NEWSLETTER_HEADERS,
        ),
        django_capture_on_commit_callbacks,
    )
    services.rule_create(actor=second, request=phishing, scope="domain", action="dismiss", reason="spam")
    person = _arrive(
        mail(
            sender="Gérard Lachaux <g.lachaux@ateliers-rhone.fr>",
            subject="besoin d'aide",
            body=REQUEST_FIRST_TIME,
        ),
        django_capture_on_commit_callbacks,
    )
    assert person.state == "received"
    assert not Event.objects.filter(request=person, to_state="dismissed").exists()
    assert not Contact.objects.get(pk=person.requester_id).spam
    texts = Suggestion.objects.get(request=person).reason_texts
    assert any("never dismissed as spam automatically" in t for t in texts)
    again = _arrive(
        mail(
            sender="Support <support@ateliers-rhone.fr>",
            subject="Dernier rappel",
            body=NEWSLETTER_FR,
            headers=NEWSLETTER_HEADERS,
        ),
        django_capture_on_commit_callbacks,
    )
    assert (again.state, again.dismiss_reason) == ("dismissed", "spam")


def test_a_solicitation_rule_still_applies_to_a_pitch_written_by_hand(
    second, db, django_capture_on_commit_callbacks
):
    first = _arrive(
        mail(
            sender="Tom <tom@leadsfactory.example>", subject="Quick call?", body="Hi, 15 minutes for a demo?"
        ),
        django_capture_on_commit_callbacks,
    )
    services.rule_create(actor=second, request=first, scope="domain", action="dismiss", reason="solicitation")
    later = _arrive(
        mail(
            sender="Ana <ana@leadsfactory.example>",
            subject="Following up",
            body="Hi, still keen on a quick call?",
        ),
        django_capture_on_commit_callbacks,
    )
    assert (later.state, later.dismiss_reason) == ("dismissed", "solicitation")


# --- The shipped model, as shipped, on the frozen hard test part ----------------------------------


def test_the_shipped_model_meets_the_goal_on_the_frozen_hard_part():
    reports = {r.part: r for r in evaluation.run_shipped_categories(dataset.LABELLED_DIR)}
    hard = reports["test_hard"]
    assert len(hard.truth) == 59
    assert hard.human_f1() >= 0.92
    assert hard.human_called_spam() == 0
    # And on the first test part, no request called spam either, nor a worse "needs a human" F1 than
    # before the hard cases were added (0.960).
    assert reports["test"].human_called_spam() == 0
    assert reports["test"].human_f1() >= 0.96
    # The LinkedIn notifications of the hard part: none is filed as a newsletter.
    linkedin = [i for i, e in enumerate(dataset.labelled("test_hard")) if dataset.doc(e).via == "linkedin"]
    assert len(linkedin) >= 18
    assert all(hard.predicted[i] != "newsletter" for i in linkedin)
