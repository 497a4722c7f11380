"""Browser fixtures for the end-to-end tests: Debian's Chromium driven by Playwright (sync API).

Nothing is downloaded: the tests skip with a clear reason when /usr/bin/chromium or Playwright is missing
(and fail under CI, see tests/components.py).
Every browser context is French (locale fr-FR and an Accept-Language header), like a user in France.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require_component

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
FRENCH = {"locale": "fr-FR", "extra_http_headers": {"Accept-Language": "fr-FR,fr;q=0.9"}}


def _require_browser() -> None:
    require_component(
        "Playwright for Python",
        importlib.util.find_spec("playwright") is not None,
        "install the dev dependencies (make dev-install)",
    )
    require_component(
        "Chromium", CHROMIUM.exists(), f"{CHROMIUM}: install Debian's chromium (make system-deps)"
    )


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One headless Chromium per module (module scope: its event loop is gone before other tests run)."""
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def french_page(chromium: Any, live_server: Any) -> Iterator[Callable[[], Any]]:
    """A factory of pages, each in its own French browser context (its own cookies: one person each).

    Uncaught JavaScript errors on any page are collected and fail the test at teardown.
    """
    contexts: list[Any] = []
    js_errors: list[str] = []

    def open_page() -> Any:
        context = chromium.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 900}, **FRENCH
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: js_errors.append(f"{page.url}: {exc}"))
        # A script or style the Content-Security-Policy refused is a broken feature too.
        page.on(
            "console",
            lambda msg: (
                js_errors.append(f"{page.url}: {msg.text}") if "Content Security Policy" in msg.text else None
            ),
        )
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not js_errors, f"JavaScript errors in the pages: {js_errors}"


@pytest.fixture
def screenshot() -> Callable[[Any, str], None]:
    """screenshot(page, "01-form") writes a full-page PNG into test-artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page: Any, name: str) -> None:
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return take


@pytest.fixture(scope="module", autouse=True)
def allow_orm_beside_playwright() -> Iterator[None]:
    """Playwright's sync API runs an event loop in this thread; the ORM calls here are still synchronous.

    Set only while a module of this folder runs (not at import): a variable left in os.environ leaks into
    the rest of the session, e.g. into `manage.py check --deploy` subprocesses, which then report
    async.E001.
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous
