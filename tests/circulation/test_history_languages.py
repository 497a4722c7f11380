"""The history speaks the reader's language: what the system wrote is translated when read; what a
person wrote stays as they wrote it."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import translation

from cercle.circulation import services
from cercle.circulation.models import Event
from cercle.core.notes import Label, Moment, Note
from tests.conftest import login


def test_a_system_note_written_in_french_reads_in_english_and_back(second, incoming):
    with translation.override("fr"):
        services.request_dismiss(actor=second, request=incoming, reason="spam", note="Vu trois fois")
        services.request_restore(actor=second, request=incoming)
    dismissed, restored = Event.objects.filter(request=incoming, kind="transition").order_by("id")
    assert dismissed.note == "Spam. Vu trois fois"  # as written, in the writer's language
    assert restored.note == "De retour dans la file de tri."
    with translation.override("en"):
        assert restored.note_text == "Back in the triage queue."
        assert dismissed.note_text == "Spam. Vu trois fois"  # the second's own words are not translated
    page = (
        login(second, language="en").get(reverse("circulation:detail", args=[incoming.pk])).content.decode()
    )
    assert "Back in the triage queue." in page and "De retour dans la file de tri." not in page
    page = (
        login(second, language="fr").get(reverse("circulation:detail", args=[incoming.pk])).content.decode()
    )
    assert "De retour dans la file de tri." in page


def test_labels_and_dates_follow_the_reader(settings):
    settings.TIME_ZONE = "Europe/Paris"
    when = datetime(2027, 3, 4, 15, 30, tzinfo=ZoneInfo("Europe/Paris"))
    note = Note.from_json(
        Note("First meeting set for %(when)s", when=Moment(when)).to_json()
    )  # through the database's JSON
    outcome = Note.from_json(Note("%(reason)s", reason=Label("outcome", "won")).to_json())
    with translation.override("fr"):
        assert "4 mars 2027" in note.render() and note.render().startswith("Première réunion")
        assert outcome.render() == "Gagnée"
    with translation.override("en"):
        assert note.render().startswith("First meeting set for") and "2027" in note.render()
        assert outcome.render() == "Won"


def test_an_old_event_without_a_source_shows_its_note_as_written(incoming):
    event = Event.objects.create(request=incoming, kind="note", note="Ancienne note")
    assert event.note_text == "Ancienne note"
    event.note_source = {"msgid": "Broken %(missing)s", "args": {"other": "x"}}  # cannot be rendered
    assert event.note_text == "Ancienne note"


def test_routing_and_the_hand_off_read_in_each_reader_s_language(
    second, leader, member, other_member, incoming, django_capture_on_commit_callbacks
):
    from cercle.circle import services as circle

    with translation.override("fr"):  # the second works in French
        services.request_keep(actor=second, request=incoming)
        services.request_approve(actor=leader, request=incoming)
        offers = circle.request_route(
            actor=second, request=incoming, members=[member, other_member], brief=""
        )
        mine = next(o for o in offers if o.member == member)
        with django_capture_on_commit_callbacks(execute=True):
            circle.offer_accept(actor=member, offer=mine)
    english = login(leader, language="en").get(reverse("circulation:detail", args=[incoming.pk]))
    # The history (the thread beside it holds the mail itself, in each recipient's language).
    page = english.content.decode().split('<ul class="timeline">', 1)[1].split("</ul>", 1)[0]
    assert "Offered to Claire Dubois, Karim Benali" in page
    assert "Claire Dubois is the project lead." in page
    assert "No longer offered to Karim Benali." in page
    assert "Proposée à" not in page and "chef de projet" not in page


def test_the_default_first_steps_are_written_in_the_language_the_lead_accepts_in(
    second, leader, member, incoming
):
    from cercle.circle import services as circle
    from cercle.projects.models import DEFAULT_FIRST_STEPS

    with translation.override("fr"):  # the second and the leader work in French
        services.request_keep(actor=second, request=incoming)
        services.request_approve(actor=leader, request=incoming)
        (offer,) = circle.request_route(actor=second, request=incoming, members=[member], brief="")
    response = login(member, language="en").post(reverse("circle:accept", args=[offer.pk]))
    assert response.status_code == 302
    incoming.refresh_from_db()
    with translation.override("en"):
        expected = [str(label) for _key, label in DEFAULT_FIRST_STEPS]
    with translation.override("fr"):
        assert expected != [str(label) for _key, label in DEFAULT_FIRST_STEPS]  # the test can tell them apart
    assert list(incoming.project.checklist.order_by("position").values_list("label", flat=True)) == expected


def test_signing_in_keeps_the_language_on_the_account_for_the_mail_cercle_writes(client, member):
    assert member.language == "fr"
    response = client.post(
        reverse("accounts:login"),
        {"username": "claire", "password": "secret-pass-123"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.language == "en"


def test_the_language_switch_is_remembered_on_the_account(member):
    client = login(member)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    member.refresh_from_db()
    assert member.language == "en"
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})  # not a language of Cercle
    member.refresh_from_db()
    assert member.language == "en"
