"""In a real browser: the dismiss gestures of the screener share one reason, preselected from the
machine's reading and changeable by the second; "always dismiss" and "dismiss all" both use it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from cercle.circulation.models import Request
from cercle.triage.models import SenderRule
from tests.e2e.conftest import chromium, french_page, screenshot  # noqa: F401 — the browser fixtures
from tests.triage.conftest import PITCH_EN, ingest, mail


@pytest.fixture(scope="module", autouse=True)
def allow_orm_beside_playwright() -> Iterator[None]:
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _open_queue(page: Any) -> None:
    page.goto("/accounts/login/")
    page.fill('input[name="username"]', "samuel")
    page.fill('input[name="password"]', "secret-pass-123")
    with page.expect_navigation():
        page.locator('main form button[type="submit"]').click()
    page.goto("/triage/")


@pytest.mark.e2e
def test_always_dismiss_uses_the_preselected_reason_and_dismiss_all_the_chosen_one(
    transactional_db: None,
    live_server: Any,
    french_page: Any,  # noqa: F811
    screenshot: Any,  # noqa: F811
    second: Any,
) -> None:
    from playwright.sync_api import expect

    pitches = [
        ingest(mail(sender="Ryan <ryan@pipelinehero.example>", subject=f"Quick question {i}", body=PITCH_EN))
        for i in range(2)
    ]
    others = [
        ingest(mail(sender="Mia <mia@growthlab.example>", subject=f"Idea {i}", body=PITCH_EN))
        for i in range(3)
    ]
    page = french_page()
    _open_queue(page)
    expect(page.locator("#queue li.selected")).to_have_attribute("data-id", str(pitches[0].pk))
    expect(page.locator("#preview article.preview header h2")).to_have_text("Quick question 0")
    gestures = page.locator("#preview form.dismiss-gestures")
    expect(gestures.locator('select[name="reason"]')).to_have_value("solicitation")
    screenshot(page, "triage-screener-dismiss-gestures")
    gestures.locator('button[name="scope"][value="address"]').click()
    expect(page.locator(f"#q-{pitches[0].pk}")).to_have_count(0)
    expect(page.locator(f"#q-{pitches[1].pk}")).to_have_count(0)
    assert SenderRule.objects.get(value="ryan@pipelinehero.example").reason == "solicitation"
    assert set(
        Request.objects.filter(pk__in=[p.pk for p in pitches]).values_list("dismiss_reason", flat=True)
    ) == {"solicitation"}

    # The queue moves on to the next message (one preview request: no click that would race it) …
    expect(page.locator("#queue li.selected")).to_have_attribute("data-id", str(others[0].pk))
    expect(page.locator("#preview article.preview header h2")).to_have_text("Idea 0")
    # … and the second files this other sender as spam, all at once.
    gestures = page.locator("#preview form.dismiss-gestures")
    gestures.locator('select[name="reason"]').select_option("spam")
    page.once("dialog", lambda dialog: dialog.accept())
    gestures.locator("button.contrast").click()
    for request in others:
        expect(page.locator(f"#q-{request.pk}")).to_have_count(0)
    assert set(
        Request.objects.filter(pk__in=[o.pk for o in others]).values_list("state", "dismiss_reason")
    ) == {("dismissed", "spam")}
    assert not SenderRule.objects.filter(value__contains="growthlab").exists()
