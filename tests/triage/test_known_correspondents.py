"""Who is a known correspondent: someone the leader (or the hub) has actually been in touch with — the
leader wrote to them, a request of theirs was kept, they answer the leader, or they are a LinkedIn
connection. Someone who only ever wrote, and was never answered, is not one, however often they wrote:
their messages are suggested, screened and bulk-dismissed like any stranger's."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from cercle.circulation.models import Direction, Event, Request
from cercle.intake.services import message_ingest
from cercle.mail.parse import parse_message
from cercle.network.models import Contact
from cercle.network.services import interaction_record
from cercle.triage import classifier as K
from cercle.triage import selectors, services
from cercle.triage.models import Suggestion
from tests.triage.conftest import SERIOUS_FR, ingest, login_en, mail, make_known

PROMO = "Spammy Deals <promo@spammy-deals.example>"
PROMO_FR = """Bonjour Léa,

Nos offres du mois sont en ligne : -30 % sur les abonnements annuels et un mois offert pour toute
nouvelle inscription avant vendredi.

À très vite,
L'équipe Spammy Deals
"""


def _arrive(raw: bytes, capture) -> Request:  # type: ignore[no-untyped-def]
    with capture(execute=True):
        request = ingest(raw)
    request.refresh_from_db()
    return request


def _promos(capture, n: int = 3) -> list[Request]:  # type: ignore[no-untyped-def]
    return [
        _arrive(mail(sender=PROMO, subject="Les offres du mois", body=PROMO_FR), capture) for _ in range(n)
    ]


def _sent_by_the_leader(to: str, subject: str = "Notre échange") -> None:
    """A mail the leader sent, imported from the sent folder (the real intake, outbound)."""
    raw = mail(sender="Léa Marchand <lea@hub.example>", to=to, subject=subject, body="Bonjour,\n\nMerci !\n")
    result = message_ingest(parsed=parse_message(raw), raw=raw, direction=Direction.OUTBOUND)
    assert result.status == "stored", result


def test_a_sender_who_wrote_three_times_and_was_never_answered_is_no_known_correspondent(
    db, django_capture_on_commit_callbacks
):
    first, second_one, third = _promos(django_capture_on_commit_callbacks)
    suggestion = Suggestion.objects.get(request=third)
    assert not suggestion.known_sender
    assert suggestion.category != "network"
    texts = suggestion.reason_texts
    # Truthful: they wrote twice before, nobody answered; nothing was "exchanged".
    assert "2 earlier messages from this sender, none answered" in texts
    assert not any("exchanged" in t for t in texts)
    assert "first message from this sender" not in texts
    assert (
        "1 earlier message from this sender, never answered"
        in Suggestion.objects.get(request=second_one).reason_texts
    )
    assert "first message from this sender" in Suggestion.objects.get(request=first).reason_texts
    history = selectors.sender_history(third)
    assert (history.exchanges, history.leader_wrote, history.unanswered, history.two_way) == (2, 0, 2, 0)
    assert not history.known


def test_dismissing_every_message_of_a_sender_nobody_answered_dismisses_all_of_them(
    second, db, django_capture_on_commit_callbacks
):
    requests = _promos(django_capture_on_commit_callbacks)
    client = login_en(second)
    preview = client.get(
        reverse("triage:preview", args=[requests[0].pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Dismiss all 3 messages from this sender" in preview
    response = client.post(
        reverse("triage:bulk_dismiss", args=[requests[0].pk]),
        {"sender_key": "promo@spammy-deals.example", "reason": "solicitation"},
        follow=True,
    )
    page = response.content.decode()
    assert "3 messages dismissed" in page
    assert "left for you" not in page
    assert Request.objects.filter(pk__in=[r.pk for r in requests], state="dismissed").count() == 3


def test_always_dismiss_a_domain_also_dismisses_the_waiting_messages_of_a_sender_nobody_answered(
    second, db, django_capture_on_commit_callbacks
):
    first, *others = _promos(django_capture_on_commit_callbacks)
    result = services.rule_create(
        actor=second, request=first, scope="domain", action="dismiss", reason="solicitation"
    )
    assert (result.applied, result.spared) == (2, 0)
    assert set(Request.objects.filter(pk__in=[r.pk for r in others]).values_list("state", flat=True)) == {
        "dismissed"
    }
    # And the next one is decided as it arrives.
    (later,) = _promos(django_capture_on_commit_callbacks, n=1)
    assert (later.state, later.dismiss_reason) == ("dismissed", "solicitation")


def test_someone_the_leader_wrote_to_is_a_known_correspondent_and_never_dismissed_automatically(
    second, db, django_capture_on_commit_callbacks
):
    newsletter = _arrive(
        mail(sender="Offres <offres@northwind.example>", subject="Les offres", body=PROMO_FR),
        django_capture_on_commit_callbacks,
    )
    services.rule_create(
        actor=second, request=newsletter, scope="domain", action="dismiss", reason="solicitation"
    )
    _sent_by_the_leader("Hélène Roy <helene@northwind.example>")
    theirs = _arrive(
        mail(
            sender="Hélène Roy <helene@northwind.example>", subject="Suite à votre message", body=SERIOUS_FR
        ),
        django_capture_on_commit_callbacks,
    )
    assert theirs.state == "received"
    suggestion = Suggestion.objects.get(request=theirs)
    assert suggestion.known_sender
    texts = suggestion.reason_texts
    assert "you have exchanged 1 message with this person" in texts
    assert any("known correspondent is never dismissed automatically" in t for t in texts)
    assert not Event.objects.filter(request=theirs, to_state="dismissed").exists()
    # A person's bulk dismissal leaves them too.
    result = services.bulk_dismiss(actor=second, sender_key=suggestion.sender_key, reason="solicitation")
    assert (result.dismissed, result.spared) == (0, 1)


def test_exchanges_count_the_messages_both_ways_once_the_leader_has_written(
    db, django_capture_on_commit_callbacks
):
    make_known("pierre.vasseur@example.fr", exchanges=6)  # 3 from him, 3 from the leader
    request = _arrive(
        mail(sender="Pierre <pierre.vasseur@example.fr>", subject="Jeudi ?", body="Salut Léa, jeudi ?\n"),
        django_capture_on_commit_callbacks,
    )
    history = selectors.sender_history(request)
    assert (history.exchanges, history.leader_wrote, history.two_way, history.unanswered) == (6, 3, 6, 0)
    assert (
        "you have exchanged 6 messages with this person"
        in Suggestion.objects.get(request=request).reason_texts
    )


def test_a_linkedin_connection_is_a_known_correspondent(db, django_capture_on_commit_callbacks):
    contact = Contact.objects.create(email="marion@atelier.example", name="Marion Petit")
    interaction_record(
        contact=contact,
        kind="connection",
        inbound=True,
        at=timezone.now() - timedelta(days=300),
        source_key="linkedin:connection",
    )
    request = _arrive(
        mail(sender="Marion Petit <marion@atelier.example>", subject="Une question", body=SERIOUS_FR),
        django_capture_on_commit_callbacks,
    )
    suggestion = Suggestion.objects.get(request=request)
    assert suggestion.known_sender
    assert "a contact of the network" in suggestion.reason_texts
    assert "first message from this sender" not in suggestion.reason_texts


def test_an_invitation_a_stranger_sent_on_linkedin_makes_no_correspondent(
    db, django_capture_on_commit_callbacks
):
    contact = Contact.objects.create(email="growth@leads.example", name="Growth Hacker")
    interaction_record(
        contact=contact,
        kind="invitation",
        inbound=True,
        at=timezone.now() - timedelta(days=3),
        source_key="linkedin:invitation:1",
    )
    request = _arrive(
        mail(sender="Growth <growth@leads.example>", subject="Quick question", body=PROMO_FR),
        django_capture_on_commit_callbacks,
    )
    assert not Suggestion.objects.get(request=request).known_sender


def test_the_history_of_a_stranger_who_keeps_writing_reads_as_a_stranger_to_the_model():
    unanswered = K.History(exchanges=2)
    assert not unanswered.known
    columns = unanswered.columns()
    assert "history:known" not in {f"history:{k}" for k in columns}
    assert "exchanges" not in columns  # one-way messages push nothing toward "network"
    assert columns.get("first_message") == 1.0
    # Suggestions stored before the fix (exchanges counted, nobody wrote back) read the same way, so the
    # hub's model does not learn "network" from the second keeping such a message.
    assert not K.History.from_dict({"exchanges": 2, "leader_wrote": 0, "available": True}).known
    correspondent = K.History(exchanges=6, leader_wrote=3)
    assert correspondent.known and correspondent.columns()["exchanges"] > 0
