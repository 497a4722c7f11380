"""What an imported file says about one person, read and cleaned, before anything touches the database.

Pure: the vCard and CSV readers produce `Person` records and `Problem` reports; `services.people_import`
matches them to the network. Values are cleaned here once (invisible characters removed, spaces
collapsed, addresses lower-cased and checked, LinkedIn URLs normalised), so that importing the same
file twice compares equal values.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from cercle.core.text import visible
from cercle.network.services import normalize_email, normalize_linkedin_url

# The model's limits (network.models.Contact): longer values are cut, or kept in the note (phones).
NAME_MAX = 200
ORGANISATION_MAX = 200
POSITION_MAX = 200
PHONE_MAX = 40
TAGS_MAX = 500
NOTE_MAX = 5000


class ImportFileError(Exception):
    """The file cannot be imported at all; the message says why, in the reader's language."""


@dataclass(frozen=True)
class Problem:
    """A line of the file that was skipped, or a value that was not kept, and why."""

    line: int
    reason: str


def one_line(text: str) -> str:
    return " ".join(visible(str(text or "")).split())


def multi_line(text: str) -> str:
    lines = [" ".join(line.split()) for line in visible(str(text or "")).replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip()


def _add(items: list[str], value: str) -> None:
    if value and value not in items:
        items.append(value)


@dataclass
class Person:
    """One card or one row (or, after `merge`, every row of the file about the same person)."""

    line: int
    names: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    linkedin: list[str] = field(default_factory=list)
    organisation: str = ""
    position: str = ""
    phones: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the file says about them, one note each
    extras: list[str] = field(default_factory=list)  # other things worth keeping ("Website: …")
    problems: list[Problem] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.lines:
            self.lines = [self.line]

    # --- filling, with cleaning -------------------------------------------------------------

    def add_name(self, value: str) -> None:
        _add(self.names, one_line(value)[:NAME_MAX])

    def add_email(self, value: str) -> None:
        raw = one_line(value)
        if raw.lower().startswith("mailto:"):
            raw = raw[7:]
        if not raw:
            return
        address = normalize_email(raw)
        try:
            validate_email(address)
        except ValidationError:
            self.problems.append(
                Problem(
                    self.line, _("“%(value)s” is not an e-mail address: kept in the note.") % {"value": raw}
                )
            )
            _add(self.extras, _("E-mail address as written: %(value)s") % {"value": raw})
            return
        _add(self.emails, address)

    def add_url(self, value: str) -> None:
        """A LinkedIn profile joins the identities; any other address is kept in the note."""
        raw = one_line(value)
        if not raw:
            return
        url = normalize_linkedin_url(raw) if "linkedin." in raw.lower() else ""
        if url:
            _add(self.linkedin, url)
        else:
            _add(self.extras, _("Website: %(url)s") % {"url": raw})

    def add_linkedin(self, value: str) -> None:
        raw = one_line(value)
        if not raw:
            return
        url = normalize_linkedin_url(raw)
        if url:
            _add(self.linkedin, url)
        else:
            self.problems.append(
                Problem(
                    self.line, _("“%(value)s” is not a LinkedIn profile: kept in the note.") % {"value": raw}
                )
            )
            _add(self.extras, _("Profile as written: %(value)s") % {"value": raw})

    def add_phone(self, value: str) -> None:
        phone = one_line(value)
        if phone.lower().startswith("tel:"):
            phone = phone[4:]
        _add(self.phones, phone)

    def add_tags(self, value: str) -> None:
        for tag in str(value or "").replace(";", ",").split(","):
            _add(self.tags, one_line(tag))

    def add_note(self, value: str) -> None:
        _add(self.notes, multi_line(value)[:NOTE_MAX])

    def set_organisation(self, value: str) -> None:
        self.organisation = self.organisation or one_line(value)[:ORGANISATION_MAX]

    def set_position(self, value: str) -> None:
        self.position = self.position or one_line(value)[:POSITION_MAX]

    # --- reading ---------------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self.names[0] if self.names else ""

    @property
    def phone(self) -> str:
        """The phone field: the first number that fits it."""
        return next((p for p in self.phones if len(p) <= PHONE_MAX), "")

    def _tags_split(self) -> tuple[list[str], list[str]]:
        """The tags that fit the tags field, and those that do not (kept in the note)."""
        kept: list[str] = []
        length = 0
        for index, tag in enumerate(self.tags):
            length += len(tag) + (2 if kept else 0)
            if length > TAGS_MAX:
                return kept, self.tags[index:]
            kept.append(tag)
        return kept, []

    @property
    def tag_text(self) -> str:
        return ", ".join(self._tags_split()[0])

    def note_texts(self) -> list[str]:
        """The notes this person gets: what the file says, then what has no field of its own."""
        extras = list(self.extras)
        others = [p for p in self.phones if p != self.phone]
        if others:
            extras.append(_("Other phone numbers: %(phones)s") % {"phones": ", ".join(others)})
        dropped = self._tags_split()[1]
        if dropped:
            extras.append(_("Other tags: %(tags)s") % {"tags": ", ".join(dropped)})
        notes = list(self.notes)
        if extras:
            notes.append("\n".join(extras)[:NOTE_MAX])
        return notes

    @property
    def identified(self) -> bool:
        return bool(self.names or self.emails or self.linkedin)

    def summary(self) -> str:
        """A few words of what the row held, for the report of a skipped row."""
        parts = [self.organisation, self.position, *self.phones, *self.extras, *self.notes]
        text = " · ".join(one_line(p) for p in parts if p)
        return text if len(text) <= 80 else text[:79] + "…"

    def merge(self, other: Person) -> None:
        """The same person met again further down the file: add what this row did not say."""
        for name in other.names:
            _add(self.names, name)
        for address in other.emails:
            _add(self.emails, address)
        for url in other.linkedin:
            _add(self.linkedin, url)
        self.set_organisation(other.organisation)
        self.set_position(other.position)
        for values, more in (
            (self.phones, other.phones),
            (self.tags, other.tags),
            (self.notes, other.notes),
            (self.extras, other.extras),
        ):
            for value in more:
                _add(values, value)
        self.problems.extend(other.problems)
        self.lines.extend(other.lines)


def skip_reason(person: Person) -> str:
    what = person.summary()
    if what:
        return _("no name, e-mail address or LinkedIn profile (“%(what)s”): skipped.") % {"what": what}
    return _("no name, e-mail address or LinkedIn profile: skipped.")
