"""Tolerant CSV reading: find the header row after any preamble, map header variants to logical columns.

Pure. The separator may be `,`, `;` (a French spreadsheet re-save) or a tab; a row that cannot be read
is reported as a problem `(where, why)`.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

_HEADER_SEARCH_ROWS = 30

# Logical column -> accepted header spellings, compared on lower-case letters and digits only.
COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "connections": {
        "first_name": ("firstname",),
        "last_name": ("lastname",),
        "url": ("url", "profileurl", "linkedinurl", "publicprofileurl"),
        "email": ("emailaddress", "email", "emailaddresses"),
        "company": ("company", "companyname", "organization", "organisation"),
        "position": ("position", "title", "jobtitle"),
        "connected_on": ("connectedon", "connectiondate", "connectedat"),
    },
    "messages": {
        "conversation_id": ("conversationid",),
        "conversation_title": ("conversationtitle",),
        "from": ("from", "sender", "sendername"),
        "sender_url": ("senderprofileurl", "senderurl", "fromprofileurl"),
        "to": ("to", "recipients", "recipient"),
        "recipient_urls": ("recipientprofileurls", "recipientprofileurl", "recipienturls"),
        "date": ("date", "sentat", "sentdate", "datetime"),
        "subject": ("subject",),
        "content": ("content", "body", "message", "text"),
        "direction": ("direction",),
        "folder": ("folder",),
        "draft": ("ismessagedraft", "draft"),
    },
    "invitations": {
        "from": ("from",),
        "to": ("to",),
        "sent_at": ("sentat", "date"),
        "message": ("message",),
        "direction": ("direction",),
        "inviter_url": ("inviterprofileurl",),
        "invitee_url": ("inviteeprofileurl",),
    },
    "profile": {
        "first_name": ("firstname",),
        "last_name": ("lastname",),
        "url": ("profileurl", "publicprofileurl", "url"),
    },
}
REQUIRED: dict[str, frozenset[str]] = {
    "connections": frozenset({"first_name", "last_name"}),
    "messages": frozenset({"from", "date", "content"}),
    "invitations": frozenset({"from", "to", "sent_at"}),
    "profile": frozenset({"first_name", "last_name"}),
}
_HEADER_LABELS = {  # how a missing column is named in a problem report (LinkedIn's own spelling)
    "first_name": "First Name",
    "last_name": "Last Name",
    "from": "FROM",
    "to": "To",
    "date": "DATE",
    "content": "CONTENT",
    "sent_at": "Sent At",
}


def decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    # NUL is refused by PostgreSQL text columns; a stray BOM may survive a re-save mid-file.
    return text.replace("\x00", "").lstrip("\ufeff")


def _letters(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def _map_header(row: list[str], kind: str) -> dict[str, int]:
    spellings = {s: logical for logical, names in COLUMNS[kind].items() for s in names}
    mapping: dict[str, int] = {}
    for index, cell in enumerate(row):
        logical = spellings.get(_letters(cell))
        if logical and logical not in mapping:
            mapping[logical] = index
    return mapping


@dataclass
class Table:
    rows: list[tuple[int, dict[str, str]]]  # (line number, logical column -> value)
    columns: frozenset[str]


def read_table(text: str, *, kind: str, name: str, problems: list[tuple[str, str]]) -> Table | None:
    """Find the header row (after any `Notes:` preamble) and read the rows by logical column."""
    required = REQUIRED[kind]
    best: tuple[int, str, dict[str, int]] | None = None  # (known columns, delimiter, mapping)
    for delimiter in (",", ";", "\t"):
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            for _index, row in zip(range(_HEADER_SEARCH_ROWS), reader, strict=False):
                mapping = _map_header(row, kind)
                if required <= mapping.keys():
                    return _read_rows(text, delimiter=delimiter, kind=kind, name=name, problems=problems)
                if best is None or len(mapping) > best[0]:
                    best = (len(mapping), delimiter, mapping)
        except csv.Error:
            continue
    if best is not None and best[0] >= 2:
        missing = ", ".join(sorted(_HEADER_LABELS.get(c, c) for c in required - best[2].keys()))
        problems.append((name, _("missing column(s) %(columns)s: file ignored") % {"columns": missing}))
    else:
        problems.append((name, _("no header row found: file ignored")))
    return None


def _read_rows(text: str, *, delimiter: str, kind: str, name: str, problems: list[tuple[str, str]]) -> Table:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    mapping: dict[str, int] | None = None
    width = 0
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for row in reader:
            if mapping is None:
                candidate = _map_header(row, kind)
                if REQUIRED[kind] <= candidate.keys():
                    mapping, width = candidate, len(row)
                continue
            if not any(cell.strip() for cell in row):
                continue
            line = reader.line_num
            if len(row) > width and any(cell.strip() for cell in row[width:]):
                problems.append(
                    (
                        f"{name}:{line}",
                        _("%(found)s fields where the header has %(expected)s")
                        % {"found": len(row), "expected": width},
                    )
                )
                continue
            rows.append(
                (line, {col: row[i].strip() if i < len(row) else "" for col, i in (mapping or {}).items()})
            )
    except csv.Error as exc:
        problems.append(
            (
                f"{name}:{reader.line_num}",
                _("unreadable CSV (%(error)s): rest of the file ignored") % {"error": exc},
            )
        )
    return Table(rows=rows, columns=frozenset(mapping or {}))
