"""In a real browser: the second confirms the machine's suggestions with one key (`a`)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from cercle.circulation.models import Request
from tests.e2e.conftest import chromium, french_page  # noqa: F401 — the browser fixtures
from tests.triage.conftest import NEWSLETTER_FR, NEWSLETTER_HEADERS, SERIOUS_FR, ingest, mail


@pytest.fixture(scope="module", autouse=True)
def allow_orm_beside_playwright() -> Iterator[None]:
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.mark.e2e
def test_the_second_accepts_suggestions_with_one_key(
    transactional_db: None,
    live_server: Any,
    french_page: Any,  # noqa: F811
    second: Any,
) -> None:
    from playwright.sync_api import expect

    newsletter = ingest(
        mail(
            sender="La lettre <newsletter@example-media.fr>",
            subject="Lettre n° 88",
            body=NEWSLETTER_FR,
            headers=NEWSLETTER_HEADERS,
        )
    )
    serious = ingest(
        mail(sender="Claire Arnaud <claire@maison-arnaud.fr>", subject="Réorganisation", body=SERIOUS_FR)
    )
    # (transactional_db commits: the on-commit trigger has run the suggestions inline.)

    page = french_page()
    page.goto("/accounts/login/")
    page.fill('input[name="username"]', "samuel")
    page.fill('input[name="password"]', "secret-pass-123")
    with page.expect_navigation():
        page.locator('main form button[type="submit"]').click()
    page.goto("/triage/?order=score")
    first = page.locator("#queue li.selected")
    expect(first).to_have_attribute("data-id", str(serious.pk))  # likely opportunities first
    expect(first).to_have_attribute("data-suggest", "keep")
    expect(page.locator("#preview .triage-panel")).to_be_visible()

    page.keyboard.press("a")
    expect(page.locator(f"#q-{serious.pk}")).to_have_count(0)
    expect(page.locator("#queue li.selected")).to_have_attribute("data-suggest", "newsletter")
    page.keyboard.press("a")
    expect(page.locator(f"#q-{newsletter.pk}")).to_have_count(0)

    serious.refresh_from_db()
    newsletter.refresh_from_db()
    assert serious.state == "kept"
    assert (newsletter.state, newsletter.dismiss_reason) == ("dismissed", "newsletter")
    assert Request.objects.filter(state="received").count() == 0
