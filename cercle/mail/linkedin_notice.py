"""LinkedIn's "X sent you a message" e-mails: the request comes from X, not from LinkedIn's no-reply box.

Pure: works on the decoded subject, text and (unsanitised) HTML of one message. A notification is
recognised when it comes from a linkedin.com address and
- its subject (or, failing that, the first lines of its text) says that one named person wrote, in
  English or French, in the wordings LinkedIn used over the years ("X sent you a message", "X just
  messaged you", "New message from X", "X is waiting for your response", "X replied to your
  message", "X vous a envoyé un nouveau message", "X vient de vous envoyer un message", "X attend
  votre réponse", "Vous avez reçu un message de X"…), or
- it is an InMail or a message relayed with the person's own subject: sent from one of LinkedIn's
  messaging relays (inmail-hit-reply@, hit-reply@, member@, messages-noreply@…) under the display
  name "X via LinkedIn".
Digests that list several senders, invitations, "who viewed your profile" and newsletters are not
message notifications.
"""

from __future__ import annotations

import html as html_module
import re
from dataclasses import dataclass
from urllib.parse import unquote

# The name is captured non-greedily and trimmed; LinkedIn never quotes it.
_SUBJECT_PATTERNS = [
    re.compile(p, re.I)
    for p in (
        r"^(?P<name>.+?) (?:has )?sent you (?:an? )?(?:new )?(?:message|inmail)\b",
        r"^(?P<name>.+?) just (?:messaged|sent you a message)\b",
        r"^(?P<name>.+?) (?:has )?messaged you\b",
        r"^(?P<name>.+?) is waiting for your (?:reply|response)\b",
        r"^(?P<name>.+?) (?:has )?sent you a reply\b",
        r"^(?P<name>.+?) (?:wants to|would like to) (?:chat|message you)\b",
        r"^(?:you have (?:a |1 )?)?new messages? from (?P<name>.+?)$",
        r"^(?:you have (?:a |1 )?)?new inmail from (?P<name>.+?)$",
        r"^(?P<name>.+?) vous a envoyé (?:un )?(?:nouveau )?(?:message|inmail)\b",
        r"^(?P<name>.+?) vient de vous (?:envoyer un (?:nouveau )?message|écrire)\b",
        r"^(?P<name>.+?) vous a écrit\b",
        r"^(?P<name>.+?) attend votre réponse\b",
        r"^(?P<name>.+?) (?:a répondu|replied)\b.*(?:message|conversation)",
        r"^(?:vous avez (?:reçu )?(?:un|1) )?nouveaux? messages? de (?:la part de )?(?P<name>.+?)$",
        r"^(?:vous avez (?:reçu )?(?:un|1) )?nouvel? inmail de (?:la part de )?(?P<name>.+?)$",
        r"^vous avez reçu un (?:message|inmail) de (?:la part de )?(?P<name>.+?)$",
        r"^(?:message|inmail) de (?P<name>.+?)$",
    )
]
_PROFILE = re.compile(r"https?://(?:[a-z]{2,3}\.)?linkedin\.com/(?:comm/)?in/([^/?#\s\"'<>]+)", re.I)
_THREAD = re.compile(
    r"https?://(?:[a-z]{2,3}\.)?linkedin\.com/(?:comm/)?messaging/thread/([^/?#\s\"'<>]+)", re.I
)
# LinkedIn's messaging relays: mail from these, shown as "X via LinkedIn", is X's message (an InMail
# or an older message notification keeps the person's own subject). Invitations (invitations@) and
# other notices also say "X via LinkedIn" but come from other addresses.
_MESSAGE_RELAYS = re.compile(
    r"^(?:inmail-hit-reply|hit-reply|member|messages?-noreply|messaging-noreply|messaging-digest-noreply)"
    r"(?:\+[^@]*)?$",
    re.I,
)
# LinkedIn's own wording in a subject: a notice's subject, not words the person chose.
_NOTICE_SUBJECT = re.compile(
    r"^(?:you have (?:a |an |\d+ )?new (?:messages?|inmails?)|vous avez (?:reçu )?(?:un |\d+ )?"
    r"(?:nouveaux? |nouvel )?(?:messages?|inmails?)(?: non lus?)?|new messages?|nouveaux? messages?)\b",
    re.I,
)
_VIA = re.compile(
    r"\s*[\(\[]?\s*(?:via|par l'intermédiaire de|via l'application)\s+linkedin\s*[\)\]]?\s*$", re.I
)
# Lines after which the quoted message ends (buttons and footer), EN and FR.
_END_OF_MESSAGE = re.compile(
    r"^(?:reply|view message|view conversation|view/reply|see all messages|not interested|répondre|"
    r"voir le message|afficher le message|voir la conversation|afficher la conversation|pas intéressée?|"
    r"this email was intended for|cet e-mail était destiné à|this is an inmail|ceci est un inmail|"
    r"don't want to receive|vous ne souhaitez plus|you are receiving|vous recevez|unsubscribe|"
    r"se désabonner|-{8,}|©|\u00a9)",
    re.I,
)
_ANCHOR = re.compile(r"<a\s[^>]*?href\s*=\s*[\"']([^\"']+)[\"'][^>]*>(.*?)</a>", re.I | re.S)
_TAGS = re.compile(r"<[^>]+>")
_NAME_TRIM = " \t\"'“”«»:,.-–—"


@dataclass(frozen=True)
class LinkedInNotice:
    name: str
    profile_url: str  # https://www.linkedin.com/in/<slug>, or "" when the mail has none
    thread_url: str  # the conversation on LinkedIn, or ""
    text: str  # what the person wrote, as quoted by the notification (best effort)


def conversation_url(text: str) -> str:
    """The LinkedIn conversation a notification's text or HTML links to ("Reply"), without LinkedIn's
    tracking: where to answer someone LinkedIn gives no address for. "" when it names none."""
    threads = _THREAD.findall(text)
    return f"https://www.linkedin.com/messaging/thread/{threads[0]}/" if threads else ""


def is_linkedin_address(address: str) -> bool:
    domain = address.rpartition("@")[2].lower()
    return domain == "linkedin.com" or domain.endswith(".linkedin.com")


def _name_from(line: str) -> str:
    for pattern in _SUBJECT_PATTERNS:
        match = pattern.search(line.strip())
        if match:
            name = " ".join(match.group("name").split()).strip(_NAME_TRIM)
            # "2 people sent you messages", "Someone sent you…" are digests, not one person.
            if name and len(name) <= 120 and not re.match(r"^\d+\b|^(someone|quelqu'un)\b", name, re.I):
                return name
    return ""


def _quoted_text(text: str, name: str) -> str:
    """The lines after the sender's name, up to the first button or footer line.

    The name's own line (the person's card: name, then headline) is preferred to a line that only
    mentions it ("X is waiting for your response", "X vous a envoyé un message" above the card)."""
    lines = [line.strip() for line in text.splitlines()]
    wanted = name.lower()
    mentions = [i for i, line in enumerate(lines) if wanted in line.lower()]
    exact = [i for i in mentions[:3] if lines[i].lower().strip(_NAME_TRIM) == wanted]
    start = (exact[0] if exact else mentions[0]) + 1 if mentions else 0
    rest = lines[start:]
    # The name is followed by the person's headline ("Director at Acme"), then a blank line.
    if rest and rest[0] and "" in rest[1:3]:
        rest = rest[rest.index("", 1) :]
    kept: list[str] = []
    for line in rest:
        if _END_OF_MESSAGE.match(line):
            break
        if line.startswith("http") or _PROFILE.search(line):
            continue
        kept.append(line)
    return "\n".join(kept).strip()[:4000]


def _first_profile(source: str) -> str:
    match = _PROFILE.search(source)
    return f"https://www.linkedin.com/in/{unquote(match.group(1))}" if match else ""


def _profile_url(html: str, name: str) -> str:
    """The profile link whose anchor shows the sender's name (a footer may link other profiles)."""
    for match in _ANCHOR.finditer(html):
        href, label = match.group(1), html_module.unescape(_TAGS.sub(" ", match.group(2)))
        if name.lower() in " ".join(label.split()).lower():
            url = _first_profile(href)
            if url:
                return url
    return ""


def _display_name(from_name: str) -> str:
    """ "Jean Dupont via LinkedIn" → "Jean Dupont"; "" for LinkedIn's own names."""
    display = _VIA.sub("", from_name).strip(_NAME_TRIM)
    if display.lower() in ("linkedin", "linkedin messaging", "linkedin messages", "linkedin inmail"):
        return ""
    return display if display != from_name.strip(_NAME_TRIM) else ""


def is_notice_subject(subject: str) -> bool:
    """Whether a subject is LinkedIn's wording ("X sent you a message", "Vous avez 1 nouveau message")
    rather than words the person chose (an InMail's subject, "RE: our chat")."""
    subject = " ".join(subject.split())
    return bool(_name_from(subject) or _NOTICE_SUBJECT.match(subject))


def recognise(
    *, from_email: str, from_name: str, subject: str, text: str, html: str
) -> LinkedInNotice | None:
    """The notice this message is, or None when it is not a LinkedIn message notification."""
    if not is_linkedin_address(from_email):
        return None
    display = _display_name(from_name)
    name = _name_from(subject)
    if not name:
        for line in text.splitlines()[:15]:
            name = _name_from(line)
            if name:
                break
    if not name and display and _MESSAGE_RELAYS.match(from_email.partition("@")[0]):
        # An InMail, or a message relayed with its own subject: "X via LinkedIn <inmail-hit-reply@…>".
        name = display
    if not name:
        return None
    # "Jean Dupont via LinkedIn" in From is the same person; it is often better spelled there, and
    # complete where the subject gives the first name only ("Jean just messaged you").
    if display and (display.lower() in name.lower() or display.lower().startswith(name.lower() + " ")):
        name = display
    source = f"{html}\n{text}"
    profile = _profile_url(html, name) or _first_profile(source)
    threads = _THREAD.findall(source)
    thread = f"https://www.linkedin.com/messaging/thread/{threads[0]}" if threads else ""
    return LinkedInNotice(
        name=name[:200], profile_url=profile[:300], thread_url=thread[:300], text=_quoted_text(text, name)
    )
