"""Everything about one person as a zip: `person.json`, their messages as the originals received
(`messages/0001.eml`…) and the attachment files kept on disk (`attachments/0001-1-devis.pdf`…).

The zip is written as it is sent: entries are produced one after the other into a small buffer that
the response drains, so a person with years of mail never sits in memory or in a temporary file.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.utils import timezone

from cercle.circle.models import Offer
from cercle.circulation.models import Event, Message, Request
from cercle.mail.attachments import attachment_filename, attachment_path
from cercle.mail.source import source_decompress
from cercle.network.models import Contact, ContactNote, ContactTie, Identity, Interaction
from cercle.outbox.models import OutgoingMessage
from cercle.people.models import Favour, Introduction, Match
from cercle.people.privacy.selectors import PersonScope
from cercle.projects.models import Project

CONTACT_FIELDS = (
    "name",
    "email",
    "linkedin_url",
    "organisation",
    "position",
    "phone",
    "language",
    "what_they_do",
    "offers",
    "needs",
    "tags",
    "how_we_met",
    "source",
    "created_at",
    "chosen",
    "spam",
    "in_network",
    "count_in",
    "count_out",
    "first_at",
    "last_at",
)
CHUNK = 64 * 1024


@dataclass(frozen=True)
class ZipEntry:
    name: str
    message_id: int | None = None  # the stored original of this message
    digest: str = ""  # or this attachment file


def _who(user: Any) -> str:
    return user.display_name if user is not None else ""


def _contact(contact: Contact) -> dict[str, Any]:
    return {"record": contact.pk, **{name: getattr(contact, name) for name in CONTACT_FIELDS}}


def _message(message: Message, n: int, entries: list[ZipEntry], *, has_raw: bool) -> dict[str, Any]:
    eml = f"messages/{n:04d}.eml" if has_raw else None
    if eml:
        entries.append(ZipEntry(eml, message_id=message.pk))
    files = []
    for index, entry in enumerate(message.attachments if isinstance(message.attachments, list) else []):
        if not isinstance(entry, dict):
            continue
        name = None
        if entry.get("stored") is True:
            try:
                on_disk = attachment_path(str(entry.get("sha256", ""))).is_file()
            except ValueError:
                on_disk = False
            if on_disk:
                name = f"attachments/{n:04d}-{index + 1}-{attachment_filename(entry)}"
                entries.append(ZipEntry(name, digest=str(entry["sha256"])))
        files.append(
            {
                "name": entry.get("name") or entry.get("filename") or "",
                "type": entry.get("type") or entry.get("content_type") or "",
                "size": entry.get("size"),
                "file": name,
            }
        )
    data: dict[str, Any] = {
        "file": eml,
        "message_id": message.message_id,
        "direction": message.direction,
        "kind": message.kind,
        "from_name": message.from_name,
        "from_email": message.from_email,
        "to": message.to,
        "cc": message.cc,
        "subject": message.subject,
        "sent_at": message.sent_at,
        "attachments": files,
    }
    if not has_raw:  # a form or a typed-in request: its text is all there is
        data["text"] = message.text
    return data


def person_document(scope: PersonScope) -> tuple[dict[str, Any], list[ZipEntry]]:
    """The JSON document, and the files the zip carries beside it."""
    contact_ids = scope.contact_ids
    entries: list[ZipEntry] = []
    messages: dict[int | None, list[dict[str, Any]]] = {}
    # The originals stay in the database until their turn in the zip.
    own_requests = set(scope.request_ids)
    mine = Message.objects.filter(pk__in=scope.message_ids)
    with_raw = set(mine.filter(raw_compressed__isnull=False).values_list("pk", flat=True))
    rows = mine.defer("html", "raw_compressed").order_by("sent_at", "pk")
    for n, message in enumerate(rows.iterator(chunk_size=200), start=1):
        key = message.request_id if message.request_id in own_requests else None
        messages.setdefault(key, []).append(_message(message, n, entries, has_raw=message.pk in with_raw))
    requests = []
    for request in Request.objects.filter(pk__in=scope.request_ids).order_by("received_at", "pk"):
        project = Project.objects.filter(request=request).select_related("lead").first()
        requests.append(
            {
                "id": request.pk,
                "subject": request.subject,
                "summary": request.summary,
                "channel": request.channel,
                "language": request.language,
                "deadline": request.deadline,
                "state": request.state,
                "received_at": request.received_at,
                "dismiss_reason": request.dismiss_reason,
                "decision_note": request.decision_note,
                "outcome": request.outcome,
                "closed_at": request.closed_at,
                "events": [
                    {
                        "at": e.at,
                        "kind": e.kind,
                        "from": e.from_state,
                        "to": e.to_state,
                        "by": _who(e.actor),
                        "note": e.note_text,
                    }
                    for e in Event.objects.filter(request=request).select_related("actor")
                ],
                "offers": [
                    {"member": _who(o.member), "state": o.state, "at": o.created_at}
                    for o in Offer.objects.filter(request=request).select_related("member").order_by("pk")
                ],
                "project": None
                if project is None
                else {
                    "lead": _who(project.lead),
                    "team": [_who(u) for u in project.team.all()],
                    "created_at": project.created_at,
                    "first_meeting_at": project.first_meeting_at,
                    "updates": [
                        {"at": u.at, "by": _who(u.author), "text": u.text}
                        for u in project.updates.select_related("author")
                    ],
                },
                "messages": messages.get(request.pk, []),
                "mail_sent_by_the_hub": [
                    {
                        "to": o.to,
                        "cc": o.cc,
                        "subject": o.subject,
                        "status": o.status,
                        "created_at": o.created_at,
                        "sent_at": o.sent_at,
                        "body": o.body,
                    }
                    for o in OutgoingMessage.objects.filter(request=request).order_by("created_at", "pk")
                ],
            }
        )
    contacts = {c.pk: c for c in Contact.objects.filter(pk__in=contact_ids)}
    document = {
        "format": "cercle-person/1",
        "exported_at": timezone.now(),
        "person": _contact(contacts[scope.contact.pk]),
        "merged_records": [_contact(contacts[pk]) for pk in contact_ids[1:] if pk in contacts],
        "identities": [
            {"kind": i.kind, "value": i.value}
            for i in Identity.objects.filter(contact_id__in=contact_ids).order_by("kind", "value")
        ],
        "notes": [
            {"text": n.text, "author": _who(n.author), "written_at": n.created_at}
            for n in ContactNote.objects.filter(contact_id__in=contact_ids).select_related("author")
        ],
        "interactions": [
            {
                "kind": i.kind,
                "inbound": i.inbound,
                "at": i.at,
                "subject": i.subject,
                "audience": i.audience,
            }
            for i in Interaction.objects.filter(contact_id__in=contact_ids).order_by("at", "pk")
        ],
        "requests": requests,
        "other_messages": messages.get(None, []),
        **introductions_document(contact_ids),
    }
    return document, entries


def introductions_document(contact_ids: list[int]) -> dict[str, Any]:
    """The introductions they were part of (as connector or as the person to meet), and the ledger."""
    intros = (
        Introduction.objects.filter(Q(target_id__in=contact_ids) | Q(connector_id__in=contact_ids))
        .select_related("target", "connector", "beneficiary")
        .prefetch_related("events")
        .order_by("created_at", "pk")
    )
    return {
        "introductions": [
            {
                "kind": i.kind,
                "role": "connector" if i.connector_id in contact_ids else "target",
                "connector": i.connector.display_name,
                "target": i.target.display_name,
                "for": _who(i.beneficiary),
                "purpose": i.purpose,
                "state": i.state,
                "asked_at": i.created_at,
                "steps": [{"kind": e.kind, "at": e.at} for e in i.events.all()],
            }
            for i in intros
        ],
        "favours": [
            {"direction": f.direction, "what": f.what, "at": f.at, "thanked_at": f.thanked_at}
            for f in Favour.objects.filter(contact_id__in=contact_ids).order_by("at", "pk")
        ],
        "ties": ties_document(contact_ids),
        "matchmaking": [
            {
                "kind": m.kind,
                "role": "has_the_need" if m.seeker_id in contact_ids else "offers",
                "need": m.need,
                "offer": m.offer,
                "other": (m.provider if m.seeker_id in contact_ids else m.seeker).display_name,
                "state": m.state,
                "suggested_at": m.created_at,
            }
            for m in Match.objects.filter(Q(seeker_id__in=contact_ids) | Q(provider_id__in=contact_ids))
            .select_related("seeker", "provider")
            .order_by("created_at", "pk")
        ],
    }


def ties_document(contact_ids: list[int]) -> list[dict[str, Any]]:
    """Whom they are known to know: seen together on mail (counts and dates, never the messages of
    others), or recorded by the team."""
    ties = (
        ContactTie.objects.filter(Q(a_id__in=contact_ids) | Q(b_id__in=contact_ids))
        .select_related("a", "b")
        .order_by("-count", "pk")
    )
    found = []
    for t in ties:
        mine_a = t.a_id in contact_ids
        other = t.b if mine_a else t.a
        found.append(
            {
                "other": other.display_name,
                "messages_together": t.count,
                "they_wrote_with_the_other": t.a_wrote if mine_a else t.b_wrote,
                "first_at": t.first_at,
                "last_at": t.last_at,
                "recorded_by_the_team": t.manual,
            }
        )
    return found


class _Sink:
    """A write-only file for zipfile that hands over what was written so far."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes, /) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def zip_stream(document: dict[str, Any], entries: list[ZipEntry]) -> Iterator[bytes]:
    """The zip, chunk by chunk. (zipfile writes to a stream it cannot seek: sizes follow each entry.)"""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        text = json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        archive.writestr("person.json", text.encode("utf-8"))
        yield sink.take()
        for entry in entries:
            if entry.message_id is not None:
                compressed = (
                    Message.objects.filter(pk=entry.message_id)
                    .values_list("raw_compressed", flat=True)
                    .first()
                )
                if compressed:
                    archive.writestr(entry.name, source_decompress(compressed))
            else:
                try:
                    source = attachment_path(entry.digest).open("rb")
                except OSError:  # removed since the document was written: the JSON names it, no more
                    continue
                with source, archive.open(entry.name, "w") as target:
                    while chunk := source.read(CHUNK):
                        target.write(chunk)
                        yield sink.take()
            yield sink.take()
    yield sink.take()
