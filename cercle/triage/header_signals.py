"""Facts about a message from its headers and its shape, each one a reason a person can check in the raw
message ("sent with a mass-mailing tool (Mailchimp)", "a delivery failure report").

Bounces, automatic replies and list mail are recognised by `cercle.mail.kinds`, the one classifier that
intake uses too (its lists were the more complete: delivery reports, more daemon names and vendors'
auto-reply headers); what is the triage's own is which tool sent a mass mailing and what sort of
address wrote it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cercle.mail import kinds
from cercle.triage.features import MailDoc

# Mass-mailing tools, recognised in X-Mailer/User-Agent or by a header of their own.
BULK_MAILERS: tuple[tuple[str, str], ...] = (
    ("mailchimp", "Mailchimp"),
    ("mailerlite", "MailerLite"),
    ("sendinblue", "Brevo"),
    ("brevo", "Brevo"),
    ("sendgrid", "SendGrid"),
    ("mailjet", "Mailjet"),
    ("hubspot", "HubSpot"),
    ("marketo", "Marketo"),
    ("salesforce", "Salesforce"),
    ("exacttarget", "Salesforce Marketing Cloud"),
    ("campaign monitor", "Campaign Monitor"),
    ("createsend", "Campaign Monitor"),
    ("constant contact", "Constant Contact"),
    ("mailgun", "Mailgun"),
    ("sarbacane", "Sarbacane"),
    ("dolist", "Dolist"),
    ("splio", "Splio"),
    ("lemlist", "lemlist"),
    ("woodpecker", "Woodpecker"),
    ("outreach", "Outreach"),
    ("salesloft", "Salesloft"),
    ("apollo", "Apollo"),
    ("phplist", "phpList"),
    ("listserv", "LISTSERV"),
    ("mailman", "Mailman"),
    ("sympa", "Sympa"),
    ("substack", "Substack"),
    ("klaviyo", "Klaviyo"),
    ("activecampaign", "ActiveCampaign"),
    ("sparkpost", "SparkPost"),
    ("amazonses", "Amazon SES"),
    ("mailpoet", "MailPoet"),
    ("aweber", "AWeber"),
    ("getresponse", "GetResponse"),
    ("emailvision", "Emailvision"),
    ("smartfocus", "SmartFocus"),
)
_MAILER_HEADERS = {
    "x-mc-user": "Mailchimp",
    "x-mailgun-sid": "Mailgun",
    "x-sg-eid": "SendGrid",
    "x-ses-outgoing": "Amazon SES",
    "x-mailjet-campaign": "Mailjet",
    "x-hubspot-mail-id": "HubSpot",
    "x-sib-id": "Brevo",
    "x-csa-complaints": "a certified bulk sender",
}
_NOREPLY = re.compile(
    r"^(no[-_.]?reply|do[-_.]?not[-_.]?reply|ne[-_.]?pas[-_.]?repondre|notifications?|alerts?|mailer)\b", re.I
)
_ROLE_SENDER = re.compile(
    r"^(news(letter)?s?|info|marketing|hello|bonjour|team|equipe|contact|events?|webinar|offres?|promo)\b",
    re.I,
)


@dataclass(frozen=True)
class Signal:
    """One fact about a message, with what to show (`code` + `detail`, rendered by reasons.py)."""

    code: str
    detail: str = ""


def bulk_mailer(doc: MailDoc) -> str:
    for header, label in _MAILER_HEADERS.items():
        if header in doc.headers:
            return label
    haystack = " ".join(
        doc.headers.get(h, "")
        for h in ("x-mailer", "user-agent", "return-path", "list-unsubscribe", "feedback-id")
    ).lower()
    if not haystack.strip():
        return ""
    for needle, label in BULK_MAILERS:
        if needle in haystack:
            return label
    return ""


def header_signals(doc: MailDoc) -> list[Signal]:
    """Facts from the headers, each one a reason a person can check in the raw message."""
    h = doc.headers
    found: list[Signal] = []
    if "list-unsubscribe" in h:
        found.append(Signal("list_unsubscribe"))
    if any(name in h for name in kinds.LIST_HEADERS):
        found.append(Signal("list_id", h.get("list-id", "")[:80]))
    precedence = h.get("precedence", "").strip().lower()
    if precedence in kinds.PRECEDENCE_BULK:
        found.append(Signal("precedence", precedence))
    name, value = kinds.automatic_header(h)
    if name:
        found.append(Signal("auto_submitted", value.lower()[:40] if name == "auto-submitted" else name))
    if doc.kind == kinds.BOUNCE:
        found.append(Signal("bounce"))
    mailer = bulk_mailer(doc)
    if mailer:
        found.append(Signal("bulk_mailer", mailer))
    if "feedback-id" in h or "x-campaign" in h or "x-campaignid" in h:
        found.append(Signal("campaign"))
    local = doc.from_email.partition("@")[0]
    if local and _NOREPLY.match(local):
        found.append(Signal("noreply", doc.from_email))
    elif local and _ROLE_SENDER.match(local):
        found.append(Signal("role_sender", doc.from_email))
    if doc.html_only:
        found.append(Signal("html_only"))
    if doc.links >= 8:
        found.append(Signal("many_links", str(doc.links)))
    if doc.recipients == 0 and doc.headers:
        found.append(Signal("hidden_recipients"))
    elif doc.recipients >= 10:
        found.append(Signal("many_recipients", str(doc.recipients)))
    if h.get("in-reply-to") or h.get("references"):
        found.append(Signal("in_thread"))
    return found
