"""Every button shown works: a page never offers a link or a gesture that answers "not allowed".

For each persona, a crawler starts from their home page (and the page of every request and project of a
hub with a request at each stage), reads every page it reaches with an HTML parser, and follows
everything the page offers: links (`<a href>`), htmx loads (`hx-get`) and forms (`action`,
`formaction`, `hx-post`), submitted as a click would send them. A link must open (below 400, after
redirects); a form must be accepted or refused for a reason (200, 302, 400, 409), never 403 or 405.
Each form is sent inside a rolled-back savepoint, so one gesture does not change the next page.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.template import Context, Template
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from cercle.accounts.models import Role, User
from cercle.accounts.permissions import CAPABILITIES, UnknownCapability, may, may_run_project
from cercle.circle import services as circle
from cercle.circulation import services
from cercle.circulation.models import Request
from cercle.intake.services import message_ingest
from cercle.mail.parse import parse_message
from cercle.mailsync.models import LedgerEntry, LedgerStatus, MailAccount, Security
from cercle.outbox.models import OutgoingMessage
from cercle.projects import services as projects
from cercle.triage import services as triage
from cercle.triage.models import SenderRule
from tests.conftest import login
from tests.factories import RequestFactory
from tests.intake.mails import eml, file_part, multipart, text_part

ROOT = Path(__file__).resolve().parents[2]
HTMX = {"HTTP_HX_REQUEST": "true"}
# A form may be refused for what it says (a field left empty: 200 or 400 with the form again, 409 when
# someone acted first) but never for who sends it.
POST_ANSWERS = {200, 204, 302, 303, 400, 409}
# Pages whose own links are not ours to crawl (Django's admin) or that are not pages.
NOT_CRAWLED = ("/admin/", "/jsi18n/", "/static/")


# --- What a page offers ---------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    method: str
    url: str
    htmx: bool
    data: tuple[tuple[str, str], ...] = ()
    found_on: str = ""

    @property
    def key(self) -> tuple[str, str, bool]:
        return (self.method, self.url, self.htmx)


@dataclass
class _Form:
    method: str
    action: str
    hx_post: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    buttons: list[dict[str, str]] = field(default_factory=list)


class PageTargets(HTMLParser):
    """Links, htmx loads and form submissions of one page, with the data each form sends as shown:
    hidden and pre-filled inputs, checked boxes, the selected (or first) option, the clicked button."""

    def __init__(self, page_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.targets: list[Target] = []
        self._form: _Form | None = None
        self._select: str | None = None
        self._select_value: str | None = None
        self._option: dict[str, str] | None = None
        self._option_text = ""
        self._textarea: str | None = None
        self._textarea_text = ""

    def _add(self, method: str, raw: str, *, htmx: bool, data: list[tuple[str, str]] | None = None) -> None:
        url = own_url(self.page_url, raw)
        if url is not None:
            self.targets.append(Target(method, url, htmx, tuple(data or ()), self.page_url))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {name: value or "" for name, value in attrs}
        if tag == "a" and "href" in a:
            self._add("GET", a["href"], htmx=False)
        if "hx-get" in a:
            self._add("GET", a["hx-get"], htmx=True)
        if tag == "form":
            self._form = _Form(a.get("method", "get").upper(), a.get("action", ""), a.get("hx-post", ""))
            return
        form = self._form
        if form is None:
            if "hx-post" in a:
                self._add("POST", a["hx-post"], htmx=True)
            return
        disabled = "disabled" in a
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "image"):
                if not disabled:
                    form.buttons.append(a)
            elif kind in ("checkbox", "radio"):
                if "checked" in a and not disabled and a.get("name"):
                    form.fields.append((a["name"], a.get("value", "on")))
            elif kind not in ("file", "button", "reset") and a.get("name") and not disabled:
                form.fields.append((a["name"], a.get("value", "")))
        elif tag == "button":
            if a.get("type", "submit").lower() == "submit" and not disabled:
                form.buttons.append(a)
        elif tag == "select" and not disabled:
            self._select, self._select_value = a.get("name"), None
        elif tag == "option" and self._select is not None:
            self._option, self._option_text = a, ""
        elif tag == "textarea" and not disabled:
            self._textarea, self._textarea_text = a.get("name"), ""

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option_text += data
        if self._textarea is not None:
            self._textarea_text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" and self._option is not None:
            value = self._option.get("value", self._option_text.strip())
            if self._select_value is None or "selected" in self._option:
                self._select_value = value
            self._option = None
        elif tag == "select" and self._select is not None and self._form is not None:
            if self._select_value is not None:
                self._form.fields.append((self._select, self._select_value))
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form.fields.append((self._textarea, self._textarea_text))
            self._textarea = None
        elif tag == "form" and self._form is not None:
            self._submit(self._form)
            self._form = None

    def _submit(self, form: _Form) -> None:
        """One submission per button (a form without a button is sent by a script: one submission)."""
        for button in form.buttons or [{}]:
            data = list(form.fields)
            if button.get("name"):
                data.append((button["name"], button.get("value", "")))
            method = button.get("formmethod", form.method).upper()
            self._add(method, button.get("formaction") or form.action or self.page_url, htmx=False, data=data)
            hx_post = button.get("hx-post") or form.hx_post
            if hx_post:
                self._add("POST", hx_post, htmx=True, data=data)


def own_url(page_url: str, raw: str) -> str | None:
    """The app's own path and query for a link, or None for another site, an anchor or a static file."""
    if not raw or raw.startswith("#"):
        return None
    parts = urlsplit(urljoin(f"http://testserver{page_url}", raw))
    if parts.scheme not in ("http", "https") or parts.netloc != "testserver":
        return None
    if parts.path.startswith("/static/"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def view_name(url: str) -> str:
    try:
        return resolve(urlsplit(url).path).view_name
    except Resolver404:
        return f"<no view: {url}>"


# --- The crawl -----------------------------------------------------------------------------------


@dataclass
class Crawl:
    opened: set[str] = field(default_factory=set)  # view names of the pages that opened
    posted: set[str] = field(default_factory=set)  # view names of the forms sent
    broken: list[str] = field(default_factory=list)


def _page_url(response: HttpResponse) -> str:
    query = response.request.get("QUERY_STRING", "")
    return response.request["PATH_INFO"] + (f"?{query}" if query else "")


def _read(response: HttpResponse) -> list[Target]:
    """What the page offers, when it is one of ours and HTML."""
    url = _page_url(response)
    if response.streaming:  # a download (an attachment): read to the end, which closes it; nothing to follow
        b"".join(response.streaming_content)
        return []
    if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
        return []
    if url.startswith(NOT_CRAWLED):
        return []
    parser = PageTargets(url)
    parser.feed(response.content.decode())
    parser.close()
    return parser.targets


def _shape(target: Target) -> tuple[str, str]:
    """What URLs of the same kind share: the path with its numbers blanked, and the names of the query's
    fields ("/network/debrief/?at,period")."""
    path, _, query = target.url.partition("?")
    return target.method, re.sub(r"\d+", "N", path) + "?" + ",".join(sorted(parse_qs(query)))


def crawl(user: User, seeds: list[str], *, per_shape: int = 120, limit: int = 3000) -> Crawl:
    """Open the seeds (whatever they answer) and check everything they, and the pages they lead to, offer.

    A page that links to ever new URLs (a "next month" that never ends) fails the crawl: no kind of URL
    may come in more than `per_shape` versions. The hub's pages are many (a request's page leads to its
    requester's, the debrief to its past periods, more of them on some days of the year), so the whole
    crawl is only bounded loosely."""
    result = Crawl()
    client = login(user)
    queue: deque[Target] = deque()
    seen: set[tuple[str, str, bool]] = set()
    shapes: Counter[tuple[str, str]] = Counter()
    for url in seeds:
        response = client.get(url, follow=True)
        if response.status_code == 200:
            result.opened.add(view_name(_page_url(response)))
        queue.extend(_read(response))
    while queue:
        target = queue.popleft()
        if target.key in seen:
            continue
        seen.add(target.key)
        shapes[_shape(target)] += 1
        assert shapes[_shape(target)] <= per_shape, f"the crawl does not end: ever new URLs like {target.url}"
        assert len(seen) < limit, "the crawl does not end: a page links to ever new URLs"
        where = f"{target.method} {target.url}{' (htmx)' if target.htmx else ''}, shown on {target.found_on}"
        if target.method == "GET":
            response = client.get(target.url, follow=True, **(HTMX if target.htmx else {}))
            if response.status_code >= 400:
                result.broken.append(f"{where}: {response.status_code}")
                continue
            result.opened.add(view_name(_page_url(response)))
            queue.extend(_read(response))
        else:
            result.posted.add(view_name(target.url))
            problem = _post(user, target)
            if problem:
                result.broken.append(f"{where}: {problem}")
    return result


def _post(user: User, target: Target) -> str:
    """Send the form as shown, as `user`, then forget what it did. Returns what went wrong, if anything."""
    data: dict[str, list[str]] = {}
    for name, value in target.data:
        data.setdefault(name, []).append(value)
    with transaction.atomic():
        client = login(user)
        response = client.post(target.url, data, **(HTMX if target.htmx else {}))
        problem = "" if response.status_code in POST_ANSWERS else str(response.status_code)
        if not problem and response.status_code in (302, 303):
            landing = client.get(response["Location"], follow=True)
            if landing.status_code >= 400:
                problem = (
                    f"{response.status_code} to {response['Location']}, which answers {landing.status_code}"
                )
        transaction.set_rollback(True)
    return problem


# --- A hub with a request at every stage ---------------------------------------------------------


PDF = b"%PDF-1.4\n" + b"devis " * 100


def _ingest(raw: bytes) -> Request:
    result = message_ingest(parsed=parse_message(raw), raw=raw)
    return Request.objects.get(pk=result.request_id)


def _newsletter(n: int) -> bytes:
    return eml(
        message_id=f"<lettre-{n}@news.example>",
        sender="La lettre <lettre@news.example>",
        subject=f"La lettre du dirigeant n°{n}",
        headers="List-Id: <lettre.news.example>\r\nList-Unsubscribe: <https://news.example/u>\r\n"
        "Precedence: bulk\r\n",
        body="Les nouvelles de la semaine.",
    )


@pytest.fixture
def hub(
    db, settings, tmp_path, second, leader, member, other_member, outsider, admin_user
) -> dict[str, Request]:
    settings.DATA_DIR = tmp_path
    requests: dict[str, Request] = {}
    # First in the triage queue, two from one sender: the panel offers to dismiss them all at once.
    for n in (1, 2):
        _ingest(_newsletter(n))
    # Received by mail, with an attachment and its original.
    requests["received"] = _ingest(
        multipart(
            [text_part("Bonjour, voici notre devis."), file_part(PDF, filename="devis.pdf")],
            message_id="<devis@client.example>",
            subject="Accompagnement de notre transition",
        )
    )
    triage.suggestions_compute_pending()

    def kept() -> Request:
        request = RequestFactory()
        services.request_keep(actor=second, request=request)
        return request

    def approved() -> Request:
        request = kept()
        services.request_approve(actor=leader, request=request)
        return request

    def led() -> Request:
        request = approved()
        [offer] = circle.request_route(actor=second, request=request, members=[member], brief="Pour toi")
        circle.offer_accept(actor=member, offer=offer)
        request.refresh_from_db()
        projects.project_add_member(actor=member, project=request.project, member=other_member)
        return request

    requests["kept"] = kept()
    requests["deferred"] = kept()
    services.request_defer(actor=leader, request=requests["deferred"])
    requests["declined"] = kept()
    services.request_decline(actor=leader, request=requests["declined"])
    requests["dismissed"] = RequestFactory()
    services.request_dismiss(actor=second, request=requests["dismissed"], reason="spam")
    requests["approved"] = approved()
    requests["offered"] = approved()
    circle.request_route(
        actor=second, request=requests["offered"], members=[member, other_member], brief="Qui le prend ?"
    )
    requests["accepted"] = led()
    requests["kicked_off"] = led()
    services.request_kick_off(actor=member, request=requests["kicked_off"])
    requests["closed"] = led()
    services.request_close(actor=member, request=requests["closed"], outcome="won")

    # A mail that failed to leave, a sender rule, a mailbox with a failure and a sync running.
    OutgoingMessage.objects.filter(pk=OutgoingMessage.objects.order_by("id").values("pk")[:1]).update(
        status="failed", last_error="Connection refused"
    )
    SenderRule.objects.create(
        scope="domain", value="pub.example", action="dismiss", reason="solicitation", created_by=second
    )
    account = MailAccount(
        name="Boîte de Léa",
        host="127.0.0.1",
        port=1,  # nothing listens: a retry fails at once, and says so
        security=Security.NONE,
        username="lea",
        sync_running_since=timezone.now(),
        sync_total=3,
    )
    account.password = "secret-imap"
    account.save()
    LedgerEntry.objects.create(
        account=account, folder="INBOX", uidvalidity=1, uid=7, status=LedgerStatus.FAILED, error="boom"
    )
    return requests


def seeds(hub: dict[str, Request]) -> list[str]:
    """The home page, then the page of every request and project, whether the persona may open it or not
    (what it opens is then crawled; a 404 for a request a member was never offered is right)."""
    urls = [reverse("home")]
    for request in hub.values():
        urls.append(reverse("circulation:detail", args=[request.pk]))
        if request.lead_id:
            urls.append(reverse("projects:detail", args=[request.pk]))
    return urls


# What each persona must at least reach, so that the crawl cannot pass by seeing nothing.
STAFF_OPENS = {
    "circulation:dashboard",
    "circulation:detail",
    "projects:detail",
    "outbox:list",
    "mailsync:list",
    "mailsync:edit",
    "mailsync:failures",
    "mailsync:progress",
    "intake:attachment",
    "intake:message_original",
}
TRIAGE_OPENS = {
    "triage:queue",
    "triage:preview",
    "triage:brief",
    "triage:rules",
    "triage:quality",
    "circle:routing",
    "circle:route",
    "intake:linkedin_import",
    "people:network",
    "people:plan",
    "people:drifting",
    "people:duplicates",
    "people:new",
    "people:my_offer",
}
TRIAGE_POSTS = {
    "triage:keep",
    "triage:dismiss",
    "triage:restore",
    "triage:rule_create",
    "triage:bulk_dismiss",
    "triage:rule_delete",
    "circle:route",
    "outbox:retry",
    "circulation:kick_off",
    "projects:close",
    "projects:team",
    "projects:step",
    "projects:update",
    "mailsync:sync",
    "mailsync:failure_retry",
}
EXPECTED: dict[str, tuple[set[str], set[str]]] = {
    "second": (STAFF_OPENS | TRIAGE_OPENS, TRIAGE_POSTS),
    "leader": (
        STAFF_OPENS | TRIAGE_OPENS | {"circulation:validation"},
        TRIAGE_POSTS | {"circulation:approve", "circulation:defer", "circulation:decline"},
    ),
    "member": (
        {
            "circle:opportunities",
            "circulation:detail",
            "projects:detail",
            "people:network",
            "people:my_offer",
        },
        {"circle:accept", "circle:decline", "circulation:kick_off", "projects:close", "projects:team"},
    ),
    "other_member": (
        {"circle:opportunities", "circulation:detail", "projects:detail"},
        {"circle:accept", "projects:step", "projects:toggle_step", "projects:update", "projects:meeting"},
    ),
    "admin_user": (STAFF_OPENS | {"admin:index"}, {"mailsync:sync", "mailsync:failures_retry"}),
}


@pytest.mark.parametrize("persona", list(EXPECTED))
def test_every_link_and_button_shown_to_a_persona_works_for_them(request, hub, persona):
    user = request.getfixturevalue(persona)

    result = crawl(user, seeds(hub))

    assert result.broken == [], "\n".join(result.broken)
    opens, posts = EXPECTED[persona]
    assert opens <= result.opened, f"never reached: {sorted(opens - result.opened)}"
    assert posts <= result.posted, f"never offered: {sorted(posts - result.posted)}"


# --- The mismatches this found, said plainly ---------------------------------------------------


def _offered(client_user: User, url: str) -> set[str]:
    response = login(client_user).get(url)
    assert response.status_code == 200
    parser = PageTargets(url)
    parser.feed(response.content.decode())
    return {view_name(t.url) for t in parser.targets}


def test_an_admin_is_not_offered_to_put_a_dismissed_request_back_in_the_triage_queue(hub, admin_user, second):
    url = reverse("circulation:detail", args=[hub["dismissed"].pk])
    assert "triage:restore" not in _offered(admin_user, url)
    assert "triage:restore" in _offered(second, url)


def test_the_admin_s_menu_holds_only_the_pages_an_admin_opens(hub, admin_user):
    menu = _offered(admin_user, reverse("circulation:dashboard"))
    assert {"circulation:dashboard", "outbox:list", "mailsync:list", "admin:index"} <= menu
    assert not menu & {"triage:queue", "circulation:validation", "circle:routing", "intake:linkedin_import"}


def test_only_the_project_lead_of_a_team_is_offered_to_kick_off_or_close_it(hub, member, other_member):
    url = reverse("projects:detail", args=[hub["accepted"].pk])
    assert {"circulation:kick_off", "projects:close"} <= _offered(member, url)
    # A team member works in the project (steps, updates) but the outcome is the lead's.
    offered = _offered(other_member, url)
    assert "projects:update" in offered
    assert not offered & {"circulation:kick_off", "projects:close", "projects:team"}


# --- The helper itself ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.SECOND, {"triage", "route", "oversee", "mailboxes", "network", "network_all"}),
        (Role.LEADER, {"triage", "validate", "route", "oversee", "mailboxes", "network", "network_all"}),
        (Role.MEMBER, {"answer_offers", "network"}),
        (Role.ADMIN, {"oversee", "mailboxes"}),
    ],
)
def test_each_role_may_do_what_its_views_let_it(role, allowed):
    user = User(username="x", role=role)
    assert {name for name in CAPABILITIES if may(user, name)} == allowed


def test_an_anonymous_visitor_may_do_nothing():
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    assert not any(may(anonymous, name) for name in [*CAPABILITIES, "admin_site"])
    assert not may_run_project(anonymous, lead_id=None)


def test_a_capability_misspelt_in_a_template_fails_loudly_instead_of_hiding_the_button():
    template = Template('{% load permissions %}{% if user|may:"triage" %}yes{% endif %}')
    assert template.render(Context({"user": User(username="x", role=Role.SECOND)})) == "yes"
    with pytest.raises(UnknownCapability):
        Template('{% load permissions %}{% if user|may:"triaje" %}yes{% endif %}').render(
            Context({"user": User(username="x", role=Role.SECOND)})
        )


ROLE_TEST = re.compile(
    r"\brole\s*[!=]=|\buser\.role\b|is_superuser|is_staff|\"(second|leader|member|admin)\""
)


def test_no_template_decides_from_role_strings():
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted((ROOT / "cercle").rglob("templates/**/*.html"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if ROLE_TEST.search(line)
    ]
    assert offenders == [], "\n".join(offenders)
