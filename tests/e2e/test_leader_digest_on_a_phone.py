"""In a real browser on a phone, in French, not signed in: the leader opens the "approve" link of the
digest, reads what it will do, adds a note and confirms; opening the link again says it was used."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone

from cercle.circulation.digest import digest_send
from cercle.circulation.models import Event, EventKind, Request
from cercle.outbox.models import OutgoingMessage
from tests.e2e.conftest import FRENCH
from tests.factories import RequestFactory

PHONE = {"width": 390, "height": 844}


@pytest.mark.e2e
def test_the_leader_approves_from_the_digest_on_a_phone_without_signing_in(
    transactional_db: None, live_server: Any, chromium: Any, screenshot: Any, leader: Any
) -> None:
    from playwright.sync_api import expect

    waiting = RequestFactory(state="kept", kept_at=timezone.now(), subject="Bilan carbone du siège")
    assert digest_send(leader=leader, day=timezone.localdate()) == "sent"
    body = OutgoingMessage.objects.get(idempotency_key__startswith="digest:").body
    approve = re.search(r"Valider\u00a0: http://[^/]+(/digest/[^/\s]+/)", body)
    assert approve is not None

    context = chromium.new_context(
        base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True, **FRENCH
    )
    csp_errors: list[str] = []
    try:
        page = context.new_page()
        page.on(
            "console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None
        )
        page.goto(approve.group(1))
        expect(page.locator("main h1")).to_have_text("Valider cette demande\u00a0?")
        expect(page.locator("main")).to_contain_text("Bilan carbone du siège")
        waiting.refresh_from_db()
        assert waiting.state == "kept"  # opening the link changed nothing
        screenshot(page, "digest-01-confirm-phone")

        page.fill("textarea[name=note]", "Oui, c'est pour Claire")
        page.locator("main form button[type=submit]").tap()
        expect(page.locator("main h1")).to_have_text("Validée")
        screenshot(page, "digest-02-done-phone")

        page.goto(approve.group(1))
        expect(page.locator("main h1")).to_have_text("Ce lien a déjà servi")
    finally:
        context.close()

    waiting = Request.objects.get(pk=waiting.pk)
    assert (waiting.state, waiting.decision_note) == ("approved", "Oui, c'est pour Claire")
    assert Event.objects.get(request=waiting, kind=EventKind.TRANSITION, to_state="approved").actor == leader
    assert not csp_errors
