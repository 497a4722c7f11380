"""In a real browser, in French: a visitor sends a request with a subject through the public form; the
second finds it under that title, writes to the requester from the request page, and sees the mail in
the thread waiting (the mail server is down), then sent once the outbox delivers it (aiosmtpd)."""

from __future__ import annotations

import re
from email.utils import getaddresses
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from cercle.circulation.models import Request
from cercle.outbox.models import OutgoingMessage, OutgoingStatus
from cercle.outbox.services import outbox_flush
from tests.conftest import free_port
from tests.e2e.test_circulation_in_french import expect_french_page, sign_in, submit

SUBJECT = "Levée de fonds coopérative"
NEED = (
    "Bonjour,\n"
    "Nous sommes une coopérative de 25 personnes et préparons une levée de fonds citoyenne "
    "pour l'an prochain. Nous cherchons quelqu'un pour nous aider à construire le dossier."
)
REQUESTER = ("Hélène Rousseau", "helene.rousseau@coop-energie.example")
ANSWER = "Bonjour Hélène,\n\nMerci pour votre demande. Pouvons-nous en parler jeudi à 10 h ?\n\nSamuel"
FR_MONTHS = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
SENT_ON = re.compile(rf"Envoyé le \d{{1,2}} ({FR_MONTHS}) \d{{4}} à \d{{1,2}} h \d{{2}}")


@pytest.mark.e2e
def test_the_second_writes_to_the_requester_and_sees_it_leave(
    transactional_db: None,
    live_server: Any,
    french_page: Any,
    screenshot: Any,
    smtp_server: Any,
    settings: Any,
    leader: Any,
    second: Any,
) -> None:
    from playwright.sync_api import expect

    cache.clear()  # the form's rate limit lives in the cache
    settings.EMAIL_PORT = free_port()  # the mail server is down: nothing can leave yet

    # --- A visitor asks, with a subject of their own ------------------------------------------
    visitor = french_page()
    visitor.goto("/ask/")
    expect_french_page(visitor)
    visitor.fill("#id_name", REQUESTER[0])
    visitor.fill("#id_email", REQUESTER[1])
    visitor.fill("#id_subject", SUBJECT)
    visitor.fill("#id_need", NEED)
    visitor.click('main form button[type="submit"]')
    visitor.wait_for_url("**/ask/thanks/")
    req = Request.objects.get()
    assert req.subject == SUBJECT  # the subject given, not "Bonjour,"

    # --- The second finds it under its title ----------------------------------------------------
    samuel = sign_in(french_page, "samuel")
    assert samuel.url.endswith("/triage/")
    expect(samuel.locator(f'#queue li[data-id="{req.pk}"]')).to_contain_text(SUBJECT)
    samuel.goto(f"/requests/{req.pk}/")
    expect_french_page(samuel)
    expect(samuel.locator("main h1")).to_have_text(SUBJECT)
    # The receipt is in the thread, waiting: the server refused the connection, the outbox retries.
    receipt = OutgoingMessage.objects.get(idempotency_key=f"receipt:{req.pk}")
    receipt_card = samuel.locator(f"#out-{receipt.pk}")
    expect(receipt_card).to_contain_text("Nous avons bien reçu votre demande")
    expect(receipt_card.locator(".mail-status")).to_contain_text("En attente d'envoi")
    expect(receipt_card.locator(".mail-status")).to_contain_text("la dernière tentative a échoué")

    # --- An empty message is refused, and what was typed stays ----------------------------------
    form = samuel.locator("#write form")
    expect(samuel.locator("#write header")).to_have_text(f"Écrire à {REQUESTER[0]}")
    expect(form.locator('input[name="subject"]')).to_have_value(f"Re: {SUBJECT}")
    form.locator('input[name="subject"]').fill(f"Re: {SUBJECT} — rendez-vous")
    submit(samuel, form.locator('button[type="submit"]'))
    expect(samuel.locator("#write")).to_contain_text("Écrivez votre message avant de l'envoyer.")
    expect(samuel.locator('#write input[name="subject"]')).to_have_value(f"Re: {SUBJECT} — rendez-vous")
    assert OutgoingMessage.objects.count() == 1
    screenshot(samuel, "write-01-empty-message-refused")

    # --- The second writes; the mail waits in the thread and in the history ---------------------
    samuel.locator('#write textarea[name="body"]').fill(ANSWER)
    submit(samuel, samuel.locator('#write button[type="submit"]'))
    expect(samuel.locator("#messages")).to_contain_text(f"Votre message à {REQUESTER[0]} est en route.")
    mail = OutgoingMessage.objects.exclude(pk=receipt.pk).get()
    card = samuel.locator(f"#out-{mail.pk}")
    expect(card).to_contain_text("Pouvons-nous en parler jeudi")
    expect(card.locator(".mail-status")).to_contain_text("En attente d'envoi")
    line = samuel.locator(".timeline li", has_text=f"Message à {REQUESTER[1]}")
    expect(line).to_contain_text(f"Re: {SUBJECT} — rendez-vous")
    expect(line.locator(".mail-status")).to_contain_text("En attente d'envoi")
    screenshot(samuel, "write-02-waiting")

    # --- The mail server is back; the outbox's next round delivers both ------------------------
    settings.EMAIL_PORT = smtp_server.port
    # The retry is due a minute after the failed attempt: that minute passes.
    OutgoingMessage.objects.update(next_attempt_at=timezone.now())
    assert outbox_flush()["sent"] == 2
    samuel.reload()
    expect(card.locator(".mail-status")).to_contain_text(SENT_ON)
    expect(receipt_card.locator(".mail-status")).to_contain_text(SENT_ON)
    expect(line.locator(".mail-status")).to_contain_text(SENT_ON)
    expect(card).not_to_contain_text("En attente d'envoi")
    screenshot(samuel, "write-03-sent")

    # What the requester receives answers their request: their client threads it.
    mail.refresh_from_db()
    assert mail.status == OutgoingStatus.SENT
    # (The sink's parser keeps the space of a Subject folded right after its colon.)
    received = next(m for m in smtp_server.received() if m["Subject"].strip().startswith("Re:"))
    first_message = req.messages.get()
    assert received["In-Reply-To"] == first_message.message_id
    assert first_message.message_id in received["References"]
    assert [a for _, a in getaddresses([received["To"]])] == [REQUESTER[1]]
    assert "Pouvons-nous en parler jeudi" in received.get_content()
