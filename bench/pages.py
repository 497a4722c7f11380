"""Page benchmark: Cercle's four working pages on a database of N requests.

What it measures
    1. Fills a throwaway database (fresh ``CERCLE_DATA_DIR``; SQLite by default, PostgreSQL when
       ``DATABASE_URL`` is set) with N requests and everything they imply: requesters (N/3 contacts),
       one inbound intake message per request, the audit trail (a "created" event plus one transition
       event per state reached), offers to circle members, project spaces with their first steps, and
       the denormalised milestones (kept_at, answered_at, answer_delay_s, lead, lead_at, lead_delay_s,
       closed_at, outcome). Requests are spread over every state (most dismissed or closed, a few
       hundred to a few thousand in each open state) and over the last two years. The fill bypasses
       the services and uses ``bulk_create`` in batches, one transaction per batch.
    2. Requests each page through the real Django stack (``django.test.Client`` with ``force_login``,
       every middleware, the real templates): the triage queue as the second, the validation queue
       as the leader, the opportunities of the member with the most pending offers, and the dashboard
       as the leader. Each page is warmed up, then timed over many iterations (p50 / p95 latency in
       ms, ``time.perf_counter``); one extra iteration runs under ``CaptureQueriesContext`` to count
       its SQL queries. DEBUG is off, as in production.

Run (from the project root)
    .venv/bin/python bench/pages.py --requests 100000
    .venv/bin/python bench/pages.py --requests 100000 --compare-small      # + query counts at 1,000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cercle_bench .venv/bin/python bench/pages.py \
        --requests 100000 --flush

Options: ``--iterations N`` (timed requests per page, default 200), ``--warmup N`` (default 10),
``--data-dir DIR`` (default: a new temporary directory), ``--keep`` (keep the data dir, or on
PostgreSQL the rows, afterwards), ``--flush`` (empty the bench tables of a database that already holds
data), ``--analyze`` (run ANALYZE after the fill; always done on PostgreSQL, as autovacuum would),
``--show-queries`` (print every query of each page with its time), ``--seed N``, ``--batch N``.

Progress goes to stderr. The last line of stdout is always
``pages: N requests, worst p95 X ms (PAGE), max queries Q``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

# (page name, url, who looks at it)
PAGES = [
    ("triage", "/triage/", "second"),
    ("validation", "/validation/", "leader"),
    ("opportunities", "/opportunities/", "member"),
    ("dashboard", "/dashboard/", "leader"),
]
# A marker counted in each page's HTML: how many items the page shows (a sanity check).
ITEM_MARKERS = {
    "triage": 'role="option"',
    "validation": '<article id="card-',
    "opportunities": '<article id="offer-',
    "dashboard": '<tr id="stage-',
}

# Share of requests ending in each state; "dismissed" takes the rest (~70 %).
STATE_SHARES = {
    "received": 0.015,
    "kept": 0.008,
    "deferred": 0.006,
    "approved": 0.004,
    "offered": 0.005,
    "accepted": 0.004,
    "kicked_off": 0.006,
    "declined": 0.10,
    "closed": 0.15,
}
OPEN = ("received", "kept", "deferred", "approved", "offered", "accepted", "kicked_off")
# Mean time (hours) taken to reach a state from the previous one.
STEP_MEAN_HOURS = {
    "kept": 8,
    "dismissed": 6,
    "approved": 30,
    "declined": 30,
    "deferred": 30,
    "offered": 12,
    "accepted": 36,
    "kicked_off": 120,
    "closed": 900,
}
# Who acts for each transition.
ACTOR_OF = {
    "kept": "second",
    "dismissed": "second",
    "approved": "leader",
    "declined": "leader",
    "deferred": "leader",
    "offered": "second",
    "accepted": "lead",
    "kicked_off": "lead",
    "closed": "lead",
}
TWO_YEARS = timedelta(days=730)

# --- Texts (fictional but realistic), French and English ---------------------------------------

FIRST_FR = [
    "Marc",
    "Sophie",
    "Julie",
    "Antoine",
    "Nicolas",
    "Élodie",
    "Camille",
    "Hélène",
    "Louis",
    "Yasmine",
    "Thomas",
    "Chloé",
    "Mathieu",
    "Léa",
]
LAST_FR = [
    "Lefèvre",
    "Garnier",
    "Roux",
    "Mercier",
    "Blanc",
    "Fontaine",
    "Perrin",
    "Caron",
    "Barbier",
    "Chérif",
    "Girard",
    "Lambert",
    "Bonnet",
]
FIRST_EN = [
    "James",
    "Priya",
    "Laura",
    "Daniel",
    "Hannah",
    "Ben",
    "Sarah",
    "Oliver",
    "Emma",
    "Noah",
    "Grace",
    "Henry",
    "Amelia",
    "Jack",
]
LAST_EN = [
    "Whitaker",
    "Nair",
    "Chen",
    "Okafor",
    "Schultz",
    "Walsh",
    "Lindqvist",
    "Grant",
    "Hughes",
    "Patel",
    "Murphy",
    "Evans",
    "Clarke",
]
TOWNS_FR = [
    "Nantes",
    "Lyon",
    "Rennes",
    "Grenoble",
    "Lille",
    "Angers",
    "Tours",
    "Dijon",
    "Brest",
    "Annecy",
    "Bordeaux",
    "Nancy",
]
TOWNS_EN = [
    "Leeds",
    "Bristol",
    "Dublin",
    "Glasgow",
    "Oxford",
    "Bath",
    "Cardiff",
    "York",
    "Brighton",
    "Norwich",
]
WORDS_FR = [
    "Horizon",
    "Racines",
    "Canopée",
    "Boussole",
    "Ruche",
    "Estuaire",
    "Semis",
    "Passerelle",
    "Sillon",
    "Écluse",
]
WORDS_EN = [
    "Northfield",
    "GreenLoop",
    "BrightPath",
    "Riverside",
    "Commons",
    "Keystone",
    "Lantern",
    "Meadow",
    "Harbour",
]
ORGS_FR = [
    "Menuiserie {last}",
    "Mairie de {town}",
    "Atelier {last}",
    "Coopérative {word}",
    "Biocoop {town}",
    "Transports {last}",
    "Tiers-lieu {word}",
    "Les Jardins de {town}",
    "{last} Conseil",
    "Association {word}",
]
ORGS_EN = [
    "{last} & Partners",
    "{word} Co-op",
    "{town} Council",
    "{word} Foundation",
    "{last} Studio",
    "{word} Labs",
    "{town} School",
]
NEEDS_FR = [
    (
        "Accompagnement de notre transition écologique",
        "nous voulons engager la transition écologique de l'entreprise (matériaux, énergie, gouvernance)",
    ),
    (
        "Conférence sur le leadership régénératif",
        "nous aimerions une conférence d'une heure sur le leadership régénératif lors de notre journée annuelle",
    ),
    (
        "Atelier de facilitation pour notre équipe",
        "nous cherchons quelqu'un pour animer un atelier d'une journée avec notre équipe de direction",
    ),
    (
        "Nouvelle identité visuelle",
        "nous souhaitons refaire notre logo et notre site, en cohérence avec nos valeurs",
    ),
    (
        "Bilan carbone et plan d'action",
        "nous devons réaliser un bilan carbone et surtout un plan d'action crédible",
    ),
    (
        "Recherche de financements",
        "nous montons un dossier de subventions et cherchons un regard expérimenté sur notre plan de financement",
    ),
    ("Formation de nos managers", "nous voulons former nos managers à la gouvernance partagée"),
    (
        "Outil numérique sobre pour notre association",
        "nous cherchons un outil simple et libre pour gérer les réservations et les adhésions",
    ),
    (
        "Refonte de notre gouvernance",
        "notre coopérative a beaucoup grandi et les décisions sont devenues pénibles",
    ),
    (
        "Intervention lors de notre séminaire",
        "nous préparons notre séminaire de rentrée et cherchons un intervenant",
    ),
    ("Diagnostic RSE avant labellisation", "nous aimerions un diagnostic RSE avant de candidater à un label"),
    (
        "Modèle économique d'un tiers-lieu",
        "nous ouvrons un tiers-lieu et avons besoin d'aide sur le modèle économique",
    ),
]
NEEDS_EN = [
    ("Help redesigning our governance", "our co-operative has grown fast and decisions have become painful"),
    ("Keynote for our spring retreat", "we would love a keynote on regenerative leadership for 120 founders"),
    (
        "Grant application for a pilot",
        "we are preparing a grant application and would value a review of our plan",
    ),
    (
        "Teacher training on climate education",
        "we would like a two-day training for teachers on climate education",
    ),
    (
        "Partnership on a leadership programme",
        "we want to co-design a module on regenerative leadership with you",
    ),
    (
        "Carbon footprint and action plan",
        "we need a carbon assessment and, above all, a credible action plan",
    ),
    ("New visual identity", "we are looking for a designer to redo our logo and website, true to our values"),
    ("Facilitation for our board", "we need someone to facilitate a strategy day with our board of trustees"),
    ("Low-tech booking tool", "we are looking for a simple, open-source tool for bookings and memberships"),
    (
        "Business model for a community space",
        "we are opening a community space and need help with the business model",
    ),
]
EXTRAS_FR = [
    "Nous avons un budget prévu pour le printemps.",
    "Pourrions-nous en parler la semaine prochaine ?",
    "Nous avons entendu parler de vous par la CCI.",
    "L'équipe compte une trentaine de personnes.",
    "Idéalement, nous aimerions commencer avant l'été.",
    "Je joins notre plaquette pour vous donner une idée du contexte.",
    "Plusieurs partenaires nous ont recommandé votre réseau.",
    "Le conseil d'administration a validé le principe en juin.",
]
EXTRAS_EN = [
    "We have a budget set aside for the spring.",
    "Could we book a call next week?",
    "A mutual friend recommended your network.",
    "The team is about thirty people.",
    "Ideally we would start before the summer.",
    "I attach our brochure to give you some context.",
    "Our board approved the idea last month.",
]
# Not requests at all: what the second dismisses, per reason.
JUNK = {
    "solicitation": {
        "fr": ["Proposition de partenariat commercial", "Développez votre visibilité sur LinkedIn"],
        "en": ["Quick question about your lead generation", "Let us grow your audience"],
    },
    "newsletter": {
        "fr": ["La lettre du mois", "Nos actualités de la semaine"],
        "en": ["Your weekly digest", "This month in sustainability"],
    },
    "notification": {
        "fr": ["Nouvelle connexion à votre compte", "Votre facture est disponible"],
        "en": ["New sign-in to your account", "Your invoice is ready"],
    },
    "spam": {
        "fr": ["Vous avez gagné !", "Dernier rappel : colis en attente"],
        "en": ["You have won!", "Final notice: package on hold"],
    },
    "not_relevant": {
        "fr": ["Candidature spontanée", "Demande de stage"],
        "en": ["Job application", "Internship request"],
    },
}
JUNK_BODY = {
    "fr": (
        "Bonjour,\n\n{subject}. Découvrez sans attendre notre offre réservée à nos contacts privilégiés : "
        "cliquez sur le lien ci-dessous pour en savoir plus. Pour vous désinscrire, répondez STOP.\n\n{name}"
    ),
    "en": (
        "Hello,\n\n{subject}. Check out our offer for selected contacts: click the link below to learn more. "
        "To unsubscribe, reply STOP.\n\n{name}"
    ),
}
DISMISS_WEIGHTS = {"solicitation": 30, "newsletter": 30, "notification": 20, "spam": 15, "not_relevant": 5}
DECISION_NOTES = [
    "",
    "",
    "",
    "Bon client potentiel.",
    "À suivre de près.",
    "Good fit for the circle.",
    "Budget ok.",
]
DECLINE_REASONS = [
    "Pas disponible ce trimestre.",
    "Hors de mon domaine.",
    "Already at full capacity.",
    "Conflit.",
]

PEOPLE = {
    "leader": ("lea", "Léa", "Marchand"),
    "second": ("samuel", "Samuel", "Petit"),
}
MEMBERS = [
    ("claire", "Claire", "Dubois", "Conseil en transition écologique", "Ecological transition consulting"),
    ("karim", "Karim", "Benali", "Facilitateur, gouvernance partagée", "Facilitator, shared governance"),
    ("ines", "Inès", "Moreau", "Designer graphique", "Graphic designer"),
    ("tom", "Tom", "Fischer", "Développeur web sobre", "Low-tech web developer"),
    ("nadia", "Nadia", "Haddad", "Financement de projets", "Project funding and grants"),
    ("oliver", "Oliver", "Grant", "Formateur, leadership régénératif", "Trainer, regenerative leadership"),
]


# --- Command line and environment --------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=100_000, help="number of requests to create")
    parser.add_argument("--iterations", type=int, default=200, help="timed requests per page (default 200)")
    parser.add_argument("--warmup", type=int, default=10, help="untimed requests per page first (default 10)")
    parser.add_argument("--data-dir", help="CERCLE_DATA_DIR to use (default: a new temporary directory)")
    parser.add_argument("--keep", action="store_true", help="keep the data dir / the PostgreSQL rows")
    parser.add_argument(
        "--flush", action="store_true", help="empty the bench tables if the database has data"
    )
    parser.add_argument(
        "--analyze", action="store_true", help="run ANALYZE after the fill (always on PostgreSQL)"
    )
    parser.add_argument(
        "--batch", type=int, default=5_000, help="requests per bulk_create batch (default 5000)"
    )
    parser.add_argument("--seed", type=int, default=20_240_601, help="random seed (the fill is reproducible)")
    parser.add_argument("--show-queries", action="store_true", help="print each page's SQL with its time")
    parser.add_argument(
        "--compare-small", action="store_true", help="also count queries on a 1,000-request SQLite database"
    )
    parser.add_argument("--json-out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.requests < 100:
        parser.error("--requests must be at least 100")
    if args.iterations < 1 or args.warmup < 0 or args.batch < 1:
        parser.error("--iterations, --warmup and --batch must be positive")
    return args


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def setup_django(data_dir: Path) -> None:
    """Point Cercle at the throwaway data dir, then start Django (the order matters)."""
    os.environ["CERCLE_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    # STATIC_ROOT lives in the data dir; an empty one spares WhiteNoise's "No directory" warning.
    (data_dir / "static").mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    from django.conf import settings

    if "localhost" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]  # the bench's client uses it


# --- The fill ----------------------------------------------------------------------------------


@dataclass
class Plan:
    """Where one request ends and when it got there (offsets in seconds from its arrival)."""

    received_at: datetime
    final: str
    steps: list[tuple[str, float]]
    junk: str = ""  # dismiss reason of a message that is not a real request


@dataclass
class Counter:
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


def _hours(rng: random.Random, mean: float, cap_days: float = 120) -> float:
    """A delay in seconds, exponential around `mean` hours, at least five minutes."""
    return min(max(rng.expovariate(1.0 / mean) * 3600, 300.0), cap_days * 86400)


def _path(rng: random.Random, final: str) -> list[str]:
    if final == "received":
        return []
    if final in ("dismissed", "kept"):
        return [final]
    if final == "deferred":
        return ["kept", "deferred"]
    head = ["kept", "deferred"] if rng.random() < 0.2 else ["kept"]
    if final == "declined":
        return [*head, "declined"]
    path = [*head, "approved"]
    for state in ("offered", "accepted"):
        if final == path[-1]:
            return path
        path.append(state)
    if final == "accepted":
        return path
    if final == "kicked_off":
        return [*path, "kicked_off"]
    return [*path, "kicked_off", "closed"] if rng.random() < 0.8 else [*path, "closed"]


def make_plans(rng: random.Random, n: int, now: datetime, limits: dict[str, int]) -> list[Plan]:
    counts = {state: max(1, round(n * share)) for state, share in STATE_SHARES.items()}
    counts["dismissed"] = n - sum(counts.values())
    finals = [state for state, count in counts.items() for _ in range(count)]
    plans = []
    for final in finals:
        steps: list[tuple[str, float]] = []
        offset, prev = 0.0, "received"
        for state in _path(rng, final):
            if prev == "deferred":
                mean = 120.0
            elif state == "closed" and prev == "accepted":
                mean = 240.0
            else:
                mean = STEP_MEAN_HOURS[state]
            offset += _hours(rng, mean)
            steps.append((state, offset))
            prev = state
        if final in OPEN:
            # How long it has been waiting at its current stage: about a third are over the limit.
            wait = _hours(rng, 0.8 * limits.get(final, 30 * 24), cap_days=90)
            received_at = now - timedelta(seconds=offset + wait)
        else:
            latest = now - timedelta(seconds=offset + 60)
            spread = max((latest - (now - TWO_YEARS)).total_seconds(), 0.0)
            received_at = latest - timedelta(seconds=rng.uniform(0, spread))
        junk = ""
        if final == "dismissed" or (final == "received" and rng.random() < 0.4):
            junk = rng.choices(list(DISMISS_WEIGHTS), weights=list(DISMISS_WEIGHTS.values()))[0]
        plans.append(Plan(received_at, final, steps, junk))
    # Ids grow with arrival time, as they do in a real hub.
    plans.sort(key=lambda p: p.received_at)
    return plans


class Filler:
    def __init__(self, *, n: int, batch: int, seed: int) -> None:
        from django.conf import settings
        from django.utils import timezone

        self.n = n
        self.batch = batch
        self.rng = random.Random(seed)
        self.now = timezone.now()
        self.limits: dict[str, int] = settings.CERCLE["STAGE_LIMITS_HOURS"]
        self.counter = Counter()
        self.users: dict[str, Any] = {}
        self.member_ids: list[int] = []
        self.contacts: list[tuple[int, str, str, str, str]] = []  # pk, name, email, organisation, language

    def run(self) -> Counter:
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
        from django.utils.text import slugify

        from cercle.network.models import Contact

        rng = self.rng
        total = max(1, self.n // 3)
        for start in range(0, total, self.batch):
            objs = []
            for i in range(start, min(start + self.batch, total)):
                lang = "fr" if rng.random() < 0.7 else "en"
                first = rng.choice(FIRST_FR if lang == "fr" else FIRST_EN)
                last = rng.choice(LAST_FR if lang == "fr" else LAST_EN)
                org = rng.choice(ORGS_FR if lang == "fr" else ORGS_EN).format(
                    last=last,
                    town=rng.choice(TOWNS_FR if lang == "fr" else TOWNS_EN),
                    word=rng.choice(WORDS_FR if lang == "fr" else WORDS_EN),
                )
                tld = rng.choice([".fr", ".org", ".com"] if lang == "fr" else [".co.uk", ".org", ".io"])
                email = f"{slugify(first)}.{slugify(last)}.{i}@{slugify(org)}{tld}"
                objs.append(Contact(name=f"{first} {last}", email=email, organisation=org, language=lang))
            with transaction.atomic():
                Contact.objects.bulk_create(objs, batch_size=self.batch)
            self.contacts.extend((c.pk, c.name, c.email, c.organisation, c.language) for c in objs)
            self.counter.add(len(objs))
        log(f"  fill contacts {total:,} · {self.counter.rate:,.0f} rows/s")

    def _text(self, plan: Plan, contact: tuple[int, str, str, str, str]) -> tuple[str, str, str]:
        """Subject, body and language of the request's first message."""
        rng = self.rng
        _pk, name, _email, org, lang = contact
        if rng.random() < 0.05:  # a French contact writing in English, or the reverse
            lang = "en" if lang == "fr" else "fr"
        if plan.junk:
            subject = rng.choice(JUNK[plan.junk][lang])
            return subject, JUNK_BODY[lang].format(subject=subject, name=org), lang
        if lang == "fr":
            subject, need = rng.choice(NEEDS_FR)
            extras = " ".join(rng.sample(EXTRAS_FR, rng.randint(1, 3)))
            greet = rng.choice(["Bonjour,", "Bonjour Léa,", "Madame, Monsieur,"])
            close = rng.choice(["Bien à vous,", "Cordialement,", "Merci d'avance,"])
            body = (
                f"{greet}\n\nJe vous écris au nom de {org}. {need.capitalize()}. {extras}\n\n{close}\n{name}"
            )
        else:
            subject, need = rng.choice(NEEDS_EN)
            extras = " ".join(rng.sample(EXTRAS_EN, rng.randint(1, 3)))
            greet = rng.choice(["Hello,", "Dear Léa,", "Hi there,"])
            close = rng.choice(["Best,", "Kind regards,", "Thanks in advance,"])
            body = f"{greet}\n\nI am writing on behalf of {org}. {need.capitalize()}. {extras}\n\n{close}\n{name}"
        if rng.random() < 0.5:
            subject = f"{subject} – {org}"
        return subject, body, lang

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
            subject, body, lang = self._text(plan, contact)
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


# --- Database housekeeping ---------------------------------------------------------------------


def bench_models() -> list[Any]:
    from django.apps import apps

    labels = ("accounts", "circle", "circulation", "intake", "network", "projects", "sessions")
    models = [m for label in labels for m in apps.get_app_config(label).get_models(include_auto_created=True)]
    from cercle.outbox.models import OutgoingMessage

    return [*models, OutgoingMessage]


def flush_bench_tables() -> None:
    """Empty the tables the bench fills (the seeded mail templates stay)."""
    from django.core.management.color import no_style
    from django.db import connection, transaction

    tables = [m._meta.db_table for m in bench_models()]
    statements = connection.ops.sql_flush(no_style(), tables, reset_sequences=True, allow_cascade=True)
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def prepare_database(flush: bool) -> None:
    from django.core.management import call_command

    from cercle.accounts.models import User

    call_command("migrate", interactive=False, verbosity=0)
    if User.objects.exists():
        if not flush:
            raise SystemExit(
                "the database already holds data: pass --flush to empty the bench tables first "
                "(or use a fresh --data-dir / database)"
            )
        log("  flushing the bench tables")
        flush_bench_tables()


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def database_label() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        path = Path(str(connection.settings_dict["NAME"]))
        size = sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file())
        return f"SQLite {connection.Database.sqlite_version}, {path} ({size / 1e6:,.0f} MB with WAL)"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database()), current_setting('server_version')")
        size, version = cursor.fetchone()
    return f"PostgreSQL {version}, database {connection.settings_dict['NAME']} ({size / 1e6:,.0f} MB)"


# --- The measurement ---------------------------------------------------------------------------


@dataclass
class PageResult:
    page: str
    url: str
    user: str
    items: int
    p50: float
    p95: float
    worst: float
    cpu_p50: float
    queries: int
    sql: list[dict[str, str]] = field(default_factory=list)


def pick_member() -> Any:
    """The member with the most pending offers (the heaviest opportunities page)."""
    from django.db.models import Count, Q

    from cercle.accounts.models import Role, User
    from cercle.circle.models import OfferState

    member = (
        User.objects.filter(role=Role.MEMBER)
        .annotate(pending=Count("offers", filter=Q(offers__state=OfferState.PENDING)))
        .order_by("-pending", "id")
        .first()
    )
    if member is None or member.pending == 0:  # type: ignore[attr-defined]
        raise SystemExit("no member has a pending offer: the fill is inconsistent")
    return member


def measure(iterations: int, warmup: int) -> list[PageResult]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from cercle.accounts.models import Role, User

    people = {
        "leader": User.objects.get(role=Role.LEADER),
        "second": User.objects.get(role=Role.SECOND),
        "member": pick_member(),
    }
    results = []
    for page, url, who in PAGES:
        user = people[who]
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)

        def get(client: Client = client, url: str = url) -> Any:
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(
                    f"{url} as {client.session.get('_auth_user_id')}: HTTP {response.status_code}"
                )
            return response

        for _ in range(warmup):
            get()
        with CaptureQueriesContext(connection) as captured:
            response = get()
        # Read the log now: the next request's request_started signal empties it.
        sql = list(captured.captured_queries)
        items = response.content.decode().count(ITEM_MARKERS[page])
        timings, cpu = [], []
        for _ in range(iterations):
            started, cpu_started = time.perf_counter(), time.process_time()
            get()
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
        p95 = statistics.quantiles(timings, n=20, method="inclusive")[-1] if len(timings) > 1 else timings[0]
        results.append(
            PageResult(
                page=page,
                url=url,
                user=user.username,
                items=items,
                p50=statistics.median(timings),
                p95=p95,
                worst=max(timings),
                cpu_p50=statistics.median(cpu),
                queries=len(sql),
                sql=sql,
            )
        )
        log(f"  measured {page}: p50 {results[-1].p50:.1f} ms, p95 {p95:.1f} ms")
    return results


def print_table(results: list[PageResult]) -> None:
    """One row per page; "cpu p50" is this process's CPU time (robust when the machine is busy)."""
    header = ("page", "url", "as", "items", "p50 ms", "p95 ms", "max ms", "cpu p50", "queries")
    print("{:<14} {:<16} {:<8} {:>5} {:>8} {:>8} {:>8} {:>8} {:>7}".format(*header))
    for r in results:
        print(
            f"{r.page:<14} {r.url:<16} {r.user:<8} {r.items:>5} {r.p50:>8.1f} {r.p95:>8.1f} {r.worst:>8.1f} "
            f"{r.cpu_p50:>8.1f} {r.queries:>7}"
        )


def print_queries(results: list[PageResult]) -> None:
    for r in results:
        print(f"\n-- {r.page}: {r.queries} queries")
        for q in sorted(r.sql, key=lambda q: -float(q["time"])):
            print(f"   {float(q['time']) * 1000:8.2f} ms  {' '.join(q['sql'].split())[:400]}")


def compare_small(results: list[PageResult], n: int, args: argparse.Namespace) -> None:
    """Run the same bench on 1,000 requests (SQLite, another temp dir) and compare query counts."""
    log("  running the 1,000-request comparison in a subprocess")
    with tempfile.TemporaryDirectory(prefix="cercle-bench-small-") as tmp:
        out = Path(tmp) / "small.json"
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CERCLE_DATA_DIR")}
        cmd = [
            sys.executable,
            __file__,
            "--requests",
            "1000",
            "--iterations",
            "20",
            "--warmup",
            "3",
            "--seed",
            str(args.seed),
            "--data-dir",
            str(Path(tmp) / "data"),
            "--json-out",
            str(out),
        ]
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            log(done.stdout + done.stderr)
            raise SystemExit("the 1,000-request comparison failed")
        small = {p["page"]: p for p in json.loads(out.read_text())["pages"]}
    big, little = f"N={n:,}", "N=1,000"
    print("\nagainst size (the 1,000-request run is on SQLite, 20 timed requests per page):")
    print(f"{'page':<14} {'queries':^23}  {'p50 ms':^18}")
    print(f"{'':<14} {big:>9} {little:>7} {'same':>5}  {big:>9} {little:>8}")
    for r in results:
        q_small, p50_small = small[r.page]["queries"], small[r.page]["p50"]
        same = "yes" if q_small == r.queries else "NO"
        print(f"{r.page:<14} {r.queries:>9} {q_small:>7} {same:>5}  {r.p50:>9.1f} {p50_small:>8.1f}")


# --- Main --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    created_dir = False
    if args.data_dir:
        data_dir = Path(args.data_dir).resolve()
        created_dir = not data_dir.exists()
        data_dir.mkdir(parents=True, exist_ok=True)
    else:
        data_dir = Path(tempfile.mkdtemp(prefix="cercle-bench-"))
        created_dir = True
    setup_django(data_dir)

    from django.db import connection, connections

    owns_rows = False
    try:
        log(f"bench: {args.requests:,} requests, data dir {data_dir}, database {connection.vendor}")
        prepare_database(args.flush)
        owns_rows = True
        filler = Filler(n=args.requests, batch=args.batch, seed=args.seed)
        counter = filler.run()
        fill_seconds = counter.elapsed
        if args.analyze or connection.vendor == "postgresql":
            started = time.perf_counter()
            analyze()
            log(f"  ANALYZE in {time.perf_counter() - started:.1f} s")
        results = measure(args.iterations, args.warmup)

        print(f"database: {database_label()}")
        print(
            f"fill: {args.requests:,} requests, {counter.rows:,} rows in {fill_seconds:.1f} s "
            f"({counter.rows / fill_seconds:,.0f} rows/s)"
        )
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(
            f"timings: {args.iterations} requests per page after {args.warmup} warm-up, DEBUG off, "
            f"{os.cpu_count()} CPUs, load average {load}\n"
        )
        print_table(results)
        if args.show_queries:
            print_queries(results)
        if args.json_out:
            payload = {"requests": args.requests, "pages": [{**r.__dict__, "sql": []} for r in results]}
            Path(args.json_out).write_text(json.dumps(payload))
        if args.compare_small:
            compare_small(results, args.requests, args)
        worst = max(results, key=lambda r: r.p95)
        print(
            f"pages: {args.requests} requests, worst p95 {worst.p95:.1f} ms ({worst.page}), "
            f"max queries {max(r.queries for r in results)}"
        )
    finally:
        if owns_rows and connection.vendor != "sqlite" and not args.keep:
            log("  emptying the bench tables (pass --keep to keep the rows)")
            flush_bench_tables()
        connections.close_all()
        if args.keep:
            log(f"  kept the data dir {data_dir}")
        elif created_dir:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
