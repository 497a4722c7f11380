"""Accessibility in a real Chromium: what automated rules see, and what only a keyboard walk shows.

- axe-core (tests/e2e/package.json, installed by `make js-deps`, injected from that local file) runs on every
  main screen, in French and in English, on a desktop (1280 px) and on a phone (390 px): no violation of
  impact moderate or above.
- The triage queue, with the keyboard alone: the list is one tab stop (arrow keys and an active descendant,
  j/k too), a decision by key or by button leaves focus on the queue, on the next message; "Edit the brief"
  and saving it keep focus in the brief; single-key shortcuts do nothing when a link has focus, and can be
  turned off; decisions and moves are announced through the one live region of the page.
- The leader's validation queue, with the keyboard alone: j/k move from card to card, a approves, l sets
  aside, d puts focus in the note and Ctrl+Enter declines; after each decision focus is on the next card and
  the live region says what happened and how many requests are left.
- The focus ring contrasts at least 3:1 with what is around it, on every control reached by Tab, in the
  light and the dark theme.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from cercle.circle import services as circle
from cercle.circulation import services as circulation
from cercle.circulation.models import Request
from cercle.outbox.models import OutgoingMessage, OutgoingStatus
from cercle.triage.models import Brief, Suggestion
from tests.conftest import require_component
from tests.factories import ContactFactory, RequestFactory

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "secret-pass-123"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
LANGUAGES = {
    "fr": {"locale": "fr-FR", "extra_http_headers": {"Accept-Language": "fr-FR,fr;q=0.9"}},
    "en": {"locale": "en-GB", "extra_http_headers": {"Accept-Language": "en-GB,en;q=0.9"}},
}
REPORTED = ("moderate", "serious", "critical")
# What the tests below found, for the note of whoever runs them with -s.
AXE_SUMMARY: dict[str, Any] = {"runs": 0, "violations": []}


def _require_axe() -> None:
    require_component("axe-core", AXE.exists(), f"{AXE}: run `make js-deps` (npm ci --prefix tests/e2e)")


@pytest.fixture
def open_as(chromium: Any, live_server: Any) -> Iterator[Callable[..., Any]]:
    """open_as("samuel", "fr", DESKTOP): a page of its own, signed in through the login form (None: anonymous);
    axe=True for a page axe-core runs on.

    Uncaught JavaScript errors, and anything the Content-Security-Policy refused, fail the test.
    """
    contexts: list[Any] = []
    errors: list[str] = []

    def open_page(
        username: str | None, language: str = "fr", viewport: dict[str, int] = DESKTOP, *, axe: bool = False
    ) -> Any:
        phone = viewport["width"] < 600
        context = chromium.new_context(
            base_url=live_server.url,
            viewport=viewport,
            is_mobile=phone,
            has_touch=phone,
            # axe-core is injected as a script of the page, which the app's Content-Security-Policy refuses:
            # only the contexts that run it set the policy aside (the keyboard walks keep it).
            bypass_csp=axe,
            **LANGUAGES[language],
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
        page.on(
            "console",
            lambda msg: (
                errors.append(f"{page.url}: {msg.text}") if "Content Security Policy" in msg.text else None
            ),
        )
        if username:
            page.goto("/accounts/login/")
            page.fill('input[name="username"]', username)
            page.fill('input[name="password"]', PASSWORD)
            with page.expect_navigation():
                page.locator('main form button[type="submit"]').click()
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors in the pages: {errors}"


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations of impact moderate or above on the page as it stands, one line per rule."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async () => {
            const results = await axe.run(document, { resultTypes: ["violations"] });
            return {
                version: axe.version,
                violations: results.violations.map((v) => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.slice(0, 4).map((n) => n.target.join(" ")),
                })),
            };
        }"""
    )
    AXE_SUMMARY["version"] = found["version"]
    AXE_SUMMARY["runs"] += 1
    minor = [v for v in found["violations"] if v["impact"] not in REPORTED]
    if minor:  # not failures, but said, so that they are seen
        print(f"\n  minor on {page.url}: " + "; ".join(f"{v['id']} at {v['nodes']}" for v in minor))
    return [v for v in found["violations"] if v["impact"] in REPORTED]


def references_missing(page: Any) -> list[dict[str, Any]]:
    """aria-describedby, aria-labelledby, aria-activedescendant and label[for] naming an id the page lacks
    (axe-core only reports one when none of the ids exists)."""
    missing = page.evaluate(
        """() => {
            const out = [];
            for (const attr of ["aria-describedby", "aria-labelledby", "aria-activedescendant", "aria-controls"]) {
                for (const el of document.querySelectorAll(`[${attr}]`)) {
                    for (const id of el.getAttribute(attr).split(/\\s+/).filter(Boolean)) {
                        if (!document.getElementById(id)) out.push(`${el.tagName.toLowerCase()}[${attr}=${id}]`);
                    }
                }
            }
            return out;
        }"""
    )
    return (
        [{"impact": "serious", "id": "missing-reference", "help": "names no element", "nodes": missing}]
        if missing
        else []
    )


def build_hub(second: Any, leader: Any, member: Any) -> dict[str, Any]:
    """A hub with something on every screen: messages to triage (one in English), requests to validate (with
    a brief), one to route, a project with its first steps, mail in the outbox (sent and failed)."""
    now = timezone.now()
    waiting = []
    for i, (subject, language) in enumerate(
        [
            ("Accompagnement de notre transition énergétique", "fr"),
            ("Help with our product strategy", "en"),
            ("Formation des managers au dialogue social", "fr"),
        ]
    ):
        req = RequestFactory(
            subject=subject,
            language=language,
            summary="We are a small company looking for advice."
            if language == "en"
            else "Nous cherchons un appui.",
            requester=ContactFactory(name="Oliver Smith", language="en")
            if language == "en"
            else ContactFactory(),
            received_at=now - timedelta(hours=10 - i),
        )
        Suggestion.objects.create(request=req, category="serious", confidence=0.8, score=0.5)
        waiting.append(req)
    to_validate = []
    for i in range(3):
        req = RequestFactory(
            subject=f"Demande à valider n°{i + 1}", received_at=now - timedelta(hours=30 - i)
        )
        circulation.request_keep(actor=second, request=req)
        Brief.objects.create(
            request=req, person="Claire Arnaud", organisation="Maison Arnaud", need="Un bilan carbone"
        )
        to_validate.append(req)
    to_route = RequestFactory(
        subject="Refonte du site de la coopérative", received_at=now - timedelta(days=2)
    )
    circulation.request_keep(actor=second, request=to_route)
    circulation.request_approve(actor=leader, request=to_route)
    project = RequestFactory(
        subject="Transition énergétique de la coopérative", received_at=now - timedelta(days=3)
    )
    circulation.request_keep(actor=second, request=project)
    circulation.request_approve(actor=leader, request=project)
    [offer] = circle.request_route(actor=second, request=project, members=[member], brief="Cadrer le projet")
    circle.offer_accept(actor=member, offer=offer)
    OutgoingMessage.objects.create(
        idempotency_key="a11y:failed", request=project, message_id="<a11y-failed@hub.example>",
        from_email="cercle@hub.example", to=["Inès Moreau <ines.moreau@example.org>"],
        subject="Votre demande", body="…", status=OutgoingStatus.FAILED, attempts=5, last_error="550 unknown user",
    )  # fmt: skip
    return {"waiting": waiting, "to_validate": to_validate, "to_route": to_route, "project": project}


def main_screens(hub: dict[str, Any]) -> list[tuple[str | None, str]]:
    """(who, address) of every main screen. Not yet the network's list (/network/): its two search forms
    are landmarks without a name of their own (axe-core's landmark-unique), to fix in the people app."""
    english = hub["waiting"][1]
    return [
        (None, "/accounts/login/"),
        (None, "/ask/"),
        ("samuel", "/triage/"),
        ("samuel", f"/triage/requests/{english.pk}/brief/"),
        ("samuel", "/triage/rules/"),
        ("samuel", "/triage/quality/"),
        ("samuel", f"/requests/{english.pk}/"),
        ("samuel", "/requests/new/"),
        ("samuel", "/routing/"),
        ("samuel", f"/routing/{hub['to_route'].pk}/"),
        ("samuel", "/import/linkedin/"),
        ("samuel", "/settings/"),
        ("lea", "/validation/"),
        ("lea", "/dashboard/"),
        ("lea", "/outbox/"),
        ("lea", "/projects/"),
        ("lea", f"/projects/{hub['project'].pk}/"),
        ("lea", "/settings/clocks/"),
        ("lea", "/mailboxes/"),
        ("lea", "/mailboxes/new/"),
        ("lea", "/network/new/"),
        ("lea", "/network/"),
        ("lea", "/network/matches/"),
        ("lea", "/network/debrief/"),
        ("lea", "/network/introductions/"),
        ("samuel", "/account/api-tokens/"),
        ("claire", "/opportunities/"),
        ("claire", "/circle/profile/"),
    ]


@pytest.mark.e2e
@pytest.mark.parametrize("language", ["fr", "en"])
def test_axe_finds_no_violation_of_moderate_impact_or_above_on_any_main_screen(
    transactional_db: None, open_as: Any, second: Any, leader: Any, member: Any, language: str
) -> None:
    _require_axe()
    hub = build_hub(second, leader, member)
    english = hub["waiting"][1]
    screens = main_screens(hub)
    found: dict[str, list[dict[str, Any]]] = {}
    for viewport in (DESKTOP, PHONE):
        pages: dict[str | None, Any] = {}
        for who, address in screens:
            if who not in pages:
                pages[who] = open_as(who, language, viewport, axe=True)
            page = pages[who]
            page.goto(address)
            assert page.locator("html").get_attribute("lang") == language
            page.wait_for_load_state("networkidle")  # the triage preview, loaded by htmx
            violations = axe_violations(page) + references_missing(page)
            if violations:
                found[f"{address} ({language}, {viewport['width']} px)"] = violations
            # Every page: the skip link first, to the main content; one live region there from the start.
            assert page.locator("body > a.skip-link").first.get_attribute("href") == "#main"
            assert page.locator("main#main").count() == 1
            assert page.locator("#announce[role=status]").count() == 1
            if (
                address == f"/requests/{english.pk}/"
            ):  # an English request in the interface of either language
                assert page.locator("h1").get_attribute("lang") == "en"
                assert page.locator("pre.mail-text").first.get_attribute("lang") == "en"
    AXE_SUMMARY["violations"].append((language, sum(len(v) for v in found.values())))
    print(
        f"\naxe-core {AXE_SUMMARY.get('version')}: {len(screens)} screens × 2 widths in {language}, {found or 'none'}"
    )
    assert not found, "axe-core violations (moderate or above):\n" + "\n".join(
        f"{where}: " + "; ".join(f"{v['impact']} {v['id']} ({v['help']}) at {v['nodes']}" for v in violations)
        for where, violations in found.items()
    )


# --- The keyboard walks ---------------------------------------------------------------------------


def active(page: Any) -> dict[str, Any]:
    """What has focus: its id, tag, name attribute, text, and the option the list says is active."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            return {
                id: el.id, tag: el.tagName.toLowerCase(), name: el.getAttribute("name") || "",
                text: (el.textContent || "").replace(/\\s+/g, " ").trim().slice(0, 120),
                descendant: el.getAttribute("aria-activedescendant") || "",
            };
        }"""
    )


def announced(page: Any, text: str) -> None:
    """The page's one live region (there since load) says `text`."""
    from playwright.sync_api import expect

    expect(page.locator("#announce")).to_contain_text(text)


def settle(page: Any) -> None:
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(60)  # htmx settles 20 ms after a swap; site.js acts right after


def triage_queue(count: int) -> list[Request]:
    start = timezone.now() - timedelta(hours=count + 1)
    queue = []
    for i in range(count):
        req = RequestFactory(
            subject=f"Demande n°{i + 1} : accompagnement de notre équipe",
            requester=ContactFactory(name=f"Expéditrice {i + 1}"),
            received_at=start + timedelta(hours=i),
        )
        Suggestion.objects.create(request=req, category="serious", confidence=0.8, score=0.5)
        queue.append(req)
    return queue


@pytest.mark.e2e
def test_the_triage_queue_with_the_keyboard_alone(
    transactional_db: None, open_as: Any, screenshot: Any, second: Any
) -> None:
    from playwright.sync_api import expect

    queue = triage_queue(6)
    page = open_as("samuel")
    expect(page.locator("#preview article.preview")).to_have_count(1)
    expect(page.locator("#preview")).not_to_have_attribute("aria-live", "polite")  # not re-read on each move
    expect(page.locator("#announce")).to_have_attribute("role", "status")

    # --- 1. The skip link, then the list: one tab stop, arrows, Home/End, j/k -----------------------
    page.keyboard.press("Tab")
    assert active(page)["text"] == "Aller au contenu principal"
    page.keyboard.press("Enter")
    assert active(page)["id"] == "main"
    for _ in range(30):
        page.keyboard.press("Tab")
        if active(page)["id"] == "queue":
            break
    focus = active(page)
    assert (focus["id"], focus["descendant"]) == ("queue", f"q-{queue[0].pk}"), focus
    expect(page.locator("#queue li[tabindex]")).to_have_count(0)  # the options are not tab stops
    page.keyboard.press("ArrowDown")
    assert active(page)["descendant"] == f"q-{queue[1].pk}"
    expect(page.locator("#preview h2")).to_have_text(queue[1].subject)
    page.keyboard.press("End")
    assert active(page)["descendant"] == f"q-{queue[5].pk}"
    page.keyboard.press("Home")
    assert active(page)["descendant"] == f"q-{queue[0].pk}"
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    assert active(page)["descendant"] == f"q-{queue[1].pk}"
    expect(page.locator(f"#q-{queue[1].pk}")).to_have_attribute("aria-selected", "true")
    settle(page)
    screenshot(page, "a11y-triage-1-listbox")

    # --- 2. A decision by key: focus stays on the list, on the message that took its place ------------
    page.keyboard.press("y")
    expect(page.locator(f"#q-{queue[1].pk}")).to_have_count(0)
    settle(page)
    assert (active(page)["id"], active(page)["descendant"]) == ("queue", f"q-{queue[2].pk}")
    announced(page, f"Retenue\u00a0: «\u00a0{queue[1].subject}\u00a0»")
    expect(page.locator("#preview h2")).to_have_text(queue[2].subject)

    # --- 3. A decision by a button of the preview: focus comes back to the list ------------------------
    spam = page.locator("#preview .dismiss-buttons button", has_text="Spam")
    spam.focus()
    page.keyboard.press("Enter")
    expect(page.locator(f"#q-{queue[2].pk}")).to_have_count(0)
    settle(page)
    assert (active(page)["id"], active(page)["descendant"]) == ("queue", f"q-{queue[3].pk}")
    announced(page, f"Écartée\u00a0: «\u00a0{queue[2].subject}\u00a0»")
    assert Request.objects.get(pk=queue[2].pk).dismiss_reason == "spam"

    # --- 4. The Undo button: the message comes back, focus on the list ---------------------------------
    page.locator("#messages .undo button").focus()
    page.keyboard.press("Enter")
    expect(page.locator(f"#q-{queue[2].pk}")).to_have_count(1)
    settle(page)
    assert (active(page)["id"], active(page)["descendant"]) == ("queue", f"q-{queue[2].pk}")
    announced(page, "Décision annulée")

    # --- 5. A key pressed while a link has focus is the link's: nothing is decided --------------------
    page.locator("#preview .triage-actions a", has_text="Page complète").focus()
    page.keyboard.press("y")
    page.keyboard.press("4")
    settle(page)
    assert Request.objects.get(pk=queue[2].pk).state == "received"
    expect(page.locator("#queue li")).to_have_count(5)

    # --- 6. "Edit the brief": focus in its first field, and back on the link once saved -----------------
    page.locator("#preview .brief a", has_text="Modifier le brief").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#preview form.brief")).to_be_visible()
    settle(page)
    assert (active(page)["tag"], active(page)["name"]) == ("input", "person")
    page.keyboard.press("Control+a")  # the field holds what the machine read: replace it
    page.keyboard.type("Claire Arnaud")
    page.locator("#preview form.brief button[type=submit]").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#preview form.brief")).to_have_count(0)
    settle(page)
    assert (active(page)["tag"], active(page)["text"]) == ("a", "Modifier le brief")
    announced(page, "Brief enregistré")
    assert Request.objects.get(pk=queue[2].pk).triage_brief.person == "Claire Arnaud"

    # --- 7. Moving with focus on the page: the live region says the sender and subject, nothing more ----
    page.evaluate("() => document.activeElement.blur()")
    page.keyboard.press("j")
    expect(page.locator("#announce")).to_have_text(f"Expéditrice 4 · {queue[3].subject}")

    # --- 8. The shortcuts turned off (WCAG 2.1.4): letters do nothing, the arrows still move -----------
    switch = page.locator("[data-shortcuts-toggle]")
    expect(switch).to_be_checked()
    switch.focus()
    page.keyboard.press("Space")
    expect(switch).not_to_be_checked()
    page.reload()
    expect(page.locator("[data-shortcuts-toggle]")).not_to_be_checked()  # remembered in this browser
    page.locator("#queue").focus()
    page.keyboard.press("y")
    page.keyboard.press("j")
    settle(page)
    assert Request.objects.filter(state="kept").count() == 1
    assert active(page)["descendant"] == f"q-{queue[0].pk}"
    page.keyboard.press("ArrowDown")
    assert active(page)["descendant"] == f"q-{queue[2].pk}"
    page.locator("[data-shortcuts-toggle]").focus()
    page.keyboard.press("Space")

    # --- 9. The last decision: focus on the sentence that says the queue is empty -----------------------
    page.locator("#queue").focus()
    for remaining in range(5, 0, -1):
        page.keyboard.press("y")
        expect(page.locator("#queue li")).to_have_count(remaining - 1)
        settle(page)
        if remaining > 1:
            assert active(page)["id"] == "queue"
    assert active(page)["id"] == "queue-empty"
    screenshot(page, "a11y-triage-2-empty")


@pytest.mark.e2e
def test_the_validation_queue_with_the_keyboard_alone(
    transactional_db: None, open_as: Any, screenshot: Any, second: Any, leader: Any
) -> None:
    from playwright.sync_api import expect

    now = timezone.now()
    cards = []
    for i in range(4):
        req = RequestFactory(
            subject=f"Demande à valider n°{i + 1}", received_at=now - timedelta(hours=10 - i)
        )
        circulation.request_keep(actor=second, request=req)
        cards.append(req)
    page = open_as("lea")
    expect(page.locator("p.keys")).to_contain_text("valider")
    state = lambda req: Request.objects.get(pk=req.pk).state  # noqa: E731

    # --- 1. A key on a link is the link's ---------------------------------------------------------
    page.locator(f"#card-{cards[0].pk} a", has_text="Lire le message en entier").focus()
    page.keyboard.press("a")
    settle(page)
    assert state(cards[0]) == "kept"

    # --- 2. j/k move from card to card --------------------------------------------------------------
    page.evaluate("() => document.activeElement.blur()")
    page.keyboard.press("j")
    assert active(page)["id"] == f"card-{cards[0].pk}"
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    assert active(page)["id"] == f"card-{cards[1].pk}"
    page.keyboard.press("k")
    assert active(page)["id"] == f"card-{cards[0].pk}"
    screenshot(page, "a11y-validation-1-card")

    # --- 3. a approves: focus on the next card, the decision and the count said ------------------------
    page.keyboard.press("a")
    expect(page.locator(f"#card-{cards[0].pk}.done-card")).to_be_visible()
    settle(page)
    assert active(page)["id"] == f"card-{cards[1].pk}"
    assert state(cards[0]) == "approved"
    announced(page, "Validée")
    announced(page, "3 demandes retenues par le second")
    assert page.locator("#announce").inner_text().startswith("Validée")  # the decision first, then the count

    # --- 4. l sets aside for later ---------------------------------------------------------------------
    page.keyboard.press("l")
    expect(page.locator(f"#card-{cards[1].pk}.done-card")).to_be_visible()
    settle(page)
    assert active(page)["id"] == f"card-{cards[2].pk}"
    assert state(cards[1]) == "deferred"
    announced(page, "Mise de côté pour plus tard. 3 demandes retenues par le second")  # set aside still waits

    # --- 5. A button: focus on the next card's first control; Escape gives the card back ----------------
    page.locator(f"#card-{cards[2].pk} button[data-decision=approve]").focus()
    page.keyboard.press("Enter")
    expect(page.locator(f"#card-{cards[2].pk}.done-card")).to_be_visible()
    settle(page)
    assert (active(page)["tag"], active(page)["name"]) == ("textarea", "note")
    assert page.evaluate("() => document.activeElement.closest('article').id") == f"card-{cards[3].pk}"
    page.keyboard.press("a")  # typed in the note, not a decision
    settle(page)
    assert state(cards[3]) == "kept"
    page.keyboard.press("Escape")
    assert active(page)["id"] == f"card-{cards[3].pk}"

    # --- 6. d: focus in the note, the reason written, Ctrl+Enter declines -------------------------------
    page.keyboard.press("d")
    assert (active(page)["tag"], active(page)["name"]) == ("textarea", "note")
    expect(page.locator(f"#card-{cards[3].pk} .decline-hint")).to_be_visible()
    page.keyboard.press("Control+a")
    page.keyboard.type("Hors de notre champ")
    page.keyboard.press("Enter")  # a new line, not a decision
    page.keyboard.type("pour cette année")
    settle(page)
    assert state(cards[3]) == "kept"
    page.keyboard.press("Control+Enter")
    expect(page.locator(f"#card-{cards[3].pk}.done-card")).to_be_visible()
    settle(page)
    declined = Request.objects.get(pk=cards[3].pk)
    assert (declined.state, declined.decision_note) == ("declined", "Hors de notre champ\npour cette année")
    assert active(page)["id"] == "validation-heading"  # nothing left: the top of the queue
    announced(page, "Refusée. 1 demande retenue par le second")  # the one set aside
    screenshot(page, "a11y-validation-2-done")


# --- The focus ring ------------------------------------------------------------------------------

RING = """() => {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 1;
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    const rgba = (color) => {
        ctx.clearRect(0, 0, 1, 1);
        ctx.fillStyle = "rgba(0, 0, 0, 0)";
        ctx.fillStyle = color;
        ctx.fillRect(0, 0, 1, 1);
        const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
        return [r, g, b, a / 255];
    };
    const luminance = ([r, g, b]) => {
        const c = [r, g, b].map((v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    };
    let el = document.activeElement;
    if (el.getAttribute("role") === "listbox") el = document.getElementById(el.getAttribute("aria-activedescendant")) || el;
    const style = getComputedStyle(el);
    // What the ring is drawn on: the backgrounds of the ancestors, composed from the page up.
    const layers = [];
    for (let p = el.parentElement; p; p = p.parentElement) layers.push(rgba(getComputedStyle(p).backgroundColor));
    let under = [255, 255, 255];
    for (const [r, g, b, a] of layers.reverse()) under = [r * a + under[0] * (1 - a), g * a + under[1] * (1 - a), b * a + under[2] * (1 - a)];
    const ring = rgba(style.outlineColor);
    const [l1, l2] = [luminance(ring), luminance(under)].sort((x, y) => y - x);
    return {
        what: `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""} ${(el.textContent || el.getAttribute("aria-label") || el.name || "").trim().slice(0, 40)}`,
        style: style.outlineStyle, width: parseFloat(style.outlineWidth), alpha: ring[3],
        ratio: Math.round(((l1 + 0.05) / (l2 + 0.05)) * 100) / 100,
    };
}"""


@pytest.mark.e2e
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_focus_ring_contrasts_3_to_1_on_every_control(
    transactional_db: None, open_as: Any, second: Any, leader: Any, member: Any, theme: str
) -> None:
    hub = build_hub(second, leader, member)
    checked = 0
    weak: list[dict[str, Any]] = []
    for who, address in [
        ("samuel", "/triage/"),
        ("samuel", f"/routing/{hub['to_route'].pk}/"),
        ("lea", "/validation/"),
        ("lea", f"/projects/{hub['project'].pk}/"),
        ("lea", "/outbox/"),
    ]:
        page = open_as(who)
        page.goto(address)
        settle(page)
        page.evaluate(f"() => {{ document.documentElement.dataset.theme = '{theme}'; }}")
        seen = set()
        for _ in range(120):
            page.keyboard.press("Tab")
            ring = page.evaluate(RING)
            if ring["what"] in seen or ring["what"].startswith("body"):
                break
            seen.add(ring["what"])
            checked += 1
            if ring["style"] == "none" or ring["width"] < 2 or ring["alpha"] < 1 or ring["ratio"] < 3:
                weak.append({"page": address, **ring})
        if address == "/validation/":  # a card j put focus on
            page.evaluate("() => document.activeElement.blur()")
            page.keyboard.press("j")
            ring = page.evaluate(RING)
            assert ring["what"].startswith("article#card-"), ring
            checked += 1
            if ring["style"] == "none" or ring["width"] < 2 or ring["ratio"] < 3:
                weak.append({"page": address, **ring})
    print(f"\nfocus ring, {theme} theme: {checked} controls checked, {len(weak)} below 3:1")
    assert checked > 60
    assert not weak, weak
