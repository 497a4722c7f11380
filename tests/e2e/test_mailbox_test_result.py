"""In a real Chromium, in French: the connection test's answer speaks of the fields as they were tested.
Once a field changes, the answer no longer stands: it gives way to "test again", so a fixed port does
not stay under an error about it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import FRENCH

PASSWORD = "secret-pass-123"  # the factories' password


@pytest.mark.e2e
def test_a_test_result_gives_way_once_a_field_changes(
    transactional_db: None, live_server: Any, chromium: Any, second: Any, screenshot: Any
) -> None:
    from playwright.sync_api import expect

    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, **FRENCH
    )
    context.set_default_timeout(10_000)
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto("/accounts/login/")
        page.fill('input[name="username"]', second.username)
        page.fill('input[name="password"]', PASSWORD)
        with page.expect_navigation():
            page.locator('main form button[type="submit"]').click()
        page.goto("/mailboxes/new/")
        page.fill('input[name="name"]', "Boîte de Léa")
        page.fill('input[name="host"]', "imap.example.org")
        page.fill('input[name="port"]', "70000")
        page.fill('input[name="username"]', "lea")
        page.fill('input[name="password"]', "mot-de-passe")

        page.get_by_role("button", name="Tester la connexion").click()
        result = page.locator("#test-result")
        expect(result).to_contain_text("Corrigez d'abord le formulaire")
        expect(result).to_have_class("flash error")
        screenshot(page, "mailbox-test-1-error")

        page.fill('input[name="port"]', "993")
        expect(result).to_have_text(
            "Les réglages ont changé depuis ce test\u00a0: testez à nouveau pour les vérifier."
        )
        expect(result).not_to_have_class("flash error")
        expect(page.get_by_text("Corrigez d'abord le formulaire")).to_have_count(0)
        screenshot(page, "mailbox-test-2-changed")
        assert errors == []
    finally:
        context.close()
