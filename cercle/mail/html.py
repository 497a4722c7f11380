"""Inbound HTML: made safe to show (`sanitize_html`), and read as text (`html_to_text`).

The one HTML-to-text of the project (the triage had a second one, which flattened the whole message
onto one line and dropped the links): line breaks where the layout breaks lines, the hidden parts
(script, style, head, comments) left out, and each link's target kept after its words — "Voir le devis
(https://…)" — since the address is often what a person needs from a message (a quote, a form, a
meeting link) and what gives a phishing link away.
"""

from __future__ import annotations

import html as html_module
import re

import nh3

_HIDDEN = re.compile(r"<(script|style|head)\b.*?</\1\s*>|<!--.*?-->", re.I | re.S)
_BREAKS = re.compile(r"<br\s*/?>|</p>|</div>|</li>|</tr>", re.I)
_TAGS = re.compile(r"<[^>]+>")
_BLANKS = re.compile(r"\n\s*\n\s*\n+")
# An anchor with its words (which stop at the next anchor: an unclosed one costs a short scan, and the
# possessive quantifiers never backtrack, so a page of them reads in linear time).
_ANCHOR = re.compile(
    r"<a\s[^>]*?(?<![\w-])href\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))[^>]*>"
    r"((?:[^<]++|<(?!/?a[\s>]))*+)</a\s*>",
    re.I,
)
_SCHEME = re.compile(r"^(?:https?://)?(?:www\.)?", re.I)


def sanitize_html(html: str) -> str:
    """Keep formatting, drop everything active (scripts, handlers, forms, remote-loading tricks)."""
    return nh3.clean(html, link_rel="noopener noreferrer nofollow", url_schemes={"http", "https", "mailto"})


def _same_address(words: str, url: str) -> bool:
    """The link's words already are its address ("www.example.fr/devis" for https://www.example.fr/devis)."""
    return _SCHEME.sub("", words).rstrip("/").lower() == _SCHEME.sub("", url).rstrip("/").lower()


def _with_target(match: re.Match[str]) -> str:
    inner = match.group(4)
    href = (match.group(1) or match.group(2) or match.group(3) or "").strip()
    if not href[:8].lower().startswith(("http://", "https://")):  # mailto:, javascript:, tel:, #anchors…
        return inner
    words = _TAGS.sub(" ", inner) if "<" in inner else inner
    words = " ".join((html_module.unescape(words) if "&" in words else words).split())
    if not words:  # an image link: no words to follow with an address
        return inner
    if "." in words and _same_address(words, html_module.unescape(href) if "&" in href else href):
        return inner  # the address is already written out
    return f"{inner} ({href})"  # (entities are decoded with the rest of the text, once)


def html_to_text(html: str) -> str:
    text = _HIDDEN.sub(" ", html)
    if "<a" in text or "<A" in text:
        text = _ANCHOR.sub(_with_target, text)
    text = _BREAKS.sub("\n", text)
    text = _TAGS.sub(" ", text)
    text = html_module.unescape(text)
    return _BLANKS.sub("\n\n", "\n".join(line.strip() for line in text.splitlines())).strip()


_REMOTE = re.compile(
    r"""(?:\bsrc|\bbackground|\bposter)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//""", re.I
)
# Shown mail loads nothing from the internet unless allowed: its own images (data:, cid:) and inline
# styles only. The sandboxed iframe already runs no script and has no access to the page.
_BLOCK_REMOTE = "default-src 'none'; img-src data: cid:; style-src 'unsafe-inline'; font-src data:"
_ALLOW_IMAGES = "default-src 'none'; img-src data: cid: https: http:; style-src 'unsafe-inline' https:; font-src data: https:"


def has_remote_content(html: str) -> bool:
    """Whether showing this HTML would fetch something from the internet (an image, a style, a font)."""
    return bool(_REMOTE.search(html))


def mail_document(html: str, *, remote_allowed: bool = False) -> str:
    """The sanitised HTML of a mail as the document of its sandboxed frame, with a policy that blocks
    remote images and styles (tracking pixels) unless the person chose to load them for this sender."""
    policy = _ALLOW_IMAGES if remote_allowed else _BLOCK_REMOTE
    return f'<meta http-equiv="Content-Security-Policy" content="{policy}">{html}'
