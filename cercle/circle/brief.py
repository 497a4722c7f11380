"""The brief the circle members read: the second's text, with its facts in each reader's language.

The routing form proposes one text in the second's language: what the requester needs, then labelled
facts (who, goal, when, budget, language, the leader's note). What the second sends is kept as parts,
so that one brief offered to a French and an English member reads right for both:

- a fact line left as proposed keeps its data (the deadline as a date, the language as a code): each
  reader gets the label, the date and the language name in their own language;
- a labelled line the second rewrote ("Budget: 20 k€, to confirm") keeps their words under its label;
- every other line is the second's text, as written.

The requester's words (what they need, their goal, their budget) and the second's are never translated.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cercle.circulation.models import Request

Part = dict[str, Any]  # {"text": …} or {"fact": key, "value": …, "date": "2027-03-20", "code": "fr"}

SUMMARY_MAX_CHARS = 1500  # the raw summary, when there is no brief
NEED_MAX_CHARS = 3000  # the form takes 4,000 characters: the facts under the need always fit

LABELS = {
    "who": gettext_lazy("Who"),
    "goal": gettext_lazy("Goal"),
    "when": gettext_lazy("When"),
    "budget": gettext_lazy("Budget"),
    "language": gettext_lazy("Language"),
    "leader_note": gettext_lazy("The leader's note"),
}
_LABELLED = re.compile(r"^\s*(?P<label>[^:\n]{1,40}?)[\s\u00a0\u202f]*:[\s\u00a0\u202f]*(?P<value>.*)$")


def brief_propose(*, request: Request) -> list[Part]:
    """What the routing form proposes: the triage brief the second checked (and edited, if they did) —
    what they need, then who, their goal, when, budget and language — else the raw summary; with the
    leader's note on approval, when they wrote one."""
    note = " ".join(request.decision_note.split())
    leader_note = [{"fact": "leader_note", "value": note}] if note else []
    try:
        brief = request.triage_brief
    except ObjectDoesNotExist:
        summary = request.summary[:SUMMARY_MAX_CHARS].strip()
        return [{"text": summary}, *([{"text": ""}] if summary and note else []), *leader_note]
    need = (brief.need.strip() or request.summary.strip()[:SUMMARY_MAX_CHARS])[:NEED_MAX_CHARS]
    parts: list[Part] = [
        {"text": need},
        {"text": ""},
        {"fact": "who", "value": brief.who(fallback=request.requester.display_name)},
    ]
    if brief.goal.strip():
        parts.append({"fact": "goal", "value": _unlabelled("goal", " ".join(brief.goal.split()))})
    if brief.deadline or brief.urgency.strip():
        when: Part = {"fact": "when", "value": brief.urgency.strip()}
        if brief.deadline:
            when["date"] = brief.deadline.isoformat()
        parts.append(when)
    if brief.budget.strip():
        parts.append({"fact": "budget", "value": _unlabelled("budget", brief.budget.strip())})
    parts.append({"fact": "language", "code": brief.language})
    return [*parts, *leader_note]


def brief_render(parts: Sequence[Part], language: str | None = None) -> str:
    """The brief as `language` (by default the active one) reads it."""
    with _language(language):
        return "\n".join(_render_part(part) for part in parts).strip()


def brief_parse(text: str, *, proposed: Sequence[Part]) -> list[Part]:
    """The parts of what the second sends: the proposed fact lines they kept (in any of Cercle's
    languages), the labelled lines they rewrote, and their own text, line by line."""
    kept: dict[str, Part] = {}
    labels: dict[str, str] = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for part in proposed:
                if "fact" in part:
                    kept.setdefault(_normal(_render_part(part)), part)
            for key, label in LABELS.items():
                labels.setdefault(_normal(str(label)), key)
    parts: list[Part] = []
    for line in text.strip().splitlines():
        if (same := kept.get(_normal(line))) is not None:
            parts.append(dict(same))
            continue
        labelled = _LABELLED.match(line)
        fact = labels.get(_normal(labelled.group("label"))) if labelled else None
        if labelled and fact:
            parts.append({"fact": fact, "value": labelled.group("value").strip()})
        else:
            parts.append({"text": line.rstrip()})
    return parts


def _render_part(part: Part) -> str:
    key = part.get("fact")
    if key is None:
        return str(part.get("text", ""))
    value = str(part.get("value", ""))
    if key == "when" and part.get("date"):
        # Written out ("20 March 2027", "20 mars 2027"): a short date reads two ways across languages.
        day = formats.date_format(date.fromisoformat(part["date"]), "DATE_FORMAT")
        value = f"{day} · {value}" if value else day
    elif key == "language" and part.get("code"):
        value = str(dict(settings.LANGUAGES).get(part["code"], part["code"]))
    label = LABELS.get(key)
    return _("%(label)s: %(value)s") % {"label": label, "value": value} if label else value


def _unlabelled(key: str, value: str) -> str:
    """The value without a label of its own that repeats ours ("Budget envisagé : 18 000 €" under
    "Budget", "Goal: …" under "Goal")."""
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            label = re.escape(str(LABELS[key]))
        stripped = re.sub(rf"^{label}\b[^:\n\d]{{0,30}}?[\s\u00a0\u202f]*:\s*", "", value, flags=re.I)
        if stripped != value and stripped:
            return stripped
    return value


def _normal(line: str) -> str:
    return " ".join(line.replace("\u00a0", " ").replace("\u202f", " ").split()).casefold()


@contextmanager
def _language(language: str | None) -> Iterator[None]:
    if language:
        with translation.override(language):
            yield
    else:
        yield
