"""Front-end gestures in a real Chromium, on a phone (390 × 844, touch) and on a desktop (1280 px).

- The leader's note on a validation card: Enter adds a line, it never approves (the reassurance mail
  would leave by accident).
- The triage queue: on a phone, tapping a message brings its preview into view; after a decision the
  selection stays at the same position (the next message), with the keyboard or the preview's buttons.
- Nothing is wider than a phone: the menu (FR/EN switch and sign-out included), the project's checklist,
  the dashboard's and the triage quality's tables, the sender rules and the outbox (cards on a phone), and
  a 200-character name or a long address in the triage preview and the leader's cards (they wrap).
- A number stays with its unit on a phone ("48 h", "/ 168 h" on the dashboard).

Screenshots land in test-artifacts/screenshots/ (prefix `gesture-`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from cercle.circle import services as circle
from cercle.circulation import services as circulation
from cercle.circulation.models import Event, EventKind, Request
from cercle.circulation.states import DismissReason
from cercle.outbox.models import OutgoingMessage, OutgoingStatus
from cercle.projects.models import ChecklistItem
from cercle.triage.models import Brief, RuleAction, RuleScope, SenderRule, TrainingRun
from tests.e2e.conftest import FRENCH
from tests.factories import ContactFactory, RequestFactory

PASSWORD = "secret-pass-123"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
LONG_STEP = (
    "Appeler la directrice générale pour comprendre le besoin, le calendrier, le budget et "
    "les interlocuteurs-clés-de-la-coopérative-de-production-énergétique"
)
# What the public form accepts as a name (200 characters, no space), and an address as long as real ones get.
LONG_NAME = "Maximilien" + "x" * 190
LONG_ADDRESS = (
    "prenom.nom-de-famille-compose.direction-generale@cooperative-de-production-energetique.example"
)


@pytest.fixture
def signed_in(chromium: Any, live_server: Any) -> Iterator[Callable[..., Any]]:
    """signed_in("samuel", PHONE): a French page of its own, signed in through the login form.

    A phone is a touch device whose layout width is 390 px. Uncaught JavaScript errors fail the test.
    """
    contexts: list[Any] = []
    js_errors: list[str] = []

    def open_page(username: str, viewport: dict[str, int]) -> Any:
        phone = viewport["width"] < 600
        context = chromium.new_context(
            base_url=live_server.url, viewport=viewport, is_mobile=phone, has_touch=phone, **FRENCH
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: js_errors.append(f"{page.url}: {exc}"))
        page.on(
            "console",
            lambda msg: (
                js_errors.append(f"{page.url}: {msg.text}") if "Content Security Policy" in msg.text else None
            ),
        )
        page.goto("/accounts/login/")
        page.fill('input[name="username"]', username)
        page.fill('input[name="password"]', PASSWORD)
        with page.expect_navigation():
            page.locator('main form button[type="submit"]').click()
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not js_errors, f"JavaScript errors in the pages: {js_errors}"


def page_width(page: Any) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


def right_edge(locator: Any) -> float:
    box = locator.bounding_box()
    assert box is not None
    return box["x"] + box["width"]


def lines_of(locator: Any, text: str) -> int:
    """On how many lines `text` (spaces or no-break spaces alike), inside the element, is drawn."""
    return int(
        locator.evaluate(
            """(el, text) => {
                const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
                const nodes = [];
                let all = "";
                for (let n = walker.nextNode(); n; n = walker.nextNode()) {
                    nodes.push([n, all.length]);
                    all += n.data;
                }
                const at = all.replace(/\u00a0/g, " ").indexOf(text);
                if (at < 0) throw new Error(`"${text}" not in "${all}"`);
                const place = (offset) => {
                    const [node, start] = nodes.filter(([, s]) => s <= offset).pop();
                    return [node, offset - start];
                };
                const range = document.createRange();
                range.setStart(...place(at));
                range.setEnd(...place(at + text.length - 1));
                range.setEnd(range.endContainer, range.endOffset + 1);
                const tops = [...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top));
                return new Set(tops).size;
            }""",
            text,
        )
    )


def waiting_requests(count: int) -> list[Request]:
    """`count` received requests, oldest first (the queue's default order), with a few lines of text each."""
    start = timezone.now() - timedelta(hours=count + 1)
    return [
        RequestFactory(
            subject=f"Demande n°{i + 1} : accompagnement de notre équipe",
            summary="Nous sommes une PME et cherchons un accompagnement pour notre transformation. " * 2,
            received_at=start + timedelta(hours=i),
        )
        for i in range(count)
    ]


def expect_selected_with_preview(page: Any, req: Request) -> None:
    """`req` is the selected message and the preview shows it, also once every request has settled."""
    from playwright.sync_api import expect

    for _ in range(2):
        expect(page.locator("#queue li.selected")).to_have_attribute("data-id", str(req.pk))
        expect(page.locator("#queue li.selected")).to_have_attribute("aria-selected", "true")
        expect(
            page.locator(f'#preview article.preview .triage-actions a[href="/requests/{req.pk}/"]')
        ).to_be_visible()
        page.wait_for_load_state("networkidle")  # a late preview of another message would show here
    expect(page.locator('#queue li[aria-selected="true"]')).to_have_count(1)


# --- 1. Validation: Enter in the note never decides ----------------------------------------


@pytest.mark.e2e
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_enter_in_the_leaders_note_adds_a_line_and_approves_nothing(
    transactional_db: None, live_server: Any, signed_in: Any, screenshot: Any, second: Any, leader: Any,
    viewport: dict[str, int],
) -> None:  # fmt: skip
    from playwright.sync_api import expect

    req = RequestFactory(subject="Atelier de facilitation pour notre équipe")
    circulation.request_keep(actor=second, request=req)

    page = signed_in("lea", viewport)
    page.goto("/validation/")
    card = page.locator(f"#card-{req.pk}")
    note = card.locator('[name="note"]')
    expect(note).to_have_js_property("tagName", "TEXTAREA")
    note.click()
    page.keyboard.type("Je veux plus d'infos")
    page.keyboard.press("Enter")
    page.keyboard.type("avant de décider")
    page.wait_for_load_state("networkidle")
    expect(note).to_have_value("Je veux plus d'infos\navant de décider")
    expect(card.locator('button[formaction$="/approve/"]')).to_be_enabled()  # the card is still undecided
    screenshot(page, f"gesture-validation-note-enter-{viewport['width']}")

    req.refresh_from_db()
    assert req.state == "kept"
    assert not Event.objects.filter(request=req, kind=EventKind.TRANSITION, to_state="approved").exists()
    assert not OutgoingMessage.objects.filter(idempotency_key=f"ack:{req.pk}").exists()

    # The button still decides, with the note on two lines.
    card.locator('button[formaction$="/approve/"]').click()
    expect(page.locator(f"#card-{req.pk}.done-card")).to_be_visible()
    req.refresh_from_db()
    assert (req.state, req.decision_note) == ("approved", "Je veux plus d'infos\navant de décider")


# --- 2. Triage on a phone: the preview comes into view --------------------------------------


@pytest.mark.e2e
def test_on_a_phone_tapping_a_message_brings_its_preview_into_view(
    transactional_db: None, live_server: Any, signed_in: Any, screenshot: Any, second: Any
) -> None:
    from playwright.sync_api import expect

    queue = waiting_requests(8)
    page = signed_in("samuel", PHONE)
    assert page.url.endswith("/triage/")
    expect(page.locator("#preview article.preview")).to_have_count(1)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("() => window.scrollY") == 0  # loading the page does not jump to the preview
    assert page_width(page) <= PHONE["width"]
    # No keyboard on a phone: no keyboard legend, no key hints on the buttons.
    expect(page.locator("p.keys")).to_be_hidden()
    expect(page.locator("#preview kbd").first).to_be_hidden()
    screenshot(page, "gesture-triage-phone-1-queue")

    tapped = queue[5]
    page.locator(f"#q-{tapped.pk}").tap()
    expect_selected_with_preview(page, tapped)
    page.wait_for_function(  # smooth scrolling: the preview's top reaches the top of the screen
        "() => Math.abs(document.getElementById('preview').getBoundingClientRect().top) < 40"
    )
    assert page.evaluate("() => window.scrollY") > 0
    screenshot(page, "gesture-triage-phone-2-preview")

    # Keep it from the preview's button: the message that takes its place is selected and shown.
    page.locator('#preview .triage-actions form[action$="/keep/"] button').tap()
    expect(page.locator(f"#q-{tapped.pk}")).to_have_count(0)
    expect_selected_with_preview(page, queue[6])
    page.wait_for_function(
        "() => Math.abs(document.getElementById('preview').getBoundingClientRect().top) < 40"
    )
    screenshot(page, "gesture-triage-phone-3-after-keep")
    tapped.refresh_from_db()
    assert tapped.state == "kept"


# --- 4. Triage: after a decision, the selection stays at the same position ------------------


@pytest.mark.e2e
def test_after_a_decision_the_next_message_is_selected_not_the_first(
    transactional_db: None, live_server: Any, signed_in: Any, screenshot: Any, second: Any
) -> None:
    from playwright.sync_api import expect

    first, second_msg, third, fourth = waiting_requests(4)
    page = signed_in("samuel", DESKTOP)
    expect_selected_with_preview(page, first)

    page.keyboard.press("j")
    expect_selected_with_preview(page, second_msg)
    page.keyboard.press("y")  # keep the 2nd: the 3rd takes its place and is selected
    expect(page.locator(f"#q-{second_msg.pk}")).to_have_count(0)
    expect_selected_with_preview(page, third)
    screenshot(page, "gesture-triage-desktop-after-keep")

    # A dismissal from the preview's buttons: the same.
    page.locator('#preview form[action$="/dismiss/"] button[value="newsletter"]').click()
    expect(page.locator(f"#q-{third.pk}")).to_have_count(0)
    expect_selected_with_preview(page, fourth)

    # The last one decided: the selection moves up to the new last one.
    page.keyboard.press("2")
    expect(page.locator(f"#q-{fourth.pk}")).to_have_count(0)
    expect_selected_with_preview(page, first)
    assert page.evaluate("() => window.scrollY") == 0  # side by side: no scrolling to the preview

    states = dict(Request.objects.values_list("pk", "state"))
    assert [states[r.pk] for r in (first, second_msg, third, fourth)] == [
        "received",
        "kept",
        "dismissed",
        "dismissed",
    ]


@pytest.mark.e2e
def test_enter_on_a_focused_button_presses_it_instead_of_opening_the_request(
    transactional_db: None, live_server: Any, signed_in: Any, second: Any
) -> None:
    """Keyboard users reach the preview's buttons with Tab: Enter must press them."""
    from playwright.sync_api import expect

    first, following = waiting_requests(2)
    page = signed_in("samuel", DESKTOP)
    expect_selected_with_preview(page, first)
    page.locator('#preview form[action$="/keep/"] button').first.focus()
    page.keyboard.press("Enter")
    expect(page.locator(f"#q-{first.pk}")).to_have_count(0)
    assert page.url.rstrip("/").endswith("/triage")  # still in the queue, not on the request's page
    expect_selected_with_preview(page, following)
    assert Request.objects.get(pk=first.pk).state == "kept"
    # With nothing focused, Enter still opens the selected request.
    page.locator("body").focus()
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.rstrip("/").endswith(f"/requests/{following.pk}")


# --- 5. The menu on a phone ------------------------------------------------------------------


@pytest.mark.e2e
def test_on_a_phone_every_menu_entry_the_language_switch_and_sign_out_are_on_screen(
    transactional_db: None, live_server: Any, signed_in: Any, screenshot: Any, leader: Any
) -> None:
    from playwright.sync_api import expect

    page = signed_in("lea", PHONE)  # the leader has the longest menu
    assert page.url.endswith("/validation/")
    assert page_width(page) <= PHONE["width"]
    entries = page.locator("header nav a, header nav button")
    assert entries.count() >= 9  # brand, 7 links, FR/EN, sign-out
    for i in range(entries.count()):
        entry = entries.nth(i)
        expect(entry).to_be_visible()
        box = entry.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (
            entry.inner_text(),
            box,
        )
    menus = page.locator("header nav ul")
    for i in range(menus.count()):  # no list scrolls sideways, hiding entries
        assert menus.nth(i).evaluate("ul => ul.scrollWidth <= ul.clientWidth + 1")
    screenshot(page, "gesture-menu-phone")

    with page.expect_navigation():
        page.locator("header form.lang button").tap()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    with page.expect_navigation():
        page.locator("header form.logout button").tap()
    assert "/accounts/login/" in page.url


# --- 3. Pages that fit a phone ---------------------------------------------------------------


@pytest.mark.e2e
def test_the_project_the_dashboard_and_the_triage_quality_fit_a_phone(
    transactional_db: None,
    live_server: Any,
    signed_in: Any,
    screenshot: Any,
    second: Any,
    leader: Any,
    member: Any,
) -> None:
    # A project led by Claire, with a long first step.
    req = RequestFactory(subject="Transition énergétique de notre coopérative")
    circulation.request_keep(actor=second, request=req)
    circulation.request_approve(actor=leader, request=req)
    [offer] = circle.request_route(actor=second, request=req, members=[member], brief="Cadrer le projet")
    circle.offer_accept(actor=member, offer=offer)
    ChecklistItem.objects.create(project=req.project, label=LONG_STEP, position=9)
    # Requests waiting at several stages, some too long (the dashboard's "over the limit" column).
    for hours in (2, 30, 80):
        RequestFactory(received_at=timezone.now() - timedelta(hours=hours))
    # A model in use, with its figures (the quality page's two tables).
    figures = {"keep_dismiss_accuracy": 0.875, "category_accuracy": 0.75, "macro_f1": 0.71}
    TrainingRun.objects.create(
        status=TrainingRun.Status.ACTIVE,
        finished_at=timezone.now(),
        decisions=40,
        held_out=8,
        metrics={"base": figures, "hub": figures},
    )

    for viewport in (PHONE, DESKTOP):
        claire = signed_in("claire", viewport)
        claire.goto(f"/projects/{req.pk}/")
        step = claire.locator("#checklist li", has_text="directrice générale")
        assert page_width(claire) <= viewport["width"]
        assert right_edge(step) <= viewport["width"]
        assert right_edge(claire.locator('form[action$="/meeting/"] button')) <= viewport["width"]
        screenshot(claire, f"gesture-project-{viewport['width']}")

        samuel = signed_in("samuel", viewport)
        samuel.goto("/dashboard/")
        assert page_width(samuel) <= viewport["width"]
        # Every column on screen, "over the limit" included, without scrolling the table sideways.
        assert right_edge(samuel.locator("#stage-received td").last) <= viewport["width"]
        # A number stays with its unit: "… within 48 h" (no "h" alone on a line), "/ 168 h", "4 d 9 h".
        label = samuel.locator(".stat", has=samuel.locator("#answer-rate")).locator(".muted").first
        assert lines_of(label, "48 h") == 1, label.inner_text()
        for row in samuel.locator("tr[id^=stage-]").all():
            limit = row.locator("td").last.locator(".muted")
            if limit.count():
                assert lines_of(limit, limit.inner_text().replace("\u00a0", " ")) == 1, limit.inner_text()
            oldest = row.locator("td").nth(3)
            assert lines_of(oldest, oldest.inner_text().replace("\u00a0", " ")) == 1, oldest.inner_text()
        screenshot(samuel, f"gesture-dashboard-{viewport['width']}")

        samuel.goto("/triage/quality/")
        assert samuel.locator("#hub-accuracy").is_visible()
        assert page_width(samuel) <= viewport["width"]
        tables = samuel.locator("main table")
        assert tables.count() == 2
        for i in range(tables.count()):
            assert right_edge(tables.nth(i)) <= viewport["width"]
        screenshot(samuel, f"gesture-triage-quality-{viewport['width']}")


@pytest.mark.e2e
def test_a_long_name_or_address_wraps_in_the_triage_preview_and_on_the_leaders_card(
    transactional_db: None, live_server: Any, signed_in: Any, screenshot: Any, second: Any, leader: Any
) -> None:
    """A 200-character name (the public form allows it), a long address and organisation: they wrap in the
    queue, the preview's header, its sender gestures and its brief ("Who"), and on the validation card."""
    requester = ContactFactory(name=LONG_NAME, email=LONG_ADDRESS, organisation="Coopérative" + "O" * 150)
    subject = "Accompagnement-" + "anticonstitutionnellement" * 6
    need = "Un accompagnement de notre coopérative avant l'été."
    waiting, kept = (RequestFactory(requester=requester, subject=subject) for _ in range(2))
    for req in (waiting, kept):  # the brief the machine drafted on arrival, or a new one
        Brief.objects.update_or_create(
            request=req,
            defaults={"person": LONG_NAME, "organisation": requester.organisation, "role": "Directrice-" * 12,
                      "need": need},
        )  # fmt: skip
    circulation.request_keep(actor=second, request=kept)

    for viewport in (PHONE, DESKTOP):
        width = viewport["width"]
        samuel = signed_in("samuel", viewport)
        assert samuel.url.endswith("/triage/")
        who = samuel.locator("#preview .brief dd").first
        assert LONG_NAME in who.inner_text()
        samuel.wait_for_load_state("networkidle")
        assert page_width(samuel) <= width
        assert right_edge(who) <= width
        assert right_edge(samuel.locator("#preview article.preview header")) <= width
        assert right_edge(samuel.locator(f"#q-{waiting.pk}")) <= width
        screenshot(samuel, f"gesture-long-name-triage-{width}")

        lea = signed_in("lea", viewport)
        assert lea.url.endswith("/validation/")
        card = lea.locator(f"#card-{kept.pk}")
        assert LONG_NAME in card.locator(".brief dd").first.inner_text()
        assert page_width(lea) <= width
        assert right_edge(card) <= width
        assert right_edge(card.locator('button[formaction$="/decline/"]')) <= width
        screenshot(lea, f"gesture-long-name-validation-{width}")


@pytest.mark.e2e
def test_the_sender_rules_and_the_outbox_fit_a_phone(
    transactional_db: None, live_server: Any, signed_in: Any, screenshot: Any, second: Any
) -> None:
    """On a phone each rule and each outgoing message is a card: every cell on screen (status, attempts, date,
    the retry button, whole addresses), nothing to scroll sideways. The desktop keeps the tables."""
    now = timezone.now()
    rule = SenderRule.objects.create(
        scope=RuleScope.ADDRESS,
        value="no-reply@plateforme-evenements-professionnels.example",
        action=RuleAction.DISMISS,
        reason=DismissReason.NOTIFICATION,
        created_by=second,
        hits=3,
        last_hit_at=now - timedelta(hours=2),
    )
    req = RequestFactory()
    sent = OutgoingMessage.objects.create(
        idempotency_key="e2e:sent", request=req, message_id="<e2e-sent@hub.example>",
        from_email="cercle@hub.example", to=["Inès Moreau <ines.moreau@example.org>"],
        subject="Nouvelle opportunité pour vous : accompagner une coopérative", body="…",
        status=OutgoingStatus.SENT, attempts=1, sent_at=now,
    )  # fmt: skip
    failed = OutgoingMessage.objects.create(
        idempotency_key="e2e:failed", request=req, message_id="<e2e-failed@hub.example>",
        from_email="cercle@hub.example", to=[f"{LONG_NAME} <{LONG_ADDRESS}>"], cc=["copie@example.org"],
        subject="Votre demande : " + "accompagnement-" * 12, body="…", status=OutgoingStatus.FAILED, attempts=5,
        last_error=f"SMTPRecipientsRefused: {LONG_ADDRESS} (550, 5.1.1 mailbox unavailable)",
    )  # fmt: skip

    for viewport in (PHONE, DESKTOP):
        width = viewport["width"]
        samuel = signed_in("samuel", viewport)
        samuel.goto("/triage/rules/")
        row = samuel.locator(f"#rule-{rule.pk}")
        assert page_width(samuel) <= width
        for cell in row.locator("td").all():  # the rule, its reason, hits, author and the button
            assert cell.is_visible() and right_edge(cell) <= width, cell.inner_text()
        assert right_edge(row.locator("button")) <= width
        screenshot(samuel, f"gesture-sender-rules-{width}")

        samuel.goto("/outbox/")
        assert page_width(samuel) <= width
        for message in (sent, failed):
            cells = samuel.locator(f"#out-{message.pk} td")
            for i in range(5):  # subject, to, status, attempts, when: on screen, none cut off
                cell = cells.nth(i)
                assert cell.is_visible() and right_edge(cell) <= width, cell.inner_text()
                box = cell.bounding_box()
                assert box is not None and box["x"] >= 0
                assert cell.evaluate("td => td.scrollWidth <= td.clientWidth + 1"), cell.inner_text()
        retry = samuel.locator(f'#out-{failed.pk} form[action$="/retry/"] button')
        assert retry.is_visible() and right_edge(retry) <= width
        # The column headings show on a desktop only (a phone names each cell).
        headings = samuel.locator("main thead").bounding_box()
        assert (headings is not None and headings["height"] > 10) == (width > 600)
        screenshot(samuel, f"gesture-outbox-{width}")
