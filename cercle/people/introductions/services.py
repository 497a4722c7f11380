"""Double opt-in introductions, thanks and the favours of the reciprocity ledger.

**An introduction** asks the connector first (the leader's or the second's edited draft, in the
connector's language, from the hub's identity); only on their yes is the person to meet asked; only on
both yes does the bridge mail introduce them to the beneficiary, the connector in copy. A connector who
does not answer gets one reminder, then the introduction expires (`introductions_remind_and_expire`,
run by the worker). Each step is an `IntroductionEvent`, with the mail it sent.

**A link** is signed (its own salt), names the introduction, the party (connector or target), the answer
and the ask's nonce, and carries the time it was made. A GET shows a page (mail scanners open links); the
page's button posts and `introduction_answer` acts once, by a conditional update on the state and the
nonce: the same link again, or the other answer's link, says it was already answered.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cercle.accounts.models import User
from cercle.accounts.permissions import NETWORK_ALL_ROLES, require_role
from cercle.core.leases import LeaseHeld, lease_hold
from cercle.network.models import Contact
from cercle.outbox.models import OutgoingMessage
from cercle.outbox.services import RenderedMail, address, outbox_enqueue, template_render
from cercle.people.models import (
    Favour,
    FavourDirection,
    Introduction,
    IntroductionEvent,
    IntroductionEventKind,
    IntroductionKind,
    IntroductionState,
    Match,
)

LINK_SALT = "cercle.people.introductions.answer"
# The mail of each step, by kind: the hub asks to be introduced, or introduces two people (a match).
_TEMPLATES = {
    IntroductionKind.ASK: {
        "request": "intro_request",
        "target": "intro_target",
        "bridge": "intro_bridge",
        "declined": "intro_declined",
        "declined_hub": "intro_declined_hub",
    },
    IntroductionKind.MATCH: {
        "request": "match_request",
        "target": "match_target",
        "bridge": "match_bridge",
        "declined": "match_declined",
        "declined_hub": "match_declined_hub",
    },
}


def _template(intro: Introduction, step: str) -> str:
    return _TEMPLATES[IntroductionKind(intro.kind)][step]


CONNECTOR, TARGET = "c", "t"
YES, NO = "yes", "no"


def remind_after() -> timedelta:
    return timedelta(days=int(settings.CERCLE.get("INTRODUCTION_REMIND_DAYS", 5)))


def expire_after() -> timedelta:
    """How long an ask waits for its answer (the connector's counts from the first ask)."""
    return timedelta(days=int(settings.CERCLE.get("INTRODUCTION_EXPIRE_DAYS", 12)))


class IntroductionError(Exception):
    """An introduction that cannot be made, with a message for the person who asked."""


def _live(contact: Contact | None) -> Contact:
    fresh = Contact.objects.filter(pk=contact.pk).first() if contact is not None else None
    if fresh is None:
        raise IntroductionError(_("This person was erased: nobody can be introduced through them."))
    if fresh.merged_into_id is not None:
        raise IntroductionError(_("This record was merged into another profile: choose that profile."))
    return fresh


def _is_hub_person(contact: Contact, beneficiary: User | None) -> bool:
    own = {e.lower() for e in User.objects.filter(is_active=True).values_list("email", flat=True) if e}
    if beneficiary is not None and beneficiary.email:
        own.add(beneficiary.email.lower())
    return contact.hub_own or (contact.email or "").lower() in own


def introduction_check(
    *, target: Contact, connector: Contact, beneficiary: User | None, match: bool = False
) -> tuple[Contact, Contact]:
    """The two people, fresh from the database, or `IntroductionError` saying why not. For a `match`
    (the hub introduces two people) the connector is the person with the need."""
    target, connector = _live(target), _live(connector)
    if target.pk == connector.pk:
        if match:
            raise IntroductionError(_("A person cannot be introduced to themself."))
        raise IntroductionError(_("The connector and the person to meet are the same person."))
    if match:
        if _is_hub_person(target, None) or _is_hub_person(connector, None):
            raise IntroductionError(_("The hub introduces two people of its network, not its own people."))
        if not connector.email or not target.email:
            raise IntroductionError(_("Both people need an e-mail address: add it to their profile first."))
        return target, connector
    if _is_hub_person(target, beneficiary):
        raise IntroductionError(
            _("Nobody needs an introduction to themselves: this is one of the hub's own addresses.")
        )
    if _is_hub_person(connector, beneficiary):
        raise IntroductionError(
            _("The connector must be someone outside the hub, who knows the person to meet.")
        )
    if not connector.email:
        raise IntroductionError(_("The connector has no e-mail address: add one to their profile first."))
    return target, connector


def _mail_context(intro_or_parts: Introduction | None = None, **parts: object) -> dict[str, object]:
    if intro_or_parts is not None:
        parts = {
            "target": intro_or_parts.target,
            "connector": intro_or_parts.connector,
            "beneficiary": intro_or_parts.beneficiary,
            "purpose": intro_or_parts.purpose,
        }
    target, connector, beneficiary = parts["target"], parts["connector"], parts["beneficiary"]
    assert isinstance(target, Contact) and isinstance(connector, Contact)
    name = beneficiary.display_name if isinstance(beneficiary, User) else settings.CERCLE["HUB_NAME"]
    offer = parts.get("offer")
    if offer is None and intro_or_parts is not None:
        # A hub-made introduction: what the target offers, from its matchmaking suggestion.
        match = Match.objects.filter(introduction=intro_or_parts).first()
        offer = match.offer if match is not None else ""
    return {
        "target_name": target.display_name,
        "target_org": target.organisation,
        "target_email": target.email,
        "connector_name": connector.display_name,
        "connector_org": connector.organisation,
        "connector_email": connector.email,
        "offer": offer or "",
        "beneficiary_name": name,
        "beneficiary_email": beneficiary.email if isinstance(beneficiary, User) else "",
        "purpose": str(parts["purpose"]).strip(),
        "link_days": expire_after().days,
    }


def introduction_draft(
    *, target: Contact, connector: Contact, beneficiary: User, purpose: str
) -> RenderedMail:
    """The request to the connector, in their language, for the leader or the second to edit."""
    return template_render(
        key="intro_request",
        language=connector.language,
        context=_mail_context(target=target, connector=connector, beneficiary=beneficiary, purpose=purpose),
    )


# --- Links ---------------------------------------------------------------------------------------


def link_make(*, introduction: Introduction, party: str, answer: str, now: datetime | None = None) -> str:
    issued = int((now or timezone.now()).timestamp())
    payload = {"i": introduction.pk, "p": party, "a": answer, "t": issued, "n": introduction.nonce}
    return signing.Signer(salt=LINK_SALT).sign_object(payload, compress=False)


def _link_url(introduction: Introduction, party: str, answer: str, now: datetime) -> str:
    token = link_make(introduction=introduction, party=party, answer=answer, now=now)
    return settings.SITE_URL + reverse("people:introduction_link", args=[token])


class LinkRefused(Exception):
    FORGED = "forged"
    EXPIRED = "expired"
    USED = "used"

    def __init__(self, reason: str, *, introduction: Introduction | None = None, party: str = "") -> None:
        super().__init__(reason)
        self.reason, self.introduction, self.party = reason, introduction, party

    @property
    def language(self) -> str:
        if self.introduction is None:
            return settings.LANGUAGE_CODE
        person = self.introduction.target if self.party == TARGET else self.introduction.connector
        return person.language


@dataclass(frozen=True)
class AnswerLink:
    introduction: Introduction
    party: str
    answer: str
    nonce: str

    @property
    def person(self) -> Contact:
        return self.introduction.target if self.party == TARGET else self.introduction.connector

    @property
    def language(self) -> str:
        return self.person.language


_AWAITS = {CONNECTOR: IntroductionState.ASKING_CONNECTOR, TARGET: IntroductionState.ASKING_TARGET}


def link_read(token: str, *, now: datetime | None = None) -> AnswerLink:
    now = now or timezone.now()
    try:
        data = signing.Signer(salt=LINK_SALT).unsign_object(token)
        intro_id, party, answer = int(data["i"]), str(data["p"]), str(data["a"])
        issued, nonce = int(data["t"]), str(data["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise LinkRefused(LinkRefused.FORGED) from None
    if party not in _AWAITS or answer not in (YES, NO):
        raise LinkRefused(LinkRefused.FORGED)
    intro = (
        Introduction.objects.select_related("target", "connector", "beneficiary").filter(pk=intro_id).first()
    )
    if intro is None:  # erased since
        raise LinkRefused(LinkRefused.FORGED)
    if intro.state != _AWAITS[party] or intro.nonce != nonce:
        if intro.state == IntroductionState.EXPIRED:
            raise LinkRefused(LinkRefused.EXPIRED, introduction=intro, party=party)
        raise LinkRefused(LinkRefused.USED, introduction=intro, party=party)
    issued_at = datetime.fromtimestamp(issued, tz=timezone.get_default_timezone())
    if now - issued_at > expire_after() + timedelta(days=1) or issued_at > now + timedelta(minutes=5):
        raise LinkRefused(LinkRefused.EXPIRED, introduction=intro, party=party)
    return AnswerLink(introduction=intro, party=party, answer=answer, nonce=nonce)


# --- Steps ---------------------------------------------------------------------------------------


def _event(
    intro: Introduction,
    kind: str,
    *,
    actor: User | None = None,
    outgoing: OutgoingMessage | None = None,
    at: datetime | None = None,
) -> None:
    IntroductionEvent.objects.create(
        introduction=intro, kind=kind, actor=actor, outgoing=outgoing, at=at or timezone.now()
    )


def _send(
    intro: Introduction, step: str, *, to: list[str], mail: RenderedMail, cc: list[str] | None = None
) -> OutgoingMessage:
    return outbox_enqueue(
        idempotency_key=f"introduction:{intro.pk}:{step}", to=to, cc=cc, subject=mail.subject, body=mail.body
    )


def _ask_connector_mail(intro: Introduction, *, subject: str, body: str, now: datetime) -> RenderedMail:
    links = template_render(
        key="intro_links",
        language=intro.connector.language,
        context={
            "accept_url": _link_url(intro, CONNECTOR, YES, now),
            "decline_url": _link_url(intro, CONNECTOR, NO, now),
            "link_days": expire_after().days,
        },
    )
    return RenderedMail(subject=subject, body=body.strip() + "\n\n" + links.body)


def introduction_start(
    *,
    actor: User,
    target: Contact,
    connector: Contact,
    beneficiary: User | None,
    purpose: str,
    subject: str,
    body: str,
    kind: str = IntroductionKind.ASK,
    now: datetime | None = None,
) -> Introduction:
    """Ask the connector (for a `match`, the person with the need): the edited draft with the two
    one-click links, in one transaction."""
    require_role(actor, NETWORK_ALL_ROLES)
    now = now or timezone.now()
    purpose, subject, body = purpose.strip(), subject.strip(), body.strip()
    if not purpose or not subject or not body:
        raise IntroductionError(_("Say why you want to meet them, and write the request."))
    match = kind == IntroductionKind.MATCH
    with transaction.atomic():
        target, connector = introduction_check(
            target=target, connector=connector, beneficiary=beneficiary, match=match
        )
        intro = Introduction.objects.create(
            kind=kind,
            target=target,
            connector=connector,
            beneficiary=beneficiary,
            requested_by=actor,
            purpose=purpose,
            created_at=now,
            asked_at=now,
            nonce=secrets.token_urlsafe(12),
        )
        mail = _ask_connector_mail(intro, subject=subject, body=body, now=now)
        sent = _send(intro, "connector", to=[address(connector.display_name, connector.email)], mail=mail)
        _event(intro, IntroductionEventKind.ASKED_CONNECTOR, actor=actor, outgoing=sent, at=now)
    return intro


def _notify_hub(intro: Introduction, *, by_connector: bool) -> None:
    url = settings.SITE_URL + reverse("people:detail", args=[intro.target_id])
    people = {u.pk: u for u in (intro.requested_by, intro.beneficiary) if u is not None and u.email}
    for user in people.values():
        mail = template_render(
            key=_template(intro, "declined_hub"),
            language=user.language,
            context={
                **_mail_context(intro),
                "name": user.display_name,
                "by_connector": by_connector,
                "url": url,
            },
        )
        _send(intro, f"declined-hub-{user.pk}", to=[address(user.display_name, user.email)], mail=mail)


def introduction_answer(*, token: str, now: datetime | None = None) -> AnswerLink:
    """Act on a link, once: the next step and its mail, audited, in one transaction."""
    now = now or timezone.now()
    link = link_read(token, now=now)
    intro = link.introduction
    with transaction.atomic():
        if link.party == CONNECTOR and link.answer == YES:
            changes = {
                "state": IntroductionState.ASKING_TARGET,
                "asked_at": now,
                "nonce": secrets.token_urlsafe(12),
            }
        elif link.answer == YES:
            changes = {"state": IntroductionState.INTRODUCED, "closed_at": now}
        else:
            declined = (
                IntroductionState.CONNECTOR_DECLINED
                if link.party == CONNECTOR
                else IntroductionState.TARGET_DECLINED
            )
            changes = {"state": declined, "closed_at": now}
        done = Introduction.objects.filter(pk=intro.pk, state=_AWAITS[link.party], nonce=link.nonce).update(
            **changes
        )
        if done != 1:  # the other link, or the same one posted twice at once, acted first
            raise LinkRefused(LinkRefused.USED, introduction=intro, party=link.party)
        intro.refresh_from_db()
        _advance(intro, link, now)
    return link


def _advance(intro: Introduction, link: AnswerLink, now: datetime) -> None:
    target, connector, ctx = intro.target, intro.connector, _mail_context(intro)
    if link.party == CONNECTOR and link.answer == YES:
        _event(intro, IntroductionEventKind.CONNECTOR_ACCEPTED, at=now)
        if not target.email:
            # Nobody to ask by mail: the team takes over from the profile, where this shows.
            return
        mail = template_render(
            key=_template(intro, "target"),
            language=target.language,
            context={
                **ctx,
                "accept_url": _link_url(intro, TARGET, YES, now),
                "decline_url": _link_url(intro, TARGET, NO, now),
            },
        )
        sent = _send(intro, "target", to=[address(target.display_name, target.email)], mail=mail)
        _event(intro, IntroductionEventKind.ASKED_TARGET, outgoing=sent, at=now)
    elif link.party == CONNECTOR:
        _event(intro, IntroductionEventKind.CONNECTOR_DECLINED, at=now)
        _notify_hub(intro, by_connector=True)
    elif link.answer == YES and intro.kind == IntroductionKind.MATCH:
        _event(intro, IntroductionEventKind.TARGET_ACCEPTED, at=now)
        # The hub introduces the two: one mail to both, in the language of the one who asked for help.
        to = [address(connector.display_name, connector.email), address(target.display_name, target.email)]
        mail = template_render(key=_template(intro, "bridge"), language=connector.language, context=ctx)
        sent = _send(intro, "bridge", to=to, mail=mail)
        _event(intro, IntroductionEventKind.INTRODUCED, outgoing=sent, at=now)
        # A favour given to each (the ledger's "give before you ask"), shown as "an introduction to …".
        for person, other in ((connector, target), (target, connector)):
            Favour.objects.create(
                contact=person,
                direction=FavourDirection.GIVEN,
                what=other.display_name[:300],
                is_introduction=True,
                introduction=intro,
                at=now,
                by=intro.requested_by,
            )
    elif link.answer == YES:
        _event(intro, IntroductionEventKind.TARGET_ACCEPTED, at=now)
        beneficiary = intro.beneficiary
        to = [address(target.display_name, target.email)]
        if beneficiary is not None and beneficiary.email:
            to.append(address(beneficiary.display_name, beneficiary.email))
        mail = template_render(key=_template(intro, "bridge"), language=target.language, context=ctx)
        sent = _send(intro, "bridge", to=to, cc=[address(connector.display_name, connector.email)], mail=mail)
        _event(intro, IntroductionEventKind.INTRODUCED, outgoing=sent, at=now)
        Favour.objects.create(
            contact=connector,
            direction=FavourDirection.RECEIVED,
            what=target.display_name[:300],  # shown as "an introduction to …" (Favour.label)
            is_introduction=True,
            introduction=intro,
            at=now,
            by=intro.requested_by,
        )
    else:
        mail = template_render(key=_template(intro, "declined"), language=connector.language, context=ctx)
        sent = _send(intro, "declined", to=[address(connector.display_name, connector.email)], mail=mail)
        _event(intro, IntroductionEventKind.TARGET_DECLINED, outgoing=sent, at=now)
        _notify_hub(intro, by_connector=False)


@dataclass(frozen=True)
class SweepReport:
    reminded: int = 0
    expired: int = 0


def introductions_remind_and_expire(*, now: datetime | None = None) -> SweepReport:
    """One reminder to a silent connector, then expiry; a silent target's ask expires too.

    Idempotent: each change is a conditional update, each mail has its idempotency key, and a lease
    keeps two workers from sweeping at once."""
    now = now or timezone.now()
    reminded = expired = 0
    try:
        with lease_hold("people-introductions"):
            due = Introduction.objects.filter(
                state=IntroductionState.ASKING_CONNECTOR,
                reminded_at__isnull=True,
                asked_at__lte=now - remind_after(),
            ).select_related("connector", "target", "beneficiary")
            for intro in due:
                with transaction.atomic():
                    if not Introduction.objects.filter(
                        pk=intro.pk, state=IntroductionState.ASKING_CONNECTOR, reminded_at__isnull=True
                    ).update(reminded_at=now):
                        continue
                    draft = template_render(
                        key=_template(intro, "request"),
                        language=intro.connector.language,
                        context={**_mail_context(intro), "reminder": True},
                    )
                    mail = _ask_connector_mail(intro, subject=draft.subject, body=draft.body, now=now)
                    connector = intro.connector
                    sent = _send(
                        intro, "reminder", to=[address(connector.display_name, connector.email)], mail=mail
                    )
                    _event(intro, IntroductionEventKind.REMINDED, outgoing=sent, at=now)
                    reminded += 1
            stale = Introduction.objects.filter(asked_at__lte=now - expire_after()).filter(
                state=IntroductionState.ASKING_TARGET
            ) | Introduction.objects.filter(
                state=IntroductionState.ASKING_CONNECTOR,
                reminded_at__isnull=False,
                asked_at__lte=now - expire_after(),
            )
            for intro in stale:
                with transaction.atomic():
                    if Introduction.objects.filter(pk=intro.pk, state=intro.state).update(
                        state=IntroductionState.EXPIRED, closed_at=now
                    ):
                        _event(intro, IntroductionEventKind.EXPIRED, at=now)
                        expired += 1
    except LeaseHeld:
        pass
    return SweepReport(reminded=reminded, expired=expired)


# --- Favours and thanks --------------------------------------------------------------------------


def favour_record(
    *, actor: User, contact: Contact, direction: str, what: str, introduction: bool = False
) -> Favour:
    """ "X helped us with …" or "we helped X with …", recorded by hand."""
    require_role(actor, NETWORK_ALL_ROLES)
    what = " ".join(what.split())[:300]
    if not what:
        raise IntroductionError(_("Say what the help was."))
    if direction not in FavourDirection.values:
        raise IntroductionError(_("Say who helped whom."))
    contact = _live(contact)
    return Favour.objects.create(
        contact=contact, direction=direction, what=what, is_introduction=introduction, by=actor
    )


def thanks_draft(*, favour: Favour) -> RenderedMail:
    contact = favour.contact
    with translation.override(contact.language):
        what = favour.label
    return template_render(
        key="intro_thanks",
        language=contact.language,
        context={"connector_name": contact.display_name, "what": what},
    )


def favour_thank(*, actor: User, favour: Favour, send: bool, subject: str = "", body: str = "") -> Favour:
    """Mark a help as thanked; with `send`, the (edited) thanks leave through the outbox."""
    require_role(actor, NETWORK_ALL_ROLES)
    if favour.direction != FavourDirection.RECEIVED:
        raise IntroductionError(_("Only a help received is thanked."))
    contact = favour.contact
    if send and not contact.email:
        raise IntroductionError(_("They have no e-mail address: thank them another way, then mark it done."))
    if send and (not subject.strip() or not body.strip()):
        raise IntroductionError(_("Write the thanks first."))
    now = timezone.now()
    with transaction.atomic():
        if not Favour.objects.filter(pk=favour.pk, thanked_at__isnull=True).update(thanked_at=now):
            raise IntroductionError(_("They were already thanked."))
        favour.thanked_at = now
        if send:
            favour.thanks_outgoing = outbox_enqueue(
                idempotency_key=f"thanks:{favour.pk}",
                to=[address(contact.display_name, contact.email)],
                subject=subject,
                body=body.strip() + "\n",
            )
            favour.save(update_fields=["thanks_outgoing"])
    return favour


def introductions_erase(contact_ids: list[int]) -> None:
    """With a person's erasure: the introductions they were part of, their steps, and their favours."""
    Introduction.objects.filter(target_id__in=contact_ids).delete()
    Introduction.objects.filter(connector_id__in=contact_ids).delete()
    Favour.objects.filter(contact_id__in=contact_ids).delete()
