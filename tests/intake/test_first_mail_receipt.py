"""The requester hears at once, by mail too: when the hub turns it on, a person who writes for the first
time gets the receipt in their language, saying when they will hear back. Never a machine, a list, a
no-reply address, a LinkedIn notice, a sender the hub always dismisses; never twice; never old mail."""

from __future__ import annotations

import re
from datetime import timedelta
from email.utils import format_datetime
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from cercle.circulation.models import Direction, EventKind, Request
from cercle.intake.context import IngestContext
from cercle.intake.files import import_path
from cercle.intake.models import IntakeSettings
from cercle.intake.services import intake_settings_update, message_ingest
from cercle.mail.parse import parse_message
from cercle.outbox.models import OutgoingMessage
from cercle.triage.models import RuleAction, RuleScope, SenderRule
from tests.conftest import login
from tests.intake.mails import eml
from tests.intake.test_linkedin_notifications import notification_en

CONTROL = "Paul Control <paul@control.example>"  # a person who writes for the first time, every test


def mail(*, sender: str = "Marc Lenoir <marc@client.example>", when=None, **kwargs) -> bytes:
    kwargs.setdefault("message_id", f"<{sender.split('<')[-1].strip('>').replace('@', '.')}@mail>")
    return eml(sender=sender, date=format_datetime(when or timezone.now()), **kwargs)


def ingest(raw: bytes, **kwargs):
    return message_ingest(parsed=parse_message(raw), raw=raw, **kwargs)


def receipt_of(result) -> OutgoingMessage | None:
    return OutgoingMessage.objects.filter(idempotency_key=f"receipt:{result.request_id}").first()


@pytest.fixture
def receipts_on(second):
    return intake_settings_update(actor=second, first_mail_receipt=True)


def assert_control_gets_one() -> None:
    """The hub does send receipts in this test: what got none was refused, not forgotten."""
    control = ingest(mail(sender=CONTROL, subject="Une première demande"))
    assert control.status == "created" and receipt_of(control) is not None


def test_a_first_mail_gets_the_receipt_in_the_senders_language_threaded_on_it(receipts_on, settings):
    settings.CERCLE = {**settings.CERCLE, "ANSWER_TARGET_HOURS": 48, "HUB_NAME": "Cercle Léa"}
    french = ingest(
        mail(subject="Accompagnement", body="Bonjour, nous cherchons de l'aide pour notre projet.")
    )
    receipt = receipt_of(french)
    assert receipt is not None
    assert receipt.subject == "Nous avons bien reçu votre demande : Accompagnement"
    assert "vous aurez une réponse d'ici 48 heures" in receipt.body
    assert receipt.to == ["Marc Lenoir <marc@client.example>"]
    request = Request.objects.get(pk=french.request_id)
    assert receipt.headers["In-Reply-To"] == request.messages.get().message_id
    event = request.events.get(kind=EventKind.MAIL)
    assert event.outgoing_id == receipt.pk and "marc@client.example" in event.note
    english = ingest(
        mail(
            sender="John Smith <john@corp.example>",
            subject="Coaching",
            body="Hello, we are looking for help with our leadership programme next spring.",
        )
    )
    assert "you will hear from us within 48 hours" in receipt_of(english).body


def test_it_is_off_until_the_hub_turns_it_on(db, second):
    assert IntakeSettings.current().first_mail_receipt is False
    assert receipt_of(ingest(mail())) is None
    intake_settings_update(actor=second, first_mail_receipt=True)
    assert_control_gets_one()
    intake_settings_update(actor=second, first_mail_receipt=False)
    assert receipt_of(ingest(mail(sender="Nora <nora@client.example>"))) is None


def linkedin_notice() -> bytes:
    return notification_en().replace(
        b"Mon, 23 Nov 2026 09:00:00 +0100", format_datetime(timezone.now()).encode()
    )


@pytest.mark.parametrize(
    ("what", "raw"),
    [
        ("out of office", lambda: mail(subject="Absence", headers="Auto-Submitted: auto-replied\r\n")),
        ("mailing list", lambda: mail(headers="List-Id: <coop.lists.example>\r\n")),
        ("newsletter", lambda: mail(headers="List-Unsubscribe: <mailto:u@news.example>\r\n")),
        ("bulk precedence", lambda: mail(headers="Precedence: bulk\r\n")),
        ("campaign tool", lambda: mail(headers="Feedback-ID: 1:campaign:esp\r\n")),
        ("no-reply address", lambda: mail(sender="Service <no-reply@saas.example>")),
        ("French no-reply", lambda: mail(sender="Service <ne-pas-repondre@impots.example>")),
        ("notifications", lambda: mail(sender="GitHub <notifications@github.example>")),
        ("LinkedIn notice", linkedin_notice),
        ("LinkedIn's own mail", lambda: mail(sender="LinkedIn <jobs@linkedin.com>")),
    ],
)
def test_a_machine_never_gets_the_receipt(receipts_on, what, raw):
    ingest(raw())  # dated now: only what it is keeps it from a receipt
    assert not OutgoingMessage.objects.exists(), what
    assert_control_gets_one()


def test_a_sender_the_hub_always_dismisses_never_gets_it(receipts_on, second):
    SenderRule.objects.create(
        scope=RuleScope.DOMAIN, value="growthlab.example", action=RuleAction.DISMISS, created_by=second
    )
    assert receipt_of(ingest(mail(sender="Ryan <ryan@growthlab.example>"))) is None
    assert_control_gets_one()


def test_never_twice_and_never_to_someone_the_hub_already_talks_to(receipts_on):
    first = ingest(mail(subject="Projet A", message_id="<a@client.example>"))
    assert receipt_of(first) is not None
    # The same person again, about something else: they already know.
    again = ingest(mail(subject="Projet B", message_id="<b@client.example>"))
    assert again.status == "created" and receipt_of(again) is None
    # Someone the leader wrote to before: a correspondent, not a stranger.
    ingest(
        eml(
            sender="Léa Marchand <lea@hub.example>",
            to="Inès Roy <ines@partner.example>",
            message_id="<out@hub.example>",
            subject="Déjeuner",
            date=format_datetime(timezone.now() - timedelta(days=3)),
        ),
        direction=Direction.OUTBOUND,
    )
    known = ingest(mail(sender="Inès Roy <ines@partner.example>", subject="Une idée"))
    assert known.status == "created" and receipt_of(known) is None
    assert OutgoingMessage.objects.filter(idempotency_key__startswith="receipt:").count() == 1


def test_two_first_mails_in_one_batch_get_one_receipt(receipts_on):
    context = IngestContext.load()
    context.pending_interactions = []  # the mailbox sync collects interactions until the batch commits
    first = ingest(mail(subject="Un", message_id="<1@client.example>"), context=context)
    second = ingest(mail(subject="Deux", message_id="<2@client.example>"), context=context)
    assert receipt_of(first) is not None and receipt_of(second) is None


def test_old_mail_never_gets_one(receipts_on, tmp_path):
    # Dated before the hub turned it on, or older than the promise: a first sync of a whole mailbox.
    before = ingest(mail(when=receipts_on.first_mail_receipt_since - timedelta(hours=1)))
    assert before.status == "created" and receipt_of(before) is None
    # An import of files is old mail, however recent its date.
    (tmp_path / "fresh.eml").write_bytes(mail(sender="Zoé <zoe@client.example>"))
    summary = import_path(tmp_path)
    assert summary.counts["created"] == 1
    assert not OutgoingMessage.objects.exists()
    assert_control_gets_one()


def test_turning_it_on_dates_it_and_turning_it_off_forgets_the_date(db, second, leader):
    hub = intake_settings_update(actor=second, first_mail_receipt=True)
    since = hub.first_mail_receipt_since
    assert since is not None and hub.updated_by == second
    # Saving again leaves the date: mail that arrived meanwhile stays in.
    assert intake_settings_update(actor=leader, first_mail_receipt=True).first_mail_receipt_since == since
    assert intake_settings_update(actor=leader, first_mail_receipt=False).first_mail_receipt_since is None


# --- The settings page ------------------------------------------------------------------------


def checkbox(page: str) -> str:
    found = re.search(r'<input[^>]*name="first_mail_receipt"[^>]*>', page)
    assert found, "the setting is on the page"
    return found.group(0)


def test_the_second_and_the_leader_turn_it_on_from_the_settings_page(second, leader):
    url = reverse("intake:settings")
    page = login(second).get(url)
    assert page.status_code == 200
    assert "checked" not in checkbox(page.content.decode())
    assert url in page.content.decode()  # in the menu
    response = login(second).post(url, {"first_mail_receipt": "on"})
    assert response.status_code == 302
    assert IntakeSettings.current().first_mail_receipt is True
    assert "checked" in checkbox(login(leader).get(url).content.decode())
    login(leader).post(url, {})
    assert IntakeSettings.current().first_mail_receipt is False


def test_the_settings_page_speaks_french_and_english(second):
    url = reverse("intake:settings")
    english = login(second, language="en").get(url).content.decode()
    assert "Send the receipt to a first mail" in english
    french = unescape(login(second, language="fr").get(url).content.decode())
    assert "Envoyer la confirmation de réception à un premier message" in french


def test_a_member_cannot_change_the_settings(member, client):
    url = reverse("intake:settings")
    assert login(member).get(url).status_code == 403
    assert login(member).post(url, {"first_mail_receipt": "on"}).status_code == 403
    assert url not in login(member).get(reverse("circle:opportunities")).content.decode()
    assert client.post(url, {"first_mail_receipt": "on"}).status_code == 302  # to the sign-in page
    assert IntakeSettings.current().first_mail_receipt is False
