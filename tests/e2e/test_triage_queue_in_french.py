"""The triage queue in French, in a real Chromium on a desktop screen:

- moving down a long queue with j, the preview stays in view (it sticks to the top of the screen);
- `u` (or the confirmation's « Annuler » button) undoes the last decision within its few seconds, and the
  message comes back in its place, selected; after that the button goes away and `u` does nothing;
- the order the second chose is the order of their next visit, from another device too.

Screenshots land in test-artifacts/screenshots/ (prefix `triage-fr-`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from cercle.circulation.models import Request
from cercle.triage.models import Suggestion
from tests.e2e.conftest import FRENCH
from tests.factories import RequestFactory

PASSWORD = "secret-pass-123"
NBSP = "\u00a0"


def waiting_requests(count: int) -> list[Request]:
    """`count` received requests, oldest first, each with the machine's score (the newest the likeliest)."""
    start = timezone.now() - timedelta(hours=count + 1)
    requests = []
    for i in range(count):
        req = RequestFactory(
            subject=f"Demande n°{i + 1} : accompagnement de notre équipe",
            summary="Nous sommes une PME et cherchons un accompagnement pour notre transformation. " * 2,
            received_at=start + timedelta(hours=i),
        )
        Suggestion.objects.create(request=req, category="serious", confidence=0.8, score=i / count)
        requests.append(req)
    return requests


@pytest.fixture
def sign_in(chromium: Any, live_server: Any) -> Iterator[Callable[[], Any]]:
    """sign_in(): Samuel, the second, on a French desktop browser of his own (its own cookies: another
    device). Uncaught JavaScript errors, and anything the Content-Security-Policy refused, fail the test."""
    contexts: list[Any] = []
    errors: list[str] = []

    def open_page() -> Any:
        context = chromium.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 800}, **FRENCH
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
        page.on(
            "console",
            lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None,
        )
        page.goto("/accounts/login/")
        page.fill('input[name="username"]', "samuel")
        page.fill('input[name="password"]', PASSWORD)
        with page.expect_navigation():
            page.locator('main form button[type="submit"]').click()
        assert page.url.endswith("/triage/")
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors in the pages: {errors}"


def expect_selected_with_preview(page: Any, req: Request) -> None:
    from playwright.sync_api import expect

    expect(page.locator("#queue li.selected")).to_have_attribute("data-id", str(req.pk))
    expect(
        page.locator(f'#preview article.preview .triage-actions a[href="/requests/{req.pk}/"]')
    ).to_be_visible()


@pytest.mark.e2e
def test_in_french_the_preview_stays_in_view_u_undoes_and_the_order_is_remembered(
    transactional_db: None, sign_in: Any, screenshot: Any, second: Any, settings: Any
) -> None:
    from playwright.sync_api import expect

    queue = waiting_requests(30)
    page = sign_in()
    expect(page.locator("p.keys")).to_contain_text("annuler la dernière décision")
    expect_selected_with_preview(page, queue[0])

    # --- 1. Down a long queue with j: the preview stays on screen -------------------------------
    for i in range(1, 25):
        page.keyboard.press("j")
        expect_selected_with_preview(page, queue[i])
    assert page.evaluate("() => window.scrollY") > 300  # the list scrolled far down
    expect(page.locator("#queue li.selected")).to_be_in_viewport()
    expect(page.locator("#preview article.preview header")).to_be_in_viewport()
    expect(page.locator("#preview article.preview header")).to_contain_text(queue[24].subject)
    top = page.evaluate("() => document.getElementById('preview').getBoundingClientRect().top")
    assert 0 <= top < 50, top  # at the top of the screen, not scrolled away
    screenshot(page, "triage-fr-1-sticky-preview")

    # --- 2. u undoes a dismissal ---------------------------------------------------------------
    target = queue[24]
    clock = Request.objects.get(pk=target.pk).state_changed_at
    page.keyboard.press("4")  # spam
    expect(page.locator(f"#q-{target.pk}")).to_have_count(0)
    expect_selected_with_preview(page, queue[25])  # the next one took its place
    toast = page.locator("#messages .undo")
    expect(toast).to_contain_text(f"Écartée{NBSP}: «{NBSP}{target.subject}{NBSP}».")
    expect(toast.locator("button")).to_contain_text("Annuler")
    expect(toast).to_be_in_viewport()  # on screen, though the page is scrolled down the queue
    screenshot(page, "triage-fr-2-dismissed-with-undo")
    assert Request.objects.get(pk=target.pk).state == "dismissed"

    page.keyboard.press("u")
    expect(page.locator(f"#q-{target.pk}")).to_have_count(1)
    expect_selected_with_preview(page, target)
    expect(page.locator(f"#q-{target.pk}")).to_be_in_viewport()
    expect(page.locator("#messages")).to_contain_text(
        f"Décision annulée{NBSP}: «{NBSP}{target.subject}{NBSP}» est de retour dans la file de tri."
    )
    expect(page.locator("#messages .undo")).to_have_count(0)
    undone = Request.objects.get(pk=target.pk)
    assert (undone.state, undone.state_changed_at, undone.dismiss_reason) == ("received", clock, "")
    screenshot(page, "triage-fr-3-undone")

    # --- 3. The « Annuler » button undoes a keep -------------------------------------------------
    page.keyboard.press("y")
    expect(page.locator(f"#q-{target.pk}")).to_have_count(0)
    expect(page.locator("#messages .undo")).to_contain_text(f"Retenue{NBSP}: «{NBSP}{target.subject}")
    page.locator("#messages .undo button").click()
    expect(page.locator(f"#q-{target.pk}")).to_have_count(1)
    expect_selected_with_preview(page, target)
    assert Request.objects.get(pk=target.pk).state == "received"

    # --- 4. Once the time is up, the button goes away and u does nothing --------------------------
    settings.CERCLE = {**settings.CERCLE, "TRIAGE_UNDO_SECONDS": 1}
    page.keyboard.press("1")  # solicitation
    expect(page.locator(f"#q-{target.pk}")).to_have_count(0)
    expect(page.locator("#messages .undo button")).to_have_count(0, timeout=5_000)
    expect(page.locator("#messages")).to_contain_text(f"Écartée{NBSP}: «{NBSP}{target.subject}")  # still said
    page.keyboard.press("u")
    page.wait_for_load_state("networkidle")
    expect(page.locator(f"#q-{target.pk}")).to_have_count(0)
    assert Request.objects.get(pk=target.pk).state == "dismissed"

    # --- 5. The order chosen is the order of the next visit, on another device too ----------------
    with page.expect_navigation():
        page.locator(".order-toggle a", has_text="opportunités probables d'abord").click()
    newest = queue[-1]
    expect(page.locator("#queue li").first).to_have_attribute("data-id", str(newest.pk))
    page.goto("/triage/")  # no order in the address
    expect(page.locator(".order-toggle a[aria-current]")).to_have_text("opportunités probables d'abord")
    expect(page.locator("#queue li").first).to_have_attribute("data-id", str(newest.pk))
    phone_or_laptop = sign_in()
    expect(phone_or_laptop.locator(".order-toggle a[aria-current]")).to_have_text(
        "opportunités probables d'abord"
    )
    expect(phone_or_laptop.locator("#queue li").first).to_have_attribute("data-id", str(newest.pk))
    screenshot(phone_or_laptop, "triage-fr-4-order-remembered")
