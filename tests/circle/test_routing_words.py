"""The words routing stores for each member (circle/words.py) follow what they are built from: a profile
saved, an offer statement edited elsewhere, a project taken, closed, reopened or joined; and what the
audit trail does not show waits for the command."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from cercle.accounts.models import User
from cercle.circle import services as circle
from cercle.circle.models import MemberProfile, MemberWord, MemberWords
from cercle.circle.profiles import member_profile_update
from cercle.circle.ranking import rank_members
from cercle.circulation import services as circulation
from cercle.circulation.states import Outcome, State
from cercle.network.search import fold_words
from cercle.projects import services as projects
from cercle.projects.models import Project
from tests.factories import MemberFactory, RequestFactory

pytestmark = pytest.mark.django_db

SUBJECT = "Identité visuelle pour notre brasserie artisanale"


def _blank(*users: User) -> None:
    MemberProfile.objects.filter(user__in=users).update(skills="", headline_fr="", headline_en="", offers="")


def _stored(member: User, word: str) -> int:
    """The mask of sources of the member's stored word for `word` (0: not one of their words)."""
    [stem] = fold_words(word)[:1]
    row = MemberWord.objects.filter(member=member, word=stem).values_list("sources", flat=True).first()
    return int(row, 16) if row else 0


def _mine(ranking, member: User):
    return next(s for s in ranking if s.member.pk == member.pk)


def _taken(*, second, leader, member, subject: str = SUBJECT):
    """A request kept, approved, offered to `member`, who accepted it: their project."""
    request = RequestFactory(subject=subject, summary=subject)
    circulation.request_keep(actor=second, request=request)
    circulation.request_approve(actor=leader, request=request)
    [offer] = circle.request_route(actor=second, request=request, members=[member], brief="B")
    circle.offer_accept(actor=member, offer=offer)
    request.refresh_from_db()
    return request


def test_a_profile_saved_is_stored_at_once_and_routing_reads_it(member, other_member) -> None:
    _blank(member, other_member)
    asked = RequestFactory(subject="Un bilan carbone", summary="Notre bilan carbone, avant l'été.")
    assert _mine(rank_members(request=asked), member).signals["fit"] == 0.0
    assert _stored(member, "carbone") == 0

    member_profile_update(actor=member, member=member, offers="Bilans carbone des PME")

    assert _stored(member, "carbone") == 1  # bit 0: their profile, stored before any ranking
    first = rank_members(request=asked)[0]
    assert first.member == member
    assert any("carbone" in reason for reason in first.reasons)


def test_an_offer_statement_edited_outside_this_app_is_seen_at_the_next_ranking(member, other_member) -> None:
    _blank(member, other_member)
    asked = RequestFactory(subject="Un bilan carbone", summary="Notre bilan carbone, avant l'été.")
    rank_members(request=asked)  # the rows are built
    # The people app saves the offer statement itself: the stored words are now older than the profile.
    User.objects.filter(pk=other_member.pk).update(offer_statement="Je fais des bilans carbone.")
    other_member.refresh_from_db()

    suggestions = rank_members(request=asked)

    assert suggestions[0].member == other_member
    assert suggestions[0].signals["fit"] > 0
    assert _stored(other_member, "carbone") == 1


def test_taking_a_project_stores_its_words_for_the_lead_at_once(second, leader, member, other_member) -> None:
    _blank(member, other_member)
    rank_members(request=RequestFactory(subject="Autre chose"))  # the rows are built, without the project
    assert _stored(member, "brasserie") == 0

    taken = _taken(second=second, leader=leader, member=member)

    row = MemberWords.objects.get(member=member)
    assert row.projects.split() == [str(taken.pk)]
    assert _stored(member, "brasserie") == 0b10  # bit 1: their first project
    assert int(row.led, 16) == 0b10 and int(row.closed, 16) == 0


def test_a_project_closed_won_then_reopened_changes_the_similar_signal(
    second, leader, member, other_member
) -> None:
    _blank(member, other_member)
    taken = _taken(second=second, leader=leader, member=member)
    asked = RequestFactory(subject="Refonte de l'identité visuelle d'une brasserie")

    mine = _mine(rank_members(request=asked), member)
    assert mine.signals["similar"] == 0.0
    assert "0 of 1 similar project won" in mine.reasons

    projects.project_close(actor=member, project=taken.project, outcome=Outcome.WON, confirmed=True)
    mine = _mine(rank_members(request=asked), member)
    assert mine.signals["similar"] == 1.0
    assert "1 of 1 similar project won" in mine.reasons

    taken.refresh_from_db()
    circulation.request_reopen(actor=member, request=taken)
    assert _mine(rank_members(request=asked), member).signals["similar"] == 0.0


def test_joining_a_team_brings_the_project_s_words_to_the_new_member(
    second, leader, member, other_member
) -> None:
    _blank(member, other_member, MemberFactory(username="ines"), MemberFactory(username="tom"))
    taken = _taken(second=second, leader=leader, member=member)
    asked = RequestFactory(subject="Une brasserie veut changer son identité visuelle")
    assert _mine(rank_members(request=asked), other_member).signals["fit"] == 0.0

    projects.project_add_member(actor=member, project=taken.project, member=other_member)

    theirs = _mine(rank_members(request=asked), other_member)
    assert _stored(other_member, "brasserie") == 0b10
    assert theirs.signals["fit"] > 0  # two of four members have the words: they still tell
    assert any("brasserie" in reason for reason in theirs.reasons)


def test_what_the_audit_trail_does_not_show_waits_for_the_command(member, other_member) -> None:
    _blank(member, other_member)
    asked = RequestFactory(subject="Refonte de l'identité visuelle d'une brasserie")
    rank_members(request=asked)
    # Written straight into the tables (an import), with no audit event: the stored words do not know it.
    past = RequestFactory(
        subject=SUBJECT, summary=SUBJECT, state=State.CLOSED, outcome=Outcome.WON, lead=member
    )
    Project.objects.create(request=past, lead=member)
    assert _mine(rank_members(request=asked), member).signals["similar"] == 0.0

    call_command("routing_words", stdout=StringIO())

    mine = _mine(rank_members(request=asked), member)
    assert mine.signals["similar"] == 1.0
    assert "1 of 1 similar project won" in mine.reasons
