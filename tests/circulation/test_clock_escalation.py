"""Clocks that escalate: a reminder to whoever holds a late request, then the second, then the leader;
one grouped mail per person and run, in their language; never the same step twice."""

from __future__ import annotations

import smtplib
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.utils import timezone

from cercle.circle.models import Offer
from cercle.circulation import services
from cercle.circulation.escalation import clocks_escalate
from cercle.circulation.models import ClockStep, Event, EventKind, Request
from cercle.circulation.tasks import clocks_run
from cercle.core.leases import lease_hold
from cercle.outbox.models import OutgoingMessage, OutgoingStatus
from cercle.outbox.services import outbox_flush
from cercle.projects.models import ChecklistItem, Project
from tests.factories import RequestFactory, UserFactory

HOUR = timedelta(hours=1)


def _mails_to(user) -> list[OutgoingMessage]:
    return [m for m in OutgoingMessage.objects.order_by("id") if any(user.email in a for a in m.to)]


def _late(state: str, hours: float, now, **fields) -> Request:
    since = now - hours * HOUR
    return RequestFactory(state=state, state_changed_at=since, received_at=since, **fields)


def test_a_request_past_its_limit_gets_one_reminder_to_whoever_holds_it(leader, second):
    now = timezone.now()
    late = _late("received", 25, now)  # triage: 24 h by default
    _late("received", 23, now)  # not yet

    report = clocks_escalate(now=now)

    assert (report.steps, report.mails) == (1, 1)
    [sent] = _mails_to(second)
    assert late.subject in sent.body
    assert _mails_to(leader) == []
    # Again, and again an hour later: nothing new.
    assert clocks_escalate(now=now).steps == 0
    assert clocks_escalate(now=now + HOUR).steps == 0
    assert len(_mails_to(second)) == 1


def test_an_unanswered_reminder_escalates_to_the_second_then_to_the_leader(leader, second, member):
    now = timezone.now()
    # A project lead named 170 h ago who never called the requester (first contact: 168 h).
    late = _late("accepted", 170, now, lead=member, lead_at=now - 170 * HOUR)

    clocks_escalate(now=now)
    assert [late.subject in m.body for m in _mails_to(member)] == [True]
    assert _mails_to(second) == [] and _mails_to(leader) == []

    clocks_escalate(now=now + 23 * HOUR)  # the delay (24 h) has not passed
    assert _mails_to(second) == []

    clocks_escalate(now=now + 24 * HOUR)
    [to_second] = _mails_to(second)
    assert late.subject in to_second.body and "Claire Dubois" in to_second.body  # who holds it
    assert _mails_to(leader) == []

    clocks_escalate(now=now + 48 * HOUR)
    [to_leader] = _mails_to(leader)
    assert late.subject in to_leader.body

    clocks_escalate(now=now + 150 * HOUR)  # the last level was reached: nothing more
    assert [len(_mails_to(u)) for u in (member, second, leader)] == [1, 1, 1]
    levels = list(
        ClockStep.objects.filter(request=late, stage="first_contact").values_list("level", flat=True)
    )
    assert sorted(levels) == [0, 1, 2]


def test_each_person_gets_one_mail_listing_all_their_late_requests(leader, second):
    now = timezone.now()
    late = [_late("received", 30, now), _late("received", 40, now), _late("approved", 30, now)]

    report = clocks_escalate(now=now)

    assert report.steps == 3
    [grouped] = _mails_to(second)
    assert all(r.subject in grouped.body for r in late)
    assert grouped.subject == "Relance\u00a0: 3 demandes en retard"
    assert OutgoingMessage.objects.count() == 1


def test_each_person_reads_the_mail_in_their_own_language(leader, second):
    second.language = "en"
    second.save(update_fields=["language"])
    now = timezone.now()
    _late("received", 30, now)
    _late("kept", 50, now)  # the leader's: 48 h

    clocks_escalate(now=now)

    [english] = _mails_to(second)
    [french] = _mails_to(leader)
    assert english.subject == "Reminder: 1 late request"
    assert "Triage, since" in english.body
    assert french.subject == "Relance\u00a0: 1 demande en retard"
    assert "Décision du leader, depuis le" in french.body


def test_the_leader_is_not_escalated_to_about_a_request_that_waits_for_them(leader, second):
    now = timezone.now()
    kept = _late("kept", 50, now)

    for hours in (0, 24, 48, 72):
        clocks_escalate(now=now + hours * HOUR)

    assert len(_mails_to(leader)) == 1  # the reminder, not an "escalation" of their own queue
    assert len(_mails_to(second)) == 1  # the second is told, to nudge the leader
    assert ClockStep.objects.filter(request=kept).count() == 3


def test_a_worker_back_after_a_long_stop_moves_one_level_at_a_time(leader, second, member):
    now = timezone.now()
    _late("accepted", 400, now, lead=member, lead_at=now - 400 * HOUR)  # every level long due

    clocks_escalate(now=now)
    assert (len(_mails_to(member)), len(_mails_to(second)), len(_mails_to(leader))) == (1, 0, 0)
    clocks_escalate(now=now + HOUR)
    assert len(_mails_to(second)) == 0
    clocks_escalate(now=now + 24 * HOUR)
    assert len(_mails_to(second)) == 1


def test_a_request_that_comes_back_to_a_stage_starts_a_new_clock(leader, second):
    now = timezone.now()
    late = _late("approved", 30, now)
    clocks_escalate(now=now)
    # Everybody declined the offer: back to routing, a new stage start.
    Request.objects.filter(pk=late.pk).update(state_changed_at=now + HOUR)

    clocks_escalate(now=now + 2 * HOUR)
    assert len(_mails_to(second)) == 1
    clocks_escalate(now=now + 26 * HOUR)
    assert len(_mails_to(second)) == 2


def test_the_member_holding_an_offer_is_the_one_reminded(leader, second, member, other_member):
    now = timezone.now()
    offered = _late("offered", 60, now)
    Offer.objects.create(request=offered, member=member, state="pending", sent_at=now - 50 * HOUR)
    Offer.objects.create(request=offered, member=other_member, state="declined", sent_at=now - 60 * HOUR)

    clocks_escalate(now=now)

    assert len(_mails_to(member)) == 1
    assert _mails_to(other_member) == [] and _mails_to(second) == []


def test_an_offer_sent_to_the_next_member_restarts_the_clock(leader, second, member):
    now = timezone.now()
    offered = _late("offered", 60, now)
    Offer.objects.create(request=offered, member=member, state="pending", sent_at=now - 10 * HOUR)

    assert clocks_escalate(now=now).steps == 0


def test_the_project_clocks_stop_at_the_first_call_and_the_first_meeting(leader, second, member):
    now = timezone.now()
    called = _late("accepted", 400, now, lead=member, lead_at=now - 400 * HOUR)
    project = Project.objects.create(request=called, lead=member, first_meeting_at=now + 24 * HOUR)
    ChecklistItem.objects.create(project=project, key="call", label="Appeler", done_at=now - HOUR)
    ChecklistItem.objects.create(project=project, key="proposal", label="Proposition")
    silent = _late("kicked_off", 400, now, lead=member, lead_at=now - 400 * HOUR)
    Project.objects.create(request=silent, lead=member)

    clocks_escalate(now=now)

    # The kicked-off project has no first meeting yet: its lead hears of that, and only of that.
    assert set(ClockStep.objects.values_list("request_id", "stage")) == {(silent.pk, "first_meeting")}
    [reminder] = _mails_to(member)
    assert silent.subject in reminder.body and called.subject not in reminder.body
    assert "Première réunion, depuis le" in reminder.body


def test_the_history_says_who_was_reminded_and_links_the_mail(leader, second):
    now = timezone.now()
    late = _late("received", 30, now)

    clocks_escalate(now=now)

    [event] = Event.objects.filter(request=late, kind=EventKind.NOTE)
    assert "Samuel Petit" in event.note_text and "Triage" in event.note_text
    assert event.outgoing == _mails_to(second)[0]


def test_reminders_can_be_turned_off(leader, second):
    services.clock_settings_update(actor=second, values={"reminders_enabled": False})
    now = timezone.now()
    _late("received", 30, now)

    assert clocks_escalate(now=now).steps == 0
    assert OutgoingMessage.objects.count() == 0


class SmtpDown(BaseEmailBackend):
    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        raise smtplib.SMTPServerDisconnected("the server is down")


def test_an_smtp_outage_loses_no_reminder_and_sends_none_twice(
    leader, second, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.SmtpDown"
    now = timezone.now()
    late = _late("received", 30, now)

    with django_capture_on_commit_callbacks(execute=True):
        clocks_escalate(now=now)
    [queued] = OutgoingMessage.objects.all()
    assert queued.status == OutgoingStatus.QUEUED and queued.attempts == 1  # tried, will retry
    with django_capture_on_commit_callbacks(execute=True):
        clocks_escalate(now=now + HOUR)  # the next round does not write it again
    assert OutgoingMessage.objects.count() == 1

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    OutgoingMessage.objects.update(next_attempt_at=now)
    outbox_flush()
    outbox_flush()
    assert len(mail.outbox) == 1 and late.subject in mail.outbox[0].body


def test_a_round_is_skipped_while_another_worker_runs_one(leader, second):
    _late("received", 30, timezone.now())
    with lease_hold("circulation-clocks"):
        assert clocks_run() == {"skipped": 1}
    assert OutgoingMessage.objects.count() == 0
    assert clocks_run()["mails"] == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_write_each_reminder_once():
    UserFactory(username="s", role="second", email="s@hub.example")
    UserFactory(username="l", role="leader", email="l@hub.example")
    _late("received", 30, timezone.now())
    barrier = threading.Barrier(2)
    results: list[dict[str, int]] = []

    def work() -> None:
        try:
            barrier.wait(timeout=5)
            results.append(clocks_run())
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert len(results) == 2
    assert ClockStep.objects.count() == 1
    assert OutgoingMessage.objects.count() == 1
