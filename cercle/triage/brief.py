"""The request brief: what the leader needs to decide in ten seconds, read from the message.

Who (person, organisation, role from the signature), what they need (one or two sentences), deadline or
urgency, budget hints, language. French and English. Pure functions: the second edits the result
before it reaches the leader, so a good guess that is easy to correct beats a clever one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from cercle.core.text import guess_language
from cercle.network.domains import FREEMAIL_DOMAINS
from cercle.triage.cues import CUES, flatten
from cercle.triage.features import MailDoc, domain_of

_SIGN_OFF = re.compile(
    r"^\s*(bien (à|a) (vous|toi)|bien cordialement|très cordialement|cordialement|cdlt|sincères salutations|"
    r"salutations( distinguées)?|belle (journée|fin de journée|soirée)|bonne (journée|fin de journée|soirée)|"
    r"merci( (d'avance|d’avance|par avance|beaucoup|encore))?|avec mes remerciements|au plaisir|à (très )?bientôt|"
    r"amitiés|amicalement|bises|best( regards| wishes)?|kind regards|warm(est)? regards|regards|many thanks|"
    r"thanks( (a lot|in advance|again))?|thank you( (in advance|very much))?|cheers|all the best|sincerely|"
    r"yours( sincerely| truly)?|talk soon|--|—)\s*[,.!]*\s*$",
    re.I,
)
_GREETING = re.compile(
    r"^\s*(bonjour|bonsoir|salut|madame|monsieur|cher|chère|chers|hello|hi|dear|good (morning|afternoon))\b[^\n]{0,60}$",
    re.I,
)
_ROLE = re.compile(
    r"\b(directeur|directrice|dg\b|drh\b|daf\b|dsi\b|président|présidente|vice-président|fondateur|fondatrice|"
    r"co-?fondat\w*|gérant|gérante|associé|associée|responsable|chargée?|cheffe?|chef de|manager|consultante?|"
    r"délégué|déléguée|secrétaire général|maire|adjointe?|professeure?|chercheur|chercheuse|doyen|"
    r"ceo|cto|coo|cfo|cmo|chro|founder|co-?founder|director|head of|vp\b|vice president|president|partner|"
    r"owner|officer|lead\b|engineer|coordinator|coordinatrice|coordinateur|advisor|professor|dean|"
    r"editor|rédactrice|rédacteur|journaliste|journalist|producer|productrice|producteur|curator|commissaire|"
    r"programme manager|program manager|project manager|chef de projet|talent|recruiter|recruteuse|recruteur)",
    re.I,
)
_ORG_SUFFIX = re.compile(
    r"\b(SAS|SA|SARL|SASU|SCOP|EURL|Inc\.?|Ltd\.?|LLC|GmbH|plc|Group|Groupe|Association|Fondation|Foundation|"
    r"Université|University|École|School|Institut|Institute|Mairie|Région|Department|Ministère|Ministry|"
    r"Agency|Agence|Studio|Labs?|Partners|Capital|Conseil|Consulting|Festival|Media|Médias|Bank|Banque)\b"
)
_ORG_SPLIT = re.compile(r"\s+(?:at|chez|@|pour|for)\s+|\s+[-–—|·]\s+|,\s+", re.I)
_CONTACT_LINE = re.compile(r"(@|https?://|www\.|\+?\d[\d .()-]{6,}|^tél|^tel|^mobile|^phone|^linkedin)", re.I)
_QUOTE_START = re.compile(
    r"^(>|le .{0,80} a écrit ?:|on .{0,80} wrote:|-----\s*original message|-----\s*message d'origine|de ?: |from: )",
    re.I,
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-ÖØ-Ý0-9«“\"'])")
# A line break inside a sentence: after a line that does not end one, before a word that continues it.
_WRAPPED = re.compile(r"(?<=[^\s.!?:;])\n(?=[a-zà-öø-ÿ0-9(€$£])")
_SMALL_TALK = re.compile(
    r"^(j'espère|j’espère|i hope|hope (you|this)|je me permets|je vous écris|i am writing|i'm writing|"
    r"je m'appelle|je m’appelle|my name is|je suis |i am |i'm |nous sommes |we are )",
    re.I,
)

_MONTHS = {
    # French
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12, "decembre": 12,
    # English
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10,
    "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAY_MONTH = re.compile(
    rf"\b(\d{{1,2}})(?:er|st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_NAMES})\.?(?:,?\s+(\d{{4}}))?\b", re.I
)
_MONTH_DAY = re.compile(rf"\b({_MONTH_NAMES})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?\b", re.I)
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{2,4})\b")
_END_OF_MONTH = re.compile(rf"\b(?:fin|end of|by the end of|d'ici fin|d’ici fin)\s+({_MONTH_NAMES})\b", re.I)
_DEADLINE_WORDS = re.compile(
    r"(avant|d'ici|d’ici|au plus tard|date limite|échéance|deadline|due|by|before|no later than|until|jusqu'au|"
    r"jusqu’au|pour le|aura lieu|takes place|will take place|le \d|on \w+ \d)",
    re.I,
)
_URGENT = re.compile(
    r"(très urgent|urgent|urgence|dès que possible|au plus vite|rapidement|asap|as soon as possible|"
    r"this week|cette semaine|next week|la semaine prochaine|d'ici (la )?fin (du mois|de la semaine|de l'année)|"
    r"end of (the )?(month|week|year)|fin (du mois|de semaine)|tomorrow|demain|time-sensitive|pressing)",
    re.I,
)
_AMOUNT = re.compile(
    r"(?:(?:entre|between|de|from|autour de|around|about|environ|jusqu'à|up to|max(?:imum)?)\s+)?"
    r"(?:[€$£]\s?\d[\d\s  ,.]*(?:\s?(?:k|m|millions?|mille))?|\d[\d\s  ,.]*\s?(?:k€|k\s?euros?|m€|€|euros?|eur\b|"
    r"k\$|\$|usd\b|dollars?|£|gbp\b|k\b))"
    r"(?:\s+(?:et|and|à|to|-)\s+(?:[€$£]\s?)?\d[\d\s  ,.]*\s?(?:k€|k|€|euros?|\$|usd)?)?",
    re.I,
)
_BUDGET_WORD = re.compile(
    r"\b(budget|enveloppe|rémunération|honoraires|tarif|fee|fees|pricing|quote|devis|paid|payée?s?|rémunérée?s?|"
    r"grant|subvention|financement|funding|cachet|défraiement|pro bono|bénévole|gratuit|unpaid)\b",
    re.I,
)


# Words that name a kind of funding rather than an amount or its absence: a hint only with an amount.
_FUNDING_ONLY = re.compile(r"grant|subvention|financement|funding", re.I)
# The requester's own label before an amount ("Budget envisagé : 18 000 €", "budget of $8,000"): dropped,
# so that the brief does not read "Budget: Budget envisagé: …". Words that say something stay.
_BUDGET_LABEL = re.compile(
    r"(?:budget|enveloppe)(?:\s|[:=–—-]|\b(?:de|du|d|est|sera|serait|envisagé|envisagée|prévu|prévue|"
    r"prévisionnel|estimé|estimée|alloué|allouée|disponible|dédié|dédiée|total|globale?|is|of|would|will|be|"
    r"estimated|planned|available|allocated|overall)\b|['’])*",
    re.I,
)
# What an amount's clause says about it ("HT sur six mois", "per month", "plus travel"), kept with it; a
# long clause is kept only for its tax and period words.
_AMOUNT_CLAUSE_END = re.compile(
    r"[;!?,]|\n\s*\n|\.(?=\s|$)|\s(?:et|and|mais|but|car|because|donc|so)\s", re.I
)
_AMOUNT_QUALIFIERS = re.compile(
    r"(?:\s*(?:HT|H\.T\.?|TTC|T\.T\.C\.?|hors taxes?|toutes taxes comprises|nets?|bruts?|"
    r"(?:excl(?:uding|\.)?|incl(?:uding|\.)?|ex|plus|\+)\s?(?:VAT|tax(?:es)?|TVA)|VAT included|TVA comprise|"
    r"(?:per|a|an|par)\s(?:month|day|year|week|hour|person|mois|jour|an|année|semaine|heure|personne)|"
    r"/\s?(?:mois|jour|an|month|day|year|h|j)|"
    r"(?:sur|over|pendant|for)\s(?:\S+\s){0,2}?(?:mois|ans?|années?|semaines?|jours?|months?|years?|weeks?|days?))\b)+",
    re.I,
)
# The sentence saying what the requester wants to achieve. An ask addressed to the leader ("nous souhaitons
# vous inviter", "we want you to") is what they need, not their goal.
_GOAL_LABEL = (
    r"(?:(?:l['’]|notre\s|leur\s|mon\s)?(?:objectif|finalité|ambition)|(?:le|notre|leur|mon)\sbut"
    r"|(?:our\s|the\s|my\s)?(?:goal|aim|objective|purpose))"
    r"(?:\s(?:principal|premier|final|main|primary|ultimate))?"
)
_GOAL = re.compile(
    rf"(?P<label>^{_GOAL_LABEL}(?:\s?:|\s(?:est|sera|serait|is|will be|would be)(?:\s(?:de\s|d['’]|to\s|:\s?))?)\s*)"
    rf"|\b{_GOAL_LABEL}\s(?:est|is)\s(?:de|d['’]|to)\b"
    r"|\b(?:nous|on)\s(?:souhaitons|souhaiterions|voulons|voudrions|visons)\b"
    r"(?!\s(?:vous|te|savoir|échanger|solliciter|remercier|inviter|rencontrer|proposer|connaître)\b)"
    r"|\bwe\s(?:want|wish|aim|are aiming)\sto\b"
    r"(?!\s(?:invite|ask|thank|hear|know|meet|talk|discuss|speak|propose|offer|check)\b)",
    re.I,
)
_GOAL_MAX_CHARS = 300


@dataclass
class BriefDraft:
    person: str = ""
    organisation: str = ""
    role: str = ""
    need: str = ""
    goal: str = ""
    deadline: date | None = None
    urgency: str = ""
    budget: str = ""
    language: str = "fr"


def _lines_before_quote(text: str) -> list[str]:
    out: list[str] = []
    for line in text.splitlines():
        if _QUOTE_START.match(line.strip()):
            break
        out.append(line.rstrip())
    return out


def _signature(lines: list[str]) -> tuple[list[str], int]:
    """(signature lines, index where the body ends)."""
    start = max(0, len(lines) - 20)
    for i in range(len(lines) - 1, start - 1, -1):
        if _SIGN_OFF.match(lines[i]):
            sig = [line.strip() for line in lines[i + 1 : i + 9] if line.strip()]
            return sig, i
    # No sign-off: trailing short lines after the last blank line may be a signature.
    tail: list[str] = []
    for line in reversed(lines):
        if not line.strip():
            break
        tail.insert(0, line.strip())
    if 1 <= len(tail) <= 5 and all(len(t) < 70 for t in tail) and len(tail) < len(lines):
        return tail, len(lines) - len(tail) - 1
    return [], len(lines)


def _looks_like_name(line: str) -> bool:
    words = line.replace(",", " ").split()
    return (
        1 < len(words) <= 4
        and not any(ch.isdigit() for ch in line)
        and not _ROLE.search(line)
        and not _CONTACT_LINE.search(line)
        and all(
            w[:1].isupper() for w in words if w.lower() not in ("de", "du", "van", "von", "le", "la", "d'")
        )
    )


def _who(sig: list[str], from_name: str) -> tuple[str, str, str]:
    person = role = organisation = ""
    for line in sig[:6]:
        if _CONTACT_LINE.search(line):
            continue
        if not person and (_looks_like_name(line) or (from_name and line.lower() == from_name.lower())):
            person = line
            continue
        if not role and _ROLE.search(line):
            parts = [p.strip() for p in _ORG_SPLIT.split(line, maxsplit=1) if p.strip()]
            role = parts[0]
            if len(parts) > 1 and not organisation:
                organisation = parts[1]
            continue
        if not organisation and (person or role) and len(line) < 80:
            organisation = line
    return person, role, organisation


def _sentences(body_lines: list[str]) -> list[str]:
    kept = [line for line in body_lines if line.strip() and not _GREETING.match(line)]
    text = " ".join(" ".join(kept).split())
    return [s.strip() for s in _SENTENCE.split(text) if s.strip()]


def _goal(sentences: list[str]) -> tuple[str, str]:
    """(the requester's goal in their own words, the sentence saying it). A label they wrote before it
    ("L'objectif est de", "Our goal is to") is left to the brief's own "Goal" label."""
    for sentence in sentences[:25]:
        match = _GOAL.search(sentence)
        if match is None:
            continue
        goal = (sentence[match.end() :] if match.group("label") else sentence).strip() or sentence
        goal = goal if len(goal) <= _GOAL_MAX_CHARS else goal[: _GOAL_MAX_CHARS - 1].rstrip() + "…"
        return goal, sentence
    return "", ""


def _need(sentences: list[str], subject: str) -> str:
    if not sentences:
        return subject
    ask = CUES["ask"]
    scored: list[tuple[float, int, str]] = []
    for i, sentence in enumerate(sentences[:25]):
        flat = flatten(sentence)
        words = set(flat.split())
        score = 0.0
        if not ask.words.isdisjoint(words) or any(p in flat for p in ask.phrases):
            score += 3
        if "?" in sentence:
            score += 1
        for name in ("meeting", "budget", "deadline"):
            cue = CUES[name]
            if not cue.words.isdisjoint(words) or any(p in flat for p in cue.phrases):
                score += 0.5
        if _SMALL_TALK.match(sentence):
            score -= 1.5
        if len(sentence) < 25:
            score -= 2
        score -= i * 0.1
        scored.append((score, i, sentence))
    best = sorted(scored, reverse=True)[:2]
    best = [b for b in best if b[0] > -1] or best[:1]
    chosen = [s for _, _, s in sorted(best, key=lambda b: b[1])]
    need = " ".join(chosen)
    return need if len(need) <= 360 else need[:359].rstrip() + "…"


def _year_for(month: int, day: int, year: int | None, today: date) -> date | None:
    try:
        if year is not None:
            return date(year if year > 100 else 2000 + year, month, day)
        candidate = date(today.year, month, day)
        return candidate if candidate >= today else date(today.year + 1, month, day)
    except ValueError:
        return None


def _dates(text: str, language: str, today: date) -> list[tuple[int, date]]:
    found: list[tuple[int, date]] = []
    for m in _DAY_MONTH.finditer(text):
        d = _year_for(
            _MONTHS[m.group(2).lower()], int(m.group(1)), int(m.group(3)) if m.group(3) else None, today
        )
        if d:
            found.append((m.start(), d))
    for m in _MONTH_DAY.finditer(text):
        d = _year_for(
            _MONTHS[m.group(1).lower()], int(m.group(2)), int(m.group(3)) if m.group(3) else None, today
        )
        if d:
            found.append((m.start(), d))
    for m in _NUMERIC_DATE.finditer(text):
        a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        day, month = (a, b) if language == "fr" or a > 12 else (b, a)
        d = _year_for(month, day, y, today)
        if d:
            found.append((m.start(), d))
    for m in _END_OF_MONTH.finditer(text):
        month = _MONTHS[m.group(1).lower()]
        d = _year_for(month, 28, None, today)
        if d:
            found.append((m.start(), d))
    return sorted(found)


def _snippet(text: str, start: int, end: int, width: int = 40) -> str:
    left = max(text.rfind(".", 0, start) + 1, start - width, 0)
    if left > 0 and not text[left - 1].isspace() and text[left - 1] != ".":
        space = text.find(" ", left, start)
        left = space + 1 if space != -1 else left
    right_stop = [p for p in (text.find(".", end), text.find("\n", end)) if p != -1]
    right = min([*right_stop, end + width, len(text)])
    return " ".join(text[left:right].split())[:120]


def _deadline(subject: str, body: str, language: str, today: date) -> tuple[date | None, str]:
    """The deadline and the words that say it. A date read in the subject gives the deadline but no
    phrase: the subject is already on the card, repeating it as "when" says nothing."""
    text = f"{subject}\n{body}"
    in_body = len(subject) + 1
    dates = _dates(text, language, today)
    chosen: date | None = None
    phrase = ""
    for position, d in dates:
        window = text[max(0, position - 40) : position]
        if _DEADLINE_WORDS.search(window) or _URGENT.search(window):
            chosen = d
            phrase = _sentence_around(text, position, position + 1) if position >= in_body else ""
            break
    if chosen is None and dates:
        position, chosen = dates[0]
        phrase = _sentence_around(text, position, position + 1) if position >= in_body else ""
    urgent = _URGENT.search(text)
    if urgent and (not phrase or urgent.group(0).lower() not in phrase.lower()):
        phrase = (
            _snippet(text, urgent.start(), urgent.end()) if not phrase else f"{phrase} · {urgent.group(0)}"
        )
    return chosen, phrase[:200]


def _unwrapped(text: str) -> str:
    """The text with the line breaks a mail client wraps sentences at turned into spaces (same length, so
    positions hold): "avant\nle 15 mars" is one sentence, a list item on its own line stays one."""
    return _WRAPPED.sub(" ", text)


def _sentence_around(text: str, start: int, end: int, limit: int = 120) -> str:
    """The sentence holding text[start:end], cut to `limit` characters around it."""
    left = max(text.rfind(stop, 0, start) for stop in (".", "!", "?", "\n")) + 1
    rights = [p for p in (text.find(stop, end) for stop in (".", "!", "?", "\n")) if p != -1]
    right = min(rights) + 1 if rights else len(text)
    sentence = " ".join(text[left:right].split())
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"


def _budget(subject: str, body: str) -> str:
    """Amounts near a budget word; without an amount, the body's sentence that speaks of money (a
    subject line or a mere "grant application" is not a budget)."""
    text = f"{subject}\n{body}"
    in_body = len(subject) + 1
    hints: list[str] = []
    for m in _BUDGET_WORD.finditer(text):
        window = text[m.start() : m.start() + 90]
        amount = _AMOUNT.search(window)
        if amount and any(ch.isdigit() for ch in amount.group(0)):
            end = m.start() + amount.end()
            label = _BUDGET_LABEL.match(text, m.start(), end)
            start = label.end() if label else m.start()
            hints.append(_with_qualifiers(text, start, end))
        elif m.start() >= in_body and not _FUNDING_ONLY.fullmatch(m.group(0)):
            hints.append(_sentence_around(text, m.start(), m.end()))
        if len(hints) >= 2:
            break
    if not hints:
        for m in _AMOUNT.finditer(text):
            value = m.group(0).strip()
            if sum(ch.isdigit() for ch in value) >= 2 and not re.fullmatch(r"[\d\s.,]+k", value, re.I):
                hints.append(_with_qualifiers(text, m.start(), m.end()))
                break
    return " · ".join(dict.fromkeys(hints))[:200]


def _with_qualifiers(text: str, start: int, end: int) -> str:
    """text[start:end] (an amount and what introduces it) with what qualifies the amount right after it:
    "18 000 € HT sur six mois", "$8,000 plus travel" — the clause when it is short, else its tax and
    period words only."""
    amount = " ".join(text[start:end].split()).rstrip(" .,;:")
    if re.match(r"(?:de|d['’]|from)\s", amount, re.I) and not re.search(r"\s(?:à|et|to|and|-)\s", amount):
        amount = re.sub(r"^(?:de|d['’]|from)\s+", "", amount, flags=re.I)  # "de 18 000 €": the amount
    rest = text[end : end + 160]
    stop = _AMOUNT_CLAUSE_END.search(rest)
    clause = rest[: stop.start() if stop else len(rest)]
    if len(clause.split()) > 6:
        qualifiers = _AMOUNT_QUALIFIERS.match(rest)
        clause = qualifiers.group(0) if qualifiers else ""
    # "…, excluding VAT": a comma followed by a tax or period word still speaks of the amount.
    while stop and rest[stop.start()] == "," and (more := _AMOUNT_QUALIFIERS.match(rest, stop.end())):
        clause = f"{clause}, {more.group(0).strip()}" if clause.strip() else more.group(0)
        stop = _AMOUNT_CLAUSE_END.search(rest, more.end())
    clause = " ".join(clause.split())
    return f"{amount} {clause}" if clause else amount


def extract_brief(
    doc: MailDoc,
    *,
    sent_at: datetime | date | None = None,
    contact_name: str = "",
    contact_organisation: str = "",
    contact_position: str = "",
) -> BriefDraft:
    today = sent_at.date() if isinstance(sent_at, datetime) else (sent_at or date.today())
    language = guess_language(f"{doc.subject}\n{doc.text}")
    lines = _lines_before_quote(doc.text)
    sig, body_end = _signature(lines)
    person, role, organisation = _who(sig, doc.from_name)
    body_lines = lines[:body_end]
    body = _unwrapped("\n".join(body_lines))
    domain = domain_of(doc.from_email)
    deadline, urgency = _deadline(doc.subject, body, language, today)
    sentences = _sentences(body_lines)
    goal, goal_sentence = _goal(sentences)
    return BriefDraft(
        person=(contact_name or doc.from_name or person or doc.from_email)[:200],
        organisation=(
            organisation
            or contact_organisation
            or (domain if domain and domain not in FREEMAIL_DOMAINS else "")
        )[:200],
        role=(role or contact_position)[:200],
        # The goal has its own line: what they need is read in the other sentences.
        need=_need([x for x in sentences if x != goal_sentence], doc.subject),
        goal=goal,
        deadline=deadline,
        urgency=urgency,
        budget=_budget(doc.subject, body),
        language=language,
    )
