"""How a message becomes a request (or joins one). Transport code (files, IMAP, the form) calls these."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cercle.accounts.models import User
from cercle.accounts.permissions import TRIAGE_ROLES, require_role
from cercle.circulation.models import Channel, Direction, EventKind, Message, Request
from cercle.circulation.services import event_build, event_record, request_build, request_create, request_keep
from cercle.circulation.states import OPEN_STATES
from cercle.core.bulk import instance_new
from cercle.core.notes import Note
from cercle.core.text import elide_in_french, snippet, visible
from cercle.intake.batch import held_elsewhere
from cercle.intake.context import IngestContext
from cercle.intake.models import IntakeSettings
from cercle.intake.receipts import first_mail_receipt_due, receipt_queue
from cercle.intake.titles import title_from_text
from cercle.mail import kinds
from cercle.mail.attachments import attachments_store
from cercle.mail.linkedin_notice import LinkedInNotice, is_notice_subject
from cercle.mail.parse import ParsedMessage
from cercle.mail.source import source_compress
from cercle.mail.subjects import is_reply_subject, normalise_subject, subject_fragment
from cercle.network.models import Contact, Interaction, InteractionKind
from cercle.network.services import (
    contact_build,
    contact_fill_from_signature,
    contact_get_or_create,
    contact_get_or_create_linkedin,
    hub_addresses_mark,
    interaction_record_many,
    organisation_from_email,
)
from cercle.network.signature import signature_read
from cercle.network.ties import ties_record_message
from cercle.outbox.models import OutgoingMessage
from cercle.triage.tasks import suggest_soon

# A reply whose Message-IDs we do not know joins a request of the same person and subject this recent.
SUBJECT_THREAD_DAYS = 30


@dataclass(frozen=True)
class IngestResult:
    status: str  # "created" | "attached" | "stored" | "duplicate" | "skipped"
    # The request's key, or the pending request itself while its batch is held (intake/batch.py).
    request: int | Request | None = None
    reason: str | Note = ""  # untranslated: the ledger shows it in each reader's language
    # Stored apart from the message that first had its Message-ID (different sender or text): its key.
    same_id_as: int | None = None

    @property
    def request_id(self) -> int | None:
        """The request's key (for a held batch: once it is written)."""
        return self.request.pk if isinstance(self.request, Request) else self.request


def _key(request: int | Request | None) -> int | None:
    return request.pk if isinstance(request, Request) else request


@dataclass
class _Ingest:
    """One message on its way in: what `message_ingest` decided so far."""

    parsed: ParsedMessage
    outbound: bool
    ctx: IngestContext
    at: datetime
    touched: list[Contact] = field(default_factory=list)
    sender: Contact | None = None
    interactions: list[Interaction] = field(default_factory=list)

    def contact(self, email: str, *, language: str = "") -> Contact:
        name = self.parsed.names.get(email, "")
        ctx = self.ctx
        contact = ctx.contacts.get(email)
        if ctx.writes is None:
            if contact is None or (name and not contact.name):
                contact = contact_get_or_create(email=email, name=name, language=language)
        elif contact is None and email in ctx.no_contact:
            contact = contact_build(email=email, name=name, language=language)
            ctx.writes.contact_new(contact, names=[contact.name])
            ctx.no_contact.discard(email)
            ctx.absent.discard(email)
        elif contact is None:  # not looked up with the batch (a caller that did not prefetch)
            ctx.writes.flush()
            contact = contact_get_or_create(email=email, name=name, language=language)
        elif name and not contact.name:  # fill the blank, as contact_get_or_create does
            contact.name = visible(name).strip()[:200]
            contact.organisation = contact.organisation or organisation_from_email(contact.email)
            if held_elsewhere(contact):
                ctx.writes.filled[id(contact)] = contact
        self.touched.append(contact)
        return contact

    def linkedin_contact(self, notice: LinkedInNotice) -> Contact:
        if self.sender is None:
            if self.ctx.writes is not None:  # looked up and created at once: the batch so far first
                self.ctx.writes.flush()
            self.sender, _status = contact_get_or_create_linkedin(
                linkedin_url=notice.profile_url, name=notice.name
            )
        return self.sender


def message_ingest(
    *,
    parsed: ParsedMessage,
    raw: bytes | None,
    channel: str = Channel.MAIL,
    direction: str = Direction.INBOUND,
    context: IngestContext | None = None,
) -> IngestResult:
    """Store one message, received or sent; idempotent by Message-ID; safe inside a caller's transaction.

    Received: a reply joins its request (Message-ID, In-Reply-To, References, else a same-subject
    request of the same person); automatic replies and bounces that answer nothing are stored without
    a request; anything else becomes a new request (bulk mail too, marked: the second decides).
    Sent (`Direction.OUTBOUND`): joins its request when it answers one, else is stored alone.
    Every person-to-person message records an interaction with each correspondent.
    """
    ctx = context or IngestContext.load()
    outbound = direction == Direction.OUTBOUND
    known = ctx.lookup(parsed.all_ids)
    same_id_as: int | None = None
    alias = next((i for i in parsed.alias_ids if i in known), None)
    if alias is not None:  # stored by an earlier version under the id it derived from the exact bytes
        return IngestResult(
            "duplicate", request=known[alias], reason=Note(gettext_noop("already imported (same content)"))
        )
    writes = ctx.writes
    if parsed.message_id in known:
        if writes is not None and (
            parsed.message_id in writes.by_message_id or parsed.message_id in ctx.carried
        ):
            writes.flush()  # the first one is in this very batch (or the one being written): compare it once written
        # A Message-ID proves nothing by itself: a sender may reuse one, or squat it ahead of a real
        # message. Only the same content (sender and text) is the same message.
        apart = _kept_apart(parsed, ctx)
        if apart is None:
            return IngestResult(
                "duplicate",
                request=known[parsed.message_id],
                reason=Note(gettext_noop("already imported (same Message-ID)")),
            )
        parsed, same_id_as = apart
    request = next((known[i] for i in parsed.thread_ids if known.get(i)), None)
    if request is None and parsed.thread_ids:
        request = _request_of_our_mail(parsed.thread_ids, ctx)
    now = timezone.now()
    at = min(parsed.date or now, now)  # a sender's clock in the future must not jump the queue
    job = _Ingest(parsed=parsed, outbound=outbound, ctx=ctx, at=at)
    automatic = parsed.kind in (kinds.AUTO_REPLY, kinds.BOUNCE)
    if (
        request is None
        and not outbound
        and not automatic
        and not parsed.from_email
        and parsed.linkedin is None
    ):
        return IngestResult("skipped", reason=Note(gettext_noop("no sender address")))
    if writes is not None:
        # Held until the batch is written: nothing here touches the database but reads (and what a
        # rare case writes at once, after writing the batch so far). A failure takes back this
        # message's rows only.
        mark = writes.mark()
        try:
            result = _store(job, request=request, raw=raw, channel=channel, same_id_as=same_id_as)
        except Exception:
            writes.rewind(mark)
            raise
    else:
        try:
            # A savepoint when the caller holds a transaction (the IMAP sync, a batch of the file
            # import): a failure here rolls back this message only and leaves the caller's
            # transaction usable.
            with transaction.atomic():
                result = _store(job, request=request, raw=raw, channel=channel, same_id_as=same_id_as)
        except IntegrityError:
            if Message.objects.filter(message_id=parsed.message_id).exists():
                # Another importer stored the same Message-ID between our check and our insert.
                return IngestResult(
                    "duplicate", reason=Note(gettext_noop("already imported (same Message-ID)"))
                )
            raise
    ctx.contacts.remember(job.touched)
    ctx.known[parsed.message_id] = result.request
    if ctx.pending_interactions is not None:
        ctx.pending_interactions += job.interactions
    return result


def _request_of_our_mail(thread_ids: list[str], ctx: IngestContext) -> int | None:
    """A reply to mail Cercle sent (acknowledgement, introduction) that names only our Message-ID."""
    recent = thread_ids[-50:]
    if ctx.writes is not None and all(i in ctx.checked for i in recent):  # looked up with the batch
        ours = [ctx.ours[i] for i in recent if i in ctx.ours]
        return max(ours)[1] if ours else None
    return (
        OutgoingMessage.objects.filter(message_id__in=recent, request__isnull=False)
        .order_by("-id")
        .values_list("request_id", flat=True)
        .first()
    )


def content_key(from_email: str, text: str) -> str:
    """What makes two messages the same message: the sender and the text, whitespace and case aside."""
    normal = " ".join(text.split()).casefold()
    return hashlib.sha256(f"{from_email.strip().casefold()}\n{normal}".encode()).hexdigest()


def _kept_apart(parsed: ParsedMessage, ctx: IngestContext) -> tuple[ParsedMessage, int] | None:
    """None when the stored message with this Message-ID is this very message (a true duplicate);
    else the message under a derived Message-ID (stable: a second import finds it) and the first one's key."""
    first = (
        Message.objects.filter(message_id=parsed.message_id).values_list("pk", "from_email", "text").first()
    )
    if first is None:  # gone since the look-up: nothing to tell apart
        return None
    key = content_key(parsed.from_email, parsed.text)
    if content_key(first[1], first[2]) == key:
        return None
    original = parsed.message_id.strip("<>")
    derived = f"<{original[:400]}.same-id-{key[:12]}>"
    if derived in ctx.lookup([derived]):
        return None  # this different message was already kept apart by an earlier import
    return replace(parsed, message_id=derived), first[0]


def _store(
    job: _Ingest,
    *,
    request: int | Request | None,
    raw: bytes | None,
    channel: str,
    same_id_as: int | None = None,
) -> IngestResult:
    parsed, outbound, writes = job.parsed, job.outbound, job.ctx.writes
    if request is None and parsed.kind != kinds.BULK:
        request = _request_by_subject(job) if parsed.linkedin is None else _linkedin_request(job)
    status = "attached"
    reason: str | Note = ""
    created: Request | None = None
    if request is None:
        if outbound:
            status, reason = "stored", Note(gettext_noop("sent message answering no known request"))
        elif parsed.kind == kinds.AUTO_REPLY:
            status, reason = "stored", Note(gettext_noop("automatic reply answering no known request"))
        elif parsed.kind == kinds.BOUNCE:
            status, reason = "stored", Note(gettext_noop("delivery failure report for no known request"))
        else:
            created = _request_new(job, channel=channel)
            request, status = created, "created"
    message = instance_new(
        Message,
        message_id=parsed.message_id,
        in_reply_to=parsed.in_reply_to,
        references=" ".join(parsed.references),
        direction=Direction.OUTBOUND if outbound else Direction.INBOUND,
        kind=parsed.kind,
        kind_reason=parsed.kind_reason[:200],
        from_name=parsed.from_name,
        from_email=parsed.from_email,
        to=", ".join(parsed.to),
        cc=", ".join(parsed.cc),
        subject=parsed.subject,
        sent_at=job.at,
        text=parsed.text,
        html=parsed.html,
        truncated=parsed.truncated,
        attachments=attachments_store(
            parsed.attachments, root=job.ctx.attachment_root, max_bytes=job.ctx.max_attachment_bytes
        )
        if parsed.attachments
        else [],
        raw_compressed=(parsed.raw_compressed or source_compress(raw)) if raw else None,
        same_id_as_id=same_id_as,
    )
    if isinstance(request, Request):
        message.request = request
    else:
        message.request_id = request
    if writes is not None:
        writes.message_add(message)
    else:
        message.save(force_insert=True)
    if status == "attached" and request is not None:
        # The event only needs the request's key: no need to load the row.
        target = request if isinstance(request, Request) else instance_new(Request, id=request)
        if writes is not None:
            writes.events.append(
                event_build(
                    request=target, actor=None, kind=EventKind.MESSAGE, note=_event_note(parsed, outbound)
                )
            )
        else:
            event_record(
                request=target, actor=None, kind=EventKind.MESSAGE, note=_event_note(parsed, outbound)
            )
    if request is not None:
        _adopt_replies(job, message=message, request=request)
    elif message.in_reply_to:
        job.ctx.orphans_possible = True
    # Before this message's interactions are recorded: they would make its sender a known correspondent.
    if created is not None and job.ctx.first_mail_receipt_since is not None:
        if writes is not None:
            writes.flush()  # the receipt's check reads the database, and its mail names the request
        if first_mail_receipt_due(
            parsed=parsed, request_id=created.pk, sender=job.sender, at=job.at, ctx=job.ctx
        ):
            receipt_queue(request=created)
    _interactions_record(job)
    if same_id_as is not None and not reason:
        reason = Note(gettext_noop("kept apart: a different message already had this Message-ID"))
    return IngestResult(status, request=request, reason=reason, same_id_as=same_id_as)


def _event_note(parsed: ParsedMessage, outbound: bool) -> Note:
    if outbound:
        return Note(gettext_noop("Message sent to %(emails)s"), emails=", ".join(parsed.to[:3]) or "?")
    if parsed.kind == kinds.BOUNCE:
        return Note(gettext_noop("Delivery failure report from %(email)s"), email=parsed.from_email or "?")
    if parsed.kind == kinds.AUTO_REPLY:
        return Note(gettext_noop("Automatic reply from %(email)s"), email=parsed.from_email or "?")
    return Note(gettext_noop("New message from %(email)s"), email=parsed.from_email or "?")


def request_open(**fields: Any) -> Request:
    """A new request from any channel; the triage suggests a decision for it once it is committed."""
    request = request_create(**fields)
    transaction.on_commit(suggest_soon)
    return request


def _request_new(job: _Ingest, *, channel: str) -> Request:
    parsed = job.parsed
    head = parsed.text[:2000]  # enough for the summary
    language = parsed.language_guess()
    subject = _own_subject(parsed)
    if parsed.linkedin is not None:
        requester = job.linkedin_contact(parsed.linkedin)
        channel = Channel.LINKEDIN
        summary = snippet(parsed.linkedin.text or head, 600)
    else:
        requester = job.contact(parsed.from_email, language=language)
        job.sender = requester
        summary = snippet(head, 600)
    fields: dict[str, Any] = {
        "requester": requester,
        "subject": subject,
        "summary": summary,
        "channel": channel,
        "language": language,
        "received_at": job.at,
    }
    writes = job.ctx.writes
    if writes is None:
        return request_open(**fields)
    request, event = request_build(**fields)
    subject_key = "" if channel == Channel.LINKEDIN else normalise_subject(request.subject)
    writes.request_new(request, event, requester=_person_key(requester), subject_key=subject_key)
    return request


def _own_subject(parsed: ParsedMessage) -> str:
    """The subject the writer gave. "X sent you a message" is LinkedIn's wording, not X's, and pages name
    X already: a LinkedIn message is titled by its first sentence past the greeting, as an exported message
    is (intake/titles.py)."""
    notice = parsed.linkedin
    if notice is not None and notice.text and is_notice_subject(parsed.subject):
        return title_from_text(notice.text) or snippet(notice.text, 120)
    return parsed.subject


def _request_from(name: str) -> str:
    """The title of a request sent without one: "Demande d’Inès Roy" in French."""
    return elide_in_french(_("Request from %(name)s") % {"name": name}, name)


def _person_key(contact: Contact) -> int:
    """Who a pending request is from, for the same-subject replies of its batch (a contact not written
    yet has no key: the batch's cache gives the same object for the same person)."""
    return contact.pk if contact.pk is not None else -id(contact)


def _request_by_subject(job: _Ingest) -> int | Request | None:
    """The most recent open request of the same correspondent with the same subject, for a reply."""
    parsed, writes = job.parsed, job.ctx.writes
    if not is_reply_subject(parsed.subject):
        return None
    key = normalise_subject(parsed.subject)
    people = parsed.recipients if job.outbound else [parsed.from_email]
    people = [p for p in people if p and p not in job.ctx.hub_addresses]
    if not key or not people:
        return None
    # By requester first (an indexed equality), the rest in Python: filtering on the state in SQL
    # lets SQLite prefer the (state, received_at) index and walk every open request of the window.
    cached = [job.ctx.contacts.get(p) for p in people]
    known = [c for c in cached if c is not None]
    contact_ids = [c.pk for c in known if c.pk is not None]
    missing = [
        p
        for p, c in zip(people, cached, strict=True)
        if c is None and not (writes and p in job.ctx.no_contact)
    ]
    if missing:
        found = Contact.objects.filter(email__in=missing).exclude(email="").order_by()
        contact_ids += found.values_list("id", flat=True)
    low, high = job.at - timedelta(days=SUBJECT_THREAD_DAYS), job.at + timedelta(hours=1)
    matches: list[tuple[datetime, int | Request]] = []
    if writes is not None:  # requests of this batch (or of the one being written), not written yet
        # Under the key its requester had then: a contact written since has a key it did not have.
        persons = {*(k for c in known for k in (_person_key(c), -id(c))), *contact_ids}
        for person in persons:
            for pending_requests in (writes.by_subject, writes.carried_by_subject):
                for received, pending in pending_requests.get((person, key), []):
                    if low <= received <= high:
                        matches.append((received, pending))
    if (
        writes is not None
        and parsed.message_id in job.ctx.replies_ready
        and set(contact_ids) <= job.ctx.by_subject_people
    ):
        # Looked up with the batch (intake/context.py `replies_prefetch`).
        for requester in contact_ids:
            matches += [
                (received, pk)
                for received, pk, state in job.ctx.by_subject.get((requester, key), [])
                if low <= received <= high and state in OPEN_STATES
            ]
    elif contact_ids:
        candidates = Request.objects.filter(
            requester_id__in=contact_ids, received_at__gte=low, received_at__lte=high
        )
        # A busy correspondent has many requests: let the database keep those whose subject can match.
        fragment = subject_fragment(key)
        if fragment:
            candidates = candidates.filter(subject__icontains=fragment)
        matches += [
            (received, pk)
            for pk, subject, state, received in candidates.values_list(
                "id", "subject", "state", "received_at"
            )
            if state in OPEN_STATES and normalise_subject(subject) == key
        ]
    # (A pending request is newer than any written one.)
    return max(matches, key=lambda match: (match[0], _key(match[1]) or 2**62))[1] if matches else None


def _linkedin_request(job: _Ingest) -> int | None:
    """A LinkedIn conversation goes on: the person's open LinkedIn request of the last weeks."""
    assert job.parsed.linkedin is not None
    contact = job.linkedin_contact(job.parsed.linkedin)
    candidates = Request.objects.filter(
        requester=contact,
        channel=Channel.LINKEDIN,
        received_at__gte=job.at - timedelta(days=SUBJECT_THREAD_DAYS),
        received_at__lte=job.at + timedelta(hours=1),
    ).values_list("received_at", "id", "state")
    matches = [(received, pk) for received, pk, state in candidates if state in OPEN_STATES]
    return max(matches)[1] if matches else None


def _adopt_replies(job: _Ingest, *, message: Message, request: int | Request) -> None:
    """Replies stored before their parent (sent mail imported before the inbox) join its request now."""
    ctx, writes = job.ctx, job.ctx.writes
    if not ctx.orphans_possible:
        return
    if writes is None:
        adopted = Message.objects.filter(request__isnull=True, in_reply_to=message.message_id).update(
            request_id=request
        )
        if adopted:  # what the context knew of those messages (no request) is out of date
            ctx.end_batch()
        return
    # A held batch: its own orphans now, the stored ones (looked up with the batch) when it is written.
    for orphan in writes.orphans_by_parent.pop(message.message_id, []):
        orphan.request = request if isinstance(request, Request) else Request(pk=request)
        ctx.known[orphan.message_id] = request
    stored = ctx.orphans.pop(message.message_id, [])
    if stored:
        writes.adoptions.append((stored, request))
        for message_id in stored:
            ctx.known[message_id] = request


def _interactions_record(job: _Ingest) -> None:
    """One interaction per correspondent of a person-to-person message (never for bulk or automatic mail)."""
    parsed, ctx = job.parsed, job.ctx
    if parsed.kind != kinds.NORMAL or len(parsed.recipients) > ctx.max_recipients:
        return
    if parsed.linkedin is not None:
        contacts, kind = [job.linkedin_contact(parsed.linkedin)], InteractionKind.LINKEDIN
    else:
        people = parsed.recipients if job.outbound else [parsed.from_email]
        people = [p for p in people if p and p not in ctx.hub_addresses]
        if job.sender is not None and not job.outbound:
            contacts = [job.sender] if people else []
        else:
            contacts = [job.contact(p) for p in people]
        kind = InteractionKind.MAIL
        if contacts and not job.outbound:
            _signature_fill(contacts[0], parsed, ctx)
        _ties_record(job, contacts)
    job.interactions = [
        instance_new(
            Interaction,
            contact=contact,
            kind=kind,
            inbound=not job.outbound,
            at=job.at,
            subject=_own_subject(parsed)[:300],
            source_key=parsed.message_id,
            audience=max(1, len(parsed.recipients)),  # depth: a mail to one person weighs more
        )
        for contact in contacts
    ]
    if job.interactions and ctx.pending_interactions is None:
        interaction_record_many(interactions=job.interactions)


def _ties_record(job: _Ingest, contacts: list[Contact]) -> None:
    """Who knows whom (network/ties.py): the correspondents of this person-to-person message, pairwise.
    Received mail ties its sender to the other recipients the network already knows (no contact is
    created for someone who was only in copy)."""
    parsed, ctx = job.parsed, job.ctx
    if job.outbound:
        _ties_add(job, None, contacts)
        return
    if not contacts:
        return
    others = [p for p in parsed.recipients if p and p not in ctx.hub_addresses and p != parsed.from_email]
    if not others:
        return
    cached = [ctx.contacts.get(p) for p in others]
    found = [c for c in cached if c is not None]
    missing = [
        p
        for p, c in zip(others, cached, strict=True)
        if c is None and not (ctx.writes is not None and p in ctx.no_contact)
    ]
    if missing:
        found += Contact.objects.filter(email__in=missing).exclude(email="").order_by()
    _ties_add(job, contacts[0], found)


def _ties_add(job: _Ingest, sender: Contact | None, recipients: list[Contact]) -> None:
    key = job.parsed.message_id
    if job.ctx.writes is not None:  # counted when the batch is written (its new contacts have keys then)
        job.ctx.writes.ties.append((key, sender, recipients, job.at))
    else:
        ties_record_message(message_key=key, sender=sender, recipients=recipients, at=job.at)


def _signature_fill(sender: Contact, parsed: ParsedMessage, ctx: IngestContext) -> None:
    """The sender's phone and position from their signature, while their contact lacks one (never
    overwritten). A contact that has both costs nothing: the text is not read. A held batch writes
    it with its rows (a stored contact's blanks are filled by a conditional UPDATE)."""
    if sender.phone and sender.position:
        return
    name = parsed.from_name or sender.name
    found = parsed.ahead.get("signature") if name == parsed.from_name else None  # read by the parser
    if found is None:
        found = signature_read(parsed.text, name=name, email=parsed.from_email)
    if not (found.phone or found.position):
        return
    if ctx.writes is not None and held_elsewhere(sender):
        ctx.writes.signatures.append((sender, found.phone or "", found.position or ""))
    else:
        contact_fill_from_signature(sender, phone=found.phone, position=found.position)


@dataclass(frozen=True)
class FormSubmission:
    name: str
    email: str
    organisation: str
    need: str
    deadline: date | None
    language: str
    subject: str = ""  # optional on the form: else the first meaningful sentence of `need`


def request_submit_form(*, submission: FormSubmission) -> Request:
    """The public form: a request linked to the requester found or created by e-mail address."""
    return _request_from_submission(submission, channel=Channel.FORM, prefix="form")


def request_enter_manually(
    *, actor: User, submission: FormSubmission, origin: str = "", keep: bool = True
) -> Request:
    """A request the second (or the leader) types in: a phone call, a meeting, a message from another
    channel. The same fields as the public form; `origin` says where it came from; `keep` sends it to
    the leader at once (the person who typed it has already triaged it)."""
    require_role(actor, TRIAGE_ROLES)
    with transaction.atomic():
        request = _request_from_submission(submission, channel=Channel.MANUAL, prefix="manual")
        note = Note(gettext_noop("Entered by hand by %(name)s."), name=actor.display_name)
        if origin.strip():
            note = Note(
                gettext_noop("Entered by hand by %(name)s (%(origin)s)."),
                name=actor.display_name,
                origin=" ".join(origin.split())[:200],
            )
        event_record(request=request, actor=actor, kind=EventKind.NOTE, note=note)
        if keep:
            request_keep(actor=actor, request=request)
    return request


def _request_from_submission(submission: FormSubmission, *, channel: str, prefix: str) -> Request:
    max_chars: int = settings.CERCLE["MAX_BODY_CHARS"]
    body = submission.need.strip()[:max_chars]
    subject = " ".join(submission.subject.split())[:120] or title_from_text(body)
    with transaction.atomic():
        requester = contact_get_or_create(
            email=submission.email,
            name=submission.name,
            organisation=submission.organisation,
            language=submission.language,
        )
        request = request_open(
            requester=requester,
            subject=subject or _request_from(submission.name),
            summary=body,
            channel=channel,
            language=submission.language,
            deadline=submission.deadline,
        )
        Message.objects.create(
            request=request,
            message_id=f"<{prefix}-{uuid.uuid4().hex}@cercle.invalid>",
            direction=Direction.INBOUND,
            from_name=submission.name,
            from_email=requester.email,
            subject=request.subject,
            text=body,
        )
        if channel == Channel.FORM:
            receipt_queue(request=request)
    return request


def intake_settings_update(
    *, actor: User, first_mail_receipt: bool, hub_aliases: list[str] | None = None
) -> IntakeSettings:
    """The second or the leader changes the hub's intake settings. Turning the first-mail receipt on
    dates it: mail from before never gets one (nobody wants a whole mailbox answered at once)."""
    require_role(actor, TRIAGE_ROLES)
    now = timezone.now()
    with transaction.atomic():
        hub, _created = IntakeSettings.objects.select_for_update().get_or_create(pk=1)
        if first_mail_receipt and not hub.first_mail_receipt:
            hub.first_mail_receipt_since = now
        elif not first_mail_receipt:
            hub.first_mail_receipt_since = None
        hub.first_mail_receipt = first_mail_receipt
        if hub_aliases is not None:
            hub.hub_aliases = "\n".join(hub_aliases)
            hub_addresses_mark(hub_aliases)
        hub.updated_at, hub.updated_by = now, actor
        hub.save()
    return hub
