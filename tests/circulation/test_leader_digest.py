"""The leader's digest: daily at its local time on its days, skipped when empty, each request with its
brief and one-click links that are signed, single-use, expiring, bound to the request and the leader."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from cercle.circulation import services
from cercle.circulation.digest import digest_link_make, digest_send_due
from cercle.circulation.models import Event, EventKind, Request
from cercle.outbox.models import OutgoingMessage
from cercle.triage.models import Brief
from tests.conftest import login
from tests.factories import RequestFactory, UserFactory

# Europe/Paris moves to summer time on Sunday 28 March 2027 (02:00 → 03:00): 08:00 is 07:00 UTC on
# Friday the 26th and 06:00 UTC on Monday the 29th.
FRIDAY_BEFORE = datetime(2027, 3, 26, tzinfo=UTC)
MONDAY_AFTER = datetime(2027, 3, 29, tzinfo=UTC)


def _digests() -> list[OutgoingMessage]:
    return list(OutgoingMessage.objects.filter(idempotency_key__startswith="digest:").order_by("id"))


def _waiting(**fields) -> Request:
    return RequestFactory(state="kept", kept_at=timezone.now(), **fields)


def _links(body: str) -> dict[str, str]:
    """The digest's links by action, for the first request listed."""
    found = {}
    for label, action in (("Valider", "approve"), ("Plus tard", "later"), ("Refuser", "decline")):
        match = re.search(rf"{label}\u00a0: http://[^/]+(/digest/[^/\s]+/)", body)
        if match:
            found[action] = match.group(1)
    return found


@pytest.fixture(autouse=True)
def _paris(settings):
    settings.TIME_ZONE = "Europe/Paris"


def test_the_digest_leaves_at_eight_on_the_wall_clock_on_both_sides_of_a_daylight_saving_change(leader):
    _waiting()
    digest_send_due(now=FRIDAY_BEFORE.replace(hour=6, minute=59))  # 07:59 in Paris (winter time)
    assert _digests() == []
    digest_send_due(now=FRIDAY_BEFORE.replace(hour=7, minute=0))  # 08:00
    assert len(_digests()) == 1

    digest_send_due(now=MONDAY_AFTER.replace(hour=5, minute=59))  # 07:59 in Paris (summer time)
    assert len(_digests()) == 1
    digest_send_due(now=MONDAY_AFTER.replace(hour=6, minute=0))  # 08:00, the day after the switch
    assert len(_digests()) == 2


def test_the_digest_leaves_once_a_day_even_when_the_worker_looks_every_five_minutes(leader):
    _waiting()
    start = MONDAY_AFTER.replace(hour=6)
    for minutes in range(0, 12 * 60, 5):
        digest_send_due(now=start + timedelta(minutes=minutes))
    assert len(_digests()) == 1
    # A worker that was stopped at eight sends it when it comes back, the same day.
    digest_send_due(now=start + timedelta(days=1, hours=3))
    assert len(_digests()) == 2


def test_no_digest_on_a_day_nothing_waits_nor_later_that_day(leader):
    digest_send_due(now=MONDAY_AFTER.replace(hour=6))
    _waiting()
    digest_send_due(now=MONDAY_AFTER.replace(hour=12))
    assert _digests() == []
    digest_send_due(now=MONDAY_AFTER.replace(hour=6) + timedelta(days=1))
    assert len(_digests()) == 1


def test_the_days_and_the_time_are_the_settings_page_s(leader, second):
    _waiting()
    saturday = datetime(2027, 4, 3, 6, 0, tzinfo=UTC)  # 08:00 in Paris
    digest_send_due(now=saturday)
    assert _digests() == []  # weekdays by default

    client = login(second)
    page = client.get(reverse("circulation:clock_settings")).context["form"]
    data = {name: value for name, value in page.initial.items() if name in page.fields}
    data.update(digest_days=["5"], digest_time="07:15", proof_weekday="0")
    data = {k: v for k, v in data.items() if v is not False}
    assert client.post(reverse("circulation:clock_settings"), data).status_code == 302

    digest_send_due(now=saturday.replace(hour=5, minute=14))  # 07:14
    assert _digests() == []
    digest_send_due(now=saturday.replace(hour=5, minute=15))
    assert len(_digests()) == 1


def test_the_digest_lists_each_waiting_request_with_its_brief_and_three_links(leader):
    fresh = _waiting(subject="Bilan carbone du siège")
    Brief.objects.create(
        request=fresh, person="Claire Arnaud", organisation="Maison Arnaud", need="Un bilan carbone complet"
    )
    deferred = RequestFactory(state="deferred", subject="Refonte du site")
    RequestFactory(state="received", subject="Pas encore retenue")

    digest_send_due(now=MONDAY_AFTER.replace(hour=6))

    [digest] = _digests()
    assert digest.subject == "2 demandes à valider"
    assert "Bilan carbone du siège" in digest.body and "Refonte du site (mise de côté)" in digest.body
    assert "Claire Arnaud · Maison Arnaud" in digest.body
    assert "Besoin\u00a0: Un bilan carbone complet" in digest.body
    assert "Pas encore retenue" not in digest.body
    assert set(_links(digest.body)) == {"approve", "later", "decline"}
    assert digest.body.count("Plus tard\u00a0:") == 1  # a request already set aside cannot be again
    assert deferred.subject in digest.body


def test_an_english_leader_gets_the_digest_in_english(leader):
    leader.language = "en"
    leader.save(update_fields=["language"])
    _waiting()
    digest_send_due(now=MONDAY_AFTER.replace(hour=6))
    [digest] = _digests()
    assert digest.subject == "1 request to validate"
    assert "Approve: http" in digest.body


# --- The links ----------------------------------------------------------------------------------


def _link(request: Request, leader, action: str = "approve", **kwargs) -> str:
    token = digest_link_make(request_id=request.pk, leader_id=leader.pk, action=action, **kwargs)
    return reverse("circulation:digest_link", args=[token])


def test_opening_a_link_changes_nothing_until_the_button_is_pressed(leader):
    waiting = _waiting()
    response = Client().get(_link(waiting, leader))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Valider cette demande\u00a0?" in page and escape(waiting.subject) in page
    assert 'method="post"' in page
    waiting.refresh_from_db()
    assert waiting.state == "kept"
    assert response["Cache-Control"].count("no-store") == 1


def test_the_button_approves_as_the_leader_and_the_history_says_it_came_from_the_digest(leader, second):
    waiting = _waiting()
    client = Client(enforce_csrf_checks=True)
    url = _link(waiting, leader)
    client.get(url)  # the page sets the CSRF cookie its form sends back
    response = client.post(
        url, {"note": "Oui, allons-y", "csrfmiddlewaretoken": client.cookies["csrftoken"].value}
    )

    assert response.status_code == 200
    assert "Validée" in response.content.decode()
    waiting.refresh_from_db()
    assert (waiting.state, waiting.decision_note) == ("approved", "Oui, allons-y")
    transition = Event.objects.get(request=waiting, kind=EventKind.TRANSITION, to_state="approved")
    assert transition.actor == leader
    notes = Event.objects.filter(request=waiting, kind=EventKind.NOTE, actor=leader)
    assert ["digest" in e.note_source["msgid"] for e in notes] == [True]
    assert OutgoingMessage.objects.filter(idempotency_key=f"ack:{waiting.pk}").exists()  # acknowledgement


def test_a_post_without_the_page_s_csrf_token_is_refused(leader):
    waiting = _waiting()
    response = Client(enforce_csrf_checks=True).post(_link(waiting, leader))
    assert response.status_code == 403
    waiting.refresh_from_db()
    assert waiting.state == "kept"


@pytest.mark.parametrize(("action", "state"), [("decline", "declined"), ("later", "deferred")])
def test_decline_and_later_work_the_same_way(leader, action, state):
    waiting = _waiting()
    assert Client().post(_link(waiting, leader, action)).status_code == 200
    waiting.refresh_from_db()
    assert waiting.state == state


def test_a_link_works_once(leader):
    waiting = RequestFactory(state="deferred")
    url = _link(waiting, leader, "approve")
    assert Client().post(url).status_code == 200
    for method in ("get", "post"):
        again = getattr(Client(), method)(url)
        assert again.status_code == 410
        assert "Ce lien a déjà servi" in again.content.decode()
    assert Event.objects.filter(request=waiting, kind=EventKind.TRANSITION).count() == 1


def test_a_link_expires_after_three_days(leader):
    waiting = _waiting()
    old = _link(waiting, leader, now=timezone.now() - timedelta(hours=73))
    recent = _link(waiting, leader, action="decline", now=timezone.now() - timedelta(hours=71))
    response = Client().post(old)
    assert response.status_code == 410 and "Ce lien a expiré" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.state == "kept"
    assert Client().get(recent).status_code == 200


def test_a_forged_or_altered_link_does_nothing(leader):
    waiting = _waiting()
    token = digest_link_make(request_id=waiting.pk, leader_id=leader.pk, action="approve")
    other_request = RequestFactory(state="kept")
    payload = signing.Signer(salt="cercle.circulation.digest.decision").unsign_object(token)
    tampered = token.replace(
        signing.Signer(salt="cercle.circulation.digest.decision").sign_object(payload).rsplit(":", 1)[0],
        signing.Signer(salt="x").sign_object({**payload, "r": other_request.pk}).rsplit(":", 1)[0],
    )
    other_purpose = signing.Signer(salt="another.purpose").sign_object(payload)
    for bad in (tampered, other_purpose, token[:-3], "nothing"):
        response = Client().post(reverse("circulation:digest_link", args=[bad]))
        assert response.status_code == 400
        assert "Ce lien ne fonctionne pas" in response.content.decode()
    assert Request.objects.filter(state="approved").count() == 0


def test_a_link_acts_only_for_the_leader_it_was_sent_to(leader, second):
    waiting = _waiting()
    url = _link(waiting, leader)
    # Someone else signed in on this browser.
    response = login(second).post(url)
    assert (
        response.status_code == 403
        and "Ce lien a été envoyé à une autre personne" in response.content.decode()
    )
    # A link sent to a former leader.
    former = UserFactory(username="ancien", role="second")
    response = Client().post(_link(waiting, former))
    assert response.status_code == 403
    waiting.refresh_from_db()
    assert waiting.state == "kept"


def test_a_link_for_a_request_already_decided_says_so(leader):
    waiting = _waiting()
    url = _link(waiting, leader, "decline")
    services.request_approve(actor=leader, request=waiting)
    response = Client().post(url)
    assert response.status_code == 409
    assert "Cette demande a déjà été tranchée" in response.content.decode()
    assert "Validée" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.state == "approved"


def test_the_pages_are_in_the_leader_s_language_whatever_the_phone_says(leader):
    leader.language = "en"
    leader.save(update_fields=["language"])
    waiting = _waiting()
    url = _link(waiting, leader)
    french_phone = Client(HTTP_ACCEPT_LANGUAGE="fr")
    assert "Approve this request?" in french_phone.get(url).content.decode()
    assert "Approved" in french_phone.post(url).content.decode()
    assert "This link was already used" in french_phone.get(url).content.decode()
