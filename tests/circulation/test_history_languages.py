"""The history speaks the reader's language: what the system wrote is translated when read; what a
person wrote stays as they wrote it."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import translation

from cercle.circulation import services
from cercle.circulation.models import Event
from cercle.circulation.notes import Label, Moment, Note
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
    event.note_source = {"msgid": "Broken %(missing)s", "args": {}}
    assert event.note_text in ("Ancienne note", "Broken %(missing)s")
