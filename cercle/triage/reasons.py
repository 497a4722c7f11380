"""Reasons in plain words. A suggestion stores codes and parameters; they are rendered in the reader's
language when shown (a French second and an English leader read the same suggestion)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cercle.circulation.states import DismissReason
from cercle.core.text import elide_in_french

Reason = list[Any]  # [code, {params}] — JSON-friendly


def reason(code: str, **params: Any) -> Reason:
    return [code, params]


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return _("%(first)s and %(last)s") % {"first": ", ".join(parts[:-1]), "last": parts[-1]}


def _quoted(words: list[str]) -> str:
    """Each word between the reader's quotation marks: “minute” in English, « minute » in French."""
    return ", ".join(_("“%(word)s”") % {"word": w} for w in words)


_CUE_TEXT = {
    "ask": lambda: _("asks for help"),
    "meeting": lambda: _("asks for a meeting"),
    "budget": lambda: _("mentions a budget"),
    "deadline": lambda: _("mentions a deadline or urgency"),
    "pitch": lambda: _("reads like a sales pitch"),
    "unsubscribe": lambda: _("has an unsubscribe link"),
    "spammy": lambda: _("uses spam wording"),
}


def render_one(code: str, params: dict[str, Any]) -> str:
    detail = str(params.get("detail", ""))
    n = int(params.get("n", 0) or 0)
    if code == "list_unsubscribe":
        return _("sent to a list (List-Unsubscribe)")
    if code == "list_id":
        return _("mailing list (List-Id: %(list)s)") % {"list": detail} if detail else _("mailing list")
    if code == "precedence":
        return _("bulk mail (Precedence: %(value)s)") % {"value": detail}
    if code == "auto_submitted":
        return _("automatic message (Auto-Submitted: %(value)s)") % {"value": detail}
    if code == "bounce":
        return _("a delivery failure report")
    if code == "bulk_mailer":
        return _("sent with a mass-mailing tool (%(tool)s)") % {"tool": detail}
    if code == "campaign":
        return _("a campaign identifier in the headers")
    if code == "noreply":
        return _("sent from a no-reply address (%(address)s)") % {"address": detail}
    if code == "role_sender":
        return _("sent from a team address (%(address)s)") % {"address": detail}
    if code == "html_only":
        return _("HTML only, no plain-text version")
    if code == "many_links":
        return _("%(n)s links in the message") % {"n": detail}
    if code == "hidden_recipients":
        return _("recipients hidden (sent to many people)")
    if code == "many_recipients":
        return _("sent to %(n)s recipients") % {"n": detail}
    if code == "in_thread":
        return _("part of a conversation (a reply)")
    if code == "first_message":
        return _("first message from this sender")
    if code == "exchanges":
        return ngettext(
            "you have exchanged %(n)d message with this person",
            "you have exchanged %(n)d messages with this person",
            n,
        ) % {"n": n}
    if code == "unanswered":
        return ngettext(
            "%(n)d earlier message from this sender, never answered",
            "%(n)d earlier messages from this sender, none answered",
            n,
        ) % {"n": n}
    if code == "leader_wrote":
        return _("the leader has written to this person before")
    if code == "kept_before":
        return ngettext(
            "%(n)d earlier request from this sender was kept",
            "%(n)d earlier requests from this sender were kept",
            n,
        ) % {"n": n}
    if code == "dismissed_before":
        return ngettext(
            "%(n)d earlier message from this sender was dismissed",
            "%(n)d earlier messages from this sender were dismissed",
            n,
        ) % {"n": n}
    if code == "reply_to_leader":
        return _("answers a message the leader sent")
    if code == "known_contact":
        return _("a contact of the network")
    if code == "strength":
        return _("a close relationship (strength %(percent)d%%)") % {"percent": n}
    if code == "cues":
        parts = [_CUE_TEXT[c]() for c in params.get("cues", []) if c in _CUE_TEXT]
        return _join(parts)
    if code == "words":
        return _("telling words: %(words)s") % {"words": _quoted(list(params.get("words", [])))}
    if code == "rule":
        return _("sender rule: %(rule)s") % {"rule": detail}
    if code == "rule_spared":
        return _("rule “%(rule)s” not applied: a known correspondent is never dismissed automatically") % {
            "rule": detail
        }
    if code == "rule_spared_person":
        return _(
            "rule “%(rule)s” not applied: a message that reads as a person writing is never dismissed as "
            "spam automatically"
        ) % {"rule": detail}
    if code == "linkedin_message":
        if detail:
            return elide_in_french(
                _("a LinkedIn message from %(name)s: read as their message, not as LinkedIn's notification")
                % {"name": detail},
                detail,
            )
        return _("a LinkedIn message: read as the person's message, not as LinkedIn's notification")
    if code == "unreadable":
        return _("the machine could not read this message")
    return code


def render(reasons: list[Reason]) -> list[str]:
    out: list[str] = []
    for item in reasons or []:
        try:
            code, params = item[0], (item[1] if len(item) > 1 else {})
            text = render_one(str(code), dict(params or {}))
        except (TypeError, ValueError, KeyError, IndexError):
            continue
        if text:
            out.append(text)
    return out


def dismiss_reason_for(category: str, signals: dict[str, Any] | None) -> str:
    """The dismiss reason the queue proposes for a category ("" for what should be kept)."""
    codes = set((signals or {}).get("headers", []))
    if category == "solicitation":
        return DismissReason.SOLICITATION
    if category == "newsletter":
        automated = codes & {"auto_submitted", "bounce", "noreply"}
        return DismissReason.NOTIFICATION if automated else DismissReason.NEWSLETTER
    if category == "spam":
        return DismissReason.SPAM
    return ""
