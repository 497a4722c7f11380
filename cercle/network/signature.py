"""A sender's phone and position, read from the signature block of their own mail: pure, no database.

`signature_read(text, name=…, email=…)` looks only at the sender's own words (what comes before a
quoted reply, a forwarded message or a copied header block), finds the signature block there (after
"-- ", after a closing such as "Cordialement," or "Best regards,", or starting at a line that is the
sender's name near the end), and reads from it:

- a phone number (French, international and North American forms), never a fax, a date, an amount,
  a postcode or an order number;
- a position: only when the block starts with the sender's name (display name, or the address read as
  one: "kholst" is "Keith Holst"), the title on that line or on one of the two lines after it, which
  must hold a typical title word, at most 80 characters, and be neither an address, a URL, a sentence,
  someone else's name nor a company name.

A block under someone else's name (a message relayed for a colleague, a shared mailbox) gives nothing.
A field it is unsure of is None: a wrong title is worse than none.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# The sender's own part is short; a signature is at its end. Only this many characters are read.
_TAIL_CHARS = 4000
_WINDOW_LINES = 25  # where the block may start: the last lines of the sender's own part
_BLOCK_LINES = 12  # how many non-blank lines a signature block may have
_LINE_CHARS = 200  # a longer line is a paragraph (a disclaimer, the text): the block ends there
_MAX_POSITION = 80


@dataclass(frozen=True)
class Signature:
    phone: str | None = None
    position: str | None = None


# --- The sender's own part ----------------------------------------------------------------------

# Where someone else's words begin: a quoted line, an attribution, a forwarded or original message,
# a copied header block (Outlook "From:/Sent:", Lotus Notes "To:/cc:").
_OTHERS = re.compile(
    r"""^[ \t]*(?:
      >
    | (?:Le|On)\s[^\n]{0,300}?(?:\n[^\n]{0,200}?)?\b(?:a\s+[ée]crit|wrote)\s*:
    | -{2,}[ \t]*(?:Original\ Message|Message\ d'origine|Message\ original|Forwarded\ message
        |Message\ transf[ée]r[ée]|Mensaje\ original|Urspr[üu]ngliche\ Nachricht)
    | -{3,}[ \t]*(?:Forwarded|Transf[ée]r[ée])\ by
    | (?:Begin\ forwarded\ message|D[ée]but\ du\ message\ (?:r[ée]exp[ée]di[ée]|transf[ée]r[ée]))\s*:
    | (?:From|De|Von)[ \t]*:[^\n]*\n[ \t]*(?:Sent|Date|Envoy[ée]|To|[ÀA]|Gesendet|Cc|Subject|Objet)[ \t]*:
    | (?P<lotus>(?:To|[ÀA])[ \t]*:[^\n]*(?:\n[^\n]*){0,6}?\n[ \t]*(?:cc|Subject|Objet)[ \t]*:)
    )""",
    re.I | re.M | re.X,
)
_HEADER_LEAD = re.compile(r"\d{1,2}/\d{1,2}/\d{2,4}|\d{1,2}:\d{2}|@")


def _own_part(text: str) -> list[str]:
    """The last lines of what the sender wrote, before anyone else's words."""
    found = _OTHERS.search(text)
    own = text[: found.start()] if found else text
    lines = own[-_TAIL_CHARS:].splitlines()
    if found and found.group("lotus"):
        # A Lotus Notes header is led by the other person's name and a date, no blank line between
        # ("Jane M Tholt\n10/12/2000 02:11 PM\nTo: …"): those lines are theirs too.
        lead = 0
        while lead < 3 and len(lines) > lead and lines[-1 - lead].strip():
            lead += 1
        if lead and any(_HEADER_LEAD.search(line) for line in lines[len(lines) - lead :]):
            del lines[len(lines) - lead :]
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


# --- Words ------------------------------------------------------------------------------------


def _plain(text: str) -> str:
    """Lower case, accents removed: what word lists are compared with."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_TOKEN = re.compile(r"[a-z0-9]+")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(_plain(text))


@dataclass(frozen=True)
class _Sender:
    names: tuple[tuple[str, ...], ...]  # the name as words (initials left out): display name, address
    local: str  # the address's local part, letters only ("kholst"), to recognise "Keith Holst"
    organisation: frozenset[str]  # the domain's labels ("robertwalters"): the company's name alone

    @property
    def words(self) -> set[str]:
        return {word for name in self.names for word in name}

    @property
    def clues(self) -> tuple[str, ...]:
        """Bits of text that any line holding the sender's name has (a cheap test before reading it):
        a word of their name, or the surname's end or start of the address ("kholst": "lst", "kho")."""
        ends = (self.local[:3], self.local[-3:]) if self.local else ()
        return (*self.words, *ends)


def _sender(name: str, email: str) -> _Sender:
    names: list[tuple[str, ...]] = []
    words = tuple(t for t in _tokens(name) if len(t) > 1 and not t.isdigit())
    if words and "@" not in name and len(words) <= 4:
        names.append(words)
    local, _, domain = email.lower().rpartition("@")
    local = _plain(local)
    if re.search(r"[._-]", local):
        words = tuple(t for t in re.split(r"[._\-]+", local) if len(t) > 1 and t.isalpha())
        if words and len(words) <= 4 and words not in names:
            names.append(words)
    return _Sender(
        names=tuple(names),
        local=local if local.isalpha() and len(local) >= 4 else "",
        organisation=frozenset(label for label in domain.split(".")[:-1] if len(label) > 2),
    )


def _is_local(head: list[str], local: str) -> bool:
    """Whether the words of a name line ("Keith Holst", "Derek T. Tran") make the address's local part
    ("kholst", "dtran", "holstk", "keithholst")."""
    if not local or not 2 <= len(head) <= 4 or not all(t.isalpha() for t in head):
        return False
    first, last = head[0], head[-1]
    initials = "".join(t[0] for t in head[:-1])
    return local in {first + last, first[0] + last, initials + last, last + first[0], last + first}


_CLOSING = re.compile(
    r"""^(?:(?:tres\ |bien\ |tres\ bien\ |tres\ |avec\ mes\ |mes\ |sinceres\ )*
      (?:cordialement|cdlt|bien\ a\ (?:vous|toi)|amities|amicalement|salutations(?:\ distinguees)?
      |bonne\ (?:journee|soiree|fin\ de\ journee|semaine)|belle\ journee|a\ bientot|bises|merci
      |merci\ (?:beaucoup|d'avance|par\ avance|encore)|sinceres\ salutations)
    | (?:best|kind|warm|warmest|many\ thanks\ and\ best)?\ ?regards|best(?:\ wishes)?|thanks(?:\ again)?
    | thank\ you|many\ thanks|cheers|sincerely(?:\ yours)?|yours(?:\ truly|\ sincerely)?
    | all\ the\ best|respectfully|take\ care)[\s,.!]*$""",
    re.X,
)

# Words that make a line a title (compared without accents, lower case). Masculine and feminine forms.
_TITLE_WORDS = re.compile(
    r"""\b(?:
      directeur|directrice|dg|dga|drh|daf|pdg|president|presidente|vice[- ]president
    | responsable|chef|cheffe|fondateur|fondatrice|co-?fondateur|co-?fondatrice|cofondateur|cofondatrice
    | gerant|gerante|associe|associee|consultant|consultante|conseiller|conseillere|ingenieur|ingenieure
    | developpeur|developpeuse|architecte|analyste|chargee?|attachee?|deleguee?|adjointe?|assistante?
    | secretaire|juriste|avocate?|notaire|comptable|expert-comptable|controleur|controleuse|auditeur
    | auditrice|acheteur|acheteuse|chercheur|chercheuse|professeure?|enseignante?|doctorante?|stagiaire
    | coordinateur|coordinatrice|coordonnateur|coordonnatrice|administrateur|administratrice|formateur
    | formatrice|redacteur|redactrice|journaliste|photographe|producteur|productrice|designer|coach
    | recruteur|recruteuse|charge\ d'affaires|commissaire|maire|depute|deputee|senateur|senatrice
    | ceo|cto|coo|cfo|cmo|cio|cpo|vp|svp|evp|avp|founder|co-?founder|cofounder|partner|principal
    | director|manager|head\ of|lead|officer|president|chairman|chairwoman|chair|owner|executive
    | consultant|analyst|engineer|developer|architect|counsel|attorney|lawyer|paralegal|accountant
    | auditor|underwriter|controller|treasurer|coordinator|administrator|assistant|secretary|associate
    | specialist|advisor|adviser|representative|recruiter|recruiting|trader|scheduler|originator|broker|buyer
    | supervisor|superintendent|researcher|scientist|professor|lecturer|economist|editor|journalist
    | producer|strategist|planner|technician|intern|fellow|agent
    )\b""",
    re.X,
)
_ADDRESS_WORDS = re.compile(
    r"""\b(?:rue|avenue|av|bd|boulevard|chemin|allee|impasse|quai|place|route|cedex|bp|cs|zac|zi
    | street|st|road|rd|ave|blvd|suite|floor|etage|building|bldg|po\ box|box|zip)\b""",
    re.X,
)
_COMPANY_WORDS = re.compile(
    r"\b(?:sas|sasu|sarl|sa|sca|eurl|sci|inc|llc|llp|ltd|limited|gmbh|ag|corp|corporation|plc|bv|nv|spa)\b"
)
_NOT_A_TITLE = re.compile(
    r"""^(?:je|j'|i|we|nous|vous|please|merci|thanks|n'hesitez|sent\ from|envoye|p\.?s\b|pj|tel|fax|mobile
    |phone|email|e-mail|mail|web|site|linkedin|twitter|adresse|address)\b""",
    re.X,
)
_LEGAL_IDS = re.compile(r"\b(?:siret|siren|rcs|tva|vat|iban|bic|swift|naf|ape|capital)\b")

# Where a signature block ends: a rule, a disclaimer, a footer added by a mail service.
_BLOCK_END = re.compile(
    r"""^(?:[-_=*~#+]{4,}
    | (?:this|the\ information\ in\ this|ce|le\ present|les\ informations|cet)\ (?:e-?mail|message|courriel|communication|mail)
    | confidential|confidentialit|caution|disclaimer|avertissement|important\ notice|p\.?\ ?s\b
    | sent\ from\ my|envoye\ (?:de|depuis)\ mon|pensez\ .{0,20}environnement|please\ consider\ the\ environment
    | do\ you\ yahoo|get\ your\ free)""",
    re.X,
)


def _is_rule(line: str) -> bool:
    return bool(re.match(r"^\s*(?:[-_=*~#+.]\s*){4,}$", line))


# --- Phones -----------------------------------------------------------------------------------

_PHONE = re.compile(
    r"""(?<![\w+/.,-])(?:
      (?:\+|00)[1-9]\d{0,2}(?:[ .\-]?\(0\))?(?:[ .\-]?\(?\d{1,4}\)?){2,6}   # +33 (0)1 42 68 53 00, +1 713 853 1234
    | 0[1-9](?:[ .\-]?\d{2}){4}                                          # 06 12 34 56 78
    | (?:1[ .\-])?(?:\([2-9]\d{2}\)[ .\-]?|[2-9]\d{2}[ .\-])[2-9]\d{2}[ .\-]\d{4}  # (713) 853-1234
    )(?![\w/.,-]?\d)""",
    re.X,
)
# The only words a phone number may stand beside in a signature: its label. Anything else ("Pam Anderson
# 713-…", "contact Roberta at (916) …", "Commande n° …") makes the number someone else's, or no phone.
_PHONE_LABELS = _words(
    """tel tl telephone phone ph mobile mob mobil portable port cell cellular gsm whatsapp direct directe
    ligne line dir number numero office bureau work desk voice fixe perso personal home w p m c t o d b h x
    ext poste wk"""
)
_SWITCHBOARD_LABELS = _words("standard switchboard main accueil reception")
_FAX_LABELS = _words("fax f telecopie telecopieur pager bip beeper")
_PHONE_SEGMENTS = re.compile(r"\t+| {3,}|\s[|•·–—/-]\s|[|•·]")
_NOT_PHONE_AFTER = re.compile(r"^\s*(?:€|eur|euros?\b|\$|usd|%|k€|m€)", re.I)


def _phone_valid(number: str) -> bool:
    digits = re.sub(r"\D", "", number.replace("(0)", ""))
    if number.startswith("00"):
        digits = digits[2:]
    if number.startswith(("+", "00")):
        return 8 <= len(digits) <= 15 and not digits.startswith("0")
    if number.startswith("0"):
        return len(digits) == 10
    return len(digits) in (10, 11)


def _phones(line: str, sender: _Sender) -> list[tuple[str, bool]]:
    """Phone numbers on one signature line, each with whether it is a switchboard's."""
    found: list[tuple[str, bool]] = []
    if _LEGAL_IDS.search(_plain(line)):
        return found
    for segment in _PHONE_SEGMENTS.split(line):
        matches = list(_PHONE.finditer(segment))
        for i, match in enumerate(matches):
            before = segment[matches[i - 1].end() if i else 0 : match.start()]
            after = segment[match.end() : matches[i + 1].start() if i + 1 < len(matches) else len(segment)]
            if before.rstrip().endswith(("#", "n°", "N°", "$", "€", "£")) or _NOT_PHONE_AFTER.match(after):
                continue
            said_before = {t for t in _tokens(before) if not t.isdigit()}
            said_after = {t for t in _tokens(after) if not t.isdigit()}
            if (said_before | said_after) & _FAX_LABELS:
                continue
            others = (said_before | said_after) - _PHONE_LABELS - _SWITCHBOARD_LABELS - sender.words
            number = " ".join(match.group().split())
            if others or not _phone_valid(number):
                continue
            found.append((number[:40], bool(said_before & _SWITCHBOARD_LABELS)))
    return found


# --- The block --------------------------------------------------------------------------------

_SEPARATORS = re.compile(r"\t+| {3,}|\s[|•·]\s|\s[|•·]|[|•·]\s|\s[-–—]\s|,\s")


def _name_line(line: str, sender: _Sender) -> str | None:
    """When `line` starts with the sender's name: what follows it on the line ("" for nothing)."""
    parts = _SEPARATORS.split(line.strip(), maxsplit=1)
    head = _tokens(parts[0])
    long_words = {t for t in head if len(t) > 1}
    if not long_words:
        return None
    rest = parts[1].strip() if len(parts) > 1 else ""
    for words in sender.names:
        # Every word of the name, or its initial ("J. Dupont"), and at least one in full.
        if (
            all(word in long_words or word[0] in head for word in words)
            and long_words & set(words)
            and len(long_words) <= len(words) + 1
        ):
            return rest
        if head == [words[0]] and not rest and len(words) > 1:
            return rest  # the first name alone ("Mike")
    return rest if _is_local(head, sender.local) else None


_PERSON = re.compile(r"^[A-ZÀ-Ý][\w'’-]*\.?(?: [A-ZÀ-Ý][\w'’-]*\.?){1,3}$")


def _position(candidate: str, sender: _Sender) -> str | None:
    text = " ".join(candidate.split()).strip(" ,;:-–—|•·")
    if not (2 <= len(text) <= _MAX_POSITION):
        return None
    plain = _plain(text)
    if (
        "@" in text
        or "://" in text
        or "www." in plain
        or "<" in text
        or re.search(r"\d{3}|\d[\s.]\d{2}", text)
        or text[-1] in ".!?"
        or len(text.split()) > 9
        or _NOT_A_TITLE.match(plain)
        or _CLOSING.match(plain)
        or _ADDRESS_WORDS.search(plain)
        or _COMPANY_WORDS.search(plain)
        or not _TITLE_WORDS.search(plain)
    ):
        return None
    first = re.split(r"\s*[,/(–—-]\s*", text, maxsplit=1)[0]
    if _PERSON.match(first) and not _TITLE_WORDS.search(_plain(first)):
        return None  # someone's name first: "Rocky Emery-Managing Director", "Rich Meislin, Editor"
    if re.sub(r"[^a-z]", "", plain) in sender.organisation:
        return None  # the company's name alone
    return text


def _block(lines: list[str], sender: _Sender) -> tuple[list[str], bool]:
    """The signature block (its lines), and whether it starts with the sender's name."""
    dash = closing = named = None
    clues = sender.clues
    for i in range(max(0, len(lines) - _WINDOW_LINES), len(lines)):
        plain = _plain(lines[i].strip())
        if lines[i].rstrip() == "--":
            dash = i
        elif _CLOSING.match(plain):
            closing = i
        elif (
            len(plain) <= 150 and any(c in plain for c in clues) and _name_line(lines[i], sender) is not None
        ):
            named = i
    if named is not None and closing is not None and closing > named:
        named = None  # the name was in the text: the signature comes after the closing
    if named is not None:
        first = named
    elif dash is not None:
        first = dash + 1
    elif closing is not None:
        first = closing + 1
    else:
        return [], False
    block: list[str] = []
    for line in lines[first:]:
        if not line.strip():
            continue
        if len(line) > _LINE_CHARS or len(block) == _BLOCK_LINES:
            break
        if block and (_BLOCK_END.match(_plain(line.strip())) or _is_rule(line)):
            break
        block.append(line)
    return block, named is not None


def signature_read(text: str, *, name: str = "", email: str = "") -> Signature:
    """The phone and position in the signature of a message's sender; None where unsure."""
    if not text:
        return Signature()
    lines = [line.replace("\u00a0", " ").replace("\u202f", " ") for line in _own_part(text)]
    sender = _sender(name, email)
    block, named = _block(lines, sender)
    if not block:
        return Signature()
    if not named:
        # No name to go by: a number near the top only, and none under someone else's name (a message
        # relayed for a colleague, a shared mailbox, a team's list of contacts).
        block = block[:4]
        if any(_PERSON.match(line.strip()) for line in block):
            return Signature()
        return Signature(phone=_phone(block, sender))
    return Signature(phone=_phone(block, sender), position=_block_position(block, sender))


def _phone(block: list[str], sender: _Sender) -> str | None:
    """The first number of the block; a switchboard's only when there is no other."""
    phones = [found for line in block for found in _phones(line, sender)]
    direct = [number for number, switchboard in phones if not switchboard]
    if direct:
        return direct[0]
    return phones[0][0] if phones else None


def _block_position(block: list[str], sender: _Sender) -> str | None:
    # The title follows the name: on its line ("Jean Dupont | CEO") or on one of the next two.
    for candidate in [_name_line(block[0], sender) or "", *block[1:3]]:
        for segment in re.split(r"\t+| {3,}|\s*[|•·]\s*", candidate):
            position = _position(segment, sender)
            if position is not None:
                return position
    return None
