"""The weekly proof list: the serious requests of the week, who answered each and when, and how many
are still unanswered ("0 unanswered" when true)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from cercle.circulation import services
from cercle.circulation.digest import digest_send_due, proof_list, proof_list_send
from cercle.outbox.models import OutgoingMessage
from tests.factories import RequestFactory


def _proofs() -> list[OutgoingMessage]:
    return list(OutgoingMessage.objects.filter(idempotency_key__startswith="proof:").order_by("id"))


def _tomorrow() -> date:
    return timezone.localtime(timezone.now(), timezone.get_default_timezone()).date() + timedelta(days=1)


def test_each_serious_request_of_the_week_says_who_answered_and_when(leader, second):
    by_leader, by_second, silent = RequestFactory(), RequestFactory(), RequestFactory()
    for r in (by_leader, by_second, silent):
        services.request_keep(actor=second, request=r)
    services.request_write(actor=second, request=by_second, subject="Re", body="Nous revenons vers vous.")
    services.request_approve(actor=leader, request=by_leader)
    services.request_approve(actor=leader, request=by_second)  # answered before, by the second
    RequestFactory(state="dismissed")  # not serious: not listed

    proof_list_send(leader=leader, day=_tomorrow())

    [proof] = _proofs()
    assert proof.subject == "La preuve de la semaine\u00a0: 3 demandes sérieuses, 1 sans réponse"
    lines = proof.body.split("\n\n")
    line_of = {
        r: next(chunk for chunk in lines if r.subject in chunk) for r in (by_leader, by_second, silent)
    }
    assert "par Léa Marchand" in line_of[by_leader]
    assert "par Samuel Petit" in line_of[by_second]
    assert "SANS RÉPONSE" in line_of[silent]
    assert "1 sans réponse." in proof.body


def test_zero_unanswered_when_every_serious_request_was_answered(leader, second):
    leader.language = "en"
    leader.save(update_fields=["language"])
    answered = RequestFactory()
    services.request_keep(actor=second, request=answered)
    services.request_approve(actor=leader, request=answered)

    proof_list_send(leader=leader, day=_tomorrow())

    [proof] = _proofs()
    assert proof.subject == "Proof of the week: 1 serious request, 0 unanswered"
    assert "0 unanswered." in proof.body and "by Léa Marchand" in proof.body


def test_the_week_is_seven_days_of_the_hub_s_calendar_across_a_daylight_saving_change(db, settings):
    settings.TIME_ZONE = "Europe/Paris"
    # Monday 29 March 2027, the day after the switch to summer time: the week is from Monday the 22nd
    # at 00:00 (UTC+1) to Monday the 29th at 00:00 (UTC+2).
    inside = [
        RequestFactory(kept_at=datetime(2027, 3, 21, 23, 0, tzinfo=UTC)),  # 22 March, 00:00 in Paris
        RequestFactory(kept_at=datetime(2027, 3, 28, 21, 59, tzinfo=UTC)),  # 28 March, 23:59
    ]
    RequestFactory(kept_at=datetime(2027, 3, 21, 22, 59, tzinfo=UTC))  # 21 March, 23:59
    RequestFactory(kept_at=datetime(2027, 3, 28, 22, 0, tzinfo=UTC))  # 29 March, 00:00

    _start, _end, lines = proof_list(day=date(2027, 3, 29))

    assert [line.request for line in lines] == inside


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_proof_list_leaves_once_on_its_day_at_the_digest_s_time(leader, settings, language):
    settings.TIME_ZONE = "Europe/Paris"
    leader.language = language
    leader.save(update_fields=["language"])
    monday = datetime(2027, 3, 29, 6, 0, tzinfo=UTC)  # 08:00 in Paris
    digest_send_due(now=monday - timedelta(minutes=1))
    assert _proofs() == []
    for minutes in (0, 5, 60):
        digest_send_due(now=monday + timedelta(minutes=minutes))
    assert len(_proofs()) == 1
    digest_send_due(now=monday + timedelta(days=1))  # Tuesday: not its day
    assert len(_proofs()) == 1
