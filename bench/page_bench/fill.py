"""The fill: a throwaway database of N requests and everything they imply, in bulk.

Requesters (N/3 contacts), one inbound message per request, the audit trail (a "created" event plus
one transition event per state reached), offers to circle members, project spaces with their first
steps, and the denormalised milestones (kept_at, answered_at, answer_delay_s, lead, lead_at,
lead_delay_s, closed_at, outcome). It bypasses the services and uses ``bulk_create`` in batches, one
transaction per batch.
"""

from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from ..common.env import log
from .plans import ACTOR_OF, Plan, make_plans
from .texts import DECISION_NOTES, DECLINE_REASONS, MEMBERS, PEOPLE, contact_fields, request_text


@dataclass
class RowCounter:
    """Rows written so far, and how fast."""

    started: float = field(default_factory=time.perf_counter)
    rows: int = 0

    def add(self, n: int) -> None:
        self.rows += n

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    @property
    def rate(self) -> float:
        return self.rows / self.elapsed if self.elapsed else 0.0


class Filler:
    """Fills the database with n requests in batches of ``batch``, reproducibly from ``seed``."""

    def __init__(self, *, n: int, batch: int, seed: int) -> None:
        from django.conf import settings
        from django.utils import timezone

        self.n = n
        self.batch = batch
        self.rng = random.Random(seed)
        self.now = timezone.now()
        self.limits: dict[str, int] = settings.CERCLE["STAGE_LIMITS_HOURS"]
        self.counter = RowCounter()
        self.users: dict[str, Any] = {}
        self.member_ids: list[int] = []
        self.contacts: list[tuple[int, str, str, str, str]] = []  # pk, name, email, organisation, language

    def run(self) -> RowCounter:
        self.make_users()
        self.make_contacts()
        plans = make_plans(self.rng, self.n, self.now, self.limits)
        assignment = list(range(len(self.contacts)))
        assignment += [self.rng.randrange(len(self.contacts)) for _ in range(self.n - len(assignment))]
        self.rng.shuffle(assignment)
        for start in range(0, self.n, self.batch):
            chunk = plans[start : start + self.batch]
            self.make_requests(chunk, assignment[start : start + self.batch])
            done = start + len(chunk)
            log(
                f"  fill {done:>9,}/{self.n:,} requests · {self.counter.rows:>10,} rows · "
                f"{self.counter.rate:>8,.0f} rows/s · {self.counter.elapsed:6.1f} s"
            )
        return self.counter

    def make_users(self) -> None:
        from django.contrib.auth.hashers import make_password

        from cercle.accounts.models import Role, User
        from cercle.circle.models import MemberProfile

        password = make_password(None)  # unusable: the bench signs in with force_login
        for key, (username, first, last) in PEOPLE.items():
            self.users[key] = User.objects.create(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{username}@hub.example",
                role=Role.LEADER if key == "leader" else Role.SECOND,
                password=password,
            )
        members = [
            User(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{username}@hub.example",
                role=Role.MEMBER,
                password=password,
                language="en" if username in ("tom", "oliver") else "fr",
            )
            for username, first, last, _fr, _en in MEMBERS
        ]
        User.objects.bulk_create(members)
        if any(m.pk is None for m in members):  # a backend without RETURNING on bulk inserts
            members = list(User.objects.filter(role=Role.MEMBER).order_by("id"))
        MemberProfile.objects.bulk_create(
            [
                MemberProfile(
                    user=m, headline_fr=spec[3], headline_en=spec[4], skills=spec[4].lower(), capacity=3
                )
                for m, spec in zip(members, MEMBERS, strict=True)
            ]
        )
        self.member_ids = [m.pk for m in members]
        self.counter.add(len(members) * 2 + 2)

    def make_contacts(self) -> None:
        from django.db import transaction

        from cercle.network.models import Contact

        rng = self.rng
        total = max(1, self.n // 3)
        for start in range(0, total, self.batch):
            objs = []
            for i in range(start, min(start + self.batch, total)):
                name, email, org, lang = contact_fields(rng, i)
                objs.append(Contact(name=name, email=email, organisation=org, language=lang))
            with transaction.atomic():
                Contact.objects.bulk_create(objs, batch_size=self.batch)
            self.contacts.extend((c.pk, c.name, c.email, c.organisation, c.language) for c in objs)
            self.counter.add(len(objs))
        log(f"  fill contacts {total:,} · {self.counter.rate:,.0f} rows/s")

    def make_requests(self, plans: list[Plan], contact_indexes: list[int]) -> None:
        from django.db import transaction

        from cercle.circle.models import Offer
        from cercle.circulation.models import Channel, Direction, Event, EventKind, Message, Request
        from cercle.circulation.states import DismissReason, Outcome, State
        from cercle.core.text import snippet
        from cercle.projects.models import DEFAULT_FIRST_STEPS, ChecklistItem, Project

        rng = self.rng
        second_id, leader_id = self.users["second"].pk, self.users["leader"].pk
        channel_labels = {c.value: str(c.label) for c in Channel}
        reason_labels = {r.value: str(r.label) for r in DismissReason}
        outcome_labels = {o.value: str(o.label) for o in Outcome}
        member_names = dict(zip(self.member_ids, (f"{m[1]} {m[2]}" for m in MEMBERS), strict=True))
        step_labels = [str(label) for label in DEFAULT_FIRST_STEPS]

        requests, extras = [], []
        for plan, contact_index in zip(plans, contact_indexes, strict=True):
            contact = self.contacts[contact_index]
            _pk, name, _email, org, lang = contact
            subject, body, lang = request_text(rng, plan.junk, name, org, lang)
            if plan.junk:
                channel = Channel.FORM if plan.junk == "solicitation" and rng.random() < 0.3 else Channel.MAIL
            else:
                channel = rng.choices(list(Channel), weights=[70, 20, 5, 5])[0]
            at = {state: plan.received_at + timedelta(seconds=offset) for state, offset in plan.steps}
            fields: dict[str, Any] = {}
            if "kept" in at:
                fields["kept_at"] = at["kept"]
            if "approved" in at:
                fields["answered_at"] = at["approved"]
                fields["answer_delay_s"] = int((at["approved"] - plan.received_at).total_seconds())
            if {"approved", "declined", "deferred"} & at.keys():
                fields["decision_note"] = rng.choice(DECISION_NOTES)
            lead_id = None
            if "accepted" in at:
                lead_id = rng.choice(self.member_ids)
                fields.update(
                    lead_id=lead_id,
                    lead_at=at["accepted"],
                    lead_delay_s=int((at["accepted"] - plan.received_at).total_seconds()),
                )
            if "closed" in at:
                outcome = rng.choices(list(Outcome), weights=[45, 35, 20])[0]
                fields.update(closed_at=at["closed"], outcome=outcome)
                if outcome == Outcome.WON:
                    fields["outcome_value"] = Decimal(rng.randrange(2_000, 80_000, 500))
            if plan.final == "dismissed":
                fields["dismiss_reason"] = plan.junk
            deadline = None
            if not plan.junk and rng.random() < 0.15:
                deadline = (plan.received_at + timedelta(days=rng.randint(14, 120))).date()
            requests.append(
                Request(
                    subject=" ".join(subject.split())[:300],
                    summary=snippet(body, 600),
                    requester_id=contact[0],
                    channel=channel,
                    language=lang,
                    deadline=deadline,
                    state=plan.final,
                    state_changed_at=at[plan.steps[-1][0]] if plan.steps else plan.received_at,
                    received_at=plan.received_at,
                    **fields,
                )
            )
            extras.append((plan, contact, subject, body, channel, at, lead_id))

        with transaction.atomic():
            Request.objects.bulk_create(requests, batch_size=self.batch)
            if any(r.pk is None for r in requests):
                raise SystemExit("this database backend does not return ids from bulk inserts")
            messages, events, offers, projects, project_finals = [], [], [], [], []
            for req, (plan, contact, subject, body, channel, at, lead_id) in zip(
                requests, extras, strict=True
            ):
                _cpk, name, email, _org, _lang = contact
                if channel == Channel.MAIL:
                    message_id = f"<{uuid.UUID(int=rng.getrandbits(128)).hex}.{req.pk}@{email.split('@')[1]}>"
                else:
                    message_id = f"<{channel}-{uuid.UUID(int=rng.getrandbits(128)).hex}@cercle.invalid>"
                messages.append(
                    Message(
                        request_id=req.pk,
                        message_id=message_id,
                        direction=Direction.INBOUND,
                        from_name=name,
                        from_email=email,
                        to="Léa Marchand <lea@hub.example>",
                        subject=subject,
                        sent_at=plan.received_at,
                        text=body,
                        attachments=[],
                    )
                )
                events.append(
                    Event(
                        request_id=req.pk,
                        actor_id=None,
                        at=plan.received_at,
                        kind=EventKind.CREATED,
                        to_state=State.RECEIVED,
                        note=channel_labels[channel],
                    )
                )
                prev = State.RECEIVED.value
                offered_to: list[int] = []
                if "offered" in at:
                    others = [m for m in self.member_ids if m != lead_id]
                    k = rng.choice([1, 1, 2, 2, 2, 3])
                    offered_to = ([lead_id] if lead_id else []) + rng.sample(
                        others, k - (1 if lead_id else 0)
                    )
                for state, _offset in plan.steps:
                    role = ACTOR_OF[state]
                    actor_id = lead_id if role == "lead" else (second_id if role == "second" else leader_id)
                    if state == "dismissed":
                        note = reason_labels[plan.junk]
                    elif state == "offered":
                        note = "Offered to " + ", ".join(member_names[m] for m in offered_to)
                    elif state == "accepted":
                        note = f"{member_names[lead_id or 0]} is the project lead."
                    elif state == "closed":
                        note = outcome_labels[req.outcome]
                    elif state in ("approved", "declined", "deferred"):
                        note = req.decision_note
                    else:
                        note = ""
                    events.append(
                        Event(
                            request_id=req.pk,
                            actor_id=actor_id,
                            at=at[state],
                            kind=EventKind.TRANSITION,
                            from_state=prev,
                            to_state=state,
                            note=note,
                        )
                    )
                    prev = state
                offers.extend(self._offers(req, at, lead_id, offered_to, second_id))
                if lead_id:
                    meeting = at["accepted"] + timedelta(days=rng.randint(2, 15))
                    projects.append(
                        Project(
                            request_id=req.pk,
                            lead_id=lead_id,
                            created_at=at["accepted"],
                            first_meeting_at=meeting if meeting < self.now else None,
                        )
                    )
                    project_finals.append(plan.final)
            Message.objects.bulk_create(messages, batch_size=self.batch)
            Event.objects.bulk_create(events, batch_size=self.batch)
            Offer.objects.bulk_create(offers, batch_size=self.batch)
            Project.objects.bulk_create(projects, batch_size=self.batch)
            checklist = []
            for project, final in zip(projects, project_finals, strict=True):
                # Closed projects did every first step; younger ones did some.
                done_steps = {"closed": 4, "kicked_off": rng.randint(2, 4)}.get(final, rng.randint(0, 2))
                for position, label in enumerate(step_labels):
                    done_at = (
                        project.created_at + timedelta(days=position + 1) if position < done_steps else None
                    )
                    if done_at is not None and done_at > self.now:
                        done_at = None
                    checklist.append(
                        ChecklistItem(project_id=project.pk, label=label, position=position, done_at=done_at)
                    )
            ChecklistItem.objects.bulk_create(checklist, batch_size=self.batch)
        self.counter.add(
            len(requests) + len(messages) + len(events) + len(offers) + len(projects) + len(checklist)
        )

    def _offers(
        self, req: Any, at: dict[str, datetime], lead_id: int | None, offered_to: list[int], second_id: int
    ) -> list[Any]:
        """The offers of a request that reached "offered": pending, or answered when someone took it."""
        from cercle.circle.models import Offer, OfferState

        rng = self.rng
        if "offered" not in at:
            return []
        offered_at = at["offered"]
        brief = f"{req.subject}\n\n{req.summary[:300]}"
        offers = []
        for member_id in offered_to:
            state, reason, responded = OfferState.PENDING, "", None
            if lead_id:
                if member_id == lead_id:
                    state, responded = OfferState.ACCEPTED, at["accepted"]
                elif rng.random() < 0.5:
                    window = (at["accepted"] - offered_at).total_seconds()
                    state, reason = OfferState.DECLINED, rng.choice(DECLINE_REASONS)
                    responded = offered_at + timedelta(seconds=rng.uniform(0, window))
                else:
                    state, responded = OfferState.WITHDRAWN, at["accepted"]
            elif len(offered_to) > 1 and member_id == offered_to[-1] and rng.random() < 0.3:
                # Someone already said no while the others think about it.
                window = (self.now - offered_at).total_seconds()
                state, reason = OfferState.DECLINED, rng.choice(DECLINE_REASONS)
                responded = offered_at + timedelta(seconds=rng.uniform(0, window))
            offers.append(
                Offer(
                    request_id=req.pk,
                    member_id=member_id,
                    brief=brief,
                    state=state,
                    reason=reason,
                    offered_by_id=second_id,
                    created_at=offered_at,
                    responded_at=responded,
                )
            )
        return offers
