"""What the machine reads in one message: a `MailDoc`.

It is built from what the mail reader gave (`cercle.mail.parse` is the one reader of mail; the triage has
no parser of its own): `doc_from_parsed` for files (`cercle eval triage`, the base model's training
set), and `doc_from_fields` with what intake stored when it read the message (`selectors.request_doc`),
so that the model reads the same thing when it learns and when it suggests. A LinkedIn message
notification is read as the person's message (`person_doc`): LinkedIn's bulk headers and template are
not the person's, their words are. The signals derived from it are in header_signals.py, the content cues in cues.py; the text model hashes the subject, the text, the words
of a few headers (`MailDoc.header_text`) and the names of the HTML tags.

Everything here is pure (no database, no network) and fast: the triage of a 100,000-message mailbox,
and the evaluation against SpamAssassin, run through these functions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cercle.mail import kinds
from cercle.mail.html import html_to_text
from cercle.mail.linkedin_notice import LinkedInNotice, is_linkedin_address, is_notice_subject, recognise
from cercle.mail.parse import ParsedMessage

TEXT_CHARS = 4000  # words are read from this much body text
MARKUP_CHARS = 30000  # links and tag names are counted in this much HTML

# Runs of blanks (tabs, CR, no-break spaces…) as one space; one regex pass, faster than str.translate.
_BLANK_RUNS = re.compile(r"[ \t\r\f\v\xa0]{2,}|[\t\r\f\v\xa0]")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_LINK = re.compile(r"[hH][tT][tT][pP][sS]?://|<[aA]\s")  # (re.I would make it slower)
_TAG_NAME = re.compile(r"<([a-zA-Z][a-zA-Z0-9]{0,9})")

# Headers whose words the text model reads (prefixed by the header's name), besides From and Subject.
_HEADER_WORDS = (
    "reply-to",
    "return-path",
    "sender",
    "to",
    "cc",
    "x-mailer",
    "user-agent",
    "content-type",
    "content-transfer-encoding",
    "x-priority",
    "x-msmail-priority",
    "importance",
    "mime-version",
    "organization",
    "errors-to",
    "x-mimeole",
)
# What a relayed person's message keeps of the relay's headers: who it was to, when, and the message's
# shape. The rest (List-*, Precedence, Feedback-ID, no-reply Return-Path, X-Mailer…) is the relay's.
_RELAYED_HEADERS = (
    "to",
    "cc",
    "date",
    "message-id",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
)
VIA_LINKEDIN = "linkedin"


@dataclass(frozen=True)
class MailDoc:
    """The parts of a message the triage reads. Build it with `doc_from_parsed` or `doc_from_fields`."""

    subject: str = ""
    text: str = ""
    from_email: str = ""
    from_name: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    html_only: bool = False
    links: int = 0
    recipients: int = 1
    markup_tags: str = ""  # names of the HTML tags, in order (a shape of the message, not its text)
    kind: str = kinds.NORMAL  # as cercle.mail.kinds decided it when the message was read
    via: str = ""  # "linkedin": a person's message relayed by LinkedIn's notification (see person_doc)

    def header_text(self) -> str:
        """The words of the headers that describe the sender, the recipients and the sending software.

        Received chains are left out on purpose: they describe the receiving side (the hub's own
        servers, or a corpus's), which would teach the model where a corpus was collected.
        """
        h = self.headers
        parts = [f"from {self.from_name} {self.from_email}"]
        parts += [f"{name.replace('-', '')} {h[name]}" for name in _HEADER_WORDS if name in h]
        message_id = h.get("message-id", "")
        parts.append("msgid " + message_id.rpartition("@")[2] if message_id else "nomsgid")
        date = h.get("date", "").split()
        parts.append("datetz " + (date[-1] if date else "none"))
        return "\n".join(parts).lower()


def doc_from_parsed(parsed: ParsedMessage) -> MailDoc:
    """A message as the mail reader read it: files (`cercle eval triage`, the base model's training set)."""
    return doc_from_fields(
        subject=parsed.subject,
        text=parsed.text,
        html=parsed.html,
        html_only=parsed.html_only,
        from_email=parsed.from_email,
        from_name=parsed.from_name,
        headers=parsed.headers,
        recipients=len(parsed.to) + len(parsed.cc),
        kind=parsed.kind,
        linkedin=parsed.linkedin,
        read_linkedin=False,  # the mail reader already looked
    )


def doc_from_fields(
    *,
    subject: str,
    text: str,
    from_email: str = "",
    from_name: str = "",
    html: str = "",
    headers: dict[str, str] | None = None,
    recipients: int = 1,
    kind: str = kinds.NORMAL,
    html_only: bool | None = None,
    linkedin: LinkedInNotice | None = None,
    read_linkedin: bool = True,
) -> MailDoc:
    """A message from its fields: a `ParsedMessage`'s, a stored message's (`selectors.request_doc`), or a
    message that never was mail (the public form, manual entry). `html` is sanitised HTML, `headers` as in
    `ParsedMessage.headers`, `kind` as `cercle.mail.kinds` decided.

    `html_only` when unknown: the text is empty, or the Content-Type says HTML alone. (A stored message
    does not say whether its text was read from its HTML; a multipart message with no text part is the
    one case this misses.)

    A LinkedIn message notification (`linkedin`, or recognised here when `read_linkedin` and the sender
    is a linkedin.com address: a stored message is not read again) is the person's message."""
    headers = headers or {}
    if linkedin is None and read_linkedin and is_linkedin_address(from_email):
        linkedin = recognise(
            from_email=from_email,
            from_name=from_name,
            subject=subject,
            text=text or html_to_text(html),
            html=html,
        )
    if linkedin is not None:
        return person_doc(linkedin, subject=subject, text=text, headers=headers, recipients=recipients)
    if html_only is None:
        content_type = headers.get("content-type", "").lower()
        html_only = bool(html) and (not text.strip() or content_type.startswith("text/html"))
    body = text if text.strip() else html_to_text(html)
    return MailDoc(
        subject=subject[:300],
        # (cut before cleaning: a stored text can be 200,000 characters; cleaning only shortens it)
        text=clean_text(body[: TEXT_CHARS * 4])[:TEXT_CHARS],
        from_email=from_email.lower(),
        from_name=from_name,
        headers=headers,
        html_only=html_only,
        links=len(_LINK.findall((html or text)[:MARKUP_CHARS])),
        recipients=recipients,
        markup_tags=" ".join(_TAG_NAME.findall(html[:MARKUP_CHARS])).lower() if html else "",
        kind=kind,
    )


def person_doc(
    notice: LinkedInNotice, *, subject: str, text: str, headers: dict[str, str], recipients: int = 1
) -> MailDoc:
    """A LinkedIn message notification as the message the person wrote: their words (the quoted text),
    their name, and their own subject when they chose one (an InMail, "RE: …"), not LinkedIn's ("X sent
    you a message"); none of the notification's bulk headers, no-reply address or HTML template. The
    category then follows what the person wrote (issue: a LinkedIn message is a person writing)."""
    words = notice.text.strip() or text
    own_subject = "" if is_notice_subject(subject) else subject
    return MailDoc(
        subject=own_subject[:300],
        text=clean_text(words[: TEXT_CHARS * 4])[:TEXT_CHARS],
        from_email="",
        from_name=notice.name,
        headers={name: headers[name] for name in _RELAYED_HEADERS if name in headers},
        html_only=False,
        links=len(_LINK.findall(words[:MARKUP_CHARS])),
        recipients=max(recipients, 1),
        markup_tags="",
        kind=kinds.NORMAL,
        via=VIA_LINKEDIN,
    )


def clean_text(text: str) -> str:
    text = _BLANK_RUNS.sub(" ", text.replace("\r\n", "\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].lower().strip(" >")
