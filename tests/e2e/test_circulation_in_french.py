"""One request through the whole circulation, in a real browser, in French, across the four roles.

visitor (public form) → second (triage, keyboard) → leader (validation) → second (routing) →
Karim declines, Claire accepts and leads the project → closed "won"; an outsider sees nothing,
the leader stays informed. Screenshots of every screen land in test-artifacts/screenshots/.

About the French texts: the project's catalogue (cercle/locale/fr) is being translated. The
expected label is what the compiled catalogue gives in French (`tr`), so the test does not break
while the translation is filled in, and asserts French wherever a translation exists. Texts that
never depend on the project's catalogue (Django's own French: dates, "il y a", number format;
the French mail templates) are asserted in French unconditionally, as is <html lang="fr">.
"""

from __future__ import annotations

import json
import re
import warnings
from datetime import timedelta
from decimal import Decimal
from email.utils import getaddresses
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone, translation

from cercle.circle.models import Offer, OfferState
from cercle.circulation.models import Event, EventKind, Request
from cercle.outbox.models import OutgoingMessage
from cercle.projects.models import ChecklistItem, StatusUpdate

PASSWORD = "secret-pass-123"
PO_FILE = Path(__file__).resolve().parents[2] / "cercle" / "locale" / "fr" / "LC_MESSAGES" / "django.po"
FR_MONTHS = [
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
]  # fmt: skip
FRENCH_AGO = re.compile(r"il y a|maintenant")
FRENCH_WAITED = re.compile(
    r"en attente depuis (moins d’une minute|\d+\s(minute|heure|jour))"
)  # timesince, in French

NEED = (
    "Accompagnement de la transition énergétique de notre coopérative\n"
    "Nous sommes une coopérative de 40 salariés et voulons réduire de moitié notre consommation "
    "d'énergie d'ici 2028. Nous cherchons quelqu'un pour cadrer le projet et animer les ateliers."
)
SUBJECT = NEED.splitlines()[0]
REQUESTER = {
    "name": "Hélène Rousseau",
    "email": "helene.rousseau@coop-energie.example",
    "org": "Coop Énergie",
}


# --- French labels ------------------------------------------------------------------------


def _po_translations(path: Path) -> dict[str, str]:
    """msgid → msgstr for the translated, non-fuzzy, singular entries of a .po file."""
    found: dict[str, str] = {}
    if not path.exists():
        return found
    for entry in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in entry.strip().splitlines() if not line.startswith("#~")]
        if any(line.startswith("#,") and "fuzzy" in line for line in lines):
            continue
        fields: dict[str, str] = {}
        current = None
        for line in lines:
            match = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) (".*")$', line)
            if match:
                current = match.group(1)
                fields[current] = json.loads(match.group(2))
            elif line.startswith('"') and current:
                fields[current] += json.loads(line)
        if fields.get("msgid") and fields.get("msgstr") and "msgctxt" not in fields:
            found[fields["msgid"]] = fields["msgstr"]
    return found


PO_FR = _po_translations(PO_FILE)


def tr(msgid: str) -> str:
    """The text the app renders in French for `msgid`: the French translation when there is one.

    The running app reads the compiled catalogue (django.mo), which falls back on Django's own French
    ("Password" → "Mot de passe") and else on the English msgid. When the .po has a translation that
    the compiled catalogue does not (compilemessages not run yet), the .po is not what users see: warn.
    """
    with translation.override("fr"):
        shown = translation.gettext(msgid)
    in_po = PO_FR.get(msgid)
    if in_po and in_po != shown:
        warnings.warn(
            f"django.po translates {msgid!r} as {in_po!r} but the compiled catalogue shows {shown!r}: "
            "run `make translations` (compilemessages)",
            stacklevel=2,
        )
    return shown


# --- Browser helpers ----------------------------------------------------------------------


def expect_french_page(page: Any) -> None:
    from playwright.sync_api import expect

    expect(page.locator("html")).to_have_attribute("lang", "fr")


def sign_in(open_page: Any, username: str) -> Any:
    """A new browser context (a new person) signed in through the login form."""
    from playwright.sync_api import expect

    page = open_page()
    page.goto("/accounts/login/")
    expect(page.locator("main h1")).to_have_text(tr("Sign in"))
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', PASSWORD)
    submit(page, page.locator('main form button[type="submit"]'))
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    expect_french_page(page)
    return page


def submit(page: Any, button: Any) -> None:
    """Click a button that posts a classic (non-htmx) form and wait for the page that comes back."""
    with page.expect_navigation():
        button.click()


def nav_targets(page: Any) -> set[str]:
    return set(
        page.locator("header nav ul.menu a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    )


def addresses(header_values: list[str]) -> list[str]:
    return [addr.lower() for _, addr in getaddresses(header_values)]


# --- The test -----------------------------------------------------------------------------


@pytest.mark.e2e
def test_one_request_circulates_in_french_across_the_four_roles(
    transactional_db: None,
    live_server: Any,
    french_page: Any,
    screenshot: Any,
    mailoutbox: list[Any],
    leader: Any,
    second: Any,
    member: Any,
    other_member: Any,
    outsider: Any,
) -> None:
    from playwright.sync_api import expect

    claire, karim, oscar = member, other_member, outsider
    cache.clear()  # the form's rate limit lives in the cache, shared with the other tests of the session

    # --- 1. An anonymous visitor sends a request through the public form ------------------
    visitor = french_page()
    visitor.goto("/ask/")
    expect_french_page(visitor)
    expect(visitor.locator("main h1")).to_have_text(tr("Send a request"))
    expect(visitor.locator('label[for="id_name"]')).to_contain_text(tr("Your name"))
    expect(visitor.locator('label[for="id_need"]')).to_contain_text(tr("What do you need?"))
    visitor.fill("#id_name", REQUESTER["name"])
    visitor.fill("#id_email", REQUESTER["email"])
    visitor.fill("#id_organisation", REQUESTER["org"])
    visitor.fill("#id_need", NEED)
    screenshot(visitor, "01-form")
    visitor.click('main form button[type="submit"]')
    visitor.wait_for_url("**/ask/thanks/")
    expect(visitor.locator("main h1")).to_have_text(tr("Thank you"))
    # The hub's promise (48 h by default), in French, and the receipt on its way.
    expect(visitor.locator("main")).to_contain_text(
        "Vous aurez une réponse d'ici 48\u00a0heures.".replace("\u00a0", " ")
    )
    expect(visitor.locator("main")).to_contain_text(
        tr("A confirmation is on its way to your mailbox; reply to it to add anything.")
    )
    screenshot(visitor, "02-thanks")

    req = Request.objects.select_related("requester").get()
    assert (req.subject, req.channel, req.language, req.state) == (SUBJECT, "form", "fr", "received")
    assert (req.requester.email, req.requester.name) == (REQUESTER["email"], REQUESTER["name"])
    pk = req.pk

    # --- 2. The triage queue is not public --------------------------------------------------
    visitor.goto("/triage/")
    assert "/accounts/login/" in visitor.url and "next=/triage/" in visitor.url
    expect(visitor.locator("main h1")).to_have_text(tr("Sign in"))  # « Se connecter » once translated
    expect(visitor.locator('input[name="username"]')).to_be_visible()
    screenshot(visitor, "03-login-redirect")

    # --- 3. The second keeps it, with the keyboard ------------------------------------------
    samuel = sign_in(french_page, "samuel")
    assert samuel.url.endswith("/triage/")  # home sends the second to the triage queue
    targets = nav_targets(samuel)
    assert {"/triage/", "/routing/", "/dashboard/", "/outbox/"} <= targets
    assert "/validation/" not in targets, "the Validation menu item is for the leader only"
    assert "/opportunities/" not in targets
    expect(samuel.locator("header nav")).not_to_contain_text(tr("Validation"))

    queue = samuel.locator("#queue li")
    expect(queue).to_have_count(1)
    selected = samuel.locator("#queue li.selected")
    expect(selected).to_have_attribute("data-id", str(pk))
    expect(selected).to_have_attribute("aria-selected", "true")
    expect(selected).to_contain_text(SUBJECT)
    expect(selected).to_contain_text(FRENCH_WAITED)
    expect(samuel.locator("#preview article.preview")).to_contain_text("réduire de moitié")  # preview loaded
    screenshot(samuel, "04-triage-second")

    samuel.keyboard.press("y")
    expect(samuel.locator(f"#q-{pk}")).to_have_count(0)  # the htmx swap took it out of the queue
    expect(samuel.locator("#triage-body")).to_contain_text(
        tr("Nothing to triage. Every incoming message has been handled.")
    )
    expect(samuel.locator("#messages")).to_contain_text(
        tr("Kept: “%(s)s” goes to the leader.") % {"s": SUBJECT}
    )
    assert samuel.url.endswith("/triage/")  # no navigation: a partial swap
    screenshot(samuel, "05-triage-after-keep")
    req.refresh_from_db()
    assert req.state == "kept"

    # The second cannot validate, even by typing the address.
    response = samuel.goto("/validation/")
    assert response is not None and response.status == 403

    # --- 4. The leader approves -------------------------------------------------------------
    lea = sign_in(french_page, "lea")
    assert lea.url.endswith("/validation/")  # home sends the leader to the validation queue
    assert {"/triage/", "/validation/", "/routing/", "/dashboard/"} <= nav_targets(lea)
    card = lea.locator(f"#card-{pk}")
    expect(card).to_contain_text(SUBJECT)
    expect(card).to_contain_text(f"{REQUESTER['name']} · {REQUESTER['org']}")
    expect(card).to_contain_text(FRENCH_AGO)
    approve = card.locator('button[formaction$="/approve/"]')
    expect(approve).to_contain_text(tr("Approve"))  # « Valider » once translated
    screenshot(lea, "06-validation-leader")
    approve.click()
    expect(lea.locator(f"#card-{pk}.done-card")).to_contain_text(
        tr("Approved: the requester is reassured and the second will route it.")
    )
    screenshot(lea, "07-validation-approved")
    req.refresh_from_db()
    assert req.state == "approved"

    ack = OutgoingMessage.objects.get(idempotency_key=f"ack:{pk}")
    assert addresses(ack.to) == [REQUESTER["email"]]
    assert (
        ack.subject == f"Votre demande : {SUBJECT}"
    )  # the French mail template: the requester wrote in French
    assert "Léa Marchand" in ack.body and "lea@hub.example" in addresses(ack.reply_to)

    samuel.goto("/outbox/")
    expect(samuel.locator(f"#out-{ack.pk}")).to_contain_text(ack.subject)
    expect(samuel.locator(f"#out-{ack.pk}")).to_contain_text(REQUESTER["email"])
    screenshot(samuel, "08-outbox-second")

    # --- 5. The second routes it to Claire and Karim -----------------------------------------
    samuel.goto("/routing/")
    expect(samuel.locator("main")).to_contain_text(SUBJECT)
    screenshot(samuel, "09-routing-second")
    samuel.locator(f'a[href="/routing/{pk}/"]').click()
    samuel.wait_for_url(f"**/routing/{pk}/")
    expect(samuel.locator("main h1")).to_have_text(SUBJECT)
    expect(samuel.locator(".member-pick label")).to_have_count(3)  # Claire, Karim, Oscar
    samuel.check(f'input[name="members"][value="{claire.pk}"]')
    samuel.check(f'input[name="members"][value="{karim.pk}"]')
    brief = "Coopérative de 40 personnes : cadrer la baisse de consommation et animer trois ateliers."
    samuel.fill('textarea[name="brief"]', brief)
    screenshot(samuel, "10-route-choose-members")
    submit(samuel, samuel.locator('main form button[type="submit"]'))
    samuel.wait_for_url("**/routing/")
    expect(samuel.locator("#messages")).to_contain_text(
        tr("Offered to %(names)s.") % {"names": "Claire Dubois, Karim Benali"}
    )
    expect(samuel.locator("main")).to_contain_text(tr("Nothing to route."))
    req.refresh_from_db()
    assert req.state == "offered"
    assert set(req.offers.values_list("member__username", flat=True)) == {"claire", "karim"}

    # --- 6. Karim declines, with a reason ----------------------------------------------------
    karim_page = sign_in(french_page, "karim")
    assert karim_page.url.endswith("/opportunities/")
    assert "/triage/" not in nav_targets(karim_page) and "/validation/" not in nav_targets(karim_page)
    offer = karim_page.locator('article[id^="offer-"]', has_text=SUBJECT)
    expect(offer).to_have_count(1)
    expect(offer).to_contain_text(brief)
    expect(offer).to_contain_text("Samuel Petit")
    screenshot(karim_page, "11-opportunities-karim")
    reason = "Je suis déjà engagé sur deux missions ce trimestre."
    offer.locator('input[name="reason"]').fill(reason)
    submit(karim_page, offer.locator('form[action$="/decline/"] button'))
    expect(karim_page.locator("#messages")).to_contain_text(tr("Declined. Thank you for saying why."))
    expect(karim_page.locator('article[id^="offer-"]')).to_have_count(0)
    expect(karim_page.locator("main")).to_contain_text(tr("No opportunity waiting for you right now."))
    screenshot(karim_page, "12-opportunities-karim-declined")
    karim_offer = Offer.objects.get(request=req, member=karim)
    assert (karim_offer.state, karim_offer.reason) == (OfferState.DECLINED, reason)
    req.refresh_from_db()
    assert req.state == "offered"  # Claire's offer is still open

    # --- 7. Claire accepts and runs the project -----------------------------------------------
    claire_page = sign_in(french_page, "claire")
    offer = claire_page.locator('article[id^="offer-"]', has_text=SUBJECT)
    expect(offer).to_contain_text(brief)
    take = offer.locator('form[action$="/accept/"] button')
    expect(take).to_have_text(tr("I take it: I become project lead"))
    screenshot(claire_page, "13-opportunities-claire")
    submit(claire_page, take)
    claire_page.wait_for_url(f"**/projects/{pk}/")
    expect_french_page(claire_page)
    expect(claire_page.locator("#messages")).to_contain_text(
        tr("You are the project lead. The requester has been introduced to you.")
    )
    expect(claire_page.locator("main hgroup")).to_contain_text("Claire Dubois")

    # Tick the first step of the checklist (an htmx swap of that line only).
    first_step = claire_page.locator("#checklist li").first
    step_id = first_step.get_attribute("id")
    assert step_id and step_id.startswith("step-")
    expect(claire_page.locator("#checklist li")).to_have_count(4)
    first_step.locator('input[type="checkbox"]').check()
    expect(claire_page.locator(f"#{step_id} span.done")).to_be_visible()
    expect(claire_page.locator(f'#{step_id} input[type="checkbox"]')).to_be_checked()
    assert ChecklistItem.objects.get(pk=int(step_id.removeprefix("step-"))).done_at is not None

    # The first meeting, a week from now at 10:30 (a datetime-local input).
    day = timezone.localdate() + timedelta(days=7)
    claire_page.fill('input[name="when"]', f"{day:%Y-%m-%d}T10:30")
    submit(claire_page, claire_page.locator('form[action$="/meeting/"] button'))
    expect(claire_page.locator("#messages")).to_contain_text(tr("Saved."))
    expect(claire_page.locator("#meeting")).to_contain_text(
        f"{day.day} {FR_MONTHS[day.month - 1]} {day.year}"
    )
    expect(claire_page.locator("#meeting")).to_contain_text("à 10 h 30")  # French typography, 24 hours

    # A status update.
    update_text = "Premier appel fait avec Hélène : atelier de cadrage prévu la semaine prochaine."
    claire_page.fill('textarea[name="text"]', update_text)
    submit(claire_page, claire_page.locator('form[action$="/update/"] button'))
    expect(claire_page.locator("main")).to_contain_text(update_text)
    posted = StatusUpdate.objects.get(project__request=req)
    assert posted.author == claire
    local = timezone.localtime(posted.at)
    posted_on = f"{local:%d/%m/%Y} à {local.hour} h {local:%M}"  # Cercle's French SHORT_DATETIME_FORMAT
    expect(claire_page.locator("main")).to_contain_text(posted_on)
    screenshot(claire_page, "14-project-claire")

    # Close: won, with a value.
    claire_page.select_option('select[name="outcome"]', "won")
    claire_page.fill('input[name="value"]', "12500")
    # Setting the meeting ticked its step; two first steps are still open and the meeting is next week:
    # closing asks for a confirmation.
    close_form = claire_page.locator('form[action$="/close/"]')
    expect(close_form).to_contain_text("2 premières étapes sont encore ouvertes.")
    expect(close_form).to_contain_text("est encore à venir.")
    close_form.get_by_label(tr("Close it all the same")).check()
    submit(claire_page, claire_page.locator('form[action$="/close/"] button'))
    expect(claire_page.locator("#messages")).to_contain_text(tr("Outcome recorded."))
    expect(claire_page.locator("main hgroup .badge")).to_have_text(tr("Closed"))
    outcome_box = claire_page.locator("article").filter(
        has=claire_page.locator("header", has_text=re.compile(f"^{re.escape(tr('Outcome'))}$"))
    )
    expect(outcome_box).to_contain_text(tr("Won"))
    expect(outcome_box).to_contain_text(re.compile(r"12\s500\s€"))  # French number format, the currency
    expect(claire_page.locator('form[action$="/close/"]')).to_have_count(0)
    screenshot(claire_page, "15-project-closed")

    # --- 8. A member who was offered nothing sees nothing ------------------------------------
    assert not Offer.objects.filter(member=oscar).exists()
    oscar_page = sign_in(french_page, "oscar")
    assert oscar_page.url.endswith("/opportunities/")
    expect(oscar_page.locator('article[id^="offer-"]')).to_have_count(0)
    expect(oscar_page.locator("main")).to_contain_text(tr("No opportunity waiting for you right now."))
    expect(oscar_page.locator("main")).not_to_contain_text(SUBJECT)
    screenshot(oscar_page, "16-opportunities-oscar")
    for url in (f"/requests/{pk}/", f"/projects/{pk}/"):
        response = oscar_page.goto(url)
        assert response is not None and response.status == 404, url
        expect(oscar_page.locator("body")).not_to_contain_text(SUBJECT)

    # --- 9. The leader stays informed ------------------------------------------------------------
    lea.goto(f"/projects/{pk}/")
    expect_french_page(lea)
    expect(lea.locator("main h1")).to_have_text(SUBJECT)
    expect(lea.locator("main hgroup")).to_contain_text("Claire Dubois")
    expect(lea.locator("main")).to_contain_text(update_text)
    expect(lea.locator("main")).to_contain_text(tr("Won"))
    screenshot(lea, "17-project-leader")

    lea.goto(f"/requests/{pk}/")
    timeline = lea.locator("ul.timeline li")
    expect(timeline.filter(has_text=reason)).to_have_count(1)  # Karim's reason is on the record
    screenshot(lea, "18-request-history-leader")

    lea.goto("/dashboard/")
    expect(lea.locator("#answer-rate")).to_have_text("100 %")
    for state in ("received", "kept", "approved", "offered", "accepted"):
        expect(lea.locator(f"#stage-{state} td").nth(2)).to_have_text("0")
    screenshot(lea, "19-dashboard-leader")

    # --- 10. The record ------------------------------------------------------------------------
    req.refresh_from_db()
    assert (req.state, req.outcome, req.outcome_value, req.lead) == (
        "closed",
        "won",
        Decimal("12500"),
        claire,
    )

    created = Event.objects.get(request=req, kind=EventKind.CREATED)
    assert created.to_state == "received"
    transitions = list(
        Event.objects.filter(request=req, kind=EventKind.TRANSITION)
        .order_by("at", "id")
        .values_list("from_state", "to_state", "actor__username")
    )
    assert transitions == [
        ("received", "kept", "samuel"),
        ("kept", "approved", "lea"),
        ("approved", "offered", "samuel"),
        ("offered", "accepted", "claire"),
        ("accepted", "closed", "claire"),
    ]

    intro = OutgoingMessage.objects.get(idempotency_key=f"intro:{pk}")
    assert addresses(intro.to) == [REQUESTER["email"]]
    assert "lea@hub.example" in addresses(intro.cc)
    assert "claire@hub.example" in addresses(intro.cc)
    assert intro.subject == f"Claire Dubois prend en charge votre demande : {SUBJECT}"

    # Delivered (huey runs tasks inline in the tests; the locmem backend keeps the mail).
    sent = [m for m in mailoutbox if m.subject == intro.subject]
    assert len(sent) == 1
    assert addresses(sent[0].to) == [REQUESTER["email"]]
    assert "lea@hub.example" in addresses(sent[0].cc)
