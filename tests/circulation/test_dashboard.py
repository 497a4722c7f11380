"""The metric that matters: share of serious requests answered within 48 h, median time to a lead."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from cercle.circulation.selectors import dashboard
from tests.factories import RequestFactory


def test_answer_rate_counts_only_serious_requests_whose_window_has_passed(db):
    now = timezone.now()
    day = timedelta(days=1)
    # Kept and answered within a day: counts, in time.
    RequestFactory(
        received_at=now - 5 * day,
        kept_at=now - 5 * day,
        answered_at=now - 4 * day,
        answer_delay_s=int(day.total_seconds()),
        state="approved",
    )
    # Kept, answered after three days: counts, late.
    RequestFactory(
        received_at=now - 6 * day,
        kept_at=now - 6 * day,
        answered_at=now - 3 * day,
        answer_delay_s=int(3 * day.total_seconds()),
        state="approved",
    )
    # Kept three days ago, never answered: counts, late.
    RequestFactory(received_at=now - 3 * day, kept_at=now - 3 * day, state="kept")
    # Kept an hour ago: its 48 h have not passed, not counted yet.
    RequestFactory(received_at=now - timedelta(hours=1), kept_at=now, state="kept")
    # Dismissed: not a serious request.
    RequestFactory(received_at=now - 5 * day, state="dismissed")
    d = dashboard(now=now)
    assert (d.answered_in_time, d.serious) == (1, 3)
    assert abs(d.answer_rate - 1 / 3) < 1e-9


def test_median_time_to_a_project_lead(db):
    now = timezone.now()
    for hours in (10, 20, 30, 40, 100):
        RequestFactory(received_at=now - timedelta(days=10), lead_delay_s=hours * 3600, state="accepted")
    d = dashboard(now=now)
    assert d.leads_named == 5
    assert d.median_lead_delay == timedelta(hours=30)


def test_stages_show_counts_oldest_wait_and_requests_over_the_limit(db, settings):
    now = timezone.now()
    RequestFactory(state="received", state_changed_at=now - timedelta(hours=30))
    RequestFactory(state="received", state_changed_at=now - timedelta(hours=2))
    RequestFactory(state="kept", state_changed_at=now - timedelta(hours=10))
    d = dashboard(now=now)
    received = next(s for s in d.stages if s.state == "received")
    kept = next(s for s in d.stages if s.state == "kept")
    assert (received.count, received.overdue, received.limit_hours) == (2, 1, 24)
    assert received.oldest_wait >= timedelta(hours=30)
    assert (kept.count, kept.overdue) == (1, 0)
    assert [r.state for r in d.overdue_requests] == ["received"]


def test_stage_limits_are_configurable(db, settings):
    settings.CERCLE = {
        **settings.CERCLE,
        "STAGE_LIMITS_HOURS": {**settings.CERCLE["STAGE_LIMITS_HOURS"], "kept": 1},
    }
    RequestFactory(state="kept", state_changed_at=timezone.now() - timedelta(hours=2))
    kept = next(s for s in dashboard().stages if s.state == "kept")
    assert kept.overdue == 1


def test_an_empty_hub_has_no_rate_rather_than_zero(db):
    d = dashboard()
    assert d.answer_rate is None
    assert d.median_lead_delay is None
