"""vCard files (2.1, 3.0, 4.0; one or many cards) to `Person` records. Pure.

vobject reads the lines (unfolding, vCard 2.1 quoted-printable soft line breaks, groups, parameters);
the values are decoded here rather than by vobject's behaviours, which drop everything after the first
comma of a text that a 2.1 writer did not escape ("Rencontrée au salon, à Lyon") and fail a whole card
on one bad photo. Each card is read on its own, so one broken card never loses the others.
"""

from __future__ import annotations

import io
import quopri
import re

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from vobject.base import ParseError, VObjectError, getLogicalLines, parseLine

from cercle.people.importing.records import ImportFileError, Person, Problem, one_line

_BEGIN = re.compile(r"^\s*BEGIN\s*:\s*VCARD\s*$", re.IGNORECASE)
_END = re.compile(r"^\s*END\s*:\s*VCARD\s*$", re.IGNORECASE)
_ESCAPES = {"n": "\n", "N": "\n", ",": ",", ";": ";", "\\": "\\", ":": ":"}
_PROFILE_PROPERTIES = {"URL", "X-SOCIALPROFILE", "X-LINKEDIN", "IMPP"}
MAX_CARDS = 20_000


def looks_like_vcard(text: str) -> bool:
    return any(_BEGIN.match(line) for line in text[:20_000].splitlines()[:50])


def _split(value: str, separator: str) -> list[str]:
    """Split on unescaped separators and undo the escapes (`\\n`, `\\,`, `\\;`, `\\\\`)."""
    parts: list[str] = []
    current: list[str] = []
    chars = iter(value)
    for char in chars:
        if char == "\\":
            following = next(chars, "")
            current.append(_ESCAPES.get(following, "\\" + following))
        elif char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _text(value: str) -> str:
    return _split(value, "\x00")[0]  # no separator: unescape only


def _params(raw: list[list[str]]) -> tuple[dict[str, list[str]], set[str]]:
    """Named parameters (upper-case name -> values) and every type-like word, 2.1 bare ones included
    (`EMAIL;INTERNET;PREF`, `TYPE=work,pref`, `PREF=1`)."""
    named: dict[str, list[str]] = {}
    types: set[str] = set()
    for param in raw:
        if not param:
            continue
        name, values = param[0].upper(), param[1:]
        if not values:  # vCard 2.1 bare parameter
            types.add(name)
            continue
        named.setdefault(name, []).extend(values)
        if name == "TYPE":
            types.update(v.strip().upper() for value in values for v in value.split(","))
        elif name == "PREF":
            types.add("PREF")
        elif name == "ENCODING":
            types.update(v.upper() for v in values)
    return named, types


def _decode_qp(value: str, charset: str) -> str:
    raw = quopri.decodestring(value.encode("utf-8"))
    for encoding in (charset, "utf-8", "cp1252", "latin-1"):
        if not encoding:
            continue
        try:
            return raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return raw.decode("latin-1")  # pragma: no cover - latin-1 reads any byte


def _cards(text: str) -> list[tuple[int, list[str], bool]]:
    """(line of BEGIN:VCARD, the card's lines, closed) for each card; nested cards (AGENT) stay inside."""
    cards: list[tuple[int, list[str], bool]] = []
    current: list[str] | None = None
    start = depth = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if _BEGIN.match(line):
            if current is None:
                current, start, depth = [], number, 0
            depth += 1
        if current is not None:
            current.append(line)
            if _END.match(line):
                depth -= 1
                if depth == 0:
                    cards.append((start, current, True))
                    current = None
    if current is not None:
        cards.append((start, current, False))
    return cards


def _read_card(start: int, lines: list[str], closed: bool) -> Person:
    person = Person(line=start)
    full_names: list[str] = []
    structured_names: list[str] = []
    emails: list[tuple[bool, str]] = []
    phones: list[tuple[bool, str]] = []
    roles: list[str] = []
    depth = 0
    for logical, offset in getLogicalLines(io.StringIO("\r\n".join(lines)), allowQP=True):
        line_number = start + max(offset - 1, 0)
        try:
            name, raw_params, value, _group = parseLine(logical, line_number)
        except ParseError:
            excerpt = one_line(logical)
            excerpt = excerpt if len(excerpt) <= 60 else excerpt[:59] + "…"
            person.problems.append(
                Problem(line_number, _("“%(line)s” could not be read: ignored.") % {"line": excerpt})
            )
            continue
        name = name.upper()
        if name == "BEGIN":
            depth += 1
            continue
        if name == "END":
            depth -= 1
            continue
        if depth != 1:  # a card nested in this one (vCard 2.1 AGENT): someone else
            continue
        params, types = _params(raw_params)
        if "B" in types or "BASE64" in types:  # photos, logos, sounds, keys
            continue
        if "QUOTED-PRINTABLE" in types:
            value = _decode_qp(value, (params.get("CHARSET") or [""])[0])
        preferred = "PREF" in types
        if name == "FN":
            full_names.append(_text(value))
        elif name == "N":
            parts = [" ".join(_split(p, ",")) for p in _split(value, ";")]
            family, given, additional = [*parts, "", "", ""][:3]
            structured_names.append(" ".join(p for p in (given, additional, family) if p.strip()))
        elif name == "EMAIL":
            emails.append((preferred, _text(value)))
        elif name == "TEL":
            phones.append((preferred, _text(value)))
        elif name == "ORG":
            parts = [one_line(p) for p in _split(value, ";") if one_line(p)]
            if parts:
                organisation = parts[0] + (f" ({', '.join(parts[1:])})" if parts[1:] else "")
                person.set_organisation(organisation)
        elif name == "TITLE":
            person.set_position(_text(value))
        elif name == "ROLE":
            roles.append(_text(value))
        elif name in _PROFILE_PROPERTIES:
            url = _text(value)
            if name == "IMPP" and "linkedin" not in url.lower():
                continue
            person.add_url(url)
        elif name == "NOTE":
            person.add_note(_text(value))
        elif name == "CATEGORIES":
            for tag in _split(value, ","):
                person.add_tags(tag)
        elif name == "ADR":
            # A part may end with its own comma ("Silicon Alley 5,"): one comma between parts, not two.
            parts = (one_line(p).strip().rstrip(",").rstrip() for p in _split(value, ";"))
            address = ", ".join(p for p in parts if p)
            if address:
                person.extras.append(_("Address: %(address)s") % {"address": address})
    for full_name in full_names + structured_names:
        person.add_name(full_name)
    for role in roles:
        person.set_position(role)
    for _preferred, address in sorted(emails, key=lambda item: not item[0]):  # stable: preferred first
        person.add_email(address)
    for _preferred, phone in sorted(phones, key=lambda item: not item[0]):
        person.add_phone(phone)
    if not closed:
        person.problems.append(
            Problem(start, _("this vCard is not closed (END:VCARD missing): read up to the end of the file."))
        )
    return person


def read_vcards(text: str) -> tuple[list[Person], list[Problem]]:
    """Every card of the file, in order, and the cards that could not be read at all.
    Raises ImportFileError when there is no card."""
    cards = _cards(text)
    if not cards:
        raise ImportFileError(_("No vCard found in this file (no BEGIN:VCARD line)."))
    if len(cards) > MAX_CARDS:
        raise ImportFileError(
            _("This file holds %(count)s vCards; at most %(most)s can be imported at once: split it.")
            % {
                "count": number_format(len(cards), force_grouping=True),
                "most": number_format(MAX_CARDS, force_grouping=True),
            }
        )
    people: list[Person] = []
    unreadable: list[Problem] = []
    for start, lines, closed in cards:
        try:
            people.append(_read_card(start, lines, closed))
        except (VObjectError, ValueError, LookupError):  # hostile input the reader did not foresee
            unreadable.append(Problem(start, _("this vCard could not be read: skipped.")))
    return people, unreadable
