"""parse_message(raw bytes) -> ParsedMessage: pure (no database, no disk, no network), never raises.

The one reader of mail in the project: intake stores what it reads, the triage learns from what intake
stored, and `cercle eval triage` reads files with it too.

Mail is hostile and often broken: unknown charsets, 8-bit headers, bad MIME boundaries, missing
headers, script in HTML. The standard library's `email` with `policy.default` does the MIME work
(structure, transfer encodings, parameters); this module decides what to keep and degrades gracefully
where a header or a part cannot be decoded. Decoding headers is in headers.py, HTML in html.py.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from email import message_from_bytes
from email.message import Message
from functools import cached_property
from typing import Any

from cercle.core.text import guess_language
from cercle.mail import kinds
from cercle.mail.headers import (
    POLICY,
    addresses,
    decode_bytes,
    head_end,
    header_date,
    header_text,
    msgids,
    parse_head,
    raw_header,
    strip_nul,
    wanted_headers,
)
from cercle.mail.html import html_to_text, sanitize_html
from cercle.mail.linkedin_notice import LinkedInNotice, recognise
from cercle.mail.source import source_compress

MAX_TEXT_CHARS = 200_000
MAX_DEPTH = 40  # MIME nesting deeper than this is an attack or a loop, not mail
_EMBEDDED_MSGID = re.compile(r"^message-id:\s*(<[^<>\s]+>)", re.I | re.M)
_TNEF_TYPES = frozenset({"application/ms-tnef", "application/vnd.ms-tnef"})
_CALENDAR_TYPES = frozenset({"text/calendar", "application/ics", "text/x-vcalendar"})
_DEFAULT_NAMES = {"calendar": "invitation.ics", "tnef": "winmail.dat", "message": "message.eml"}


@dataclass
class Attachment:
    """One attached file, inline image or calendar invitation; `payload` is its decoded bytes."""

    filename: str  # as the sender named it (display only: never a path on our disk)
    content_type: str
    payload: bytes = field(repr=False, default=b"")
    inline: bool = False
    content_id: str = ""
    role: str = "file"  # "file" | "image" | "calendar" | "tnef" | "message"
    calendar: dict[str, str] = field(default_factory=dict)  # summary, start, end, method, location

    @property
    def size(self) -> int:
        return len(self.payload)


@dataclass
class ParsedMessage:
    message_id: str
    subject: str
    from_name: str
    from_email: str
    to: list[str]
    cc: list[str]
    date: datetime | None
    in_reply_to: str
    references: list[str]
    text: str
    html: str  # already sanitised
    attachments: list[Attachment] = field(default_factory=list)
    truncated: bool = False
    defects: list[str] = field(default_factory=list)
    kind: str = kinds.NORMAL  # see kinds.py
    kind_reason: str = ""
    # Message-IDs of the message a bounce or an automatic reply is about (from the report's copy).
    report_ids: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # address -> display name, every address seen
    linkedin: LinkedInNotice | None = None
    # The first value of each header in headers.WANTED (lower-case names, unfolded, encoded words kept):
    # what kinds.py and the triage read.
    headers: dict[str, str] = field(default_factory=dict)
    html_only: bool = False  # no text part: `text` was read from the HTML
    # Without a Message-ID: the ids earlier versions derived from the exact bytes (CRLF and LF apart),
    # so that mail stored by them is still recognised.
    alias_ids: list[str] = field(default_factory=list)
    # Worked out ahead by an import's parsing process (`parse_many(..., ahead=True)`), else on demand:
    # the raw bytes compressed for storage, and the language of the message.
    raw_compressed: bytes | None = field(default=None, repr=False)
    language: str = ""
    # What later stages worked out in that process too, by name (intake/ahead.py).
    ahead: dict[str, Any] = field(default_factory=dict, repr=False)

    def language_guess(self) -> str:
        """'fr' or 'en', from the subject and the beginning of the text."""
        return self.language or guess_language(f"{self.subject}\n{self.text[:2000]}")

    @cached_property
    def thread_ids(self) -> list[str]:
        """Message-IDs this message answers, nearest first, each once (asked several times a message by
        an import: computed once, like `recipients`)."""
        head = [self.in_reply_to] if self.in_reply_to else []
        return list(dict.fromkeys([*head, *reversed(self.references), *self.report_ids]))

    @cached_property
    def all_ids(self) -> list[str]:
        """Its own Message-ID (and aliases) and those it answers: what the import looks up."""
        return [self.message_id, *self.alias_ids, *self.thread_ids]

    @cached_property
    def recipients(self) -> list[str]:
        """To and Cc, each address once (asked several times a message by an import: computed once;
        `to` and `cc` are not changed after parsing)."""
        return list(dict.fromkeys([*self.to, *self.cc]))


def _content_type(part: Message) -> tuple[str, Mapping[str, str]]:
    ctype = part.get_content_type()
    header = part.get("content-type")
    params = getattr(header, "params", None) or {}
    return ctype, params


# --- Parts ------------------------------------------------------------------------------------


@dataclass
class _Walk:
    text_parts: list[str] = field(default_factory=list)
    html_parts: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    has_delivery_status: bool = False
    embedded_ids: list[str] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)


def _leaves(part: Message, walk: _Walk, depth: int = 0) -> Iterator[Message]:
    """The leaf parts, depth first; reports and attached messages are handled on the way."""
    if depth > MAX_DEPTH:
        walk.defects.append("TooDeep")
        return
    ctype = part.get_content_type()
    if ctype == "message/delivery-status":
        walk.has_delivery_status = True
        return
    if not part.is_multipart():
        yield part
        return
    if ctype == "message/rfc822":
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        if isinstance(inner, Message):
            walk.embedded_ids += msgids(raw_header(inner, "message-id"))[:1]
            if (part.get_content_disposition() or "") == "attachment":
                # Forwarded as an attachment: offered as a file, not mixed into the body.
                _add_attachment(walk, part, "message/rfc822", {}, _message_bytes(inner))
                return
    for sub in part.get_payload() or []:
        if isinstance(sub, Message):
            yield from _leaves(sub, walk, depth + 1)


def _message_bytes(inner: Message) -> bytes:
    try:
        return inner.as_bytes(policy=POLICY)
    except Exception:
        return b""


def _filename(part: Message, params: Mapping[str, str]) -> str:
    header = part.get("content-disposition")
    disposition_params = getattr(header, "params", None) or {}
    name = str(disposition_params.get("filename") or params.get("name") or "")
    name = header_text(name)
    # Display only, but never a path: keep the last component, no control characters.
    name = re.split(r"[\\/]", name)[-1]
    return "".join(c for c in name if c.isprintable())[:255]


def _add_attachment(
    walk: _Walk, part: Message, ctype: str, params: Mapping[str, str], payload: bytes
) -> None:
    try:
        filename = _filename(part, params)
    except Exception:
        filename = ""
    disposition = (part.get_content_disposition() or "").lower()
    content_id = raw_header(part, "content-id").strip().strip("<>")[:200]
    role = "file"
    if ctype in _TNEF_TYPES or filename.lower() == "winmail.dat":
        role = "tnef"
    elif ctype in _CALENDAR_TYPES or filename.lower().endswith(".ics"):
        role = "calendar"
    elif ctype == "message/rfc822":
        role = "message"
    elif ctype.startswith("image/"):
        role = "image"
    inline = role == "image" and disposition != "attachment" and (disposition == "inline" or bool(content_id))
    if not filename:
        extension = ctype.partition("/")[2].split("+")[0].split(".")[-1][:10] or "bin"
        filename = _DEFAULT_NAMES.get(role) or f"part-{len(walk.attachments) + 1}.{extension}"
    attachment = Attachment(
        filename=filename,
        content_type=ctype,
        payload=payload,
        inline=inline,
        content_id=content_id,
        role=role,
    )
    if role == "calendar":
        attachment.calendar = calendar_summary(payload, method=str(params.get("method", "")))
    walk.attachments.append(attachment)


def calendar_summary(data: bytes, *, method: str = "") -> dict[str, str]:
    """The first event of an invitation: summary, start, end, location, method. Empty when unreadable."""
    try:
        import icalendar  # imported on first use: most mailboxes have few invitations

        calendar = icalendar.Calendar.from_ical(data)
    except Exception:
        return {"method": method.upper()} if method else {}
    found: dict[str, str] = {}
    method = method or str(calendar.get("METHOD", "") or "")
    if method:
        found["method"] = method.upper()[:20]
    for event in calendar.walk("VEVENT"):
        for key, prop in (("summary", "SUMMARY"), ("location", "LOCATION"), ("organizer", "ORGANIZER")):
            value = event.get(prop)
            if value:
                found[key] = strip_nul(str(value)).removeprefix("mailto:").removeprefix("MAILTO:")[:300]
        for key, prop in (("start", "DTSTART"), ("end", "DTEND")):
            moment = getattr(event.get(prop), "dt", None)
            if isinstance(moment, date):  # a datetime is a date too
                found[key] = moment.isoformat()
        break
    return found


def _walk_parts(msg: Message) -> _Walk:
    walk = _Walk()
    for part in _leaves(msg, walk):
        try:
            ctype, params = _content_type(part)
            header = part.get("content-disposition")  # read once (as get_content_disposition would)
            disposition = str(header).partition(";")[0].strip().lower() if header is not None else ""
            has_name = bool(params.get("name")) or bool(getattr(header, "params", {}).get("filename"))
            body_text = ctype.startswith("text/") and disposition != "attachment" and not has_name
            if body_text and ctype not in _CALENDAR_TYPES and ctype != "text/x-vcard":
                payload = part.get_payload(decode=True)
                data = payload if isinstance(payload, bytes) else b""
                if ctype == "text/html":
                    walk.html_parts.append(decode_bytes(data, params.get("charset")))
                elif ctype == "text/rfc822-headers":
                    headers = decode_bytes(data, params.get("charset"))
                    walk.embedded_ids += _EMBEDDED_MSGID.findall(headers)[:1]
                    walk.text_parts.append(headers)
                elif ctype in ("text/plain", "text/enriched") or not walk.text_parts:
                    walk.text_parts.append(decode_bytes(data, params.get("charset")))
                continue
            payload = part.get_payload(decode=True)
            _add_attachment(walk, part, ctype, params, payload if isinstance(payload, bytes) else b"")
        except Exception as exc:  # one broken part must not lose the rest of the message
            walk.defects.append(f"PartFailed:{type(exc).__name__}")
    return walk


# --- The message ------------------------------------------------------------------------------


def parse_message(raw: bytes, *, max_text_chars: int = MAX_TEXT_CHARS) -> ParsedMessage:
    try:
        parsed = _parse(raw, max_text_chars)
        if not parsed.from_email and "MissingHeaderBodySeparatorDefect" in parsed.defects:
            repaired = _header_block_repaired(raw)
            if repaired is not None:
                again = _parse(repaired, max_text_chars)
                if again.from_email:
                    again.defects = [*parsed.defects, "StrayHeaderLineDropped"]
                    return again
        return parsed
    except Exception as exc:  # a stdlib corner (recursion, a codec bug): keep a trace, never crash the import
        return ParsedMessage(
            message_id=_fallback_id(raw),
            subject="",
            from_name="",
            from_email="",
            to=[],
            cc=[],
            date=None,
            in_reply_to="",
            references=[],
            text=strip_nul(decode_bytes(raw[:max_text_chars])),
            html="",
            defects=[f"ParseFailed:{type(exc).__name__}"],
        )


def parse_many(
    raws: list[bytes], max_text_chars: int = MAX_TEXT_CHARS, *, ahead: bool = False
) -> list[ParsedMessage]:
    """Several messages at once: what an import's parsing worker process runs (this module needs no
    Django). `ahead`: also compress each message's bytes and guess its language, work the process that
    writes would otherwise do."""
    found = []
    for raw in raws:
        parsed = parse_message(raw, max_text_chars=max_text_chars)
        if ahead:
            parsed.raw_compressed = source_compress(raw)
            parsed.language = parsed.language_guess()
        found.append(parsed)
    return found


_HEADER_LINE = re.compile(rb"^[!-9;-~]+[ \t]*:")


def _fallback_id(raw: bytes) -> str:
    """No usable Message-ID: one derived from the bytes, so that a re-import stays idempotent. The line
    ends are normalised first: the same mail fetched by IMAP (CRLF) and read from a file (LF) is one."""
    normal = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n").rstrip(b"\n")
    return f"<sha256n-{hashlib.sha256(normal).hexdigest()[:40]}@cercle.invalid>"


def _legacy_ids(raw: bytes) -> list[str]:
    """The ids versions before 2026-12 derived from the exact bytes, for this mail as CRLF and as LF."""
    lf = raw.replace(b"\r\n", b"\n")
    variants = dict.fromkeys([raw, lf, lf.replace(b"\n", b"\r\n")])
    return [f"<sha256-{hashlib.sha256(v).hexdigest()[:40]}@cercle.invalid>" for v in variants]


def _header_block_repaired(raw: bytes) -> bytes | None:
    """A header block broken by a line that is no header (no colon, not a continuation): the parser
    stops there and takes the rest, From: included, for the body. Without the stray lines, or None."""
    cut = raw.find(b"\n\n") if b"\r\n\r\n" not in raw else raw.find(b"\r\n\r\n")
    head = raw if cut == -1 else raw[:cut]
    lines = head.splitlines(keepends=True)
    kept = [line for line in lines if line[:1] in (b" ", b"\t") or _HEADER_LINE.match(line)]
    if len(kept) == len(lines) or not kept:
        return None
    return b"".join(kept) + (raw[cut:] if cut != -1 else b"\r\n")


def _message(raw: bytes) -> Message:
    """The message as `message_from_bytes` builds it, faster for a single-part message (most mail): the
    feed parser reads the headers, and the body, which it would only split into lines and join again as
    the payload, is set directly (about half the parsing time of a plain-text mailbox)."""
    cut = head_end(raw)
    if cut != -1:
        msg = parse_head(raw)
        # An empty payload: the parser saw the headers end where we cut (not at a line that is no
        # header, nor at a lone CR); multipart and message/* bodies need the parser's structure.
        if not msg.get_payload() and msg.get_content_maintype() not in ("multipart", "message"):
            msg.set_payload(raw[cut:].decode("ascii", "surrogateescape"))
            return msg
    return message_from_bytes(raw, policy=POLICY)  # type: ignore[arg-type]


def _parse(raw: bytes, max_text_chars: int) -> ParsedMessage:
    msg = _message(raw)
    defects = [type(d).__name__ for d in getattr(msg, "defects", [])]
    headers = wanted_headers(msg)
    walk = _walk_parts(msg)
    defects += walk.defects

    raw_html = strip_nul("\n".join(walk.html_parts))
    text = strip_nul("\n\n".join(t.strip() for t in walk.text_parts if t.strip()))
    html_only = not text and bool(raw_html)
    if html_only:
        text = html_to_text(raw_html)
    truncated = False
    if len(text) > max_text_chars:
        text, truncated = text[:max_text_chars], True
    html = raw_html
    if len(html) > max_text_chars * 2:
        html, truncated = "", True  # too big to show safely; the text version stays

    names: dict[str, str] = {}
    fields: dict[str, list[tuple[str, str]]] = {}
    for name in ("from", "sender", "reply-to", "to", "cc"):
        fields[name] = addresses(headers.get(name, ""))
        for display, address in fields[name]:
            if display and address not in names:
                names[address] = display
    sender = fields["from"] or fields["sender"] or fields["reply-to"]
    from_name, from_email = sender[0] if sender else ("", "")
    subject = header_text(headers.get("subject", ""))[:300]

    ids = msgids(headers.get("message-id", ""))
    bare = headers.get("message-id", "").strip()
    if not ids and bare and " " not in bare and "@" in bare:
        ids = [f"<{bare.strip('<>')}>"]  # written without brackets: still the sender's identifier
    message_id = ids[0] if ids else _fallback_id(raw)
    alias_ids = [] if ids else _legacy_ids(raw)
    reply_to = msgids(headers.get("in-reply-to", ""))

    ctype, params = _content_type(msg)
    kind, kind_reason = kinds.classify(
        headers=headers,
        from_email=from_email,
        from_name=from_name,
        subject=subject,
        content_type=ctype,
        report_type=str(params.get("report-type", "")).lower(),
        has_delivery_status=walk.has_delivery_status,
    )
    notice = recognise(from_email=from_email, from_name=from_name, subject=subject, text=text, html=raw_html)
    if notice is not None:
        # LinkedIn sends these as newsletters (List-Unsubscribe…), but each is one person writing.
        kind, kind_reason = kinds.NORMAL, "LinkedIn message notification"
    automatic = kind in (kinds.BOUNCE, kinds.AUTO_REPLY)
    report_ids = [i for i in walk.embedded_ids if i != message_id] if automatic else []

    return ParsedMessage(
        message_id=message_id[:500],
        subject=subject,
        from_name=from_name,
        from_email=from_email,
        to=list(dict.fromkeys(a for _n, a in fields["to"])),
        cc=list(dict.fromkeys(a for _n, a in fields["cc"])),
        date=header_date(headers.get("date", "")),
        in_reply_to=reply_to[0][:500] if reply_to else "",
        references=[r[:500] for r in msgids(headers.get("references", ""))[-50:]],
        text=text,
        html=sanitize_html(html) if html else "",
        attachments=walk.attachments,
        truncated=truncated,
        defects=defects,
        alias_ids=alias_ids,
        kind=kind,
        kind_reason=kind_reason,
        report_ids=report_ids[:5],
        names=names,
        linkedin=notice,
        headers=headers,
        html_only=html_only,
    )
