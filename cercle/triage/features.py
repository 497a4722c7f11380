"""What the machine reads in one message: a `MailDoc` (pure, from raw bytes or from stored fields) and the
signals derived from it — headers, content cues, and the tokens the text model hashes.

Everything here is pure (no database, no network) and fast: the triage of a 100,000-message mailbox, and
the evaluation against SpamAssassin, run through these functions. `email` is only used for MIME bodies;
headers are read from their raw form (we need a handful, and reading them ourselves is ~10× faster).
"""

from __future__ import annotations

import html as html_module
import re
from dataclasses import dataclass, field
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message
from email.policy import compat32
from email.utils import parseaddr

TEXT_CHARS = 4000  # words are read from this much body text
CHAR_NGRAM_CHARS = 1200  # character n-grams from this much (subject + start of the body)

_HEADER_LINE = re.compile(rb"^([!-9;-~]+)[ \t]*:[ \t]*(.*)$")
_HIDDEN_START = re.compile(r"<(?:script|style|!--)", re.I)
_HIDDEN = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->", re.S | re.I)
_TAG = re.compile(r"<[^>]*>")
_BLANKS = {ord(c): " " for c in "\t\r\f\v\xa0"}
_SPACES = re.compile(r" {2,}")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_LINK = re.compile(r"https?://|<a\s", re.I)
_TAG_NAME = re.compile(r"<([a-zA-Z][a-zA-Z0-9]{0,9})")
_CHARSET = re.compile(r"charset\s*=\s*\"?([\w.:-]+)", re.I)

# Headers we read. Everything else stays in the raw message (Received chains, X-Spam-* from old filters
# are deliberately not features: they would teach the model the corpus, not the mail).
WANTED = frozenset(
    {
        "from",
        "to",
        "cc",
        "subject",
        "reply-to",
        "return-path",
        "sender",
        "in-reply-to",
        "references",
        "content-type",
        "content-transfer-encoding",
        "list-unsubscribe",
        "list-id",
        "list-post",
        "x-mailing-list",
        "mailing-list",
        "precedence",
        "auto-submitted",
        "x-autoreply",
        "x-autorespond",
        "x-auto-response-suppress",
        "x-mailer",
        "user-agent",
        "feedback-id",
        "x-campaign",
        "x-campaignid",
        "x-mc-user",
        "x-mailgun-sid",
        "x-sg-eid",
        "x-ses-outgoing",
        "x-mailjet-campaign",
        "x-hubspot-mail-id",
        "x-sib-id",
        "x-csa-complaints",
        "x-linkedin-class",
        "x-failed-recipients",
        "message-id",
        "date",
        "x-priority",
        "x-msmail-priority",
        "importance",
        "mime-version",
        "organization",
        "errors-to",
        "x-mimeole",
    }
)
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

# Mass-mailing tools, recognised in X-Mailer/User-Agent or by a header of their own.
BULK_MAILERS: tuple[tuple[str, str], ...] = (
    ("mailchimp", "Mailchimp"),
    ("mailerlite", "MailerLite"),
    ("sendinblue", "Brevo"),
    ("brevo", "Brevo"),
    ("sendgrid", "SendGrid"),
    ("mailjet", "Mailjet"),
    ("hubspot", "HubSpot"),
    ("marketo", "Marketo"),
    ("salesforce", "Salesforce"),
    ("exacttarget", "Salesforce Marketing Cloud"),
    ("campaign monitor", "Campaign Monitor"),
    ("createsend", "Campaign Monitor"),
    ("constant contact", "Constant Contact"),
    ("mailgun", "Mailgun"),
    ("sarbacane", "Sarbacane"),
    ("dolist", "Dolist"),
    ("splio", "Splio"),
    ("lemlist", "lemlist"),
    ("woodpecker", "Woodpecker"),
    ("outreach", "Outreach"),
    ("salesloft", "Salesloft"),
    ("apollo", "Apollo"),
    ("phplist", "phpList"),
    ("listserv", "LISTSERV"),
    ("mailman", "Mailman"),
    ("sympa", "Sympa"),
    ("substack", "Substack"),
    ("klaviyo", "Klaviyo"),
    ("activecampaign", "ActiveCampaign"),
    ("sparkpost", "SparkPost"),
    ("amazonses", "Amazon SES"),
    ("mailpoet", "MailPoet"),
    ("aweber", "AWeber"),
    ("getresponse", "GetResponse"),
    ("emailvision", "Emailvision"),
    ("smartfocus", "SmartFocus"),
)
_MAILER_HEADERS = {
    "x-mc-user": "Mailchimp",
    "x-mailgun-sid": "Mailgun",
    "x-sg-eid": "SendGrid",
    "x-ses-outgoing": "Amazon SES",
    "x-mailjet-campaign": "Mailjet",
    "x-hubspot-mail-id": "HubSpot",
    "x-sib-id": "Brevo",
    "x-csa-complaints": "a certified bulk sender",
}
_NOREPLY = re.compile(
    r"^(no[-_.]?reply|do[-_.]?not[-_.]?reply|ne[-_.]?pas[-_.]?repondre|notifications?|alerts?|mailer)\b", re.I
)
_ROLE_SENDER = re.compile(
    r"^(news(letter)?s?|info|marketing|hello|bonjour|team|equipe|contact|events?|webinar|offres?|promo)\b",
    re.I,
)


@dataclass(frozen=True)
class MailDoc:
    """The parts of a message the triage reads. Build it with `doc_from_raw` or `doc_from_fields`."""

    subject: str = ""
    text: str = ""
    from_email: str = ""
    from_name: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    html_only: bool = False
    links: int = 0
    recipients: int = 1
    markup_tags: str = ""  # names of the HTML tags, in order (a shape of the message, not its text)

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


def _decode_words(value: str) -> str:
    if "=?" not in value:
        return value
    try:
        return str(make_header(decode_header(value)))
    except Exception:  # a broken encoded word: keep it as it came
        return value


def _charset_decode(data: bytes, charset: str | None) -> str:
    for name in (charset, "utf-8"):
        if not name:
            continue
        try:
            return data.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("latin-1")


def html_to_text(markup: str) -> str:
    markup = markup[: TEXT_CHARS * 10]
    if _HIDDEN_START.search(markup):
        markup = _HIDDEN.sub(" ", markup)
    text = _TAG.sub(" ", markup)
    return html_module.unescape(text) if "&" in text else text


# (Patterns that start with a literal let the regex engine skip ahead: several times faster here.)
_UNFOLD = re.compile(rb"\n[ \t]+")
_FIELD = re.compile(rb"^([!-9;-~]+)[ \t]*:[ \t]*([^\r\n]*)", re.M)


def _headers(block: bytes) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, value in _FIELD.findall(_UNFOLD.sub(b" ", block.replace(b"\r\n", b"\n"))):
        key = name.decode("ascii", "replace").lower()
        if key in WANTED and key not in found:
            found[key] = value.strip().decode("utf-8", "replace")
    return found


def _walk_text(msg: Message) -> tuple[str, str]:
    plain: list[str] = []
    markup: list[str] = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        if ctype not in ("text/plain", "text/html"):
            continue
        if (part.get("content-disposition") or "").lower().startswith("attachment"):
            continue
        try:
            payload = part.get_payload(decode=True)
        except Exception:  # noqa: S112 — a broken part is skipped; the rest of the message is still read
            continue
        if not isinstance(payload, bytes):
            continue
        text = _charset_decode(payload, part.get_content_charset())
        (plain if ctype == "text/plain" else markup).append(text)
        if sum(map(len, plain)) > TEXT_CHARS * 2:
            break
    return "\n".join(plain), "\n".join(markup)


def doc_from_raw(raw: bytes) -> MailDoc:
    """Read one raw RFC 822 message (an mbox `From ` line is tolerated). Never raises."""
    if raw.startswith(b"From "):
        raw = raw[raw.find(b"\n") + 1 :]
    cut = raw.find(b"\n\n")
    cut_crlf = raw.find(b"\r\n\r\n")
    if cut_crlf != -1 and (cut == -1 or cut_crlf < cut):
        head, body = raw[:cut_crlf], raw[cut_crlf + 4 :]
    elif cut != -1:
        head, body = raw[:cut], raw[cut + 2 :]
    else:
        head, body = raw, b""
    headers = _headers(head)
    ctype = headers.get("content-type", "text/plain").lower()
    encoding = headers.get("content-transfer-encoding", "").lower().strip()
    if ctype.startswith("multipart/") or encoding in ("base64", "quoted-printable"):
        try:
            plain, markup = _walk_text(message_from_bytes(raw, policy=compat32))
        except Exception:
            plain, markup = body.decode("latin-1"), ""
    else:
        match = _CHARSET.search(ctype)
        text = _charset_decode(body[: TEXT_CHARS * 4], match.group(1) if match else None)
        plain, markup = ("", text) if ctype.startswith("text/html") else (text, "")
    links = len(_LINK.findall((markup or plain)[:30000]))
    tags = " ".join(_TAG_NAME.findall(markup[:30000])) if markup else ""
    text = plain if plain.strip() else html_to_text(markup)
    name, email = parseaddr(_decode_words(headers.get("from", "")))
    recipients = headers.get("to", "").count("@") + headers.get("cc", "").count("@")
    return MailDoc(
        subject=_decode_words(headers.get("subject", ""))[:300],
        text=clean_text(text)[:TEXT_CHARS],
        from_email=email.lower(),
        from_name=name,
        headers=headers,
        html_only=bool(markup) and not plain.strip(),
        links=links,
        recipients=recipients,
        markup_tags=tags.lower(),
    )


def doc_from_fields(
    *,
    subject: str,
    text: str,
    from_email: str = "",
    from_name: str = "",
    html: str = "",
    headers: dict[str, str] | None = None,
) -> MailDoc:
    """For messages without raw bytes (the public form, LinkedIn, manual entry)."""
    body = text if text.strip() else html_to_text(html)
    return MailDoc(
        subject=subject[:300],
        text=clean_text(body)[:TEXT_CHARS],
        from_email=from_email.lower(),
        from_name=from_name,
        headers=headers or {},
        html_only=bool(html) and not text.strip(),
        links=len(_LINK.findall(html or text)),
    )


def clean_text(text: str) -> str:
    text = _SPACES.sub(" ", text.replace("\r\n", "\n").translate(_BLANKS))
    return _BLANK_LINES.sub("\n\n", text).strip()


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].lower().strip(" >")


# --- Header signals ------------------------------------------------------------------------


@dataclass(frozen=True)
class Signal:
    """One fact about a message, with what to show (`code` + `detail`, rendered by reasons.py)."""

    code: str
    detail: str = ""


def bulk_mailer(doc: MailDoc) -> str:
    for header, label in _MAILER_HEADERS.items():
        if header in doc.headers:
            return label
    haystack = " ".join(
        doc.headers.get(h, "")
        for h in ("x-mailer", "user-agent", "return-path", "list-unsubscribe", "feedback-id")
    ).lower()
    if not haystack.strip():
        return ""
    for needle, label in BULK_MAILERS:
        if needle in haystack:
            return label
    return ""


def header_signals(doc: MailDoc) -> list[Signal]:
    """Facts from the headers, each one a reason a person can check in the raw message."""
    h = doc.headers
    found: list[Signal] = []
    if "list-unsubscribe" in h:
        found.append(Signal("list_unsubscribe"))
    if "list-id" in h or "x-mailing-list" in h or "list-post" in h or "mailing-list" in h:
        found.append(Signal("list_id", h.get("list-id", "")[:80]))
    precedence = h.get("precedence", "").strip().lower()
    if precedence in ("bulk", "list", "junk"):
        found.append(Signal("precedence", precedence))
    auto = h.get("auto-submitted", "").strip().lower()
    if auto and not auto.startswith("no"):
        found.append(Signal("auto_submitted", auto[:40]))
    elif "x-autoreply" in h or "x-autorespond" in h:
        found.append(Signal("auto_submitted", "x-autoreply"))
    if "x-failed-recipients" in h or doc.from_email.startswith(("mailer-daemon@", "postmaster@")):
        found.append(Signal("bounce"))
    mailer = bulk_mailer(doc)
    if mailer:
        found.append(Signal("bulk_mailer", mailer))
    if "feedback-id" in h or "x-campaign" in h or "x-campaignid" in h:
        found.append(Signal("campaign"))
    local = doc.from_email.partition("@")[0]
    if local and _NOREPLY.match(local):
        found.append(Signal("noreply", doc.from_email))
    elif local and _ROLE_SENDER.match(local):
        found.append(Signal("role_sender", doc.from_email))
    if doc.html_only:
        found.append(Signal("html_only"))
    if doc.links >= 8:
        found.append(Signal("many_links", str(doc.links)))
    if doc.recipients == 0 and doc.headers:
        found.append(Signal("hidden_recipients"))
    elif doc.recipients >= 10:
        found.append(Signal("many_recipients", str(doc.recipients)))
    if h.get("in-reply-to") or h.get("references"):
        found.append(Signal("in_thread"))
    return found


# --- Content cues (French and English) ------------------------------------------------------
#
# A cue is a few words a person would also notice ("asks for a meeting", "mentions a budget"). They are
# matched on a flattened copy of the text (lower case, punctuation as spaces, single spaces, padded):
# single words through a set, phrases as substrings with their spaces (" rendez vous " cannot match
# inside another word). A phrase ending without a space is a prefix (" accompagn" ≈ accompagn*).
# Regular expressions with many alternatives were 20× slower here.


@dataclass(frozen=True)
class Cue:
    words: frozenset[str] = frozenset()
    phrases: tuple[str, ...] = ()
    pattern: re.Pattern[str] | None = None


def _cue(words: str = "", phrases: tuple[str, ...] = (), pattern: str = "") -> Cue:
    return Cue(frozenset(words.split()), phrases, re.compile(pattern) if pattern else None)


CUES: dict[str, Cue] = {
    "meeting": _cue(
        "rdv rendez meeting meet visio visioconférence créneau disponibilités availability",
        (
            " vous rencontrer",
            " se rencontrer",
            " un appel ",
            " un échange ",
            " un court échange",
            " a call ",
            " catch up",
            " set up a time",
            " prendre un café",
            " échanger avec vous",
            " de vive voix",
            " available for ",
            " available to ",
            " disponible pour ",
            " get on a call",
            " a quick chat ",
        ),
    ),
    "budget": _cue(
        "budget budgets devis tarif tarifs honoraires quote quotation pricing fee fees rémunération enveloppe",
        (),
        r"\d ?(?:k€|€|k\$|\$|eur|euros|usd|dollars|k)(?: |$)|[€$£] ?\d",
    ),
    "deadline": _cue(
        "urgent urgence asap deadline échéance rapidement demain tomorrow",
        (
            " avant le ",
            " d'ici ",
            " au plus tard",
            " date limite",
            " as soon as possible",
            " dès que possible",
            " cette semaine",
            " this week",
            " next week",
            " la semaine prochaine",
            " by monday",
            " by tuesday",
            " by wednesday",
            " by thursday",
            " by friday",
            " by the end of",
            " before the end of",
            " fin du mois",
            " end of the month",
            " avant la fin",
        ),
    ),
    "ask": _cue(
        "pourriez accepteriez seriez keynote",
        (
            " nous cherchons",
            " nous recherchons",
            " nous souhaitons",
            " nous aimerions",
            " nous avons besoin",
            " je cherche",
            " je souhaite",
            " je voudrais",
            " j'aimerais",
            " pourrions nous",
            " vous serait il possible",
            " accompagn",
            " intervenir",
            " une conférence",
            " we are looking for",
            " we're looking for",
            " i am looking for",
            " we need",
            " we would like",
            " i would like",
            " could you",
            " would you be willing",
            " would you be available",
            " help us",
            " support us",
            " speak at",
            " advise us",
            " votre aide",
            " your help",
            " your advice",
            " vos conseils",
            " faire appel à vous",
        ),
    ),
    "pitch": _cue(
        "seo backlinks backlink leads roi",
        (
            " 15 minutes",
            " quick call",
            " quick chat",
            " book a demo",
            " schedule a demo",
            " our platform",
            " our solution",
            " our software",
            " our agency",
            " our tool",
            " notre plateforme",
            " notre solution",
            " notre agence",
            " notre outil",
            " notre logiciel",
            " boost your",
            " increase your",
            " grow your",
            " prospects ",
            " prospection",
            " i noticed that your",
            " i noticed your",
            " j'ai remarqué que votre",
            " j'ai vu que votre",
            " free trial",
            " essai gratuit",
            " démo gratuite",
            " free demo",
            " no obligation",
            " sans engagement",
            " the right person",
            " la bonne personne",
            " just following up",
            " je me permets de vous relancer",
            " générer plus",
            " more leads",
            " more clients",
            " plus de clients",
        ),
    ),
    "unsubscribe": _cue(
        "unsubscribe désinscrire désinscription désabonner désabonnement unsubscribed optout",
        (
            " opt out",
            " manage your preferences",
            " manage your subscription",
            " gérer vos préférences",
            " gérer mes préférences",
            " view in browser",
            " view it in your browser",
            " view this email in",
            " voir la version en ligne",
            " version en ligne",
            " you are receiving this",
            " vous recevez ce",
            " to be removed",
            " email preferences",
        ),
    ),
    "spammy": _cue(
        "winner gagnant viagra casino cheap guaranteed inheritance beneficiary lottery mortgage",
        (
            " click here",
            " cliquez ici",
            " 100% free",
            " 100% gratuit",
            " act now",
            " money back",
            " risk free",
            " million dollars",
            " $$$",
            " remove me",
            " removal instructions",
            " work from home",
            " limited time",
            " special offer",
            " offre spéciale",
            " order now",
            " credit card",
            " free money",
            " lowest price",
        ),
    ),
}

_FLATTEN = {ord(c): " " for c in '!"#&()*+,-./:;<=>?@[\\]^_`{|}~«»“”„·…–—\t\r\n\xa0'}
_FLATTEN[ord("’")] = "'"


def flatten(text: str) -> str:
    """Lower case, punctuation as spaces, single spaces, one space at each end."""
    return " " + " ".join(text.lower().translate(_FLATTEN).split()) + " "


def _index_cues() -> tuple[dict[str, list[tuple[str, str]]], list[tuple[str, str]]]:
    """Phrases indexed by their first word, so a text only checks the phrases whose first word it has."""
    by_word: dict[str, list[tuple[str, str]]] = {}
    prefixes: list[tuple[str, str]] = []
    for name, cue in CUES.items():
        for phrase in cue.phrases:
            words = phrase.split()
            if not phrase.endswith(" ") and len(words) == 1:
                prefixes.append((name, words[0]))  # " accompagn": a word that starts so
            else:
                by_word.setdefault(words[0], []).append((name, phrase))
    return by_word, prefixes


_CUE_PHRASES, _CUE_PREFIXES = _index_cues()


def content_cues(doc: MailDoc) -> list[str]:
    """Which cues the subject and the start of the text show (each counted once)."""
    flat = flatten(f"{doc.subject}\n{doc.text[:2500]}")
    words = set(flat.split())
    found: set[str] = set()
    for name, cue in CUES.items():
        if not cue.words.isdisjoint(words):
            found.add(name)
    for word in words & _CUE_PHRASES.keys():
        for name, phrase in _CUE_PHRASES[word]:
            if name not in found and (phrase if phrase.startswith(" ") else " " + phrase) in flat:
                found.add(name)
    for name, prefix in _CUE_PREFIXES:
        if name not in found and f" {prefix}" in flat:
            found.add(name)
    for name, cue in CUES.items():
        if name not in found and cue.pattern is not None and cue.pattern.search(flat):
            found.add(name)
    return [name for name in CUES if name in found]
