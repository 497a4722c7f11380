"""The project space: who may change it, the team, the first meeting, and a closed project as a record."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from cercle.accounts.permissions import NotAllowed
from cercle.circulation import services as circulation
from cercle.circulation.errors import IllegalTransition
from cercle.circulation.models import Event, EventKind
from cercle.projects import services
from cercle.projects.models import StatusUpdate
from tests.conftest import login
from tests.factories import MemberFactory


def test_team_candidates_leave_out_the_lead_and_the_current_team(project, member, other_member):
    third = MemberFactory(username="third")
    assert {u.pk for u in services.project_team_candidates(project=project)} == {other_member.pk, third.pk}
    services.project_add_member(actor=member, project=project, member=other_member)
    assert [u.pk for u in services.project_team_candidates(project=project)] == [third.pk]


def test_the_same_member_cannot_join_the_team_twice(project, member, other_member):
    services.project_add_member(actor=member, project=project, member=other_member)
    with pytest.raises(IllegalTransition):
        services.project_add_member(actor=member, project=project, member=other_member)
    assert project.team.count() == 1


def test_a_team_member_may_post_updates_but_not_build_the_team(project, member, other_member):
    services.project_add_member(actor=member, project=project, member=other_member)
    services.project_add_update(actor=other_member, project=project, text="Appel fait")
    third = MemberFactory(username="third")
    with pytest.raises(NotAllowed):
        services.project_add_member(actor=other_member, project=project, member=third)


def test_an_outside_member_cannot_change_the_project(project, other_member):
    with pytest.raises(NotAllowed):
        services.project_add_update(actor=other_member, project=project, text="Intrus")
    assert not StatusUpdate.objects.filter(project=project).exists()


def test_a_closed_project_is_a_record_nobody_edits(project, member, leader, other_member):
    circulation.request_close(actor=member, request=project.request, outcome="won")
    project.request.refresh_from_db()
    assert not services.project_can_edit(user=member, project=project)
    assert not services.project_can_edit(user=leader, project=project)
    for change in (
        lambda: services.project_add_update(actor=member, project=project, text="Encore"),
        lambda: services.checklist_add(actor=member, project=project, label="Encore"),
        lambda: services.project_add_member(actor=leader, project=project, member=other_member),
    ):
        with pytest.raises(IllegalTransition):
            change()


def test_a_closed_project_page_shows_no_form(project, member):
    circulation.request_close(actor=member, request=project.request, outcome="lost")
    page = login(member).get(reverse("projects:detail", args=[project.request_id]))
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("projects:update", args=[project.request_id]) not in html
    assert reverse("projects:step", args=[project.request_id]) not in html
    assert 'type="checkbox"' not in html


def test_posting_to_a_closed_project_is_refused_with_a_message(project, member):
    circulation.request_close(actor=member, request=project.request, outcome="lost")
    client = login(member, language="fr")
    response = client.post(
        reverse("projects:update", args=[project.request_id]), {"text": "Trop tard"}, follow=True
    )
    assert not StatusUpdate.objects.filter(project=project).exists()
    assert "Ce projet est clos\u00a0: il ne peut plus être modifié." in response.content.decode()


def test_the_team_form_offers_only_candidates(project, member, other_member):
    services.project_add_member(actor=member, project=project, member=other_member)
    html = login(member).get(reverse("projects:detail", args=[project.request_id])).content.decode()
    # Everyone eligible is in the team: the form disappears instead of offering the same people again.
    assert reverse("projects:team", args=[project.request_id]) not in html


def test_the_meeting_note_uses_the_readers_date_format(project, member, settings):
    settings.TIME_ZONE = "Europe/Paris"
    soon = timezone.localdate(project.request.received_at) + timedelta(days=10)  # after the request
    when = datetime(soon.year, soon.month, soon.day, 14, 30, tzinfo=ZoneInfo("Europe/Paris"))
    from django.utils import translation

    with translation.override("fr"):
        services.project_set_meeting(actor=member, project=project, when=when)
    note = Event.objects.filter(request=project.request, kind=EventKind.NOTE).order_by("-pk").first().note
    assert soon.isoformat() not in note
    assert f"{soon.day} {FRENCH_MONTHS[soon.month - 1]} {soon.year}" in note


def test_a_first_meeting_before_the_request_arrived_is_refused_as_a_typo(project, member):
    arrived = project.request.received_at
    with pytest.raises(IllegalTransition, match="before the request arrived"):
        services.project_set_meeting(
            actor=member, project=project, when=arrived.replace(year=arrived.year - 6)
        )
    project.refresh_from_db()
    assert project.first_meeting_at is None
    # Recorded after the fact (it took place this morning) is fine.
    services.project_set_meeting(actor=member, project=project, when=arrived)
    project.refresh_from_db()
    assert project.first_meeting_at == arrived


def test_a_refused_form_says_which_and_keeps_what_was_typed(project, member):
    client = login(member, "fr")
    url = reverse("projects:detail", args=[project.request_id])
    page = client.post(reverse("projects:update", args=[project.request_id]), {"text": ""}, follow=True)
    assert "Point d'avancement\u00a0: Ce champ est obligatoire." in page.content.decode().replace(
        "&#x27;", "'"
    )
    typo = (project.request.received_at - timedelta(days=3 * 365)).strftime("%Y-%m-%dT%H:%M")
    page = client.post(reverse("projects:meeting", args=[project.request_id]), {"when": typo}, follow=True)
    assert f'value="{typo}"' in page.content.decode()  # the date typed is there to correct
    assert f'value="{typo}"' not in client.get(url).content.decode()  # once


FRENCH_MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
                 "octobre", "novembre", "décembre"]  # fmt: skip


@pytest.mark.parametrize(("email", "linked"), [("", True), ("anne@roy.example", False)])
def test_the_lead_finds_a_requester_met_on_linkedin_by_their_profile(project, member, email, linked):
    requester = project.request.requester
    requester.email, requester.linkedin_url = email, "https://www.linkedin.com/in/anne-roy"
    requester.save(update_fields=["email", "linkedin_url"])
    page = login(member, "fr").get(reverse("projects:detail", args=[project.request_id])).content.decode()
    assert ('href="https://www.linkedin.com/in/anne-roy"' in page) is linked
    assert ("son profil LinkedIn" in page) is linked
