"""The leader's validation card: the optional note is a textarea, so Enter never submits a decision."""

from __future__ import annotations

import re

from django.urls import reverse

from cercle.circulation import services
from tests.conftest import login


def test_the_note_on_a_validation_card_is_a_textarea_so_enter_adds_a_line(second, leader, incoming):
    services.request_keep(actor=second, request=incoming)
    page = login(leader).get(reverse("circulation:validation")).content.decode()

    card = page[page.index(f'id="card-{incoming.pk}"') :]
    form = card[card.index("<form") : card.index("</form>")]
    # Enter in a text input submits its form with the first button: Approve, and the reassurance mail.
    assert not re.search(r"<input[^>]*name=\"note\"", form)
    assert re.search(r"<textarea[^>]*name=\"note\"[^>]*maxlength=\"2000\"", form)
    # Nothing else in the form could trigger an implicit submission.
    assert not re.search(r"<input(?![^>]*type=\"hidden\")[^>]*>", form)


def test_a_deferred_request_is_not_offered_later_again_and_notes_keep_their_lines(second, leader, incoming):
    services.request_keep(actor=second, request=incoming)
    services.request_defer(actor=leader, request=incoming)
    page = login(leader).get(reverse("circulation:validation")).content.decode()
    card = page[page.index(f'id="card-{incoming.pk}"') :]
    form = card[card.index("<form") : card.index("</form>")]
    assert reverse("circulation:defer", args=[incoming.pk]) not in form
    assert reverse("circulation:approve", args=[incoming.pk]) in form

    services.request_approve(actor=leader, request=incoming, note="Ligne un\nLigne deux")
    page = login(leader).get(reverse("circulation:detail", args=[incoming.pk])).content.decode()
    assert "Ligne un<br>Ligne deux" in page
