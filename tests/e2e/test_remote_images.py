"""In a real Chromium, in French: opening an HTML mail with a tracking pixel fetches nothing from the
internet until the second chooses "Charger les images de cet expéditeur"."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from cercle.circulation.models import Direction
from cercle.intake.services import message_ingest
from cercle.mail.parse import parse_message
from tests.conftest import wait_until
from tests.e2e.conftest import FRENCH

PASSWORD = "secret-pass-123"  # the factories' password


@pytest.fixture
def tracker() -> Iterator[tuple[str, list[str]]]:
    """A pixel server on loopback that records every fetch (what a sender's tracker would learn)."""
    hits: list[str] = []
    gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"

    class Pixel(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/gif")
            self.end_headers()
            self.wfile.write(gif)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Pixel)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/open.gif?u=42", hits
    server.shutdown()


@pytest.mark.e2e
def test_a_tracking_pixel_loads_only_once_the_second_allows_it(
    transactional_db: None, live_server: Any, chromium: Any, second: Any, tracker: Any, screenshot: Any
) -> None:
    from playwright.sync_api import expect

    pixel, hits = tracker
    raw = (
        "From: Brand <news@brand.example>\r\nTo: lea@hub.example\r\nSubject: Nouveautés de la semaine\r\n"
        "Message-ID: <pixel@brand.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        f'<html><body><img src="{pixel}" width="300" height="80" alt="Nouveautés"></body></html>\r\n'
    ).encode()
    message_ingest(parsed=parse_message(raw), raw=raw, direction=Direction.INBOUND)

    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, **FRENCH
    )
    page = context.new_page()
    try:
        page.goto("/accounts/login/")
        page.fill('input[name="username"]', "samuel")
        page.fill('input[name="password"]', PASSWORD)
        with page.expect_navigation():
            page.locator('main form button[type="submit"]').click()
        frame = page.locator("#preview iframe.mail-html")
        expect(frame).to_have_count(1)
        page.wait_for_load_state("networkidle")
        expect(page.locator("#preview .remote-blocked")).to_contain_text("ne sont pas chargées")
        assert hits == [], "the preview fetched the pixel"
        screenshot(page, "remote-images-1-blocked")

        with page.expect_navigation():
            page.get_by_role("button", name="Charger les images de cet expéditeur").click()
        expect(page.locator(".flash")).to_contain_text("se chargent désormais")
        wait_until(lambda: hits == ["/open.gif?u=42"], timeout=10, what="the allowed image to load")
        expect(page.locator(".remote-blocked")).to_have_count(0)
        screenshot(page, "remote-images-2-allowed")
    finally:
        context.close()
