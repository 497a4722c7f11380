"""The demo hub's network: about three hundred people of Léa's mailbox and two years of exchanges.

The shape of a real mailbox: a handful of very close people (every week, both ways, meetings), about
fifteen close ones, fifty regulars, many occasional correspondents; some who were close a year ago and
went silent, some who came back, some new; LinkedIn connections, people typed in or imported, a few
who write and are never answered, two spammers; group mail to the lists Léa writes to. The demo's
requesters get the exchanges their requests imply (Léa's reply, the first meeting of their project).

Only raw facts are written (contacts, profiles, exchanges, notes). Strength, layers and who is in the
network come from the real rules: `strength_recompute` then `search_index`, as after an import.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import F, Q

from cercle.accounts.models import User
from cercle.circulation.models import Request
from cercle.demo import network_data as nd
from cercle.network.models import Contact, ContactNote, ContactSource, Identity, IdentityKind, Interaction
from cercle.network.models import InteractionKind as Kind
from cercle.network.search import search_index
from cercle.network.services import interaction_record_many, normalize_linkedin_url
from cercle.network.strength import strength_recompute
from cercle.people.introductions.services import (
    CONNECTOR,
    TARGET,
    YES,
    introduction_answer,
    introduction_draft,
    introduction_start,
    link_make,
)
from cercle.people.matchmaking import match_approve, match_draft, matches_refresh
from cercle.people.models import Introduction, Match, MatchState

HORIZON_DAYS = 730
LEADER_DOMAIN = "example.org"

# How many people of each kind, besides the hand-written ones of `KEY_PEOPLE`.
TIERS = {
    "close": 12,
    "regular": 50,
    "occasional": 120,
    "drift": 9,
    "back": 4,  # close long ago, silent, writing again this month
    "new": 10,
    "linkedin": 30,
    "imported": 16,  # typed in or imported from a vCard or CSV file: chosen by the team
    "oneway": 20,  # write, nobody answers: not in the network
    "spam": 2,
}
# The share of each kind whose profile the team filled in.
PROFILED = {
    "inner": 1.0,
    "close": 1.0,
    "regular": 0.8,
    "drift": 0.7,
    "back": 0.75,
    "new": 0.5,
    "occasional": 0.4,
    "linkedin": 0.3,
    "imported": 0.7,
}
SPAM_SUBJECTS = (
    "Offre exclusive : doublez vos ventes en 30 jours",
    "Votre compte va être suspendu",
    "Congratulations, you have been selected",
    "Dernier rappel : votre colis est en attente",
)
# Requesters whose mail says they already know Léa (data.REQUESTS): their history before the request.
KNOWN_BEFORE = {
    "antoine@biocoop-mercier.fr": ("Venu à la conférence de Léa à Lyon.", 150),
    "laura.chen@brightpath.org": ("Met at a foundations' conference in London.", 320),
    "hannah@alpine-retreats.de": ("Heard Léa speak at a founders' retreat.", 240),
}
# What the team knows of the demo's requesters: position, what they do, tags.
REQUESTER_PROFILES = {
    "marc.lefevre@menuiserie-lefevre.fr": (
        "Gérant",
        "Dirige une menuiserie de 25 personnes près de Nantes.",
        "menuiserie, PME",
    ),
    "s.garnier@mairie-saint-aubin.fr": (
        "Chargée de mission",
        "Organise les journées de la résilience locale de la commune.",
        "collectivité",
    ),
    "james@northfield-coop.co.uk": (
        "Coordinator",
        "Coordinates a food co-operative of 60 members.",
        "co-operative, food",
    ),
    "julie.roux@atelier-roux.fr": ("Fondatrice", "Atelier de céramique et de textile.", "artisanat"),
    "priya.nair@greenloop.io": (
        "Co-founder",
        "Runs a circular economy start-up (returnable packaging).",
        "circular economy, start-up",
    ),
    "antoine@biocoop-mercier.fr": (
        "Directeur",
        "Dirige un magasin bio coopératif de 30 salariés.",
        "alimentation, coopérative",
    ),
    "laura.chen@brightpath.org": (
        "Programme director",
        "Runs a leadership programme for 40 NGO directors.",
        "foundation, leadership",
    ),
    "nicolas.blanc@transports-blanc.fr": (
        "Directeur général",
        "Entreprise de transport routier, 80 salariés.",
        "transport, bilan carbone",
    ),
    "elodie@tiers-lieu-fontaine.fr": ("Coordinatrice", "Coordonne un tiers-lieu associatif.", "tiers-lieu"),
    "d.okafor@riverside-school.org": (
        "Head teacher",
        "Head of a secondary school in Leeds.",
        "education, climate",
    ),
    "camille.perrin@lesjardinsduval.fr": (
        "Porteuse de projet",
        "Lance une ferme pédagogique.",
        "agriculture, éducation",
    ),
    "hannah@alpine-retreats.de": ("Founder", "Hosts retreats for founders in the Alps.", "events, founders"),
    "paul.girard@girard-associes.fr": (
        "Consultant",
        "Conseil aux associations du territoire.",
        "associations, fusion",
    ),
    "maria.rossi@slowfood-torino.it": (
        "Communications lead",
        "Runs campaigns for a food association in Turin.",
        "food, campaign",
    ),
    "helene.caron@caron-conseil.fr": (
        "Consultante",
        "Conseil en organisation pour les PME familiales.",
        "conseil, PME",
    ),
    "ben.walsh@walsh-partners.co.uk": (
        "Managing partner",
        "Runs a small consultancy for charities.",
        "charities, consulting",
    ),
    "yasmine.cherif@cooperative-horizon.fr": (
        "Gérante",
        "Gère une coopérative d'activités et d'emploi.",
        "coopérative, emploi",
    ),
    "sarah@nordic-commons.org": (
        "Director",
        "Leads a Nordic network of commons-based projects.",
        "commons, network",
    ),
    "louis.barbier@barbier-industries.fr": (
        "Directeur général",
        "Dirige une PME de mécanique de précision.",
        "industrie, PME",
    ),
    "mathieu@atelier-lemoine.fr": (
        "Artisan ébéniste",
        "Atelier d'ébénisterie et d'agencement.",
        "artisanat, bois",
    ),
    "grace@bright-harbour.org": (
        "Head of programmes",
        "Runs youth programmes for a charity in Bristol.",
        "charity, youth",
    ),
}


@dataclass
class Person:
    tier: str
    lang: str
    gender: str
    name: str
    email: str = ""
    organisation: str = ""
    position: str = ""
    phone: str = ""
    what_they_do: str = ""
    offers: str = ""
    needs: str = ""
    tags: str = ""
    how_we_met: str = ""
    note: str = ""
    linkedin_url: str = ""
    source: str = ContactSource.MAIL
    chosen: bool = False
    spam: bool = False
    trade: nd.Trade | None = None


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if c.isalnum() or c in "-.")


def _gendered(text: str, gender: str) -> str:
    """ "Consultant|Consultante": the word that agrees with the person."""
    masculine, _bar, feminine = text.partition("|")
    return feminine if gender == "f" and feminine else masculine


class _Builder:
    def __init__(self, *, rng: random.Random, now: datetime) -> None:
        self.rng, self.now = rng, now
        self.emails: set[str] = set()
        self.names: set[str] = set()
        self.serial = 0

    # --- People -------------------------------------------------------------------------------

    def key_people(self) -> list[Person]:
        people = []
        for (
            tier,
            gender,
            lang,
            name,
            email,
            org,
            position,
            phone,
            what,
            offers,
            needs,
            tags,
            met,
            note,
        ) in nd.KEY_PEOPLE:
            self.emails.add(email)
            self.names.add(name)
            people.append(
                Person(
                    tier=tier,
                    lang=lang,
                    gender=gender,
                    name=name,
                    email=email,
                    organisation=org,
                    position=position,
                    phone=phone,
                    what_they_do=what,
                    offers=offers,
                    needs=needs,
                    tags=tags,
                    how_we_met=met,
                    note=note,
                )
            )
        return people

    def _name(self, lang: str) -> tuple[str, str, str]:
        rng = self.rng
        while True:
            if lang == "fr":
                gender = rng.choice("fm")
                first = rng.choice(nd.FR_WOMEN if gender == "f" else nd.FR_MEN)
                last = rng.choice(nd.FR_LAST)
            elif rng.random() < 0.2:
                gender, first, last, _country = rng.choice(nd.EUROPEANS)
            else:
                gender = rng.choice("fm")
                first = rng.choice(nd.EN_WOMEN if gender == "f" else nd.EN_MEN)
                last = rng.choice(nd.EN_LAST)
            if f"{first} {last}" not in self.names:
                self.names.add(f"{first} {last}")
                return gender, first, last

    def _address(self, first: str, last: str, domain: str, *, free: bool) -> str:
        f, la = _ascii(first), _ascii(last).replace("'", "")
        if free:
            shapes = [f"{f}.{la}", f"{f}{la}", f"{f}.{la}{self.rng.randint(10, 99)}", f"{f[0]}{la}"]
        else:
            shapes = [f"{f}.{la}", f"{f[0]}.{la}", f, f"{f}.{la}"]
        local = self.rng.choice(shapes)
        email, n = f"{local}@{domain}", 2
        while email in self.emails:
            email, n = f"{local}{n}@{domain}", n + 1
        self.emails.add(email)
        return email

    def _phone(self, lang: str) -> str:
        rng = self.rng
        if lang == "fr":
            pairs = " ".join(f"{rng.randint(0, 99):02d}" for _ in range(4))
            return f"+33 {rng.choice('6677')} {pairs}"
        return f"+44 7700 900{rng.randint(0, 999):03d}"  # the numbers Ofcom keeps for fiction

    def person(self, tier: str, *, lang: str | None = None, intro: list[Person]) -> Person:
        rng = self.rng
        lang = lang or ("en" if rng.random() < 0.15 else "fr")
        gender, first, last = self._name(lang)
        trades = nd.FR_TRADES if lang == "fr" else nd.EN_TRADES
        # The questions the demo is asked most ("bilan carbone", "levée de fonds", "traduction") find people.
        keys = list(trades)
        weights = [3 if k in ("carbone", "finance", "traduction", "carbon", "funding") else 1 for k in keys]
        trade = trades[rng.choices(keys, weights)[0]]
        shape = rng.random()
        if shape < 0.7 or (shape < 0.9 and not trade.own):  # free mail: mostly people on their own
            organisation, domain = rng.choice(trade.orgs)
            email = self._address(first, last, domain, free=False)
        elif shape > 0.85 and trade.own:  # on their own, with their own firm and domain
            organisation = trade.own.format(last=last)
            email = self._address(first, last, f"{_ascii(organisation.replace(' ', '-'))}.fr", free=False)
        else:
            organisation = ""
            email = self._address(
                first, last, rng.choice(nd.FREEMAIL_FR if lang == "fr" else nd.FREEMAIL_EN), free=True
            )
        person = Person(tier=tier, lang=lang, gender=gender, name=f"{first} {last}", email=email, trade=trade)
        person.organisation = organisation
        if rng.random() < 0.75:
            person.position = _gendered(rng.choice(trade.positions), gender)
        if rng.random() < 0.4:
            person.phone = self._phone(lang)
        if rng.random() < 0.3 or tier == "linkedin":
            person.linkedin_url = normalize_linkedin_url(
                f"linkedin.com/in/{_ascii(first)}-{_ascii(last).replace(' ', '')}-{rng.randint(4096, 65535):x}"
            )
        if rng.random() < PROFILED.get(tier, 0.0):
            self._profile(person, trade, intro)
        return person

    def _profile(self, person: Person, trade: nd.Trade, intro: list[Person]) -> None:
        rng = self.rng
        person.position = person.position or _gendered(rng.choice(trade.positions), person.gender)
        person.what_they_do = _gendered(rng.choice(trade.what), person.gender)
        person.offers = "\n".join(rng.sample(trade.offers, min(len(trade.offers), rng.randint(2, 3))))
        if trade.needs and rng.random() < 0.5:
            person.needs = rng.choice(trade.needs)
        person.tags = ", ".join(rng.sample(trade.tags, min(len(trade.tags), rng.randint(2, 3))))
        if rng.random() < 0.7:
            sentences = nd.HOW_WE_MET_FR if person.lang == "fr" else nd.HOW_WE_MET_EN
            fem = person.gender == "f"
            person.how_we_met = rng.choice(sentences).format(
                e="e" if fem else "",
                ne="ne" if fem else "",
                intro=rng.choice(intro).name if intro else "Julien Morel",
                year=self.now.year - rng.randint(1, 3),
            )
        if rng.random() < 0.3:
            pool = list(trade.notes) + list(nd.NOTES_FR if person.lang == "fr" else nd.NOTES_EN)
            person.note = rng.choice(pool).format(e="e" if person.gender == "f" else "")

    def people(self) -> list[Person]:
        people = self.key_people()
        intro = [p for p in people if p.tier in ("inner", "close")]
        for tier, count in TIERS.items():
            for _ in range(count):
                person = self.person(tier, intro=intro)
                if tier == "linkedin" and self.rng.random() < 0.5:
                    self.emails.discard(person.email)
                    person.email = ""  # a connection who never wrote from a mailbox
                if tier == "linkedin":
                    person.source = ContactSource.LINKEDIN
                elif tier == "imported":
                    person.source = self.rng.choice(
                        [ContactSource.VCARD, ContactSource.CSV, ContactSource.MANUAL]
                    )
                    person.chosen = True
                elif tier == "spam":
                    person.spam = True
                    person.position = person.what_they_do = person.offers = person.tags = ""
                    person.needs = person.how_we_met = person.note = ""
                if tier == "oneway":
                    person.what_they_do = person.offers = person.needs = person.tags = person.note = ""
                    person.how_we_met = ""
                people.append(person)
        return people + self._duplicates(people)

    def _duplicates(self, people: list[Person]) -> list[Person]:
        """Two regulars who also wrote from another address of their organisation (merging is a person's call)."""
        found = []
        for person in [p for p in people if p.tier == "regular" and p.organisation and p.lang == "fr"][:2]:
            first, last = person.name.split(" ", 1)
            domain = person.email.rpartition("@")[2]
            email = f"{_ascii(first)}.{_ascii(last).replace(' ', '-')}@{domain}"
            if email == person.email or email in self.emails:
                email = f"{_ascii(first)[0]}{_ascii(last).replace(' ', '')}@{domain}"
            if email in self.emails:
                continue
            self.emails.add(email)
            found.append(
                Person(
                    tier="oldaddress",
                    lang="fr",
                    gender=person.gender,
                    name=f"{last} {first}" if self.rng.random() < 0.5 else person.name,
                    email=email,
                    organisation=person.organisation,
                    trade=person.trade,
                )
            )
        return found

    # --- Exchanges ------------------------------------------------------------------------------

    def _day(self, days_ago: float) -> datetime:
        """A working moment that many days ago (mail is written on weekdays, in office hours, mostly)."""
        rng = self.rng
        moment = self.now - timedelta(days=days_ago)
        if moment.weekday() >= 5 and rng.random() < 0.8:
            moment -= timedelta(days=moment.weekday() - 4)
        return moment.replace(hour=rng.randint(8, 18), minute=rng.randint(0, 59), second=rng.randint(0, 59))

    def _key(self, domain: str) -> str:
        self.serial += 1
        return f"<{self.serial:06d}.{self.rng.getrandbits(32):08x}@{domain}>"

    def _subject(self, person: Person) -> str:
        rng = self.rng
        if person.trade is not None and rng.random() < 0.45:
            return rng.choice(person.trade.subjects)
        return rng.choice(nd.SUBJECTS_FR if person.lang == "fr" else nd.SUBJECTS_EN)

    def thread(
        self,
        contact: Contact,
        person: Person,
        days_ago: float,
        *,
        answered: bool = True,
        out_first: float = 0.5,
    ) -> list[Interaction]:
        """A mail thread: a message, then (usually) replies back and forth the same day or the next."""
        rng = self.rng
        subject = self._subject(person)
        at = self._day(days_ago)
        outbound = rng.random() < out_first
        length = rng.choices([1, 2, 3, 4], [3, 5, 1.5, 0.5])[0] if answered else 1
        theirs = person.email.rpartition("@")[2] or "mail.example.net"
        rows = []
        for position in range(length):
            if at >= self.now:
                break
            rows.append(
                Interaction(
                    contact=contact,
                    kind=Kind.MAIL,
                    inbound=not outbound,
                    at=at,
                    subject=subject if position == 0 else f"Re: {subject}",
                    source_key=self._key(LEADER_DOMAIN if outbound else theirs),
                    audience=1,
                )
            )
            outbound = not outbound
            at += timedelta(hours=rng.expovariate(1 / 9))
        return rows

    def meeting(
        self, contact: Contact, person: Person, days_ago: float, *, call: bool = False
    ) -> Interaction:
        rng = self.rng
        subjects: tuple[str, ...]
        if call:
            subjects = nd.CALLS_FR if person.lang == "fr" else nd.CALLS_EN
        else:
            subjects = nd.MEETINGS_FR if person.lang == "fr" else nd.MEETINGS_EN
        self.serial += 1
        at = self._day(days_ago).replace(minute=rng.choice([0, 30]), second=0)
        return Interaction(
            contact=contact,
            kind=Kind.CALL if call else Kind.MEETING,
            inbound=rng.random() < 0.5,
            at=min(at, self.now - timedelta(hours=1)),
            subject=rng.choice(subjects),
            source_key=f"demo-{'call' if call else 'meeting'}-{self.serial}",
        )

    def _rhythm(
        self,
        contact: Contact,
        person: Person,
        start: float,
        end: float,
        gap: float,
        *,
        meet: float = 0,
        call: float = 0,
    ) -> list[Interaction]:
        """Threads every `gap` days on average from `start` to `end` days ago, meetings every `meet` days."""
        rng, rows = self.rng, []
        day = start - rng.uniform(0, gap)
        while day > end:
            rows += self.thread(contact, person, day)
            day -= rng.expovariate(1 / gap)
        for every, is_call in ((meet, False), (call, True)):
            if every:
                day = start - rng.uniform(0, every)
                while day > end:
                    rows.append(self.meeting(contact, person, day, call=is_call))
                    day -= rng.uniform(0.5, 1.5) * every
        return rows

    def exchanges(self, contact: Contact, person: Person) -> list[Interaction]:
        rng, tier = self.rng, person.tier
        u = rng.uniform
        if tier == "inner":
            return self._rhythm(contact, person, u(690, HORIZON_DAYS), u(0, 3), 5, meet=30, call=21)
        if tier == "close":
            return self._rhythm(contact, person, u(400, HORIZON_DAYS), u(0, 15), 20, meet=90)
        if tier == "regular":
            return self._rhythm(
                contact, person, u(200, HORIZON_DAYS), u(0, 45), 50, meet=300 if rng.random() < 0.3 else 0
            )
        if tier == "drift":
            return self._rhythm(contact, person, u(520, HORIZON_DAYS), u(120, 400), 16, meet=75)
        if tier == "back":
            rows = self._rhythm(contact, person, u(600, HORIZON_DAYS), u(300, 420), 14, meet=90)
            return rows + self._rhythm(contact, person, u(20, 30), 0.5, 6)
        if tier == "new":
            return self._rhythm(contact, person, u(10, 50), 0.5, 7, meet=25 if rng.random() < 0.4 else 0)
        if tier == "occasional":
            days = sorted((u(1, HORIZON_DAYS) for _ in range(rng.randint(1, 5))), reverse=True)
            return [row for day in days for row in self.thread(contact, person, day, out_first=0.45)]
        if tier == "oldaddress":
            days = sorted((u(400, HORIZON_DAYS) for _ in range(rng.randint(1, 3))), reverse=True)
            return [row for day in days for row in self.thread(contact, person, day)]
        if tier == "linkedin":
            connected = u(30, HORIZON_DAYS)
            rows = [
                Interaction(
                    contact=contact,
                    kind=Kind.CONNECTION,
                    inbound=rng.random() < 0.5,
                    at=self._day(connected),
                    source_key="linkedin:connection",
                )
            ]
            for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
                day, outbound = u(0, connected), rng.random() < 0.5
                for _reply in range(rng.randint(1, 2)):
                    self.serial += 1
                    rows.append(
                        Interaction(
                            contact=contact,
                            kind=Kind.LINKEDIN,
                            inbound=not outbound,
                            at=self._day(day),
                            source_key=f"linkedin:demo-{self.serial}",
                        )
                    )
                    outbound, day = not outbound, max(day - u(0, 2), 0.2)
            if person.email and rng.random() < 0.4:
                rows += self.thread(contact, person, u(0, connected))
            return rows
        if tier == "imported":
            days = [u(5, 400) for _ in range(rng.choice([0, 0, 1, 2]))]
            return [row for day in days for row in self.thread(contact, person, day)]
        if tier == "oneway":
            days = [u(1, HORIZON_DAYS) for _ in range(rng.randint(1, 5))]
            return [
                row for day in days for row in self.thread(contact, person, day, answered=False, out_first=0)
            ]
        if tier == "spam":
            rows = []
            for _ in range(rng.randint(3, 8)):
                rows += self.thread(contact, person, u(1, 200), answered=False, out_first=0)
                rows[-1].subject = rng.choice(SPAM_SUBJECTS)
            return rows
        return []

    def group_mail(self, people: list[tuple[Contact, Person]]) -> list[Interaction]:
        """Léa's lists: one interaction per recipient of her mail (the same message), or one for the
        member who writes to the list; the depth of each is the number of recipients."""
        rng, rows = self.rng, []
        for lang, size, gap, subjects in nd.GROUPS:
            pool = [
                (c, p) for c, p in people if p.lang == lang and p.tier in ("close", "regular", "occasional")
            ]
            members = rng.sample(pool, min(size, len(pool)))
            day = HORIZON_DAYS - rng.uniform(0, gap)
            while day > 1 and members:
                subject, at = rng.choice(subjects), self._day(day)
                if rng.random() < 0.7:
                    key = self._key(LEADER_DOMAIN)
                    rows += [
                        Interaction(
                            contact=c,
                            kind=Kind.MAIL,
                            inbound=False,
                            at=at,
                            subject=subject,
                            source_key=key,
                            audience=len(members),
                        )
                        for c, _p in members
                    ]
                else:
                    sender, person = rng.choice(members)
                    key = self._key(person.email.rpartition("@")[2] or "mail.example.net")
                    rows.append(
                        Interaction(
                            contact=sender,
                            kind=Kind.MAIL,
                            inbound=True,
                            at=at,
                            subject=f"Re: {subject}",
                            source_key=key,
                            audience=len(members),
                        )
                    )
                day -= rng.uniform(0.6, 1.4) * gap
        return rows


def _contact(person: Person) -> Contact:
    return Contact(
        name=person.name,
        email=person.email,
        linkedin_url=person.linkedin_url,
        organisation=person.organisation,
        position=person.position,
        language=person.lang,
        phone=person.phone,
        what_they_do=person.what_they_do,
        offers=person.offers,
        needs=person.needs,
        tags=person.tags,
        how_we_met=person.how_we_met,
        source=person.source,
        chosen=person.chosen,
        spam=person.spam,
    )


def _requesters(builder: _Builder) -> list[Interaction]:
    """What the demo's requests imply: Léa answers the requests the second kept, the requester writes
    back, the project's first meeting happens; people who said they know Léa have a history."""
    rng, now, rows = builder.rng, builder.now, []
    requests = (
        Request.objects.filter(kept_at__isnull=False, requester__spam=False)
        .select_related("requester", "project")
        .order_by("pk")
    )
    for request in requests:
        contact = request.requester
        theirs = contact.email.rpartition("@")[2]
        # Léa answers within the day and they write back, both before now (however recent the request).
        kept_at: datetime = request.kept_at  # type: ignore[assignment]
        reply_at = kept_at + min(timedelta(hours=rng.uniform(2, 20)), (now - kept_at) * 0.4)
        answer_at = reply_at + min(timedelta(hours=rng.uniform(3, 30)), (now - reply_at) * 0.5)
        for outbound, at in ((True, reply_at), (False, answer_at)):
            rows.append(
                Interaction(
                    contact=contact,
                    kind=Kind.MAIL,
                    inbound=not outbound,
                    at=at,
                    subject=f"Re: {request.subject}",
                    source_key=builder._key(LEADER_DOMAIN if outbound else theirs),
                )
            )
        project = getattr(request, "project", None)
        meeting = project.first_meeting_at if project is not None else None
        if meeting is not None and meeting < now:
            builder.serial += 1
            rows.append(
                Interaction(
                    contact=contact,
                    kind=Kind.MEETING,
                    inbound=True,
                    at=meeting,
                    subject=("Premier rendez-vous : " if contact.language == "fr" else "First meeting: ")
                    + request.subject,
                    source_key=f"demo-meeting-{builder.serial}",
                )
            )
    return rows


def _requester_profiles(builder: _Builder) -> list[Interaction]:
    """Profiles of the demo's requesters, and the earlier history of those who already knew Léa."""
    rows: list[Interaction] = []
    contacts = list(Contact.objects.filter(email__in=list(REQUESTER_PROFILES)).order_by("pk"))
    for contact in contacts:
        position, what, tags = REQUESTER_PROFILES[contact.email]
        contact.position = contact.position or position
        contact.what_they_do, contact.tags = what, tags
        first = Request.objects.filter(requester=contact).order_by("received_at").first()
        if first is not None:
            contact.needs = first.subject
        person = Person(
            tier="requester", lang=contact.language, gender="", name=contact.name, email=contact.email
        )
        if contact.email in KNOWN_BEFORE:
            met, days_before = KNOWN_BEFORE[contact.email]
            contact.how_we_met = met
            start = (builder.now - first.received_at).days + days_before if first else days_before
            rows.append(builder.meeting(contact, person, start))
            for _ in range(3):
                rows += builder.thread(contact, person, start - builder.rng.uniform(5, days_before - 10))
    Contact.objects.bulk_update(contacts, ["position", "what_they_do", "tags", "needs", "how_we_met"])
    return rows


def network_build(*, rng: random.Random, now: datetime, leader: User, second: User) -> int:
    """Add the demo network to the hub (once: a second call finds it and adds nothing). Returns how many
    people it added."""
    first = nd.KEY_PEOPLE[0][4]
    if Contact.objects.filter(email=first).exists():
        return 0
    builder = _Builder(rng=rng, now=now)
    people = builder.people()
    contacts = Contact.objects.bulk_create([_contact(p) for p in people], batch_size=500)
    pairs = list(zip(contacts, people, strict=True))
    identities = []
    for contact, _p in pairs:
        if contact.email:
            identities.append(Identity(contact=contact, kind=IdentityKind.EMAIL, value=contact.email))
        if contact.linkedin_url:
            identities.append(
                Identity(contact=contact, kind=IdentityKind.LINKEDIN, value=contact.linkedin_url)
            )
        identities.append(Identity(contact=contact, kind=IdentityKind.NAME, value=contact.name))
    Identity.objects.bulk_create(identities, batch_size=500, ignore_conflicts=True)

    interactions = [row for contact, person in pairs for row in builder.exchanges(contact, person)]
    interactions += builder.group_mail(pairs)
    interactions += _requesters(builder)
    interactions += _requester_profiles(builder)
    interaction_record_many(interactions=interactions)
    # Who counts and how strongly, by the real rules, as after an import of the mailbox.
    strength_recompute()

    # The hub met each person at their first exchange (the people typed in: some time ago).
    ids = [c.pk for c in contacts]
    Contact.objects.filter(pk__in=ids, first_at__isnull=False).update(created_at=F("first_at"))
    silent = list(Contact.objects.filter(pk__in=ids, first_at__isnull=True))
    for contact in silent:
        contact.created_at = now - timedelta(days=rng.uniform(10, 300))
    Contact.objects.bulk_update(silent, ["created_at"])
    _notes(builder, pairs, leader=leader, second=second)
    search_index(Contact.objects.filter(merged_into__isnull=True))
    matches_refresh(now=now)  # needs and offers that meet, as the nightly job would find them
    _introductions(leader=leader, contacts=[c for c, _p in pairs], now=now)
    return len(ids)


def _answer(intro: Introduction, party: str, answer: str, at: datetime) -> None:
    intro.refresh_from_db()  # each ask has its own nonce
    introduction_answer(token=link_make(introduction=intro, party=party, answer=answer, now=at), now=at)


def _introductions(*, leader: User, contacts: list[Contact], now: datetime) -> None:
    """A few introductions through the real services, at past dates: the leader introduced by a close
    contact (done, and one still waiting for the person to meet), and two the hub made from the
    matchmaking suggestions (one done, one just asked). The debrief and the profiles show them."""
    people = list(
        Contact.objects.filter(pk__in=[c.pk for c in contacts], in_network=True, hub_own=False, spam=False)
        .exclude(email="")
        .order_by("-rank_key", "pk")
    )
    if len(people) < 8:
        return
    connectors, targets = people[:4], people[-4:]
    for n, (connector, target, days, done) in enumerate(
        [(connectors[0], targets[0], 75, True), (connectors[1], targets[1], 20, False)]
    ):
        start = now - timedelta(days=days)
        purpose = (
            "Échanger sur un projet commun de formation."
            if n == 0
            else "Parler d'une mission d'accompagnement."
        )
        draft = introduction_draft(target=target, connector=connector, beneficiary=leader, purpose=purpose)
        intro = introduction_start(
            actor=leader,
            target=target,
            connector=connector,
            beneficiary=leader,
            purpose=purpose,
            subject=draft.subject,
            body=draft.body,
            now=start,
        )
        _answer(intro, CONNECTOR, YES, start + timedelta(days=2))
        if done:
            _answer(intro, TARGET, YES, start + timedelta(days=4))
    chosen: list[Match] = []
    for match in Match.objects.filter(state=MatchState.OPEN).order_by("-score", "pk")[:50]:
        if all(m.seeker_id != match.seeker_id for m in chosen):
            chosen.append(match)
    for n, match in enumerate(chosen[:2]):
        start = now - timedelta(days=40 if n == 0 else 3)
        draft = match_draft(match)
        intro = match_approve(actor=leader, match=match, subject=draft.subject, body=draft.body, now=start)
        if n == 0:
            _answer(intro, CONNECTOR, YES, start + timedelta(days=1))
            _answer(intro, TARGET, YES, start + timedelta(days=3))


def _notes(builder: _Builder, pairs: list[tuple[Contact, Person]], *, leader: User, second: User) -> None:
    rng, now = builder.rng, builder.now
    notes = []
    for contact, person in pairs:
        if person.note:
            notes.append(
                ContactNote(
                    contact=contact, author=leader if rng.random() < 0.6 else second, text=person.note
                )
            )
    kept = Contact.objects.filter(Q(requests__kept_at__isnull=False) & ~Q(pk__in=[c.pk for c, _p in pairs]))
    for contact in kept.distinct().order_by("pk")[:4]:
        text = (
            "Budget confirmé au téléphone." if contact.language == "fr" else "Budget confirmed on the phone."
        )
        notes.append(ContactNote(contact=contact, author=second, text=text))
    ContactNote.objects.bulk_create(notes)
    for note in notes:
        last = note.contact.last_at or now
        note.created_at = last - timedelta(days=rng.uniform(0, 30))
    ContactNote.objects.bulk_update(notes, ["created_at"])
