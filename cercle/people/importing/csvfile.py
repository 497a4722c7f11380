"""CSV files to `Person` records, through a column mapping the person checks. Pure.

The separator is sniffed (`,` from most exports, `;` from a French spreadsheet, a tab from "Unicode
text"); the first non-empty row is the header. The mapping is guessed from the headers, in French and
English (Outlook, Google Contacts, LinkedIn, spreadsheets typed by hand), then from the values (an
unmapped column full of addresses is an e-mail column).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from email.utils import getaddresses

from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cercle.people.importing.records import ImportFileError, Person, Problem, one_line

MAX_ROWS = 20_000
MAX_COLUMNS = 250
PREVIEW_ROWS = 3
_DELIMITERS = (";", ",", "\t", "|")
_SNIFF_CHARS = 64 * 1024
_DELIMITER_LABELS = {
    ";": gettext_lazy("semicolon"),
    ",": gettext_lazy("comma"),
    "\t": gettext_lazy("tab"),
    "|": gettext_lazy("vertical bar"),
}

IGNORE = "ignore"
TARGETS: list[tuple[str, object]] = [
    (IGNORE, gettext_lazy("— ignore —")),
    ("name", gettext_lazy("Name (first and last)")),
    ("first_name", gettext_lazy("First name")),
    ("last_name", gettext_lazy("Last name")),
    ("email", gettext_lazy("E-mail address")),
    ("other_email", gettext_lazy("Other e-mail address")),
    ("organisation", gettext_lazy("Organisation")),
    ("position", gettext_lazy("Position")),
    ("phone", gettext_lazy("Phone")),
    ("linkedin", capfirst(gettext_lazy("LinkedIn profile"))),
    ("tags", gettext_lazy("Tags")),
    ("notes", gettext_lazy("Notes")),
]
TARGET_KEYS = frozenset(key for key, _label in TARGETS)
IDENTIFYING = frozenset({"name", "first_name", "last_name", "email", "other_email", "linkedin"})


def _letters(header: str) -> str:
    decomposed = unicodedata.normalize("NFKD", header.lower())
    return re.sub(r"[^a-z0-9]", "", "".join(c for c in decomposed if not unicodedata.combining(c)))


# Header spellings (compared on unaccented lower-case letters and digits) -> target.
_HEADERS: dict[str, tuple[str, ...]] = {
    "name": (
        "name",
        "nom complet",
        "nom et prenom",
        "prenom et nom",
        "prenom nom",
        "nom prenom",
        "full name",
        "fullname",
        "display name",
        "contact",
        "contact name",
        "personne",
        "identite",
    ),
    "first_name": ("first name", "firstname", "given name", "prenom", "prenoms", "first"),
    "last_name": ("last name", "lastname", "surname", "family name", "nom", "nom de famille", "last"),
    "email": (
        "email",
        "e-mail",
        "mail",
        "courriel",
        "adresse e-mail",
        "adresse email",
        "adresse mail",
        "adresse electronique",
        "email address",
        "e-mail address",
        "email 1",
        "e-mail 1 - value",
        "primary email",
        "work email",
        "email professionnel",
        "mel",
    ),
    "other_email": (
        "e-mail 2 address",
        "e-mail 3 address",
        "e-mail 2 - value",
        "e-mail 3 - value",
        "email 2",
        "email 3",
        "other email",
        "secondary email",
        "personal email",
        "home email",
        "autre e-mail",
        "autre email",
        "email personnel",
        "email perso",
    ),
    "organisation": (
        "company",
        "company name",
        "organisation",
        "organization",
        "organization 1 - name",
        "societe",
        "entreprise",
        "employeur",
        "employer",
        "structure",
        "raison sociale",
        "organisme",
        "etablissement",
    ),
    "position": (
        "job title",
        "jobtitle",
        "position",
        "organization 1 - title",
        "fonction",
        "poste",
        "titre du poste",
        "intitule du poste",
        "role",
    ),
    "phone": (
        "phone",
        "telephone",
        "tel",
        "mobile",
        "mobile phone",
        "portable",
        "telephone portable",
        "telephone mobile",
        "business phone",
        "work phone",
        "home phone",
        "phone 1 - value",
        "numero",
        "numero de telephone",
        "phone number",
    ),
    "linkedin": (
        "linkedin",
        "linkedin url",
        "linkedin profile",
        "profil linkedin",
        "url linkedin",
        "lien linkedin",
        "profile url",
    ),
    "tags": (
        "tags",
        "tag",
        "etiquettes",
        "etiquette",
        "labels",
        "categories",
        "group membership",
        "mots cles",
    ),
    "notes": (
        "notes",
        "note",
        "commentaire",
        "commentaires",
        "remarques",
        "remarque",
        "comments",
        "description",
    ),
}
_BY_HEADER = {_letters(spelling): target for target, spellings in _HEADERS.items() for spelling in spellings}
# Several columns may feed these (their values add up); the others take one column each.
_REPEATABLE = frozenset({"other_email", "phone", "tags", "notes", "linkedin"})
# Several columns may make up a name ("Prénom", "Deuxième prénom"): joined with a space.
_NAME_PARTS = frozenset({"name", "first_name", "last_name"})


@dataclass
class CsvTable:
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (line number in the file, cells)
    delimiter: str
    skipped: list[Problem] = field(default_factory=list)  # lines that could not be read
    notices: list[Problem] = field(default_factory=list)  # lines read in part

    @property
    def delimiter_label(self) -> str:
        return str(_DELIMITER_LABELS.get(self.delimiter, self.delimiter))

    def preview(self) -> list[tuple[int, str, list[str]]]:
        """(column index, header, the first values) for the mapping page."""
        samples = [cells for _line, cells in self.rows[:PREVIEW_ROWS]]
        return [
            (index, header, [cells[index] if index < len(cells) else "" for cells in samples])
            for index, header in enumerate(self.headers)
        ]


def _delimiter(text: str) -> str:
    sample = text[:_SNIFF_CHARS]
    if len(sample) == _SNIFF_CHARS:  # do not cut a row in two: the sniffer would see a short one
        sample = sample[: sample.rfind("\n") + 1] or sample
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters="".join(_DELIMITERS)).delimiter
    except csv.Error:
        sniffed = ""
    # The sniffer can be fooled (a comma inside every French "Dupont, Jean" cell): keep its answer when
    # it gives the header several columns, else the separator that gives the header the most columns.
    first = next((line for line in sample.splitlines() if line.strip()), "")
    widths = {d: len(next(csv.reader([first], delimiter=d), [])) for d in _DELIMITERS}
    if sniffed in widths and widths[sniffed] > 1:
        return sniffed
    best = max(_DELIMITERS, key=lambda d: widths[d])
    return best if widths[best] > 1 else ","


def _quote_left_open(text: str, line: int) -> bool:
    """Whether the file's last row, from `line` on, holds an odd number of quotation marks: one was
    opened and never closed (the lenient reader then swallows the rest of the file in one cell)."""
    rest = "".join(text.splitlines(keepends=True)[line - 1 :])
    return "\n" in rest.rstrip("\r\n") and rest.count('"') % 2 == 1


def read_csv(text: str) -> CsvTable:
    """The header and the rows, each with its line number. Raises ImportFileError when unusable."""
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    headers: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    skipped: list[Problem] = []
    notices: list[Problem] = []
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            skipped.append(
                Problem(start, _("this line could not be read (%(error)s): skipped.") % {"error": exc})
            )
            if len(skipped) > 1000:
                break
            continue
        if not any(cell.strip() for cell in cells):
            continue
        if headers is None:
            headers = [one_line(cell) for cell in cells]
            if len(headers) > MAX_COLUMNS:
                raise ImportFileError(
                    _("This file has %(count)s columns; at most %(most)s can be mapped.")
                    % {"count": number_format(len(headers), force_grouping=True), "most": MAX_COLUMNS}
                )
            continue
        if len(cells) > len(headers) and any(cell.strip() for cell in cells[len(headers) :]):
            extra = " · ".join(one_line(c) for c in cells[len(headers) :] if c.strip())
            notices.append(
                Problem(
                    start,
                    _("more cells than columns: “%(extra)s” ignored (a separator inside a value?).")
                    % {"extra": extra if len(extra) <= 60 else extra[:59] + "…"},
                )
            )
        rows.append((start, cells))
        if len(rows) > MAX_ROWS:
            raise ImportFileError(
                _("This file has more than %(most)s rows: split it into smaller files.")
                % {"most": number_format(MAX_ROWS, force_grouping=True)}
            )
    if rows and _quote_left_open(text, rows[-1][0]):
        # The reader took everything after a quotation mark never closed as one cell: a garbage person
        # made of the rest of the file. Said, and left out.
        line = rows.pop()[0]
        if not rows:
            raise ImportFileError(
                _(
                    "A quotation mark opened on line %(line)s is never closed: the rest of the file could not be read."
                )
                % {"line": line}
            )
        skipped.append(
            Problem(
                line,
                _("a quotation mark opened on this line is never closed: the rest of the file was not read."),
            )
        )
    if headers is None:
        raise ImportFileError(_("This file is empty."))
    if not rows:
        raise ImportFileError(_("This file has a header row but no row below it."))
    # A column without a header still gets a name the mapping page can show.
    headers = [h or _("Column %(number)s") % {"number": i + 1} for i, h in enumerate(headers)]
    return CsvTable(headers=headers, rows=rows, delimiter=delimiter, skipped=skipped, notices=notices)


def _guess_from_values(values: list[str]) -> str | None:
    filled = [v.strip() for v in values if v.strip()]
    if not filled:
        return None
    if sum("linkedin.com/" in v.lower() for v in filled) * 2 > len(filled):
        return "linkedin"
    if sum(bool(re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", v)) for v in filled) * 2 > len(filled):
        return "email"
    return None


def guess_mapping(table: CsvTable) -> list[str]:
    """A target for each column, from its header, else its values; each single target used once."""
    mapping: list[str] = []
    used: set[str] = set()
    headers = [_letters(h) for h in table.headers]
    has_job_title = any(h in ("jobtitle", "titredoposte", "intituleduposte") for h in headers)
    # A lone "Nom" (no first-name column) holds the whole name in a sheet typed by hand.
    lone_last_name = not any(_BY_HEADER.get(h) == "first_name" for h in headers)
    for header in headers:
        target = _BY_HEADER.get(header)
        if target == "last_name" and lone_last_name:
            target = "name"
        if target is None and header == "title" and not has_job_title:
            target = "position"  # Outlook's "Title" is "Mr"/"Ms" when "Job Title" is there
        if (
            target is None
            and ("mail" in header or "courriel" in header)
            and not ("type" in header or "display" in header or "affich" in header)
        ):
            target = "email"
        if target is None and "linkedin" in header:
            target = "linkedin"
        if target == "email" and "email" in used:
            target = "other_email"
        if target is not None and target not in _REPEATABLE and target in used:
            target = None
        mapping.append(target or IGNORE)
        if target:
            used.add(target)
    samples = [cells for _line, cells in table.rows[:20]]
    for index, target in enumerate(mapping):
        if target != IGNORE:
            continue
        guess = _guess_from_values([cells[index] if index < len(cells) else "" for cells in samples])
        if guess == "email" and "email" in used:
            guess = "other_email"
        if guess is not None and (guess in _REPEATABLE or guess not in used):
            mapping[index] = guess
            used.add(guess)
    return mapping


def mapping_problem(mapping: list[str]) -> str | None:
    """Why this mapping cannot import anyone, or None."""
    if not IDENTIFYING.intersection(mapping):
        return _("Choose at least one column for the name, the e-mail address or the LinkedIn profile.")
    counts = Counter(t for t in mapping if t != IGNORE and t not in _REPEATABLE)
    twice = [str(dict(TARGETS)[t]) for t, n in counts.items() if n > 1 and t not in _NAME_PARTS]
    if twice:
        return _("Only one column can be “%(target)s”.") % {"target": twice[0]}
    return None


def _addresses(cell: str) -> list[str]:
    """The addresses of one cell: "a@x.fr; b@y.fr", Google's "a@x.fr ::: b@y.fr", "Jean <a@x.fr>"."""
    if "<" in cell:
        return [address for _name, address in getaddresses([cell.replace(";", ",")]) if address] or [cell]
    return [part for part in re.split(r"[;,\s]+|:::", cell) if part]


def people_from_rows(table: CsvTable, mapping: list[str]) -> list[Person]:
    """One `Person` per row, read through the mapping."""
    people: list[Person] = []
    columns = [(i, target) for i, target in enumerate(mapping) if target in TARGET_KEYS and target != IGNORE]
    note_columns = sum(1 for _i, target in columns if target == "notes")
    for line, cells in table.rows:
        person = Person(line=line)
        values: dict[str, list[str]] = {}
        for index, target in columns:
            value = cells[index].strip() if index < len(cells) else ""
            if value:
                values.setdefault(target, []).append(value)
                if target == "notes" and note_columns > 1:  # say which column each line came from
                    values["notes"][-1] = f"{table.headers[index]}: {value}"
        full = " ".join(values.get("name", []))
        first_last = " ".join(values.get("first_name", []) + values.get("last_name", []))
        person.add_name(full or first_last)
        person.add_name(first_last)
        for cell in values.get("email", []) + values.get("other_email", []):
            for address in _addresses(cell):
                person.add_email(address)
        for url in values.get("linkedin", []):
            person.add_linkedin(url)
        for organisation in values.get("organisation", []):
            person.set_organisation(organisation)
        for position in values.get("position", []):
            person.set_position(position)
        for phone in values.get("phone", []):
            for part in re.split(r"\s*(?:[;/|]|:::)\s*", phone):  # "06… / 01…", Google's " ::: "
                person.add_phone(part)
        for tags in values.get("tags", []):
            # Google's " ::: " between labels; its system groups ("* myContacts", "* starred") say nothing.
            labels = [t for t in re.split(r"\s*:::\s*", tags) if not t.strip().startswith("* ")]
            person.add_tags(",".join(labels))
        if values.get("notes"):
            person.add_note("\n".join(values["notes"]))
        people.append(person)
    return people
