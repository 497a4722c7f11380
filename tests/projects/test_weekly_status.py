"""Instead of a copy of every message, the leader gets one status mail a week per project in progress: when
the week brought news, or when the project stalls; never twice the same week; in the leader's language."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from cercle.core.leases import lease_hold
from cercle.outbox.models import OutgoingMessage
from cercle.projects import services
from cercle.projects.leader_mail import weekly_status_queue
from cercle.projects.tasks import weekly_status


def _weekly() -> list[OutgoingMessage]:
    return list(OutgoingMessage.objects.filter(idempotency_key__startswith="weekly:").order_by("id"))


def _next_week():
    """Wednesday noon of the week after this one, in the hub's time: the week being reported is the one
    the project lives in now, and a few hours later is still that same next week (a week from now, on a
    Sunday evening, was a few hours from the week after)."""
    today = timezone.localdate()
    next_monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
    return timezone.make_aware(datetime.combine(next_monday + timedelta(days=2), time(12)))


@pytest.mark.parametrize(
    ("language", "subject", "updates", "steps", "meeting"),
    [
        (
            "fr",
            "Le point de la semaine\u00a0: ",
            "Les points d'avancement",
            "Les étapes franchies",
            "Prochaine réunion",
        ),
        ("en", "This week's status: ", "Status updates:", "Steps done:", "Next meeting:"),
    ],
)
def test_a_week_with_news_sends_the_leader_its_status(
    project, member, leader, language, subject, updates, steps, meeting
):
    leader.language = language
    leader.save(update_fields=["language"])
    services.project_add_update(actor=member, project=project, text="Proposition envoyée au client.")
    step = project.checklist.get(key="call")
    services.checklist_toggle(actor=member, project=project, item_id=step.pk)
    services.project_set_meeting(actor=member, project=project, when=timezone.now() + timedelta(days=10))

    counts = weekly_status_queue(now=_next_week())

    assert counts["queued"] == 1
    [mail] = _weekly()
    assert mail.to == ["Léa Marchand <lea@hub.example>"]
    assert mail.subject == subject + project.request.subject
    assert mail.request_id == project.request_id
    assert (
        updates in mail.body
        and "Claire Dubois" in mail.body
        and "Proposition envoyée au client." in mail.body
    )
    assert steps in mail.body and step.label in mail.body
    assert meeting in mail.body
    assert f"/projects/{project.request_id}/" in mail.body
    assert mail.reply_to == ["Claire Dubois <claire@hub.example>"]  # "how is it going?" reaches the lead


def test_never_twice_the_same_week(project, member):
    services.project_add_update(actor=member, project=project, text="Premier échange.")
    later = _next_week()
    weekly_status_queue(now=later)
    again = weekly_status_queue(now=later + timedelta(hours=3))
    assert again["already"] == 1 and again["queued"] == 0
    assert len(_weekly()) == 1


def test_a_quiet_week_says_nothing_but_a_stalled_project_is_named(project, leader):
    leader.language = "en"
    leader.save(update_fields=["language"])
    quiet = weekly_status_queue(now=timezone.now() + timedelta(days=14))
    assert quiet == {"queued": 0, "quiet": 1, "already": 0}
    assert _weekly() == []

    later = timezone.now() + timedelta(days=21)
    weekly_status_queue(now=later)
    [mail] = _weekly()
    # Counted to the end of the reported week (the Monday 00:00 before `later`, in the hub's time): 14 to
    # 20 days, depending on the weekday the test runs.
    day = timezone.localdate(later)
    week_end = timezone.make_aware(datetime.combine(day - timedelta(days=day.weekday()), time.min))
    quiet_days = (week_end - project.created_at).days
    assert 14 <= quiet_days <= 20
    assert f"No news for {quiet_days} days" in mail.body
    assert "Status updates:" not in mail.body and "Still to do:" in mail.body


def test_closed_projects_and_a_leader_without_an_address_get_nothing(project, member, leader):
    services.project_close(actor=member, project=project, outcome="won", confirmed=True)
    assert weekly_status_queue(now=_next_week())["queued"] == 0
    assert _weekly() == []


def test_no_leader_address_no_mail(project, member, leader):
    leader.email = ""
    leader.save(update_fields=["email"])
    services.project_add_update(actor=member, project=project, text="Premier échange.")
    assert weekly_status_queue(now=_next_week()) == {"queued": 0, "quiet": 0, "already": 0}


def test_the_worker_s_job_runs_one_at_a_time(project, member):
    services.project_add_update(actor=member, project=project, text="Premier échange.")
    with lease_hold("projects-weekly-status"):
        assert weekly_status.call_local() == {}  # another run holds it: this one does nothing
    assert _weekly() == []
    # Today's week is not over: the job reports the last full week, in which this project did not exist.
    assert weekly_status.call_local()["queued"] == 0


def _in_the_week_after_next(event_filter) -> None:  # type: ignore[no-untyped-def]
    """Move the events just recorded into the week the next report covers (a week after `_next_week`)."""
    from cercle.circulation.models import Event

    Event.objects.filter(**event_filter).update(at=_next_week() + timedelta(hours=2))


def test_the_kind_of_lead_set_in_a_quiet_week_is_not_news(project, second, leader):
    from cercle.circulation.services import request_lead_kind_set

    request_lead_kind_set(actor=second, request=project.request, lead_kind="client")
    _in_the_week_after_next({"request": project.request, "kind": "note"})
    counts = weekly_status_queue(now=_next_week() + timedelta(days=7))
    assert counts == {"queued": 0, "quiet": 1, "already": 0}
    assert _weekly() == []


@pytest.mark.parametrize(
    ("language", "heading", "line"),
    [
        ("en", "What happened:", "First meeting set for"),
        ("fr", "Ce qui s'est passé\u00a0:", "Première réunion fixée"),
    ],
)
def test_a_week_whose_only_news_is_a_meeting_set_says_so(project, member, leader, language, heading, line):
    leader.language = language
    leader.save(update_fields=["language"])
    services.project_set_meeting(actor=member, project=project, when=_next_week() + timedelta(days=20))
    _in_the_week_after_next({"request": project.request, "kind": "note"})
    counts = weekly_status_queue(now=_next_week() + timedelta(days=7))
    assert counts["queued"] == 1
    [mail] = _weekly()
    assert heading in mail.body
    [said] = [text for text in mail.body.splitlines() if line in text]
    assert said.startswith("- ")  # one line of the list, dated, in the leader's language
    assert "Status updates" not in mail.body and "Les points d'avancement" not in mail.body
