"""Notes the system writes on a request's history, translated when they are read.

A person's own words (a leader's note, a status update) are stored as typed. A note the system
writes ("Acknowledgement queued for …", "First meeting set for …", "Spam") is stored as its English
source text and its arguments, and rendered in the reader's language: a hub where the second works
in French and the leader in English shows each of them the history in their own language.

    event_record(..., note=Note(gettext_noop("%(name)s joined the team."), name="Inès Moreau"))

Arguments are plain text (never translated: names, addresses, a person's words), a `Label` (a
choice of one of the request's fields, translated), a `Moment` (a date and time, written the
reader's way) or another `Note`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext

from cercle.core.text import elide_in_french

# The choices a `Label` may name, registered by the app that owns them (in its AppConfig.ready):
# circulation registers "state", "channel", "dismiss_reason", "outcome"; triage registers "rule_action".
_LABELS: dict[str, type[models.TextChoices]] = {}


def labels_register(**choices: type[models.TextChoices]) -> None:
    """Make a choice class nameable in notes: `labels_register(state=State)`."""
    _LABELS.update(choices)


@dataclass(frozen=True)
class Label:
    """The label of a choice (`kind`: channel, dismiss_reason, outcome, state, rule_action), in the reader's
    language."""

    kind: str
    value: str

    def render(self) -> str:
        choices = _LABELS.get(self.kind)
        if choices is None or self.value not in choices.values:
            return self.value
        return str(choices(self.value).label)


@dataclass(frozen=True)
class Moment:
    """A date and time, written the reader's way, in the hub's time zone."""

    at: datetime

    def render(self) -> str:
        return date_format(timezone.localtime(self.at), "DATETIME_FORMAT")


@dataclass(frozen=True)
class Note:
    msgid: str  # the English source, marked with gettext_noop where it is written
    args: dict[str, Any] = field(default_factory=dict)

    def __init__(self, msgid: str, **args: Any) -> None:
        object.__setattr__(self, "msgid", msgid)
        object.__setattr__(self, "args", args)

    def __str__(self) -> str:
        return self.render()

    def render(self) -> str:
        """The note in the active language."""
        values = {name: _render(value) for name, value in self.args.items()}
        text = gettext(self.msgid) if self.msgid else ""
        try:
            said = text % values if values else text
        except (KeyError, ValueError, TypeError):  # a translation that lost a placeholder
            said = self.msgid % values if values else self.msgid
        # "Présentation d’Inès Moreau", not "de Inès Moreau" (names, not labels or dates).
        return elide_in_french(said, *(v for k, v in values.items() if isinstance(self.args[k], str)))

    def to_json(self) -> dict[str, Any]:
        return {"msgid": self.msgid, "args": {name: _dump(value) for name, value in self.args.items()}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Note:
        return cls(str(data.get("msgid", "")), **{k: _load(v) for k, v in (data.get("args") or {}).items()})


def _render(value: Any) -> str:
    return value.render() if isinstance(value, Label | Moment | Note) else str(value)


def _dump(value: Any) -> Any:
    if isinstance(value, Label):
        return {"label": value.kind, "value": value.value}
    if isinstance(value, Moment):
        return {"moment": value.at.isoformat()}
    if isinstance(value, Note):
        return {"note": value.to_json()}
    return str(value)


def _load(value: Any) -> Any:
    if isinstance(value, dict):
        if "label" in value:
            return Label(str(value["label"]), str(value.get("value", "")))
        if "moment" in value:
            moment = parse_datetime(str(value["moment"]))
            return Moment(moment) if moment else ""
        if "note" in value:
            return Note.from_json(value["note"])
    return value


def with_reason(label: Label, note: str | Note) -> Note:
    """ "Spam. <the person's note>" — the label translated, the note as written."""
    if not note:
        return Note("%(reason)s", reason=label)
    return Note("%(reason)s. %(note)s", reason=label, note=note)


def note_stored(message: str | Note) -> tuple[str, dict[str, Any] | None]:
    """A message the system writes down (an error on an account, a ledger entry, an outgoing mail).

    Returns the text in the writer's language (for the admin and the logs) and the untranslated note
    for `note_shown`; plain text (a server's own words) has no note and is shown as it came.
    """
    if isinstance(message, Note):
        return message.render(), message.to_json()
    return message, None


def note_shown(text: str, note: dict[str, Any] | None) -> str:
    """The stored message in the reader's language."""
    return Note.from_json(note).render() if note else text
