"""Routing a request in a large circle: every member scored at once (numpy over the stored words), the
reasons put into words only for those the page shows or the second asks about, and a number of queries
that does not grow with the circle. The order and the scores are those of the member-by-member ranking
it replaced (recorded on a varied circle before the change)."""

from __future__ import annotations

import random
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from cercle.circle import services as circle
from cercle.circle.models import MemberProfile, Offer, OfferState
from cercle.circle.ranking import rank_members
from cercle.circle.views import EXPLAINED
from cercle.circulation import services as circulation
from cercle.circulation.models import Request
from cercle.circulation.states import Outcome, State
from cercle.network.models import Contact, ContactNote
from cercle.projects.models import Project
from tests.conftest import login
from tests.factories import MemberFactory, RequestFactory

pytestmark = pytest.mark.django_db

TRADES = {
    "carbon": ("bilan carbone", "transition écologique", "empreinte climat des usines", "carbon footprint"),
    "design": ("identité visuelle", "charte graphique", "logo et signalétique", "visual identity"),
    "web": ("site web", "application mobile", "outil numérique sobre", "web development"),
    "funding": ("levée de fonds", "subvention régionale", "plan de financement", "grant writing"),
    "governance": (
        "gouvernance partagée",
        "facilitation de séminaire",
        "décision collective",
        "facilitation",
    ),
    "training": ("formation des managers", "leadership", "prise de parole", "public speaking"),
}
NAMES = ["anne", "bruno", "chloe", "david", "emma", "farid", "gael", "hugo", "ines", "jade", "kenza", "luc"]


def _world() -> list[tuple[Request, str, list | None]]:
    """Twelve members in six trades (one away, one full, one without a profile, French and English),
    fifty past projects (won, lost, open; teams), offers answered, notes, and the requests to rank."""
    rng = random.Random(1205)
    trades = list(TRADES)
    members, skills = [], {}
    for i, name in enumerate(NAMES):
        member = MemberFactory(username=name, first_name=name.capitalize(), last_name="")
        mine = rng.sample(trades, rng.choice((1, 2)))
        skills[member.pk] = mine
        MemberProfile.objects.filter(user=member).update(
            headline_fr="",
            headline_en="",
            skills=", ".join(TRADES[t][0] for t in mine),
            offers=" ; ".join(TRADES[t][rng.randrange(1, 4)] for t in mine),
            languages=("fr", "fr, en", "en")[i % 3],
            capacity=rng.randint(1, 4),
            unavailable_until=timezone.localdate() + timedelta(days=12) if name == "gael" else None,
        )
        members.append(member)
    MemberProfile.objects.filter(user=members[-1]).delete()  # luc: no profile (capacity 3, French)
    members[3].offer_statement = "Je fais des bilans carbone et des plans de transition."
    members[3].save(update_fields=["offer_statement"])
    contacts = [
        Contact.objects.create(
            name=f"Client {i}", email=f"client{i}@{org}.example", organisation=org.capitalize()
        )
        for i, org in enumerate(("brasserie", "brasserie", "musee", "musee", "mairie", "atelier", "coop"))
    ]
    contacts.append(Contact.objects.create(name="Solo", email="solo@gmail.com", organisation=""))
    weights = [1 / (k + 1) for k in range(len(members))]
    for n in range(50):
        lead = rng.choices(members, weights=weights)[0]
        trade = rng.choice(skills[lead.pk]) if rng.random() < 0.8 else rng.choice(trades)
        words = rng.sample(TRADES[trade], 2)
        state = rng.choice((State.CLOSED,) * 4 + (State.ACCEPTED, State.KICKED_OFF))
        outcome = rng.choice((Outcome.WON, Outcome.WON, Outcome.LOST)) if state == State.CLOSED else ""
        past = RequestFactory(
            subject=f"{words[0].capitalize()} n°{n}",
            summary=f"Nous cherchons de l'aide : {words[0]}, {words[1]}.",
            requester=rng.choice(contacts),
            state=state,
            outcome=outcome,
            lead=lead,
        )
        project = Project.objects.create(request=past, lead=lead)
        if rng.random() < 0.25:
            project.team.add(rng.choice([m for m in members if m != lead]))
        Offer.objects.create(request=past, member=lead, state=OfferState.ACCEPTED)
        for other in rng.sample([m for m in members if m != lead], rng.choice((0, 1, 2))):
            Offer.objects.create(
                request=past, member=other, state=rng.choice((OfferState.DECLINED, OfferState.EXPIRED))
            )
    for author, contact in ((members[1], contacts[2]), (members[6], contacts[7]), (members[9], contacts[4])):
        ContactNote.objects.create(contact=contact, author=author, text="Très réactive.")

    def asked(subject: str, summary: str, requester: Contact, language: str = "fr") -> Request:
        return RequestFactory(
            subject=subject, summary=summary, requester=requester, language=language, state=State.APPROVED
        )

    new = Contact.objects.create(name="Nouvelle", email="nouvelle@ailleurs.example", organisation="Ailleurs")
    project_itself = Request.objects.filter(lead__isnull=False).order_by("pk")[7]
    return [
        (asked("Bilan carbone de notre brasserie", "Mesurer l'empreinte climat.", contacts[0]), "", None),
        (asked("Visual identity for our museum", "A new logo and signage.", contacts[2], "en"), "", None),
        (asked("Refonte du site web", "Un outil numérique sobre pour la mairie.", contacts[4]), "", None),
        (asked("Levée de fonds", "Plan de financement et subvention.", new), "Budget serré, vite.", None),
        (asked("Séminaire de gouvernance", "Décision collective, facilitation.", contacts[7]), "", None),
        (asked("Leadership training", "Public speaking for managers.", contacts[5], "en"), "", None),
        (asked("Un potager collectif", "Des légumes pour la cantine.", new), "", None),
        (
            asked("Charte graphique et site web", "Identité visuelle, application.", contacts[1]),
            "",
            members[::2],
        ),
        (project_itself, "", None),
    ]


# Recorded with the member-by-member ranking (before numpy): (username, score), best first.
BEFORE: list[list[tuple[str, float]]] = [
    [
        ("david", 0.6354),
        ("chloe", 0.6268),
        ("farid", 0.4668),
        ("jade", 0.387),
        ("ines", 0.3847),
        ("kenza", 0.3745),
        ("emma", 0.2934),
        ("bruno", 0.2546),
        ("anne", 0.1267),
        ("hugo", 0.1),
        ("luc", 0.1),
        ("gael", 0.0246),
    ],
    [
        ("emma", 0.6814),
        ("chloe", 0.3899),
        ("david", 0.3575),
        ("kenza", 0.2957),
        ("farid", 0.2951),
        ("jade", 0.2676),
        ("ines", 0.2577),
        ("anne", 0.2001),
        ("bruno", 0.1269),
        ("hugo", 0.1),
        ("gael", 0.037),
        ("luc", 0.0),
    ],
    [
        ("jade", 0.6804),
        ("kenza", 0.6747),
        ("david", 0.387),
        ("emma", 0.345),
        ("chloe", 0.2905),
        ("ines", 0.2792),
        ("anne", 0.2009),
        ("hugo", 0.2008),
        ("bruno", 0.1657),
        ("luc", 0.1),
        ("gael", 0.031),
        ("farid", 0.0),
    ],
    [
        ("jade", 0.4909),
        ("ines", 0.3834),
        ("david", 0.3186),
        ("bruno", 0.1809),
        ("emma", 0.1),
        ("hugo", 0.1),
        ("kenza", 0.1),
        ("luc", 0.1),
        ("anne", 0.0823),
        ("gael", 0.0268),
        ("chloe", 0.0),
        ("farid", 0.0),
    ],
    [
        ("ines", 0.5591),
        ("jade", 0.5279),
        ("emma", 0.4899),
        ("luc", 0.3612),
        ("hugo", 0.3565),
        ("bruno", 0.3358),
        ("farid", 0.1621),
        ("anne", 0.1579),
        ("david", 0.1),
        ("kenza", 0.1),
        ("gael", 0.0204),
        ("chloe", 0.0),
    ],
    [
        ("jade", 0.4701),
        ("hugo", 0.3016),
        ("anne", 0.2925),
        ("david", 0.2658),
        ("chloe", 0.255),
        ("kenza", 0.2505),
        ("bruno", 0.1575),
        ("emma", 0.1),
        ("farid", 0.1),
        ("ines", 0.1),
        ("gael", 0.0032),
        ("luc", 0.0),
    ],
    [
        ("emma", 0.3224),
        ("david", 0.1),
        ("hugo", 0.1),
        ("jade", 0.1),
        ("kenza", 0.1),
        ("luc", 0.1),
        ("bruno", 0.0976),
        ("anne", 0.05),
        ("gael", 0.01),
        ("chloe", 0.0),
        ("farid", 0.0),
        ("ines", 0.0),
    ],
    [
        ("emma", 0.7977),
        ("kenza", 0.7055),
        ("anne", 0.4044),
        ("chloe", 0.2557),
        ("ines", 0.2488),
        ("gael", 0.0556),
    ],
    [
        ("chloe", 0.6548),
        ("farid", 0.5083),
        ("jade", 0.485),
        ("bruno", 0.3705),
        ("david", 0.3595),
        ("anne", 0.264),
        ("ines", 0.1271),
        ("emma", 0.1),
        ("hugo", 0.1),
        ("kenza", 0.1),
        ("luc", 0.1),
        ("gael", 0.0617),
    ],
]


def test_the_order_and_scores_are_those_of_the_ranking_before() -> None:
    for (request, brief, members), before in zip(_world(), BEFORE, strict=True):
        ranked = rank_members(request=request, brief=brief, members=members)
        assert [(s.member.username, s.score) for s in ranked] == before, request.subject


def _line(page: str, member_id: int) -> str:
    """The member's line of the routing page."""
    start = page.index(f'id="member-{member_id}"')
    return page[start : page.index("</label>", start)]


def _approved(second, leader, **fields) -> Request:
    request = RequestFactory(**fields)
    circulation.request_keep(actor=second, request=request)
    circulation.request_approve(actor=leader, request=request)
    return request


def test_the_page_says_why_for_the_first_members_and_for_anyone_asked_about(second, leader) -> None:
    _world()
    request = _approved(
        second, leader, subject="Bilan carbone de notre brasserie", summary="Mesurer l'empreinte climat."
    )
    with translation.override("fr"):
        ranked = rank_members(request=request)
    assert len(ranked) > EXPLAINED
    client = login(second)
    url = reverse("circle:route", args=[request.pk])
    page = client.get(url).content.decode()

    for suggestion in ranked[:EXPLAINED]:  # the first ones: their reasons in their line
        assert escape(" · ".join(suggestion.reasons)) in _line(page, suggestion.member_id)
    last = ranked[-1]
    why = reverse("circle:route_reasons", args=[request.pk, last.member_id])
    assert 'class="reasons"' not in _line(page, last.member_id)  # further down: a lighter line...
    assert why in _line(page, last.member_id)  # ...and the question

    fragment = client.get(why, HTTP_HX_REQUEST="true").content.decode()
    assert escape(" · ".join(last.reasons)) in fragment
    # Without JavaScript, the link reloads the page with their reasons in their line.
    response = client.get(why)
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert escape(" · ".join(last.reasons)) in _line(page, last.member_id)

    # The last one can be picked like anyone; ticked, their reasons are said when the page comes back.
    response = client.post(url, {"members": [last.member_id], "expected_state": State.APPROVED, "brief": ""})
    assert escape(" · ".join(last.reasons)) in _line(response.content.decode(), last.member_id)
    response = client.post(
        url, {"members": [last.member_id], "expected_state": State.APPROVED, "brief": "Pour vous."}
    )
    assert response.status_code == 302
    assert Offer.objects.filter(request=request, member_id=last.member_id).exists()


def test_asking_why_for_someone_who_is_not_a_circle_member_is_not_found(second, leader) -> None:
    request = _approved(second, leader, subject="Bilan carbone")
    url = reverse("circle:route_reasons", args=[request.pk, leader.pk])
    assert login(second).get(url, HTTP_HX_REQUEST="true").status_code == 404


def _grow(requester: Contact, size: int) -> None:
    """Members up to `size`, with three projects each."""
    for i in range(MemberProfile.objects.count(), size):
        member = MemberFactory(username=f"m{i}")
        for n in range(3):
            past = RequestFactory(
                subject=f"Identité visuelle et site web n°{n}",
                requester=requester,
                state=State.CLOSED,
                outcome=Outcome.WON,
                lead=member,
            )
            Project.objects.create(request=past, lead=member)
            Offer.objects.create(request=past, member=member, state=OfferState.ACCEPTED)


def _queries(call) -> list[str]:
    call()  # the stored words of the new members are built
    with CaptureQueriesContext(connection) as queries:
        call()
    return [q["sql"] for q in queries.captured_queries]


def test_ranking_reads_as_many_queries_for_5_members_as_for_30() -> None:
    requester = Contact.objects.create(
        name="Client", email="client@brasserie.example", organisation="Brasserie"
    )
    request = RequestFactory(
        subject="Identité visuelle", summary="Un logo pour la brasserie.", requester=requester
    )

    def rank() -> None:
        ranked = rank_members(request=request)
        [(s.member.username, s.signals, s.reasons) for s in ranked]  # every member, signal and reason

    _grow(requester, 5)
    few = _queries(rank)
    _grow(requester, 30)
    many = _queries(rank)
    assert len(many) == len(few) <= 8, many


def test_the_routing_page_reads_as_many_queries_for_5_members_as_for_30(second, leader) -> None:
    requester = Contact.objects.create(
        name="Client", email="client@brasserie.example", organisation="Brasserie"
    )
    request = _approved(second, leader, subject="Identité visuelle", summary="Un logo.", requester=requester)
    client = login(second)
    url = reverse("circle:route", args=[request.pk])

    _grow(requester, 5)
    few = _queries(lambda: client.get(url))
    _grow(requester, 30)
    many = _queries(lambda: client.get(url))
    assert client.get(url).content.decode().count('name="members"') == 30
    assert len(many) == len(few), many


def test_the_words_kept_in_memory_follow_a_member_who_took_many_projects_at_once() -> None:
    designer = MemberFactory(username="ines")
    other = MemberFactory(username="paul")
    MemberProfile.objects.filter(user__in=[designer, other]).update(
        skills="", headline_fr="", headline_en="", offers=""
    )
    request = RequestFactory(subject="Identité visuelle d'une brasserie", summary="Logo, étiquettes.")
    [first, second] = rank_members(request=request)  # kept in memory: neither has the words
    assert first.signals["similar"] == second.signals["similar"] == 0.0
    # Twenty projects written straight into the tables (an import), then the command: more projects
    # than the room the member had in memory.
    for n in range(20):
        past = RequestFactory(
            subject=f"Identité visuelle de la brasserie n°{n}",
            state=State.CLOSED,
            outcome=Outcome.WON if n % 4 else Outcome.LOST,
            lead=designer,
        )
        Project.objects.create(request=past, lead=designer)
    call_command("routing_words", stdout=StringIO())

    ranked = {s.member: s for s in rank_members(request=request)}

    assert ranked[designer].signals["similar"] == 15 / 20
    assert "15 of 20 similar projects won" in ranked[designer].reasons
    assert ranked[designer].score > ranked[other].score


def test_an_offer_answered_counts_at_the_next_ranking(second, leader, member, other_member) -> None:
    request = _approved(second, leader, subject="Un bilan carbone")
    assert {s.member: s.signals["answers"] for s in rank_members(request=request)}[member] == 0.5  # none yet
    [offer] = circle.request_route(actor=second, request=request, members=[member], brief="B")

    circle.offer_decline(actor=member, offer=offer, reason="Pas le temps ce mois-ci.")

    assert {s.member: s.signals["answers"] for s in rank_members(request=request)}[member] == 0.0
