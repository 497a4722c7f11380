"""LinkedIn's "X sent you a message" e-mails: the request comes from X, not from LinkedIn's no-reply box.

Pure: works on the decoded subject, text and (unsanitised) HTML of one message. A notification is
recognised when it comes from a linkedin.com address and its subject (or, failing that, the first
lines of its text) says that one named person wrote, in English or French. Digests that list several
senders, invitations, "who viewed your profile" and newsletters are not message notifications.
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
        r"^(?P<name>.+?) (?:wants to|would like to) (?:chat|message you)\b",
        r"^(?:you have (?:a |1 )?)?new messages? from (?P<name>.+?)$",
        r"^(?:you have (?:a |1 )?)?new inmail from (?P<name>.+?)$",
        r"^(?P<name>.+?) vous a envoyé (?:un )?(?:nouveau )?(?:message|inmail)\b",
        r"^(?P<name>.+?) vient de vous (?:envoyer un message|écrire)\b",
        r"^(?P<name>.+?) (?:a répondu|replied)\b.*(?:message|conversation)",
        r"^(?:vous avez (?:un|1) )?nouveaux? messages? de (?:la part de )?(?P<name>.+?)$",
        r"^(?:vous avez (?:un|1) )?nouvel? inmail de (?:la part de )?(?P<name>.+?)$",
        r"^(?:message|inmail) de (?P<name>.+?)$",
    )
]
_PROFILE = re.compile(r"https?://(?:[a-z]{2,3}\.)?linkedin\.com/(?:comm/)?in/([^/?#\s\"'<>]+)", re.I)
_THREAD = re.compile(
    r"https?://(?:[a-z]{2,3}\.)?linkedin\.com/(?:comm/)?messaging/thread/([^/?#\s\"'<>]+)", re.I
)
_VIA = re.compile(
    r"\s*[\(\[]?\s*(?:via|par l'intermédiaire de|via l'application)\s+linkedin\s*[\)\]]?\s*$", re.I
)
# Lines after which the quoted message ends (buttons and footer), EN and FR.
_END_OF_MESSAGE = re.compile(
    r"^(?:reply|view message|view conversation|see all messages|répondre|voir le message|afficher le message|"
    r"voir la conversation|afficher la conversation|this email was intended for|cet e-mail était destiné à|"
    r"you are receiving|vous recevez|unsubscribe|se désabonner|©|\u00a9)",
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
    """The lines after the sender's name, up to the first button or footer line."""
    lines = [line.strip() for line in text.splitlines()]
    start = 0
    for index, line in enumerate(lines):
        if name.lower() in line.lower():
            start = index + 1
            break
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


def recognise(
    *, from_email: str, from_name: str, subject: str, text: str, html: str
) -> LinkedInNotice | None:
    """The notice this message is, or None when it is not a LinkedIn message notification."""
    if not is_linkedin_address(from_email):
        return None
    name = _name_from(subject)
    if not name:
        for line in text.splitlines()[:15]:
            name = _name_from(line)
            if name:
                break
    if not name:
        return None
    # "Jean Dupont via LinkedIn" in From is the same person; it is often better spelled there.
    display = _VIA.sub("", from_name).strip(_NAME_TRIM)
    if (
        display
        and display.lower() not in ("linkedin", "linkedin messaging")
        and display.lower() in name.lower()
    ):
        name = display
    source = f"{html}\n{text}"
    profile = _profile_url(html, name) or _first_profile(source)
    threads = _THREAD.findall(source)
    thread = f"https://www.linkedin.com/messaging/thread/{threads[0]}" if threads else ""
    return LinkedInNotice(
        name=name[:200], profile_url=profile[:300], thread_url=thread[:300], text=_quoted_text(text, name)
    )
