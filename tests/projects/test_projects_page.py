"""The projects page: the leader (and the second) see every project, in progress, won, lost or abandoned,
with its value, its project lead and how long it waited for one; filtered by outcome and period, with the
totals. A member does not see it."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from cercle.circulation.states import State
from cercle.core.templatetags.cercle import money
from cercle.projects.models import Project
from cercle.projects.selectors import projects_overview
from tests.conftest import login
from tests.factories import ContactFactory, RequestFactory


def _project(lead, *, subject, state=State.KICKED_OFF, outcome="", value=None, closed=None, waited_hours=30):
    lead_at = (closed or timezone.now()) - timedelta(minutes=5)
    received = lead_at - timedelta(hours=waited_hours)
    request = RequestFactory(
        subject=subject,
        requester=ContactFactory(name="Marc Berthier", organisation="Maison Berthier"),
        state=state,
        received_at=received,
        lead=lead,
        lead_at=lead_at,
        lead_delay_s=waited_hours * 3600,
        outcome=outcome,
        outcome_value=value,
        closed_at=closed,
    )
    return Project.objects.create(request=request, lead=lead)


@pytest.fixture
def hub(member, other_member):
    now = timezone.now()
    # The hub's year, not UTC's: on 31 December at 23:30 UTC it is already next year in Paris.
    last_year = datetime(timezone.localtime(now).year - 1, 6, 15, 12, tzinfo=timezone.get_current_timezone())
    return {
        "open": _project(member, subject="Bilan carbone", waited_hours=10),
        "won": _project(
            member,
            subject="Transmission",
            state=State.CLOSED,
            outcome="won",
            value=Decimal("4500"),
            closed=now,
        ),
        "won2": _project(
            other_member,
            subject="Gouvernance",
            state=State.CLOSED,
            outcome="won",
            value=Decimal("1500.50"),
            closed=now,
            waited_hours=50,
        ),
        "lost": _project(
            other_member, subject="Levée de fonds", state=State.CLOSED, outcome="lost", value=None, closed=now
        ),
        "old": _project(
            member, subject="Ancien projet", state=State.CLOSED, outcome="no_go", closed=last_year
        ),
    }


def test_the_totals_of_the_year(hub):
    overview = projects_overview(period="year")
    subjects = {row.request.subject for row in overview.rows}
    assert subjects == {"Bilan carbone", "Transmission", "Gouvernance", "Levée de fonds"}
    assert (overview.in_progress, overview.won, overview.lost, overview.abandoned) == (1, 2, 1, 0)
    assert overview.won_value == Decimal("6000.50")
    assert overview.win_rate == pytest.approx(2 / 3)
    assert overview.median_time_to_lead == timedelta(hours=30)  # 10, 30, 30, 50 h: the upper middle


def test_filters_by_outcome_and_period(hub):
    assert [r.request.subject for r in projects_overview(outcome="open", period="all").rows] == [
        "Bilan carbone"
    ]
    won = projects_overview(outcome="won", period="all")
    assert {r.request.subject for r in won.rows} == {"Transmission", "Gouvernance"}
    assert won.lost == 1  # the totals still count every outcome of the period
    last_year = projects_overview(period="last_year")
    assert [r.request.subject for r in last_year.rows] == ["Ancien projet"]
    assert (last_year.abandoned, last_year.won, last_year.in_progress) == (1, 0, 0)


@pytest.mark.parametrize(
    ("language", "title", "abandoned", "lead_label"),
    [
        ("fr", "Projets", "Abandonnés", "Délai avant un chef de projet"),
        ("en", "Projects", "Abandoned", "Time to a project lead"),
    ],
)
@pytest.mark.parametrize("who", ["leader", "second"])
def test_the_leader_and_the_second_read_the_page_in_their_language(
    hub, request, who, language, title, abandoned, lead_label
):
    user = request.getfixturevalue(who)
    client = login(user, language)
    page = unescape(client.get(reverse("projects:list")).content.decode())
    assert f'href="{reverse("projects:list")}"' in page  # the menu entry
    assert f"<h1>{title}</h1>" in page and abandoned in page and lead_label in page
    with translation.override(language):
        assert money(Decimal("6000.50")) in page  # the won value of the year
    assert "Maison Berthier" in page and "Transmission" in page
    assert "Ancien projet" not in page  # last year's: this year by default
    page = unescape(
        client.get(reverse("projects:list"), {"period": "all", "outcome": "no_go"}).content.decode()
    )
    assert "Ancien projet" in page and "Transmission" not in page


def test_a_member_neither_sees_the_page_nor_its_menu_entry(hub, member):
    client = login(member)
    assert client.get(reverse("projects:list")).status_code == 403
    page = client.get(reverse("circle:opportunities")).content.decode()
    assert f'href="{reverse("projects:list")}"' not in page


def test_the_page_costs_the_same_queries_for_ten_projects_or_twenty(hub, leader, member):
    client = login(leader, "en")
    url = reverse("projects:list") + "?period=all"
    for i in range(10):
        _project(member, subject=f"P{i}")
    with CaptureQueriesContext(connection) as ten:
        client.get(url)
    for i in range(10):
        _project(member, subject=f"Q{i}")
    with CaptureQueriesContext(connection) as twenty:
        assert "Q9" in client.get(url).content.decode()
    assert len(twenty) == len(ten)
