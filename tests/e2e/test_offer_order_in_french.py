"""In a real browser, in French: the second offers a request one member at a time, in the order they
tick them (numbered as they go), with a time to answer of their choosing; the first member asked sees
until when to answer, and passes it on to a colleague ("suggérer quelqu'un d'autre")."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from cercle.circle.models import Offer, OfferState
from cercle.circulation import services as circulation
from tests.e2e.test_circulation_in_french import expect_french_page, sign_in, submit, tr
from tests.factories import RequestFactory

SUBJECT = "Bilan carbone d'une coopérative"


@pytest.mark.e2e
def test_one_at_a_time_in_the_order_ticked_then_passed_on_to_a_colleague(
    transactional_db: None,
    live_server: Any,
    french_page: Any,
    screenshot: Any,
    leader: Any,
    second: Any,
    member: Any,
    other_member: Any,
    outsider: Any,
) -> None:
    from playwright.sync_api import expect

    req = RequestFactory(subject=SUBJECT)
    circulation.request_keep(actor=second, request=req)
    circulation.request_approve(actor=leader, request=req)

    # --- The second ticks Karim, then Claire: they are numbered 1 and 2 -------------------------
    samuel = sign_in(french_page, "samuel")
    samuel.goto(f"/routing/{req.pk}/")
    expect_french_page(samuel)
    samuel.check(f'input[name="members"][value="{other_member.pk}"]')
    samuel.check(f'input[name="members"][value="{member.pk}"]')
    expect(samuel.locator(f'input[name="order_{other_member.pk}"]')).to_have_value("1")
    expect(samuel.locator(f'input[name="order_{member.pk}"]')).to_have_value("2")
    # Unticking Claire clears her number; ticking her again puts her back last.
    samuel.uncheck(f'input[name="members"][value="{member.pk}"]')
    expect(samuel.locator(f'input[name="order_{member.pk}"]')).to_have_value("")
    samuel.check(f'input[name="members"][value="{member.pk}"]')
    expect(samuel.locator(f'input[name="order_{member.pk}"]')).to_have_value("2")
    samuel.get_by_label(tr("One member at a time, in the order chosen")).check()
    samuel.fill('input[name="answer_hours"]', "12")
    screenshot(samuel, "route-one-at-a-time")
    submit(samuel, samuel.locator('main form button[type="submit"]'))
    samuel.wait_for_url("**/routing/")
    expect(samuel.locator("#messages")).to_contain_text(
        tr("Offered to %(names)s, one at a time in this order.") % {"names": "Karim Benali, Claire Dubois"}
    )
    karim = Offer.objects.get(request=req, member=other_member)
    assert karim.state == OfferState.PENDING
    assert karim.deadline_at - karim.sent_at == timedelta(hours=12)  # type: ignore[operator]
    assert Offer.objects.get(request=req, member=member).state == OfferState.QUEUED

    # --- Karim sees until when to answer, and suggests Oscar instead -------------------------------
    page = sign_in(french_page, "karim")
    offer = page.locator(f"#offer-{karim.pk}")
    expect(offer).to_contain_text("Répondez avant le")
    expect(offer).to_contain_text(" h ")  # "… à 22 h 05": the French way
    offer.locator("summary").click()
    offer.locator('select[name="colleague"]').select_option(str(outsider.pk))
    offer.locator('input[name="note"]').fill("Oscar a fait un bilan carbone l'an dernier.")
    screenshot(page, "opportunities-suggest-someone-else")
    submit(page, offer.locator('form[action$="/suggest/"] button'))
    expect(page.locator("#messages")).to_contain_text("Oscar Outside")
    expect(page.locator('article[id^="offer-"]')).to_have_count(0)
    assert Offer.objects.get(request=req, member=outsider).state == OfferState.PENDING
    assert Offer.objects.get(request=req, member=member).state == OfferState.QUEUED  # Claire after Oscar

    oscar = sign_in(french_page, "oscar")
    expect(oscar.locator('article[id^="offer-"]')).to_contain_text("Karim Benali a pensé à vous")
