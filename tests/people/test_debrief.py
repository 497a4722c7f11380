"""The debrief: what the network brought in a month or a quarter, counted at known dates (Paris time)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from cercle.circulation import services as circulation
from cercle.circulation.errors import CirculationError
from cercle.circulation.leads import lead_kind_effective, lead_kind_guess
from cercle.circulation.models import Event, EventKind, LeadKind, Request
from cercle.circulation.states import Outcome, State
from cercle.network.models import Contact, Interaction, InteractionKind
from cercle.people.debrief.selectors import MONTH, QUARTER, Period, debrief, debrief_history, period_parse
from cercle.people.models import (
    Introduction,
    IntroductionEvent,
    IntroductionEventKind,
    IntroductionKind,
    IntroductionState,
)
from tests.conftest import login
from tests.factories import RequestFactory

PARIS = ZoneInfo("Europe/Paris")
MARCH = Period(MONTH, 2026, 3)


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def person(name: str, *exchanges: datetime, spam: bool = False, kind: str = InteractionKind.MAIL) -> Contact:
    """A person of the network with these exchanges (first_at and last_at as the strength would fold them)."""
    contact = Contact.objects.create(
        name=name,
        email=f"{name.lower()}@example.org",
        in_network=True,
        spam=spam,
        first_at=min(exchanges) if exchanges else None,
        last_at=max(exchanges) if exchanges else None,
    )
    for n, at in enumerate(exchanges):
        Interaction.objects.create(contact=contact, kind=kind, at=at, source_key=f"{name}-{n}")
    return contact


def introduction(
    kind: str, target: Contact, connector: Contact, *, state: str, event_at=None, closed_at=None
):
    intro = Introduction.objects.create(
        kind=kind,
        target=target,
        connector=connector,
        purpose="Se rencontrer",
        state=state,
        closed_at=closed_at,
    )
    if event_at:
        IntroductionEvent.objects.create(
            introduction=intro, kind=IntroductionEventKind.INTRODUCED, at=event_at
        )
    return intro


@pytest.fixture
def march(db, project):
    """A month of the network's life, with the cases that must and must not count."""
    nina = person("Nina", paris(2026, 3, 10, 9))  # new in March
    remi = person("Remi", paris(2025, 6, 1, 9), paris(2026, 3, 5, 9))  # back after 9 months: reactivated
    paul = person(
        "Paul", paris(2026, 1, 20, 9), paris(2026, 3, 12, 9), kind=InteractionKind.MEETING
    )  # neither
    # 00:30 on 1 March in Paris is still February in UTC: March. 00:30 on 1 April (summer time): April.
    person("Berthe", datetime(2026, 2, 28, 23, 30, tzinfo=UTC))
    person("Leon", datetime(2026, 3, 31, 22, 30, tzinfo=UTC))
    person("Spammer", paris(2026, 3, 3, 9), spam=True, kind=InteractionKind.MEETING)  # counts nowhere
    ivan = person("Ivan")  # no exchange: introduced to the hub by Nina
    zoe = person("Zoe")

    introduction(
        IntroductionKind.ASK, ivan, nina, state=IntroductionState.INTRODUCED, event_at=paris(2026, 3, 15, 9)
    )
    introduction(
        IntroductionKind.ASK, paul, nina, state=IntroductionState.INTRODUCED, event_at=paris(2026, 2, 15)
    )
    introduction(
        IntroductionKind.MATCH,
        paul,
        remi,
        state=IntroductionState.INTRODUCED,
        closed_at=paris(2026, 3, 20, 9),
    )
    introduction(IntroductionKind.MATCH, paul, nina, state=IntroductionState.ASKING_TARGET)  # not yet

    RequestFactory(requester=remi, subject="Partenariat pour un salon", received_at=paris(2026, 3, 6, 9))
    RequestFactory(requester=zoe, subject="Hello", lead_kind=LeadKind.JOB, received_at=paris(2026, 3, 8, 9))
    # Zoé's own message is an exchange the same day: she was not in touch before.
    Interaction.objects.create(contact=zoe, kind="mail", at=paris(2026, 3, 8, 8), source_key="zoe-0")
    RequestFactory(requester=ivan, received_at=paris(2026, 3, 25, 9))
    RequestFactory(
        requester=nina, subject="Un devis ?", state=State.DISMISSED, received_at=paris(2026, 3, 26)
    )
    RequestFactory(
        requester=paul,
        lead_kind=LeadKind.CLIENT,
        received_at=paris(2025, 12, 1),
        state=State.CLOSED,
        outcome=Outcome.WON,
        outcome_value=Decimal("12500.00"),
        closed_at=paris(2026, 3, 18, 9),
    )
    RequestFactory(
        requester=paul, received_at=paris(2025, 12, 2), outcome=Outcome.LOST, closed_at=paris(2026, 3, 19)
    )
    project.first_meeting_at = paris(2026, 3, 21, 10)
    project.save()


def test_each_figure_of_a_month(march, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        [february, figures] = debrief([Period(MONTH, 2026, 2), MARCH])
    assert figures.new_contacts == 2  # Nina, and Berthe at 00:30 Paris time on 1 March
    assert figures.reactivated_contacts == 1  # Rémi; not Paul (51 days), not Nina (her first exchange)
    assert figures.introductions_received == 1
    assert figures.introductions_made == 1
    assert figures.partnerships == 1  # guessed from "Partenariat"
    assert figures.leads_job == 1  # said on the request page
    assert figures.leads_client == 0  # the quote request was dismissed
    assert figures.requests == 3
    assert figures.requests_through_network == 2  # Rémi (in touch since June), Ivan (introduced); not Zoé
    assert figures.meetings == 2  # Paul's meeting and the project's first meeting; not the spammer's
    assert figures.projects_won == 1
    assert figures.won_value == Decimal("12500.00")
    assert february.new_contacts == 0
    assert february.introductions_received == 1


def test_quarter_and_period_boundaries(march):
    [q1] = debrief([Period(QUARTER, 2026, 1)])
    assert q1.new_contacts == 3  # Paul in January, Berthe and Nina in March; Léon is April's
    [april] = debrief([Period(MONTH, 2026, 4)])
    assert april.new_contacts == 1
    assert period_parse(QUARTER, "2026-02") == Period(QUARTER, 2026, 1)
    assert Period(MONTH, 2026, 3).start == datetime(2026, 2, 28, 23, 0, tzinfo=UTC)
    assert Period(MONTH, 2026, 4).start == datetime(2026, 3, 31, 22, 0, tzinfo=UTC)
    assert [p.period.code for p in debrief_history(Period(QUARTER, 2026, 1))][-3:] == [
        "2025-Q3",
        "2025-Q4",
        "2026-Q1",
    ]


def test_the_page_in_french_for_the_leader(march, leader):
    page = login(leader).get(reverse("people:debrief"), {"period": "month", "at": "2026-03"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Qu’a apporté le réseau en mars 2026\u00a0?" in text
    assert "Nouveaux contacts" in text
    assert "12\u00a0500\u00a0€" in text
    assert 'aria-current="page"' in text and reverse("people:debrief") in text
    assert (
        '<svg xmlns="http://www.w3.org/2000/svg"' in text and '<title id="chart-new_contacts-title">' in text
    )
    assert "?period=month&amp;at=2026-02" in text and "?period=month&amp;at=2026-04" in text
    # June and July told apart in the history's columns (not "Jui" for both).
    assert ">juin 2025<" in text and ">juil. 2025<" in text
    # Nothing to see before the earliest person (Rémi, June 2025): no link further back, so no endless walk.
    first = (
        login(leader).get(reverse("people:debrief"), {"period": "month", "at": "2025-06"}).content.decode()
    )
    assert "at=2025-07" in first and "at=2025-05" not in first


def test_the_page_in_english_by_quarter_for_the_second(march, second):
    page = login(second, "en").get(reverse("people:debrief"), {"period": "quarter", "at": "2026-03"})
    text = page.content.decode()
    assert "What did the network bring in Q1 2026?" in text
    assert "Reactivated contacts" in text


def test_a_member_is_refused(member):
    client = login(member)
    for name in ("people:debrief", "people:debrief_csv", "people:debrief_print"):
        assert client.get(reverse(name)).status_code == 403


def test_csv_export(march, leader):
    response = login(leader).get(reverse("people:debrief_csv"), {"period": "month", "at": "2026-03"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 12
    assert list(rows[0])[:5] == ["period", "start", "end", "new_contacts", "reactivated_contacts"]
    last = rows[-1]
    assert (last["period"], last["start"], last["end"]) == ("2026-03", "2026-03-01", "2026-03-31")
    assert (last["new_contacts"], last["partnerships"], last["won_value"]) == ("2", "1", "12500.00")
    assert rows[0]["period"] == "2025-04"


def test_printable_page(march, leader):
    page = login(leader).get(reverse("people:debrief_print"), {"at": "2026-03"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "@media print" in text
    assert reverse("people:drifting") not in text  # no network nav, no top menu
    assert "mars 2026" in text


def test_lead_kind_guess_in_python_and_in_sql(db):
    assert lead_kind_guess("Recherche de partenariat") == ("partnership", "partenariat")
    assert lead_kind_guess("We are HIRING a facilitator") == ("job", "hiring")
    assert lead_kind_guess("Nouveau fournisseur ?", "") == ("supplier", "fournisseur")
    assert lead_kind_guess("Bonjour") == ("", "")
    said = RequestFactory(subject="Partenariat", lead_kind=LeadKind.OTHER)
    guessed = RequestFactory(subject="Offre d'emploi")
    unsaid = RequestFactory(subject="Bonjour")
    kinds = dict(Request.objects.annotate(k=lead_kind_effective()).values_list("pk", "k"))
    assert kinds == {said.pk: "other", guessed.pk: "job", unsaid.pk: ""}


def test_the_second_sets_the_kind_of_lead(second, member, incoming):
    url = reverse("circulation:lead_kind", args=[incoming.pk])
    assert login(member).post(url, {"lead_kind": "client"}).status_code == 403
    response = login(second).post(url, {"lead_kind": "partnership"})
    assert response.status_code == 302
    incoming.refresh_from_db()
    assert incoming.lead_kind == "partnership"
    note = Event.objects.filter(request=incoming, kind=EventKind.NOTE).get()
    with translation.override("en"):
        assert note.note_text == "Kind of lead: Partnership."
    with translation.override("fr"):
        assert note.note_text == "Type de piste\u00a0: Partenariat."
    assert incoming.state == State.RECEIVED  # not a transition
    login(second).post(url, {"lead_kind": "nonsense"})
    incoming.refresh_from_db()
    assert incoming.lead_kind == "partnership"
    page = login(second).get(reverse("circulation:detail", args=[incoming.pk])).content.decode()
    assert '<option value="partnership" selected>' in page


def test_the_request_page_says_the_guess(second):
    req = RequestFactory(subject="Candidature spontanée")
    page = login(second, "en").get(reverse("circulation:detail", args=[req.pk])).content.decode()
    assert "counted as “Job” in the debrief, from the word “candidature”" in page
    with pytest.raises(CirculationError):  # the service refuses it too, not only the view
        circulation.request_lead_kind_set(actor=second, request=req, lead_kind="bogus")
