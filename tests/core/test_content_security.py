"""A Content-Security-Policy on every page (no inline script), and no copy of mail or people kept in caches."""

from __future__ import annotations

import re
from pathlib import Path

from django.urls import reverse

from cercle.circle import services as circle
from cercle.circle.models import Offer
from cercle.circulation import services as circulation
from tests.conftest import login
from tests.factories import RequestFactory

ROOT = Path(__file__).resolve().parents[2]


def policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in header.split(";") if part.strip()}


def test_every_page_has_a_policy_that_allows_no_inline_script(client, db, second):
    for response in (
        client.get(reverse("intake:ask")),
        client.get(reverse("accounts:login")),
        login(second).get(reverse("triage:queue")),
    ):
        directives = policy(response)
        assert directives["script-src"] == "script-src 'self'"
        assert directives["frame-ancestors"] == "frame-ancestors 'none'"
        assert directives["object-src"] == "object-src 'none'"


def test_no_template_holds_an_inline_script_or_handler():
    found = []
    for template in (ROOT / "cercle").rglob("*.html"):
        text = template.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\son[a-z]+\s*=\s*[\"']", text):
            found.append(str(template.relative_to(ROOT)))
    assert found == []


def test_pages_that_show_mail_or_people_are_never_cached(db, second, leader):
    request = RequestFactory()
    response = login(leader).get(reverse("circulation:detail", args=[request.pk]))
    assert "no-store" in response["Cache-Control"]


def test_the_project_page_is_never_cached_either(db, second, leader, member):
    request = RequestFactory()
    circulation.request_keep(actor=second, request=request)
    circulation.request_approve(actor=leader, request=request)
    circle.request_route(actor=second, request=request, members=[member], brief="Brief")
    circle.offer_accept(actor=member, offer=Offer.objects.get(request=request))
    response = login(member).get(reverse("projects:detail", args=[request.pk]))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
