"""The network, walked in a real browser, in French, as the second would; then as a member.

Samuel (the second) opens « Réseau » from the menu and reads the people closest first, asks « Qui dans
mon réseau peut… » « bilans carbone », opens the expert's profile (why the tie is strong, a note typed
with the keyboard, an offer added and found again), adds a person by hand and is told, in French, that
the same address is already known, merges two records of one person and undoes it, and marks someone
of the week's « Garder le lien » plan. Claire (a member) sees only the requester of her project.

The data comes in through the real services: exchanges recorded with `interaction_record_many` and
folded into strength with `strength_fold`, profiles written with `contact_profile_update` (which
refreshes the search index), requests kept, approved, routed and accepted. Screenshots of every screen
land in test-artifacts/screenshots/network-*.png.

The texts the issue names (« Réseau », « Offres : « … » », « échanges ces 6 derniers mois »,
« Ajouter une personne », « Annuler la fusion », « Garder le lien », « J’ai repris contact ») are
asserted in French as written, French typography included (a no-break space before « : » and inside
« »): Playwright's text assertions fold U+00A0 into a plain space, so those are read with
`text_content()`. The other labels go through the compiled catalogue (`tr`), like the other French
browser tests.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.utils import formats, timezone, translation

from cercle.network.keep_in_touch import plan_for_week
from cercle.network.layers import layer_cutoffs, layer_of
from cercle.network.models import Contact, ContactMerge, ContactNote, Interaction, InteractionKind
from cercle.network.search import search_index
from cercle.network.services import contact_get_or_create, interaction_record_many
from cercle.network.strength import contact_score, strength_fold
from cercle.people.services import contact_profile_update
from tests.e2e.test_circulation_in_french import expect_french_page, sign_in, submit, tr
from tests.factories import RequestFactory
from tests.projects.conftest import project  # noqa: F401 - a request led by Claire (`member`)

NBSP = "\u00a0"


def trn(singular: str, plural: str, count: int) -> str:
    """The French plural form the app renders for `count`."""
    with translation.override("fr"):
        return translation.ngettext(singular, plural, count)


def french_date(day: Any) -> str:
    with translation.override("fr"):
        return formats.date_format(timezone.localtime(day), "DATE_FORMAT")


# --- The network, through the real services ---------------------------------------------------


def noon(days_ago: int) -> datetime:
    """Noon, local time, `days_ago` days ago: its date is the same in Paris and in UTC."""
    day = timezone.localdate() - timedelta(days=days_ago)
    return timezone.make_aware(datetime.combine(day, time(12)))


def days_since(at: datetime | None) -> int:
    assert at is not None
    return (timezone.now() - at).days


def exchanges(
    contact: Contact, *, count: int, last_days_ago: int, every_days: int, subject: str = ""
) -> None:
    """`count` mails each way in turn (the newest received), the newest `last_days_ago` days ago."""
    interaction_record_many(
        interactions=[
            Interaction(
                contact=contact,
                kind=InteractionKind.MAIL,
                inbound=i % 2 == 0,
                at=noon(last_days_ago + i * every_days),
                subject=subject if i == 0 else "",
                source_key=f"<{contact.pk}-{i}@reseau.test>",
            )
            for i in range(count)
        ]
    )


def person(email: str, name: str, organisation: str) -> Contact:
    return contact_get_or_create(email=email, name=name, organisation=organisation)


@pytest.fixture
def incoming(db: None) -> Any:
    """Claire's project (tests/projects/conftest.py `project`) is Hélène's request."""
    helene = contact_get_or_create(
        email="helene.rousseau@coop-energie.example", name="Hélène Rousseau", organisation="Coop Énergie"
    )
    return RequestFactory(requester=helene, subject="Accompagnement de la transition énergétique")


def build_network(second: Any) -> dict[str, Contact]:
    ines = person("ines.lambert@bas-carbone.example", "Inès Lambert", "Bas-Carbone Conseil")
    sophie = person("sophie.garnier@atelier-garnier.example", "Sophie Garnier", "Atelier Garnier")
    marc = person("marc.petitjean@terre-vive.example", "Marc Petitjean", "Coopérative Terre Vive")
    thomas = person("thomas.roux@imprimerie-roux.example", "Thomas Roux", "Imprimerie Roux")
    jean = person("jean.dupont@gmail.com", "Jean Dupont", "")
    jean_again = person("jeandupont@gmail.com", "J. Dupont", "")  # the same Gmail box, dots left out
    lucie = person("lucie.fabre@fabre-avocats.example", "Lucie Fabre", "Fabre Avocats")

    exchanges(ines, count=12, last_days_ago=3, every_days=10)
    exchanges(sophie, count=8, last_days_ago=20, every_days=7)
    exchanges(
        marc, count=6, last_days_ago=40, every_days=7, subject="Notre bilan carbone 2025 : vos remarques ?"
    )
    exchanges(thomas, count=6, last_days_ago=45, every_days=9)
    exchanges(jean, count=4, last_days_ago=60, every_days=15)
    interaction_record_many(
        interactions=[
            Interaction(
                contact=jean_again,
                kind=InteractionKind.MAIL,
                inbound=True,
                at=noon(70),
                subject="Des nouvelles",
                source_key="<jean-gmail@reseau.test>",
            )
        ]
    )
    exchanges(lucie, count=3, last_days_ago=150, every_days=30)
    strength_fold()
    # Recording exchanges does not refresh the search text (imports do it in a batch): index them all,
    # so that Marc's mail about his carbon footprint is searchable.
    search_index(Contact.objects.all())

    contact_profile_update(
        actor=second,
        contact=ines,
        position="Consultante climat",
        what_they_do="Accompagne les PME dans leur transition écologique.",
        offers="Bilans carbone et stratégie bas-carbone pour les PME.",
        tags="climat, carbone",
    )
    contact_profile_update(
        actor=second,
        contact=sophie,
        offers="Levée de fonds et pacte d’associés pour les jeunes entreprises.",
    )
    people = {
        "ines": ines,
        "sophie": sophie,
        "marc": marc,
        "thomas": thomas,
        "jean": jean,
        "jean_again": jean_again,
        "lucie": lucie,
    }
    for contact in people.values():
        contact.refresh_from_db()  # the strength folded in the database
    return people


# --- Browser helpers --------------------------------------------------------------------------


def open_from_menu(page: Any, label: str) -> None:
    from playwright.sync_api import expect

    link = page.locator("header nav ul.menu a", has_text=label)
    expect(link).to_have_count(1)
    submit(page, link)


def ask(page: Any, question: str) -> None:
    """Type a question into « Qui dans mon réseau peut… » and send it with Enter."""
    from playwright.sync_api import expect

    expect(page.locator('label[for="id_q"]')).to_have_text("Qui dans mon réseau peut…")
    page.get_by_label("Qui dans mon réseau peut…").fill(question)
    with page.expect_navigation():
        page.get_by_label("Qui dans mon réseau peut…").press("Enter")


def text_of(locator: Any) -> str:
    """The text as rendered, no-break spaces kept (Playwright's assertions fold them into spaces)."""
    return re.sub(r"[ \t\r\n]+", " ", locator.text_content() or "").strip()


# --- The test -----------------------------------------------------------------------------------


@pytest.mark.e2e
def test_the_second_tends_the_network_in_french_and_a_member_sees_only_her_people(
    transactional_db: None,
    live_server: Any,
    french_page: Any,
    screenshot: Any,
    leader: Any,
    second: Any,
    member: Any,
    project: Any,  # noqa: F811 - the fixture imported above
) -> None:
    from playwright.sync_api import expect

    people = build_network(second)
    ines, marc, jean, jean_again = people["ines"], people["marc"], people["jean"], people["jean_again"]
    helene = project.request.requester

    # --- 1. « Réseau » from the menu: the people closest first, with their strength and circle ---
    samuel = sign_in(french_page, "samuel")
    open_from_menu(samuel, "Réseau")
    samuel.wait_for_url("**/network/")
    expect_french_page(samuel)
    expect(samuel.locator("main h1")).to_have_text("Réseau")
    expect(samuel.locator('header nav ul.menu a[aria-current="page"]')).to_have_text("Réseau")

    in_network = list(Contact.objects.filter(in_network=True, merged_into__isnull=True))
    cutoffs = layer_cutoffs()
    expected = sorted(in_network, key=lambda c: (-c.rank_key, c.name, c.pk))
    rows = samuel.locator("main table tbody tr")
    expect(rows).to_have_count(len(expected))
    expect(samuel.locator("main table caption")).to_have_text(
        trn("%(counter)s person, closest first", "%(counter)s people, closest first", len(expected))
        % {"counter": len(expected)}
    )
    shown_names = rows.locator("td:first-child a").all_inner_texts()
    assert shown_names == [c.display_name for c in expected]
    assert shown_names[0] == "Inès Lambert"  # the most exchanges, the most recent: the closest tie
    assert "J. Dupont" not in shown_names  # wrote once, never answered: not (yet) a relationship
    scores = []
    for row, contact in zip(rows.all(), expected, strict=True):
        strength = row.locator('td[data-label="Force"]')
        score = int(strength.locator("strong").inner_text())
        assert score == contact_score(contact), contact.name
        scores.append(score)
        layer = layer_of(contact, cutoffs)
        badge = strength.locator(".badge")
        if layer is None:
            expect(badge).to_have_count(0)
        else:
            expect(badge).to_have_text(f"cercle {layer}")
    assert scores == sorted(scores, reverse=True) and scores[0] > 0
    expect(rows.first.locator('td[data-label="Dernier échange"]')).to_have_text(french_date(ines.last_at))
    expect(samuel.locator("main table .badge", has_text="cercle 1")).not_to_have_count(0)
    expect(samuel.locator("main table .badge", has_text="cercle 2")).not_to_have_count(0)
    screenshot(samuel, "network-01-list-second")

    # --- 2. « Qui dans mon réseau peut… » « bilans carbone » --------------------------------------
    ask(samuel, "bilans carbone")
    hits = samuel.locator("main ol.hits > li")
    expect(hits).to_have_count(2)  # the expert (her offer) and Marc (an exchange about his own)
    assert (
        text_of(samuel.locator("main h2")) == f"2 personnes peuvent aider pour «{NBSP}bilans carbone{NBSP}»"
    )
    first = hits.first
    expect(first.locator("a strong")).to_have_text("Inès Lambert")
    expect(first).to_contain_text("Bas-Carbone Conseil")
    evidence = text_of(first.locator("ul.evidence li").first)
    assert evidence == f"Offres{NBSP}: «{NBSP}Bilans carbone et stratégie bas-carbone pour les PME.{NBSP}»"
    marc_evidence = text_of(hits.nth(1).locator("ul.evidence li").first)
    assert marc_evidence.startswith(
        f"Échange du {french_date(marc.last_at)}{NBSP}: «{NBSP}Notre bilan carbone"
    )
    expect(hits.nth(1).locator("a strong")).to_have_text("Marc Petitjean")
    screenshot(samuel, "network-02-who-can-second")
    submit(samuel, first.locator("a"))
    samuel.wait_for_url(f"**/network/{ines.pk}/")

    # --- 3. Her profile: why the tie is strong; a note by keyboard; an offer added ----------------
    expect(samuel.locator("main h1")).to_have_text("Inès Lambert")
    expect(samuel.locator("main hgroup p")).to_have_text("Consultante climat · Bas-Carbone Conseil")
    relationship = samuel.locator("section[aria-labelledby=h-strength]")
    expect(relationship.locator("h2")).to_have_text(tr("Relationship"))
    reasons = relationship.locator("ul").first.locator("li")
    expect(reasons.first).to_have_text("12 échanges ces 6 derniers mois, 6 venant du hub")
    expect(relationship).to_contain_text(f"cercle {layer_of(ines, cutoffs)}")
    # The hub wrote to her less than two weeks ago: the profile says to wait before writing again.
    wrote = Interaction.objects.filter(contact=ines, inbound=False).latest("at").at
    expect(relationship.locator("p.warning")).to_contain_text(f"il y a {days_since(wrote)} jours")

    note = "Rencontrée au salon Produrable : très claire sur la méthode, tarifs raisonnables."
    expect(samuel.locator('label[for="id_text"]')).to_contain_text(tr("Note"))
    samuel.locator("#id_text").focus()
    samuel.keyboard.type(note)
    samuel.keyboard.press("Tab")
    add_note = samuel.locator("section[aria-labelledby=h-notes] button", has_text="Ajouter la note")
    expect(add_note).to_be_focused()
    with samuel.expect_navigation():
        samuel.keyboard.press("Enter")
    expect(samuel.locator("#messages")).to_contain_text(tr("Note added."))
    listed = samuel.locator("section[aria-labelledby=h-notes] article.note")
    expect(listed).to_have_count(1)
    expect(listed.locator("p")).to_have_text(note)
    expect(listed.locator("footer")).to_contain_text("Samuel Petit")
    assert ContactNote.objects.get(contact=ines).author == second
    screenshot(samuel, "network-03-profile-second")

    submit(samuel, samuel.get_by_role("button", name="Modifier le profil"))
    samuel.wait_for_url(f"**/network/{ines.pk}/edit/")
    expect(samuel.locator("main h1")).to_have_text("Modifier Inès Lambert")
    expect(samuel.locator('label[for="id_offers"]')).to_contain_text("Offres")
    offers = samuel.locator("#id_offers")
    expect(offers).to_have_value("Bilans carbone et stratégie bas-carbone pour les PME.")
    offers.press("End")
    offers.press_sequentially("\nAnimation de Fresques du Climat en entreprise.")
    screenshot(samuel, "network-04-edit-second")
    submit(samuel, samuel.get_by_role("button", name="Enregistrer"))
    samuel.wait_for_url(f"**/network/{ines.pk}/")
    expect(samuel.locator("#messages")).to_contain_text("Profil enregistré.")
    expect(samuel.locator("section[aria-labelledby=h-profile] dl.profile")).to_contain_text(
        "Animation de Fresques du Climat en entreprise."
    )

    open_from_menu(samuel, "Réseau")
    ask(samuel, "fresque du climat")
    hits = samuel.locator("main ol.hits > li")
    expect(hits).to_have_count(1)
    expect(hits.first.locator("a strong")).to_have_text("Inès Lambert")
    assert text_of(hits.first.locator("ul.evidence li").first) == (
        f"Offres{NBSP}: «{NBSP}Animation de Fresques du Climat en entreprise.{NBSP}»"
    )
    screenshot(samuel, "network-05-found-by-new-offer")

    # --- 4. « Ajouter une personne », then the same address again --------------------------------
    submit(samuel, samuel.locator("main nav.filters a", has_text="Ajouter une personne"))
    samuel.wait_for_url("**/network/new/")
    expect(samuel.locator("main h1")).to_have_text("Ajouter une personne")
    expect(samuel.locator('label[for="id_email"]')).to_contain_text("Adresse e-mail")
    samuel.locator("#id_name").fill("Bruno Lefèvre")
    samuel.locator("#id_email").fill("bruno.lefevre@atelier-bois.example")
    samuel.locator("#id_organisation").fill("Atelier Bois & Cie")
    samuel.locator("#id_offers").fill("Agencement sur mesure en bois local.")
    screenshot(samuel, "network-06-add-person")
    submit(samuel, samuel.get_by_role("button", name="Ajouter", exact=True))
    bruno = Contact.objects.get(email="bruno.lefevre@atelier-bois.example")
    samuel.wait_for_url(f"**/network/{bruno.pk}/")
    expect(samuel.locator("#messages")).to_contain_text("Bruno Lefèvre est dans le réseau.")
    assert bruno.in_network and bruno.source == "manual"

    samuel.goto("/network/new/")
    samuel.locator("#id_name").fill("Bruno L.")
    samuel.locator("#id_email").fill("Bruno.Lefevre@Atelier-Bois.example")
    submit(samuel, samuel.get_by_role("button", name="Ajouter", exact=True))
    assert samuel.url.endswith("/network/new/")  # not saved: the form comes back
    # The refusal reads as an error, with the way to the profile that holds the address.
    refusal = samuel.get_by_role("alert")
    expect(refusal).to_have_count(1)
    expect(refusal).to_have_class(re.compile(r"\bflash error\b"))
    expect(refusal).to_contain_text("Bruno Lefèvre est déjà dans le réseau avec cette adresse ou ce profil.")
    expect(refusal.get_by_role("link", name="Ouvrir le profil de Bruno Lefèvre")).to_have_attribute(
        "href", f"/network/{bruno.pk}/"
    )
    expect(samuel.locator('label[for="id_linkedin_url"]')).to_contain_text("Profil LinkedIn")
    assert Contact.objects.filter(email__iexact="bruno.lefevre@atelier-bois.example").count() == 1
    screenshot(samuel, "network-07-same-address-refused")

    # --- 5. Duplicates: one person, two records; merge, then undo ---------------------------------
    submit(samuel, samuel.locator("main nav.filters a", has_text="Doublons"))
    samuel.wait_for_url("**/network/duplicates/")
    expect(samuel.locator("main h2")).to_have_text("Doublons possibles")
    suggestion = samuel.locator("article.duplicate")
    expect(suggestion).to_have_count(1)
    expect(suggestion.locator("a strong")).to_have_text(["Jean Dupont", "J. Dupont"])
    expect(suggestion.locator("ul li")).to_have_text(["la même boîte mail (jeandupont@gmail.com)"])
    screenshot(samuel, "network-08-duplicates")
    submit(samuel, suggestion.get_by_role("button", name="Fusionner dans Jean Dupont"))
    samuel.wait_for_url(f"**/network/{jean.pk}/")
    expect(samuel.locator("#messages")).to_contain_text("J. Dupont fusionné dans Jean Dupont.")
    jean_again.refresh_from_db()
    assert jean_again.merged_into_id == jean.pk
    expect(samuel.locator("section[aria-labelledby=h-ids]")).to_contain_text("jeandupont@gmail.com")
    expect(samuel.locator("section[aria-labelledby=h-timeline]")).to_contain_text("Des nouvelles")
    undo = samuel.get_by_role("button", name="Annuler la fusion")
    expect(undo).to_be_visible()
    expect(samuel.locator("form.merge-undo small")).to_have_text(
        f"J. Dupont fusionné ici le {french_date(ContactMerge.objects.get().at)}."
    )
    screenshot(samuel, "network-09-merged")
    submit(samuel, undo)
    samuel.wait_for_url(f"**/network/{jean_again.pk}/")
    expect(samuel.locator("#messages")).to_contain_text("Fusion annulée")
    expect(samuel.locator("#messages")).to_contain_text("J. Dupont a de nouveau sa propre fiche.")
    expect(samuel.locator("main h1")).to_have_text("J. Dupont")
    jean_again.refresh_from_db()
    assert jean_again.merged_into_id is None and ContactMerge.objects.get().undone_at is not None
    assert not Interaction.objects.filter(contact=jean, source_key="<jean-gmail@reseau.test>").exists()
    screenshot(samuel, "network-10-merge-undone")

    # --- 6. « Garder le lien »: people with a reason; one reached out -----------------------------
    submit(samuel, samuel.locator("main nav.filters a", has_text="Garder le lien"))
    samuel.wait_for_url("**/network/plan/")
    expect(samuel.locator("main h2")).to_have_text("Cette semaine, gardez le lien avec")
    planned = samuel.locator("ol.plan > li")
    plan = plan_for_week()  # made by the page, once for the week
    assert plan and ines.pk not in {i.contact_id for i in plan}  # the hub wrote to her days ago
    expect(planned).to_have_count(len(plan))
    for item in planned.all():
        reason = text_of(item.locator("small"))
        assert re.fullmatch(
            rf"Cercle \d{NBSP}: vous échangez d’habitude tous les \d+ jours{NBSP}; "
            rf"le dernier échange date d’il y a \d+ jours\.|Proche autrefois .*",
            reason,
        ), reason
    marc_item = planned.filter(has_text="Marc Petitjean")
    expect(marc_item).to_contain_text("tous les 14 jours")
    expect(marc_item).to_contain_text(f"il y a {days_since(marc.last_at)} jours")
    screenshot(samuel, "network-11-keep-in-touch")
    submit(samuel, marc_item.get_by_role("button", name="J’ai repris contact"))
    samuel.wait_for_url("**/network/plan/")
    expect(samuel.locator("#messages")).to_contain_text("vous avez repris contact avec Marc Petitjean.")
    expect(planned.filter(has_text="Marc Petitjean").locator(".badge")).to_have_text("fait")
    assert next(i for i in plan_for_week() if i.contact_id == marc.pk).done_at is not None
    assert Interaction.objects.filter(contact=marc, kind=InteractionKind.CALL, inbound=False).exists()
    screenshot(samuel, "network-12-reached-out")

    # --- 7. Claire, a member: the people of her projects only --------------------------------------
    claire = sign_in(french_page, "claire")
    open_from_menu(claire, "Réseau")
    claire.wait_for_url("**/network/")
    expect(claire.locator("main table tbody tr")).to_have_count(1)
    expect(claire.locator("main table tbody tr a")).to_have_text(helene.display_name)
    expect(claire.locator("main")).not_to_contain_text("Inès Lambert")
    # Her list is the people of her projects, and the link says so (not « Tout le monde »).
    expect(claire.locator('main nav.filters a[aria-current="page"]')).to_have_text(
        "Les personnes de mes projets"
    )
    expect(claire.locator("main nav.filters")).not_to_contain_text("Ajouter une personne")
    expect(claire.locator('a[href="/network/new/"]')).to_have_count(0)
    expect(claire.locator("main nav.filters")).not_to_contain_text("Garder le lien")
    screenshot(claire, "network-13-list-member")
    ask(claire, "bilans carbone")
    expect(claire.locator("main ol.hits")).to_have_count(0)
    expect(claire.locator("main h2")).to_have_count(0)  # no « 0 personne peut aider » heading
    expect(claire.locator("main")).to_contain_text("Personne dans le réseau ne correspond encore à ces mots.")
    screenshot(claire, "network-14-who-can-member")
    response = claire.goto(f"/network/{ines.pk}/")
    assert response is not None and response.status == 404
    response = claire.goto("/network/new/")
    assert response is not None and response.status == 403
    claire.goto(f"/network/{helene.pk}/")
    expect(claire.locator("main h1")).to_have_text("Hélène Rousseau")
    expect(claire.get_by_role("button", name="Modifier le profil")).to_have_count(0)
    expect(claire.locator("section[aria-labelledby=h-ids]")).to_contain_text(helene.email)
    screenshot(claire, "network-15-profile-member")
