"""Helpers for the triage tests: real RFC 5322 messages through the real intake."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from typing import Any

from django.conf import settings
from django.test import Client
from django.utils import timezone

from cercle.circulation.models import Request
from cercle.intake.services import message_ingest
from cercle.mail.parse import parse_message
from cercle.network.models import Contact
from cercle.network.services import interaction_record
from tests.conftest import login

_counter = {"n": 0}


def mail(
    *,
    sender: str,
    subject: str,
    body: str,
    headers: dict[str, str] | None = None,
    to: str = "Léa Marchand <lea@marchand-conseil.fr>",
) -> bytes:
    _counter["n"] += 1
    msg = EmailMessage(policy=SMTP)
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(timezone.now())
    msg["Message-ID"] = f"<test-{_counter['n']}-{abs(hash(subject)) % 10**8}@example.test>"
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    return msg.as_bytes()


def login_en(user: Any) -> Client:
    """A signed-in client that reads the pages in English (French is the default language)."""
    client = login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def ingest(raw: bytes) -> Request:
    result = message_ingest(parsed=parse_message(raw), raw=raw)
    assert result.status == "created", result
    return Request.objects.get(pk=result.request_id)


def make_known(email: str, *, exchanges: int = 14, name: str = "") -> Contact:
    """A correspondent the leader has exchanged with (interactions before today)."""
    contact, _ = Contact.objects.get_or_create(email=email, defaults={"name": name})
    start = timezone.now() - timedelta(days=200)
    for i in range(exchanges):
        interaction_record(
            contact=contact,
            kind="mail",
            inbound=i % 2 == 0,
            at=start + timedelta(days=i),
            source_key=f"test:{email}:{i}",
            subject="Échange",
        )
    return contact


NEWSLETTER_HEADERS = {
    "List-Unsubscribe": "<https://news.example-media.fr/unsub?u=lea>",
    "List-Id": "La lettre du dirigeant <dirigeant.example-media.fr>",
    "Precedence": "bulk",
    "X-Mailer": "Sarbacane",
}

SERIOUS_FR = """Bonjour Madame Marchand,

Je suis directrice générale de Maison Arnaud, une PME de 120 personnes à Valence. Nous cherchons à être
accompagnés pour réorganiser notre direction commerciale.

Pourriez-vous nous accorder un rendez-vous la semaine prochaine ? Nous avons prévu un budget de 35 000 €
et souhaitons démarrer avant le 30 avril.

Bien cordialement,

Claire Arnaud
Directrice générale, Maison Arnaud SAS
04 75 00 00 00
"""

NEWSLETTER_FR = """Voir la version en ligne

LA LETTRE DU DIRIGEANT - N° 88

À la une : financer sa croissance, les nouveaux prêts régionaux.
Agenda : nos prochains webinaires.

Vous recevez ce message car vous êtes abonné(e). Se désinscrire.
"""

PITCH_EN = """Hi Léa,

I noticed your firm is growing. We help consulting firms book 20 qualified meetings a month with our
outreach platform. Would you be open to a quick 15-minute call next week? Free demo, no obligation.

Best,
Ryan
"""
