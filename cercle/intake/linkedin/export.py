"""Reading a LinkedIn data export ("Get a copy of your data"): the ZIP, its unpacked folder, or one CSV.

Pure: no database, no network. Tolerant, because every export generation differs and people open
and re-save the files in a spreadsheet before giving them to us:

- file names in any case (`Messages.csv` in 2018, `messages.csv` today), at any depth of the ZIP;
- a `Notes:` preamble (and blank lines) before the header row (Connections.csv since ~2020);
- header variants: `CONVERSATION ID` / `From`, with or without `URL`, `SENDER PROFILE URL`,
  `RECIPIENT PROFILE URLS`, `Direction`, `inviterProfileUrl`…, matched by their letters only;
- UTF-8 with or without BOM, UTF-16 (spreadsheet "Unicode text"), Windows-1252 as a last resort;
  CRLF or LF; `,`, `;` (a French spreadsheet) or tab as separator;
- dates as `2023-05-01 14:22:10 UTC`, `12/22/16, 9:55 AM`, `15 Jan 2024`, `19-Mar-24`, `2024-01-15`,
  French month names too.

A row that cannot be read is reported as a problem `(where, why)`, never raised.
"""

from __future__ import annotations

import hashlib
import html
import re
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import IO

from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from cercle.intake.linkedin.csvtable import Table, decode, read_table
from cercle.intake.linkedin.dates import parse_date
from cercle.intake.linkedin.names import fold
from cercle.network.services import normalize_email, normalize_linkedin_url

# The files we read, by lower-cased name. Everything else in the export is ignored.
KNOWN_FILES = {
    "connections.csv": "connections",
    "messages.csv": "messages",
    "invitations.csv": "invitations",
    "profile.csv": "profile",
}
MAX_CSV_BYTES = 100 * 1024 * 1024  # a member of a ZIP that inflates beyond this is refused (zip bomb)


class ExportError(ValueError):
    """The upload or path is not a LinkedIn export at all (not a ZIP, no known CSV)."""


# --- What we read --------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    name: str
    url: str = ""  # normalised LinkedIn URL, or ""
    email: str = ""

    @property
    def key(self) -> str:
        """Who this is, for hashing and caches: the URL when there is one, else the name."""
        return self.url.lower() if self.url else f"name:{fold(self.name)}"

    def __bool__(self) -> bool:
        return bool(self.name or self.url or self.email)


@dataclass(frozen=True)
class ExportConnection:
    where: str
    person: Person
    company: str
    position: str
    connected_on: datetime | None


@dataclass(frozen=True)
class ExportInvitation:
    where: str
    sender: Person
    recipient: Person
    sent_at: datetime
    text: str
    direction: str  # "in" | "out" | "" (no Direction column)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ExportMessage:
    where: str
    conversation: str  # LinkedIn's CONVERSATION ID, or a key made of the participants (2018)
    title: str
    sender: Person
    recipients: tuple[Person, ...]
    sent_at: datetime
    subject: str
    text: str
    direction: str  # "in" | "out" | "" (only 2018 exports have a Direction column)

    @cached_property
    def message_id(self) -> str:
        """A stable synthetic Message-ID: the same message in any later export gives the same id.

        Made of the conversation, the second of sending (UTC), the sender and the text with its
        spacing and line endings normalised (a CRLF re-save must not make a new message).
        """
        basis = "\x1f".join(
            [
                self.conversation,
                self.sent_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
                self.sender.key,
                _digest(" ".join(self.text.split())),
            ]
        )
        return f"<li-{_digest(basis)[:32]}@linkedin.invalid>"

    @property
    def conversation_ref(self) -> str:
        return f"<li-conversation-{_digest(self.conversation)[:32]}@linkedin.invalid>"


@dataclass
class LinkedInExport:
    source: str
    files: list[str] = field(default_factory=list)  # the known CSVs found, as named in the export
    owner_name: str = ""  # from Profile.csv
    owner_url: str = ""
    connections: list[ExportConnection] = field(default_factory=list)
    invitations: list[ExportInvitation] = field(default_factory=list)
    messages: list[ExportMessage] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (where, why)

    @property
    def rows(self) -> int:
        return len(self.connections) + len(self.invitations) + len(self.messages)


# --- Files ---------------------------------------------------------------------------------


def _direction(value: str) -> str:
    value = value.strip().upper()
    return "in" if value.startswith("INCOMING") else "out" if value.startswith("OUTGOING") else ""


def _people(names: str, urls: str) -> tuple[Person, ...]:
    """Recipients: names and URLs are parallel comma-separated lists (names alone in 2018)."""
    url_list = [normalize_linkedin_url(u) for u in re.split(r"[\s,;]+", urls) if u.strip()]
    name_list = [n.strip() for n in names.split(",") if n.strip()] if names.strip() else []
    if url_list and len(name_list) != len(url_list):
        # "Doe, Jane" or a name with a comma: keep the URLs, which identify people; names only if one.
        name_list = [names.strip()] if len(url_list) == 1 else [""] * len(url_list)
    if not url_list:
        return tuple(Person(name=n) for n in name_list)
    return tuple(Person(name=n, url=u) for n, u in zip(name_list, url_list, strict=True) if n or u)


def _text(value: str) -> str:
    # Some exports carry HTML in CONTENT (InMail, sponsored messages): keep the words only.
    if "<" in value and re.search(r"</?(p|br|div|span|a|b|i|strong|em|ul|li)\b", value, re.IGNORECASE):
        value = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</li>", "\n", value)
        value = html.unescape(strip_tags(value))
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def _read_profile(table: Table, export: LinkedInExport) -> None:
    for _line, row in table.rows[:1]:
        export.owner_name = " ".join(f"{row.get('first_name', '')} {row.get('last_name', '')}".split())
        export.owner_url = normalize_linkedin_url(row.get("url", ""))


def _read_connections(table: Table, export: LinkedInExport, name: str) -> None:
    for line, row in table.rows:
        where = f"{name}:{line}"
        person = Person(
            name=" ".join(f"{row.get('first_name', '')} {row.get('last_name', '')}".split()),
            url=normalize_linkedin_url(row.get("url", "")),
            email=normalize_email(row.get("email", "")) if "@" in row.get("email", "") else "",
        )
        if not person:
            export.problems.append((where, _("no name, profile URL or e-mail")))
            continue
        raw_date = row.get("connected_on", "")
        connected_on = parse_date(raw_date)
        if raw_date and connected_on is None:
            export.problems.append(
                (
                    where,
                    _("unreadable date “%(date)s”: contact kept, connection date ignored")
                    % {"date": raw_date[:40]},
                )
            )
        export.connections.append(
            ExportConnection(
                where=where,
                person=person,
                company=row.get("company", ""),
                position=row.get("position", ""),
                connected_on=connected_on,
            )
        )


def _read_invitations(table: Table, export: LinkedInExport, name: str) -> None:
    for line, row in table.rows:
        where = f"{name}:{line}"
        sent_at = parse_date(row.get("sent_at", ""))
        if sent_at is None:
            export.problems.append(
                (where, _("unreadable date “%(date)s”") % {"date": row.get("sent_at", "")[:40]})
            )
            continue
        export.invitations.append(
            ExportInvitation(
                where=where,
                sender=Person(
                    name=row.get("from", ""), url=normalize_linkedin_url(row.get("inviter_url", ""))
                ),
                recipient=Person(
                    name=row.get("to", ""), url=normalize_linkedin_url(row.get("invitee_url", ""))
                ),
                sent_at=sent_at,
                text=_text(row.get("message", "")),
                direction=_direction(row.get("direction", "")),
            )
        )


def _read_messages(table: Table, export: LinkedInExport, name: str) -> None:
    for line, row in table.rows:
        where = f"{name}:{line}"
        if row.get("draft", "").strip().lower() in ("yes", "true", "1", "oui"):
            export.problems.append((where, _("draft, never sent")))
            continue
        sent_at = parse_date(row.get("date", ""))
        if sent_at is None:
            export.problems.append(
                (where, _("unreadable date “%(date)s”") % {"date": row.get("date", "")[:40]})
            )
            continue
        sender = Person(name=row.get("from", ""), url=normalize_linkedin_url(row.get("sender_url", "")))
        if not sender:
            export.problems.append((where, _("no sender")))
            continue
        recipients = _people(row.get("to", ""), row.get("recipient_urls", ""))
        conversation = row.get("conversation_id", "")
        if not conversation:
            # 2018 exports have no conversation id: the same people talking is the same conversation.
            conversation = "participants:" + "|".join(sorted({p.key for p in (sender, *recipients)}))
        export.messages.append(
            ExportMessage(
                where=where,
                conversation=conversation,
                title=row.get("conversation_title", ""),
                sender=sender,
                recipients=recipients,
                sent_at=sent_at,
                subject=" ".join(row.get("subject", "").split()),
                text=_text(row.get("content", "")),
                direction=_direction(row.get("direction", "")),
            )
        )


_READERS = {
    "connections": _read_connections,
    "invitations": _read_invitations,
    "messages": _read_messages,
}


def _parse_file(export: LinkedInExport, *, kind: str, name: str, data: bytes) -> None:
    table = read_table(decode(data), kind=kind, name=name, problems=export.problems)
    if table is None:
        return
    if kind == "profile":
        _read_profile(table, export)
        return
    if kind == "connections" and "connected_on" not in table.columns:
        export.problems.append(
            (name, _("no “Connected On” column: contacts imported without a connection date"))
        )
    _READERS[kind](table, export, name)


def _pick(candidates: Iterator[tuple[str, str]]) -> dict[str, str]:
    """kind -> path of the file to read: the shallowest one when an export nests copies."""
    chosen: dict[str, str] = {}
    for path, kind in sorted(candidates, key=lambda item: (item[0].count("/"), item[0])):
        chosen.setdefault(kind, path)
    return chosen


def _known(path: str) -> str | None:
    parts = path.replace("\\", "/").split("/")
    if any(p.startswith(".") or p == "__MACOSX" for p in parts):
        return None
    return KNOWN_FILES.get(parts[-1].lower())


def read_export(source: Path | IO[bytes], *, name: str = "") -> LinkedInExport:
    """Read an export: a ZIP (path or open file), an unpacked folder, or one known CSV file.

    Raises ExportError when it is not an export at all (no known file, or none of them readable as
    LinkedIn's: an import that would end "done, nothing found" says why instead); every other defect
    becomes a problem.
    """
    export = _read_export(source, name=name)
    ignored = {where for where, _why in export.problems}
    if export.files and not export.rows and not export.owner_name and ignored.issuperset(export.files):
        reasons = "; ".join(f"{where}: {why}" for where, why in export.problems[:4])
        raise ExportError(
            _("None of these files reads as a LinkedIn export (%(reasons)s).") % {"reasons": reasons}
        )
    return export


def _read_export(source: Path | IO[bytes], *, name: str) -> LinkedInExport:
    label = name or (source.name if isinstance(source, Path) else getattr(source, "name", "")) or "export"
    export = LinkedInExport(source=str(label))
    if isinstance(source, Path) and source.is_dir():
        chosen = _pick(
            (p.relative_to(source).as_posix(), kind)
            for p in sorted(source.rglob("*"))
            if p.is_file() and (kind := _known(p.relative_to(source).as_posix()))
        )
        if not chosen:
            raise ExportError(_no_known_file())
        for kind, rel in _ordered(chosen):
            path = source / rel
            if path.stat().st_size > MAX_CSV_BYTES:
                export.problems.append(
                    (rel, _("larger than %(mb)s MB: file ignored") % {"mb": MAX_CSV_BYTES >> 20})
                )
                continue
            export.files.append(rel)
            _parse_file(export, kind=kind, name=rel, data=path.read_bytes())
        return export
    if (
        isinstance(source, Path)
        and source.is_file()
        and _known(source.name)
        and not zipfile.is_zipfile(source)
    ):
        export.files.append(source.name)
        _parse_file(export, kind=KNOWN_FILES[source.name.lower()], name=source.name, data=source.read_bytes())
        return export
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ExportError(
            _("This is not a ZIP file. Upload the ZIP that LinkedIn sent you (“Get a copy of your data”).")
        ) from exc
    with archive:
        infos = {info.filename: info for info in archive.infolist() if not info.is_dir()}
        chosen = _pick((member, kind) for member in infos if (kind := _known(member)))
        if not chosen:
            raise ExportError(_no_known_file())
        for kind, member in _ordered(chosen):
            try:
                data = _read_member(archive, infos[member])
            except (zipfile.BadZipFile, RuntimeError, OSError, ValueError, EOFError) as exc:
                export.problems.append(
                    (member, _("unreadable in the ZIP (%(error)s): file ignored") % {"error": exc})
                )
                continue
            if data is None:
                export.problems.append(
                    (member, _("larger than %(mb)s MB: file ignored") % {"mb": MAX_CSV_BYTES >> 20})
                )
                continue
            export.files.append(member)
            _parse_file(export, kind=kind, name=member, data=data)
    return export


def _ordered(chosen: dict[str, str]) -> list[tuple[str, str]]:
    order = ["profile", "connections", "invitations", "messages"]
    return sorted(chosen.items(), key=lambda item: order.index(item[0]))


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes | None:
    """The member's bytes, or None beyond MAX_CSV_BYTES (the declared size may lie: read, don't trust)."""
    if info.file_size > MAX_CSV_BYTES:
        return None
    with archive.open(info) as handle:
        data = handle.read(MAX_CSV_BYTES + 1)
    return None if len(data) > MAX_CSV_BYTES else data


def _no_known_file() -> str:
    return _(
        "No LinkedIn file found: the export should contain Connections.csv, messages.csv, Invitations.csv or Profile.csv."
    )


# --- Who owns the export -------------------------------------------------------------------


@dataclass(frozen=True)
class Owner:
    """The person who downloaded the export (the leader): their messages are outbound."""

    names: frozenset[str] = frozenset()  # folded
    urls: frozenset[str] = frozenset()  # lower-cased
    how: str = ""

    @property
    def known(self) -> bool:
        return bool(self.names or self.urls)

    def is_owner(self, person: Person) -> bool:
        if person.url and self.urls:  # a URL decides: two people may share a name
            return person.url.lower() in self.urls
        return bool(person.name) and fold(person.name) in self.names


def find_owner(export: LinkedInExport) -> Owner:
    """Profile.csv names the owner; Direction columns and the conversations confirm or infer them."""
    names: set[str] = set()
    urls: set[str] = set()
    seen_as: list[str] = [export.owner_name] if export.owner_name else []
    if export.owner_name:
        names.add(fold(export.owner_name))
    if export.owner_url:
        urls.add(export.owner_url.lower())
    # The owner is the sender of what went out and the recipient of what came in.
    mine = [{"out": i.sender, "in": i.recipient}.get(i.direction) for i in export.invitations]
    mine += [m.sender for m in export.messages if m.direction == "out"]
    for person in mine:
        if person is None:
            continue
        if person.url:
            urls.add(person.url.lower())
        if person.name and not export.owner_name:
            names.add(fold(person.name))
        seen_as.append(person.name or person.url)
    if names and not urls:
        # Learn the owner's URL from the messages they sent or received (current exports carry URLs).
        for message in export.messages:
            for person in (message.sender, *message.recipients):
                if person.url and person.name and fold(person.name) in names:
                    urls.add(person.url.lower())
    if not names and not urls:
        # No profile, no direction: the owner is the one person present in every conversation.
        conversations: dict[str, set[str]] = {}
        for message in export.messages:
            conversations.setdefault(message.conversation, set()).update(
                p.key for p in (message.sender, *message.recipients)
            )
        presence = Counter(key for members in conversations.values() for key in members)
        everywhere = [key for key, n in presence.items() if n == len(conversations)]
        if len(conversations) >= 2 and len(everywhere) == 1:
            key = everywhere[0]
            (names if key.startswith("name:") else urls).add(key.removeprefix("name:"))
            seen_as += [
                p.name or p.url for m in export.messages for p in (m.sender, *m.recipients) if p.key == key
            ][:1]
    return Owner(names=frozenset(names), urls=frozenset(urls), how=next(iter(seen_as), ""))
