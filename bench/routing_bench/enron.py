"""The Enron labelled set: eight traders of one desk as the circle, their mail before a cut date as their
past projects, and the requests they answered after it (the one who answered is the label).

Reading (``read_trader``): every folder of a trader (one mbox file per folder), each message once (the
corpus keeps Lotus Notes' duplicate views; copies share Date, From, To and Subject). The trader's
addresses: the From addresses of their sent folders that carry their last name, seen at least 3 times
(as ``network_quality.py``).

Past projects (before the cut): every message a trader sent, once. Its requester is the person it
answers (the quoted original's sender) or, for mail the trader started, its first recipient; its
subject without "Re:"/"Fw:"; its summary the request it answers (the quoted original) then the trader's
own words, cut at 600 characters as intake cuts a summary. All closed and won: the mail does not say
how a thread ended, and a thread the trader handled is one they took.

Labelled requests (from the cut on): a message from someone outside the eight that a trader answered
("Re:" from the trader to its sender), found either quoted in the trader's reply (Outlook's
"-----Original Message-----" block, Lotus Notes' "Name on MM/DD/YYYY" block) or in the trader's own
folders (same subject without prefixes, its sender among the reply's recipients, within 14 days before
it). Not bulk mail (no "unsubscribe", "mailing list" or "click here", fewer than 3 links). Kept when
it asks something: at least 5 words, and a question mark or a request phrase
("please", "can you", "could you", "would you", "let me know", "need", "do you", "are you", "will you").
The same request answered by two traders counts once, with both as right answers. The requester
(address, display name, organisation from the domain as intake does) may already be a contact of
past projects: who knows whom is part of what routing should use.
"""

from __future__ import annotations

import email.utils
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path

MIN_ALIAS_MESSAGES = 3
SUMMARY_CHARS = 600
MIN_WORDS = 5
ANSWER_WINDOW = timedelta(days=14)
_PARSER = BytesParser(policy=policy.compat32)
_PREFIX = re.compile(r"^\s*((re|fw|fwd|tr)\s*(\[\d+\])?\s*:\s*)+", re.I)
_OUTLOOK = re.compile(r"^[ \t>]*-{2,}\s*Original Message\s*-{2,}[ \t]*$", re.I | re.M)
_LOTUS = re.compile(
    r"^[ \t>]*(?P<who>[^\n]{2,120}?)\s+on\s+\d{1,2}/\d{1,2}/\d{2,4}\s+\d{1,2}:\d{2}(?::\d{2})?\s*(?:AM|PM)?[ \t]*$",
    re.I | re.M,
)
_FORWARD = re.compile(r"^[ \t>]*-{5,}\s*Forwarded by[^\n]*$", re.I | re.M)
_HEADER_LINE = re.compile(
    r"^[ \t>]*(from|sent|to|cc|bcc|subject|date|importance|please respond to)\s*:", re.I
)
_ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_ASK = re.compile(
    r"\?|\b(please|pls|can you|could you|would you|will you|do you|are you|let me know|need|needs|"
    r"request|wondering)\b",
    re.I,
)
_BULK = re.compile(r"unsubscribe|mailing list|click here", re.I)
_LINK = re.compile(r"<< File: http|https?://", re.I)
_DISCLAIMER = re.compile(r"\*{10,}.*", re.S)


@dataclass
class Mail:
    date: datetime
    sender: str
    sender_name: str
    recipients: list[str]
    subject: str
    body: str
    sent_folder: bool


@dataclass
class Quoted:
    """The first message quoted in a reply: who wrote it (an address when the quote gives one, else the
    name as shown), its subject and its text."""

    sender: str
    name: str
    subject: str
    text: str


@dataclass
class PastProject:
    trader: str
    date: datetime
    requester: str
    requester_name: str
    subject: str
    summary: str


@dataclass
class Labelled:
    id: str
    traders: list[str]  # who answered: the right answers
    date: datetime
    requester: str
    requester_name: str
    subject: str
    text: str
    found: str  # "quoted" or "folder"

    def digest(self) -> str:
        return hashlib.sha256(f"{self.requester}\n{self.subject}\n{self.text}".encode()).hexdigest()[:16]


@dataclass
class Trader:
    user: str
    name: str
    addresses: list[str]
    mail: list[Mail] = field(default_factory=list)


def bare_subject(subject: str) -> str:
    return " ".join(_PREFIX.sub("", subject).split())


def _text(message: object) -> str:
    from email.message import Message

    assert isinstance(message, Message)
    if message.is_multipart():
        for part in message.walk():
            if part.get_content_type() == "text/plain":
                payload = part.get_payload(decode=True)
                if isinstance(payload, bytes):
                    return payload.decode(part.get_content_charset() or "latin-1", "replace")
        return ""
    payload = message.get_payload(decode=True)
    if isinstance(payload, bytes):
        return payload.decode(message.get_content_charset() or "latin-1", "replace")
    return str(message.get_payload())


def read_trader(user_dir: Path) -> Trader:
    from cercle.intake.files import is_sent_folder, mbox_messages

    seen: dict[tuple[str, ...], Mail] = {}
    for path in sorted(p for p in user_dir.iterdir() if p.is_file()):
        sent_folder = is_sent_folder(path.name)
        for _index, raw, _error in mbox_messages(path):
            if not raw:
                continue
            head = _PARSER.parsebytes(raw)
            try:
                date = email.utils.parsedate_to_datetime(str(head["Date"]))
            except (TypeError, ValueError, IndexError):
                continue
            if date.tzinfo is None:
                date = date.replace(tzinfo=UTC)
            name, sender = email.utils.parseaddr(str(head.get("From", "")))
            fields = [str(v) for h in ("To", "Cc", "Bcc") for v in head.get_all(h, [])]
            recipients = [a.strip().lower() for _n, a in email.utils.getaddresses(fields) if "@" in a]
            subject = " ".join(str(head.get("Subject", "")).split())
            key = (str(head["Date"]).strip(), sender.lower(), str(head.get("To", "")).strip(), subject)
            mail = seen.get(key)
            if mail is None:
                seen[key] = Mail(
                    date,
                    sender.strip().lower(),
                    name.strip(),
                    list(dict.fromkeys(recipients)),
                    subject,
                    _text(head),
                    sent_folder,
                )
            elif sent_folder:
                mail.sent_folder = True
    last = user_dir.name.split("-")[0].lower()
    senders = Counter(m.sender for m in seen.values() if m.sent_folder)
    addresses = [
        a for a, n in senders.most_common() if n >= MIN_ALIAS_MESSAGES and last in a.partition("@")[0]
    ]
    if not addresses:
        raise SystemExit(f"{user_dir.name}: no address of theirs found in their sent folders")
    firsts = [a.partition("@")[0].split(".")[0] for a in addresses]
    first = next((f for f in firsts if len(f) >= 3 and f.isalpha()), firsts[0])
    name = f"{first.capitalize()} {last.capitalize()}"
    return Trader(user_dir.name, name, addresses, sorted(seen.values(), key=lambda m: m.date))


def clean(text: str) -> str:
    """A message's own words: quote markers and a disclaimer dropped, blank runs collapsed."""
    text = _DISCLAIMER.sub("", text)
    lines = [line.lstrip(" \t>").rstrip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def split_reply(body: str) -> tuple[str, Quoted | None]:
    """The reply's own text and the first message it quotes (None when it quotes nothing)."""
    starts = [m for m in (_OUTLOOK.search(body), _LOTUS.search(body), _FORWARD.search(body)) if m]
    if not starts:
        return clean(body), None
    first = min(starts, key=lambda m: m.start())
    own = clean(body[: first.start()])
    rest = body[first.end() :] if first.re is not _LOTUS else body[first.start() :]
    # The quoted header block: From/Sent/To/Cc/Subject lines (Outlook) or "Name on date" then To/cc/Subject.
    lines = rest.splitlines()
    sender = name = subject = ""
    index = 0
    if first.re is _LOTUS:
        who = first.group("who").strip()
        name = who
        found = _ADDRESS.search(who)
        sender = found.group(0).lower() if found else ""
        index = 1
    elif first.re is _FORWARD:
        return own, None
    while index < len(lines) and not lines[index].strip():
        index += 1
    current = ""
    while index < len(lines):
        line = lines[index]
        match = _HEADER_LINE.match(line)
        if match:
            current = match.group(1).lower()
            value = line[match.end() :].strip()
            if current == "from" and not sender:
                name = value
                found = _ADDRESS.search(value)
                sender = found.group(0).lower() if found else ""
            elif current == "subject":
                subject = value
        elif line.startswith((" ", "\t")) and current and line.strip():
            if current == "subject":
                subject += " " + line.strip()
        elif not line.strip():
            index += 1
            break
        else:
            break
        index += 1
    quoted_body = "\n".join(lines[index:])
    ends = [
        m.start()
        for m in (_OUTLOOK.search(quoted_body), _LOTUS.search(quoted_body), _FORWARD.search(quoted_body))
        if m
    ]
    if ends:
        quoted_body = quoted_body[: min(ends)]
    name = re.sub(r"<[^>]*>|@ENRON|\[mailto:[^\]]*\]|\"", "", name).strip()
    return own, Quoted(sender, name, " ".join(subject.split()), clean(quoted_body))


def _name_matches(name: str, address: str) -> bool:
    """A quoted "Berutti, Aaron" or "Aaron Berutti" and aaron.berutti@enron.com."""
    local = address.partition("@")[0].lower()
    words = [w for w in re.findall(r"[a-z]+", name.lower()) if len(w) > 2]
    return bool(words) and all(w in local for w in words[:2])


def asks(text: str) -> bool:
    return len(text.split()) >= MIN_WORDS and bool(_ASK.search(text))


def build(traders: list[Trader], cut: datetime) -> tuple[list[PastProject], list[Labelled], Counter[str]]:
    """Past projects before ``cut``, labelled requests from it on, and why candidates were dropped."""
    everyone = {a for t in traders for a in t.addresses}
    past: list[PastProject] = []
    candidates: dict[tuple[str, str, str], Labelled] = {}
    dropped: Counter[str] = Counter()
    for trader in traders:
        mine = set(trader.addresses)
        sent = [m for m in trader.mail if m.sender in mine]
        received = [m for m in trader.mail if m.sender not in mine and m.sender]
        by_subject: dict[str, list[Mail]] = {}
        for m in received:
            by_subject.setdefault(bare_subject(m.subject).lower(), []).append(m)
        for m in sent:
            own, quoted = split_reply(m.body)
            others = [r for r in m.recipients if r not in mine]
            is_reply = bool(re.match(r"\s*re\s*:", m.subject, re.I))
            requester, requester_name = "", ""
            if quoted is not None and quoted.sender and quoted.sender not in mine:
                requester, requester_name = quoted.sender, quoted.name
            elif quoted is not None and quoted.name and not quoted.sender:
                matching = [r for r in others if _name_matches(quoted.name, r)]
                if matching:
                    requester, requester_name = matching[0], quoted.name
            if m.date < cut:
                to = requester or (others[0] if others else "")
                if not to:
                    continue
                words = f"{quoted.text}\n\n{own}" if quoted is not None and requester else own
                past.append(
                    PastProject(
                        trader.user,
                        m.date,
                        to,
                        requester_name,
                        bare_subject(m.subject),
                        " ".join(words.split())[:SUMMARY_CHARS],
                    )
                )
                continue
            if not is_reply:
                continue
            text, subject, found = "", bare_subject(m.subject), ""
            if requester and quoted is not None and quoted.text:
                text, subject, found = quoted.text, bare_subject(quoted.subject) or subject, "quoted"
            else:
                # The original in the trader's own folders: same subject, from a recipient, shortly before.
                originals = [
                    o
                    for o in by_subject.get(subject.lower(), [])
                    if o.sender in others and timedelta(0) < m.date - o.date <= ANSWER_WINDOW
                ]
                if originals:
                    o = originals[-1]
                    requester, requester_name = o.sender, o.sender_name
                    text, found = split_reply(o.body)[0], "folder"
            if not found:
                dropped["no original found"] += 1
                continue
            if requester in everyone:
                dropped["asked by one of the eight"] += 1
                continue
            if _BULK.search(text) or len(_LINK.findall(text)) >= 3:
                dropped["bulk mail (unsubscribe, a page of links)"] += 1
                continue
            if not asks(text):
                dropped["asks nothing (no question or request phrase, or under 5 words)"] += 1
                continue
            key = (requester, subject.lower(), " ".join(text.split())[:200].lower())
            item = candidates.get(key)
            if item is None:
                candidates[key] = Labelled(
                    "",
                    [trader.user],
                    m.date,
                    requester,
                    requester_name,
                    subject,
                    " ".join(text.split())[:SUMMARY_CHARS],
                    found,
                )
            elif trader.user not in item.traders:
                item.traders.append(trader.user)
            else:
                dropped["the same request answered twice by the same trader"] += 1
    labelled = sorted(candidates.values(), key=lambda x: (x.date, x.requester, x.subject))
    for item in labelled:
        item.id = f"enron-{item.digest()}"
    return past, labelled, dropped
