"""Refusals and missing pages are pages of the app, in the user's language, and one line in the log."""

from __future__ import annotations

import logging

from django.urls import reverse

from cercle.core.logging import RefusalsInOneLine
from tests.conftest import login


def test_a_refused_page_says_why_in_french_with_the_menu(member):
    response = login(member, language="fr").get(reverse("triage:queue"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "Votre rôle ne permet pas cette action." in page
    assert "<h1>Action non autorisée</h1>" in page
    assert reverse("circle:opportunities") in page  # the member's menu, a way back


def test_a_missing_page_is_the_app_s_page_not_a_list_of_urls(member):
    response = login(member, language="en").get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page
    assert "URLconf" not in page and "triage/" not in page


def test_refusals_are_logged_without_a_traceback_and_errors_keep_theirs():
    try:
        raise PermissionError("no")
    except PermissionError:
        import sys

        exc_info = sys.exc_info()
    refusal = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Forbidden", (), exc_info)
    refusal.status_code = 403
    crash = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Server error", (), exc_info)
    crash.status_code = 500
    keep = RefusalsInOneLine()
    assert keep.filter(refusal) and refusal.exc_info is None
    assert keep.filter(crash) and crash.exc_info is exc_info
