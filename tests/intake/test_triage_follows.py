"""Reading intake shows what follows: a new request asks the triage for a suggestion, explicitly, once the
transaction that created it commits. No signal does it behind anybody's back."""

from __future__ import annotations

from cercle.circulation import services as circulation
from cercle.circulation.models import Channel, Direction
from cercle.intake.services import FormSubmission, message_ingest, request_submit_form
from cercle.mail.parse import parse_message
from cercle.network.models import Contact
from cercle.triage.models import Suggestion
from cercle.triage.tasks import suggest_soon
from tests.intake.mails import eml


def test_a_new_mail_is_suggested_once_its_transaction_commits(db, django_capture_on_commit_callbacks):
    raw = eml(subject="Besoin d'un accompagnement pour notre levée de fonds")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = message_ingest(parsed=parse_message(raw), raw=raw, direction=Direction.INBOUND)
    # Not before the commit: the suggestion reads the message rows written in the same transaction.
    assert not Suggestion.objects.filter(request_id=result.request_id).exists()
    assert suggest_soon in callbacks
    for callback in callbacks:
        callback()
    assert Suggestion.objects.filter(request_id=result.request_id).exists()


def test_a_form_request_is_suggested_too(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        request = request_submit_form(
            submission=FormSubmission(
                name="Jeanne Martin",
                email="jeanne@asso.example",
                organisation="",
                need="Nous cherchons un mentor pour notre projet de tiers-lieu.",
                language="fr",
                deadline=None,
            )
        )
    assert suggest_soon in callbacks
    assert Suggestion.objects.filter(request=request).exists()


def test_creating_a_request_elsewhere_triggers_nothing_hidden(db, django_capture_on_commit_callbacks):
    contact = Contact.objects.create(email="paul@client.example", name="Paul")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        circulation.request_create(requester=contact, subject="Appel", summary="", channel=Channel.MAIL)
    assert callbacks == []
